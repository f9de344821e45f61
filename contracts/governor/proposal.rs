//! A proposal's life as plain data: creation, votes, and its state at any block.
//!
//! ```text
//! Pending ──(snapshot block passes)──▶ Active ──(deadline passes)──▶ Defeated
//!                                                   │
//!                                                   ▼
//!                      Expired ◀──(not queued)── Succeeded ──queue──▶ Queued
//!                                                                       │
//!                                            Executed / Canceled / Expired (timelock)
//! Pending and Active proposals can be Canceled through the governor; once the vote
//! passed, only the timelock's rules can stop it (its guardian cancels a queued batch).
//! ```
//!
//! Votes are read at `snapshot_block`, which is strictly in the past once voting opens,
//! so power acquired at or after it (bought, borrowed, flash-loaned) does not count.
//! A proposal succeeds when For + Abstain reach the quorum and For exceeds Against
//! (OpenZeppelin `GovernorCountingSimple`). Once queued, the timelock is the source of
//! truth: its batch status decides Queued, Executed, Canceled or Expired.

use crate::error::GovernorError;
use crate::params::{GovernorParams, BPS};
use carrack_interfaces::BatchStatus;
use ink::primitives::AccountId;

/// A vote's direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum VoteType {
    /// Against the proposal.
    Against,
    /// For the proposal.
    For,
    /// Counts toward the quorum only.
    Abstain,
}

/// Where a proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum ProposalState {
    /// Created; voting opens after the snapshot block.
    Pending,
    /// Voting is open.
    Active,
    /// Canceled before the vote ended (by the proposer, or by anyone because the
    /// proposer fell below the threshold), or, once queued, in the timelock (by its
    /// guardian or its governor role).
    Canceled,
    /// Voting ended without quorum or with Against ≥ For.
    Defeated,
    /// Passed; waiting to be queued.
    Succeeded,
    /// In the timelock, waiting for its eta or executable.
    Queued,
    /// Passed but not queued in time, or queued but not executed within the grace period.
    Expired,
    /// Executed by the timelock.
    Executed,
}

/// Votes counted so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Tally {
    /// Votes For.
    pub for_votes: u128,
    /// Votes Against.
    pub against_votes: u128,
    /// Abstentions.
    pub abstain_votes: u128,
}

/// A proposal's record (its actions are stored separately until queued).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Proposal {
    /// Who proposed it.
    pub proposer: AccountId,
    /// blake2b-256 of the description (the text itself is in `ProposalCreated`).
    pub description_hash: [u8; 32],
    /// Votes and total supply are read at the end of this block.
    pub snapshot_block: u32,
    /// Last block in which votes are accepted.
    pub deadline_block: u32,
    /// Last block in which a Succeeded proposal can be queued (one voting period after
    /// the deadline); later it is Expired, so an old majority cannot be replayed.
    pub queue_deadline_block: u32,
    /// The quorum parameter in force when the proposal was made.
    pub quorum_bps: u16,
    /// The quorum in votes, fixed by the first vote (the snapshot total supply is only
    /// readable once the snapshot block is past); `None` while nobody voted.
    pub quorum_votes: Option<u128>,
    /// The votes.
    pub tally: Tally,
    /// Whether it was canceled through the governor.
    pub canceled: bool,
    /// The timelock batch, once queued.
    pub batch_id: Option<u32>,
}

impl Proposal {
    /// A proposal made at `now_block` under `params`.
    pub fn new(
        proposer: AccountId,
        description_hash: [u8; 32],
        now_block: u32,
        params: &GovernorParams,
    ) -> Result<Self, GovernorError> {
        let snapshot_block = now_block
            .checked_add(params.voting_delay_blocks)
            .ok_or(GovernorError::Overflow)?;
        let deadline_block = snapshot_block
            .checked_add(params.voting_period_blocks)
            .ok_or(GovernorError::Overflow)?;
        let queue_deadline_block = deadline_block
            .checked_add(params.voting_period_blocks)
            .ok_or(GovernorError::Overflow)?;
        Ok(Self {
            proposer,
            description_hash,
            snapshot_block,
            deadline_block,
            queue_deadline_block,
            quorum_bps: params.quorum_bps,
            quorum_votes: None,
            tally: Tally::default(),
            canceled: false,
            batch_id: None,
        })
    }

