//! Whether to report an asset this round, as plain logic over the aggregate and the
//! on-chain feed: report when the feed has no price, when the aggregate deviates from the
//! on-chain price by at least the threshold, when a held-back candidate awaits a
//! confirming round, or when the price is about to go stale (its age reaches the
//! heartbeat minus a margin). Take part in every round: join a round another reporter
//! opened before its window ends, and close a round whose window has passed with a quorum
//! (the oracle closes rounds only on a submission); an honest reporter that sits out a
//! round lets the others' submissions decide it (see the oracle's fault bound). Never
//! report what the contract would refuse: not a reporter, frozen, out of bounds, not newer
//! than our last report, too old for a round, or while our report waits in a round whose
//! window is still open.
//!
//! Every report is our own aggregate. In a confirming round (a candidate is held) an
//! aggregate beyond the feed's deviation limit of the candidate is reported as it is,
//! which counts against the candidate, and marked [`SubmitReason::CandidateRefused`] so
//! the relayer counts and logs it; the candidate itself is never echoed.

use crate::decimal::Price;
use carrack_oracle::feed::{within, Feed};
use ink::primitives::AccountId;

/// An asset's reporting policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Report when the price moved by at least this many basis points.
    pub deviation_bps: u128,
    /// Report when the on-chain price is this close (seconds) to its heartbeat.
    pub heartbeat_margin_secs: u64,
}

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Report `price` (feed units) observed at `observed_at_secs`.
    Submit {
        /// In the feed's units.
        price: u128,
        /// The observation time to report.
        observed_at_secs: u64,
        /// Why now.
        reason: SubmitReason,
    },
    /// Do not report this round.
    Skip(SkipReason),
}

/// Why a report is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitReason {
    /// The feed has never had a price.
    FirstPrice,
    /// The price moved.
    Deviation {
        /// By this much (basis points).
        bps: u128,
    },
    /// A round's median was held back as a candidate, and our aggregate lies within the
    /// feed's deviation limit of it: our report counts towards confirming it.
    CandidateAgreed,
    /// A round's median was held back as a candidate, and our aggregate lies beyond the
    /// feed's deviation limit of it: we report our own price, which counts against it.
    CandidateRefused {
        /// The candidate (feed units).
        candidate: u128,
        /// How far our aggregate is from it (basis points).
        bps: u128,
    },
    /// The on-chain price is about to go (or has gone) stale.
    Heartbeat {
        /// Its age (seconds).
        age_secs: u64,
    },
    /// Another reporter opened a round: join it before its window ends.
    JoinRound {
        /// Seconds left in its window.
        window_left_secs: u64,
    },
    /// The round's window has passed and it holds a quorum: our report closes it.
    CloseRound,
}

/// Why no report this round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// Our account is not a reporter of this feed.
    NotReporter,
    /// The feed is frozen.
    Frozen,
    /// The price does not fit the feed's decimals.
    Unrepresentable,
    /// Outside the feed's bounds: the contract would refuse it.
    OutOfBounds {
        /// In feed units.
        price: u128,
        /// The bounds.
        min: u128,
        /// The bounds.
        max: u128,
    },
    /// Within the threshold and not near the heartbeat, and no round to take part in.
    InRange {
        /// Deviation from the on-chain price (basis points).
        bps: u128,
        /// Seconds until the heartbeat margin is reached.
        refresh_in_secs: u64,
    },
    /// Our report waits in a round whose window is still open.
    AwaitingRound {
        /// Our report's observation time.
        observed_at_secs: u64,
        /// Seconds until the window ends (the next report after it closes the round).
        window_left_secs: u64,
    },
    /// The sources have nothing newer than our last report.
    NotNewer {
        /// The aggregate's observation time.
        observed_at_secs: u64,
        /// Our last report's.
        last_reported_secs: u64,
    },
    /// The observation is too old to count for a round.
    TooOld {
        /// Its age (seconds).
        age_secs: u64,
        /// The feed's round window.
        window_secs: u64,
    },
}

