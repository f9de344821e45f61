//! `#[ink::test]`s of the token's messages: caller handling, role gates and the events
//! each message emits, decoded from the off-chain environment's record.

use crate::token::Token;
use carrack_interfaces::{
    Approval, PSP22Burnable, PSP22Error, PSP22Metadata, PSP22Mintable, Transfer, PSP22,
};
use carrack_psp22::{MinterChanged, MinterNominated};
use ink::env::test::{self, DefaultAccounts};
use ink::env::DefaultEnvironment;
use ink::primitives::AccountId;
use ink::scale::Decode;

fn accounts() -> DefaultAccounts<DefaultEnvironment> {
    test::default_accounts::<DefaultEnvironment>()
}

fn set_caller(caller: AccountId) {
    test::set_caller::<DefaultEnvironment>(caller);
}

/// Alice deploys a token with `supply`, Bob as minter.
fn deploy(supply: u128) -> Token {
    set_caller(accounts().alice);
    Token::new(
        supply,
        Some("Carrack USD".into()),
        Some("cUSD".into()),
        6,
        Some(accounts().bob),
    )
    .expect("deploys")
}

fn recorded() -> Vec<Vec<u8>> {
    test::recorded_events().map(|event| event.data).collect()
}

fn transfer(data: &[u8]) -> Transfer {
    Transfer::decode(&mut &data[..]).expect("a Transfer event")
}

fn approval(data: &[u8]) -> Approval {
    Approval::decode(&mut &data[..]).expect("an Approval event")
}

#[ink::test]
fn constructor_mints_initial_supply_and_names_minter() {
    let token = deploy(1_000);
    let accounts = accounts();
    assert_eq!(token.total_supply(), 1_000);
    assert_eq!(token.balance_of(accounts.alice), 1_000);
    assert_eq!(token.token_name(), Some("Carrack USD".into()));
    assert_eq!(token.token_symbol(), Some("cUSD".into()));
    assert_eq!(token.token_decimals(), 6);
    assert_eq!(token.minter(), Some(accounts.bob));
    let events = recorded();
    assert_eq!(events.len(), 2);
    assert_eq!(
        transfer(&events[0]),
        Transfer {
            from: None,
            to: Some(accounts.alice),
            value: 1_000
        }
    );
    assert_eq!(
        MinterChanged::decode(&mut &events[1][..]).unwrap(),
        MinterChanged {
            previous: None,
            new: Some(accounts.bob)
        }
    );
}

#[ink::test]
fn zero_supply_without_minter_emits_nothing() {
    set_caller(accounts().alice);
    let token = Token::new(0, None, None, 18, None).expect("deploys");
    assert_eq!(token.total_supply(), 0);
    assert_eq!(token.token_name(), None);
    assert_eq!(token.minter(), None);
    assert_eq!(recorded().len(), 0);
}

#[ink::test]
fn transfer_uses_the_caller_and_emits_transfer() {
    let mut token = deploy(100);
    let accounts = accounts();
    set_caller(accounts.alice);
    token.transfer(accounts.charlie, 40, vec![]).unwrap();
    assert_eq!(token.balance_of(accounts.alice), 60);
    assert_eq!(token.balance_of(accounts.charlie), 40);
    let events = recorded();
    assert_eq!(
        transfer(events.last().unwrap()),
        Transfer {
            from: Some(accounts.alice),
            to: Some(accounts.charlie),
            value: 40
        }
    );
    set_caller(accounts.charlie);
    assert_eq!(
        token.transfer(accounts.alice, 41, vec![]),
        Err(PSP22Error::InsufficientBalance)
    );
    assert_eq!(
        recorded().len(),
        events.len(),
        "a failed call emits nothing"
    );
}

#[ink::test]
fn approve_then_transfer_from_emits_approval_and_transfer() {
    let mut token = deploy(100);
    let accounts = accounts();
    set_caller(accounts.alice);
    token.approve(accounts.django, 30).unwrap();
    token.increase_allowance(accounts.django, 5).unwrap();
    token.decrease_allowance(accounts.django, 10).unwrap();
    assert_eq!(token.allowance(accounts.alice, accounts.django), 25);
    let before = recorded().len();
    set_caller(accounts.django);
    token
        .transfer_from(accounts.alice, accounts.eve, 25, vec![])
        .unwrap();
    let events = recorded();
    assert_eq!(events.len(), before + 2);
    assert_eq!(
        approval(&events[before]),
        Approval {
            owner: accounts.alice,
            spender: accounts.django,
            amount: 0
        }
    );
    assert_eq!(
        transfer(&events[before + 1]),
        Transfer {
            from: Some(accounts.alice),
            to: Some(accounts.eve),
            value: 25
        }
    );
    assert_eq!(
        token.transfer_from(accounts.alice, accounts.eve, 1, vec![]),
        Err(PSP22Error::InsufficientAllowance)
    );
}

#[ink::test]
fn only_the_minter_mints_and_burns() {
    let mut token = deploy(100);
    let accounts = accounts();
    set_caller(accounts.alice);
    assert_eq!(
        token.mint(accounts.alice, 1),
        Err(PSP22Error::CallerIsNotMinter)
    );
    assert_eq!(
        token.burn(accounts.alice, 1),
        Err(PSP22Error::CallerIsNotMinter)
    );
    set_caller(accounts.bob);
    token.mint(accounts.charlie, 50).unwrap();
    assert_eq!(token.total_supply(), 150);
    assert_eq!(
        transfer(recorded().last().unwrap()),
        Transfer {
            from: None,
            to: Some(accounts.charlie),
            value: 50
        }
    );
    // Burning someone else's tokens needs their allowance, even for the minter.
    assert_eq!(
        token.burn(accounts.charlie, 10),
        Err(PSP22Error::InsufficientAllowance)
    );
    set_caller(accounts.charlie);
    token.approve(accounts.bob, 10).unwrap();
    set_caller(accounts.bob);
    token.burn(accounts.charlie, 10).unwrap();
    assert_eq!(token.balance_of(accounts.charlie), 40);
    assert_eq!(token.total_supply(), 140);
    assert_eq!(
        transfer(recorded().last().unwrap()),
        Transfer {
            from: Some(accounts.charlie),
            to: None,
            value: 10
        }
    );
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
        MinterNominated::decode(&mut &recorded().last().unwrap()[..]).unwrap(),
        MinterNominated {
            minter: accounts.bob,
            pending: Some(accounts.charlie)
        }
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
    set_caller(accounts.bob);
    assert_eq!(
        token.mint(accounts.bob, 1),
        Err(PSP22Error::CallerIsNotMinter)
    );
    set_caller(accounts.charlie);
    token.renounce_minter().unwrap();
    assert_eq!(
        MinterChanged::decode(&mut &recorded().last().unwrap()[..]).unwrap(),
        MinterChanged {
            previous: Some(accounts.charlie),
            new: None
        }
    );
    assert_eq!(
        token.mint(accounts.charlie, 1),
        Err(PSP22Error::CallerIsNotMinter)
    );
    assert_eq!(token.total_supply(), 7);
}
