//! Price sources behind one small trait. A source answers with an [`Observation`] (a
//! price and when it was observed) or says why it cannot; the relayer asks every source
//! of an asset each round, with a timeout, and aggregates the ones that answered
//! ([`crate::aggregate`]).

pub mod file;
pub mod http;
pub mod sim;

use crate::decimal::{excerpt, DecimalError, Price};
use futures::future::BoxFuture;

/// A price as a source saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observation {
    /// The price in quote units per whole asset.
    pub price: Price,
    /// When it was observed (Unix seconds).
    pub observed_at_secs: u64,
}

/// Why a source gave no price this round.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// No answer within the source's timeout.
    #[error("no answer within {0} ms")]
    Timeout(u64),
    /// The transport failed (connection refused, file missing, ...).
    #[error("{0}")]
    Unavailable(String),
    /// The answer came but is not a usable price.
    #[error("unusable answer: {0}")]
    Malformed(String),
    /// The price text is not an exact decimal.
    #[error("unusable price: {0}")]
    Decimal(#[from] DecimalError),
}

/// One place prices come from.
pub trait PriceSource: Send + Sync {
    /// A short name for logs and metrics (`kind:detail`).
    fn name(&self) -> &str;

    /// The current price; `now_secs` is the relayer's clock (Unix seconds).
    fn fetch(&self, now_secs: u64) -> BoxFuture<'_, Result<Observation, SourceError>>;
}

/// A JSON value that holds a price: a number or a decimal string.
fn price_from_json(value: &serde_json::Value) -> Result<Price, SourceError> {
    match value {
        serde_json::Value::String(text) => Ok(Price::parse(text)?),
        // serde_json prints a number back in its shortest exact form ("60123.45").
        serde_json::Value::Number(number) => Ok(Price::parse(&number.to_string())?),
        other => Err(SourceError::Malformed(format!(
            "expected a number or a decimal string, found {}",
            excerpt(&other.to_string())
        ))),
    }
}

/// A JSON value that holds a Unix time, in seconds or milliseconds as configured.
fn time_from_json(value: &serde_json::Value, unit: TimeUnit) -> Result<u64, SourceError> {
    let raw = match value {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| {
        SourceError::Malformed(format!(
            "{} is not a Unix time",
            excerpt(&value.to_string())
        ))
    })?;
    Ok(match unit {
        TimeUnit::Seconds => raw,
        TimeUnit::Milliseconds => raw / 1000,
    })
}

/// The unit of a source's timestamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// Unix seconds.
    #[default]
    Seconds,
    /// Unix milliseconds.
    Milliseconds,
}

/// Reads `pointer` (RFC 6901, "" = the whole document) out of a JSON document.
fn at_pointer<'a>(
    document: &'a serde_json::Value,
    pointer: &str,
) -> Result<&'a serde_json::Value, SourceError> {
    document
        .pointer(pointer)
        .ok_or_else(|| SourceError::Malformed(format!("nothing at JSON pointer {pointer:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_prices_are_exact() {
        assert_eq!(
            price_from_json(&json!("60123.45")).unwrap(),
            Price::parse("60123.45").unwrap()
        );
        assert_eq!(
            price_from_json(&json!(60123.45)).unwrap(),
            Price::parse("60123.45").unwrap()
        );
        assert!(matches!(
            price_from_json(&json!(null)),
            Err(SourceError::Malformed(_))
        ));
        assert!(matches!(
            price_from_json(&json!("-3")),
            Err(SourceError::Decimal(_))
        ));
    }

    #[test]
    fn json_times_in_either_unit() {
        assert_eq!(
            time_from_json(&json!(1_700_000_000), TimeUnit::Seconds).unwrap(),
            1_700_000_000
        );
        assert_eq!(
            time_from_json(&json!("1700000000123"), TimeUnit::Milliseconds).unwrap(),
            1_700_000_000
        );
        assert!(time_from_json(&json!(-1), TimeUnit::Seconds).is_err());
    }

    #[test]
    fn pointers() {
        let doc = json!({"data": [{"p": "1"}]});
        assert_eq!(at_pointer(&doc, "/data/0/p").unwrap(), &json!("1"));
        assert!(at_pointer(&doc, "/data/1/p").is_err());
        assert_eq!(at_pointer(&doc, "").unwrap(), &doc);
    }
}
