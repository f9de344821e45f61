//! `#[ink::test]`s of the pool's messages that need no other contract: who may call
//! which admin message, parameter bounds, pauses and the events they emit. Everything
//! that moves tokens or reads prices runs in the ink_e2e suite (`e2e/tests/pool.rs`).

use crate::error::PoolError;
use crate::market::PauseFlags;
use crate::params::{PoolParams, MAX_LIQUIDATION_GRACE_SECS};
use crate::pool::Pool;
use crate::test_fixtures::{params, ETH};
use carrack_core::CoreError;
use carrack_interfaces::{AdminError, AdminRoles, Governed};
use ink::env::test::{self, DefaultAccounts};
use ink::env::DefaultEnvironment;
use ink::primitives::{AccountId, Hash};

fn accounts() -> DefaultAccounts<DefaultEnvironment> {
    test::default_accounts::<DefaultEnvironment>()
}

fn set_caller(caller: AccountId) {
    test::set_caller::<DefaultEnvironment>(caller);
}

fn pool_params() -> PoolParams {
    PoolParams {
        liquidation_grace_secs: 3_600,
        dust_value_wad: 1_000_000_000_000_000_000,
    }
}

/// A pool governed by Alice, guarded by Bob, with Django as the oracle.
fn pool() -> Pool {
    let a = accounts();
    set_caller(a.alice);
    test::set_block_timestamp::<DefaultEnvironment>(1_700_000_000_000);
    // The pool's own address, distinct from every default account.
    test::set_callee::<DefaultEnvironment>(AccountId::from([0x50; 32]));
    Pool::new(a.alice, a.bob, a.django, pool_params()).unwrap()
}

fn emitted() -> usize {
    test::recorded_events().count()
}

#[ink::test]
fn constructor_checks_the_parameters() {
    let a = accounts();
    let bad = PoolParams {
        liquidation_grace_secs: MAX_LIQUIDATION_GRACE_SECS + 1,
        ..pool_params()
    };
    assert!(matches!(
        Pool::new(a.alice, a.bob, a.django, bad),
        Err(PoolError::InvalidPoolParams)
    ));
    let pool = pool();
    assert_eq!(pool.markets(), []);
    assert_eq!(pool.admin_roles(), AdminRoles::new(a.alice, a.bob));
    assert_eq!(pool.settings(), (a.django, pool_params()));
}

#[ink::test]
fn admin_messages_refuse_everyone_but_governance() {
    let a = accounts();
    let mut pool = pool();
    for caller in [a.bob, a.charlie] {
        set_caller(caller);
        let not_gov = Err(PoolError::NotGovernance);
        assert_eq!(pool.list_market(ETH, params(18), 1_000_000), not_gov);
        assert_eq!(pool.set_market_params(ETH, params(18)), not_gov);
        assert_eq!(pool.unpause(ETH, PauseFlags::ALL), not_gov);
        assert_eq!(pool.withdraw_reserves(ETH, 1, caller), not_gov);
        assert_eq!(pool.set_pool_params(pool_params()), not_gov);
        assert_eq!(pool.set_oracle(caller), not_gov);
        let not_admin = Err(AdminError::NotGovernance);
        assert_eq!(pool.nominate_governance(Some(caller)), not_admin);
        assert_eq!(pool.set_guardian(caller), not_admin);
        assert_eq!(pool.set_code_hash(Hash::from([7; 32])), not_admin);
        assert_eq!(
            pool.accept_governance(),
            Err(AdminError::NotPendingGovernance)
        );
    }
    set_caller(a.charlie);
    assert_eq!(
        pool.pause(ETH, PauseFlags::ALL),
        Err(PoolError::NotGuardian)
    );
    assert_eq!(emitted(), 0, "refused calls emit nothing");
}

