//! The oracle on a real substrate-contracts-node with five reporters and quorum 3:
//! normal rounds (closing when all five have submitted), a lying reporter, reporters
//! going offline (a round of three closes only after its window; two never make a
//! price), staleness after the heartbeat, a 60 % spike held until confirmed, unauthorised
//! submissions and freezing.

use carrack_e2e::oracle_feed::{self, OracleCalls};
use carrack_e2e::suite::{now_secs, observation_time, sleep as tokio_sleep, E2EResult};
use carrack_e2e::NodeClient;
use carrack_interfaces::{FeedStatus, OracleError, PriceData, PriceOracle};
use carrack_oracle::feed::{FeedConfig, FeedUpdate};
use ink::primitives::AccountId;
use ink_e2e::{account_id, AccountKeyring, ChainBackend, ContractsBackend};
use std::time::Duration;

const ASSET: AccountId = AccountId([0xEE; 32]);
/// Long enough that a slow machine running tests side by side never sees a feed go
/// `Stale` in the middle of a test that does not wait for it.
const HEARTBEAT_SECS: u64 = 30;
/// A round's window: short, so the tests can wait it out, and long enough for five
/// submissions (a block each) observed at one time.
const WINDOW_SECS: u64 = 10;
const ALL: [usize; 5] = [0, 1, 2, 3, 4];

fn config() -> FeedConfig {
    FeedConfig {
        quorum: 3,
        heartbeat_secs: HEARTBEAT_SECS,
        round_window_secs: WINDOW_SECS,
        min_price: 1,
        max_price: 1_000_000 * 100_000_000,
        max_deviation_wad: 200_000_000_000_000_000, // 20 % per round
        decimals: 8,
    }
}

async fn deploy(client: &mut NodeClient, guardian: AccountId) -> E2EResult<OracleCalls> {
    oracle_feed::deploy(client, guardian, ASSET, config()).await
}

async fn round(
    client: &mut NodeClient,
    oracle: &mut OracleCalls,
    who: &[usize],
    prices: &[u128],
) -> E2EResult<()> {
    oracle_feed::submit_round(client, oracle, ASSET, who, prices).await
}

async fn read(client: &mut NodeClient, oracle: &OracleCalls) -> E2EResult<PriceData> {
    oracle_feed::read(client, oracle, ASSET).await
}

fn reporters() -> [ink_e2e::Keypair; 5] {
    oracle_feed::reporters()
}

const USD: u128 = 100_000_000;

#[carrack_e2e::test]
async fn rounds_follow_the_median_and_ignore_one_liar(mut client: NodeClient) -> E2EResult<()> {
    let mut oracle = deploy(&mut client, account_id(AccountKeyring::Alice)).await?;

    // a normal round: it closes when all five have submitted
    round(
        &mut client,
        &mut oracle,
        &[0, 1, 2],
        &[2_000 * USD, 2_010 * USD, 1_990 * USD],
    )
    .await?;
    let no_price = client
        .call(&ink_e2e::alice(), &oracle.price(ASSET))
        .dry_run()
        .await?;
    assert_eq!(
        no_price.return_value(),
        Err(OracleError::NoPrice),
        "three of five inside the window close no round"
    );
    round(
        &mut client,
        &mut oracle,
        &[3, 4],
        &[2_005 * USD, 1_995 * USD],
    )
    .await?;
    let first = read(&mut client, &oracle).await?;
    assert_eq!((first.value, first.status), (2_000 * USD, FeedStatus::Ok));

    // one reporter lies wildly: the median is unaffected
    round(
        &mut client,
        &mut oracle,
        &ALL,
        &[
            2_020 * USD,
            900_000 * USD,
            2_015 * USD,
            2_025 * USD,
            2_018 * USD,
        ],
    )
    .await?;
    let second = read(&mut client, &oracle).await?;
    assert_eq!((second.value, second.status), (2_020 * USD, FeedStatus::Ok));
    assert!(second.updated_at_secs >= first.updated_at_secs);
    Ok(())
}

