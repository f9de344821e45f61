//! One round's aggregation of an asset's sources, as plain logic: drop the sources that
//! failed or are too old, take the median of the rest, drop those beyond the outlier band
//! around it, and take the median of what remains. The result carries the oldest
//! observation time among the sources used (a price is no fresher than its stalest
//! input), and a reason for every source left out.

use crate::decimal::Price;
use crate::sources::{Observation, SourceError};

/// A source timestamp up to this far ahead of the relayer's clock is taken as "now"
/// (clocks disagree by a second or two); further ahead, the source is dropped.
pub const FUTURE_TOLERANCE_SECS: u64 = 5;

/// Aggregation settings of one asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AggregationRules {
    /// Observations older than this are dropped.
    pub max_source_age_secs: u64,
    /// Sources further than this (basis points) from the first median are dropped.
    pub outlier_band_bps: u128,
    /// Fewer usable sources than this: no price this round.
    pub min_sources: usize,
}

/// Why a source did not count this round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DropReason {
    /// It failed (error text).
    Failed(String),
    /// Its observation is older than the maximum age.
    TooOld {
        /// Its age in seconds.
        age_secs: u64,
    },
    /// Its timestamp is ahead of the relayer's clock.
    FromTheFuture {
        /// How far ahead, in seconds.
        ahead_secs: u64,
    },
    /// Its price lies outside the band around the median.
    Outlier {
        /// Its price.
        price: Price,
        /// The median it was compared with.
        median: Price,
    },
}

impl std::fmt::Display for DropReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DropReason::Failed(e) => write!(f, "failed: {e}"),
            DropReason::TooOld { age_secs } => write!(f, "observation {age_secs} s old"),
            DropReason::FromTheFuture { ahead_secs } => {
                write!(f, "timestamp {ahead_secs} s in the future")
            }
            DropReason::Outlier { price, median } => {
                write!(f, "outlier: {price} vs median {median}")
            }
        }
    }
}

/// A round's aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aggregate {
    /// The median of the sources used.
    pub price: Price,
    /// The oldest observation time among them.
    pub observed_at_secs: u64,
    /// The sources used, by name.
    pub used: Vec<String>,
    /// The sources left out, with why.
    pub dropped: Vec<(String, DropReason)>,
}

/// No price this round.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{usable} usable source(s), {required} required; left out: {}", describe(.dropped))]
pub struct NotEnoughSources {
    /// Sources that survived.
    pub usable: usize,
    /// The configured minimum.
    pub required: usize,
    /// The sources left out, with why.
    pub dropped: Vec<(String, DropReason)>,
}

