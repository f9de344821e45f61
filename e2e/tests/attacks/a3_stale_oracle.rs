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
//!
//! **What it does not prevent.** The crash itself still costs the lenders: an honest
//! borrower whose collateral fell below his debt is a loss that no refusal removes, and
//! while the feed is `Frozen` that debt can be neither liquidated nor written off. The
//! test ends by dealing with it as the rules say: governance sets an `Emergency` price at
//! the true value (usable for liquidation at once, never for borrowing), a liquidator
//! takes all the collateral, and the debt left without collateral is written off,
//! reserves first and the rest as the market's deficit. The lenders bear that deficit:
//! their claims are never cut; reserves, later reserve income and liquidation fees pay
//! it down, and until then the first to withdraw are paid in full while cash lasts.

use carrack_core::CoreError;
use carrack_e2e::suite::*;
use carrack_interfaces::{FeedStatus, OracleError};
use carrack_oracle::feed::{FeedConfig, FeedUpdate};
use carrack_pool::error::PoolError;
use carrack_pool::events::{BadDebtWrittenOff, Liquidated};
use carrack_pool::views::{Limits, MarketView};

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
/// borrower's collateral stays locked behind his debt, he can still repay, and nobody can
/// liquidate at the unvouched price.
///
/// That leaves Bob owing 4,000 TUSD against 10 TETH worth 200 USD: a loss of about 3,800
/// TUSD that a frozen feed can only hide. Governance (Alice) lowers the floor, sets an
/// `Emergency` TETH price of 20 while the feed is still `Frozen` and unfreezes it; the
/// emergency price lends nothing but lets Eve liquidate at once (no grace period applies
/// to it). She repays 190.476191 TUSD for all 10 TETH, and the 3,809.523809 TUSD left
/// without collateral is written off: TUSD has no reserves here, so all of it becomes the
/// market's deficit. Every token is accounted for, and the loss falls on the lenders as a
/// recorded deficit: their claims stay nominal (no haircut), the cash no longer covers
/// them by exactly the deficit, and Dave, withdrawing first, gets all the cash while the
/// rest of his claim and the seed wait for reserve income and fees to pay the deficit
/// down.
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
    let floor = suite
        .oracle
        .update_feed(eth, FeedUpdate::Config(floored_feed(3_600)));
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
    let short = suite
        .oracle
        .update_feed(eth, FeedUpdate::Config(floored_feed(4)));
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
    let long = suite
        .oracle
        .update_feed(eth, FeedUpdate::Config(floored_feed(3_600)));
    send(&mut client, &alice_keys, &long)
        .await?
        .0
        .map_err(describe)?;
    assert_eq!(suite.price(&mut client, eth).await?.status, FeedStatus::Ok);
    send(
        &mut client,
        &ferdie_keys,
        &suite.oracle.update_feed(eth, FeedUpdate::Frozen(true)),
    )
    .await?
    .0
    .map_err(describe)?;
    assert_eq!(
        refused(
            &mut client,
            &ferdie_keys,
            &suite.oracle.update_feed(eth, FeedUpdate::Frozen(false))
        )
        .await?,
        Err(OracleError::NotGovernance)
    );
    let frozen = Err(PoolError::PriceNotOk(eth, FeedStatus::Frozen));
    assert_eq!(refused(&mut client, &attacker, &enable).await?, frozen);
    let borrow = suite.pool.borrow(usd, 10_000 * unit(6));
    assert_eq!(
        refused(&mut client, &attacker, &borrow).await?,
        Err(PoolError::Core(CoreError::InsufficientCollateral))
    );

    // The attacker leaves with exactly what he brought.
    suite
        .withdraw(&mut client, &attacker, eth, u128::MAX)
        .await?;
    assert_eq!(balance(&mut client, eth, charlie()).await?, 10 * unit(18));
    assert_eq!(balance(&mut client, usd, charlie()).await?, 0);
    let market = suite.market(&mut client, usd).await?;
    assert_eq!(
        market.market.state.cash,
        cash_before + 1_000 * unit(6),
        "the cash moved by the repayment only"
    );

    // The honest borrower is the loss: Bob owes 4,000 TUSD against 10 TETH worth 200 USD
    // at the true price, and while the feed is Frozen that debt can be neither
    // liquidated nor written off (audit T-5). Governance lowers the floor, sets an
    // emergency price at the true 20 USD while the feed is still Frozen (the status stays
    // Frozen: it ranks above Emergency) and then unfreezes it, so the feed goes from
    // Frozen to Emergency without ever showing the stale 2,000 as Ok.
    assert_eq!(market.total_debt, 4_000 * unit(6));
    assert_eq!(
        refused(&mut client, &eve_keys, &liquidate).await?,
        Err(PoolError::PriceNotOk(eth, FeedStatus::Frozen))
    );
    let lower = suite
        .oracle
        .update_feed(eth, FeedUpdate::Config(feed_config(3_600)));
    send(&mut client, &alice_keys, &lower)
        .await?
        .0
        .map_err(describe)?;
    let true_price = suite
        .oracle
        .update_feed(eth, FeedUpdate::EmergencyPrice(20 * DOLLAR));
    send(&mut client, &alice_keys, &true_price)
        .await?
        .0
        .map_err(describe)?;
    assert_eq!(
        suite.price(&mut client, eth).await?.status,
        FeedStatus::Frozen
    );
    send(
        &mut client,
        &alice_keys,
        &suite.oracle.update_feed(eth, FeedUpdate::Frozen(false)),
    )
    .await?
    .0
    .map_err(describe)?;
    let price = suite.price(&mut client, eth).await?;
    assert_eq!(
        (price.value, price.status),
        (20 * DOLLAR, FeedStatus::Emergency)
    );
    // The emergency price lends nothing and frees no collateral (it is never Ok)...
    let emergency = PoolError::PriceNotOk(eth, FeedStatus::Emergency);
    let more = suite.pool.borrow(usd, unit(6));
    assert_eq!(
        refused(&mut client, &borrower, &more).await?,
        Err(emergency.clone())
    );
    assert_eq!(
        refused(&mut client, &borrower, &withdraw).await?,
        Err(emergency)
    );
    // ...but a liquidation may use it at once: an Emergency price needs no grace period
    // (`require_usable_for_liquidation`; only a feed recovering to Ok waits out
    // `liquidation_grace_secs`, 0 in this suite), and no market was unpaused. Bob's health
    // at the true price: 200 * 0.8 / 4,000 = 0.04, so the whole debt may be repaid.
    assert_eq!(
        suite.account(&mut client, bob()).await?.health_factor_wad,
        4 * WAD / 100
    );

    // Eve liquidates Bob for as much as the rules allow. Everything before, to show that
    // no token appears from nowhere.
    let usd_before = suite.market(&mut client, usd).await?;
    let eth_before = suite.market(&mut client, eth).await?;
    let eve_usd = balance(&mut client, usd, eve()).await?;
    let eve_eth = balance(&mut client, eth, eve()).await?;
    let pool_usd = balance(&mut client, usd, suite.pool_id).await?;
    let pool_eth = balance(&mut client, eth, suite.pool_id).await?;
    for before in [&usd_before, &eth_before] {
        assert_eq!(assets_of(before), claims_on(before), "{before:?}");
    }
    let (value, emitted) = send(&mut client, &eve_keys, &liquidate).await?;
    value.map_err(describe)?;
    let liquidated: Liquidated = one(&suite, &emitted);
    // All 10 TETH are seized; they pay for 200 / 1.05 = 190.476190... TUSD of debt,
    // rounded up in the protocol's favour. The protocol keeps a tenth of the bonus part.
    let seized = 10 * unit(18);
    let fee = (seized - (seized * 100).div_ceil(105)).div_ceil(10);
    assert_eq!(
        (
            liquidated.repaid,
            liquidated.collateral_seized,
            liquidated.protocol_fee
        ),
        (190_476_191, seized, fee)
    );
    let repaid = liquidated.repaid;
    let to_eve = seized - fee;

    // The 3,809.523809 TUSD left without collateral is written off: reserves first,
    // the rest as the market's deficit.
    let written_off: BadDebtWrittenOff = one(&suite, &emitted);
    assert_eq!((written_off.asset, written_off.borrower), (usd, bob()));
    assert_eq!(written_off.debt, 4_000 * unit(6) - repaid);
    assert!(written_off.debt > 3_800 * unit(6));
    // TUSD earned no interest (zero rate model), so it has no reserves: the whole
    // write-off becomes deficit. Read, not assumed, for the relations below.
    let usd_reserves = usd_before.market.state.reserves;
    assert_eq!(usd_reserves, 0);
    assert_eq!(
        written_off.absorbed_by_reserves,
        written_off.debt.min(usd_reserves)
    );
    assert_eq!(
        written_off.absorbed_by_reserves + written_off.added_to_deficit,
        written_off.debt
    );
    // Bob's debt position is gone, and so is his collateral: his account is empty.
    let bob_view = suite.account(&mut client, bob()).await?;
    assert!(bob_view.positions.is_empty(), "{bob_view:?}");
    assert_eq!(bob_view.debt_value_wad, 0);

    // The TUSD market as read from the chain: the debt is gone, the reserves fell by what
    // they absorbed and the deficit grew by the rest (the fee is paid in TETH, so it
    // cannot touch the TUSD books whichever way fees are routed).
    let usd_after = suite.market(&mut client, usd).await?;
    let state = usd_after.market.state;
    assert_eq!((state.total_scaled_debt, usd_after.total_debt), (0, 0));
    assert_eq!(
        state.reserves,
        usd_reserves - written_off.absorbed_by_reserves
    );
    assert_eq!(
        state.deficit,
        usd_before.market.state.deficit + written_off.added_to_deficit
    );
    assert_eq!(
        (state.deficit - usd_before.market.state.deficit) + written_off.absorbed_by_reserves,
        written_off.debt,
        "deficit plus what reserves absorbed is the debt written off"
    );
    // No token appeared from nowhere: the TUSD cash grew by exactly what Eve paid, the
    // TETH cash fell by exactly what she received, and the protocol's fee stayed in the
    // TETH market (as reserves, or paying down a TETH deficit first: the same total).
    assert_eq!(state.cash, usd_before.market.state.cash + repaid);
    assert_eq!(
        balance(&mut client, usd, suite.pool_id).await?,
        pool_usd + repaid
    );
    assert_eq!(balance(&mut client, usd, eve()).await?, eve_usd - repaid);
    assert_eq!(balance(&mut client, eth, eve()).await?, eve_eth + to_eve);
    assert_eq!(
        balance(&mut client, eth, suite.pool_id).await?,
        pool_eth - to_eve
    );
    let eth_after = suite.market(&mut client, eth).await?;
    let teth = (eth_before.market.state, eth_after.market.state);
    assert_eq!(teth.1.cash, teth.0.cash - to_eve);
    assert_eq!(
        teth.1.reserves + (teth.0.deficit - teth.1.deficit),
        teth.0.reserves + fee
    );
    assert_eq!(eth_after.total_supply, eth_before.total_supply - seized);
    for after in [&usd_after, &eth_after] {
        assert_eq!(assets_of(after), claims_on(after), "{after:?}");
    }

    // Who bears the loss: the lenders. Their claims are never cut (no haircut index):
    // Dave still holds 20,000 TUSD and the seed 1,000, but only cash backs them now, and
    // the gap is exactly the recorded deficit. Future reserve income (and liquidation
    // fees earned in this market) pays it down; until then, whoever withdraws first is
    // paid in full while cash lasts, and the last claims are the ones left short.
    let lender_claim = suite
        .position(&mut client, dave(), usd)
        .await?
        .ok_or("the lender has no position")?
        .supply;
    assert_eq!(lender_claim, 20_000 * unit(6));
    assert_eq!(usd_after.total_supply, usd_before.total_supply);
    assert_eq!(
        usd_after.total_supply + state.reserves - state.cash,
        state.deficit,
        "the claims the cash cannot pay are the deficit"
    );
    let all = suite.pool.withdraw(usd, u128::MAX, dave());
    assert_eq!(
        refused(&mut client, &lender, &all).await?,
        Err(PoolError::Core(CoreError::InsufficientCash))
    );
    suite
        .withdraw(&mut client, &lender, usd, state.cash)
        .await?;
    let left = suite
        .position(&mut client, dave(), usd)
        .await?
        .ok_or("the lender has no claim left")?
        .supply;
    assert_eq!(left, 20_000 * unit(6) - state.cash);
    assert_eq!(
        left + 1_000 * unit(6) + state.reserves,
        state.deficit,
        "Dave's unpaid rest and the seed are the deficit"
    );
    Ok(())
}

/// What backs a market's claims: its cash, the debt owed to it and the deficit it is
/// owed by its future income. `assets_of == claims_on` holds whatever is written off
/// (audit T-6): it shows that the books balance, not that nobody lost; the loss is the
/// deficit term, which this test measures on its own.
fn assets_of(view: &MarketView) -> u128 {
    let state = &view.market.state;
    state.cash + view.total_debt + state.deficit
}

/// What is claimed on a market: the suppliers' balances and the protocol's reserves.
fn claims_on(view: &MarketView) -> u128 {
    view.total_supply + view.market.state.reserves
}

/// The single `Ev` the pool emitted among `emitted`.
fn one<Ev: ink::env::Event + ink::scale::Decode>(suite: &Suite, emitted: &Emitted) -> Ev {
    let mut events = suite.events::<Ev>(emitted);
    assert_eq!(events.len(), 1, "exactly one such event");
    events.remove(0)
}
