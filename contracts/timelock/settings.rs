//! Everything the timelock is configured with, in one view.

use crate::delays::Delays;
use crate::roles::Roles;
use ink::primitives::AccountId;

/// The timelock's roles, delays and next batch id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct TimelockSettings {
    /// Queues and cancels batches; `None` until the deployer binds it.
    pub governor: Option<AccountId>,
    /// May cancel batches.
    pub guardian: AccountId,
    /// How long a queued batch waits.
    pub delay_secs: u64,
    /// How long after its eta a batch stays executable.
    pub grace_secs: u64,
    /// The shortest delay `set_delay` accepts (fixed).
    pub min_delay_secs: u64,
    /// The longest delay `set_delay` accepts (fixed).
    pub max_delay_secs: u64,
    /// The instantiating account, until it binds the governor.
    pub deployer: Option<AccountId>,
    /// The id the next queued batch gets.
    pub next_batch_id: u32,
}

impl TimelockSettings {
    /// Assembles the view from the stored roles and delays.
    pub fn new(roles: &Roles, delays: &Delays, next_batch_id: u32) -> Self {
        Self {
            governor: roles.governor,
            guardian: roles.guardian,
            delay_secs: delays.delay_secs,
            grace_secs: delays.grace_secs,
            min_delay_secs: delays.min_delay_secs,
            max_delay_secs: delays.max_delay_secs,
            deployer: roles.deployer,
            next_batch_id,
        }
    }
}
