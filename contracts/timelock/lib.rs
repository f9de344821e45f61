//! Carrack's timelock: every governance decision waits here before it takes effect.
//!
//! The governor queues a *batch* of at most 10 [`carrack_interfaces::Action`]s. The batch
//! gets `eta = now + delay`; anyone may execute it from `eta` (inclusive) until
//! `eta + grace` (exclusive); afterwards it is expired. The governor may cancel it before
//! it executes, and so may the guardian unless it is a guardian replacement (see
//! [`roles`]). See [`batch`] for the life cycle and [`delays`] for the
//! bounds (fixed at instantiation: `0 < min <= delay <= max <= 365 days`,
//! `0 < grace <= 365 days`).
//!
//! # Execution
//!
//! `execute` marks the batch executed and frees its actions *before* making any call,
//! then runs the actions in order:
//!
//! - An action whose callee is the timelock itself changes one of its settings
//!   (`set_delay`, `set_guardian`, `set_governor`, `set_code_hash`). It is applied in-line,
//!   not called, because a call to itself would be re-entry, which the timelock never
//!   allows (see [`self_call`]). It must transfer no value.
//! - Any other action is a plain call: its selector, its input passed through as already
//!   encoded bytes, its value from the timelock's balance, all remaining gas, no
//!   re-entry. **Success rule**: the call must succeed at the chain level (`try_invoke`
//!   gives `Ok`: the callee exists, did not trap and the value transfer worked), the
//!   callee must accept the call data (no ink! `LangError`), and its return value must be
//!   empty (a message returning `()`) or start with byte `0` (`Ok` of a `Result`; every
//!   Carrack admin message returns one). A callee that returns `Err` is reported by ink!
//!   like a success, so only these output bytes tell them apart (see [`raw_call`]).
//!   Plain value transfers to accounts that are not contracts fail (`NotCallable`).
//!
//! **Atomicity**: when an action fails, `execute` returns `Err(ActionFailed(index))` (or
//! the self-call's own error). ink! then sets the revert flag and pallet-contracts rolls
//! back everything this execution did: earlier actions' effects in other contracts,
//! in-line setting changes, events, and the executed mark itself. The batch stays queued
//! and can be retried until it expires.
//!
//! # Roles
//!
//! The governor is unset at instantiation because the governor and the timelock each
//! need the other's address: the instantiating account binds it once with
//! `bind_governor` (see [`roles`]). The guardian's veto covers every batch but a
//! guardian replacement, a batch whose every action replaces a guardian by a different
//! account on a contract the timelock governs: the guardian cannot block its own
//! removal, and no other action can hide beside a replacement (audit H-1). Pool and oracle hand governance over in two steps;
//! the timelock accepts through `accept_governance_of`.
//!
//! The plain modules hold all the logic and are tested natively; the contract module
//! only checks callers, loads, stores, emits events and makes the calls.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub mod batch;
pub mod delays;
pub mod events;
pub mod raw_call;
pub mod roles;
pub mod self_call;
pub mod settings;

#[cfg(test)]
mod contract_tests;

/// The contract: storage, messages and the calls a batch makes.
#[ink::contract]
pub mod timelock {
    use crate::batch::{self, BatchRecord};
    use crate::delays::Delays;
    use crate::events::{BatchCanceled, BatchExecuted, BatchQueued};
    use crate::raw_call::call_succeeded;
    use crate::roles::{CalleeRoles, Roles};
    use crate::self_call::{decode_self_call, SelfCall};
    use crate::settings::TimelockSettings;
    use carrack_interfaces::{
        validate_actions, versioned, Action, BatchInfo, CodeUpgraded, Governed, RawArgs, RawOutput,
        TimelockError,
    };
    use ink::codegen::TraitCallBuilder;
    use ink::env::call::{build_call, ExecutionInput, Selector};
    use ink::env::DefaultEnvironment;
    use ink::prelude::vec::Vec;
    use ink::storage::traits::ManualKey;
    use ink::storage::Mapping;

