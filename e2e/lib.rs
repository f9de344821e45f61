//! Helpers shared by the ink_e2e suite in `tests/`: where the built contract bundles are
//! and what their metadata says, the test runner behind `#[carrack_e2e::test]`, and the
//! deployment of the whole lending suite. The tests themselves need the `e2e-tests`
//! feature (which alone pulls in ink_e2e and subxt), the release bundles
//! (`scripts/build.sh --fixtures`) and a `substrate-contracts-node` on `PATH` (or
//! `CONTRACTS_NODE`).

pub mod bundles;
#[cfg(feature = "e2e-tests")]
pub mod governance;
pub mod metadata;
#[cfg(feature = "e2e-tests")]
pub mod oracle_feed;
pub mod psp22_standard;
#[cfg(feature = "e2e-tests")]
pub mod runner;
#[cfg(feature = "e2e-tests")]
pub mod suite;

/// The test attribute of the suite (see the `carrack-e2e-macro` crate).
#[cfg(feature = "e2e-tests")]
pub use carrack_e2e_macro::test;

/// The client `#[carrack_e2e::test]` hands to every test: a substrate-contracts-node
/// spawned for the test, spoken to over subxt.
#[cfg(feature = "e2e-tests")]
pub type NodeClient = ink_e2e::Client<ink_e2e::PolkadotConfig, ink::env::DefaultEnvironment>;