#[carrack_e2e::test]
async fn offline_reporters_quorum_and_staleness(mut client: NodeClient) -> E2EResult<()> {
    let mut oracle = deploy(&mut client, account_id(AccountKeyring::Alice)).await?;
    round(&mut client, &mut oracle, &ALL, &[100 * USD; 5]).await?;

    // two reporters offline: the other three make a quorum once the window has passed,
    // the third one's submission after it closing the round
    round(&mut client, &mut oracle, &[2, 3], &[105 * USD; 2]).await?;
    tokio_sleep(Duration::from_secs(WINDOW_SECS + 1)).await;
    round(&mut client, &mut oracle, &[4], &[105 * USD]).await?;
    let price = read(&mut client, &oracle).await?;
    assert_eq!((price.value, price.status), (105 * USD, FeedStatus::Ok));

    // three offline: two submissions are no quorum, even after the window; the next
    // submission expires the round instead of closing it, and nothing changes
    round(&mut client, &mut oracle, &[3, 4], &[110 * USD; 2]).await?;
    tokio_sleep(Duration::from_secs(WINDOW_SECS + 1)).await;
    round(&mut client, &mut oracle, &[3], &[110 * USD]).await?;
    assert_eq!(read(&mut client, &oracle).await?.value, 105 * USD);

    // after the heartbeat the price is Stale but still readable as the last good price
    let since_price = Duration::from_secs(now_secs().saturating_sub(price.updated_at_secs));
    tokio_sleep(Duration::from_secs(HEARTBEAT_SECS + 2).saturating_sub(since_price)).await;
    // A block must be sealed for the chain's clock to move (instant seal).
    observation_time(&mut client).await;
    let stale = read(&mut client, &oracle).await?;
    assert_eq!((stale.value, stale.status), (105 * USD, FeedStatus::Stale));

    // the reporters come back: a full round makes the feed Ok again (the first of them,
    // after the window of the round Eve's lone 110 opened, expires that round too)
    // Each report is dry-run first, as a relayer does: a relayer sizes its gas limit
    // from a dry run made before other reports land, so the dearest path (the last
    // report: it closes the round, takes the median and restarts the feed from Stale)
    // must fit within the relayer's headroom over the cheapest (a report that waits in
    // its slot): twice (`SUBMIT_GAS_HEADROOM` in tools/carrack-relayer/src/relayer.rs; 1.5 was
    // too little, a drill's report ran out of gas).
    let observed_at = observation_time(&mut client).await;
    let keys = reporters();
    let mut required = Vec::new();
    for index in ALL {
        let report = oracle.submit(ASSET, 106 * USD, observed_at);
        let dry = client.call(&keys[index], &report).dry_run().await?;
        let gas = dry.exec_result.gas_required;
        required.push((gas.ref_time(), gas.proof_size()));
        client.call(&keys[index], &report).submit().await?;
    }
    tokio_sleep(Duration::from_millis(1_100)).await;
    for (resource, of) in [
        ("ref_time", (|w: &(u64, u64)| w.0) as fn(&(u64, u64)) -> u64),
        ("proof_size", |w: &(u64, u64)| w.1),
    ] {
        let cheapest = required.iter().map(of).min().ok_or("no report")?;
        let dearest = required.iter().map(of).max().ok_or("no report")?;
        assert!(
            dearest <= 2 * cheapest,
            "{resource}: the dearest report ({dearest}) exceeds twice the cheapest ({cheapest}): {required:?}"
        );
        assert!(dearest > cheapest, "{resource}: every report cost the same");
    }
    let recovered = read(&mut client, &oracle).await?;
    assert_eq!(
        (recovered.value, recovered.status),
        (106 * USD, FeedStatus::Ok)
    );
    // Ok again since the block that completed the round, which came after the read
    // that saw the feed Stale, and not before the round's observation time.
    assert!(recovered.ok_since_secs > stale.updated_at_secs + HEARTBEAT_SECS);
    assert!(recovered.ok_since_secs >= recovered.updated_at_secs);
    Ok(())
}

