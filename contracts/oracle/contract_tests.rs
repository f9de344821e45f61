//! `#[ink::test]`s of the oracle's messages: who may call what, the block clock, reads
//! and the events emitted.

use crate::feed::FeedConfig;
use crate::oracle::{Oracle, MAX_FEEDS};
use carrack_interfaces::{AdminError, FeedStatus, Governed, OracleError, PriceOracle};
use ink::env::test::{self, DefaultAccounts};
use ink::env::DefaultEnvironment;
use ink::primitives::{AccountId, Hash};

const NOW_SECS: u64 = 1_700_000_000;

fn accounts() -> DefaultAccounts<DefaultEnvironment> {
    test::default_accounts::<DefaultEnvironment>()
}

fn set_caller(caller: AccountId) {
    test::set_caller::<DefaultEnvironment>(caller);
}

fn set_now(secs: u64) {
    test::set_block_timestamp::<DefaultEnvironment>(secs * 1_000);
}

fn asset(n: u8) -> AccountId {
    AccountId::from([0xA0 + n; 32])
}

fn config() -> FeedConfig {
    FeedConfig {
        quorum: 3,
        heartbeat_secs: 3_600,
        round_window_secs: 600,
        min_price: 1,
        max_price: u128::MAX,
        max_deviation_wad: 200_000_000_000_000_000,
        decimals: 8,
    }
}

/// Alice governs, Bob guards; Charlie, Django and Eve report on asset 1.
fn deploy() -> Oracle {
    let a = accounts();
    set_now(NOW_SECS);
    set_caller(a.alice);
    let mut oracle = Oracle::new(a.alice, a.bob);
    oracle
        .add_feed(asset(1), config(), vec![a.charlie, a.django, a.eve])
        .unwrap();
    oracle
}

fn report_round(oracle: &mut Oracle, price: u128, observed_at: u64) {
    let a = accounts();
    for reporter in [a.charlie, a.django, a.eve] {
        set_caller(reporter);
        oracle.submit(asset(1), price, observed_at).unwrap();
    }
}

#[ink::test]
fn a_quorum_round_sets_the_price_read_by_price_and_prices() {
    let mut oracle = deploy();
    assert_eq!(oracle.price(asset(1)), Err(OracleError::NoPrice));
    report_round(&mut oracle, 2_000 * 100_000_000, NOW_SECS);
    let data = oracle.price(asset(1)).unwrap();
    assert_eq!(data.value, 2_000 * 100_000_000);
    assert_eq!(data.decimals, 8);
    assert_eq!(data.updated_at_secs, NOW_SECS);
    assert_eq!(data.status, FeedStatus::Ok);
    assert_eq!(oracle.prices(vec![asset(1), asset(1)]).unwrap().len(), 2);
    assert_eq!(
        oracle.prices(vec![asset(1), asset(2)]),
        Ok(vec![Ok(data), Err(OracleError::UnknownFeed)]),
        "one answer per asset"
    );
    assert_eq!(
        oracle.prices(vec![asset(1); MAX_FEEDS + 1]),
        Err(OracleError::TooManyAssets)
    );
    // 3 submissions, 1 accepted price, 1 status change, plus the setup's 4 events.
    assert_eq!(test::recorded_events().count(), 4 + 3 + 2);
}

#[ink::test]
fn the_price_goes_stale_after_the_heartbeat_and_stays_readable() {
    let mut oracle = deploy();
    report_round(&mut oracle, 100, NOW_SECS);
    set_now(NOW_SECS + 3_601);
    let data = oracle.price(asset(1)).unwrap();
    assert_eq!((data.value, data.status), (100, FeedStatus::Stale));
}

#[ink::test]
fn only_reporters_submit() {
    let mut oracle = deploy();
    set_caller(accounts().frank);
    assert_eq!(
        oracle.submit(asset(1), 100, NOW_SECS),
        Err(OracleError::NotReporter)
    );
    assert_eq!(
        oracle.submit(asset(2), 100, NOW_SECS),
        Err(OracleError::UnknownFeed)
    );
}

