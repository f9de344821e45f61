//! Token amounts and their value in the quote currency.
//!
//! A price is the value of one *whole* token in quote units, as WAD (so `2_000 * WAD` is
//! 2,000 quote units per token, whatever the token's decimals). A value is also WAD. The
//! conversion `value = amount * price / 10^decimals` is one 256-bit `mul_div`, exact
//! before its single rounding, for every `decimals` in `0..=24` and every `u128` amount.

use crate::config::MAX_DECIMALS;
use crate::error::CoreError;
use crate::fixed_point::{mul_div, pow10, Rounding};

fn unit(decimals: u8) -> Result<u128, CoreError> {
    if decimals > MAX_DECIMALS {
        return Err(CoreError::UnsupportedDecimals);
    }
    pow10(decimals)
}

/// The value (WAD) of `amount` smallest units of a token with `decimals`, priced at
/// `price_wad` per whole token. Collateral is valued rounding down, debt rounding up.
pub fn value_wad(
    amount: u128,
    decimals: u8,
    price_wad: u128,
    rounding: Rounding,
) -> Result<u128, CoreError> {
    mul_div(amount, price_wad, unit(decimals)?, rounding)
}

/// The amount of a token worth `value_wad` at `price_wad`: the inverse of [`value_wad`].
pub fn amount_for_value(
    value_wad: u128,
    decimals: u8,
    price_wad: u128,
    rounding: Rounding,
) -> Result<u128, CoreError> {
    if price_wad == 0 {
        return Err(CoreError::DivisionByZero);
    }
    mul_div(value_wad, unit(decimals)?, price_wad, rounding)
}

/// Rescales a price reported with `price_decimals` (e.g. 8, like most feeds) to WAD,
/// rounded as asked (down for collateral, up for debt).
pub fn price_to_wad(
    price: u128,
    price_decimals: u8,
    rounding: Rounding,
) -> Result<u128, CoreError> {
    mul_div(
        price,
        crate::fixed_point::WAD,
        unit(price_decimals)?,
        rounding,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixed_point::WAD;

    #[test]
    fn values_across_decimals() {
        // 1.5 tokens at 2,000 per token = 3,000, for 0, 6, 18 and 24 decimals.
        assert_eq!(value_wad(15, 0, 200 * WAD, Rounding::Down), Ok(3_000 * WAD));
        assert_eq!(
            value_wad(1_500_000, 6, 2_000 * WAD, Rounding::Down),
            Ok(3_000 * WAD)
        );
        assert_eq!(
            value_wad(15 * WAD / 10, 18, 2_000 * WAD, Rounding::Down),
            Ok(3_000 * WAD)
        );
        assert_eq!(
            value_wad(15 * 10u128.pow(23), 24, 2_000 * WAD, Rounding::Down),
            Ok(3_000 * WAD)
        );
    }

    #[test]
    fn value_rounding_is_directional() {
        // 1 smallest unit of a 24-decimal token at 1 quote unit: 1e-6 WAD units.
        assert_eq!(value_wad(1, 24, WAD, Rounding::Down), Ok(0));
        assert_eq!(value_wad(1, 24, WAD, Rounding::Up), Ok(1));
        assert_eq!(amount_for_value(1, 0, 3, Rounding::Down), Ok(0));
        assert_eq!(amount_for_value(1, 0, 3, Rounding::Up), Ok(1));
    }

    #[test]
    fn errors() {
        assert_eq!(
            value_wad(1, 25, WAD, Rounding::Down),
            Err(CoreError::UnsupportedDecimals)
        );
        assert_eq!(
            amount_for_value(1, 6, 0, Rounding::Down),
            Err(CoreError::DivisionByZero)
        );
        assert_eq!(
            value_wad(u128::MAX, 0, 2 * WAD, Rounding::Down),
            Err(CoreError::Overflow)
        );
        assert_eq!(
            price_to_wad(123_456_789, 8, Rounding::Down),
            Ok(1_234_567_890_000_000_000)
        );
        assert_eq!(
            price_to_wad(1, 25, Rounding::Down),
            Err(CoreError::UnsupportedDecimals)
        );
    }
}
