//! `#[ink::test]`s of the timelock's messages: who may call what, the block clock, the
//! in-line self-calls and the events emitted.
//!
//! The off-chain environment cannot make cross-contract calls (ink_e2e covers them) and
//! does not roll storage back when a message returns `Err`, so tests of failing
//! executions only check the error, never the state left behind.

use crate::events::{BatchCanceled, BatchExecuted, BatchQueued, DelayChanged, GovernorChanged};
use crate::self_call::{
    SET_CODE_HASH_SELECTOR, SET_DELAY_SELECTOR, SET_GOVERNOR_SELECTOR, SET_GUARDIAN_SELECTOR,
};
use crate::settings::TimelockSettings;
use crate::timelock::Timelock;
use carrack_interfaces::{
    Action, ActionsError, BatchInfo, BatchStatus, GuardianChanged, Timelock as _, TimelockError,
    MAX_ACTIONS,
};
use ink::env::test::{self, DefaultAccounts};
use ink::env::DefaultEnvironment;
use ink::primitives::{AccountId, Hash};
use ink::scale::{Decode, Encode};

const NOW_SECS: u64 = 1_700_000_000;
const DELAY_SECS: u64 = 2 * 86_400;
const GRACE_SECS: u64 = 14 * 86_400;
const MIN_DELAY_SECS: u64 = 86_400;
const MAX_DELAY_SECS: u64 = 30 * 86_400;
const ETA_SECS: u64 = NOW_SECS + DELAY_SECS;
const EXPIRY_SECS: u64 = ETA_SECS + GRACE_SECS;

/// The timelock's own account in these tests.
const TIMELOCK: AccountId = AccountId([0x71; 32]);
/// Some other contract.
const TARGET: AccountId = AccountId([0x72; 32]);

fn accounts() -> DefaultAccounts<DefaultEnvironment> {
    test::default_accounts::<DefaultEnvironment>()
}

fn set_caller(caller: AccountId) {
    test::set_caller::<DefaultEnvironment>(caller);
}

fn set_now(secs: u64) {
    test::set_block_timestamp::<DefaultEnvironment>(secs * 1_000);
}

fn recorded() -> Vec<Vec<u8>> {
    test::recorded_events().map(|event| event.data).collect()
}

fn last_event<E: Decode>() -> E {
    let events = recorded();
    let data = events.last().expect("an event");
    E::decode(&mut &data[..]).expect("decodes")
}

/// Alice deploys with Bob as guardian, at `NOW_SECS`.
fn instantiate() -> Timelock {
    let a = accounts();
    test::set_callee::<DefaultEnvironment>(TIMELOCK);
    set_now(NOW_SECS);
    set_caller(a.alice);
    Timelock::new(
        a.bob,
        DELAY_SECS,
        GRACE_SECS,
        MIN_DELAY_SECS,
        MAX_DELAY_SECS,
    )
    .unwrap()
}

/// Charlie is bound as governor and is the caller.
fn deploy() -> Timelock {
    let mut timelock = instantiate();
    timelock.bind_governor(accounts().charlie).unwrap();
    set_caller(accounts().charlie);
    timelock
}

fn self_call(selector: [u8; 4], input: Vec<u8>) -> Action {
    Action {
        callee: TIMELOCK,
        selector,
        input,
        transferred_value: 0,
    }
}

fn external() -> Action {
    Action {
        callee: TARGET,
        selector: [1, 2, 3, 4],
        input: vec![5, 6],
        transferred_value: 0,
    }
}

#[ink::test]
fn the_constructor_checks_the_delay_bounds() {
    let a = accounts();
    set_caller(a.alice);
    let day = 86_400;
    let year = 365 * day;
    for (delay, grace, min, max) in [
        (day, day, 0, day),
        (day, 0, day, day),
        (day - 1, day, day, 2 * day),
        (2 * day + 1, day, day, 2 * day),
        (day, day, day, year + 1),
        (day, year + 1, day, day),
    ] {
        assert_eq!(
            Timelock::new(a.bob, delay, grace, min, max).err(),
            Some(TimelockError::InvalidDelay)
        );
    }
    assert!(Timelock::new(a.bob, 5, 60, 1, 600).is_ok());
    assert!(Timelock::new(a.bob, year, year, year, year).is_ok());
    let timelock = instantiate();
    assert_eq!(
        timelock.settings(),
        TimelockSettings {
            governor: None,
            guardian: a.bob,
            delay_secs: DELAY_SECS,
            grace_secs: GRACE_SECS,
            min_delay_secs: MIN_DELAY_SECS,
            max_delay_secs: MAX_DELAY_SECS,
            deployer: Some(a.alice),
            next_batch_id: 0,
        }
    );
    assert!(recorded().is_empty());
}

