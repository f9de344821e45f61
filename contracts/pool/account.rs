//! An account's positions, all in one storage cell so that its health is computed from
//! one read. At most [`MAX_ACCOUNT_MARKETS`] positions; an emptied position is removed,
//! and an account without positions is removed from storage altogether.

use crate::error::PoolError;
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;

/// The most markets one account may hold positions in.
pub const MAX_ACCOUNT_MARKETS: usize = 8;

/// The `ManualKey` of the pool's `accounts` mapping: an account's record is stored under
/// this key's SCALE encoding followed by the owner's (off-chain readers build it so).
pub const ACCOUNTS_STORAGE_KEY: u32 = 0x504f_0003;

/// Whether a position's supply counts as collateral, and whether its owner has chosen.
///
/// `Off` and `On` encode as the `false` and `true` of the plain flag stored before this
/// type existed, so stored accounts decode unchanged (their flags read as chosen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum Collateral {
    /// Not collateral: the owner switched it off (`disable_collateral`).
    Off,
    /// Collateral: the owner switched it on (`enable_collateral`) or its own supply did.
    On,
    /// Not collateral, and the owner has not chosen: the position was opened by a supply
    /// on the owner's behalf or by a borrow, or the owner's own supplies came while the
    /// market could not take it as collateral. The owner's next own supply that can
    /// turns it `On`; nobody else's supply changes it.
    Unchosen,
}

/// An account's supply and debt in one market, as scaled balances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Position {
    /// The market's underlying token.
    pub asset: AccountId,
    /// Supply shares (balance = scaled * supply index).
    pub scaled_supply: u128,
    /// Debt shares (balance = scaled * borrow index).
    pub scaled_debt: u128,
    /// Whether the supply counts as collateral.
    pub collateral: Collateral,
}

impl Position {
    /// Whether the supply counts for the account's health.
    pub fn is_collateral(&self) -> bool {
        self.collateral == Collateral::On && self.scaled_supply != 0
    }

    /// Whether the price of the asset matters for the account's health.
    pub fn needs_price(&self) -> bool {
        self.is_collateral() || self.scaled_debt != 0
    }
}

/// All of an account's positions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Account {
    /// At most [`MAX_ACCOUNT_MARKETS`], none empty once stored.
    pub positions: Vec<Position>,
}

impl Account {
    /// The position in `asset`, if any.
    pub fn position(&self, asset: AccountId) -> Option<&Position> {
        self.positions.iter().find(|p| p.asset == asset)
    }

    /// The position in `asset`, or [`PoolError::NoPosition`].
    pub fn position_mut(&mut self, asset: AccountId) -> Result<&mut Position, PoolError> {
        self.positions
            .iter_mut()
            .find(|p| p.asset == asset)
            .ok_or(PoolError::NoPosition)
    }

    /// The position in `asset`, opened empty (collateral [`Collateral::Unchosen`]) if
    /// there is none yet, unless the account is at [`MAX_ACCOUNT_MARKETS`].
    pub fn open(&mut self, asset: AccountId) -> Result<&mut Position, PoolError> {
        if self.position(asset).is_none() {
            if self.positions.len() >= MAX_ACCOUNT_MARKETS {
                return Err(PoolError::TooManyAccountMarkets);
            }
            self.positions.push(Position {
                asset,
                scaled_supply: 0,
                scaled_debt: 0,
                collateral: Collateral::Unchosen,
            });
        }
        self.position_mut(asset)
    }

    /// Removes positions with neither supply nor debt.
    pub fn prune(&mut self) {
        self.positions
            .retain(|p| p.scaled_supply != 0 || p.scaled_debt != 0);
    }

    /// Whether the account owes anything.
    pub fn has_debt(&self) -> bool {
        self.positions.iter().any(|p| p.scaled_debt != 0)
    }

    /// Whether any supply still counts as collateral.
    pub fn has_collateral(&self) -> bool {
        self.positions.iter().any(Position::is_collateral)
    }

    /// The assets whose prices the account's health depends on, in position order.
    pub fn priced_assets(&self) -> Vec<AccountId> {
        self.positions
            .iter()
            .filter(|p| p.needs_price())
            .map(|p| p.asset)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asset(n: u8) -> AccountId {
        AccountId::from([n; 32])
    }

    #[test]
    fn positions_open_up_to_the_cap_and_prune_when_empty() {
        let mut account = Account::default();
        for n in 0..8u8 {
            let position = account.open(asset(n)).unwrap();
            assert_eq!(position.collateral, Collateral::Unchosen);
            position.scaled_supply = 1;
            position.collateral = Collateral::On;
        }
        assert_eq!(
            account.open(asset(9)),
            Err(PoolError::TooManyAccountMarkets)
        );
        // An existing position opens without counting against the cap.
        assert!(account.open(asset(3)).is_ok());
        assert!(
            account.position(asset(3)).unwrap().is_collateral(),
            "flag kept"
        );
        account.position_mut(asset(3)).unwrap().scaled_supply = 0;
        account.prune();
        assert_eq!(account.positions.len(), 7);
        assert_eq!(account.position_mut(asset(3)), Err(PoolError::NoPosition));
        assert!(account.open(asset(9)).is_ok());
    }

    #[test]
    fn priced_assets_are_collateral_and_debt_only() {
        let mut account = Account::default();
        let collateral = account.open(asset(1)).unwrap();
        collateral.scaled_supply = 5;
        collateral.collateral = Collateral::On;
        account.open(asset(2)).unwrap().scaled_supply = 5; // plain supply
        account.open(asset(3)).unwrap().scaled_debt = 5; // debt
        account.open(asset(4)).unwrap().collateral = Collateral::On; // empty
        assert_eq!(account.priced_assets(), [asset(1), asset(3)]);
        assert!(account.has_debt() && account.has_collateral());
        account.position_mut(asset(1)).unwrap().collateral = Collateral::Off;
        assert!(!account.has_collateral());
    }

    #[test]
    fn the_collateral_flag_decodes_as_the_plain_flag_stored_before() {
        use ink::scale::{Decode, Encode};
        assert_eq!(Collateral::Off.encode(), false.encode());
        assert_eq!(Collateral::On.encode(), true.encode());
        assert_eq!(
            Collateral::decode(&mut &true.encode()[..]),
            Ok(Collateral::On)
        );
        assert_eq!(
            Collateral::decode(&mut &false.encode()[..]),
            Ok(Collateral::Off)
        );
    }
}
