//! The lending pool on a real substrate-contracts-node, with the oracle and three PSP22
//! tokens (6, 12 and 18 decimals) deployed by [`Suite`]: interest across decimals and
//! full repayment, borrow refusals and stale prices, liquidation, bad debt, pauses with
//! the liquidation grace period, and access control.
//!
//! Every expected figure is computed by hand (derivations in the comments) from
//! carrack-core's documented formulas, or for interest by the tests' own model
//! ([`carrack_e2e::suite::model`]), never by calling the code under test. Tests that check
//! liquidations to the unit use a zero rate model, so that block times (wall-clock, unknown
//! in advance) cannot move a balance; the interest tests read the block times back from
//! the chain and feed them to the model.

use carrack_core::CoreError;
use carrack_e2e::suite::*;
use carrack_e2e::NodeClient;
use carrack_interfaces::{AdminError, AdminRoles, FeedStatus, Governed};
use carrack_pool::account::Collateral;
use carrack_pool::error::PoolError;
use carrack_pool::events::{
    BadDebtWrittenOff, InterestAccrued, Liquidated, PauseChanged, Repaid, ReservesWithdrawn,
    Withdrawn,
};
use carrack_pool::market::PauseFlags;
use carrack_pool::params::PoolParams;
use carrack_pool::views::AccountView;
use ink::primitives::AccountId;

/// 630.72 % a year: exactly 2e-7 per second (6.3072 / 31,536,000), so a few seconds of
/// interest show in every market.
const HIGH_RATE_WAD: u128 = 6_307_200_000_000_000_000;
/// The reserve factor of [`market_params`].
const RESERVE_FACTOR_WAD: u128 = WAD / 10;

const fn usd(whole: u128) -> u128 {
    whole * unit(6)
}

const fn eth(whole: u128) -> u128 {
    whole * unit(18)
}

/// Pause of supply, withdraw and borrow, as the guardian would after an incident.
fn user_actions() -> PauseFlags {
    PauseFlags {
        supply: true,
        withdraw: true,
        borrow: true,
        liquidate: false,
        collateral: false,
        flash_loan: false,
    }
}

/// A suite without interest: balances move only by the tests' own actions.
async fn interest_free_suite(client: &mut NodeClient, config: SuiteConfig) -> E2EResult<Suite> {
    Suite::deploy(client, config.with_rate_model(zero_rate_model())).await
}

/// The single `Ev` the pool emitted among `emitted`.
fn one<Ev: ink::env::Event + ink::scale::Decode>(suite: &Suite, emitted: &Emitted) -> Ev {
    let mut events = suite.events::<Ev>(emitted);
    assert_eq!(events.len(), 1, "exactly one event of the kind expected");
    events.remove(0)
}

#[carrack_e2e::test]
async fn the_suite_deploys_with_three_seeded_markets(mut client: NodeClient) -> E2EResult<()> {
    let suite = Suite::deploy(&mut client, SuiteConfig::default()).await?;

    let markets = dry(&mut client, &ink_e2e::bob(), &suite.pool.markets()).await?;
    assert_eq!(markets, suite.tokens().to_vec());
    let roles = dry(&mut client, &ink_e2e::bob(), &suite.pool.admin_roles()).await?;
    assert_eq!(roles, AdminRoles::new(alice(), ferdie()));
    let (oracle, params) = dry(&mut client, &ink_e2e::bob(), &suite.pool.settings()).await?;
    assert_eq!(oracle, suite.oracle_id);
    assert_eq!(params, SuiteConfig::default().pool_params);
    for (asset, decimals) in suite.tokens().into_iter().zip([6u8, 12, 18]) {
        let view = suite.market(&mut client, asset).await?;
        let seed = SEED_WHOLE_TOKENS * unit(decimals);
        assert_eq!(view.market.params, market_params(decimals));
        assert_eq!(view.market.state.cash, seed);
        assert_eq!(view.market.state.total_scaled_supply, seed, "dead shares");
        assert_eq!(view.market.state.supply_index_ray, RAY);
        assert_eq!((view.total_supply, view.total_debt), (seed, 0));
        assert_eq!(view.market.paused, PauseFlags::default());
        assert_eq!(balance(&mut client, asset, suite.pool_id).await?, seed);
        assert_eq!(
            suite.price(&mut client, asset).await?.status,
            FeedStatus::Ok
        );
    }
    Ok(())
}

