//! # A6: liquidation edge cases
//!
//! **The attack.** Liquidation pays a bonus out of the borrower's collateral, so every
//! gap in its rules is a way to take more than the bonus: liquidating a healthy account
//! (or one exactly at the threshold), taking more than the close factor allows, taking
//! collateral without the bonus being bounded, liquidating oneself to collect the bonus
//! on one's own debt, or striking the moment a paused market reopens, before borrowers
//! could repay, when every price move during the pause lands at once.
//!
//! **Precedents.** Euler Finance (March 2023, about 197 M USD: `donateToReserves` pushed
//! the attacker's own account deep under water and its second account liquidated it at
//! the maximum discount); the underwater self-liquidation finding of Compound III's audit
//! (OpenZeppelin L07); Aave v3.3's dust rules for positions not worth liquidating; Aave
//! v3.1's liquidation grace period after a reserve is unpaused.
//!
//! **Why it fails here.** Only an account below health factor 1 with every price `Ok` can
//! be liquidated, never by itself; a liquidator repays at most half the debt (all of it
//! only at health 0.95 or below, or when half would leave dust) and receives the repaid
//! value times the bonus, less the protocol's fee, never more than the collateral; an
//! unpaused market starts a grace period during which nobody is liquidated. The
//! remaining edges (dust, bad debt written off) are in the pool's unit tests and
//! `e2e/tests/pool.rs` (see `THREAT_MODEL.md`).

use carrack_core::CoreError;
use carrack_e2e::suite::*;
use carrack_pool::error::PoolError;
use carrack_pool::market::PauseFlags;

/// Seconds of grace after an unpause.
const GRACE_SECS: u64 = 6;

const fn usd(whole: u128) -> u128 {
    whole * unit(6)
}

