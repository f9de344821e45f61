//! What a UI or a liquidation bot reads: market figures, an account's positions and
//! health, and how much an account can still withdraw or borrow.

use crate::account::{Account, Position};
use crate::error::PoolError;
use crate::health::{
    account_health, price_of, price_wad, require_ok, require_within_borrowing_power, PriceList,
    Prices,
};
use crate::loaded_markets::LoadedMarkets;
use crate::market::Market;
use carrack_core::{
    amount_for_value, ray_div, ray_mul, supply_rate, utilization_wad, wad_div, CoreError, Rounding,
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
    /// Whether every price used is `Ok`: if not, borrowing is refused, and so is
    /// withdrawing collateral backing a debt, except all of a position whose removal
    /// leaves only `Ok` prices and the debt within power (see [`max_withdrawable`]). The
    /// figures value the account as a liquidation does: collateral at an `Ok` or
    /// `Emergency` price and as zero otherwise, debt at its last good price.
    pub prices_ok: bool,
}

/// The account's view from the loaded books and prices (which may be stale: see
/// [`AccountView::prices_ok`]).
pub fn account_view(
    account: &Account,
    books: &LoadedMarkets,
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
    books: &LoadedMarkets,
    prices: &Prices,
    asset: AccountId,
) -> Result<Limits, PoolError> {
    Ok(Limits {
        max_withdraw: max_withdrawable(account, books, prices, asset)?,
        max_borrow: max_borrowable(account, books, prices, asset)?,
    })
}

/// Borrowing power not yet used (quote units, WAD), zero when overdrawn.
fn spare_power_wad(
    account: &Account,
    books: &LoadedMarkets,
    prices: &Prices,
) -> Result<u128, PoolError> {
    let health = account_health(account, books, prices)?;
    // Saturating: an overdrawn account has no spare power, not a negative one.
    Ok(health
        .borrowing_power_wad
        .saturating_sub(health.debt_value_wad))
}

/// Whether every asset has a price and every price is `Ok`: the pool refuses a borrow
/// otherwise.
fn prices_ok(prices: &Prices) -> bool {
    prices
        .iter()
        .all(|(_, read)| matches!(read, Ok(p) if p.status == FeedStatus::Ok))
}

/// The prices among `prices` of the assets `account`'s health depends on: what the
/// pool's health check ([`require_healthy`](crate::actions::require_healthy)) reads for
/// it.
fn priced_prices(account: &Account, prices: &Prices) -> PriceList {
    let assets = account.priced_assets();
    prices
        .iter()
        .filter(|(asset, _)| assets.contains(asset))
        .copied()
        .collect()
}

/// Whether the pool's health check ([`require_healthy`](crate::actions::require_healthy))
/// passes for `account`: every price its health depends on `Ok`, and its debt within its
/// borrowing power.
fn passes_health_check(
    account: &Account,
    books: &LoadedMarkets,
    prices: &Prices,
) -> Result<bool, PoolError> {
    let prices = priced_prices(account, prices);
    Ok(require_ok(&prices).is_ok()
        && require_within_borrowing_power(&account_health(account, books, &prices)?).is_ok())
}

/// How much of `asset` the account can borrow now: limited by its spare borrowing
/// power, the market's cash and its borrow cap, less what the rounding of the scaled
/// debt may add (the debt one scaled unit stands for, rounded up: one unit while the
/// borrow index is below 2). Zero when borrowing is off or paused, when a price is not
/// `Ok`, when the account holds positions in
/// [`MAX_ACCOUNT_MARKETS`](crate::account::MAX_ACCOUNT_MARKETS) markets and none in
/// `asset` (the pool's borrow opens a position in `asset` first, and refuses with
/// [`PoolError::TooManyAccountMarkets`]), or when the result would leave the account's
/// debt below the market's minimum. `books` must hold `asset` and the markets of the
/// account's priced positions; `prices` those assets and `asset`.
pub fn max_borrowable(
    account: &Account,
    books: &LoadedMarkets,
    prices: &Prices,
    asset: AccountId,
) -> Result<u128, PoolError> {
    let market = books.get(asset)?;
    if !market.params.borrowing_enabled || market.paused.borrow || !prices_ok(prices) {
        return Ok(0);
    }
    // The pool's own first step: opening the position fails only at the market limit.
    let mut after = account.clone();
    let Ok(position) = after.open(asset) else {
        return Ok(0);
    };
    let debt = market.state.debt_balance(position.scaled_debt)?;
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
    // Saturating: a sum past u128::MAX is far above any minimum debt.
    if max == 0 || debt.saturating_add(max) < market.config().min_debt {
        return Ok(0);
    }
    Ok(max)
}

