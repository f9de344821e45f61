//! The governor's one error type.

use carrack_interfaces::{ActionsError, TimelockError, VotesError};

/// Why the governor refused a call. A refused call changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum GovernorError {
    /// Only the timelock (an executed proposal) may change the governor.
    NotTimelock,
    /// A parameter lies outside the bounds fixed at instantiation.
    InvalidParams,
    /// The bounds given at instantiation are inconsistent.
    InvalidLimits,
    /// The proposal's actions are malformed.
    Actions(ActionsError),
    /// The description is longer than `MAX_DESCRIPTION_BYTES`.
    DescriptionTooLong,
    /// The proposer's votes at the previous block are below the proposal threshold.
    BelowProposalThreshold,
    /// The proposer already has a Pending or Active proposal.
    ProposerHasLiveProposal,
    /// No proposal has this id.
    UnknownProposal,
    /// Voting is not open: the proposal is not Active.
    VotingClosed,
    /// The account already voted on this proposal.
    AlreadyVoted,
    /// The account had no votes at the proposal's snapshot block.
    NoVotingPower,
    /// Only a Succeeded proposal can be queued.
    NotSucceeded,
    /// The proposal can no longer be canceled through the governor: its vote ended
    /// (Succeeded, Queued, Defeated, Expired, Executed or Canceled).
    NotCancelable,
    /// Only the proposer may cancel while its votes stay at or above the threshold.
    NotProposer,
    /// The token refused the votes read.
    Votes(VotesError),
    /// The timelock refused.
    Timelock(TimelockError),
    /// The call to the token failed at the chain level.
    VotesCallFailed,
    /// The call to the timelock failed at the chain level.
    TimelockCallFailed,
    /// A block number, id or tally overflowed.
    Overflow,
    /// The chain refused the code replacement (no code under that hash).
    CodeNotFound,
}

impl From<ActionsError> for GovernorError {
    fn from(err: ActionsError) -> Self {
        GovernorError::Actions(err)
    }
}
