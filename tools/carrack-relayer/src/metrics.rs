//! What the relayer has been doing, as Prometheus text on `GET /metrics`: connection state,
//! last report and last error per asset, submissions by outcome, and each source's health
//! and last price. One mutex around plain maps; rendering sorts, so output is stable.

use carrack_client::http;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// Shared metrics.
#[derive(Clone, Default)]
pub struct Metrics(Arc<Mutex<State>>);

#[derive(Default)]
struct State {
    connected: bool,
    reconnects: u64,
    last_round_secs: u64,
    last_error_secs: u64,
    last_error: String,
    submissions: BTreeMap<(String, &'static str), u64>,
    last_submission_secs: BTreeMap<String, u64>,
    aggregate_price: BTreeMap<String, f64>,
    refused_confirmations: BTreeMap<String, u64>,
    source_up: BTreeMap<(String, String), bool>,
    source_price: BTreeMap<(String, String), f64>,
}

impl Metrics {
    fn with(&self, f: impl FnOnce(&mut State)) {
        // A poisoned lock only means a panic elsewhere; the numbers are still usable.
        let mut state = self.0.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut state);
    }

    /// The node connection is up or down.
    pub fn set_connected(&self, connected: bool) {
        self.with(|s| {
            if connected && !s.connected {
                s.reconnects += 1;
            }
            s.connected = connected;
        });
    }

    /// A round finished at `now_secs`.
    pub fn round_done(&self, now_secs: u64) {
        self.with(|s| s.last_round_secs = now_secs);
    }

    /// An error worth alerting on.
    pub fn error(&self, now_secs: u64, message: &str) {
        self.with(|s| {
            s.last_error_secs = now_secs;
            s.last_error = message.to_string();
        });
    }

    /// A submission ended with `outcome` (`included`, `failed`, `refused`, `unknown`).
    pub fn submission(&self, asset: &str, outcome: &'static str, now_secs: u64) {
        self.with(|s| {
            *s.submissions
                .entry((asset.to_string(), outcome))
                .or_default() += 1;
            if outcome == "included" {
                s.last_submission_secs.insert(asset.to_string(), now_secs);
            }
        });
    }

    /// A source answered (`Some(price)`) or not.
    pub fn source(&self, asset: &str, source: &str, price: Option<f64>) {
        self.with(|s| {
            let key = (asset.to_string(), source.to_string());
            s.source_up.insert(key.clone(), price.is_some());
            if let Some(price) = price {
                s.source_price.insert(key, price);
            }
        });
    }

    /// We reported our own price in a round that could confirm a held-back candidate our
    /// aggregate disagrees with (beyond the feed's deviation limit).
    pub fn refused_confirmation(&self, asset: &str) {
        self.with(|s| {
            *s.refused_confirmations
                .entry(asset.to_string())
                .or_default() += 1;
        });
    }

    /// The asset's aggregate this round.
    pub fn aggregate(&self, asset: &str, price: f64) {
        self.with(|s| {
            s.aggregate_price.insert(asset.to_string(), price);
        });
    }

