//! One asset's price feed as plain data: reporters, the round in progress, the last good
//! price and the status machine. No `env()`: every method takes the caller and `now`
//! (block time, seconds) and returns the events to emit.
//!
//! ## Rounds
//! A reporter's latest submission waits in its slot as `(price, joined_at)`, where
//! `joined_at` is the block time at which the reporter joined the round in progress (a
//! second submission in the same round replaces the price and keeps `joined_at`); its
//! observation time is the slot's `last_observed_at_secs`. The round *opens* with its
//! first submission, at block time `O` = the earliest `joined_at` of the waiting
//! submissions, and its window is `[O, O + round_window_secs]`. The round *closes*, on a
//! submission (contracts have no timers):
//! - as soon as every reporter of the feed has a submission in it, or
//! - on the first submission at a block time after `O + round_window_secs` (that
//!   submission counts too) when the round then holds at least `quorum` submissions.
//!
//! A submission after the window that leaves the round below `quorum` *expires* it: the
//! waiting submissions are dropped ([`FeedChange::RoundExpired`]) and the new one opens the
//! next round. A closing round takes the median of **all** its submissions (each reporter
//! counted once, a reporter's newest price), clears every slot, and sends the median
//! through the deviation guard. Storage per feed is bounded by the reporter limit;
//! nothing accumulates.
//!
//! ## Fault bound
//! For a feed of `n` reporters, `f = ⌊(n − 1)/2⌋`. If at most `f` reporters lie and every
//! honest reporter submits at a block time within the window of every round (including
//! rounds a liar opens), every accepted price lies within the range of the honest
//! submissions of its round, whatever the order of submissions: a closing round holds
//! every honest submission, the honest ones outnumber the liars in it (`n − f > f`), so
//! the median (and both middle values of an even count) lies between two honest values.
//! When some reporters are offline, a round closes only with at least `quorum`
//! submissions, so up to `⌊(quorum − 1)/2⌋` liars are tolerated in every order without any
//! liveness assumption. [`FeedConfig::validate`] requires an odd `quorum` with
//! `f < quorum <= n` (equivalently `n <= 2 × quorum`): liars alone never make a quorum,
//! so they can neither close a round nor confirm a jump by themselves. Rounds keep
//! completing while at least `quorum` honest reporters are live.
//!
//! ## Deviation guard
//! A median within `max_deviation_wad` of the last good price is accepted (so returning
//! to the old level clears a candidate). A median beyond it is held as a *candidate* and
//! the feed turns `Suspect`. A later round's median is accepted as the confirmed new level
//! only if it lies within the limit of the candidate **and** at least `quorum` distinct
//! reporters of that round each submitted a price within the limit of the candidate: a
//! median alone never confirms, so reporters fewer than a quorum cannot supply a
//! confirmation. Any other median beyond the limit of the last good price replaces the
//! candidate. The very first median of a feed is accepted as is.
//!
//! ## Status
//! `Frozen` (by the guardian or governance) > `Stale` (`now - updated_at >
//! heartbeat_secs`, the boundary itself is still fresh) > `Suspect` > `Emergency` (price
//! set by governance) > `Ok`. The last good price stays readable in every status.
//!
//! `ok_since_secs` records since when the feed has been served by its reporters without
//! an *outage*, for the pool's grace period after a feed recovers. An outage is: no price
//! yet, `Stale`, `Frozen`, or an emergency price (also while a candidate is held on top
//! of one). A held candidate on a reporter price (`Suspect`) is no outage: when a
//! confirmed jump or a return to the old level ends it, `ok_since_secs` stays, so a real
//! market move does not pause liquidations. Time alone only ever takes a feed *into* an
//! outage (`Stale`), lazily and with no transaction; every way *out of* one is a
//! transaction: a completing round ([`Feed::submit`]), a heartbeat change
//! ([`Feed::set_config`]) or an unfreeze ([`Feed::set_frozen`]). Each of them takes
//! [`Feed::in_outage`] before the change at the same `now` and calls
//! [`Feed::note_recovery`], which sets `ok_since_secs = now` when the feed was in an
//! outage and is now `Ok`. So a feed that went `Stale` unobserved and then receives a
//! completing round gets `ok_since_secs` = that round's block time, never the time it
//! first became `Ok`. A feed that leaves an outage into `Suspect` (an unfreeze, or a
//! round after staleness held as a candidate) gets `ok_since_secs = 0`, and the round that
//! later makes it `Ok` sets it to its block time: every recovery from an outage starts the
//! grace period once. The value is kept but meaningless while the status is not `Ok`; it
//! is 0 before the first price.

use carrack_interfaces::{FeedStatus, OracleError, PriceData};
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;

use crate::median::median;

/// Most decimals a price may have, shared with the pool (see
/// [`carrack_interfaces::MAX_PRICE_DECIMALS`]).
pub use carrack_interfaces::MAX_PRICE_DECIMALS;

/// Most reporters one feed may have.
pub const MAX_REPORTERS: usize = 16;
/// Longest heartbeat accepted: one week.
pub const MAX_HEARTBEAT_SECS: u64 = 7 * 24 * 3600;
/// 1.0 in WAD, the unit of the deviation limit.
pub const WAD: u128 = 1_000_000_000_000_000_000;
/// Largest deviation limit accepted: 100 % per round.
pub const MAX_DEVIATION_WAD: u128 = WAD;

/// A feed's governance-set parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct FeedConfig {
    /// Submissions a round needs to close once its window has passed, and distinct
    /// reporters that must agree with a candidate to confirm it: odd, with
    /// `⌊(n − 1)/2⌋ < quorum <= n` for `n` reporters (see the module's "Fault bound").
    pub quorum: u8,
    /// Age after which the price is `Stale`.
    pub heartbeat_secs: u64,
    /// A round's window (seconds after its first submission), and how old an observation
    /// may be when submitted (`1..=heartbeat`).
    pub round_window_secs: u64,
    /// Lowest price accepted from a reporter or as an emergency price.
    pub min_price: u128,
    /// Highest price accepted from a reporter or as an emergency price.
    pub max_price: u128,
    /// Largest change (WAD, relative to the last good price) accepted in one round.
    pub max_deviation_wad: u128,
    /// Decimals of the price values, at most [`MAX_PRICE_DECIMALS`]; fixed once the feed
    /// exists.
    pub decimals: u8,
}

