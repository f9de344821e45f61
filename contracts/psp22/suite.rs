//! Conformance suites, in the style of Cardinal's PSP22 `tests!` macro: [`psp22_suite!`]
//! (the PSP22 standard and its Metadata extension, as `carrack_interfaces::PSP22` documents
//! them), [`minter_suite!`] (`PSP22Mintable` and the two-step minter role) and
//! [`burner_suite!`] (`PSP22Burnable`). Each expands to a module of `#[ink::test]`s that drive a contract's *messages*,
//! so every contract that copies the PSP22 message shells (ink! 5.1.1 allows no default
//! bodies in trait definitions) is proved to behave the same.
//!
//! Only compiled with the `test-suite` feature, which the token crates enable through a
//! dev-dependency: it never reaches a contract's Wasm.
//!
//! ```ignore
//! carrack_psp22::psp22_suite!(
//!     Token,
//!     |supply| Token::new(supply, Some("Carrack USD".into()), Some("cUSD".into()), 6, None)
//!         .expect("deploys"), // allow-panic: a test's constructor (doc example)
//!     metadata: (Some("Carrack USD"), Some("cUSD"), 6),
//! );
//! carrack_psp22::minter_suite!(Token, |supply, minter| {
//!     Token::new(supply, None, None, 6, minter).expect("deploys") // allow-panic: doc example
//! });
//! ```
//!
//! The constructor runs with Alice as the caller and must credit the whole `supply` to
//! the caller. The suites check every event a message emits: each must be one of the
//! standard `Transfer` / `Approval` events or a minter role event, with the standard
//! signature topic and its `#[ink(topic)]` fields as the further topics. A contract that
//! emits more (the governance token's votes events) must not emit them on the suites'
//! paths (its accounts never delegate).

use crate::{MinterChanged, MinterNominated};
use carrack_interfaces::{Approval, Transfer};
use ink::env::test::{self, DefaultAccounts, EmittedEvent};
use ink::env::DefaultEnvironment;
use ink::primitives::AccountId;
use ink::scale::{Decode, Encode};

/// The zero account, re-exported for the macros.
pub use crate::ZERO_ACCOUNT;
/// The traits and error the generated tests call, re-exported for the macros.
pub use carrack_interfaces::{PSP22Burnable, PSP22Error, PSP22Metadata, PSP22Mintable, PSP22};

/// `Transfer`'s signature topic as the PSP22 standard defines the event.
const TRANSFER_SIGNATURE: [u8; 32] =
    ink::blake2x256!("Transfer(Option<AccountId>,Option<AccountId>,u128)");
/// `Approval`'s signature topic as the PSP22 standard defines the event.
const APPROVAL_SIGNATURE: [u8; 32] = ink::blake2x256!("Approval(AccountId,AccountId,u128)");
/// `MinterNominated`'s signature topic.
const MINTER_NOMINATED_SIGNATURE: [u8; 32] =
    ink::blake2x256!("MinterNominated(AccountId,Option<AccountId>)");
/// `MinterChanged`'s signature topic.
const MINTER_CHANGED_SIGNATURE: [u8; 32] =
    ink::blake2x256!("MinterChanged(Option<AccountId>,Option<AccountId>)");

/// An event a token emitted, decoded after its topics were checked.
#[derive(Debug, PartialEq, Eq)]
pub enum Emitted {
    /// The standard `Transfer`.
    Transfer(Transfer),
    /// The standard `Approval`.
    Approval(Approval),
    /// The minter nominated a successor.
    MinterNominated(MinterNominated),
    /// The minter role changed hands.
    MinterChanged(MinterChanged),
}

/// The off-chain environment's default accounts (Alice deploys).
pub fn accounts() -> DefaultAccounts<DefaultEnvironment> {
    test::default_accounts::<DefaultEnvironment>()
}

/// Makes `caller` the caller of the next messages.
pub fn set_caller(caller: AccountId) {
    test::set_caller::<DefaultEnvironment>(caller);
}

/// Runs `constructor(supply)` with Alice as the caller.
pub fn deploy<C>(supply: u128, constructor: impl FnOnce(u128) -> C) -> C {
    set_caller(accounts().alice);
    constructor(supply)
}

/// Runs `constructor(supply, minter)` with Alice as the caller.
pub fn deploy_with_minter<C>(
    supply: u128,
    minter: Option<AccountId>,
    constructor: impl FnOnce(u128, Option<AccountId>) -> C,
) -> C {
    set_caller(accounts().alice);
    constructor(supply, minter)
}

/// How many events were emitted so far.
pub fn event_count() -> usize {
    test::recorded_events().count()
}

/// The events emitted after the first `start`, in order; panics on an event the suites do
/// not know or one whose topics are not the standard ones.
pub fn events_since(start: usize) -> Vec<Emitted> {
    test::recorded_events().skip(start).map(decode).collect()
}

