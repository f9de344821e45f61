//! The plain logic of the pool's messages: each function here is what a message runs
//! between "load" and "store". It reads markets, prices and the time through a
//! [`Ledger`] (the contract's storage and oracle on chain, a model in the native tests),
//! changes the account and the loaded [`Books`] in memory, and returns what the message
//! stores, emits and transfers. Nothing here writes storage or moves tokens, so the
//! invariant fuzzer (`fuzz.rs`) drives exactly the code the messages run.

use crate::account::{Account, Collateral};
use crate::books::Books;
use crate::error::PoolError;
use crate::health::{account_health, require_ok, require_within_borrowing_power, PriceList};
use crate::liquidation::{self, LiquidationOutcome, LiquidationRequest, LiquidationRules};
use crate::market::{Actions, Market, MarketParams};
use crate::params::PoolParams;
use carrack_core::CoreError;
use ink::primitives::AccountId;

/// Where a message reads markets, prices and the time.
pub trait Ledger {
    /// Loads the markets of `assets` into `books`, accrued to now, unless loaded already;
    /// [`PoolError::UnknownMarket`] for an asset without a market.
    fn load_into(&self, books: &mut Books, assets: &[AccountId]) -> Result<(), PoolError>;

    /// The prices of `assets` in one oracle read, paired with their assets: one answer
    /// per asset (an asset without a price fails only its own entry).
    fn read_prices(&self, assets: &[AccountId]) -> Result<PriceList, PoolError>;

    /// Block time in whole seconds.
    fn now_secs(&self) -> u64;

    /// The markets of `assets`, accrued to now.
    fn load_books(&self, assets: &[AccountId]) -> Result<Books, PoolError> {
        let mut books = Books::default();
        self.load_into(&mut books, assets)?;
        Ok(books)
    }
}

/// Loads the markets of the account's priced positions and reads their prices; refuses
/// unless every price is `Ok` and the debt is within borrowing power.
pub fn require_healthy(
    ledger: &impl Ledger,
    account: &Account,
    books: &mut Books,
) -> Result<(), PoolError> {
    let assets = account.priced_assets();
    ledger.load_into(books, &assets)?;
    let prices = ledger.read_prices(&assets)?;
    require_ok(&prices)?;
    require_within_borrowing_power(&account_health(account, books, &prices)?)
}

/// Refuses unless the oracle answers an `Ok` price for `asset`: with the oracle's error,
/// [`PoolError::PriceNotOk`], or the call's failure.
fn require_ok_price(ledger: &impl Ledger, asset: AccountId) -> Result<(), PoolError> {
    require_ok(&ledger.read_prices(&[asset])?)
}

/// `supply`: credits `amount` of `asset` to `account` (the `on_behalf_of` account);
/// `by_owner` says whether the payer is that account. Only the owner's own supply can
/// make collateral of it, and only of a position whose owner has not chosen yet
/// ([`Collateral::Unchosen`]): it turns `On` when the market takes collateral (enabled,
/// LTV above zero, collateral not paused) and the oracle answers an `Ok` price for the
/// asset; otherwise it stays unchosen and the supply goes through all the same. A supply
/// on someone else's behalf never changes their flag. Returns the books to store, the
/// scaled supply minted and whether the position just became collateral.
pub fn supply(
    ledger: &impl Ledger,
    account: &mut Account,
    asset: AccountId,
    amount: u128,
    by_owner: bool,
) -> Result<(Books, u128, bool), PoolError> {
    let mut books = ledger.load_books(&[asset])?;
    let market = books.get_mut(asset)?;
    if market.paused.supply {
        return Err(PoolError::ActionPaused);
    }
    let config = *market.config();
    let takes_collateral =
        market.params.collateral_enabled && config.ltv_wad != 0 && !market.paused.collateral;
    let scaled = market.state.supply(&config, amount)?;
    let position = account.open(asset)?;
    position.scaled_supply = position
        .scaled_supply
        .checked_add(scaled)
        .ok_or(CoreError::Overflow)?;
    let chooses = by_owner && position.collateral == Collateral::Unchosen && takes_collateral;
    // The price is read only when it decides something; a price that is not `Ok` (or a
    // failed read) leaves the choice open rather than refusing the supply.
    let becomes_collateral = chooses && require_ok_price(ledger, asset).is_ok();
    if becomes_collateral {
        account.position_mut(asset)?.collateral = Collateral::On;
    }
    Ok((books, scaled, becomes_collateral))
}

