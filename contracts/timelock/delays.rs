//! The timelock's delays: how long a batch waits (`delay_secs`), how long it then stays
//! executable (`grace_secs`), and the bounds the delay may later move within. The bounds
//! and the grace period are fixed at instantiation for the contract's life; only the
//! delay changes, and only through a queued batch (a self-call to `set_delay`).

use crate::events::DelayChanged;
use carrack_interfaces::TimelockError;

/// Longest delay, delay bound and grace period accepted: 365 days, in seconds
/// (365 × 24 × 3,600, written out because cargo-contract denies arithmetic even on
/// constants).
pub const MAX_PERIOD_SECS: u64 = 31_536_000;

/// The delay, its bounds and the grace period, all in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Delays {
    /// How long a queued batch waits before it may execute.
    pub delay_secs: u64,
    /// How long after its eta a batch stays executable.
    pub grace_secs: u64,
    /// The shortest delay `set_delay` accepts.
    pub min_delay_secs: u64,
    /// The longest delay `set_delay` accepts.
    pub max_delay_secs: u64,
}

impl Delays {
    /// Checks `0 < min_delay_secs <= delay_secs <= max_delay_secs <= 365 days` and
    /// `0 < grace_secs <= 365 days`; otherwise `InvalidDelay`.
    pub fn new(
        delay_secs: u64,
        grace_secs: u64,
        min_delay_secs: u64,
        max_delay_secs: u64,
    ) -> Result<Self, TimelockError> {
        let bounds_ok = min_delay_secs > 0
            && min_delay_secs <= delay_secs
            && delay_secs <= max_delay_secs
            && max_delay_secs <= MAX_PERIOD_SECS;
        let grace_ok = grace_secs > 0 && grace_secs <= MAX_PERIOD_SECS;
        if !bounds_ok || !grace_ok {
            return Err(TimelockError::InvalidDelay);
        }
        Ok(Self {
            delay_secs,
            grace_secs,
            min_delay_secs,
            max_delay_secs,
        })
    }

    /// Replaces the delay, which must lie within the instantiation bounds
    /// (`InvalidDelay` otherwise). Batches already queued keep their eta.
    pub fn set_delay(&mut self, delay_secs: u64) -> Result<DelayChanged, TimelockError> {
        if delay_secs < self.min_delay_secs || delay_secs > self.max_delay_secs {
            return Err(TimelockError::InvalidDelay);
        }
        let previous_secs = self.delay_secs;
        self.delay_secs = delay_secs;
        Ok(DelayChanged {
            previous_secs,
            new_secs: delay_secs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: u64 = 86_400;

    #[test]
    fn production_and_devnet_settings_are_accepted() {
        let delays = Delays::new(2 * DAY, 14 * DAY, 2 * DAY, 30 * DAY).unwrap();
        assert_eq!(delays.delay_secs, 2 * DAY);
        assert_eq!(delays.grace_secs, 14 * DAY);
        assert_eq!(delays.min_delay_secs, 2 * DAY);
        assert_eq!(delays.max_delay_secs, 30 * DAY);
        assert!(Delays::new(5, 60, 1, 600).is_ok());
    }

    #[test]
    fn bounds_are_inclusive_and_capped_at_a_year() {
        assert_eq!(MAX_PERIOD_SECS, 365 * DAY);
        assert!(Delays::new(1, 1, 1, 1).is_ok());
        assert!(Delays::new(MAX_PERIOD_SECS, MAX_PERIOD_SECS, 1, MAX_PERIOD_SECS).is_ok());
        assert!(Delays::new(MAX_PERIOD_SECS, 1, MAX_PERIOD_SECS, MAX_PERIOD_SECS).is_ok());
    }

    #[test]
    fn inconsistent_or_out_of_range_settings_are_refused() {
        let refused = [
            // min = 0
            (0, DAY, 0, DAY),
            // delay below min
            (DAY - 1, DAY, DAY, 2 * DAY),
            // delay above max
            (2 * DAY + 1, DAY, DAY, 2 * DAY),
            // max above a year
            (DAY, DAY, DAY, MAX_PERIOD_SECS + 1),
            // min above max
            (DAY, DAY, 2 * DAY, DAY),
            // grace = 0
            (DAY, 0, DAY, DAY),
            // grace above a year
            (DAY, MAX_PERIOD_SECS + 1, DAY, DAY),
            (u64::MAX, u64::MAX, u64::MAX, u64::MAX),
        ];
        for (delay, grace, min, max) in refused {
            assert_eq!(
                Delays::new(delay, grace, min, max),
                Err(TimelockError::InvalidDelay),
                "delay {delay}, grace {grace}, min {min}, max {max}"
            );
        }
    }

    #[test]
    fn set_delay_stays_within_the_bounds() {
        let mut delays = Delays::new(2 * DAY, 14 * DAY, 2 * DAY, 30 * DAY).unwrap();
        assert_eq!(
            delays.set_delay(2 * DAY - 1),
            Err(TimelockError::InvalidDelay)
        );
        assert_eq!(
            delays.set_delay(30 * DAY + 1),
            Err(TimelockError::InvalidDelay)
        );
        assert_eq!(delays.set_delay(0), Err(TimelockError::InvalidDelay));
        assert_eq!(delays.delay_secs, 2 * DAY);
        assert_eq!(
            delays.set_delay(30 * DAY),
            Ok(DelayChanged {
                previous_secs: 2 * DAY,
                new_secs: 30 * DAY
            })
        );
        assert_eq!(
            delays.set_delay(2 * DAY),
            Ok(DelayChanged {
                previous_secs: 30 * DAY,
                new_secs: 2 * DAY
            })
        );
        // The bounds and the grace period never move.
        assert_eq!(
            delays,
            Delays::new(2 * DAY, 14 * DAY, 2 * DAY, 30 * DAY).unwrap()
        );
    }
}
