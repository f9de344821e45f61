//! Every state change of the pool emits one of these. The messages that run through
//! [`crate::actions`] return theirs as [`crate::outcome::PoolEvent`]s, emitted by
//! [`crate::outcome::commit`] in order.
//!
//! Topics cost: pallet-contracts charges about 127 µs of weight per topic, more than
//! reading a storage cell (`../shared/reference/cost-anatomy-2026-12.md` §4). So the
//! events of a user's action carry two: the signature (which Polkadot.js and ink_e2e
//! decode by) and the one account whose position changed, which is what a user or a
//! wallet filters by; the asset, the payer and the other fields are in the data, where
//! every decoder still reads them. Governance events keep the asset as their topic: they
//! are rare and indexers look markets up by it. The interest a user's action accrued in
//! its market rides in that action's event ([`MarketAccrual`]); [`InterestAccrued`] is
//! emitted only for a stored market whose accrual no other event carries.

use crate::market::{MarketParams, PauseFlags};
use crate::params::PoolParams;
use ink::primitives::AccountId;

/// Governance listed a market, seeding it with dead shares.
#[ink::event]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarketListed {
    /// The underlying token.
    #[ink(topic)]
    pub asset: AccountId,
    /// Its parameters.
    pub params: MarketParams,
    /// Tokens supplied as dead shares.
    pub seed_amount: u128,
}

/// Governance changed a market's parameters (after accruing interest).
#[ink::event]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarketParamsChanged {
    /// The underlying token.
    #[ink(topic)]
    pub asset: AccountId,
    /// The parameters now in force.
    pub params: MarketParams,
}

/// What accruing a market to the message's time did, reported whenever it moved an
/// index (even by less than one unit of interest), so an indexer never holds a stale
/// index (audit N-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct MarketAccrual {
    /// Debt growth since the last accrual.
    pub interest: u128,
    /// Interest booked to reserves (including what covered deficit).
    pub reserve_share: u128,
    /// Deficit paid down from the reserve share.
    pub deficit_covered: u128,
    /// The borrow index after (RAY).
    pub borrow_index_ray: u128,
    /// The supply index after (RAY).
    pub supply_index_ray: u128,
}

/// Interest accrued in a market the message stored, when none of the message's other
/// events carries that accrual (governance messages, and the other debt markets of a
/// liquidation's write-off).
#[ink::event]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InterestAccrued {
    /// The underlying token.
    #[ink(topic)]
    pub asset: AccountId,
    /// What the accrual did.
    pub accrual: MarketAccrual,
}

/// Tokens were supplied.
#[ink::event]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Supplied {
    /// The underlying token.
    pub asset: AccountId,
    /// Who paid.
    pub payer: AccountId,
    /// Whose position grew.
    #[ink(topic)]
    pub on_behalf_of: AccountId,
    /// Tokens supplied.
    pub amount: u128,
    /// Supply shares minted.
    pub scaled: u128,
    /// The market's accrual, if this supply moved its indices.
    pub accrual: Option<MarketAccrual>,
}

/// Supply was withdrawn.
#[ink::event]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Withdrawn {
    /// The underlying token.
    pub asset: AccountId,
    /// Whose position shrank.
    #[ink(topic)]
    pub account: AccountId,
    /// Who received the tokens.
    pub to: AccountId,
    /// Tokens withdrawn.
    pub amount: u128,
    /// Supply shares burned.
    pub scaled: u128,
    /// The market's accrual, if this withdrawal moved its indices.
    pub accrual: Option<MarketAccrual>,
}

/// Tokens were borrowed.
#[ink::event]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Borrowed {
    /// The underlying token.
    pub asset: AccountId,
    /// The borrower (and receiver).
    #[ink(topic)]
    pub account: AccountId,
    /// Tokens borrowed.
    pub amount: u128,
    /// Debt shares minted.
    pub scaled: u128,
    /// The market's accrual, if this borrow moved its indices.
    pub accrual: Option<MarketAccrual>,
}

/// Debt was repaid.
#[ink::event]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repaid {
    /// The underlying token.
    pub asset: AccountId,
    /// Who paid.
    pub payer: AccountId,
    /// Whose debt shrank.
    #[ink(topic)]
    pub on_behalf_of: AccountId,
    /// Tokens repaid.
    pub amount: u128,
    /// Debt shares burned.
    pub scaled: u128,
    /// The market's accrual, if this repayment moved its indices.
    pub accrual: Option<MarketAccrual>,
}

