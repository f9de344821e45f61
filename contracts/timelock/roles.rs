//! Who may do what with the timelock.
//!
//! - The `governor` (the governance contract) queues and cancels batches. It is unset at
//!   instantiation, because the governor and the timelock each need the other's address:
//!   the `deployer` (the instantiating account) binds it once, which also ends the
//!   deployer's role. Afterwards only a batch can replace it.
//! - The `guardian` can only cancel batches; it never starts anything.
//!
//! Plain data: the caller comes in as an argument and the event to emit comes out.

use crate::events::GovernorChanged;
use crate::self_call::SET_GUARDIAN_SELECTOR;
use carrack_interfaces::{Action, GuardianChanged, TimelockError};

/// Selector of `Governed::set_guardian` (pool, oracle).
pub const GOVERNED_SET_GUARDIAN_SELECTOR: [u8; 4] = ink::selector_bytes!("Governed::set_guardian");
use ink::primitives::AccountId;

/// The timelock's roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Roles {
    /// The instantiating account, until it binds the governor.
    pub deployer: Option<AccountId>,
    /// Queues and cancels batches; `None` until bound.
    pub governor: Option<AccountId>,
    /// May cancel batches, nothing else.
    pub guardian: AccountId,
}

impl Roles {
    /// Roles right after instantiation: no governor yet.
    pub fn new(deployer: AccountId, guardian: AccountId) -> Self {
        Self {
            deployer: Some(deployer),
            governor: None,
            guardian,
        }
    }

    /// The deployer binds the first governor, once; the deployer role ends with it.
    pub fn bind_governor(
        &mut self,
        caller: AccountId,
        governor: AccountId,
    ) -> Result<GovernorChanged, TimelockError> {
        if self.governor.is_some() {
            return Err(TimelockError::GovernorAlreadyBound);
        }
        if self.deployer != Some(caller) {
            return Err(TimelockError::NotDeployer);
        }
        self.deployer = None;
        self.governor = Some(governor);
        Ok(GovernorChanged {
            previous: None,
            new: governor,
        })
    }

    /// `Ok` when `caller` is the governor (never while unbound).
    pub fn ensure_governor(&self, caller: AccountId) -> Result<(), TimelockError> {
        if self.governor != Some(caller) {
            return Err(TimelockError::NotGovernor);
        }
        Ok(())
    }

    /// `Ok` when `caller` is the governor or the guardian.
    pub fn ensure_governor_or_guardian(&self, caller: AccountId) -> Result<(), TimelockError> {
        if self.governor != Some(caller) && self.guardian != caller {
            return Err(TimelockError::NotGovernorOrGuardian);
        }
        Ok(())
    }

    /// `Ok` when `caller` may cancel a batch of `actions` on the timelock `own_account`:
    /// the governor always, the guardian unless the batch replaces a guardian (the
    /// timelock's own `set_guardian` self-call, or `Governed::set_guardian` on any
    /// contract). Otherwise a rogue guardian could cancel its own removal forever.
    pub fn ensure_may_cancel(
        &self,
        caller: AccountId,
        actions: &[Action],
        own_account: AccountId,
    ) -> Result<(), TimelockError> {
        self.ensure_governor_or_guardian(caller)?;
        if self.governor == Some(caller) {
            return Ok(());
        }
        let replaces_a_guardian = actions.iter().any(|action| {
            action.selector == GOVERNED_SET_GUARDIAN_SELECTOR
                || (action.callee == own_account && action.selector == SET_GUARDIAN_SELECTOR)
        });
        if replaces_a_guardian {
            return Err(TimelockError::GuardianChangeNotCancelable);
        }
        Ok(())
    }

    /// Replaces the governor (a batch's self-call; the caller is checked by the shell).
    /// Also ends any leftover deployer role, so nobody can bind over it later.
    pub fn set_governor(&mut self, governor: AccountId) -> GovernorChanged {
        let previous = self.governor.replace(governor);
        self.deployer = None;
        GovernorChanged {
            previous,
            new: governor,
        }
    }