impl std::fmt::Display for SubmitReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SubmitReason::FirstPrice => write!(f, "the feed has no price yet"),
            SubmitReason::Deviation { bps } => write!(f, "moved {bps} bps"),
            SubmitReason::CandidateAgreed => {
                write!(f, "a held-back candidate awaits a round; our price agrees with it")
            }
            SubmitReason::CandidateRefused { candidate, bps } => write!(
                f,
                "a held-back candidate ({candidate}) awaits a round; our price is {bps} bps from it, beyond the feed's limit"
            ),
            SubmitReason::Heartbeat { age_secs } => {
                write!(f, "heartbeat: the on-chain price is {age_secs} s old")
            }
            SubmitReason::JoinRound { window_left_secs } => {
                write!(f, "a round is open ({window_left_secs} s left in its window)")
            }
            SubmitReason::CloseRound => {
                write!(f, "the round's window has passed with a quorum: closing it")
            }
        }
    }
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::NotReporter => write!(f, "this key is not a reporter of the feed"),
            SkipReason::Frozen => write!(f, "the feed is frozen"),
            SkipReason::Unrepresentable => write!(f, "the price does not fit the feed's decimals"),
            SkipReason::OutOfBounds { price, min, max } => {
                write!(f, "price {price} outside the feed's bounds [{min}, {max}]")
            }
            SkipReason::InRange {
                bps,
                refresh_in_secs,
            } => write!(f, "within threshold ({bps} bps); heartbeat refresh in {refresh_in_secs} s"),
            SkipReason::AwaitingRound {
                observed_at_secs,
                window_left_secs,
            } => write!(
                f,
                "our report observed at {observed_at_secs} waits in the round ({window_left_secs} s left in its window)"
            ),
            SkipReason::NotNewer {
                observed_at_secs,
                last_reported_secs,
            } => write!(
                f,
                "no observation newer than our last report ({observed_at_secs} <= {last_reported_secs})"
            ),
            SkipReason::TooOld {
                age_secs,
                window_secs,
            } => write!(f, "observation {age_secs} s old, the round window is {window_secs} s"),
        }
    }
}

