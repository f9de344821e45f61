//! The pool's rules, one function per message: each reads markets, accounts, prices and
//! the time through [`PoolReads`] (the contract's storage and oracle on chain, a model in
//! the native tests and the invariant fuzzer `fuzz/`), works on the accounts and the
//! [`LoadedMarkets`] in memory, and returns an [`Outcome`]: what the message stores,
//! emits and transfers, which [`crate::outcome::commit`] applies. Nothing here writes
//! storage or moves tokens, so the native tests and the fuzzer run exactly the code the
//! messages run, effects included. Who may call a message (roles) is the message's own
//! check, in `lib.rs`.

use crate::account::{Account, Collateral};
use crate::error::PoolError;
use crate::events::{
    BadDebtWrittenOff, Borrowed, CollateralChanged, Liquidated, MarketAccrual, MarketListed,
    MarketParamsChanged, PauseChanged, Repaid, ReservesWithdrawn, SeizedAsSupply, Supplied,
    Withdrawn,
};
use crate::health::{account_health, require_ok, require_within_borrowing_power, PriceList};
use crate::liquidation::{self, LiquidationOutcome, LiquidationRequest, LiquidationRules};
use crate::loaded_markets::LoadedMarkets;
use crate::market::{Market, MarketParams, PauseFlags, MAX_MARKETS};
use crate::outcome::{Outcome, Transfer};
use crate::params::PoolParams;
use carrack_core::CoreError;
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;

/// Where a message reads markets, accounts, prices, token decimals and the time.
pub trait PoolReads {
    /// The market of `asset` as stored (not accrued); [`PoolError::UnknownMarket`]
    /// without one.
    fn market_record(&self, asset: AccountId) -> Result<Market, PoolError>;

    /// The listed markets' assets, in listing order.
    fn listed_assets(&self) -> Vec<AccountId>;

    /// `owner`'s account (empty if it has none).
    fn account_of(&self, owner: AccountId) -> Account;

    /// The prices of `assets` in one oracle read, paired with their assets: one answer
    /// per asset (an asset without a price fails only its own entry).
    fn read_prices(&self, assets: &[AccountId]) -> Result<PriceList, PoolError>;

    /// The token's own `token_decimals`; [`PoolError::TokenCallFailed`] if the call
    /// fails.
    fn token_decimals(&self, asset: AccountId) -> Result<u8, PoolError>;

    /// Block time in whole seconds.
    fn now_secs(&self) -> u64;

    /// The pool's own address.
    fn pool_account(&self) -> AccountId;

    /// Loads the markets of `assets` into `markets`, accrued to now, unless loaded
    /// already; [`PoolError::UnknownMarket`] for an asset without a market.
    fn load_into(
        &self,
        markets: &mut LoadedMarkets,
        assets: &[AccountId],
    ) -> Result<(), PoolError> {
        let now = self.now_secs();
        for asset in assets {
            if !markets.contains(*asset) {
                markets.load(*asset, self.market_record(*asset)?, now)?;
            }
        }
        Ok(())
    }

    /// The markets of `assets`, accrued to now.
    fn load_markets(&self, assets: &[AccountId]) -> Result<LoadedMarkets, PoolError> {
        let mut markets = LoadedMarkets::default();
        self.load_into(&mut markets, assets)?;
        Ok(markets)
    }
}

/// Loads the markets of the account's priced positions and reads their prices; refuses
/// unless every price is `Ok` and the debt is within borrowing power.
pub fn require_healthy(
    reads: &impl PoolReads,
    account: &Account,
    books: &mut LoadedMarkets,
) -> Result<(), PoolError> {
    let assets = account.priced_assets();
    reads.load_into(books, &assets)?;
    let prices = reads.read_prices(&assets)?;
    require_ok(&prices)?;
    require_within_borrowing_power(&account_health(account, books, &prices)?)
}

/// Refuses unless the oracle answers an `Ok` price for `asset`: with the oracle's error,
/// [`PoolError::PriceNotOk`], or the call's failure.
fn require_ok_price(reads: &impl PoolReads, asset: AccountId) -> Result<(), PoolError> {
    require_ok(&reads.read_prices(&[asset])?)
}

/// Refuses to send tokens to the pool's own address: PSP22 `transfer` to oneself moves
/// nothing, so the claim would be burned and the tokens left outside the books for good.
pub(crate) fn ensure_not_pool(reads: &impl PoolReads, to: AccountId) -> Result<(), PoolError> {
    if to == reads.pool_account() {
        return Err(PoolError::RecipientIsPool);
    }
    Ok(())
}

/// An outcome that writes back `markets`' changed markets, market by market in load
/// order: `PauseChanged` by the pool itself for a market whose load found it past its
/// accrual horizon (and paused its lending), and the accrual of each market whose indices
/// moved, for the action's own event to carry ([`Outcome::take_accrual`]) or `commit` to
/// report as `InterestAccrued`.
pub(crate) fn storing(reads: &impl PoolReads, markets: LoadedMarkets) -> Outcome {
    let mut outcome = Outcome::default();
    for loaded in markets.changed() {
        let market = &loaded.market;
        if loaded.halted_lending() {
            outcome.emit(PauseChanged {
                asset: loaded.asset,
                by: reads.pool_account(),
                paused: market.paused,
                liquidation_grace_until_secs: market.liquidation_grace_until_secs,
            });
        }
        if loaded.reports_accrual() {
            outcome.accruals.push((
                loaded.asset,
                MarketAccrual {
                    interest: loaded.accrual.interest,
                    reserve_share: loaded.accrual.reserve_share,
                    deficit_covered: loaded.accrual.deficit_covered,
                    borrow_index_ray: market.state.borrow_index_ray,
                    supply_index_ray: market.state.supply_index_ray,
                },
            ));
        }
    }
    outcome.markets = markets;
    outcome
}

