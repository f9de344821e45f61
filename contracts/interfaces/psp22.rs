//! The PSP22 fungible-token standard (w3f PSP-22) and its Metadata, Mintable and Burnable
//! extensions, as ink! trait definitions.
//!
//! The traits carry no namespace, so ink! derives each selector as the first four bytes of
//! `blake2b_256("<Trait>::<message>")`, which is exactly the selector the standard lists
//! (for example `PSP22::transfer` = `0xdb20f9f5`). Wallets, DEXes and UIs that speak PSP22
//! can therefore call any Carrack token, and the pool can call any standard PSP22 token.

use ink::prelude::{string::String, vec::Vec};
use ink::primitives::AccountId;

/// Errors of the PSP22 standard.
///
/// The first six variants keep the standard's order and meaning, so callers compiled
/// against any PSP22 implementation decode them. Carrack appends its own variants after
/// them; the standard messages (`transfer`, `transfer_from`, `approve`,
/// `increase_allowance`, `decrease_allowance`) only ever return the standard six, the
/// appended ones come only from role-gated messages (`mint`, `burn`, minter management).
#[derive(Debug, PartialEq, Eq, Clone)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum PSP22Error {
    /// Custom error type for implementation-specific restrictions (never used by Carrack,
    /// kept for ABI compatibility).
    Custom(String),
    /// Returned if not enough balance to fulfill a request is available.
    InsufficientBalance,
    /// Returned if not enough allowance to fulfill a request is available.
    InsufficientAllowance,
    /// Returned if the recipient's (or spender's) address is the zero address.
    ZeroRecipientAddress,
    /// Returned if the sender's (or owner's) address is the zero address.
    ZeroSenderAddress,
    /// Returned if a safe transfer check fails (never used by Carrack, kept for ABI
    /// compatibility).
    SafeTransferCheckFailed(String),
    /// The caller does not hold the minter role required by `mint`, `burn` or a role change.
    CallerIsNotMinter,
    /// The caller is not the account nominated to accept the minter role.
    CallerIsNotPendingMinter,
    /// Minting would push the total supply above `u128::MAX`.
    TotalSupplyOverflow,
}

/// The PSP22 core interface.
#[ink::trait_definition]
pub trait PSP22 {
    /// Returns the total token supply.
    #[ink(message)]
    fn total_supply(&self) -> u128;

    /// Returns the balance of `owner`, `0` for an account that never held tokens.
    #[ink(message)]
    fn balance_of(&self, owner: AccountId) -> u128;

    /// Returns how much `spender` may still transfer out of `owner`'s balance.
    #[ink(message)]
    fn allowance(&self, owner: AccountId, spender: AccountId) -> u128;

    /// Transfers `value` tokens from the caller to `to`; `data` is ignored.
    ///
    /// Emits `Transfer`. Errors, in the order they are checked: `ZeroSenderAddress`,
    /// `ZeroRecipientAddress`, `InsufficientBalance`. A zero `value` or a transfer to
    /// oneself succeeds without any change and without an event.
    #[ink(message)]
    fn transfer(&mut self, to: AccountId, value: u128, data: Vec<u8>) -> Result<(), PSP22Error>;

    /// Transfers `value` tokens from `from` to `to` on behalf of the caller, spending the
    /// caller's allowance; `data` is ignored.
    ///
    /// Emits `Approval` (the reduced allowance) and `Transfer`. Errors, in the order they
    /// are checked: `ZeroSenderAddress`, `ZeroRecipientAddress`, `InsufficientAllowance`,
    /// `InsufficientBalance`. A zero `value` or `from == to` succeeds without any change.
    #[ink(message)]
    fn transfer_from(
        &mut self,
        from: AccountId,
        to: AccountId,
        value: u128,
        data: Vec<u8>,
    ) -> Result<(), PSP22Error>;

    /// Sets the allowance of `spender` over the caller's tokens to `value`.
    ///
    /// Emits `Approval`. Errors: `ZeroSenderAddress`, `ZeroRecipientAddress` (zero
    /// spender). Approving oneself succeeds without any change.
    #[ink(message)]
    fn approve(&mut self, spender: AccountId, value: u128) -> Result<(), PSP22Error>;

    /// Raises the allowance of `spender` by `delta_value`, saturating at `u128::MAX`
    /// (an allowance of `u128::MAX` already means "everything").
    ///
    /// Emits `Approval`. Errors: `ZeroSenderAddress`, `ZeroRecipientAddress`.
    #[ink(message)]
    fn increase_allowance(
        &mut self,
        spender: AccountId,
        delta_value: u128,
    ) -> Result<(), PSP22Error>;

    /// Lowers the allowance of `spender` by `delta_value`.
    ///
    /// Emits `Approval`. Errors: `ZeroSenderAddress`, `ZeroRecipientAddress`,
    /// `InsufficientAllowance` when `delta_value` exceeds the allowance.
    #[ink(message)]
    fn decrease_allowance(
        &mut self,
        spender: AccountId,
        delta_value: u128,
    ) -> Result<(), PSP22Error>;
}

/// The PSP22 metadata extension.
#[ink::trait_definition]
pub trait PSP22Metadata {
    /// Returns the token name.
    #[ink(message)]
    fn token_name(&self) -> Option<String>;

    /// Returns the token symbol.
    #[ink(message)]
    fn token_symbol(&self) -> Option<String>;

    /// Returns the number of decimals of one whole token.
    #[ink(message)]
    fn token_decimals(&self) -> u8;
}

/// The PSP22 minting extension.
#[ink::trait_definition]
pub trait PSP22Mintable {
    /// Creates `amount` new tokens on `account`.
    ///
    /// Emits `Transfer` with `from = None`. Errors: `CallerIsNotMinter`,
    /// `ZeroRecipientAddress`, `TotalSupplyOverflow`. A zero `amount` succeeds without
    /// any change.
    #[ink(message)]
    fn mint(&mut self, account: AccountId, amount: u128) -> Result<(), PSP22Error>;
}

/// The PSP22 burning extension.
#[ink::trait_definition]
pub trait PSP22Burnable {
    /// Destroys `amount` tokens of `account`.
    ///
    /// Emits `Transfer` with `to = None` (and `Approval` when an allowance was spent).
    /// Errors: `CallerIsNotMinter`, `ZeroSenderAddress`, `InsufficientAllowance` (burning
    /// another account's tokens spends the caller's allowance), `InsufficientBalance`.
    #[ink(message)]
    fn burn(&mut self, account: AccountId, amount: u128) -> Result<(), PSP22Error>;
}

/// Emitted when tokens move. `from = None` is a mint, `to = None` is a burn.
#[ink::event]
#[derive(Debug, PartialEq, Eq, Clone)]
pub struct Transfer {
    /// The account tokens left, `None` for a mint.
    #[ink(topic)]
    pub from: Option<AccountId>,
    /// The account tokens arrived at, `None` for a burn.
    #[ink(topic)]
    pub to: Option<AccountId>,
    /// The amount moved, in the token's smallest unit.
    pub value: u128,
}

/// Emitted when an allowance is set, spent or changed; `amount` is the new allowance.
#[ink::event]
#[derive(Debug, PartialEq, Eq, Clone)]
pub struct Approval {
    /// The account whose tokens may be spent.
    #[ink(topic)]
    pub owner: AccountId,
    /// The account allowed to spend them.
    #[ink(topic)]
    pub spender: AccountId,
    /// The allowance after the change.
    pub amount: u128,
}
