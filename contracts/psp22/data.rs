//! PSP22 accounting as a plain data structure: balances, allowances and total supply.
//!
//! Nothing here touches `env()`. Every method takes the acting account as an argument and
//! returns the events the contract must emit, so the whole logic is tested natively and
//! the contract's messages stay thin shells.
//!
//! Invariant: the sum of all balances equals `total_supply`, which never exceeds
//! `u128::MAX`. Hence no balance can overflow once the total supply was checked.

use carrack_interfaces::{Approval, PSP22Error, Transfer};
use ink::prelude::{vec, vec::Vec};
use ink::primitives::AccountId;
use ink::storage::Mapping;

/// The all-zero account, which can neither send nor receive tokens.
pub const ZERO_ACCOUNT: AccountId = AccountId([0u8; 32]);

/// An event produced by the PSP22 logic, to be emitted by the contract.
#[derive(Debug, PartialEq, Eq, Clone)]
pub enum PSP22Event {
    /// Tokens moved, were minted or burned.
    Transfer(Transfer),
    /// An allowance changed.
    Approval(Approval),
}

/// Balances, allowances and total supply of one PSP22 token.
#[ink::storage_item]
#[derive(Debug, Default)]
pub struct PSP22Data {
    total_supply: u128,
    balances: Mapping<AccountId, u128>,
    allowances: Mapping<(AccountId, AccountId), u128>,
}

fn ensure_sender(account: AccountId) -> Result<(), PSP22Error> {
    if account == ZERO_ACCOUNT {
        return Err(PSP22Error::ZeroSenderAddress);
    }
    Ok(())
}

fn ensure_recipient(account: AccountId) -> Result<(), PSP22Error> {
    if account == ZERO_ACCOUNT {
        return Err(PSP22Error::ZeroRecipientAddress);
    }
    Ok(())
}

impl PSP22Data {
    /// Total number of tokens in existence.
    pub fn total_supply(&self) -> u128 {
        self.total_supply
    }

    /// Balance of `owner`; `0` for an account without an entry.
    pub fn balance_of(&self, owner: AccountId) -> u128 {
        self.balances.get(owner).unwrap_or_default()
    }

    /// Remaining allowance of `spender` over `owner`'s tokens.
    pub fn allowance(&self, owner: AccountId, spender: AccountId) -> u128 {
        self.allowances.get((owner, spender)).unwrap_or_default()
    }

    /// `caller` sends `value` tokens to `to`. See [`carrack_interfaces::PSP22::transfer`].
    pub fn transfer(
        &mut self,
        caller: AccountId,
        to: AccountId,
        value: u128,
    ) -> Result<Vec<PSP22Event>, PSP22Error> {
        ensure_sender(caller)?;
        ensure_recipient(to)?;
        if value == 0 || caller == to {
            return Ok(vec![]);
        }
        self.move_tokens(caller, to, value)?;
        Ok(vec![PSP22Event::Transfer(Transfer {
            from: Some(caller),
            to: Some(to),
            value,
        })])
    }

    /// `caller` moves `value` of `from`'s tokens to `to`, spending its allowance. An owner
    /// moving its own tokens needs no allowance. See
    /// [`carrack_interfaces::PSP22::transfer_from`].
    pub fn transfer_from(
        &mut self,
        caller: AccountId,
        from: AccountId,
        to: AccountId,
        value: u128,
    ) -> Result<Vec<PSP22Event>, PSP22Error> {
        ensure_sender(from)?;
        ensure_recipient(to)?;
        if value == 0 || from == to {
            return Ok(vec![]);
        }
        let allowance = self.allowance_after_spending(from, caller, value)?;
        self.move_tokens(from, to, value)?;
        let mut events = Vec::with_capacity(2);
        if let Some(amount) = allowance {
            events.push(self.set_allowance(from, caller, amount));
        }
        events.push(PSP22Event::Transfer(Transfer {
            from: Some(from),
            to: Some(to),
            value,
        }));
        Ok(events)
    }

    /// `owner` sets `spender`'s allowance to `value`. An allowance of `u128::MAX` is never
    /// spent ("unlimited"). A zero allowance frees its storage.
    pub fn approve(
        &mut self,
        owner: AccountId,
        spender: AccountId,
        value: u128,
    ) -> Result<Vec<PSP22Event>, PSP22Error> {
        ensure_sender(owner)?;
        ensure_recipient(spender)?;
        if owner == spender {
            return Ok(vec![]);
        }
        Ok(vec![self.set_allowance(owner, spender, value)])
    }

