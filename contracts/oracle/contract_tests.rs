//! `#[ink::test]`s of the oracle's messages: who may call what, the block clock, reads
//! and the events emitted.

use crate::feed::{FeedChange, FeedConfig, FeedUpdate};
use crate::oracle::{FeedChanged, Oracle, PriceSubmitted, MAX_FEEDS};
use carrack_interfaces::{AdminError, FeedStatus, Governed, OracleError, PriceOracle};
use ink::env::test::{self, DefaultAccounts};
use ink::env::DefaultEnvironment;
use ink::env::Event;
use ink::primitives::{AccountId, Hash};
use ink::scale::Decode;

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

/// The data of every event recorded since the `skip` first: `(signature topic, asset,
/// rest of the data)`. Every oracle event's data starts with the asset.
fn events_since(skip: usize) -> Vec<(Vec<u8>, AccountId, Vec<u8>)> {
    test::recorded_events()
        .skip(skip)
        .map(|event| {
            let mut data = event.data.as_slice();
            let asset = AccountId::decode(&mut data).expect("starts with the asset");
            (event.topics[0].clone(), asset, data.to_vec())
        })
        .collect()
}

fn feed_change(event: &(Vec<u8>, AccountId, Vec<u8>)) -> Option<FeedChange> {
    FeedChange::decode(&mut event.2.as_slice())
        .ok()
        .filter(|_| {
            event.0
                == FeedChanged::SIGNATURE_TOPIC
                    .expect("not anonymous")
                    .to_vec()
        })
}

#[ink::test]
fn a_submission_is_reported_before_the_changes_it_caused_and_admin_changes_share_one_event() {
    let mut oracle = deploy();
    let a = accounts();
    let setup = events_since(0);
    // add_feed: the configuration, then each reporter, all as FeedChanged.
    assert_eq!(setup.len(), 4);
    assert_eq!(
        feed_change(&setup[0]),
        Some(FeedChange::Configured { config: config() })
    );
    assert_eq!(
        feed_change(&setup[3]),
        Some(FeedChange::ReporterChanged {
            reporter: a.eve,
            active: true
        })
    );
    report_round(&mut oracle, 100, NOW_SECS);
    let round = events_since(4);
    let submitted = PriceSubmitted::SIGNATURE_TOPIC
        .expect("not anonymous")
        .to_vec();
    // Each submission as PriceSubmitted (its topic is the reporter: the operator's
    // filter), the last followed by the round's verdict and the status change it made.
    assert_eq!(round.len(), 5);
    assert!(round[..3]
        .iter()
        .all(|event| event.0 == submitted && event.1 == asset(1)));
    assert_eq!(
        test::recorded_events()
            .nth(6)
            .expect("third submission")
            .topics[1],
        AsRef::<[u8]>::as_ref(&a.eve).to_vec()
    );
    assert_eq!(
        feed_change(&round[3]),
        Some(FeedChange::PriceAccepted {
            price: 100,
            updated_at_secs: NOW_SECS
        })
    );
    assert_eq!(
        feed_change(&round[4]),
        Some(FeedChange::StatusChanged {
            from: FeedStatus::Stale,
            to: FeedStatus::Ok
        })
    );
    set_caller(a.alice);
    oracle
        .update_feed(
            asset(1),
            FeedUpdate::Reporter {
                reporter: a.frank,
                active: true,
            },
        )
        .unwrap();
    oracle
        .update_feed(asset(1), FeedUpdate::EmergencyPrice(7))
        .unwrap();
    oracle.update_feed(asset(1), FeedUpdate::Remove).unwrap();
    let admin: Vec<_> = events_since(9).iter().map(feed_change).collect();
    assert_eq!(
        admin,
        vec![
            Some(FeedChange::ReporterChanged {
                reporter: a.frank,
                active: true
            }),
            Some(FeedChange::EmergencyPriceSet { price: 7 }),
            Some(FeedChange::StatusChanged {
                from: FeedStatus::Ok,
                to: FeedStatus::Emergency
            }),
            Some(FeedChange::Removed),
        ]
    );
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
            oracle.update_feed(asset(1), FeedUpdate::Remove),
            Err(OracleError::NotGovernance)
        );
        assert_eq!(
            oracle.update_feed(asset(1), FeedUpdate::Config(config())),
            Err(OracleError::NotGovernance)
        );
        assert_eq!(
            oracle.update_feed(
                asset(1),
                FeedUpdate::Reporter {
                    reporter: a.frank,
                    active: true
                }
            ),
            Err(OracleError::NotGovernance)
        );
        assert_eq!(
            oracle.update_feed(
                asset(1),
                FeedUpdate::Reporter {
                    reporter: a.eve,
                    active: false
                }
            ),
            Err(OracleError::NotGovernance)
        );
        assert_eq!(
            oracle.update_feed(asset(1), FeedUpdate::Frozen(false)),
            Err(OracleError::NotGovernance)
        );
        assert_eq!(
            oracle.update_feed(asset(1), FeedUpdate::EmergencyPrice(5)),
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
    assert_eq!(
        oracle.update_feed(asset(1), FeedUpdate::Frozen(true)),
        Err(OracleError::NotGuardian)
    );
    set_caller(a.bob);
    oracle
        .update_feed(asset(1), FeedUpdate::Frozen(true))
        .unwrap();
    assert_eq!(oracle.price(asset(1)).unwrap().status, FeedStatus::Frozen);
    assert_eq!(
        oracle.update_feed(asset(1), FeedUpdate::Frozen(false)),
        Err(OracleError::NotGovernance)
    );
    set_caller(a.charlie);
    assert_eq!(
        oracle.submit(asset(1), 100, NOW_SECS + 1),
        Err(OracleError::FeedFrozen)
    );
    set_caller(a.alice);
    oracle
        .update_feed(asset(1), FeedUpdate::Frozen(false))
        .unwrap();
    assert_eq!(oracle.price(asset(1)).unwrap().status, FeedStatus::Ok);
}

