//! # A5: re-entrancy through token calls
//!
//! **The attack.** A lending pool calls the token of a market on every supply, withdraw,
//! borrow, repay and liquidation. If that token can run code during the transfer and call
//! back into the pool before the pool's first call has finished, it acts on half-updated
//! books: it withdraws or borrows again against a position the outer call is about to
//! reduce, or reads a price or a balance that is momentarily wrong (read-only
//! re-entrancy).
//!
//! **Precedents.** Lendf.Me (April 2020, about 25 M USD): imBTC's ERC777 `tokensToSend`
//! hook re-entered `supply` and `withdraw`. Cream Finance (August 2021, about 19 M USD):
//! AMP's ERC777-style hook re-entered `borrow` before the first borrow was recorded.
//! Hundred Finance and Agave on Gnosis Chain (March 2022, about 6 M and 5.5 M USD): the
//! ERC677 `transferAndCall` callback of bridged tokens re-entered `borrow` and
//! `liquidationCall` in Compound and Aave v2 forks.
//!
//! **Here** the token itself is the hostile contract (PSP22 has no receiver hooks; the
//! fixture `carrack-hostile-token` calls any contract with any call data on every
//! `transfer` and `transfer_from`), and the pool is re-entered by that token.
//!
//! **Why it fails.** The pool's token calls keep ink!'s default: re-entry not allowed.
//! When the token calls the pool while the pool is on the call stack, pallet-contracts
//! refuses with `ReentranceDenied` and traps the *token*; the pool sees a failed call and
//! returns `PoolError::TokenCallFailed`, and since the message returns `Err` ink! reverts
//! every change it made. So the attack cannot even get the outer action done, and the
//! pool, the balances and the token's own record are exactly as before. The pool also
//! writes its books before calling the token (checks, effects, interactions), a second
//! line the tests here do not need to reach.
//!
//! Each test also runs the same call data *outside* any pool call (the attacker calls
//! the token directly) to show the payload itself is valid: only re-entry is refused.
//! The hostile market has no interest (zero rate model), so "nothing changed" is exact.

use carrack_e2e::suite::*;
use carrack_e2e::NodeClient;
use carrack_hostile_token::hostile_token::{HostileToken, HostileTokenRef};
use carrack_hostile_token::{Mode, ReentryOutcome};
use carrack_interfaces::{PSP22Error, PSP22};
use carrack_pool::error::PoolError;
use carrack_pool::views::{AccountView, MarketView};
use ink::codegen::ContractCallBuilder;
use ink::primitives::AccountId;
use ink::scale::Encode;
use ink_e2e::ContractsBackend;

type HostileCalls = <HostileToken as ContractCallBuilder>::Type;

/// One whole hostile token (18 decimals, priced 1).
const HOSTILE: u128 = 1_000_000_000_000_000_000;

/// The suite with a market and a feed for the hostile token.
struct Arena {
    suite: Suite,
    hostile_id: AccountId,
    hostile: HostileCalls,
}

/// Deploys the suite without interest, the hostile token (honest for now, 18 decimals),
/// mints 1,000 to Alice for the seed and 1,000 to Bob (the attacker), adds a feed at 1
/// and lists the market.
async fn arena(client: &mut NodeClient) -> E2EResult<Arena> {
    let config = SuiteConfig::default().with_rate_model(zero_rate_model());
    let mut suite = Suite::deploy(client, config).await?;
    let mut constructor = HostileTokenRef::new(18);
    let deployed = client
        .instantiate("carrack_hostile_token", &ink_e2e::alice(), &mut constructor)
        .submit()
        .await?;
    let hostile_id = deployed.account_id;
    let mut hostile = deployed.call_builder::<HostileToken>();
    for to in [alice(), bob()] {
        let minted = send(
            client,
            &ink_e2e::alice(),
            &hostile.mint(to, 1_000 * HOSTILE),
        )
        .await?
        .0;
        assert_eq!(minted, Ok(()));
    }
    suite
        .add_feed(client, hostile_id, feed_config(3_600))
        .await?;
    suite.set_price(client, hostile_id, DOLLAR).await?;
    let mut params = market_params(18);
    params.config.rate_model = zero_rate_model();
    suite
        .list_market(client, hostile_id, params, 1_000 * HOSTILE)
        .await?;
    Ok(Arena {
        suite,
        hostile_id,
        hostile,
    })
}

