//! `#[ink::test]`s of the governance token's messages. Its PSP22, Metadata and Mintable
//! messages and the minter role run `carrack-psp22`'s conformance suites (as the
//! token and the hostile test token do, so the copied message shells are proved to agree);
//! the tests below cover what only this token does: votes, checkpoints and delegation,
//! with caller and block handling and the events each message emits, decoded from the
//! off-chain environment's record. The votes logic itself is tested in `delegation.rs`
//! and `checkpoints.rs`.

use crate::gov_token::GovToken;
use carrack_interfaces::{
    Approval, DelegateChanged, DelegateVotesChanged, PSP22Error, PSP22Mintable, Transfer, Votes,
    VotesError, PSP22,
};
use carrack_psp22::MinterChanged;
use ink::env::test::{self, DefaultAccounts};
use ink::env::{DefaultEnvironment, Event};
use ink::primitives::AccountId;
use ink::scale::Decode;

/// An event the token emitted, recognised by its signature topic.
#[derive(Debug, PartialEq, Eq)]
enum Emitted {
    Transfer(Transfer),
    Approval(Approval),
    DelegateChanged(DelegateChanged),
    DelegateVotesChanged(DelegateVotesChanged),
    MinterChanged(MinterChanged),
}

fn decode<E: Event + Decode>(topics: &[Vec<u8>], data: &[u8]) -> Option<E> {
    let signature = E::SIGNATURE_TOPIC.expect("events have a signature topic");
    (topics.first()?.as_slice() == signature.as_slice())
        .then(|| E::decode(&mut &data[..]).expect("decodes"))
}

/// Every event recorded so far, in order.
fn emitted() -> Vec<Emitted> {
    test::recorded_events()
        .map(|event| {
            let (topics, data) = (&event.topics, &event.data[..]);
            None.or_else(|| decode(topics, data).map(Emitted::Transfer))
                .or_else(|| decode(topics, data).map(Emitted::Approval))
                .or_else(|| decode(topics, data).map(Emitted::DelegateChanged))
                .or_else(|| decode(topics, data).map(Emitted::DelegateVotesChanged))
                .or_else(|| decode(topics, data).map(Emitted::MinterChanged))
                .expect("a known event")
        })
        .collect()
}

/// The events recorded after the first `skip`.
fn emitted_since(skip: usize) -> Vec<Emitted> {
    emitted().into_iter().skip(skip).collect()
}

fn accounts() -> DefaultAccounts<DefaultEnvironment> {
    test::default_accounts::<DefaultEnvironment>()
}

fn set_caller(caller: AccountId) {
    test::set_caller::<DefaultEnvironment>(caller);
}

fn advance_block() {
    test::advance_block::<DefaultEnvironment>();
}

fn block() -> u32 {
    ink::env::block_number::<DefaultEnvironment>()
}

fn votes_changed(delegate: AccountId, previous: u128, new: u128) -> Emitted {
    Emitted::DelegateVotesChanged(DelegateVotesChanged {
        delegate,
        previous,
        new,
    })
}

carrack_psp22::psp22_suite!(
    GovToken,
    |supply| {
        let (name, symbol) = (Some("Carrack Governance".into()), Some("CRK".into()));
        GovToken::new(supply, name, symbol, 18, None).expect("deploys")
    },
    metadata: (Some("Carrack Governance"), Some("CRK"), 18),
);

carrack_psp22::minter_suite!(GovToken, |supply, minter| {
    GovToken::new(supply, None, None, 18, minter).expect("deploys")
});

/// Alice deploys a token with `supply`, Bob as minter.
fn deploy(supply: u128) -> GovToken {
    set_caller(accounts().alice);
    GovToken::new(supply, None, None, 18, Some(accounts().bob)).expect("deploys")
}

