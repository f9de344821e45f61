//! The pool's fixes for the December 2026 audit (issue 26) on a real
//! substrate-contracts-node, with the suite of [`Suite`]: H-3 (the audit's Mallory
//! scenario: dust collateral in a frozen feed no longer stops a liquidation), L-2 (an
//! emergency price lets liquidations resume but opens no borrowing), M-3 (a gift ahead
//! of the owner's first supply does not stop it becoming collateral), M-4 (a liquidator
//! takes the collateral as supply when its market's cash is borrowed away) and I-6
//! (nothing is withdrawn to the pool's own address).
//!
//! Liquidations are checked to the unit with a zero rate model, so block times cannot
//! move a balance; every figure is derived by hand in the comments.

use carrack_core::CoreError;
use carrack_e2e::suite::*;
use carrack_e2e::NodeClient;
use carrack_interfaces::FeedStatus;
use carrack_oracle::feed::FeedUpdate;
use carrack_pool::account::Collateral;
use carrack_pool::error::PoolError;
use carrack_pool::events::{BadDebtWrittenOff, CollateralChanged, Liquidated, SeizedAsSupply};

const fn usd(whole: u128) -> u128 {
    whole * unit(6)
}

const fn eth(whole: u128) -> u128 {
    whole * unit(18)
}

/// The single `Ev` the pool emitted among `emitted`.
fn one<Ev: ink::env::Event + ink::scale::Decode>(suite: &Suite, emitted: &Emitted) -> Ev {
    let mut events = suite.events::<Ev>(emitted);
    assert_eq!(events.len(), 1, "exactly one event of the kind expected");
    events.remove(0)
}

/// The audit's H-3 set-up, interest free: TETH (18 decimals) with the devnet's risk
/// parameters (LTV 80 %, LT 85 %, bonus 7.5 %, 10 % of it to the protocol) at 3,000 USD;
/// Dave lends 300,000 TUSD; Mallory (Charlie) supplies 100 TETH and 1 unit of the
/// 12-decimal token (the audit's "1 sat of TBTC"), both as collateral by her own supply,
/// and borrows 240,000 TUSD (health factor 100 * 3,000 * 0.85 / 240,000 = 1.0625).
async fn mallory_suite(client: &mut NodeClient) -> E2EResult<Suite> {
    let mut config = SuiteConfig::default().with_rate_model(zero_rate_model());
    config.prices[2] = 3_000 * DOLLAR;
    let teth = &mut config.markets[2].config;
    teth.ltv_wad = 80 * WAD / 100;
    teth.liquidation_threshold_wad = 85 * WAD / 100;
    teth.liquidation_bonus_wad = 1_075 * WAD / 1_000;
    let mut suite = Suite::deploy(client, config).await?;
    let (tusd, dust, teth) = (suite.t6, suite.t12, suite.t18);
    let mallory = ink_e2e::charlie();
    suite
        .fund_and_supply(client, &ink_e2e::dave(), tusd, usd(300_000))
        .await?;
    suite
        .fund_and_supply(client, &mallory, teth, eth(100))
        .await?;
    let emitted = suite.fund_and_supply(client, &mallory, dust, 1).await?;
    let switched: CollateralChanged = one(&suite, &emitted);
    assert_eq!((switched.asset, switched.enabled), (dust, true));
    suite.borrow(client, &mallory, tusd, usd(240_000)).await?;
    Ok(suite)
}

