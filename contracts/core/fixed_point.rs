//! Fixed-point arithmetic with explicit rounding.
//!
//! Two scales, both plain `u128` integers:
//! - **WAD = 1e18** for factors, ratios, rates per year and prices (1.0 = `WAD`);
//! - **RAY = 1e27** for interest indices and per-second rates, where 27 digits keep
//!   second-by-second growth exact enough (a 0.01 %/yr rate is 3.2e15 RAY per second).
//!
//! Every multiplication and division names its rounding direction. Products are formed
//! in 256 bits (`primitive_types::U256`), so `a * b / c` is exact before the one final
//! rounding, and the only failures are a zero divisor or a result above `u128::MAX`.

use crate::error::{CoreError, CoreResult};
use primitive_types::U256;

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

/// `a * b / denominator`, rounded as asked, with a 256-bit intermediate.
pub fn mul_div(a: u128, b: u128, denominator: u128, rounding: Rounding) -> CoreResult<u128> {
    if denominator == 0 {
        return Err(CoreError::DivisionByZero);
    }
    let product = U256::from(a).full_mul(U256::from(b));
    let denominator = primitive_types::U512::from(denominator);
    let (quotient, remainder) = product.div_mod(denominator);
    let quotient = if rounding == Rounding::Up && !remainder.is_zero() {
        quotient
            .checked_add(primitive_types::U512::one())
            .ok_or(CoreError::Overflow)?
    } else {
        quotient
    };
    u128::try_from(quotient).map_err(|_| CoreError::Overflow)
}

/// `a * b / WAD`: a WAD factor applied to an amount (or two WAD values multiplied).
pub fn wad_mul(a: u128, b: u128, rounding: Rounding) -> CoreResult<u128> {
    mul_div(a, b, WAD, rounding)
}

/// `a * WAD / b`: an amount divided by a WAD factor (or a ratio of two values, in WAD).
pub fn wad_div(a: u128, b: u128, rounding: Rounding) -> CoreResult<u128> {
    mul_div(a, WAD, b, rounding)
}

/// `a * b / RAY`: a RAY index or factor applied to an amount.
pub fn ray_mul(a: u128, b: u128, rounding: Rounding) -> CoreResult<u128> {
    mul_div(a, b, RAY, rounding)
}

/// `a * RAY / b`: an amount divided by a RAY index.
pub fn ray_div(a: u128, b: u128, rounding: Rounding) -> CoreResult<u128> {
    mul_div(a, RAY, b, rounding)
}

/// `base^exponent` for a RAY `base >= 1.0`, by squaring, every step rounded as asked. With
/// `Rounding::Up` the result is never below the exact power. Each squaring doubles the
/// relative error carried in and adds at most one RAY unit, so the relative error is at
/// most `(2 * exponent + 64) * 1e-27`: below 7e-20 for a year of seconds between accruals.
pub fn ray_pow(base: u128, exponent: u64, rounding: Rounding) -> CoreResult<u128> {
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
pub fn pow10(exponent: u8) -> CoreResult<u128> {
    10u128
        .checked_pow(u32::from(exponent))
        .ok_or(CoreError::Overflow)
}

/// `a + b`, or `Overflow`.
pub fn add(a: u128, b: u128) -> CoreResult<u128> {
    a.checked_add(b).ok_or(CoreError::Overflow)
}

/// `a - b`, or `Underflow`.
pub fn sub(a: u128, b: u128) -> CoreResult<u128> {
    a.checked_sub(b).ok_or(CoreError::Underflow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
            let d512 = primitive_types::U512::from(d);
            match (mul_div(a, b, d, Rounding::Down), mul_div(a, b, d, Rounding::Up)) {
                (Ok(down), Ok(up)) => {
                    prop_assert!(primitive_types::U512::from(down) * d512 <= exact);
                    prop_assert!(primitive_types::U512::from(up) * d512 >= exact);
                    prop_assert!(up - down <= 1);
                    prop_assert_eq!(up == down, (exact % d512).is_zero());
                }
                (Err(CoreError::Overflow), _) | (_, Err(CoreError::Overflow)) => {
                    prop_assert!(exact / d512 >= primitive_types::U512::from(u128::MAX));
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
