//! What a message does, as data, and the one place it is applied.
//!
//! Each function of [`crate::actions`] returns an [`Outcome`]: the markets to write back,
//! the accounts to write back (by owner), the events in emission order and the token
//! transfers in order. [`commit`] applies it through a [`Host`]: the contract implements
//! it over its storage, `emit_event` and the PSP22 tokens (`lib.rs`), the invariant
//! fuzzer (`fuzz/`) over its model of the chain, so both run the same effects in the
//! same order. A message returning `Err` (a refused action, or a failed transfer during
//! `commit`) is reverted as a whole by the chain.

use crate::account::Account;
use crate::error::PoolError;
use crate::events::{
    BadDebtWrittenOff, Borrowed, CollateralChanged, FlashLoan, InterestAccrued, Liquidated,
    MarketAccrual, MarketListed, MarketParamsChanged, PauseChanged, Repaid, ReservesWithdrawn,
    SeizedAsSupply, Supplied, Withdrawn,
};
use crate::loaded_markets::LoadedMarkets;
use crate::market::Market;
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;

macro_rules! pool_events {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        /// An event of [`crate::events`] that a message run through [`crate::actions`]
        /// emits. (`PoolParamsChanged` and `OracleChanged` belong to messages that touch
        /// no market, account or token, and are emitted by them directly.)
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum PoolEvent {
            $($(#[$doc])* $name($name),)*
        }

        $(
            impl From<$name> for PoolEvent {
                fn from(event: $name) -> Self {
                    PoolEvent::$name(event)
                }
            }
        )*
    };
}

pool_events! {
    /// [`MarketListed`].
    MarketListed,
    /// [`MarketParamsChanged`].
    MarketParamsChanged,
    /// [`InterestAccrued`].
    InterestAccrued,
    /// [`Supplied`].
    Supplied,
    /// [`Withdrawn`].
    Withdrawn,
    /// [`Borrowed`].
    Borrowed,
    /// [`Repaid`].
    Repaid,
    /// [`CollateralChanged`].
    CollateralChanged,
    /// [`Liquidated`].
    Liquidated,
    /// [`SeizedAsSupply`].
    SeizedAsSupply,
    /// [`BadDebtWrittenOff`].
    BadDebtWrittenOff,
    /// [`ReservesWithdrawn`].
    ReservesWithdrawn,
    /// [`PauseChanged`].
    PauseChanged,
    /// [`FlashLoan`].
    FlashLoan,
}

#[cfg(test)]
impl PoolEvent {
    /// The market accruals this event reports, by market: an `InterestAccrued`'s, or
    /// those an action's event carries.
    pub fn accruals(&self) -> Vec<(AccountId, MarketAccrual)> {
        let carried = |asset: AccountId, accrual: Option<MarketAccrual>| {
            accrual.map(|accrual| (asset, accrual))
        };
        match self {
            PoolEvent::InterestAccrued(e) => Vec::from([(e.asset, e.accrual)]),
            PoolEvent::Supplied(e) => carried(e.asset, e.accrual).into_iter().collect(),
            PoolEvent::Withdrawn(e) => carried(e.asset, e.accrual).into_iter().collect(),
            PoolEvent::Borrowed(e) => carried(e.asset, e.accrual).into_iter().collect(),
            PoolEvent::Repaid(e) => carried(e.asset, e.accrual).into_iter().collect(),
            PoolEvent::FlashLoan(e) => carried(e.asset, e.accrual).into_iter().collect(),
            PoolEvent::Liquidated(e) => carried(e.debt_asset, e.debt_accrual)
                .into_iter()
                .chain(carried(e.collateral_asset, e.collateral_accrual))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// A token transfer the pool makes, after every storage write and event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transfer {
    /// PSP22 `transfer_from(from, pool, amount)`: tokens pulled into the pool (needs
    /// `from`'s allowance to the pool).
    In {
        /// The token.
        asset: AccountId,
        /// Who pays.
        from: AccountId,
        /// Tokens pulled.
        amount: u128,
    },
    /// PSP22 `transfer(to, amount)` from the pool.
    Out {
        /// The token.
        asset: AccountId,
        /// Who receives.
        to: AccountId,
        /// Tokens sent.
        amount: u128,
    },
}

/// Everything a message does once its action accepted it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    /// The markets the action loaded or listed; those it changed (or listed) are written
    /// back.
    pub markets: LoadedMarkets,
    /// The accounts to write back, by owner, in order (a liquidation's borrower, then
    /// the liquidator credited with supply); one without positions is removed.
    pub accounts: Vec<(AccountId, Account)>,
    /// The accruals of stored markets that moved an index and that no event in `events`
    /// carries yet, by market in load order. An action takes those its own event reports
    /// ([`Outcome::take_accrual`]); [`commit`] emits an `InterestAccrued` for each one
    /// left, so no index moves unreported (audit N-4).
    pub accruals: Vec<(AccountId, MarketAccrual)>,
    /// The events, in emission order (after the `InterestAccrued` of what is left in
    /// `accruals`): first `PauseChanged` by the pool for a market its load found past
    /// the accrual horizon, then the message's own.
    pub events: Vec<PoolEvent>,
    /// The token transfers, in order.
    pub transfers: Vec<Transfer>,
}

impl Outcome {
    /// The account the outcome writes back for `owner`, if any.
    pub fn account(&self, owner: AccountId) -> Option<&Account> {
        self.accounts
            .iter()
            .find(|(o, _)| *o == owner)
            .map(|(_, account)| account)
    }

    /// Adds `event` after the events already there.
    pub fn emit(&mut self, event: impl Into<PoolEvent>) {
        self.events.push(event.into());
    }

    /// Takes `asset`'s accrual out of [`Outcome::accruals`], for the event that will
    /// carry it; `None` when storing the market moved no index (or it is not stored).
    pub fn take_accrual(&mut self, asset: AccountId) -> Option<MarketAccrual> {
        let at = self.accruals.iter().position(|(a, _)| *a == asset)?;
        Some(self.accruals.remove(at).1)
    }
}

/// Where an [`Outcome`] is applied: the contract's storage, events and tokens, or a
/// model of them.
pub trait Host {
    /// Writes `asset`'s market; a market not listed yet is listed, after the others.
    fn store_market(&mut self, asset: AccountId, market: &Market);

    /// Writes `owner`'s account (never empty).
    fn store_account(&mut self, owner: AccountId, account: &Account);

    /// Removes `owner`'s account: it has no positions left.
    fn remove_account(&mut self, owner: AccountId);

    /// Emits `event`.
    fn emit(&mut self, event: PoolEvent);

    /// Makes `transfer`; the token's refusal as [`PoolError::Token`], a failed call as
    /// [`PoolError::TokenCallFailed`].
    fn transfer(&mut self, transfer: Transfer) -> Result<(), PoolError>;
}

/// Applies `outcome`: the storage writes (the changed or new markets, the accounts,
/// removing those left without positions), then an `InterestAccrued` for each
/// accrual no event carries, then the events in order, then the token transfers in order,
/// last, so a token can observe nothing half done. Stops at the first failed transfer and
/// returns its error: the message then reverts as a whole.
#[inline(never)] // one copy in the contract, not one per message
pub fn commit(host: &mut impl Host, outcome: Outcome) -> Result<(), PoolError> {
    let Outcome {
        markets,
        accounts,
        accruals,
        events,
        transfers,
    } = outcome;
    for loaded in markets.changed() {
        host.store_market(loaded.asset, &loaded.market);
    }
    for (owner, account) in &accounts {
        if account.positions.is_empty() {
            host.remove_account(*owner);
        } else {
            host.store_account(*owner, account);
        }
    }
    for (asset, accrual) in accruals {
        host.emit(PoolEvent::InterestAccrued(InterestAccrued {
            asset,
            accrual,
        }));
    }
    for event in events {
        host.emit(event);
    }
    for transfer in transfers {
        host.transfer(transfer)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_fixtures::{market, ETH, NOW, USD};
    use carrack_interfaces::PSP22Error;

    const ALICE: AccountId = AccountId([0xa1; 32]);
    const BOB: AccountId = AccountId([0xb0; 32]);

    /// Records every call in order; the transfer numbered `fail_at` (from 0) fails.
    #[derive(Default)]
    struct Recorder {
        log: Vec<&'static str>,
        fail_at: Option<usize>,
        transfers: usize,
    }

    impl Host for Recorder {
        fn store_market(&mut self, _: AccountId, _: &Market) {
            self.log.push("market");
        }
        fn store_account(&mut self, _: AccountId, _: &Account) {
            self.log.push("account");
        }
        fn remove_account(&mut self, _: AccountId) {
            self.log.push("remove account");
        }
        fn emit(&mut self, _: PoolEvent) {
            self.log.push("event");
        }
        fn transfer(&mut self, _: Transfer) -> Result<(), PoolError> {
            let n = self.transfers;
            self.transfers += 1;
            if self.fail_at == Some(n) {
                self.log.push("failed transfer");
                return Err(PoolError::Token(PSP22Error::InsufficientBalance));
            }
            self.log.push("transfer");
            Ok(())
        }
    }

    fn outcome() -> Outcome {
        let mut markets = LoadedMarkets::default();
        markets.load(USD, market(6, 1), NOW).unwrap();
        markets.put(ETH, market(18, 1));
        let mut alice = Account::default();
        alice.open(ETH).unwrap().scaled_supply = 1;
        let mut outcome = Outcome {
            markets,
            accounts: ink::prelude::vec![(ALICE, alice), (BOB, Account::default())],
            ..Outcome::default()
        };
        outcome.emit(CollateralChanged {
            asset: ETH,
            account: ALICE,
            enabled: true,
        });
        outcome.emit(ReservesWithdrawn {
            asset: ETH,
            to: ALICE,
            amount: 1,
        });
        for amount in [1, 2, 3] {
            outcome.transfers.push(Transfer::Out {
                asset: ETH,
                to: ALICE,
                amount,
            });
        }
        outcome
    }

    #[test]
    fn commit_writes_then_emits_then_transfers_only_changed_markets() {
        let mut host = Recorder::default();
        assert_eq!(commit(&mut host, outcome()), Ok(()));
        assert_eq!(
            host.log,
            [
                "market", // ETH only: USD was loaded, not changed
                "account",
                "remove account", // Bob's account is empty
                "event",
                "event",
                "transfer",
                "transfer",
                "transfer",
            ]
        );
    }

    #[test]
    fn commit_stops_at_the_first_failed_transfer() {
        let mut host = Recorder {
            fail_at: Some(1),
            ..Recorder::default()
        };
        assert_eq!(
            commit(&mut host, outcome()),
            Err(PoolError::Token(PSP22Error::InsufficientBalance))
        );
        assert_eq!(
            host.log[host.log.len() - 2..],
            ["transfer", "failed transfer"]
        );
        assert_eq!(host.transfers, 2, "the third transfer is never tried");
    }

    #[test]
    fn the_outcome_finds_accounts_by_owner() {
        let outcome = outcome();
        assert_eq!(outcome.account(ALICE).unwrap().positions.len(), 1);
        assert!(outcome.account(USD).is_none());
    }
}
