//! One asset's price feed as plain data: reporters, the round in progress, the last good
//! price and the status machine. No `env()`: every method takes the caller and `now`
//! and returns the events to emit.
//!
//! ## Rounds
//! Each reporter's latest submission waits in its slot. A submission is *fresh* while
//! `now - observed_at <= round_window_secs`. As soon as a quorum of fresh submissions
//! exists, the round completes: the median of their prices is taken (each reporter counts
//! once), every slot is cleared, and the median goes through the deviation guard.
//! Storage per feed is bounded by the reporter limit; nothing accumulates.
//!
//! ## Deviation guard
//! A median within `max_deviation_wad` of the last good price is accepted. A median
//! beyond it is held as a *candidate* and the feed turns `Suspect`; the next round's
//! median is then accepted if it lies within the limit of either the candidate (the new
//! level is confirmed) or the last good price (the spike was transient), and otherwise
//! replaces the candidate. So a jump needs two consecutive rounds agreeing on the new
//! level. The very first median of a feed is accepted as is.
//!
//! ## Status
//! `Frozen` (by the guardian or governance) > `Stale` (`now - updated_at >
//! heartbeat_secs`, the boundary itself is still fresh) > `Suspect` > `Emergency` (price
//! set by governance) > `Ok`. The last good price stays readable in every status.
//!
//! `ok_since_secs` records since when the feed has been continuously `Ok`, for the pool's
//! grace period after a feed recovers. Time alone only ever takes a feed *out of* `Ok`
//! (into `Stale`), lazily and with no transaction; every way *into* `Ok` is a transaction:
//! a completing round ([`Feed::submit`]), a heartbeat change ([`Feed::set_config`]) or an
//! unfreeze (the contract's `set_frozen`). Each of them takes the status before the change
//! at the same `now` and calls [`Feed::note_status_change`], which sets `ok_since_secs =
//! now` when the status was not `Ok` and now is. So a feed that went `Stale` unobserved
//! and then receives a completing round gets `ok_since_secs` = that round's block time (its
//! status before, taken at `now`, is `Stale`), never the time it first became `Ok`. A
//! round accepted while the feed is already `Ok` leaves it unchanged. The value is kept but
//! meaningless while the status is not `Ok`; it is 0 before the first price.

use carrack_interfaces::{FeedStatus, OracleError};
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;

use crate::median::median;

/// Most reporters one feed may have.
pub const MAX_REPORTERS: usize = 16;
/// Longest heartbeat accepted: one week.
pub const MAX_HEARTBEAT_SECS: u64 = 7 * 24 * 3600;
/// 1.0 in WAD, the unit of the deviation limit.
pub const WAD: u128 = 1_000_000_000_000_000_000;
/// Largest deviation limit accepted: 100 % per round.
pub const MAX_DEVIATION_WAD: u128 = WAD;
/// Largest price decimals accepted.
pub const MAX_PRICE_DECIMALS: u8 = 36;

/// A feed's governance-set parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct FeedConfig {
    /// Fresh submissions needed to complete a round: odd, `1..=reporters`.
    pub quorum: u8,
    /// Age after which the price is `Stale`.
    pub heartbeat_secs: u64,
    /// How old a submission may be and still count for a round (`1..=heartbeat`).
    pub round_window_secs: u64,
    /// Lowest price accepted from a reporter.
    pub min_price: u128,
    /// Highest price accepted from a reporter.
    pub max_price: u128,
    /// Largest change (WAD, relative to the last good price) accepted in one round.
    pub max_deviation_wad: u128,
    /// Decimals of the price values.
    pub decimals: u8,
}

/// A reporter and its submission waiting for the current round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Reporter {
    /// The reporter's account.
    pub account: AccountId,
    /// `observed_at` of its newest submission; the next must be newer.
    pub last_observed_at_secs: u64,
    /// Its submission for the current round, `(price, observed_at)`.
    pub pending: Option<(u128, u64)>,
}

/// A feed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Feed {
    /// Parameters.
    pub config: FeedConfig,
    /// At most [`MAX_REPORTERS`].
    pub reporters: Vec<Reporter>,
    /// The last good price, 0 before the first.
    pub price: u128,
    /// When the last good price was observed.
    pub updated_at_secs: u64,
    /// A median beyond the deviation limit awaiting confirmation, `(price, observed_at)`.
    pub candidate: Option<(u128, u64)>,
    /// Frozen feeds accept no submissions.
    pub frozen: bool,
    /// The last good price was set by governance.
    pub emergency: bool,
    /// Since when (Unix seconds, block time) the feed has been continuously `Ok`:
    /// meaningful only while [`Feed::status`] is `Ok`, 0 before the first price. Kept by
    /// [`Feed::note_status_change`]; see the module's "Status" section.
    pub ok_since_secs: u64,
}