#[ink::test]
fn emergency_price_is_marked() {
    let mut oracle = deploy();
    set_caller(accounts().alice);
    oracle
        .update_feed(asset(1), FeedUpdate::EmergencyPrice(42))
        .unwrap();
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
    oracle.update_feed(asset(1), FeedUpdate::Remove).unwrap();
    assert_eq!(oracle.assets().len(), MAX_FEEDS - 1);
    assert_eq!(oracle.price(asset(1)), Err(OracleError::UnknownFeed));
    assert_eq!(
        oracle.update_feed(asset(1), FeedUpdate::Remove),
        Err(OracleError::UnknownFeed)
    );
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
    assert_eq!(
        oracle.update_feed(asset(1), FeedUpdate::Frozen(false)),
        Err(OracleError::NotGovernance)
    );
    set_caller(a.frank);
    oracle.set_guardian(a.django).unwrap();
    assert_eq!(oracle.admin_roles().guardian, a.django);
}

#[ink::test]
fn reporters_and_config_can_be_changed_by_governance() {
    let mut oracle = deploy();
    let a = accounts();
    set_caller(a.alice);
    oracle
        .update_feed(
            asset(1),
            FeedUpdate::Reporter {
                reporter: a.frank,
                active: true,
            },
        )
        .unwrap();
    assert_eq!(oracle.feed_info(asset(1)).unwrap().reporters.len(), 4);
    oracle
        .update_feed(
            asset(1),
            FeedUpdate::Reporter {
                reporter: a.eve,
                active: false,
            },
        )
        .unwrap();
    assert_eq!(
        oracle.update_feed(
            asset(1),
            FeedUpdate::Reporter {
                reporter: a.charlie,
                active: false
            }
        ),
        Err(OracleError::InvalidQuorum),
        "three reporters left for quorum 3"
    );
    let mut relaxed = config();
    relaxed.quorum = 1;
    assert_eq!(
        oracle.update_feed(asset(1), FeedUpdate::Config(relaxed)),
        Err(OracleError::InvalidQuorum),
        "one of three reporters would be a minority"
    );
    let mut longer = config();
    longer.heartbeat_secs = 7_200;
    oracle
        .update_feed(asset(1), FeedUpdate::Config(longer))
        .unwrap();
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
    oracle
        .update_feed(asset(1), FeedUpdate::Frozen(true))
        .unwrap();
    set_now(NOW_SECS + 100);
    set_caller(a.alice);
    oracle
        .update_feed(asset(1), FeedUpdate::Frozen(false))
        .unwrap();
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
    oracle
        .update_feed(asset(1), FeedUpdate::Config(longer))
        .unwrap();
    let data = oracle.price(asset(1)).unwrap();
    assert_eq!((data.status, data.ok_since_secs), (FeedStatus::Ok, later));
    // FeedChanged twice: Configured, then StatusChanged (Stale to Ok).
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
