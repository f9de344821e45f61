//! The kinked ("jump") interest-rate model and utilization.
//!
//! Parameters are per year in WAD, because people set them that way; accrual uses
//! per-second rates in RAY. With `u` the utilization and `u*` the optimal (kink):
//!
//! ```text
//! borrow_rate(u) = base + slope_low * u / u*                          for u <= u*
//!                = base + slope_low + slope_high * (u - u*) / (1 - u*)  for u >  u*
//! supply_rate(u) = borrow_rate(u) * u * (1 - reserve_factor)
//! ```
//!
//! The borrow rate never exceeds [`MAX_BORROW_RATE_WAD`] (1000 %/yr, Aave's bound):
//! configurations reaching above it are refused, and the computed rate is also clamped.
//! Utilization comes from the market's internal totals only (`debt / (cash + debt)`), so
//! tokens sent to the pool directly cannot move it.

use crate::error::CoreError;
use crate::fixed_point::{add, mul_div, sub, wad_mul, Rounding, WAD, WAD_TO_RAY};

/// Seconds in the 365-day year rates are quoted in.
pub const SECONDS_PER_YEAR: u128 = 31_536_000;
/// The highest borrow rate any market may reach: 1000 % per year, in WAD.
pub const MAX_BORROW_RATE_WAD: u128 = 10 * WAD;

/// A kinked rate curve, all rates per year in WAD.
#[cfg_attr(feature = "ink", ink::scale_derive(Encode, Decode, TypeInfo))]
#[cfg_attr(
    all(feature = "ink", feature = "std"),
    derive(ink::storage::traits::StorageLayout)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateModel {
    /// Borrow rate at zero utilization.
    pub base_rate_wad: u128,
    /// Rate added between zero and optimal utilization.
    pub slope_low_wad: u128,
    /// Rate added between optimal and full utilization.
    pub slope_high_wad: u128,
    /// The kink, strictly between 0 and 1 (WAD).
    pub optimal_utilization_wad: u128,
}

/// `debt / (cash + debt)` in WAD, rounded down; zero for an empty market.
pub fn utilization_wad(cash: u128, debt: u128) -> Result<u128, CoreError> {
    let total = add(cash, debt)?;
    if total == 0 {
        return Ok(0);
    }
    mul_div(debt, WAD, total, Rounding::Down)
}

impl RateModel {
    /// The borrow rate per year (WAD) at `utilization_wad`, rounded up (borrowers pay at
    /// least the curve) and clamped to [`MAX_BORROW_RATE_WAD`].
    pub fn borrow_rate_per_year_wad(&self, utilization_wad: u128) -> Result<u128, CoreError> {
        let u = utilization_wad.min(WAD);
        let kink = self.optimal_utilization_wad;
        let rate = if u <= kink {
            let low = mul_div(self.slope_low_wad, u, kink, Rounding::Up)?;
            add(self.base_rate_wad, low)?
        } else {
            let excess = sub(u, kink)?;
            let high = mul_div(self.slope_high_wad, excess, sub(WAD, kink)?, Rounding::Up)?;
            add(add(self.base_rate_wad, self.slope_low_wad)?, high)?
        };
        Ok(rate.min(MAX_BORROW_RATE_WAD))
    }

    /// The borrow rate per second in RAY, rounded up.
    pub fn borrow_rate_per_second_ray(&self, utilization_wad: u128) -> Result<u128, CoreError> {
        let per_year = self.borrow_rate_per_year_wad(utilization_wad)?;
        mul_div(per_year, WAD_TO_RAY, SECONDS_PER_YEAR, Rounding::Up)
    }
}

/// The supply rate that goes with a borrow rate: `borrow * u * (1 - reserve_factor)`,
/// rounded down (suppliers are credited at most what borrowers pay, less reserves).
/// Works in any unit the borrow rate is in (per year WAD or per second RAY).
pub fn supply_rate(
    borrow_rate: u128,
    utilization_wad: u128,
    reserve_factor_wad: u128,
) -> Result<u128, CoreError> {
    let after_reserves = sub(WAD, reserve_factor_wad.min(WAD))?;
    let used = wad_mul(borrow_rate, utilization_wad.min(WAD), Rounding::Down)?;
    wad_mul(used, after_reserves, Rounding::Down)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CoreError;

    /// Compound III USDC borrow curve: 1.5 % base, 3.5 % to the 80 % kink, 25 % above.
    fn comet_usdc() -> RateModel {
        RateModel {
            base_rate_wad: 15 * WAD / 1000,
            slope_low_wad: 35 * WAD / 1000,
            slope_high_wad: 25 * WAD / 100,
            optimal_utilization_wad: 8 * WAD / 10,
        }
    }

    #[test]
    fn utilization_from_internal_totals() {
        assert_eq!(utilization_wad(0, 0), Ok(0));
        assert_eq!(utilization_wad(100, 0), Ok(0));
        assert_eq!(utilization_wad(0, 100), Ok(WAD));
        assert_eq!(utilization_wad(75, 25), Ok(WAD / 4));
        assert_eq!(
            utilization_wad(2, 1),
            Ok(333_333_333_333_333_333),
            "rounded down"
        );
        assert_eq!(utilization_wad(u128::MAX, 1), Err(CoreError::Overflow));
    }

    #[test]
    fn borrow_rate_follows_the_kinked_curve() {
        let model = comet_usdc();
        assert_eq!(model.borrow_rate_per_year_wad(0), Ok(15 * WAD / 1000));
        assert_eq!(
            model.borrow_rate_per_year_wad(4 * WAD / 10),
            Ok(325 * WAD / 10_000)
        );
        assert_eq!(
            model.borrow_rate_per_year_wad(8 * WAD / 10),
            Ok(5 * WAD / 100)
        );
        assert_eq!(
            model.borrow_rate_per_year_wad(9 * WAD / 10),
            Ok(175 * WAD / 1000)
        );
        assert_eq!(model.borrow_rate_per_year_wad(WAD), Ok(3 * WAD / 10));
        assert_eq!(
            model.borrow_rate_per_year_wad(2 * WAD),
            Ok(3 * WAD / 10),
            "utilization above one is treated as one"
        );
    }

    #[test]
    fn borrow_rate_is_clamped_to_the_cap() {
        let model = RateModel {
            base_rate_wad: 9 * WAD,
            slope_low_wad: 2 * WAD,
            slope_high_wad: 5 * WAD,
            optimal_utilization_wad: WAD / 2,
        };
        assert_eq!(model.borrow_rate_per_year_wad(WAD), Ok(MAX_BORROW_RATE_WAD));
    }

    #[test]
    fn per_second_rate_rounds_up() {
        let model = RateModel {
            base_rate_wad: WAD / 10,
            ..comet_usdc()
        };
        // 0.1 / 31_536_000 * 1e27 = 3_170_979_198_376_458_650.8... -> rounded up
        assert_eq!(
            model.borrow_rate_per_second_ray(0),
            Ok(3_170_979_198_376_458_651)
        );
    }

    #[test]
    fn supply_rate_shares_interest_by_utilization_and_reserve_factor() {
        assert_eq!(
            supply_rate(WAD / 10, WAD / 2, WAD / 10),
            Ok(45 * WAD / 1000)
        );
        assert_eq!(supply_rate(WAD / 10, 0, 0), Ok(0));
        assert_eq!(supply_rate(WAD / 10, WAD, WAD), Ok(0));
        assert_eq!(supply_rate(3, WAD / 2, 0), Ok(1), "rounded down");
    }
}
