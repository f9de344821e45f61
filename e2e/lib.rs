//! Helpers shared by the ink_e2e suite in `tests/`: where the built contract bundles are
//! and what their metadata says, and the deployment of the whole lending suite. The tests
//! themselves need the `e2e-tests` feature and a `substrate-contracts-node` on `PATH` (or
//! `CONTRACTS_NODE`).

#[cfg(feature = "e2e-tests")]
pub mod governance;
pub mod metadata;
pub mod psp22_standard;
#[cfg(feature = "e2e-tests")]
pub mod suite;

/// The client `#[ink_e2e::test]` hands to every test: a substrate-contracts-node spawned
/// for the test, spoken to over subxt.
pub type NodeClient = ink_e2e::Client<ink_e2e::PolkadotConfig, ink::env::DefaultEnvironment>;
