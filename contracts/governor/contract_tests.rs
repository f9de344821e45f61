//! `#[ink::test]`s of the governor's messages up to the point where they would call the
//! token or the timelock (the off-chain environment cannot run other contracts): who may
//! change the governor, bounds, and the refusals made before any call. Voting, queueing
//! and execution run on a real node in `e2e/tests/governance.rs`.

use crate::error::GovernorError;
use crate::governor::{Governor, MAX_DESCRIPTION_BYTES};
use crate::params::tests::{limits, params};
use crate::params::{Bounds, GovernorLimits, GovernorParams};
use crate::proposal::VoteType;
use carrack_interfaces::{Action, ActionsError};
use ink::env::test::{self, DefaultAccounts};
use ink::env::DefaultEnvironment;
use ink::prelude::{string::String, vec, vec::Vec};
use ink::primitives::{AccountId, Hash};

fn accounts() -> DefaultAccounts<DefaultEnvironment> {
    test::default_accounts::<DefaultEnvironment>()
}

fn set_caller(caller: AccountId) {
    test::set_caller::<DefaultEnvironment>(caller);
}

fn emitted() -> usize {
    test::recorded_events().count()
}

/// Token = django, timelock = eve.
fn governor() -> Governor {
    let a = accounts();
    Governor::new(a.django, a.eve, params(), limits()).unwrap()
}

fn action() -> Action {
    Action {
        callee: AccountId::from([9; 32]),
        selector: [1, 2, 3, 4],
        input: Vec::new(),
        transferred_value: 0,
    }
}

#[ink::test]
fn constructor_checks_limits_and_params() {
    let a = accounts();
    let bad_limits = GovernorLimits {
        voting_period_blocks: Bounds { min: 0, max: 1 },
        ..limits()
    };
    assert!(matches!(
        Governor::new(a.django, a.eve, params(), bad_limits),
        Err(GovernorError::InvalidLimits)
    ));
    let outside = GovernorParams {
        quorum_bps: 1,
        ..params()
    };
    assert!(matches!(
        Governor::new(a.django, a.eve, outside, limits()),
        Err(GovernorError::InvalidParams)
    ));
    let settings = governor().settings();
    assert_eq!(
        (settings.token, settings.timelock, settings.params),
        (a.django, a.eve, params())
    );
    assert_eq!((settings.limits, settings.proposal_count), (limits(), 0));
}

#[ink::test]
fn only_the_timelock_changes_the_governor_and_only_within_bounds() {
    let a = accounts();
    let mut governor = governor();
    let faster = GovernorParams {
        voting_delay_blocks: 1,
        ..params()
    };
    for caller in [a.alice, a.bob, a.django] {
        set_caller(caller);
        assert_eq!(governor.set_params(faster), Err(GovernorError::NotTimelock));
        assert_eq!(
            governor.set_code_hash(Hash::from([7; 32])),
            Err(GovernorError::NotTimelock)
        );
    }
    assert_eq!(emitted(), 0, "refused calls emit nothing");
    set_caller(a.eve);
    let too_fast = GovernorParams {
        voting_period_blocks: 1,
        ..params()
    };
    assert_eq!(
        governor.set_params(too_fast),
        Err(GovernorError::InvalidParams)
    );
    assert_eq!(governor.set_params(faster), Ok(()));
    assert_eq!(governor.settings().params, faster);
    assert_eq!(emitted(), 1);
}

#[ink::test]
fn malformed_proposals_are_refused_before_reading_votes() {
    let mut governor = governor();
    assert_eq!(
        governor.propose(Vec::new(), String::from("nothing")),
        Err(GovernorError::Actions(ActionsError::NoActions))
    );
    assert_eq!(
        governor.propose(vec![action(); 11], String::from("too many")),
        Err(GovernorError::Actions(ActionsError::TooManyActions))
    );
    let long = Action {
        input: vec![0; 513],
        ..action()
    };
    assert_eq!(
        governor.propose(vec![action(), long], String::from("long input")),
        Err(GovernorError::Actions(ActionsError::InputTooLong(1)))
    );
    let description = "x".repeat(MAX_DESCRIPTION_BYTES + 1);
    assert_eq!(
        governor.propose(vec![action()], description),
        Err(GovernorError::DescriptionTooLong)
    );
    assert_eq!(governor.settings().proposal_count, 0);
    assert_eq!(emitted(), 0);
}

#[ink::test]
fn unknown_proposals_are_refused() {
    let mut governor = governor();
    assert_eq!(
        governor.cast_vote(0, VoteType::For),
        Err(GovernorError::UnknownProposal)
    );
    assert_eq!(governor.queue(0), Err(GovernorError::UnknownProposal));
    assert_eq!(governor.cancel(0), Err(GovernorError::UnknownProposal));
    assert_eq!(governor.state(0), Err(GovernorError::UnknownProposal));
    assert_eq!(governor.proposal(0), None);
    assert_eq!(governor.proposal_actions(0), None);
    assert_eq!(governor.receipt(0, accounts().alice), None);
}
