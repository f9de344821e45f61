//! # A11: flash loans
//!
//! **The attack.** A flash loan hands anyone the pool's idle cash for the length of one
//! call, for a small fee. The attacker's receiver gets control in the middle of the
//! pool's own message: it can try to keep the money (repay short, trap, answer
//! something else and hope the pool does not check), borrow or withdraw against books
//! the loan has left half-updated, re-enter the pool's admin messages, take a second
//! loan inside the first, or use the borrowed size to move a market and profit in the
//! same transaction. A pool that reloads nothing after the callback can also undo what
//! the callback legitimately did (a stale copy of its books written back over them).
//!
//! **Precedents.** Flash-loan-funded attacks on Compound forks: Cream Finance (October
//! 2021, about 130 M USD: a flash-loaned position inflated the price of yUSD collateral),
//! Hundred Finance (April 2023, about 7 M USD) and Sonne Finance (May 2024, about 20 M
//! USD), whose donation-and-rounding attacks on empty markets ran on borrowed money;
//! Euler Finance (March 2023, about 197 M USD: a flash loan funded the deposit, the
//! `donateToReserves` and the self-liquidation in one transaction); the re-entrancy
//! through callbacks of A5 (Lendf.Me, Cream's AMP, Agave and Hundred on Gnosis Chain),
//! which a flash loan's callback reopens by design. ERC-3156 and Aave v3's `flashLoan`
//! are the shape followed here: the fee rounded up, repayment pulled by `transferFrom`.
//!
//! **Why it fails here.** The loan is one message: it lends, calls the receiver, requires
//! the exact acknowledgement `FLASH_LOAN_ACCEPTED` and then pulls `amount + fee` back
//! with `transfer_from`; any trap, wrong answer or short allowance makes the message
//! return `Err`, and the chain reverts everything, the receiver's own writes included.
//! During the callback the pool's cash is really lower (every view and action sees the
//! money that is there) and an in-storage lock refuses every message but `supply`,
//! `repay`, `liquidate`, `liquidate_to_supply` and the views with `FlashLoanActive`:
//! nothing that takes cash out on credit (withdraw, borrow, collateral switches), no
//! second loan, no admin message. The allowed messages only bring tokens in (or pay out
//! seized collateral, bounded by the collateral market's cash), and the pool reloads its
//! books after the callback, so their effects stay. The flash-loan liquidation, the use
//! the design is for, works and pays its fee. A loan moves no price (the oracle is fed
//! by reporters, not by the pool's balances: A3, A4) and no share price (cash is internal
//! bookkeeping: A1), which is what the precedents' borrowed size was for.
//!
//! The receiver is the fixture `carrack-flash-receiver` (`e2e/fixtures/flash-receiver`),
//! whose behaviour the test switches; the markets have no interest (zero rate model), so
//! "nothing changed" and "grew by the fee" are exact.

use carrack_core::CoreError;
use carrack_e2e::metadata::{built_metadata_path, message_selectors, read_metadata};
use carrack_e2e::suite::*;
use carrack_flash_receiver::flash_receiver::{FlashReceiver, FlashReceiverRef};
use carrack_flash_receiver::{Callback, Mode, ReentryOutcome};
use carrack_interfaces::{AdminError, AdminRoles, Governed, PSP22Error};
use carrack_pool::error::PoolError;
use carrack_pool::events::{FlashLoan, Liquidated};
use carrack_pool::market::PauseFlags;
use carrack_pool::params::PoolParams;
use carrack_pool::views::{AccountView, MarketView};
use ink::codegen::ContractCallBuilder;
use ink::primitives::AccountId;
use ink::scale::{Decode, Encode};
use ink_e2e::ContractsBackend;
use std::collections::BTreeSet;

type ReceiverCalls = <FlashReceiver as ContractCallBuilder>::Type;

const fn usd(whole: u128) -> u128 {
    whole * unit(6)
}

const fn eth(whole: u128) -> u128 {
    whole * unit(18)
}

/// The fee the tests expect on a loan of `amount` at [`FLASH_LOAN_FEE_WAD`] (0.05 %, one
/// unit in 2,000), rounded up: computed here, not by the contracts' code.
fn fee_on(amount: u128) -> u128 {
    amount.div_ceil(2_000)
}

/// The suite without interest and a flash loan receiver of its pool.
struct Arena {
    suite: Suite,
    receiver_id: AccountId,
    receiver: ReceiverCalls,
}