/// `withdraw`: takes `amount` (or `u128::MAX` for everything) of `asset` out of the
/// caller's `account`. Returns the books to store, the amount paid and the scaled supply
/// burned.
pub fn withdraw(
    ledger: &impl Ledger,
    account: &mut Account,
    asset: AccountId,
    amount: u128,
) -> Result<(Books, u128, u128), PoolError> {
    let position = *account.position_mut(asset)?;
    let check_health = position.is_collateral() && account.has_debt();
    let mut books = ledger.load_books(&[asset])?;
    let market = books.get_mut(asset)?;
    if market.paused.withdraw {
        return Err(PoolError::ActionPaused);
    }
    let (amount, scaled) = market.state.withdraw(position.scaled_supply, amount)?;
    let position = account.position_mut(asset)?;
    position.scaled_supply = position
        .scaled_supply
        .checked_sub(scaled)
        .ok_or(CoreError::Underflow)?;
    if check_health {
        require_healthy(ledger, account, &mut books)?;
    }
    account.prune();
    Ok((books, amount, scaled))
}

/// `borrow`: lends `amount` of `asset` to the caller's `account`. Returns the books to
/// store and the scaled debt minted.
pub fn borrow(
    ledger: &impl Ledger,
    account: &mut Account,
    asset: AccountId,
    amount: u128,
) -> Result<(Books, u128), PoolError> {
    let mut books = ledger.load_books(&[asset])?;
    let market = books.get_mut(asset)?;
    if market.paused.borrow {
        return Err(PoolError::ActionPaused);
    }
    if !market.params.borrowing_enabled {
        return Err(PoolError::BorrowingDisabled);
    }
    let config = *market.config();
    let position = account.open(asset)?;
    let scaled = market.state.borrow(&config, position.scaled_debt, amount)?;
    position.scaled_debt = position
        .scaled_debt
        .checked_add(scaled)
        .ok_or(CoreError::Overflow)?;
    require_healthy(ledger, account, &mut books)?;
    Ok((books, scaled))
}

/// `repay`: pays `amount` (or `u128::MAX` for the whole debt) of `account`'s debt in
/// `asset`. Returns the books to store, the amount to pull from the payer and the scaled
/// debt burned.
pub fn repay(
    ledger: &impl Ledger,
    account: &mut Account,
    asset: AccountId,
    amount: u128,
) -> Result<(Books, u128, u128), PoolError> {
    let position = account.position_mut(asset).map_err(|_| CoreError::NoDebt)?;
    let mut books = ledger.load_books(&[asset])?;
    let market = books.get_mut(asset)?;
    let config = *market.config();
    let (amount, scaled) = market.state.repay(&config, position.scaled_debt, amount)?;
    position.scaled_debt = position
        .scaled_debt
        .checked_sub(scaled)
        .ok_or(CoreError::Underflow)?;
    account.prune();
    Ok((books, amount, scaled))
}

/// `enable_collateral` / `disable_collateral`: sets whether the caller's supply of
/// `asset` counts as collateral (the owner's choice, which supplies never override).
/// Enabling needs an `Ok` price for `asset`; disabling collateral that counts while
/// owing needs every price `Ok` and the debt within the remaining borrowing power. Only
/// the account changes (markets are read, not stored).
pub fn set_collateral(
    ledger: &impl Ledger,
    account: &mut Account,
    asset: AccountId,
    enabled: bool,
) -> Result<(), PoolError> {
    let position = account.position_mut(asset)?;
    let was_counting = position.is_collateral();
    position.collateral = if enabled {
        Collateral::On
    } else {
        Collateral::Off
    };
    let mut books = ledger.load_books(&[asset])?;
    let market = books.get(asset)?;
    if market.paused.collateral {
        return Err(PoolError::ActionPaused);
    }
    if enabled && !market.params.collateral_enabled {
        return Err(PoolError::CollateralDisabled);
    }
    if enabled {
        require_ok_price(ledger, asset)?;
    }
    if was_counting && !enabled && account.has_debt() {
        require_healthy(ledger, account, &mut books)?;
    }
    Ok(())
}

