//! The timelock's own events. Every state change emits one of these, or one of the shared
//! `GuardianChanged` / `CodeUpgraded` events from `carrack_interfaces`.

use carrack_interfaces::Action;
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;

/// The governor changed: bound by the deployer (`previous: None`) or replaced by a batch.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GovernorChanged {
    /// The governor before, if one was bound.
    #[ink(topic)]
    pub previous: Option<AccountId>,
    /// The governor now.
    #[ink(topic)]
    pub new: AccountId,
}

/// A batch changed the delay (within the bounds fixed at instantiation).
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelayChanged {
    /// The delay before, in seconds.
    pub previous_secs: u64,
    /// The delay now, in seconds.
    pub new_secs: u64,
}

/// The governor queued a batch. It carries the actions so watchers can audit exactly
/// what will run, and when.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchQueued {
    /// The batch's id.
    #[ink(topic)]
    pub batch_id: u32,
    /// Earliest execution time (Unix seconds).
    pub eta_secs: u64,
    /// The calls the batch makes, in order.
    pub actions: Vec<Action>,
}

/// A queued batch was canceled; it can no longer execute.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchCanceled {
    /// The batch's id.
    #[ink(topic)]
    pub batch_id: u32,
    /// Who canceled it: the governor or the guardian.
    #[ink(topic)]
    pub by: AccountId,
}

/// A batch executed: every one of its actions succeeded.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchExecuted {
    /// The batch's id.
    #[ink(topic)]
    pub batch_id: u32,
}