/// What a feed operation did, for the contract to emit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedEvent {
    /// A reporter's submission was recorded.
    Submitted {
        /// The reporter.
        reporter: AccountId,
        /// Its price.
        price: u128,
        /// When it observed the price.
        observed_at_secs: u64,
    },
    /// A round's median became the last good price.
    PriceAccepted {
        /// The new price.
        price: u128,
        /// Its observation time.
        updated_at_secs: u64,
    },
    /// A round's median was held back by the deviation guard.
    PriceHeld {
        /// The median held as candidate.
        candidate: u128,
        /// The last good price it deviates from.
        last_good: u128,
    },
    /// The feed's status changed.
    StatusChanged {
        /// The status before.
        from: FeedStatus,
        /// The status after.
        to: FeedStatus,
    },
}

/// `|a - b| / b <= limit_wad`, i.e. `|a - b| * WAD <= limit_wad * b`, compared exactly as
/// 256-bit products (no division, which would pull 128-bit division into the contract).
fn within(a: u128, b: u128, limit_wad: u128) -> bool {
    wide_mul(a.abs_diff(b), WAD) <= wide_mul(limit_wad, b)
}

/// `x * y` as `(high, low)` 128-bit halves, which compare like the 256-bit product.
fn wide_mul(x: u128, y: u128) -> (u128, u128) {
    const MASK: u128 = 0xFFFF_FFFF_FFFF_FFFF;
    let (x_hi, x_lo) = (x >> 64, x & MASK);
    let (y_hi, y_lo) = (y >> 64, y & MASK);
    // Products of 64-bit halves fit in u128, so these multiplications cannot wrap.
    let lo_lo = x_lo.wrapping_mul(y_lo);
    let cross = x_hi.wrapping_mul(y_lo);
    let cross_2 = x_lo.wrapping_mul(y_hi);
    let hi_hi = x_hi.wrapping_mul(y_hi);
    // Sum the cross terms into the halves, carrying explicitly.
    let (mid, mid_carry) = cross.overflowing_add(cross_2);
    let (low, low_carry) = lo_lo.overflowing_add(mid << 64);
    let high = hi_hi
        .wrapping_add(mid >> 64)
        .wrapping_add(u128::from(mid_carry) << 64)
        .wrapping_add(u128::from(low_carry));
    (high, low)
}

impl FeedConfig {
    /// Accepts the parameters or says which is out of range. `reporters` is the number of
    /// reporters the feed has.
    pub fn validate(&self, reporters: usize) -> Result<(), OracleError> {
        let quorum = usize::from(self.quorum);
        if quorum == 0 || quorum % 2 == 0 || quorum > reporters {
            return Err(OracleError::InvalidQuorum);
        }
        if self.min_price == 0 || self.min_price > self.max_price {
            return Err(OracleError::InvalidBounds);
        }
        if self.heartbeat_secs == 0
            || self.heartbeat_secs > MAX_HEARTBEAT_SECS
            || self.round_window_secs == 0
            || self.round_window_secs > self.heartbeat_secs
            || self.max_deviation_wad == 0
            || self.max_deviation_wad > MAX_DEVIATION_WAD
        {
            return Err(OracleError::InvalidTiming);
        }
        if self.decimals > MAX_PRICE_DECIMALS {
            return Err(OracleError::InvalidDecimals);
        }
        Ok(())
    }
}

impl Feed {
    /// A new feed without a price.
    pub fn new(config: FeedConfig, reporters: Vec<AccountId>) -> Result<Self, OracleError> {
        if reporters.len() > MAX_REPORTERS {
            return Err(OracleError::TooManyReporters);
        }
        let mut unique: Vec<Reporter> = Vec::with_capacity(reporters.len());
        for account in reporters {
            if unique.iter().any(|r| r.account == account) {
                return Err(OracleError::ReporterExists);
            }
            unique.push(Reporter {
                account,
                last_observed_at_secs: 0,
                pending: None,
            });
        }
        config.validate(unique.len())?;
        Ok(Feed {
            config,
            reporters: unique,
            price: 0,
            updated_at_secs: 0,
            candidate: None,
            frozen: false,
            emergency: false,
            ok_since_secs: 0,
        })
    }