/// `liquidate`: `liquidator` repays part of `borrower`'s debt for its collateral (see
/// [`liquidation::liquidate`]), with the prices of every priced position read at once
/// (one answer per asset: only the repaid and the seized asset need a usable one). With
/// `receiver` (the liquidator's own account), its collateral is credited to it as supply
/// instead of paid in tokens. Returns the books to store and what the liquidation did.
pub fn liquidate(
    ledger: &impl Ledger,
    params: &PoolParams,
    liquidator: AccountId,
    borrower: AccountId,
    account: &mut Account,
    request: &LiquidationRequest,
    receiver: Option<&mut Account>,
) -> Result<(Books, LiquidationOutcome), PoolError> {
    if liquidator == borrower {
        return Err(PoolError::SelfLiquidation);
    }
    // Only priced positions matter: the debt and collateral sides must be priced
    // (else NoDebt / NoCollateral), and so is every debt a write-off touches.
    let priced = account.priced_assets();
    let mut books = ledger.load_books(&priced)?;
    let prices = ledger.read_prices(&priced)?;
    let rules = LiquidationRules {
        dust_value_wad: params.dust_value_wad,
        grace_secs: params.liquidation_grace_secs,
        now_secs: ledger.now_secs(),
    };
    let outcome = liquidation::liquidate(account, &mut books, &prices, request, &rules, receiver)?;
    Ok((books, outcome))
}

/// `set_market_params`: replaces a market's parameters after accruing it at the old
/// ones; decimals cannot change. Returns the books to store.
pub fn set_market_params(
    ledger: &impl Ledger,
    asset: AccountId,
    params: MarketParams,
) -> Result<Books, PoolError> {
    let mut books = ledger.load_books(&[asset])?;
    let market = books.get_mut(asset)?;
    if params.config.decimals != market.config().decimals {
        return Err(PoolError::DecimalsImmutable);
    }
    params.config.validate().map_err(CoreError::from)?;
    market.params = params;
    Ok(books)
}

/// `withdraw_reserves`: takes `amount` out of a market's reserves. Returns the books to
/// store.
pub fn withdraw_reserves(
    ledger: &impl Ledger,
    asset: AccountId,
    amount: u128,
) -> Result<Books, PoolError> {
    let mut books = ledger.load_books(&[asset])?;
    books.get_mut(asset)?.state.withdraw_reserves(amount)?;
    Ok(books)
}

/// `pause`: adds `actions` to the market's paused actions.
pub fn pause(market: &mut Market, actions: Actions) {
    market.paused = market.paused.union(actions);
}