/// Bob lends in the three markets; Charlie puts up 20 of the 18-decimal token (40,000 at
/// 2,000) and borrows 5,000 (6 dec.), 500 (12 dec.) and 5 (18 dec.) at a flat 630.72 %
/// a year. After a few seconds each debt has grown exactly as the model says; repaying
/// `u128::MAX` clears it, withdrawing `u128::MAX` empties every position, both accounts
/// are gone from storage and every token balance adds up to the unit.
#[carrack_e2e::test]
async fn interest_accrues_in_three_markets_and_max_repay_and_withdraw_leave_nothing(
    mut client: NodeClient,
) -> E2EResult<()> {
    let config = SuiteConfig::default().with_rate_model(flat_rate_model(HIGH_RATE_WAD));
    let mut suite = Suite::deploy(&mut client, config).await?;
    let (bob_keys, charlie_keys) = (ink_e2e::bob(), ink_e2e::charlie());
    let assets = suite.tokens();
    let seeds = config.seeds;
    let lent = [usd(10_000), 1_000 * unit(12), eth(10)];
    let borrowed = [usd(5_000), 500 * unit(12), eth(5)];
    let collateral = eth(20);
    // Charlie holds a little of each token beyond what he borrows, to pay the interest.
    let charlie_start = [usd(100), 10 * unit(12), collateral + eth(1)];

    for i in 0..3 {
        suite.fund(&mut client, assets[i], bob(), lent[i]).await?;
        suite
            .fund(&mut client, assets[i], charlie(), charlie_start[i])
            .await?;
        suite
            .supply(&mut client, &bob_keys, assets[i], lent[i])
            .await?;
    }
    suite
        .supply(&mut client, &charlie_keys, suite.t18, collateral)
        .await?;

    // Each market's cash while the debt is out: seed + lent (+ Charlie's collateral) - debt.
    let mut cash_out = [0u128; 3];
    let mut borrowed_at = [0u64; 3];
    for i in 0..3 {
        suite
            .borrow(&mut client, &charlie_keys, assets[i], borrowed[i])
            .await?;
        let view = suite.market(&mut client, assets[i]).await?;
        borrowed_at[i] = view.market.state.last_accrual_secs;
        cash_out[i] = seeds[i] + lent[i] + if i == 2 { collateral } else { 0 } - borrowed[i];
        assert_eq!(view.market.state.cash, cash_out[i]);
        assert_eq!(view.market.state.borrow_index_ray, RAY);
        assert_eq!(view.total_debt, borrowed[i], "borrowed at index 1.0");
    }

    // A few seconds later every debt has grown by the model's compounding.
    wait_until(&mut client, now_secs() + 4).await;
    for i in 0..3 {
        let view = suite.market(&mut client, assets[i]).await?;
        let secs = view.market.state.last_accrual_secs - borrowed_at[i];
        let expected = model::accrue(
            borrowed[i],
            cash_out[i],
            HIGH_RATE_WAD,
            RESERVE_FACTOR_WAD,
            secs,
        );
        let position = suite
            .position(&mut client, charlie(), assets[i])
            .await?
            .ok_or("Charlie owes")?;
        assert!(secs >= 4, "the chain's clock moved {secs} s");
        assert!(expected.interest > 0);
        assert_eq!(position.debt, expected.debt_after);
        assert_eq!(view.total_debt, expected.debt_after);
        assert_eq!(
            view.market.state.borrow_index_ray,
            expected.borrow_index_ray
        );
        assert_eq!(
            view.market.state.supply_index_ray,
            expected.supply_index_ray
        );
    }

    // Repaying u128::MAX pays the whole debt at the repayment's block time.
    let mut accrued = Vec::new();
    for i in 0..3 {
        let emitted = suite
            .repay(&mut client, &charlie_keys, assets[i], u128::MAX, u128::MAX)
            .await?;
        let view = suite.market(&mut client, assets[i]).await?;
        let secs = view.market.state.last_accrual_secs - borrowed_at[i];
        let expected = model::accrue(
            borrowed[i],
            cash_out[i],
            HIGH_RATE_WAD,
            RESERVE_FACTOR_WAD,
            secs,
        );
        let repaid: Repaid = one(&suite, &emitted);
        assert_eq!(repaid.amount, expected.debt_after);
        assert_eq!(repaid.scaled, borrowed[i], "every debt share burned");
        // The accrual rides in the repayment's own event (no `InterestAccrued`).
        assert!(suite.events::<InterestAccrued>(&emitted).is_empty());
        let interest = repaid.accrual.expect("the repayment accrued interest");
        assert_eq!(interest.interest, expected.interest);
        assert_eq!(interest.reserve_share, expected.reserve_share);
        assert_eq!(interest.deficit_covered, 0);
        assert_eq!(interest.borrow_index_ray, expected.borrow_index_ray);
        assert_eq!(interest.supply_index_ray, expected.supply_index_ray);
        assert_eq!(view.market.state.total_scaled_debt, 0);
        assert_eq!(view.total_debt, 0);
        assert_eq!(view.market.state.reserves, expected.reserve_share);
        assert_eq!(view.market.state.cash, cash_out[i] + expected.debt_after);
        accrued.push(expected);
    }
    let charlie_view = suite.account(&mut client, charlie()).await?;
    assert_eq!(charlie_view.debt_value_wad, 0);
    assert_eq!(
        charlie_view.positions.len(),
        1,
        "only the collateral is left"
    );

    // Withdrawing u128::MAX pays out the shown balance: principal plus the supply index's
    // growth, rounded down.
    let emitted = suite
        .withdraw(&mut client, &charlie_keys, suite.t18, u128::MAX)
        .await?;
    let charlie_withdrawn: Withdrawn = one(&suite, &emitted);
    let expected_collateral = model::mul_div(collateral, accrued[2].supply_index_ray, RAY, false);
    assert_eq!(charlie_withdrawn.amount, expected_collateral);
    assert!(
        expected_collateral > collateral,
        "the collateral earned too"
    );
    let mut bob_withdrawn = [0u128; 3];
    for i in 0..3 {
        let emitted = suite
            .withdraw(&mut client, &bob_keys, assets[i], u128::MAX)
            .await?;
        let withdrawn: Withdrawn = one(&suite, &emitted);
        bob_withdrawn[i] = model::mul_div(lent[i], accrued[i].supply_index_ray, RAY, false);
        assert_eq!(withdrawn.amount, bob_withdrawn[i]);
        assert_eq!(withdrawn.scaled, lent[i], "every share burned");
        assert!(bob_withdrawn[i] > lent[i], "the lender earned interest");
    }

    // Both accounts are gone; balances add up to the unit.
    for who in [bob(), charlie()] {
        let view = suite.account(&mut client, who).await?;
        assert!(view.positions.is_empty(), "no position left for {who:?}");
        assert_eq!((view.collateral_value_wad, view.debt_value_wad), (0, 0));
        assert_eq!(view.health_factor_wad, u128::MAX);
    }
    for i in 0..3 {
        let asset = assets[i];
        let charlie_paid = accrued[i].debt_after - borrowed[i];
        let mut charlie_expected = charlie_start[i] - charlie_paid;
        let mut cash = cash_out[i] + accrued[i].debt_after - bob_withdrawn[i];
        if i == 2 {
            charlie_expected = charlie_expected - collateral + expected_collateral;
            cash -= expected_collateral;
        }
        assert_eq!(
            balance(&mut client, asset, charlie()).await?,
            charlie_expected
        );
        assert_eq!(balance(&mut client, asset, bob()).await?, bob_withdrawn[i]);
        let view = suite.market(&mut client, asset).await?;
        assert_eq!(view.market.state.cash, cash);
        assert_eq!(balance(&mut client, asset, suite.pool_id).await?, cash);
        assert_eq!(
            view.market.state.total_scaled_supply, seeds[i],
            "dead shares only"
        );
        assert_eq!(view.market.state.reserves, accrued[i].reserve_share);
        // What is left covers the dead shares' claim and the reserves.
        assert_eq!(
            view.total_supply,
            model::mul_div(seeds[i], accrued[i].supply_index_ray, RAY, false)
        );
        assert!(cash >= view.total_supply + view.market.state.reserves);
    }
    Ok(())
}