    /// The status at `now_secs`.
    pub fn status(&self, now_secs: u64) -> FeedStatus {
        if self.frozen {
            FeedStatus::Frozen
        } else if now_secs.saturating_sub(self.updated_at_secs) > self.config.heartbeat_secs {
            FeedStatus::Stale
        } else if self.candidate.is_some() {
            FeedStatus::Suspect
        } else if self.emergency {
            FeedStatus::Emergency
        } else {
            FeedStatus::Ok
        }
    }

    /// Records that the status may have changed in this transaction: `before` is the
    /// status at `now_secs` before the change. When the feed was not `Ok` and now is,
    /// `ok_since_secs` becomes `now_secs`; otherwise nothing changes. Call it after every
    /// change of the fields [`Feed::status`] reads (`frozen`, `updated_at_secs`,
    /// `candidate`, `emergency`, the heartbeat).
    pub fn note_status_change(&mut self, before: FeedStatus, now_secs: u64) {
        if before != FeedStatus::Ok && self.status(now_secs) == FeedStatus::Ok {
            self.ok_since_secs = now_secs;
        }
    }

    /// Records `caller`'s price and completes the round when a quorum is fresh.
    pub fn submit(
        &mut self,
        caller: AccountId,
        price: u128,
        observed_at_secs: u64,
        now_secs: u64,
    ) -> Result<Vec<FeedEvent>, OracleError> {
        if self.frozen {
            return Err(OracleError::FeedFrozen);
        }
        let window = self.config.round_window_secs;
        let slot = self
            .reporters
            .iter_mut()
            .find(|r| r.account == caller)
            .ok_or(OracleError::NotReporter)?;
        if price == 0 {
            return Err(OracleError::ZeroPrice);
        }
        if price < self.config.min_price || price > self.config.max_price {
            return Err(OracleError::PriceOutOfBounds);
        }
        if observed_at_secs > now_secs {
            return Err(OracleError::ObservedInFuture);
        }
        if observed_at_secs <= slot.last_observed_at_secs {
            return Err(OracleError::NotNewer);
        }
        if now_secs.saturating_sub(observed_at_secs) > window {
            return Err(OracleError::SubmissionTooOld);
        }
        slot.last_observed_at_secs = observed_at_secs;
        slot.pending = Some((price, observed_at_secs));

        let status_before = self.status(now_secs);
        let mut events = Vec::with_capacity(3);
        events.push(FeedEvent::Submitted {
            reporter: caller,
            price,
            observed_at_secs,
        });
        let fresh: Vec<(u128, u64)> = self
            .reporters
            .iter()
            .filter_map(|r| r.pending)
            .filter(|(_, observed)| now_secs.saturating_sub(*observed) <= window)
            .collect();
        if fresh.len() >= usize::from(self.config.quorum) {
            let prices = fresh.iter().map(|(p, _)| *p).collect();
            let times = fresh.iter().map(|(_, t)| u128::from(*t)).collect();
            if let (Some(round_price), Some(round_time)) = (median(prices), median(times)) {
                // The median of u64 timestamps is between two of them, so it fits u64.
                let round_time = u64::try_from(round_time).unwrap_or(observed_at_secs);
                for reporter in self.reporters.iter_mut() {
                    reporter.pending = None;
                }
                events.push(self.complete_round(round_price, round_time));
            }
        }
        self.note_status_change(status_before, now_secs);
        let status_after = self.status(now_secs);
        if status_after != status_before {
            events.push(FeedEvent::StatusChanged {
                from: status_before,
                to: status_after,
            });
        }
        Ok(events)
    }

    fn complete_round(&mut self, median_price: u128, observed_at_secs: u64) -> FeedEvent {
        let limit = self.config.max_deviation_wad;
        let accept = self.price == 0
            || within(median_price, self.price, limit)
            || self
                .candidate
                .is_some_and(|(candidate, _)| within(median_price, candidate, limit));
        if accept {
            self.price = median_price;
            self.updated_at_secs = self.updated_at_secs.max(observed_at_secs);
            self.candidate = None;
            self.emergency = false;
            FeedEvent::PriceAccepted {
                price: median_price,
                updated_at_secs: self.updated_at_secs,
            }
        } else {
            self.candidate = Some((median_price, observed_at_secs));
            FeedEvent::PriceHeld {
                candidate: median_price,
                last_good: self.price,
            }
        }
    }

