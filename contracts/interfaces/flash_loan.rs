//! The flash loan receiver's side (ERC-3156 shaped): the pool lends `amount` of `asset`
//! to the receiver, calls its `on_flash_loan`, and then pulls `amount + fee` back with
//! PSP22 `transfer_from` (so the receiver must have approved the pool for it). The
//! receiver must return [`FLASH_LOAN_ACCEPTED`]; anything else reverts the loan.
//!
//! During the callback the receiver may call the pool's `supply`, `repay`, `liquidate`
//! and `liquidate_to_supply` and its views (a flash-loan liquidation: borrow the debt
//! asset, liquidate, sell the collateral, repay); every other pool message, another flash
//! loan included, is refused with `FlashLoanActive`.
//!
//! A receiver must check that the caller is the pool and that `initiator` is someone it
//! trusts: anyone can start a flash loan naming any receiver, and the receiver pays the
//! fee.

use ink::prelude::vec::Vec;
use ink::primitives::AccountId;

/// What `on_flash_loan` returns to accept a loan: blake2-256 of
/// `"Carrack.FlashLoanReceiver.on_flash_loan"` (ERC-3156 uses a hash the same way), so a
/// contract that merely answers the selector does not take a loan by accident.
pub const FLASH_LOAN_ACCEPTED: [u8; 32] = [
    0xb5, 0x90, 0x3e, 0x23, 0x95, 0xcc, 0xb5, 0x1a, 0xb3, 0x00, 0x62, 0x5a, 0x75, 0xa1, 0xfe, 0x8e,
    0x93, 0x9b, 0xdf, 0x97, 0x2b, 0x52, 0x8a, 0xed, 0x22, 0xbf, 0x37, 0xda, 0x6a, 0xb9, 0xfc, 0xa5,
];

/// A contract that takes flash loans from the pool.
#[ink::trait_definition]
pub trait FlashLoanReceiver {
    /// Called by the pool once `amount` of `asset` is in the receiver's balance; `fee`
    /// is owed on top, `data` is what `initiator` passed to `flash_loan`. Returns
    /// [`FLASH_LOAN_ACCEPTED`] after approving the pool for `amount + fee`.
    #[ink(message)]
    fn on_flash_loan(
        &mut self,
        initiator: AccountId,
        asset: AccountId,
        amount: u128,
        fee: u128,
        data: Vec<u8>,
    ) -> [u8; 32];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_acknowledgement_is_the_hash_of_its_name() {
        let mut out = [0u8; 32];
        ink::env::hash_bytes::<ink::env::hash::Blake2x256>(
            b"Carrack.FlashLoanReceiver.on_flash_loan",
            &mut out,
        );
        assert_eq!(out, FLASH_LOAN_ACCEPTED);
    }
}