/// Charlie (10 of the 18-decimal token at 2,000: borrowing power 15,000) borrows from a
/// market with a 20,000 borrow cap and a 100 minimum debt: each limit refuses with its
/// own error, exactly at its boundary. Then the borrowed asset's feed goes stale: a
/// borrow that was fine is refused, and repaying still works.
#[carrack_e2e::test]
async fn borrows_are_refused_by_cap_minimum_ltv_and_stale_price_and_repay_still_works(
    mut client: NodeClient,
) -> E2EResult<()> {
    let mut config = SuiteConfig::default();
    config.markets[0].config.borrow_cap = usd(20_000);
    config.markets[0].config.min_debt = usd(100);
    let mut suite = interest_free_suite(&mut client, config).await?;
    let charlie_keys = ink_e2e::charlie();
    let t6 = suite.t6;
    suite.fund(&mut client, t6, bob(), usd(20_000)).await?;
    suite
        .supply(&mut client, &ink_e2e::bob(), t6, usd(20_000))
        .await?;
    suite
        .fund(&mut client, suite.t18, charlie(), eth(10))
        .await?;
    suite
        .supply(&mut client, &charlie_keys, suite.t18, eth(10))
        .await?;
    // Cash 21,000 = seed 1,000 + Bob's 20,000.

    let core = |err| Err(PoolError::Core(err));
    let cases = [
        (usd(21_000) + 1, CoreError::InsufficientCash),
        (usd(20_000) + 1, CoreError::BorrowCapExceeded),
        (usd(100) - 1, CoreError::BelowMinimumDebt),
        // 15,000.000001 > 10 * 2,000 * 75 %
        (usd(15_000) + 1, CoreError::InsufficientCollateral),
    ];
    for (amount, err) in cases {
        let refusal = dry(&mut client, &charlie_keys, &suite.pool.borrow(t6, amount)).await?;
        assert_eq!(refusal, core(err), "borrowing {amount}");
    }
    let on_chain = refused(
        &mut client,
        &charlie_keys,
        &suite.pool.borrow(t6, usd(15_000) + 1),
    )
    .await?;
    assert_eq!(on_chain, core(CoreError::InsufficientCollateral));
    assert_eq!(balance(&mut client, t6, charlie()).await?, 0);

    // Exactly the borrowing power is fine.
    suite
        .borrow(&mut client, &charlie_keys, t6, usd(15_000))
        .await?;
    let view = suite.account(&mut client, charlie()).await?;
    assert_eq!(view.debt_value_wad, 15_000 * WAD);
    assert_eq!(view.borrowing_power_wad, 15_000 * WAD);
    assert_eq!(view.health_factor_wad, 16 * WAD / 15, "16,000 / 15,000");
    assert_eq!(balance(&mut client, t6, charlie()).await?, usd(15_000));
    suite
        .repay(&mut client, &charlie_keys, t6, usd(5_000), usd(5_000))
        .await?;

    // A 6-second heartbeat: fresh right after a report, stale once it has passed.
    suite.set_heartbeat(&mut client, t6, 6).await?;
    let observed_at = suite.set_price(&mut client, t6, DOLLAR).await?;
    let fresh = dry(
        &mut client,
        &charlie_keys,
        &suite.pool.borrow(t6, usd(1_000)),
    )
    .await?;
    assert_eq!(fresh, Ok(()));
    wait_until(&mut client, observed_at + 6 + 1).await;
    assert_eq!(
        suite.price(&mut client, t6).await?.status,
        FeedStatus::Stale
    );
    let stale = refused(
        &mut client,
        &charlie_keys,
        &suite.pool.borrow(t6, usd(1_000)),
    )
    .await?;
    assert_eq!(stale, Err(PoolError::PriceNotOk(t6, FeedStatus::Stale)));
    let view = suite.account(&mut client, charlie()).await?;
    assert!(!view.prices_ok);
    assert_eq!(
        view.debt_value_wad,
        10_000 * WAD,
        "last good price still shown"
    );

    // Repaying needs no price: a part, then everything.
    let emitted = suite
        .repay(&mut client, &charlie_keys, t6, usd(4_000), usd(4_000))
        .await?;
    assert_eq!(one::<Repaid>(&suite, &emitted).amount, usd(4_000));
    let position = suite
        .position(&mut client, charlie(), t6)
        .await?
        .ok_or("Charlie still owes")?;
    assert_eq!(position.debt, usd(6_000));
    let emitted = suite
        .repay(&mut client, &charlie_keys, t6, u128::MAX, usd(6_000))
        .await?;
    assert_eq!(one::<Repaid>(&suite, &emitted).amount, usd(6_000));
    assert_eq!(suite.position(&mut client, charlie(), t6).await?, None);
    assert_eq!(balance(&mut client, t6, charlie()).await?, 0);
    assert_eq!(
        suite.market(&mut client, t6).await?.market.state.cash,
        usd(21_000)
    );
    Ok(())
}