    /// `owner` raises `spender`'s allowance by `delta_value`, saturating at `u128::MAX`:
    /// an allowance that large is already unlimited, so saturation loses nothing.
    pub fn increase_allowance(
        &mut self,
        owner: AccountId,
        spender: AccountId,
        delta_value: u128,
    ) -> Result<Vec<PSP22Event>, PSP22Error> {
        ensure_sender(owner)?;
        ensure_recipient(spender)?;
        if owner == spender || delta_value == 0 {
            return Ok(vec![]);
        }
        let allowance = self.allowance(owner, spender).saturating_add(delta_value);
        Ok(vec![self.set_allowance(owner, spender, allowance)])
    }

    /// `owner` lowers `spender`'s allowance by `delta_value`; fails with
    /// `InsufficientAllowance` rather than clamping at zero.
    pub fn decrease_allowance(
        &mut self,
        owner: AccountId,
        spender: AccountId,
        delta_value: u128,
    ) -> Result<Vec<PSP22Event>, PSP22Error> {
        ensure_sender(owner)?;
        ensure_recipient(spender)?;
        if owner == spender || delta_value == 0 {
            return Ok(vec![]);
        }
        let allowance = self
            .allowance(owner, spender)
            .checked_sub(delta_value)
            .ok_or(PSP22Error::InsufficientAllowance)?;
        Ok(vec![self.set_allowance(owner, spender, allowance)])
    }

    /// Creates `value` tokens on `to`. Role checks are the caller's business.
    pub fn mint(&mut self, to: AccountId, value: u128) -> Result<Vec<PSP22Event>, PSP22Error> {
        ensure_recipient(to)?;
        if value == 0 {
            return Ok(vec![]);
        }
        let total_supply = self
            .total_supply
            .checked_add(value)
            .ok_or(PSP22Error::TotalSupplyOverflow)?;
        // Cannot overflow: the balance is part of a total supply that just fit in u128.
        let balance = self.balance_of(to).saturating_add(value);
        self.total_supply = total_supply;
        self.balances.insert(to, &balance);
        Ok(vec![PSP22Event::Transfer(Transfer {
            from: None,
            to: Some(to),
            value,
        })])
    }

    /// `caller` destroys `value` of `from`'s tokens, spending its allowance unless it burns
    /// its own. Role checks are the caller's business.
    pub fn burn(
        &mut self,
        caller: AccountId,
        from: AccountId,
        value: u128,
    ) -> Result<Vec<PSP22Event>, PSP22Error> {
        ensure_sender(from)?;
        if value == 0 {
            return Ok(vec![]);
        }
        let allowance = self.allowance_after_spending(from, caller, value)?;
        let balance = self
            .balance_of(from)
            .checked_sub(value)
            .ok_or(PSP22Error::InsufficientBalance)?;
        let mut events = Vec::with_capacity(2);
        if let Some(amount) = allowance {
            events.push(self.set_allowance(from, caller, amount));
        }
        self.store_balance(from, balance);
        // Cannot underflow: the burned balance is part of the total supply.
        self.total_supply = self.total_supply.saturating_sub(value);
        events.push(PSP22Event::Transfer(Transfer {
            from: Some(from),
            to: None,
            value,
        }));
        Ok(events)
    }

    /// The allowance left after `spender` spends `value` of `owner`'s tokens, or `None`
    /// when nothing is spent: the owner acts itself or the allowance is unlimited
    /// (`u128::MAX`). Reads only, so a later failing check leaves storage untouched.
    fn allowance_after_spending(
        &self,
        owner: AccountId,
        spender: AccountId,
        value: u128,
    ) -> Result<Option<u128>, PSP22Error> {
        if owner == spender {
            return Ok(None);
        }
        let allowance = self.allowance(owner, spender);
        if allowance == u128::MAX {
            return Ok(None);
        }
        allowance
            .checked_sub(value)
            .map(Some)
            .ok_or(PSP22Error::InsufficientAllowance)
    }

    fn set_allowance(&mut self, owner: AccountId, spender: AccountId, amount: u128) -> PSP22Event {
        if amount == 0 {
            self.allowances.remove((owner, spender));
        } else {
            self.allowances.insert((owner, spender), &amount);
        }
        PSP22Event::Approval(Approval {
            owner,
            spender,
            amount,
        })
    }