    /// The state at `now_block`; `batch` is the timelock's status of the queued batch
    /// (ignored while not queued; `None` for a queued batch the timelock does not know,
    /// which cannot happen with a correct timelock and reads as Queued).
    pub fn state(&self, now_block: u32, batch: Option<BatchStatus>) -> ProposalState {
        if self.canceled {
            return ProposalState::Canceled;
        }
        if now_block <= self.snapshot_block {
            return ProposalState::Pending;
        }
        if now_block <= self.deadline_block {
            return ProposalState::Active;
        }
        if !self.passed() {
            return ProposalState::Defeated;
        }
        if self.batch_id.is_none() {
            if now_block > self.queue_deadline_block {
                return ProposalState::Expired;
            }
            return ProposalState::Succeeded;
        }
        match batch {
            None | Some(BatchStatus::Queued) => ProposalState::Queued,
            Some(BatchStatus::Executed) => ProposalState::Executed,
            Some(BatchStatus::Canceled) => ProposalState::Canceled,
            Some(BatchStatus::Expired) => ProposalState::Expired,
        }
    }

    /// Whether the votes carry it: quorum of For + Abstain, and For above Against.
    pub fn passed(&self) -> bool {
        let Some(quorum) = self.quorum_votes else {
            return false;
        };
        // Saturating: two sums of votes at one snapshot cannot exceed the total supply;
        // saturation could only ever make a quorum look reached that already is.
        let participation = self
            .tally
            .for_votes
            .saturating_add(self.tally.abstain_votes);
        participation >= quorum && self.tally.for_votes > self.tally.against_votes
    }

    /// Counts `weight` votes in direction `support`. `snapshot_total_supply` fixes the
    /// quorum at the first vote.
    pub fn record_vote(
        &mut self,
        support: VoteType,
        weight: u128,
        snapshot_total_supply: u128,
    ) -> Result<(), GovernorError> {
        if weight == 0 {
            return Err(GovernorError::NoVotingPower);
        }
        let slot = match support {
            VoteType::For => &mut self.tally.for_votes,
            VoteType::Against => &mut self.tally.against_votes,
            VoteType::Abstain => &mut self.tally.abstain_votes,
        };
        *slot = slot.checked_add(weight).ok_or(GovernorError::Overflow)?;
        if self.quorum_votes.is_none() {
            self.quorum_votes = Some(quorum_votes(snapshot_total_supply, self.quorum_bps));
        }
        Ok(())
    }
}

/// `quorum_bps` of `total_supply`, rounded up (a quorum is never easier than stated),
/// without overflow for any supply.
pub fn quorum_votes(total_supply: u128, quorum_bps: u16) -> u128 {
    const WHOLE: u128 = BPS as u128;
    let bps = u128::from(quorum_bps);
    // total = q·BPS + r with r < BPS, so total·bps/BPS = q·bps + r·bps/BPS; every
    // product below fits because bps ≤ BPS and r < BPS. Saturating: q·bps ≤ total.
    let (q, r) = (total_supply / WHOLE, total_supply % WHOLE);
    let remainder = r.saturating_mul(bps);
    q.saturating_mul(bps)
        .saturating_add(remainder / WHOLE)
        .saturating_add(u128::from(remainder % WHOLE != 0))
}

/// Whether a proposal in `state` can still be canceled through the governor: only
/// until its vote ends (Pending, Active). A passed proposal (Succeeded, Queued) is the
/// holders' decision: nobody, the proposer included, can take it back through the
/// governor, and a queued batch is left to the timelock's rules, its guardian's veto
/// included (audit N-1: a delegator re-delegating away from the proposer, or a raised
/// threshold, made every passed proposal cancelable by anyone).
pub fn is_cancelable(state: ProposalState) -> bool {
    matches!(state, ProposalState::Pending | ProposalState::Active)
}

