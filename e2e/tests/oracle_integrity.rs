//! The oracle findings of the December 2026 audit on a real substrate-contracts-node, on a
//! production-like feed: five reporters, quorum 3, deviation limit 10 %. Bob and Charlie
//! collude; Dave, Eve and Ferdie report the truth.
//!
//! - H-2: the colluders submit 3x first in three successive rounds; every round closes
//!   only when all five have submitted (or after its window), on the honest median: the
//!   price, its status and `ok_since_secs` never move.
//! - A round of three closes only on a submission after its window.
//! - M-1: a confirmed 15 % move ends `Suspect` without restarting `ok_since_secs`.
//! - M-2 and L-2: a decimals change, bounds without the current price and an emergency
//!   price outside the bounds are refused with their precise errors.

use carrack_e2e::oracle_feed::{self, OracleCalls};
use carrack_e2e::suite::{sleep, E2EResult};
use carrack_e2e::NodeClient;
use carrack_interfaces::{FeedStatus, OracleError, PriceData};
use carrack_oracle::feed::{FeedConfig, FeedUpdate};
use ink::primitives::AccountId;
use ink_e2e::{account_id, AccountKeyring, ContractsBackend};
use std::time::Duration;

const ASSET: AccountId = AccountId([0xEF; 32]);
const USD: u128 = 100_000_000;
const BTC: u128 = 60_000 * USD;
/// Long enough for five submissions (one block each) to land inside one window.
const WINDOW_SECS: u64 = 60;
const HEARTBEAT_SECS: u64 = 3_600;
const COLLUDERS: [usize; 2] = [0, 1];
const HONEST: [usize; 3] = [2, 3, 4];

/// The audit's production example, with a window short enough to wait out.
fn config() -> FeedConfig {
    FeedConfig {
        quorum: 3,
        heartbeat_secs: HEARTBEAT_SECS,
        round_window_secs: WINDOW_SECS,
        min_price: 1_000 * USD,
        max_price: 10_000_000 * USD,
        max_deviation_wad: 100_000_000_000_000_000, // 10 %
        decimals: 8,
    }
}

/// Alice (governance and guardian) deploys the oracle and adds the feed.
async fn deploy(client: &mut NodeClient) -> E2EResult<OracleCalls> {
    oracle_feed::deploy(client, account_id(AccountKeyring::Alice), ASSET, config()).await
}

