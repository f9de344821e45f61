//! The oracle findings of the December 2026 audit (H-2, M-1, M-2, L-2, I-1) as tests, on
//! the audit's production example: five reporters, quorum 3, round window 300 s,
//! heartbeat 1 h, deviation limit 10 %, BTC at 60,000 USD with 8 decimals. Reporters 1
//! and 2 are the colluders, 3, 4 and 5 the honest ones.
//!
//! The fault bound under test (see [`crate::feed`]): with at most `⌊(n − 1)/2⌋` = 2 liars
//! and every honest reporter submitting within the window of every round, every price
//! the feed accepts, and every median it holds, lies within the range of the honest
//! submissions, in every submission order. Beyond the bound (honest reporters offline),
//! the liars can at most hold a level within the deviation limit, never confirm a jump.

use crate::feed::{Feed, FeedChange, FeedConfig, WAD};
use carrack_interfaces::{FeedStatus, OracleError};
use ink::primitives::AccountId;

const UNIT: u128 = 100_000_000;
const BTC: u128 = 60_000 * UNIT;
const WINDOW: u64 = 300;
const T0: u64 = 1_700_000_000;
const LIARS: [u8; 2] = [1, 2];
const HONEST: [u8; 3] = [3, 4, 5];

fn account(n: u8) -> AccountId {
    AccountId::from([n; 32])
}

fn production() -> FeedConfig {
    FeedConfig {
        quorum: 3,
        heartbeat_secs: 3_600,
        round_window_secs: WINDOW,
        min_price: 1_000 * UNIT,
        max_price: 10_000_000 * UNIT,
        max_deviation_wad: WAD / 10,
        decimals: 8,
    }
}

/// The production feed with the last good price `price` observed at `at`, `Ok` since
/// then and no round in progress: the audit model's starting state.
fn feed_at(price: u128, at: u64) -> Feed {
    let mut feed = Feed::new(production(), (1..=5).map(account).collect()).unwrap();
    feed.price = price;
    feed.updated_at_secs = at;
    feed.ok_since_secs = at;
    assert_eq!(feed.status(at), FeedStatus::Ok);
    feed
}

fn accepted(events: &[FeedChange]) -> Option<u128> {
    events.iter().find_map(|e| match e {
        FeedChange::PriceAccepted { price, .. } => Some(*price),
        _ => None,
    })
}

/// `who` submits `price` observed at `at`, at block time `at`.
fn send(feed: &mut Feed, who: u8, price: u128, at: u64) -> Vec<FeedChange> {
    feed.submit(account(who), price, at, at).unwrap()
}

/// When a reporter submits, relative to the round in progress.
#[derive(Debug, Clone, Copy)]
enum When {
    /// In the same block as the previous submission.
    SameBlock,
    /// One second after it.
    NextSecond,
    /// At the last second of the round's window.
    WindowEnd,
    /// One second after the round's window.
    AfterWindow,
}

/// Who submits when in one pass: by position in the order, or by role.
#[derive(Debug, Clone, Copy)]
enum Pattern {
    ByPosition([When; 5]),
    ByRole { liars: When, honest: When },
}

impl Pattern {
    fn when(&self, position: usize, who: u8) -> When {
        match self {
            Pattern::ByPosition(whens) => whens.get(position).copied().unwrap_or(When::SameBlock),
            Pattern::ByRole { liars, honest } => {
                if LIARS.contains(&who) {
                    *liars
                } else {
                    *honest
                }
            }
        }
    }
}

const PATTERNS: [Pattern; 12] = {
    use When::*;
    [
        Pattern::ByPosition([SameBlock; 5]),
        Pattern::ByPosition([NextSecond; 5]),
        Pattern::ByPosition([SameBlock, WindowEnd, WindowEnd, WindowEnd, WindowEnd]),
        Pattern::ByPosition([SameBlock, NextSecond, WindowEnd, NextSecond, AfterWindow]),
        Pattern::ByPosition([NextSecond, WindowEnd, SameBlock, AfterWindow, AfterWindow]),
        Pattern::ByPosition([AfterWindow; 5]),
        Pattern::ByPosition([WindowEnd, AfterWindow, WindowEnd, AfterWindow, SameBlock]),
        Pattern::ByRole {
            liars: AfterWindow,
            honest: SameBlock,
        },
        Pattern::ByRole {
            liars: SameBlock,
            honest: WindowEnd,
        },
        Pattern::ByRole {
            liars: AfterWindow,
            honest: WindowEnd,
        },
        Pattern::ByRole {
            liars: WindowEnd,
            honest: NextSecond,
        },
        Pattern::ByRole {
            liars: NextSecond,
            honest: AfterWindow,
        },
    ]
};