/// `Ok` when `caller` may cancel a proposal made by `proposer` that is in `state`: the
/// proposal must still be cancelable ([`is_cancelable`], else `NotCancelable`); the
/// proposer may always, anyone else only once `proposer_votes` (the proposer's votes at
/// the previous block, read only when needed) fell below `proposal_threshold`
/// (`NotProposer`).
pub fn ensure_may_cancel(
    state: ProposalState,
    caller: AccountId,
    proposer: AccountId,
    proposal_threshold: u128,
    proposer_votes: impl FnOnce() -> Result<u128, GovernorError>,
) -> Result<(), GovernorError> {
    if !is_cancelable(state) {
        return Err(GovernorError::NotCancelable);
    }
    if caller != proposer && proposer_votes()? >= proposal_threshold {
        return Err(GovernorError::NotProposer);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::tests::params;

    const ALICE: AccountId = AccountId([1; 32]);

    /// Made at block 100: snapshot 110, deadline 14 510, queue deadline 28 910.
    fn proposal() -> Proposal {
        Proposal::new(ALICE, [0; 32], 100, &params()).unwrap()
    }

    fn voted(for_votes: u128, against: u128, abstain: u128, supply: u128) -> Proposal {
        let mut p = proposal();
        for (support, weight) in [
            (VoteType::For, for_votes),
            (VoteType::Against, against),
            (VoteType::Abstain, abstain),
        ] {
            if weight > 0 {
                p.record_vote(support, weight, supply).unwrap();
            }
        }
        p
    }

    #[test]
    fn schedule_follows_the_parameters() {
        let p = proposal();
        assert_eq!(
            (p.snapshot_block, p.deadline_block, p.queue_deadline_block),
            (110, 14_510, 28_910)
        );
        assert_eq!(p.quorum_bps, 400);
        let far = GovernorParams {
            voting_delay_blocks: u32::MAX,
            ..params()
        };
        assert_eq!(
            Proposal::new(ALICE, [0; 32], 1, &far),
            Err(GovernorError::Overflow)
        );
    }

    #[test]
    fn pending_until_the_snapshot_block_then_active_through_the_deadline() {
        let p = proposal();
        assert_eq!(p.state(100, None), ProposalState::Pending);
        assert_eq!(p.state(110, None), ProposalState::Pending);
        assert_eq!(p.state(111, None), ProposalState::Active);
        assert_eq!(p.state(14_510, None), ProposalState::Active);
        assert_eq!(p.state(14_511, None), ProposalState::Defeated, "no votes");
    }

    #[test]
    fn quorum_counts_for_and_abstain_and_for_must_beat_against() {
        // supply 1 000 000 at 4 %: quorum 40 000.
        let supply = 1_000_000;
        let cases = [
            (40_000, 0, 0, ProposalState::Succeeded),
            (39_999, 0, 0, ProposalState::Defeated),
            (20_000, 0, 20_000, ProposalState::Succeeded),
            (20_000, 0, 19_999, ProposalState::Defeated),
            (50_000, 50_000, 0, ProposalState::Defeated),
            (50_001, 50_000, 0, ProposalState::Succeeded),
            (0, 0, 40_000, ProposalState::Defeated),
            (0, 90_000, 0, ProposalState::Defeated),
        ];
        for (for_votes, against, abstain, expected) in cases {
            let p = voted(for_votes, against, abstain, supply);
            assert_eq!(
                p.state(14_511, None),
                expected,
                "for {for_votes} against {against} abstain {abstain}"
            );
            assert_eq!(p.quorum_votes, Some(40_000));
        }
    }

    #[test]
    fn a_success_expires_if_not_queued_within_one_voting_period() {
        let p = voted(40_000, 0, 0, 1_000_000);
        assert_eq!(p.state(28_910, None), ProposalState::Succeeded);
        assert_eq!(p.state(28_911, None), ProposalState::Expired);
    }

    #[test]
    fn once_queued_the_timelock_decides() {
        let mut p = voted(40_000, 0, 0, 1_000_000);
        p.batch_id = Some(3);
        let after = 30_000; // past the queue deadline: queued proposals do not expire here
        assert_eq!(p.state(after, None), ProposalState::Queued);
        assert_eq!(
            p.state(after, Some(BatchStatus::Queued)),
            ProposalState::Queued
        );
        assert_eq!(
            p.state(after, Some(BatchStatus::Executed)),
            ProposalState::Executed
        );
        assert_eq!(
            p.state(after, Some(BatchStatus::Canceled)),
            ProposalState::Canceled
        );
        assert_eq!(
            p.state(after, Some(BatchStatus::Expired)),
            ProposalState::Expired
        );
    }

    #[test]
    fn canceled_wins_over_every_other_state() {
        let mut p = voted(40_000, 0, 0, 1_000_000);
        p.canceled = true;
        for block in [100, 111, 14_511, 30_000] {
            assert_eq!(p.state(block, None), ProposalState::Canceled);
        }
    }

    #[test]
    fn zero_weight_votes_are_refused_and_tallies_are_checked() {
        let mut p = proposal();
        assert_eq!(
            p.record_vote(VoteType::For, 0, 1),
            Err(GovernorError::NoVotingPower)
        );
        assert_eq!(p.quorum_votes, None);
        p.record_vote(VoteType::For, u128::MAX, u128::MAX).unwrap();
        assert_eq!(
            p.record_vote(VoteType::For, 1, u128::MAX),
            Err(GovernorError::Overflow)
        );
    }

    #[test]
    fn quorum_rounds_up_and_never_overflows() {
        assert_eq!(quorum_votes(0, 400), 0);
        assert_eq!(quorum_votes(1, 1), 1);
        assert_eq!(quorum_votes(10_000, 1), 1);
        assert_eq!(quorum_votes(10_001, 1), 2);
        assert_eq!(quorum_votes(1_000_000, 400), 40_000);
        assert_eq!(quorum_votes(u128::MAX, BPS), u128::MAX);
        let exact = u128::MAX / 10_000 * 400 + (u128::MAX % 10_000) * 400 / 10_000;
        assert_eq!(quorum_votes(u128::MAX, 400), exact + 1);
        for supply in [7u128, 99, 12_345, 987_654_321] {
            for bps in [1u16, 3, 400, 9_999, 10_000] {
                let floor = supply * u128::from(bps) / 10_000;
                let ceil = floor + u128::from(supply * u128::from(bps) % 10_000 != 0);
                assert_eq!(quorum_votes(supply, bps), ceil, "{supply} {bps}");
            }
        }
    }

    #[test]
    fn only_proposals_still_in_their_vote_are_cancelable() {
        use ProposalState::*;
        for state in [Pending, Active] {
            assert!(is_cancelable(state));
        }
        for state in [Succeeded, Queued, Canceled, Defeated, Expired, Executed] {
            assert!(!is_cancelable(state));
            // Refused before the proposer's votes are read.
            let read = || -> Result<u128, GovernorError> { unreachable!("no read needed") };
            assert_eq!(
                ensure_may_cancel(state, STRANGER, PROPOSER, THRESHOLD, read),
                Err(GovernorError::NotCancelable)
            );
        }
    }

    // Audit N-1: the second pass's scenario (written before the fix: the first two tests
    // failed on the old rule, under which Succeeded and Queued were cancelable). Threshold 1 000; the proposer P holds 600
    // and M delegated 400 more, so P proposed with exactly 1 000 votes.
    const PROPOSER: AccountId = ALICE;
    const DELEGATOR: AccountId = AccountId([2; 32]);
    const STRANGER: AccountId = AccountId([3; 32]);
    const THRESHOLD: u128 = 1_000;

    fn may_cancel(
        state: ProposalState,
        caller: AccountId,
        votes: u128,
    ) -> Result<(), GovernorError> {
        ensure_may_cancel(state, caller, PROPOSER, THRESHOLD, || Ok(votes))
    }

    #[test]
    fn a_re_delegation_after_success_cannot_kill_the_proposal() {
        use ProposalState::*;
        // M re-delegates: P keeps 600. Nobody, the delegator included, cancels a passed
        // proposal through the governor, whether it waits to be queued or is queued.
        for state in [Succeeded, Queued] {
            for caller in [DELEGATOR, STRANGER] {
                assert_eq!(
                    may_cancel(state, caller, 600),
                    Err(GovernorError::NotCancelable),
                    "{state:?}"
                );
            }
        }
    }

    #[test]
    fn after_the_vote_not_even_the_proposer_cancels() {
        use ProposalState::*;
        for state in [Succeeded, Queued] {
            assert_eq!(
                may_cancel(state, PROPOSER, 1_000),
                Err(GovernorError::NotCancelable)
            );
        }
    }

    #[test]
    fn before_and_while_voting_the_proposer_or_anyone_below_the_threshold_cancels() {
        use ProposalState::*;
        for state in [Pending, Active] {
            assert_eq!(may_cancel(state, PROPOSER, 1_000), Ok(()));
            assert_eq!(
                may_cancel(state, STRANGER, 1_000),
                Err(GovernorError::NotProposer)
            );
            // The delegator left: P proposed with borrowed weight, anyone cancels.
            assert_eq!(may_cancel(state, STRANGER, 999), Ok(()));
            // A failed votes read is the read's error.
            let failed = ensure_may_cancel(state, STRANGER, PROPOSER, THRESHOLD, || {
                Err(GovernorError::VotesCallFailed)
            });
            assert_eq!(failed, Err(GovernorError::VotesCallFailed));
        }
    }
}