/// Bob owes 11,760 TUSD against 10 TETH (health exactly 1 at 1,470). Charlie, the
/// liquidator, tries a healthy account, a paused market, the moment it reopens, the
/// borrower himself liquidating, and a greedy minimum; when Bob is finally liquidatable
/// he takes half the debt with the bonus less the fee, to the unit, and no more.
#[carrack_e2e::test]
async fn a_liquidator_gets_the_bonus_and_not_one_unit_more(
    mut client: NodeClient,
) -> E2EResult<()> {
    let mut config = SuiteConfig::default().with_rate_model(zero_rate_model());
    config.pool_params.liquidation_grace_secs = GRACE_SECS;
    let mut suite = Suite::deploy(&mut client, config).await?;
    let (usd_token, eth) = (suite.t6, suite.t18);
    let (borrower, attacker, lender) = (ink_e2e::bob(), ink_e2e::charlie(), ink_e2e::dave());
    suite
        .fund_and_supply(&mut client, &lender, usd_token, usd(20_000))
        .await?;
    suite
        .fund_and_supply(&mut client, &borrower, eth, 10 * unit(18))
        .await?;
    suite
        .borrow(&mut client, &borrower, usd_token, usd(11_760))
        .await?;
    suite
        .fund(&mut client, usd_token, charlie(), usd(10_000))
        .await?;
    approve(
        &mut client,
        &attacker,
        usd_token,
        suite.pool_id,
        usd(10_000),
    )
    .await?;
    let liquidate = |pool: &mut PoolCalls, min_out: u128| {
        pool.liquidate(bob(), usd_token, eth, u128::MAX, min_out)
    };
    let not_liquidatable = Err(PoolError::Core(CoreError::NotLiquidatable));

    // The feeds turned Ok at deployment, and the grace also follows a feed's recovery.
    wait_until(&mut client, now_secs() + GRACE_SECS).await;
    // Healthy, and exactly at health 1: nothing to take.
    assert_eq!(
        refused(&mut client, &attacker, &liquidate(&mut suite.pool, 0)).await?,
        not_liquidatable
    );
    suite.set_price(&mut client, eth, 1_470 * DOLLAR).await?;
    assert_eq!(
        suite.account(&mut client, bob()).await?.health_factor_wad,
        WAD
    );
    assert_eq!(
        refused(&mut client, &attacker, &liquidate(&mut suite.pool, 0)).await?,
        not_liquidatable
    );

    // The guardian pauses TETH; the price falls while it is paused (health 0.952).
    let pause = suite.pool.pause(eth, PauseFlags::ALL);
    send(&mut client, &ink_e2e::ferdie(), &pause)
        .await?
        .0
        .map_err(describe)?;
    suite.set_price(&mut client, eth, 1_400 * DOLLAR).await?;
    assert_eq!(
        refused(&mut client, &attacker, &liquidate(&mut suite.pool, 0)).await?,
        Err(PoolError::ActionPaused)
    );
    // Governance reopens the market: the attacker strikes at once, and must wait.
    let unpause = suite.pool.unpause(eth, PauseFlags::ALL);
    send(&mut client, &ink_e2e::alice(), &unpause)
        .await?
        .0
        .map_err(describe)?;
    let reopened_at = now_secs();
    assert_eq!(
        refused(&mut client, &attacker, &liquidate(&mut suite.pool, 0)).await?,
        Err(PoolError::LiquidationGracePeriod)
    );
    // Bob uses the grace to repay 1,000 (10,760 against a capacity of 11,200).
    suite
        .repay(&mut client, &borrower, usd_token, usd(1_000), usd(1_000))
        .await?;
    wait_until(&mut client, reopened_at + GRACE_SECS + 1).await;
    assert_eq!(
        refused(&mut client, &attacker, &liquidate(&mut suite.pool, 0)).await?,
        not_liquidatable
    );

    // At 1,300 Bob is liquidatable (capacity 10,400 for 10,760: health 0.967, above
    // 0.95, so half the debt at most).
    suite.set_price(&mut client, eth, 1_300 * DOLLAR).await?;
    let own = suite.pool.liquidate(bob(), usd_token, eth, u128::MAX, 0);
    assert_eq!(
        refused(&mut client, &borrower, &own).await?,
        Err(PoolError::SelfLiquidation)
    );
    // Half the debt, 5,380 USD, with the 5 % bonus buys 5,649 USD of TETH at 1,300
    // (rounded down); the protocol keeps a tenth of the bonus part (rounded up).
    let repaid = usd(5_380);
    let seized = 5_649 * unit(18) / 1_300;
    let without_bonus = (seized * 100).div_ceil(105);
    let fee = (seized - without_bonus).div_ceil(10);
    let expected_out = seized - fee;
    let quote = dry(&mut client, &attacker, &liquidate(&mut suite.pool, 0))
        .await?
        .map_err(describe)?;
    assert_eq!(
        quote,
        (repaid, expected_out),
        "the close factor, bonus and fee to the unit"
    );
    assert_eq!(
        refused(
            &mut client,
            &attacker,
            &liquidate(&mut suite.pool, expected_out + 1)
        )
        .await?,
        Err(PoolError::Core(CoreError::CollateralOutBelowMinimum))
    );
    let usd_before = balance(&mut client, usd_token, charlie()).await?;
    send(
        &mut client,
        &attacker,
        &liquidate(&mut suite.pool, expected_out),
    )
    .await?
    .0
    .map_err(describe)?;
    let paid = usd_before - balance(&mut client, usd_token, charlie()).await?;
    let received = balance(&mut client, eth, charlie()).await?;
    assert_eq!((paid, received), quote);
    // The liquidator's gain in value is the bonus less the fee: 4.5 % of what he repaid.
    let gain_wad = received * 1_300 - paid * unit(12);
    assert!(
        gain_wad <= paid * unit(12) * 45 / 1_000,
        "a gain of {gain_wad} on {paid}"
    );

    // Bob keeps the rest; the lender's claim is whole.
    let bob_view = suite.account(&mut client, bob()).await?;
    assert!(
        bob_view.health_factor_wad > WAD,
        "healthier after the liquidation"
    );
    let debt = suite
        .position(&mut client, bob(), usd_token)
        .await?
        .ok_or("Bob has no debt position")?
        .debt;
    assert_eq!(debt, usd(10_760) - repaid);
    let lender_claim = suite
        .position(&mut client, dave(), usd_token)
        .await?
        .ok_or("the lender has no position")?
        .supply;
    assert_eq!(lender_claim, usd(20_000));
    Ok(())
}