    fn move_tokens(
        &mut self,
        from: AccountId,
        to: AccountId,
        value: u128,
    ) -> Result<(), PSP22Error> {
        let from_balance = self
            .balance_of(from)
            .checked_sub(value)
            .ok_or(PSP22Error::InsufficientBalance)?;
        // Cannot overflow: both balances are parts of the total supply, which fits in u128.
        let to_balance = self.balance_of(to).saturating_add(value);
        self.store_balance(from, from_balance);
        self.balances.insert(to, &to_balance);
        Ok(())
    }

    /// Stores a balance, freeing the storage entry (and its deposit) when it reaches zero.
    fn store_balance(&mut self, owner: AccountId, balance: u128) {
        if balance == 0 {
            self.balances.remove(owner);
        } else {
            self.balances.insert(owner, &balance);
        }
    }
}

#[cfg(test)]
mod tests {
    //! `#[ink::test]` only provides the off-chain storage backend `Mapping` needs; the
    //! logic under test never reads the environment.
    use super::*;

    fn account(byte: u8) -> AccountId {
        AccountId::from([byte; 32])
    }

    const ALICE: u8 = 1;
    const BOB: u8 = 2;
    const CHARLIE: u8 = 3;

    fn transfer_event(from: Option<u8>, to: Option<u8>, value: u128) -> PSP22Event {
        PSP22Event::Transfer(Transfer {
            from: from.map(account),
            to: to.map(account),
            value,
        })
    }

    fn approval_event(owner: u8, spender: u8, amount: u128) -> PSP22Event {
        PSP22Event::Approval(Approval {
            owner: account(owner),
            spender: account(spender),
            amount,
        })
    }

    /// A token where Alice holds `supply`.
    fn token(supply: u128) -> PSP22Data {
        let mut data = PSP22Data::default();
        data.mint(account(ALICE), supply).unwrap();
        data
    }

    #[ink::test]
    fn transfer_moves_balance_and_emits_event() {
        let mut data = token(100);
        let events = data.transfer(account(ALICE), account(BOB), 30).unwrap();
        assert_eq!(events, vec![transfer_event(Some(ALICE), Some(BOB), 30)]);
        assert_eq!(data.balance_of(account(ALICE)), 70);
        assert_eq!(data.balance_of(account(BOB)), 30);
        assert_eq!(data.total_supply(), 100);
    }

    #[ink::test]
    fn transfer_of_whole_balance_frees_storage() {
        let mut data = token(100);
        data.transfer(account(ALICE), account(BOB), 100).unwrap();
        assert!(
            !data.balances.contains(account(ALICE)),
            "zero balance entry removed"
        );
        assert_eq!(data.balance_of(account(ALICE)), 0);
    }

    #[ink::test]
    fn transfer_beyond_balance_fails_and_changes_nothing() {
        let mut data = token(100);
        assert_eq!(
            data.transfer(account(ALICE), account(BOB), 101),
            Err(PSP22Error::InsufficientBalance)
        );
        assert_eq!(
            data.transfer(account(CHARLIE), account(BOB), 1),
            Err(PSP22Error::InsufficientBalance)
        );
        assert_eq!(data.balance_of(account(ALICE)), 100);
        assert_eq!(data.balance_of(account(BOB)), 0);
    }

    #[ink::test]
    fn zero_value_and_self_transfers_are_silent_no_ops() {
        let mut data = token(100);
        assert_eq!(data.transfer(account(ALICE), account(BOB), 0), Ok(vec![]));
        assert_eq!(
            data.transfer(account(ALICE), account(ALICE), 50),
            Ok(vec![])
        );
        // Even a self transfer above the balance changes nothing, so it is not refused.
        assert_eq!(
            data.transfer(account(ALICE), account(ALICE), 500),
            Ok(vec![])
        );
        assert_eq!(data.balance_of(account(ALICE)), 100);
        assert!(
            !data.balances.contains(account(BOB)),
            "no zero entry created"
        );
    }

