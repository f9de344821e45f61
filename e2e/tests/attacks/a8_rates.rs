//! # A8: interest-rate manipulation and absurd rates
//!
//! **The attack.** The borrow rate follows utilization, and the supply rate follows the
//! borrow rate. An attacker who is both a supplier and a borrower pushes utilization to
//! the top to collect the spiked supply rate, or to make other borrowers' debt explode
//! until they are liquidated, or, with a curve or a utilization that can exceed its
//! bounds, to overflow the index and brick the market. A curve set too steep by mistake
//! does the same without an attacker.
//!
//! **Precedents.** Compound v2 reverts any accrual whose borrow rate exceeds
//! `borrowRateMaxMantissa` (0.0005 % per block), so an unbounded rate model freezes the
//! market; Starlay Finance's audit fix #157 (interest not accrued at the old rate before a
//! rate-model change); Abax's time-weighted utilization against one-block spikes.
//!
//! **Why it fails here.** Utilization comes from the pool's own totals (a donation does
//! not move it, see A1) and is at most 100 %; every rate model is capped at 1000 %/yr
//! at instantiation and on every change (`BorrowRateAboveCap`); the supply rate is the
//! borrow rate times utilization less the reserve factor, so suppliers are paid only
//! what borrowers owe; accrual compounds the debt exactly and refuses to overflow (proof
//! P3); a parameter change accrues at the old rates first. A supplier who borrows the
//! whole market pays more than it earns.

use carrack_core::{ConfigError, CoreError, MAX_BORROW_RATE_WAD};
use carrack_e2e::suite::*;
use carrack_pool::error::PoolError;

const fn usd(whole: u128) -> u128 {
    whole * unit(6)
}

/// Charlie supplies 1,000 TUSD, borrows every unit of cash against TETH to drive
/// utilization to 100 %, collects the top supply rate for a while, then unwinds. The
/// rate stops at the curve's top (80 %/yr, far below the cap), he pays more interest
/// than he earns, the lender earns it, the market stays solvent, and governance itself
/// cannot install a curve above the cap.
#[carrack_e2e::test]
async fn a_supplier_borrowing_the_whole_market_pays_more_than_it_earns(
    mut client: NodeClient,
) -> E2EResult<()> {
    let mut suite = Suite::deploy(&mut client, SuiteConfig::default()).await?;
    let (usd_token, eth) = (suite.t6, suite.t18);
    let (attacker, lender) = (ink_e2e::charlie(), ink_e2e::dave());
    suite
        .fund_and_supply(&mut client, &lender, usd_token, usd(10_000))
        .await?;
    let wallet_before = usd(13_000);
    suite
        .fund(&mut client, usd_token, charlie(), wallet_before)
        .await?;
    suite
        .fund_and_supply(&mut client, &attacker, eth, 20 * unit(18))
        .await?;
    suite
        .supply(&mut client, &attacker, usd_token, usd(1_000))
        .await?;

    // Every unit of cash: seed 1,000 + lender 10,000 + his own 1,000.
    let cash = suite
        .market(&mut client, usd_token)
        .await?
        .market
        .state
        .cash;
    assert_eq!(cash, usd(12_000));
    suite
        .borrow(&mut client, &attacker, usd_token, cash)
        .await?;
    wait_until(&mut client, now_secs() + 4).await;
    let top = suite.market(&mut client, usd_token).await?;
    assert_eq!(top.utilization_wad, WAD, "all lent out");
    assert_eq!(
        top.borrow_rate_wad,
        80 * WAD / 100,
        "the curve's top: 1 % + 4 % + 75 %"
    );
    assert!(top.borrow_rate_wad <= MAX_BORROW_RATE_WAD);
    assert_eq!(
        top.supply_rate_wad,
        72 * WAD / 100,
        "the borrow rate at 100 % less the 10 % reserve factor"
    );
    // Nobody can withdraw from an empty market meanwhile, but nobody loses either.
    let run = suite.pool.withdraw(usd_token, usd(1), dave());
    assert_eq!(
        refused(&mut client, &lender, &run).await?,
        Err(PoolError::Core(CoreError::InsufficientCash))
    );

    // Unwind: repay everything, withdraw everything.
    suite
        .repay(&mut client, &attacker, usd_token, u128::MAX, usd(24_000))
        .await?;
    suite
        .withdraw(&mut client, &attacker, usd_token, u128::MAX)
        .await?;
    suite
        .withdraw(&mut client, &attacker, eth, u128::MAX)
        .await?;
    let wallet_after = balance(&mut client, usd_token, charlie()).await?;
    assert!(
        wallet_after < wallet_before,
        "the attacker ends with {wallet_after} of his {wallet_before}"
    );
    assert_eq!(balance(&mut client, eth, charlie()).await?, 20 * unit(18));

    // The lender earned, and what is left covers every claim.
    let claim = suite
        .position(&mut client, dave(), usd_token)
        .await?
        .ok_or("the lender has no position")?
        .supply;
    assert!(
        claim > usd(10_000),
        "the lender earned the interest: {claim}"
    );
    let end = suite.market(&mut client, usd_token).await?;
    assert_eq!(end.total_debt, 0);
    assert!(
        end.market.state.cash >= end.total_supply + end.market.state.reserves,
        "solvent: {end:?}"
    );

    // A curve above the cap is refused, even to governance.
    let mut absurd = market_params(6);
    absurd.config.rate_model = flat_rate_model(MAX_BORROW_RATE_WAD + 1);
    let set = suite.pool.set_market_params(usd_token, absurd);
    assert_eq!(
        refused(&mut client, &ink_e2e::alice(), &set).await?,
        Err(PoolError::Core(CoreError::InvalidConfig(
            ConfigError::BorrowRateAboveCap
        )))
    );
    Ok(())
}