/// A reporter and its submission waiting for the current round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Reporter {
    /// The reporter's account.
    pub account: AccountId,
    /// `observed_at` of its newest submission; the next must be newer. While `pending`
    /// is set, this is the waiting submission's observation time.
    pub last_observed_at_secs: u64,
    /// Its submission for the current round, `(price, joined_at)`: `joined_at` is the
    /// block time (seconds) at which the reporter joined the round.
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
    /// Since when (Unix seconds, block time) the feed has been served by its reporters
    /// without an outage: meaningful only while [`Feed::status`] is `Ok`; 0 before the
    /// first price and after an outage until the feed is `Ok` again. Kept by
    /// [`Feed::note_recovery`]; see the module's "Status" section.
    pub ok_since_secs: u64,
}

/// A change governance makes to an existing feed: the argument of the oracle's
/// `update_feed` message. One message with this argument instead of one message per kind
/// keeps the oracle's code small (each message costs its own role check, load, store and
/// status comparison in the contract's dispatcher), and the oracle's code is loaded on
/// every health check of the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum FeedUpdate {
    /// Replaces the parameters ([`Feed::set_config`]) and drops the round in progress.
    Config(FeedConfig),
    /// Adds `reporter` (`active`) or removes it and its pending submission
    /// ([`Feed::add_reporter`], [`Feed::remove_reporter`]).
    Reporter {
        /// The reporter.
        reporter: AccountId,
        /// Whether it is to be a reporter.
        active: bool,
    },
    /// Freezes (`true`: no submissions, status `Frozen`) or unfreezes the feed
    /// ([`Feed::set_frozen`]). Freezing is the one update the guardian may make.
    Frozen(bool),
    /// Sets an emergency price ([`Feed::set_emergency_price`]).
    EmergencyPrice(u128),
    /// Removes the feed and frees its storage.
    Remove,
}

impl FeedUpdate {
    /// Whether the guardian may make this update: only freezing (it never unfreezes,
    /// reconfigures or overrides a price).
    pub fn guardian_may(&self) -> bool {
        matches!(self, FeedUpdate::Frozen(true))
    }
}

/// What a feed operation changed, for the contract to emit as one `FeedChanged` event per
/// change (a reporter's submission itself is emitted as `PriceSubmitted` by the contract,
/// before the changes it caused). One event type with this payload instead of one event
/// per kind keeps the oracle's code small: its code is loaded on every health check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum FeedChange {
    /// A round's window passed with fewer than a quorum of submissions: they were
    /// dropped, and the submission that found it opens the next round.
    RoundExpired {
        /// How many submissions were dropped.
        dropped: u8,
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
    /// The feed was added, or its parameters replaced (which drops the round in progress).
    Configured {
        /// The parameters now in force.
        config: FeedConfig,
    },
    /// The feed was removed.
    Removed,
    /// A reporter was added to (`active`) or removed from the feed.
    ReporterChanged {
        /// The reporter.
        reporter: AccountId,
        /// Whether it is now a reporter.
        active: bool,
    },
    /// Governance set an emergency price.
    EmergencyPriceSet {
        /// The price.
        price: u128,
    },
}