#[carrack_e2e::test]
async fn a_sixty_percent_spike_is_held_until_confirmed(mut client: NodeClient) -> E2EResult<()> {
    let mut oracle = deploy(&mut client, account_id(AccountKeyring::Alice)).await?;
    round(&mut client, &mut oracle, &ALL, &[100 * USD; 5]).await?;

    // +60 %: beyond the 20 % limit, held back, feed Suspect, old price in force
    round(&mut client, &mut oracle, &ALL, &[160 * USD; 5]).await?;
    let held = read(&mut client, &oracle).await?;
    assert_eq!((held.value, held.status), (100 * USD, FeedStatus::Suspect));
    let feed = client
        .call(&ink_e2e::alice(), &oracle.feed_info(ASSET))
        .dry_run()
        .await?
        .return_value()
        .map_err(|err| format!("{err:?}"))?;
    assert_eq!(feed.candidate.map(|(price, _)| price), Some(160 * USD));

    // the next round, in which every reporter agrees with the candidate, confirms the
    // new level: accepted
    round(
        &mut client,
        &mut oracle,
        &[4, 3, 2, 1, 0],
        &[159 * USD, 161 * USD, 160 * USD, 162 * USD, 158 * USD],
    )
    .await?;
    let confirmed = read(&mut client, &oracle).await?;
    assert_eq!(
        (confirmed.value, confirmed.status),
        (160 * USD, FeedStatus::Ok)
    );
    Ok(())
}

#[carrack_e2e::test]
async fn outsiders_are_refused_and_the_guardian_only_freezes(
    mut client: NodeClient,
) -> E2EResult<()> {
    let guardian = client
        .create_and_fund_account(&ink_e2e::alice(), 1_000_000_000_000_000)
        .await;
    let outsider = client
        .create_and_fund_account(&ink_e2e::alice(), 1_000_000_000_000_000)
        .await;
    let guardian_id = AccountId::from(guardian.public_key().0);
    let mut oracle = deploy(&mut client, guardian_id).await?;
    round(&mut client, &mut oracle, &ALL, &[100 * USD; 5]).await?;

    // an unauthorised submission
    let observed_at = observation_time(&mut client).await;
    let refused = client
        .call(&outsider, &oracle.submit(ASSET, 1, observed_at))
        .dry_run()
        .await?;
    assert_eq!(refused.return_value(), Err(OracleError::NotReporter));
    // an unauthorised admin call
    let admin = client
        .call(
            &outsider,
            &oracle.update_feed(ASSET, FeedUpdate::EmergencyPrice(1)),
        )
        .dry_run()
        .await?;
    assert_eq!(admin.return_value(), Err(OracleError::NotGovernance));

    // the guardian freezes the feed: Frozen, submissions refused, last price readable
    client
        .call(
            &guardian,
            &oracle.update_feed(ASSET, FeedUpdate::Frozen(true)),
        )
        .submit()
        .await?;
    let frozen = read(&mut client, &oracle).await?;
    assert_eq!(
        (frozen.value, frozen.status),
        (100 * USD, FeedStatus::Frozen)
    );
    let submit = client
        .call(
            &reporters()[0],
            &oracle.submit(ASSET, 100 * USD, observed_at),
        )
        .dry_run()
        .await?;
    assert_eq!(submit.return_value(), Err(OracleError::FeedFrozen));

    // the guardian cannot unfreeze; governance can
    let unfreeze = client
        .call(
            &guardian,
            &oracle.update_feed(ASSET, FeedUpdate::Frozen(false)),
        )
        .dry_run()
        .await?;
    assert_eq!(unfreeze.return_value(), Err(OracleError::NotGovernance));
    client
        .call(
            &ink_e2e::alice(),
            &oracle.update_feed(ASSET, FeedUpdate::Frozen(false)),
        )
        .submit()
        .await?;
    assert_eq!(read(&mut client, &oracle).await?.status, FeedStatus::Ok);
    Ok(())
}
