//! # A4: single-source price spike
//!
//! **The attack.** The protocol's price comes from one place: one reporter, one
//! exchange. Whoever moves that place moves the protocol. A reporter (or an attacker
//! pushing a thin order book) reports a collateral token far above its value and borrows
//! against it; or reports a *debt* token far above its value for one moment, which makes
//! honest borrowers liquidatable, and liquidates them for the bonus.
//!
//! **Precedent.** Compound, 26 November 2020: DAI traded at 1.30 USD on Coinbase Pro
//! for about an hour, Compound's open price feed took Coinbase's signed price, and about
//! 89 M USD of DAI borrowers were liquidated at the spike.
//!
//! **Why it fails here.** A feed's price is the median of all the submissions of a round,
//! each reporter counted once, and a round closes only when every reporter has submitted
//! or, after its window, with at least a quorum; so fewer than half the reporters cannot
//! move it (the oracle's fault bound); and a round whose median moves beyond the
//! deviation limit only makes the feed `Suspect` (the last good price stays, marked)
//! until a later round in which a quorum of reporters agree with it confirms the level. The pool refuses
//! borrows and liquidations on a price that is not `Ok`.

use carrack_core::CoreError;
use carrack_e2e::suite::*;
use carrack_e2e::NodeClient;
use carrack_interfaces::FeedStatus;
use carrack_oracle::feed::{FeedConfig, FeedUpdate};
use carrack_pool::error::PoolError;
use ink::primitives::AccountId;
use ink_e2e::{ChainBackend, Keypair};

/// `who` reports `price` for `asset`, observed in a second later than any report before.
async fn report(
    client: &mut NodeClient,
    suite: &mut Suite,
    who: &Keypair,
    asset: AccountId,
    price: u128,
) -> E2EResult<()> {
    wait_until(client, now_secs() + 1).await;
    let observed_at = observation_time(client).await;
    let message = suite.oracle.submit(asset, price, observed_at);
    // The dry run names a refusal; the real call would only say "reverted".
    dry(client, who, &message).await?.map_err(describe)?;
    send(client, who, &message).await?.0.map_err(describe)
}

