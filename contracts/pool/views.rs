//! What a UI or a liquidation bot reads: market figures, an account's positions and
//! health, and how much an account can still withdraw or borrow.

use crate::account::{Account, Position};
use crate::books::Books;
use crate::error::PoolError;
use crate::health::{account_health, price_of, price_wad, Prices};
use crate::market::Market;
use carrack_core::{
    amount_for_value, supply_rate, utilization_wad, wad_div, Rounding, NO_DEBT_HEALTH_FACTOR,
};
use carrack_interfaces::FeedStatus;
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;

/// A market with its figures at the time of the read (interest accrued in memory).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct MarketView {
    /// The underlying token.
    pub asset: AccountId,
    /// The market as stored, accrued to now.
    pub market: Market,
    /// Everything suppliers can claim (rounded down).
    pub total_supply: u128,
    /// Everything borrowers owe (rounded up).
    pub total_debt: u128,
    /// `debt / (cash + debt)` (WAD).
    pub utilization_wad: u128,
    /// Current borrow rate per year (WAD).
    pub borrow_rate_wad: u128,
    /// Current supply rate per year (WAD), after the reserve factor.
    pub supply_rate_wad: u128,
}

/// The figures of `market` now.
pub fn market_view(asset: AccountId, market: Market) -> Result<MarketView, PoolError> {
    let state = &market.state;
    let total_debt = state.total_debt(Rounding::Up)?;
    let utilization = utilization_wad(state.cash, total_debt)?;
    let borrow_rate_wad = market
        .config()
        .rate_model
        .borrow_rate_per_year_wad(utilization)?;
    // As accrual does: any deficit counts as idle cash, it earns suppliers nothing.
    let earning = utilization_wad(state.cash.saturating_add(state.deficit), total_debt)?;
    Ok(MarketView {
        asset,
        total_supply: state.total_supply(Rounding::Down)?,
        total_debt,
        utilization_wad: utilization,
        borrow_rate_wad,
        supply_rate_wad: supply_rate(borrow_rate_wad, earning, market.config().reserve_factor_wad)?,
        market,
    })
}

/// One position with balances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct PositionView {
    /// The position as stored.
    pub position: Position,
    /// Supplied tokens now (rounded down).
    pub supply: u128,
    /// Owed tokens now (rounded up).
    pub debt: u128,
}

/// An account's positions and health.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct AccountView {
    /// Each position with its balances.
    pub positions: Vec<PositionView>,
    /// Collateral value (quote units, WAD, rounded down).
    pub collateral_value_wad: u128,
    /// The most debt value the collateral supports for borrowing.
    pub borrowing_power_wad: u128,
    /// Collateral value weighted by liquidation thresholds.
    pub liquidation_capacity_wad: u128,
    /// Debt value (rounded up).
    pub debt_value_wad: u128,
    /// `liquidation_capacity / debt_value`; `u128::MAX` without debt; below 1 (WAD)
    /// the account can be liquidated.
    pub health_factor_wad: u128,
    /// Whether every price used is `Ok`: if not, borrowing, withdrawing collateral and
    /// liquidating are refused, and the figures use the last good prices.
    pub prices_ok: bool,
}

/// The account's view from the loaded books and prices (which may be stale).
pub fn account_view(
    account: &Account,
    books: &Books,
    prices: &Prices,
) -> Result<AccountView, PoolError> {
    let mut positions = Vec::with_capacity(account.positions.len());
    for position in account.positions.iter() {
        let state = &books.get(position.asset)?.state;
        positions.push(PositionView {
            position: *position,
            supply: state.supply_balance(position.scaled_supply)?,
            debt: state.debt_balance(position.scaled_debt)?,
        });
    }
    let health = account_health(account, books, prices)?;
    Ok(AccountView {
        positions,
        collateral_value_wad: health.collateral_value_wad,
        borrowing_power_wad: health.borrowing_power_wad,
        liquidation_capacity_wad: health.liquidation_capacity_wad,
        debt_value_wad: health.debt_value_wad,
        health_factor_wad: health.health_factor_wad().unwrap_or(NO_DEBT_HEALTH_FACTOR),
        prices_ok: prices.iter().all(|(_, p)| p.status == FeedStatus::Ok),
    })
}

/// How much of an asset an account can withdraw and borrow now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct Limits {
    /// See [`max_withdrawable`].
    pub max_withdraw: u128,
    /// See [`max_borrowable`].
    pub max_borrow: u128,
}

/// Both limits of `asset` for the account.
pub fn limits(
    account: &Account,
    books: &Books,
    prices: &Prices,
    asset: AccountId,
) -> Result<Limits, PoolError> {
    Ok(Limits {
        max_withdraw: max_withdrawable(account, books, prices, asset)?,
        max_borrow: max_borrowable(account, books, prices, asset)?,
    })
}

/// Borrowing power not yet used (quote units, WAD), zero when overdrawn.
fn spare_power_wad(account: &Account, books: &Books, prices: &Prices) -> Result<u128, PoolError> {
    let health = account_health(account, books, prices)?;
    // Saturating: an overdrawn account has no spare power, not a negative one.
    Ok(health
        .borrowing_power_wad
        .saturating_sub(health.debt_value_wad))
}