fn describe(dropped: &[(String, DropReason)]) -> String {
    if dropped.is_empty() {
        return "none".into();
    }
    dropped
        .iter()
        .map(|(name, reason)| format!("{name} ({reason})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Aggregates one round of source answers taken at `now_secs`.
pub fn aggregate(
    answers: Vec<(String, Result<Observation, SourceError>)>,
    now_secs: u64,
    rules: AggregationRules,
) -> Result<Aggregate, NotEnoughSources> {
    let mut dropped = Vec::new();
    let mut fresh: Vec<(String, Observation)> = Vec::new();
    for (name, answer) in answers {
        match answer {
            Err(e) => dropped.push((name, DropReason::Failed(e.to_string()))),
            Ok(seen) if seen.observed_at_secs > now_secs.saturating_add(FUTURE_TOLERANCE_SECS) => {
                let ahead_secs = seen.observed_at_secs - now_secs;
                dropped.push((name, DropReason::FromTheFuture { ahead_secs }));
            }
            Ok(seen)
                if now_secs.saturating_sub(seen.observed_at_secs) > rules.max_source_age_secs =>
            {
                let age_secs = now_secs - seen.observed_at_secs;
                dropped.push((name, DropReason::TooOld { age_secs }));
            }
            Ok(mut seen) => {
                seen.observed_at_secs = seen.observed_at_secs.min(now_secs);
                fresh.push((name, seen));
            }
        }
    }
    let not_enough = |usable: usize, dropped: Vec<(String, DropReason)>| NotEnoughSources {
        usable,
        required: rules.min_sources,
        dropped,
    };
    let Some(first_median) = median(fresh.iter().map(|(_, o)| o.price).collect()) else {
        return Err(not_enough(0, dropped));
    };
    let (kept, outliers): (Vec<_>, Vec<_>) = fresh
        .into_iter()
        .partition(|(_, o)| o.price.deviation_bps(first_median) <= rules.outlier_band_bps);
    dropped.extend(outliers.into_iter().map(|(name, o)| {
        (
            name,
            DropReason::Outlier {
                price: o.price,
                median: first_median,
            },
        )
    }));
    if kept.len() < rules.min_sources.max(1) {
        return Err(not_enough(kept.len(), dropped));
    }
    let Some(price) = median(kept.iter().map(|(_, o)| o.price).collect()) else {
        return Err(not_enough(0, dropped));
    };
    let observed_at_secs = kept
        .iter()
        .map(|(_, o)| o.observed_at_secs)
        .min()
        .unwrap_or(now_secs);
    Ok(Aggregate {
        price,
        observed_at_secs,
        used: kept.into_iter().map(|(name, _)| name).collect(),
        dropped,
    })
}

/// The median; for an even count the mean of the middle two, rounded down.
pub fn median(mut prices: Vec<Price>) -> Option<Price> {
    prices.sort_unstable();
    let middle = prices.len() / 2;
    match prices.len() {
        0 => None,
        n if n % 2 == 1 => prices.get(middle).copied(),
        _ => {
            let (low, high) = (prices.get(middle - 1)?.0, prices.get(middle)?.0);
            // low + (high - low) / 2 cannot overflow (low <= high after sorting).
            Some(Price(low + (high - low) / 2))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_700_000_000;
    const RULES: AggregationRules = AggregationRules {
        max_source_age_secs: 30,
        outlier_band_bps: 500,
        min_sources: 2,
    };

    fn ok(name: &str, price: &str, age: u64) -> (String, Result<Observation, SourceError>) {
        (
            name.into(),
            Ok(Observation {
                price: Price::parse(price).unwrap(),
                observed_at_secs: NOW - age,
            }),
        )
    }

    fn p(text: &str) -> Price {
        Price::parse(text).unwrap()
    }

    #[test]
    fn medians() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![p("3"), p("1"), p("2")]), Some(p("2")));
        assert_eq!(median(vec![p("4"), p("1"), p("2"), p("3")]), Some(p("2.5")));
        assert_eq!(
            median(vec![Price(u128::MAX), Price(u128::MAX - 2)]),
            Some(Price(u128::MAX - 1)),
            "no overflow"
        );
    }

    #[test]
    fn median_of_the_fresh_answers_and_the_oldest_time() {
        let agg = aggregate(
            vec![ok("a", "100", 3), ok("b", "102", 1), ok("c", "101", 10)],
            NOW,
            RULES,
        )
        .unwrap();
        assert_eq!(agg.price, p("101"));
        assert_eq!(agg.observed_at_secs, NOW - 10);
        assert_eq!(agg.used, vec!["a", "b", "c"]);
        assert!(agg.dropped.is_empty());
    }

    #[test]
    fn failures_old_future_and_outliers_are_dropped_with_reasons() {
        let agg = aggregate(
            vec![
                ("down".into(), Err(SourceError::Timeout(500))),
                ok("old", "100", 31),
                (
                    "ahead".into(),
                    Ok(Observation {
                        price: p("100"),
                        observed_at_secs: NOW + 60,
                    }),
                ),
                ok("wild", "1000", 0),
                ok("a", "100", 0),
                ok("b", "101", 0),
            ],
            NOW,
            RULES,
        )
        .unwrap();
        assert_eq!(agg.price, p("100.5"));
        assert_eq!(agg.used, vec!["a", "b"]);
        let reasons: Vec<_> = agg
            .dropped
            .iter()
            .map(|(n, r)| (n.as_str(), r.clone()))
            .collect();
        assert_eq!(reasons.len(), 4);
        assert!(matches!(reasons[0], ("down", DropReason::Failed(_))));
        assert_eq!(reasons[1], ("old", DropReason::TooOld { age_secs: 31 }));
        assert_eq!(
            reasons[2],
            ("ahead", DropReason::FromTheFuture { ahead_secs: 60 })
        );
        assert_eq!(
            reasons[3],
            (
                "wild",
                DropReason::Outlier {
                    price: p("1000"),
                    median: p("101")
                }
            )
        );
    }

    #[test]
    fn a_slightly_early_clock_counts_as_now() {
        let agg = aggregate(
            vec![(
                "a".into(),
                Ok(Observation {
                    price: p("1"),
                    observed_at_secs: NOW + FUTURE_TOLERANCE_SECS,
                }),
            )],
            NOW,
            AggregationRules {
                min_sources: 1,
                ..RULES
            },
        )
        .unwrap();
        assert_eq!(agg.observed_at_secs, NOW);
    }

    #[test]
    fn too_few_sources_is_an_error_naming_them() {
        let err = aggregate(
            vec![
                ok("a", "100", 0),
                ("b".into(), Err(SourceError::Timeout(500))),
            ],
            NOW,
            RULES,
        )
        .unwrap_err();
        assert_eq!((err.usable, err.required), (1, 2));
        assert!(
            err.to_string()
                .contains("b (failed: no answer within 500 ms)"),
            "{err}"
        );

        // Two sources that disagree wildly are both outliers around their mean: no price
        // is safer than either.
        let err = aggregate(vec![ok("a", "100", 0), ok("b", "200", 0)], NOW, RULES).unwrap_err();
        assert_eq!(err.usable, 0);
        assert!(aggregate(vec![], NOW, RULES).is_err());
    }

    #[test]
    fn one_wild_source_of_three_cannot_move_the_price() {
        for wild in ["0.001", "99", "105.1", "1000000"] {
            let agg = aggregate(
                vec![ok("a", "100", 0), ok("b", "101", 0), ok("w", wild, 0)],
                NOW,
                RULES,
            )
            .unwrap();
            assert!(
                agg.price >= p("100") && agg.price <= p("101"),
                "{wild}: {}",
                agg.price
            );
        }
    }
}