/// A feed driven by scripted reporters under the liveness assumption: a submission lands
/// after an open round's window only once every honest reporter is in that round
/// (otherwise it lands at the window's last second, or, if even that is too early for the
/// reporter's next observation, not at all).
struct Sim {
    feed: Feed,
    now: u64,
    /// Every closed round's median, and whether it was accepted.
    medians: Vec<(u128, bool)>,
    /// Rounds closed by a submission after their window, and by the last reporter.
    late_closes: usize,
    full_closes: usize,
}

impl Sim {
    fn new(price: u128) -> Self {
        Sim {
            feed: feed_at(price, T0),
            now: T0,
            medians: Vec::new(),
            late_closes: 0,
            full_closes: 0,
        }
    }

    /// The open round's first submission time (read from the slots, so the same
    /// helper reads the code before the fix, whose slots held observation times).
    fn opened(&self) -> Option<u64> {
        self.feed
            .reporters
            .iter()
            .filter_map(|r| r.pending.map(|(_, at)| at))
            .min()
    }

    fn in_round(&self, who: u8) -> bool {
        self.feed
            .reporters
            .iter()
            .any(|r| r.account == account(who) && r.pending.is_some())
    }

    fn last_observed(&self, who: u8) -> u64 {
        self.feed
            .reporters
            .iter()
            .find(|r| r.account == account(who))
            .map_or(0, |r| r.last_observed_at_secs)
    }

    fn submit(&mut self, who: u8, price: u128, when: When) {
        let opened = self.opened();
        let mut at = match (when, opened) {
            (When::SameBlock, _) => self.now,
            (When::NextSecond, _) => self.now + 1,
            (When::WindowEnd, Some(o)) => self.now.max(o + WINDOW),
            (When::WindowEnd, None) => self.now + WINDOW,
            (When::AfterWindow, Some(o)) => self.now.max(o + WINDOW + 1),
            (When::AfterWindow, None) => self.now + WINDOW + 1,
        };
        at = at.max(self.last_observed(who) + 1);
        if let Some(o) = opened {
            let every_honest_in = HONEST.iter().all(|h| self.in_round(*h));
            if at > o + WINDOW && !every_honest_in {
                at = o + WINDOW;
                if at < self.now || at <= self.last_observed(who) {
                    return;
                }
            }
        }
        let late = opened.is_some_and(|o| at > o + WINDOW);
        self.now = at;
        let events = send(&mut self.feed, who, price, at);
        for event in &events {
            let closed = match event {
                FeedChange::PriceAccepted { price, .. } => Some((*price, true)),
                FeedChange::PriceHeld { candidate, .. } => Some((*candidate, false)),
                _ => None,
            };
            if let Some(median) = closed {
                self.medians.push(median);
                if late {
                    self.late_closes += 1;
                } else {
                    self.full_closes += 1;
                }
            }
        }
    }

    /// One pass: every reporter submits once, in `order`, timed by `pattern`; then the
    /// honest reporters not in the open round join it before its window ends, as the
    /// relayer does.
    fn pass(&mut self, order: &[u8], pattern: Pattern, liar: u128, honest: [u128; 3]) {
        let every_honest_in = HONEST.iter().all(|h| self.in_round(*h));
        if self.opened().is_none_or(|o| self.now < o + WINDOW) || every_honest_in {
            self.now += 1;
        }
        let price = |who: u8| {
            HONEST
                .iter()
                .position(|h| *h == who)
                .and_then(|i| honest.get(i).copied())
                .unwrap_or(liar)
        };
        for (position, who) in order.iter().enumerate() {
            self.submit(*who, price(*who), pattern.when(position, *who));
        }
        if self.opened().is_some() {
            for who in order.iter().filter(|w| HONEST.contains(w)) {
                if !self.in_round(*who) {
                    self.submit(*who, price(*who), When::SameBlock);
                }
            }
        }
    }

    /// The relayer's close: an honest reporter submits after the open round's window.
    fn close(&mut self, order: &[u8], honest: [u128; 3]) {
        if self.opened().is_some() {
            let who = order
                .iter()
                .copied()
                .find(|w| HONEST.contains(w))
                .unwrap_or(3);
            let index = HONEST.iter().position(|h| *h == who).unwrap_or(0);
            self.submit(who, honest[index], When::AfterWindow);
        }
    }
}