/// A position's supply started or stopped counting as collateral.
#[ink::event]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CollateralChanged {
    /// The underlying token.
    pub asset: AccountId,
    /// The account.
    #[ink(topic)]
    pub account: AccountId,
    /// Whether it now counts.
    pub enabled: bool,
}

/// A borrower was liquidated.
#[ink::event]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Liquidated {
    /// The borrower.
    #[ink(topic)]
    pub borrower: AccountId,
    /// The liquidator.
    pub liquidator: AccountId,
    /// The market whose debt was repaid.
    pub debt_asset: AccountId,
    /// The market whose collateral was seized.
    pub collateral_asset: AccountId,
    /// Debt tokens the liquidator paid.
    pub repaid: u128,
    /// Collateral tokens taken from the borrower.
    pub collateral_seized: u128,
    /// The part of the seizure kept by the protocol (paying down any deficit first,
    /// then as reserves).
    pub protocol_fee: u128,
    /// The borrower's scaled debt burned in `debt_asset`.
    pub debt_scaled_burned: u128,
    /// The borrower's scaled supply burned in `collateral_asset`.
    pub collateral_scaled_burned: u128,
    /// The debt market's accrual, if this liquidation moved its indices.
    pub debt_accrual: Option<MarketAccrual>,
    /// The collateral market's accrual, if this liquidation moved its indices.
    pub collateral_accrual: Option<MarketAccrual>,
}

/// A liquidator took its part of a seizure as supply in the collateral market
/// (`liquidate_to_supply`) instead of as tokens.
#[ink::event]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeizedAsSupply {
    /// The collateral market's underlying token.
    pub asset: AccountId,
    /// The liquidator, whose supply grew.
    #[ink(topic)]
    pub liquidator: AccountId,
    /// The collateral credited (the liquidator's part of the seizure).
    pub amount: u128,
    /// Supply shares minted to the liquidator (rounded down).
    pub scaled: u128,
}

/// A borrower's debt left without collateral was written off.
#[ink::event]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadDebtWrittenOff {
    /// The underlying token.
    pub asset: AccountId,
    /// The borrower.
    #[ink(topic)]
    pub borrower: AccountId,
    /// The debt removed.
    pub debt: u128,
    /// The scaled debt removed: the borrower's whole position in `asset`.
    pub scaled_debt: u128,
    /// The part reserves absorbed.
    pub absorbed_by_reserves: u128,
    /// The part booked as deficit (paid down by future reserve income).
    pub added_to_deficit: u128,
}

/// A flash loan was lent and returned with its fee, in one call.
#[ink::event]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlashLoan {
    /// The underlying token.
    pub asset: AccountId,
    /// Who asked for the loan (the caller of `flash_loan`).
    pub initiator: AccountId,
    /// The contract that received the tokens, was called back and paid them back.
    #[ink(topic)]
    pub receiver: AccountId,
    /// Tokens lent.
    pub amount: u128,
    /// The fee paid on top.
    pub fee: u128,
    /// The part of the fee that paid down the market's deficit (the rest went to
    /// reserves).
    pub deficit_covered: u128,
    /// Interest the market accrued when the loan was lent, if any.
    pub accrual: Option<MarketAccrual>,
}

/// Governance withdrew reserves.
#[ink::event]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReservesWithdrawn {
    /// The underlying token.
    #[ink(topic)]
    pub asset: AccountId,
    /// The receiver.
    pub to: AccountId,
    /// Tokens withdrawn.
    pub amount: u128,
}

/// A market's paused actions changed.
#[ink::event]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PauseChanged {
    /// The underlying token.
    #[ink(topic)]
    pub asset: AccountId,
    /// Who changed them.
    pub by: AccountId,
    /// The actions paused now.
    pub paused: PauseFlags,
    /// No liquidation in this market before this time.
    pub liquidation_grace_until_secs: u64,
}

/// Governance changed the pool-wide parameters.
#[ink::event]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolParamsChanged {
    /// The parameters now in force.
    pub params: PoolParams,
}

/// Governance replaced the oracle.
#[ink::event]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OracleChanged {
    /// The new oracle.
    #[ink(topic)]
    pub oracle: AccountId,
}
