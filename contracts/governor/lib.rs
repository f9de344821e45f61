//! Carrack's governor: holders of the votes token propose batches of calls, vote on them
//! with their power at a snapshot block, and queue passed batches in the timelock, which
//! alone holds the admin roles of the pool and the oracle.
//!
//! Design against the known failures: votes are read at a snapshot block strictly in the
//! past when voting opens (no flash-loan votes, Beanstalk 2022); a voting delay, a voting
//! period and the timelock's delay give holders and the guardian time to react to a
//! malicious proposal (Compound proposal 289); the batch executes atomically in the
//! timelock (no half-applied parameter changes, Sonne 2024).
//!
//! Execution is not a governor message: anyone calls the timelock's `execute` after the
//! eta. Were the governor to call it, a batch that changes the governor's own parameters
//! would re-enter the governor, which stays forbidden. The proposal state machine is the
//! plain module [`proposal`], tested natively.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub mod error;
pub mod events;
pub mod params;
pub mod proposal;

#[cfg(test)]
mod contract_tests;

#[ink::contract]
pub mod governor {
    use crate::error::GovernorError;
    use crate::events::*;
    use crate::params::{GovernorLimits, GovernorParams};
    use crate::proposal::{ensure_may_cancel, Proposal, ProposalState, VoteType};
    use carrack_interfaces::{
        validate_actions, versioned, Action, BatchStatus, CodeUpgraded, Timelock, Votes,
    };
    use ink::codegen::TraitCallBuilder;
    use ink::env::hash::Blake2x256;
    use ink::prelude::{string::String, vec::Vec};
    use ink::storage::traits::ManualKey;
    use ink::storage::Mapping;

    /// Longest description, in bytes (it travels in the `ProposalCreated` event).
    pub const MAX_DESCRIPTION_BYTES: usize = 2_048;

