//! The keeper on a real node (run by `tests/drills.sh`, which starts the node, deploys
//! deploy/devnet.toml with a 10 s liquidation grace period and sets the variables below;
//! ignored otherwise): borrowers against TBTC, the oracle's reporters crash TBTC's price,
//! and the keeper must liquidate every account that fell below health factor 1 within a
//! bounded number of blocks, and no other, leaving no bad debt; then it is killed, a
//! second crash comes while it is down, and the restarted keeper must resume from its
//! database (not from the start block) and liquidate the new ones, its index holding
//! exactly the chain's liquidations; then, with the collateral market's cash all lent
//! out, a third crash it must liquidate by taking the collateral as supply.

use carrack_client::manifest::Deployment;
use carrack_client::{send, Chain, ContractEvent, Inclusion, Message};
use carrack_interfaces::{PSP22Error, PSP22};
use carrack_oracle::oracle::OracleRef;
use carrack_pool::events::{BadDebtWrittenOff, Liquidated, SeizedAsSupply};
use carrack_pool::pool::PoolRef;
use carrack_pool::views::AccountView;
use ink::codegen::TraitCallBuilder;
use ink::env::call::FromAccountId;
use ink::env::Event;
use ink::primitives::AccountId;
use scale::DecodeAll;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::time::{Duration, Instant};
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;
use subxt_signer::SecretUri;

const WAD: u128 = 1_000_000_000_000_000_000;
const TUSD_UNIT: u128 = 1_000_000;
const TBTC_UNIT: u128 = 100_000_000;
const PRICE_UNIT: u128 = 100_000_000; // the feeds' 8 decimals
const TIMEOUT: Duration = Duration::from_secs(60);
/// The most blocks from a crash to the keeper's last liquidation the drill accepts.
const MAX_BLOCKS_TO_LIQUIDATE: u64 = 60;
const REPORTERS: [&str; 5] = ["//Bob", "//Charlie", "//Dave", "//Eve", "//Ferdie"];
const KEEPER: &str = "//Ferdie//stash";

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set (run tests/drills.sh)"))
    // allow-panic: drill set-up
}

fn key(uri: &str) -> Keypair {
    Keypair::from_uri(&SecretUri::from_str(uri).unwrap()).unwrap() // allow-panic: fixed dev URIs
}

fn id(k: &Keypair) -> AccountId {
    AccountId::from(k.public_key().to_account_id().0)
}

fn addr(a: AccountId) -> AccountId32 {
    AccountId32(*a.as_ref())
}

struct World {
    chain: Chain,
    pool: AccountId,
    oracle: AccountId,
    tusd: AccountId,
    tbtc: AccountId,
}

impl World {
    async fn act<R: scale::Decode + std::fmt::Debug>(
        &self,
        who: &Keypair,
        contract: AccountId,
        message: Message<R>,
    ) -> R {
        match send(&self.chain, who, &addr(contract), &message, TIMEOUT).await {
            Ok((reply, Inclusion::Success { .. })) => reply,
            other => panic!("{other:?}"), // allow-panic: a drill step failed
        }
    }

    async fn transfer(&self, from: &Keypair, token: AccountId, to: AccountId, amount: u128) {
        let mut t: ink::contract_ref!(PSP22, ink::env::DefaultEnvironment) = token.into();
        let r: Result<(), PSP22Error> = self
            .act(
                from,
                token,
                Message::new(t.call_mut().transfer(to, amount, Vec::new())),
            )
            .await;
        r.unwrap(); // allow-panic: a drill step failed
    }

    async fn supply(&self, who: &Keypair, token: AccountId, amount: u128) {
        let mut t: ink::contract_ref!(PSP22, ink::env::DefaultEnvironment) = token.into();
        let r: Result<(), PSP22Error> = self
            .act(
                who,
                token,
                Message::new(t.call_mut().approve(self.pool, amount)),
            )
            .await;
        r.unwrap(); // allow-panic: a drill step failed
        let mut pool = PoolRef::from_account_id(self.pool);
        self.act(
            who,
            self.pool,
            Message::new(pool.call_mut().supply(token, amount, id(who))),
        )
        .await
        .unwrap(); // allow-panic: a drill step failed
    }