/// A `Transfer` event.
pub fn transfer(from: Option<AccountId>, to: Option<AccountId>, value: u128) -> Emitted {
    Emitted::Transfer(Transfer { from, to, value })
}

/// An `Approval` event.
pub fn approval(owner: AccountId, spender: AccountId, amount: u128) -> Emitted {
    Emitted::Approval(Approval {
        owner,
        spender,
        amount,
    })
}

/// A `MinterNominated` event.
pub fn minter_nominated(minter: AccountId, pending: Option<AccountId>) -> Emitted {
    Emitted::MinterNominated(MinterNominated { minter, pending })
}

/// A `MinterChanged` event.
pub fn minter_changed(previous: Option<AccountId>, new: Option<AccountId>) -> Emitted {
    Emitted::MinterChanged(MinterChanged { previous, new })
}

/// The topic ink! 5 records for an `AccountId` or `Option<AccountId>` `#[ink(topic)]`
/// field: the account's 32 bytes, or 32 zero bytes for `None` (ink! publishes an `Option`
/// topic as its inner value, `None` as a zero-padded `0u8`).
fn topic(account: Option<AccountId>) -> Vec<u8> {
    account.map_or_else(|| vec![0; 32], |account| account.encode())
}

fn decode_as<E: Decode>(event: &EmittedEvent) -> E {
    let mut data = &event.data[..];
    // Conformance suite (`test-suite` feature, never in a Wasm): an undecodable event
    // fails the test.
    let decoded = E::decode(&mut data).expect("the event data decodes"); // allow-panic: suite
    assert!(data.is_empty(), "the event data has trailing bytes");
    decoded
}

fn decode(event: EmittedEvent) -> Emitted {
    let signature = event.topics.first().map(Vec::as_slice);
    let (emitted, field_topics) = if signature == Some(&TRANSFER_SIGNATURE[..]) {
        let e: Transfer = decode_as(&event);
        let topics = vec![topic(e.from), topic(e.to)];
        (Emitted::Transfer(e), topics)
    } else if signature == Some(&APPROVAL_SIGNATURE[..]) {
        let e: Approval = decode_as(&event);
        let topics = vec![topic(Some(e.owner)), topic(Some(e.spender))];
        (Emitted::Approval(e), topics)
    } else if signature == Some(&MINTER_NOMINATED_SIGNATURE[..]) {
        let e: MinterNominated = decode_as(&event);
        let topics = vec![topic(Some(e.minter)), topic(e.pending)];
        (Emitted::MinterNominated(e), topics)
    } else if signature == Some(&MINTER_CHANGED_SIGNATURE[..]) {
        let e: MinterChanged = decode_as(&event);
        let topics = vec![topic(e.previous), topic(e.new)];
        (Emitted::MinterChanged(e), topics)
    } else {
        // Conformance suite (`test-suite` feature): an unknown event fails the test.
        let topics = &event.topics;
        let what = "an event that is neither a standard PSP22 event nor a minter role event";
        panic!("{what} (topics {topics:?})"); // allow-panic: conformance suite
    };
    assert_eq!(
        event.topics.get(1..),
        Some(&field_topics[..]),
        "{emitted:?}: the topics after the signature are the #[ink(topic)] fields, in order"
    );
    emitted
}

