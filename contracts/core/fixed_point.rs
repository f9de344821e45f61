//! Fixed-point arithmetic with explicit rounding.
//!
//! Two scales, both plain `u128` integers:
//! - **WAD = 1e18** for factors, ratios, rates per year and prices (1.0 = `WAD`);
//! - **RAY = 1e27** for interest indices and per-second rates, where 27 digits keep
//!   second-by-second growth exact enough (a 0.01 %/yr rate is 3.2e15 RAY per second).
//!
//! Every multiplication and division names its rounding direction. Products are formed
//! in 256 bits, so `a * b / c` is exact before the one final rounding, and the only
//! failures are a zero divisor or a result above `u128::MAX`.

use crate::error::CoreError;

/// 1.0 in WAD (18 decimals).
pub const WAD: u128 = 1_000_000_000_000_000_000;
/// 1.0 in RAY (27 decimals).
pub const RAY: u128 = 1_000_000_000_000_000_000_000_000_000;
/// RAY / WAD, to move a WAD value to RAY.
pub const WAD_TO_RAY: u128 = 1_000_000_000;

/// Which way a division that does not come out even is rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    /// Toward zero (floor): the result is never above the exact quotient.
    Down,
    /// Away from zero (ceiling): the result is never below the exact quotient.
    Up,
}

/// `a * b / denominator`, rounded as asked, with an exact 256-bit intermediate.
///
/// A product that fits in 128 bits takes one `u128` division; a wider one a 256-by-128
/// division of two 64-bit quotient digits ([`div_wide`]). Both replaced a general
/// `U512` division (`primitive-types`), which cost the pool code size and, through
/// wasmi's per-instruction fuel, weight on every accrual and health check
/// (`cost-anatomy-2026-12.md` §7, P4). The unit tests check the two against each other.
pub fn mul_div(a: u128, b: u128, denominator: u128, rounding: Rounding) -> Result<u128, CoreError> {
    if denominator == 0 {
        return Err(CoreError::DivisionByZero);
    }
    let (high, low) = wide_mul(a, b);
    let (quotient, inexact) = if high == 0 {
        let quotient = low
            .checked_div(denominator)
            .ok_or(CoreError::DivisionByZero)?;
        let remainder = low
            .checked_rem(denominator)
            .ok_or(CoreError::DivisionByZero)?;
        (quotient, remainder != 0)
    } else if high >= denominator {
        // The quotient is at least 2^128.
        return Err(CoreError::Overflow);
    } else {
        div_wide(high, low, denominator)?
    };
    if rounding == Rounding::Up && inexact {
        quotient.checked_add(1).ok_or(CoreError::Overflow)
    } else {
        Ok(quotient)
    }
}

/// The low 64 bits of a `u128`.
const LOW_64: u128 = 0xffff_ffff_ffff_ffff;

/// The exact 256-bit product `a * b` as its (high, low) 128-bit halves, by 64-bit halves.
fn wide_mul(a: u128, b: u128) -> (u128, u128) {
    let (a_high, a_low) = (a >> 64, a & LOW_64);
    let (b_high, b_low) = (b >> 64, b & LOW_64);
    // Products of two values below 2^64 are below 2^128: none of these wraps.
    let low_low = a_low.wrapping_mul(b_low);
    let low_high = a_low.wrapping_mul(b_high);
    let high_low = a_high.wrapping_mul(b_low);
    let high_high = a_high.wrapping_mul(b_high);
    // Bits 64..192 before carrying: three values below 2^64, so below 2^66.
    let middle = (low_low >> 64)
        .wrapping_add(low_high & LOW_64)
        .wrapping_add(high_low & LOW_64);
    // `middle << 64` keeps its low 64 bits; the rest is carried into the high half.
    let low = (low_low & LOW_64) | (middle << 64);
    // The high half of a product below 2^256 is below 2^128: these additions cannot wrap.
    let high = high_high
        .wrapping_add(low_high >> 64)
        .wrapping_add(high_low >> 64)
        .wrapping_add(middle >> 64);
    (high, low)
}

