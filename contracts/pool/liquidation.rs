//! A liquidation applied to the loaded books: checks the pauses, grace periods and the
//! prices of the two assets it moves, values the borrower as [`account_health`] does
//! (so no other position can stop it), sizes it with the core's [`plan_liquidation`],
//! repays the debt, seizes the collateral, and writes off the borrower's remaining debt
//! when no collateral is left (bad debt).

use crate::account::Account;
use crate::error::PoolError;
use crate::health::{account_health, price_wad, require_usable_for_liquidation, Prices};
use crate::loaded_markets::LoadedMarkets;
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
    /// How long the feeds of the repaid and the seized asset must have been `Ok` before
    /// they may drive a liquidation (an `Emergency` price needs no wait).
    pub grace_secs: u64,
    /// The block time.
    pub now_secs: u64,
}

/// What a liquidation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiquidationOutcome {
    /// The amounts moved.
    pub plan: LiquidationPlan,
    /// The borrower's scaled debt burned by the repayment.
    pub debt_scaled_burned: u128,
    /// The borrower's scaled supply burned by the seizure.
    pub collateral_scaled_burned: u128,
    /// The scaled supply credited to the liquidator when it took its collateral as
    /// supply; `None` when it is paid in tokens.
    pub credited_scaled: Option<u128>,
    /// Debts written off because the borrower has no collateral left, per market.
    pub bad_debt: Vec<(AccountId, WriteOff)>,
}