/// Bob borrows 11,760 against 10 of the 18-decimal token. At 1,470 his health factor is
/// exactly 1 (not liquidatable); at 1,400 it is 11,200 / 11,760 = 20/21: between 0.95 and
/// 1, so one liquidation may repay at most half the debt, 5,880. The seizure is
/// 5,880 * 1.05 / 1,400 = 4.41; the bonus part 4.41 - 4.41 / 1.05 = 0.21, of which the
/// protocol keeps 10 % = 0.021 as reserves and the liquidator receives 4.389.
#[carrack_e2e::test]
async fn a_price_drop_lets_a_liquidator_repay_half_the_debt_with_bonus_and_fee(
    mut client: NodeClient,
) -> E2EResult<()> {
    let mut suite = interest_free_suite(&mut client, SuiteConfig::default()).await?;
    let (t6, t18) = (suite.t6, suite.t18);
    let (bob_keys, charlie_keys) = (ink_e2e::bob(), ink_e2e::charlie());
    suite.fund(&mut client, t6, dave(), usd(20_000)).await?;
    suite
        .supply(&mut client, &ink_e2e::dave(), t6, usd(20_000))
        .await?;
    suite.fund(&mut client, t18, bob(), eth(10)).await?;
    suite.supply(&mut client, &bob_keys, t18, eth(10)).await?;
    suite
        .borrow(&mut client, &bob_keys, t6, usd(11_760))
        .await?;
    suite.fund(&mut client, t6, charlie(), usd(10_000)).await?;
    approve(&mut client, &charlie_keys, t6, suite.pool_id, usd(10_000)).await?;

    let liquidate = |pool: &mut PoolCalls, borrower: AccountId, min_out: u128| {
        pool.liquidate(borrower, t6, t18, u128::MAX, min_out)
    };
    let not_liquidatable = Err(PoolError::Core(CoreError::NotLiquidatable));
    let healthy = dry(
        &mut client,
        &charlie_keys,
        &liquidate(&mut suite.pool, bob(), 0),
    )
    .await?;
    assert_eq!(healthy, not_liquidatable);

    // At 1,470: capacity 10 * 1,470 * 0.8 = 11,760 = the debt, health factor exactly 1.
    suite.set_price(&mut client, t18, 1_470 * DOLLAR).await?;
    let view = suite.account(&mut client, bob()).await?;
    assert_eq!(view.liquidation_capacity_wad, 11_760 * WAD);
    assert_eq!(view.health_factor_wad, WAD);
    let at_one = dry(
        &mut client,
        &charlie_keys,
        &liquidate(&mut suite.pool, bob(), 0),
    )
    .await?;
    assert_eq!(at_one, not_liquidatable);

    // At 1,400.
    suite.set_price(&mut client, t18, 1_400 * DOLLAR).await?;
    let view = suite.account(&mut client, bob()).await?;
    assert_eq!(view.collateral_value_wad, 14_000 * WAD);
    assert_eq!(view.borrowing_power_wad, 10_500 * WAD);
    assert_eq!(view.liquidation_capacity_wad, 11_200 * WAD);
    assert_eq!(view.debt_value_wad, 11_760 * WAD);
    assert_eq!(
        view.health_factor_wad, 952_380_952_380_952_380,
        "20/21 rounded down"
    );
    assert!(view.prices_ok);

    let own = dry(
        &mut client,
        &bob_keys,
        &liquidate(&mut suite.pool, bob(), 0),
    )
    .await?;
    assert_eq!(own, Err(PoolError::SelfLiquidation));
    let greedy = refused(
        &mut client,
        &charlie_keys,
        &liquidate(&mut suite.pool, bob(), 4_389 * unit(15) + 1),
    )
    .await?;
    assert_eq!(
        greedy,
        Err(PoolError::Core(CoreError::CollateralOutBelowMinimum))
    );

    let t18_before = suite.market(&mut client, t18).await?;
    let (value, emitted) = send(
        &mut client,
        &charlie_keys,
        &liquidate(&mut suite.pool, bob(), 4_389 * unit(15)),
    )
    .await?;
    assert_eq!(value, Ok((usd(5_880), 4_389 * unit(15))));
    let liquidated: Liquidated = one(&suite, &emitted);
    assert_eq!(
        (liquidated.borrower, liquidated.liquidator),
        (bob(), charlie())
    );
    assert_eq!(
        (liquidated.debt_asset, liquidated.collateral_asset),
        (t6, t18)
    );
    assert_eq!(liquidated.repaid, usd(5_880), "u128::MAX capped at half");
    assert_eq!(liquidated.collateral_seized, 4_410 * unit(15));
    assert_eq!(liquidated.protocol_fee, 21 * unit(15));
    assert!(suite.events::<BadDebtWrittenOff>(&emitted).is_empty());

    // The liquidator paid 5,880 and received 4.389.
    assert_eq!(balance(&mut client, t6, charlie()).await?, usd(4_120));
    assert_eq!(
        balance(&mut client, t18, charlie()).await?,
        4_389 * unit(15)
    );
    // The borrower owes 5,880 against 5.59: health 5.59 * 1,400 * 0.8 / 5,880.
    let view = suite.account(&mut client, bob()).await?;
    let debt = view.positions.iter().find(|p| p.position.asset == t6);
    let collateral = view.positions.iter().find(|p| p.position.asset == t18);
    assert_eq!(debt.map(|p| (p.supply, p.debt)), Some((0, usd(5_880))));
    assert_eq!(
        collateral.map(|p| (p.supply, p.debt, p.position.collateral)),
        Some((5_590 * unit(15), 0, Collateral::On))
    );
    assert_eq!(view.collateral_value_wad, 7_826 * WAD);
    assert_eq!(view.liquidation_capacity_wad, 62_608 * WAD / 10);
    assert_eq!(view.health_factor_wad, 1_064_761_904_761_904_761);
    // The collateral market paid 4.389 out of cash and booked 0.021 as reserves.
    let t18_after = suite.market(&mut client, t18).await?;
    assert_eq!(
        t18_after.market.state.cash,
        t18_before.market.state.cash - 4_389 * unit(15)
    );
    assert_eq!(
        t18_after.market.state.cash,
        eth(1_000) + eth(10) - 4_389 * unit(15)
    );
    assert_eq!(t18_after.market.state.reserves, 21 * unit(15));
    assert_eq!(
        t18_after.market.state.total_scaled_supply,
        eth(1_000) + 5_590 * unit(15)
    );
    assert_eq!(
        balance(&mut client, t18, suite.pool_id).await?,
        t18_after.market.state.cash
    );
    // The debt market got 5,880 back: 1,000 + 20,000 - 11,760 + 5,880.
    let t6_after = suite.market(&mut client, t6).await?;
    assert_eq!(t6_after.market.state.cash, usd(15_120));
    assert_eq!(t6_after.total_debt, usd(5_880));
    assert_eq!(t6_after.market.state.reserves, 0);

    // Healthy again: no second liquidation.
    let again = dry(
        &mut client,
        &charlie_keys,
        &liquidate(&mut suite.pool, bob(), 0),
    )
    .await?;
    assert_eq!(again, not_liquidatable);
    Ok(())
}