/// `supply`: `payer` supplies `amount` of `asset` to `on_behalf_of`'s position. Only the
/// owner's own supply (`payer == on_behalf_of`) can make collateral of it, and only of a
/// position whose owner has not chosen yet ([`Collateral::Unchosen`]): it turns `On` when
/// the market takes collateral (enabled, LTV above zero, collateral not paused) and the
/// oracle answers an `Ok` price for the asset, emitting `CollateralChanged`; otherwise it
/// stays unchosen and the supply goes through all the same. A supply on someone else's
/// behalf never changes their flag. Pulls `amount` from `payer`.
pub fn supply(
    reads: &impl PoolReads,
    payer: AccountId,
    asset: AccountId,
    amount: u128,
    on_behalf_of: AccountId,
) -> Result<Outcome, PoolError> {
    let mut account = reads.account_of(on_behalf_of);
    let mut books = reads.load_markets(&[asset])?;
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
    let by_owner = payer == on_behalf_of;
    let chooses = by_owner && position.collateral == Collateral::Unchosen && takes_collateral;
    // The price is read only when it decides something; a price that is not `Ok` (or a
    // failed read) leaves the choice open rather than refusing the supply.
    let becomes_collateral = chooses && require_ok_price(reads, asset).is_ok();
    if becomes_collateral {
        account.position_mut(asset)?.collateral = Collateral::On;
    }
    let mut outcome = storing(reads, books);
    outcome.accounts.push((on_behalf_of, account));
    let accrual = outcome.take_accrual(asset);
    outcome.emit(Supplied {
        asset,
        payer,
        on_behalf_of,
        amount,
        scaled,
        accrual,
    });
    if becomes_collateral {
        outcome.emit(CollateralChanged {
            asset,
            account: on_behalf_of,
            enabled: true,
        });
    }
    outcome.transfers.push(Transfer::In {
        asset,
        from: payer,
        amount,
    });
    Ok(outcome)
}

/// `withdraw`: takes `amount` (or `u128::MAX` for everything) of `asset` out of
/// `caller`'s supply and sends it to `to` (never the pool itself). Withdrawing collateral
/// while owing needs every price `Ok` and the debt within the remaining borrowing power.
/// Returns the outcome and the amount withdrawn.
pub fn withdraw(
    reads: &impl PoolReads,
    caller: AccountId,
    asset: AccountId,
    amount: u128,
    to: AccountId,
) -> Result<(Outcome, u128), PoolError> {
    ensure_not_pool(reads, to)?;
    let mut account = reads.account_of(caller);
    let position = *account.position_mut(asset)?;
    let check_health = position.is_collateral() && account.has_debt();
    let mut books = reads.load_markets(&[asset])?;
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
        require_healthy(reads, &account, &mut books)?;
    }
    account.prune();
    let mut outcome = storing(reads, books);
    outcome.accounts.push((caller, account));
    let accrual = outcome.take_accrual(asset);
    outcome.emit(Withdrawn {
        asset,
        account: caller,
        to,
        amount,
        scaled,
        accrual,
    });
    outcome.transfers.push(Transfer::Out { asset, to, amount });
    Ok((outcome, amount))
}

/// `borrow`: lends `amount` of `asset` to `caller` and sends it to them. Needs every
/// price of the account `Ok` and the debt within its borrowing power, the market's
/// borrow cap and minimum debt.
pub fn borrow(
    reads: &impl PoolReads,
    caller: AccountId,
    asset: AccountId,
    amount: u128,
) -> Result<Outcome, PoolError> {
    let mut account = reads.account_of(caller);
    let mut books = reads.load_markets(&[asset])?;
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
    require_healthy(reads, &account, &mut books)?;
    let mut outcome = storing(reads, books);
    outcome.accounts.push((caller, account));
    let accrual = outcome.take_accrual(asset);
    outcome.emit(Borrowed {
        asset,
        account: caller,
        amount,
        scaled,
        accrual,
    });
    outcome.transfers.push(Transfer::Out {
        asset,
        to: caller,
        amount,
    });
    Ok(outcome)
}

/// `repay`: `payer` pays `amount` (or `u128::MAX` for the whole debt) of `on_behalf_of`'s
/// debt in `asset`. Never paused and needs no price. Returns the outcome and the amount
/// repaid (pulled from `payer`).
pub fn repay(
    reads: &impl PoolReads,
    payer: AccountId,
    asset: AccountId,
    amount: u128,
    on_behalf_of: AccountId,
) -> Result<(Outcome, u128), PoolError> {
    let mut account = reads.account_of(on_behalf_of);
    let position = account.position_mut(asset).map_err(|_| CoreError::NoDebt)?;
    let mut books = reads.load_markets(&[asset])?;
    let market = books.get_mut(asset)?;
    let config = *market.config();
    let (amount, scaled) = market.state.repay(&config, position.scaled_debt, amount)?;
    position.scaled_debt = position
        .scaled_debt
        .checked_sub(scaled)
        .ok_or(CoreError::Underflow)?;
    account.prune();
    let mut outcome = storing(reads, books);
    outcome.accounts.push((on_behalf_of, account));
    let accrual = outcome.take_accrual(asset);
    outcome.emit(Repaid {
        asset,
        payer,
        on_behalf_of,
        amount,
        scaled,
        accrual,
    });
    outcome.transfers.push(Transfer::In {
        asset,
        from: payer,
        amount,
    });
    Ok((outcome, amount))
}

/// `enable_collateral` / `disable_collateral`: sets whether `caller`'s supply of `asset`
/// counts as collateral (the owner's choice, which supplies never override). Enabling
/// needs an `Ok` price for `asset` (and no other); disabling collateral that counts while
/// owing needs every price `Ok` and the debt within the remaining borrowing power. Only
/// the account is written back (markets are read, not stored).
pub fn set_collateral(
    reads: &impl PoolReads,
    caller: AccountId,
    asset: AccountId,
    enabled: bool,
) -> Result<Outcome, PoolError> {
    let mut account = reads.account_of(caller);
    let position = account.position_mut(asset)?;
    let was_counting = position.is_collateral();
    position.collateral = if enabled {
        Collateral::On
    } else {
        Collateral::Off
    };
    let mut books = reads.load_markets(&[asset])?;
    let market = books.get(asset)?;
    if market.paused.collateral {
        return Err(PoolError::ActionPaused);
    }
    if enabled && !market.params.collateral_enabled {
        return Err(PoolError::CollateralDisabled);
    }
    if enabled {
        require_ok_price(reads, asset)?;
    }
    if was_counting && !enabled && account.has_debt() {
        require_healthy(reads, &account, &mut books)?;
    }
    let mut outcome = Outcome::default();
    outcome.accounts.push((caller, account));
    outcome.emit(CollateralChanged {
        asset,
        account: caller,
        enabled,
    });
    Ok(outcome)
}