/// Generates `mod psp22_suite`: `#[ink::test]`s of the PSP22 standard and its Metadata
/// extension against `$contract`'s messages (see the [module](crate::suite) docs).
///
/// * `$contract`: the contract type, implementing `PSP22` and `PSP22Metadata`;
/// * `$constructor`: `|supply: u128| -> $contract`, run as Alice, crediting `supply` to
///   the caller;
/// * `metadata: (name, symbol, decimals)`: what `token_name` (`Option<&str>`),
///   `token_symbol` and `token_decimals` must return for that instance.
#[macro_export]
macro_rules! psp22_suite {
    ($contract:ty, $constructor:expr, metadata: ($name:expr, $symbol:expr, $decimals:expr) $(,)?) => {
        /// The PSP22 conformance suite of `carrack_psp22::psp22_suite!`.
        mod psp22_suite {
            #[allow(unused_imports)]
            use super::*;
            use $crate::suite;
            use $crate::suite::{
                approval, transfer, PSP22Error, PSP22Metadata as _, PSP22 as _, ZERO_ACCOUNT,
            };

            const SUPPLY: u128 = 1_000;

            fn deploy(supply: u128) -> $contract {
                suite::deploy(supply, $constructor)
            }

            /// The views of a fresh token: the whole supply on the deployer, no allowance.
            #[::ink::test]
            fn views_start_with_the_whole_supply_on_the_deployer() {
                let token = deploy(SUPPLY);
                let a = suite::accounts();
                assert_eq!(token.total_supply(), SUPPLY);
                assert_eq!(token.balance_of(a.alice), SUPPLY);
                assert_eq!(token.balance_of(a.bob), 0);
                assert_eq!(token.balance_of(ZERO_ACCOUNT), 0);
                assert_eq!(token.allowance(a.alice, a.bob), 0);
                assert_eq!(token.allowance(a.bob, a.alice), 0);
                assert_eq!(token.allowance(a.alice, a.alice), 0);
            }

            /// PSP22Metadata returns what the token was deployed with.
            #[::ink::test]
            fn metadata_is_what_the_token_was_deployed_with() {
                let token = deploy(SUPPLY);
                let name: Option<&str> = $name;
                let symbol: Option<&str> = $symbol;
                assert_eq!(token.token_name().as_deref(), name);
                assert_eq!(token.token_symbol().as_deref(), symbol);
                assert_eq!(token.token_decimals(), $decimals);
            }

            /// `transfer` moves the caller's tokens and emits one standard `Transfer`.
            #[::ink::test]
            fn transfer_moves_the_callers_tokens_and_emits_transfer() {
                let mut token = deploy(SUPPLY);
                let a = suite::accounts();
                let start = suite::event_count();
                assert_eq!(token.transfer(a.bob, 300, vec![1, 2, 3]), Ok(()));
                assert_eq!(
                    suite::events_since(start),
                    vec![transfer(Some(a.alice), Some(a.bob), 300)]
                );
                assert_eq!(token.balance_of(a.alice), 700);
                assert_eq!(token.balance_of(a.bob), 300);
                // The whole balance, by another caller.
                suite::set_caller(a.bob);
                let start = suite::event_count();
                assert_eq!(token.transfer(a.charlie, 300, vec![]), Ok(()));
                assert_eq!(
                    suite::events_since(start),
                    vec![transfer(Some(a.bob), Some(a.charlie), 300)]
                );
                assert_eq!(token.balance_of(a.bob), 0);
                assert_eq!(token.balance_of(a.charlie), 300);
                assert_eq!(token.total_supply(), SUPPLY, "a transfer keeps the supply");
            }

            /// A zero `value` or a transfer to oneself succeeds, changes nothing and emits
            /// nothing (even above the balance).
            #[::ink::test]
            fn transfer_of_zero_or_to_oneself_succeeds_silently() {
                let mut token = deploy(SUPPLY);
                let a = suite::accounts();
                let start = suite::event_count();
                assert_eq!(token.transfer(a.bob, 0, vec![]), Ok(()));
                assert_eq!(token.transfer(a.alice, 500, vec![]), Ok(()));
                assert_eq!(token.transfer(a.alice, SUPPLY + 1, vec![]), Ok(()));
                suite::set_caller(a.charlie);
                assert_eq!(token.transfer(a.bob, 0, vec![]), Ok(()));
                assert_eq!(suite::events_since(start), vec![]);
                assert_eq!(token.balance_of(a.alice), SUPPLY);
                assert_eq!(token.balance_of(a.bob), 0);
            }

            /// More than the balance fails with `InsufficientBalance` and emits nothing.
            #[::ink::test]
            fn transfer_beyond_the_balance_fails_with_insufficient_balance() {
                let mut token = deploy(SUPPLY);
                let a = suite::accounts();
                let start = suite::event_count();
                assert_eq!(
                    token.transfer(a.bob, SUPPLY + 1, vec![]),
                    Err(PSP22Error::InsufficientBalance)
                );
                suite::set_caller(a.charlie);
                assert_eq!(
                    token.transfer(a.alice, 1, vec![]),
                    Err(PSP22Error::InsufficientBalance)
                );
                assert_eq!(suite::events_since(start), vec![]);
                assert_eq!(token.balance_of(a.alice), SUPPLY);
                assert_eq!(token.balance_of(a.bob), 0);
                assert_eq!(token.total_supply(), SUPPLY);
            }

            /// `transfer`'s errors in their order: `ZeroSenderAddress`,
            /// `ZeroRecipientAddress`, then the balance; the zero checks come before the
            /// zero-value no-op.
            #[::ink::test]
            fn transfer_checks_the_zero_addresses_first() {
                let mut token = deploy(SUPPLY);
                let a = suite::accounts();
                let start = suite::event_count();
                for value in [0, 1, SUPPLY + 1] {
                    assert_eq!(
                        token.transfer(ZERO_ACCOUNT, value, vec![]),
                        Err(PSP22Error::ZeroRecipientAddress),
                        "value {value}"
                    );
                }
                suite::set_caller(ZERO_ACCOUNT);
                for to in [a.bob, ZERO_ACCOUNT] {
                    assert_eq!(
                        token.transfer(to, 1, vec![]),
                        Err(PSP22Error::ZeroSenderAddress)
                    );
                }
                assert_eq!(suite::events_since(start), vec![]);
                assert_eq!(token.balance_of(a.alice), SUPPLY);
            }

            /// `transfer_from` spends the caller's allowance and emits `Approval` (the
            /// reduced allowance), then `Transfer`.
            #[::ink::test]
            fn transfer_from_spends_the_allowance_and_emits_approval_then_transfer() {
                let mut token = deploy(SUPPLY);
                let a = suite::accounts();
                assert_eq!(token.approve(a.bob, 500), Ok(()));
                suite::set_caller(a.bob);
                let start = suite::event_count();
                assert_eq!(
                    token.transfer_from(a.alice, a.charlie, 200, vec![9]),
                    Ok(())
                );
                assert_eq!(
                    suite::events_since(start),
                    vec![
                        approval(a.alice, a.bob, 300),
                        transfer(Some(a.alice), Some(a.charlie), 200)
                    ]
                );
                assert_eq!(token.allowance(a.alice, a.bob), 300);
                assert_eq!(token.balance_of(a.alice), 800);
                assert_eq!(token.balance_of(a.charlie), 200);
                assert_eq!(token.balance_of(a.bob), 0, "the spender receives nothing");
                let start = suite::event_count();
                assert_eq!(token.transfer_from(a.alice, a.bob, 300, vec![]), Ok(()));
                assert_eq!(
                    suite::events_since(start),
                    vec![
                        approval(a.alice, a.bob, 0),
                        transfer(Some(a.alice), Some(a.bob), 300)
                    ]
                );
                assert_eq!(token.allowance(a.alice, a.bob), 0);
                assert_eq!(token.balance_of(a.bob), 300);
                assert_eq!(token.total_supply(), SUPPLY);
            }

            /// `InsufficientAllowance` is checked before `InsufficientBalance`; a refused
            /// `transfer_from` spends nothing and emits nothing.
            #[::ink::test]
            fn transfer_from_checks_the_allowance_before_the_balance() {
                let mut token = deploy(SUPPLY);
                let a = suite::accounts();
                suite::set_caller(a.bob);
                let start = suite::event_count();
                assert_eq!(
                    token.transfer_from(a.alice, a.charlie, SUPPLY + 1, vec![]),
                    Err(PSP22Error::InsufficientAllowance),
                    "no allowance and not enough balance: the allowance is named"
                );
                assert_eq!(
                    token.transfer_from(a.alice, a.charlie, 1, vec![]),
                    Err(PSP22Error::InsufficientAllowance)
                );
                suite::set_caller(a.alice);
                assert_eq!(token.approve(a.bob, 10), Ok(()));
                suite::set_caller(a.bob);
                assert_eq!(
                    token.transfer_from(a.alice, a.charlie, 11, vec![]),
                    Err(PSP22Error::InsufficientAllowance)
                );
                suite::set_caller(a.alice);
                assert_eq!(token.approve(a.bob, 2 * SUPPLY), Ok(()));
                suite::set_caller(a.bob);
                assert_eq!(
                    token.transfer_from(a.alice, a.charlie, SUPPLY + 1, vec![]),
                    Err(PSP22Error::InsufficientBalance)
                );
                assert_eq!(token.allowance(a.alice, a.bob), 2 * SUPPLY, "not spent");
                assert_eq!(token.balance_of(a.alice), SUPPLY);
                assert_eq!(token.balance_of(a.charlie), 0);
                assert_eq!(
                    suite::events_since(start),
                    vec![
                        approval(a.alice, a.bob, 10),
                        approval(a.alice, a.bob, 2 * SUPPLY)
                    ],
                    "the refused calls emit nothing"
                );
            }

            /// `transfer_from` checks `ZeroSenderAddress`, then `ZeroRecipientAddress`,
            /// before the allowance.
            #[::ink::test]
            fn transfer_from_checks_the_zero_addresses_before_the_allowance() {
                let mut token = deploy(SUPPLY);
                let a = suite::accounts();
                suite::set_caller(a.bob);
                let start = suite::event_count();
                for to in [a.charlie, ZERO_ACCOUNT] {
                    assert_eq!(
                        token.transfer_from(ZERO_ACCOUNT, to, 1, vec![]),
                        Err(PSP22Error::ZeroSenderAddress)
                    );
                }
                for value in [0, 1] {
                    assert_eq!(
                        token.transfer_from(a.alice, ZERO_ACCOUNT, value, vec![]),
                        Err(PSP22Error::ZeroRecipientAddress),
                        "value {value}"
                    );
                }
                assert_eq!(suite::events_since(start), vec![]);
                assert_eq!(token.balance_of(a.alice), SUPPLY);
            }

            /// An allowance of `u128::MAX` is unlimited: never spent, so no `Approval`.
            #[::ink::test]
            fn an_unlimited_allowance_is_never_spent() {
                let mut token = deploy(SUPPLY);
                let a = suite::accounts();
                assert_eq!(token.approve(a.bob, u128::MAX), Ok(()));
                suite::set_caller(a.bob);
                for _ in 0..2 {
                    let start = suite::event_count();
                    assert_eq!(token.transfer_from(a.alice, a.charlie, 400, vec![]), Ok(()));
                    assert_eq!(
                        suite::events_since(start),
                        vec![transfer(Some(a.alice), Some(a.charlie), 400)]
                    );
                    assert_eq!(token.allowance(a.alice, a.bob), u128::MAX);
                }
                assert_eq!(token.balance_of(a.charlie), 800);
            }

            /// The owner moving its own tokens by `transfer_from` needs no allowance.
            #[::ink::test]
            fn the_owner_needs_no_allowance_for_its_own_tokens() {
                let mut token = deploy(SUPPLY);
                let a = suite::accounts();
                let start = suite::event_count();
                assert_eq!(token.transfer_from(a.alice, a.bob, 100, vec![]), Ok(()));
                assert_eq!(
                    suite::events_since(start),
                    vec![transfer(Some(a.alice), Some(a.bob), 100)]
                );
                assert_eq!(token.balance_of(a.bob), 100);
                assert_eq!(token.allowance(a.alice, a.alice), 0);
            }

            /// A zero `value` or `from == to` succeeds without any change, needing no
            /// allowance.
            #[::ink::test]
            fn transfer_from_of_zero_or_to_the_owner_succeeds_silently() {
                let mut token = deploy(SUPPLY);
                let a = suite::accounts();
                suite::set_caller(a.bob);
                let start = suite::event_count();
                assert_eq!(token.transfer_from(a.alice, a.charlie, 0, vec![]), Ok(()));
                assert_eq!(token.transfer_from(a.alice, a.alice, 10, vec![]), Ok(()));
                assert_eq!(suite::events_since(start), vec![]);
                assert_eq!(token.balance_of(a.alice), SUPPLY);
                assert_eq!(token.balance_of(a.charlie), 0);
                assert_eq!(token.allowance(a.alice, a.bob), 0);
            }

            /// `approve` sets (overwrites) the allowance whatever the balance and emits
            /// `Approval`; approving oneself is a silent no-op; zero addresses are refused.
            #[::ink::test]
            fn approve_sets_the_allowance_and_emits_approval() {
                let mut token = deploy(SUPPLY);
                let a = suite::accounts();
                for amount in [10, 3, 2 * SUPPLY, 0] {
                    let start = suite::event_count();
                    assert_eq!(token.approve(a.bob, amount), Ok(()));
                    assert_eq!(
                        suite::events_since(start),
                        vec![approval(a.alice, a.bob, amount)]
                    );
                    assert_eq!(token.allowance(a.alice, a.bob), amount);
                }
                let start = suite::event_count();
                assert_eq!(token.approve(a.alice, 5), Ok(()));
                assert_eq!(token.allowance(a.alice, a.alice), 0);
                assert_eq!(
                    token.approve(ZERO_ACCOUNT, 1),
                    Err(PSP22Error::ZeroRecipientAddress)
                );
                suite::set_caller(ZERO_ACCOUNT);
                assert_eq!(token.approve(a.bob, 1), Err(PSP22Error::ZeroSenderAddress));
                assert_eq!(suite::events_since(start), vec![]);
                assert_eq!(token.allowance(ZERO_ACCOUNT, a.bob), 0);
                assert_eq!(token.balance_of(a.alice), SUPPLY, "approving moves nothing");
            }

            /// `increase_allowance` adds, saturating at `u128::MAX`, and emits `Approval`
            /// with the new allowance; a zero delta is a silent no-op.
            #[::ink::test]
            fn increase_allowance_adds_saturates_and_emits_approval() {
                let mut token = deploy(SUPPLY);
                let a = suite::accounts();
                for (delta, allowance) in
                    [(10, 10), (5, 15), (u128::MAX, u128::MAX), (1, u128::MAX)]
                {
                    let start = suite::event_count();
                    assert_eq!(token.increase_allowance(a.bob, delta), Ok(()));
                    assert_eq!(
                        suite::events_since(start),
                        vec![approval(a.alice, a.bob, allowance)]
                    );
                    assert_eq!(token.allowance(a.alice, a.bob), allowance);
                }
                let start = suite::event_count();
                assert_eq!(token.increase_allowance(a.bob, 0), Ok(()));
                assert_eq!(token.increase_allowance(a.alice, 5), Ok(()));
                assert_eq!(token.allowance(a.alice, a.alice), 0);
                assert_eq!(
                    token.increase_allowance(ZERO_ACCOUNT, 1),
                    Err(PSP22Error::ZeroRecipientAddress)
                );
                suite::set_caller(ZERO_ACCOUNT);
                assert_eq!(
                    token.increase_allowance(a.bob, 1),
                    Err(PSP22Error::ZeroSenderAddress)
                );
                assert_eq!(suite::events_since(start), vec![]);
            }

            /// `decrease_allowance` subtracts and emits `Approval`; below zero it fails
            /// with `InsufficientAllowance` and changes nothing.
            #[::ink::test]
            fn decrease_allowance_subtracts_and_refuses_to_go_below_zero() {
                let mut token = deploy(SUPPLY);
                let a = suite::accounts();
                assert_eq!(token.approve(a.bob, 10), Ok(()));
                let start = suite::event_count();
                assert_eq!(
                    token.decrease_allowance(a.bob, 11),
                    Err(PSP22Error::InsufficientAllowance)
                );
                assert_eq!(token.allowance(a.alice, a.bob), 10);
                assert_eq!(suite::events_since(start), vec![]);
                for (delta, allowance) in [(4, 6), (6, 0)] {
                    let start = suite::event_count();
                    assert_eq!(token.decrease_allowance(a.bob, delta), Ok(()));
                    assert_eq!(
                        suite::events_since(start),
                        vec![approval(a.alice, a.bob, allowance)]
                    );
                    assert_eq!(token.allowance(a.alice, a.bob), allowance);
                }
                let start = suite::event_count();
                assert_eq!(
                    token.decrease_allowance(a.bob, 1),
                    Err(PSP22Error::InsufficientAllowance)
                );
                assert_eq!(token.decrease_allowance(a.bob, 0), Ok(()));
                assert_eq!(
                    token.decrease_allowance(ZERO_ACCOUNT, 11),
                    Err(PSP22Error::ZeroRecipientAddress)
                );
                suite::set_caller(ZERO_ACCOUNT);
                assert_eq!(
                    token.decrease_allowance(a.bob, 1),
                    Err(PSP22Error::ZeroSenderAddress)
                );
                assert_eq!(suite::events_since(start), vec![]);
            }

            /// A supply of `u128::MAX` moves whole between accounts without overflowing.
            #[::ink::test]
            fn the_largest_supply_moves_without_overflow() {
                let mut token = deploy(u128::MAX);
                let a = suite::accounts();
                assert_eq!(token.total_supply(), u128::MAX);
                assert_eq!(token.transfer(a.bob, u128::MAX, vec![]), Ok(()));
                assert_eq!(token.balance_of(a.bob), u128::MAX);
                assert_eq!(token.balance_of(a.alice), 0);
                suite::set_caller(a.bob);
                assert_eq!(token.transfer(a.alice, u128::MAX - 1, vec![]), Ok(()));
                assert_eq!(token.balance_of(a.alice), u128::MAX - 1);
                assert_eq!(token.balance_of(a.bob), 1);
            }
        }
    };
}

