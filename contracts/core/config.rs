//! A market's risk and rate parameters, and the one check that accepts or rejects them.
//! The pool calls [`MarketConfig::validate`] on listing and on every change.

use crate::fixed_point::{add, wad_mul, Rounding, WAD};
use crate::liquidation::FULL_CLOSE_HEALTH_FACTOR_WAD;
use crate::rate_model::{RateModel, MAX_BORROW_RATE_WAD};

/// The largest token decimals supported (amounts up to `u128::MAX` still value exactly).
pub const MAX_DECIMALS: u8 = 24;
/// The largest liquidation bonus accepted: 150 % (a 50 % discount) in WAD.
pub const MAX_LIQUIDATION_BONUS_WAD: u128 = 3 * WAD / 2;
/// The largest `liquidation_threshold * liquidation_bonus` accepted: the health factor
/// below which a liquidation may close the whole debt. Repaying `r` of a debt `D` against
/// collateral worth `C` leaves `HF' = (C*LT - r*bonus*LT) / (D - r)`, which is below `HF`
/// exactly when `bonus*LT > HF`; partial liquidations only happen above this health
/// factor, so with `bonus*LT` at or below it every one of them raises health (audit I-2).
pub const MAX_THRESHOLD_TIMES_BONUS_WAD: u128 = FULL_CLOSE_HEALTH_FACTOR_WAD;

/// Everything governance sets for one market. Ratios are WAD (1.0 = `WAD`), amounts are in
/// the token's smallest unit.
#[cfg_attr(feature = "ink", ink::scale_derive(Encode, Decode, TypeInfo))]
#[cfg_attr(
    all(feature = "ink", feature = "std"),
    derive(ink::storage::traits::StorageLayout)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MarketConfig {
    /// Decimals of the underlying token (0 ..= [`MAX_DECIMALS`]).
    pub decimals: u8,
    /// Loan-to-value: the share of collateral value that may be borrowed against.
    pub ltv_wad: u128,
    /// The share of collateral value at which a position becomes liquidatable.
    pub liquidation_threshold_wad: u128,
    /// What a liquidator receives per unit of debt repaid, e.g. 1.05 = 5 % bonus.
    pub liquidation_bonus_wad: u128,
    /// The protocol's share of the bonus (not of the whole seizure), e.g. 0.1.
    pub liquidation_protocol_fee_wad: u128,
    /// The share of borrowers' interest that goes to reserves.
    pub reserve_factor_wad: u128,
    /// The interest-rate curve.
    pub rate_model: RateModel,
    /// The most the market's total supply may reach (`u128::MAX` for no cap).
    pub supply_cap: u128,
    /// The most the market's total debt may reach (`u128::MAX` for no cap).
    pub borrow_cap: u128,
    /// The smallest non-zero debt a position may hold.
    pub min_debt: u128,
}

/// Which parameter of a [`MarketConfig`] is out of bounds.
#[cfg_attr(feature = "ink", ink::scale_derive(Encode, Decode, TypeInfo))]
#[cfg_attr(
    all(feature = "ink", feature = "std"),
    derive(ink::storage::traits::StorageLayout)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigError {
    /// `decimals` above [`MAX_DECIMALS`].
    DecimalsTooLarge,
    /// LTV must be below the liquidation threshold (unless both are zero: no collateral).
    LtvNotBelowLiquidationThreshold,
    /// The liquidation threshold must be below 100 %.
    LiquidationThresholdNotBelowOne,
    /// A collateral market needs a bonus above 100 %; a non-collateral one exactly 100 %
    /// or above (unused).
    LiquidationBonusNotAboveOne,
    /// The bonus exceeds [`MAX_LIQUIDATION_BONUS_WAD`].
    LiquidationBonusTooHigh,
    /// `liquidation_threshold * liquidation_bonus` must not exceed
    /// [`MAX_THRESHOLD_TIMES_BONUS_WAD`] (0.95), or a partial liquidation could lower the
    /// health factor it is meant to raise (audit I-2).
    ThresholdTimesBonusTooHigh,
    /// The protocol's share of the bonus is above 100 %.
    ProtocolFeeAboveOne,
    /// The reserve factor is above 100 %.
    ReserveFactorAboveOne,
    /// The kink must be strictly between 0 and 100 %.
    OptimalUtilizationOutOfRange,
    /// `base + slope_low + slope_high` exceeds the 1000 %/yr cap.
    BorrowRateAboveCap,
    /// A minimum debt above the borrow cap would make borrowing impossible.
    MinDebtAboveBorrowCap,
}

