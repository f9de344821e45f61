//! PSP22 logic shared by Carrack's token contracts: the accounting ([`PSP22Data`]) and the
//! two-step minter role ([`MinterRole`]), as plain data structures.
//!
//! Nothing here touches `env()`: every method takes the acting account as an argument and
//! returns the events the contract must emit, so the logic is tested natively and each
//! contract's messages stay thin shells.
//!
//! This crate is a plain library. It deliberately has no `ink-as-dependency` feature,
//! because ink_e2e builds every package that declares one as a contract.
#![cfg_attr(not(feature = "std"), no_std)]

pub mod data;
pub mod minter;

pub use data::{PSP22Data, PSP22Event, ZERO_ACCOUNT};
pub use minter::{MinterChanged, MinterEvent, MinterNominated, MinterRole};