/// Raw call data: the selector followed by the SCALE-encoded arguments.
fn call_data(selector: [u8; 4], args: impl Encode) -> Vec<u8> {
    let mut data = selector.to_vec();
    args.encode_to(&mut data);
    data
}

/// The pool's `withdraw(asset, amount, to)`.
fn withdraw_call(asset: AccountId, amount: u128, to: AccountId) -> Vec<u8> {
    call_data(ink::selector_bytes!("withdraw"), (asset, amount, to))
}

/// Everything an attack could change, with market views stripped of their read time.
#[derive(Debug, PartialEq)]
struct Snapshot {
    markets: Vec<MarketView>,
    accounts: Vec<AccountView>,
    balances: Vec<u128>,
    last_reentry: Option<ReentryOutcome>,
}

async fn snapshot(client: &mut NodeClient, arena: &Arena) -> E2EResult<Snapshot> {
    let suite = &arena.suite;
    let mut markets = Vec::new();
    for asset in [arena.hostile_id, suite.t6, suite.t18] {
        markets.push(timeless(suite.market(client, asset).await?));
    }
    let mut accounts = Vec::new();
    for who in [bob(), arena.hostile_id] {
        accounts.push(suite.account(client, who).await?);
    }
    let mut balances = Vec::new();
    for asset in [arena.hostile_id, suite.t6, suite.t18] {
        for owner in [bob(), suite.pool_id, arena.hostile_id] {
            balances.push(balance(client, asset, owner).await?);
        }
    }
    let last_reentry = dry(client, &ink_e2e::alice(), &arena.hostile.last_reentry()).await?;
    Ok(Snapshot {
        markets,
        accounts,
        balances,
        last_reentry,
    })
}

/// Anyone may switch the fixture's behaviour; Bob does.
async fn set_mode(client: &mut NodeClient, arena: &mut Arena, mode: Mode) -> E2EResult<()> {
    send(client, &ink_e2e::bob(), &arena.hostile.set_mode(mode)).await?;
    Ok(())
}

/// Bob calls the hostile token's `transfer` himself (value 0): in `Reenter` mode the token
/// makes its call with nothing of the pool's on the stack. Returns how that call ended.
async fn trigger_outside_the_pool(
    client: &mut NodeClient,
    arena: &mut Arena,
) -> E2EResult<Option<ReentryOutcome>> {
    let (result, _) = send(
        client,
        &ink_e2e::bob(),
        &arena.hostile.transfer(charlie(), 0, Vec::new()),
    )
    .await?;
    assert_eq!(result, Ok(()));
    dry(client, &ink_e2e::alice(), &arena.hostile.last_reentry()).await
}

/// `Ok(value)` of an ink! message returning `Result<T, PoolError>`, as the token records
/// the pool's answer.
fn answered<T: Encode>(result: Result<T, PoolError>) -> Option<ReentryOutcome> {
    Some(ReentryOutcome::Returned {
        lang_error: false,
        output: result.encode(),
    })
}