/// Every order of the five reporters.
fn permutations() -> Vec<[u8; 5]> {
    let mut all = Vec::new();
    let mut current = [1u8, 2, 3, 4, 5];
    fn heap(k: usize, current: &mut [u8; 5], all: &mut Vec<[u8; 5]>) {
        if k <= 1 {
            all.push(*current);
            return;
        }
        heap(k - 1, current, all);
        for i in 0..k - 1 {
            if k % 2 == 0 {
                current.swap(i, k - 1);
            } else {
                current.swap(0, k - 1);
            }
            heap(k - 1, current, all);
        }
    }
    heap(5, &mut current, &mut all);
    all
}

/// Runs three passes (and the relayer's close) for every order and pattern from `start`
/// with the liars at `liar` and the honest reporters at `honest`; checks every closed
/// round's median and the final price against the honest band, and with
/// `expect_confirmation` that the feed ends `Ok`.
fn exhaustive(start: u128, liar: u128, honest: [u128; 3], expect_confirmation: bool) {
    let low = honest.iter().copied().min().unwrap_or(0);
    let high = honest.iter().copied().max().unwrap_or(0);
    let orders = permutations();
    assert_eq!(orders.len(), 120);
    let (mut late, mut full, mut scenarios) = (0, 0, 0);
    for order in &orders {
        for (p, _) in PATTERNS.iter().enumerate() {
            let mut sim = Sim::new(start);
            for pass in 0..3 {
                let pattern = PATTERNS[(p + pass) % PATTERNS.len()];
                sim.pass(order, pattern, liar, honest);
            }
            sim.close(order, honest);
            for (median, was_accepted) in &sim.medians {
                assert!(
                    (low..=high).contains(median),
                    "order {order:?}, pattern {p}: a round's median {median} (accepted: \
                     {was_accepted}) left the honest band {low}..={high}; all: {:?}",
                    sim.medians
                );
            }
            assert!(
                (low..=high).contains(&sim.feed.price),
                "order {order:?}, pattern {p}: price {} outside the honest band",
                sim.feed.price
            );
            if expect_confirmation {
                assert_eq!(
                    sim.feed.status(sim.now),
                    FeedStatus::Ok,
                    "order {order:?}, pattern {p}: {:?}",
                    sim.medians
                );
            }
            late += sim.late_closes;
            full += sim.full_closes;
            scenarios += 1;
        }
    }
    assert_eq!(scenarios, 120 * PATTERNS.len());
    assert!(
        late > 0 && full > 0,
        "both ways of closing a round were exercised"
    );
}

/// H-2: two colluders report 3x in every round, three honest reporters the true price
/// (within 1 %): over every order of the five and twelve timing patterns (same block,
/// spread, at the window's end, colluders after the window), three rounds each, no
/// round's median, and so no accepted price, ever leaves the honest band.
#[test]
fn two_colluders_at_three_times_never_move_the_price_in_any_order() {
    let honest = [BTC / 100 * 99, BTC, BTC / 1_000 * 1_005];
    exhaustive(BTC, 3 * BTC, honest, false);
}

/// H-2: the true price falls 30 % and two colluders keep reporting the old level, in
/// every order and timing: no round's median is the stale level, and the fall is
/// confirmed (the feed ends `Ok` at the honest level).
#[test]
fn two_colluders_cannot_hold_a_stale_level_through_a_thirty_percent_fall() {
    let fallen = BTC / 10 * 7;
    let honest = [fallen / 100 * 99, fallen, fallen / 1_000 * 1_005];
    exhaustive(BTC, BTC, honest, true);
}

/// The audit's `oracle_model.py`, first scenario: the colluders submit 3x first in two
/// successive rounds and one honest report follows each. Before the fix the second
/// round read 180,000 with status `Ok`. Now the round stays open until every reporter has
/// submitted or its window has passed; the third honest relayer joins and the round
/// closes on the honest median.
#[test]
fn audit_model_colluders_submitting_first_cannot_set_three_times_the_price() {
    let mut feed = feed_at(BTC, 1_000);
    send(&mut feed, 1, 3 * BTC, 1_100);
    send(&mut feed, 2, 3 * BTC, 1_100);
    send(&mut feed, 3, BTC, 1_105);
    assert_eq!((feed.price, feed.status(1_105)), (BTC, FeedStatus::Ok));
    send(&mut feed, 1, 3 * BTC, 1_120);
    send(&mut feed, 2, 3 * BTC, 1_120);
    send(&mut feed, 4, BTC, 1_123);
    assert_eq!(
        (feed.price, feed.status(1_123), feed.candidate),
        (BTC, FeedStatus::Ok, None),
        "the model's second round no longer sets 180,000"
    );
    let events = send(&mut feed, 5, BTC, 1_130);
    assert_eq!(
        accepted(&events),
        Some(BTC),
        "median of 3x, 3x, and three honest"
    );
    assert_eq!((feed.price, feed.status(1_130)), (BTC, FeedStatus::Ok));
}