/// `liquidate` (`to_supply` false) and `liquidate_to_supply` (true): `liquidator` repays
/// part of `borrower`'s debt for its collateral (see [`liquidation::liquidate`]), with
/// the prices of every priced position read at once (one answer per asset: only the
/// repaid and the seized asset need a usable one). With `to_supply`, the liquidator's
/// collateral is credited to its own account as supply (emitting `SeizedAsSupply`)
/// instead of sent in tokens. Debt left without collateral is written off (one
/// `BadDebtWrittenOff` per market). Pulls the repayment from `liquidator`, then, paid in
/// tokens, sends it its collateral. Returns the outcome and what the liquidation did.
pub fn liquidate(
    reads: &impl PoolReads,
    params: &PoolParams,
    liquidator: AccountId,
    borrower: AccountId,
    request: &LiquidationRequest,
    to_supply: bool,
) -> Result<(Outcome, LiquidationOutcome), PoolError> {
    if liquidator == borrower {
        return Err(PoolError::SelfLiquidation);
    }
    let mut account = reads.account_of(borrower);
    let mut receiver = if to_supply {
        Some(reads.account_of(liquidator))
    } else {
        None
    };
    // Only priced positions matter: the debt and collateral sides must be priced
    // (else NoDebt / NoCollateral), and so is every debt a write-off touches.
    let priced = account.priced_assets();
    let mut books = reads.load_markets(&priced)?;
    let prices = reads.read_prices(&priced)?;
    let rules = LiquidationRules {
        dust_value_wad: params.dust_value_wad,
        grace_secs: params.liquidation_grace_secs,
        now_secs: reads.now_secs(),
    };
    let done = liquidation::liquidate(
        &mut account,
        &mut books,
        &prices,
        request,
        &rules,
        receiver.as_mut(),
    )?;
    let mut outcome = storing(reads, books);
    outcome.accounts.push((borrower, account));
    if let Some(receiver) = receiver {
        // Never empty: it was just credited a position.
        outcome.accounts.push((liquidator, receiver));
    }
    let plan = done.plan;
    let (debt_asset, collateral_asset) = (request.debt_asset, request.collateral_asset);
    let debt_accrual = outcome.take_accrual(debt_asset);
    let collateral_accrual = outcome.take_accrual(collateral_asset);
    outcome.emit(Liquidated {
        borrower,
        liquidator,
        debt_asset,
        collateral_asset,
        repaid: plan.repay,
        collateral_seized: plan.collateral_seized,
        protocol_fee: plan.protocol_fee,
        debt_scaled_burned: done.debt_scaled_burned,
        collateral_scaled_burned: done.collateral_scaled_burned,
        debt_accrual,
        collateral_accrual,
    });
    if let Some(scaled) = done.credited_scaled {
        outcome.emit(SeizedAsSupply {
            asset: collateral_asset,
            liquidator,
            amount: plan.liquidator_collateral,
            scaled,
        });
    }
    for (asset, write_off) in &done.bad_debt {
        outcome.emit(BadDebtWrittenOff {
            asset: *asset,
            borrower,
            debt: write_off.debt,
            scaled_debt: write_off.scaled_debt,
            absorbed_by_reserves: write_off.absorbed_by_reserves,
            added_to_deficit: write_off.added_to_deficit,
        });
    }
    outcome.transfers.push(Transfer::In {
        asset: debt_asset,
        from: liquidator,
        amount: plan.repay,
    });
    if !to_supply {
        outcome.transfers.push(Transfer::Out {
            asset: collateral_asset,
            to: liquidator,
            amount: plan.liquidator_collateral,
        });
    }
    Ok((outcome, done))
}

/// `list_market`: lists a market for `asset` with `params`, seeded with `seed_amount`
/// pulled from `payer` and supplied as dead shares nobody owns, so the market can never
/// be empty (no share inflation). Refused for a listed asset, past [`MAX_MARKETS`], and
/// unless `params.config.decimals` is the token's own `token_decimals` (asked only once
/// the cheaper checks passed).
pub fn list_market(
    reads: &impl PoolReads,
    payer: AccountId,
    asset: AccountId,
    params: MarketParams,
    seed_amount: u128,
) -> Result<Outcome, PoolError> {
    let assets = reads.listed_assets();
    if assets.contains(&asset) {
        return Err(PoolError::MarketExists);
    }
    if assets.len() >= MAX_MARKETS {
        return Err(PoolError::TooManyMarkets);
    }
    params.validate()?;
    if reads.token_decimals(asset)? != params.config.decimals {
        return Err(PoolError::DecimalsMismatch);
    }
    let market = Market::list(params, seed_amount, reads.now_secs())?;
    let mut outcome = Outcome::default();
    outcome.markets.put(asset, market);
    outcome.emit(MarketListed {
        asset,
        params,
        seed_amount,
    });
    outcome.transfers.push(Transfer::In {
        asset,
        from: payer,
        amount: seed_amount,
    });
    Ok(outcome)
}

/// `set_market_params`: replaces a market's parameters after accruing it at the old
/// ones; decimals cannot change.
pub fn set_market_params(
    reads: &impl PoolReads,
    asset: AccountId,
    params: MarketParams,
) -> Result<Outcome, PoolError> {
    let mut books = reads.load_markets(&[asset])?;
    let market = books.get_mut(asset)?;
    if params.config.decimals != market.config().decimals {
        return Err(PoolError::DecimalsImmutable);
    }
    params.validate()?;
    market.params = params;
    let mut outcome = storing(reads, books);
    outcome.emit(MarketParamsChanged { asset, params });
    Ok(outcome)
}

/// `withdraw_reserves`: sends `amount` of a market's reserves to `to` (never the pool
/// itself); never more than the reserves, so depositors' cash cannot be taken.
pub fn withdraw_reserves(
    reads: &impl PoolReads,
    asset: AccountId,
    amount: u128,
    to: AccountId,
) -> Result<Outcome, PoolError> {
    ensure_not_pool(reads, to)?;
    let mut books = reads.load_markets(&[asset])?;
    books.get_mut(asset)?.state.withdraw_reserves(amount)?;
    let mut outcome = storing(reads, books);
    outcome.emit(ReservesWithdrawn { asset, to, amount });
    outcome.transfers.push(Transfer::Out { asset, to, amount });
    Ok(outcome)
}

