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

/// Liquidates `borrower` in memory. `books` must hold the market of every priced position
/// ([`Account::priced_assets`]) and `prices` the price of each of those assets.
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
    if debt_position.scaled_debt == 0 {
        return Err(CoreError::NoDebt.into());
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_fixtures::*;
    use carrack_core::{ALL, WAD};
    use carrack_interfaces::FeedStatus;

    fn request(repay_amount: u128, min_collateral_out: u128) -> LiquidationRequest {
        LiquidationRequest {
            debt_asset: USD,
            collateral_asset: ETH,
            repay_amount,
            min_collateral_out,
        }
    }

    fn rules(grace_secs: u64) -> LiquidationRules {
        LiquidationRules {
            dust_value_wad: WAD,
            grace_secs,
            now_secs: NOW,
        }
    }

    #[test]
    fn close_factor_bonus_and_fee_to_the_unit() {
        let mut books = books();
        let mut account = borrower(&mut books, 1, 1_500);
        let eth_before = books.get(ETH).unwrap().state;
        // ETH 1,800: capacity 1,440 against 1,500 debt, HF 0.96 > 0.95: half the debt.
        let outcome = liquidate(
            &mut account,
            &mut books,
            &prices(1_800),
            &request(ALL, 0),
            &rules(0),
        )
        .unwrap();
        let plan = outcome.plan;
        assert_eq!(plan.repay, 750_000_000, "50 % of 1,500 USD");
        // 750 * 1.05 / 1,800 = 0.4375 ETH.
        assert_eq!(plan.collateral_seized, 437_500_000_000_000_000);
        // Bonus part 0.4375 - ceil(0.4375 / 1.05) = 20_833_333_333_333_333; fee 10 % up.
        assert_eq!(plan.protocol_fee, 2_083_333_333_333_334);
        assert_eq!(plan.liquidator_collateral, 435_416_666_666_666_666);
        assert!(outcome.bad_debt.is_empty());
        let eth = books.get(ETH).unwrap().state;
        assert_eq!(eth.reserves, eth_before.reserves + plan.protocol_fee);
        assert_eq!(eth.cash, eth_before.cash - plan.liquidator_collateral);
        assert_eq!(
            account.position(ETH).unwrap().scaled_supply,
            562_500_000_000_000_000
        );
        assert_eq!(account.position(USD).unwrap().scaled_debt, 750_000_000);
        assert_eq!(books.get(USD).unwrap().state.total_scaled_debt, 750_000_000);
    }

    #[test]
    fn crash_seizes_everything_and_writes_off_the_rest() {
        let mut books = books();
        let mut account = borrower(&mut books, 1, 1_500);
        // ETH 1,000: 1 ETH pays back ceil(1,000 / 1.05) = 952.380953 USD.
        let outcome = liquidate(
            &mut account,
            &mut books,
            &prices(1_000),
            &request(ALL, 0),
            &rules(0),
        )
        .unwrap();
        assert_eq!(outcome.plan.collateral_seized, WAD);
        assert_eq!(outcome.plan.repay, 952_380_953);
        let (asset, write_off) = outcome.bad_debt[0];
        assert_eq!(asset, USD);
        assert_eq!(write_off.debt, 547_619_047);
        assert_eq!(write_off.absorbed_by_reserves, 0, "no reserves yet");
        assert_eq!(write_off.added_to_deficit, 547_619_047);
        let usd = books.get(USD).unwrap().state;
        assert_eq!((usd.total_scaled_debt, usd.deficit), (0, 547_619_047));
        assert!(account.positions.is_empty(), "pruned: nothing left");
    }

    #[test]
    fn refusals() {
        let mut books = books();
        let mut account = borrower(&mut books, 1, 1_500);
        let before = (account.clone(), books.clone());
        let low = prices(1_800);
        let attempt = |books: &mut Books,
                       prices: &Prices,
                       request: LiquidationRequest,
                       rules: LiquidationRules| {
            liquidate(&mut account.clone(), books, prices, &request, &rules).map(|_| ())
        };
        let core = |err| Err(PoolError::Core(err));
        assert_eq!(
            attempt(
                &mut books.clone(),
                &prices(2_000),
                request(ALL, 0),
                rules(0)
            ),
            core(CoreError::NotLiquidatable)
        );
        assert_eq!(
            attempt(
                &mut books.clone(),
                &low,
                request(ALL, 435_416_666_666_666_667),
                rules(0)
            ),
            core(CoreError::CollateralOutBelowMinimum)
        );
        let swapped = LiquidationRequest {
            debt_asset: ETH,
            collateral_asset: USD,
            ..request(ALL, 0)
        };
        assert_eq!(
            attempt(&mut books.clone(), &low, swapped, rules(0)),
            core(CoreError::NoDebt)
        );
        let mut stale = low.clone();
        stale[1].1.status = FeedStatus::Stale;
        assert_eq!(
            attempt(&mut books.clone(), &stale, request(ALL, 0), rules(0)),
            Err(PoolError::PriceNotOk(ETH, FeedStatus::Stale))
        );
        assert_eq!(
            attempt(&mut books.clone(), &low, request(ALL, 0), rules(86_401)),
            Err(PoolError::LiquidationGracePeriod),
            "a feed Ok for a day is still within a longer grace"
        );
        let mut paused = books.clone();
        paused.get_mut(ETH).unwrap().paused.liquidate = true;
        assert_eq!(
            attempt(&mut paused, &low, request(ALL, 0), rules(0)),
            Err(PoolError::ActionPaused)
        );
        let mut unpaused = books.clone();
        unpaused.get_mut(USD).unwrap().liquidation_grace_until_secs = NOW + 1;
        assert_eq!(
            attempt(&mut unpaused, &low, request(ALL, 0), rules(0)),
            Err(PoolError::LiquidationGracePeriod)
        );
        account.position_mut(ETH).unwrap().collateral = false;
        assert_eq!(
            liquidate(&mut account, &mut books, &low, &request(ALL, 0), &rules(0)),
            Err(PoolError::Core(CoreError::NoCollateral)),
            "supply that is not collateral cannot be seized"
        );
        account.position_mut(ETH).unwrap().collateral = true;
        assert_eq!((account, books), before, "refusals change nothing");
    }
}