/// The audit's model, second scenario (a real −30 % move, the colluders reporting the
/// old level first in each round), with the three honest relayers live: the move is held
/// once and confirmed by the next round.
#[test]
fn audit_model_a_thirty_percent_crash_is_not_hidden_by_two_colluders() {
    let mut feed = feed_at(BTC, 1_000);
    let crashed = BTC / 10 * 7;
    for k in 0..3u64 {
        let t = 2_000 + 600 * k;
        send(&mut feed, 1, BTC, t);
        send(&mut feed, 2, BTC, t);
        for honest in HONEST {
            send(&mut feed, honest, crashed, t + 1);
        }
    }
    assert_eq!((feed.price, feed.status(3_201)), (crashed, FeedStatus::Ok));
}

/// The audit's third claim: alternating 2x and 0.5x, two colluders kept a feed
/// `Suspect` for good. With the honest reporters live, every round's median is honest and
/// the feed stays `Ok`.
#[test]
fn two_colluders_alternating_two_and_half_cannot_keep_the_feed_suspect() {
    let mut feed = feed_at(BTC, T0);
    for k in 0..6u64 {
        let t = T0 + 100 * (k + 1);
        let fake = if k % 2 == 0 { 2 * BTC } else { BTC / 2 };
        for who in [1, 2] {
            send(&mut feed, who, fake, t);
        }
        for who in HONEST {
            send(&mut feed, who, BTC, t);
        }
        assert_eq!(
            (feed.price, feed.status(t)),
            (BTC, FeedStatus::Ok),
            "round {k}"
        );
    }
}

/// Beyond the bound (two of the three honest reporters offline, so the two colluders
/// outnumber the live honest one in every round): the colluders' 3x median is held, and
/// no round ever confirms it, because fewer than a quorum of reporters agree with the
/// candidate. The price stays 60,000.
#[test]
fn beyond_the_bound_two_colluders_never_confirm_a_jump() {
    let mut feed = feed_at(BTC, 1_000);
    let mut held = 0;
    for k in 0..8u64 {
        let t = 1_100 + 400 * k;
        let mut events = send(&mut feed, 1, 3 * BTC, t);
        events.extend(send(&mut feed, 2, 3 * BTC, t));
        events.extend(send(&mut feed, HONEST[(k % 3) as usize], BTC, t + 5));
        assert_eq!(accepted(&events), None, "round {k}");
        held += events
            .iter()
            .filter(|e| matches!(e, FeedChange::PriceHeld { .. }))
            .count();
        assert_eq!(feed.price, BTC, "round {k}");
    }
    assert!(held >= 6, "the colluders' median was held, {held} times");
    assert_eq!(feed.status(4_300), FeedStatus::Suspect);
}

/// Confirmation needs a quorum of agreeing reporters, not a median: a round whose median
/// is within the limit of the candidate but where only two reporters agree with it does
/// not confirm.
#[test]
fn a_median_near_the_candidate_without_a_quorum_of_agreeing_reporters_confirms_nothing() {
    let mut feed = feed_at(BTC, T0);
    let up = BTC / 100 * 130;
    for who in 1..=5 {
        send(&mut feed, who, up, T0 + 10);
    }
    assert_eq!(feed.status(T0 + 10), FeedStatus::Suspect);
    // Two at the candidate, three spread so that the median is within 10 % of it.
    let prices = [up, up, BTC / 100 * 116, BTC / 100 * 150, BTC / 100 * 160];
    let mut events = Vec::new();
    for (who, price) in (1..=5).zip(prices) {
        events.extend(send(&mut feed, who, price, T0 + 20));
    }
    assert_eq!(accepted(&events), None);
    assert_eq!(feed.price, BTC);
    assert_eq!(feed.status(T0 + 20), FeedStatus::Suspect);
    // Three agreeing reporters confirm.
    let prices = [up, up, up, BTC, BTC];
    let mut events = Vec::new();
    for (who, price) in (1..=5).zip(prices) {
        events.extend(send(&mut feed, who, price, T0 + 30));
    }
    assert_eq!(accepted(&events), Some(up));
}