async fn submit_all(
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

/// A first round of five at 60,000.
async fn first_round(client: &mut NodeClient, oracle: &mut OracleCalls) -> E2EResult<PriceData> {
    submit_all(client, oracle, &[0, 1, 2, 3, 4], &[BTC; 5]).await?;
    let first = read(client, oracle).await?;
    assert_eq!((first.value, first.status), (BTC, FeedStatus::Ok));
    Ok(first)
}

#[carrack_e2e::test]
async fn two_colluders_submitting_three_times_first_in_three_rounds_move_nothing(
    mut client: NodeClient,
) -> E2EResult<()> {
    let mut oracle = deploy(&mut client).await?;
    let first = first_round(&mut client, &mut oracle).await?;
    for round in 0..3 {
        // The colluders first: before the fix, {3x, 3x, honest} closed the round.
        submit_all(&mut client, &mut oracle, &COLLUDERS, &[3 * BTC; 2]).await?;
        submit_all(&mut client, &mut oracle, &HONEST[..1], &[BTC]).await?;
        let after_three = read(&mut client, &oracle).await?;
        assert_eq!(
            (after_three.value, after_three.status),
            (BTC, FeedStatus::Ok),
            "round {round}: three of five within the window close nothing"
        );
        submit_all(&mut client, &mut oracle, &HONEST[1..], &[BTC, BTC]).await?;
        let price = read(&mut client, &oracle).await?;
        assert_eq!(
            (price.value, price.status, price.ok_since_secs),
            (BTC, FeedStatus::Ok, first.ok_since_secs),
            "round {round}: the honest median"
        );
        assert!(
            price.updated_at_secs > first.updated_at_secs,
            "round {round}"
        );
        let feed = client
            .call(&ink_e2e::alice(), &oracle.feed_info(ASSET))
            .dry_run()
            .await?
            .return_value()
            .map_err(|err| format!("{err:?}"))?;
        assert_eq!(feed.candidate, None, "round {round}: nothing held");
    }
    Ok(())
}

#[carrack_e2e::test]
async fn a_round_of_three_closes_on_the_first_submission_after_its_window(
    mut client: NodeClient,
) -> E2EResult<()> {
    let mut oracle = deploy(&mut client).await?;
    first_round(&mut client, &mut oracle).await?;
    submit_all(&mut client, &mut oracle, &HONEST, &[61_000 * USD; 3]).await?;
    assert_eq!(read(&mut client, &oracle).await?.value, BTC, "window open");
    sleep(Duration::from_secs(WINDOW_SECS + 1)).await;
    // A colluder's late 3x closes the round and counts: median of {61k, 61k, 61k, 180k}.
    submit_all(&mut client, &mut oracle, &COLLUDERS[..1], &[3 * BTC]).await?;
    let closed = read(&mut client, &oracle).await?;
    assert_eq!(
        (closed.value, closed.status),
        (61_000 * USD, FeedStatus::Ok)
    );
    Ok(())
}

#[carrack_e2e::test]
async fn a_confirmed_fifteen_percent_move_starts_no_liquidation_blackout(
    mut client: NodeClient,
) -> E2EResult<()> {
    let mut oracle = deploy(&mut client).await?;
    let first = first_round(&mut client, &mut oracle).await?;
    let moved = 69_000 * USD;
    submit_all(&mut client, &mut oracle, &[0, 1, 2, 3, 4], &[moved; 5]).await?;
    let held = read(&mut client, &oracle).await?;
    assert_eq!((held.value, held.status), (BTC, FeedStatus::Suspect));
    submit_all(&mut client, &mut oracle, &[4, 3, 2, 1, 0], &[moved; 5]).await?;
    let confirmed = read(&mut client, &oracle).await?;
    assert_eq!(
        (confirmed.value, confirmed.status, confirmed.ok_since_secs),
        (moved, FeedStatus::Ok, first.ok_since_secs),
        "Ok since the first round: the pool's grace period does not start"
    );
    Ok(())
}

#[carrack_e2e::test]
async fn decimals_changes_bounds_without_the_price_and_wild_emergency_prices_are_refused(
    mut client: NodeClient,
) -> E2EResult<()> {
    let mut oracle = deploy(&mut client).await?;
    first_round(&mut client, &mut oracle).await?;
    let alice = ink_e2e::alice();
    let decimals = FeedConfig {
        decimals: 18,
        ..config()
    };
    let refused = client
        .call(
            &alice,
            &oracle.update_feed(ASSET, FeedUpdate::Config(decimals)),
        )
        .dry_run()
        .await?;
    assert_eq!(refused.return_value(), Err(OracleError::DecimalsImmutable));
    let floor = FeedConfig {
        min_price: 70_000 * USD,
        ..config()
    };
    let refused = client
        .call(
            &alice,
            &oracle.update_feed(ASSET, FeedUpdate::Config(floor)),
        )
        .dry_run()
        .await?;
    assert_eq!(refused.return_value(), Err(OracleError::BoundsExcludePrice));
    let refused = client
        .call(
            &alice,
            &oracle.update_feed(ASSET, FeedUpdate::EmergencyPrice(999 * USD)),
        )
        .dry_run()
        .await?;
    assert_eq!(refused.return_value(), Err(OracleError::PriceOutOfBounds));
    let price = read(&mut client, &oracle).await?;
    assert_eq!((price.value, price.decimals), (BTC, 8));
    Ok(())
}
