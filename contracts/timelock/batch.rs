//! A batch's schedule and life cycle: queued with `eta = now + delay`, executable from
//! `eta` (inclusive) until `eta + grace` (exclusive), then expired; or executed, or
//! canceled. Plain logic: the time comes in as an argument.

use crate::delays::Delays;
use carrack_interfaces::{BatchInfo, BatchStatus, TimelockError};

/// What the timelock stores about a batch (its actions are stored apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct BatchRecord {
    /// Earliest execution time (Unix seconds).
    pub eta_secs: u64,
    /// Latest execution time (Unix seconds, exclusive): `eta + grace` at queue time.
    pub expires_at_secs: u64,
    /// `Queued`, `Executed` or `Canceled`; `Expired` is never stored, only derived.
    pub status: BatchStatus,
}

/// A newly scheduled batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scheduled {
    /// The new batch's id.
    pub batch_id: u32,
    /// The id the batch after it will get.
    pub next_batch_id: u32,
    /// The new batch's record.
    pub record: BatchRecord,
}

/// Schedules batch `next_batch_id` queued at `now_secs`: its eta is `now + delay` and it
/// expires at `eta + grace`. `Overflow` when a time or the next id does not fit.
pub fn schedule(
    next_batch_id: u32,
    now_secs: u64,
    delays: &Delays,
) -> Result<Scheduled, TimelockError> {
    let eta_secs = now_secs
        .checked_add(delays.delay_secs)
        .ok_or(TimelockError::Overflow)?;
    let expires_at_secs = eta_secs
        .checked_add(delays.grace_secs)
        .ok_or(TimelockError::Overflow)?;
    let following = next_batch_id
        .checked_add(1)
        .ok_or(TimelockError::Overflow)?;
    Ok(Scheduled {
        batch_id: next_batch_id,
        next_batch_id: following,
        record: BatchRecord {
            eta_secs,
            expires_at_secs,
            status: BatchStatus::Queued,
        },
    })
}

impl BatchRecord {
    /// The status at `now_secs`: a queued batch whose grace period is over is `Expired`.
    pub fn status_at(&self, now_secs: u64) -> BatchStatus {
        match self.status {
            BatchStatus::Queued if now_secs >= self.expires_at_secs => BatchStatus::Expired,
            status => status,
        }
    }

    /// The schedule and status at `now_secs`.
    pub fn info(&self, now_secs: u64) -> BatchInfo {
        BatchInfo {
            eta_secs: self.eta_secs,
            expires_at_secs: self.expires_at_secs,
            status: self.status_at(now_secs),
        }
    }

    /// Cancels a batch that has not executed. An expired batch can still be canceled,
    /// which frees its stored actions.
    pub fn cancel(&mut self) -> Result<(), TimelockError> {
        match self.status {
            BatchStatus::Queued | BatchStatus::Expired => {
                self.status = BatchStatus::Canceled;
                Ok(())
            }
            BatchStatus::Executed => Err(TimelockError::AlreadyExecuted),
            BatchStatus::Canceled => Err(TimelockError::BatchCanceled),
        }
    }