/// A quorum that is a minority of the reporters could let the colluders close rounds or
/// confirm jumps alone: refused wherever the quorum or the reporter set changes.
#[test]
fn a_quorum_that_is_a_minority_of_the_reporters_is_refused() {
    assert_eq!(
        Feed::new(production(), (1..=7).map(account).collect()),
        Err(OracleError::InvalidQuorum)
    );
    let mut feed = feed_at(BTC, T0);
    let one = FeedConfig {
        quorum: 1,
        ..production()
    };
    assert_eq!(feed.set_config(one, T0), Err(OracleError::InvalidQuorum));
    feed.add_reporter(account(6)).unwrap();
    assert_eq!(
        feed.add_reporter(account(7)),
        Err(OracleError::InvalidQuorum),
        "3 of 7"
    );
}

/// M-1: a confirmed 15 % move (beyond the 10 % limit) ends `Suspect` without restarting
/// `ok_since_secs`, so the pool's liquidation grace period does not start.
#[test]
fn a_confirmed_fifteen_percent_move_starts_no_grace_period() {
    let mut feed = feed_at(BTC, T0);
    let moved = BTC / 100 * 115;
    for who in 1..=5 {
        send(&mut feed, who, moved, T0 + 60);
    }
    assert_eq!(feed.status(T0 + 60), FeedStatus::Suspect);
    for who in 1..=5 {
        send(&mut feed, who, moved, T0 + 120);
    }
    assert_eq!((feed.price, feed.status(T0 + 120)), (moved, FeedStatus::Ok));
    assert_eq!(
        feed.ok_since_secs, T0,
        "Ok since the first price, not the move"
    );
}

/// M-1: recoveries from real outages still restart `ok_since_secs`.
#[test]
fn a_recovery_from_an_emergency_price_still_restarts_ok_since() {
    let mut feed = feed_at(BTC, T0);
    feed.set_emergency_price(BTC, T0 + 10).unwrap();
    for who in 1..=5 {
        send(&mut feed, who, BTC, T0 + 20);
    }
    assert_eq!(feed.status(T0 + 20), FeedStatus::Ok);
    assert_eq!(feed.ok_since_secs, T0 + 20);
}

/// M-2: a feed's decimals cannot change (the stored price, candidate and bounds are in
/// them), and new bounds must contain the current price.
#[test]
fn set_config_refuses_a_decimals_change_and_bounds_without_the_price() {
    let mut feed = feed_at(BTC, T0);
    let more_decimals = FeedConfig {
        decimals: 18,
        ..production()
    };
    assert_eq!(
        feed.set_config(more_decimals, T0),
        Err(OracleError::DecimalsImmutable)
    );
    let floor_above = FeedConfig {
        min_price: 70_000 * UNIT,
        ..production()
    };
    assert_eq!(
        feed.set_config(floor_above, T0),
        Err(OracleError::BoundsExcludePrice)
    );
    let ceiling_below = FeedConfig {
        max_price: 50_000 * UNIT,
        ..production()
    };
    assert_eq!(
        feed.set_config(ceiling_below, T0),
        Err(OracleError::BoundsExcludePrice)
    );
    assert_eq!(
        (feed.price, feed.config),
        (BTC, production()),
        "nothing changed"
    );
    let exact = FeedConfig {
        min_price: BTC,
        max_price: BTC,
        ..production()
    };
    assert_eq!(feed.set_config(exact, T0), Ok(()), "bounds are inclusive");
}

/// L-2: the emergency price is checked against the feed's bounds like a report.
#[test]
fn the_emergency_price_is_bounds_checked() {
    let mut feed = feed_at(BTC, T0);
    assert_eq!(
        feed.set_emergency_price(999 * UNIT, T0),
        Err(OracleError::PriceOutOfBounds)
    );
    assert_eq!(
        feed.set_emergency_price(10_000_001 * UNIT, T0),
        Err(OracleError::PriceOutOfBounds)
    );
    assert_eq!(feed.status(T0), FeedStatus::Ok);
    assert_eq!(feed.set_emergency_price(1_000 * UNIT, T0), Ok(()));
    assert_eq!(feed.status(T0), FeedStatus::Emergency);
}