    /// The timelock.
    #[ink(storage)]
    pub struct Timelock {
        roles: Roles,
        delays: Delays,
        next_batch_id: u32,
        batches: Mapping<u32, BatchRecord, ManualKey<0x544c_0001>>,
        actions: Mapping<u32, Vec<Action>, ManualKey<0x544c_0002>>,
    }

    impl Timelock {
        /// A timelock guarded by `guardian`, with its delay, grace period and the delay
        /// bounds, all in seconds. Requires `0 < min_delay_secs <= delay_secs <=
        /// max_delay_secs <= 365 days` and `0 < grace_secs <= 365 days`, else
        /// `InvalidDelay`; the bounds and the grace period never change. The
        /// instantiating account becomes the deployer, who binds the governor.
        #[ink(constructor)]
        pub fn new(
            guardian: AccountId,
            delay_secs: u64,
            grace_secs: u64,
            min_delay_secs: u64,
            max_delay_secs: u64,
        ) -> Result<Self, TimelockError> {
            let delays = Delays::new(delay_secs, grace_secs, min_delay_secs, max_delay_secs)?;
            Ok(Self {
                roles: Roles::new(Self::env().caller(), guardian),
                delays,
                next_batch_id: 0,
                batches: Mapping::new(),
                actions: Mapping::new(),
            })
        }

