//! Exact decimal quantities from the config, turned into the integers the contracts take.
//!
//! TOML integers stop at `i64`, and most of Carrack's numbers are `u128` fixed point, so
//! quantities are written as strings in human units and converted exactly here:
//!
//! - token amounts in whole tokens (`"1000000"`, `"0.5"`, `"1_000"`), scaled by the
//!   token's decimals; more fractional digits than the token has is an error, never a
//!   silent rounding;
//! - ratios as a percentage (`"75%"`) or a plain decimal (`"0.75"`), scaled to WAD
//!   (1.0 = 10^18) or to basis points;
//! - `"unlimited"` for a cap means `u128::MAX`.
//!
//! Plain TOML integers are accepted too and mean the same as their decimal string.

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Deserializer};
use std::fmt;

/// 10^18, the contracts' 1.0 for ratios and values.
pub const WAD_DECIMALS: u32 = 18;

/// A decimal number as written in the config: a string or an integer.
#[derive(Clone, PartialEq, Eq)]
pub struct Decimal(pub String);

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Decimal;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a decimal number as a string (\"1_000.5\", \"75%\") or an integer")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Decimal, E> {
                Ok(Decimal(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Decimal, E> {
                Ok(Decimal(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Decimal, E> {
                Ok(Decimal(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Decimal, E> {
                Err(E::custom(format!(
                    "{v} is a float: write it as a string (\"{v}\") so it converts exactly"
                )))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl From<&str> for Decimal {
    fn from(value: &str) -> Self {
        Decimal(value.to_string())
    }
}

/// `text` (digits, optional `.` and fraction, `_` separators) times `10^decimals`, exactly.
pub fn parse_scaled(text: &str, decimals: u32) -> Result<u128> {
    let cleaned: String = text.trim().chars().filter(|c| *c != '_').collect();
    if cleaned.is_empty() {
        bail!("empty number");
    }
    let (int_part, frac_part) = match cleaned.split_once('.') {
        Some((i, f)) => (i, f),
        None => (cleaned.as_str(), ""),
    };
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if !all_digits(int_part)
        || !all_digits(frac_part)
        || (int_part.is_empty() && frac_part.is_empty())
    {
        bail!("{text:?} is not a non-negative decimal number");
    }
    let frac_trimmed = frac_part.trim_end_matches('0');
    if frac_trimmed.len() > decimals as usize {
        bail!(
            "{text:?} has more than {decimals} fractional digits and cannot be represented exactly"
        );
    }
    let overflow =
        || anyhow::anyhow!("{text:?} is too large (above u128::MAX in the smallest unit)");
    let scale = 10u128.checked_pow(decimals).ok_or_else(overflow)?;
    let int_value: u128 = if int_part.is_empty() {
        0
    } else {
        int_part.parse::<u128>().map_err(|_| overflow())?
    };
    let mut frac_value: u128 = 0;
    if !frac_trimmed.is_empty() {
        let digits: u128 = frac_trimmed.parse().map_err(|_| overflow())?;
        let pad = decimals - frac_trimmed.len() as u32;
        frac_value = digits
            .checked_mul(10u128.checked_pow(pad).ok_or_else(overflow)?)
            .ok_or_else(overflow)?;
    }
    int_value
        .checked_mul(scale)
        .and_then(|v| v.checked_add(frac_value))
        .ok_or_else(overflow)
}

/// A token amount in whole tokens, in the token's smallest unit.
pub fn amount(value: &Decimal, decimals: u8) -> Result<u128> {
    parse_scaled(&value.0, u32::from(decimals))
}

/// A cap: a token amount, or `"unlimited"` for `u128::MAX`.
pub fn cap(value: &Decimal, decimals: u8) -> Result<u128> {
    if value.0.trim().eq_ignore_ascii_case("unlimited") {
        return Ok(u128::MAX);
    }
    amount(value, decimals)
}

/// A ratio written as `"75%"` or `"0.75"`, scaled so that 1.0 = `10^decimals`.
pub fn ratio_scaled(value: &Decimal, decimals: u32) -> Result<u128> {
    let text = value.0.trim();
    if let Some(percent) = text.strip_suffix('%') {
        // p % = p / 100, so scaled by 10^(decimals - 2).
        let decimals = decimals
            .checked_sub(2)
            .context("percentages need at least 2 decimals")?;
        return parse_scaled(percent.trim(), decimals)
            .with_context(|| format!("in the percentage {text:?}"));
    }
    parse_scaled(text, decimals)
}

/// A ratio in WAD (1.0 = 10^18).
pub fn wad(value: &Decimal) -> Result<u128> {
    ratio_scaled(value, WAD_DECIMALS)
}

/// A ratio in basis points (100 % = 10,000), as the governor's quorum.
pub fn bps(value: &Decimal) -> Result<u16> {
    let v = ratio_scaled(value, 4)?;
    u16::try_from(v).with_context(|| format!("{:?} is too large for basis points", value.0))
}

/// `raw` in units of `10^decimals`, as a short human string ("1.05", "60000").
pub fn format_scaled(raw: u128, decimals: u32) -> String {
    if raw == u128::MAX {
        return "unlimited".to_string();
    }
    let Some(scale) = 10u128.checked_pow(decimals) else {
        return raw.to_string();
    };
    let int = raw / scale;
    let frac = raw % scale;
    if frac == 0 {
        return int.to_string();
    }
    let frac = format!("{frac:0width$}", width = decimals as usize);
    format!("{int}.{}", frac.trim_end_matches('0'))
}

/// A WAD ratio as a percentage ("75%").
pub fn format_percent(raw_wad: u128) -> String {
    format!("{}%", format_scaled(raw_wad, WAD_DECIMALS - 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WAD: u128 = 1_000_000_000_000_000_000;

    #[test]
    fn amounts_scale_exactly() {
        assert_eq!(amount(&"1".into(), 6).unwrap(), 1_000_000);
        assert_eq!(amount(&"1_000.5".into(), 6).unwrap(), 1_000_500_000);
        assert_eq!(amount(&"0.000001".into(), 6).unwrap(), 1);
        assert_eq!(amount(&"60000".into(), 8).unwrap(), 6_000_000_000_000);
        assert!(amount(&"1.5".into(), 0)
            .unwrap_err()
            .to_string()
            .contains("fractional"));
        assert_eq!(amount(&"1.50".into(), 1).unwrap(), 15);
        assert!(amount(&"0.0000001".into(), 6).is_err());
        assert!(amount(&"-1".into(), 6).is_err());
        assert!(amount(&"1e6".into(), 6).is_err());
        assert!(amount(&"".into(), 6).is_err());
        assert!(amount(&"340282366920938463463374607431768211456".into(), 0).is_err());
        assert_eq!(cap(&"unlimited".into(), 18).unwrap(), u128::MAX);
    }

    #[test]
    fn ratios_accept_percent_and_decimal() {
        assert_eq!(wad(&"75%".into()).unwrap(), 75 * WAD / 100);
        assert_eq!(wad(&"0.75".into()).unwrap(), 75 * WAD / 100);
        assert_eq!(wad(&"105%".into()).unwrap(), 105 * WAD / 100);
        assert_eq!(wad(&"1.05".into()).unwrap(), 105 * WAD / 100);
        assert_eq!(wad(&"0.5%".into()).unwrap(), WAD / 200);
        assert_eq!(bps(&"4%".into()).unwrap(), 400);
        assert_eq!(bps(&"0.04".into()).unwrap(), 400);
        assert!(bps(&"0.001%".into()).is_err());
        assert!(bps(&"1000%".into()).is_err());
    }

    #[test]
    fn formatting_round_trips() {
        assert_eq!(format_scaled(1_050_000, 6), "1.05");
        assert_eq!(format_scaled(6_000_000_000_000, 8), "60000");
        assert_eq!(format_percent(75 * WAD / 100), "75%");
        assert_eq!(format_percent(WAD / 200), "0.5%");
        assert_eq!(format_scaled(u128::MAX, 18), "unlimited");
    }
}