    /// Adds a reporter (governance).
    pub fn add_reporter(&mut self, account: AccountId) -> Result<(), OracleError> {
        if self.reporters.iter().any(|r| r.account == account) {
            return Err(OracleError::ReporterExists);
        }
        if self.reporters.len() >= MAX_REPORTERS {
            return Err(OracleError::TooManyReporters);
        }
        self.reporters.push(Reporter {
            account,
            last_observed_at_secs: 0,
            pending: None,
        });
        Ok(())
    }

    /// Removes a reporter and its pending submission (governance). Refused if the quorum
    /// could no longer be met.
    pub fn remove_reporter(&mut self, account: AccountId) -> Result<(), OracleError> {
        let index = self
            .reporters
            .iter()
            .position(|r| r.account == account)
            .ok_or(OracleError::UnknownReporter)?;
        if usize::from(self.config.quorum) >= self.reporters.len() {
            return Err(OracleError::InvalidQuorum);
        }
        self.reporters.swap_remove(index);
        Ok(())
    }

    /// Replaces the parameters (governance), validated against the current reporters.
    /// A new heartbeat can move the feed into or out of `Stale` at `now_secs`.
    pub fn set_config(&mut self, config: FeedConfig, now_secs: u64) -> Result<(), OracleError> {
        config.validate(self.reporters.len())?;
        let before = self.status(now_secs);
        self.config = config;
        self.note_status_change(before, now_secs);
        Ok(())
    }