#[ink::test]
fn only_the_deployer_binds_the_governor_and_only_once() {
    let a = accounts();
    let mut timelock = instantiate();
    for intruder in [a.bob, a.charlie, a.django, TIMELOCK] {
        set_caller(intruder);
        assert_eq!(
            timelock.bind_governor(intruder),
            Err(TimelockError::NotDeployer)
        );
    }
    set_caller(a.alice);
    assert_eq!(timelock.bind_governor(a.charlie), Ok(()));
    assert_eq!(
        last_event::<GovernorChanged>(),
        GovernorChanged {
            previous: None,
            new: a.charlie
        }
    );
    let settings = timelock.settings();
    assert_eq!(settings.governor, Some(a.charlie));
    assert_eq!(settings.deployer, None);
    assert_eq!(
        timelock.bind_governor(a.django),
        Err(TimelockError::GovernorAlreadyBound)
    );
    set_caller(a.charlie);
    assert_eq!(
        timelock.bind_governor(a.django),
        Err(TimelockError::GovernorAlreadyBound)
    );
    assert_eq!(timelock.settings().governor, Some(a.charlie));
    assert_eq!(recorded().len(), 1);
}

#[ink::test]
fn only_the_governor_queues() {
    let a = accounts();
    let mut timelock = instantiate();
    // Unbound: nobody may queue, not even the deployer.
    assert_eq!(
        timelock.queue(vec![external()]),
        Err(TimelockError::NotGovernor)
    );
    timelock.bind_governor(a.charlie).unwrap();
    for intruder in [a.alice, a.bob, a.django, TIMELOCK] {
        set_caller(intruder);
        assert_eq!(
            timelock.queue(vec![external()]),
            Err(TimelockError::NotGovernor)
        );
    }
    set_caller(a.charlie);
    let actions = vec![external(), self_call(SET_DELAY_SELECTOR, 5u64.encode())];
    assert_eq!(timelock.queue(actions.clone()), Ok(0));
    assert_eq!(
        last_event::<BatchQueued>(),
        BatchQueued {
            batch_id: 0,
            eta_secs: ETA_SECS,
            actions: actions.clone(),
        }
    );
    assert_eq!(timelock.batch(0), Some(actions));
    assert_eq!(
        timelock.batch_info(0),
        Some(BatchInfo {
            eta_secs: ETA_SECS,
            expires_at_secs: EXPIRY_SECS,
            status: BatchStatus::Queued,
        })
    );
    set_now(NOW_SECS + 10);
    assert_eq!(timelock.queue(vec![external()]), Ok(1));
    assert_eq!(
        timelock.batch_info(1).map(|info| info.eta_secs),
        Some(ETA_SECS + 10)
    );
    assert_eq!(timelock.settings().next_batch_id, 2);
    assert_eq!(timelock.batch_info(2), None);
    assert_eq!(timelock.batch(2), None);
}

#[ink::test]
fn malformed_batches_are_refused() {
    let mut timelock = deploy();
    assert_eq!(
        timelock.queue(Vec::new()),
        Err(TimelockError::Actions(ActionsError::NoActions))
    );
    assert_eq!(
        timelock.queue(vec![external(); MAX_ACTIONS + 1]),
        Err(TimelockError::Actions(ActionsError::TooManyActions))
    );
    let mut long = external();
    long.input = vec![0; 513];
    assert_eq!(
        timelock.queue(vec![external(), long]),
        Err(TimelockError::Actions(ActionsError::InputTooLong(1)))
    );
    assert_eq!(timelock.settings().next_batch_id, 0);
    assert_eq!(timelock.queue(vec![external(); MAX_ACTIONS]), Ok(0));
}

#[ink::test]
fn the_governor_and_the_guardian_cancel_nobody_else() {
    let a = accounts();
    let mut timelock = deploy();
    timelock.queue(vec![external()]).unwrap();
    timelock.queue(vec![external()]).unwrap();
    for intruder in [a.alice, a.django, TIMELOCK] {
        set_caller(intruder);
        assert_eq!(
            timelock.cancel(0),
            Err(TimelockError::NotGovernorOrGuardian)
        );
    }
    set_caller(a.charlie);
    assert_eq!(timelock.cancel(0), Ok(()));
    assert_eq!(
        last_event::<BatchCanceled>(),
        BatchCanceled {
            batch_id: 0,
            by: a.charlie
        }
    );
    assert_eq!(timelock.batch(0), None, "actions freed");
    assert_eq!(
        timelock.batch_info(0).map(|info| info.status),
        Some(BatchStatus::Canceled)
    );
    set_caller(a.bob);
    assert_eq!(timelock.cancel(0), Err(TimelockError::BatchCanceled));
    assert_eq!(timelock.cancel(1), Ok(()));
    assert_eq!(
        last_event::<BatchCanceled>(),
        BatchCanceled {
            batch_id: 1,
            by: a.bob
        }
    );
    assert_eq!(timelock.cancel(2), Err(TimelockError::UnknownBatch));
    set_now(ETA_SECS);
    assert_eq!(timelock.execute(1), Err(TimelockError::BatchCanceled));
}

