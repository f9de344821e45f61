//! The plain logic of the pool's messages: each function here is what a message runs
//! between "load" and "store". It reads markets, prices and the time through a
//! [`Ledger`] (the contract's storage and oracle on chain, a model in the native tests),
//! changes the account and the loaded [`Books`] in memory, and returns what the message
//! stores, emits and transfers. Nothing here writes storage or moves tokens, so the
//! invariant fuzzer (`fuzz.rs`) drives exactly the code the messages run.

use crate::account::Account;
use crate::books::Books;
use crate::error::PoolError;
use crate::health::{account_health, require_fresh, require_within_borrowing_power, PriceList};
use crate::liquidation::{self, LiquidationOutcome, LiquidationRequest, LiquidationRules};
use crate::market::{Actions, Market, MarketParams};
use crate::params::PoolParams;
use carrack_core::CoreError;
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;

/// Where a message reads markets, prices and the time.
pub trait Ledger {
    /// Loads the markets of `assets` into `books`, accrued to now, unless loaded already;
    /// [`PoolError::UnknownMarket`] for an asset without a market.
    fn load_into(&self, books: &mut Books, assets: &[AccountId]) -> Result<(), PoolError>;

    /// The prices of `assets` in one oracle read, paired with their assets.
    fn read_prices(&self, assets: Vec<AccountId>) -> Result<PriceList, PoolError>;

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
    let prices = ledger.read_prices(assets)?;
    require_fresh(&prices, ledger.now_secs(), None)?;
    require_within_borrowing_power(&account_health(account, books, &prices)?)
}

/// `supply`: credits `amount` of `asset` to `account` (the `on_behalf_of` account);
/// `by_owner` says whether the payer is that account (only then may a first supply
/// enable collateral). Returns the books to store and the scaled supply minted.
pub fn supply(
    ledger: &impl Ledger,
    account: &mut Account,
    asset: AccountId,
    amount: u128,
    by_owner: bool,
) -> Result<(Books, u128), PoolError> {
    let mut books = ledger.load_books(&[asset])?;
    let market = books.get_mut(asset)?;
    if market.paused.supply {
        return Err(PoolError::ActionPaused);
    }
    let config = *market.config();
    let auto_collateral = by_owner && market.params.collateral_enabled && config.ltv_wad != 0;
    let scaled = market.state.supply(&config, amount)?;
    let position = account.open(asset, false)?;
    if position.scaled_supply == 0 && auto_collateral {
        position.collateral = true;
    }
    position.scaled_supply = position
        .scaled_supply
        .checked_add(scaled)
        .ok_or(CoreError::Overflow)?;
    Ok((books, scaled))
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
    let position = account.open(asset, false)?;
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
/// `asset` counts as collateral. Only the account changes (markets are read, not stored).
pub fn set_collateral(
    ledger: &impl Ledger,
    account: &mut Account,
    asset: AccountId,
    enabled: bool,
) -> Result<(), PoolError> {
    let position = account.position_mut(asset)?;
    let was_counting = position.is_collateral();
    position.collateral = enabled;
    let mut books = ledger.load_books(&[asset])?;
    let market = books.get(asset)?;
    if market.paused.collateral {
        return Err(PoolError::ActionPaused);
    }
    if enabled && !market.params.collateral_enabled {
        return Err(PoolError::CollateralDisabled);
    }
    if was_counting && !enabled && account.has_debt() {
        require_healthy(ledger, account, &mut books)?;
    }
    Ok(())
}

/// `liquidate`: `liquidator` repays part of `borrower`'s debt for its collateral (see
/// [`liquidation::liquidate`]), with the prices of every priced position read at once.
/// Returns the books to store and what the liquidation did.
pub fn liquidate(
    ledger: &impl Ledger,
    params: &PoolParams,
    liquidator: AccountId,
    borrower: AccountId,
    account: &mut Account,
    request: &LiquidationRequest,
) -> Result<(Books, LiquidationOutcome), PoolError> {
    if liquidator == borrower {
        return Err(PoolError::SelfLiquidation);
    }
    // Only priced positions matter: the debt and collateral sides must be priced
    // (else NoDebt / NoCollateral), and so is every debt a write-off touches.
    let priced = account.priced_assets();
    let mut books = ledger.load_books(&priced)?;
    let prices = ledger.read_prices(priced)?;
    let rules = LiquidationRules {
        dust_value_wad: params.dust_value_wad,
        grace_secs: params.liquidation_grace_secs,
        now_secs: ledger.now_secs(),
    };
    let outcome = liquidation::liquidate(account, &mut books, &prices, request, &rules)?;
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

/// `unpause`: removes `actions` from the market's paused actions and starts its
/// liquidation grace period.
pub fn unpause(market: &mut Market, actions: Actions, now_secs: u64, grace_secs: u64) {
    market.paused = market.paused.minus(actions);
    // Saturating: a grace period past u64::MAX is the same as forever.
    market.liquidation_grace_until_secs = now_secs.saturating_add(grace_secs);
}