/// `pause`: `by` adds `flags` to the market's paused actions. The market is written back
/// as stored, without accruing it.
pub fn pause(
    reads: &impl PoolReads,
    by: AccountId,
    asset: AccountId,
    flags: PauseFlags,
) -> Result<Outcome, PoolError> {
    let mut market = reads.market_record(asset)?;
    market.paused = market.paused.union(flags);
    Ok(pause_changed(by, asset, market))
}

/// `unpause`: `by` removes `flags` from the market's paused actions. Resuming liquidation
/// (clearing a `liquidate` pause in force) starts the market's liquidation grace period
/// of `grace_secs`, so borrowers can act before liquidators; unpausing anything else
/// leaves it as it is. The market is written back as stored, without accruing it.
pub fn unpause(
    reads: &impl PoolReads,
    by: AccountId,
    asset: AccountId,
    flags: PauseFlags,
    grace_secs: u64,
) -> Result<Outcome, PoolError> {
    let mut market = reads.market_record(asset)?;
    let resumes_liquidation = market.paused.liquidate && flags.liquidate;
    market.paused = market.paused.minus(flags);
    if resumes_liquidation {
        // Saturating: a grace period past u64::MAX is the same as forever.
        market.liquidation_grace_until_secs = reads.now_secs().saturating_add(grace_secs);
    }
    Ok(pause_changed(by, asset, market))
}