/// The message applies `Roles::ensure_may_cancel` (audit H-1): with the timelock's own
/// setter, no other contract needs to be read. (Reads of `Governed::admin_roles` are
/// cross-contract calls: `e2e/tests/governance_veto.rs`.)
#[ink::test]
fn the_guardian_cancels_all_but_a_replacement_of_itself() {
    let a = accounts();
    let mut timelock = deploy();
    let replace = |guardian: AccountId| self_call(SET_GUARDIAN_SELECTOR, guardian.encode());
    // 0: the guardian (Bob) made guardian again; 1: beside an ordinary call; 2: Eve.
    timelock.queue(vec![replace(a.bob)]).unwrap();
    timelock.queue(vec![replace(a.eve), external()]).unwrap();
    timelock.queue(vec![replace(a.eve)]).unwrap();
    set_caller(a.bob);
    assert_eq!(timelock.cancel(0), Ok(()));
    assert_eq!(timelock.cancel(1), Ok(()));
    let before = recorded().len();
    assert_eq!(
        timelock.cancel(2),
        Err(TimelockError::GuardianChangeNotCancelable)
    );
    assert_eq!(recorded().len(), before, "a refused cancel emits nothing");
    assert_eq!(timelock.batch(2), Some(vec![replace(a.eve)]));
    // The governor still can.
    set_caller(a.charlie);
    assert_eq!(timelock.cancel(2), Ok(()));
}

#[ink::test]
fn execution_waits_for_the_eta_and_ends_with_the_grace_period() {
    let a = accounts();
    let mut timelock = deploy();
    let batch = vec![self_call(SET_DELAY_SELECTOR, MIN_DELAY_SECS.encode())];
    timelock.queue(batch.clone()).unwrap();
    set_caller(a.django);
    assert_eq!(timelock.execute(0), Err(TimelockError::NotReady));
    set_now(ETA_SECS - 1);
    assert_eq!(timelock.execute(0), Err(TimelockError::NotReady));
    set_now(EXPIRY_SECS);
    assert_eq!(timelock.execute(0), Err(TimelockError::BatchExpired));
    assert_eq!(
        timelock.batch_info(0).map(|info| info.status),
        Some(BatchStatus::Expired)
    );
    assert_eq!(timelock.execute(7), Err(TimelockError::UnknownBatch));
    // An expired batch can still be canceled, which frees its actions.
    set_caller(a.bob);
    assert_eq!(timelock.cancel(0), Ok(()));
    assert_eq!(timelock.batch(0), None);

    // The same batch queued again runs at exactly its eta, and at the last second.
    set_caller(a.charlie);
    set_now(NOW_SECS);
    timelock.queue(batch.clone()).unwrap();
    timelock.queue(batch).unwrap();
    set_caller(a.django);
    set_now(ETA_SECS);
    assert_eq!(timelock.execute(1), Ok(()));
    set_now(EXPIRY_SECS - 1);
    assert_eq!(timelock.execute(2), Ok(()));
}

#[ink::test]
fn a_batch_of_self_calls_executes_in_line() {
    let a = accounts();
    let mut timelock = deploy();
    let new_delay = 3 * 86_400;
    let actions = vec![
        self_call(SET_DELAY_SELECTOR, new_delay.encode()),
        self_call(SET_GUARDIAN_SELECTOR, a.eve.encode()),
    ];
    timelock.queue(actions).unwrap();
    set_now(ETA_SECS);
    set_caller(a.django);
    let before = recorded().len();
    assert_eq!(timelock.execute(0), Ok(()));

    let events = recorded();
    assert_eq!(events.len(), before + 3);
    assert_eq!(
        DelayChanged::decode(&mut &events[before][..]).unwrap(),
        DelayChanged {
            previous_secs: DELAY_SECS,
            new_secs: new_delay
        }
    );
    assert_eq!(
        GuardianChanged::decode(&mut &events[before + 1][..]).unwrap(),
        GuardianChanged {
            previous: a.bob,
            new: a.eve
        }
    );
    assert_eq!(
        BatchExecuted::decode(&mut &events[before + 2][..]).unwrap(),
        BatchExecuted { batch_id: 0 }
    );
    let settings = timelock.settings();
    assert_eq!(settings.delay_secs, new_delay);
    assert_eq!(settings.guardian, a.eve);
    assert_eq!(timelock.batch(0), None, "actions freed");
    assert_eq!(
        timelock.batch_info(0).map(|info| info.status),
        Some(BatchStatus::Executed)
    );
    assert_eq!(timelock.execute(0), Err(TimelockError::AlreadyExecuted));
    set_caller(a.charlie);
    assert_eq!(timelock.cancel(0), Err(TimelockError::AlreadyExecuted));
    // The new guardian cancels, the old one no longer can.
    timelock.queue(vec![external()]).unwrap();
    assert_eq!(
        timelock.batch_info(1).map(|info| info.eta_secs),
        Some(ETA_SECS + new_delay)
    );
    set_caller(a.bob);
    assert_eq!(
        timelock.cancel(1),
        Err(TimelockError::NotGovernorOrGuardian)
    );
    set_caller(a.eve);
    assert_eq!(timelock.cancel(1), Ok(()));
}