/// Bob borrows 15,000 against 10.5 of the 18-decimal token and 1,050 of the 6-decimal
/// one; the former crashes from 2,000 to 500 (health 0.336: whole debt closable).
/// 1. Seizing the 10.5 (worth 5,250) repays 5,250 / 1.05 = 5,000; the fee is 10 % of the
///    0.5 bonus. Collateral remains, so nothing is written off yet.
/// 2. Seizing the 1,050 repays 1,000; the fee of 5 goes to the debt market's reserves.
///    Bob has no collateral left: his last 9,000 of debt is written off, the 5 of
///    reserves absorb what they can and 8,995 becomes the market's deficit.
#[carrack_e2e::test]
async fn a_deep_crash_leaves_bad_debt_that_reserves_absorb_first_then_deficit(
    mut client: NodeClient,
) -> E2EResult<()> {
    let mut suite = interest_free_suite(&mut client, SuiteConfig::default()).await?;
    let (t6, t18) = (suite.t6, suite.t18);
    let (bob_keys, charlie_keys) = (ink_e2e::bob(), ink_e2e::charlie());
    suite.fund(&mut client, t6, dave(), usd(20_000)).await?;
    suite
        .supply(&mut client, &ink_e2e::dave(), t6, usd(20_000))
        .await?;
    suite
        .fund(&mut client, t18, bob(), 10_500 * unit(15))
        .await?;
    suite.fund(&mut client, t6, bob(), usd(1_050)).await?;
    suite
        .supply(&mut client, &bob_keys, t18, 10_500 * unit(15))
        .await?;
    suite.supply(&mut client, &bob_keys, t6, usd(1_050)).await?;
    // Borrowing power 21,000 * 0.75 + 1,050 * 0.75 = 16,537.5.
    suite
        .borrow(&mut client, &bob_keys, t6, usd(15_000))
        .await?;
    suite.fund(&mut client, t6, charlie(), usd(10_000)).await?;
    approve(&mut client, &charlie_keys, t6, suite.pool_id, usd(10_000)).await?;

    suite.set_price(&mut client, t18, 500 * DOLLAR).await?;
    let view = suite.account(&mut client, bob()).await?;
    assert_eq!(view.collateral_value_wad, 6_300 * WAD, "5,250 + 1,050");
    assert_eq!(view.liquidation_capacity_wad, 5_040 * WAD, "4,200 + 840");
    assert_eq!(view.health_factor_wad, 336 * WAD / 1_000);
    let before_first = view;

    // 1. All of the crashed collateral.
    let (value, emitted) = send(
        &mut client,
        &charlie_keys,
        &suite.pool.liquidate(bob(), t6, t18, u128::MAX, 0),
    )
    .await?;
    assert_eq!(value, Ok((usd(5_000), 10_450 * unit(15))));
    let first: Liquidated = one(&suite, &emitted);
    assert_eq!(first.repaid, usd(5_000));
    assert_eq!(first.collateral_seized, 10_500 * unit(15));
    assert_eq!(first.protocol_fee, 50 * unit(15));
    assert!(suite.events::<BadDebtWrittenOff>(&emitted).is_empty());
    let view = suite.account(&mut client, bob()).await?;
    assert_eq!(view.positions.len(), 1, "the emptied position is gone");
    // An indexer replays the scaled changes from the event alone (audit N-5).
    assert_eq!(
        scaled(&before_first, t18).0,
        first.collateral_scaled_burned,
        "all of it"
    );
    assert_eq!(
        scaled(&before_first, t6).1 - first.debt_scaled_burned,
        scaled(&view, t6).1
    );
    let before_second = view.clone();
    assert_eq!(
        (view.positions[0].supply, view.positions[0].debt),
        (usd(1_050), usd(10_000))
    );
    assert_eq!(view.health_factor_wad, 84 * WAD / 1_000, "840 / 10,000");

    // 2. The last collateral, then the write-off.
    let t6_before = suite.market(&mut client, t6).await?;
    assert_eq!(t6_before.market.state.reserves, 0);
    let (value, emitted) = send(
        &mut client,
        &charlie_keys,
        &suite.pool.liquidate(bob(), t6, t6, u128::MAX, 0),
    )
    .await?;
    assert_eq!(value, Ok((usd(1_000), usd(1_045))));
    let second: Liquidated = one(&suite, &emitted);
    assert_eq!(
        (second.repaid, second.collateral_seized, second.protocol_fee),
        (usd(1_000), usd(1_050), usd(5))
    );
    let written_off: BadDebtWrittenOff = one(&suite, &emitted);
    assert_eq!((written_off.asset, written_off.borrower), (t6, bob()));
    assert_eq!(written_off.debt, usd(9_000));
    assert_eq!(written_off.absorbed_by_reserves, usd(5));
    assert_eq!(written_off.added_to_deficit, usd(8_995));
    let (supply_scaled, debt_scaled) = scaled(&before_second, t6);
    assert_eq!(second.collateral_scaled_burned, supply_scaled);
    assert_eq!(
        second.debt_scaled_burned + written_off.scaled_debt,
        debt_scaled,
        "repaid and written off: the whole position"
    );

    let view = suite.account(&mut client, bob()).await?;
    assert!(view.positions.is_empty(), "debt gone with the collateral");
    assert_eq!(view.debt_value_wad, 0);
    let t6_after = suite.market(&mut client, t6).await?;
    let state = t6_after.market.state;
    assert_eq!(state.total_scaled_debt, 0);
    assert_eq!(t6_after.total_debt, 0);
    assert_eq!(state.reserves, 0);
    assert_eq!(state.deficit, usd(8_995));
    // 1,000 + 20,000 + 1,050 - 15,000 + 5,000 + 1,000 - 1,045
    assert_eq!(state.cash, usd(12_005));
    assert_eq!(balance(&mut client, t6, suite.pool_id).await?, usd(12_005));
    // Suppliers' claims (seed and Dave) are backed by cash plus the deficit to recover.
    assert_eq!(t6_after.total_supply, usd(21_000));
    assert_eq!(
        state.cash + state.deficit,
        t6_after.total_supply + state.reserves
    );
    let t18_after = suite.market(&mut client, t18).await?;
    assert_eq!(t18_after.market.state.reserves, 50 * unit(15));
    assert_eq!(t18_after.market.state.cash, eth(1_000) + 50 * unit(15));
    // Charlie: 10,000 - 5,000 - 1,000 + 1,045, and 10.45 of the crashed token.
    assert_eq!(balance(&mut client, t6, charlie()).await?, usd(5_045));
    assert_eq!(
        balance(&mut client, t18, charlie()).await?,
        10_450 * unit(15)
    );
    assert_eq!(balance(&mut client, t6, bob()).await?, usd(15_000));
    Ok(())
}