/// Generates `mod minter_suite`: `#[ink::test]`s of `PSP22Mintable` and the two-step
/// minter role (`minter`, `pending_minter`, `nominate_minter`,
/// `accept_minter`, `renounce_minter`) against `$contract`'s messages.
///
/// * `$contract`: the contract type;
/// * `$constructor`: `|supply: u128, minter: Option<AccountId>| -> $contract`, run as
///   Alice, crediting `supply` to the caller and naming `minter` (emitting
///   `MinterChanged { previous: None, new: minter }` when it is `Some`).
#[macro_export]
macro_rules! minter_suite {
    ($contract:ty, $constructor:expr $(,)?) => {
        /// The minter-role conformance suite of `carrack_psp22::minter_suite!`.
        mod minter_suite {
            #[allow(unused_imports)]
            use super::*;
            use $crate::suite;
            use $crate::suite::{
                approval, minter_changed, minter_nominated, transfer, PSP22Error,
                PSP22Mintable as _, PSP22 as _, ZERO_ACCOUNT,
            };

            /// Alice deploys with `supply`, Bob is the minter.
            fn deploy(supply: u128) -> $contract {
                let minter = Some(suite::accounts().bob);
                suite::deploy_with_minter(supply, minter, $constructor)
            }

            /// The constructor names the minter, emitting the mint then `MinterChanged`.
            #[::ink::test]
            fn the_constructor_names_the_minter() {
                let token = deploy(100);
                let a = suite::accounts();
                assert_eq!(token.minter(), Some(a.bob));
                assert_eq!(token.pending_minter(), None);
                assert_eq!(
                    suite::events_since(0),
                    vec![
                        transfer(None, Some(a.alice), 100),
                        minter_changed(None, Some(a.bob))
                    ]
                );
            }

            /// Without a minter nobody can mint; a zero supply emits nothing.
            #[::ink::test]
            fn without_a_minter_the_supply_is_fixed() {
                let mut token = suite::deploy_with_minter(0, None, $constructor);
                let a = suite::accounts();
                assert_eq!(token.minter(), None);
                assert_eq!(suite::events_since(0), vec![]);
                assert_eq!(token.mint(a.alice, 1), Err(PSP22Error::CallerIsNotMinter));
                assert_eq!(token.total_supply(), 0);
            }

            /// Only the minter mints: `CallerIsNotMinter` first, then
            /// `ZeroRecipientAddress`, then `TotalSupplyOverflow`; a mint emits `Transfer`
            /// from `None`.
            #[::ink::test]
            fn only_the_minter_mints() {
                let mut token = deploy(100);
                let a = suite::accounts();
                let start = suite::event_count();
                assert_eq!(token.mint(a.alice, 1), Err(PSP22Error::CallerIsNotMinter));
                assert_eq!(
                    token.mint(ZERO_ACCOUNT, 1),
                    Err(PSP22Error::CallerIsNotMinter)
                );
                suite::set_caller(a.bob);
                assert_eq!(
                    token.mint(ZERO_ACCOUNT, 1),
                    Err(PSP22Error::ZeroRecipientAddress)
                );
                assert_eq!(
                    token.mint(a.charlie, u128::MAX),
                    Err(PSP22Error::TotalSupplyOverflow)
                );
                assert_eq!(token.mint(a.charlie, 0), Ok(()));
                assert_eq!(suite::events_since(start), vec![]);
                assert_eq!(token.total_supply(), 100);
                assert_eq!(token.mint(a.charlie, 50), Ok(()));
                assert_eq!(
                    suite::events_since(start),
                    vec![transfer(None, Some(a.charlie), 50)]
                );
                assert_eq!(token.balance_of(a.charlie), 50);
                assert_eq!(token.total_supply(), 150);
                assert_eq!(token.mint(a.charlie, u128::MAX - 150), Ok(()));
                assert_eq!(token.total_supply(), u128::MAX);
            }

            /// The role moves only when the nominee accepts; each step emits its event.
            #[::ink::test]
            fn the_minter_role_moves_in_two_steps() {
                let mut token = deploy(0);
                let a = suite::accounts();
                assert_eq!(
                    token.nominate_minter(Some(a.alice)),
                    Err(PSP22Error::CallerIsNotMinter)
                );
                suite::set_caller(a.bob);
                let start = suite::event_count();
                assert_eq!(token.nominate_minter(Some(a.charlie)), Ok(()));
                assert_eq!(
                    suite::events_since(start),
                    vec![minter_nominated(a.bob, Some(a.charlie))]
                );
                assert_eq!(token.pending_minter(), Some(a.charlie));
                assert_eq!(
                    token.minter(),
                    Some(a.bob),
                    "a nomination alone moves nothing"
                );
                assert_eq!(token.mint(a.bob, 1), Ok(()));
                suite::set_caller(a.django);
                assert_eq!(
                    token.accept_minter(),
                    Err(PSP22Error::CallerIsNotPendingMinter)
                );
                suite::set_caller(a.charlie);
                let start = suite::event_count();
                assert_eq!(token.accept_minter(), Ok(()));
                assert_eq!(
                    suite::events_since(start),
                    vec![minter_changed(Some(a.bob), Some(a.charlie))]
                );
                assert_eq!(token.minter(), Some(a.charlie));
                assert_eq!(token.pending_minter(), None);
                assert_eq!(token.mint(a.charlie, 7), Ok(()));
                suite::set_caller(a.bob);
                assert_eq!(token.mint(a.bob, 1), Err(PSP22Error::CallerIsNotMinter));
                assert_eq!(token.total_supply(), 8);
            }

            /// A withdrawn nomination cannot be accepted.
            #[::ink::test]
            fn a_nomination_can_be_withdrawn() {
                let mut token = deploy(0);
                let a = suite::accounts();
                suite::set_caller(a.bob);
                assert_eq!(token.nominate_minter(Some(a.charlie)), Ok(()));
                let start = suite::event_count();
                assert_eq!(token.nominate_minter(None), Ok(()));
                assert_eq!(
                    suite::events_since(start),
                    vec![minter_nominated(a.bob, None)]
                );
                assert_eq!(token.pending_minter(), None);
                suite::set_caller(a.charlie);
                assert_eq!(
                    token.accept_minter(),
                    Err(PSP22Error::CallerIsNotPendingMinter)
                );
                assert_eq!(token.minter(), Some(a.bob));
            }

            /// Renouncing clears the role and any nomination: nobody mints again.
            #[::ink::test]
            fn renouncing_the_role_fixes_the_supply_for_good() {
                let mut token = deploy(100);
                let a = suite::accounts();
                suite::set_caller(a.bob);
                assert_eq!(token.nominate_minter(Some(a.charlie)), Ok(()));
                suite::set_caller(a.alice);
                assert_eq!(token.renounce_minter(), Err(PSP22Error::CallerIsNotMinter));
                suite::set_caller(a.bob);
                let start = suite::event_count();
                assert_eq!(token.renounce_minter(), Ok(()));
                assert_eq!(
                    suite::events_since(start),
                    vec![minter_changed(Some(a.bob), None)]
                );
                assert_eq!(token.minter(), None);
                assert_eq!(token.pending_minter(), None);
                assert_eq!(token.mint(a.bob, 1), Err(PSP22Error::CallerIsNotMinter));
                assert_eq!(token.renounce_minter(), Err(PSP22Error::CallerIsNotMinter));
                suite::set_caller(a.charlie);
                assert_eq!(
                    token.accept_minter(),
                    Err(PSP22Error::CallerIsNotPendingMinter)
                );
                assert_eq!(token.total_supply(), 100);
            }
        }
    };
}