    /// Sets an emergency price (governance): marked `Emergency` until reporters agree on
    /// a new price within the deviation limit of it.
    pub fn set_emergency_price(&mut self, price: u128, now_secs: u64) -> Result<(), OracleError> {
        if price == 0 {
            return Err(OracleError::ZeroPrice);
        }
        let before = self.status(now_secs);
        self.price = price;
        self.updated_at_secs = now_secs;
        self.candidate = None;
        self.emergency = true;
        for reporter in self.reporters.iter_mut() {
            reporter.pending = None;
        }
        // `Emergency` (or `Frozen`) is never `Ok`: a no-op, kept for uniformity.
        self.note_status_change(before, now_secs);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ink::prelude::vec;

    const NOW: u64 = 1_700_000_000;

    fn reporter(n: u8) -> AccountId {
        AccountId::from([n; 32])
    }

    /// Five reporters (1..=5), quorum 3, heartbeat 1 h, window 10 min, 20 % deviation.
    fn config() -> FeedConfig {
        FeedConfig {
            quorum: 3,
            heartbeat_secs: 3_600,
            round_window_secs: 600,
            min_price: 1,
            max_price: 1_000_000_000_000,
            max_deviation_wad: WAD / 5,
            decimals: 8,
        }
    }

    fn feed() -> Feed {
        Feed::new(config(), (1..=5).map(reporter).collect()).unwrap()
    }

    /// Reporters `who` submit `prices` observed at `at`, all at `now`.
    fn round(feed: &mut Feed, who: &[u8], prices: &[u128], at: u64) -> Vec<FeedEvent> {
        let mut events = vec![];
        for (n, price) in who.iter().zip(prices) {
            events.extend(feed.submit(reporter(*n), *price, at, at).unwrap());
        }
        events
    }

    fn accepted(events: &[FeedEvent]) -> Option<u128> {
        events.iter().find_map(|e| match e {
            FeedEvent::PriceAccepted { price, .. } => Some(*price),
            _ => None,
        })
    }

    #[test]
    fn config_validation() {
        let with = |change: fn(&mut FeedConfig)| {
            let mut c = config();
            change(&mut c);
            c.validate(5)
        };
        assert_eq!(config().validate(5), Ok(()));
        assert_eq!(config().validate(2), Err(OracleError::InvalidQuorum));
        assert_eq!(with(|c| c.quorum = 2), Err(OracleError::InvalidQuorum));
        assert_eq!(with(|c| c.quorum = 0), Err(OracleError::InvalidQuorum));
        assert_eq!(with(|c| c.min_price = 0), Err(OracleError::InvalidBounds));
        assert_eq!(with(|c| c.max_price = 0), Err(OracleError::InvalidBounds));
        assert_eq!(
            with(|c| c.heartbeat_secs = 0),
            Err(OracleError::InvalidTiming)
        );
        assert_eq!(
            with(|c| c.heartbeat_secs = MAX_HEARTBEAT_SECS + 1),
            Err(OracleError::InvalidTiming)
        );
        assert_eq!(
            with(|c| c.round_window_secs = 3_601),
            Err(OracleError::InvalidTiming)
        );
        assert_eq!(
            with(|c| c.round_window_secs = 0),
            Err(OracleError::InvalidTiming)
        );
        assert_eq!(
            with(|c| c.max_deviation_wad = 0),
            Err(OracleError::InvalidTiming)
        );
        assert_eq!(
            with(|c| c.max_deviation_wad = WAD + 1),
            Err(OracleError::InvalidTiming)
        );
        assert_eq!(with(|c| c.decimals = 37), Err(OracleError::InvalidDecimals));
    }

    #[test]
    fn new_feed_refuses_duplicates_and_too_many_reporters() {
        assert_eq!(
            Feed::new(config(), vec![reporter(1), reporter(2), reporter(1)]),
            Err(OracleError::ReporterExists)
        );
        assert_eq!(
            Feed::new(config(), (0..17).map(reporter).collect()),
            Err(OracleError::TooManyReporters)
        );
    }

    #[test]
    fn quorum_round_yields_the_median() {
        let mut feed = feed();
        let events = round(&mut feed, &[1, 2], &[100, 102], NOW);
        assert_eq!(accepted(&events), None, "two of three: no round yet");
        assert_eq!(feed.status(NOW), FeedStatus::Stale, "no price yet");
        let events = round(&mut feed, &[3], &[101], NOW);
        assert_eq!(accepted(&events), Some(101));
        assert_eq!((feed.price, feed.updated_at_secs), (101, NOW));
        assert!(events.contains(&FeedEvent::StatusChanged {
            from: FeedStatus::Stale,
            to: FeedStatus::Ok
        }));
        assert!(
            feed.reporters.iter().all(|r| r.pending.is_none()),
            "slots cleared"
        );
    }

    #[test]
    fn one_liar_cannot_move_the_median() {
        let mut feed = feed();
        round(&mut feed, &[1, 2, 3], &[100, 100, 100], NOW);
        let events = round(&mut feed, &[1, 2, 3], &[101, 1_000_000, 99], NOW + 60);
        assert_eq!(accepted(&events), Some(101));
    }

    #[test]
    fn each_reporter_counts_once_per_round() {
        let mut feed = feed();
        round(&mut feed, &[1], &[100], NOW);
        round(&mut feed, &[1], &[100], NOW + 1);
        let events = round(&mut feed, &[1], &[100], NOW + 2);
        assert_eq!(
            accepted(&events),
            None,
            "one reporter three times is not a quorum"
        );
        assert_eq!(
            feed.reporters
                .iter()
                .filter(|r| r.pending.is_some())
                .count(),
            1
        );
    }

    #[test]
    fn submissions_are_checked_in_order() {
        let mut feed = feed();
        assert_eq!(
            feed.submit(reporter(9), 100, NOW, NOW),
            Err(OracleError::NotReporter)
        );
        assert_eq!(
            feed.submit(reporter(1), 0, NOW, NOW),
            Err(OracleError::ZeroPrice)
        );
        assert_eq!(
            feed.submit(reporter(1), 1_000_000_000_001, NOW, NOW),
            Err(OracleError::PriceOutOfBounds)
        );
        assert_eq!(
            feed.submit(reporter(1), 100, NOW + 1, NOW),
            Err(OracleError::ObservedInFuture)
        );
        assert_eq!(
            feed.submit(reporter(1), 100, NOW - 601, NOW),
            Err(OracleError::SubmissionTooOld)
        );
        feed.submit(reporter(1), 100, NOW, NOW).unwrap();
        assert_eq!(
            feed.submit(reporter(1), 100, NOW, NOW),
            Err(OracleError::NotNewer)
        );
        assert_eq!(
            feed.submit(reporter(1), 100, NOW - 1, NOW),
            Err(OracleError::NotNewer)
        );
        feed.frozen = true;
        assert_eq!(
            feed.submit(reporter(2), 100, NOW, NOW),
            Err(OracleError::FeedFrozen)
        );
    }

    #[test]
    fn submissions_outside_the_window_do_not_count() {
        let mut feed = feed();
        feed.submit(reporter(1), 100, NOW, NOW).unwrap();
        feed.submit(reporter(2), 100, NOW, NOW).unwrap();
        let events = feed.submit(reporter(3), 100, NOW + 601, NOW + 601).unwrap();
        assert_eq!(
            accepted(&events),
            None,
            "the first two aged out of the window"
        );
        let events = feed.submit(reporter(4), 100, NOW + 601, NOW + 601).unwrap();
        assert_eq!(accepted(&events), None);
        let events = feed.submit(reporter(1), 100, NOW + 602, NOW + 602).unwrap();
        assert_eq!(accepted(&events), Some(100));
    }

    #[test]
    fn staleness_starts_just_after_the_heartbeat() {
        let mut feed = feed();
        round(&mut feed, &[1, 2, 3], &[100, 100, 100], NOW);
        assert_eq!(
            feed.status(NOW + 3_600),
            FeedStatus::Ok,
            "exactly at the heartbeat"
        );
        assert_eq!(feed.status(NOW + 3_601), FeedStatus::Stale);
        assert_eq!(feed.price, 100, "the last good price stays");
    }

    #[test]
    fn a_spike_is_held_and_accepted_only_when_confirmed() {
        let mut feed = feed();
        round(&mut feed, &[1, 2, 3], &[100, 100, 100], NOW);
        // +60 %: beyond the 20 % limit, held as candidate.
        let events = round(&mut feed, &[1, 2, 3], &[160, 160, 160], NOW + 60);
        assert_eq!(accepted(&events), None);
        assert!(events.contains(&FeedEvent::PriceHeld {
            candidate: 160,
            last_good: 100
        }));
        assert_eq!(feed.status(NOW + 60), FeedStatus::Suspect);
        assert_eq!(feed.price, 100);
        // The next round confirms the new level.
        let events = round(&mut feed, &[3, 4, 5], &[158, 161, 162], NOW + 120);
        assert_eq!(accepted(&events), Some(161));
        assert_eq!(feed.status(NOW + 120), FeedStatus::Ok);
    }

    #[test]
    fn a_transient_spike_falls_back_to_the_old_level() {
        let mut feed = feed();
        round(&mut feed, &[1, 2, 3], &[100, 100, 100], NOW);
        round(&mut feed, &[1, 2, 3], &[160, 160, 160], NOW + 60);
        let events = round(&mut feed, &[1, 2, 3], &[101, 101, 101], NOW + 120);
        assert_eq!(accepted(&events), Some(101));
        assert_eq!(feed.candidate, None);
    }

    #[test]
    fn a_different_far_level_replaces_the_candidate() {
        let mut feed = feed();
        round(&mut feed, &[1, 2, 3], &[100, 100, 100], NOW);
        round(&mut feed, &[1, 2, 3], &[160, 160, 160], NOW + 60);
        let events = round(&mut feed, &[1, 2, 3], &[40, 40, 40], NOW + 120);
        assert_eq!(accepted(&events), None);
        assert_eq!(feed.candidate, Some((40, NOW + 120)));
        assert_eq!(feed.price, 100);
    }

    #[test]
    fn removing_a_reporter_mid_round_drops_its_submission() {
        let mut feed = feed();
        round(&mut feed, &[1, 2], &[100, 100], NOW);
        feed.remove_reporter(reporter(1)).unwrap();
        let events = round(&mut feed, &[3], &[100], NOW);
        assert_eq!(accepted(&events), None, "only two fresh submissions remain");
        assert_eq!(
            feed.submit(reporter(1), 100, NOW + 1, NOW + 1),
            Err(OracleError::NotReporter)
        );
        feed.add_reporter(reporter(6)).unwrap();
        let events = round(&mut feed, &[6], &[100], NOW);
        assert_eq!(accepted(&events), Some(100));
    }

    #[test]
    fn reporter_management_errors() {
        let mut feed = feed();
        assert_eq!(
            feed.add_reporter(reporter(1)),
            Err(OracleError::ReporterExists)
        );
        assert_eq!(
            feed.remove_reporter(reporter(9)),
            Err(OracleError::UnknownReporter)
        );
        feed.remove_reporter(reporter(5)).unwrap();
        feed.remove_reporter(reporter(4)).unwrap();
        assert_eq!(
            feed.remove_reporter(reporter(3)),
            Err(OracleError::InvalidQuorum)
        );
        for n in 10..23 {
            feed.add_reporter(reporter(n)).unwrap();
        }
        assert_eq!(
            feed.add_reporter(reporter(99)),
            Err(OracleError::TooManyReporters)
        );
    }

    #[test]
    fn emergency_price_is_marked_until_reporters_take_over() {
        let mut feed = feed();
        round(&mut feed, &[1, 2], &[100, 100], NOW);
        assert_eq!(
            feed.set_emergency_price(0, NOW),
            Err(OracleError::ZeroPrice)
        );
        feed.set_emergency_price(90, NOW).unwrap();
        assert_eq!(feed.status(NOW), FeedStatus::Emergency);
        assert!(feed.reporters.iter().all(|r| r.pending.is_none()));
        let events = round(&mut feed, &[1, 2, 3], &[95, 95, 95], NOW + 10);
        assert_eq!(accepted(&events), Some(95));
        assert_eq!(feed.status(NOW + 10), FeedStatus::Ok);
    }

    /// What the contract's `set_frozen` does: flip the flag and note the status change.
    fn set_frozen(feed: &mut Feed, frozen: bool, now: u64) {
        let before = feed.status(now);
        feed.frozen = frozen;
        feed.note_status_change(before, now);
    }

    #[test]
    fn the_first_accepted_price_starts_ok_since_at_the_block_time() {
        let mut feed = feed();
        assert_eq!(feed.ok_since_secs, 0, "no price yet");
        feed.submit(reporter(1), 100, NOW - 30, NOW - 20).unwrap();
        feed.submit(reporter(2), 100, NOW - 30, NOW - 20).unwrap();
        assert_eq!(feed.ok_since_secs, 0, "no round yet");
        feed.submit(reporter(3), 100, NOW - 30, NOW).unwrap();
        assert_eq!(feed.status(NOW), FeedStatus::Ok);
        assert_eq!(feed.updated_at_secs, NOW - 30, "observation time");
        assert_eq!(feed.ok_since_secs, NOW, "block time, not observation time");
    }

    #[test]
    fn rounds_accepted_while_ok_keep_ok_since() {
        let mut feed = feed();
        round(&mut feed, &[1, 2, 3], &[100, 100, 100], NOW);
        let events = round(&mut feed, &[1, 2, 3], &[101, 101, 101], NOW + 60);
        assert_eq!(accepted(&events), Some(101));
        let events = round(&mut feed, &[3, 4, 5], &[102, 102, 102], NOW + 3_000);
        assert_eq!(accepted(&events), Some(102));
        assert_eq!(feed.status(NOW + 3_000), FeedStatus::Ok);
        assert_eq!(feed.ok_since_secs, NOW);
    }

    #[test]
    fn recovering_from_stale_restarts_ok_since_at_the_recovery() {
        let mut feed = feed();
        round(&mut feed, &[1, 2, 3], &[100, 100, 100], NOW);
        // Stale from NOW + 3_601 on, with no transaction to notice it.
        let observed = NOW + 3_500;
        let recovery = NOW + 3_700;
        assert_eq!(feed.status(recovery), FeedStatus::Stale);
        for n in 1..=2 {
            feed.submit(reporter(n), 100, observed, recovery - 10)
                .unwrap();
        }
        assert_eq!(feed.ok_since_secs, NOW, "two submissions are no round");
        // The round is observed before the staleness began, but completes after it: the
        // feed was Stale in between, so the grace period starts at the recovery.
        let events = feed.submit(reporter(3), 100, observed, recovery).unwrap();
        assert_eq!(accepted(&events), Some(100));
        assert!(events.contains(&FeedEvent::StatusChanged {
            from: FeedStatus::Stale,
            to: FeedStatus::Ok
        }));
        assert_eq!(feed.status(recovery), FeedStatus::Ok);
        assert_eq!(feed.ok_since_secs, recovery);
    }

    #[test]
    fn confirming_a_suspect_level_restarts_ok_since_at_the_confirmation() {
        let mut feed = feed();
        round(&mut feed, &[1, 2, 3], &[100, 100, 100], NOW);
        round(&mut feed, &[1, 2, 3], &[160, 160, 160], NOW + 60);
        assert_eq!(feed.status(NOW + 60), FeedStatus::Suspect);
        let events = round(&mut feed, &[3, 4, 5], &[158, 161, 162], NOW + 120);
        assert_eq!(accepted(&events), Some(161));
        assert_eq!(feed.status(NOW + 120), FeedStatus::Ok);
        assert_eq!(feed.ok_since_secs, NOW + 120);

        // The same when the spike proves transient and the old level returns.
        let mut feed = self::feed();
        round(&mut feed, &[1, 2, 3], &[100, 100, 100], NOW);
        round(&mut feed, &[1, 2, 3], &[160, 160, 160], NOW + 60);
        let events = round(&mut feed, &[1, 2, 3], &[101, 101, 101], NOW + 180);
        assert_eq!(accepted(&events), Some(101));
        assert_eq!(feed.ok_since_secs, NOW + 180);
    }

    #[test]
    fn reporters_taking_over_from_an_emergency_price_restart_ok_since() {
        let mut feed = feed();
        round(&mut feed, &[1, 2, 3], &[100, 100, 100], NOW);
        feed.set_emergency_price(90, NOW + 10).unwrap();
        assert_eq!(feed.status(NOW + 10), FeedStatus::Emergency);
        let events = round(&mut feed, &[1, 2, 3], &[95, 95, 95], NOW + 20);
        assert_eq!(accepted(&events), Some(95));
        assert_eq!(feed.status(NOW + 20), FeedStatus::Ok);
        assert_eq!(feed.ok_since_secs, NOW + 20);
    }

    #[test]
    fn unfreezing_restarts_ok_since_only_if_the_feed_is_fresh() {
        let mut feed = feed();
        round(&mut feed, &[1, 2, 3], &[100, 100, 100], NOW);
        set_frozen(&mut feed, true, NOW + 10);
        assert_eq!(feed.status(NOW + 10), FeedStatus::Frozen);
        set_frozen(&mut feed, false, NOW + 100);
        assert_eq!(feed.status(NOW + 100), FeedStatus::Ok);
        assert_eq!(feed.ok_since_secs, NOW + 100);

        // Unfrozen after the heartbeat: Stale, so no grace period starts yet.
        set_frozen(&mut feed, true, NOW + 200);
        set_frozen(&mut feed, false, NOW + 3_700);
        assert_eq!(feed.status(NOW + 3_700), FeedStatus::Stale);
        assert_eq!(feed.ok_since_secs, NOW + 100);
        round(&mut feed, &[1, 2, 3], &[100, 100, 100], NOW + 3_800);
        assert_eq!(feed.ok_since_secs, NOW + 3_800);
    }

    #[test]
    fn a_heartbeat_change_that_ends_staleness_restarts_ok_since() {
        let mut feed = feed();
        round(&mut feed, &[1, 2, 3], &[100, 100, 100], NOW);
        assert_eq!(feed.status(NOW + 4_000), FeedStatus::Stale);
        let mut longer = config();
        longer.heartbeat_secs = 7_200;
        feed.set_config(longer, NOW + 4_000).unwrap();
        assert_eq!(feed.status(NOW + 4_000), FeedStatus::Ok);
        assert_eq!(feed.ok_since_secs, NOW + 4_000);
        feed.set_config(longer, NOW + 4_100).unwrap();
        assert_eq!(feed.ok_since_secs, NOW + 4_000, "Ok before and after");
        // A refused config changes nothing.
        let mut bad = longer;
        bad.quorum = 7;
        assert_eq!(
            feed.set_config(bad, NOW + 4_200),
            Err(OracleError::InvalidQuorum)
        );
        assert_eq!(feed.ok_since_secs, NOW + 4_000);
    }

    #[test]
    fn frozen_outranks_everything_and_config_changes_are_validated() {
        let mut feed = feed();
        feed.frozen = true;
        assert_eq!(feed.status(NOW), FeedStatus::Frozen);
        let mut bad = config();
        bad.quorum = 7;
        assert_eq!(feed.set_config(bad, NOW), Err(OracleError::InvalidQuorum));
        let mut good = config();
        good.quorum = 5;
        assert_eq!(feed.set_config(good, NOW), Ok(()));
    }

    #[test]
    fn wide_mul_matches_exact_products() {
        assert_eq!(wide_mul(u128::MAX, u128::MAX), (u128::MAX - 1, 1));
        assert_eq!(wide_mul(1 << 64, 1 << 64), (1, 0));
        assert_eq!(wide_mul(3, 5), (0, 15));
        assert_eq!(wide_mul(u128::MAX, 2), (1, u128::MAX - 1));
        assert_eq!(wide_mul(0, u128::MAX), (0, 0));
    }

    #[test]
    fn deviation_is_measured_against_the_last_good_price() {
        assert!(within(120, 100, WAD / 5));
        assert!(!within(121, 100, WAD / 5));
        assert!(within(80, 100, WAD / 5));
        assert!(!within(79, 100, WAD / 5));
        assert!(!within(u128::MAX, 1, WAD), "absurd ratios are never within");
    }
}
