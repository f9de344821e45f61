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
//! **Why it fails here.** A feed's price is the median of a quorum of reporters, each
//! counted once per round, so one reporter cannot move it; and a round whose median
//! moves beyond the deviation limit only makes the feed `Suspect` (the last good price
//! stays, marked) until the next round confirms the new level. The pool refuses
//! borrows and liquidations on a price that is not `Ok`.

use carrack_core::CoreError;
use carrack_e2e::suite::*;
use carrack_e2e::NodeClient;
use carrack_interfaces::FeedStatus;
use carrack_oracle::feed::FeedConfig;
use carrack_pool::error::PoolError;
use ink::primitives::AccountId;
use ink_e2e::Keypair;

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
    for reporter in [charlie(), dave()] {
        let add = suite.oracle.add_reporter(eth, reporter);
        send(&mut client, &alice_keys, &add)
            .await?
            .0
            .map_err(describe)?;
    }
    let quorum_of_three = FeedConfig {
        quorum: 3,
        max_deviation_wad: WAD / 5,
        ..feed_config(3_600)
    };
    let configure = suite.oracle.set_feed_config(eth, quorum_of_three);
    send(&mut client, &alice_keys, &configure)
        .await?
        .0
        .map_err(describe)?;
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

/// Compound's DAI event replayed: Bob borrows 1,400 TUSD against 1 TETH (health 1.14).
/// TUSD's only source reports 1.30 for one round: at that price Bob's debt would be
/// worth 1,820 against a liquidation capacity of 1,600. The feed turns `Suspect` and
/// Charlie's liquidation is refused; the next round reports 1.00, the feed is `Ok` at 1
/// again and Bob is healthy. Bob keeps every unit.
#[carrack_e2e::test]
async fn a_one_round_spike_of_the_debt_token_liquidates_nobody(
    mut client: NodeClient,
) -> E2EResult<()> {
    let config = SuiteConfig::default().with_rate_model(zero_rate_model());
    let mut suite = Suite::deploy(&mut client, config).await?;
    let (usd, eth) = (suite.t6, suite.t18);
    let (borrower, liquidator) = (ink_e2e::bob(), ink_e2e::charlie());
    let guarded = FeedConfig {
        max_deviation_wad: WAD / 5,
        ..feed_config(3_600)
    };
    let configure = suite.oracle.set_feed_config(usd, guarded);
    send(&mut client, &ink_e2e::alice(), &configure)
        .await?
        .0
        .map_err(describe)?;
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

    // The spike: one round at 1.30 USD.
    report(
        &mut client,
        &mut suite,
        &ink_e2e::eve(),
        usd,
        130 * DOLLAR / 100,
    )
    .await?;
    let spiked = suite.price(&mut client, usd).await?;
    assert_eq!(
        (spiked.value, spiked.status),
        (DOLLAR, FeedStatus::Suspect),
        "held as a candidate, the last good price kept"
    );
    assert_eq!(
        refused(&mut client, &liquidator, &liquidate).await?,
        Err(PoolError::PriceNotOk(usd, FeedStatus::Suspect))
    );

    // The next round is back at 1.00: the spike was transient.
    report(&mut client, &mut suite, &ink_e2e::eve(), usd, DOLLAR).await?;
    let settled = suite.price(&mut client, usd).await?;
    assert_eq!((settled.value, settled.status), (DOLLAR, FeedStatus::Ok));
    assert_eq!(
        refused(&mut client, &liquidator, &liquidate).await?,
        Err(PoolError::Core(CoreError::NotLiquidatable))
    );

    let after = suite.account(&mut client, bob()).await?;
    assert_eq!(after.positions, before.positions, "Bob lost nothing");
    assert_eq!(after.health_factor_wad, before.health_factor_wad);
    assert_eq!(balance(&mut client, usd, charlie()).await?, 2_000 * unit(6));
    Ok(())
}