#[ink::test]
fn admin_messages_are_governance_only() {
    let mut oracle = deploy();
    let a = accounts();
    for caller in [a.bob, a.charlie, a.frank] {
        set_caller(caller);
        assert_eq!(
            oracle.add_feed(asset(2), config(), vec![a.charlie, a.django, a.eve]),
            Err(OracleError::NotGovernance)
        );
        assert_eq!(
            oracle.remove_feed(asset(1)),
            Err(OracleError::NotGovernance)
        );
        assert_eq!(
            oracle.set_feed_config(asset(1), config()),
            Err(OracleError::NotGovernance)
        );
        assert_eq!(
            oracle.add_reporter(asset(1), a.frank),
            Err(OracleError::NotGovernance)
        );
        assert_eq!(
            oracle.remove_reporter(asset(1), a.eve),
            Err(OracleError::NotGovernance)
        );
        assert_eq!(oracle.unfreeze(asset(1)), Err(OracleError::NotGovernance));
        assert_eq!(
            oracle.set_emergency_price(asset(1), 5),
            Err(OracleError::NotGovernance)
        );
        assert_eq!(
            oracle.nominate_governance(Some(caller)),
            Err(AdminError::NotGovernance)
        );
        assert_eq!(oracle.set_guardian(caller), Err(AdminError::NotGovernance));
        assert_eq!(
            oracle.set_code_hash(Hash::from([7; 32])),
            Err(AdminError::NotGovernance)
        );
    }
}

#[ink::test]
fn guardian_freezes_but_cannot_unfreeze() {
    let mut oracle = deploy();
    let a = accounts();
    report_round(&mut oracle, 100, NOW_SECS);
    set_caller(a.frank);
    assert_eq!(oracle.freeze(asset(1)), Err(OracleError::NotGuardian));
    set_caller(a.bob);
    oracle.freeze(asset(1)).unwrap();
    assert_eq!(oracle.price(asset(1)).unwrap().status, FeedStatus::Frozen);
    assert_eq!(oracle.unfreeze(asset(1)), Err(OracleError::NotGovernance));
    set_caller(a.charlie);
    assert_eq!(
        oracle.submit(asset(1), 100, NOW_SECS + 1),
        Err(OracleError::FeedFrozen)
    );
    set_caller(a.alice);
    oracle.unfreeze(asset(1)).unwrap();
    assert_eq!(oracle.price(asset(1)).unwrap().status, FeedStatus::Ok);
}

#[ink::test]
fn emergency_price_is_marked() {
    let mut oracle = deploy();
    set_caller(accounts().alice);
    oracle.set_emergency_price(asset(1), 42).unwrap();
    let data = oracle.price(asset(1)).unwrap();
    assert_eq!((data.value, data.status), (42, FeedStatus::Emergency));
}

#[ink::test]
fn feeds_are_bounded_unique_and_removable() {
    let mut oracle = deploy();
    let a = accounts();
    set_caller(a.alice);
    assert_eq!(
        oracle.add_feed(asset(1), config(), vec![a.charlie, a.django, a.eve]),
        Err(OracleError::FeedExists)
    );
    for n in 2..=MAX_FEEDS {
        let id = AccountId::from([n as u8; 32]);
        oracle
            .add_feed(id, config(), vec![a.charlie, a.django, a.eve])
            .unwrap();
    }
    assert_eq!(oracle.assets().len(), MAX_FEEDS);
    assert_eq!(
        oracle.add_feed(asset(9), config(), vec![a.charlie, a.django, a.eve]),
        Err(OracleError::TooManyFeeds)
    );
    oracle.remove_feed(asset(1)).unwrap();
    assert_eq!(oracle.assets().len(), MAX_FEEDS - 1);
    assert_eq!(oracle.price(asset(1)), Err(OracleError::UnknownFeed));
    assert_eq!(oracle.remove_feed(asset(1)), Err(OracleError::UnknownFeed));
}