#[ink::test]
fn the_constructor_checkpoints_the_supply_and_delegates_nothing() {
    let token = deploy(1_000);
    let accounts = accounts();
    let deployed_at = block();
    // Undelegated: the deployer's tokens do not vote yet, and no votes event is emitted.
    assert_eq!(token.get_votes(accounts.alice), 0);
    assert_eq!(token.delegates(accounts.alice), None);
    assert!(emitted()
        .iter()
        .all(|event| !matches!(event, Emitted::DelegateVotesChanged(_))));
    assert_eq!(
        token.get_past_total_supply(deployed_at),
        Err(VotesError::FutureLookup)
    );
    advance_block();
    assert_eq!(token.get_past_total_supply(deployed_at), Ok(1_000));
    assert_eq!(token.get_past_votes(accounts.alice, deployed_at), Ok(0));
}

#[ink::test]
fn a_zero_supply_checkpoints_zero() {
    set_caller(accounts().alice);
    let token = GovToken::new(0, None, None, 12, None).expect("deploys");
    advance_block();
    assert_eq!(token.get_past_total_supply(0), Ok(0));
}

#[ink::test]
fn delegate_uses_the_caller_and_emits_both_events() {
    let mut token = deploy(1_000);
    let accounts = accounts();
    let before = emitted().len();
    set_caller(accounts.alice);
    assert_eq!(token.delegate(Some(accounts.alice)), Ok(()));
    assert_eq!(token.delegates(accounts.alice), Some(accounts.alice));
    assert_eq!(token.get_votes(accounts.alice), 1_000);
    assert_eq!(
        emitted_since(before),
        vec![
            Emitted::DelegateChanged(DelegateChanged {
                delegator: accounts.alice,
                from: None,
                to: Some(accounts.alice)
            }),
            votes_changed(accounts.alice, 0, 1_000),
        ]
    );
    let delegated_at = block();
    advance_block();
    assert_eq!(token.delegate(Some(accounts.charlie)), Ok(()));
    assert_eq!(token.get_votes(accounts.alice), 0);
    assert_eq!(token.get_votes(accounts.charlie), 1_000);
    assert_eq!(
        token.get_past_votes(accounts.alice, delegated_at),
        Ok(1_000)
    );
    // Re-delegating to the current delegate changes nothing and emits nothing.
    let before = emitted().len();
    assert_eq!(token.delegate(Some(accounts.charlie)), Ok(()));
    assert_eq!(emitted().len(), before);
    assert_eq!(token.delegate(None), Ok(()));
    assert_eq!(token.delegates(accounts.alice), None);
    assert_eq!(token.get_votes(accounts.charlie), 0);
}

#[ink::test]
fn transfer_emits_transfer_then_the_delegates_votes_changes() {
    let mut token = deploy(100);
    let accounts = accounts();
    set_caller(accounts.alice);
    token.delegate(Some(accounts.alice)).unwrap();
    set_caller(accounts.charlie);
    token.delegate(Some(accounts.django)).unwrap();
    let before = emitted().len();
    set_caller(accounts.alice);
    token.transfer(accounts.charlie, 40, vec![]).unwrap();
    assert_eq!(
        emitted_since(before),
        vec![
            Emitted::Transfer(Transfer {
                from: Some(accounts.alice),
                to: Some(accounts.charlie),
                value: 40
            }),
            votes_changed(accounts.alice, 100, 60),
            votes_changed(accounts.django, 0, 40),
        ]
    );
    assert_eq!(token.get_votes(accounts.alice), 60);
    assert_eq!(token.get_votes(accounts.django), 40);
    assert_eq!(
        token.get_votes(accounts.charlie),
        0,
        "Charlie delegated away"
    );
    // To an undelegated account the votes just leave.
    let before = emitted().len();
    token.transfer(accounts.eve, 10, vec![]).unwrap();
    assert_eq!(emitted_since(before).len(), 2);
    assert_eq!(token.get_votes(accounts.alice), 50);
}

#[ink::test]
fn a_failed_transfer_emits_nothing_and_moves_no_votes() {
    let mut token = deploy(100);
    let accounts = accounts();
    set_caller(accounts.alice);
    token.delegate(Some(accounts.alice)).unwrap();
    let before = emitted().len();
    assert_eq!(
        token.transfer(accounts.bob, 101, vec![]),
        Err(PSP22Error::InsufficientBalance)
    );
    set_caller(accounts.bob);
    assert_eq!(
        token.transfer_from(accounts.alice, accounts.bob, 1, vec![]),
        Err(PSP22Error::InsufficientAllowance)
    );
    assert_eq!(emitted().len(), before);
    assert_eq!(token.get_votes(accounts.alice), 100);
}

