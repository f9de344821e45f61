//! # A9: decimals and denomination errors
//!
//! **The attack.** Tokens carry 6, 12 or 18 decimals and prices their own decimals; a
//! value computed with the wrong exponent is off by a factor of a million or more. The
//! attacker deposits the token whose units are large (6 decimals) and borrows the one
//! whose units are tiny (18 decimals), or the other way round, looking for a conversion
//! that forgot a `10^decimals`; or gets a market listed (or re-parameterised) with
//! decimals that differ from the token's own, so that every amount is mis-scaled.
//!
//! **Precedents.** Starlay Finance's audit fixes "incorrect token denominations" (#171)
//! and "fix scaled borrow amount" (#169).
//!
//! **Why it fails here.** Prices are per whole token; a value is `amount * price /
//! 10^decimals` in one 256-bit step, with the decimals read from the market, which are
//! checked against the token's own `token_decimals` at listing (`DecimalsMismatch`) and
//! can never change afterwards (`DecimalsImmutable`).

use carrack_core::CoreError;
use carrack_e2e::suite::*;
use carrack_pool::error::PoolError;
use carrack_token::token::TokenRef;
use ink::primitives::AccountId;
use ink_e2e::{ContractsBackend, Keypair};

/// `who`'s limit for borrowing `asset`, which must be exactly `expected`, and the proof
/// of it: borrowing the limit plus `over` is refused, the limit itself is lent.
async fn borrow_exactly(
    client: &mut carrack_e2e::NodeClient,
    suite: &mut Suite,
    who: &Keypair,
    asset: AccountId,
    expected: u128,
    over: u128,
) -> E2EResult<()> {
    let limits = dry(client, who, &suite.pool.limits(id(who), asset))
        .await?
        .map_err(describe)?;
    assert_eq!(limits.max_borrow, expected, "the limit of {asset:?}");
    let greedy = suite.pool.borrow(asset, expected + over);
    assert_eq!(
        refused(client, who, &greedy).await?,
        Err(PoolError::Core(CoreError::InsufficientCollateral))
    );
    suite.borrow(client, who, asset, expected).await?;
    assert_eq!(balance(client, asset, id(who)).await?, expected);
    Ok(())
}

/// Charlie pledges 100 TUSD (6 decimals, 1 USD) and borrows TETH (18 decimals, 2,000
/// USD); Eve pledges 1 TETH and borrows TTWELVE (12 decimals, 10 USD). Each gets exactly
/// 75 % of the collateral's value in the other denomination (less one unit kept back for
/// rounding), and one millionth of a token more is refused. Governance cannot list a
/// token under the wrong decimals, nor change a market's decimals.
#[carrack_e2e::test]
async fn mixing_decimals_lends_exactly_the_value_and_not_a_unit_more(
    mut client: NodeClient,
) -> E2EResult<()> {
    let config = SuiteConfig::default().with_rate_model(zero_rate_model());
    let mut suite = Suite::deploy(&mut client, config).await?;
    let (t6, t12, t18) = (suite.t6, suite.t12, suite.t18);
    let (charlie_keys, eve_keys) = (ink_e2e::charlie(), ink_e2e::eve());

    // 100 TUSD = 100 USD, power 75 USD = 0.0375 TETH.
    suite
        .fund_and_supply(&mut client, &charlie_keys, t6, 100 * unit(6))
        .await?;
    let teth = 375 * unit(18) / 10_000 - 1;
    borrow_exactly(&mut client, &mut suite, &charlie_keys, t18, teth, unit(12)).await?;

    // 1 TETH = 2,000 USD, power 1,500 USD = 150 TTWELVE.
    suite
        .fund_and_supply(&mut client, &eve_keys, t18, unit(18))
        .await?;
    let ttwelve = 150 * unit(12) - 1;
    borrow_exactly(&mut client, &mut suite, &eve_keys, t12, ttwelve, unit(6)).await?;

    // Both at the edge of their power, in their quote value.
    for who in [charlie(), eve()] {
        let view = suite.account(&mut client, who).await?;
        assert!(view.debt_value_wad <= view.borrowing_power_wad);
        assert!(
            view.borrowing_power_wad - view.debt_value_wad < WAD / 1_000_000,
            "{who:?} keeps less than a millionth of a dollar of power: {view:?}"
        );
    }

    // A fresh 6-decimal token listed as if it had 18: refused before any money moves.
    let mut constructor = TokenRef::new(
        1_000_000 * unit(6),
        Some("Six".into()),
        Some("SIX".into()),
        6,
        Some(alice()),
    );
    let six = client
        .instantiate("carrack_token", &ink_e2e::alice(), &mut constructor)
        .submit()
        .await?
        .account_id;
    approve(
        &mut client,
        &ink_e2e::alice(),
        six,
        suite.pool_id,
        unit(6) * 1_000,
    )
    .await?;
    let mislisted = suite
        .pool
        .list_market(six, market_params(18), 1_000 * unit(6));
    assert_eq!(
        refused(&mut client, &ink_e2e::alice(), &mislisted).await?,
        Err(PoolError::DecimalsMismatch)
    );
    let redenominate = suite.pool.set_market_params(t6, market_params(18));
    assert_eq!(
        refused(&mut client, &ink_e2e::alice(), &redenominate).await?,
        Err(PoolError::DecimalsImmutable)
    );
    assert_eq!(balance(&mut client, six, suite.pool_id).await?, 0);
    Ok(())
}
