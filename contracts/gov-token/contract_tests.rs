//! `#[ink::test]`s of the governance token's messages: caller and block handling, role
//! gates, and the events each message emits, decoded from the off-chain environment's
//! record. The votes logic itself is tested in `delegation.rs` and `checkpoints.rs`.

use crate::gov_token::GovToken;
use carrack_interfaces::{
    Approval, DelegateChanged, DelegateVotesChanged, PSP22Burnable, PSP22Error, PSP22Metadata,
    PSP22Mintable, Transfer, Votes, VotesError, PSP22,
};
use carrack_psp22::{MinterChanged, MinterNominated};
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
    MinterNominated(MinterNominated),
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
                .or_else(|| decode(topics, data).map(Emitted::MinterNominated))
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

/// Alice deploys a token with `supply`, Bob as minter.
fn deploy(supply: u128) -> GovToken {
    set_caller(accounts().alice);
    GovToken::new(
        supply,
        Some("Carrack Governance".into()),
        Some("CRK".into()),
        18,
        Some(accounts().bob),
    )
    .expect("deploys")
}

#[ink::test]
fn constructor_mints_to_the_deployer_and_checkpoints_the_supply() {
    let token = deploy(1_000);
    let accounts = accounts();
    let deployed_at = block();
    assert_eq!(token.total_supply(), 1_000);
    assert_eq!(token.balance_of(accounts.alice), 1_000);
    assert_eq!(token.token_name(), Some("Carrack Governance".into()));
    assert_eq!(token.token_symbol(), Some("CRK".into()));
    assert_eq!(token.token_decimals(), 18);
    assert_eq!(token.minter(), Some(accounts.bob));
    assert_eq!(
        emitted(),
        vec![
            Emitted::Transfer(Transfer {
                from: None,
                to: Some(accounts.alice),
                value: 1_000
            }),
            Emitted::MinterChanged(MinterChanged {
                previous: None,
                new: Some(accounts.bob)
            }),
        ]
    );
    // Undelegated: the deployer's tokens do not vote yet.
    assert_eq!(token.get_votes(accounts.alice), 0);
    assert_eq!(token.delegates(accounts.alice), None);
    assert_eq!(
        token.get_past_total_supply(deployed_at),
        Err(VotesError::FutureLookup)
    );
    advance_block();
    assert_eq!(token.get_past_total_supply(deployed_at), Ok(1_000));
    assert_eq!(token.get_past_votes(accounts.alice, deployed_at), Ok(0));
}

#[ink::test]
fn zero_supply_without_minter_emits_nothing() {
    set_caller(accounts().alice);
    let token = GovToken::new(0, None, None, 12, None).expect("deploys");
    assert_eq!(token.total_supply(), 0);
    assert_eq!(token.token_name(), None);
    assert_eq!(token.token_symbol(), None);
    assert_eq!(token.minter(), None);
    assert_eq!(emitted(), vec![]);
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
    token.approve(accounts.django, 30).unwrap();
    token.increase_allowance(accounts.django, 5).unwrap();
    token.decrease_allowance(accounts.django, 10).unwrap();
    assert_eq!(token.allowance(accounts.alice, accounts.django), 25);
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
fn only_the_minter_mints_and_burns_and_the_supply_history_follows() {
    let mut token = deploy(100);
    let accounts = accounts();
    let deployed_at = block();
    set_caller(accounts.charlie);
    token.delegate(Some(accounts.charlie)).unwrap();
    set_caller(accounts.alice);
    assert_eq!(
        token.mint(accounts.alice, 1),
        Err(PSP22Error::CallerIsNotMinter)
    );
    assert_eq!(
        token.burn(accounts.alice, 1),
        Err(PSP22Error::CallerIsNotMinter)
    );
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
    let burned_at = block();
    // Burning someone else's tokens needs their allowance, even for the minter.
    assert_eq!(
        token.burn(accounts.charlie, 10),
        Err(PSP22Error::InsufficientAllowance)
    );
    set_caller(accounts.charlie);
    token.approve(accounts.bob, 10).unwrap();
    set_caller(accounts.bob);
    let before = emitted().len();
    token.burn(accounts.charlie, 10).unwrap();
    assert_eq!(
        emitted_since(before),
        vec![
            Emitted::Approval(Approval {
                owner: accounts.charlie,
                spender: accounts.bob,
                amount: 0
            }),
            Emitted::Transfer(Transfer {
                from: Some(accounts.charlie),
                to: None,
                value: 10
            }),
            votes_changed(accounts.charlie, 50, 40),
        ]
    );
    advance_block();
    assert_eq!(token.get_past_total_supply(deployed_at), Ok(100));
    assert_eq!(token.get_past_total_supply(minted_at), Ok(150));
    assert_eq!(token.get_past_total_supply(burned_at), Ok(140));
    assert_eq!(token.get_past_votes(accounts.charlie, deployed_at), Ok(0));
    assert_eq!(token.get_past_votes(accounts.charlie, minted_at), Ok(50));
    assert_eq!(token.get_past_votes(accounts.charlie, burned_at), Ok(40));
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

#[ink::test]
fn minter_role_moves_in_two_steps_and_can_be_renounced() {
    let mut token = deploy(0);
    let accounts = accounts();
    set_caller(accounts.alice);
    assert_eq!(
        token.nominate_minter(Some(accounts.alice)),
        Err(PSP22Error::CallerIsNotMinter)
    );
    set_caller(accounts.bob);
    token.nominate_minter(Some(accounts.charlie)).unwrap();
    assert_eq!(token.pending_minter(), Some(accounts.charlie));
    assert_eq!(
        emitted().last(),
        Some(&Emitted::MinterNominated(MinterNominated {
            minter: accounts.bob,
            pending: Some(accounts.charlie)
        }))
    );
    assert_eq!(
        token.accept_minter(),
        Err(PSP22Error::CallerIsNotPendingMinter)
    );
    set_caller(accounts.charlie);
    token.accept_minter().unwrap();
    assert_eq!(token.minter(), Some(accounts.charlie));
    assert_eq!(token.pending_minter(), None);
    token.mint(accounts.charlie, 7).unwrap();
    token.renounce_minter().unwrap();
    assert_eq!(
        emitted().last(),
        Some(&Emitted::MinterChanged(MinterChanged {
            previous: Some(accounts.charlie),
            new: None
        }))
    );
    assert_eq!(
        token.mint(accounts.charlie, 1),
        Err(PSP22Error::CallerIsNotMinter)
    );
    assert_eq!(token.total_supply(), 7);
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
