//! # A10: access control, code upgrades and storage layout drift
//!
//! **The attack.** One admin message left open is enough: raise a market's LTV, point the
//! pool at a fake oracle, set an emergency price, add oneself as a reporter, withdraw
//! the reserves, mint the test tokens, take governance during a handover, or replace a
//! contract's code with one that sends everything to the attacker. An upgrade by the
//! rightful governance can also go wrong: new code that reads the old storage at
//! different keys sees empty balances.
//!
//! **Precedents.** Starlay Finance's audit fixes for an unauthorised price-oracle
//! configuration (#149), unauthorised delegate-allowance changes (#150) and gateway funds
//! anyone could take (#153); the Poly Network hack (August 2021, about 611 M USD: a
//! cross-chain call reached the function that replaces the keepers); Uranium Finance (April
//! 2021, about 50 M USD: an upgrade changed a constant its balance check depended on).
//!
//! **Why it fails here.** Every admin message checks its role first and returns a
//! precise error (`NotGovernance`, `NotGuardian`, `NotPendingGovernance`,
//! `CallerIsNotMinter`); the guardian can only stop things; governance moves in two
//! steps (nominate, accept). Code can only be replaced by governance (the timelock, in
//! production), and the pool's and the oracle's upgrade-sensitive storage sits under
//! fixed `ManualKey`s, so a new build reads the same cells: replacing the pool's code
//! through a proposal keeps every balance (`e2e/tests/governance.rs`:
//! `a_code_upgrade_through_a_proposal_keeps_every_balance`).

use carrack_e2e::suite::*;
use carrack_interfaces::{
    AdminError, AdminRoles, Governed, OracleError, PSP22Error, PSP22Mintable, PSP22,
};
use carrack_oracle::feed::FeedUpdate;
use carrack_pool::error::PoolError;
use carrack_pool::market::PauseFlags;
use carrack_pool::params::PoolParams;
use ink::codegen::TraitCallBuilder;
use ink::env::DefaultEnvironment;
use ink_e2e::ContractsBackend;