/// Ferdie (guardian) pauses supply, withdraw and borrow of the 6-decimal market: each is
/// refused with `ActionPaused`, repay still works, other markets are untouched, and the
/// guardian cannot unpause. Governance unpauses them: liquidation never stopped, so no
/// grace period starts (audit L-6). Then the guardian pauses liquidation and governance
/// resumes it, which starts an 8-second liquidation grace period: a liquidation that was
/// possible just before is refused until it ends.
#[carrack_e2e::test]
async fn the_guardian_pauses_governance_unpauses_and_liquidations_wait_out_the_grace(
    mut client: NodeClient,
) -> E2EResult<()> {
    const GRACE_SECS: u64 = 8;
    let mut config = SuiteConfig::default();
    config.pool_params.liquidation_grace_secs = GRACE_SECS;
    let mut suite = interest_free_suite(&mut client, config).await?;
    let (t6, t18) = (suite.t6, suite.t18);
    let (bob_keys, charlie_keys, dave_keys) = (ink_e2e::bob(), ink_e2e::charlie(), ink_e2e::dave());
    suite.fund(&mut client, t6, dave(), usd(21_000)).await?;
    suite
        .supply(&mut client, &dave_keys, t6, usd(20_000))
        .await?;
    suite.fund(&mut client, t18, bob(), eth(11)).await?;
    suite.supply(&mut client, &bob_keys, t18, eth(10)).await?;
    suite
        .borrow(&mut client, &bob_keys, t6, usd(12_000))
        .await?;
    suite.fund(&mut client, t6, charlie(), usd(10_000)).await?;
    approve(&mut client, &charlie_keys, t6, suite.pool_id, usd(10_000)).await?;

    let (_, emitted) = send(
        &mut client,
        &ink_e2e::ferdie(),
        &suite.pool.pause(t6, user_actions()),
    )
    .await?;
    let paused: PauseChanged = one(&suite, &emitted);
    assert_eq!((paused.asset, paused.by), (t6, ferdie()));
    assert_eq!(paused.paused, user_actions());
    assert_eq!(
        suite.market(&mut client, t6).await?.market.paused,
        user_actions()
    );

    approve(&mut client, &dave_keys, t6, suite.pool_id, usd(1_000)).await?;
    let supply = refused(
        &mut client,
        &dave_keys,
        &suite.pool.supply(t6, usd(1_000), dave()),
    )
    .await?;
    assert_eq!(supply, Err(PoolError::ActionPaused));
    let withdraw = refused(
        &mut client,
        &dave_keys,
        &suite.pool.withdraw(t6, usd(1), dave()),
    )
    .await?;
    assert_eq!(withdraw, Err(PoolError::ActionPaused));
    let borrow = refused(&mut client, &bob_keys, &suite.pool.borrow(t6, usd(1))).await?;
    assert_eq!(borrow, Err(PoolError::ActionPaused));
    // Repay is never paused: 12,000 - 240 = 11,760 left.
    let emitted = suite
        .repay(&mut client, &bob_keys, t6, usd(240), usd(240))
        .await?;
    assert_eq!(one::<Repaid>(&suite, &emitted).amount, usd(240));
    // The other markets are untouched.
    approve(&mut client, &bob_keys, t18, suite.pool_id, eth(1)).await?;
    let other = dry(
        &mut client,
        &bob_keys,
        &suite.pool.supply(t18, eth(1), bob()),
    )
    .await?;
    assert_eq!(other, Ok(()));
    // The guardian cannot unpause.
    let unpause = refused(
        &mut client,
        &ink_e2e::ferdie(),
        &suite.pool.unpause(t6, user_actions()),
    )
    .await?;
    assert_eq!(unpause, Err(PoolError::NotGovernance));
    assert_eq!(
        suite.market(&mut client, t6).await?.market.paused,
        user_actions()
    );

    // Bob becomes liquidatable (the numbers of the liquidation test); once the feeds'
    // own grace since they turned Ok is over, a liquidation is possible.
    suite.set_price(&mut client, t18, 1_400 * DOLLAR).await?;
    let ok_since = suite
        .price(&mut client, t6)
        .await?
        .ok_since_secs
        .max(suite.price(&mut client, t18).await?.ok_since_secs);
    wait_until(&mut client, ok_since + GRACE_SECS).await;
    let liquidation = suite.pool.liquidate(bob(), t6, t18, u128::MAX, 0);
    let possible = dry(&mut client, &charlie_keys, &liquidation).await?;
    assert_eq!(possible, Ok((usd(5_880), 4_389 * unit(15))));

    // Governance unpauses the user actions: liquidation never stopped, so no grace
    // period starts (audit L-6) and the liquidation stays possible.
    let grace_before = suite
        .market(&mut client, t6)
        .await?
        .market
        .liquidation_grace_until_secs;
    let (_, emitted) = send(
        &mut client,
        &ink_e2e::alice(),
        &suite.pool.unpause(t6, user_actions()),
    )
    .await?;
    let view = suite.market(&mut client, t6).await?;
    assert_eq!(view.market.paused, PauseFlags::default());
    assert_eq!(view.market.liquidation_grace_until_secs, grace_before);
    let unpaused: PauseChanged = one(&suite, &emitted);
    assert_eq!(
        (
            unpaused.by,
            unpaused.paused,
            unpaused.liquidation_grace_until_secs
        ),
        (alice(), PauseFlags::default(), grace_before)
    );
    let still_possible = dry(&mut client, &charlie_keys, &liquidation).await?;
    assert_eq!(still_possible, Ok((usd(5_880), 4_389 * unit(15))));

    // The guardian pauses liquidation and governance resumes it: the grace period runs
    // from the unpause's block, so borrowers act before liquidators.
    let liquidation_only = PauseFlags {
        liquidate: true,
        ..PauseFlags::default()
    };
    send(
        &mut client,
        &ink_e2e::ferdie(),
        &suite.pool.pause(t6, liquidation_only),
    )
    .await?
    .0
    .map_err(describe)?;
    assert_eq!(
        refused(&mut client, &charlie_keys, &liquidation).await?,
        Err(PoolError::ActionPaused)
    );
    let (_, emitted) = send(
        &mut client,
        &ink_e2e::alice(),
        &suite.pool.unpause(t6, liquidation_only),
    )
    .await?;
    let view = suite.market(&mut client, t6).await?;
    let unpaused_at = view.market.state.last_accrual_secs;
    assert_eq!(view.market.paused, PauseFlags::default());
    assert_eq!(
        view.market.liquidation_grace_until_secs,
        unpaused_at + GRACE_SECS
    );
    let unpaused: PauseChanged = one(&suite, &emitted);
    assert_eq!(
        (unpaused.by, unpaused.paused),
        (alice(), PauseFlags::default())
    );
    assert_eq!(
        unpaused.liquidation_grace_until_secs,
        unpaused_at + GRACE_SECS
    );
    let waiting = refused(&mut client, &charlie_keys, &liquidation).await?;
    assert_eq!(waiting, Err(PoolError::LiquidationGracePeriod));
    let supply = dry(
        &mut client,
        &dave_keys,
        &suite.pool.supply(t6, usd(1_000), dave()),
    )
    .await?;
    assert_eq!(supply, Ok(()), "users act first");

    wait_until(&mut client, unpaused_at + GRACE_SECS).await;
    let (_, emitted) = send(&mut client, &charlie_keys, &liquidation).await?;
    let liquidated: Liquidated = one(&suite, &emitted);
    assert_eq!(
        (
            liquidated.repaid,
            liquidated.collateral_seized,
            liquidated.protocol_fee
        ),
        (usd(5_880), 4_410 * unit(15), 21 * unit(15))
    );
    assert_eq!(
        balance(&mut client, t18, charlie()).await?,
        4_389 * unit(15)
    );
    Ok(())
}