        /// Binds the governor (the deployer, once: `NotDeployer`, `GovernorAlreadyBound`);
        /// the deployer role ends with it. Needed because the governor and the timelock
        /// each need the other's address.
        #[ink(message)]
        pub fn bind_governor(&mut self, governor: AccountId) -> Result<(), TimelockError> {
            let event = self.roles.bind_governor(self.env().caller(), governor)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Replaces the delay, within the bounds fixed at instantiation (`InvalidDelay`).
        /// Only the timelock itself, i.e. a batch, may call it (`NotTimelock`); batches
        /// already queued keep their eta. Emits `DelayChanged`.
        #[ink(message)]
        pub fn set_delay(&mut self, delay_secs: u64) -> Result<(), TimelockError> {
            self.ensure_self()?;
            self.apply(SelfCall::SetDelay { delay_secs })
        }

        /// Replaces the guardian (only a batch: `NotTimelock`). Emits `GuardianChanged`.
        #[ink(message)]
        pub fn set_guardian(&mut self, guardian: AccountId) -> Result<(), TimelockError> {
            self.ensure_self()?;
            self.apply(SelfCall::SetGuardian { guardian })
        }

        /// Replaces the governor (only a batch: `NotTimelock`). Emits `GovernorChanged`.
        #[ink(message)]
        pub fn set_governor(&mut self, governor: AccountId) -> Result<(), TimelockError> {
            self.ensure_self()?;
            self.apply(SelfCall::SetGovernor { governor })
        }

        /// Replaces the timelock's code, keeping its storage (only a batch:
        /// `NotTimelock`). The code must already be uploaded (`CodeNotFound`) and read
        /// the same storage layout. Emits `CodeUpgraded`.
        #[ink(message)]
        pub fn set_code_hash(&mut self, code_hash: Hash) -> Result<(), TimelockError> {
            self.ensure_self()?;
            self.apply(SelfCall::SetCodeHash { code_hash })
        }

        /// Makes the timelock accept governance of `target` (anyone may call it).
        ///
        /// Pool and oracle hand governance over in two steps: governance nominates, then
        /// the nominee itself must call `Governed::accept_governance`. The timelock
        /// makes calls only from batches (a full proposal plus the delay), so this
        /// message is its way to accept promptly. Letting anyone trigger it is harmless:
        /// it only ever accepts a role the target's current governance nominated the
        /// timelock for. Errors: `AcceptRefused(err)` when the target answers `Err(err)`
        /// (e.g. it did not nominate the timelock), `AcceptFailed` when the call itself
        /// fails (not a contract, no such message, trapped, or `target` is the timelock).
        #[ink(message)]
        pub fn accept_governance_of(&mut self, target: AccountId) -> Result<(), TimelockError> {
            if target == self.env().account_id() {
                return Err(TimelockError::AcceptFailed);
            }
            let mut governed: ink::contract_ref!(Governed) = target.into();
            match versioned(governed.call_mut().accept_governance()).try_invoke() {
                Ok(Ok(Ok(()))) => Ok(()),
                Ok(Ok(Err(err))) => Err(TimelockError::AcceptRefused(err)),
                _ => Err(TimelockError::AcceptFailed),
            }
        }

        /// The actions of a batch still stored: `None` once it executed or was canceled
        /// (or if it never existed).
        #[ink(message)]
        pub fn batch(&self, batch_id: u32) -> Option<Vec<Action>> {
            self.actions.get(batch_id)
        }

        /// The roles, the delays and the next batch id.
        #[ink(message)]
        pub fn settings(&self) -> TimelockSettings {
            TimelockSettings::new(&self.roles, &self.delays, self.next_batch_id)
        }

        /// Applies a setting change; shared by the setter messages and the in-line
        /// self-calls of `execute`.
        fn apply(&mut self, call: SelfCall) -> Result<(), TimelockError> {
            match call {
                SelfCall::SetDelay { delay_secs } => {
                    let event = self.delays.set_delay(delay_secs)?;
                    self.env().emit_event(event);
                }
                SelfCall::SetGuardian { guardian } => {
                    let event = self.roles.set_guardian(guardian);
                    self.env().emit_event(event);
                }
                SelfCall::SetGovernor { governor } => {
                    let event = self.roles.set_governor(governor);
                    self.env().emit_event(event);
                }
                SelfCall::SetCodeHash { code_hash } => {
                    self.env()
                        .set_code_hash(&code_hash)
                        .map_err(|_| TimelockError::CodeNotFound)?;
                    self.env().emit_event(CodeUpgraded { code_hash });
                }
            }
            Ok(())
        }

        /// Calls `action` as action `index` of a batch; `ActionFailed(index)` unless it
        /// meets the success rule (see the crate documentation).
        fn call_action(&self, index: u8, action: &Action) -> Result<(), TimelockError> {
            let call = build_call::<DefaultEnvironment>()
                .call(action.callee)
                .transferred_value(action.transferred_value)
                .exec_input(
                    ExecutionInput::new(Selector::new(action.selector))
                        .push_arg(RawArgs(&action.input)),
                )
                .returns::<RawOutput>();
            let result = versioned(call).try_invoke();
            if !call_succeeded(&result) {
                return Err(TimelockError::ActionFailed(index));
            }
            Ok(())
        }

        /// What `callee` answers to `Governed::admin_roles`, as the guardian's cancel
        /// needs it (see [`CalleeRoles`]). A plain read: no value, no re-entry.
        fn roles_of(callee: AccountId, own_account: AccountId) -> CalleeRoles {
            let governed: ink::contract_ref!(Governed) = callee.into();
            match versioned(governed.call().admin_roles()).try_invoke() {
                Ok(Ok(roles)) if roles.governance == own_account => CalleeRoles::Governed {
                    guardian: roles.guardian,
                },
                Ok(Ok(_)) => CalleeRoles::NotGoverned,
                _ => CalleeRoles::Unreadable,
            }
        }

        fn record(&self, batch_id: u32) -> Result<BatchRecord, TimelockError> {
            self.batches
                .get(batch_id)
                .ok_or(TimelockError::UnknownBatch)
        }

        /// `Ok` when the caller is the timelock's own account (a batch's self-call).
        fn ensure_self(&self) -> Result<(), TimelockError> {
            if self.env().caller() != self.env().account_id() {
                return Err(TimelockError::NotTimelock);
            }
            Ok(())
        }

        /// Block time in whole seconds (the chain reports milliseconds).
        fn now_secs(&self) -> u64 {
            self.env().block_timestamp() / 1_000
        }
    }

