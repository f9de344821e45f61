//! # carrack-core: Carrack's lending math
//!
//! Plain `no_std` Rust with no ink! storage and no environment: every function takes its
//! inputs (amounts, prices, `now`) and returns a value or a [`CoreError`]. The pool
//! contract is a thin shell around it; the off-chain tools and the tests use it as is.
//! Nothing here panics: all arithmetic is checked, products are formed exactly in 256 bits
//! (`fixed_point::mul_div`), and overflow is an error value.
//!
//! ## Units
//!
//! | name | meaning |
//! |---|---|
//! | `_wad` | fixed point with 18 decimals ([`WAD`] = 1.0): factors, rates per year, prices, values |
//! | `_ray` | fixed point with 27 decimals ([`RAY`] = 1.0): indices, rates per second |
//! | `_secs` | seconds (Unix time for timestamps) |
//! | amount (no suffix) | a token's smallest unit, token decimals 0..=24 |
//! | price | value of one *whole* token in the quote currency, WAD |
//! | value | quote currency, WAD |
//!
//! ## Formulas
//!
//! - utilization `u = debt / (cash + debt)` from internal totals ([`utilization_wad`]);
//! - kinked borrow rate per year, capped at 1000 %/yr; per second = per year / 31,536,000,
//!   rounded up ([`RateModel`]); supply rate `= borrow * u * (1 - reserve_factor)`,
//!   rounded down ([`supply_rate`]), where accrual counts any deficit as idle cash in `u`
//!   so claims the deficit leaves unbacked earn nothing;
//! - borrow index `*= (1 + r_borrow)^dt`, exact compounding by squaring, rounded up;
//!   supply index `*= 1 + r_supply * dt`, linear, rounded down; reserves `+= debt growth *
//!   reserve_factor` (rounded down), first paying down any deficit ([`MarketState::accrue`]);
//! - balances `= scaled * index` ([`MarketState::supply_balance`], [`MarketState::debt_balance`]);
//! - value `= amount * price / 10^decimals` ([`value_wad`]);
//! - health factor `= sum(value * liquidation_threshold) / debt value` ([`AccountHealth`]);
//! - liquidation: close factor, bonus, protocol fee on the bonus, dust ([`plan_liquidation`]).
//!
//! ## Rounding matrix
//!
//! Every rounding favours the protocol (Aave v3.5's matrix). Each cell is tested in
//! `tests/rounding_matrix.rs` and, across random inputs, in `tests/properties.rs`.
//!
//! | operation | rounds | why |
//! |---|---|---|
//! | supply: scaled minted `= amount / supply_index` | down | the supplier gets no more shares than paid for |
//! | withdraw: scaled burned `= amount / supply_index` | up | the supplier gives up at least what it takes |
//! | borrow: scaled debt minted `= amount / borrow_index` | up | the borrower owes at least what it took |
//! | repay: scaled debt burned `= amount / borrow_index` | down | the borrower is relieved of no more than it paid |
//! | displayed supply `= scaled * supply_index` | down | nobody can withdraw a unit that does not exist |
//! | displayed debt `= scaled * borrow_index` | up | a non-zero debt is always at least one unit |
//! | collateral value | down | collateral never counts for more than it is worth |
//! | debt value | up | debt never counts for less |
//! | borrow rate per second, borrow index | up | interest owed is at least the curve |
//! | supply rate, supply index, reserve share | down | credits never exceed interest paid |
//! | liquidation seizure | down | the liquidator never gets more than repay * bonus (except a collateral remainder worth less than the dust threshold, which is swept in rather than left behind) |
//! | liquidation repay recomputed from seizure | up | the liquidator pays at least the seizure's worth |
//! | liquidation protocol fee | up (from the bonus only) | the fee is never understated, never above the bonus |
#![no_std]
#![cfg_attr(
    not(test),
    deny(
        clippy::arithmetic_side_effects,
        clippy::cast_possible_truncation,
        clippy::cast_possible_wrap,
        clippy::cast_sign_loss,
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]
#![warn(missing_docs)]

pub mod config;
pub mod error;
pub mod fixed_point;
pub mod flash_loan;
pub mod health;
pub mod liquidation;
pub mod market;
pub mod rate_model;
pub mod value;

pub use config::{
    ConfigError, MarketConfig, MAX_DECIMALS, MAX_LIQUIDATION_BONUS_WAD,
    MAX_THRESHOLD_TIMES_BONUS_WAD,
};
pub use error::{CoreError, CoreResult};
pub use fixed_point::{mul_div, ray_div, ray_mul, wad_div, wad_mul, Rounding, RAY, WAD};
pub use flash_loan::{flash_loan_fee, FlashFeeSplit, MAX_FLASH_LOAN_FEE_WAD};
pub use health::{AccountHealth, NO_DEBT_HEALTH_FACTOR};
pub use liquidation::{
    plan_liquidation, LiquidationInput, LiquidationPlan, CLOSE_FACTOR_WAD,
    FULL_CLOSE_HEALTH_FACTOR_WAD,
};
pub use market::{Accrual, MarketState, WriteOff, ALL, MIN_DEAD_SHARES};
pub use rate_model::{
    supply_rate, utilization_wad, RateModel, MAX_BORROW_RATE_WAD, SECONDS_PER_YEAR,
};
pub use value::{amount_for_value, price_to_wad, value_wad};