/// `unpause`: removes `actions` from the market's paused actions. Resuming liquidation
/// (clearing a `liquidate` pause in force) starts the market's liquidation grace period,
/// so borrowers can act before liquidators; unpausing anything else leaves it as it is.
pub fn unpause(market: &mut Market, actions: Actions, now_secs: u64, grace_secs: u64) {
    let resumes_liquidation = market.paused.liquidate && actions.liquidate;
    market.paused = market.paused.minus(actions);
    if resumes_liquidation {
        // Saturating: a grace period past u64::MAX is the same as forever.
        market.liquidation_grace_until_secs = now_secs.saturating_add(grace_secs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_fixtures::*;
    use carrack_core::{ALL, WAD};
    use carrack_interfaces::{FeedStatus, OracleError, PriceData};

    const MALLORY: AccountId = AccountId([0x4d; 32]);
    const LIQUIDATOR: AccountId = AccountId([0x4c; 32]);

    fn pool_params() -> PoolParams {
        PoolParams {
            liquidation_grace_secs: 3_600,
            dust_value_wad: WAD,
        }
    }

    /// Writes back the markets a message changed, as the contract does.
    fn store(ledger: &mut TestLedger, books: Books) {
        for loaded in books.changed() {
            *ledger.books.get_mut(loaded.asset).unwrap() = loaded.market;
        }
    }

    /// The oracle's answer for `asset`.
    fn read_mut(ledger: &mut TestLedger, asset: AccountId) -> &mut Result<PriceData, OracleError> {
        &mut ledger
            .prices
            .iter_mut()
            .find(|(a, _)| *a == asset)
            .unwrap()
            .1
    }

    fn price_mut(ledger: &mut TestLedger, asset: AccountId) -> &mut PriceData {
        read_mut(ledger, asset).as_mut().unwrap()
    }

    /// USD, ETH and BTC at 1, 2,000 and 60,000, every feed `Ok` for a day.
    fn ledger() -> TestLedger {
        let mut prices = prices(2_000);
        prices.push((BTC, Ok(price(60_000))));
        TestLedger {
            books: books(),
            prices,
            now: NOW,
        }
    }

    /// The audit's H-3 scenario with the devnet's TETH risk parameters (LTV 80 %, LT
    /// 85 %, bonus 7.5 %): Mallory supplies 100 TETH at 3,000 and 1 sat of TBTC, both
    /// by herself (so both become collateral), and borrows 240,000 TUSD (HF 1.0625).
    fn mallory() -> (TestLedger, Account) {
        let mut ledger = ledger();
        let eth = ledger.books.get_mut(ETH).unwrap();
        eth.params.config.ltv_wad = 80 * WAD / 100;
        eth.params.config.liquidation_threshold_wad = 85 * WAD / 100;
        eth.params.config.liquidation_bonus_wad = 1_075 * WAD / 1_000;
        price_mut(&mut ledger, ETH).value = 3_000 * 100_000_000;
        let mut account = Account::default();
        let (books, _, _) = supply(&ledger, &mut account, ETH, 100 * WAD, true).unwrap();
        store(&mut ledger, books);
        let (books, _, dust) = supply(&ledger, &mut account, BTC, 1, true).unwrap();
        store(&mut ledger, books);
        assert!(dust, "the dust is collateral");
        let (books, _) = borrow(&ledger, &mut account, USD, 240_000_000_000).unwrap();
        store(&mut ledger, books);
        (ledger, account)
    }

    fn liquidate_all(
        ledger: &TestLedger,
        account: &mut Account,
    ) -> Result<(Books, LiquidationOutcome), PoolError> {
        let request = LiquidationRequest {
            debt_asset: USD,
            collateral_asset: ETH,
            repay_amount: ALL,
            min_collateral_out: 0,
        };
        liquidate(
            ledger,
            &pool_params(),
            LIQUIDATOR,
            MALLORY,
            account,
            &request,
            None,
        )
    }

    #[test]
    fn mallorys_dust_in_a_feed_nobody_vouches_for_does_not_save_her() {
        // The TBTC feed is frozen, suspect, stale, just back and in its grace period, or
        // has no price at all (a new listing, a removed feed); TETH falls to 2,800 in
        // small steps and stays Ok (HF 0.9917).
        let answers = [
            Ok(PriceData {
                status: FeedStatus::Frozen,
                ..price(60_000)
            }),
            Ok(PriceData {
                status: FeedStatus::Suspect,
                ..price(60_000)
            }),
            Ok(PriceData {
                status: FeedStatus::Stale,
                ..price(60_000)
            }),
            Ok(PriceData {
                ok_since_secs: NOW,
                ..price(60_000)
            }),
            Err(OracleError::NoPrice),
            Err(OracleError::UnknownFeed),
        ];
        for answer in answers {
            let (mut ledger, mut account) = mallory();
            *read_mut(&mut ledger, BTC) = answer;
            price_mut(&mut ledger, ETH).value = 2_800 * 100_000_000;
            let (books, outcome) = liquidate_all(&ledger, &mut account)
                .unwrap_or_else(|err| panic!("TBTC {answer:?}: {err:?}"));
            store(&mut ledger, books);
            // Half the debt repaid for 120,000 * 1.075 / 2,800 = 46.07 TETH; no bad debt.
            assert_eq!(outcome.plan.repay, 120_000_000_000);
            assert_eq!(outcome.plan.collateral_seized, 46_071_428_571_428_571_428);
            assert!(outcome.bad_debt.is_empty());
            assert_eq!(ledger.books.get(USD).unwrap().state.deficit, 0);
            assert_eq!(account.position(USD).unwrap().scaled_debt, 120_000_000_000);
            assert!(
                account.position(BTC).unwrap().is_collateral(),
                "the dust stays"
            );
        }
    }

    #[test]
    fn the_repaid_and_the_seized_asset_still_need_usable_prices() {
        let (mut ledger, mut account) = mallory();
        price_mut(&mut ledger, ETH).value = 2_800 * 100_000_000;
        price_mut(&mut ledger, ETH).status = FeedStatus::Suspect;
        assert_eq!(
            liquidate_all(&ledger, &mut account.clone()).map(|_| ()),
            Err(PoolError::PriceNotOk(ETH, FeedStatus::Suspect))
        );
        price_mut(&mut ledger, ETH).status = FeedStatus::Ok;
        price_mut(&mut ledger, ETH).ok_since_secs = NOW - 3_599;
        assert_eq!(
            liquidate_all(&ledger, &mut account.clone()).map(|_| ()),
            Err(PoolError::LiquidationGracePeriod)
        );
        price_mut(&mut ledger, ETH).ok_since_secs = NOW - 3_600;
        *read_mut(&mut ledger, USD) = Err(OracleError::UnknownFeed);
        assert_eq!(
            liquidate_all(&ledger, &mut account).map(|_| ()),
            Err(PoolError::Oracle(OracleError::UnknownFeed))
        );
    }

    #[test]
    fn supply_makes_no_collateral_of_an_asset_without_an_ok_price() {
        let answers = [
            Ok(PriceData {
                status: FeedStatus::Stale,
                ..price(60_000)
            }),
            Ok(PriceData {
                status: FeedStatus::Suspect,
                ..price(60_000)
            }),
            Ok(PriceData {
                status: FeedStatus::Frozen,
                ..price(60_000)
            }),
            Ok(PriceData {
                status: FeedStatus::Emergency,
                ..price(60_000)
            }),
            Err(OracleError::NoPrice),
        ];
        for answer in answers {
            let mut ledger = ledger();
            *read_mut(&mut ledger, BTC) = answer;
            let mut account = Account::default();
            let (books, _, becomes) = supply(&ledger, &mut account, BTC, 1, true).unwrap();
            store(&mut ledger, books);
            assert!(!becomes, "{answer:?}");
            let position = *account.position(BTC).unwrap();
            assert_eq!(position.collateral, Collateral::Unchosen, "{answer:?}");
            // Once the price is Ok again, the owner's next own supply decides.
            *read_mut(&mut ledger, BTC) = Ok(price(60_000));
            let (_, _, becomes) = supply(&ledger, &mut account, BTC, 1, true).unwrap();
            assert!(becomes && account.position(BTC).unwrap().is_collateral());
        }
    }

    #[test]
    fn enable_collateral_needs_an_ok_price() {
        let mut ledger = ledger();
        let mut account = Account::default();
        let (books, _, _) = supply(&ledger, &mut account, BTC, 1, false).unwrap();
        store(&mut ledger, books);
        for status in [FeedStatus::Frozen, FeedStatus::Emergency] {
            price_mut(&mut ledger, BTC).status = status;
            assert_eq!(
                set_collateral(&ledger, &mut account.clone(), BTC, true),
                Err(PoolError::PriceNotOk(BTC, status))
            );
        }
        *read_mut(&mut ledger, BTC) = Err(OracleError::NoPrice);
        assert_eq!(
            set_collateral(&ledger, &mut account.clone(), BTC, true),
            Err(PoolError::Oracle(OracleError::NoPrice))
        );
        *read_mut(&mut ledger, BTC) = Ok(price(60_000));
        assert_eq!(set_collateral(&ledger, &mut account, BTC, true), Ok(()));
        assert!(account.position(BTC).unwrap().is_collateral());
    }

    #[test]
    fn auto_collateral_respects_the_collateral_pause() {
        let mut ledger = ledger();
        ledger.books.get_mut(BTC).unwrap().paused.collateral = true;
        let mut account = Account::default();
        let (_, _, becomes) = supply(&ledger, &mut account, BTC, 1, true).unwrap();
        assert!(!becomes);
        assert_eq!(
            account.position(BTC).unwrap().collateral,
            Collateral::Unchosen
        );
    }

    #[test]
    fn a_gift_ahead_of_the_owners_first_supply_does_not_stop_it_becoming_collateral() {
        let mut ledger = ledger();
        let mut account = Account::default();
        // Mallory front-runs with 1 wei on the victim's behalf.
        let (books, _, becomes) = supply(&ledger, &mut account, ETH, 1, false).unwrap();
        store(&mut ledger, books);
        assert!(!becomes);
        assert!(
            !account.position(ETH).unwrap().is_collateral(),
            "a gift chooses nothing"
        );
        let (books, _, becomes) = supply(&ledger, &mut account, ETH, 5 * WAD, true).unwrap();
        store(&mut ledger, books);
        assert!(becomes, "the owner's own first supply decides");
        assert!(account.position(ETH).unwrap().is_collateral());
        // Nor does a gift change a choice once made.
        set_collateral(&ledger, &mut account, ETH, false).unwrap();
        supply(&ledger, &mut account, ETH, 1, false).unwrap();
        assert_eq!(account.position(ETH).unwrap().collateral, Collateral::Off);
    }

    #[test]
    fn the_owners_supply_never_turns_back_on_collateral_it_switched_off() {
        let mut ledger = ledger();
        let mut account = Account::default();
        let (books, _, _) = supply(&ledger, &mut account, ETH, WAD, true).unwrap();
        store(&mut ledger, books);
        let (books, _, _) = supply(&ledger, &mut account, USD, 50_000_000, true).unwrap();
        store(&mut ledger, books);
        let (books, _) = borrow(&ledger, &mut account, USD, 100_000_000).unwrap();
        store(&mut ledger, books);
        set_collateral(&ledger, &mut account, USD, false).unwrap();
        // The whole USD supply leaves; the position stays for the debt, switched off.
        let (books, _, _) = withdraw(&ledger, &mut account, USD, ALL).unwrap();
        store(&mut ledger, books);
        assert_eq!(account.position(USD).unwrap().collateral, Collateral::Off);
        let (_, _, becomes) = supply(&ledger, &mut account, USD, 10_000_000, true).unwrap();
        assert!(!becomes);
        assert!(
            !account.position(USD).unwrap().is_collateral(),
            "the owner's choice stands"
        );
    }

    #[test]
    fn a_position_opened_by_a_borrow_becomes_collateral_at_the_owners_first_supply() {
        let mut ledger = ledger();
        let mut account = Account::default();
        let (books, _, _) = supply(&ledger, &mut account, ETH, WAD, true).unwrap();
        store(&mut ledger, books);
        let (books, _) = borrow(&ledger, &mut account, USD, 100_000_000).unwrap();
        store(&mut ledger, books);
        assert_eq!(
            account.position(USD).unwrap().collateral,
            Collateral::Unchosen
        );
        let (_, _, becomes) = supply(&ledger, &mut account, USD, 10_000_000, true).unwrap();
        assert!(becomes && account.position(USD).unwrap().is_collateral());
    }

    #[test]
    fn emergency_prices_open_no_borrowing_and_no_collateral_withdrawal() {
        let mut ledger = ledger();
        let mut account = Account::default();
        let (books, _, _) = supply(&ledger, &mut account, ETH, WAD, true).unwrap();
        store(&mut ledger, books);
        let (books, _, _) = supply(&ledger, &mut account, BTC, 100_000, true).unwrap();
        store(&mut ledger, books);
        let (books, _) = borrow(&ledger, &mut account, USD, 100_000_000).unwrap();
        store(&mut ledger, books);
        price_mut(&mut ledger, ETH).status = FeedStatus::Emergency;
        let emergency = Err(PoolError::PriceNotOk(ETH, FeedStatus::Emergency));
        assert_eq!(
            borrow(&ledger, &mut account.clone(), USD, 1).map(|_| ()),
            emergency
        );
        assert_eq!(
            withdraw(&ledger, &mut account.clone(), ETH, 1).map(|_| ()),
            emergency
        );
        assert_eq!(
            set_collateral(&ledger, &mut account.clone(), BTC, false),
            emergency
        );
        // Repaying never needs a price.
        assert!(repay(&ledger, &mut account, USD, ALL).is_ok());
    }

    /// A ledger whose USD market has lent 1,500 USD to a borrower at the 1,000 %/yr cap and
    /// seen no accrual for three years: past the borrow index's horizon (audit L-3).
    fn past_the_accrual_horizon() -> (TestLedger, Account) {
        let mut ledger = ledger();
        let usd = &mut ledger.books.markets[0].market;
        usd.params.config.rate_model = carrack_core::RateModel {
            base_rate_wad: 10 * WAD,
            slope_low_wad: 0,
            slope_high_wad: 0,
            optimal_utilization_wad: WAD / 2,
        };
        let account = borrower(&mut ledger.books, 1, 1_500);
        ledger.now = NOW + 3 * 31_536_000;
        (ledger, account)
    }

    #[test]
    fn a_market_past_its_accrual_horizon_still_lets_borrowers_repay_and_leave() {
        let (ledger, mut account) = past_the_accrual_horizon();
        let (books, repaid, _) = repay(&ledger, &mut account, USD, ALL).unwrap();
        assert_eq!(
            repaid, 1_500_000_000,
            "the interest that cannot be counted is forgone"
        );
        let usd = books.get(USD).unwrap();
        assert!(
            usd.paused.borrow && usd.paused.supply,
            "nobody borrows or supplies at an index that no longer grows"
        );
        assert_eq!(usd.state.last_accrual_secs, ledger.now);
        // With the debt gone, the ETH collateral leaves too.
        let (_, withdrawn, _) = withdraw(&ledger, &mut account, ETH, ALL).unwrap();
        assert_eq!(withdrawn, WAD);
    }

    #[test]
    fn governance_repairs_a_market_past_its_accrual_horizon() {
        let (mut ledger, _) = past_the_accrual_horizon();
        let mut calm = *ledger.books.get(USD).unwrap();
        calm.params.config.rate_model.base_rate_wad = WAD / 100;
        let books = set_market_params(&ledger, USD, calm.params).unwrap();
        let usd = *books.get(USD).unwrap();
        assert_eq!(usd.params, calm.params);
        // At sane rates the market accrues again once governance unpauses it.
        ledger.books.markets[0].market = usd;
        ledger.now += 86_400;
        let books = ledger.load_books(&[USD]).unwrap();
        let accrued = books.get(USD).unwrap().state;
        assert!(accrued.borrow_index_ray > usd.state.borrow_index_ray);
    }

    #[test]
    fn unpausing_starts_the_grace_only_when_liquidation_resumes() {
        let mut market = market(18, 1);
        pause(&mut market, Actions::ALL);
        let supply_only = Actions {
            supply: true,
            ..Actions::default()
        };
        unpause(&mut market, supply_only, NOW, 3_600);
        assert_eq!(
            market.liquidation_grace_until_secs, 0,
            "supply was unpaused, not liquidation"
        );
        unpause(&mut market, Actions::default(), NOW, 3_600);
        assert_eq!(
            market.liquidation_grace_until_secs, 0,
            "nothing was unpaused"
        );
        unpause(&mut market, Actions::ALL, NOW, 3_600);
        assert_eq!(market.liquidation_grace_until_secs, NOW + 3_600);
        // Unpausing a liquidation that is not paused starts nothing.
        unpause(&mut market, Actions::ALL, NOW + 7_200, 3_600);
        assert_eq!(market.liquidation_grace_until_secs, NOW + 3_600);
    }
}
