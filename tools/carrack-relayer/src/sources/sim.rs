//! A deterministic simulated price for devnets and tests: a mean-reverting random walk in
//! log-price (an AR(1) process) driven by a seeded hash of the step number, so every
//! relayer with the same settings sees exactly the same price at the same time, with no
//! shared state, and the walk stays around `start` however long the devnet runs.
//!
//! With step `k = floor(now / step_secs)`: `x_k = sum_{j >= 0} (1 - r)^j * e_{k-j}` where
//! `e_i` is uniform in `[-volatility, +volatility]` from `splitmix64(seed, i)` and `r` the
//! mean reversion per step; the price is `start * exp(x_k)`, observed at `k * step_secs`.
//! The sum is cut where `(1 - r)^j` falls below 1e-12.

use super::{Observation, PriceSource, SourceError};
use crate::decimal::Price;
use futures::future::BoxFuture;

/// Settings of a simulated source.
#[derive(Debug, Clone)]
pub struct SimSettings {
    /// The level the walk moves around.
    pub start: Price,
    /// Largest log-price step, as a fraction (0.005 = 0.5 % per step).
    pub volatility: f64,
    /// Pull back towards `start` per step, as a fraction in (0, 1].
    pub mean_reversion: f64,
    /// Seconds per step.
    pub step_secs: u64,
    /// Chooses the walk.
    pub seed: u64,
}

/// A simulated price walk.
pub struct SimulatedSource {
    name: String,
    settings: SimSettings,
    terms: u64,
}

impl SimulatedSource {
    /// A source for `settings`; `mean_reversion` must be in (0, 1], `volatility` in
    /// [0, 1) and `step_secs` positive (the config checks them with field names).
    pub fn new(settings: SimSettings) -> Self {
        let decay = 1.0 - settings.mean_reversion;
        let terms = if decay <= 0.0 {
            1
        } else {
            // (1 - r)^terms <= 1e-12
            ((1e-12f64).ln() / decay.ln()).ceil().clamp(1.0, 1e7) as u64
        };
        Self {
            name: format!("sim:{}@{}", settings.seed, settings.start),
            settings,
            terms,
        }
    }

    /// The walk's price and observation time at `now_secs`.
    pub fn at(&self, now_secs: u64) -> Result<Observation, SourceError> {
        let SimSettings {
            start,
            volatility,
            mean_reversion,
            step_secs,
            seed,
        } = self.settings;
        let step = now_secs / step_secs;
        let decay = 1.0 - mean_reversion;
        let mut weight = 1.0;
        let mut log_price = 0.0;
        for back in 0..self.terms.min(step.saturating_add(1)) {
            let uniform = unit_interval(splitmix64(seed ^ splitmix64(step - back)));
            log_price += weight * volatility * (2.0 * uniform - 1.0);
            weight *= decay;
        }
        let start_f64 = start.0 as f64 / 1e18;
        let value = start_f64 * log_price.exp();
        // Nine significant decimals are plenty for a simulation; parse them back exactly.
        let price = Price::parse(&format!("{value:.9}"))?;
        Ok(Observation {
            price,
            observed_at_secs: step * step_secs,
        })
    }
}

impl PriceSource for SimulatedSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn fetch(&self, now_secs: u64) -> BoxFuture<'_, Result<Observation, SourceError>> {
        Box::pin(std::future::ready(self.at(now_secs)))
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a fast, well-mixed 64-bit hash.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The top 53 bits as a float in [0, 1).
fn unit_interval(bits: u64) -> f64 {
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(seed: u64) -> SimulatedSource {
        SimulatedSource::new(SimSettings {
            start: Price::parse("60000").unwrap(),
            volatility: 0.005,
            mean_reversion: 0.01,
            step_secs: 5,
            seed,
        })
    }

    #[test]
    fn deterministic_and_shared_by_every_relayer() {
        let a = source(7);
        let b = source(7);
        for t in [
            1_700_000_000u64,
            1_700_000_004,
            1_700_000_005,
            1_800_000_000,
        ] {
            assert_eq!(a.at(t).unwrap(), b.at(t).unwrap());
        }
        assert_eq!(
            a.at(1_700_000_001).unwrap(),
            a.at(1_700_000_004).unwrap(),
            "constant within a step"
        );
        assert_eq!(a.at(1_700_000_003).unwrap().observed_at_secs, 1_700_000_000);
        assert_ne!(
            a.at(1_700_000_000).unwrap(),
            source(8).at(1_700_000_000).unwrap()
        );
    }

    #[test]
    fn walks_but_stays_near_its_level() {
        let sim = source(42);
        let start = Price::parse("60000").unwrap();
        let mut moved = 0;
        let mut previous = sim.at(1_700_000_000).unwrap().price;
        for step in 1..5_000u64 {
            let price = sim.at(1_700_000_000 + step * 5).unwrap().price;
            // One step moves the log-price by at most the volatility (0.5 %) plus the
            // pull-back; a day of steps stays within a few standard deviations (~2 %).
            assert!(
                price.deviation_bps(previous) <= 60,
                "step {step}: {previous} -> {price}"
            );
            assert!(price.deviation_bps(start) <= 1_500, "step {step}: {price}");
            if price != previous {
                moved += 1;
            }
            previous = price;
        }
        assert!(moved > 4_900, "the walk moves every step ({moved})");
    }
}