/// Liquidates `borrower` in memory. `books` must hold the market of every priced position
/// ([`Account::priced_assets`]) and `prices` the oracle's answer for each of those assets.
/// Only `request.debt_asset` and `request.collateral_asset` need a usable price
/// ([`require_usable_for_liquidation`]); the borrower's health counts every other
/// collateral only at an `Ok` or `Emergency` price and every other debt at its last good
/// price, so extra positions can only make a liquidation easier. With `receiver` (the
/// liquidator's account), the liquidator's part of the collateral is credited to it as
/// supply in the collateral market, which needs no cash (its new position's collateral
/// flag is left for it to choose); without, it is paid out of the market's cash, which a
/// withdrawal pause on the collateral market forbids.
pub fn liquidate(
    borrower: &mut Account,
    books: &mut LoadedMarkets,
    prices: &Prices,
    request: &LiquidationRequest,
    rules: &LiquidationRules,
    receiver: Option<&mut Account>,
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
    // Paying the collateral out in tokens is a withdrawal from its market (audit L-5);
    // taking it as supply moves no cash and stays open.
    if receiver.is_none() && books.get(request.collateral_asset)?.paused.withdraw {
        return Err(PoolError::CollateralWithdrawPaused);
    }
    let debt_price = *require_usable_for_liquidation(
        prices,
        request.debt_asset,
        rules.now_secs,
        rules.grace_secs,
    )?;
    let collateral_price = *require_usable_for_liquidation(
        prices,
        request.collateral_asset,
        rules.now_secs,
        rules.grace_secs,
    )?;
    let health = account_health(borrower, books, prices)?;

    let debt_market = books.get(request.debt_asset)?;
    let collateral_market = books.get(request.collateral_asset)?;
    let plan = plan_liquidation(&LiquidationInput {
        health_factor_wad: health.health_factor_wad()?,
        debt_balance: debt_market.state.debt_balance(debt_position.scaled_debt)?,
        debt_decimals: debt_market.config().decimals,
        // Debt priced down and collateral up: fewer collateral units per unit repaid.
        debt_price_wad: price_wad(&debt_price, Rounding::Down)?,
        collateral_balance: collateral_market
            .state
            .supply_balance(collateral_position.scaled_supply)?,
        collateral_decimals: collateral_market.config().decimals,
        collateral_price_wad: price_wad(&collateral_price, Rounding::Up)?,
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

    let collateral_state = &mut books.get_mut(request.collateral_asset)?.state;
    let (supply_burned, credited_scaled) = match receiver {
        Some(liquidator) => {
            let (burned, minted) = collateral_state.seize_to_supply(
                collateral_position.scaled_supply,
                plan.collateral_seized,
                plan.protocol_fee,
            )?;
            let position = liquidator.open(request.collateral_asset)?;
            position.scaled_supply = position
                .scaled_supply
                .checked_add(minted)
                .ok_or(CoreError::Overflow)?;
            (burned, Some(minted))
        }
        None => (
            collateral_state.seize(
                collateral_position.scaled_supply,
                plan.collateral_seized,
                plan.protocol_fee,
            )?,
            None,
        ),
    };
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
    Ok(LiquidationOutcome {
        plan,
        debt_scaled_burned: debt_burned,
        collateral_scaled_burned: supply_burned,
        credited_scaled,
        bad_debt,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::Collateral;
    use crate::test_fixtures::*;
    use carrack_core::{ALL, WAD};
    use carrack_interfaces::{FeedStatus, PriceData};

    /// A liquidation paid in tokens.
    fn liquidate_in_cash(
        borrower: &mut Account,
        books: &mut LoadedMarkets,
        prices: &Prices,
        request: &LiquidationRequest,
        rules: &LiquidationRules,
    ) -> Result<LiquidationOutcome, PoolError> {
        liquidate(borrower, books, prices, request, rules, None)
    }

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
        let outcome = liquidate_in_cash(
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
        let outcome = liquidate_in_cash(
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
    fn an_indexer_replays_a_liquidation_exactly_from_its_outcome() {
        // Audit N-5: the rounding of the burns depends on branches and indices; the
        // outcome (and so the `Liquidated` event) carries the scaled changes themselves.
        for (eth_price, debt_usd) in [(1_800, 1_500), (1_000, 1_500), (1_700, 1_400)] {
            let mut books = books();
            books.get_mut(ETH).unwrap().state.supply_index_ray += 123_456_789;
            books.get_mut(USD).unwrap().state.borrow_index_ray += 987_654_321;
            let mut account = borrower(&mut books, 1, debt_usd);
            let mut replayed = account.clone();
            let outcome = liquidate_in_cash(
                &mut account,
                &mut books,
                &prices(eth_price),
                &request(ALL, 0),
                &rules(0),
            )
            .unwrap();
            let debt = replayed.position_mut(USD).unwrap();
            debt.scaled_debt -= outcome.debt_scaled_burned;
            let collateral = replayed.position_mut(ETH).unwrap();
            collateral.scaled_supply -= outcome.collateral_scaled_burned;
            for (asset, write_off) in &outcome.bad_debt {
                replayed.position_mut(*asset).unwrap().scaled_debt -= write_off.scaled_debt;
            }
            replayed.prune();
            assert_eq!(replayed, account, "ETH at {eth_price}, {debt_usd} USD owed");
        }
    }

    #[test]
    fn refusals() {
        let mut books = books();
        let mut account = borrower(&mut books, 1, 1_500);
        let before = (account.clone(), books.clone());
        let low = prices(1_800);
        let attempt = |books: &mut LoadedMarkets,
                       prices: &Prices,
                       request: LiquidationRequest,
                       rules: LiquidationRules| {
            liquidate_in_cash(&mut account.clone(), books, prices, &request, &rules).map(|_| ())
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
        stale[1].1 = Ok(PriceData {
            status: FeedStatus::Stale,
            ..price(1_800)
        });
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
        account.position_mut(ETH).unwrap().collateral = Collateral::Off;
        assert_eq!(
            liquidate_in_cash(&mut account, &mut books, &low, &request(ALL, 0), &rules(0)),
            Err(PoolError::Core(CoreError::NoCollateral)),
            "supply that is not collateral cannot be seized"
        );
        account.position_mut(ETH).unwrap().collateral = Collateral::On;
        assert_eq!((account, books), before, "refusals change nothing");
    }

    /// `prices(eth)` with a BTC price of 60,000 in `status`.
    fn with_btc(eth: u128, status: FeedStatus) -> crate::health::PriceList {
        let mut list = prices(eth);
        list.push((
            BTC,
            Ok(PriceData {
                status,
                ..price(60_000)
            }),
        ));
        list
    }

    /// Adds `sats` of BTC to `account` as collateral (or, with `debt`, as debt).
    fn add_btc(books: &mut LoadedMarkets, account: &mut Account, sats: u128, debt: bool) {
        let config = *books.get(BTC).unwrap().config();
        let state = &mut books.get_mut(BTC).unwrap().state;
        let position = account.open(BTC).unwrap();
        if debt {
            position.scaled_debt = state.borrow(&config, 0, sats).unwrap();
        } else {
            position.scaled_supply = state.supply(&config, sats).unwrap();
            position.collateral = Collateral::On;
        }
    }

    #[test]
    fn another_collateral_in_a_non_ok_feed_counts_zero() {
        let mut books = books();
        let mut account = borrower(&mut books, 1, 1_500);
        // 0.1 BTC (6,000 USD) would make the account healthy at ETH 1,800 ...
        add_btc(&mut books, &mut account, 10_000_000, false);
        assert_eq!(
            liquidate_in_cash(
                &mut account.clone(),
                &mut books.clone(),
                &with_btc(1_800, FeedStatus::Ok),
                &request(ALL, 0),
                &rules(0)
            ),
            Err(PoolError::Core(CoreError::NotLiquidatable))
        );
        // ... but a BTC price nobody vouches for counts for nothing: ETH 1,800 alone
        // backs 1,440 against 1,500 (HF 0.96), half the USD debt is repaid for ETH.
        for status in [FeedStatus::Stale, FeedStatus::Suspect, FeedStatus::Frozen] {
            let outcome = liquidate_in_cash(
                &mut account.clone(),
                &mut books.clone(),
                &with_btc(1_800, status),
                &request(ALL, 0),
                &rules(0),
            )
            .unwrap();
            assert_eq!(outcome.plan.repay, 750_000_000, "{status:?}");
            assert!(outcome.bad_debt.is_empty());
        }
    }

    #[test]
    fn another_debt_in_a_non_ok_feed_counts_at_its_last_good_price() {
        let mut books = books();
        let mut account = borrower(&mut books, 1, 1_400);
        // 0.001 BTC of debt (60 USD at the last good price): 1,440 against 1,460.
        add_btc(&mut books, &mut account, 100_000, true);
        for status in [
            FeedStatus::Ok,
            FeedStatus::Stale,
            FeedStatus::Suspect,
            FeedStatus::Frozen,
        ] {
            let outcome = liquidate_in_cash(
                &mut account.clone(),
                &mut books.clone(),
                &with_btc(1_800, status),
                &request(ALL, 0),
                &rules(0),
            )
            .unwrap();
            assert_eq!(
                outcome.plan.repay, 700_000_000,
                "{status:?}: half the USD debt"
            );
        }
        // Without the BTC debt the account is healthy (1,440 against 1,400).
        let mut healthy = borrower(&mut books, 1, 1_400);
        assert_eq!(
            liquidate_in_cash(
                &mut healthy,
                &mut books,
                &with_btc(1_800, FeedStatus::Frozen),
                &request(ALL, 0),
                &rules(0)
            ),
            Err(PoolError::Core(CoreError::NotLiquidatable))
        );
    }

    #[test]
    fn an_emergency_price_lets_liquidations_resume() {
        let mut books = books();
        let mut account = borrower(&mut books, 1, 1_500);
        let mut list = prices(1_800);
        // Emergency prices need no grace: governance's price was public for the
        // timelock's delay before it took effect.
        list[1].1 = Ok(PriceData {
            status: FeedStatus::Emergency,
            ok_since_secs: NOW,
            ..price(1_800)
        });
        let outcome = liquidate_in_cash(
            &mut account,
            &mut books,
            &list,
            &request(ALL, 0),
            &rules(3_600),
        )
        .unwrap();
        assert_eq!(outcome.plan.repay, 750_000_000);
    }

    #[test]
    fn a_withdraw_pause_keeps_the_collateral_in_the_market_but_not_the_borrower_safe() {
        // Audit L-5: a liquidation paid in tokens is a withdrawal from the collateral
        // market; while withdrawals there are paused it is refused, and the liquidator
        // takes the collateral as supply instead, so liquidation stays possible.
        let mut books = books();
        let mut account = borrower(&mut books, 1, 1_500);
        books.get_mut(ETH).unwrap().paused.withdraw = true;
        let eth_before = books.get(ETH).unwrap().state;
        assert_eq!(
            liquidate_in_cash(
                &mut account.clone(),
                &mut books.clone(),
                &prices(1_800),
                &request(ALL, 0),
                &rules(0)
            ),
            Err(PoolError::CollateralWithdrawPaused)
        );
        let mut liquidator = Account::default();
        let outcome = liquidate(
            &mut account,
            &mut books,
            &prices(1_800),
            &request(ALL, 0),
            &rules(0),
            Some(&mut liquidator),
        )
        .unwrap();
        assert_eq!(outcome.plan.repay, 750_000_000);
        assert_eq!(books.get(ETH).unwrap().state.cash, eth_before.cash);
        assert_eq!(
            liquidator.position(ETH).unwrap().scaled_supply,
            435_416_666_666_666_666
        );
        // A pause of withdrawals in the debt market stops neither.
        let mut books = crate::test_fixtures::books();
        let mut account = borrower(&mut books, 1, 1_500);
        books.get_mut(USD).unwrap().paused.withdraw = true;
        assert!(liquidate_in_cash(
            &mut account,
            &mut books,
            &prices(1_800),
            &request(ALL, 0),
            &rules(0)
        )
        .is_ok());
    }

    #[test]
    fn a_liquidator_may_take_the_collateral_as_supply_when_cash_is_short() {
        let mut books = books();
        let mut account = borrower(&mut books, 1, 1_500);
        // Someone borrowed all of the ETH market's cash (audit M-4).
        let eth = &mut books.get_mut(ETH).unwrap().state;
        eth.total_scaled_debt += eth.cash;
        eth.cash = 0;
        let eth_before = *eth;
        assert_eq!(
            liquidate_in_cash(
                &mut account.clone(),
                &mut books.clone(),
                &prices(1_800),
                &request(ALL, 0),
                &rules(0)
            ),
            Err(PoolError::Core(CoreError::InsufficientCash))
        );
        let mut liquidator = Account::default();
        let outcome = liquidate(
            &mut account,
            &mut books,
            &prices(1_800),
            &request(ALL, 0),
            &rules(0),
            Some(&mut liquidator),
        )
        .unwrap();
        // The same plan as in cash: 750 USD for 0.4375 ETH, 0.435416... to the liquidator.
        assert_eq!(outcome.plan.repay, 750_000_000);
        assert_eq!(outcome.plan.liquidator_collateral, 435_416_666_666_666_666);
        assert_eq!(outcome.credited_scaled, Some(435_416_666_666_666_666));
        let credited = liquidator.position(ETH).unwrap();
        assert_eq!(credited.scaled_supply, 435_416_666_666_666_666);
        assert_eq!(
            credited.collateral,
            Collateral::Unchosen,
            "the liquidator chooses"
        );
        let eth = books.get(ETH).unwrap().state;
        assert_eq!(eth.cash, 0, "no cash moved");
        assert_eq!(
            eth.reserves,
            eth_before.reserves + outcome.plan.protocol_fee
        );
        assert_eq!(
            eth.total_scaled_supply,
            eth_before.total_scaled_supply - outcome.plan.protocol_fee,
            "the borrower's seized supply, less the fee, changed hands"
        );
        assert_eq!(
            account.position(ETH).unwrap().scaled_supply,
            562_500_000_000_000_000
        );
    }
}
