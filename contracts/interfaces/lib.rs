//! The interfaces through which Carrack contracts, off-chain tools and tests talk to each
//! other: `#[ink::trait_definition]`s, the shared error types and the shared events.
//!
//! This crate is a plain library. It deliberately has no `ink-as-dependency` feature,
//! because ink_e2e builds every package that declares one as a contract.
#![cfg_attr(not(feature = "std"), no_std)]

pub mod admin;
pub mod call_version;
pub mod flash_loan;
pub mod oracle;
pub mod psp22;
pub mod raw_call;
pub mod timelock;
pub mod votes;

pub use admin::{
    AdminError, AdminRoles, CodeUpgraded, GovernanceChanged, GovernanceNominated, Governed,
    GuardianChanged,
};
pub use call_version::{versioned, VersionedCall};
pub use flash_loan::{FlashLoanReceiver, FLASH_LOAN_ACCEPTED};
pub use oracle::{FeedStatus, OracleError, PriceData, PriceOracle, MAX_PRICE_DECIMALS};
pub use psp22::{
    Approval, PSP22Burnable, PSP22Error, PSP22Metadata, PSP22Mintable, Transfer, PSP22,
};
pub use raw_call::{RawArgs, RawOutput};
pub use timelock::{
    validate_actions, Action, ActionsError, BatchInfo, BatchStatus, Timelock, TimelockError,
    MAX_ACTIONS, MAX_ACTION_INPUT_BYTES,
};
pub use votes::{DelegateChanged, DelegateVotesChanged, Votes, VotesError};
