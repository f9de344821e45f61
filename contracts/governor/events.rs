//! The governor's events: one for every state change.

use crate::params::GovernorParams;
use crate::proposal::VoteType;
use carrack_interfaces::Action;
use ink::prelude::{string::String, vec::Vec};
use ink::primitives::AccountId;

/// A proposal was made. Carries the full actions and description: the contract keeps
/// only the description's hash.
#[ink::event]
pub struct ProposalCreated {
    /// The proposal.
    #[ink(topic)]
    pub proposal_id: u32,
    /// Who made it.
    #[ink(topic)]
    pub proposer: AccountId,
    /// The calls it will make, in order.
    pub actions: Vec<Action>,
    /// Its description.
    pub description: String,
    /// Votes are read at the end of this block.
    pub snapshot_block: u32,
    /// Last block of voting.
    pub deadline_block: u32,
}

/// A vote was cast.
#[ink::event]
pub struct VoteCast {
    /// The proposal.
    #[ink(topic)]
    pub proposal_id: u32,
    /// The voter.
    #[ink(topic)]
    pub voter: AccountId,
    /// Its direction.
    pub support: VoteType,
    /// The voter's votes at the snapshot block.
    pub weight: u128,
}

/// A passed proposal was queued in the timelock.
#[ink::event]
pub struct ProposalQueued {
    /// The proposal.
    #[ink(topic)]
    pub proposal_id: u32,
    /// Its timelock batch.
    pub batch_id: u32,
}

/// A proposal was canceled through the governor.
#[ink::event]
pub struct ProposalCanceled {
    /// The proposal.
    #[ink(topic)]
    pub proposal_id: u32,
    /// Who canceled it.
    pub by: AccountId,
}

/// Governance changed the governor's parameters.
#[ink::event]
pub struct GovernorParamsChanged {
    /// The parameters now in force (for proposals made from now on).
    pub params: GovernorParams,
}