    async fn borrow(&self, who: &Keypair, token: AccountId, amount: u128) {
        let mut pool = PoolRef::from_account_id(self.pool);
        self.act(
            who,
            self.pool,
            Message::new(pool.call_mut().borrow(token, amount)),
        )
        .await
        .unwrap(); // allow-panic: a drill step failed
    }

    /// Every reporter submits `price` (whole dollars) for TBTC; returns the block number
    /// after the round closed.
    async fn crash_tbtc(&self, dollars: u128) -> u64 {
        let (block, _) = self.chain.best_block().await.unwrap(); // allow-panic: a drill step failed
        let now = self.chain.now_secs(block).await.unwrap(); // allow-panic: a drill step failed
        for r in REPORTERS {
            let mut oracle = OracleRef::from_account_id(self.oracle);
            self.act(
                &key(r),
                self.oracle,
                Message::new(
                    oracle
                        .call_mut()
                        .submit(self.tbtc, dollars * PRICE_UNIT, now),
                ),
            )
            .await
            .unwrap(); // allow-panic: a drill step failed
        }
        self.chain.best_block().await.unwrap().1 // allow-panic: a drill step failed
    }

    async fn view(&self, who: AccountId) -> AccountView {
        let pool = PoolRef::from_account_id(self.pool);
        let message = Message::new(pool.call().account(who));
        let (block, _) = self.chain.best_block().await.unwrap(); // allow-panic: a drill step failed
        let dry = self
            .chain
            .dry_run(
                block,
                &addr(who),
                &addr(self.pool),
                message.input().to_vec(),
            )
            .await
            .unwrap(); // allow-panic: a drill step failed
        message.dry_run_value(&dry).unwrap() // allow-panic: a drill step failed
    }

    /// The cash of `asset`'s market (the pool's `market` view).
    async fn market_cash(&self, asset: AccountId) -> u128 {
        let pool = PoolRef::from_account_id(self.pool);
        let message = Message::new(pool.call().market(asset));
        let (block, _) = self.chain.best_block().await.unwrap(); // allow-panic: a drill step failed
        let dry = self
            .chain
            .dry_run(
                block,
                &addr(self.pool),
                &addr(self.pool),
                message.input().to_vec(),
            )
            .await
            .unwrap(); // allow-panic: a drill step failed
        message.dry_run_value(&dry).unwrap().market.state.cash // allow-panic: a drill step failed
    }

    /// The pool's events in blocks `from..=to`, with their block numbers.
    async fn pool_events_in(&self, from: u64, to: u64) -> Vec<(u64, ContractEvent)> {
        let mut events = Vec::new();
        for number in from..=to {
            let hash = self.chain.block_hash(number).await;
            let hash = hash.unwrap().unwrap(); // allow-panic: a drill step failed
            let emitted = self.chain.contract_events(hash).await;
            let emitted = emitted.unwrap(); // allow-panic: a drill step failed
            events.extend(
                emitted
                    .into_iter()
                    .filter(|e| e.contract == addr(self.pool))
                    .map(|e| (number, e)),
            );
        }
        events
    }

    /// How many `SeizedAsSupply` events credited `liquidator` in blocks `from..=to`.
    async fn seized_as_supply(&self, from: u64, to: u64, liquidator: AccountId) -> usize {
        let mut count = 0;
        for (_, e) in self.pool_events_in(from, to).await {
            if e.topics.first().copied() == SeizedAsSupply::SIGNATURE_TOPIC {
                let seized = SeizedAsSupply::decode_all(&mut e.data.as_slice());
                let seized = seized.unwrap(); // allow-panic: a drill step failed
                count += usize::from(seized.liquidator == liquidator);
            }
        }
        count
    }

    /// The pool's `Liquidated` and `BadDebtWrittenOff` events in blocks `from..=to`:
    /// (block, borrower) each, and the number of write-offs.
    async fn pool_events(&self, from: u64, to: u64) -> (Vec<(u64, AccountId)>, usize) {
        let (mut liquidated, mut bad_debt) = (Vec::new(), 0);
        for (number, e) in self.pool_events_in(from, to).await {
            match e.topics.first().copied() {
                t if t == Liquidated::SIGNATURE_TOPIC => {
                    let l = Liquidated::decode_all(&mut e.data.as_slice());
                    let l = l.unwrap(); // allow-panic: a drill step failed
                    liquidated.push((number, l.borrower));
                }
                t if t == BadDebtWrittenOff::SIGNATURE_TOPIC => bad_debt += 1,
                _ => {}
            }
        }
        (liquidated, bad_debt)
    }
}

