//! Liquidation sizing: how much debt a liquidator repays and how much collateral it
//! receives, following Aave v3.3's rules with Carrack's dust and slippage checks.
//!
//! 1. Only an account with health factor below one is liquidatable.
//! 2. Close factor: up to 50 % of the borrower's debt in the chosen asset per call, 100 %
//!    once the health factor is at or below 0.95, and 100 % whenever the 50 % would leave
//!    a debt worth less than the dust threshold.
//! 3. Collateral seized = repaid value * bonus / collateral price (rounded down). If the
//!    borrower holds less, all of it is seized and the repayment recomputed from it
//!    (rounded up).
//! 4. Dust: a liquidation may not leave a debt worth less than the dust threshold while
//!    collateral remains (`LeavesDebtDust`); a collateral remainder worth less than the
//!    threshold is seized too, with the repayment recomputed (`LeavesCollateralDust` if
//!    that exceeds what the liquidator offered).
//! 5. The protocol fee is a share of the bonus part only (`seized - seized / bonus`),
//!    rounded up, and goes to reserves; the liquidator receives the rest.
//! 6. The liquidator's `min_collateral_out` bounds its slippage.
//!
//! Debt left once the borrower's last collateral is gone is bad debt: the pool writes it
//! off with [`crate::MarketState::write_off`].

use crate::config::ConfigError;
use crate::error::CoreError;
use crate::fixed_point::{mul_div, sub, wad_mul, Rounding, WAD};
use crate::market::ALL;
use crate::value::{amount_for_value, value_wad};

/// Share of a debt one liquidation may repay while the account is only mildly unhealthy.
pub const CLOSE_FACTOR_WAD: u128 = WAD / 2;
/// At or below this health factor a liquidation may repay the whole debt.
pub const FULL_CLOSE_HEALTH_FACTOR_WAD: u128 = 95 * WAD / 100;

/// The facts a liquidation is sized from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiquidationInput {
    /// The borrower's health factor (WAD), from fresh prices.
    pub health_factor_wad: u128,
    /// The borrower's debt in the debt asset (shown balance, rounded up).
    pub debt_balance: u128,
    /// Decimals of the debt asset.
    pub debt_decimals: u8,
    /// Price of the debt asset (WAD per whole token).
    pub debt_price_wad: u128,
    /// The borrower's supply of the collateral asset (shown balance, rounded down).
    pub collateral_balance: u128,
    /// Decimals of the collateral asset.
    pub collateral_decimals: u8,
    /// Price of the collateral asset (WAD per whole token).
    pub collateral_price_wad: u128,
    /// The collateral market's liquidation bonus (WAD, above one).
    pub liquidation_bonus_wad: u128,
    /// The collateral market's protocol share of the bonus (WAD).
    pub protocol_fee_wad: u128,
    /// What the liquidator offers to repay, or [`ALL`] for as much as allowed.
    pub requested_repay: u128,
    /// The least collateral the liquidator accepts.
    pub min_collateral_out: u128,
    /// Leftover debt or collateral worth less than this (WAD) counts as dust.
    pub dust_value_wad: u128,
}

/// The amounts a liquidation moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiquidationPlan {
    /// Debt-asset units the liquidator pays and the borrower's debt drops by.
    pub repay: u128,
    /// Collateral units taken from the borrower in total.
    pub collateral_seized: u128,
    /// The part of `collateral_seized` that goes to reserves.
    pub protocol_fee: u128,
    /// The part of `collateral_seized` the liquidator receives.
    pub liquidator_collateral: u128,
}

fn collateral_for_repay(input: &LiquidationInput, repay: u128) -> Result<u128, CoreError> {
    let repaid_value = value_wad(
        repay,
        input.debt_decimals,
        input.debt_price_wad,
        Rounding::Down,
    )?;
    let with_bonus = wad_mul(repaid_value, input.liquidation_bonus_wad, Rounding::Down)?;
    amount_for_value(
        with_bonus,
        input.collateral_decimals,
        input.collateral_price_wad,
        Rounding::Down,
    )
}

fn repay_for_collateral(input: &LiquidationInput, collateral: u128) -> Result<u128, CoreError> {
    let value = value_wad(
        collateral,
        input.collateral_decimals,
        input.collateral_price_wad,
        Rounding::Up,
    )?;
    let without_bonus = mul_div(value, WAD, input.liquidation_bonus_wad, Rounding::Up)?;
    amount_for_value(
        without_bonus,
        input.debt_decimals,
        input.debt_price_wad,
        Rounding::Up,
    )
}