/// I-1: the oracle accepts exactly the price decimals the pool's value math handles.
#[test]
fn price_decimals_stop_where_the_pools_math_does() {
    let with = |decimals| FeedConfig {
        decimals,
        ..production()
    };
    assert_eq!(
        with(carrack_interfaces::MAX_PRICE_DECIMALS).validate(5),
        Ok(())
    );
    assert_eq!(
        with(carrack_core::MAX_DECIMALS + 1).validate(5),
        Err(OracleError::InvalidDecimals)
    );
    assert_eq!(
        carrack_interfaces::MAX_PRICE_DECIMALS,
        carrack_core::MAX_DECIMALS
    );
    let largest = u128::MAX / carrack_core::WAD;
    assert!(carrack_core::price_to_wad(
        largest,
        carrack_interfaces::MAX_PRICE_DECIMALS,
        carrack_core::Rounding::Down
    )
    .is_ok());
}

/// The same rules through the messages.
mod messages {
    use super::{production, BTC, UNIT};
    use crate::feed::{FeedConfig, FeedUpdate};
    use crate::oracle::Oracle;
    use carrack_interfaces::{OracleError, PriceOracle};
    use ink::env::test;
    use ink::env::DefaultEnvironment;
    use ink::primitives::AccountId;

    const NOW_SECS: u64 = 1_700_000_000;

    fn asset() -> AccountId {
        AccountId::from([0xA1; 32])
    }

    /// Alice governs; Bob .. Frank and one more report; one round at 60,000.
    fn deploy() -> Oracle {
        let a = test::default_accounts::<DefaultEnvironment>();
        test::set_block_timestamp::<DefaultEnvironment>(NOW_SECS * 1_000);
        test::set_caller::<DefaultEnvironment>(a.alice);
        let mut oracle = Oracle::new(a.alice, a.bob);
        let reporters = vec![a.bob, a.charlie, a.django, a.eve, a.frank];
        oracle
            .add_feed(asset(), production(), reporters.clone())
            .unwrap();
        for reporter in reporters {
            test::set_caller::<DefaultEnvironment>(reporter);
            oracle.submit(asset(), BTC, NOW_SECS).unwrap();
        }
        test::set_caller::<DefaultEnvironment>(a.alice);
        oracle
    }

    #[ink::test]
    fn set_feed_config_refuses_decimals_and_bounds_and_emergency_prices_are_bounded() {
        let mut oracle = deploy();
        assert_eq!(oracle.price(asset()).map(|p| p.value), Ok(BTC));
        let events = test::recorded_events().count();
        assert_eq!(
            oracle.update_feed(
                asset(),
                FeedUpdate::Config(FeedConfig {
                    decimals: 18,
                    ..production()
                })
            ),
            Err(OracleError::DecimalsImmutable)
        );
        assert_eq!(
            oracle.update_feed(
                asset(),
                FeedUpdate::Config(FeedConfig {
                    min_price: 61_000 * UNIT,
                    ..production()
                })
            ),
            Err(OracleError::BoundsExcludePrice)
        );
        assert_eq!(
            oracle.update_feed(asset(), FeedUpdate::EmergencyPrice(20_000_000 * UNIT)),
            Err(OracleError::PriceOutOfBounds)
        );
        assert_eq!(
            test::recorded_events().count(),
            events,
            "refusals emit nothing"
        );
        assert_eq!(
            oracle.price(asset()).map(|p| (p.value, p.decimals)),
            Ok((BTC, 8))
        );
    }

    #[ink::test]
    fn feeds_whose_quorum_is_a_minority_or_decimals_too_many_are_refused() {
        let a = test::default_accounts::<DefaultEnvironment>();
        let mut oracle = deploy();
        let seven = vec![
            a.alice,
            a.bob,
            a.charlie,
            a.django,
            a.eve,
            a.frank,
            AccountId::from([7; 32]),
        ];
        assert_eq!(
            oracle.add_feed(AccountId::from([0xA2; 32]), production(), seven),
            Err(OracleError::InvalidQuorum)
        );
        assert_eq!(
            oracle.add_feed(
                AccountId::from([0xA3; 32]),
                FeedConfig {
                    decimals: 25,
                    ..production()
                },
                vec![a.bob, a.charlie, a.django]
            ),
            Err(OracleError::InvalidDecimals)
        );
        oracle
            .update_feed(
                asset(),
                FeedUpdate::Reporter {
                    reporter: a.alice,
                    active: true,
                },
            )
            .unwrap();
        assert_eq!(
            oracle.update_feed(
                asset(),
                FeedUpdate::Reporter {
                    reporter: AccountId::from([7; 32]),
                    active: true
                }
            ),
            Err(OracleError::InvalidQuorum)
        );
    }
}
