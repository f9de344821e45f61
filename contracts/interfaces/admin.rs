//! Who administers a Carrack contract, and how that changes hands: the one role model the
//! pool and the oracle share. (The governor has no admin of its own: only the timelock
//! may change its parameters or code; the timelock keeps its own roles, see
//! `contracts/timelock/roles.rs`.)
//!
//! - `governance` (the timelock in production) holds every admin power. It hands the role
//!   over in two steps, `nominate_governance` then `accept_governance` by the nominee, so a
//!   typo cannot lose the role.
//! - `guardian` can only stop things (pause, freeze); it never starts them.
//! - Code upgrades (`set_code_hash`) are governance-only.
//!
//! [`AdminRoles`] is plain data: it takes the caller as an argument and returns the event
//! to emit, so contracts stay thin shells and the logic is tested natively.

use ink::primitives::{AccountId, Hash};

/// Why an admin call was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum AdminError {
    /// The caller lacks the governance role.
    NotGovernance,
    /// The caller is neither the guardian nor governance.
    NotGuardian,
    /// The caller was not nominated to take governance over.
    NotPendingGovernance,
    /// The chain refused the code replacement (no code uploaded under that hash).
    CodeNotFound,
    /// The contract is lending a flash loan and its receiver's callback is running:
    /// no admin message runs until it returns.
    FlashLoanActive,
}

/// The governance and guardian roles of one contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct AdminRoles {
    /// Holds every admin power (the timelock in production).
    pub governance: AccountId,
    /// Nominated to take governance over, if any.
    pub pending_governance: Option<AccountId>,
    /// May pause or freeze, nothing else.
    pub guardian: AccountId,
}

impl AdminRoles {
    /// Roles with no pending nomination.
    pub fn new(governance: AccountId, guardian: AccountId) -> Self {
        Self {
            governance,
            pending_governance: None,
            guardian,
        }
    }

    /// `Ok` when `caller` is governance.
    pub fn ensure_governance(&self, caller: AccountId) -> Result<(), AdminError> {
        if caller != self.governance {
            return Err(AdminError::NotGovernance);
        }
        Ok(())
    }

    /// `Ok` when `caller` is the guardian or governance (the powers that stop things).
    pub fn ensure_guardian_or_governance(&self, caller: AccountId) -> Result<(), AdminError> {
        if caller != self.guardian && caller != self.governance {
            return Err(AdminError::NotGuardian);
        }
        Ok(())
    }

    /// Governance nominates its successor; `None` withdraws a nomination.
    pub fn nominate(
        &mut self,
        caller: AccountId,
        pending: Option<AccountId>,
    ) -> Result<GovernanceNominated, AdminError> {
        self.ensure_governance(caller)?;
        self.pending_governance = pending;
        Ok(GovernanceNominated { pending })
    }

    /// The nominee takes governance over.
    pub fn accept(&mut self, caller: AccountId) -> Result<GovernanceChanged, AdminError> {
        if self.pending_governance != Some(caller) {
            return Err(AdminError::NotPendingGovernance);
        }
        let previous = self.governance;
        self.governance = caller;
        self.pending_governance = None;
        Ok(GovernanceChanged {
            previous,
            new: caller,
        })
    }

    /// Governance replaces the guardian.
    pub fn set_guardian(
        &mut self,
        caller: AccountId,
        guardian: AccountId,
    ) -> Result<GuardianChanged, AdminError> {
        self.ensure_governance(caller)?;
        let previous = self.guardian;
        self.guardian = guardian;
        Ok(GuardianChanged {
            previous,
            new: guardian,
        })
    }
}

/// Governance nominated its successor (`None`: nomination withdrawn).
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GovernanceNominated {
    /// The nominee.
    #[ink(topic)]
    pub pending: Option<AccountId>,
}

/// Governance changed hands.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GovernanceChanged {
    /// The previous governance account.
    #[ink(topic)]
    pub previous: AccountId,
    /// The new governance account.
    #[ink(topic)]
    pub new: AccountId,
}

/// The guardian was replaced.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardianChanged {
    /// The previous guardian.
    #[ink(topic)]
    pub previous: AccountId,
    /// The new guardian.
    #[ink(topic)]
    pub new: AccountId,
}