/// How much of `asset` the account can withdraw now: exactly the most the pool's
/// `withdraw` accepts, so that one unit more is refused. Zero while withdrawals are
/// paused. Otherwise:
/// - supply that is not collateral backing a debt: the balance, limited by the market's
///   cash (the pool checks no health);
/// - collateral backing a debt, every price the account's health depends on `Ok`: the
///   most that leaves the debt within the borrowing power, limited by the cash. It is
///   computed in scaled units, as the pool burns them: withdrawing `x` burns
///   `ceil(x / supply_index)` scaled supply, so the view finds the least scaled supply
///   that must stay and offers `floor(rest * supply_index)`. Any smaller amount is
///   accepted too. Collateral whose market is switched off for collateral (LTV counted
///   as 0) adds no power: it is either free to withdraw (the debt is within the power of
///   the rest) or not at all;
/// - collateral backing a debt while a price it depends on is not `Ok`: the pool checks
///   only the positions a withdrawal leaves, so it lets the whole position go (and
///   nothing less: a part left keeps its price in the check) when the market's cash
///   covers it and the remaining positions pass the health check at their prices (all
///   `Ok`, debt within power). The figure is then the whole balance, and only a
///   withdrawal of all of it passes (this figure, or `u128::MAX`): an amount leaving
///   any scaled supply is refused. Otherwise zero.
///
/// Every nonzero figure is checked with the pool's own health check on the account as
/// the withdrawal would leave it. `books` must hold `asset` and the markets of the
/// account's priced positions; `prices` those assets.
pub fn max_withdrawable(
    account: &Account,
    books: &LoadedMarkets,
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
    let state = &market.state;
    let balance = state.supply_balance(position.scaled_supply)?;
    let max = balance.min(state.cash);
    // As the pool's `withdraw`: only collateral backing a debt is health-checked.
    if max == 0 || !(position.is_collateral() && account.has_debt()) {
        return Ok(max);
    }
    let burnable_scaled = if require_ok(&priced_prices(account, prices)).is_ok() {
        max_burnable_scaled(account, books, prices, position)?
    } else {
        // Only a withdrawal taking the position out of the health check can pass.
        position.scaled_supply
    };
    let max = ray_mul(burnable_scaled, state.supply_index_ray, Rounding::Down)?.min(state.cash);
    if max == 0 {
        return Ok(0);
    }
    // What `withdraw(max)` burns, and the account it leaves, checked as the pool does.
    let mut trial = *state;
    let (_, burned_scaled) = trial.withdraw(position.scaled_supply, max)?;
    let mut after = account.clone();
    after.position_mut(asset)?.scaled_supply = position
        .scaled_supply
        .checked_sub(burned_scaled)
        .ok_or(CoreError::Underflow)?;
    Ok(if passes_health_check(&after, books, prices)? {
        max
    } else {
        0
    })
}

