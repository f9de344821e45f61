//! # A3: stale oracle / circuit-breaker clamp
//!
//! **The attack.** A collateral token crashes faster than its feed follows. Either the
//! feed stops updating (reporters down, or refusing a price outside their bounds) and the
//! protocol keeps lending against the last price, or the feed *clamps* the price to a
//! floor and the protocol lends against the floor. The attacker buys the crashed token
//! on the market, deposits it at the stale or clamped value and borrows everything of
//! value the pool holds; the loan is never repaid, the lenders keep the worthless token.
//!
//! **Precedent.** LUNA, May 2022: Chainlink's LUNA/USD feed stopped at its minimum
//! answer, about 0.107 USD, while LUNA traded near 0.01; Venus (BNB Chain) lost about
//! 11.2 M USD and Blizz (Avalanche) about 8.3 M USD to deposits valued at the floor.
//!
//! **Why it fails here.** A report outside a feed's bounds is refused
//! (`PriceOutOfBounds`), never clamped into them; a feed nobody updates within its
//! heartbeat turns `Stale`; the guardian can freeze a feed at once; and the pool refuses
//! every action that relies on a price that is not `Ok` (borrow, withdrawing collateral
//! that backs a debt, liquidation) while repaying, supplying and withdrawing free supply
//! keep working. The window that remains is the heartbeat itself: until it passes the
//! last price is `Ok` unless the guardian freezes it (`THREAT_MODEL.md`, known limits).

use carrack_core::CoreError;
use carrack_e2e::suite::*;
use carrack_interfaces::{FeedStatus, OracleError};
use carrack_oracle::feed::FeedConfig;
use carrack_pool::error::PoolError;
use carrack_pool::views::Limits;

/// The TETH feed with a floor of 1,000 USD, as a circuit breaker would set it.
fn floored_feed(heartbeat_secs: u64) -> FeedConfig {
    FeedConfig {
        min_price: 1_000 * DOLLAR,
        ..feed_config(heartbeat_secs)
    }
}