    /// Replaces the guardian (a batch's self-call; the caller is checked by the shell).
    pub fn set_guardian(&mut self, guardian: AccountId) -> GuardianChanged {
        let previous = self.guardian;
        self.guardian = guardian;
        GuardianChanged {
            previous,
            new: guardian,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOYER: AccountId = AccountId([1; 32]);
    const GUARDIAN: AccountId = AccountId([2; 32]);
    const GOVERNOR: AccountId = AccountId([3; 32]);
    const OTHER: AccountId = AccountId([4; 32]);

    #[test]
    fn only_the_deployer_binds_the_governor_and_only_once() {
        let mut roles = Roles::new(DEPLOYER, GUARDIAN);
        assert_eq!(
            roles.ensure_governor(GOVERNOR),
            Err(TimelockError::NotGovernor)
        );
        assert_eq!(
            roles.bind_governor(OTHER, GOVERNOR),
            Err(TimelockError::NotDeployer)
        );
        assert_eq!(
            roles.bind_governor(GUARDIAN, GOVERNOR),
            Err(TimelockError::NotDeployer)
        );
        assert_eq!(
            roles.bind_governor(DEPLOYER, GOVERNOR),
            Ok(GovernorChanged {
                previous: None,
                new: GOVERNOR
            })
        );
        assert_eq!(roles.deployer, None);
        assert_eq!(roles.governor, Some(GOVERNOR));
        assert_eq!(
            roles.bind_governor(DEPLOYER, OTHER),
            Err(TimelockError::GovernorAlreadyBound)
        );
        assert_eq!(
            roles.bind_governor(GOVERNOR, OTHER),
            Err(TimelockError::GovernorAlreadyBound)
        );
        assert_eq!(roles.governor, Some(GOVERNOR));
    }

    #[test]
    fn the_governor_queues_and_the_guardian_only_cancels() {
        let mut roles = Roles::new(DEPLOYER, GUARDIAN);
        // Unbound: nobody is the governor, but the guardian can already cancel.
        assert_eq!(roles.ensure_governor_or_guardian(GUARDIAN), Ok(()));
        assert_eq!(
            roles.ensure_governor_or_guardian(DEPLOYER),
            Err(TimelockError::NotGovernorOrGuardian)
        );
        roles.bind_governor(DEPLOYER, GOVERNOR).unwrap();
        assert_eq!(roles.ensure_governor(GOVERNOR), Ok(()));
        assert_eq!(
            roles.ensure_governor(GUARDIAN),
            Err(TimelockError::NotGovernor)
        );
        assert_eq!(
            roles.ensure_governor(DEPLOYER),
            Err(TimelockError::NotGovernor)
        );
        assert_eq!(roles.ensure_governor_or_guardian(GOVERNOR), Ok(()));
        assert_eq!(roles.ensure_governor_or_guardian(GUARDIAN), Ok(()));
        assert_eq!(
            roles.ensure_governor_or_guardian(OTHER),
            Err(TimelockError::NotGovernorOrGuardian)
        );
    }

    #[test]
    fn setters_report_what_changed() {
        let mut roles = Roles::new(DEPLOYER, GUARDIAN);
        roles.bind_governor(DEPLOYER, GOVERNOR).unwrap();
        assert_eq!(
            roles.set_governor(OTHER),
            GovernorChanged {
                previous: Some(GOVERNOR),
                new: OTHER
            }
        );
        assert_eq!(
            roles.ensure_governor(GOVERNOR),
            Err(TimelockError::NotGovernor)
        );
        assert_eq!(roles.ensure_governor(OTHER), Ok(()));
        assert_eq!(
            roles.set_guardian(OTHER),
            GuardianChanged {
                previous: GUARDIAN,
                new: OTHER
            }
        );
        assert_eq!(roles.guardian, OTHER);
        assert_eq!(
            roles.ensure_governor_or_guardian(GUARDIAN),
            Err(TimelockError::NotGovernorOrGuardian)
        );
    }

    #[test]
    fn set_governor_ends_a_leftover_deployer_role() {
        let mut roles = Roles::new(DEPLOYER, GUARDIAN);
        roles.set_governor(GOVERNOR);
        assert_eq!(roles.deployer, None);
        assert_eq!(
            roles.bind_governor(DEPLOYER, OTHER),
            Err(TimelockError::GovernorAlreadyBound)
        );
    }

    #[test]
    fn the_guardian_cannot_cancel_its_own_replacement() {
        const TIMELOCK: AccountId = AccountId([9; 32]);
        const POOL: AccountId = AccountId([8; 32]);
        let mut roles = Roles::new(DEPLOYER, GUARDIAN);
        roles.bind_governor(DEPLOYER, GOVERNOR).unwrap();
        let call = |callee, selector| Action {
            callee,
            selector,
            input: ink::prelude::vec::Vec::new(),
            transferred_value: 0,
        };
        let harmless = [call(POOL, [1, 2, 3, 4])];
        let own = [
            call(POOL, [1, 2, 3, 4]),
            call(TIMELOCK, SET_GUARDIAN_SELECTOR),
        ];
        let pools = [call(POOL, GOVERNED_SET_GUARDIAN_SELECTOR)];
        // the same selector on another contract is not the timelock's setter
        let elsewhere = [call(POOL, SET_GUARDIAN_SELECTOR)];
        for actions in [&harmless[..], &elsewhere[..]] {
            assert_eq!(roles.ensure_may_cancel(GUARDIAN, actions, TIMELOCK), Ok(()));
        }
        for actions in [&own[..], &pools[..]] {
            assert_eq!(
                roles.ensure_may_cancel(GUARDIAN, actions, TIMELOCK),
                Err(TimelockError::GuardianChangeNotCancelable)
            );
            assert_eq!(roles.ensure_may_cancel(GOVERNOR, actions, TIMELOCK), Ok(()));
            assert_eq!(
                roles.ensure_may_cancel(OTHER, actions, TIMELOCK),
                Err(TimelockError::NotGovernorOrGuardian)
            );
        }
    }
}
