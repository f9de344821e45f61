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
use crate::error::{CoreError, CoreResult};
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

fn collateral_for_repay(input: &LiquidationInput, repay: u128) -> CoreResult<u128> {
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

fn repay_for_collateral(input: &LiquidationInput, collateral: u128) -> CoreResult<u128> {
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

fn is_dust(amount: u128, decimals: u8, price_wad: u128, dust_value_wad: u128) -> CoreResult<bool> {
    Ok(amount != 0 && value_wad(amount, decimals, price_wad, Rounding::Down)? < dust_value_wad)
}

/// Sizes a liquidation, or says precisely why it cannot happen.
pub fn plan_liquidation(input: &LiquidationInput) -> CoreResult<LiquidationPlan> {
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
