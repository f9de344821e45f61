//! The soak run's driver (`scripts/soak.sh` starts the node, deploys deploy/devnet.toml,
//! starts five relayers reading the price files this driver writes and the keeper, and
//! runs this test; ignored otherwise).
//!
//! `CARRACK_SOAK_ACCOUNTS` accounts (default 50), funded by //Alice, each take random
//! actions (supply, withdraw, borrow, repay, collateral on or off, in a random market, for
//! a random share of what it may) for `CARRACK_SOAK_MINUTES` (default 10), while the price
//! files move in a random walk every 6 s with two crashes (TBTC −18 % at a third of the
//! run, TETH −18 % at two thirds) that the relayers report. Then, from chain state alone
//! (the pool's storage, views and events, not the keeper's index):
//!
//! - every token's balance held by the pool equals its market's recorded cash;
//! - the scaled positions of every account that ever touched the pool, plus the markets'
//!   dead shares, add up to each market's totals (nothing lost, nothing created);
//! - no account below health factor 1 can still be liquidated (a liquidation's dry run by
//!   a funded account is refused for every debt and collateral pair), after the keeper
//!   had time to act;
//!
//! and it reports the throughput: the driver's transactions, the blocks they took, and the
//! refusals by reason. The report is written to `$CARRACK_DRILL_WORK/soak-report.md`.

mod common;

use carrack_client::{send, Inclusion, Message, SendError};
use carrack_interfaces::{PSP22Error, PSP22};
use carrack_pool::events::{Liquidated, MarketListed};
use carrack_pool::pool::PoolRef;
use carrack_pool::views::{AccountView, Limits, MarketView};
use common::*;
use ink::codegen::TraitCallBuilder;
use ink::env::call::FromAccountId;
use ink::env::Event;
use ink::primitives::AccountId;
use scale::{Decode, DecodeAll};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use subxt_signer::sr25519::Keypair;

/// The devnet's markets: symbol, decimals, the price the walk starts at, its largest step.
const MARKETS: [(&str, u32, f64, f64); 3] = [
    ("TUSD", 6, 1.0, 0.0005),
    ("TBTC", 8, 60_000.0, 0.004),
    ("TETH", 18, 3_000.0, 0.004),
];
/// What each soak account gets, in whole tokens (TUSD, TBTC, TETH).
const FUNDING: [u128; 3] = [20_000, 1, 10];
/// What //Alice lends at the start, in whole tokens.
const LENDING: [u128; 3] = [2_000_000, 40, 600];