/// Whether `a` lies within `limit_wad` of `b`: `|a - b| / b <= limit_wad`, i.e.
/// `|a - b| * WAD <= limit_wad * b`, compared exactly as 256-bit products (no division,
/// which would pull 128-bit division into the contract). The oracle's deviation test,
/// shared with the relayer.
pub fn within(a: u128, b: u128, limit_wad: u128) -> bool {
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
    /// reporters the feed has. The quorum must be odd with `⌊(n − 1)/2⌋ < quorum <= n`
    /// (the module's "Fault bound"); `2 × quorum >= n` is the same condition.
    pub fn validate(&self, reporters: usize) -> Result<(), OracleError> {
        let quorum = usize::from(self.quorum);
        // quorum <= 255, so the doubling cannot overflow.
        if quorum % 2 == 0 || quorum > reporters || quorum.saturating_mul(2) < reporters {
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

    /// What the oracle answers for the feed at `now_secs` (its `price` and `prices`
    /// messages): the last good price with its status and `ok_since_secs`, or
    /// [`OracleError::NoPrice`] before the first price.
    pub fn price_data(&self, now_secs: u64) -> Result<PriceData, OracleError> {
        if self.price == 0 {
            return Err(OracleError::NoPrice);
        }
        Ok(PriceData {
            value: self.price,
            decimals: self.config.decimals,
            updated_at_secs: self.updated_at_secs,
            status: self.status(now_secs),
            ok_since_secs: self.ok_since_secs,
        })
    }

    /// Freezes or unfreezes the feed ([`FeedUpdate::Frozen`], after the contract's role
    /// check). Unfreezing a fresh feed makes it `Ok` again, and its grace
    /// period starts now ([`Feed::note_recovery`]).
    pub fn set_frozen(&mut self, frozen: bool, now_secs: u64) {
        let was_in_outage = self.in_outage(now_secs);
        self.frozen = frozen;
        self.note_recovery(was_in_outage, now_secs);
    }

    /// Whether the feed is in an outage at `now_secs`: no price yet, an emergency price,
    /// `Stale` or `Frozen`. A `Suspect` reporter price is no outage.
    pub fn in_outage(&self, now_secs: u64) -> bool {
        self.price == 0
            || self.emergency
            || matches!(
                self.status(now_secs),
                FeedStatus::Stale | FeedStatus::Frozen
            )
    }

    /// Records that the feed may have recovered in this transaction: `was_in_outage` is
    /// [`Feed::in_outage`] at `now_secs` before the change. When the status is now `Ok`
    /// and the feed was in an outage, or has not been `Ok` since one (`ok_since_secs` is
    /// 0), `ok_since_secs` becomes `now_secs`. When the feed was in an outage and is not
    /// `Ok` now (say an unfreeze into a held candidate), `ok_since_secs` becomes 0, so the
    /// confirmation that later makes it `Ok` starts the grace period. Otherwise nothing
    /// changes. Call it after every change of the fields [`Feed::status`] reads (`frozen`,
    /// `updated_at_secs`, `candidate`, `emergency`, the heartbeat).
    pub fn note_recovery(&mut self, was_in_outage: bool, now_secs: u64) {
        if self.status(now_secs) == FeedStatus::Ok {
            if was_in_outage || self.ok_since_secs == 0 {
                self.ok_since_secs = now_secs;
            }
        } else if was_in_outage {
            self.ok_since_secs = 0;
        }
    }

    /// When the round in progress opened (the earliest `joined_at` of the waiting
    /// submissions), `None` if no submission waits.
    pub fn round_opened_at_secs(&self) -> Option<u64> {
        self.reporters
            .iter()
            .filter_map(|r| r.pending.map(|(_, joined_at)| joined_at))
            .min()
    }

    /// How many submissions wait in the round in progress.
    pub fn round_submissions(&self) -> usize {
        self.reporters
            .iter()
            .filter(|r| r.pending.is_some())
            .count()
    }

    /// Whether the window of the round in progress has passed at `now_secs` (false when
    /// no round is open): the next submission closes or expires the round.
    pub fn round_window_passed(&self, now_secs: u64) -> bool {
        self.round_opened_at_secs()
            .is_some_and(|opened| now_secs.saturating_sub(opened) > self.config.round_window_secs)
    }

    /// Records `caller`'s price and closes or expires the round as the module's "Rounds"
    /// section says. Returns what the submission changed (an expired round, the closed
    /// round's verdict, a status change), in that order; the submission itself is the
    /// caller's to report.
    pub fn submit(
        &mut self,
        caller: AccountId,
        price: u128,
        observed_at_secs: u64,
        now_secs: u64,
    ) -> Result<Vec<FeedChange>, OracleError> {
        if self.frozen {
            return Err(OracleError::FeedFrozen);
        }
        let index = self
            .reporters
            .iter()
            .position(|r| r.account == caller)
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
        let (last_observed, already_in_round) = self
            .reporters
            .get(index)
            .map(|r| (r.last_observed_at_secs, r.pending.is_some()))
            .ok_or(OracleError::NotReporter)?;
        if observed_at_secs <= last_observed {
            return Err(OracleError::NotNewer);
        }
        if now_secs.saturating_sub(observed_at_secs) > self.config.round_window_secs {
            return Err(OracleError::SubmissionTooOld);
        }

        let was_in_outage = self.in_outage(now_secs);
        let status_before = self.status(now_secs);
        let mut events = Vec::with_capacity(4);
        let window_passed = self.round_window_passed(now_secs);
        let quorum = usize::from(self.config.quorum);
        let waiting = self
            .round_submissions()
            .saturating_add(usize::from(!already_in_round));
        let expired = window_passed && waiting < quorum;
        if expired {
            let dropped = u8::try_from(self.round_submissions()).unwrap_or(u8::MAX);
            for reporter in self.reporters.iter_mut() {
                reporter.pending = None;
            }
            events.push(FeedChange::RoundExpired { dropped });
        }
        let slot = self
            .reporters
            .get_mut(index)
            .ok_or(OracleError::NotReporter)?;
        let joined_at = slot.pending.map_or(now_secs, |(_, joined_at)| joined_at);
        slot.last_observed_at_secs = observed_at_secs;
        slot.pending = Some((price, joined_at));

        let in_round = self.round_submissions();
        let everyone = in_round == self.reporters.len();
        if everyone || (window_passed && !expired && in_round >= quorum) {
            if let Some(event) = self.close_round() {
                events.push(event);
            }
        }
        self.note_recovery(was_in_outage, now_secs);
        let status_after = self.status(now_secs);
        if status_after != status_before {
            events.push(FeedChange::StatusChanged {
                from: status_before,
                to: status_after,
            });
        }
        Ok(events)
    }

    /// Takes the median of every waiting submission, clears the slots and sends the
    /// median through the deviation guard. `None` (and nothing cleared) if no submission
    /// waits.
    fn close_round(&mut self) -> Option<FeedChange> {
        let mut prices = Vec::with_capacity(self.reporters.len());
        let mut times = Vec::with_capacity(self.reporters.len());
        for reporter in self.reporters.iter() {
            if let Some((price, _)) = reporter.pending {
                prices.push(price);
                times.push(u128::from(reporter.last_observed_at_secs));
            }
        }
        let limit = self.config.max_deviation_wad;
        let supporters = self.candidate.map_or(0, |(candidate, _)| {
            prices
                .iter()
                .filter(|price| within(**price, candidate, limit))
                .count()
        });
        let round_price = median(prices)?;
        // The median of u64 timestamps lies between two of them, so it fits u64.
        let round_time = u64::try_from(median(times)?).unwrap_or(self.updated_at_secs);
        for reporter in self.reporters.iter_mut() {
            reporter.pending = None;
        }
        Some(self.complete_round(round_price, round_time, supporters))
    }

    /// The deviation guard: `supporters` is how many of the round's submissions lie
    /// within the limit of the candidate (0 without one).
    fn complete_round(
        &mut self,
        median_price: u128,
        observed_at_secs: u64,
        supporters: usize,
    ) -> FeedChange {
        let limit = self.config.max_deviation_wad;
        let confirmed = supporters >= usize::from(self.config.quorum)
            && self
                .candidate
                .is_some_and(|(candidate, _)| within(median_price, candidate, limit));
        let accept = self.price == 0 || within(median_price, self.price, limit) || confirmed;
        if accept {
            self.price = median_price;
            self.updated_at_secs = self.updated_at_secs.max(observed_at_secs);
            self.candidate = None;
            self.emergency = false;
            FeedChange::PriceAccepted {
                price: median_price,
                updated_at_secs: self.updated_at_secs,
            }
        } else {
            self.candidate = Some((median_price, observed_at_secs));
            FeedChange::PriceHeld {
                candidate: median_price,
                last_good: self.price,
            }
        }
    }

    /// Applies `update` at `now_secs` (after the contract's role check) and returns the
    /// changes to emit, in order: the update's own change (none for freezing), then a
    /// status change if it made one. [`FeedUpdate::Remove`] changes nothing here: it
    /// reports [`FeedChange::Removed`] and the contract deletes the feed. A refused
    /// update leaves the feed as it was.
    pub fn apply(
        &mut self,
        update: FeedUpdate,
        now_secs: u64,
    ) -> Result<Vec<FeedChange>, OracleError> {
        let before = self.status(now_secs);
        let mut changes = Vec::with_capacity(2);
        match update {
            FeedUpdate::Config(config) => {
                self.set_config(config, now_secs)?;
                changes.push(FeedChange::Configured { config });
            }
            FeedUpdate::Reporter { reporter, active } => {
                if active {
                    self.add_reporter(reporter)?;
                } else {
                    self.remove_reporter(reporter)?;
                }
                changes.push(FeedChange::ReporterChanged { reporter, active });
            }
            FeedUpdate::Frozen(frozen) => self.set_frozen(frozen, now_secs),
            FeedUpdate::EmergencyPrice(price) => {
                self.set_emergency_price(price, now_secs)?;
                changes.push(FeedChange::EmergencyPriceSet { price });
            }
            FeedUpdate::Remove => {
                changes.push(FeedChange::Removed);
                return Ok(changes);
            }
        }
        let after = self.status(now_secs);
        if after != before {
            changes.push(FeedChange::StatusChanged {
                from: before,
                to: after,
            });
        }
        Ok(changes)
    }

    /// Adds a reporter (governance). Refused if the quorum would no longer satisfy
    /// [`FeedConfig::validate`] for the larger set.
    pub fn add_reporter(&mut self, account: AccountId) -> Result<(), OracleError> {
        if self.reporters.iter().any(|r| r.account == account) {
            return Err(OracleError::ReporterExists);
        }
        if self.reporters.len() >= MAX_REPORTERS {
            return Err(OracleError::TooManyReporters);
        }
        self.config
            .validate(self.reporters.len().saturating_add(1))?;
        self.reporters.push(Reporter {
            account,
            last_observed_at_secs: 0,
            pending: None,
        });
        Ok(())
    }

    /// Removes a reporter and its pending submission (governance). Refused if the quorum
    /// would no longer satisfy [`FeedConfig::validate`] for the smaller set.
    pub fn remove_reporter(&mut self, account: AccountId) -> Result<(), OracleError> {
        let index = self
            .reporters
            .iter()
            .position(|r| r.account == account)
            .ok_or(OracleError::UnknownReporter)?;
        self.config
            .validate(self.reporters.len().saturating_sub(1))?;
        self.reporters.swap_remove(index);
        Ok(())
    }

    /// Replaces the parameters (governance), validated against the current reporters.
    /// The decimals cannot change (`DecimalsImmutable`: price, candidate and bounds are
    /// in them), and the bounds must contain the current price (`BoundsExcludePrice`).
    /// The round in progress is dropped: its submissions were made under the old rules.
    /// A new heartbeat can move the feed into or out of `Stale` at `now_secs`.
    pub fn set_config(&mut self, config: FeedConfig, now_secs: u64) -> Result<(), OracleError> {
        config.validate(self.reporters.len())?;
        if config.decimals != self.config.decimals {
            return Err(OracleError::DecimalsImmutable);
        }
        if self.price != 0 && (self.price < config.min_price || self.price > config.max_price) {
            return Err(OracleError::BoundsExcludePrice);
        }
        let was_in_outage = self.in_outage(now_secs);
        self.config = config;
        for reporter in self.reporters.iter_mut() {
            reporter.pending = None;
        }
        self.note_recovery(was_in_outage, now_secs);
        Ok(())
    }

    /// Sets an emergency price (governance), within the feed's bounds: marked `Emergency`
    /// until reporters agree on a new price within the deviation limit of it.
    pub fn set_emergency_price(&mut self, price: u128, now_secs: u64) -> Result<(), OracleError> {
        if price == 0 {
            return Err(OracleError::ZeroPrice);
        }
        if price < self.config.min_price || price > self.config.max_price {
            return Err(OracleError::PriceOutOfBounds);
        }
        self.price = price;
        self.updated_at_secs = now_secs;
        self.candidate = None;
        self.emergency = true;
        for reporter in self.reporters.iter_mut() {
            reporter.pending = None;
        }
        // An emergency price is an outage itself: `ok_since_secs` waits for the
        // reporters to take over.
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

    /// Reporters `who` submit `prices` observed at `at`, all at `now = at`.
    fn round(feed: &mut Feed, who: &[u8], prices: &[u128], at: u64) -> Vec<FeedChange> {
        let mut events = vec![];
        for (n, price) in who.iter().zip(prices) {
            events.extend(feed.submit(reporter(*n), *price, at, at).unwrap());
        }
        events
    }

    /// All five reporters submit `price` at `at`: the round closes with the last.
    fn everyone(feed: &mut Feed, price: u128, at: u64) -> Vec<FeedChange> {
        round(feed, &[1, 2, 3, 4, 5], &[price; 5], at)
    }

    fn accepted(events: &[FeedChange]) -> Option<u128> {
        events.iter().find_map(|e| match e {
            FeedChange::PriceAccepted { price, .. } => Some(*price),
            _ => None,
        })
    }

    #[test]
    fn each_update_reports_its_change_then_the_status_change_and_a_refused_one_changes_nothing() {
        let mut feed = feed();
        everyone(&mut feed, 100, NOW);
        // Freezing reports only the status change it makes; the guardian may do only that.
        assert_eq!(
            feed.apply(FeedUpdate::Frozen(true), NOW),
            Ok(vec![FeedChange::StatusChanged {
                from: FeedStatus::Ok,
                to: FeedStatus::Frozen
            }])
        );
        assert_eq!(feed.apply(FeedUpdate::Frozen(true), NOW), Ok(vec![]));
        assert!(FeedUpdate::Frozen(true).guardian_may());
        for update in [
            FeedUpdate::Frozen(false),
            FeedUpdate::Config(config()),
            FeedUpdate::EmergencyPrice(5),
            FeedUpdate::Remove,
            FeedUpdate::Reporter {
                reporter: reporter(9),
                active: true,
            },
        ] {
            assert!(!update.guardian_may(), "{update:?}");
        }
        assert_eq!(
            feed.apply(FeedUpdate::Frozen(false), NOW),
            Ok(vec![FeedChange::StatusChanged {
                from: FeedStatus::Frozen,
                to: FeedStatus::Ok
            }])
        );
        // An emergency price: its own change, then the status it sets.
        assert_eq!(
            feed.apply(FeedUpdate::EmergencyPrice(90), NOW),
            Ok(vec![
                FeedChange::EmergencyPriceSet { price: 90 },
                FeedChange::StatusChanged {
                    from: FeedStatus::Ok,
                    to: FeedStatus::Emergency
                }
            ])
        );
        // A new configuration with the same heartbeat changes no status.
        let mut wider = config();
        wider.max_deviation_wad = WAD / 4;
        assert_eq!(
            feed.apply(FeedUpdate::Config(wider), NOW),
            Ok(vec![FeedChange::Configured { config: wider }])
        );
        let added = FeedUpdate::Reporter {
            reporter: reporter(6),
            active: true,
        };
        assert_eq!(
            feed.apply(added, NOW),
            Ok(vec![FeedChange::ReporterChanged {
                reporter: reporter(6),
                active: true
            }])
        );
        // Every refusal leaves the feed exactly as it was.
        let before = feed.clone();
        let mut other_decimals = wider;
        other_decimals.decimals = 6;
        for (update, error) in [
            (added, OracleError::ReporterExists),
            (
                FeedUpdate::Reporter {
                    reporter: reporter(9),
                    active: false,
                },
                OracleError::UnknownReporter,
            ),
            (
                FeedUpdate::Config(other_decimals),
                OracleError::DecimalsImmutable,
            ),
            (FeedUpdate::EmergencyPrice(0), OracleError::ZeroPrice),
            (
                FeedUpdate::EmergencyPrice(u128::MAX),
                OracleError::PriceOutOfBounds,
            ),
        ] {
            assert_eq!(feed.apply(update, NOW), Err(error), "{update:?}");
            assert_eq!(feed, before, "{update:?} changed the feed");
        }
        // Removal only reports itself: the contract deletes the feed.
        assert_eq!(
            feed.apply(FeedUpdate::Remove, NOW),
            Ok(vec![FeedChange::Removed])
        );
        assert_eq!(feed, before);
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
        assert_eq!(with(|c| c.decimals = 24), Ok(()));
        assert_eq!(with(|c| c.decimals = 25), Err(OracleError::InvalidDecimals));
    }

    /// `⌊(n − 1)/2⌋ < quorum <= n`, odd: the smallest and largest quorum for every `n`.
    #[test]
    fn the_quorum_is_a_majority_bound_of_the_reporters() {
        let with_quorum = |quorum: u8, n: usize| {
            let mut c = config();
            c.quorum = quorum;
            c.validate(n)
        };
        for n in 1..=MAX_REPORTERS {
            let liars = (n - 1) / 2;
            for quorum in 0..=17u8 {
                let q = usize::from(quorum);
                let valid = q % 2 == 1 && q > liars && q <= n;
                assert_eq!(
                    with_quorum(quorum, n).is_ok(),
                    valid,
                    "n {n}, quorum {quorum}"
                );
            }
        }
        assert_eq!(with_quorum(1, 3), Err(OracleError::InvalidQuorum));
        assert_eq!(with_quorum(3, 6), Ok(()));
        assert_eq!(with_quorum(3, 7), Err(OracleError::InvalidQuorum));
        assert_eq!(with_quorum(9, 16), Ok(()));
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
        assert_eq!(
            Feed::new(config(), (1..=7).map(reporter).collect()),
            Err(OracleError::InvalidQuorum),
            "three of seven would be a minority"
        );
    }

    #[test]
    fn a_round_closes_once_every_reporter_has_submitted() {
        let mut feed = feed();
        let events = round(&mut feed, &[1, 2, 3, 4], &[100, 102, 101, 99], NOW);
        assert_eq!(accepted(&events), None, "four of five, window open");
        assert_eq!(feed.round_submissions(), 4);
        assert_eq!(feed.round_opened_at_secs(), Some(NOW));
        assert_eq!(feed.status(NOW), FeedStatus::Stale, "no price yet");
        let events = round(&mut feed, &[5], &[1_000], NOW);
        assert_eq!(accepted(&events), Some(101), "median of all five");
        assert_eq!((feed.price, feed.updated_at_secs), (101, NOW));
        assert!(events.contains(&FeedChange::StatusChanged {
            from: FeedStatus::Stale,
            to: FeedStatus::Ok
        }));
        assert_eq!(feed.round_submissions(), 0, "slots cleared");
        assert_eq!(feed.round_opened_at_secs(), None);
    }

    #[test]
    fn after_the_window_the_next_submission_closes_a_quorum_round() {
        let mut feed = feed();
        round(&mut feed, &[1, 2], &[100, 104], NOW);
        round(&mut feed, &[3], &[102], NOW + 300);
        assert_eq!(feed.round_opened_at_secs(), Some(NOW));
        // The window's last second still belongs to it: no close.
        let events = feed.submit(reporter(1), 101, NOW + 600, NOW + 600).unwrap();
        assert_eq!(accepted(&events), None);
        assert!(!feed.round_window_passed(NOW + 600));
        assert!(feed.round_window_passed(NOW + 601));
        // The first submission after it closes the round and counts: median of
        // {101, 104, 102, 110} = (102 + 104) / 2.
        let events = feed.submit(reporter(4), 110, NOW + 601, NOW + 601).unwrap();
        assert_eq!(accepted(&events), Some(103));
        assert_eq!(
            feed.updated_at_secs,
            NOW + 450,
            "median of the observation times"
        );
        assert_eq!(feed.round_submissions(), 0);
    }

    #[test]
    fn a_round_below_quorum_at_the_window_end_expires() {
        let mut feed = feed();
        round(&mut feed, &[1], &[100], NOW);
        let events = round(&mut feed, &[2], &[100], NOW + 601);
        assert_eq!(
            events.first(),
            Some(&FeedChange::RoundExpired { dropped: 1 })
        );
        assert_eq!(accepted(&events), None);
        assert_eq!(
            feed.round_submissions(),
            1,
            "the new one opens the next round"
        );
        assert_eq!(feed.round_opened_at_secs(), Some(NOW + 601));
        // The reporter of the expired round joins the new one afresh.
        round(&mut feed, &[1, 3, 4, 5], &[100; 4], NOW + 700);
        assert_eq!(feed.price, 100);
    }

    #[test]
    fn a_second_submission_replaces_the_price_and_keeps_the_join_time() {
        let mut feed = feed();
        round(&mut feed, &[1], &[100], NOW);
        round(&mut feed, &[1], &[500], NOW + 1);
        let events = round(&mut feed, &[1], &[200], NOW + 2);
        assert_eq!(
            accepted(&events),
            None,
            "one reporter three times is no round"
        );
        assert_eq!(feed.round_submissions(), 1);
        assert_eq!(
            feed.reporters
                .first()
                .map(|r| (r.pending, r.last_observed_at_secs)),
            Some((Some((200, NOW)), NOW + 2))
        );
        // Its newest price counts once: median of {200, 100, 100, 100, 100}.
        let events = round(&mut feed, &[2, 3, 4, 5], &[100; 4], NOW + 3);
        assert_eq!(accepted(&events), Some(100));
    }

    #[test]
    fn one_liar_cannot_move_the_median() {
        let mut feed = feed();
        everyone(&mut feed, 100, NOW);
        let events = round(
            &mut feed,
            &[1, 2, 3, 4, 5],
            &[101, 1_000_000, 99, 100, 102],
            NOW + 60,
        );
        assert_eq!(accepted(&events), Some(101));
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
    fn staleness_starts_just_after_the_heartbeat() {
        let mut feed = feed();
        everyone(&mut feed, 100, NOW);
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
        everyone(&mut feed, 100, NOW);
        // +60 %: beyond the 20 % limit, held as candidate.
        let events = everyone(&mut feed, 160, NOW + 60);
        assert_eq!(accepted(&events), None);
        assert!(events.contains(&FeedChange::PriceHeld {
            candidate: 160,
            last_good: 100
        }));
        assert_eq!(feed.status(NOW + 60), FeedStatus::Suspect);
        assert_eq!(feed.price, 100);
        // The next round confirms the new level: every reporter within 20 % of 160.
        let events = round(
            &mut feed,
            &[1, 2, 3, 4, 5],
            &[158, 161, 162, 160, 159],
            NOW + 120,
        );
        assert_eq!(accepted(&events), Some(160));
        assert_eq!(feed.status(NOW + 120), FeedStatus::Ok);
    }

    #[test]
    fn a_transient_spike_falls_back_to_the_old_level() {
        let mut feed = feed();
        everyone(&mut feed, 100, NOW);
        everyone(&mut feed, 160, NOW + 60);
        let events = everyone(&mut feed, 101, NOW + 120);
        assert_eq!(accepted(&events), Some(101));
        assert_eq!(feed.candidate, None);
    }

    #[test]
    fn a_different_far_level_replaces_the_candidate() {
        let mut feed = feed();
        everyone(&mut feed, 100, NOW);
        everyone(&mut feed, 160, NOW + 60);
        let events = everyone(&mut feed, 40, NOW + 120);
        assert_eq!(accepted(&events), None);
        assert_eq!(feed.candidate, Some((40, NOW + 120)));
        assert_eq!(feed.price, 100);
    }

    #[test]
    fn removing_a_reporter_mid_round_drops_its_submission() {
        let mut feed = feed();
        round(&mut feed, &[1, 2], &[100, 100], NOW);
        feed.remove_reporter(reporter(1)).unwrap();
        assert_eq!(feed.round_submissions(), 1);
        let events = round(&mut feed, &[3, 4], &[100, 100], NOW);
        assert_eq!(accepted(&events), None, "three of the four remaining");
        assert_eq!(
            feed.submit(reporter(1), 100, NOW + 1, NOW + 1),
            Err(OracleError::NotReporter)
        );
        feed.add_reporter(reporter(6)).unwrap();
        let events = round(&mut feed, &[5, 6], &[100, 100], NOW);
        assert_eq!(accepted(&events), Some(100), "all five of the new set");
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
            Err(OracleError::InvalidQuorum),
            "quorum 3 of two reporters"
        );
        for n in 10..13 {
            feed.add_reporter(reporter(n)).unwrap();
        }
        assert_eq!(
            feed.add_reporter(reporter(13)),
            Err(OracleError::InvalidQuorum),
            "quorum 3 would be a minority of seven"
        );
        let with_quorum = |quorum| FeedConfig { quorum, ..config() };
        feed.set_config(with_quorum(5), NOW).unwrap();
        for n in 13..17 {
            feed.add_reporter(reporter(n)).unwrap();
        }
        feed.set_config(with_quorum(9), NOW).unwrap();
        for n in 17..23 {
            feed.add_reporter(reporter(n)).unwrap();
        }
        assert_eq!(feed.reporters.len(), MAX_REPORTERS);
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
        let events = everyone(&mut feed, 95, NOW + 10);
        assert_eq!(accepted(&events), Some(95));
        assert_eq!(feed.status(NOW + 10), FeedStatus::Ok);
    }

    #[test]
    fn the_first_accepted_price_starts_ok_since_at_the_block_time() {
        let mut feed = feed();
        assert_eq!(feed.ok_since_secs, 0, "no price yet");
        assert!(feed.in_outage(NOW));
        for n in 1..=4 {
            feed.submit(reporter(n), 100, NOW - 30, NOW - 20).unwrap();
        }
        assert_eq!(feed.ok_since_secs, 0, "no round yet");
        feed.submit(reporter(5), 100, NOW - 30, NOW).unwrap();
        assert_eq!(feed.status(NOW), FeedStatus::Ok);
        assert_eq!(feed.updated_at_secs, NOW - 30, "observation time");
        assert_eq!(feed.ok_since_secs, NOW, "block time, not observation time");
    }

    #[test]
    fn rounds_accepted_while_ok_keep_ok_since() {
        let mut feed = feed();
        everyone(&mut feed, 100, NOW);
        let events = everyone(&mut feed, 101, NOW + 60);
        assert_eq!(accepted(&events), Some(101));
        let events = everyone(&mut feed, 102, NOW + 3_000);
        assert_eq!(accepted(&events), Some(102));
        assert_eq!(feed.status(NOW + 3_000), FeedStatus::Ok);
        assert_eq!(feed.ok_since_secs, NOW);
    }

    #[test]
    fn recovering_from_stale_restarts_ok_since_at_the_recovery() {
        let mut feed = feed();
        everyone(&mut feed, 100, NOW);
        // Stale from NOW + 3_601 on, with no transaction to notice it.
        let observed = NOW + 3_500;
        let recovery = NOW + 3_700;
        assert_eq!(feed.status(recovery), FeedStatus::Stale);
        for n in 1..=4 {
            feed.submit(reporter(n), 100, observed, recovery - 10)
                .unwrap();
        }
        assert_eq!(
            feed.ok_since_secs, 0,
            "four submissions in the window: no round, the outage goes on"
        );
        // The round is observed before the staleness began, but completes after it: the
        // feed was Stale in between, so the grace period starts at the recovery.
        let events = feed.submit(reporter(5), 100, observed, recovery).unwrap();
        assert_eq!(accepted(&events), Some(100));
        assert!(events.contains(&FeedChange::StatusChanged {
            from: FeedStatus::Stale,
            to: FeedStatus::Ok
        }));
        assert_eq!(feed.status(recovery), FeedStatus::Ok);
        assert_eq!(feed.ok_since_secs, recovery);
    }

    #[test]
    fn a_confirmed_jump_or_a_return_to_the_old_level_keeps_ok_since() {
        let mut feed = feed();
        everyone(&mut feed, 100, NOW);
        everyone(&mut feed, 160, NOW + 60);
        assert_eq!(feed.status(NOW + 60), FeedStatus::Suspect);
        assert!(!feed.in_outage(NOW + 60), "a held candidate is no outage");
        let events = everyone(&mut feed, 161, NOW + 120);
        assert_eq!(accepted(&events), Some(161));
        assert_eq!(feed.status(NOW + 120), FeedStatus::Ok);
        assert_eq!(
            feed.ok_since_secs, NOW,
            "a real move starts no grace period"
        );

        // The same when the spike proves transient and the old level returns.
        let mut feed = self::feed();
        everyone(&mut feed, 100, NOW);
        everyone(&mut feed, 160, NOW + 60);
        let events = everyone(&mut feed, 101, NOW + 180);
        assert_eq!(accepted(&events), Some(101));
        assert_eq!(feed.ok_since_secs, NOW);
    }

    #[test]
    fn a_candidate_that_goes_stale_restarts_ok_since_when_a_round_ends_the_outage() {
        let mut feed = feed();
        everyone(&mut feed, 100, NOW);
        everyone(&mut feed, 160, NOW + 60);
        let later = NOW + 4_000;
        assert_eq!(feed.status(later), FeedStatus::Stale);
        everyone(&mut feed, 161, later);
        assert_eq!(feed.status(later), FeedStatus::Ok);
        assert_eq!(feed.ok_since_secs, later);
    }

    #[test]
    fn a_recovery_into_a_held_candidate_restarts_ok_since_at_the_confirmation() {
        // Unfrozen while a candidate is held: Suspect, and the outage is not over.
        let mut feed = feed();
        everyone(&mut feed, 100, NOW);
        everyone(&mut feed, 160, NOW + 60);
        feed.set_frozen(true, NOW + 70);
        feed.set_frozen(false, NOW + 80);
        assert_eq!(feed.status(NOW + 80), FeedStatus::Suspect);
        everyone(&mut feed, 161, NOW + 90);
        assert_eq!(feed.status(NOW + 90), FeedStatus::Ok);
        assert_eq!(feed.ok_since_secs, NOW + 90, "the freeze ended here");
        everyone(&mut feed, 162, NOW + 100);
        assert_eq!(feed.ok_since_secs, NOW + 90, "and only once");

        // Stale, then a round held as a candidate, then its confirmation.
        let mut feed = self::feed();
        everyone(&mut feed, 100, NOW);
        let later = NOW + 4_000;
        everyone(&mut feed, 160, later);
        assert_eq!(
            feed.status(later),
            FeedStatus::Stale,
            "a held round is no price"
        );
        everyone(&mut feed, 161, later + 10);
        assert_eq!(feed.status(later + 10), FeedStatus::Ok);
        assert_eq!(feed.ok_since_secs, later + 10);
    }

    #[test]
    fn reporters_taking_over_from_an_emergency_price_restart_ok_since() {
        let mut feed = feed();
        everyone(&mut feed, 100, NOW);
        feed.set_emergency_price(90, NOW + 10).unwrap();
        assert_eq!(feed.status(NOW + 10), FeedStatus::Emergency);
        let events = everyone(&mut feed, 95, NOW + 20);
        assert_eq!(accepted(&events), Some(95));
        assert_eq!(feed.status(NOW + 20), FeedStatus::Ok);
        assert_eq!(feed.ok_since_secs, NOW + 20);

        // Also through a candidate held on top of the emergency price.
        feed.set_emergency_price(90, NOW + 30).unwrap();
        everyone(&mut feed, 200, NOW + 40);
        assert_eq!(feed.status(NOW + 40), FeedStatus::Suspect);
        assert!(feed.in_outage(NOW + 40));
        let events = everyone(&mut feed, 201, NOW + 50);
        assert_eq!(accepted(&events), Some(201));
        assert_eq!(feed.ok_since_secs, NOW + 50);
    }

    #[test]
    fn unfreezing_restarts_ok_since_only_if_the_feed_is_fresh() {
        let mut feed = feed();
        everyone(&mut feed, 100, NOW);
        feed.set_frozen(true, NOW + 10);
        assert_eq!(feed.status(NOW + 10), FeedStatus::Frozen);
        feed.set_frozen(false, NOW + 100);
        assert_eq!(feed.status(NOW + 100), FeedStatus::Ok);
        assert_eq!(feed.ok_since_secs, NOW + 100);

        // Unfrozen after the heartbeat: Stale, so no grace period starts yet.
        feed.set_frozen(true, NOW + 200);
        feed.set_frozen(false, NOW + 3_700);
        assert_eq!(feed.status(NOW + 3_700), FeedStatus::Stale);
        assert_eq!(feed.ok_since_secs, 0, "not Ok since the outage");
        everyone(&mut feed, 100, NOW + 3_800);
        assert_eq!(feed.ok_since_secs, NOW + 3_800);
    }

    #[test]
    fn a_heartbeat_change_that_ends_staleness_restarts_ok_since() {
        let mut feed = feed();
        everyone(&mut feed, 100, NOW);
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
    fn a_config_change_drops_the_round_in_progress() {
        let mut feed = feed();
        everyone(&mut feed, 100, NOW);
        round(&mut feed, &[1, 2, 3], &[150, 150, 150], NOW + 10);
        feed.set_config(config(), NOW + 20).unwrap();
        assert_eq!(feed.round_submissions(), 0);
        assert_eq!(feed.round_opened_at_secs(), None);
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

    /// A feed with `change` applied to [`config`]'s parameters, as governance's `add_feed`
    /// builds it.
    fn feed_with(change: fn(&mut FeedConfig)) -> Result<Feed, OracleError> {
        let mut config = config();
        change(&mut config);
        Feed::new(config, (1..=5).map(reporter).collect())
    }

    /// The longest heartbeat is one week, inclusive: a price one week old is still `Ok`.
    #[test]
    fn a_heartbeat_of_exactly_one_week_is_accepted() {
        let mut feed = feed_with(|c| c.heartbeat_secs = 604_800).expect("one week is allowed");
        everyone(&mut feed, 100, NOW);
        assert_eq!(feed.status(NOW + 604_800), FeedStatus::Ok);
        assert_eq!(feed.status(NOW + 604_801), FeedStatus::Stale);
        assert_eq!(
            feed_with(|c| c.heartbeat_secs = 604_801),
            Err(OracleError::InvalidTiming)
        );
    }

    /// The round window may be as long as the heartbeat, and an observation that old is
    /// then still accepted.
    #[test]
    fn a_round_window_as_long_as_the_heartbeat_is_accepted() {
        let mut feed = feed_with(|c| c.round_window_secs = c.heartbeat_secs)
            .expect("window = heartbeat is allowed");
        assert_eq!(
            feed.submit(reporter(1), 100, NOW - 3_600, NOW).map(|_| ()),
            Ok(())
        );
        assert_eq!(
            feed.submit(reporter(2), 100, NOW - 3_601, NOW),
            Err(OracleError::SubmissionTooOld)
        );
    }

    /// A deviation limit of exactly 100 % is allowed: a doubling is accepted in one round,
    /// anything beyond it held.
    #[test]
    fn a_deviation_limit_of_exactly_100_percent_is_accepted() {
        let mut feed = feed_with(|c| c.max_deviation_wad = WAD).expect("a 100 % limit is allowed");
        everyone(&mut feed, 100, NOW);
        assert_eq!(accepted(&everyone(&mut feed, 200, NOW + 60)), Some(200));
        assert_eq!(accepted(&everyone(&mut feed, 401, NOW + 120)), None);
        assert_eq!(feed.status(NOW + 120), FeedStatus::Suspect);
    }

    /// A report observed exactly `round_window_secs` ago is accepted, one second older
    /// refused.
    #[test]
    fn a_report_exactly_one_round_window_old_is_accepted() {
        let mut feed = feed();
        assert_eq!(
            feed.submit(reporter(1), 100, NOW - 600, NOW).map(|_| ()),
            Ok(())
        );
        assert_eq!(
            feed.submit(reporter(2), 100, NOW - 601, NOW),
            Err(OracleError::SubmissionTooOld)
        );
        assert_eq!(feed.round_submissions(), 1);
    }

    /// The price bounds are inclusive for reports: `min_price` and `max_price` themselves
    /// are accepted, one unit outside refused.
    #[test]
    fn reports_at_the_price_bounds_are_accepted() {
        let mut feed = feed_with(|c| {
            c.min_price = 50;
            c.max_price = 150;
        })
        .unwrap();
        for (n, price) in [(1, 49), (2, 151)] {
            assert_eq!(
                feed.submit(reporter(n), price, NOW, NOW),
                Err(OracleError::PriceOutOfBounds),
                "price {price}"
            );
        }
        for (n, price) in [(1, 50), (2, 150)] {
            assert_eq!(
                feed.submit(reporter(n), price, NOW, NOW).map(|_| ()),
                Ok(()),
                "price {price}"
            );
        }
        assert_eq!(feed.round_submissions(), 2);
    }

    /// The price bounds are inclusive for emergency prices too.
    #[test]
    fn an_emergency_price_may_sit_at_either_bound() {
        let mut feed = feed_with(|c| {
            c.min_price = 50;
            c.max_price = 150;
        })
        .unwrap();
        for price in [49, 151] {
            assert_eq!(
                feed.set_emergency_price(price, NOW),
                Err(OracleError::PriceOutOfBounds),
                "price {price}"
            );
        }
        for price in [50, 150] {
            assert_eq!(
                feed.set_emergency_price(price, NOW),
                Ok(()),
                "price {price}"
            );
            assert_eq!(feed.price, price);
            assert_eq!(feed.status(NOW), FeedStatus::Emergency);
        }
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
