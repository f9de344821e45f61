//! PSP22 logic shared by Carrack's token contracts: the accounting ([`PSP22Data`]) and the
//! two-step minter role ([`MinterRole`]), as plain data structures.
//!
//! Nothing here touches `env()`: every method takes the acting account as an argument and
//! returns the events the contract must emit, so the logic is tested natively and each
//! contract's messages stay thin shells.
//!
//! This crate is a plain library. It deliberately has no `ink-as-dependency` feature,
//! because ink_e2e builds every package that declares one as a contract.
//!
//! With the `test-suite` feature (a dev-dependency feature of the token crates, never in a
//! contract's Wasm) it also provides `psp22_suite!`, `minter_suite!` and `burner_suite!`,
//! the conformance suites every PSP22 contract of Carrack runs against its own message
//! shells (module `suite`).
#![cfg_attr(not(feature = "std"), no_std)]

pub mod data;
pub mod minter;
#[cfg(feature = "test-suite")]
pub mod suite;

pub use data::{PSP22Data, PSP22Event, ZERO_ACCOUNT};
pub use minter::{MinterChanged, MinterEvent, MinterNominated, MinterRole};
