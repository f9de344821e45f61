//! # A2: rounding-direction exploits
//!
//! **The attack.** Balances are kept as scaled units (amount / index); converting back
//! and forth rounds. If any conversion rounds in the user's favour, a loop of tiny
//! operations extracts one unit per round trip: supply an amount that mints a share
//! rounded up, withdraw a share's worth rounded up; borrow an amount whose debt rounds
//! down, repay it rounded down. Each trip is dust, but a script repeats it for free on a
//! cheap chain, and at a large index one unit of shares is worth many units of tokens.
//!
//! **Precedents.** Compound v2 forks' `redeemUnderlying` rounding, the last step of the
//! Hundred Finance (April 2023) and Sonne (May 2024) drains; Aave v3 up to 3.4 rounded
//! half-up both ways and moved to directional rounding in 3.5 after the review that the
//! `carrack-core` docs cite.
//!
//! **Why it fails here.** Every conversion rounds for the protocol: supply mints scaled
//! units rounded down, withdraw burns them rounded up, borrow records debt rounded up,
//! repay removes it rounded down (`carrack-core`'s rounding matrix, each cell tested in
//! `contracts/core/tests/rounding_matrix.rs` and as properties). Here the attacker runs
//! the loops on chain, in a market whose indices have grown, and ends with no more than
//! it started with.

use carrack_e2e::suite::*;

/// Interest fast enough (500 %/yr) that the indices move between blocks.
const RATE_PER_YEAR_WAD: u128 = 5 * WAD;

/// Bob loops supply/withdraw with amounts of 1 to 7 units and borrow/repay at the
/// minimum debt in an interest-bearing 6-decimal market; his wallet never grows.
#[carrack_e2e::test]
async fn tiny_round_trips_never_pay_the_attacker(mut client: NodeClient) -> E2EResult<()> {
    let config = SuiteConfig::default().with_rate_model(flat_rate_model(RATE_PER_YEAR_WAD));
    let mut suite = Suite::deploy(&mut client, config).await?;
    let (usd, eth) = (suite.t6, suite.t18);
    let attacker = ink_e2e::bob();

    // Interest: Charlie borrows against collateral so both indices of the USD market grow.
    suite
        .fund(&mut client, eth, charlie(), 10 * unit(18))
        .await?;
    suite
        .supply(&mut client, &ink_e2e::charlie(), eth, 10 * unit(18))
        .await?;
    let enabled = send(
        &mut client,
        &ink_e2e::charlie(),
        &suite.pool.enable_collateral(eth),
    )
    .await?
    .0;
    enabled.map_err(describe)?;
    suite
        .borrow(&mut client, &ink_e2e::charlie(), usd, 500 * unit(6))
        .await?;
    wait_until(&mut client, now_secs() + 3).await;
    let index_before = suite
        .market(&mut client, usd)
        .await?
        .market
        .state
        .supply_index_ray;
    assert!(
        index_before > RAY,
        "the supply index has grown ({index_before})"
    );

    // Supply/withdraw loop.
    suite.fund(&mut client, usd, bob(), 100 * unit(6)).await?;
    let start = balance(&mut client, usd, bob()).await?;
    let mut refused = 0;
    for amount in 1..=7u128 {
        approve(&mut client, &attacker, usd, suite.pool_id, amount).await?;
        let supply = suite.pool.supply(usd, amount, bob());
        if dry(&mut client, &attacker, &supply).await?.is_err() {
            refused += 1; // too small to mint a single scaled unit: refused, nothing moved
            continue;
        }
        send(&mut client, &attacker, &supply)
            .await?
            .0
            .map_err(describe)?;
        let withdrawn = send(
            &mut client,
            &attacker,
            &suite.pool.withdraw(usd, u128::MAX, bob()),
        )
        .await?
        .0;
        withdrawn.map_err(describe)?;
    }
    assert!(
        refused < 7,
        "every tiny supply was refused: the loop tested nothing"
    );
    let after_supply_loop = balance(&mut client, usd, bob()).await?;
    assert!(
        after_supply_loop <= start,
        "supply/withdraw paid the attacker: {start} -> {after_supply_loop} ({refused} refused)"
    );
    assert_eq!(
        suite
            .position(&mut client, bob(), usd)
            .await?
            .map(|p| p.supply)
            .unwrap_or(0),
        0
    );

    // Borrow/repay loop at the minimum debt (0.01 token), against ETH collateral.
    suite.fund(&mut client, eth, bob(), unit(18)).await?;
    suite.supply(&mut client, &attacker, eth, unit(18)).await?;
    send(&mut client, &attacker, &suite.pool.enable_collateral(eth))
        .await?
        .0
        .map_err(describe)?;
    let min_debt = unit(6) / 100;
    let before_borrow_loop = balance(&mut client, usd, bob()).await?;
    for _ in 0..5 {
        suite.borrow(&mut client, &attacker, usd, min_debt).await?;
        suite
            .repay(&mut client, &attacker, usd, u128::MAX, 2 * min_debt)
            .await?;
    }
    let after_borrow_loop = balance(&mut client, usd, bob()).await?;
    assert!(
        after_borrow_loop <= before_borrow_loop,
        "borrow/repay paid the attacker: {before_borrow_loop} -> {after_borrow_loop}"
    );
    let debt = suite
        .position(&mut client, bob(), usd)
        .await?
        .map(|p| p.debt)
        .unwrap_or(0);
    assert_eq!(debt, 0, "every repay with MAX cleared the debt");

    // The market is still solvent: its cash and debt cover every claim and the reserves.
    let view = suite.market(&mut client, usd).await?;
    assert!(
        view.market.state.cash + view.total_debt + view.market.state.deficit
            >= view.total_supply + view.market.state.reserves,
        "market insolvent after the loops: {view:?}"
    );
    assert!(view.market.state.supply_index_ray >= index_before);
    Ok(())
}