/// How much of `asset` the account can borrow now: limited by its spare borrowing
/// power, the market's cash and its borrow cap; zero when borrowing is off or paused.
/// `books` must hold `asset` and the markets of the account's priced positions.
pub fn max_borrowable(
    account: &Account,
    books: &Books,
    prices: &Prices,
    asset: AccountId,
) -> Result<u128, PoolError> {
    let market = books.get(asset)?;
    if !market.params.borrowing_enabled || market.paused.borrow {
        return Ok(0);
    }
    let spare = spare_power_wad(account, books, prices)?;
    let price = price_of(prices, asset)?;
    let by_power = amount_for_value(
        spare,
        market.config().decimals,
        price_wad(price, Rounding::Up)?,
        Rounding::Down,
    )?;
    let total_debt = market.state.total_debt(Rounding::Up)?;
    // Saturating: a cap already reached leaves no room.
    let cap_room = market.config().borrow_cap.saturating_sub(total_debt);
    Ok(by_power.min(market.state.cash).min(cap_room))
}

/// How much of `asset` the account can withdraw now: its supply, limited by the
/// market's cash and, for collateral backing a debt, by its spare borrowing power (one
/// unit is kept back for rounding). `books` must hold `asset` and the markets of the
/// account's priced positions.
pub fn max_withdrawable(
    account: &Account,
    books: &Books,
    prices: &Prices,
    asset: AccountId,
) -> Result<u128, PoolError> {
    let Some(position) = account.position(asset) else {
        return Ok(0);
    };
    let market = books.get(asset)?;
    if market.paused.withdraw {
        return Ok(0);
    }
    let balance = market.state.supply_balance(position.scaled_supply)?;
    let mut max = balance.min(market.state.cash);
    let ltv = market.effective_ltv_wad();
    if position.is_collateral() && account.has_debt() && ltv != 0 {
        let spare = spare_power_wad(account, books, prices)?;
        let collateral_value = wad_div(spare, ltv, Rounding::Down)?;
        let price = price_wad(price_of(prices, asset)?, Rounding::Down)?;
        let by_power = amount_for_value(
            collateral_value,
            market.config().decimals,
            price,
            Rounding::Down,
        )?;
        // Saturating: one unit kept back covers the roundings of the health check.
        max = max.min(by_power.saturating_sub(1));
    }
    Ok(max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::require_within_borrowing_power;
    use crate::test_fixtures::*;
    use carrack_core::WAD;

    #[test]
    fn borrowing_exactly_the_max_passes_the_health_check_and_one_more_fails() {
        let mut books = books();
        // 1 ETH at 2,000: power 1,500 USD, 1,000 used.
        let account = borrower(&mut books, 1, 1_000);
        let prices = prices(2_000);
        let max = max_borrowable(&account, &books, &prices, USD).unwrap();
        assert_eq!(max, 500_000_000);
        for (amount, ok) in [(max, true), (max + 1, false)] {
            let mut after = account.clone();
            after.position_mut(USD).unwrap().scaled_debt += amount;
            let health = account_health(&after, &books, &prices).unwrap();
            assert_eq!(
                require_within_borrowing_power(&health).is_ok(),
                ok,
                "{amount}"
            );
        }
    }

    #[test]
    fn withdrawing_exactly_the_max_passes_the_health_check() {
        let mut books = books();
        let account = borrower(&mut books, 1, 1_000);
        let prices = prices(2_000);
        // Spare power 500 USD = 0.3333 ETH of collateral at 75 %, less one unit.
        let max = max_withdrawable(&account, &books, &prices, ETH).unwrap();
        assert_eq!(max, 333_333_333_333_333_332);
        let mut after = account.clone();
        after.position_mut(ETH).unwrap().scaled_supply -= max;
        let health = account_health(&after, &books, &prices).unwrap();
        assert!(require_within_borrowing_power(&health).is_ok());
        // Without debt, everything; without a position, nothing.
        let mut lender = Account::default();
        lender.open(ETH, true).unwrap().scaled_supply = 2 * WAD;
        assert_eq!(max_withdrawable(&lender, &books, &prices, ETH), Ok(2 * WAD));
        assert_eq!(max_withdrawable(&lender, &books, &prices, USD), Ok(0));
    }

    #[test]
    fn pauses_and_switches_zero_the_limits() {
        let mut books = books();
        let account = borrower(&mut books, 1, 1_000);
        let prices = prices(2_000);
        books.get_mut(USD).unwrap().params.borrowing_enabled = false;
        books.get_mut(ETH).unwrap().paused.withdraw = true;
        let limits = limits(&account, &books, &prices, USD).unwrap();
        assert_eq!(limits.max_borrow, 0);
        assert_eq!(max_withdrawable(&account, &books, &prices, ETH), Ok(0));
    }

    #[test]
    fn views_report_balances_health_and_rates() {
        let mut books = books();
        let account = borrower(&mut books, 1, 1_000);
        let mut prices = prices(2_000);
        let view = account_view(&account, &books, &prices).unwrap();
        assert_eq!(view.collateral_value_wad, 2_000 * WAD);
        assert_eq!(view.borrowing_power_wad, 1_500 * WAD);
        assert_eq!(view.debt_value_wad, 1_000 * WAD);
        assert_eq!(view.health_factor_wad, 16 * WAD / 10);
        assert!(view.prices_ok);
        prices[1].1.status = carrack_interfaces::FeedStatus::Stale;
        assert!(!account_view(&account, &books, &prices).unwrap().prices_ok);

        // USD: 1,000,000 seeded, 1,000 borrowed: utilization 0.1 %.
        let usd = market_view(USD, *books.get(USD).unwrap()).unwrap();
        assert_eq!(usd.total_debt, 1_000_000_000);
        assert_eq!(usd.utilization_wad, WAD / 1_000);
        // 1 % + 4 % * 0.001 / 0.8 = 1.005 %; supply: * 0.001 * 0.9.
        assert_eq!(usd.borrow_rate_wad, 10_050_000_000_000_000);
        assert_eq!(usd.supply_rate_wad, 9_045_000_000_000);
    }
}