    /// Marks a queued batch executed at `now_secs`, which must lie in
    /// `[eta, eta + grace)`: `NotReady` before, `BatchExpired` from `eta + grace` on.
    pub fn execute(&mut self, now_secs: u64) -> Result<(), TimelockError> {
        match self.status_at(now_secs) {
            BatchStatus::Executed => Err(TimelockError::AlreadyExecuted),
            BatchStatus::Canceled => Err(TimelockError::BatchCanceled),
            BatchStatus::Expired => Err(TimelockError::BatchExpired),
            BatchStatus::Queued if now_secs < self.eta_secs => Err(TimelockError::NotReady),
            BatchStatus::Queued => {
                self.status = BatchStatus::Executed;
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_700_000_000;
    const DELAY: u64 = 2 * 86_400;
    const GRACE: u64 = 14 * 86_400;

    fn delays() -> Delays {
        Delays::new(DELAY, GRACE, 60, 30 * 86_400).unwrap()
    }

    fn queued() -> BatchRecord {
        schedule(0, NOW, &delays()).unwrap().record
    }

    #[test]
    fn queueing_sets_eta_expiry_and_the_next_id() {
        assert_eq!(
            schedule(7, NOW, &delays()),
            Ok(Scheduled {
                batch_id: 7,
                next_batch_id: 8,
                record: BatchRecord {
                    eta_secs: NOW + DELAY,
                    expires_at_secs: NOW + DELAY + GRACE,
                    status: BatchStatus::Queued,
                },
            })
        );
    }

    #[test]
    fn queueing_refuses_overflowing_times_and_ids() {
        assert_eq!(
            schedule(0, u64::MAX - DELAY + 1, &delays()),
            Err(TimelockError::Overflow)
        );
        // The eta fits but its expiry does not.
        assert_eq!(
            schedule(0, u64::MAX - DELAY - GRACE + 1, &delays()),
            Err(TimelockError::Overflow)
        );
        assert!(schedule(0, u64::MAX - DELAY - GRACE, &delays()).is_ok());
        assert_eq!(
            schedule(u32::MAX, NOW, &delays()),
            Err(TimelockError::Overflow)
        );
        assert_eq!(
            schedule(u32::MAX - 1, NOW, &delays()).map(|s| s.next_batch_id),
            Ok(u32::MAX)
        );
    }

    #[test]
    fn not_ready_until_exactly_the_eta() {
        let mut record = queued();
        assert_eq!(record.execute(NOW), Err(TimelockError::NotReady));
        assert_eq!(
            record.execute(NOW + DELAY - 1),
            Err(TimelockError::NotReady)
        );
        assert_eq!(record.status, BatchStatus::Queued);
        assert_eq!(record.execute(NOW + DELAY), Ok(()));
        assert_eq!(record.status, BatchStatus::Executed);
    }

    #[test]
    fn executable_until_just_before_eta_plus_grace() {
        let mut record = queued();
        let expiry = NOW + DELAY + GRACE;
        assert_eq!(record.status_at(expiry - 1), BatchStatus::Queued);
        assert_eq!(record.status_at(expiry), BatchStatus::Expired);
        assert_eq!(record.execute(expiry), Err(TimelockError::BatchExpired));
        assert_eq!(record.execute(u64::MAX), Err(TimelockError::BatchExpired));
        assert_eq!(record.status, BatchStatus::Queued, "expiry is derived");
        assert_eq!(record.execute(expiry - 1), Ok(()));
    }

    #[test]
    fn an_executed_batch_never_runs_again_nor_cancels() {
        let mut record = queued();
        record.execute(NOW + DELAY).unwrap();
        assert_eq!(
            record.execute(NOW + DELAY),
            Err(TimelockError::AlreadyExecuted)
        );
        assert_eq!(record.cancel(), Err(TimelockError::AlreadyExecuted));
        // Executed stays executed, even after the grace period.
        assert_eq!(record.status_at(NOW + DELAY + GRACE), BatchStatus::Executed);
    }

    #[test]
    fn a_canceled_batch_never_runs() {
        let mut record = queued();
        assert_eq!(record.cancel(), Ok(()));
        assert_eq!(record.status, BatchStatus::Canceled);
        assert_eq!(
            record.execute(NOW + DELAY),
            Err(TimelockError::BatchCanceled)
        );
        assert_eq!(record.cancel(), Err(TimelockError::BatchCanceled));
        assert_eq!(record.status_at(NOW + DELAY + GRACE), BatchStatus::Canceled);
    }

    #[test]
    fn an_expired_batch_can_be_canceled() {
        let mut record = queued();
        let expiry = NOW + DELAY + GRACE;
        assert_eq!(record.cancel(), Ok(()));
        let mut record2 = queued();
        assert_eq!(record2.status_at(expiry), BatchStatus::Expired);
        assert_eq!(record2.cancel(), Ok(()));
        assert_eq!(record2.status_at(expiry), BatchStatus::Canceled);
        assert_eq!(record, record2);
    }

    #[test]
    fn info_reports_the_derived_status() {
        let record = queued();
        assert_eq!(
            record.info(NOW),
            BatchInfo {
                eta_secs: NOW + DELAY,
                expires_at_secs: NOW + DELAY + GRACE,
                status: BatchStatus::Queued,
            }
        );
        assert_eq!(
            record.info(NOW + DELAY + GRACE).status,
            BatchStatus::Expired
        );
    }
}
