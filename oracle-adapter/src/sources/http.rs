//! An HTTP JSON source: `GET url`, read the price at a JSON pointer, multiply by `scale`.
//! Works with any exchange-style REST endpoint (`{"price": "60123.45"}`,
//! `{"data": {"amount": "..."}}`, `[["60123.4", ...]]` ...). The observation time is the
//! document's own timestamp when a pointer for it is configured, otherwise the time the
//! answer arrived.

use super::{at_pointer, price_from_json, time_from_json, Observation, PriceSource, SourceError};
use crate::decimal::Price;
use crate::sources::TimeUnit;
use futures::future::BoxFuture;
use std::time::Duration;

/// Settings of one HTTP source.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// The endpoint (http or https).
    pub url: reqwest::Url,
    /// RFC 6901 pointer to the price in the JSON answer.
    pub price_pointer: String,
    /// Multiplies the value found (e.g. 0.01 for cents, or an inverse rate).
    pub scale: Price,
    /// Pointer to the observation time, if the answer carries one.
    pub timestamp_pointer: Option<String>,
    /// Unit of that timestamp.
    pub timestamp_unit: TimeUnit,
    /// Whole-request timeout.
    pub timeout: Duration,
}

/// An HTTP JSON price source.
pub struct HttpSource {
    name: String,
    settings: HttpSettings,
    client: reqwest::Client,
}

impl HttpSource {
    /// A source for `settings`.
    pub fn new(settings: HttpSettings) -> Result<Self, SourceError> {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .user_agent(concat!("carrack-relayer/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SourceError::Unavailable(format!("cannot build an HTTP client: {e}")))?;
        let host = settings.url.host_str().unwrap_or("?");
        Ok(Self {
            name: format!("http:{host}{}", settings.url.path()),
            settings,
            client,
        })
    }

    async fn get(&self, now_secs: u64) -> Result<Observation, SourceError> {
        let timeout_ms = u64::try_from(self.settings.timeout.as_millis()).unwrap_or(u64::MAX);
        let transport = |e: reqwest::Error| {
            if e.is_timeout() {
                SourceError::Timeout(timeout_ms)
            } else {
                SourceError::Unavailable(format!("request failed: {e}"))
            }
        };
        let response = self
            .client
            .get(self.settings.url.clone())
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        if !status.is_success() {
            return Err(SourceError::Unavailable(format!("HTTP {status}")));
        }
        let body = response.bytes().await.map_err(transport)?;
        let document: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| SourceError::Malformed(format!("not JSON ({e})")))?;
        let raw = price_from_json(at_pointer(&document, &self.settings.price_pointer)?)?;
        let price = raw
            .scaled_by(self.settings.scale)
            .ok_or_else(|| SourceError::Malformed(format!("{raw} x scale overflows")))?;
        let observed_at_secs = match &self.settings.timestamp_pointer {
            Some(pointer) => time_from_json(
                at_pointer(&document, pointer)?,
                self.settings.timestamp_unit,
            )?,
            None => now_secs,
        };
        Ok(Observation {
            price,
            observed_at_secs,
        })
    }
}

impl PriceSource for HttpSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn fetch(&self, now_secs: u64) -> BoxFuture<'_, Result<Observation, SourceError>> {
        Box::pin(self.get(now_secs))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// A one-route HTTP server on a free loopback port answering every request with
    /// `status` and `body` after `delay`; returns its base URL.
    pub async fn serve(status: u16, body: &'static str, delay: Duration) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(async move {
                    let mut request = [0u8; 2048];
                    let _ = stream.read(&mut request).await;
                    tokio::time::sleep(delay).await;
                    let response = format!(
                        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n\
                         content-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = stream.write_all(response.as_bytes()).await;
                });
            }
        });
        format!("http://{address}")
    }

    fn settings(url: &str, pointer: &str) -> HttpSettings {
        HttpSettings {
            url: reqwest::Url::parse(url).unwrap(),
            price_pointer: pointer.into(),
            scale: Price::parse("1").unwrap(),
            timestamp_pointer: None,
            timestamp_unit: TimeUnit::Seconds,
            timeout: Duration::from_millis(500),
        }
    }

    #[tokio::test]
    async fn reads_a_price_at_a_pointer_and_scales_it() {
        let url = serve(200, r#"{"data":{"price":"6012345"}}"#, Duration::ZERO).await;
        let mut s = settings(&format!("{url}/ticker"), "/data/price");
        s.scale = Price::parse("0.01").unwrap();
        let source = HttpSource::new(s).unwrap();
        assert!(source.name().starts_with("http:127.0.0.1/ticker"));
        let seen = source.fetch(1_000).await.unwrap();
        assert_eq!(seen.price, Price::parse("60123.45").unwrap());
        assert_eq!(
            seen.observed_at_secs, 1_000,
            "no timestamp pointer: arrival time"
        );
    }

    #[tokio::test]
    async fn takes_the_documents_own_timestamp() {
        let url = serve(200, r#"{"p":61000.5,"t":1700000000123}"#, Duration::ZERO).await;
        let mut s = settings(&url, "/p");
        s.timestamp_pointer = Some("/t".into());
        s.timestamp_unit = TimeUnit::Milliseconds;
        let seen = HttpSource::new(s)
            .unwrap()
            .fetch(1_800_000_000)
            .await
            .unwrap();
        assert_eq!(seen.price, Price::parse("61000.5").unwrap());
        assert_eq!(seen.observed_at_secs, 1_700_000_000);
    }

    #[tokio::test]
    async fn failures_are_named() {
        let slow = serve(200, r#"{"p":"1"}"#, Duration::from_secs(3)).await;
        let err = HttpSource::new(settings(&slow, "/p"))
            .unwrap()
            .fetch(0)
            .await;
        assert!(matches!(err, Err(SourceError::Timeout(500))), "{err:?}");

        let down = serve(503, "{}", Duration::ZERO).await;
        let err = HttpSource::new(settings(&down, "/p"))
            .unwrap()
            .fetch(0)
            .await;
        assert!(
            matches!(&err, Err(SourceError::Unavailable(m)) if m.contains("503")),
            "{err:?}"
        );

        let html = serve(200, "<html>", Duration::ZERO).await;
        let err = HttpSource::new(settings(&html, "/p"))
            .unwrap()
            .fetch(0)
            .await;
        assert!(matches!(err, Err(SourceError::Malformed(_))), "{err:?}");

        let wrong = serve(200, r#"{"q":"1"}"#, Duration::ZERO).await;
        let err = HttpSource::new(settings(&wrong, "/p"))
            .unwrap()
            .fetch(0)
            .await;
        assert!(
            matches!(&err, Err(SourceError::Malformed(m)) if m.contains("/p")),
            "{err:?}"
        );

        // Nothing listens on port 9 of loopback.
        let err = HttpSource::new(settings("http://127.0.0.1:9/", "/p"))
            .unwrap()
            .fetch(0)
            .await;
        assert!(matches!(err, Err(SourceError::Unavailable(_))), "{err:?}");
    }
}