/// Generates `mod burner_suite`: `#[ink::test]`s of `PSP22Burnable` (the minter burns)
/// against `$contract`'s messages, for a contract that also passes [`minter_suite!`] with
/// the same constructor. The governance token has no `burn` (its supply only grows, by
/// its minter if it has one, as Uniswap's UNI) and does not run it.
#[macro_export]
macro_rules! burner_suite {
    ($contract:ty, $constructor:expr $(,)?) => {
        /// The burn conformance suite of `carrack_psp22::burner_suite!`.
        mod burner_suite {
            #[allow(unused_imports)]
            use super::*;
            use $crate::suite;
            use $crate::suite::{
                approval, transfer, PSP22Burnable as _, PSP22Error, PSP22Mintable as _, PSP22 as _,
                ZERO_ACCOUNT,
            };

            /// Alice deploys with `supply`, Bob is the minter.
            fn deploy(supply: u128) -> $contract {
                let minter = Some(suite::accounts().bob);
                suite::deploy_with_minter(supply, minter, $constructor)
            }

            /// Without a minter, or once it renounced, nobody burns.
            #[::ink::test]
            fn nobody_burns_without_a_minter() {
                let mut token = suite::deploy_with_minter(10, None, $constructor);
                let a = suite::accounts();
                assert_eq!(token.burn(a.alice, 0), Err(PSP22Error::CallerIsNotMinter));
                let mut token = deploy(10);
                suite::set_caller(a.bob);
                assert_eq!(token.renounce_minter(), Ok(()));
                assert_eq!(token.burn(a.alice, 0), Err(PSP22Error::CallerIsNotMinter));
                assert_eq!(token.total_supply(), 10);
            }

            /// Only the minter burns; its own tokens need no allowance, another account's
            /// spend the allowance (checked before the balance) and emit `Approval` then
            /// `Transfer` to `None`.
            #[::ink::test]
            fn only_the_minter_burns_and_others_tokens_need_an_allowance() {
                let mut token = deploy(100);
                let a = suite::accounts();
                assert_eq!(token.burn(a.alice, 1), Err(PSP22Error::CallerIsNotMinter));
                suite::set_caller(a.bob);
                assert_eq!(token.mint(a.bob, 20), Ok(()));
                let start = suite::event_count();
                assert_eq!(token.burn(a.bob, 5), Ok(()));
                assert_eq!(
                    suite::events_since(start),
                    vec![transfer(Some(a.bob), None, 5)]
                );
                let start = suite::event_count();
                assert_eq!(
                    token.burn(a.alice, 10),
                    Err(PSP22Error::InsufficientAllowance)
                );
                assert_eq!(
                    token.burn(ZERO_ACCOUNT, 1),
                    Err(PSP22Error::ZeroSenderAddress)
                );
                assert_eq!(token.burn(a.alice, 0), Ok(()));
                assert_eq!(suite::events_since(start), vec![]);
                suite::set_caller(a.alice);
                assert_eq!(token.approve(a.bob, 30), Ok(()));
                suite::set_caller(a.bob);
                let start = suite::event_count();
                assert_eq!(token.burn(a.alice, 10), Ok(()));
                assert_eq!(
                    suite::events_since(start),
                    vec![
                        approval(a.alice, a.bob, 20),
                        transfer(Some(a.alice), None, 10)
                    ]
                );
                assert_eq!(token.balance_of(a.alice), 90);
                assert_eq!(token.total_supply(), 105);
                assert_eq!(
                    token.burn(a.alice, 91),
                    Err(PSP22Error::InsufficientAllowance),
                    "allowance 20 and balance 90: the allowance is named"
                );
                suite::set_caller(a.alice);
                assert_eq!(token.approve(a.bob, 1_000), Ok(()));
                suite::set_caller(a.bob);
                assert_eq!(
                    token.burn(a.alice, 91),
                    Err(PSP22Error::InsufficientBalance)
                );
                assert_eq!(token.allowance(a.alice, a.bob), 1_000, "not spent");
                assert_eq!(token.total_supply(), 105);
            }
        }
    };
}