#[ink::test]
fn approve_then_transfer_from_moves_votes() {
    let mut token = deploy(100);
    let accounts = accounts();
    set_caller(accounts.alice);
    token.delegate(Some(accounts.alice)).unwrap();
    token.approve(accounts.django, 25).unwrap();
    set_caller(accounts.eve);
    token.delegate(Some(accounts.eve)).unwrap();
    let before = emitted().len();
    set_caller(accounts.django);
    token
        .transfer_from(accounts.alice, accounts.eve, 25, vec![])
        .unwrap();
    assert_eq!(
        emitted_since(before),
        vec![
            Emitted::Approval(Approval {
                owner: accounts.alice,
                spender: accounts.django,
                amount: 0
            }),
            Emitted::Transfer(Transfer {
                from: Some(accounts.alice),
                to: Some(accounts.eve),
                value: 25
            }),
            votes_changed(accounts.alice, 100, 75),
            votes_changed(accounts.eve, 0, 25),
        ]
    );
}

#[ink::test]
fn minting_moves_votes_and_the_supply_history() {
    let mut token = deploy(100);
    let accounts = accounts();
    let deployed_at = block();
    set_caller(accounts.charlie);
    token.delegate(Some(accounts.charlie)).unwrap();
    advance_block();
    let minted_at = block();
    set_caller(accounts.bob);
    let before = emitted().len();
    token.mint(accounts.charlie, 50).unwrap();
    assert_eq!(
        emitted_since(before),
        vec![
            Emitted::Transfer(Transfer {
                from: None,
                to: Some(accounts.charlie),
                value: 50
            }),
            votes_changed(accounts.charlie, 0, 50),
        ]
    );
    advance_block();
    assert_eq!(token.get_past_total_supply(deployed_at), Ok(100));
    assert_eq!(token.get_past_total_supply(minted_at), Ok(150));
    assert_eq!(token.get_past_votes(accounts.charlie, deployed_at), Ok(0));
    assert_eq!(token.get_past_votes(accounts.charlie, minted_at), Ok(50));
    assert_eq!(
        token.get_past_total_supply(block()),
        Err(VotesError::FutureLookup)
    );
    assert_eq!(
        token.get_past_votes(accounts.charlie, u32::MAX),
        Err(VotesError::FutureLookup)
    );
}

#[ink::test]
fn a_flash_loan_within_one_block_does_not_count() {
    let mut token = deploy(1_000);
    let accounts = accounts();
    set_caller(accounts.alice);
    token.delegate(Some(accounts.alice)).unwrap();
    token.transfer(accounts.bob, 10, vec![]).unwrap();
    set_caller(accounts.bob);
    token.delegate(Some(accounts.bob)).unwrap();
    advance_block();
    let snapshot = block() - 1;
    advance_block();

    // Alice lends Bob everything; Bob pays it back within the same block.
    set_caller(accounts.alice);
    token.transfer(accounts.bob, 990, vec![]).unwrap();
    assert_eq!(token.get_votes(accounts.bob), 1_000);
    assert_eq!(
        token.get_past_votes(accounts.bob, block()),
        Err(VotesError::FutureLookup)
    );
    set_caller(accounts.bob);
    token.transfer(accounts.alice, 990, vec![]).unwrap();
    let loan_block = block();
    advance_block();

    for block in [snapshot, loan_block] {
        assert_eq!(token.get_past_votes(accounts.bob, block), Ok(10));
        assert_eq!(token.get_past_votes(accounts.alice, block), Ok(990));
        assert_eq!(token.get_past_total_supply(block), Ok(1_000));
    }
}

#[test]
fn votes_failures_surface_as_named_custom_psp22_errors() {
    for (error, name) in [
        (VotesError::FutureLookup, "FutureLookup"),
        (VotesError::CheckpointOverflow, "CheckpointOverflow"),
        (VotesError::VotesOverflow, "VotesOverflow"),
    ] {
        assert_eq!(crate::psp22_error(error), PSP22Error::Custom(name.into()));
    }
}