/// Deploys the suite without interest (Dave supplies 30,000 TUSD, so the 6-decimal
/// market holds 31,000 TUSD of cash) and the receiver, which Alice funds with
/// `receiver_usd` TUSD to pay fees from.
async fn arena(client: &mut NodeClient, receiver_usd: u128) -> E2EResult<Arena> {
    let config = SuiteConfig::default().with_rate_model(zero_rate_model());
    let mut suite = Suite::deploy(client, config).await?;
    suite
        .fund_and_supply(client, &ink_e2e::dave(), suite.t6, usd(30_000))
        .await?;
    let mut constructor = FlashReceiverRef::new(suite.pool_id);
    let deployed = client
        .instantiate(
            "carrack_flash_receiver",
            &ink_e2e::alice(),
            &mut constructor,
        )
        .submit()
        .await?;
    let receiver_id = deployed.account_id;
    if receiver_usd > 0 {
        suite
            .fund(client, suite.t6, receiver_id, receiver_usd)
            .await?;
    }
    Ok(Arena {
        suite,
        receiver_id,
        receiver: deployed.call_builder::<FlashReceiver>(),
    })
}

impl Arena {
    /// Anyone may switch the fixture's behaviour (which clears its records); Bob does.
    async fn set_mode(&mut self, client: &mut NodeClient, mode: Mode) -> E2EResult<()> {
        send(client, &ink_e2e::bob(), &self.receiver.set_mode(mode)).await?;
        Ok(())
    }

    /// The pool's `flash_loan` of `amount` of `asset` to the receiver, with `data`.
    fn loan(
        &mut self,
        asset: AccountId,
        amount: u128,
        data: Vec<u8>,
    ) -> Message<impl Encode + Clone + Send + Sync, Result<(), PoolError>> {
        self.suite
            .pool
            .flash_loan(self.receiver_id, asset, amount, data)
    }

    async fn last_callback(&self, client: &mut NodeClient) -> E2EResult<Option<Callback>> {
        dry(client, &ink_e2e::bob(), &self.receiver.last_callback()).await
    }

    async fn last_reentry(&self, client: &mut NodeClient) -> E2EResult<Option<ReentryOutcome>> {
        dry(client, &ink_e2e::bob(), &self.receiver.last_reentry()).await
    }
}

/// The call data (selector and arguments) a message builder of the pool would send:
/// taken from the builders, so the selectors are the pool's own (trait messages
/// included).
fn call_data<Args: Encode + Clone, R: Clone>(message: &Message<Args, R>) -> Vec<u8> {
    message.clone().params().exec_input().encode()
}

/// How the receiver records a pool message that ran and returned `result`.
fn answered<T: Encode, E: Encode>(result: Result<T, E>) -> Option<ReentryOutcome> {
    Some(ReentryOutcome::Returned {
        lang_error: false,
        output: result.encode(),
    })
}

/// Everything a refused loan could have changed.
#[derive(Debug, PartialEq)]
struct Snapshot {
    markets: Vec<MarketView>,
    accounts: Vec<AccountView>,
    balances: Vec<u128>,
    roles: AdminRoles,
    settings: (AccountId, PoolParams),
    last_callback: Option<Callback>,
    last_reentry: Option<ReentryOutcome>,
}

async fn snapshot(client: &mut NodeClient, arena: &Arena) -> E2EResult<Snapshot> {
    let suite = &arena.suite;
    let mut markets = Vec::new();
    for asset in suite.tokens() {
        markets.push(timeless(suite.market(client, asset).await?));
    }
    let mut accounts = Vec::new();
    for who in [arena.receiver_id, bob(), charlie(), dave()] {
        accounts.push(suite.account(client, who).await?);
    }
    let mut balances = Vec::new();
    for asset in suite.tokens() {
        for owner in [arena.receiver_id, suite.pool_id, bob(), charlie(), dave()] {
            balances.push(balance(client, asset, owner).await?);
        }
    }
    let alice_keys = ink_e2e::alice();
    Ok(Snapshot {
        markets,
        accounts,
        balances,
        roles: dry(client, &alice_keys, &suite.pool.admin_roles()).await?,
        settings: dry(client, &alice_keys, &suite.pool.settings()).await?,
        last_callback: arena.last_callback(client).await?,
        last_reentry: arena.last_reentry(client).await?,
    })
}

