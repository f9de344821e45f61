//! A liquidation applied to the loaded books: checks the pauses and grace periods, sizes
//! it with the core's [`plan_liquidation`], repays the debt, seizes the collateral, and
//! writes off the borrower's remaining debt when no collateral is left (bad debt).

use crate::account::Account;
use crate::books::Books;
use crate::error::PoolError;
use crate::health::{account_health, price_of, price_wad, require_fresh, Prices};
use carrack_core::{
    plan_liquidation, CoreError, LiquidationInput, LiquidationPlan, Rounding, WriteOff,
};
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;

/// What the liquidator asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiquidationRequest {
    /// The market whose debt is repaid.
    pub debt_asset: AccountId,
    /// The market whose collateral is seized.
    pub collateral_asset: AccountId,
    /// Debt units offered, or `u128::MAX` for as much as the rules allow.
    pub repay_amount: u128,
    /// The least collateral the liquidator accepts.
    pub min_collateral_out: u128,
}

/// The pool-wide rules a liquidation follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiquidationRules {
    /// Debt or collateral left worth less than this (WAD) counts as dust.
    pub dust_value_wad: u128,
    /// How long a feed must have been `Ok` before it may drive a liquidation.
    pub grace_secs: u64,
    /// The block time.
    pub now_secs: u64,
}

/// What a liquidation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiquidationOutcome {
    /// The amounts moved.
    pub plan: LiquidationPlan,
    /// Debts written off because the borrower has no collateral left, per market.
    pub bad_debt: Vec<(AccountId, WriteOff)>,
}

/// Liquidates `borrower` in memory. `books` must hold every market of the borrower's
/// positions and `prices` the price of every asset its health depends on.
pub fn liquidate(
    borrower: &mut Account,
    books: &mut Books,
    prices: &Prices,
    request: &LiquidationRequest,
    rules: &LiquidationRules,
) -> Result<LiquidationOutcome, PoolError> {
    let debt_position = *borrower
        .position_mut(request.debt_asset)
        .map_err(|_| CoreError::NoDebt)?;
    let collateral_position = *borrower
        .position_mut(request.collateral_asset)
        .map_err(|_| CoreError::NoCollateral)?;
    if !collateral_position.is_collateral() {
        return Err(CoreError::NoCollateral.into());
    }
    for asset in [request.debt_asset, request.collateral_asset] {
        let market = books.get(asset)?;
        if market.paused.liquidate {
            return Err(PoolError::ActionPaused);
        }
        if rules.now_secs < market.liquidation_grace_until_secs {
            return Err(PoolError::LiquidationGracePeriod);
        }
    }
    require_fresh(prices, rules.now_secs, Some(rules.grace_secs))?;
    let health = account_health(borrower, books, prices)?;

    let debt_market = books.get(request.debt_asset)?;
    let collateral_market = books.get(request.collateral_asset)?;
    let plan = plan_liquidation(&LiquidationInput {
        health_factor_wad: health.health_factor_wad()?,
        debt_balance: debt_market.state.debt_balance(debt_position.scaled_debt)?,
        debt_decimals: debt_market.config().decimals,
        // Debt priced down and collateral up: fewer collateral units per unit repaid.
        debt_price_wad: price_wad(price_of(prices, request.debt_asset)?, Rounding::Down)?,
        collateral_balance: collateral_market
            .state
            .supply_balance(collateral_position.scaled_supply)?,
        collateral_decimals: collateral_market.config().decimals,
        collateral_price_wad: price_wad(price_of(prices, request.collateral_asset)?, Rounding::Up)?,
        liquidation_bonus_wad: collateral_market.config().liquidation_bonus_wad,
        protocol_fee_wad: collateral_market.config().liquidation_protocol_fee_wad,
        requested_repay: request.repay_amount,
        min_collateral_out: request.min_collateral_out,
        dust_value_wad: rules.dust_value_wad,
    })?;

    let (_, debt_burned) = books
        .get_mut(request.debt_asset)?
        .state
        .liquidation_repay(debt_position.scaled_debt, plan.repay)?;
    let position = borrower.position_mut(request.debt_asset)?;
    position.scaled_debt = position
        .scaled_debt
        .checked_sub(debt_burned)
        .ok_or(CoreError::Underflow)?;

    let supply_burned = books.get_mut(request.collateral_asset)?.state.seize(
        collateral_position.scaled_supply,
        plan.collateral_seized,
        plan.protocol_fee,
    )?;
    let position = borrower.position_mut(request.collateral_asset)?;
    position.scaled_supply = position
        .scaled_supply
        .checked_sub(supply_burned)
        .ok_or(CoreError::Underflow)?;

    let mut bad_debt = Vec::new();
    if !borrower.has_collateral() {
        for position in borrower.positions.iter_mut().filter(|p| p.scaled_debt != 0) {
            let write_off = books
                .get_mut(position.asset)?
                .state
                .write_off(position.scaled_debt)?;
            position.scaled_debt = 0;
            bad_debt.push((position.asset, write_off));
        }
    }
    borrower.prune();
    Ok(LiquidationOutcome { plan, bad_debt })
}