    /// The governor's addresses, parameters and bounds.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub struct GovernorSettings {
        /// The votes token.
        pub token: AccountId,
        /// The timelock that executes passed proposals and governs the governor.
        pub timelock: AccountId,
        /// The parameters in force.
        pub params: GovernorParams,
        /// Their bounds, fixed at instantiation.
        pub limits: GovernorLimits,
        /// Proposals made so far (ids are `0..proposal_count`).
        pub proposal_count: u32,
    }

    /// The governor.
    #[ink(storage)]
    pub struct Governor {
        token: AccountId,
        timelock: AccountId,
        params: GovernorParams,
        limits: GovernorLimits,
        proposal_count: u32,
        proposals: Mapping<u32, Proposal, ManualKey<0x474f_0001>>,
        actions: Mapping<u32, Vec<Action>, ManualKey<0x474f_0002>>,
        receipts: Mapping<(u32, AccountId), VoteType, ManualKey<0x474f_0003>>,
        latest_proposal: Mapping<AccountId, u32, ManualKey<0x474f_0004>>,
    }

    impl Governor {
        /// A governor counting votes of `token` and queueing into `timelock`, with
        /// `params` inside `limits` (the limits never change).
        #[ink(constructor)]
        pub fn new(
            token: AccountId,
            timelock: AccountId,
            params: GovernorParams,
            limits: GovernorLimits,
        ) -> Result<Self, GovernorError> {
            limits.validate()?;
            limits.check(&params)?;
            Ok(Self {
                token,
                timelock,
                params,
                limits,
                proposal_count: 0,
                proposals: Mapping::new(),
                actions: Mapping::new(),
                receipts: Mapping::new(),
                latest_proposal: Mapping::new(),
            })
        }

        /// Proposes `actions` (1 to 10 calls, each `(callee, selector, SCALE input,
        /// value)`) with a `description`. The caller needs votes at the previous block of
        /// at least the proposal threshold, and no other Pending or Active proposal.
        /// Voting opens after `voting_delay_blocks`. Returns the proposal id.
        #[ink(message)]
        pub fn propose(
            &mut self,
            actions: Vec<Action>,
            description: String,
        ) -> Result<u32, GovernorError> {
            validate_actions(&actions)?;
            if description.len() > MAX_DESCRIPTION_BYTES {
                return Err(GovernorError::DescriptionTooLong);
            }
            let proposer = self.env().caller();
            let now = self.env().block_number();
            if let Some(latest) = self.latest_proposal.get(proposer) {
                let live = self
                    .load(latest)
                    .map(|p| p.state(now, None))
                    .is_ok_and(|s| matches!(s, ProposalState::Pending | ProposalState::Active));
                if live {
                    return Err(GovernorError::ProposerHasLiveProposal);
                }
            }
            if self.votes_before_now(proposer)? < self.params.proposal_threshold {
                return Err(GovernorError::BelowProposalThreshold);
            }
            let mut description_hash = [0u8; 32];
            ink::env::hash_bytes::<Blake2x256>(description.as_bytes(), &mut description_hash);
            let proposal = Proposal::new(proposer, description_hash, now, &self.params)?;
            let proposal_id = self.proposal_count;
            self.proposal_count = proposal_id.checked_add(1).ok_or(GovernorError::Overflow)?;
            self.proposals.insert(proposal_id, &proposal);
            self.actions.insert(proposal_id, &actions);
            self.latest_proposal.insert(proposer, &proposal_id);
            self.env().emit_event(ProposalCreated {
                proposal_id,
                proposer,
                actions,
                description,
                snapshot_block: proposal.snapshot_block,
                deadline_block: proposal.deadline_block,
            });
            Ok(proposal_id)
        }

        /// Votes on an Active proposal with the caller's votes at its snapshot block;
        /// once per account. Returns the weight counted.
        #[ink(message)]
        pub fn cast_vote(
            &mut self,
            proposal_id: u32,
            support: VoteType,
        ) -> Result<u128, GovernorError> {
            let voter = self.env().caller();
            let mut proposal = self.load(proposal_id)?;
            if proposal.state(self.env().block_number(), None) != ProposalState::Active {
                return Err(GovernorError::VotingClosed);
            }
            if self.receipts.contains((proposal_id, voter)) {
                return Err(GovernorError::AlreadyVoted);
            }
            let weight = self.past_votes(voter, proposal.snapshot_block)?;
            let supply = match proposal.quorum_votes {
                Some(_) => 0, // the quorum is already fixed; the supply is not read again
                None => self.past_total_supply(proposal.snapshot_block)?,
            };
            proposal.record_vote(support, weight, supply)?;
            self.proposals.insert(proposal_id, &proposal);
            self.receipts.insert((proposal_id, voter), &support);
            self.env().emit_event(VoteCast {
                proposal_id,
                voter,
                support,
                weight,
            });
            Ok(weight)
        }

        /// Hands a Succeeded proposal's actions to the timelock (anyone may call).
        /// Returns the timelock batch id.
        #[ink(message)]
        pub fn queue(&mut self, proposal_id: u32) -> Result<u32, GovernorError> {
            let mut proposal = self.load(proposal_id)?;
            if proposal.state(self.env().block_number(), None) != ProposalState::Succeeded {
                return Err(GovernorError::NotSucceeded);
            }
            let actions = self.actions.take(proposal_id).unwrap_or_default();
            let mut timelock: ink::contract_ref!(Timelock) = self.timelock.into();
            // The batch id is only known after the call, so it is stored after it. The
            // timelock is fixed at instantiation and cannot call back (re-entry stays
            // refused); if it refuses, the whole message reverts, actions included.
            let batch_id = match versioned(timelock.call_mut().queue(actions)).try_invoke() {
                Ok(Ok(Ok(batch_id))) => batch_id,
                Ok(Ok(Err(err))) => return Err(GovernorError::Timelock(err)),
                _ => return Err(GovernorError::TimelockCallFailed),
            };
            proposal.batch_id = Some(batch_id);
            self.proposals.insert(proposal_id, &proposal);
            self.env().emit_event(ProposalQueued {
                proposal_id,
                batch_id,
            });
            Ok(batch_id)
        }

        /// Cancels a proposal whose vote has not ended (Pending or Active; else
        /// `NotCancelable`): the proposer at any time, anyone once the proposer's votes
        /// (at the previous block) fell below the proposal threshold (else `NotProposer`).
        /// A passed proposal (Succeeded, Queued) cannot be canceled here, by anyone: once
        /// queued, only the timelock's rules can stop it (its guardian's cancel). Emits
        /// `ProposalCanceled`.
        #[ink(message)]
        pub fn cancel(&mut self, proposal_id: u32) -> Result<(), GovernorError> {
            let caller = self.env().caller();
            let mut proposal = self.load(proposal_id)?;
            // Only Pending and Active are cancelable, and neither is queued yet: the
            // timelock need not be asked (a queued proposal reads as Queued).
            let state = proposal.state(self.env().block_number(), None);
            ensure_may_cancel(
                state,
                caller,
                proposal.proposer,
                self.params.proposal_threshold,
                || self.votes_before_now(proposal.proposer),
            )?;
            proposal.canceled = true;
            self.proposals.insert(proposal_id, &proposal);
            self.actions.remove(proposal_id);
            self.env().emit_event(ProposalCanceled {
                proposal_id,
                by: caller,
            });
            Ok(())
        }

        /// Replaces the parameters, within the bounds fixed at instantiation (timelock
        /// only). Proposals already made keep their schedule and quorum.
        #[ink(message)]
        pub fn set_params(&mut self, params: GovernorParams) -> Result<(), GovernorError> {
            self.ensure_timelock()?;
            self.limits.check(&params)?;
            self.params = params;
            self.env().emit_event(GovernorParamsChanged { params });
            Ok(())
        }

        /// Replaces the governor's code, keeping its proposals and votes (timelock only).
        #[ink(message)]
        pub fn set_code_hash(&mut self, code_hash: Hash) -> Result<(), GovernorError> {
            self.ensure_timelock()?;
            self.env()
                .set_code_hash(&code_hash)
                .map_err(|_| GovernorError::CodeNotFound)?;
            self.env().emit_event(CodeUpgraded { code_hash });
            Ok(())
        }

        // ----------------------------------------------------------------------- views

        /// A proposal's state now (asks the timelock once it is queued).
        #[ink(message)]
        pub fn state(&self, proposal_id: u32) -> Result<ProposalState, GovernorError> {
            self.state_of(&self.load(proposal_id)?)
        }

        /// A proposal's record: schedule, quorum, tally, batch.
        #[ink(message)]
        pub fn proposal(&self, proposal_id: u32) -> Option<Proposal> {
            self.proposals.get(proposal_id)
        }

        /// A proposal's actions, until it is queued (then the timelock holds them) or
        /// canceled.
        #[ink(message)]
        pub fn proposal_actions(&self, proposal_id: u32) -> Option<Vec<Action>> {
            self.actions.get(proposal_id)
        }

        /// How `voter` voted on a proposal, if it did.
        #[ink(message)]
        pub fn receipt(&self, proposal_id: u32, voter: AccountId) -> Option<VoteType> {
            self.receipts.get((proposal_id, voter))
        }

        /// Token, timelock, parameters, bounds and the number of proposals.
        #[ink(message)]
        pub fn settings(&self) -> GovernorSettings {
            GovernorSettings {
                token: self.token,
                timelock: self.timelock,
                params: self.params,
                limits: self.limits,
                proposal_count: self.proposal_count,
            }
        }

        // --------------------------------------------------------------------- helpers

        fn load(&self, proposal_id: u32) -> Result<Proposal, GovernorError> {
            self.proposals
                .get(proposal_id)
                .ok_or(GovernorError::UnknownProposal)
        }

        fn state_of(&self, proposal: &Proposal) -> Result<ProposalState, GovernorError> {
            let now = self.env().block_number();
            let batch = match proposal.batch_id {
                Some(batch_id) if !proposal.canceled => self.batch_status(batch_id)?,
                _ => None,
            };
            Ok(proposal.state(now, batch))
        }

        fn batch_status(&self, batch_id: u32) -> Result<Option<BatchStatus>, GovernorError> {
            let timelock: ink::contract_ref!(Timelock) = self.timelock.into();
            match versioned(timelock.call().batch_info(batch_id)).try_invoke() {
                Ok(Ok(info)) => Ok(info.map(|info| info.status)),
                _ => Err(GovernorError::TimelockCallFailed),
            }
        }

        /// `account`'s votes at the previous block (0 at the genesis block).
        fn votes_before_now(&self, account: AccountId) -> Result<u128, GovernorError> {
            match self.env().block_number().checked_sub(1) {
                Some(block) => self.past_votes(account, block),
                None => Ok(0),
            }
        }

        fn past_votes(&self, account: AccountId, block: u32) -> Result<u128, GovernorError> {
            let token: ink::contract_ref!(Votes) = self.token.into();
            match versioned(token.call().get_past_votes(account, block)).try_invoke() {
                Ok(Ok(Ok(votes))) => Ok(votes),
                Ok(Ok(Err(err))) => Err(GovernorError::Votes(err)),
                _ => Err(GovernorError::VotesCallFailed),
            }
        }

        fn past_total_supply(&self, block: u32) -> Result<u128, GovernorError> {
            let token: ink::contract_ref!(Votes) = self.token.into();
            match versioned(token.call().get_past_total_supply(block)).try_invoke() {
                Ok(Ok(Ok(supply))) => Ok(supply),
                Ok(Ok(Err(err))) => Err(GovernorError::Votes(err)),
                _ => Err(GovernorError::VotesCallFailed),
            }
        }

        fn ensure_timelock(&self) -> Result<(), GovernorError> {
            if self.env().caller() != self.timelock {
                return Err(GovernorError::NotTimelock);
            }
            Ok(())
        }
    }
}
