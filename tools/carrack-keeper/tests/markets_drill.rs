//! The keeper on a real node with the benchmark's deployment (bench/bench.toml: eight
//! markets BT1..BT8 at $1, LTV 75 %, liquidation threshold 80 %, bonus 5 %; run by
//! `tests/drills.sh`, ignored otherwise), with `to_supply_fallback = false`:
//!
//! 1. a borrower in all eight markets (seven collaterals of 1,000 each, debt in BT1) falls
//!    below health factor 1 when BT1 rises 15 %; no single collateral covers what must be
//!    repaid, so the keeper must liquidate him across several collateral markets until he
//!    is at 1 or above, within a bounded number of blocks, with no bad debt;
//! 2. a borrower whose only collateral market has no cash (all of it borrowed): the keeper
//!    must wait, saying why in its log once per retry period, make no transaction and
//!    count no failure; once the cash is repaid it must liquidate him.

mod common;

use carrack_pool::events::Liquidated;
use common::*;
use ink::env::Event;
use ink::primitives::AccountId;
use scale::DecodeAll;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// One whole bench token (12 decimals).
const UNIT: u128 = 1_000_000_000_000;

/// The keeper's log lines that say it waits for a collateral market's cash.
fn cash_waits(work: &std::path::Path) -> usize {
    std::fs::read_to_string(work.join("keeper-markets.log"))
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("waiting: the collateral market lacks cash"))
        .count()
}

/// Liquidations in blocks `from..=to` (block, borrower), and the write-offs, after one
/// more block (a transfer by `ticker`): the node seals a block only for a transaction, and
/// a keeper waiting out a refusal counts blocks.
async fn tick_and_read(
    w: &World,
    ticker: &subxt_signer::sr25519::Keypair,
    token: AccountId,
    from: u64,
) -> (Vec<(u64, AccountId)>, usize, u64) {
    w.transfer(ticker, token, id(&key("//Eve")), 1).await;
    let (_, to) = w.chain.best_block().await.unwrap(); // allow-panic: a drill step failed
    let (liquidated, bad_debt) = w.pool_events(from, to).await;
    (liquidated, bad_debt, to)
}

