//! The timelock's interface and the action format governance proposals are made of.
//!
//! An [`Action`] is one call: callee, selector, SCALE-encoded arguments and transferred
//! value. A batch of at most [`MAX_ACTIONS`] actions is queued by the governor, waits at
//! least the timelock's delay, and then executes atomically and in order: if any action
//! fails, the whole execution fails and nothing changes.

use crate::admin::AdminError;
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;

/// Most actions in one proposal / batch.
pub const MAX_ACTIONS: usize = 10;

/// Most bytes of SCALE-encoded arguments per action (keeps a stored batch far below
/// ink!'s 16 KiB storage-cell buffer).
pub const MAX_ACTION_INPUT_BYTES: usize = 512;

/// One call a batch makes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Action {
    /// The contract called.
    pub callee: AccountId,
    /// The message selector.
    pub selector: [u8; 4],
    /// The message's SCALE-encoded arguments.
    pub input: Vec<u8>,
    /// Native value sent with the call, from the timelock's balance.
    pub transferred_value: u128,
}

/// Why a list of actions is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum ActionsError {
    /// No action at all.
    NoActions,
    /// More than [`MAX_ACTIONS`] actions.
    TooManyActions,
    /// An action's input exceeds [`MAX_ACTION_INPUT_BYTES`]: its index.
    InputTooLong(u8),
}

/// Checks the shape of a batch: 1 to [`MAX_ACTIONS`] actions, each input within
/// [`MAX_ACTION_INPUT_BYTES`].
pub fn validate_actions(actions: &[Action]) -> Result<(), ActionsError> {
    if actions.is_empty() {
        return Err(ActionsError::NoActions);
    }
    if actions.len() > MAX_ACTIONS {
        return Err(ActionsError::TooManyActions);
    }
    for (index, action) in (0u8..).zip(actions) {
        if action.input.len() > MAX_ACTION_INPUT_BYTES {
            return Err(ActionsError::InputTooLong(index));
        }
    }
    Ok(())
}

/// Where a batch stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum BatchStatus {
    /// Waiting for its eta, or executable until `eta + grace`.
    Queued,
    /// Executed.
    Executed,
    /// Canceled by the governor or the guardian.
    Canceled,
    /// Not executed before `eta + grace`; can no longer execute.
    Expired,
}

/// A batch's schedule and status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct BatchInfo {
    /// Earliest execution time (Unix seconds).
    pub eta_secs: u64,
    /// Latest execution time (Unix seconds, exclusive): `eta + grace`.
    pub expires_at_secs: u64,
    /// Its status now.
    pub status: BatchStatus,
}

/// Why the timelock refused a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum TimelockError {
    /// Only the governor may queue.
    NotGovernor,
    /// Only the governor or the guardian may cancel.
    NotGovernorOrGuardian,
    /// Only the timelock itself (a queued batch) may change its settings.
    NotTimelock,
    /// Only the account that instantiated the timelock may bind the first governor.
    NotDeployer,
    /// The governor is already bound.
    GovernorAlreadyBound,
    /// The batch is malformed.
    Actions(ActionsError),
    /// No batch has this id.
    UnknownBatch,
    /// The batch was already executed.
    AlreadyExecuted,
    /// The batch was canceled.
    BatchCanceled,
    /// The batch's eta has not come yet.
    NotReady,
    /// The batch's grace period is over.
    BatchExpired,
    /// Action `index` failed (trapped, reverted, returned an error or could not be
    /// called); the whole execution was undone.
    ActionFailed(u8),
    /// A self-call (callee = timelock) names no timelock setting: its index.
    UnknownSelfCall(u8),
    /// A self-call's arguments do not decode: its index.
    InvalidSelfCallInput(u8),
    /// The delay lies outside the bounds fixed at instantiation, or the bounds themselves
    /// are inconsistent.
    InvalidDelay,
    /// The timelock could not replace its code (no code under that hash).
    CodeNotFound,
    /// A time or id computation overflowed.
    Overflow,
    /// `accept_governance_of`: the target refused to hand governance to the timelock
    /// (typically `NotPendingGovernance`: it did not nominate the timelock).
    AcceptRefused(AdminError),
    /// `accept_governance_of`: the call to the target failed (not a contract, trapped,
    /// no such message, or an undecodable answer).
    AcceptFailed,
    /// The guardian may not cancel a guardian replacement: a batch whose every action
    /// replaces a guardian by a different account on a contract the timelock governs
    /// (otherwise a rogue guardian could block its own removal).
    GuardianChangeNotCancelable,
    /// The guardian's cancel of a batch made only of guardian setters: the roles of
    /// action `index`'s callee (`Governed::admin_roles`) could not be read, so the batch
    /// is not shown to be cancelable.
    GuardianCheckFailed(u8),
}

impl From<ActionsError> for TimelockError {
    fn from(err: ActionsError) -> Self {
        TimelockError::Actions(err)
    }
}

/// What the governor needs from the timelock.
#[ink::trait_definition]
pub trait Timelock {
    /// Queues a batch to execute after the delay (governor only); returns its id.
    #[ink(message)]
    fn queue(&mut self, actions: Vec<Action>) -> Result<u32, TimelockError>;

    /// Cancels a queued batch (the governor; the guardian, except a guardian
    /// replacement).
    #[ink(message)]
    fn cancel(&mut self, batch_id: u32) -> Result<(), TimelockError>;

    /// Executes a batch between its eta and `eta + grace` (anyone): atomically, in order.
    #[ink(message)]
    fn execute(&mut self, batch_id: u32) -> Result<(), TimelockError>;

    /// A batch's schedule and status.
    #[ink(message)]
    fn batch_info(&self, batch_id: u32) -> Option<BatchInfo>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use ink::prelude::vec;

    fn action(input_len: usize) -> Action {
        Action {
            callee: AccountId([7; 32]),
            selector: [1, 2, 3, 4],
            input: vec![0; input_len],
            transferred_value: 0,
        }
    }

    #[test]
    fn batches_have_one_to_ten_actions_with_bounded_inputs() {
        assert_eq!(validate_actions(&[]), Err(ActionsError::NoActions));
        assert_eq!(validate_actions(&[action(MAX_ACTION_INPUT_BYTES)]), Ok(()));
        let ten = vec![action(0); MAX_ACTIONS];
        assert_eq!(validate_actions(&ten), Ok(()));
        let eleven = vec![action(0); MAX_ACTIONS + 1];
        assert_eq!(validate_actions(&eleven), Err(ActionsError::TooManyActions));
        let long = [action(1), action(MAX_ACTION_INPUT_BYTES + 1)];
        assert_eq!(validate_actions(&long), Err(ActionsError::InputTooLong(1)));
    }
}