/// Eve, one of three reporters of TETH (quorum 3), reports 20,000 USD while the honest
/// two report 2,000 and 2,010. She holds 1 TETH as collateral and tries to borrow 10,000
/// USD of a lender's money: the median is 2,010 and she can borrow no more than 75 % of
/// that.
#[carrack_e2e::test]
async fn one_lying_reporter_cannot_lift_its_collateral(mut client: NodeClient) -> E2EResult<()> {
    let config = SuiteConfig::default().with_rate_model(zero_rate_model());
    let mut suite = Suite::deploy(&mut client, config).await?;
    let (usd, eth) = (suite.t6, suite.t18);
    let (alice_keys, attacker) = (ink_e2e::alice(), ink_e2e::eve());
    // TETH's feed gets three reporters with quorum 3 (f = 1). A feed of one reporter
    // cannot grow to three one reporter at a time (n = 3 needs an odd quorum of at
    // least 2, which two reporters cannot have), so governance replaces the feed; its
    // first round of three sets the price again.
    let remove = suite.oracle.update_feed(eth, FeedUpdate::Remove);
    send(&mut client, &alice_keys, &remove)
        .await?
        .0
        .map_err(describe)?;
    let quorum_of_three = FeedConfig {
        quorum: 3,
        max_deviation_wad: WAD / 5,
        ..feed_config(3_600)
    };
    let add = suite
        .oracle
        .add_feed(eth, quorum_of_three, vec![eve(), charlie(), dave()]);
    send(&mut client, &alice_keys, &add)
        .await?
        .0
        .map_err(describe)?;
    for reporter in [ink_e2e::eve(), ink_e2e::charlie(), ink_e2e::dave()] {
        report(&mut client, &mut suite, &reporter, eth, 2_000 * DOLLAR).await?;
    }
    suite
        .fund_and_supply(&mut client, &ink_e2e::bob(), usd, 20_000 * unit(6))
        .await?;
    suite
        .fund_and_supply(&mut client, &attacker, eth, unit(18))
        .await?;

    report(&mut client, &mut suite, &attacker, eth, 20_000 * DOLLAR).await?;
    let pending = suite.price(&mut client, eth).await?;
    assert_eq!(
        (pending.value, pending.status),
        (2_000 * DOLLAR, FeedStatus::Ok),
        "one report is no round"
    );
    // Her second report in the same round replaces her first: still one voice.
    report(&mut client, &mut suite, &attacker, eth, 30_000 * DOLLAR).await?;
    report(
        &mut client,
        &mut suite,
        &ink_e2e::charlie(),
        eth,
        2_000 * DOLLAR,
    )
    .await?;
    assert_eq!(suite.price(&mut client, eth).await?.value, 2_000 * DOLLAR);
    report(
        &mut client,
        &mut suite,
        &ink_e2e::dave(),
        eth,
        2_010 * DOLLAR,
    )
    .await?;
    let price = suite.price(&mut client, eth).await?;
    assert_eq!(
        (price.value, price.status),
        (2_010 * DOLLAR, FeedStatus::Ok),
        "the median of 30,000, 2,000 and 2,010"
    );

    // 75 % of 2,010 USD: 1,507.5 USD, less one unit kept back for rounding.
    let limits = dry(&mut client, &attacker, &suite.pool.limits(eve(), usd))
        .await?
        .map_err(describe)?;
    assert_eq!(limits.max_borrow, 1_507_499_999);
    let greedy = suite.pool.borrow(usd, 10_000 * unit(6));
    assert_eq!(
        refused(&mut client, &attacker, &greedy).await?,
        Err(PoolError::Core(CoreError::InsufficientCollateral))
    );
    let just_over = suite.pool.borrow(usd, 1_507_500_001);
    assert_eq!(
        refused(&mut client, &attacker, &just_over).await?,
        Err(PoolError::Core(CoreError::InsufficientCollateral))
    );
    assert_eq!(balance(&mut client, usd, eve()).await?, 0);
    let lender = suite
        .position(&mut client, bob(), usd)
        .await?
        .ok_or("the lender has no position")?;
    assert_eq!(lender.supply, 20_000 * unit(6));
    Ok(())
}

/// One round of the feed: every reporter of `reporters` submits its price of `asset`,
/// in that order, all observed at one freshly sealed time a second after the last round.
async fn round(
    client: &mut NodeClient,
    suite: &mut Suite,
    asset: AccountId,
    reporters: &[(&Keypair, u128)],
) -> E2EResult<()> {
    wait_until(client, now_secs() + 1).await;
    let observed_at = observation_time(client).await;
    for (who, price) in reporters {
        let message = suite.oracle.submit(asset, *price, observed_at);
        send(client, who, &message).await?.0.map_err(describe)?;
    }
    Ok(())
}

