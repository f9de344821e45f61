//! The keeper on a real node (run by `tests/drills.sh`, which starts the node, deploys
//! deploy/devnet.toml with a 10 s liquidation grace period and sets the variables below;
//! ignored otherwise): borrowers against TBTC, the oracle's reporters crash TBTC's price,
//! and the keeper must liquidate every account that fell below health factor 1 within a
//! bounded number of blocks, and no other, leaving no bad debt; then it is killed, a
//! second crash comes while it is down, and the restarted keeper must resume from its
//! database (not from the start block) and liquidate the new ones, its index holding
//! exactly the chain's liquidations; then, with the collateral market's cash all lent
//! out, a third crash it must liquidate by taking the collateral as supply.

mod common;

use common::*;
use ink::primitives::AccountId;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TUSD_UNIT: u128 = 1_000_000;
const TBTC_UNIT: u128 = 100_000_000;

#[tokio::test]
#[ignore = "needs a node: run tools/carrack-keeper/tests/drills.sh"]
async fn keeper_liquidates_a_crash_and_resumes_after_a_kill() {
    let work = PathBuf::from(env("CARRACK_DRILL_WORK"));
    let (w, deployment) = World::connect().await;
    let (tusd, tbtc) = (
        address(&deployment, "token:TUSD"),
        address(&deployment, "token:TBTC"),
    );
    let alice = key("//Alice");
    let keeper = key(KEEPER);

    // Lenders' cash, the keeper's funds, and five borrowers: 1 TBTC each at $60,000,
    // borrowing TUSD at these shares of its value (TBTC: LTV 70 %, threshold 75 %).
    w.supply(&alice, tusd, 1_000_000 * TUSD_UNIT).await;
    w.transfer(&alice, tusd, id(&keeper), 300_000 * TUSD_UNIT)
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
        w.transfer(&alice, tbtc, id(&b), TBTC_UNIT).await;
        w.supply(&b, tbtc, TBTC_UNIT).await;
        w.borrow(&b, tusd, 60_000 * TUSD_UNIT * percent / 100).await;
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
    let mut keeper_process = start_keeper(&work, "keeper.toml", "keeper-1.log");
    tokio::time::sleep(Duration::from_secs(5)).await;

    // Crash 1: TBTC -18 % (one round, within the oracle's 20 % deviation bound). Bob,
    // Charlie and Dave fall below 1; Eve and Alice//stash stay above.
    let crash = w.set_price(tbtc, 49_200 * PRICE_UNIT).await;
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
    // Bob's history, newest first: liquidated by the keeper (the debt TUSD, his TBTC
    // seized), after his borrow and his supply; the keeper's history holds one
    // `liquidator` row per liquidation it made.
    let bob_actions: serde_json::Value =
        serde_json::from_str(&api(&format!("/api/accounts/{}/history", ss58(ids[0]))).await)
            .unwrap(); // allow-panic: a drill step failed
    let rows = bob_actions.as_array().unwrap(); // allow-panic: a drill step failed
    let field = |i: usize, name: &str| rows[i][name].as_str().unwrap_or("").to_string();
    let kinds: Vec<String> = (0..rows.len()).map(|i| field(i, "kind")).collect();
    let last_liquidated = kinds.iter().rposition(|k| k == "liquidated");
    let first_borrow = kinds.iter().position(|k| k == "borrow");
    let first_supply = kinds.iter().position(|k| k == "supply");
    assert!(
        matches!((last_liquidated, first_borrow, first_supply), (Some(l), Some(b), Some(s)) if l < b && b < s),
        "Bob's history, newest first, is liquidations, then his borrow, then his supply: {kinds:?}"
    );
    let l = kinds.iter().position(|k| k == "liquidated").unwrap(); // allow-panic: checked above
    assert_eq!(field(l, "counterparty"), ss58(id(&keeper)), "{bob_actions}");
    assert_eq!(field(l, "asset"), ss58(tusd), "{bob_actions}");
    assert_eq!(field(l, "seized_asset"), ss58(tbtc), "{bob_actions}");
    let b = first_borrow.unwrap(); // allow-panic: checked above
    assert_eq!(
        (field(b, "asset"), field(b, "amount")),
        (ss58(tusd), (60_000 * TUSD_UNIT * 69 / 100).to_string()),
        "{bob_actions}"
    );
    let keeper_actions: serde_json::Value = serde_json::from_str(
        &api(&format!(
            "/api/accounts/{}/history?limit=500",
            ss58(id(&keeper))
        ))
        .await,
    )
    .unwrap(); // allow-panic: a drill step failed
    let as_liquidator = keeper_actions
        .as_array()
        .unwrap() // allow-panic: a drill step failed
        .iter()
        .filter(|r| r["kind"] == "liquidator")
        .count();
    assert_eq!(as_liquidator, liquidated.len(), "{keeper_actions}");
    // The oracle's and the pool's events, decoded with their metadata, and TBTC's
    // accepted prices: the crash's price is the last.
    let oracle_events = api("/api/events/oracle?limit=500").await;
    assert!(
        oracle_events.contains("\"name\":\"FeedChanged\"")
            && oracle_events.contains("PriceAccepted"),
        "{oracle_events}"
    );
    let pool_events = api("/api/events/pool?limit=500").await;
    assert!(
        pool_events.contains("\"name\":\"Liquidated\"") && pool_events.contains(&ss58(ids[0])),
        "{pool_events}"
    );
    let prices: serde_json::Value =
        serde_json::from_str(&api(&format!("/api/prices/{}/history?limit=3", ss58(tbtc))).await)
            .unwrap(); // allow-panic: a drill step failed
    let last = prices.as_array().and_then(|p| p.last()).cloned();
    assert_eq!(
        last.as_ref().and_then(|p| p["price"].as_str()),
        Some((49_200 * PRICE_UNIT).to_string().as_str()),
        "TBTC's last accepted price is the crash's: {prices}"
    );
    let tbtc_history = api(&format!("/api/markets/{}/history?limit=5", ss58(tbtc))).await;
    assert!(tbtc_history.starts_with("[{\"block\":"), "{tbtc_history}");

    // Killed (no clean stop), then crash 2 while it is down: TBTC -18 % again puts Eve
    // below 1 (Alice//stash stays above).
    keeper_process.kill().unwrap(); // allow-panic: drill step
    keeper_process.wait().unwrap(); // allow-panic: drill step
    let crash2 = w.set_price(tbtc, 40_400 * PRICE_UNIT).await;
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
    let mut keeper_process = start_keeper(&work, "keeper.toml", "keeper-2.log");
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
    w.transfer(&alice, tbtc, id(&carol), TBTC_UNIT).await;
    w.supply(&carol, tbtc, TBTC_UNIT).await;
    w.borrow(&carol, tusd, 40_400 * TUSD_UNIT * 68 / 100).await;
    let mut ids = ids;
    ids.push(id(&carol));
    let tbtc_cash = w.market_cash(tbtc).await;
    w.borrow(&alice, tbtc, tbtc_cash).await;
    assert_eq!(w.market_cash(tbtc).await, 0, "TBTC's cash is all lent out");
    let mut keeper_process = start_keeper(&work, "keeper.toml", "keeper-4.log");
    let crash3 = w.set_price(tbtc, 33_200 * PRICE_UNIT).await;
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