/// Decides for `reporter` with the aggregate `price` observed at `observed_at_secs`, the
/// feed as on chain and the relayer's clock `now_secs`.
pub fn decide(
    feed: &Feed,
    reporter: &AccountId,
    price: Price,
    observed_at_secs: u64,
    now_secs: u64,
    policy: Policy,
) -> Decision {
    let config = &feed.config;
    let Some(slot) = feed.reporters.iter().find(|r| r.account == *reporter) else {
        return Decision::Skip(SkipReason::NotReporter);
    };
    if feed.frozen {
        return Decision::Skip(SkipReason::Frozen);
    }
    let Some(units) = price.to_units(config.decimals) else {
        return Decision::Skip(SkipReason::Unrepresentable);
    };
    if units == 0 || units < config.min_price || units > config.max_price {
        return Decision::Skip(SkipReason::OutOfBounds {
            price: units,
            min: config.min_price,
            max: config.max_price,
        });
    }

    let age_secs = now_secs.saturating_sub(feed.updated_at_secs);
    let refresh_at = config
        .heartbeat_secs
        .saturating_sub(policy.heartbeat_margin_secs);
    let deviation_from = |reference: u128| {
        Price::from_units(units, config.decimals)
            .zip(Price::from_units(reference, config.decimals))
            .map_or(u128::MAX, |(new, old)| new.deviation_bps(old))
    };
    let bps = deviation_from(feed.price);
    let due = if feed.price == 0 {
        Some(SubmitReason::FirstPrice)
    } else if let Some((candidate, _)) = feed.candidate {
        if within(units, candidate, config.max_deviation_wad) {
            Some(SubmitReason::CandidateAgreed)
        } else {
            Some(SubmitReason::CandidateRefused {
                candidate,
                bps: deviation_from(candidate),
            })
        }
    } else if bps >= policy.deviation_bps {
        Some(SubmitReason::Deviation { bps })
    } else if age_secs >= refresh_at {
        Some(SubmitReason::Heartbeat { age_secs })
    } else {
        None
    };

    // The round in progress, as the contract will see it at our clock.
    let window_secs = config.round_window_secs;
    let round = feed.round_opened_at_secs().map(|opened| {
        let window_end = opened.saturating_add(window_secs);
        let with_us = feed
            .round_submissions()
            .saturating_add(usize::from(slot.pending.is_none()));
        (window_end, with_us >= usize::from(config.quorum))
    });
    let reason = match (round, due) {
        (Some((window_end, _)), due) if now_secs <= window_end => {
            if slot.pending.is_some() {
                return Decision::Skip(SkipReason::AwaitingRound {
                    observed_at_secs: slot.last_observed_at_secs,
                    window_left_secs: window_end - now_secs,
                });
            }
            due.unwrap_or(SubmitReason::JoinRound {
                window_left_secs: window_end - now_secs,
            })
        }
        (Some((_, true)), due) => due.unwrap_or(SubmitReason::CloseRound),
        (_, Some(due)) => due,
        (_, None) => {
            return Decision::Skip(SkipReason::InRange {
                bps,
                refresh_in_secs: refresh_at.saturating_sub(age_secs),
            })
        }
    };

    if observed_at_secs <= slot.last_observed_at_secs {
        return Decision::Skip(SkipReason::NotNewer {
            observed_at_secs,
            last_reported_secs: slot.last_observed_at_secs,
        });
    }
    let observation_age = now_secs.saturating_sub(observed_at_secs);
    if observation_age > window_secs {
        return Decision::Skip(SkipReason::TooOld {
            age_secs: observation_age,
            window_secs,
        });
    }
    Decision::Submit {
        price: units,
        observed_at_secs,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use carrack_oracle::feed::{FeedConfig, Reporter};

    const NOW: u64 = 1_700_000_000;
    fn me() -> AccountId {
        AccountId::from([1; 32])
    }
    const POLICY: Policy = Policy {
        deviation_bps: 50,
        heartbeat_margin_secs: 60,
    };

    /// Five reporters, us first (last report at NOW - 300), quorum 3, window 120 s,
    /// deviation limit 20 %.
    fn feed(price: u128, updated_at_secs: u64) -> Feed {
        let mut reporters = vec![Reporter {
            account: me(),
            last_observed_at_secs: NOW - 300,
            pending: None,
        }];
        for n in 2..=5 {
            reporters.push(Reporter {
                account: AccountId::from([n; 32]),
                last_observed_at_secs: 0,
                pending: None,
            });
        }
        Feed {
            config: FeedConfig {
                quorum: 3,
                heartbeat_secs: 600,
                round_window_secs: 120,
                min_price: 100_000_000,
                max_price: 100_000_000_000_000,
                max_deviation_wad: 200_000_000_000_000_000,
                decimals: 8,
            },
            reporters,
            price,
            updated_at_secs,
            candidate: None,
            frozen: false,
            emergency: false,
            ok_since_secs: updated_at_secs,
        }
    }

    /// Reporter `index` (0 is us) waits in the round with `price`, joined at `joined_at`.
    fn waiting(feed: &mut Feed, index: usize, price: u128, joined_at: u64) {
        if let Some(slot) = feed.reporters.get_mut(index) {
            slot.pending = Some((price, joined_at));
            slot.last_observed_at_secs = joined_at;
        }
    }

    fn usd(text: &str) -> Price {
        Price::parse(text).unwrap()
    }

    fn decide_now(feed: &Feed, price: &str, observed: u64) -> Decision {
        decide(feed, &me(), usd(price), observed, NOW, POLICY)
    }

    const P60K: u128 = 6_000_000_000_000;

    #[test]
    fn reports_the_first_price_a_move_and_the_heartbeat() {
        assert_eq!(
            decide_now(&feed(0, 0), "60000", NOW - 2),
            Decision::Submit {
                price: P60K,
                observed_at_secs: NOW - 2,
                reason: SubmitReason::FirstPrice
            }
        );
        let fresh = feed(P60K, NOW - 10);
        assert!(matches!(
            decide_now(&fresh, "60300", NOW),
            Decision::Submit {
                reason: SubmitReason::Deviation { bps: 50 },
                ..
            }
        ));
        assert!(matches!(
            decide_now(&fresh, "59700", NOW),
            Decision::Submit {
                reason: SubmitReason::Deviation { bps: 50 },
                ..
            }
        ));
        assert_eq!(
            decide_now(&fresh, "60299", NOW),
            Decision::Skip(SkipReason::InRange {
                bps: 49,
                refresh_in_secs: 530
            })
        );
        // 540 s old = heartbeat 600 - margin 60: due.
        assert!(matches!(
            decide_now(&feed(P60K, NOW - 540), "60000", NOW),
            Decision::Submit {
                reason: SubmitReason::Heartbeat { age_secs: 540 },
                ..
            }
        ));
    }

    #[test]
    fn a_candidate_within_the_limit_is_answered_with_our_own_price() {
        let mut suspect = feed(P60K, NOW - 10);
        suspect.candidate = Some((P60K / 10 * 13, NOW - 5));
        assert_eq!(
            decide_now(&suspect, "75000", NOW),
            Decision::Submit {
                price: 7_500_000_000_000,
                observed_at_secs: NOW,
                reason: SubmitReason::CandidateAgreed
            },
            "our own 75,000, 3.8 % from the 78,000 candidate"
        );
    }

    /// The audit's H-2: colluders held 3x as a candidate, and an honest relayer used to
    /// report because a candidate was pending. It still reports, but its own price, marked
    /// as a refusal to confirm.
    #[test]
    fn a_candidate_beyond_the_limit_is_refused_with_our_own_price() {
        let mut suspect = feed(P60K, NOW - 10);
        suspect.candidate = Some((3 * P60K, NOW - 5));
        assert_eq!(
            decide_now(&suspect, "60000", NOW),
            Decision::Submit {
                price: P60K,
                observed_at_secs: NOW,
                reason: SubmitReason::CandidateRefused {
                    candidate: 3 * P60K,
                    bps: 6_666
                }
            }
        );
        // The same inside a round the colluders opened.
        waiting(&mut suspect, 1, 3 * P60K, NOW - 5);
        waiting(&mut suspect, 2, 3 * P60K, NOW - 5);
        assert!(matches!(
            decide_now(&suspect, "60000", NOW),
            Decision::Submit {
                price: P60K,
                reason: SubmitReason::CandidateRefused { .. },
                ..
            }
        ));
    }

    /// Two colluders open a round; an honest relayer whose price has not moved must join
    /// it before its window ends, or a late report would close it on their median.
    #[test]
    fn joins_a_round_another_reporter_opened() {
        let mut open = feed(P60K, NOW - 10);
        waiting(&mut open, 1, 3 * P60K, NOW - 20);
        waiting(&mut open, 2, 3 * P60K, NOW - 20);
        assert!(matches!(
            decide_now(&open, "60000", NOW),
            Decision::Submit { price: P60K, .. }
        ));
        assert_eq!(
            decide_now(&open, "60000", NOW),
            Decision::Submit {
                price: P60K,
                observed_at_secs: NOW,
                reason: SubmitReason::JoinRound {
                    window_left_secs: 100
                }
            }
        );
    }

    /// Once the window has passed with a quorum, a report closes the round: the oracle
    /// has no timers.
    #[test]
    fn closes_a_quorum_round_whose_window_has_passed() {
        let mut open = feed(P60K, NOW - 10);
        waiting(&mut open, 0, P60K, NOW - 121);
        waiting(&mut open, 1, P60K, NOW - 121);
        waiting(&mut open, 2, P60K, NOW - 100);
        assert!(matches!(
            decide_now(&open, "60000", NOW),
            Decision::Submit { price: P60K, .. }
        ));
        assert_eq!(
            decide_now(&open, "60000", NOW),
            Decision::Submit {
                price: P60K,
                observed_at_secs: NOW,
                reason: SubmitReason::CloseRound
            }
        );
    }

    #[test]
    fn waits_in_an_open_round_and_lets_a_round_below_quorum_expire() {
        let mut open = feed(P60K, NOW - 10);
        waiting(&mut open, 0, P60K * 11 / 10, NOW - 100);
        assert_eq!(
            decide_now(&open, "66000", NOW),
            Decision::Skip(SkipReason::AwaitingRound {
                observed_at_secs: NOW - 100,
                window_left_secs: 20
            })
        );
        // The window passed with only our report: it will expire; report only if due.
        waiting(&mut open, 0, P60K, NOW - 121);
        assert_eq!(
            decide_now(&open, "60000", NOW),
            Decision::Skip(SkipReason::InRange {
                bps: 0,
                refresh_in_secs: 530
            })
        );
        assert!(matches!(
            decide_now(&open, "66000", NOW),
            Decision::Submit {
                reason: SubmitReason::Deviation { bps: 1_000 },
                ..
            }
        ));
    }

    #[test]
    fn never_reports_what_the_contract_would_refuse() {
        let fresh = feed(P60K, NOW - 10);
        let stranger = decide(
            &fresh,
            &AccountId::from([9; 32]),
            usd("70000"),
            NOW,
            NOW,
            POLICY,
        );
        assert_eq!(stranger, Decision::Skip(SkipReason::NotReporter));

        let mut frozen = fresh.clone();
        frozen.frozen = true;
        assert_eq!(
            decide_now(&frozen, "70000", NOW),
            Decision::Skip(SkipReason::Frozen)
        );

        assert!(matches!(
            decide_now(&fresh, "0.5", NOW),
            Decision::Skip(SkipReason::OutOfBounds { .. })
        ));
        assert!(matches!(
            decide_now(&fresh, "2000000", NOW),
            Decision::Skip(SkipReason::OutOfBounds { .. })
        ));
        assert!(matches!(
            decide_now(&fresh, "0", NOW),
            Decision::Skip(SkipReason::OutOfBounds { .. })
        ));
        let mut fine = fresh.clone();
        fine.config.decimals = 36;
        assert_eq!(
            decide_now(&fine, "1000", NOW),
            Decision::Skip(SkipReason::Unrepresentable),
            "1000 * 10^36 does not fit u128"
        );

        // Our last report was observed at NOW - 300: an observation not newer is refused.
        assert_eq!(
            decide_now(&fresh, "70000", NOW - 300),
            Decision::Skip(SkipReason::NotNewer {
                observed_at_secs: NOW - 300,
                last_reported_secs: NOW - 300
            })
        );
        assert_eq!(
            decide_now(&fresh, "70000", NOW - 121),
            Decision::Skip(SkipReason::TooOld {
                age_secs: 121,
                window_secs: 120
            })
        );
    }
}