/// The most scaled supply of `position` (collateral of an account whose prices are all
/// `Ok`) that can be burned with the account's debt staying within its borrowing power.
///
/// [`account_health`] sums each position's power separately, and this position's is
/// `floor(floor(floor(scaled * index) * price) * ltv)` (balance, value and power each
/// rounded down). Each step is inverted rounding up, which is exact: the result leaves
/// the least scaled supply whose power covers the debt the other positions do not.
fn max_burnable_scaled(
    account: &Account,
    books: &LoadedMarkets,
    prices: &Prices,
    position: &Position,
) -> Result<u128, PoolError> {
    let market = books.get(position.asset)?;
    let mut without = account.clone();
    without.position_mut(position.asset)?.scaled_supply = 0;
    let others = account_health(&without, books, prices)?;
    // Saturating: other positions already covering the debt leave nothing to cover.
    let needed_power_wad = others
        .debt_value_wad
        .saturating_sub(others.borrowing_power_wad);
    if needed_power_wad == 0 {
        return Ok(position.scaled_supply);
    }
    let price = price_wad(price_of(prices, position.asset)?, Rounding::Down)?;
    // An inversion fails only where no balance can cover the need: a zero LTV or price
    // (division by zero) or a need past u128 (overflow). Then none of it can go.
    let kept_scaled = wad_div(needed_power_wad, market.effective_ltv_wad(), Rounding::Up)
        .and_then(|value_wad| {
            amount_for_value(value_wad, market.config().decimals, price, Rounding::Up)
        })
        .and_then(|amount| ray_div(amount, market.state.supply_index_ray, Rounding::Up));
    Ok(kept_scaled.map_or(0, |kept| position.scaled_supply.saturating_sub(kept)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{Collateral, MAX_ACCOUNT_MARKETS};
    use crate::actions;
    use crate::health::{require_within_borrowing_power, PriceList};
    use crate::test_fixtures::*;
    use carrack_core::{CoreError, ALL, RAY, WAD};

    /// The owner of the account the tests try messages on.
    const OWNER: AccountId = AccountId([0xa1; 32]);

    /// The pool's `withdraw` of `amount` of `asset` on a copy of `account`, with the
    /// oracle answering from `prices`: the amount paid, or the refusal.
    fn try_withdraw(
        books: &LoadedMarkets,
        prices: &Prices,
        account: &Account,
        asset: AccountId,
        amount: u128,
    ) -> Result<u128, PoolError> {
        let ledger = TestLedger {
            books: books.clone(),
            prices: prices.to_vec(),
            now: NOW,
            accounts: [(OWNER, account.clone())].into(),
            ..TestLedger::default()
        };
        actions::withdraw(&ledger, OWNER, asset, amount, OWNER).map(|(_, paid)| paid)
    }

    /// The pool's `borrow` of `amount` of `asset` on a copy of `account`.
    fn try_borrow(
        books: &LoadedMarkets,
        prices: &Prices,
        account: &Account,
        asset: AccountId,
        amount: u128,
    ) -> Result<(), PoolError> {
        let ledger = TestLedger {
            books: books.clone(),
            prices: prices.to_vec(),
            now: NOW,
            accounts: [(OWNER, account.clone())].into(),
            ..TestLedger::default()
        };
        actions::borrow(&ledger, OWNER, asset, amount).map(|_| ())
    }

    /// The prices the `limits` message reads for `asset` (the account's priced assets and
    /// `asset`), taken from `all`.
    fn limits_prices(account: &Account, all: &Prices, asset: AccountId) -> PriceList {
        let mut assets = account.priced_assets();
        if !assets.contains(&asset) {
            assets.push(asset);
        }
        assets
            .iter()
            .map(|a| *all.iter().find(|(b, _)| b == a).unwrap())
            .collect()
    }

    /// A small deterministic generator (SplitMix64) for the randomized tests.
    struct SplitMix(u64);

    impl SplitMix {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        /// Uniform enough in `0..n` (`n > 0`).
        fn below(&mut self, n: u128) -> u128 {
            ((u128::from(self.next()) << 64) | u128::from(self.next())) % n
        }
    }

    /// Borrows `amount` of `asset` for `account` as the pool does (market and position),
    /// and says whether the pool's checks pass: the market's own and the health check.
    fn borrow_passes(
        books: &LoadedMarkets,
        account: &Account,
        prices: &Prices,
        amount: u128,
    ) -> bool {
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
    fn a_max_borrow_bringing_the_debt_to_exactly_the_minimum_is_offered() {
        // The pool refuses a debt below the market's minimum, not one equal to it, so the
        // view offers a borrow that lands on it (mutation testing: `<` -> `<=`).
        let mut books = books();
        // 1,000 USD owed, 499.999999 USD more borrowable (power 1,500 less the slack).
        let account = borrower(&mut books, 1, 1_000);
        let prices = prices(2_000);
        books.get_mut(USD).unwrap().params.config.min_debt = 1_499_999_999;
        let max = max_borrowable(&account, &books, &prices, USD).unwrap();
        assert_eq!(max, 499_999_999, "debt after the borrow = the minimum");
        assert_eq!(try_borrow(&books, &prices, &account, USD, max), Ok(()));
        // One unit more of minimum: the same borrow is refused, and nothing is offered.
        books.get_mut(USD).unwrap().params.config.min_debt = 1_500_000_000;
        assert_eq!(
            try_borrow(&books, &prices, &account, USD, max),
            Err(PoolError::Core(CoreError::BelowMinimumDebt))
        );
        assert_eq!(max_borrowable(&account, &books, &prices, USD), Ok(0));
    }

    #[test]
    fn withdrawing_exactly_the_max_passes_the_health_check_and_one_more_fails() {
        let mut books = books();
        let account = borrower(&mut books, 1, 1_000);
        let prices = prices(2_000);
        // The 1,000 USD debt needs 1,333.33.. USD of collateral at 75 %: 0.666..67 ETH
        // stays, the rest (0.333..33 ETH) can go.
        let max = max_withdrawable(&account, &books, &prices, ETH).unwrap();
        assert_eq!(max, 333_333_333_333_333_333);
        assert_eq!(try_withdraw(&books, &prices, &account, ETH, max), Ok(max));
        assert_eq!(
            try_withdraw(&books, &prices, &account, ETH, max + 1),
            Err(CoreError::InsufficientCollateral.into())
        );
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
        // The debt keeps the suspect USD price in the check, even with all the ETH gone.
        assert_eq!(
            try_withdraw(&books, &prices, &account, ETH, ALL),
            Err(PoolError::PriceNotOk(USD, FeedStatus::Suspect))
        );
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

    #[test]
    fn the_max_withdraw_passes_once_the_supply_index_has_grown() {
        // Audit 2026-12 N-2: at this supply index the old view (one unit kept back)
        // offered 4.654177451559015353 ETH, which the pool refused.
        let mut books = books();
        let scaled = 4_642_732_856_008_183_102;
        let eth = books.get_mut(ETH).unwrap();
        eth.state.supply_index_ray = 1_049_411_797_749_097_378_655_102_666;
        eth.state.total_scaled_supply += scaled;
        let mut account = Account::default();
        collateral_position(&mut account, ETH, scaled);
        let usd_config = *books.get(USD).unwrap().config();
        let scaled_debt = books
            .get_mut(USD)
            .unwrap()
            .state
            .borrow(&usd_config, 0, 326_941_772)
            .unwrap();
        account.open(USD).unwrap().scaled_debt = scaled_debt;
        let prices = prices(2_000);
        let max = max_withdrawable(&account, &books, &prices, ETH).unwrap();
        assert!(max > 0);
        assert_eq!(
            try_withdraw(&books, &prices, &account, ETH, max),
            Ok(max),
            "the pool refuses the view's max {max}"
        );
        assert_eq!(
            try_withdraw(&books, &prices, &account, ETH, max + 1),
            Err(CoreError::InsufficientCollateral.into()),
            "the view keeps back more than the rounding needs: {max}"
        );
    }

    #[test]
    fn the_max_withdraw_is_exactly_what_the_pool_accepts_at_any_index_and_price_status() {
        // Random accounts (ETH and BTC collateral, a USD debt from none to beyond the
        // power), supply and borrow indices in 1.0-1.5, short cash and feeds that are not
        // Ok: the pool accepts the view's max and refuses one unit more; where the view
        // says 0, the pool refuses a full withdrawal too.
        let statuses = [
            FeedStatus::Stale,
            FeedStatus::Suspect,
            FeedStatus::Frozen,
            FeedStatus::Emergency,
        ];
        let mut rng = SplitMix(0x0c0f_fee5);
        // (limited by health, everything while a price is not Ok, nothing)
        let mut seen = (0, 0, 0);
        for case in 0..3_000 {
            let mut books = books();
            let mut account = Account::default();
            let mut all: PriceList = prices(100 + rng.below(5_000));
            all.push((BTC, Ok(price(60_000))));
            for (asset, most) in [(ETH, 50 * WAD), (BTC, 200_000_000)] {
                if asset == BTC && rng.below(2) == 0 {
                    continue;
                }
                let market = books.get_mut(asset).unwrap();
                market.state.supply_index_ray = RAY + rng.below(RAY / 2 + 1);
                let scaled = 1 + rng.below(most);
                market.state.total_scaled_supply += scaled;
                collateral_position(&mut account, asset, scaled);
                if rng.below(5) == 0 {
                    account.position_mut(asset).unwrap().collateral = Collateral::Off;
                }
                if rng.below(5) == 0 {
                    let balance = market.state.supply_balance(scaled).unwrap();
                    market.state.cash = rng.below(balance + 1);
                }
            }
            // A debt of 0 to 105 % of the borrowing power.
            let power_wad = account_health(&account, &books, &all)
                .unwrap()
                .borrowing_power_wad;
            let debt = power_wad / 1_000_000_000_000 * rng.below(10_501) / 10_000;
            if debt != 0 {
                let usd = books.get_mut(USD).unwrap();
                usd.state.borrow_index_ray = RAY + rng.below(RAY / 2 + 1);
                let config = *usd.config();
                account.open(USD).unwrap().scaled_debt =
                    usd.state.borrow(&config, 0, debt).unwrap();
            }
            if rng.below(3) == 0 {
                let asset = [USD, ETH, BTC][rng.below(3) as usize];
                set_status(&mut all, asset, statuses[rng.below(4) as usize]);
            }
            let asset = if account.position(BTC).is_some() && rng.below(2) == 0 {
                BTC
            } else {
                ETH
            };
            let prices = limits_prices(&account, &all, asset);
            let max = max_withdrawable(&account, &books, &prices, asset).unwrap();
            let state = &books.get(asset).unwrap().state;
            let balance = state
                .supply_balance(account.position(asset).unwrap().scaled_supply)
                .unwrap();
            let context =
                format!("case {case}: max {max} of {balance}, {account:?}, {all:?}, {state:?}");
            if max == 0 {
                seen.2 += 1;
                assert!(
                    try_withdraw(&books, &all, &account, asset, ALL).is_err(),
                    "the view says 0 but the pool lets everything go: {context}"
                );
            } else {
                if max < balance.min(state.cash) {
                    seen.0 += 1;
                }
                if prices
                    .iter()
                    .any(|(_, p)| p.unwrap().status != FeedStatus::Ok)
                {
                    seen.1 += 1;
                }
                assert_eq!(
                    try_withdraw(&books, &all, &account, asset, max),
                    Ok(max),
                    "the pool refuses the view's max: {context}"
                );
            }
            assert!(
                try_withdraw(&books, &all, &account, asset, max + 1).is_err(),
                "the pool accepts more than the view's max: {context}"
            );
        }
        assert!(
            seen.0 > 500 && seen.1 > 20 && seen.2 > 100,
            "too few cases of a kind: {seen:?}"
        );
    }

    #[test]
    fn the_max_borrow_is_zero_where_the_account_cannot_open_another_position() {
        // Audit 2026-12 N-3: 1 ETH of collateral and 7 plain supply positions: the pool's
        // borrow opens a USD position first and refuses with TooManyAccountMarkets.
        let mut books = books();
        let eth_config = *books.get(ETH).unwrap().config();
        books
            .get_mut(ETH)
            .unwrap()
            .state
            .supply(&eth_config, WAD)
            .unwrap();
        let mut account = Account::default();
        collateral_position(&mut account, ETH, WAD);
        for n in 0..(MAX_ACCOUNT_MARKETS - 1) as u8 {
            account
                .open(AccountId([100 + n; 32]))
                .unwrap()
                .scaled_supply = 1;
        }
        let prices = prices(2_000);
        assert_eq!(
            try_borrow(&books, &prices, &account, USD, 1),
            Err(PoolError::TooManyAccountMarkets)
        );
        assert_eq!(max_borrowable(&account, &books, &prices, USD), Ok(0));
        // Withdrawing opens nothing: the limit does not apply to it.
        let max = max_withdrawable(&account, &books, &prices, ETH).unwrap();
        assert_eq!(max, WAD);
        assert_eq!(try_withdraw(&books, &prices, &account, ETH, max), Ok(WAD));
        // With a position in USD already (here a plain supply), the borrow goes through.
        let usd_config = *books.get(USD).unwrap().config();
        books
            .get_mut(USD)
            .unwrap()
            .state
            .supply(&usd_config, 1)
            .unwrap();
        account.positions[MAX_ACCOUNT_MARKETS - 1].asset = USD;
        let max = max_borrowable(&account, &books, &prices, USD).unwrap();
        assert_eq!(max, 1_499_999_999);
        assert_eq!(try_borrow(&books, &prices, &account, USD, max), Ok(()));
    }

    #[test]
    fn a_full_withdrawal_the_pool_allows_while_a_price_is_not_ok_is_offered() {
        // Audit 2026-12 N-7: 1 ETH (its feed stale) and 2,000 USD as collateral, owing
        // 1,000 USD. Without the ETH the USD covers the debt at its Ok price, so the pool
        // lets the whole ETH go: the view offers it.
        let mut books = books();
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
        let mut prices = prices(2_000);
        set_status(&mut prices, ETH, FeedStatus::Stale);
        assert_eq!(max_withdrawable(&account, &books, &prices, ETH), Ok(WAD));
        assert_eq!(try_withdraw(&books, &prices, &account, ETH, WAD), Ok(WAD));
        // Less than the whole position keeps the stale price in the health check.
        assert_eq!(
            try_withdraw(&books, &prices, &account, ETH, WAD - 1),
            Err(PoolError::PriceNotOk(ETH, FeedStatus::Stale))
        );
        // Cash short of the whole position: only a part could go, which is refused.
        books.get_mut(ETH).unwrap().state.cash = WAD - 1;
        assert_eq!(max_withdrawable(&account, &books, &prices, ETH), Ok(0));
        assert!(try_withdraw(&books, &prices, &account, ETH, ALL).is_err());
        books.get_mut(ETH).unwrap().state.cash = WAD;
        // Without the USD collateral the rest does not cover the debt: nothing.
        account.position_mut(USD).unwrap().collateral = Collateral::Off;
        assert_eq!(max_withdrawable(&account, &books, &prices, ETH), Ok(0));
        assert_eq!(
            try_withdraw(&books, &prices, &account, ETH, ALL),
            Err(CoreError::InsufficientCollateral.into())
        );
    }
}