/// Writes back `market` with its new pauses, emitting `PauseChanged` by `by`.
fn pause_changed(by: AccountId, asset: AccountId, market: Market) -> Outcome {
    let mut outcome = Outcome::default();
    outcome.markets.put(asset, market);
    outcome.emit(PauseChanged {
        asset,
        by,
        paused: market.paused,
        liquidation_grace_until_secs: market.liquidation_grace_until_secs,
    });
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::InterestAccrued;
    use crate::outcome::{commit, PoolEvent};
    use crate::test_fixtures::*;
    use carrack_core::{ALL, WAD};
    use carrack_interfaces::{FeedStatus, OracleError, PriceData};

    const MALLORY: AccountId = AccountId([0x4d; 32]);
    const LIQUIDATOR: AccountId = AccountId([0x4c; 32]);
    const ALICE: AccountId = AccountId([0xa1; 32]);
    const GOVERNANCE: AccountId = AccountId([0x60; 32]);

    fn pool_params() -> PoolParams {
        PoolParams {
            liquidation_grace_secs: 3_600,
            dust_value_wad: WAD,
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
            ..TestLedger::default()
        }
    }

    /// Whether the outcome switches a position on as collateral.
    fn becomes_collateral(outcome: &Outcome) -> bool {
        outcome
            .events
            .iter()
            .any(|e| matches!(e, PoolEvent::CollateralChanged(c) if c.enabled))
    }

    /// The audit's H-3 scenario with the devnet's TETH risk parameters (LTV 80 %, LT
    /// 85 %, bonus 7.5 %): Mallory supplies 100 TETH at 3,000 and 1 sat of TBTC, both
    /// by herself (so both become collateral), and borrows 240,000 TUSD (HF 1.0625).
    fn mallory() -> TestLedger {
        let mut ledger = ledger();
        let eth = ledger.books.get_mut(ETH).unwrap();
        eth.params.config.ltv_wad = 80 * WAD / 100;
        eth.params.config.liquidation_threshold_wad = 85 * WAD / 100;
        eth.params.config.liquidation_bonus_wad = 1_075 * WAD / 1_000;
        price_mut(&mut ledger, ETH).value = 3_000 * 100_000_000;
        ledger.run(supply(&ledger, MALLORY, ETH, 100 * WAD, MALLORY));
        let dust = supply(&ledger, MALLORY, BTC, 1, MALLORY).unwrap();
        assert!(becomes_collateral(&dust), "the dust is collateral");
        ledger.run(Ok(dust));
        ledger.run(borrow(&ledger, MALLORY, USD, 240_000_000_000));
        ledger
    }

    fn liquidate_all(ledger: &TestLedger) -> Result<(Outcome, LiquidationOutcome), PoolError> {
        let request = LiquidationRequest {
            debt_asset: USD,
            collateral_asset: ETH,
            repay_amount: ALL,
            min_collateral_out: 0,
        };
        liquidate(ledger, &pool_params(), LIQUIDATOR, MALLORY, &request, false)
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
            let mut ledger = mallory();
            *read_mut(&mut ledger, BTC) = answer;
            price_mut(&mut ledger, ETH).value = 2_800 * 100_000_000;
            let (outcome, done) =
                liquidate_all(&ledger).unwrap_or_else(|err| panic!("TBTC {answer:?}: {err:?}"));
            // Half the debt repaid for 120,000 * 1.075 / 2,800 = 46.07 TETH; no bad debt.
            assert_eq!(done.plan.repay, 120_000_000_000);
            assert_eq!(done.plan.collateral_seized, 46_071_428_571_428_571_428);
            assert!(done.bad_debt.is_empty());
            // The repayment is pulled first, then the collateral paid out.
            assert_eq!(
                outcome.transfers,
                [
                    Transfer::In {
                        asset: USD,
                        from: LIQUIDATOR,
                        amount: done.plan.repay
                    },
                    Transfer::Out {
                        asset: ETH,
                        to: LIQUIDATOR,
                        amount: done.plan.liquidator_collateral
                    }
                ]
            );
            assert!(matches!(outcome.events[..], [PoolEvent::Liquidated(_)]));
            commit(&mut ledger, outcome).unwrap();
            assert_eq!(ledger.books.get(USD).unwrap().state.deficit, 0);
            let account = ledger.account_of(MALLORY);
            assert_eq!(account.position(USD).unwrap().scaled_debt, 120_000_000_000);
            assert!(
                account.position(BTC).unwrap().is_collateral(),
                "the dust stays"
            );
        }
    }

    #[test]
    fn the_repaid_and_the_seized_asset_still_need_usable_prices() {
        let mut ledger = mallory();
        price_mut(&mut ledger, ETH).value = 2_800 * 100_000_000;
        price_mut(&mut ledger, ETH).status = FeedStatus::Suspect;
        assert_eq!(
            liquidate_all(&ledger).map(|_| ()),
            Err(PoolError::PriceNotOk(ETH, FeedStatus::Suspect))
        );
        price_mut(&mut ledger, ETH).status = FeedStatus::Ok;
        price_mut(&mut ledger, ETH).ok_since_secs = NOW - 3_599;
        assert_eq!(
            liquidate_all(&ledger).map(|_| ()),
            Err(PoolError::LiquidationGracePeriod)
        );
        price_mut(&mut ledger, ETH).ok_since_secs = NOW - 3_600;
        *read_mut(&mut ledger, USD) = Err(OracleError::UnknownFeed);
        assert_eq!(
            liquidate_all(&ledger).map(|_| ()),
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
            let outcome = supply(&ledger, ALICE, BTC, 1, ALICE).unwrap();
            assert!(!becomes_collateral(&outcome), "{answer:?}");
            ledger.run(Ok(outcome));
            let position = *ledger.account_of(ALICE).position(BTC).unwrap();
            assert_eq!(position.collateral, Collateral::Unchosen, "{answer:?}");
            // Once the price is Ok again, the owner's next own supply decides.
            *read_mut(&mut ledger, BTC) = Ok(price(60_000));
            let outcome = supply(&ledger, ALICE, BTC, 1, ALICE).unwrap();
            let account = outcome.account(ALICE).unwrap();
            assert!(becomes_collateral(&outcome) && account.position(BTC).unwrap().is_collateral());
        }
    }

    #[test]
    fn enable_collateral_needs_an_ok_price() {
        let mut ledger = ledger();
        ledger.run(supply(&ledger, MALLORY, BTC, 1, ALICE));
        for status in [FeedStatus::Frozen, FeedStatus::Emergency] {
            price_mut(&mut ledger, BTC).status = status;
            assert_eq!(
                set_collateral(&ledger, ALICE, BTC, true).map(|_| ()),
                Err(PoolError::PriceNotOk(BTC, status))
            );
        }
        *read_mut(&mut ledger, BTC) = Err(OracleError::NoPrice);
        assert_eq!(
            set_collateral(&ledger, ALICE, BTC, true).map(|_| ()),
            Err(PoolError::Oracle(OracleError::NoPrice))
        );
        *read_mut(&mut ledger, BTC) = Ok(price(60_000));
        ledger.run(set_collateral(&ledger, ALICE, BTC, true));
        assert!(ledger
            .account_of(ALICE)
            .position(BTC)
            .unwrap()
            .is_collateral());
    }

    /// Alice supplies ETH herself (collateral), is given BTC by Mallory (not collateral,
    /// not chosen) and borrows 100 USD.
    fn alice_owing_with_a_gift() -> TestLedger {
        let mut ledger = ledger();
        ledger.run(supply(&ledger, ALICE, ETH, WAD, ALICE));
        ledger.run(supply(&ledger, MALLORY, BTC, 100_000, ALICE));
        ledger.run(borrow(&ledger, ALICE, USD, 100_000_000));
        let account = ledger.account_of(ALICE);
        assert!(account.position(ETH).unwrap().is_collateral());
        assert!(!account.position(BTC).unwrap().is_collateral());
        ledger
    }

    #[test]
    fn a_borrower_whose_other_feeds_are_stale_can_still_enable_collateral() {
        // Enabling collateral only raises health: it needs the enabled asset's price
        // `Ok`, not every price of the account (mutation testing: the health check must
        // not run on an enable, whether the position counted already or not).
        let mut ledger = alice_owing_with_a_gift();
        price_mut(&mut ledger, ETH).status = FeedStatus::Stale;
        price_mut(&mut ledger, USD).status = FeedStatus::Stale;
        let enabled = set_collateral(&ledger, ALICE, BTC, true).unwrap();
        assert_eq!(
            enabled.events,
            [PoolEvent::CollateralChanged(CollateralChanged {
                asset: BTC,
                account: ALICE,
                enabled: true
            })]
        );
        ledger.run(Ok(enabled));
        assert!(ledger
            .account_of(ALICE)
            .position(BTC)
            .unwrap()
            .is_collateral());
        // Enabling it again, now that it counts, is just as free of the other prices.
        ledger.run(set_collateral(&ledger, ALICE, BTC, true));
        // Disabling collateral that counts is what needs every price.
        assert_eq!(
            set_collateral(&ledger, ALICE, BTC, false).map(|_| ()),
            Err(PoolError::PriceNotOk(ETH, FeedStatus::Stale))
        );
    }

    #[test]
    fn disabling_supply_that_does_not_count_needs_no_price() {
        // Disabling supply that does not count changes nothing the health depends on:
        // no price is read (mutation testing: the health check must not run for it).
        let mut ledger = alice_owing_with_a_gift();
        price_mut(&mut ledger, ETH).status = FeedStatus::Stale;
        price_mut(&mut ledger, USD).status = FeedStatus::Stale;
        ledger.run(set_collateral(&ledger, ALICE, BTC, false));
        assert_eq!(
            ledger.account_of(ALICE).position(BTC).unwrap().collateral,
            Collateral::Off
        );
        // The counting ETH is another matter: the health check runs on the account
        // without it (so on the USD debt's price alone).
        assert_eq!(
            set_collateral(&ledger, ALICE, ETH, false).map(|_| ()),
            Err(PoolError::PriceNotOk(USD, FeedStatus::Stale))
        );
    }

    #[test]
    fn auto_collateral_respects_the_collateral_pause() {
        let mut ledger = ledger();
        ledger.books.get_mut(BTC).unwrap().paused.collateral = true;
        let outcome = supply(&ledger, ALICE, BTC, 1, ALICE).unwrap();
        assert!(!becomes_collateral(&outcome));
        assert_eq!(
            outcome
                .account(ALICE)
                .unwrap()
                .position(BTC)
                .unwrap()
                .collateral,
            Collateral::Unchosen
        );
    }

    #[test]
    fn a_gift_ahead_of_the_owners_first_supply_does_not_stop_it_becoming_collateral() {
        let mut ledger = ledger();
        // Mallory front-runs with 1 wei on the victim's behalf.
        let gift = supply(&ledger, MALLORY, ETH, 1, ALICE).unwrap();
        assert!(!becomes_collateral(&gift));
        assert_eq!(
            gift.transfers,
            [Transfer::In {
                asset: ETH,
                from: MALLORY,
                amount: 1
            }],
            "the giver pays"
        );
        ledger.run(Ok(gift));
        assert!(
            !ledger
                .account_of(ALICE)
                .position(ETH)
                .unwrap()
                .is_collateral(),
            "a gift chooses nothing"
        );
        let own = supply(&ledger, ALICE, ETH, 5 * WAD, ALICE).unwrap();
        assert!(
            becomes_collateral(&own),
            "the owner's own first supply decides"
        );
        ledger.run(Ok(own));
        assert!(ledger
            .account_of(ALICE)
            .position(ETH)
            .unwrap()
            .is_collateral());
        // Nor does a gift change a choice once made.
        ledger.run(set_collateral(&ledger, ALICE, ETH, false));
        ledger.run(supply(&ledger, MALLORY, ETH, 1, ALICE));
        assert_eq!(
            ledger.account_of(ALICE).position(ETH).unwrap().collateral,
            Collateral::Off
        );
    }

    #[test]
    fn the_owners_supply_never_turns_back_on_collateral_it_switched_off() {
        let mut ledger = ledger();
        ledger.run(supply(&ledger, ALICE, ETH, WAD, ALICE));
        ledger.run(supply(&ledger, ALICE, USD, 50_000_000, ALICE));
        ledger.run(borrow(&ledger, ALICE, USD, 100_000_000));
        ledger.run(set_collateral(&ledger, ALICE, USD, false));
        // The whole USD supply leaves; the position stays for the debt, switched off.
        ledger.run_with(withdraw(&ledger, ALICE, USD, ALL, ALICE));
        assert_eq!(
            ledger.account_of(ALICE).position(USD).unwrap().collateral,
            Collateral::Off
        );
        let outcome = supply(&ledger, ALICE, USD, 10_000_000, ALICE).unwrap();
        assert!(!becomes_collateral(&outcome));
        assert!(
            !outcome
                .account(ALICE)
                .unwrap()
                .position(USD)
                .unwrap()
                .is_collateral(),
            "the owner's choice stands"
        );
    }

    #[test]
    fn a_position_opened_by_a_borrow_becomes_collateral_at_the_owners_first_supply() {
        let mut ledger = ledger();
        ledger.run(supply(&ledger, ALICE, ETH, WAD, ALICE));
        ledger.run(borrow(&ledger, ALICE, USD, 100_000_000));
        assert_eq!(
            ledger.account_of(ALICE).position(USD).unwrap().collateral,
            Collateral::Unchosen
        );
        let outcome = supply(&ledger, ALICE, USD, 10_000_000, ALICE).unwrap();
        let account = outcome.account(ALICE).unwrap();
        assert!(becomes_collateral(&outcome) && account.position(USD).unwrap().is_collateral());
    }

    #[test]
    fn emergency_prices_open_no_borrowing_and_no_collateral_withdrawal() {
        let mut ledger = ledger();
        ledger.run(supply(&ledger, ALICE, ETH, WAD, ALICE));
        ledger.run(supply(&ledger, ALICE, BTC, 100_000, ALICE));
        ledger.run(borrow(&ledger, ALICE, USD, 100_000_000));
        price_mut(&mut ledger, ETH).status = FeedStatus::Emergency;
        let emergency = Err(PoolError::PriceNotOk(ETH, FeedStatus::Emergency));
        assert_eq!(borrow(&ledger, ALICE, USD, 1).map(|_| ()), emergency);
        assert_eq!(
            withdraw(&ledger, ALICE, ETH, 1, ALICE).map(|_| ()),
            emergency
        );
        assert_eq!(
            set_collateral(&ledger, ALICE, BTC, false).map(|_| ()),
            emergency
        );
        // Repaying never needs a price.
        assert!(repay(&ledger, ALICE, USD, ALL, ALICE).is_ok());
    }

    #[test]
    fn a_supply_writes_back_accrued_markets_emits_in_order_and_pulls_last() {
        let mut ledger = ledger();
        ledger.run(supply(&ledger, ALICE, ETH, WAD, ALICE));
        ledger.run(borrow(&ledger, ALICE, USD, 100_000_000));
        ledger.now += 86_400;
        ledger.events.clear();
        let outcome = supply(&ledger, MALLORY, USD, 7_000_000, MALLORY).unwrap();
        let usd = outcome.markets.get(USD).unwrap().state;
        // The accrual rides in the supply's own event: no `InterestAccrued` is left.
        assert!(outcome.accruals.is_empty(), "{:?}", outcome.accruals);
        let PoolEvent::Supplied(supplied) = outcome.events[0] else {
            panic!("the supply comes first: {:?}", outcome.events);
        };
        assert_eq!(
            (supplied.payer, supplied.on_behalf_of, supplied.amount),
            (MALLORY, MALLORY, 7_000_000)
        );
        let accrued = supplied
            .accrual
            .expect("a day of interest moved the indices");
        assert_eq!(
            (accrued.borrow_index_ray, accrued.supply_index_ray),
            (usd.borrow_index_ray, usd.supply_index_ray)
        );
        assert!(accrued.interest != 0);
        assert_eq!(
            outcome.events[1],
            PoolEvent::CollateralChanged(CollateralChanged {
                asset: USD,
                account: MALLORY,
                enabled: true
            })
        );
        assert_eq!(outcome.events.len(), 2);
        assert_eq!(
            outcome.transfers,
            [Transfer::In {
                asset: USD,
                from: MALLORY,
                amount: 7_000_000
            }]
        );
        ledger.run(Ok(outcome));
        assert_eq!(ledger.books.get(USD).unwrap().state, usd);
        assert_eq!(ledger.events.len(), 2, "what commit emitted");
    }

    /// The indices an outcome stores for `asset`, as an accrual reports them.
    fn stored_indices(outcome: &Outcome, asset: AccountId) -> (u128, u128) {
        let state = outcome.markets.get(asset).unwrap().state;
        (state.borrow_index_ray, state.supply_index_ray)
    }

    #[test]
    fn a_users_action_carries_its_markets_accrual_and_governance_reports_it_apart() {
        // Alice borrows USD against ETH; a day later every action on USD accrues it.
        let mut ledger = ledger();
        ledger.run(supply(&ledger, ALICE, ETH, WAD, ALICE));
        ledger.run(borrow(&ledger, ALICE, USD, 100_000_000));
        ledger.run(supply(&ledger, MALLORY, USD, 7_000_000, MALLORY));
        ledger.now += 86_400;
        let carried = |outcome: &Outcome| -> Vec<(AccountId, (u128, u128))> {
            assert!(
                outcome.accruals.is_empty(),
                "left for InterestAccrued: {:?}",
                outcome.accruals
            );
            outcome
                .events
                .iter()
                .flat_map(PoolEvent::accruals)
                .map(|(asset, a)| (asset, (a.borrow_index_ray, a.supply_index_ray)))
                .collect()
        };
        let actions = [
            supply(&ledger, MALLORY, USD, 1_000_000, MALLORY).unwrap(),
            withdraw(&ledger, MALLORY, USD, 1_000_000, MALLORY)
                .unwrap()
                .0,
            borrow(&ledger, ALICE, USD, 1_000_000).unwrap(),
            repay(&ledger, ALICE, USD, 1_000_000, ALICE).unwrap().0,
        ];
        for outcome in &actions {
            assert_eq!(carried(outcome), [(USD, stored_indices(outcome, USD))]);
        }
        // A liquidation carries the debt market's accrual (ETH has no debt: no move).
        price_mut(&mut ledger, ETH).value = 100 * 100_000_000;
        let request = LiquidationRequest {
            debt_asset: USD,
            collateral_asset: ETH,
            repay_amount: ALL,
            min_collateral_out: 0,
        };
        let (outcome, _) =
            liquidate(&ledger, &pool_params(), LIQUIDATOR, ALICE, &request, false).unwrap();
        assert_eq!(carried(&outcome), [(USD, stored_indices(&outcome, USD))]);
        // Governance's messages carry none: commit reports the accrual first.
        let params = ledger.books.get(USD).unwrap().params;
        let outcome = set_market_params(&ledger, USD, params).unwrap();
        let (asset, accrual) = outcome.accruals[0];
        assert_eq!(
            (asset, (accrual.borrow_index_ray, accrual.supply_index_ray)),
            (USD, stored_indices(&outcome, USD))
        );
        ledger.events.clear();
        ledger.run(Ok(outcome));
        assert!(matches!(
            ledger.events[..],
            [
                PoolEvent::InterestAccrued(InterestAccrued { asset: USD, .. }),
                PoolEvent::MarketParamsChanged(_)
            ]
        ));
    }

    #[test]
    fn nothing_is_sent_to_the_pool_itself() {
        let mut ledger = ledger();
        ledger.run(supply(&ledger, ALICE, ETH, WAD, ALICE));
        assert_eq!(
            withdraw(&ledger, ALICE, ETH, 1, POOL).map(|_| ()),
            Err(PoolError::RecipientIsPool)
        );
        assert_eq!(
            withdraw_reserves(&ledger, ETH, 0, POOL).map(|_| ()),
            Err(PoolError::RecipientIsPool)
        );
    }

    /// A ledger whose USD market has lent 1,500 USD to Alice at the 1,000 %/yr cap and
    /// seen no accrual for three years: past the borrow index's horizon (audit L-3).
    fn past_the_accrual_horizon() -> TestLedger {
        let mut ledger = ledger();
        let usd = &mut ledger.books.markets[0].market;
        usd.params.config.rate_model = carrack_core::RateModel {
            base_rate_wad: 10 * WAD,
            slope_low_wad: 0,
            slope_high_wad: 0,
            optimal_utilization_wad: WAD / 2,
        };
        let account = borrower(&mut ledger.books, 1, 1_500);
        ledger.accounts.insert(ALICE, account);
        ledger.now = NOW + 3 * 31_536_000;
        ledger
    }

    #[test]
    fn a_market_past_its_accrual_horizon_still_lets_borrowers_repay_and_leave() {
        let mut ledger = past_the_accrual_horizon();
        let (outcome, repaid) = repay(&ledger, ALICE, USD, ALL, ALICE).unwrap();
        assert_eq!(
            repaid, 1_500_000_000,
            "the interest that cannot be counted is forgone"
        );
        let usd = *outcome.markets.get(USD).unwrap();
        assert!(
            usd.paused.borrow && usd.paused.supply,
            "nobody borrows or supplies at an index that no longer grows"
        );
        assert_eq!(usd.state.last_accrual_secs, ledger.now);
        // Storing the halted market reports the pause, by the pool itself.
        assert_eq!(
            outcome.events[0],
            PoolEvent::PauseChanged(PauseChanged {
                asset: USD,
                by: POOL,
                paused: usd.paused,
                liquidation_grace_until_secs: 0
            })
        );
        ledger.run(Ok(outcome));
        // With the debt gone, the ETH collateral leaves too.
        let withdrawn = ledger.run_with(withdraw(&ledger, ALICE, ETH, ALL, ALICE));
        assert_eq!(withdrawn, WAD);
        assert!(
            !ledger.accounts.contains_key(&ALICE),
            "an emptied account is removed"
        );
    }

    #[test]
    fn a_health_checked_withdrawal_from_a_market_past_its_horizon_is_stored_once() {
        // The withdrawal loads USD (halted, so changed on load), then the health check
        // loads the account's priced markets, USD among them: loaded twice, the record
        // as stored would be written back after the changed copy and undo the
        // withdrawal's cash (mutation testing: `LoadedMarkets::contains` always false).
        let mut ledger = past_the_accrual_horizon();
        let usd_config = *ledger.books.get(USD).unwrap().config();
        let usd = &mut ledger.books.get_mut(USD).unwrap().state;
        let scaled = usd.supply(&usd_config, 1_000_000_000).unwrap();
        let cash_before = usd.cash;
        let mut alice = ledger.account_of(ALICE);
        collateral_position(&mut alice, USD, scaled);
        ledger.accounts.insert(ALICE, alice);
        let (outcome, paid) = withdraw(&ledger, ALICE, USD, 100_000_000, ALICE).unwrap();
        assert_eq!(paid, 100_000_000);
        let halted = |e: &&PoolEvent| matches!(e, PoolEvent::PauseChanged(_));
        assert_eq!(
            outcome.events.iter().filter(halted).count(),
            1,
            "the halted market is stored, and its pause reported, once"
        );
        ledger.run(Ok(outcome));
        assert_eq!(
            ledger.books.get(USD).unwrap().state.cash,
            cash_before - 100_000_000
        );
    }

    #[test]
    fn governance_repairs_a_market_past_its_accrual_horizon() {
        let mut ledger = past_the_accrual_horizon();
        let mut calm = *ledger.books.get(USD).unwrap();
        calm.params.config.rate_model.base_rate_wad = WAD / 100;
        let outcome = set_market_params(&ledger, USD, calm.params).unwrap();
        let usd = *outcome.markets.get(USD).unwrap();
        assert_eq!(usd.params, calm.params);
        assert_eq!(
            outcome.events.last(),
            Some(&PoolEvent::MarketParamsChanged(MarketParamsChanged {
                asset: USD,
                params: calm.params
            }))
        );
        // At sane rates the market accrues again once governance unpauses it.
        ledger.books.markets[0].market = usd;
        ledger.now += 86_400;
        let books = ledger.load_markets(&[USD]).unwrap();
        let accrued = books.get(USD).unwrap().state;
        assert!(accrued.borrow_index_ray > usd.state.borrow_index_ray);
    }

    #[test]
    fn unpausing_starts_the_grace_only_when_liquidation_resumes() {
        let mut ledger = ledger();
        let grace =
            |ledger: &TestLedger| ledger.books.get(ETH).unwrap().liquidation_grace_until_secs;
        ledger.run(pause(&ledger, MALLORY, ETH, PauseFlags::ALL));
        let supply_only = PauseFlags {
            supply: true,
            ..PauseFlags::default()
        };
        ledger.run(unpause(&ledger, GOVERNANCE, ETH, supply_only, 3_600));
        assert_eq!(grace(&ledger), 0, "supply was unpaused, not liquidation");
        ledger.run(unpause(
            &ledger,
            GOVERNANCE,
            ETH,
            PauseFlags::default(),
            3_600,
        ));
        assert_eq!(grace(&ledger), 0, "nothing was unpaused");
        ledger.run(unpause(&ledger, GOVERNANCE, ETH, PauseFlags::ALL, 3_600));
        assert_eq!(grace(&ledger), NOW + 3_600);
        // Unpausing a liquidation that is not paused starts nothing.
        ledger.now = NOW + 7_200;
        ledger.run(unpause(&ledger, GOVERNANCE, ETH, PauseFlags::ALL, 3_600));
        assert_eq!(grace(&ledger), NOW + 3_600);
    }

    #[test]
    fn a_pause_writes_the_market_as_stored_and_names_who_paused() {
        let mut ledger = ledger();
        ledger.run(supply(&ledger, ALICE, ETH, WAD, ALICE));
        ledger.run(borrow(&ledger, ALICE, USD, 100_000_000));
        let stored = *ledger.books.get(USD).unwrap();
        ledger.now += 86_400;
        let outcome = pause(&ledger, MALLORY, USD, PauseFlags::LENDING).unwrap();
        let paused = PauseFlags {
            supply: true,
            borrow: true,
            ..PauseFlags::default()
        };
        assert_eq!(
            outcome.markets.get(USD).unwrap().state,
            stored.state,
            "not accrued"
        );
        assert_eq!(
            outcome.events,
            [PoolEvent::PauseChanged(PauseChanged {
                asset: USD,
                by: MALLORY,
                paused,
                liquidation_grace_until_secs: 0
            })]
        );
        assert!(outcome.transfers.is_empty() && outcome.accounts.is_empty());
        assert_eq!(
            pause(&ledger, MALLORY, AccountId([9; 32]), paused).map(|_| ()),
            Err(PoolError::UnknownMarket)
        );
    }

    #[test]
    fn listing_checks_the_list_then_the_token_and_seeds_the_market() {
        const NEW: AccountId = AccountId([0x77; 32]);
        let mut ledger = ledger();
        let list = |ledger: &TestLedger, asset: AccountId, decimals: u8| {
            list_market(ledger, GOVERNANCE, asset, params(decimals), 1_000)
        };
        // A listed asset is refused before its token is asked anything.
        assert_eq!(
            list(&ledger, USD, 6).map(|_| ()),
            Err(PoolError::MarketExists)
        );
        assert_eq!(
            list(&ledger, NEW, 12).map(|_| ()),
            Err(PoolError::TokenCallFailed)
        );
        ledger.decimals.push((NEW, 12));
        assert_eq!(
            list(&ledger, NEW, 18).map(|_| ()),
            Err(PoolError::DecimalsMismatch)
        );
        let outcome = list(&ledger, NEW, 12).unwrap();
        // The new market is the one market written back (a listing is a new write).
        assert_eq!(
            outcome
                .markets
                .changed()
                .map(|m| m.asset)
                .collect::<Vec<_>>(),
            [NEW]
        );
        assert_eq!(
            *outcome.markets.get(NEW).unwrap(),
            Market::list(params(12), 1_000, NOW).unwrap()
        );
        assert_eq!(
            outcome.events,
            [PoolEvent::MarketListed(MarketListed {
                asset: NEW,
                params: params(12),
                seed_amount: 1_000
            })]
        );
        assert_eq!(
            outcome.transfers,
            [Transfer::In {
                asset: NEW,
                from: GOVERNANCE,
                amount: 1_000
            }]
        );
        ledger.run(Ok(outcome));
        assert_eq!(ledger.listed_assets(), [USD, ETH, BTC, NEW]);
        // Up to MAX_MARKETS markets.
        for n in 4..MAX_MARKETS {
            let asset = AccountId([0x80 + n as u8; 32]);
            ledger.decimals.push((asset, 6));
            ledger.run(list(&ledger, asset, 6));
        }
        let last = AccountId([0xff; 32]);
        ledger.decimals.push((last, 6));
        assert_eq!(
            list(&ledger, last, 6).map(|_| ()),
            Err(PoolError::TooManyMarkets)
        );
    }
}