/// Mallory's unit of dust sits in a feed the guardian froze; TETH falls to 2,800 (health
/// factor 100 * 2,800 * 0.85 / 240,000 = 0.9917). Before the fix every liquidation was
/// refused with `PriceNotOk(dust, Frozen)` until governance unfroze the feed, while TETH
/// kept falling into bad debt. Now Bob repays half the debt for TETH at once: 120,000
/// TUSD for 120,000 * 1.075 / 2,800 = 46.071428571428571428 TETH, and no debt is left
/// without collateral.
#[carrack_e2e::test]
async fn dust_in_a_frozen_feed_does_not_stop_mallorys_liquidation(
    mut client: NodeClient,
) -> E2EResult<()> {
    let mut suite = mallory_suite(&mut client).await?;
    let (tusd, dust, teth) = (suite.t6, suite.t12, suite.t18);
    let (liquidator, guardian) = (ink_e2e::bob(), ink_e2e::ferdie());

    send(
        &mut client,
        &guardian,
        &suite.oracle.update_feed(dust, FeedUpdate::Frozen(true)),
    )
    .await?
    .0
    .map_err(describe)?;
    assert_eq!(
        suite.price(&mut client, dust).await?.status,
        FeedStatus::Frozen
    );
    suite.set_price(&mut client, teth, 2_800 * DOLLAR).await?;

    suite.fund(&mut client, tusd, bob(), usd(120_000)).await?;
    approve(&mut client, &liquidator, tusd, suite.pool_id, usd(120_000)).await?;
    let liquidate = suite.pool.liquidate(charlie(), tusd, teth, u128::MAX, 0);
    let (value, emitted) = send(&mut client, &liquidator, &liquidate).await?;
    let liquidated: Liquidated = one(&suite, &emitted);
    assert_eq!(
        liquidated.repaid,
        usd(120_000),
        "half the debt (HF above 0.95)"
    );
    assert_eq!(liquidated.collateral_seized, 46_071_428_571_428_571_428);
    assert_eq!(
        value,
        Ok((
            usd(120_000),
            liquidated.collateral_seized - liquidated.protocol_fee
        ))
    );
    assert!(suite.events::<BadDebtWrittenOff>(&emitted).is_empty());
    assert_eq!(
        suite.market(&mut client, tusd).await?.market.state.deficit,
        0
    );

    // Mallory owes 120,000 against 53.93 TETH (health factor 1.07) and keeps her dust.
    let view = suite.account(&mut client, charlie()).await?;
    assert!(view.health_factor_wad > WAD);
    let dust_position = suite.position(&mut client, charlie(), dust).await?;
    assert_eq!(
        dust_position.map(|p| (p.supply, p.position.collateral)),
        Some((1, Collateral::On))
    );
    Ok(())
}

/// Governance sets an emergency TETH price (the feed is `Emergency`): liquidations go
/// ahead at it, while borrowing against it stays refused.
#[carrack_e2e::test]
async fn an_emergency_price_lets_liquidations_resume_but_lends_nothing(
    mut client: NodeClient,
) -> E2EResult<()> {
    let mut suite = mallory_suite(&mut client).await?;
    let (tusd, teth) = (suite.t6, suite.t18);
    let (mallory, liquidator, governance) = (ink_e2e::charlie(), ink_e2e::bob(), ink_e2e::alice());

    let emergency = suite
        .oracle
        .update_feed(teth, FeedUpdate::EmergencyPrice(2_800 * DOLLAR));
    send(&mut client, &governance, &emergency)
        .await?
        .0
        .map_err(describe)?;
    assert_eq!(
        suite.price(&mut client, teth).await?.status,
        FeedStatus::Emergency
    );
    let borrow = suite.pool.borrow(tusd, usd(1));
    assert_eq!(
        refused(&mut client, &mallory, &borrow).await?,
        Err(PoolError::PriceNotOk(teth, FeedStatus::Emergency))
    );

    suite.fund(&mut client, tusd, bob(), usd(120_000)).await?;
    approve(&mut client, &liquidator, tusd, suite.pool_id, usd(120_000)).await?;
    let liquidate = suite.pool.liquidate(charlie(), tusd, teth, u128::MAX, 0);
    let (value, emitted) = send(&mut client, &liquidator, &liquidate).await?;
    assert!(value.is_ok(), "{value:?}");
    let liquidated: Liquidated = one(&suite, &emitted);
    assert_eq!(liquidated.repaid, usd(120_000));
    Ok(())
}