fn ss58(a: AccountId) -> String {
    addr(a).to_string()
}

/// The body of `GET path` on the keeper's API.
async fn api(path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = format!("127.0.0.1:{}", env("CARRACK_DRILL_API_PORT"));
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap(); // allow-panic: drill step
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nhost: keeper\r\n\r\n").as_bytes())
        .await
        .unwrap(); // allow-panic: drill step
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap(); // allow-panic: drill step
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    assert!(head.starts_with("HTTP/1.1 200 OK"), "GET {path}: {head}");
    body.to_string()
}

fn start_keeper(work: &Path, log: &str) -> Child {
    let log = std::fs::File::create(work.join(log)).unwrap(); // allow-panic: drill set-up
    Command::new(env("CARRACK_KEEPER_BIN"))
        .args(["--config", work.join("keeper.toml").to_str().unwrap()]) // allow-panic: drill set-up
        .stdout(log.try_clone().unwrap()) // allow-panic: drill set-up
        .stderr(log)
        .spawn()
        .unwrap() // allow-panic: drill set-up
}

/// Waits until every account in `expected` is at health factor 1 or above and has been
/// liquidated at least once since `from`; returns the liquidations seen.
async fn wait_for_liquidations(
    w: &World,
    from: u64,
    expected: &[AccountId],
) -> (Vec<(u64, AccountId)>, usize, u64) {
    let started = Instant::now();
    loop {
        let (_, to) = w.chain.best_block().await.unwrap(); // allow-panic: a drill step failed
        let (liquidated, bad_debt) = w.pool_events(from, to).await;
        let mut done = true;
        for who in expected {
            let hf = w.view(*who).await.health_factor_wad;
            done &= hf >= WAD && liquidated.iter().any(|(_, b)| b == who);
        }
        if done {
            return (liquidated, bad_debt, to);
        }
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "the keeper did not liquidate within 3 minutes: {liquidated:?}"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[tokio::test]
#[ignore = "needs a node: run tools/carrack-keeper/tests/drills.sh"]
async fn keeper_liquidates_a_crash_and_resumes_after_a_kill() {
    let work = PathBuf::from(env("CARRACK_DRILL_WORK"));
    let deployment = Deployment::load(&PathBuf::from(env("CARRACK_DRILL_MANIFEST"))).unwrap(); // allow-panic: drill set-up
    let chain = Chain::connect(&env("CARRACK_DRILL_URL"), Duration::from_secs(20))
        .await
        .unwrap(); // allow-panic: drill set-up
    let a = |name: &str| AccountId::from(deployment.address(name).unwrap().0); // allow-panic: drill set-up
    let w = World {
        pool: a("pool"),
        oracle: a("oracle"),
        tusd: a("token:TUSD"),
        tbtc: a("token:TBTC"),
        chain,
    };
    let alice = key("//Alice");
    let keeper = key(KEEPER);

    // Lenders' cash, the keeper's funds, and five borrowers: 1 TBTC each at $60,000,
    // borrowing TUSD at these shares of its value (TBTC: LTV 70 %, threshold 75 %).
    w.supply(&alice, w.tusd, 1_000_000 * TUSD_UNIT).await;
    w.transfer(&alice, w.tusd, id(&keeper), 300_000 * TUSD_UNIT)
        .await;
    let borrowers = [
        ("//Bob", 69),
        ("//Charlie", 66),
        ("//Dave", 67),
        ("//Eve", 55),
        ("//Alice//stash", 30),
    ];
    for (uri, percent) in borrowers {
        let b = key(uri);
        w.transfer(&alice, w.tbtc, id(&b), TBTC_UNIT).await;
        w.supply(&b, w.tbtc, TBTC_UNIT).await;
        w.borrow(&b, w.tusd, 60_000 * TUSD_UNIT * percent / 100)
            .await;
    }
    let ids: Vec<AccountId> = borrowers.iter().map(|(u, _)| id(&key(u))).collect();
    for who in &ids {
        assert!(
            w.view(*who).await.health_factor_wad > WAD,
            "every borrower starts healthy"
        );
    }

    std::fs::write(
        work.join("keeper.toml"),
        format!(
            "url = \"{}\"\nmanifest = \"{}\"\ndatabase = \"sqlite://keeper.sqlite\"\npoll_secs = 1\napi_listen = \"127.0.0.1:{}\"\nsigner = {{ suri = \"{KEEPER}\" }}\n[liquidation]\nretry_after_blocks = 2\n",
            env("CARRACK_DRILL_URL"),
            env("CARRACK_DRILL_MANIFEST"),
            env("CARRACK_DRILL_API_PORT")
        ),
    )
    .unwrap(); // allow-panic: drill set-up
    let mut keeper_process = start_keeper(&work, "keeper-1.log");
    tokio::time::sleep(Duration::from_secs(5)).await;

    // Crash 1: TBTC -18 % (one round, within the oracle's 20 % deviation bound). Bob,
    // Charlie and Dave fall below 1; Eve and Alice//stash stay above.
    let crash = w.crash_tbtc(49_200).await;
    let below: Vec<AccountId> = ids[..3].to_vec();
    for who in &ids {
        let hf = w.view(*who).await.health_factor_wad;
        assert_eq!(
            hf < WAD,
            below.contains(who),
            "crash 1 puts exactly Bob, Charlie and Dave below 1"
        );
    }
    let (liquidated, bad_debt, _) = wait_for_liquidations(&w, crash, &below).await;
    let last = liquidated.iter().map(|(b, _)| *b).max().unwrap(); // allow-panic: checked non-empty by the wait
    println!(
        "crash 1: {} liquidations of 3 accounts, the last {} blocks after the crash",
        liquidated.len(),
        last - crash
    );
    assert!(
        last - crash <= MAX_BLOCKS_TO_LIQUIDATE,
        "{} blocks",
        last - crash
    );
    assert!(
        liquidated.iter().all(|(_, b)| below.contains(b)),
        "only accounts below 1 are liquidated: {liquidated:?}"
    );
    assert_eq!(
        bad_debt, 0,
        "the collateral covered every debt: no bad debt"
    );

    // The API shows it: the borrowers by health (none below 1 once a pass ran after the
    // last liquidation), Bob's liquidation in his history, the keeper's own count.
    let started = Instant::now();
    loop {
        let metrics = api("/metrics").await;
        if metrics.contains("carrack_keeper_liquidations_indexed 3")
            && metrics.contains("carrack_keeper_at_risk 0")
        {
            assert!(
                metrics.contains("carrack_keeper_liquidations_total 3"),
                "{metrics}"
            );
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the keeper's metrics never showed the three liquidations:\n{metrics}"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let at_risk = api("/api/at-risk").await;
    assert!(
        at_risk.contains(&ss58(ids[3])) && at_risk.contains("health_factor_wad"),
        "{at_risk}"
    );
    let bob = api(&format!("/api/accounts/{}", ss58(ids[0]))).await;
    assert!(
        bob.contains("\"liquidations\":[{") && bob.contains(&ss58(id(&keeper))),
        "{bob}"
    );
    let tbtc_history = api(&format!("/api/markets/{}/history?limit=5", ss58(w.tbtc))).await;
    assert!(tbtc_history.starts_with("[{\"block\":"), "{tbtc_history}");

    // Killed (no clean stop), then crash 2 while it is down: TBTC -18 % again puts Eve
    // below 1 (Alice//stash stays above).
    keeper_process.kill().unwrap(); // allow-panic: drill step
    keeper_process.wait().unwrap(); // allow-panic: drill step
    let crash2 = w.crash_tbtc(40_400).await;
    let mut below2 = Vec::new();
    for who in &ids {
        if w.view(*who).await.health_factor_wad < WAD {
            below2.push(*who);
        }
    }
    assert!(
        below2.contains(&ids[3]) && !below2.contains(&ids[4]),
        "crash 2 puts Eve below 1, not Alice//stash"
    );
    let mut keeper_process = start_keeper(&work, "keeper-2.log");
    let (liquidated2, bad_debt2, _) = wait_for_liquidations(&w, crash2, &below2).await;
    let last2 = liquidated2.iter().map(|(b, _)| *b).max().unwrap(); // allow-panic: checked non-empty by the wait
    println!("crash 2 (keeper restarted): {} liquidations of {} accounts, the last {} blocks after the crash", liquidated2.len(), below2.len(), last2 - crash2);
    assert!(last2 - crash2 <= MAX_BLOCKS_TO_LIQUIDATE);
    assert_eq!(bad_debt2, 0);
    keeper_process.kill().unwrap(); // allow-panic: drill step
    keeper_process.wait().unwrap(); // allow-panic: drill step

    // The restart resumed from the database, not from the start block.
    let log2 = std::fs::read_to_string(work.join("keeper-2.log")).unwrap(); // allow-panic: drill step
    assert!(
        log2.contains("resuming after block"),
        "the restarted keeper did not resume:\n{log2}"
    );
    // Crash 3 with the collateral's cash lent out: Alice borrows all of TBTC's cash
    // against her TUSD, so no liquidation can pay TBTC out in tokens. The keeper must
    // take the collateral as supply instead (`liquidate_to_supply`, audit M-4), not wait.
    // Crashes 1 and 2 closed every position below 1 in full (close factor 100 % below
    // 0.95), so a new borrower: 1 TBTC at today's $40,400, borrowing 68 % of it.
    let carol = key("//Charlie//stash");
    w.transfer(&alice, w.tbtc, id(&carol), TBTC_UNIT).await;
    w.supply(&carol, w.tbtc, TBTC_UNIT).await;
    w.borrow(&carol, w.tusd, 40_400 * TUSD_UNIT * 68 / 100)
        .await;
    let mut ids = ids;
    ids.push(id(&carol));
    let tbtc_cash = w.market_cash(w.tbtc).await;
    w.borrow(&alice, w.tbtc, tbtc_cash).await;
    assert_eq!(
        w.market_cash(w.tbtc).await,
        0,
        "TBTC's cash is all lent out"
    );
    let mut keeper_process = start_keeper(&work, "keeper-4.log");
    let crash3 = w.crash_tbtc(33_200).await;
    let mut below3 = Vec::new();
    for who in &ids {
        if w.view(*who).await.health_factor_wad < WAD {
            below3.push(*who);
        }
    }
    assert!(
        below3.contains(&id(&carol)) && !below3.contains(&ids[4]),
        "crash 3 puts Charlie//stash below 1, not Alice//stash"
    );
    let (liquidated3, bad_debt3, end3) = wait_for_liquidations(&w, crash3, &below3).await;
    let last3 = liquidated3.iter().map(|(b, _)| *b).max().unwrap(); // allow-panic: checked non-empty by the wait
    let as_supply = w.seized_as_supply(crash3, end3, id(&keeper)).await;
    println!("crash 3 (no TBTC cash): {} liquidations of {} accounts, {} as supply, the last {} blocks after the crash", liquidated3.len(), below3.len(), as_supply, last3 - crash3);
    assert!(last3 - crash3 <= MAX_BLOCKS_TO_LIQUIDATE);
    assert_eq!(
        as_supply,
        liquidated3.len(),
        "every liquidation took its collateral as supply"
    );
    assert_eq!(bad_debt3, 0);
    keeper_process.kill().unwrap(); // allow-panic: drill step
    keeper_process.wait().unwrap(); // allow-panic: drill step

    // The index holds exactly the chain's liquidations, none missed, none twice, once it
    // has reached the last liquidation's block (it indexes finalized blocks only).
    let started = Instant::now();
    let (report, indexed) = loop {
        let once = Command::new(env("CARRACK_KEEPER_BIN"))
            .arg("--config")
            .arg(work.join("keeper.toml"))
            .arg("--once")
            .stderr(Stdio::null())
            .output()
            .unwrap(); // allow-panic: drill step
        let report = String::from_utf8_lossy(&once.stdout).to_string();
        let indexed: u64 = report
            .split_whitespace()
            .skip_while(|w| *w != "indexed")
            .nth(1)
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        if indexed >= last3 {
            break (report, indexed);
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the index did not reach block {last3}: {report}"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    let (all, _) = w
        .pool_events(deployment.start_block.unwrap_or(0), indexed)
        .await;
    assert!(
        report.contains(&format!("liquidations_indexed {}", all.len())),
        "the index: {report}; the chain: {} liquidations up to block {indexed}",
        all.len()
    );
    assert!(
        report.contains("below_one 0"),
        "nobody is left below 1: {report}"
    );
}