#[tokio::test]
#[ignore = "needs a node: run tools/carrack-keeper/tests/drills.sh"]
async fn keeper_liquidates_across_eight_markets_and_waits_for_cash() {
    let work = PathBuf::from(env("CARRACK_DRILL_WORK"));
    let (w, deployment) = World::connect().await;
    let bt: Vec<AccountId> = (1..=8)
        .map(|i| address(&deployment, &format!("token:BT{i}")))
        .collect();
    let (alice, keeper) = (key("//Alice"), key(KEEPER));
    let (bob, charlie, dave) = (key("//Bob"), key("//Charlie"), key("//Dave"));

    // Lenders' cash in BT1 and BT2, and the keeper's funds to repay with.
    for token in [bt[0], bt[1]] {
        w.supply(&alice, token, 1_000_000 * UNIT).await;
        w.transfer(&alice, token, id(&keeper), 100_000 * UNIT).await;
    }
    // Bob: 1,000 of each of BT2..BT8 as collateral, and 74 % of their value borrowed in
    // BT1: eight markets, health factor 0.80 / 0.74 = 1.08.
    for token in &bt[1..] {
        w.transfer(&alice, *token, id(&bob), 1_000 * UNIT).await;
        w.supply(&bob, *token, 1_000 * UNIT).await;
    }
    w.borrow(&bob, bt[0], 5_180 * UNIT).await;
    let view = w.view(id(&bob)).await;
    assert_eq!(view.positions.len(), 8, "Bob is in all eight markets");
    assert!(view.health_factor_wad > WAD, "Bob starts healthy");

    std::fs::write(
        work.join("keeper-markets.toml"),
        format!(
            "url = \"{}\"\nmanifest = \"{}\"\ndatabase = \"sqlite://keeper-markets.sqlite\"\npoll_secs = 1\napi_listen = \"127.0.0.1:{}\"\nsigner = {{ suri = \"{KEEPER}\" }}\n[liquidation]\nto_supply_fallback = false\nretry_after_blocks = 3\n",
            env("CARRACK_DRILL_URL"),
            env("CARRACK_DRILL_MANIFEST"),
            env("CARRACK_DRILL_API_PORT")
        ),
    )
    .unwrap(); // allow-panic: drill set-up
    let mut keeper_process = start_keeper(&work, "keeper-markets.toml", "keeper-markets.log");
    tokio::time::sleep(Duration::from_secs(5)).await;

    // 1. BT1 +15 %: Bob's debt is worth 5,957 against 5,600 of liquidation capacity (0.94).
    // Each liquidation of 1,000 collateral repays at most about 828 BT1; he needs about
    // 2,230 of value repaid to be back at 1, so at least three collateral markets.
    let raised = w.set_price(bt[0], 115 * PRICE_UNIT / 100).await;
    assert!(
        w.view(id(&bob)).await.health_factor_wad < WAD,
        "BT1 +15 % puts Bob below 1"
    );
    let started = Instant::now();
    let (liquidated, bad_debt) = loop {
        let (liquidated, bad_debt, _) = tick_and_read(&w, &alice, bt[7], raised).await;
        if !liquidated.is_empty() && w.view(id(&bob)).await.health_factor_wad >= WAD {
            break (liquidated, bad_debt);
        }
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "the keeper did not bring Bob back to 1 within 3 minutes: {liquidated:?}"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    let last = liquidated.iter().map(|(b, _)| *b).max().unwrap_or(raised);
    // The collateral markets the liquidations seized from, from the chain's own events.
    let mut collaterals: Vec<AccountId> = Vec::new();
    for (_, e) in w.pool_events_in(raised, last).await {
        if e.topics.first().copied() == Liquidated::SIGNATURE_TOPIC {
            let l = Liquidated::decode_all(&mut e.data.as_slice());
            collaterals.push(l.unwrap().collateral_asset); // allow-panic: a drill step failed
        }
    }
    collaterals.sort();
    collaterals.dedup();
    println!(
        "eight markets: {} liquidations of Bob over {} collateral markets, the last {} blocks after the rise",
        liquidated.len(),
        collaterals.len(),
        last - raised
    );
    assert!(
        last - raised <= MAX_BLOCKS_TO_LIQUIDATE,
        "{} blocks",
        last - raised
    );
    assert!(
        liquidated.iter().all(|(_, b)| *b == id(&bob)),
        "{liquidated:?}"
    );
    assert!(collaterals.len() >= 3, "liquidated over {collaterals:?}");
    assert_eq!(bad_debt, 0, "the collateral covered the debt: no bad debt");

    // 2. Charlie: 1,000 BT3 as collateral, 740 BT2 borrowed; Dave then borrows all of BT3's
    // cash against his BT4. BT2 +25 % puts Charlie at 800 / 925 = 0.86, but his collateral
    // cannot be paid out and the keeper may not take it as supply: it must wait.
    w.transfer(&alice, bt[2], id(&charlie), 1_000 * UNIT).await;
    w.supply(&charlie, bt[2], 1_000 * UNIT).await;
    w.borrow(&charlie, bt[1], 740 * UNIT).await;
    w.transfer(&alice, bt[3], id(&dave), 100_000 * UNIT).await;
    w.supply(&dave, bt[3], 100_000 * UNIT).await;
    let bt3_cash = w.market_cash(bt[2]).await;
    w.borrow(&dave, bt[2], bt3_cash).await;
    assert_eq!(w.market_cash(bt[2]).await, 0, "BT3's cash is all lent out");
    let waits_before = cash_waits(&work);
    let raised = w.set_price(bt[1], 125 * PRICE_UNIT / 100).await;
    assert!(
        w.view(id(&charlie)).await.health_factor_wad < WAD,
        "BT2 +25 % puts Charlie below 1"
    );
    let mut blocks_waited = 0;
    while blocks_waited < 15 {
        let (liquidated, _, to) = tick_and_read(&w, &alice, bt[7], raised).await;
        assert!(
            liquidated.is_empty(),
            "nothing can be liquidated while BT3 has no cash: {liquidated:?}"
        );
        blocks_waited = to - raised;
        tokio::time::sleep(Duration::from_millis(1_500)).await;
    }
    let waits = cash_waits(&work) - waits_before;
    let metrics = api("/metrics").await;
    println!("no cash: {waits} wait lines over {blocks_waited} blocks (retry every 3)");
    assert!(
        (1..=blocks_waited as usize / 3 + 1).contains(&waits),
        "the keeper says why it waits, once per retry period: {waits} lines in {blocks_waited} blocks"
    );
    assert!(
        metrics.contains("carrack_keeper_liquidations_failed_total 0"),
        "{metrics}"
    );
    assert!(metrics.contains("carrack_keeper_waiting 1"), "{metrics}");

    // The cash comes back (Dave repays, with a little more BT3 for the interest): the
    // keeper must now liquidate Charlie.
    w.transfer(&alice, bt[2], id(&dave), 10 * UNIT).await;
    w.repay(&dave, bt[2], u128::MAX).await;
    let repaid = w.chain.best_block().await.unwrap().1; // allow-panic: a drill step failed
    let started = Instant::now();
    loop {
        let (liquidated, bad_debt, to) = tick_and_read(&w, &alice, bt[7], repaid).await;
        if liquidated.iter().any(|(_, b)| *b == id(&charlie)) {
            let first = liquidated.iter().map(|(b, _)| *b).min().unwrap_or(to); // allow-panic: none
            println!(
                "cash back: Charlie liquidated {} blocks after the repayment",
                first - repaid
            );
            assert!(first - repaid <= MAX_BLOCKS_TO_LIQUIDATE);
            assert_eq!(bad_debt, 0);
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the keeper did not liquidate Charlie once BT3 had cash again"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    keeper_process.kill().unwrap(); // allow-panic: drill step
    keeper_process.wait().unwrap(); // allow-panic: drill step
}