/// TETH (2,000 USD) crashes to 20 USD. Eve's report of 20 is refused, not clamped to the
/// floor; once the heartbeat passes the feed is `Stale` and the attacker (Charlie) can
/// borrow nothing against TETH bought at the crash; when governance restores a long
/// heartbeat the guardian freezes the feed and he still borrows nothing. An honest
/// borrower's collateral stays locked behind his debt, he can still repay, nobody can
/// liquidate at the unvouched price, and the lenders' claims are untouched.
#[carrack_e2e::test]
async fn a_stale_clamped_or_frozen_price_lends_nothing(mut client: NodeClient) -> E2EResult<()> {
    let config = SuiteConfig::default().with_rate_model(zero_rate_model());
    let mut suite = Suite::deploy(&mut client, config).await?;
    let (usd, eth) = (suite.t6, suite.t18);
    let (attacker, borrower, lender) = (ink_e2e::charlie(), ink_e2e::bob(), ink_e2e::dave());
    let (alice_keys, eve_keys, ferdie_keys) = (ink_e2e::alice(), ink_e2e::eve(), ink_e2e::ferdie());

    suite
        .fund_and_supply(&mut client, &lender, usd, 20_000 * unit(6))
        .await?;
    suite
        .fund_and_supply(&mut client, &borrower, eth, 10 * unit(18))
        .await?;
    suite
        .borrow(&mut client, &borrower, usd, 5_000 * unit(6))
        .await?;
    suite
        .fund(&mut client, eth, charlie(), 10 * unit(18))
        .await?;
    let cash_before = suite.market(&mut client, usd).await?.market.state.cash;

    // The circuit breaker: a floor of 1,000 USD. The crash to 20 is refused, not clamped.
    let floor = suite.oracle.set_feed_config(eth, floored_feed(3_600));
    send(&mut client, &alice_keys, &floor)
        .await?
        .0
        .map_err(describe)?;
    let crash = suite
        .oracle
        .submit(eth, 20 * DOLLAR, observation_time(&mut client).await);
    assert_eq!(
        refused(&mut client, &eve_keys, &crash).await?,
        Err(OracleError::PriceOutOfBounds)
    );
    let price = suite.price(&mut client, eth).await?;
    assert_eq!(
        (price.value, price.status),
        (2_000 * DOLLAR, FeedStatus::Ok),
        "the last good price, not the floor"
    );

    // Nobody can report inside the bounds any more; after the heartbeat the feed is Stale.
    let short = suite.oracle.set_feed_config(eth, floored_feed(4));
    send(&mut client, &alice_keys, &short)
        .await?
        .0
        .map_err(describe)?;
    wait_until(&mut client, now_secs() + 5).await;
    let stale = PoolError::PriceNotOk(eth, FeedStatus::Stale);
    assert_eq!(
        suite.price(&mut client, eth).await?.status,
        FeedStatus::Stale
    );

    // The attacker deposits TETH bought at the crash: accepted, but it does not become
    // collateral at a price that is not Ok (audit H-3), cannot be made collateral, and
    // lends him nothing.
    suite
        .supply(&mut client, &attacker, eth, 10 * unit(18))
        .await?;
    let enable = suite.pool.enable_collateral(eth);
    assert_eq!(
        refused(&mut client, &attacker, &enable).await?,
        Err(stale.clone())
    );
    for amount in [10_000 * unit(6), unit(6)] {
        let borrow = suite.pool.borrow(usd, amount);
        assert_eq!(
            refused(&mut client, &attacker, &borrow).await?,
            Err(PoolError::Core(CoreError::InsufficientCollateral))
        );
    }
    let limits = dry(&mut client, &attacker, &suite.pool.limits(charlie(), usd)).await?;
    assert_eq!(
        limits.map_err(describe)?,
        Limits {
            max_withdraw: 0,
            max_borrow: 0
        },
        "the view promises nothing while the price is Stale"
    );

    // The honest borrower: collateral locked behind the debt, repaying still works.
    let withdraw = suite.pool.withdraw(eth, unit(18), bob());
    assert_eq!(
        refused(&mut client, &borrower, &withdraw).await?,
        Err(stale.clone())
    );
    suite
        .repay(
            &mut client,
            &borrower,
            usd,
            1_000 * unit(6),
            1_000 * unit(6),
        )
        .await?;
    // Nobody liquidates at a price nobody vouches for.
    suite.fund(&mut client, usd, eve(), 4_000 * unit(6)).await?;
    approve(&mut client, &eve_keys, usd, suite.pool_id, 4_000 * unit(6)).await?;
    let liquidate = suite.pool.liquidate(bob(), usd, eth, u128::MAX, 0);
    assert_eq!(
        refused(&mut client, &eve_keys, &liquidate).await?,
        Err(stale)
    );

    // Governance restores the long heartbeat: the last price is Ok again (the window the
    // guardian exists for). The guardian freezes the feed at once; it cannot unfreeze.
    let long = suite.oracle.set_feed_config(eth, floored_feed(3_600));
    send(&mut client, &alice_keys, &long)
        .await?
        .0
        .map_err(describe)?;
    assert_eq!(suite.price(&mut client, eth).await?.status, FeedStatus::Ok);
    send(&mut client, &ferdie_keys, &suite.oracle.freeze(eth))
        .await?
        .0
        .map_err(describe)?;
    assert_eq!(
        refused(&mut client, &ferdie_keys, &suite.oracle.unfreeze(eth)).await?,
        Err(OracleError::NotGovernance)
    );
    let frozen = Err(PoolError::PriceNotOk(eth, FeedStatus::Frozen));
    assert_eq!(refused(&mut client, &attacker, &enable).await?, frozen);
    let borrow = suite.pool.borrow(usd, 10_000 * unit(6));
    assert_eq!(
        refused(&mut client, &attacker, &borrow).await?,
        Err(PoolError::Core(CoreError::InsufficientCollateral))
    );

    // The attacker leaves with exactly what he brought; the lenders lost nothing.
    suite
        .withdraw(&mut client, &attacker, eth, u128::MAX)
        .await?;
    assert_eq!(balance(&mut client, eth, charlie()).await?, 10 * unit(18));
    assert_eq!(balance(&mut client, usd, charlie()).await?, 0);
    let lender_claim = suite
        .position(&mut client, dave(), usd)
        .await?
        .ok_or("the lender has no position")?
        .supply;
    assert_eq!(lender_claim, 20_000 * unit(6));
    let market = suite.market(&mut client, usd).await?;
    assert_eq!(
        market.market.state.cash,
        cash_before + 1_000 * unit(6),
        "the cash moved by the repayment only"
    );
    assert_eq!(market.total_debt, 4_000 * unit(6));
    Ok(())
}