    #[ink::test]
    fn zero_addresses_are_refused() {
        let mut data = token(100);
        assert_eq!(
            data.transfer(account(ALICE), ZERO_ACCOUNT, 1),
            Err(PSP22Error::ZeroRecipientAddress)
        );
        assert_eq!(
            data.transfer(ZERO_ACCOUNT, account(ALICE), 1),
            Err(PSP22Error::ZeroSenderAddress)
        );
        assert_eq!(
            data.transfer_from(account(BOB), ZERO_ACCOUNT, account(ALICE), 1),
            Err(PSP22Error::ZeroSenderAddress)
        );
        assert_eq!(
            data.transfer_from(account(BOB), account(ALICE), ZERO_ACCOUNT, 1),
            Err(PSP22Error::ZeroRecipientAddress)
        );
        assert_eq!(
            data.approve(account(ALICE), ZERO_ACCOUNT, 1),
            Err(PSP22Error::ZeroRecipientAddress)
        );
        assert_eq!(
            data.increase_allowance(account(ALICE), ZERO_ACCOUNT, 1),
            Err(PSP22Error::ZeroRecipientAddress)
        );
        assert_eq!(
            data.decrease_allowance(account(ALICE), ZERO_ACCOUNT, 1),
            Err(PSP22Error::ZeroRecipientAddress)
        );
        assert_eq!(
            data.mint(ZERO_ACCOUNT, 1),
            Err(PSP22Error::ZeroRecipientAddress)
        );
        assert_eq!(
            data.burn(account(ALICE), ZERO_ACCOUNT, 1),
            Err(PSP22Error::ZeroSenderAddress)
        );
        assert_eq!(data.balance_of(account(ALICE)), 100);
        assert_eq!(data.total_supply(), 100);
    }

    #[ink::test]
    fn transfer_from_spends_allowance() {
        let mut data = token(100);
        data.approve(account(ALICE), account(BOB), 50).unwrap();
        let events = data
            .transfer_from(account(BOB), account(ALICE), account(CHARLIE), 20)
            .unwrap();
        assert_eq!(
            events,
            vec![
                approval_event(ALICE, BOB, 30),
                transfer_event(Some(ALICE), Some(CHARLIE), 20)
            ]
        );
        assert_eq!(data.allowance(account(ALICE), account(BOB)), 30);
        assert_eq!(data.balance_of(account(CHARLIE)), 20);
        data.transfer_from(account(BOB), account(ALICE), account(CHARLIE), 30)
            .unwrap();
        assert!(
            !data.allowances.contains((account(ALICE), account(BOB))),
            "spent allowance entry removed"
        );
    }

    #[ink::test]
    fn transfer_from_checks_allowance_before_balance_and_changes_nothing() {
        let mut data = token(100);
        assert_eq!(
            data.transfer_from(account(BOB), account(ALICE), account(CHARLIE), 1),
            Err(PSP22Error::InsufficientAllowance)
        );
        data.approve(account(ALICE), account(BOB), 500).unwrap();
        assert_eq!(
            data.transfer_from(account(BOB), account(ALICE), account(CHARLIE), 101),
            Err(PSP22Error::InsufficientBalance)
        );
        assert_eq!(
            data.allowance(account(ALICE), account(BOB)),
            500,
            "not spent"
        );
        assert_eq!(data.balance_of(account(ALICE)), 100);
    }

    #[ink::test]
    fn unlimited_allowance_is_never_spent() {
        let mut data = token(100);
        data.approve(account(ALICE), account(BOB), u128::MAX)
            .unwrap();
        let events = data
            .transfer_from(account(BOB), account(ALICE), account(CHARLIE), 40)
            .unwrap();
        assert_eq!(events, vec![transfer_event(Some(ALICE), Some(CHARLIE), 40)]);
        assert_eq!(data.allowance(account(ALICE), account(BOB)), u128::MAX);
    }

    #[ink::test]
    fn owner_moving_own_tokens_needs_no_allowance() {
        let mut data = token(100);
        let events = data
            .transfer_from(account(ALICE), account(ALICE), account(BOB), 10)
            .unwrap();
        assert_eq!(events, vec![transfer_event(Some(ALICE), Some(BOB), 10)]);
    }

    #[ink::test]
    fn transfer_from_zero_value_or_to_self_is_a_no_op() {
        let mut data = token(100);
        assert_eq!(
            data.transfer_from(account(BOB), account(ALICE), account(CHARLIE), 0),
            Ok(vec![])
        );
        assert_eq!(
            data.transfer_from(account(BOB), account(ALICE), account(ALICE), 10),
            Ok(vec![])
        );
        assert_eq!(data.balance_of(account(ALICE)), 100);
    }