    /// Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.with(|s| {
            let mut metric = |name: &str, kind: &str, help: &str, rows: Vec<(String, String)>| {
                out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n"));
                for (labels, value) in rows {
                    out.push_str(&format!("{name}{labels} {value}\n"));
                }
            };
            metric(
                "carrack_relayer_connected",
                "gauge",
                "1 while connected to the node.",
                vec![(String::new(), u8::from(s.connected).to_string())],
            );
            metric(
                "carrack_relayer_connects_total",
                "counter",
                "Successful connections to the node (the first and every reconnection).",
                vec![(String::new(), s.reconnects.to_string())],
            );
            metric(
                "carrack_relayer_last_round_timestamp_seconds",
                "gauge",
                "When the last round finished (Unix seconds).",
                vec![(String::new(), s.last_round_secs.to_string())],
            );
            metric(
                "carrack_relayer_last_error_timestamp_seconds",
                "gauge",
                "When the last error happened (Unix seconds), 0 if never.",
                vec![(String::new(), s.last_error_secs.to_string())],
            );
            metric(
                "carrack_relayer_last_error_info",
                "gauge",
                "The last error's message.",
                vec![(
                    format!("{{message=\"{}\"}}", escape(&s.last_error)),
                    "1".into(),
                )],
            );
            metric(
                "carrack_relayer_submissions_total",
                "counter",
                "Submissions by asset and outcome (included, failed, refused, unknown).",
                s.submissions
                    .iter()
                    .map(|((asset, outcome), n)| {
                        (
                            format!("{{asset=\"{}\",outcome=\"{outcome}\"}}", escape(asset)),
                            n.to_string(),
                        )
                    })
                    .collect(),
            );
            metric(
                "carrack_relayer_last_submission_timestamp_seconds",
                "gauge",
                "When a submission for the asset was last included (Unix seconds).",
                s.last_submission_secs
                    .iter()
                    .map(|(asset, t)| (format!("{{asset=\"{}\"}}", escape(asset)), t.to_string()))
                    .collect(),
            );
            metric(
                "carrack_relayer_aggregate_price",
                "gauge",
                "The asset's aggregated source price in the last round.",
                s.aggregate_price
                    .iter()
                    .map(|(asset, p)| (format!("{{asset=\"{}\"}}", escape(asset)), p.to_string()))
                    .collect(),
            );
            metric(
                "carrack_relayer_refused_confirmations_total",
                "counter",
                "Reports of our own price against a held-back candidate our aggregate is beyond the deviation limit of (a source or other reporters disagree with us: investigate).",
                s.refused_confirmations
                    .iter()
                    .map(|(asset, n)| (format!("{{asset=\"{}\"}}", escape(asset)), n.to_string()))
                    .collect(),
            );
            let labels = |(asset, source): &(String, String)| {
                format!(
                    "{{asset=\"{}\",source=\"{}\"}}",
                    escape(asset),
                    escape(source)
                )
            };
            metric(
                "carrack_relayer_source_up",
                "gauge",
                "1 if the source answered usefully in the last round.",
                s.source_up
                    .iter()
                    .map(|(k, up)| (labels(k), u8::from(*up).to_string()))
                    .collect(),
            );
            metric(
                "carrack_relayer_source_price",
                "gauge",
                "The source's last price.",
                s.source_price
                    .iter()
                    .map(|(k, p)| (labels(k), p.to_string()))
                    .collect(),
            );
        });
        out
    }

    /// Serves `GET /metrics` on `listen` until the process ends, with
    /// `carrack_client::http`'s limits on idle and slow clients (off-chain review R3).
    pub async fn serve(self, listen: SocketAddr) -> std::io::Result<SocketAddr> {
        let handler: http::Handler = Arc::new(move |path: String| {
            let metrics = self.clone();
            Box::pin(async move {
                if path == "/metrics" {
                    http::Response::ok("text/plain; version=0.0.4", metrics.render())
                } else {
                    http::Response::not_found("only GET /metrics is served")
                }
            })
        });
        http::serve(listen, handler).await
    }
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text() {
        let m = Metrics::default();
        m.set_connected(true);
        m.submission("TBTC", "included", 100);
        m.submission("TBTC", "included", 105);
        m.submission("TBTC", "failed", 106);
        m.source("TBTC", "http:x", Some(60_000.5));
        m.source("TBTC", "file:y", None);
        m.error(107, "connection: \"refused\"");
        m.refused_confirmation("TBTC");
        m.refused_confirmation("TBTC");
        let text = m.render();
        for line in [
            "carrack_relayer_connected 1",
            "carrack_relayer_connects_total 1",
            "carrack_relayer_submissions_total{asset=\"TBTC\",outcome=\"included\"} 2",
            "carrack_relayer_submissions_total{asset=\"TBTC\",outcome=\"failed\"} 1",
            "carrack_relayer_last_submission_timestamp_seconds{asset=\"TBTC\"} 105",
            "carrack_relayer_source_up{asset=\"TBTC\",source=\"file:y\"} 0",
            "carrack_relayer_source_price{asset=\"TBTC\",source=\"http:x\"} 60000.5",
            "carrack_relayer_last_error_info{message=\"connection: \\\"refused\\\"\"} 1",
            "carrack_relayer_refused_confirmations_total{asset=\"TBTC\"} 2",
        ] {
            assert!(text.contains(line), "missing {line:?} in\n{text}");
        }
    }

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn serves_metrics_over_http() {
        let m = Metrics::default();
        m.set_connected(true);
        let address = m.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        stream
            .write_all(b"GET /metrics HTTP/1.1\r\nhost: x\r\n\r\n")
            .await
            .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
        assert!(answer.contains("carrack_relayer_connected 1"), "{answer}");
    }
}