    impl carrack_interfaces::Timelock for Timelock {
        /// Queues a batch (governor only: `NotGovernor`, also while unbound) of 1 to 10
        /// well-formed actions (`Actions(..)`), executable from `now + delay` for the
        /// grace period; returns its id (sequential from 0). Emits `BatchQueued` with the
        /// actions.
        #[ink(message)]
        fn queue(&mut self, actions: Vec<Action>) -> Result<u32, TimelockError> {
            self.roles.ensure_governor(self.env().caller())?;
            validate_actions(&actions)?;
            let scheduled = batch::schedule(self.next_batch_id, self.now_secs(), &self.delays)?;
            self.next_batch_id = scheduled.next_batch_id;
            self.batches.insert(scheduled.batch_id, &scheduled.record);
            self.actions.insert(scheduled.batch_id, &actions);
            self.env().emit_event(BatchQueued {
                batch_id: scheduled.batch_id,
                eta_secs: scheduled.record.eta_secs,
                actions,
            });
            Ok(scheduled.batch_id)
        }

        /// Cancels a batch that has not executed, even an expired one, and frees its
        /// actions. The governor may cancel any batch; the guardian any batch but a
        /// guardian replacement, one whose every action replaces a guardian by a
        /// different account on a contract the timelock governs
        /// (`GuardianChangeNotCancelable`; see `roles::Roles::ensure_may_cancel`, which
        /// reads the callees' `Governed::admin_roles` only for a batch made of nothing
        /// but guardian setters: `GuardianCheckFailed(index)` when one cannot be read).
        /// Errors: `NotGovernorOrGuardian`, `UnknownBatch`, `AlreadyExecuted`,
        /// `BatchCanceled`. Emits `BatchCanceled`.
        #[ink(message)]
        fn cancel(&mut self, batch_id: u32) -> Result<(), TimelockError> {
            let by = self.env().caller();
            let own_account = self.env().account_id();
            // An unknown batch has no actions: outsiders are still refused first.
            let actions = self.actions.get(batch_id).unwrap_or_default();
            self.roles
                .ensure_may_cancel(by, &actions, own_account, |callee| {
                    Self::roles_of(callee, own_account)
                })?;
            let mut record = self.record(batch_id)?;
            record.cancel()?;
            self.batches.insert(batch_id, &record);
            self.actions.remove(batch_id);
            self.env().emit_event(BatchCanceled { batch_id, by });
            Ok(())
        }

        /// Executes a queued batch (anyone) from its eta (`NotReady` before) until
        /// `eta + grace` (`BatchExpired` from then on), atomically and in order; see the
        /// crate documentation for self-calls and the success rule. Errors:
        /// `UnknownBatch`, `AlreadyExecuted`, `BatchCanceled`, `ActionFailed(index)`,
        /// `UnknownSelfCall(index)`, `InvalidSelfCallInput(index)` and the setters' own
        /// (`InvalidDelay`, `CodeNotFound`). Emits `BatchExecuted` after the actions'
        /// own events.
        #[ink(message)]
        fn execute(&mut self, batch_id: u32) -> Result<(), TimelockError> {
            let mut record = self.record(batch_id)?;
            record.execute(self.now_secs())?;
            let actions = self
                .actions
                .take(batch_id)
                .ok_or(TimelockError::UnknownBatch)?;
            // Executed, and its actions gone, before any call is made.
            self.batches.insert(batch_id, &record);
            let own_account = self.env().account_id();
            // Atomicity: any error below makes this message return `Err`; ink! then sets
            // the revert flag and pallet-contracts rolls back everything this execution
            // did, including earlier actions' effects and the executed mark above.
            for (index, action) in (0u8..).zip(actions.iter()) {
                if action.callee == own_account {
                    let call = decode_self_call(index, action)?;
                    self.apply(call)?;
                } else {
                    self.call_action(index, action)?;
                }
            }
            self.env().emit_event(BatchExecuted { batch_id });
            Ok(())
        }

        /// A batch's eta, expiry and status now (a queued batch past `eta + grace`
        /// reports `Expired`); `None` for an unknown id.
        #[ink(message)]
        fn batch_info(&self, batch_id: u32) -> Option<BatchInfo> {
            self.batches
                .get(batch_id)
                .map(|record| record.info(self.now_secs()))
        }
    }
}
