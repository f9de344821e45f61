//! Part of the invariant fuzzer (see `mod.rs`): test code only, like the whole `fuzz`
//! module (`#[cfg(test)] mod fuzz;` in `lib.rs`), said here too so each file shows it.
#![cfg(test)]

// ---------------------------------------------------------------------------------------
// Exact 256-bit arithmetic for the solvency slack (as in carrack-core's properties)
// ---------------------------------------------------------------------------------------

use super::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct U256 {
    hi: u128,
    lo: u128,
}

impl U256 {
    pub(super) fn mul(a: u128, b: u128) -> Self {
        const LOW: u128 = u64::MAX as u128;
        let (a1, a0) = (a >> 64, a & LOW);
        let (b1, b0) = (b >> 64, b & LOW);
        let p00 = a0 * b0;
        let p01 = a0 * b1;
        let p10 = a1 * b0;
        let p11 = a1 * b1;
        let mid = (p00 >> 64) + (p01 & LOW) + (p10 & LOW);
        U256 {
            hi: p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64),
            lo: (mid << 64) | (p00 & LOW),
        }
    }

    pub(super) fn plus(self, other: Self) -> Self {
        let (lo, carry) = self.lo.overflowing_add(other.lo);
        U256 {
            hi: self.hi + other.hi + u128::from(carry),
            lo,
        }
    }
}

/// `(cash + debt + deficit, claims + reserves)`, exact, times RAY.
pub(super) fn exact_sides(state: &MarketState) -> (U256, U256) {
    let assets = U256::mul(state.cash, RAY)
        .plus(U256::mul(state.total_scaled_debt, state.borrow_index_ray))
        .plus(U256::mul(state.deficit, RAY));
    let liabilities = U256::mul(state.total_scaled_supply, state.supply_index_ray)
        .plus(U256::mul(state.reserves, RAY));
    (assets, liabilities)
}
