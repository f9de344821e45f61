//! Reading decoded contract values (`contract_transcode::Value`): results, options,
//! struct fields, accounts and numbers.

use anyhow::{anyhow, Result};
use contract_transcode::Value;

/// `Some((variant, fields))` for an enum value (`Ok(x)`, `None`, `UnknownFeed`).
pub fn variant(value: &Value) -> Option<(String, Vec<&Value>)> {
    match value {
        Value::Tuple(t) => t.ident().map(|name| (name, t.values().collect())),
        Value::Map(m) => m.ident().map(|name| (name, m.values().collect())),
        _ => None,
    }
}

/// `Some(Ok(x))` / `Some(Err(e))` when `value` is a `Result`.
pub fn as_result(value: &Value) -> Option<Result<&Value, &Value>> {
    let (name, fields) = variant(value)?;
    match (name.as_str(), fields.as_slice()) {
        ("Ok", [inner]) => Some(Ok(inner)),
        ("Err", [inner]) => Some(Err(inner)),
        _ => None,
    }
}

/// Unwraps ink!'s outer `Result<T, LangError>`.
pub fn unwrap_result(value: &Value) -> Result<&Value, String> {
    match as_result(value) {
        Some(Ok(inner)) => Ok(inner),
        Some(Err(err)) => Err(err.to_string()),
        None => Ok(value),
    }
}

/// `Some(Some(x))` / `Some(None)` when `value` is an `Option`.
pub fn as_option(value: &Value) -> Option<Option<&Value>> {
    let (name, fields) = variant(value)?;
    match (name.as_str(), fields.as_slice()) {
        ("Some", [inner]) => Some(Some(inner)),
        ("None", []) => Some(None),
        _ => None,
    }
}

/// A struct field.
pub fn field<'a>(value: &'a Value, name: &str) -> Result<&'a Value> {
    match value {
        Value::Map(m) => m
            .get_by_str(name)
            .ok_or_else(|| anyhow!("no field `{name}` in {value}")),
        _ => Err(anyhow!("expected a struct with `{name}`, got {value}")),
    }
}

/// A path of struct fields (`"market.paused"`).
pub fn path<'a>(value: &'a Value, dotted: &str) -> Result<&'a Value> {
    dotted.split('.').try_fold(value, field)
}

/// An account, as SS58. The transcoder decodes `AccountId` as its SS58 literal, except
/// inside some containers (`Vec<AccountId>`), where it shows the raw `AccountId([u8; 32])`.
pub fn account(value: &Value) -> Result<String> {
    match value {
        Value::Literal(s) | Value::String(s) => Ok(s.clone()),
        _ => match variant(value) {
            Some((name, fields)) if name == "AccountId" && fields.len() == 1 => {
                let bytes = byte_array(fields[0])?;
                let raw: [u8; 32] = bytes
                    .try_into()
                    .map_err(|_| anyhow!("expected 32 bytes in {value}"))?;
                Ok(subxt::utils::AccountId32(raw).to_string())
            }
            _ => Err(anyhow!("expected an account, got {value}")),
        },
    }
}

/// Bytes from a `[u8; N]` value (a sequence of integers, or hex).
pub fn byte_array(value: &Value) -> Result<Vec<u8>> {
    match value {
        Value::Hex(h) => Ok(h.bytes().to_vec()),
        Value::Seq(s) => s
            .elems()
            .iter()
            .map(|v| {
                uint(v).and_then(|n| u8::try_from(n).map_err(|_| anyhow!("{n} is not a byte")))
            })
            .collect(),
        _ => Err(anyhow!("expected bytes, got {value}")),
    }
}

/// An `Option<AccountId>`.
pub fn option_account(value: &Value) -> Result<Option<String>> {
    match as_option(value) {
        Some(Some(inner)) => account(inner).map(Some),
        Some(None) => Ok(None),
        None => Err(anyhow!("expected an Option, got {value}")),
    }
}

/// An unsigned integer.
pub fn uint(value: &Value) -> Result<u128> {
    match value {
        Value::UInt(v) => Ok(*v),
        _ => Err(anyhow!("expected an unsigned integer, got {value}")),
    }
}

/// The variant name of a field-less enum value (`Ok`, `Stale`).
pub fn unit_variant(value: &Value) -> Result<String> {
    match variant(value) {
        Some((name, fields)) if fields.is_empty() => Ok(name),
        _ => match value {
            Value::Literal(s) => Ok(s.clone()),
            _ => Err(anyhow!("expected a field-less enum, got {value}")),
        },
    }
}

/// The names of the `true` fields of a struct of flags (a market's paused actions).
pub fn true_flags(value: &Value) -> Result<Vec<String>> {
    match value {
        Value::Map(m) => Ok(m
            .iter()
            .filter(|(_, v)| matches!(v, Value::Bool(true)))
            .map(|(k, _)| match k {
                Value::String(s) | Value::Literal(s) => s.clone(),
                other => other.to_string(),
            })
            .collect()),
        _ => Err(anyhow!("expected a struct of flags, got {value}")),
    }
}

/// The items of a tuple (`(price, observed_at)`).
pub fn tuple_items(value: &Value) -> Result<Vec<&Value>> {
    match value {
        Value::Tuple(t) => Ok(t.values().collect()),
        Value::Seq(s) => Ok(s.elems().iter().collect()),
        _ => Err(anyhow!("expected a tuple, got {value}")),
    }
}

/// The elements of a sequence (`Vec<T>`).
pub fn seq(value: &Value) -> Result<Vec<&Value>> {
    match value {
        Value::Seq(s) => Ok(s.elems().iter().collect()),
        _ => Err(anyhow!("expected a sequence, got {value}")),
    }
}