/// Dave (5,000,000 TUSD of collateral) borrows all 1,100 TETH of the market's cash, so
/// paying a liquidator in TETH is impossible (audit M-4). TETH falls to 2,800: Mallory's
/// liquidation paid in tokens is refused for cash, but Bob takes it as supply: he repays
/// 120,000 TUSD and is credited 46.071428571428571428 TETH less the protocol's 10 % of
/// the bonus part (0.321428571428571429), i.e. 45.749999999999999999 TETH, with no TETH
/// leaving the pool.
#[carrack_e2e::test]
async fn a_drained_collateral_market_still_lets_a_liquidator_take_supply(
    mut client: NodeClient,
) -> E2EResult<()> {
    let mut suite = mallory_suite(&mut client).await?;
    let (tusd, teth) = (suite.t6, suite.t18);
    let (drainer, liquidator) = (ink_e2e::dave(), ink_e2e::bob());
    suite
        .fund_and_supply(&mut client, &drainer, tusd, usd(5_000_000))
        .await?;
    let cash = suite.market(&mut client, teth).await?.market.state.cash;
    assert_eq!(cash, eth(1_100), "the seed and Mallory's 100 TETH");
    suite.borrow(&mut client, &drainer, teth, cash).await?;
    suite.set_price(&mut client, teth, 2_800 * DOLLAR).await?;

    suite.fund(&mut client, tusd, bob(), usd(120_000)).await?;
    approve(&mut client, &liquidator, tusd, suite.pool_id, usd(120_000)).await?;
    let in_tokens = suite.pool.liquidate(charlie(), tusd, teth, u128::MAX, 0);
    assert_eq!(
        refused(&mut client, &liquidator, &in_tokens).await?,
        Err(PoolError::Core(CoreError::InsufficientCash))
    );
    let to_supply = suite
        .pool
        .liquidate_to_supply(charlie(), tusd, teth, u128::MAX, 0);
    let (value, emitted) = send(&mut client, &liquidator, &to_supply).await?;
    let credited = 45_749_999_999_999_999_999;
    assert_eq!(value, Ok((usd(120_000), credited)));
    let liquidated: Liquidated = one(&suite, &emitted);
    assert_eq!(liquidated.collateral_seized, 46_071_428_571_428_571_428);
    let seized: SeizedAsSupply = one(&suite, &emitted);
    assert_eq!((seized.liquidator, seized.amount), (bob(), credited));
    assert_eq!(balance(&mut client, teth, bob()).await?, 0);
    assert_eq!(suite.market(&mut client, teth).await?.market.state.cash, 0);
    let position = suite.position(&mut client, bob(), teth).await?;
    assert_eq!(
        position.map(|p| (p.supply, p.position.collateral)),
        Some((credited, Collateral::Unchosen))
    );
    Ok(())
}

/// Mallory front-runs Bob's first TETH deposit with 1 unit on his behalf. The gift opens
/// his position without choosing for him; his own deposit then makes it collateral
/// (with `CollateralChanged`), which before the fix it did not.
#[carrack_e2e::test]
async fn a_gift_ahead_of_a_first_deposit_does_not_stop_it_becoming_collateral(
    mut client: NodeClient,
) -> E2EResult<()> {
    let config = SuiteConfig::default().with_rate_model(zero_rate_model());
    let mut suite = Suite::deploy(&mut client, config).await?;
    let teth = suite.t18;
    let (mallory, bob_keys) = (ink_e2e::charlie(), ink_e2e::bob());

    suite.fund(&mut client, teth, charlie(), 1).await?;
    approve(&mut client, &mallory, teth, suite.pool_id, 1).await?;
    let gift = suite.pool.supply(teth, 1, bob());
    let (result, emitted) = send(&mut client, &mallory, &gift).await?;
    result.map_err(describe)?;
    assert!(suite.events::<CollateralChanged>(&emitted).is_empty());
    let opened = suite.position(&mut client, bob(), teth).await?;
    assert_eq!(
        opened.map(|p| p.position.collateral),
        Some(Collateral::Unchosen)
    );

    let emitted = suite
        .fund_and_supply(&mut client, &bob_keys, teth, eth(5))
        .await?;
    let switched: CollateralChanged = one(&suite, &emitted);
    assert_eq!((switched.account, switched.enabled), (bob(), true));
    let view = suite.account(&mut client, bob()).await?;
    assert_eq!(view.collateral_value_wad, (eth(5) + 1) * 2_000);
    Ok(())
}

/// A supplier cannot withdraw to the pool's own address (the tokens would stay in the
/// pool outside its books, and the claim would be gone).
#[carrack_e2e::test]
async fn nothing_is_withdrawn_to_the_pool_itself(mut client: NodeClient) -> E2EResult<()> {
    let mut suite = Suite::deploy(&mut client, SuiteConfig::default()).await?;
    let tusd = suite.t6;
    let dave_keys = ink_e2e::dave();
    suite
        .fund_and_supply(&mut client, &dave_keys, tusd, usd(1_000))
        .await?;
    let withdraw = suite.pool.withdraw(tusd, usd(1), suite.pool_id);
    assert_eq!(
        refused(&mut client, &dave_keys, &withdraw).await?,
        Err(PoolError::RecipientIsPool)
    );
    let position = suite.position(&mut client, dave(), tusd).await?;
    assert_eq!(position.map(|p| p.supply), Some(usd(1_000)));
    Ok(())
}
