//! The minter role: the one account allowed to mint and burn, handed over in two steps
//! (nominate, then accept) so a typo can never give the role to an account nobody controls.
//! Renouncing the role caps the supply for good.

use carrack_interfaces::PSP22Error;
use ink::primitives::AccountId;

/// Who holds the minter role, and who was nominated to take it over.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct MinterRole {
    minter: Option<AccountId>,
    pending: Option<AccountId>,
}

/// The minter nominated `pending` to take over the role.
#[ink::event]
#[derive(Debug, PartialEq, Eq, Clone)]
pub struct MinterNominated {
    /// The current minter.
    #[ink(topic)]
    pub minter: AccountId,
    /// The nominee, `None` when a nomination is withdrawn.
    #[ink(topic)]
    pub pending: Option<AccountId>,
}

/// The minter role changed hands; `new = None` means it was renounced.
#[ink::event]
#[derive(Debug, PartialEq, Eq, Clone)]
pub struct MinterChanged {
    /// The previous minter.
    #[ink(topic)]
    pub previous: Option<AccountId>,
    /// The new minter, `None` once renounced.
    #[ink(topic)]
    pub new: Option<AccountId>,
}

/// An event produced by the role logic.
#[derive(Debug, PartialEq, Eq, Clone)]
pub enum MinterEvent {
    /// See [`MinterNominated`].
    Nominated(MinterNominated),
    /// See [`MinterChanged`].
    Changed(MinterChanged),
}

impl MinterRole {
    /// A role held by `minter` (or by nobody).
    pub fn new(minter: Option<AccountId>) -> Self {
        Self {
            minter,
            pending: None,
        }
    }

    /// The current minter.
    pub fn minter(&self) -> Option<AccountId> {
        self.minter
    }

    /// The account nominated to take over, if any.
    pub fn pending(&self) -> Option<AccountId> {
        self.pending
    }

    /// Fails with `CallerIsNotMinter` unless `caller` holds the role.
    pub fn ensure_minter(&self, caller: AccountId) -> Result<(), PSP22Error> {
        if self.minter == Some(caller) {
            Ok(())
        } else {
            Err(PSP22Error::CallerIsNotMinter)
        }
    }

    /// The minter nominates `pending` (or withdraws the nomination with `None`).
    pub fn nominate(
        &mut self,
        caller: AccountId,
        pending: Option<AccountId>,
    ) -> Result<MinterEvent, PSP22Error> {
        self.ensure_minter(caller)?;
        self.pending = pending;
        Ok(MinterEvent::Nominated(MinterNominated {
            minter: caller,
            pending,
        }))
    }

    /// The nominee takes the role over.
    pub fn accept(&mut self, caller: AccountId) -> Result<MinterEvent, PSP22Error> {
        if self.pending != Some(caller) {
            return Err(PSP22Error::CallerIsNotPendingMinter);
        }
        let previous = self.minter;
        self.minter = Some(caller);
        self.pending = None;
        Ok(MinterEvent::Changed(MinterChanged {
            previous,
            new: Some(caller),
        }))
    }

    /// The minter gives the role up for good; nobody can mint or burn afterwards.
    pub fn renounce(&mut self, caller: AccountId) -> Result<MinterEvent, PSP22Error> {
        self.ensure_minter(caller)?;
        self.minter = None;
        self.pending = None;
        Ok(MinterEvent::Changed(MinterChanged {
            previous: Some(caller),
            new: None,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(byte: u8) -> AccountId {
        AccountId::from([byte; 32])
    }

    #[test]
    fn only_the_minter_passes_the_check() {
        let role = MinterRole::new(Some(account(1)));
        assert_eq!(role.ensure_minter(account(1)), Ok(()));
        assert_eq!(
            role.ensure_minter(account(2)),
            Err(PSP22Error::CallerIsNotMinter)
        );
        let nobody = MinterRole::new(None);
        assert_eq!(
            nobody.ensure_minter(account(1)),
            Err(PSP22Error::CallerIsNotMinter)
        );
    }

    #[test]
    fn handover_takes_nomination_and_acceptance() {
        let mut role = MinterRole::new(Some(account(1)));
        assert_eq!(
            role.nominate(account(2), Some(account(3))),
            Err(PSP22Error::CallerIsNotMinter)
        );
        assert_eq!(
            role.nominate(account(1), Some(account(3))),
            Ok(MinterEvent::Nominated(MinterNominated {
                minter: account(1),
                pending: Some(account(3)),
            }))
        );
        assert_eq!(
            role.minter(),
            Some(account(1)),
            "nomination alone changes nothing"
        );
        assert_eq!(
            role.accept(account(2)),
            Err(PSP22Error::CallerIsNotPendingMinter)
        );
        assert_eq!(
            role.accept(account(3)),
            Ok(MinterEvent::Changed(MinterChanged {
                previous: Some(account(1)),
                new: Some(account(3)),
            }))
        );
        assert_eq!(role.minter(), Some(account(3)));
        assert_eq!(role.pending(), None);
        assert_eq!(
            role.ensure_minter(account(1)),
            Err(PSP22Error::CallerIsNotMinter)
        );
    }

    #[test]
    fn withdrawn_nomination_cannot_be_accepted() {
        let mut role = MinterRole::new(Some(account(1)));
        role.nominate(account(1), Some(account(3))).unwrap();
        role.nominate(account(1), None).unwrap();
        assert_eq!(
            role.accept(account(3)),
            Err(PSP22Error::CallerIsNotPendingMinter)
        );
    }

    #[test]
    fn renouncing_clears_role_and_nomination() {
        let mut role = MinterRole::new(Some(account(1)));
        role.nominate(account(1), Some(account(3))).unwrap();
        assert_eq!(
            role.renounce(account(3)),
            Err(PSP22Error::CallerIsNotMinter)
        );
        assert_eq!(
            role.renounce(account(1)),
            Ok(MinterEvent::Changed(MinterChanged {
                previous: Some(account(1)),
                new: None,
            }))
        );
        assert_eq!(role.minter(), None);
        assert_eq!(
            role.accept(account(3)),
            Err(PSP22Error::CallerIsNotPendingMinter)
        );
    }
}
