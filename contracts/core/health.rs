//! Account health: borrowing power from LTV, liquidation from the separate liquidation
//! threshold, and the health factor. Collateral is valued rounding down and debt rounding
//! up, so every rounding makes an account look *less* healthy, never more.
//!
//! ```text
//! borrowing_power  = sum(collateral_value_i * ltv_i)
//! liquidation_cap  = sum(collateral_value_i * liquidation_threshold_i)
//! health_factor    = liquidation_cap / debt_value      (u128::MAX without debt)
//! may borrow/withdraw while debt_value <= borrowing_power
//! liquidatable when health_factor < 1
//! ```

use crate::error::CoreError;
use crate::fixed_point::{add, wad_div, wad_mul, Rounding, WAD};
use crate::value::value_wad;

/// Health factor of an account without debt.
pub const NO_DEBT_HEALTH_FACTOR: u128 = u128::MAX;

/// The values (WAD, quote currency) that decide an account's health, summed over the
/// markets it has entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AccountHealth {
    /// Value of collateral-enabled supply, rounded down.
    pub collateral_value_wad: u128,
    /// Sum of collateral value times LTV, rounded down.
    pub borrowing_power_wad: u128,
    /// Sum of collateral value times liquidation threshold, rounded down.
    pub liquidation_capacity_wad: u128,
    /// Value of all debt, rounded up.
    pub debt_value_wad: u128,
}

impl AccountHealth {
    /// Counts a collateral-enabled supply balance.
    pub fn add_collateral(
        &mut self,
        amount: u128,
        decimals: u8,
        price_wad: u128,
        ltv_wad: u128,
        liquidation_threshold_wad: u128,
    ) -> Result<(), CoreError> {
        let value = value_wad(amount, decimals, price_wad, Rounding::Down)?;
        self.collateral_value_wad = add(self.collateral_value_wad, value)?;
        let power = wad_mul(value, ltv_wad, Rounding::Down)?;
        self.borrowing_power_wad = add(self.borrowing_power_wad, power)?;
        let capacity = wad_mul(value, liquidation_threshold_wad, Rounding::Down)?;
        self.liquidation_capacity_wad = add(self.liquidation_capacity_wad, capacity)?;
        Ok(())
    }

    /// Counts a debt balance.
    pub fn add_debt(
        &mut self,
        amount: u128,
        decimals: u8,
        price_wad: u128,
    ) -> Result<(), CoreError> {
        let value = value_wad(amount, decimals, price_wad, Rounding::Up)?;
        self.debt_value_wad = add(self.debt_value_wad, value)?;
        Ok(())
    }

    /// `liquidation_capacity / debt` in WAD, rounded down; [`NO_DEBT_HEALTH_FACTOR`]
    /// without debt.
    pub fn health_factor_wad(&self) -> Result<u128, CoreError> {
        if self.debt_value_wad == 0 {
            return Ok(NO_DEBT_HEALTH_FACTOR);
        }
        // A capacity so large the ratio overflows is as healthy as it gets.
        Ok(wad_div(
            self.liquidation_capacity_wad,
            self.debt_value_wad,
            Rounding::Down,
        )
        .unwrap_or(NO_DEBT_HEALTH_FACTOR))
    }

    /// Whether the debt is within the borrowing power (required after a borrow, a
    /// collateral withdrawal or disabling collateral).
    pub fn is_within_borrowing_power(&self) -> bool {
        self.debt_value_wad <= self.borrowing_power_wad
    }

    /// Whether the account may be liquidated: health factor below one.
    pub fn is_liquidatable(&self) -> Result<bool, CoreError> {
        Ok(self.health_factor_wad()? < WAD)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(collateral_tokens: u128, price: u128, debt_usd: u128) -> AccountHealth {
        let mut health = AccountHealth::default();
        // ETH-like collateral, 18 decimals, LTV 75 %, LT 80 %.
        health
            .add_collateral(
                collateral_tokens * WAD,
                18,
                price * WAD,
                75 * WAD / 100,
                80 * WAD / 100,
            )
            .unwrap();
        // USD-like debt, 6 decimals, priced at 1.
        health.add_debt(debt_usd * 1_000_000, 6, WAD).unwrap();
        health
    }

    #[test]
    fn borrowing_power_and_health_factor() {
        let health = account(1, 2_000, 1_000);
        assert_eq!(health.collateral_value_wad, 2_000 * WAD);
        assert_eq!(health.borrowing_power_wad, 1_500 * WAD);
        assert_eq!(health.liquidation_capacity_wad, 1_600 * WAD);
        assert_eq!(health.health_factor_wad(), Ok(16 * WAD / 10));
        assert!(health.is_within_borrowing_power());
        assert_eq!(health.is_liquidatable(), Ok(false));
    }

    #[test]
    fn ltv_limits_borrowing_before_liquidation_starts() {
        let health = account(1, 2_000, 1_501);
        assert!(!health.is_within_borrowing_power());
        assert_eq!(
            health.is_liquidatable(),
            Ok(false),
            "LTV < LT leaves a buffer"
        );
        let underwater = account(1, 2_000, 1_601);
        assert_eq!(underwater.is_liquidatable(), Ok(true));
    }

    #[test]
    fn exactly_at_the_threshold_is_not_liquidatable() {
        let health = account(1, 2_000, 1_600);
        assert_eq!(health.health_factor_wad(), Ok(WAD));
        assert_eq!(health.is_liquidatable(), Ok(false));
    }

    #[test]
    fn no_debt_means_infinite_health() {
        let health = account(1, 2_000, 0);
        assert_eq!(health.health_factor_wad(), Ok(NO_DEBT_HEALTH_FACTOR));
        let mut empty = AccountHealth::default();
        assert_eq!(empty.health_factor_wad(), Ok(NO_DEBT_HEALTH_FACTOR));
        empty.add_debt(1, 24, 1).unwrap();
        assert_eq!(
            empty.debt_value_wad, 1,
            "any non-zero debt is worth at least one unit"
        );
        assert_eq!(empty.health_factor_wad(), Ok(0));
    }

    #[test]
    fn huge_capacity_saturates_instead_of_failing() {
        let mut health = AccountHealth {
            liquidation_capacity_wad: u128::MAX,
            ..AccountHealth::default()
        };
        health.add_debt(1, 18, 1).unwrap();
        assert_eq!(health.health_factor_wad(), Ok(NO_DEBT_HEALTH_FACTOR));
    }
}
