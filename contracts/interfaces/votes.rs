//! Voting power of the governance token: delegation and per-block checkpoints, read by the
//! governor at a proposal's snapshot block (the model of OpenZeppelin `Votes` / Compound
//! `Comp`).
//!
//! Tokens vote only once delegated (to oneself or to another account). Past lookups are
//! only defined for blocks strictly before the current one, so power acquired and spent
//! within one block (a flash loan) never counts.

use ink::primitives::AccountId;

/// Why a votes call was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum VotesError {
    /// The block asked for is the current block or later: its power is not final yet.
    FutureLookup,
    /// An account reached the most checkpoints the token can store (`u32::MAX`).
    CheckpointOverflow,
    /// Votes would exceed `u128::MAX` (impossible while votes track balances).
    VotesOverflow,
}

/// Read voting power and delegate it.
#[ink::trait_definition]
pub trait Votes {
    /// `account`'s voting power now (delegated to it, including its own if self-delegated).
    #[ink(message)]
    fn get_votes(&self, account: AccountId) -> u128;

    /// `account`'s voting power at the end of `block`, which must be in the past.
    #[ink(message)]
    fn get_past_votes(&self, account: AccountId, block: u32) -> Result<u128, VotesError>;

    /// Total supply at the end of `block`, which must be in the past.
    #[ink(message)]
    fn get_past_total_supply(&self, block: u32) -> Result<u128, VotesError>;

    /// Whom `account` delegates its votes to, if anyone.
    #[ink(message)]
    fn delegates(&self, account: AccountId) -> Option<AccountId>;

    /// Delegates the caller's votes to `delegatee` (itself to vote directly); `None`
    /// withdraws them.
    #[ink(message)]
    fn delegate(&mut self, delegatee: Option<AccountId>) -> Result<(), VotesError>;
}

/// An account changed its delegate.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegateChanged {
    /// The account whose tokens are delegated.
    #[ink(topic)]
    pub delegator: AccountId,
    /// The previous delegate.
    pub from: Option<AccountId>,
    /// The new delegate.
    pub to: Option<AccountId>,
}

/// A delegate's voting power changed.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegateVotesChanged {
    /// The delegate.
    #[ink(topic)]
    pub delegate: AccountId,
    /// Its power before.
    pub previous: u128,
    /// Its power after.
    pub new: u128,
}
