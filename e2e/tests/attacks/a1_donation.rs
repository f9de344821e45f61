//! # A1: empty-market donation / first-depositor share inflation
//!
//! **The attack.** In a share-based market the share price is "assets held / shares".
//! The attacker becomes the first depositor with the smallest possible deposit (one unit
//! of assets for one share), then *donates* a large amount straight to the pool with a
//! plain token transfer. If the pool counts its token balance as assets, one share is now
//! worth the donation. The next depositor's shares are computed by rounding down, so a
//! deposit smaller than the share price mints zero (or one) shares; the attacker redeems
//! its single share for everything: its donation plus the victim's deposit.
//!
//! **Precedents.** Hundred Finance (April 2023, about 7 M USD: an emptied hWBTC market on
//! Optimism, donation, then rounding in `redeemUnderlying`), Sonne Finance (May 2024,
//! about 20 M USD: a newly listed market, the same pattern), Radiant Capital (January
//! 2024, about 4.5 M USD: a new market's liquidity index inflated by repeated flash-loan
//! deposits and rounding).
//!
//! **Why it fails here.** The pool never reads its own token balance: a market's `cash`
//! is internal bookkeeping changed only by the pool's own messages, so a donation is
//! invisible to the share price (the supply index moves only by interest accrual).
//! Listing also seeds every market with dead shares minted to nobody
//! ([`SEED_WHOLE_TOKENS`] whole tokens), so there is no empty market to begin with.
//!
//! The test runs the attack on the 18-decimal market with no interest (so "unchanged" is
//! exact) and checks that the victim gets its whole deposit back and the attacker loses
//! its donation.

use carrack_e2e::suite::*;
use carrack_pool::views::MarketView;

/// One whole token of the 18-decimal market.
const TOKEN: u128 = 1_000_000_000_000_000_000;

/// The share price inputs of a market: supply index, total scaled supply and cash.
fn share_price(view: &MarketView) -> (u128, u128, u128) {
    let state = &view.market.state;
    (
        state.supply_index_ray,
        state.total_scaled_supply,
        state.cash,
    )
}

/// Bob deposits one unit, donates 1,000 tokens to the pool, and Charlie deposits 999
/// tokens: the donation moves nothing, Charlie withdraws all 999 and Bob gets back his
/// one unit and loses the 1,000 he gave away.
#[carrack_e2e::test]
async fn a_donation_cannot_inflate_the_share_price(mut client: NodeClient) -> E2EResult<()> {
    let config = SuiteConfig::default().with_rate_model(zero_rate_model());
    let mut suite = Suite::deploy(&mut client, config).await?;
    let asset = suite.t18;
    let (attacker, victim) = (ink_e2e::bob(), ink_e2e::charlie());
    suite.fund(&mut client, asset, bob(), 1_001 * TOKEN).await?;
    suite
        .fund(&mut client, asset, charlie(), 999 * TOKEN)
        .await?;

    // 1. The smallest deposit: one unit.
    suite.supply(&mut client, &attacker, asset, 1).await?;
    let before_donation = suite.market(&mut client, asset).await?;

    // 2. The donation: a plain transfer to the pool.
    transfer(&mut client, &attacker, asset, suite.pool_id, 1_000 * TOKEN).await?;
    let after_donation = suite.market(&mut client, asset).await?;
    assert_eq!(
        share_price(&after_donation),
        share_price(&before_donation),
        "a donation must not change the supply index, the shares or the cash"
    );
    assert_eq!(after_donation.total_supply, before_donation.total_supply);

    // 3. The victim deposits just under the donation.
    suite
        .supply(&mut client, &victim, asset, 999 * TOKEN)
        .await?;
    let victim_supply = suite
        .position(&mut client, charlie(), asset)
        .await?
        .ok_or("the victim has no position")?
        .supply;
    assert_eq!(
        victim_supply,
        999 * TOKEN,
        "the victim's claim is its whole deposit"
    );

    // 4. The attacker redeems everything it has: its one unit, nothing more.
    let attacker_before = balance(&mut client, asset, bob()).await?;
    suite
        .withdraw(&mut client, &attacker, asset, u128::MAX)
        .await?;
    let attacker_after = balance(&mut client, asset, bob()).await?;
    assert!(
        attacker_after - attacker_before <= 1,
        "the attacker withdrew {} units for a deposit of 1",
        attacker_after - attacker_before
    );
    assert_eq!(
        attacker_after, TOKEN,
        "of Bob's 1,001 tokens the 1,000 donated are gone; he holds the rest and his unit"
    );

    // 5. The victim gets every unit back.
    suite
        .withdraw(&mut client, &victim, asset, u128::MAX)
        .await?;
    assert_eq!(balance(&mut client, asset, charlie()).await?, 999 * TOKEN);

    // The donated tokens sit in the pool outside every market's books: the seed's dead
    // shares and cash are exactly as listed.
    let end = suite.market(&mut client, asset).await?;
    assert_eq!(
        end.market.state.cash,
        SEED_WHOLE_TOKENS * TOKEN,
        "only the listing seed is left in the market's cash"
    );
    assert_eq!(
        balance(&mut client, asset, suite.pool_id).await?,
        SEED_WHOLE_TOKENS * TOKEN + 1_000 * TOKEN,
        "the donation is in the pool's wallet, not in anyone's claim"
    );
    Ok(())
}