/// Bob, as initiator, flash-borrows 5,000.000001 TUSD for the receiver, which repays it
/// with the fee: 2.500001 TUSD (0.05 % rounded up). During the callback the receiver
/// held the loan and saw the pool as its caller and Bob as initiator; afterwards the
/// market's cash and reserves grew by exactly the fee, the suppliers' claims did not
/// move, the receiver paid exactly the fee and Bob nothing, and `FlashLoan` tells it all.
#[carrack_e2e::test]
async fn a_flash_loan_repaid_with_its_fee_leaves_the_fee_in_reserves(
    mut client: NodeClient,
) -> E2EResult<()> {
    let mut arena = arena(&mut client, usd(10)).await?;
    let (t6, pool_id, receiver_id) = (arena.suite.t6, arena.suite.pool_id, arena.receiver_id);
    let amount = usd(5_000) + 1;
    let fee = fee_on(amount);
    assert_eq!(fee, 2_500_001, "2.5000005 TUSD, rounded up");
    let before = timeless(arena.suite.market(&mut client, t6).await?);
    let receiver_before = balance(&mut client, t6, receiver_id).await?;
    let pool_before = balance(&mut client, t6, pool_id).await?;
    let bob_before = balance(&mut client, t6, bob()).await?;
    assert_eq!(arena.last_callback(&mut client).await?, None);

    let data = b"carrack flash".to_vec();
    let loan = arena.loan(t6, amount, data.clone());
    let (result, emitted) = send(&mut client, &ink_e2e::bob(), &loan).await?;
    assert_eq!(result, Ok(()));

    // The receiver's view of the loan, recorded during the callback.
    let callback = arena
        .last_callback(&mut client)
        .await?
        .ok_or("the receiver was not called back")?;
    assert_eq!(
        callback,
        Callback {
            initiator: bob(),
            caller: pool_id,
            asset: t6,
            amount,
            fee,
            balance: receiver_before + amount,
            data,
        }
    );

    // The books: cash and reserves up by the fee, nothing else.
    let after = timeless(arena.suite.market(&mut client, t6).await?);
    let mut expected = before;
    expected.market.state.cash += fee;
    expected.market.state.reserves += fee;
    assert_eq!(after, expected);
    assert_eq!(after.total_supply, before.total_supply, "suppliers' claims");

    // The tokens: the receiver paid the fee to the pool; the initiator paid nothing.
    assert_eq!(
        balance(&mut client, t6, receiver_id).await?,
        receiver_before - fee
    );
    assert_eq!(balance(&mut client, t6, pool_id).await?, pool_before + fee);
    assert_eq!(balance(&mut client, t6, bob()).await?, bob_before);
    assert_eq!(
        balance(&mut client, t6, pool_id).await?,
        after.market.state.cash,
        "the books match the tokens"
    );

    // The event.
    let events = arena.suite.events::<FlashLoan>(&emitted);
    assert_eq!(
        events,
        vec![FlashLoan {
            asset: t6,
            initiator: bob(),
            receiver: receiver_id,
            amount,
            fee,
            deficit_covered: 0,
            accrual: None,
        }]
    );
    Ok(())
}

/// Receivers that do not pay: one approving a unit less than it owes (the pool's
/// `transfer_from` fails: `InsufficientAllowance`), one that traps
/// (`FlashLoanCallbackFailed`), one answering the wrong acknowledgement
/// (`FlashLoanRejected`), an account without code and a contract without the receiver
/// message (`FlashLoanCallbackFailed`), the pool itself (`RecipientIsPool`), and loans of
/// nothing, of more than the cash and of an unknown asset. Each is refused and nothing
/// changed, not even the receiver's own record of the callback. Control: the same loan
/// to a receiver that repays goes through.
#[carrack_e2e::test]
async fn a_receiver_that_does_not_pay_back_reverts_everything(
    mut client: NodeClient,
) -> E2EResult<()> {
    let mut arena = arena(&mut client, usd(100)).await?;
    let (t6, t12, pool_id) = (arena.suite.t6, arena.suite.t12, arena.suite.pool_id);
    let bob_keys = ink_e2e::bob();
    let amount = usd(5_000);

    for (mode, expected) in [
        (
            Mode::RepayShort,
            PoolError::Token(PSP22Error::InsufficientAllowance),
        ),
        (Mode::Trap, PoolError::FlashLoanCallbackFailed),
        (Mode::WrongAck, PoolError::FlashLoanRejected),
    ] {
        arena.set_mode(&mut client, mode.clone()).await?;
        let before = snapshot(&mut client, &arena).await?;
        let loan = arena.loan(t6, amount, Vec::new());
        assert_eq!(
            refused(&mut client, &bob_keys, &loan).await?,
            Err(expected),
            "{mode:?}"
        );
        assert_eq!(snapshot(&mut client, &arena).await?, before, "{mode:?}");
        assert_eq!(before.last_callback, None, "the callback's record reverted");
    }

    // Receivers that cannot be called back: an account without code, a contract
    // without `on_flash_loan` (a token); and the pool itself.
    arena.set_mode(&mut client, Mode::Repay).await?;
    let before = snapshot(&mut client, &arena).await?;
    for (receiver, expected) in [
        (dave(), PoolError::FlashLoanCallbackFailed),
        (t12, PoolError::FlashLoanCallbackFailed),
        (pool_id, PoolError::RecipientIsPool),
    ] {
        let loan = arena
            .suite
            .pool
            .flash_loan(receiver, t6, amount, Vec::new());
        assert_eq!(
            refused(&mut client, &bob_keys, &loan).await?,
            Err(expected),
            "receiver {receiver:?}"
        );
    }
    // Nothing, more than the cash, an unknown market.
    let cash = before.markets[0].market.state.cash;
    for (asset, amount, expected) in [
        (t6, 0, PoolError::Core(CoreError::ZeroAmount)),
        (t6, cash + 1, PoolError::Core(CoreError::InsufficientCash)),
        (dave(), 1, PoolError::UnknownMarket),
    ] {
        let loan = arena.loan(asset, amount, Vec::new());
        assert_eq!(
            refused(&mut client, &bob_keys, &loan).await?,
            Err(expected),
            "{amount} of {asset:?}"
        );
    }
    assert_eq!(snapshot(&mut client, &arena).await?, before);

    // Control: the receiver repays, and the same loan (of all the cash) goes through.
    let loan = arena.loan(t6, cash, Vec::new());
    assert_eq!(send(&mut client, &bob_keys, &loan).await?.0, Ok(()));
    let after = arena.suite.market(&mut client, t6).await?;
    assert_eq!(after.market.state.cash, cash + fee_on(cash));
    Ok(())
}