/// Bob supplies the hostile token while it re-enters the pool's `withdraw` (and, as a
/// read-only variant, `account`): the supply fails with `TokenCallFailed` and nothing
/// changes. The same holds on the way out (withdraw, borrow) once Bob has a position.
#[carrack_e2e::test]
async fn a_token_reentering_the_pool_during_its_own_transfers_is_refused(
    mut client: NodeClient,
) -> E2EResult<()> {
    let mut arena = arena(&mut client).await?;
    let (hostile, pool_id) = (arena.hostile_id, arena.suite.pool_id);
    let bob_keys = ink_e2e::bob();
    approve(&mut client, &bob_keys, hostile, pool_id, 1_000 * HOSTILE).await?;
    let supply = arena.suite.pool.supply(hostile, 100 * HOSTILE, bob());

    for input in [
        withdraw_call(hostile, HOSTILE, bob()),
        call_data(ink::selector_bytes!("account"), bob()),
    ] {
        set_mode(
            &mut client,
            &mut arena,
            Mode::Reenter {
                target: pool_id,
                input,
            },
        )
        .await?;
        let before = snapshot(&mut client, &arena).await?;
        let refusal = refused(&mut client, &bob_keys, &supply).await?;
        assert_eq!(refusal, Err(PoolError::TokenCallFailed));
        assert_eq!(snapshot(&mut client, &arena).await?, before);
        assert_eq!(
            before.last_reentry, None,
            "the trapped token recorded nothing"
        );
        assert_eq!(before.balances[0], 1_000 * HOSTILE, "Bob's tokens");
    }

    // Control: honest, the same supply goes through.
    set_mode(&mut client, &mut arena, Mode::Honest).await?;
    assert_eq!(send(&mut client, &bob_keys, &supply).await?.0, Ok(()));
    let position = arena
        .suite
        .position(&mut client, bob(), hostile)
        .await?
        .ok_or("Bob supplied")?;
    assert_eq!(position.supply, 100 * HOSTILE);

    // On the way out: withdrawing and borrowing push tokens to Bob; re-entry is refused.
    set_mode(
        &mut client,
        &mut arena,
        Mode::Reenter {
            target: pool_id,
            input: withdraw_call(hostile, HOSTILE, bob()),
        },
    )
    .await?;
    let before = snapshot(&mut client, &arena).await?;
    let withdraw = arena.suite.pool.withdraw(hostile, u128::MAX, bob());
    assert_eq!(
        refused(&mut client, &bob_keys, &withdraw).await?,
        Err(PoolError::TokenCallFailed)
    );
    let borrow = arena.suite.pool.borrow(hostile, 10 * HOSTILE);
    assert_eq!(
        refused(&mut client, &bob_keys, &borrow).await?,
        Err(PoolError::TokenCallFailed)
    );
    assert_eq!(snapshot(&mut client, &arena).await?, before);

    // Outside any pool call the same call data reaches the pool and is answered: the
    // token itself has no position to withdraw.
    assert_eq!(
        trigger_outside_the_pool(&mut client, &mut arena).await?,
        answered::<u128>(Err(PoolError::NoPosition))
    );
    Ok(())
}

/// The attacker's contract (the hostile token itself, the only account that can make the
/// re-entrant call) holds an honest supply of 500 in the 6-decimal market. During Bob's
/// supply or withdrawal of the hostile token it tries to withdraw that supply: refused,
/// nothing changes. Outside a pool call, the very same call data withdraws the 500.
#[carrack_e2e::test]
async fn a_token_reentering_withdraw_of_another_market_is_refused(
    mut client: NodeClient,
) -> E2EResult<()> {
    let mut arena = arena(&mut client).await?;
    let (hostile, pool_id, t6) = (arena.hostile_id, arena.suite.pool_id, arena.suite.t6);
    let bob_keys = ink_e2e::bob();
    let honest_supply = 500 * unit(6);

    // The token contract approves the pool and supplies 500 (it makes both calls itself,
    // each triggered by a plain transfer Bob asks it for).
    arena
        .suite
        .fund(&mut client, t6, hostile, honest_supply)
        .await?;
    let approve_data = call_data(
        ink::selector_bytes!("PSP22::approve"),
        (pool_id, honest_supply),
    );
    let supply_data = call_data(ink::selector_bytes!("supply"), (t6, honest_supply, hostile));
    for (target, input) in [(t6, approve_data), (pool_id, supply_data)] {
        set_mode(&mut client, &mut arena, Mode::Reenter { target, input }).await?;
        // Both messages answer `Ok(())`, encoded as the single byte 0.
        let outcome = trigger_outside_the_pool(&mut client, &mut arena).await?;
        let ok = ReentryOutcome::Returned {
            lang_error: false,
            output: vec![0],
        };
        assert_eq!(outcome, Some(ok), "calling {target:?}");
    }
    let position = arena
        .suite
        .position(&mut client, hostile, t6)
        .await?
        .ok_or("the token contract supplied")?;
    assert_eq!(position.supply, honest_supply);
    assert_eq!(balance(&mut client, t6, hostile).await?, 0);

    // Bob holds a hostile-token position too, for the withdrawal path.
    set_mode(&mut client, &mut arena, Mode::Honest).await?;
    approve(&mut client, &bob_keys, hostile, pool_id, 1_000 * HOSTILE).await?;
    let supply = arena.suite.pool.supply(hostile, 100 * HOSTILE, bob());
    assert_eq!(send(&mut client, &bob_keys, &supply).await?.0, Ok(()));

    // The attack: re-enter `withdraw` of the 6-decimal market for everything.
    set_mode(
        &mut client,
        &mut arena,
        Mode::Reenter {
            target: pool_id,
            input: withdraw_call(t6, u128::MAX, hostile),
        },
    )
    .await?;
    let before = snapshot(&mut client, &arena).await?;
    assert_eq!(
        refused(&mut client, &bob_keys, &supply).await?,
        Err(PoolError::TokenCallFailed)
    );
    let withdraw = arena.suite.pool.withdraw(hostile, 50 * HOSTILE, bob());
    assert_eq!(
        refused(&mut client, &bob_keys, &withdraw).await?,
        Err(PoolError::TokenCallFailed)
    );
    let after = snapshot(&mut client, &arena).await?;
    assert_eq!(after, before);
    let still = arena.suite.position(&mut client, hostile, t6).await?;
    assert_eq!(still.map(|p| p.supply), Some(honest_supply));

    // Outside a pool call the same call data works: the position is withdrawn.
    assert_eq!(
        trigger_outside_the_pool(&mut client, &mut arena).await?,
        answered::<u128>(Ok(honest_supply))
    );
    assert_eq!(balance(&mut client, t6, hostile).await?, honest_supply);
    assert!(arena
        .suite
        .account(&mut client, hostile)
        .await?
        .positions
        .is_empty());
    Ok(())
}

