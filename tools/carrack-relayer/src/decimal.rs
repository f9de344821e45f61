//! Exact decimal prices. Sources give prices as decimal text ("60123.45", "6.0e4"); the
//! relayer keeps them as integers with [`PRICE_DECIMALS`] decimals (no floating point
//! between a source and the chain), and converts to a feed's own decimals only when it
//! submits, rounding to the nearest unit (half away from zero): a report is a measurement,
//! not an accounting entry, so neither direction favours anyone.

use std::fmt;

/// Decimals of [`Price`]: 18, so every feed's decimals up to 18 convert without loss.
pub const PRICE_DECIMALS: u32 = 18;
const ONE: u128 = 1_000_000_000_000_000_000;

/// The most characters of an untrusted text (a source's answer) an error message repeats.
pub const EXCERPT_CHARS: usize = 64;

/// `text` cut to [`EXCERPT_CHARS`] characters (with `…` when cut), for error messages: a
/// source's answer is untrusted and may be huge, and errors end up in logs and metrics.
pub fn excerpt(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// A non-negative price with [`PRICE_DECIMALS`] decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Price(pub u128);

/// Why a text is not a price. Each variant holds an [`excerpt`] of the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    /// Not decimal notation.
    #[error("{0:?} is not a decimal number")]
    Syntax(String),
    /// Negative prices do not exist.
    #[error("{0:?} is negative")]
    Negative(String),
    /// More digits or a larger value than fits.
    #[error("{0:?} does not fit (at most 18 decimals and about 3.4e20)")]
    Overflow(String),
}

impl Price {
    /// Parses `123`, `123.45`, `1_000.5`, `6.0e4`, `1.5E-3`: exact, or an error if the
    /// value needs more than 18 decimals or does not fit.
    pub fn parse(text: &str) -> Result<Self, DecimalError> {
        let original = text;
        let text = text.trim().replace('_', "");
        if text.starts_with('-') {
            return Err(DecimalError::Negative(excerpt(original)));
        }
        let text = text.strip_prefix('+').unwrap_or(&text);
        let syntax = || DecimalError::Syntax(excerpt(original));
        let overflow = || DecimalError::Overflow(excerpt(original));
        let (mantissa, exponent) = match text.find(['e', 'E']) {
            Some(at) => {
                let exponent: i32 = text[at + 1..].parse().map_err(|_| syntax())?;
                (&text[..at], exponent)
            }
            None => (text, 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if (whole.is_empty() && fraction.is_empty())
            || !whole
                .bytes()
                .chain(fraction.bytes())
                .all(|b| b.is_ascii_digit())
        {
            return Err(syntax());
        }
        let digits = format!("{whole}{fraction}");
        let digits = digits.trim_start_matches('0');
        // value = digits * 10^(exponent - fraction.len()); scaled by 10^18.
        let fraction_len = i32::try_from(fraction.len()).map_err(|_| overflow())?;
        let shift = exponent
            .checked_sub(fraction_len)
            .and_then(|s| s.checked_add(PRICE_DECIMALS as i32))
            .ok_or_else(overflow)?;
        if digits.is_empty() {
            return Ok(Price(0));
        }
        let mut value: u128 = digits.parse().map_err(|_| overflow())?;
        if shift >= 0 {
            let factor = 10u128
                .checked_pow(shift.unsigned_abs())
                .ok_or_else(overflow)?;
            value = value.checked_mul(factor).ok_or_else(overflow)?;
        } else {
            // Only trailing zeros may be dropped: anything else needs more than 18
            // decimals, and silently rounding a source's value is not ours to do.
            let divisor = 10u128
                .checked_pow(shift.unsigned_abs())
                .ok_or_else(overflow)?;
            if value % divisor != 0 {
                return Err(overflow());
            }
            value /= divisor;
        }
        Ok(Price(value))
    }

    /// `self * factor`, both with 18 decimals, rounded to nearest.
    pub fn scaled_by(self, factor: Price) -> Option<Price> {
        mul_div_nearest(self.0, factor.0, ONE).map(Price)
    }

    /// The value in units of `10^-decimals`, rounded to nearest; `None` if it does not fit.
    pub fn to_units(self, decimals: u8) -> Option<u128> {
        let decimals = u32::from(decimals);
        if decimals >= PRICE_DECIMALS {
            self.0
                .checked_mul(10u128.checked_pow(decimals - PRICE_DECIMALS)?)
        } else {
            let divisor = 10u128.pow(PRICE_DECIMALS - decimals);
            mul_div_nearest(self.0, 1, divisor)
        }
    }

    /// A price from units of `10^-decimals` (exact while `decimals <= 18`; above, rounded
    /// to nearest).
    pub fn from_units(units: u128, decimals: u8) -> Option<Price> {
        let decimals = u32::from(decimals);
        if decimals <= PRICE_DECIMALS {
            units
                .checked_mul(10u128.pow(PRICE_DECIMALS - decimals))
                .map(Price)
        } else {
            mul_div_nearest(units, 1, 10u128.checked_pow(decimals - PRICE_DECIMALS)?).map(Price)
        }
    }

    /// `|self - other| / other` in basis points (rounded down; `u128::MAX` when `other`
    /// is zero and `self` is not).
    pub fn deviation_bps(self, other: Price) -> u128 {
        let difference = self.0.abs_diff(other.0);
        if difference == 0 {
            return 0;
        }
        if other.0 == 0 {
            return u128::MAX;
        }
        mul_div_floor(difference, 10_000, other.0).unwrap_or(u128::MAX)
    }
}

impl fmt::Display for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / ONE;
        let fraction = self.0 % ONE;
        if fraction == 0 {
            return write!(f, "{whole}");
        }
        let digits = format!("{fraction:018}");
        write!(f, "{whole}.{}", digits.trim_end_matches('0'))
    }
}