/// `(high * 2^128 + low) / divisor` and whether it left a remainder, for `high < divisor` (so the
/// quotient fits in 128 bits): Knuth's algorithm D (TAOCP vol. 2, 4.3.1) with 64-bit
/// digits, as in Hacker's Delight's `divlu`: the divisor is shifted until its top bit is
/// set, then each of the two quotient digits is estimated from the divisor's top digit
/// and corrected at most twice. `DivisionByZero` only for a zero divisor, which
/// `mul_div` never passes.
fn div_wide(high: u128, low: u128, divisor: u128) -> Result<(u128, bool), CoreError> {
    if divisor == 0 {
        return Err(CoreError::DivisionByZero);
    }
    let shift = divisor.leading_zeros();
    let divisor = divisor << shift;
    let (divisor_high, divisor_low) = (divisor >> 64, divisor & LOW_64);
    // The dividend shifted alike: `high << shift` loses nothing, as `high < divisor`.
    let top = if shift == 0 {
        high
    } else {
        // `shift` is 1 to 127 here (a nonzero `u128` has at most 127 leading zeros).
        (high << shift) | (low >> 128u32.wrapping_sub(shift))
    };
    let low = low << shift;
    let (digit_1, digit_0) = (low >> 64, low & LOW_64);
    let quotient_high = quotient_digit(top, digit_1, divisor_high, divisor_low)?;
    // `top * 2^64 + digit_1 - quotient_high * divisor`, the partial remainder, is below
    // the divisor: computed modulo 2^128, where it is exact.
    let partial = ((top << 64) | digit_1).wrapping_sub(quotient_high.wrapping_mul(divisor));
    let quotient_low = quotient_digit(partial, digit_0, divisor_high, divisor_low)?;
    // The remainder, still shifted: zero exactly when the unshifted one is.
    let remainder = ((partial << 64) | digit_0).wrapping_sub(quotient_low.wrapping_mul(divisor));
    Ok(((quotient_high << 64) | quotient_low, remainder != 0))
}

/// One 64-bit quotient digit of `(numerator * 2^64 + next) / divisor`, where the
/// normalized divisor is `divisor_high * 2^64 + divisor_low` (top bit set) and
/// `numerator < divisor`: estimated from the top digit, then lowered while too large
/// (at most twice).
fn quotient_digit(
    numerator: u128,
    next: u128,
    divisor_high: u128,
    divisor_low: u128,
) -> Result<u128, CoreError> {
    let mut digit = numerator
        .checked_div(divisor_high)
        .ok_or(CoreError::DivisionByZero)?;
    let mut rest = numerator
        .checked_rem(divisor_high)
        .ok_or(CoreError::DivisionByZero)?;
    // While the digit is 2^64 or more, or its product with the whole divisor exceeds
    // the numerator's top three digits; `rest < 2^64` and `digit < 2^64` where used, so
    // neither the shift nor the product wraps.
    while digit > LOW_64 || digit.wrapping_mul(divisor_low) > ((rest << 64) | next) {
        digit = digit.wrapping_sub(1);
        rest = rest.wrapping_add(divisor_high);
        if rest > LOW_64 {
            break;
        }
    }
    Ok(digit)
}

/// `a * b / WAD`: a WAD factor applied to an amount (or two WAD values multiplied).
pub fn wad_mul(a: u128, b: u128, rounding: Rounding) -> Result<u128, CoreError> {
    mul_div(a, b, WAD, rounding)
}

/// `a * WAD / b`: an amount divided by a WAD factor (or a ratio of two values, in WAD).
pub fn wad_div(a: u128, b: u128, rounding: Rounding) -> Result<u128, CoreError> {
    mul_div(a, WAD, b, rounding)
}

/// `a * b / RAY`: a RAY index or factor applied to an amount.
pub fn ray_mul(a: u128, b: u128, rounding: Rounding) -> Result<u128, CoreError> {
    mul_div(a, b, RAY, rounding)
}

/// `a * RAY / b`: an amount divided by a RAY index.
pub fn ray_div(a: u128, b: u128, rounding: Rounding) -> Result<u128, CoreError> {
    mul_div(a, RAY, b, rounding)
}

/// `base^exponent` for a RAY `base >= 1.0`, by squaring, every step rounded as asked. With
/// `Rounding::Up` the result is never below the exact power. Each squaring doubles the
/// relative error carried in and adds at most one RAY unit, so the relative error is at
/// most `(2 * exponent + 64) * 1e-27`: below 7e-20 for a year of seconds between accruals.
pub fn ray_pow(base: u128, exponent: u64, rounding: Rounding) -> Result<u128, CoreError> {
    let mut result = RAY;
    let mut square = base;
    let mut remaining = exponent;
    while remaining > 0 {
        if remaining & 1 == 1 {
            result = ray_mul(result, square, rounding)?;
        }
        remaining >>= 1;
        if remaining > 0 {
            square = ray_mul(square, square, rounding)?;
        }
    }
    Ok(result)
}

/// `10^exponent` as `u128`, for token decimals (`exponent <= 38`).
pub fn pow10(exponent: u8) -> Result<u128, CoreError> {
    10u128
        .checked_pow(u32::from(exponent))
        .ok_or(CoreError::Overflow)
}

/// `a + b`, or `Overflow`.
pub fn add(a: u128, b: u128) -> Result<u128, CoreError> {
    a.checked_add(b).ok_or(CoreError::Overflow)
}