/// During the callback the receiver calls every pool message it must not: each answers
/// `FlashLoanActive` (`AdminError::FlashLoanActive` for the four `Governed` messages),
/// although the receiver has a supply it could otherwise withdraw and is the pending
/// governance that could otherwise accept. The loans themselves go through, and nothing
/// but each loan's fee changed: no withdrawal, no role, no parameter, no pause. The list
/// is checked against the built pool's metadata: every message that writes is in it but
/// `supply`, `repay`, `liquidate` and `liquidate_to_supply`.
#[carrack_e2e::test]
async fn every_forbidden_message_reentered_during_the_callback_is_refused(
    mut client: NodeClient,
) -> E2EResult<()> {
    let mut arena = arena(&mut client, usd(10)).await?;
    let (t6, receiver_id) = (arena.suite.t6, arena.receiver_id);
    let (alice_keys, bob_keys) = (ink_e2e::alice(), ink_e2e::bob());
    // What the receiver could do outside a loan: withdraw its supply of 100 TUSD (Bob
    // supplied it on the receiver's behalf) and accept governance (Alice nominated it).
    bob_supply_for(&mut client, &mut arena, usd(100)).await?;
    send(
        &mut client,
        &alice_keys,
        &arena.suite.pool.nominate_governance(Some(receiver_id)),
    )
    .await?
    .0
    .map_err(describe)?;
    let before = snapshot(&mut client, &arena).await?;
    assert_eq!(before.roles.pending_governance, Some(receiver_id));

    let pool = &mut arena.suite.pool;
    let locked = Err::<(), _>(PoolError::FlashLoanActive).encode();
    let admin_locked = Err::<(), _>(AdminError::FlashLoanActive).encode();
    let mut params = market_params(6);
    params.config.rate_model = zero_rate_model();
    let forbidden: Vec<(&str, Vec<u8>, &Vec<u8>)> = vec![
        (
            "withdraw",
            call_data(&pool.withdraw(t6, usd(10), receiver_id)),
            &locked,
        ),
        ("borrow", call_data(&pool.borrow(t6, usd(1))), &locked),
        (
            "enable_collateral",
            call_data(&pool.enable_collateral(t6)),
            &locked,
        ),
        (
            "disable_collateral",
            call_data(&pool.disable_collateral(t6)),
            &locked,
        ),
        (
            "flash_loan",
            call_data(&pool.flash_loan(receiver_id, t6, usd(1), Vec::new())),
            &locked,
        ),
        (
            "list_market",
            call_data(&pool.list_market(dave(), params, 0)),
            &locked,
        ),
        (
            "set_market_params",
            call_data(&pool.set_market_params(t6, params)),
            &locked,
        ),
        (
            "pause",
            call_data(&pool.pause(t6, PauseFlags::ALL)),
            &locked,
        ),
        (
            "unpause",
            call_data(&pool.unpause(t6, PauseFlags::ALL)),
            &locked,
        ),
        (
            "withdraw_reserves",
            call_data(&pool.withdraw_reserves(t6, 1, receiver_id)),
            &locked,
        ),
        (
            "set_pool_params",
            call_data(&pool.set_pool_params(before.settings.1)),
            &locked,
        ),
        (
            "set_oracle",
            call_data(&pool.set_oracle(receiver_id)),
            &locked,
        ),
        (
            "nominate_governance",
            call_data(&pool.nominate_governance(Some(receiver_id))),
            &admin_locked,
        ),
        (
            "accept_governance",
            call_data(&pool.accept_governance()),
            &admin_locked,
        ),
        (
            "set_guardian",
            call_data(&pool.set_guardian(receiver_id)),
            &admin_locked,
        ),
        (
            "set_code_hash",
            call_data(&pool.set_code_hash([7u8; 32].into())),
            &admin_locked,
        ),
    ];

    // The list is every message that writes but the four the callback may call, with
    // the pool's own selectors: checked against the metadata of the pool under test, so
    // a message added later without a place here fails this test.
    let metadata = read_metadata(&built_metadata_path("carrack_pool")?)?;
    let selectors = message_selectors(&metadata);
    let mut listed = BTreeSet::new();
    for (name, input, expected) in &forbidden {
        let label = if *expected == &admin_locked {
            format!("Governed::{name}")
        } else {
            name.to_string()
        };
        let selector: String = input[..4].iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            selectors.get(&label),
            Some(&format!("0x{selector}")),
            "{label}"
        );
        listed.insert(label);
    }
    listed.extend(REENTRANT.map(String::from));
    assert_eq!(listed, mutating_messages(&metadata));

    // Each in a loan of its own; all the answers are compared at once, so a failure
    // shows every message's.
    let amount = usd(1_000);
    let mut answers = Vec::new();
    for (name, input, _) in &forbidden {
        let mode = Mode::Reenter {
            input: input.clone(),
            allowance: 0,
        };
        arena.set_mode(&mut client, mode).await?;
        let loan = arena.loan(t6, amount, Vec::new());
        let lent = dry(&mut client, &bob_keys, &loan).await?;
        let mut loans = 0;
        if lent.is_ok() {
            let (_, emitted) = send(&mut client, &bob_keys, &loan).await?;
            loans = arena.suite.events::<FlashLoan>(&emitted).len();
        }
        let answer = arena.last_reentry(&mut client).await?;
        answers.push((*name, lent, loans, answer));
    }
    let refused_all: Vec<_> = forbidden
        .iter()
        .map(|(name, _, expected)| {
            let answer = ReentryOutcome::Returned {
                lang_error: false,
                output: (*expected).clone(),
            };
            (*name, Ok(()), 1, Some(answer))
        })
        .collect();
    assert_eq!(
        answers, refused_all,
        "(message re-entered, the loan, its FlashLoan events, the pool's answer)"
    );

    // Nothing changed but the fees: in the books, the roles, the settings, the
    // receiver's supply; the other markets not at all.
    let fees = fee_on(amount) * forbidden.len() as u128;
    let after = snapshot(&mut client, &arena).await?;
    let mut expected = before;
    expected.markets[0].market.state.cash += fees;
    expected.markets[0].market.state.reserves += fees;
    expected.balances[0] -= fees; // the receiver's TUSD
    expected.balances[1] += fees; // the pool's TUSD
    expected.last_callback = after.last_callback.clone();
    expected.last_reentry = after.last_reentry.clone();
    assert_eq!(after, expected);
    assert_eq!(
        arena
            .suite
            .position(&mut client, receiver_id, t6)
            .await?
            .map(|p| p.supply),
        Some(usd(100))
    );
    Ok(())
}