impl MarketConfig {
    /// Accepts a configuration or names the first parameter out of bounds.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.decimals > MAX_DECIMALS {
            return Err(ConfigError::DecimalsTooLarge);
        }
        let is_collateral = self.ltv_wad != 0 || self.liquidation_threshold_wad != 0;
        if is_collateral && self.ltv_wad >= self.liquidation_threshold_wad {
            return Err(ConfigError::LtvNotBelowLiquidationThreshold);
        }
        if self.liquidation_threshold_wad >= WAD {
            return Err(ConfigError::LiquidationThresholdNotBelowOne);
        }
        if self.liquidation_bonus_wad < WAD || (is_collateral && self.liquidation_bonus_wad == WAD)
        {
            return Err(ConfigError::LiquidationBonusNotAboveOne);
        }
        if self.liquidation_bonus_wad > MAX_LIQUIDATION_BONUS_WAD {
            return Err(ConfigError::LiquidationBonusTooHigh);
        }
        // Rounded up so a product just above one is caught.
        let threshold_times_bonus = wad_mul(
            self.liquidation_threshold_wad,
            self.liquidation_bonus_wad,
            Rounding::Up,
        )
        .map_err(|_| ConfigError::ThresholdTimesBonusTooHigh)?;
        if threshold_times_bonus > MAX_THRESHOLD_TIMES_BONUS_WAD {
            return Err(ConfigError::ThresholdTimesBonusTooHigh);
        }
        if self.liquidation_protocol_fee_wad > WAD {
            return Err(ConfigError::ProtocolFeeAboveOne);
        }
        if self.reserve_factor_wad > WAD {
            return Err(ConfigError::ReserveFactorAboveOne);
        }
        let model = &self.rate_model;
        if model.optimal_utilization_wad == 0 || model.optimal_utilization_wad >= WAD {
            return Err(ConfigError::OptimalUtilizationOutOfRange);
        }
        let max_rate = add(model.base_rate_wad, model.slope_low_wad)
            .and_then(|sum| add(sum, model.slope_high_wad))
            .map_err(|_| ConfigError::BorrowRateAboveCap)?;
        if max_rate > MAX_BORROW_RATE_WAD {
            return Err(ConfigError::BorrowRateAboveCap);
        }
        if self.min_debt > self.borrow_cap {
            return Err(ConfigError::MinDebtAboveBorrowCap);
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A valid collateral market resembling Comet's WETH listing.
    pub(crate) fn sample_config(decimals: u8) -> MarketConfig {
        MarketConfig {
            decimals,
            ltv_wad: 75 * WAD / 100,
            liquidation_threshold_wad: 80 * WAD / 100,
            liquidation_bonus_wad: 105 * WAD / 100,
            liquidation_protocol_fee_wad: WAD / 10,
            reserve_factor_wad: WAD / 10,
            rate_model: RateModel {
                base_rate_wad: WAD / 100,
                slope_low_wad: 4 * WAD / 100,
                slope_high_wad: 75 * WAD / 100,
                optimal_utilization_wad: 8 * WAD / 10,
            },
            supply_cap: u128::MAX,
            borrow_cap: u128::MAX,
            min_debt: 0,
        }
    }

    fn with(change: impl FnOnce(&mut MarketConfig)) -> Result<(), ConfigError> {
        let mut config = sample_config(18);
        change(&mut config);
        config.validate()
    }

    #[test]
    fn sample_is_valid() {
        assert_eq!(sample_config(0).validate(), Ok(()));
        assert_eq!(sample_config(24).validate(), Ok(()));
    }

    #[test]
    fn each_bound_is_enforced() {
        use ConfigError::*;
        assert_eq!(with(|c| c.decimals = 25), Err(DecimalsTooLarge));
        assert_eq!(
            with(|c| c.ltv_wad = c.liquidation_threshold_wad),
            Err(LtvNotBelowLiquidationThreshold)
        );
        assert_eq!(
            with(|c| c.liquidation_threshold_wad = 0),
            Err(LtvNotBelowLiquidationThreshold)
        );
        assert_eq!(
            with(|c| c.liquidation_threshold_wad = WAD),
            Err(LiquidationThresholdNotBelowOne)
        );
        assert_eq!(
            with(|c| c.liquidation_bonus_wad = WAD),
            Err(LiquidationBonusNotAboveOne)
        );
        assert_eq!(
            with(|c| c.liquidation_bonus_wad = WAD - 1),
            Err(LiquidationBonusNotAboveOne)
        );
        assert_eq!(
            with(|c| c.liquidation_bonus_wad = 3 * WAD / 2 + 1),
            Err(LiquidationBonusTooHigh)
        );
        assert_eq!(
            with(|c| {
                c.liquidation_threshold_wad = 96 * WAD / 100;
                c.liquidation_bonus_wad = 105 * WAD / 100;
            }),
            Err(ThresholdTimesBonusTooHigh)
        );
        assert_eq!(
            with(|c| c.liquidation_protocol_fee_wad = WAD + 1),
            Err(ProtocolFeeAboveOne)
        );
        assert_eq!(
            with(|c| c.reserve_factor_wad = WAD + 1),
            Err(ReserveFactorAboveOne)
        );
        assert_eq!(
            with(|c| c.rate_model.optimal_utilization_wad = 0),
            Err(OptimalUtilizationOutOfRange)
        );
        assert_eq!(
            with(|c| c.rate_model.optimal_utilization_wad = WAD),
            Err(OptimalUtilizationOutOfRange)
        );
        assert_eq!(
            with(|c| c.rate_model.slope_high_wad = 10 * WAD),
            Err(BorrowRateAboveCap)
        );
        assert_eq!(
            with(|c| c.rate_model.base_rate_wad = u128::MAX),
            Err(BorrowRateAboveCap)
        );
        assert_eq!(
            with(|c| {
                c.borrow_cap = 10;
                c.min_debt = 11;
            }),
            Err(MinDebtAboveBorrowCap)
        );
    }

    #[test]
    fn no_accepted_market_lets_a_partial_liquidation_lower_health() {
        // Audit I-2: repaying r of a debt D against collateral C leaves
        // HF' = (C*LT - r*bonus*LT) / (D - r), below HF exactly when bonus*LT > HF. With
        // 0.8 and 1.25, HF went 0.99 -> 0.98 -> 0.96 -> 0.92 and the full close left bad
        // debt. Partial liquidations happen above the full-close health factor (0.95), so
        // bonus*LT may not exceed it.
        for (threshold_pct, bonus_pct) in [(80, 125), (90, 106), (95, 101), (761, 1250)] {
            let scale = if threshold_pct > 100 { 1000 } else { 100 };
            assert_eq!(
                with(|c| {
                    c.ltv_wad = WAD / 2;
                    c.liquidation_threshold_wad = threshold_pct * WAD / scale;
                    c.liquidation_bonus_wad = bonus_pct * WAD / scale;
                }),
                Err(ConfigError::ThresholdTimesBonusTooHigh),
                "{threshold_pct}/{scale} x {bonus_pct}/{scale}"
            );
        }
        // Aave's and our own listings stay valid.
        for (threshold_pct, bonus_pct) in [(80, 105), (75, 110), (85, 1075), (86, 105)] {
            let bonus_wad = if bonus_pct > 1000 {
                bonus_pct * WAD / 1000
            } else {
                bonus_pct * WAD / 100
            };
            assert_eq!(
                with(|c| {
                    c.ltv_wad = WAD / 2;
                    c.liquidation_threshold_wad = threshold_pct * WAD / 100;
                    c.liquidation_bonus_wad = bonus_wad;
                }),
                Ok(())
            );
        }
    }

    #[test]
    fn boundary_values_are_accepted() {
        assert_eq!(with(|c| c.reserve_factor_wad = WAD), Ok(()));
        assert_eq!(with(|c| c.liquidation_protocol_fee_wad = WAD), Ok(()));
        assert_eq!(
            with(|c| {
                c.liquidation_threshold_wad = 76 * WAD / 100;
                c.liquidation_bonus_wad = 125 * WAD / 100;
            }),
            Ok(()),
            "0.76 * 1.25 is exactly the full-close health factor, 0.95"
        );
        assert_eq!(
            with(|c| {
                c.rate_model.base_rate_wad = 0;
                c.rate_model.slope_low_wad = 0;
                c.rate_model.slope_high_wad = 10 * WAD;
            }),
            Ok(())
        );
        assert_eq!(
            with(|c| {
                c.ltv_wad = 0;
                c.liquidation_threshold_wad = 0;
                c.liquidation_bonus_wad = WAD;
            }),
            Ok(()),
            "a borrow-only market"
        );
    }

    /// The upper bounds are inclusive. Kills `liquidation_bonus_wad >
    /// MAX_LIQUIDATION_BONUS_WAD` -> `>=` and `min_debt > borrow_cap` -> `>=` in
    /// `validate` (cargo-mutants).
    #[test]
    fn upper_bounds_are_inclusive() {
        assert_eq!(
            with(|c| {
                c.ltv_wad = WAD / 2;
                c.liquidation_threshold_wad = 6 * WAD / 10;
                c.liquidation_bonus_wad = MAX_LIQUIDATION_BONUS_WAD;
            }),
            Ok(()),
            "a 150 % bonus (0.6 * 1.5 = 0.9)"
        );
        assert_eq!(
            with(|c| {
                c.borrow_cap = 10;
                c.min_debt = 10;
            }),
            Ok(()),
            "a minimum debt equal to the borrow cap"
        );
    }
}