fn var(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A small deterministic generator (splitmix64), one per task.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// A share of `amount` between `min_pct` and 100 %.
    fn share(&mut self, amount: u128, min_pct: u64) -> u128 {
        let pct = min_pct + self.below(101 - min_pct);
        amount / 100 * u128::from(pct)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// What happened to the driver's actions, by kind and outcome.
#[derive(Default)]
struct Tally {
    /// (action, outcome) → count; outcome `ok`, `refused: <error>` (the dry run said no;
    /// nothing sent) or `failed: <error>` (sent and failed).
    outcomes: BTreeMap<(String, String), u64>,
    /// Transactions the driver had included (approvals too).
    included: u64,
}

type Shared = Arc<Mutex<Tally>>;

fn record(tally: &Shared, action: &str, outcome: String, included: u64) {
    let mut t = tally.lock().unwrap_or_else(|p| p.into_inner());
    *t.outcomes.entry((action.into(), outcome)).or_default() += 1;
    t.included += included;
}

/// The variant a refusal names (`Err(Core(InsufficientCollateral))` → `Core(InsufficientCollateral)`).
fn reason(text: &str) -> String {
    let text = text.trim();
    let text = text
        .strip_prefix("Err(")
        .and_then(|t| t.strip_suffix(')'))
        .unwrap_or(text);
    text.chars().take(80).collect()
}

/// Sends `message`; returns the outcome's text and the transactions included (0 or 1).
async fn attempt<R: Decode + std::fmt::Debug>(
    w: &World,
    who: &Keypair,
    contract: AccountId,
    message: Message<R>,
) -> (String, u64) {
    match send(&w.chain, who, &addr(contract), &message, TIMEOUT).await {
        Ok((_, Inclusion::Success { .. })) => ("ok".into(), 1),
        Ok((_, Inclusion::Failed { error, .. })) => (format!("failed: {}", reason(&error)), 1),
        Ok((_, Inclusion::Refused(why))) => (format!("failed: the pool refused: {why}"), 0),
        Err(SendError::Reverted(reply)) => (format!("refused: {}", reason(&reply)), 0),
        Err(other) => (format!("failed: {other}"), 0),
    }
}

async fn read<R: Decode>(w: &World, from: AccountId, contract: AccountId, m: Message<R>) -> R {
    let (block, _) = w.chain.best_block().await.unwrap(); // allow-panic: a soak step failed
    let dry = w
        .chain
        .dry_run(block, &addr(from), &addr(contract), m.input().to_vec())
        .await
        .unwrap(); // allow-panic: a soak step failed
    m.dry_run_reply(&dry).unwrap() // allow-panic: a soak step failed
}

fn psp22(token: AccountId) -> ink::contract_ref!(PSP22, ink::env::DefaultEnvironment) {
    token.into()
}

async fn balance(w: &World, token: AccountId, of: AccountId) -> u128 {
    read(
        w,
        of,
        token,
        Message::new(psp22(token).call().balance_of(of)),
    )
    .await
}

async fn market(w: &World, asset: AccountId) -> MarketView {
    let pool = PoolRef::from_account_id(w.pool);
    let m: Result<MarketView, _> =
        read(w, w.pool, w.pool, Message::new(pool.call().market(asset))).await;
    m.unwrap() // allow-panic: a listed market
}

async fn account_view(w: &World, who: AccountId) -> AccountView {
    let pool = PoolRef::from_account_id(w.pool);
    let v: Result<AccountView, _> =
        read(w, who, w.pool, Message::new(pool.call().account(who))).await;
    v.unwrap() // allow-panic: the account view of any account answers
}

/// One random action of `who`; records its outcome.
async fn act_once(
    w: &World,
    who: &Keypair,
    tokens: &[AccountId; 3],
    rng: &mut Rng,
    tally: &Shared,
) {
    let me = id(who);
    let asset = tokens[rng.below(3) as usize];
    let mut pool = PoolRef::from_account_id(w.pool);
    let view = account_view(w, me).await;
    let position = view.positions.iter().find(|p| p.position.asset == asset);
    let (supplied, owed) = position.map_or((0, 0), |p| (p.supply, p.debt));
    let (action, (outcome, included)) = match rng.below(100) {
        0..=29 => {
            let amount = rng.share(balance(w, asset, me).await, 5);
            (
                "supply",
                attempt(
                    w,
                    who,
                    w.pool,
                    Message::new(pool.call_mut().supply(asset, amount, me)),
                )
                .await,
            )
        }
        30..=44 => {
            let amount = if rng.below(4) == 0 {
                u128::MAX
            } else {
                rng.share(supplied, 5)
            };
            (
                "withdraw",
                attempt(
                    w,
                    who,
                    w.pool,
                    Message::new(pool.call_mut().withdraw(asset, amount, me)),
                )
                .await,
            )
        }
        45..=69 => {
            let limits: Result<Limits, _> =
                read(w, me, w.pool, Message::new(pool.call().limits(me, asset))).await;
            // Mostly within the limit; one in five asks for more, as users do.
            let max = limits.map_or(0, |l| l.max_borrow);
            let amount = if rng.below(5) == 0 {
                max.saturating_add(max / 10).max(1)
            } else {
                rng.share(max, 10)
            };
            (
                "borrow",
                attempt(
                    w,
                    who,
                    w.pool,
                    Message::new(pool.call_mut().borrow(asset, amount)),
                )
                .await,
            )
        }
        70..=89 => {
            let amount = if rng.below(3) == 0 {
                u128::MAX
            } else {
                rng.share(owed, 10)
            };
            (
                "repay",
                attempt(
                    w,
                    who,
                    w.pool,
                    Message::new(pool.call_mut().repay(asset, amount, me)),
                )
                .await,
            )
        }
        _ => {
            if rng.below(2) == 0 {
                (
                    "collateral on",
                    attempt(
                        w,
                        who,
                        w.pool,
                        Message::new(pool.call_mut().enable_collateral(asset)),
                    )
                    .await,
                )
            } else {
                (
                    "collateral off",
                    attempt(
                        w,
                        who,
                        w.pool,
                        Message::new(pool.call_mut().disable_collateral(asset)),
                    )
                    .await,
                )
            }
        }
    };
    record(tally, action, outcome, included);
}

/// Writes `price` to `dir/symbol` so a relayer reading it sees a new observation (a
/// rename: never a half-written file).
fn write_price(dir: &Path, symbol: &str, price: f64) {
    let tmp = dir.join(format!(".{symbol}.tmp"));
    std::fs::write(&tmp, format!("{price:.8}")).unwrap(); // allow-panic: the soak's own folder
    std::fs::rename(&tmp, dir.join(symbol)).unwrap(); // allow-panic: the soak's own folder
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs a node, relayers and a keeper: run scripts/soak.sh"]
async fn soak() {
    let work = PathBuf::from(env("CARRACK_DRILL_WORK"));
    let prices = PathBuf::from(env("CARRACK_SOAK_PRICES"));
    let minutes = var("CARRACK_SOAK_MINUTES", 10);
    let n_accounts = var("CARRACK_SOAK_ACCOUNTS", 50);
    let (w, deployment) = World::connect().await;
    let w = Arc::new(w);
    let tokens: [AccountId; 3] = MARKETS.map(|(s, ..)| address(&deployment, &format!("token:{s}")));
    let units: [u128; 3] = MARKETS.map(|(_, d, ..)| 10u128.pow(d));
    let alice = key("//Alice");
    let start_block = w.chain.best_block().await.unwrap().1; // allow-panic: soak set-up

    // Funding: //Alice lends, funds the keeper and every soak account with tokens (native
    // balance for fees comes from //Alice//stash), and each account approves the pool once.
    let started = Instant::now();
    for i in 0..3 {
        w.supply(&alice, tokens[i], LENDING[i] * units[i]).await;
        w.transfer(
            &alice,
            tokens[i],
            id(&key(KEEPER)),
            FUNDING[i] * 5 * units[i],
        )
        .await;
    }
    let accounts: Vec<Keypair> = (0..n_accounts)
        .map(|i| key(&format!("//Alice//soak//{i}")))
        .collect();
    // From //Alice//stash (endowed, and signing nothing else here: //Alice's next nonce
    // is the client's to track).
    fund_native(&env("CARRACK_DRILL_URL"), &key("//Alice//stash"), &accounts).await;
    for a in &accounts {
        for i in 0..3 {
            w.transfer(&alice, tokens[i], id(a), FUNDING[i] * units[i])
                .await;
        }
    }
    let approvals: Vec<_> = accounts
        .iter()
        .map(|a| {
            let (w, a, tokens) = (w.clone(), a.clone(), tokens);
            tokio::spawn(async move {
                for token in tokens {
                    let r: Result<(), PSP22Error> = w
                        .act(
                            &a,
                            token,
                            Message::new(psp22(token).call_mut().approve(w.pool, u128::MAX)),
                        )
                        .await;
                    r.unwrap(); // allow-panic: a soak step failed
                }
            })
        })
        .collect();
    for a in approvals {
        a.await.unwrap(); // allow-panic: a soak step failed
    }
    let funded_secs = started.elapsed().as_secs();
    println!("funded {n_accounts} accounts in {funded_secs} s");

    // The run: prices move every 6 s; each account acts, pausing up to 2 s between.
    let soak_block = w.chain.best_block().await.unwrap().1; // allow-panic: soak step
    let deadline = Instant::now() + Duration::from_secs(minutes * 60);
    let tally: Shared = Arc::default();
    let walk = {
        let prices = prices.clone();
        tokio::spawn(async move {
            let mut rng = Rng(7);
            let mut level = MARKETS.map(|(_, _, p, _)| p);
            let (mut crashed_btc, mut crashed_eth) = (false, false);
            let run = Duration::from_secs(minutes * 60);
            let begun = Instant::now();
            let mut log = Vec::new();
            while Instant::now() < deadline {
                for (i, (symbol, _, start, step)) in MARKETS.iter().enumerate() {
                    // A walk pulled back 2 % per step towards where it started.
                    let x = (level[i] / start).ln() * 0.98 + (rng.unit() * 2.0 - 1.0) * step;
                    level[i] = start * x.exp();
                    write_price(&prices, symbol, level[i]);
                }
                if !crashed_btc && begun.elapsed() >= run / 3 {
                    crashed_btc = true;
                    level[1] *= 0.82;
                    write_price(&prices, "TBTC", level[1]);
                    log.push(format!(
                        "TBTC crashed to {:.0} after {} s",
                        level[1],
                        begun.elapsed().as_secs()
                    ));
                }
                if !crashed_eth && begun.elapsed() >= run * 2 / 3 {
                    crashed_eth = true;
                    level[2] *= 0.82;
                    write_price(&prices, "TETH", level[2]);
                    log.push(format!(
                        "TETH crashed to {:.0} after {} s",
                        level[2],
                        begun.elapsed().as_secs()
                    ));
                }
                tokio::time::sleep(Duration::from_secs(6)).await;
            }
            log
        })
    };
    let actors: Vec<_> = accounts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let (w, a, tally) = (w.clone(), a.clone(), tally.clone());
            tokio::spawn(async move {
                let mut rng = Rng(1_000 + i as u64);
                while Instant::now() < deadline {
                    act_once(&w, &a, &tokens, &mut rng, &tally).await;
                    tokio::time::sleep(Duration::from_millis(rng.below(2_000))).await;
                }
            })
        })
        .collect();
    for a in actors {
        a.await.unwrap(); // allow-panic: an actor panicked
    }
    let crashes = walk.await.unwrap(); // allow-panic: the walk panicked
    let end_block = w.chain.best_block().await.unwrap().1; // allow-panic: soak step

    // The keeper's time: blocks keep coming (one transfer a second) until no account below
    // 1 can be liquidated, or 3 minutes pass.
    let settle = Instant::now();
    let all = accounts_of(&w, start_block).await;
    let stuck = loop {
        let stuck = liquidatable(&w, &alice, &tokens, &all).await;
        if stuck.is_empty() || settle.elapsed() > Duration::from_secs(180) {
            break stuck;
        }
        w.transfer(&alice, tokens[0], id(&key("//Eve")), 1).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    let settle_secs = settle.elapsed().as_secs();

    // Conservation, from chain state.
    let (_, head) = w.chain.best_block().await.unwrap(); // allow-panic: soak step
    let mut dead_shares: BTreeMap<AccountId, u128> = BTreeMap::new();
    let (mut liquidations, mut below_one) = (0u64, 0usize);
    for (_, e) in w.pool_events_in(1, head).await {
        match e.topics.first().copied() {
            t if t == MarketListed::SIGNATURE_TOPIC => {
                let l = MarketListed::decode_all(&mut e.data.as_slice()).unwrap(); // allow-panic: the pool's own event
                dead_shares.insert(l.asset, l.seed_amount);
            }
            t if t == Liquidated::SIGNATURE_TOPIC => liquidations += 1,
            _ => {}
        }
    }
    let mut conservation = Vec::new();
    let mut sums: BTreeMap<AccountId, (u128, u128)> = BTreeMap::new();
    for who in &all {
        let view = account_view(&w, *who).await;
        below_one += usize::from(view.health_factor_wad < WAD);
        for p in view.positions {
            let s = sums.entry(p.position.asset).or_default();
            s.0 += p.position.scaled_supply;
            s.1 += p.position.scaled_debt;
        }
    }
    for (i, asset) in tokens.iter().enumerate() {
        let m = market(&w, *asset).await.market.state;
        let held = balance(&w, *asset, w.pool).await;
        let (supply, debt) = sums.get(asset).copied().unwrap_or_default();
        let dead = dead_shares.get(asset).copied().unwrap_or_default();
        conservation.push((
            MARKETS[i].0,
            held,
            m.cash,
            supply + dead,
            m.total_scaled_supply,
            debt,
            m.total_scaled_debt,
        ));
    }

    // The report.
    let tally = tally.lock().unwrap_or_else(|p| p.into_inner());
    let blocks = end_block - soak_block;
    let secs = minutes * 60;
    let actions: u64 = tally.outcomes.values().sum();
    let mut report = String::new();
    let _ = writeln!(report, "# Soak run: {n_accounts} accounts, {minutes} min\n");
    let _ = writeln!(
        report,
        "- funding: {funded_secs} s; blocks {soak_block}..{end_block} ({blocks} blocks)"
    );
    let _ = writeln!(report, "- prices: a walk every 6 s; {}", crashes.join("; "));
    let _ = writeln!(
        report,
        "- the driver: {actions} actions, {} transactions included: {:.2} per block, {:.2} per second (the relayers' and the keeper's come on top)",
        tally.included,
        tally.included as f64 / blocks.max(1) as f64,
        tally.included as f64 / secs as f64
    );
    let _ = writeln!(report, "- liquidations on chain: {liquidations}; accounts below 1 at the end: {below_one}, of which liquidatable: {} (after {settle_secs} s for the keeper)", stuck.len());
    let _ = writeln!(report, "\n| action | outcome | count |\n|---|---|---:|");
    for ((action, outcome), n) in &tally.outcomes {
        let _ = writeln!(report, "| {action} | {outcome} | {n} |");
    }
    let _ = writeln!(report, "\n| market | pool's balance | cash | Σ scaled supply + dead shares | total scaled supply | Σ scaled debt | total scaled debt |\n|---|---:|---:|---:|---:|---:|---:|");
    for (symbol, held, cash, supply, total_supply, debt, total_debt) in &conservation {
        let _ = writeln!(
            report,
            "| {symbol} | {held} | {cash} | {supply} | {total_supply} | {debt} | {total_debt} |"
        );
    }
    std::fs::write(work.join("soak-report.md"), &report).unwrap(); // allow-panic: the soak's own folder
    println!("{report}");

    for (symbol, held, cash, supply, total_supply, debt, total_debt) in &conservation {
        assert_eq!(
            held, cash,
            "{symbol}: the pool holds what its market records"
        );
        assert_eq!(
            supply, total_supply,
            "{symbol}: the accounts' supply adds up"
        );
        assert_eq!(debt, total_debt, "{symbol}: the accounts' debt adds up");
    }
    assert!(
        stuck.is_empty(),
        "accounts below 1 nobody liquidated: {stuck:?}"
    );
    // Every kind of action went through at least once (a driver whose every action is
    // refused would prove nothing).
    for action in ["supply", "withdraw", "borrow", "repay"] {
        assert!(
            tally
                .outcomes
                .contains_key(&(action.to_string(), "ok".to_string())),
            "no {action} succeeded (see the report)"
        );
    }
}

/// Every account that ever appeared in a pool event's account topic since `from`.
async fn accounts_of(w: &World, from: u64) -> Vec<AccountId> {
    let (_, head) = w.chain.best_block().await.unwrap(); // allow-panic: soak step
    let mut found = BTreeSet::new();
    for (_, e) in w.pool_events_in(from, head).await {
        if let Some(topic) = e.topics.get(1) {
            found.insert(AccountId::from(*topic));
        }
    }
    found.into_iter().collect()
}

/// The accounts below 1 that a liquidation's dry run by `liquidator` (holding every
/// token, with the pool approved) would still liquidate, with the pair.
async fn liquidatable(
    w: &World,
    liquidator: &Keypair,
    tokens: &[AccountId; 3],
    accounts: &[AccountId],
) -> Vec<(AccountId, AccountId, AccountId)> {
    for token in tokens {
        let r: Result<(), PSP22Error> = w
            .act(
                liquidator,
                *token,
                Message::new(psp22(*token).call_mut().approve(w.pool, u128::MAX)),
            )
            .await;
        r.unwrap(); // allow-panic: a soak step failed
    }
    let mut out = Vec::new();
    for who in accounts {
        let view = account_view(w, *who).await;
        if view.health_factor_wad >= WAD {
            continue;
        }
        let debts: Vec<_> = view
            .positions
            .iter()
            .filter(|p| p.debt > 0)
            .map(|p| p.position.asset)
            .collect();
        let collaterals: Vec<_> = view
            .positions
            .iter()
            .filter(|p| p.supply > 0)
            .map(|p| p.position.asset)
            .collect();
        for debt in &debts {
            for collateral in &collaterals {
                let mut pool = PoolRef::from_account_id(w.pool);
                let m = Message::new(pool.call_mut().liquidate_to_supply(
                    *who,
                    *debt,
                    *collateral,
                    u128::MAX,
                    0,
                ));
                let r: Result<(u128, u128), _> = read(w, id(liquidator), w.pool, m).await;
                if r.is_ok() {
                    out.push((*who, *debt, *collateral));
                }
            }
        }
    }
    out
}

/// Gives every account in `to` native balance for its fees, in one `Utility::batch_all`
/// of `Balances::transfer_keep_alive` signed by `from`.
async fn fund_native(url: &str, from: &Keypair, to: &[Keypair]) {
    use subxt::dynamic::Value;
    let client = subxt::OnlineClient::<subxt::PolkadotConfig>::from_url(url)
        .await
        .unwrap(); // allow-panic: soak set-up
    let calls: Vec<Value> = to
        .iter()
        .map(|k| {
            // A RuntimeCall: the pallet's variant holding its call's variant.
            Value::unnamed_variant(
                "Balances",
                [Value::named_variant(
                    "transfer_keep_alive",
                    [
                        (
                            "dest",
                            Value::unnamed_variant(
                                "Id",
                                [Value::from_bytes(k.public_key().to_account_id().0)],
                            ),
                        ),
                        ("value", Value::u128(1_000_000_000_000_000)), // 1,000 units of the dev chain's 12 decimals
                    ],
                )],
            )
        })
        .collect();
    let batch = subxt::dynamic::tx(
        "Utility",
        "batch_all",
        vec![Value::unnamed_composite(calls)],
    );
    client
        .tx()
        .sign_and_submit_then_watch_default(&batch, from)
        .await
        .unwrap() // allow-panic: soak set-up
        .wait_for_finalized_success()
        .await
        .unwrap(); // allow-panic: soak set-up
}