#[ink::test]
fn governance_moves_in_two_steps() {
    let mut oracle = deploy();
    let a = accounts();
    set_caller(a.alice);
    oracle.nominate_governance(Some(a.frank)).unwrap();
    assert_eq!(oracle.admin_roles().pending_governance, Some(a.frank));
    set_caller(a.bob);
    assert_eq!(
        oracle.accept_governance(),
        Err(AdminError::NotPendingGovernance)
    );
    set_caller(a.frank);
    oracle.accept_governance().unwrap();
    assert_eq!(oracle.admin_roles().governance, a.frank);
    assert_eq!(oracle.admin_roles().pending_governance, None);
    set_caller(a.alice);
    assert_eq!(oracle.set_guardian(a.alice), Err(AdminError::NotGovernance));
    assert_eq!(oracle.unfreeze(asset(1)), Err(OracleError::NotGovernance));
    set_caller(a.frank);
    oracle.set_guardian(a.django).unwrap();
    assert_eq!(oracle.admin_roles().guardian, a.django);
}

#[ink::test]
fn reporters_and_config_can_be_changed_by_governance() {
    let mut oracle = deploy();
    let a = accounts();
    set_caller(a.alice);
    oracle.add_reporter(asset(1), a.frank).unwrap();
    assert_eq!(oracle.feed_info(asset(1)).unwrap().reporters.len(), 4);
    oracle.remove_reporter(asset(1), a.eve).unwrap();
    assert_eq!(
        oracle.remove_reporter(asset(1), a.charlie),
        Err(OracleError::InvalidQuorum),
        "three reporters left for quorum 3"
    );
    let mut relaxed = config();
    relaxed.quorum = 1;
    assert_eq!(
        oracle.set_feed_config(asset(1), relaxed),
        Err(OracleError::InvalidQuorum),
        "one of three reporters would be a minority"
    );
    let mut longer = config();
    longer.heartbeat_secs = 7_200;
    oracle.set_feed_config(asset(1), longer).unwrap();
    assert_eq!(
        oracle.feed_info(asset(1)).unwrap().config.heartbeat_secs,
        7_200
    );
}

#[ink::test]
fn ok_since_follows_recoveries_through_unfreeze_and_heartbeat_changes() {
    let mut oracle = deploy();
    let a = accounts();
    report_round(&mut oracle, 100, NOW_SECS);
    assert_eq!(oracle.price(asset(1)).unwrap().ok_since_secs, NOW_SECS);

    set_now(NOW_SECS + 10);
    set_caller(a.bob);
    oracle.freeze(asset(1)).unwrap();
    set_now(NOW_SECS + 100);
    set_caller(a.alice);
    oracle.unfreeze(asset(1)).unwrap();
    let data = oracle.price(asset(1)).unwrap();
    assert_eq!(
        (data.status, data.ok_since_secs),
        (FeedStatus::Ok, NOW_SECS + 100)
    );
    assert_eq!(
        oracle.feed_info(asset(1)).unwrap().ok_since_secs,
        NOW_SECS + 100
    );

    // Stale after the heartbeat; a longer heartbeat makes it Ok again from now on.
    let later = NOW_SECS + 4_000;
    set_now(later);
    assert_eq!(oracle.price(asset(1)).unwrap().status, FeedStatus::Stale);
    let events_before = test::recorded_events().count();
    let mut longer = config();
    longer.heartbeat_secs = 7_200;
    oracle.set_feed_config(asset(1), longer).unwrap();
    let data = oracle.price(asset(1)).unwrap();
    assert_eq!((data.status, data.ok_since_secs), (FeedStatus::Ok, later));
    // FeedConfigured and FeedStatusChanged (Stale to Ok).
    assert_eq!(test::recorded_events().count(), events_before + 2);
}

#[ink::test]
fn prices_answers_each_asset_even_when_one_has_no_price() {
    let mut oracle = deploy();
    // Asset 1 has a feed but no price yet, asset 2 no feed at all.
    assert_eq!(
        oracle.prices(vec![asset(1), asset(2)]),
        Ok(vec![
            Err(OracleError::NoPrice),
            Err(OracleError::UnknownFeed)
        ])
    );
    report_round(&mut oracle, 2_000 * 100_000_000, NOW_SECS);
    let data = oracle.price(asset(1)).unwrap();
    assert_eq!(
        oracle.prices(vec![asset(2), asset(1)]),
        Ok(vec![Err(OracleError::UnknownFeed), Ok(data)])
    );
}