/// Bob borrows 100 of the hostile token against 1 of the 18-decimal token, then the token
/// starts refusing (`FailTransfers`) or trapping (`Trap`) every transfer: supply, repay
/// and borrow are refused with `Token(Custom("hostile"))` or `TokenCallFailed`, and
/// nothing changes. Honest again, repaying works.
#[carrack_e2e::test]
async fn a_token_refusing_or_trapping_transfers_changes_nothing(
    mut client: NodeClient,
) -> E2EResult<()> {
    let mut arena = arena(&mut client).await?;
    let (hostile, pool_id, t18) = (arena.hostile_id, arena.suite.pool_id, arena.suite.t18);
    let bob_keys = ink_e2e::bob();
    arena.suite.fund(&mut client, t18, bob(), unit(18)).await?;
    arena
        .suite
        .supply(&mut client, &bob_keys, t18, unit(18))
        .await?;
    arena
        .suite
        .borrow(&mut client, &bob_keys, hostile, 100 * HOSTILE)
        .await?;
    approve(&mut client, &bob_keys, hostile, pool_id, 1_000 * HOSTILE).await?;
    let supply = arena.suite.pool.supply(hostile, 10 * HOSTILE, bob());
    let repay = arena.suite.pool.repay(hostile, 50 * HOSTILE, bob());
    let borrow = arena.suite.pool.borrow(hostile, 10 * HOSTILE);

    let hostile_error = PoolError::Token(PSP22Error::Custom("hostile".into()));
    for (mode, expected) in [
        (Mode::FailTransfers, hostile_error),
        (Mode::Trap, PoolError::TokenCallFailed),
    ] {
        set_mode(&mut client, &mut arena, mode.clone()).await?;
        let before = snapshot(&mut client, &arena).await?;
        assert_eq!(
            before.balances[0],
            1_100 * HOSTILE,
            "Bob's 1,000 and 100 borrowed"
        );
        assert_eq!(
            refused(&mut client, &bob_keys, &supply).await?,
            Err(expected.clone())
        );
        assert_eq!(
            refused(&mut client, &bob_keys, &repay).await?,
            Err(expected.clone())
        );
        assert_eq!(
            refused(&mut client, &bob_keys, &borrow).await?,
            Err(expected)
        );
        assert_eq!(snapshot(&mut client, &arena).await?, before);
        let mode_now = dry(&mut client, &bob_keys, &arena.hostile.mode()).await?;
        assert_eq!(mode_now, mode);
        let debt = arena.suite.position(&mut client, bob(), hostile).await?;
        assert_eq!(debt.map(|p| p.debt), Some(100 * HOSTILE));
    }

    // Control: honest again, the whole debt is repaid.
    set_mode(&mut client, &mut arena, Mode::Honest).await?;
    let repay_all = arena.suite.pool.repay(hostile, u128::MAX, bob());
    let (repaid, _) = send(&mut client, &bob_keys, &repay_all).await?;
    assert_eq!(repaid, Ok(100 * HOSTILE));
    assert_eq!(
        arena.suite.position(&mut client, bob(), hostile).await?,
        None
    );
    assert_eq!(balance(&mut client, hostile, bob()).await?, 1_000 * HOSTILE);
    let market = arena.suite.market(&mut client, hostile).await?;
    assert_eq!(market.market.state.cash, 1_000 * HOSTILE);
    assert_eq!(market.total_debt, 0);
    Ok(())
}