#[ink::test]
fn governance_checks_bounds_and_markets() {
    let a = accounts();
    let mut pool = pool();
    let long = PoolParams {
        liquidation_grace_secs: MAX_LIQUIDATION_GRACE_SECS + 1,
        ..pool_params()
    };
    assert_eq!(
        pool.set_pool_params(long),
        Err(PoolError::InvalidPoolParams)
    );
    assert_eq!(
        pool.set_market_params(ETH, params(18)),
        Err(PoolError::UnknownMarket)
    );
    assert_eq!(
        pool.pause(ETH, PauseFlags::ALL),
        Err(PoolError::UnknownMarket)
    );
    assert_eq!(
        pool.withdraw_reserves(ETH, 1, a.alice),
        Err(PoolError::UnknownMarket)
    );
    let shorter = PoolParams {
        liquidation_grace_secs: 60,
        ..pool_params()
    };
    assert_eq!(pool.set_pool_params(shorter), Ok(()));
    assert_eq!(pool.set_oracle(a.eve), Ok(()));
    assert_eq!(pool.settings(), (a.eve, shorter));
    assert_eq!(emitted(), 2);
}

#[ink::test]
fn user_actions_on_unknown_markets_or_positions_are_refused_before_any_call() {
    let a = accounts();
    let mut pool = pool();
    set_caller(a.bob);
    assert_eq!(pool.supply(ETH, 1, a.bob), Err(PoolError::UnknownMarket));
    assert_eq!(pool.borrow(ETH, 1), Err(PoolError::UnknownMarket));
    assert_eq!(pool.withdraw(ETH, 1, a.bob), Err(PoolError::NoPosition));
    assert_eq!(
        pool.repay(ETH, 1, a.bob),
        Err(PoolError::Core(CoreError::NoDebt))
    );
    assert_eq!(pool.enable_collateral(ETH), Err(PoolError::NoPosition));
    assert_eq!(pool.disable_collateral(ETH), Err(PoolError::NoPosition));
    assert_eq!(
        pool.liquidate(a.bob, ETH, ETH, 1, 0),
        Err(PoolError::SelfLiquidation)
    );
    assert_eq!(
        pool.liquidate(a.charlie, ETH, ETH, 1, 0),
        Err(PoolError::Core(CoreError::NoDebt))
    );
    assert_eq!(pool.market(ETH), Err(PoolError::UnknownMarket));
    let view = pool.account(a.bob).unwrap();
    assert!(view.positions.is_empty());
    assert_eq!(view.health_factor_wad, u128::MAX);
}

#[ink::test]
fn governance_hands_over_in_two_steps_and_replaces_the_guardian() {
    let a = accounts();
    let mut pool = pool();
    assert_eq!(pool.nominate_governance(Some(a.charlie)), Ok(()));
    set_caller(a.bob);
    assert_eq!(
        pool.accept_governance(),
        Err(AdminError::NotPendingGovernance)
    );
    set_caller(a.charlie);
    assert_eq!(pool.accept_governance(), Ok(()));
    assert_eq!(pool.admin_roles(), AdminRoles::new(a.charlie, a.bob));
    assert_eq!(pool.set_guardian(a.eve), Ok(()));
    assert_eq!(pool.admin_roles().guardian, a.eve);
    set_caller(a.alice);
    assert_eq!(pool.set_guardian(a.alice), Err(AdminError::NotGovernance));
    // The old governance lost every power, the guardian never had administration.
    assert_eq!(
        pool.set_pool_params(pool_params()),
        Err(PoolError::NotGovernance)
    );
    assert_eq!(emitted(), 3);
}

#[ink::test]
fn nothing_is_sent_to_the_pool_itself() {
    let a = accounts();
    let mut pool = pool();
    let own = test::callee::<DefaultEnvironment>();
    // Governance (Alice) and any supplier are refused before anything is looked up.
    let refused = Err(PoolError::RecipientIsPool);
    assert_eq!(pool.withdraw_reserves(ETH, 1, own), refused);
    set_caller(a.bob);
    assert_eq!(pool.withdraw(ETH, 1, own), refused.map(|()| 0));
    assert_eq!(emitted(), 0);
}