/// `a - b`, or `Underflow`.
pub fn sub(a: u128, b: u128) -> Result<u128, CoreError> {
    a.checked_sub(b).ok_or(CoreError::Underflow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use primitive_types::{U256, U512};
    use proptest::prelude::*;
    extern crate std;
    use std::{vec, vec::Vec};

    /// `mul_div` as it was before the 256-by-128 division: a general `U512` division
    /// from `primitive-types`. The new one must agree with it everywhere.
    fn mul_div_by_u512(a: u128, b: u128, d: u128, rounding: Rounding) -> Result<u128, CoreError> {
        if d == 0 {
            return Err(CoreError::DivisionByZero);
        }
        let product = U256::from(a).full_mul(U256::from(b));
        let (quotient, remainder) = product.div_mod(U512::from(d));
        let quotient = if rounding == Rounding::Up && !remainder.is_zero() {
            quotient + U512::one()
        } else {
            quotient
        };
        u128::try_from(quotient).map_err(|_| CoreError::Overflow)
    }

    /// Values where a division is most likely wrong: 0, 1, powers of two and their
    /// neighbours at every digit boundary, the two scales, and the largest values.
    fn edges() -> Vec<u128> {
        let mut values = vec![
            0,
            1,
            2,
            3,
            WAD,
            RAY,
            WAD - 1,
            RAY + 1,
            u128::MAX,
            u128::MAX - 1,
        ];
        for bit in [32, 63, 64, 65, 96, 127] {
            let power = 1u128 << bit;
            values.extend([power - 1, power, power + 1]);
        }
        values.extend([
            u128::MAX / 3,
            (u128::MAX >> 1) + 7,
            LOW_64 * 3,
            10u128.pow(38),
        ]);
        values
    }

    #[test]
    fn mul_div_agrees_with_the_u512_division_on_every_edge_combination() {
        let edges = edges();
        let mut checked = 0u32;
        for &a in &edges {
            for &b in &edges {
                for &d in &edges {
                    for rounding in [Rounding::Down, Rounding::Up] {
                        assert_eq!(
                            mul_div(a, b, d, rounding),
                            mul_div_by_u512(a, b, d, rounding),
                            "{a} * {b} / {d} {rounding:?}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(
            checked,
            2 * 32 * 32 * 32,
            "every combination of the 32 edges"
        );
    }

    #[test]
    fn the_wide_division_corrects_its_digit_estimates() {
        // Divisors whose top digit is small after normalization make the first estimate
        // too large: these need the correction loop (a quotient digit of 2^64 or more,
        // or a product with the low digit too large).
        let cases = [
            (u128::MAX, u128::MAX, (1u128 << 127) + 1),
            (u128::MAX - 5, (1u128 << 64) + 3, (1u128 << 64) | 1),
            (
                (1u128 << 127) | 1,
                (1u128 << 127) | 3,
                (1u128 << 127) | LOW_64,
            ),
            (RAY * 1_000_000, RAY * 999_999, RAY + 1),
        ];
        for (a, b, d) in cases {
            for rounding in [Rounding::Down, Rounding::Up] {
                assert_eq!(
                    mul_div(a, b, d, rounding),
                    mul_div_by_u512(a, b, d, rounding)
                );
            }
        }
    }

    proptest! {
        /// The new division agrees with the old one: amounts, indices, prices and
        /// divisors of every width, both roundings.
        #[test]
        fn mul_div_agrees_with_the_u512_division(
            a_bits in 0u32..=128, a in any::<u128>(),
            b_bits in 0u32..=128, b in any::<u128>(),
            d_bits in 1u32..=128, d in any::<u128>(),
            up in any::<bool>(),
        ) {
            // Random widths first, so narrow and wide products are both common.
            let narrow = |bits: u32, value: u128| if bits == 128 { value } else { value & ((1u128 << bits) - 1) };
            let (a, b, d) = (narrow(a_bits, a), narrow(b_bits, b), narrow(d_bits, d).max(1));
            let rounding = if up { Rounding::Up } else { Rounding::Down };
            prop_assert_eq!(mul_div(a, b, d, rounding), mul_div_by_u512(a, b, d, rounding));
        }
    }

    #[test]
    fn mul_div_rounds_as_asked() {
        assert_eq!(mul_div(10, 10, 3, Rounding::Down), Ok(33));
        assert_eq!(mul_div(10, 10, 3, Rounding::Up), Ok(34));
        assert_eq!(
            mul_div(9, 10, 3, Rounding::Up),
            Ok(30),
            "exact results are not bumped"
        );
        assert_eq!(mul_div(0, 10, 3, Rounding::Up), Ok(0));
    }

    #[test]
    fn mul_div_uses_a_wide_intermediate() {
        assert_eq!(
            mul_div(u128::MAX, u128::MAX, u128::MAX, Rounding::Down),
            Ok(u128::MAX)
        );
        assert_eq!(
            mul_div(u128::MAX, 3, 4, Rounding::Up),
            Ok(u128::MAX / 4 * 3 + 3)
        );
    }

    #[test]
    fn mul_div_errors() {
        assert_eq!(
            mul_div(1, 1, 0, Rounding::Down),
            Err(CoreError::DivisionByZero)
        );
        assert_eq!(
            mul_div(u128::MAX, 2, 1, Rounding::Down),
            Err(CoreError::Overflow)
        );
        assert_eq!(
            mul_div(u128::MAX, u128::MAX, u128::MAX - 1, Rounding::Up),
            Err(CoreError::Overflow)
        );
    }

    #[test]
    fn wad_and_ray_helpers() {
        assert_eq!(wad_mul(3 * WAD, WAD / 2, Rounding::Down), Ok(3 * WAD / 2));
        assert_eq!(wad_div(1, 3 * WAD, Rounding::Down), Ok(0));
        assert_eq!(wad_div(1, 3 * WAD, Rounding::Up), Ok(1));
        assert_eq!(ray_mul(5, RAY + 1, Rounding::Up), Ok(6));
        assert_eq!(ray_mul(5, RAY + 1, Rounding::Down), Ok(5));
        assert_eq!(ray_div(10, 3 * RAY, Rounding::Down), Ok(3));
        assert_eq!(ray_div(10, 3 * RAY, Rounding::Up), Ok(4));
        assert_eq!(ray_div(1, 0, Rounding::Up), Err(CoreError::DivisionByZero));
    }

    #[test]
    fn ray_pow_matches_known_powers() {
        assert_eq!(ray_pow(2 * RAY, 10, Rounding::Down), Ok(1024 * RAY));
        assert_eq!(ray_pow(RAY / 2, 3, Rounding::Up), Ok(RAY / 8));
        assert_eq!(ray_pow(12345, 0, Rounding::Up), Ok(RAY));
        assert_eq!(
            ray_pow(RAY * 10, 40, Rounding::Up),
            Err(CoreError::Overflow)
        );
        // (1 + 1e-9)^1e9 ~ e: up-rounding lands just above down-rounding.
        let up = ray_pow(RAY + RAY / 1_000_000_000, 1_000_000_000, Rounding::Up).unwrap();
        let down = ray_pow(RAY + RAY / 1_000_000_000, 1_000_000_000, Rounding::Down).unwrap();
        assert!(up >= down, "up {up} down {down}");
        assert!(
            up - down <= up / 500_000_000_000_000_000 * 2 + 64,
            "within (2n + 64) ulps"
        );
        assert_eq!(up / 1_000_000_000_000_000_000, 2_718_281_827);
    }

    #[test]
    fn checked_add_sub_and_pow10() {
        assert_eq!(add(u128::MAX, 1), Err(CoreError::Overflow));
        assert_eq!(sub(0, 1), Err(CoreError::Underflow));
        assert_eq!(pow10(24), Ok(1_000_000_000_000_000_000_000_000));
        assert_eq!(pow10(38).map(|p| p > 0), Ok(true));
        assert_eq!(pow10(39), Err(CoreError::Overflow));
    }

    proptest! {
        /// Each rounding lands within one unit of the exact quotient, on its stated side.
        #[test]
        fn rounding_is_directional_and_within_one_unit(
            a in any::<u128>(), b in any::<u128>(), d in 1..=u128::MAX
        ) {
            let exact = U256::from(a).full_mul(U256::from(b));
            let d512 = U512::from(d);
            match (mul_div(a, b, d, Rounding::Down), mul_div(a, b, d, Rounding::Up)) {
                (Ok(down), Ok(up)) => {
                    prop_assert!(U512::from(down) * d512 <= exact);
                    prop_assert!(U512::from(up) * d512 >= exact);
                    prop_assert!(up - down <= 1);
                    prop_assert_eq!(up == down, (exact % d512).is_zero());
                }
                (Err(CoreError::Overflow), _) | (_, Err(CoreError::Overflow)) => {
                    prop_assert!(exact / d512 >= U512::from(u128::MAX));
                }
                other => prop_assert!(false, "unexpected {:?}", other),
            }
        }
    }

    /// Kills the mutant `if remaining > 0` -> `>=` in `ray_pow` (cargo-mutants): one
    /// squaring too many after the last bit is harmless for small bases but overflows
    /// for a large one, turning a representable power into an error.
    #[test]
    fn ray_pow_does_not_square_past_the_last_bit() {
        let base = 1_000_000 * RAY; // base^2 / RAY = 1e39 > u128::MAX
        assert_eq!(ray_pow(base, 1, Rounding::Down), Ok(base));
        assert_eq!(ray_pow(base, 1, Rounding::Up), Ok(base));
    }
}