fn is_dust(
    amount: u128,
    decimals: u8,
    price_wad: u128,
    dust_value_wad: u128,
) -> Result<bool, CoreError> {
    Ok(amount != 0 && value_wad(amount, decimals, price_wad, Rounding::Down)? < dust_value_wad)
}

/// Sizes a liquidation, or says precisely why it cannot happen.
pub fn plan_liquidation(input: &LiquidationInput) -> Result<LiquidationPlan, CoreError> {
    if input.health_factor_wad >= WAD {
        return Err(CoreError::NotLiquidatable);
    }
    if input.debt_balance == 0 {
        return Err(CoreError::NoDebt);
    }
    if input.collateral_balance == 0 {
        return Err(CoreError::NoCollateral);
    }
    if input.requested_repay == 0 {
        return Err(CoreError::ZeroAmount);
    }
    if input.liquidation_bonus_wad <= WAD {
        return Err(ConfigError::LiquidationBonusNotAboveOne.into());
    }
    if input.protocol_fee_wad > WAD {
        return Err(ConfigError::ProtocolFeeAboveOne.into());
    }
    let debt = input.debt_balance;
    let mut max_repay = if input.health_factor_wad <= FULL_CLOSE_HEALTH_FACTOR_WAD {
        debt
    } else {
        wad_mul(debt, CLOSE_FACTOR_WAD, Rounding::Up)?
    };
    if is_dust(
        sub(debt, max_repay)?,
        input.debt_decimals,
        input.debt_price_wad,
        input.dust_value_wad,
    )? {
        max_repay = debt;
    }
    let mut repay = input.requested_repay.min(max_repay);
    let mut seized = collateral_for_repay(input, repay)?;
    if seized >= input.collateral_balance {
        seized = input.collateral_balance;
        repay = repay.min(repay_for_collateral(input, seized)?);
    }
    let collateral_left = sub(input.collateral_balance, seized)?;
    if collateral_left != 0
        && is_dust(
            sub(debt, repay)?,
            input.debt_decimals,
            input.debt_price_wad,
            input.dust_value_wad,
        )?
    {
        return Err(CoreError::LeavesDebtDust);
    }
    if is_dust(
        collateral_left,
        input.collateral_decimals,
        input.collateral_price_wad,
        input.dust_value_wad,
    )? {
        seized = input.collateral_balance;
        repay = repay_for_collateral(input, seized)?.min(debt);
        if input.requested_repay != ALL && repay > input.requested_repay {
            return Err(CoreError::LeavesCollateralDust);
        }
    }
    if repay == 0 || seized == 0 {
        return Err(CoreError::AmountTooSmall);
    }
    // The part of the seizure that matches the repaid value, rounded up, so the bonus
    // part (and the fee taken from it) is never overstated.
    let base = mul_div(seized, WAD, input.liquidation_bonus_wad, Rounding::Up)?.min(seized);
    let bonus = sub(seized, base)?;
    let protocol_fee = wad_mul(bonus, input.protocol_fee_wad, Rounding::Up)?;
    let liquidator_collateral = sub(seized, protocol_fee)?;
    if liquidator_collateral < input.min_collateral_out {
        return Err(CoreError::CollateralOutBelowMinimum);
    }
    Ok(LiquidationPlan {
        repay,
        collateral_seized: seized,
        protocol_fee,
        liquidator_collateral,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A borrower owing 1,000 USD (6 decimals) against 1 ETH (18 decimals) at `eth_price`,
    /// bonus 5 %, protocol fee 10 % of the bonus, dust threshold 1 USD.
    fn input(eth_price: u128, health_factor_wad: u128) -> LiquidationInput {
        LiquidationInput {
            health_factor_wad,
            debt_balance: 1_000_000_000,
            debt_decimals: 6,
            debt_price_wad: WAD,
            collateral_balance: WAD,
            collateral_decimals: 18,
            collateral_price_wad: eth_price * WAD,
            liquidation_bonus_wad: 105 * WAD / 100,
            protocol_fee_wad: WAD / 10,
            requested_repay: ALL,
            min_collateral_out: 0,
            dust_value_wad: WAD,
        }
    }

    #[test]
    fn healthy_accounts_and_empty_positions_are_refused() {
        assert_eq!(
            plan_liquidation(&input(1_200, WAD)),
            Err(CoreError::NotLiquidatable)
        );
        let mut no_debt = input(1_200, WAD - 1);
        no_debt.debt_balance = 0;
        assert_eq!(plan_liquidation(&no_debt), Err(CoreError::NoDebt));
        let mut no_collateral = input(1_200, WAD - 1);
        no_collateral.collateral_balance = 0;
        assert_eq!(
            plan_liquidation(&no_collateral),
            Err(CoreError::NoCollateral)
        );
        let mut nothing = input(1_200, WAD - 1);
        nothing.requested_repay = 0;
        assert_eq!(plan_liquidation(&nothing), Err(CoreError::ZeroAmount));
    }

    #[test]
    fn invalid_bonus_or_fee_is_refused() {
        let mut bonus = input(1_200, WAD - 1);
        bonus.liquidation_bonus_wad = WAD;
        assert_eq!(
            plan_liquidation(&bonus),
            Err(CoreError::InvalidConfig(
                ConfigError::LiquidationBonusNotAboveOne
            ))
        );
        let mut fee = input(1_200, WAD - 1);
        fee.protocol_fee_wad = WAD + 1;
        assert_eq!(
            plan_liquidation(&fee),
            Err(CoreError::InvalidConfig(ConfigError::ProtocolFeeAboveOne))
        );
    }

    #[test]
    fn close_factor_half_with_bonus_and_fee_to_the_unit() {
        // HF 0.98 > 0.95: at most 500 USD. At 1,200 USD/ETH: 500 * 1.05 / 1200 ETH.
        let plan = plan_liquidation(&input(1_200, 98 * WAD / 100)).unwrap();
        assert_eq!(plan.repay, 500_000_000);
        assert_eq!(plan.collateral_seized, 437_500_000_000_000_000);
        // bonus part = seized - seized / 1.05 = 20_833_333_333_333_333.3 -> base rounded up
        let base = 416_666_666_666_666_667;
        assert_eq!(
            plan.protocol_fee,
            (plan.collateral_seized - base).div_ceil(10)
        );
        assert_eq!(plan.protocol_fee, 2_083_333_333_333_334);
        assert_eq!(
            plan.liquidator_collateral,
            plan.collateral_seized - plan.protocol_fee
        );
    }

    #[test]
    fn deep_underwater_allows_full_close() {
        let plan = plan_liquidation(&input(1_100, 94 * WAD / 100)).unwrap();
        assert_eq!(plan.repay, 1_000_000_000);
        // 1000 * 1.05 / 1100 ETH = 0.954545... ETH, rounded down
        assert_eq!(plan.collateral_seized, 954_545_454_545_454_545);
    }

    #[test]
    fn exactly_at_095_allows_full_close() {
        let plan = plan_liquidation(&input(1_100, FULL_CLOSE_HEALTH_FACTOR_WAD)).unwrap();
        assert_eq!(plan.repay, 1_000_000_000);
    }

    #[test]
    fn liquidator_may_repay_less_than_the_close_factor() {
        let mut small = input(1_200, 98 * WAD / 100);
        small.requested_repay = 100_000_000;
        let plan = plan_liquidation(&small).unwrap();
        assert_eq!(plan.repay, 100_000_000);
        assert_eq!(plan.collateral_seized, 87_500_000_000_000_000);
    }

    #[test]
    fn collateral_running_out_caps_the_seizure_and_recomputes_the_repay() {
        // ETH crashed to 800: 1,000 USD * 1.05 needs 1.3125 ETH, the borrower has 1.
        let plan = plan_liquidation(&input(800, 70 * WAD / 100)).unwrap();
        assert_eq!(plan.collateral_seized, WAD);
        // 800 / 1.05 = 761.904761... USD, rounded up to the micro-dollar
        assert_eq!(plan.repay, 761_904_762);
        // The remaining 238.1 USD is bad debt for the pool to write off.
    }

    #[test]
    fn leaving_debt_dust_is_refused() {
        let mut dusty = input(1_100, 94 * WAD / 100);
        dusty.requested_repay = 999_500_000; // would leave 0.50 USD of debt
        assert_eq!(plan_liquidation(&dusty), Err(CoreError::LeavesDebtDust));
    }

    #[test]
    fn close_factor_grows_to_all_when_half_would_leave_dust() {
        let mut tiny = input(1_200, 98 * WAD / 100);
        tiny.debt_balance = 1_500_000; // 1.50 USD: half would leave 0.75 USD of dust
        tiny.collateral_balance = WAD;
        let plan = plan_liquidation(&tiny).unwrap();
        assert_eq!(plan.repay, 1_500_000);
    }

    #[test]
    fn collateral_dust_is_swept_into_the_seizure() {
        let mut nearly_all = input(1_000, 94 * WAD / 100);
        // Seizing for the full 1,000 USD takes 1.05 ETH; the borrower holds 1.0505 ETH,
        // so 0.0005 ETH = 0.50 USD would be left: it is taken as well.
        nearly_all.collateral_balance = 10_505 * WAD / 10_000;
        let plan = plan_liquidation(&nearly_all).unwrap();
        assert_eq!(plan.collateral_seized, nearly_all.collateral_balance);
        assert_eq!(plan.repay, 1_000_000_000, "capped at the debt");
        nearly_all.requested_repay = 999_000_000;
        nearly_all.collateral_balance = 10_495 * WAD / 10_000;
        assert_eq!(
            plan_liquidation(&nearly_all),
            Err(CoreError::LeavesCollateralDust)
        );
    }

    #[test]
    fn slippage_bound_is_enforced() {
        let mut bounded = input(1_200, 98 * WAD / 100);
        bounded.min_collateral_out = 435_416_666_666_666_666;
        assert!(plan_liquidation(&bounded).is_ok());
        bounded.min_collateral_out += 1;
        assert_eq!(
            plan_liquidation(&bounded),
            Err(CoreError::CollateralOutBelowMinimum)
        );
    }

    #[test]
    fn amounts_too_small_to_seize_anything_are_refused() {
        let mut dust = input(1_200, 98 * WAD / 100);
        dust.requested_repay = 1;
        dust.collateral_decimals = 0;
        dust.collateral_balance = 1_000;
        dust.dust_value_wad = 0;
        assert_eq!(plan_liquidation(&dust), Err(CoreError::AmountTooSmall));
    }

    /// The dust rule is strict: a leftover worth exactly the threshold is not dust. Kills
    /// `value < dust_value_wad` -> `<=` in `is_dust` (cargo-mutants), which would let the
    /// close factor jump to 100 % one unit too early.
    #[test]
    fn debt_left_worth_exactly_the_dust_threshold_is_not_dust() {
        let mut exact = input(1_200, 98 * WAD / 100);
        exact.debt_balance = 2_000_000; // 2 USD: half leaves exactly 1 USD, the threshold
        let plan = plan_liquidation(&exact).unwrap();
        assert_eq!(plan.repay, 1_000_000, "the close factor still applies");
        assert_eq!(plan.collateral_seized, 875_000_000_000_000);
    }

    /// A protocol fee of 100 % of the bonus is valid: the liquidator gets the repaid
    /// value, the reserves the whole bonus. Kills `protocol_fee_wad > WAD` -> `>=`.
    #[test]
    fn the_protocol_fee_may_take_the_whole_bonus() {
        let mut all_bonus = input(1_200, 98 * WAD / 100);
        all_bonus.protocol_fee_wad = WAD;
        let plan = plan_liquidation(&all_bonus).unwrap();
        assert_eq!(plan.repay, 500_000_000);
        assert_eq!(plan.collateral_seized, 437_500_000_000_000_000);
        // base = seized / 1.05 rounded up; the fee is everything above it.
        assert_eq!(plan.liquidator_collateral, 416_666_666_666_666_667);
        assert_eq!(plan.protocol_fee, 20_833_333_333_333_333);
    }

    /// Sweeping a collateral remainder is refused only when the recomputed repayment
    /// exceeds the liquidator's offer; an offer that covers it exactly is accepted. Kills
    /// `repay > input.requested_repay` -> `>=` and `requested_repay != ALL && ...` ->
    /// `||` in the sweep (cargo-mutants).
    #[test]
    fn a_collateral_sweep_within_the_offered_repay_is_allowed() {
        let mut offer = input(1_000, 94 * WAD / 100);
        // As in `collateral_dust_is_swept_into_the_seizure`, 0.50 USD of collateral would
        // be left and is swept in; the repayment stays capped at the debt, which is
        // exactly what the liquidator offers.
        offer.collateral_balance = 10_505 * WAD / 10_000;
        offer.requested_repay = 1_000_000_000;
        let plan = plan_liquidation(&offer).unwrap();
        assert_eq!(plan.repay, 1_000_000_000);
        assert_eq!(plan.collateral_seized, offer.collateral_balance);
    }
}