/// The contract replaced its code; storage is kept.
#[ink::event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeUpgraded {
    /// The code now running.
    #[ink(topic)]
    pub code_hash: Hash,
}

/// The admin interface every governed Carrack contract (pool, oracle) shares, so the
/// timelock, the deployment tool and the tests treat them alike.
#[ink::trait_definition]
pub trait Governed {
    /// Governance, the pending nominee and the guardian.
    #[ink(message)]
    fn admin_roles(&self) -> AdminRoles;

    /// Nominates the next governance account (governance); `None` withdraws a nomination.
    #[ink(message)]
    fn nominate_governance(&mut self, pending: Option<AccountId>) -> Result<(), AdminError>;

    /// The nominee takes governance over.
    #[ink(message)]
    fn accept_governance(&mut self) -> Result<(), AdminError>;

    /// Replaces the guardian (governance).
    #[ink(message)]
    fn set_guardian(&mut self, guardian: AccountId) -> Result<(), AdminError>;

    /// Replaces the contract's code, keeping its storage (governance). The new code must
    /// already be uploaded and must read the same storage layout.
    #[ink(message)]
    fn set_code_hash(&mut self, code_hash: Hash) -> Result<(), AdminError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOV: AccountId = AccountId([1; 32]);
    const GUARDIAN: AccountId = AccountId([2; 32]);
    const NEXT: AccountId = AccountId([3; 32]);
    const OTHER: AccountId = AccountId([4; 32]);

    #[test]
    fn only_governance_nominates_and_only_the_nominee_accepts() {
        let mut roles = AdminRoles::new(GOV, GUARDIAN);
        assert_eq!(
            roles.nominate(GUARDIAN, Some(NEXT)),
            Err(AdminError::NotGovernance)
        );
        assert_eq!(
            roles.nominate(GOV, Some(NEXT)),
            Ok(GovernanceNominated {
                pending: Some(NEXT)
            })
        );
        assert_eq!(roles.accept(OTHER), Err(AdminError::NotPendingGovernance));
        assert_eq!(roles.accept(GOV), Err(AdminError::NotPendingGovernance));
        assert_eq!(
            roles.accept(NEXT),
            Ok(GovernanceChanged {
                previous: GOV,
                new: NEXT
            })
        );
        assert_eq!(roles, AdminRoles::new(NEXT, GUARDIAN));
        // The old governance has lost every power.
        assert_eq!(roles.ensure_governance(GOV), Err(AdminError::NotGovernance));
        assert_eq!(roles.accept(NEXT), Err(AdminError::NotPendingGovernance));
    }

    #[test]
    fn a_withdrawn_nomination_cannot_be_accepted() {
        let mut roles = AdminRoles::new(GOV, GUARDIAN);
        roles.nominate(GOV, Some(NEXT)).unwrap();
        roles.nominate(GOV, None).unwrap();
        assert_eq!(roles.accept(NEXT), Err(AdminError::NotPendingGovernance));
    }

    #[test]
    fn the_guardian_stops_but_cannot_administer() {
        let mut roles = AdminRoles::new(GOV, GUARDIAN);
        assert_eq!(roles.ensure_guardian_or_governance(GUARDIAN), Ok(()));
        assert_eq!(roles.ensure_guardian_or_governance(GOV), Ok(()));
        assert_eq!(
            roles.ensure_guardian_or_governance(OTHER),
            Err(AdminError::NotGuardian)
        );
        assert_eq!(
            roles.ensure_governance(GUARDIAN),
            Err(AdminError::NotGovernance)
        );
        assert_eq!(
            roles.set_guardian(GUARDIAN, OTHER),
            Err(AdminError::NotGovernance)
        );
        assert_eq!(
            roles.nominate(GUARDIAN, Some(GUARDIAN)),
            Err(AdminError::NotGovernance)
        );
        assert_eq!(
            roles.set_guardian(GOV, OTHER),
            Ok(GuardianChanged {
                previous: GUARDIAN,
                new: OTHER
            })
        );
        assert_eq!(roles.guardian, OTHER);
    }
}