/// The messages the receiver may call during its callback, besides the views.
const REENTRANT: [&str; 4] = ["supply", "repay", "liquidate", "liquidate_to_supply"];

/// The labels of the messages that may write (`mutates`) in a contract's metadata.
fn mutating_messages(metadata: &serde_json::Value) -> BTreeSet<String> {
    metadata["spec"]["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|message| message["mutates"].as_bool() == Some(true))
        .filter_map(|message| Some(message["label"].as_str()?.to_owned()))
        .collect()
}

/// Alice funds Bob with `amount` of TUSD, which he supplies on the receiver's behalf.
async fn bob_supply_for(client: &mut NodeClient, arena: &mut Arena, amount: u128) -> E2EResult<()> {
    let (t6, pool_id) = (arena.suite.t6, arena.suite.pool_id);
    arena.suite.fund(client, t6, bob(), amount).await?;
    approve(client, &ink_e2e::bob(), t6, pool_id, amount).await?;
    let supply = arena
        .suite
        .pool
        .supply(arena.suite.t6, amount, arena.receiver_id);
    send(client, &ink_e2e::bob(), &supply)
        .await?
        .0
        .map_err(describe)
}

/// During the callback the receiver repays 400 of Charlie's 1,000 TUSD debt, then (in a
/// second loan) supplies 300 TUSD on Bob's behalf, then (a third) reads the market: the
/// repayment and the supply answer `Ok` and stay done after the loan (the pool reloads
/// its books after the callback instead of writing its stale copy back), the books
/// match the tokens, and the view saw the cash lowered by the loan.
#[carrack_e2e::test]
async fn supply_repay_and_views_during_the_callback_work_and_stay_done(
    mut client: NodeClient,
) -> E2EResult<()> {
    let mut arena = arena(&mut client, usd(1_000)).await?;
    let (t6, t18, pool_id) = (arena.suite.t6, arena.suite.t18, arena.suite.pool_id);
    let charlie_keys = ink_e2e::charlie();
    arena
        .suite
        .fund_and_supply(&mut client, &charlie_keys, t18, eth(1))
        .await?;
    arena
        .suite
        .borrow(&mut client, &charlie_keys, t6, usd(1_000))
        .await?;
    let amount = usd(5_000);
    let fee = fee_on(amount);

    // 1. Repay 400 of Charlie's debt.
    let repaid = usd(400);
    let input = call_data(&arena.suite.pool.repay(t6, repaid, charlie()));
    arena
        .set_mode(
            &mut client,
            Mode::Reenter {
                input,
                allowance: repaid,
            },
        )
        .await?;
    let before = timeless(arena.suite.market(&mut client, t6).await?);
    let loan = arena.loan(t6, amount, Vec::new());
    assert_eq!(send(&mut client, &ink_e2e::bob(), &loan).await?.0, Ok(()));
    assert_eq!(
        arena.last_reentry(&mut client).await?,
        answered::<u128, PoolError>(Ok(repaid))
    );
    let charlie_debt = arena.suite.position(&mut client, charlie(), t6).await?;
    assert_eq!(charlie_debt.map(|p| p.debt), Some(usd(600)));
    let after = timeless(arena.suite.market(&mut client, t6).await?);
    assert_eq!(
        after.market.state.cash,
        before.market.state.cash + repaid + fee,
        "the repayment's cash is in the books"
    );
    assert_eq!(after.total_debt, before.total_debt - repaid);
    assert_eq!(
        after.market.state.reserves,
        before.market.state.reserves + fee
    );
    assert_eq!(after.total_supply, before.total_supply);
    assert_eq!(
        balance(&mut client, t6, pool_id).await?,
        after.market.state.cash,
        "the books match the tokens"
    );

    // 2. Supply 300 on Bob's behalf.
    let supplied = usd(300);
    let input = call_data(&arena.suite.pool.supply(t6, supplied, bob()));
    arena
        .set_mode(
            &mut client,
            Mode::Reenter {
                input,
                allowance: supplied,
            },
        )
        .await?;
    let before = after;
    let loan = arena.loan(t6, amount, Vec::new());
    assert_eq!(send(&mut client, &ink_e2e::bob(), &loan).await?.0, Ok(()));
    assert_eq!(
        arena.last_reentry(&mut client).await?,
        answered::<(), PoolError>(Ok(()))
    );
    let bob_supply = arena.suite.position(&mut client, bob(), t6).await?;
    assert_eq!(bob_supply.map(|p| p.supply), Some(supplied));
    let after = timeless(arena.suite.market(&mut client, t6).await?);
    assert_eq!(
        after.market.state.cash,
        before.market.state.cash + supplied + fee,
        "the supply's cash is in the books"
    );
    assert_eq!(after.total_supply, before.total_supply + supplied);
    assert_eq!(after.total_debt, before.total_debt);
    assert_eq!(
        balance(&mut client, t6, pool_id).await?,
        after.market.state.cash,
        "the books match the tokens"
    );

    // 3. A view during the callback sees the cash that is there: the loan is out.
    let input = call_data(&arena.suite.pool.market(t6));
    arena
        .set_mode(
            &mut client,
            Mode::Reenter {
                input,
                allowance: 0,
            },
        )
        .await?;
    let before = after;
    let loan = arena.loan(t6, amount, Vec::new());
    assert_eq!(send(&mut client, &ink_e2e::bob(), &loan).await?.0, Ok(()));
    let Some(ReentryOutcome::Returned {
        lang_error: false,
        output,
    }) = arena.last_reentry(&mut client).await?
    else {
        return Err("the view during the callback did not answer".into());
    };
    let seen = Result::<MarketView, PoolError>::decode(&mut &output[..])?.map_err(describe)?;
    let mut expected = before.market.state;
    expected.cash -= amount;
    let mut seen_state = seen.market.state;
    seen_state.last_accrual_secs = 0;
    assert_eq!(seen_state, expected, "the market during the callback");
    Ok(())
}

/// The use flash loans are for. Bob owes 11,760 TUSD against 10 TETH; TETH falls from
/// 2,000 to 1,400 (health 0.952). The receiver, holding no capital but a swap stand-in's
/// 10,000 TUSD of liquidity, flash-borrows 5,880 TUSD (the close factor's half),
/// liquidates Bob with it, receives 4.389 TETH (5 % bonus less the protocol's tenth of
/// it), sells them to the stand-in at 1,390 for 6,100.71 TUSD and repays the loan and its
/// 2.94 TUSD fee. Bob's debt is halved, the market got the repayment and the fee, and
/// the receiver keeps a profit of 217.77 TUSD, as its records say.
#[carrack_e2e::test]
async fn a_flash_loan_liquidation_repays_the_loan_and_keeps_the_profit(
    mut client: NodeClient,
) -> E2EResult<()> {
    let mut arena = arena(&mut client, 0).await?;
    let (t6, t18, pool_id, receiver_id) = (
        arena.suite.t6,
        arena.suite.t18,
        arena.suite.pool_id,
        arena.receiver_id,
    );
    let bob_keys = ink_e2e::bob();
    arena
        .suite
        .fund_and_supply(&mut client, &bob_keys, t18, eth(10))
        .await?;
    arena
        .suite
        .borrow(&mut client, &bob_keys, t6, usd(11_760))
        .await?;
    let stock = usd(10_000);
    arena
        .suite
        .fund(&mut client, t6, receiver_id, stock)
        .await?;
    send(
        &mut client,
        &bob_keys,
        &arena.receiver.set_swap_stock(stock),
    )
    .await?;
    arena
        .suite
        .set_price(&mut client, t18, 1_400 * DOLLAR)
        .await?;
    let health = arena
        .suite
        .account(&mut client, bob())
        .await?
        .health_factor_wad;
    assert!(health < WAD && health > 95 * WAD / 100, "health {health}");

    // 1,390 TUSD per TETH: 1,390 * 10^6 units per 10^18.
    let (price_num, price_den) = (1_390u128, unit(12));
    arena
        .set_mode(
            &mut client,
            Mode::Liquidate {
                borrower: bob(),
                collateral_asset: t18,
                price_num,
                price_den,
            },
        )
        .await?;
    let before = timeless(arena.suite.market(&mut client, t6).await?);
    let amount = usd(5_880);
    let fee = fee_on(amount);
    assert_eq!(fee, 2_940_000);
    let loan = arena.loan(t6, amount, Vec::new());
    let (result, emitted) = send(&mut client, &ink_e2e::charlie(), &loan).await?;
    assert_eq!(result, Ok(()));

    // The liquidation, inside the loan.
    let liquidations = arena.suite.events::<Liquidated>(&emitted);
    let [liquidation] = liquidations.as_slice() else {
        return Err(format!("{} liquidations", liquidations.len()).into());
    };
    assert_eq!(
        (
            liquidation.borrower,
            liquidation.liquidator,
            liquidation.repaid
        ),
        (bob(), receiver_id, amount)
    );
    let received = liquidation.collateral_seized - liquidation.protocol_fee;
    assert_eq!(received, 4_389 * unit(15), "4.389 TETH");
    assert_eq!(
        arena.last_reentry(&mut client).await?,
        answered::<(u128, u128), PoolError>(Ok((amount, received)))
    );
    let loans = arena.suite.events::<FlashLoan>(&emitted);
    assert_eq!(
        loans
            .iter()
            .map(|l| (l.initiator, l.receiver, l.amount, l.fee))
            .collect::<Vec<_>>(),
        vec![(charlie(), receiver_id, amount, fee)]
    );

    // Bob's debt is halved; the market got the repayment and the fee.
    let debt = arena.suite.position(&mut client, bob(), t6).await?;
    assert_eq!(debt.map(|p| p.debt), Some(usd(11_760) - amount));
    let after = timeless(arena.suite.market(&mut client, t6).await?);
    assert_eq!(
        after.market.state.cash,
        before.market.state.cash + amount + fee
    );
    assert_eq!(
        after.market.state.reserves,
        before.market.state.reserves + fee
    );
    assert_eq!(after.total_debt, before.total_debt - amount);
    assert_eq!(
        balance(&mut client, t6, pool_id).await?,
        after.market.state.cash
    );

    // The receiver: the stand-in paid for the collateral, the loan and its fee went back,
    // the rest is profit, and its records say the same.
    let proceeds = received * price_num / price_den;
    assert_eq!(proceeds, 6_100_710_000, "6,100.71 TUSD");
    let profit = proceeds - amount - fee;
    assert_eq!(profit, 217_770_000, "217.77 TUSD");
    let stock_left = dry(&mut client, &bob_keys, &arena.receiver.swap_stock()).await?;
    assert_eq!(stock_left, stock - proceeds);
    assert_eq!(
        dry(&mut client, &bob_keys, &arena.receiver.last_profit()).await?,
        profit
    );
    let held = balance(&mut client, t6, receiver_id).await?;
    assert_eq!(
        held,
        stock - amount - fee,
        "the stock, less the repayment and the fee"
    );
    assert_eq!(
        held - stock_left,
        profit,
        "what is not the stand-in's is the profit"
    );
    assert_eq!(balance(&mut client, t18, receiver_id).await?, received);
    Ok(())
}

/// The guardian pauses flash loans of TUSD alone: a loan is refused with `ActionPaused`
/// while TETH loans and TUSD supplies still work, until governance unpauses. Governance
/// cannot set a fee above 1 % (`FlashLoanFeeTooHigh`, when listing too), and at exactly
/// 1 % a loan costs 1 %, rounded up.
#[carrack_e2e::test]
async fn flash_loans_pause_and_their_fee_is_capped(mut client: NodeClient) -> E2EResult<()> {
    let mut arena = arena(&mut client, usd(100)).await?;
    let (t6, t18, receiver_id) = (arena.suite.t6, arena.suite.t18, arena.receiver_id);
    let (alice_keys, bob_keys) = (ink_e2e::alice(), ink_e2e::bob());
    let flash_only = PauseFlags {
        flash_loan: true,
        ..PauseFlags::default()
    };
    send(
        &mut client,
        &ink_e2e::ferdie(),
        &arena.suite.pool.pause(t6, flash_only),
    )
    .await?
    .0
    .map_err(describe)?;
    let loan = arena.loan(t6, usd(1_000), Vec::new());
    assert_eq!(
        refused(&mut client, &bob_keys, &loan).await?,
        Err(PoolError::ActionPaused)
    );
    // Other actions and other markets are not paused.
    arena
        .suite
        .fund(&mut client, t18, receiver_id, eth(1))
        .await?;
    let eth_loan = arena.loan(t18, eth(10), Vec::new());
    assert_eq!(send(&mut client, &bob_keys, &eth_loan).await?.0, Ok(()));
    arena
        .suite
        .fund_and_supply(&mut client, &bob_keys, t6, usd(10))
        .await?;
    send(
        &mut client,
        &alice_keys,
        &arena.suite.pool.unpause(t6, flash_only),
    )
    .await?
    .0
    .map_err(describe)?;
    assert_eq!(send(&mut client, &bob_keys, &loan).await?.0, Ok(()));

    // The fee cap: 1 %.
    let mut params = market_params(6);
    params.config.rate_model = zero_rate_model();
    params.flash_loan_fee_wad = WAD / 100 + 1;
    let too_high = Err(PoolError::FlashLoanFeeTooHigh);
    assert_eq!(
        refused(
            &mut client,
            &alice_keys,
            &arena.suite.pool.set_market_params(t6, params)
        )
        .await?,
        too_high
    );
    // Listing checks it before asking the token anything (Dave's account is no token).
    assert_eq!(
        refused(
            &mut client,
            &alice_keys,
            &arena.suite.pool.list_market(dave(), params, 0)
        )
        .await?,
        too_high
    );
    params.flash_loan_fee_wad = WAD / 100;
    send(
        &mut client,
        &alice_keys,
        &arena.suite.pool.set_market_params(t6, params),
    )
    .await?
    .0
    .map_err(describe)?;
    let amount = usd(1_000) + 1;
    let loan = arena.loan(t6, amount, Vec::new());
    let (result, emitted) = send(&mut client, &bob_keys, &loan).await?;
    assert_eq!(result, Ok(()));
    let fees: Vec<u128> = arena
        .suite
        .events::<FlashLoan>(&emitted)
        .iter()
        .map(|l| l.fee)
        .collect();
    assert_eq!(fees, vec![usd(10) + 1], "1 % of 1,000.000001, rounded up");
    Ok(())
}
