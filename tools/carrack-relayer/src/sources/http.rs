//! An HTTP JSON source: `GET url`, read the price at a JSON pointer, multiply by `scale`.
//! Works with any exchange-style REST endpoint (`{"price": "60123.45"}`,
//! `{"data": {"amount": "..."}}`, `[["60123.4", ...]]` ...). The observation time is the
//! document's own timestamp when a pointer for it is configured, otherwise the time the
//! answer arrived.
//!
//! A source is untrusted: its answer is read up to [`MAX_ANSWER_BYTES`] and refused
//! beyond, redirects are not followed (a 3xx is a failed answer), and no error message
//! carries the URL (it may hold an API key) or more than an excerpt of the answer.

use super::{at_pointer, price_from_json, time_from_json, Observation, PriceSource, SourceError};
use crate::decimal::Price;
use crate::sources::TimeUnit;
use futures::future::BoxFuture;
use std::time::Duration;

/// The largest answer accepted from a source: price documents are a few hundred bytes.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// Settings of one HTTP source.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// The endpoint (https; http only on loopback, checked by the config).
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
            .redirect(reqwest::redirect::Policy::none())
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
                SourceError::Unavailable(format!("request failed: {}", without_url(e)))
            }
        };
        let mut response = self
            .client
            .get(self.settings.url.clone())
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        if !status.is_success() {
            return Err(SourceError::Unavailable(format!("HTTP {status}")));
        }
        let too_large = || {
            SourceError::Malformed(format!(
                "answer larger than {} KiB",
                MAX_ANSWER_BYTES / 1024
            ))
        };
        if response
            .content_length()
            .is_some_and(|n| n > MAX_ANSWER_BYTES as u64)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
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

/// A transport error's text with its causes, without the URL reqwest appends (it may carry
/// credentials: user:password, an API key in the query).
fn without_url(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(&error);
    while let Some(c) = cause {
        text = format!("{text}: {c}");
        cause = c.source();
    }
    text
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

    /// A loopback server whose every answer is `head` (status line and headers, without
    /// the blank line) followed by `body_len` bytes of `{"p":"1111…`, written in 64 KiB
    /// pieces (stops early when the client hangs up); returns its base URL.
    async fn serve_raw(head: String, body_len: usize) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                let head = head.clone();
                tokio::spawn(async move {
                    let mut request = [0u8; 2048];
                    let _ = stream.read(&mut request).await;
                    if stream
                        .write_all(format!("{head}\r\n\r\n{{\"p\":\"").as_bytes())
                        .await
                        .is_err()
                    {
                        return;
                    }
                    let piece = vec![b'1'; 64 * 1024];
                    let mut sent = 0;
                    while sent < body_len {
                        let n = piece.len().min(body_len - sent);
                        if stream.write_all(&piece[..n]).await.is_err() {
                            return;
                        }
                        sent += n;
                    }
                });
            }
        });
        format!("http://{address}")
    }

    #[tokio::test]
    async fn huge_answers_are_refused_without_reading_them_whole() {
        const HUNDRED_MB: usize = 100 * 1024 * 1024;
        // With a Content-Length, and streamed without one (connection: close).
        for head in [
            format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {HUNDRED_MB}"
            ),
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close".to_string(),
        ] {
            let url = serve_raw(head.clone(), HUNDRED_MB).await;
            let mut s = settings(&url, "/p");
            s.timeout = Duration::from_secs(20);
            let started = std::time::Instant::now();
            let err = HttpSource::new(s).unwrap().fetch(0).await;
            assert!(
                matches!(&err, Err(SourceError::Malformed(m)) if m == "answer larger than 64 KiB"),
                "{head}: {err:?}"
            );
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{head}: read too long"
            );
        }
    }

    #[tokio::test]
    async fn redirects_are_not_followed() {
        let target = serve(200, r#"{"p":"1"}"#, Duration::ZERO).await;
        let redirect = serve_raw(
            format!("HTTP/1.1 302 Found\r\nlocation: {target}/\r\ncontent-length: 0"),
            0,
        )
        .await;
        let err = HttpSource::new(settings(&redirect, "/p"))
            .unwrap()
            .fetch(0)
            .await;
        assert!(
            matches!(&err, Err(SourceError::Unavailable(m)) if m.contains("302")),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn errors_carry_no_credentials_and_only_an_excerpt_of_the_answer() {
        // Nothing listens on port 9 of loopback: a transport error.
        let source = HttpSource::new(settings(
            "http://operator:hunter2@127.0.0.1:9/p?apikey=s3cr3t",
            "/p",
        ))
        .unwrap();
        assert!(!source.name().contains("hunter2") && !source.name().contains("s3cr3t"));
        let err = format!("{}", source.fetch(0).await.unwrap_err());
        assert!(!err.contains("hunter2") && !err.contains("s3cr3t"), "{err}");
        assert!(err.starts_with("request failed: "), "{err}");

        // A non-price of over 64 characters: the error repeats only an excerpt of it.
        let garbage = serve(200, r#"{"p":"1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111x"}"#, Duration::ZERO).await;
        let err = format!(
            "{}",
            HttpSource::new(settings(&garbage, "/p"))
                .unwrap()
                .fetch(0)
                .await
                .unwrap_err()
        );
        assert!(err.contains('…') && err.len() < 140, "{err}");
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