/// Bob (no role) is refused every governance message with `NotGovernance` and `pause`
/// with `NotGuardian`; the guardian is refused governance's messages too. Governance
/// itself cannot withdraw more than the reserves, which here grow from interest.
#[carrack_e2e::test]
async fn outsiders_cannot_administer_and_reserves_cannot_be_overdrawn(
    mut client: NodeClient,
) -> E2EResult<()> {
    let config = SuiteConfig::default().with_rate_model(flat_rate_model(HIGH_RATE_WAD));
    let mut suite = Suite::deploy(&mut client, config).await?;
    let t6 = suite.t6;
    let (bob_keys, ferdie_keys) = (ink_e2e::bob(), ink_e2e::ferdie());
    let not_governance = Err(PoolError::NotGovernance);
    let not_admin = Err(AdminError::NotGovernance);
    let unlisted = AccountId::from([7u8; 32]);
    let pool_params = PoolParams {
        liquidation_grace_secs: 0,
        dust_value_wad: 0,
    };

    for who in [&bob_keys, &ferdie_keys] {
        let pool = &mut suite.pool;
        assert_eq!(
            dry(
                &mut client,
                who,
                &pool.list_market(unlisted, market_params(6), usd(1_000))
            )
            .await?,
            not_governance
        );
        assert_eq!(
            dry(
                &mut client,
                who,
                &pool.set_market_params(t6, market_params(6))
            )
            .await?,
            not_governance
        );
        assert_eq!(
            dry(&mut client, who, &pool.withdraw_reserves(t6, 1, bob())).await?,
            not_governance
        );
        assert_eq!(
            dry(&mut client, who, &pool.set_pool_params(pool_params)).await?,
            not_governance
        );
        assert_eq!(
            dry(&mut client, who, &pool.set_oracle(bob())).await?,
            not_governance
        );
        assert_eq!(
            dry(&mut client, who, &pool.unpause(t6, PauseFlags::ALL)).await?,
            not_governance
        );
        assert_eq!(
            dry(&mut client, who, &pool.set_guardian(bob())).await?,
            not_admin
        );
        assert_eq!(
            dry(&mut client, who, &pool.nominate_governance(Some(bob()))).await?,
            not_admin
        );
        assert_eq!(
            dry(&mut client, who, &pool.set_code_hash([9u8; 32].into())).await?,
            not_admin
        );
        assert_eq!(
            dry(&mut client, who, &pool.accept_governance()).await?,
            Err(AdminError::NotPendingGovernance)
        );
    }
    assert_eq!(
        dry(
            &mut client,
            &bob_keys,
            &suite.pool.pause(t6, PauseFlags::ALL)
        )
        .await?,
        Err(PoolError::NotGuardian)
    );
    // On chain too, and nothing changed.
    assert_eq!(
        refused(&mut client, &bob_keys, &suite.pool.set_guardian(bob())).await?,
        not_admin
    );
    assert_eq!(
        refused(
            &mut client,
            &bob_keys,
            &suite.pool.nominate_governance(Some(bob()))
        )
        .await?,
        not_admin
    );
    assert_eq!(
        refused(&mut client, &bob_keys, &suite.pool.set_oracle(bob())).await?,
        not_governance
    );
    assert_eq!(
        refused(
            &mut client,
            &bob_keys,
            &suite.pool.pause(t6, PauseFlags::ALL)
        )
        .await?,
        Err(PoolError::NotGuardian)
    );
    let roles = dry(&mut client, &bob_keys, &suite.pool.admin_roles()).await?;
    assert_eq!(roles, AdminRoles::new(alice(), ferdie()));
    let settings = dry(&mut client, &bob_keys, &suite.pool.settings()).await?;
    assert_eq!(settings, (suite.oracle_id, config.pool_params));
    assert_eq!(
        suite.market(&mut client, t6).await?.market.paused,
        PauseFlags::default()
    );

    // Reserves from interest: 10,000 borrowed at 2e-7 per second, a tenth to reserves.
    suite.fund(&mut client, t6, dave(), usd(20_000)).await?;
    suite
        .supply(&mut client, &ink_e2e::dave(), t6, usd(20_000))
        .await?;
    suite.fund(&mut client, suite.t18, bob(), eth(10)).await?;
    suite
        .supply(&mut client, &bob_keys, suite.t18, eth(10))
        .await?;
    suite
        .borrow(&mut client, &bob_keys, t6, usd(10_000))
        .await?;
    let borrowed_at = suite
        .market(&mut client, t6)
        .await?
        .market
        .state
        .last_accrual_secs;
    let cash_out = usd(1_000) + usd(20_000) - usd(10_000);
    wait_until(&mut client, now_secs() + 3).await;
    let view = suite.market(&mut client, t6).await?;
    let reserves = view.market.state.reserves;
    let expected = model::accrue(
        usd(10_000),
        cash_out,
        HIGH_RATE_WAD,
        RESERVE_FACTOR_WAD,
        view.market.state.last_accrual_secs - borrowed_at,
    );
    assert_eq!(reserves, expected.reserve_share);
    assert!(reserves > 0);

    // Both dry runs run at the block the reserves were read at.
    let alice_keys = ink_e2e::alice();
    let overdraw = dry(
        &mut client,
        &alice_keys,
        &suite.pool.withdraw_reserves(t6, reserves + 1, alice()),
    )
    .await?;
    assert_eq!(
        overdraw,
        Err(PoolError::Core(CoreError::InsufficientReserves))
    );
    let exact = dry(
        &mut client,
        &alice_keys,
        &suite.pool.withdraw_reserves(t6, reserves, alice()),
    )
    .await?;
    assert_eq!(exact, Ok(()));

    let alice_before = balance(&mut client, t6, alice()).await?;
    let (_, emitted) = send(
        &mut client,
        &alice_keys,
        &suite.pool.withdraw_reserves(t6, reserves, alice()),
    )
    .await?;
    let withdrawn: ReservesWithdrawn = one(&suite, &emitted);
    assert_eq!(
        (withdrawn.asset, withdrawn.to, withdrawn.amount),
        (t6, alice(), reserves)
    );
    assert_eq!(
        balance(&mut client, t6, alice()).await?,
        alice_before + reserves
    );
    // What accrued since the read stays: the reserve share up to the withdrawal's block.
    let view = suite.market(&mut client, t6).await?;
    let at_withdrawal = model::accrue(
        usd(10_000),
        cash_out,
        HIGH_RATE_WAD,
        RESERVE_FACTOR_WAD,
        view.market.state.last_accrual_secs - borrowed_at,
    );
    assert_eq!(
        view.market.state.reserves,
        at_withdrawal.reserve_share - reserves
    );
    assert_eq!(
        one::<InterestAccrued>(&suite, &emitted)
            .accrual
            .reserve_share,
        at_withdrawal.reserve_share
    );
    Ok(())
}

/// The scaled (supply, debt) of a position in `asset` in an account view; zeros without
/// one.
fn scaled(view: &AccountView, asset: AccountId) -> (u128, u128) {
    view.positions
        .iter()
        .find(|p| p.position.asset == asset)
        .map_or((0, 0), |p| {
            (p.position.scaled_supply, p.position.scaled_debt)
        })
}
