//! The whole ink_e2e suite as one test binary, so the contracts are loaded from one set of
//! release bundles and every test shares one build: a module per area, and `attacks/`
//! with a module per threat class of `THREAT_MODEL.md`. Each test spawns its own
//! `substrate-contracts-node` (`#[carrack_e2e::test]`). Needs the `e2e-tests` feature:
//! `cargo test -p carrack-e2e --features e2e-tests` (after `scripts/build.sh --fixtures`;
//! `scripts/test.sh` does both).
#![cfg(feature = "e2e-tests")]

mod attacks;
mod governance;
mod governance_veto;
mod oracle;
mod oracle_integrity;
mod pool;
mod pool_hardening;
mod token;