#[ink::test]
fn a_batch_replaces_the_governor() {
    let a = accounts();
    let mut timelock = deploy();
    timelock
        .queue(vec![self_call(SET_GOVERNOR_SELECTOR, a.django.encode())])
        .unwrap();
    set_now(ETA_SECS);
    assert_eq!(timelock.execute(0), Ok(()));
    let events = recorded();
    assert_eq!(
        GovernorChanged::decode(&mut &events[events.len() - 2][..]).unwrap(),
        GovernorChanged {
            previous: Some(a.charlie),
            new: a.django
        }
    );
    assert_eq!(timelock.settings().governor, Some(a.django));
    assert_eq!(
        timelock.queue(vec![external()]),
        Err(TimelockError::NotGovernor)
    );
    set_caller(a.django);
    assert_eq!(timelock.queue(vec![external()]), Ok(1));
}

#[ink::test]
fn setters_called_directly_are_refused() {
    let a = accounts();
    let mut timelock = deploy();
    for caller in [a.alice, a.bob, a.charlie, a.django] {
        set_caller(caller);
        assert_eq!(
            timelock.set_delay(MIN_DELAY_SECS),
            Err(TimelockError::NotTimelock)
        );
        assert_eq!(
            timelock.set_guardian(caller),
            Err(TimelockError::NotTimelock)
        );
        assert_eq!(
            timelock.set_governor(caller),
            Err(TimelockError::NotTimelock)
        );
        assert_eq!(
            timelock.set_code_hash(Hash::from([1; 32])),
            Err(TimelockError::NotTimelock)
        );
    }
    assert_eq!(timelock.settings().delay_secs, DELAY_SECS);
    assert_eq!(recorded().len(), 1, "only the governor binding");
    // Called by the timelock's own account, they take the in-line path.
    set_caller(TIMELOCK);
    assert_eq!(
        timelock.set_delay(MAX_DELAY_SECS + 1),
        Err(TimelockError::InvalidDelay)
    );
    assert_eq!(timelock.set_delay(MAX_DELAY_SECS), Ok(()));
    assert_eq!(
        last_event::<DelayChanged>(),
        DelayChanged {
            previous_secs: DELAY_SECS,
            new_secs: MAX_DELAY_SECS
        }
    );
    assert_eq!(timelock.set_guardian(a.eve), Ok(()));
    assert_eq!(timelock.settings().guardian, a.eve);
}

#[ink::test]
fn malformed_self_calls_fail_with_their_index() {
    let mut timelock = deploy();
    let good = self_call(SET_DELAY_SELECTOR, MIN_DELAY_SECS.encode());
    let mut paying = good.clone();
    paying.transferred_value = 1;
    let cases = [
        (
            self_call(ink::selector_bytes!("queue"), Vec::new()),
            TimelockError::UnknownSelfCall(1),
        ),
        (
            self_call(SET_DELAY_SELECTOR, vec![1, 2, 3]),
            TimelockError::InvalidSelfCallInput(1),
        ),
        (
            self_call(SET_CODE_HASH_SELECTOR, Vec::new()),
            TimelockError::InvalidSelfCallInput(1),
        ),
        (
            self_call(SET_DELAY_SELECTOR, (MAX_DELAY_SECS + 1).encode()),
            TimelockError::InvalidDelay,
        ),
        (paying, TimelockError::ActionFailed(1)),
    ];
    for (bad, error) in cases {
        let batch_id = timelock.queue(vec![good.clone(), bad]).unwrap();
        set_now(ETA_SECS);
        assert_eq!(timelock.execute(batch_id), Err(error));
        set_now(NOW_SECS);
    }
}

#[ink::test]
fn the_timelock_does_not_accept_governance_of_itself() {
    let mut timelock = deploy();
    set_caller(accounts().django);
    assert_eq!(
        timelock.accept_governance_of(TIMELOCK),
        Err(TimelockError::AcceptFailed)
    );
}