/// Compound's DAI event replayed on a production-like feed: TUSD has five reporters,
/// quorum 3, deviation limit 10 %. Two of them read the exchange that prints 1.30 and
/// report it for twelve rounds in a row (an hour at a five-minute cadence, as long as the
/// real print lasted), each round submitting **first**, so that before the fix
/// (a round closed on the first quorum of submissions) {1.30, 1.30, 1.00} made 1.30 the
/// median, held it, and the next round confirmed it. Bob borrowed 1,400 TUSD against 1
/// TETH (health 1.14): at 1.30 his debt would be worth 1,820 against a liquidation
/// capacity of 1,600. Here every round closes on all five, the median stays 1.00, the
/// feed stays `Ok` without a candidate, and Charlie's liquidation is refused in every
/// round as `NotLiquidatable`. Bob keeps every unit.
#[carrack_e2e::test]
async fn an_hour_of_a_spiking_source_on_two_of_five_reporters_liquidates_nobody(
    mut client: NodeClient,
) -> E2EResult<()> {
    let config = SuiteConfig::default().with_rate_model(zero_rate_model());
    let mut suite = Suite::deploy(&mut client, config).await?;
    let (usd, eth) = (suite.t6, suite.t18);
    let (borrower, liquidator, alice_keys) = (ink_e2e::bob(), ink_e2e::charlie(), ink_e2e::alice());

    // The production-like feed: two reporters on the spiking exchange, three elsewhere.
    let spiking: [Keypair; 2] = [
        client
            .create_and_fund_account(&alice_keys, 1_000_000_000_000_000)
            .await,
        client
            .create_and_fund_account(&alice_keys, 1_000_000_000_000_000)
            .await,
    ];
    let honest = [ink_e2e::dave(), ink_e2e::eve(), ink_e2e::ferdie()];
    let accounts: Vec<AccountId> = spiking
        .iter()
        .map(|keys| AccountId::from(keys.public_key().0))
        .chain([dave(), eve(), ferdie()])
        .collect();
    let production_like = FeedConfig {
        quorum: 3,
        max_deviation_wad: WAD / 10,
        ..feed_config(3_600)
    };
    let remove = suite.oracle.update_feed(usd, FeedUpdate::Remove);
    send(&mut client, &alice_keys, &remove)
        .await?
        .0
        .map_err(describe)?;
    let add = suite.oracle.add_feed(usd, production_like, accounts);
    send(&mut client, &alice_keys, &add)
        .await?
        .0
        .map_err(describe)?;
    let everyone_at_one: Vec<(&Keypair, u128)> = spiking
        .iter()
        .chain(&honest)
        .map(|keys| (keys, DOLLAR))
        .collect();
    round(&mut client, &mut suite, usd, &everyone_at_one).await?;
    let first = suite.price(&mut client, usd).await?;
    assert_eq!((first.value, first.status), (DOLLAR, FeedStatus::Ok));

    suite
        .fund_and_supply(&mut client, &ink_e2e::dave(), usd, 20_000 * unit(6))
        .await?;
    suite
        .fund_and_supply(&mut client, &borrower, eth, unit(18))
        .await?;
    suite
        .borrow(&mut client, &borrower, usd, 1_400 * unit(6))
        .await?;
    suite
        .fund(&mut client, usd, charlie(), 2_000 * unit(6))
        .await?;
    approve(
        &mut client,
        &liquidator,
        usd,
        suite.pool_id,
        2_000 * unit(6),
    )
    .await?;
    let before = suite.account(&mut client, bob()).await?;
    let liquidate = suite.pool.liquidate(bob(), usd, eth, u128::MAX, 0);

    let spike = 130 * DOLLAR / 100;
    let spike_first: Vec<(&Keypair, u128)> = spiking
        .iter()
        .map(|keys| (keys, spike))
        .chain(honest.iter().map(|keys| (keys, DOLLAR)))
        .collect();
    for minute in (0..60).step_by(5) {
        round(&mut client, &mut suite, usd, &spike_first).await?;
        let price = suite.price(&mut client, usd).await?;
        assert_eq!(
            (price.value, price.status, price.ok_since_secs),
            (DOLLAR, FeedStatus::Ok, first.ok_since_secs),
            "minute {minute}: the honest median, no candidate held"
        );
        assert!(
            price.updated_at_secs > first.updated_at_secs,
            "minute {minute}"
        );
        assert_eq!(
            refused(&mut client, &liquidator, &liquidate).await?,
            Err(PoolError::Core(CoreError::NotLiquidatable)),
            "minute {minute}"
        );
    }

    let after = suite.account(&mut client, bob()).await?;
    assert_eq!(after.positions, before.positions, "Bob lost nothing");
    assert_eq!(after.health_factor_wad, before.health_factor_wad);
    assert_eq!(balance(&mut client, usd, charlie()).await?, 2_000 * unit(6));
    Ok(())
}