/// Eve, a price reporter and a user, tries every admin message of the pool, the oracle
/// and a token on chain, including a code replacement with a contract of her own and a
/// governance handover in progress. Each is refused with its precise error and the
/// suite's roles, settings, markets, feeds and balances are exactly as before.
#[carrack_e2e::test]
async fn an_outsider_reaches_no_admin_power(mut client: NodeClient) -> E2EResult<()> {
    let config = SuiteConfig::default().with_rate_model(zero_rate_model());
    let mut suite = Suite::deploy(&mut client, config).await?;
    let (usd, eth) = (suite.t6, suite.t18);
    let attacker = ink_e2e::eve();
    // A governance handover is in progress: Alice has nominated Bob.
    send(
        &mut client,
        &ink_e2e::alice(),
        &suite.pool.nominate_governance(Some(bob())),
    )
    .await?
    .0
    .map_err(describe)?;
    let markets_before = [
        timeless(suite.market(&mut client, usd).await?),
        timeless(suite.market(&mut client, eth).await?),
    ];
    let feed_before = dry(&mut client, &attacker, &suite.oracle.feed_info(eth)).await?;
    let settings_before = dry(&mut client, &attacker, &suite.pool.settings()).await?;
    // Her own code, uploaded: a contract that would do whatever she wants with the
    // pool's storage if the pool ran it.
    let evil_code = client
        .upload("carrack_hostile_token", &attacker)
        .submit()
        .await?
        .code_hash;

    // The pool.
    let not_governance = Err(PoolError::NotGovernance);
    let mut generous = market_params(18);
    generous.config.ltv_wad = 99 * WAD / 100;
    generous.config.liquidation_threshold_wad = 995 * WAD / 1_000;
    let pool = &mut suite.pool;
    let pool_refusals = [
        refused(
            &mut client,
            &attacker,
            &pool.set_market_params(eth, generous),
        )
        .await?,
        refused(
            &mut client,
            &attacker,
            &pool.withdraw_reserves(usd, 1, eve()),
        )
        .await?,
        refused(&mut client, &attacker, &pool.set_oracle(eve())).await?,
        refused(
            &mut client,
            &attacker,
            &pool.set_pool_params(PoolParams {
                liquidation_grace_secs: 0,
                dust_value_wad: 0,
            }),
        )
        .await?,
        refused(&mut client, &attacker, &pool.unpause(usd, PauseFlags::ALL)).await?,
        refused(
            &mut client,
            &attacker,
            &pool.list_market(eve(), market_params(6), unit(6)),
        )
        .await?,
    ];
    assert!(
        pool_refusals.iter().all(|r| *r == not_governance),
        "{pool_refusals:?}"
    );
    assert_eq!(
        refused(&mut client, &attacker, &pool.pause(usd, PauseFlags::ALL)).await?,
        Err(PoolError::NotGuardian)
    );
    let admin_refusals = [
        refused(&mut client, &attacker, &pool.set_code_hash(evil_code)).await?,
        refused(&mut client, &attacker, &pool.set_guardian(eve())).await?,
        refused(
            &mut client,
            &attacker,
            &pool.nominate_governance(Some(eve())),
        )
        .await?,
    ];
    assert_eq!(admin_refusals, [Err(AdminError::NotGovernance); 3]);
    assert_eq!(
        refused(&mut client, &attacker, &pool.accept_governance()).await?,
        Err(AdminError::NotPendingGovernance),
        "the handover is Bob's to accept, not hers"
    );

    // The oracle: she is a reporter, not its governance or guardian.
    let oracle = &mut suite.oracle;
    let oracle_refusals = [
        refused(
            &mut client,
            &attacker,
            &oracle.update_feed(eth, FeedUpdate::EmergencyPrice(1_000_000 * DOLLAR)),
        )
        .await?,
        refused(
            &mut client,
            &attacker,
            &oracle.update_feed(
                eth,
                FeedUpdate::Reporter {
                    reporter: charlie(),
                    active: true,
                },
            ),
        )
        .await?,
        refused(
            &mut client,
            &attacker,
            &oracle.update_feed(
                eth,
                FeedUpdate::Reporter {
                    reporter: eve(),
                    active: false,
                },
            ),
        )
        .await?,
        refused(
            &mut client,
            &attacker,
            &oracle.update_feed(eth, FeedUpdate::Config(feed_config(1))),
        )
        .await?,
        refused(
            &mut client,
            &attacker,
            &oracle.update_feed(eth, FeedUpdate::Remove),
        )
        .await?,
        refused(
            &mut client,
            &attacker,
            &oracle.update_feed(eth, FeedUpdate::Frozen(false)),
        )
        .await?,
    ];
    assert!(
        oracle_refusals
            .iter()
            .all(|r| *r == Err(OracleError::NotGovernance)),
        "{oracle_refusals:?}"
    );
    assert_eq!(
        refused(
            &mut client,
            &attacker,
            &oracle.update_feed(eth, FeedUpdate::Frozen(true))
        )
        .await?,
        Err(OracleError::NotGuardian)
    );
    let oracle_admin = [
        refused(&mut client, &attacker, &oracle.set_code_hash(evil_code)).await?,
        refused(&mut client, &attacker, &oracle.set_guardian(eve())).await?,
    ];
    assert_eq!(oracle_admin, [Err(AdminError::NotGovernance); 2]);

    // A token: Alice is its minter.
    let mut token: ink::contract_ref!(PSP22Mintable, DefaultEnvironment) = usd.into();
    let mint = token.call_mut().mint(eve(), 1_000_000 * unit(6));
    assert_eq!(
        refused(&mut client, &attacker, &mint).await?,
        Err(PSP22Error::CallerIsNotMinter)
    );

    // Everything is as it was, and Eve holds nothing.
    let roles = dry(&mut client, &attacker, &suite.pool.admin_roles()).await?;
    assert_eq!(
        roles,
        AdminRoles {
            pending_governance: Some(bob()),
            ..AdminRoles::new(alice(), ferdie())
        }
    );
    let oracle_roles = dry(&mut client, &attacker, &suite.oracle.admin_roles()).await?;
    assert_eq!(oracle_roles, AdminRoles::new(alice(), ferdie()));
    assert_eq!(
        dry(&mut client, &attacker, &suite.pool.settings()).await?,
        settings_before
    );
    assert_eq!(
        dry(&mut client, &attacker, &suite.oracle.feed_info(eth)).await?,
        feed_before
    );
    let markets_after = [
        timeless(suite.market(&mut client, usd).await?),
        timeless(suite.market(&mut client, eth).await?),
    ];
    assert_eq!(markets_after, markets_before);
    let token: ink::contract_ref!(PSP22, DefaultEnvironment) = usd.into();
    assert_eq!(
        dry(&mut client, &attacker, &token.call().total_supply()).await?,
        SUPPLY_WHOLE_TOKENS * unit(6)
    );
    for asset in suite.tokens() {
        assert_eq!(balance(&mut client, asset, eve()).await?, 0);
    }
    Ok(())
}
