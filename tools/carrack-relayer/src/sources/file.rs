//! A file source: a file holding either a bare decimal price ("60123.45") or a JSON
//! document read with a pointer, as written by another process (a cron job, an operator,
//! a test). The observation time is the document's timestamp when a pointer for it is
//! configured, otherwise the file's modification time, so a file nobody updates ages out
//! of the relayer's `max_source_age_secs` like any other stale source.

use super::{at_pointer, price_from_json, time_from_json, Observation, PriceSource, SourceError};
use crate::decimal::Price;
use crate::sources::TimeUnit;
use futures::future::BoxFuture;
use std::path::PathBuf;
use std::time::UNIX_EPOCH;

/// Settings of one file source.
#[derive(Debug, Clone)]
pub struct FileSettings {
    /// The file.
    pub path: PathBuf,
    /// Pointer to the price when the file is JSON; `None`: the file is a bare number.
    pub price_pointer: Option<String>,
    /// Multiplies the value found.
    pub scale: Price,
    /// Pointer to the observation time in a JSON file.
    pub timestamp_pointer: Option<String>,
    /// Unit of that timestamp.
    pub timestamp_unit: TimeUnit,
}

/// A price file.
pub struct FileSource {
    name: String,
    settings: FileSettings,
}

impl FileSource {
    /// A source for `settings`.
    pub fn new(settings: FileSettings) -> Self {
        Self {
            name: format!("file:{}", settings.path.display()),
            settings,
        }
    }

    async fn read(&self) -> Result<Observation, SourceError> {
        let path = &self.settings.path;
        let unavailable =
            |e: std::io::Error| SourceError::Unavailable(format!("{}: {e}", path.display()));
        let text = tokio::fs::read_to_string(path).await.map_err(unavailable)?;
        let modified = tokio::fs::metadata(path)
            .await
            .and_then(|m| m.modified())
            .map_err(unavailable)?;
        let mtime_secs = modified
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let (raw, observed_at_secs) = match &self.settings.price_pointer {
            None => (Price::parse(text.trim())?, mtime_secs),
            Some(pointer) => {
                let document: serde_json::Value = serde_json::from_str(&text)
                    .map_err(|e| SourceError::Malformed(format!("not JSON ({e})")))?;
                let price = price_from_json(at_pointer(&document, pointer)?)?;
                let time = match &self.settings.timestamp_pointer {
                    Some(t) => {
                        time_from_json(at_pointer(&document, t)?, self.settings.timestamp_unit)?
                    }
                    None => mtime_secs,
                };
                (price, time)
            }
        };
        let price = raw
            .scaled_by(self.settings.scale)
            .ok_or_else(|| SourceError::Malformed(format!("{raw} x scale overflows")))?;
        Ok(Observation {
            price,
            observed_at_secs,
        })
    }
}

impl PriceSource for FileSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn fetch(&self, _now_secs: u64) -> BoxFuture<'_, Result<Observation, SourceError>> {
        Box::pin(self.read())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(path: PathBuf) -> FileSettings {
        FileSettings {
            path,
            price_pointer: None,
            scale: Price::parse("1").unwrap(),
            timestamp_pointer: None,
            timestamp_unit: TimeUnit::Seconds,
        }
    }

    #[tokio::test]
    async fn a_bare_number_observed_at_its_modification_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("price");
        std::fs::write(&path, "60123.45\n").unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let seen = FileSource::new(settings(path)).fetch(0).await.unwrap();
        assert_eq!(seen.price, Price::parse("60123.45").unwrap());
        assert!(
            seen.observed_at_secs.abs_diff(now) <= 2,
            "mtime {seen:?} vs {now}"
        );
    }

    #[tokio::test]
    async fn json_with_its_own_timestamp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("price.json");
        std::fs::write(&path, r#"{"eth":{"usd":"3000.5","at":1700000000}}"#).unwrap();
        let mut s = settings(path);
        s.price_pointer = Some("/eth/usd".into());
        s.timestamp_pointer = Some("/eth/at".into());
        let seen = FileSource::new(s).fetch(0).await.unwrap();
        assert_eq!(seen.price, Price::parse("3000.5").unwrap());
        assert_eq!(seen.observed_at_secs, 1_700_000_000);
    }

    #[tokio::test]
    async fn missing_and_garbled_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = FileSource::new(settings(dir.path().join("none")));
        assert!(matches!(
            missing.fetch(0).await,
            Err(SourceError::Unavailable(_))
        ));
        let path = dir.path().join("garbled");
        std::fs::write(&path, "sixty thousand").unwrap();
        let garbled = FileSource::new(settings(path));
        assert!(matches!(
            garbled.fetch(0).await,
            Err(SourceError::Decimal(_))
        ));
    }
}
