//! Attacks on the lending suite, one module per threat class of `THREAT_MODEL.md` (A1 to
//! A11), each written as the attacker would try it and run against a real
//! substrate-contracts-node with the whole suite deployed.

mod a10_access_control;
mod a11_flash_loans;
mod a1_donation;
mod a2_rounding;
mod a3_stale_oracle;
mod a4_price_spike;
mod a5_reentrancy;
mod a6_liquidation;
mod a7_governance;
mod a8_rates;
mod a9_decimals;