/// `a * b / d` rounded down, without intermediate overflow for the ranges used here.
fn mul_div_floor(a: u128, b: u128, d: u128) -> Option<u128> {
    if d == 0 {
        return None;
    }
    match a.checked_mul(b) {
        Some(product) => Some(product / d),
        // a * b / d = (a / d) * b + (a % d) * b / d
        None => {
            let high = (a / d).checked_mul(b)?;
            let low = (a % d).checked_mul(b)? / d;
            high.checked_add(low)
        }
    }
}

/// `a * b / d` rounded to nearest, half away from zero.
fn mul_div_nearest(a: u128, b: u128, d: u128) -> Option<u128> {
    let floor = mul_div_floor(a, b, d)?;
    let remainder = match a.checked_mul(b) {
        Some(product) => product % d,
        None => ((a % d).checked_mul(b)?) % d,
    };
    if remainder >= d - remainder {
        floor.checked_add(1)
    } else {
        Some(floor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Price {
        Price::parse(text).unwrap()
    }

    #[test]
    fn parses_exactly() {
        assert_eq!(p("1"), Price(ONE));
        assert_eq!(p("60_123.45"), Price(60_123_450_000_000_000_000_000));
        assert_eq!(p("0.000000000000000001"), Price(1));
        assert_eq!(p("6.0e4"), p("60000"));
        assert_eq!(p("1.5E-3"), p("0.0015"));
        assert_eq!(p(".5"), p("0.5"));
        assert_eq!(p("5."), p("5"));
        assert_eq!(p("+2"), p("2"));
        assert_eq!(p("0"), Price(0));
        assert_eq!(
            p("1.000000000000000000000"),
            p("1"),
            "trailing zeros are exact"
        );
    }

    #[test]
    fn refuses_what_is_not_exact() {
        assert!(matches!(Price::parse("abc"), Err(DecimalError::Syntax(_))));
        assert!(matches!(Price::parse(""), Err(DecimalError::Syntax(_))));
        assert!(matches!(Price::parse("."), Err(DecimalError::Syntax(_))));
        assert!(matches!(Price::parse("1e"), Err(DecimalError::Syntax(_))));
        assert!(matches!(Price::parse("NaN"), Err(DecimalError::Syntax(_))));
        assert!(matches!(Price::parse("-1"), Err(DecimalError::Negative(_))));
        assert!(matches!(
            Price::parse("0.0000000000000000001"),
            Err(DecimalError::Overflow(_))
        ));
        assert!(matches!(
            Price::parse("1e300"),
            Err(DecimalError::Overflow(_))
        ));
        assert!(matches!(
            Price::parse("1e-300"),
            Err(DecimalError::Overflow(_))
        ));
    }

    #[test]
    fn converts_to_feed_units_rounding_to_nearest() {
        assert_eq!(p("60000.123456785").to_units(8), Some(6_000_012_345_679));
        assert_eq!(p("60000.123456784").to_units(8), Some(6_000_012_345_678));
        assert_eq!(p("1").to_units(0), Some(1));
        assert_eq!(p("0.5").to_units(0), Some(1), "half rounds away from zero");
        assert_eq!(p("1").to_units(36), Some(10u128.pow(36)));
        assert_eq!(p("1000").to_units(36), None, "does not fit");
        assert_eq!(
            Price::from_units(6_000_012_345_678, 8),
            Some(p("60000.12345678"))
        );
        assert_eq!(Price::from_units(10u128.pow(36), 36), Some(p("1")));
    }

    #[test]
    fn deviation_in_basis_points() {
        assert_eq!(p("101").deviation_bps(p("100")), 100);
        assert_eq!(p("99").deviation_bps(p("100")), 100);
        assert_eq!(p("100.009").deviation_bps(p("100")), 0);
        assert_eq!(p("1").deviation_bps(Price(0)), u128::MAX);
        assert_eq!(Price(0).deviation_bps(Price(0)), 0);
        let huge = Price(u128::MAX);
        assert!(huge.deviation_bps(Price(1)) == u128::MAX);
    }

    #[test]
    fn scaling_and_display() {
        assert_eq!(p("12345").scaled_by(p("0.01")), Some(p("123.45")));
        assert_eq!(p("60000.5").to_string(), "60000.5");
        assert_eq!(p("7").to_string(), "7");
    }
}
