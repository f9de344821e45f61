//! Attacks on the lending pool, one module per threat of `THREAT_MODEL.md`, each run
//! against a real substrate-contracts-node with the whole suite deployed.
#![cfg(feature = "e2e-tests")]

mod a1_donation;
mod a2_rounding;
mod a5_reentrancy;
