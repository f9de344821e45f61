//! Whether to report an asset this round, as plain logic over the aggregate and the
//! on-chain feed: report when the feed has no price, when the aggregate deviates from the
//! on-chain price by at least the threshold, when a held-back candidate awaits a
//! confirming round, or when the price is about to go stale (its age reaches the
//! heartbeat minus a margin). Never report what the contract would refuse: not a
//! reporter, frozen, out of bounds, not newer than our last report, too old for a round,
//! or while our report for the current round is still waiting for the quorum.

use crate::decimal::Price;
use carrack_oracle::feed::Feed;
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
    /// A round's median was held back as a candidate; another round decides.
    CandidatePending,
    /// The on-chain price is about to go (or has gone) stale.
    Heartbeat {
        /// Its age (seconds).
        age_secs: u64,
    },
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
    /// Within the threshold and not near the heartbeat.
    InRange {
        /// Deviation from the on-chain price (basis points).
        bps: u128,
        /// Seconds until the heartbeat margin is reached.
        refresh_in_secs: u64,
    },
    /// Our report for the current round still waits for the quorum.
    AwaitingQuorum {
        /// Its observation time.
        observed_at_secs: u64,
        /// Seconds until it stops counting for the round.
        fresh_for_secs: u64,
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
            SubmitReason::CandidatePending => write!(f, "a held-back candidate awaits a round"),
            SubmitReason::Heartbeat { age_secs } => {
                write!(f, "heartbeat: the on-chain price is {age_secs} s old")
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
            SkipReason::AwaitingQuorum {
                observed_at_secs,
                fresh_for_secs,
            } => write!(
                f,
                "our report observed at {observed_at_secs} awaits the quorum (counts {fresh_for_secs} s more)"
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
    let bps = Price::from_units(units, config.decimals)
        .zip(Price::from_units(feed.price, config.decimals))
        .map_or(u128::MAX, |(new, old)| new.deviation_bps(old));
    let reason = if feed.price == 0 {
        SubmitReason::FirstPrice
    } else if feed.candidate.is_some() {
        SubmitReason::CandidatePending
    } else if bps >= policy.deviation_bps {
        SubmitReason::Deviation { bps }
    } else if age_secs >= refresh_at {
        SubmitReason::Heartbeat { age_secs }
    } else {
        return Decision::Skip(SkipReason::InRange {
            bps,
            refresh_in_secs: refresh_at - age_secs,
        });
    };

    let window_secs = config.round_window_secs;
    if let Some((_, pending_at)) = slot.pending {
        let pending_age = now_secs.saturating_sub(pending_at);
        if pending_age <= window_secs {
            return Decision::Skip(SkipReason::AwaitingQuorum {
                observed_at_secs: pending_at,
                fresh_for_secs: window_secs - pending_age,
            });
        }
    }
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

    fn feed(price: u128, updated_at_secs: u64) -> Feed {
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
            reporters: vec![
                Reporter {
                    account: me(),
                    last_observed_at_secs: NOW - 300,
                    pending: None,
                },
                Reporter {
                    account: AccountId::from([2; 32]),
                    last_observed_at_secs: 0,
                    pending: None,
                },
            ],
            price,
            updated_at_secs,
            candidate: None,
            frozen: false,
            emergency: false,
            ok_since_secs: updated_at_secs,
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
        let mut suspect = fresh.clone();
        suspect.candidate = Some((P60K * 2, NOW - 5));
        assert!(matches!(
            decide_now(&suspect, "60000", NOW),
            Decision::Submit {
                reason: SubmitReason::CandidatePending,
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

    #[test]
    fn waits_for_the_quorum_then_reports_again() {
        let mut waiting = feed(P60K, NOW - 10);
        waiting.reporters[0].pending = Some((P60K * 11 / 10, NOW - 100));
        waiting.reporters[0].last_observed_at_secs = NOW - 100;
        assert_eq!(
            decide_now(&waiting, "66000", NOW),
            Decision::Skip(SkipReason::AwaitingQuorum {
                observed_at_secs: NOW - 100,
                fresh_for_secs: 20
            })
        );
        // Once our report no longer counts for the round, report afresh.
        waiting.reporters[0].pending = Some((P60K * 11 / 10, NOW - 121));
        waiting.reporters[0].last_observed_at_secs = NOW - 121;
        assert!(matches!(
            decide_now(&waiting, "66000", NOW),
            Decision::Submit { .. }
        ));
    }
}
