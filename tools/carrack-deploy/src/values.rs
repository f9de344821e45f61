//! Reading the `call` subcommand's replies, decoded by a bundle's metadata
//! (`contract_transcode::Value`): ink!'s outer result. The deploy steps and `status` read
//! replies as the contracts' own types instead (`messages.rs`).

use anyhow::Result;
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
