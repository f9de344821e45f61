//! What a UI or a liquidation bot reads: market figures, an account's positions and
//! health, and how much an account can still withdraw or borrow.

use crate::account::{Account, Position};
use crate::books::Books;
use crate::error::PoolError;
use crate::health::{account_health, price_of, price_wad, Prices};
use crate::market::Market;
use carrack_core::{
    amount_for_value, ray_mul, supply_rate, utilization_wad, wad_div, Rounding,
    NO_DEBT_HEALTH_FACTOR,
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
    /// Whether every price used is `Ok`: if not, borrowing and withdrawing collateral
    /// are refused. The figures value the account as a liquidation does: collateral at
    /// an `Ok` or `Emergency` price and as zero otherwise, debt at its last good price.
    pub prices_ok: bool,
}

/// The account's view from the loaded books and prices (which may be stale: see
/// [`AccountView::prices_ok`]).
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
        prices_ok: prices_ok(prices),
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

/// Whether every asset has a price and every price is `Ok`: the pool refuses a borrow,
/// and a withdrawal of collateral backing a debt, otherwise.
fn prices_ok(prices: &Prices) -> bool {
    prices
        .iter()
        .all(|(_, read)| matches!(read, Ok(p) if p.status == FeedStatus::Ok))
}

/// How much of `asset` the account can borrow now: limited by its spare borrowing
/// power, the market's cash and its borrow cap, less what the rounding of the scaled
/// debt may add (the debt one scaled unit stands for, rounded up: one unit while the
/// borrow index is below 2). Zero when borrowing is off or paused, when a price is not
/// `Ok`, or when the result would leave the account's debt below the market's minimum.
/// `books` must hold `asset` and the markets of the account's priced positions;
/// `prices` those assets and `asset`.
pub fn max_borrowable(
    account: &Account,
    books: &Books,
    prices: &Prices,
    asset: AccountId,
) -> Result<u128, PoolError> {
    let market = books.get(asset)?;
    if !market.params.borrowing_enabled || market.paused.borrow || !prices_ok(prices) {
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
    // Borrowing `x` mints `ceil(x / index)` scaled debt, which reads back as at most
    // `x + ceil(index)` units: the account's debt and the market's total grow by that
    // much, so it is kept back from both limits.
    let rounding_slack = ray_mul(1, market.state.borrow_index_ray, Rounding::Up)?;
    // Saturating: a limit smaller than the slack leaves nothing to borrow.
    let max = by_power
        .min(cap_room)
        .saturating_sub(rounding_slack)
        .min(market.state.cash);
    let debt = account
        .position(asset)
        .map_or(Ok(0), |p| market.state.debt_balance(p.scaled_debt))?;
    // Saturating: a sum past u128::MAX is far above any minimum debt.
    if max == 0 || debt.saturating_add(max) < market.config().min_debt {
        return Ok(0);
    }
    Ok(max)
}

/// How much of `asset` the account can withdraw now: its supply, limited by the
/// market's cash and, for collateral backing a debt, by its spare borrowing power (one
/// unit is kept back for rounding). Collateral whose market is switched off for
/// collateral (LTV counted as 0) adds no power, so it is either free to withdraw (the
/// debt is within the power of the rest) or not at all. Zero while withdrawals are
/// paused, and for collateral backing a debt while a price is not `Ok`. `books` must
/// hold `asset` and the markets of the account's priced positions; `prices` those assets.
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
    let max = balance.min(market.state.cash);
    if !(position.is_collateral() && account.has_debt()) {
        return Ok(max);
    }
    if !prices_ok(prices) {
        return Ok(0);
    }
    let ltv = market.effective_ltv_wad();
    if ltv == 0 {
        let within = account_health(account, books, prices)?.is_within_borrowing_power();
        return Ok(if within { max } else { 0 });
    }
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
    Ok(max.min(by_power.saturating_sub(1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::Collateral;
    use crate::health::require_within_borrowing_power;
    use crate::test_fixtures::*;
    use carrack_core::{RAY, WAD};

    /// Borrows `amount` of `asset` for `account` as the pool does (market and position),
    /// and says whether the pool's checks pass: the market's own and the health check.
    fn borrow_passes(books: &Books, account: &Account, prices: &Prices, amount: u128) -> bool {
        let (mut books, mut account) = (books.clone(), account.clone());
        let market = books.get_mut(USD).unwrap();
        let config = *market.config();
        let position = account.open(USD).unwrap();
        let Ok(scaled) = market.state.borrow(&config, position.scaled_debt, amount) else {
            return false;
        };
        position.scaled_debt += scaled;
        require_within_borrowing_power(&account_health(&account, &books, prices).unwrap()).is_ok()
    }

    #[test]
    fn borrowing_exactly_the_max_passes_the_health_check_and_one_more_fails() {
        let mut books = books();
        // 1 ETH at 2,000: power 1,500 USD, 1,000 used: 500 USD less one unit of slack.
        let account = borrower(&mut books, 1, 1_000);
        let prices = prices(2_000);
        let max = max_borrowable(&account, &books, &prices, USD).unwrap();
        assert_eq!(max, 499_999_999);
        assert!(borrow_passes(&books, &account, &prices, max));
        assert!(!borrow_passes(&books, &account, &prices, max + 2));
    }

    #[test]
    fn the_max_borrow_still_passes_once_the_borrow_index_has_grown() {
        // Indices from just above 1 to 3.7: the scaled debt's rounding may add up to
        // ceil(index) units, which the view keeps back.
        for index_ray in [RAY + 1, RAY + RAY / 3, 2 * RAY + 7, 37 * RAY / 10] {
            for (eth, usd) in [(1, 100), (3, 1), (20, 4_321)] {
                let mut books = books();
                let account = borrower(&mut books, eth, usd);
                books.get_mut(USD).unwrap().state.borrow_index_ray = index_ray;
                let prices = prices(2_000);
                let max = max_borrowable(&account, &books, &prices, USD).unwrap();
                assert!(max > 0, "{index_ray} {eth} {usd}");
                assert!(
                    borrow_passes(&books, &account, &prices, max),
                    "{index_ray} {eth} {usd}: {max}"
                );
                let slack = index_ray.div_ceil(RAY);
                assert!(
                    !borrow_passes(&books, &account, &prices, max + slack + 1),
                    "the view keeps back more than the rounding: {index_ray} {max}"
                );
            }
        }
    }

    #[test]
    fn the_max_borrow_respects_the_cap_and_minimum_debt_and_stale_prices() {
        let mut books = books();
        let account = borrower(&mut books, 1, 1_000);
        let mut prices = prices(2_000);
        // The cap leaves 100 USD of room: 100 USD less the slack passes, the room does not
        // exceed the cap.
        books.get_mut(USD).unwrap().params.config.borrow_cap = 1_100_000_000;
        let max = max_borrowable(&account, &books, &prices, USD).unwrap();
        assert_eq!(max, 99_999_999);
        assert!(borrow_passes(&books, &account, &prices, max));
        // A newcomer whose power is below the minimum debt can borrow nothing.
        books.get_mut(USD).unwrap().params.config.borrow_cap = u128::MAX;
        books.get_mut(USD).unwrap().params.config.min_debt = 1_200_000_000;
        let mut newcomer = Account::default();
        collateral_position(&mut newcomer, ETH, WAD / 2); // 750 USD of power
        assert_eq!(max_borrowable(&newcomer, &books, &prices, USD), Ok(0));
        // An existing debt counts toward the minimum.
        assert_eq!(
            max_borrowable(&account, &books, &prices, USD),
            Ok(499_999_999)
        );
        // A price that is not Ok: the borrow would be refused, so nothing.
        books.get_mut(USD).unwrap().params.config.min_debt = 0;
        set_status(&mut prices, ETH, FeedStatus::Stale);
        assert_eq!(max_borrowable(&account, &books, &prices, USD), Ok(0));
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
        collateral_position(&mut lender, ETH, 2 * WAD);
        assert_eq!(max_withdrawable(&lender, &books, &prices, ETH), Ok(2 * WAD));
        assert_eq!(max_withdrawable(&lender, &books, &prices, USD), Ok(0));
    }

    #[test]
    fn collateral_switched_off_is_withdrawable_only_while_the_rest_covers_the_debt() {
        let mut books = books();
        // Debt 1,000 USD against 1 ETH, plus 2,000 USD of collateral supply.
        let mut account = borrower(&mut books, 1, 1_000);
        let usd_config = *books.get(USD).unwrap().config();
        books
            .get_mut(USD)
            .unwrap()
            .state
            .supply(&usd_config, 2_000_000_000)
            .unwrap();
        account.position_mut(USD).unwrap().scaled_supply = 2_000_000_000;
        account.position_mut(USD).unwrap().collateral = Collateral::On;
        let prices = prices(2_000);
        books.get_mut(ETH).unwrap().params.collateral_enabled = false;
        // ETH adds no power; USD's 1,500 covers the 1,000 debt: all of the ETH is free.
        assert_eq!(max_withdrawable(&account, &books, &prices, ETH), Ok(WAD));
        let mut after = account.clone();
        after.position_mut(ETH).unwrap().scaled_supply = 0;
        assert!(
            require_within_borrowing_power(&account_health(&after, &books, &prices).unwrap())
                .is_ok()
        );
        // Without the USD collateral the account is over its power: nothing is free.
        account.position_mut(USD).unwrap().collateral = Collateral::Off;
        assert_eq!(max_withdrawable(&account, &books, &prices, ETH), Ok(0));
    }

    #[test]
    fn collateral_backing_a_debt_is_not_withdrawable_while_a_price_is_not_ok() {
        let mut books = books();
        let account = borrower(&mut books, 1, 1_000);
        let mut prices = prices(2_000);
        set_status(&mut prices, USD, FeedStatus::Suspect);
        assert_eq!(max_withdrawable(&account, &books, &prices, ETH), Ok(0));
        // A lender without debt withdraws regardless.
        let mut lender = Account::default();
        collateral_position(&mut lender, ETH, WAD);
        assert_eq!(max_withdrawable(&lender, &books, &prices, ETH), Ok(WAD));
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
        set_status(&mut prices, ETH, FeedStatus::Stale);
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