    #[ink::test]
    fn approve_overwrites_and_zero_frees_storage() {
        let mut data = token(100);
        assert_eq!(
            data.approve(account(ALICE), account(BOB), 10),
            Ok(vec![approval_event(ALICE, BOB, 10)])
        );
        data.approve(account(ALICE), account(BOB), 3).unwrap();
        assert_eq!(data.allowance(account(ALICE), account(BOB)), 3);
        assert_eq!(
            data.approve(account(ALICE), account(BOB), 0),
            Ok(vec![approval_event(ALICE, BOB, 0)])
        );
        assert!(!data.allowances.contains((account(ALICE), account(BOB))));
        assert_eq!(data.approve(account(ALICE), account(ALICE), 5), Ok(vec![]));
        assert_eq!(data.allowance(account(ALICE), account(ALICE)), 0);
    }

    #[ink::test]
    fn increase_allowance_adds_and_saturates() {
        let mut data = token(100);
        data.increase_allowance(account(ALICE), account(BOB), 10)
            .unwrap();
        assert_eq!(
            data.increase_allowance(account(ALICE), account(BOB), 5),
            Ok(vec![approval_event(ALICE, BOB, 15)])
        );
        data.increase_allowance(account(ALICE), account(BOB), u128::MAX)
            .unwrap();
        assert_eq!(data.allowance(account(ALICE), account(BOB)), u128::MAX);
        assert_eq!(
            data.increase_allowance(account(ALICE), account(BOB), 0),
            Ok(vec![])
        );
    }

    #[ink::test]
    fn decrease_allowance_underflow_is_refused() {
        let mut data = token(100);
        data.approve(account(ALICE), account(BOB), 10).unwrap();
        assert_eq!(
            data.decrease_allowance(account(ALICE), account(BOB), 11),
            Err(PSP22Error::InsufficientAllowance)
        );
        assert_eq!(data.allowance(account(ALICE), account(BOB)), 10);
        assert_eq!(
            data.decrease_allowance(account(ALICE), account(BOB), 10),
            Ok(vec![approval_event(ALICE, BOB, 0)])
        );
        assert!(!data.allowances.contains((account(ALICE), account(BOB))));
    }

    #[ink::test]
    fn mint_up_to_u128_max_then_overflow_is_refused() {
        let mut data = token(u128::MAX - 1);
        assert_eq!(
            data.mint(account(BOB), 1),
            Ok(vec![transfer_event(None, Some(BOB), 1)])
        );
        assert_eq!(data.total_supply(), u128::MAX);
        assert_eq!(
            data.mint(account(BOB), 1),
            Err(PSP22Error::TotalSupplyOverflow)
        );
        assert_eq!(data.balance_of(account(BOB)), 1);
        // Moving everything onto one account reaches u128::MAX without overflowing.
        data.transfer(account(BOB), account(ALICE), 1).unwrap();
        assert_eq!(data.balance_of(account(ALICE)), u128::MAX);
        assert_eq!(data.mint(account(BOB), 0), Ok(vec![]));
    }

    #[ink::test]
    fn burn_own_tokens_reduces_supply_and_frees_storage() {
        let mut data = token(100);
        assert_eq!(
            data.burn(account(ALICE), account(ALICE), 40),
            Ok(vec![transfer_event(Some(ALICE), None, 40)])
        );
        assert_eq!(data.total_supply(), 60);
        assert_eq!(
            data.burn(account(ALICE), account(ALICE), 61),
            Err(PSP22Error::InsufficientBalance)
        );
        data.burn(account(ALICE), account(ALICE), 60).unwrap();
        assert_eq!(data.total_supply(), 0);
        assert!(!data.balances.contains(account(ALICE)));
        assert_eq!(data.burn(account(ALICE), account(ALICE), 0), Ok(vec![]));
    }

    #[ink::test]
    fn burning_someone_elses_tokens_spends_allowance() {
        let mut data = token(100);
        assert_eq!(
            data.burn(account(BOB), account(ALICE), 1),
            Err(PSP22Error::InsufficientAllowance)
        );
        data.approve(account(ALICE), account(BOB), 30).unwrap();
        assert_eq!(
            data.burn(account(BOB), account(ALICE), 10),
            Ok(vec![
                approval_event(ALICE, BOB, 20),
                transfer_event(Some(ALICE), None, 10)
            ])
        );
        assert_eq!(data.total_supply(), 90);
        data.approve(account(ALICE), account(BOB), 1000).unwrap();
        assert_eq!(
            data.burn(account(BOB), account(ALICE), 91),
            Err(PSP22Error::InsufficientBalance)
        );
        assert_eq!(
            data.allowance(account(ALICE), account(BOB)),
            1000,
            "not spent"
        );
    }
}
