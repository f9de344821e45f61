//! The keeper's read-only HTTP endpoints (on `api_listen`), served by `carrack_client::http`:
//!
//! - `GET /metrics`: Prometheus text (accounts tracked, borrowers, at risk, liquidations
//!   done and failed, last indexed and finalized block, lag, connection);
//! - `GET /api/status`: the same as JSON;
//! - `GET /api/at-risk`: every indexed borrower with its health factor as of the last
//!   pass, lowest first;
//! - `GET /api/liquidations?limit=N`: the latest indexed liquidations, newest first (the
//!   last N, default 20, at most 500);
//! - `GET /api/accounts/<SS58>`: an account's indexed positions and liquidations;
//! - `GET /api/accounts/<SS58>/history?limit=N`: an account's actions (supplies,
//!   withdrawals, borrows, repayments, collateral switches, liquidations either side,
//!   seizures as supply, write-offs), newest first (the last N, default 50, at most 500);
//! - `GET /api/markets/<SS58>/history?limit=N`: a market's totals, utilization and rates at
//!   every block that changed a market (the last N, default 500, at most 5,000);
//! - `GET /api/prices/<SS58>/history?limit=N`: the prices the oracle accepted for an asset
//!   (the last N, default 500, at most 5,000);
//! - `GET /api/events[/<contract>]?limit=N`: the latest events of the pool, the oracle,
//!   the governor and the timelock (or of one of them), decoded with their metadata,
//!   newest first (default 50, at most 500).
//!
//! Amounts and WAD figures are decimal strings of integers (u128 does not fit JSON
//! numbers); addresses are SS58.

use crate::contract_events::INDEXED_CONTRACTS;
use crate::store::{ss58, Store};
use carrack_client::http::{self, Response};
use ink::primitives::AccountId;
use serde::Serialize;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use subxt::utils::AccountId32;

/// A borrower's standing at the last pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub account: String,
    pub health_factor_wad: String,
    pub debt_value_wad: String,
    pub collateral_value_wad: String,
    /// Whether every price it depends on was `Ok`.
    pub prices_ok: bool,
    #[serde(skip)]
    pub health_factor: u128,
}

/// What the keeper knows now.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Status {
    pub connected: bool,
    pub connects: u64,
    pub last_indexed_block: Option<u64>,
    pub finalized_block: u64,
    pub accounts: u64,
    pub borrowers: usize,
    pub below_one: usize,
    pub waiting: usize,
    pub liquidations_indexed: u64,
    pub liquidations_done: u64,
    pub liquidations_failed: u64,
    pub last_pass_unix_secs: u64,
    #[serde(skip)]
    pub at_risk: Vec<Standing>,
}

/// The shared status the keeper updates and the endpoints read.
#[derive(Clone, Default)]
pub struct Shared(Arc<Mutex<Status>>);

impl Shared {
    /// Changes the status.
    pub fn update(&self, f: impl FnOnce(&mut Status)) {
        // A poisoned lock only means a panic elsewhere; the figures are still usable.
        f(&mut self.0.lock().unwrap_or_else(|p| p.into_inner()));
    }

    fn get(&self) -> Status {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// The Prometheus text of `s`.
pub fn metrics(s: &Status) -> String {
    let lag = s
        .last_indexed_block
        .map_or(s.finalized_block, |i| s.finalized_block.saturating_sub(i));
    let lines = [
        (
            "carrack_keeper_connected",
            "gauge",
            "1 while connected to the node",
            u64::from(s.connected),
        ),
        (
            "carrack_keeper_connects_total",
            "counter",
            "connections made to the node",
            s.connects,
        ),
        (
            "carrack_keeper_last_indexed_block",
            "gauge",
            "the last finalized block indexed",
            s.last_indexed_block.unwrap_or(0),
        ),
        (
            "carrack_keeper_finalized_block",
            "gauge",
            "the node's finalized block",
            s.finalized_block,
        ),
        (
            "carrack_keeper_index_lag_blocks",
            "gauge",
            "finalized blocks not indexed yet",
            lag,
        ),
        (
            "carrack_keeper_accounts",
            "gauge",
            "accounts with a position in the index",
            s.accounts,
        ),
        (
            "carrack_keeper_borrowers",
            "gauge",
            "indexed accounts with debt",
            s.borrowers as u64,
        ),
        (
            "carrack_keeper_at_risk",
            "gauge",
            "borrowers below health factor 1 at the last pass",
            s.below_one as u64,
        ),
        (
            "carrack_keeper_waiting",
            "gauge",
            "accounts below 1 set aside for a refusal that passes with time",
            s.waiting as u64,
        ),
        (
            "carrack_keeper_liquidations_indexed",
            "gauge",
            "liquidations in the index, by anyone",
            s.liquidations_indexed,
        ),
        (
            "carrack_keeper_liquidations_total",
            "counter",
            "liquidations this keeper made",
            s.liquidations_done,
        ),
        (
            "carrack_keeper_liquidations_failed_total",
            "counter",
            "liquidations this keeper sent that failed",
            s.liquidations_failed,
        ),
        (
            "carrack_keeper_last_pass_timestamp_seconds",
            "gauge",
            "when the last pass ended",
            s.last_pass_unix_secs,
        ),
    ];
    let mut out = String::new();
    for (name, kind, help, value) in lines {
        out.push_str(&format!(
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n"
        ));
    }
    out
}

fn json<T: Serialize>(value: &T) -> Response {
    match serde_json::to_string(value) {
        Ok(body) => Response::ok("application/json", body),
        Err(e) => Response {
            status: "500 Internal Server Error",
            content_type: "text/plain; charset=utf-8",
            body: format!("{e}\n"),
        },
    }
}

fn error(e: anyhow::Error) -> Response {
    Response {
        status: "500 Internal Server Error",
        content_type: "text/plain; charset=utf-8",
        body: format!("{e:#}\n"),
    }
}

fn bad_request(reason: String) -> Response {
    Response {
        status: "400 Bad Request",
        content_type: "text/plain; charset=utf-8",
        body: format!("{reason}\n"),
    }
}

fn address(text: &str) -> Result<AccountId, Response> {
    AccountId32::from_str(text)
        .map(|a| AccountId::from(a.0))
        .map_err(|_| bad_request(format!("{text:?} is not an SS58 address")))
}

/// `limit=N` (1 to `max`), or `default` without a query.
fn limit(query: &str, default: u32, max: u32) -> Result<u32, Response> {
    match query.strip_prefix("limit=") {
        None if query.is_empty() => Ok(default),
        Some(n) => match n.parse::<u32>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(bad_request(format!("limit={n}: give 1 to {max}"))),
        },
        None => Err(bad_request(format!(
            "unknown query {query:?} (only limit=N)"
        ))),
    }
}

#[derive(Serialize)]
struct AccountJson {
    account: String,
    positions: Vec<crate::store::PositionRow>,
    liquidations: Vec<crate::store::LiquidationJson>,
}

/// Answers one request.
pub async fn route(path: String, shared: Shared, store: Store) -> Response {
    answer_request(path, shared, store)
        .await
        .unwrap_or_else(|refusal| refusal)
}

/// The store's answer as JSON, or its error as a 500.
fn answer<T: Serialize>(result: anyhow::Result<T>) -> Response {
    match result {
        Ok(value) => json(&value),
        Err(e) => error(e),
    }
}

/// [`route`], with a bad request as `Err`.
async fn answer_request(path: String, shared: Shared, store: Store) -> Result<Response, Response> {
    let (path, query) = path.split_once('?').unwrap_or((&path, ""));
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    Ok(match parts.as_slice() {
        ["", "metrics"] => Response::ok("text/plain; version=0.0.4", metrics(&shared.get())),
        ["", "api", "status"] => json(&shared.get()),
        ["", "api", "at-risk"] => json(&shared.get().at_risk),
        ["", "api", "liquidations"] => {
            let limit = limit(query, 20, 500)?;
            answer(store.recent_liquidations(limit).await)
        }
        ["", "api", "accounts", who] => {
            let owner = address(who)?;
            let account = async {
                Ok(AccountJson {
                    account: ss58(&owner),
                    positions: store.positions_of(&owner).await?,
                    liquidations: store.liquidations_of(&owner).await?,
                })
            };
            answer(account.await)
        }
        ["", "api", "accounts", who, "history"] => {
            let account = address(who)?;
            let limit = limit(query, 50, 500)?;
            answer(store.history_of(&account, limit).await)
        }
        ["", "api", "events"] | ["", "api", "events", _] => {
            let contract = parts.get(3).copied();
            if let Some(c) = contract {
                if !INDEXED_CONTRACTS.contains(&c) {
                    return Err(bad_request(format!(
                        "{c:?} is not an indexed contract (one of {})",
                        INDEXED_CONTRACTS.join(", ")
                    )));
                }
            }
            let limit = limit(query, 50, 500)?;
            answer(store.recent_events(contract, limit).await)
        }
        ["", "api", "prices", asset, "history"] => {
            let asset = address(asset)?;
            let limit = limit(query, 500, 5_000)?;
            answer(store.price_history(&asset, limit).await)
        }
        ["", "api", "markets", asset, "history"] => {
            let asset = address(asset)?;
            let limit = limit(query, 500, 5_000)?;
            answer(store.market_history(&asset, limit).await)
        }
        _ => Response::not_found("GET /metrics, /api/status, /api/at-risk, /api/liquidations, /api/accounts/<SS58>, /api/accounts/<SS58>/history, /api/markets/<SS58>/history, /api/prices/<SS58>/history, /api/events[/<contract>]"),
    })
}

/// Serves the endpoints on `listen`; returns the bound address.
pub async fn serve(
    listen: std::net::SocketAddr,
    shared: Shared,
    store: Store,
) -> std::io::Result<std::net::SocketAddr> {
    let handler: http::Handler = Arc::new(move |path: String| {
        let (shared, store) = (shared.clone(), store.clone());
        Box::pin(route(path, shared, store))
    });
    http::serve(listen, handler).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_are_prometheus_text() {
        let s = Status {
            connected: true,
            last_indexed_block: Some(90),
            finalized_block: 100,
            below_one: 2,
            liquidations_done: 3,
            ..Default::default()
        };
        let text = metrics(&s);
        for line in [
            "carrack_keeper_connected 1",
            "carrack_keeper_index_lag_blocks 10",
            "carrack_keeper_at_risk 2",
            "carrack_keeper_liquidations_total 3",
            "# TYPE carrack_keeper_liquidations_total counter",
        ] {
            assert!(text.contains(line), "missing {line:?} in\n{text}");
        }
    }

    #[tokio::test]
    async fn routes_answer_and_refuse_bad_input() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!(
            "sqlite://{}",
            dir.path().join("k.sqlite").display()
        ))
        .await
        .unwrap();
        let shared = Shared::default();
        shared.update(|s| {
            s.at_risk = vec![Standing {
                account: "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty".into(),
                health_factor_wad: "900000000000000000".into(),
                debt_value_wad: "1".into(),
                collateral_value_wad: "2".into(),
                prices_ok: true,
                health_factor: 9 * 10u128.pow(17),
            }]
        });
        let get = |p: &str| route(p.to_string(), shared.clone(), store.clone());
        let at_risk = get("/api/at-risk").await;
        assert_eq!(at_risk.status, "200 OK");
        assert!(
            at_risk
                .body
                .contains("\"health_factor_wad\":\"900000000000000000\""),
            "{}",
            at_risk.body
        );
        let account = get("/api/accounts/5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty").await;
        assert_eq!(account.body, "{\"account\":\"5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty\",\"positions\":[],\"liquidations\":[]}");
        assert_eq!(get("/api/accounts/nope").await.status, "400 Bad Request");
        let actions = "/api/accounts/5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty/history";
        assert_eq!(get(actions).await.body, "[]");
        assert_eq!(get(&format!("{actions}?limit=500")).await.body, "[]");
        assert_eq!(
            get(&format!("{actions}?limit=501")).await.status,
            "400 Bad Request"
        );
        assert_eq!(
            get("/api/accounts/nope/history").await.status,
            "400 Bad Request"
        );
        let history = "/api/markets/5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty/history";
        assert_eq!(get(history).await.body, "[]");
        assert_eq!(
            get(&format!("{history}?limit=0")).await.status,
            "400 Bad Request"
        );
        assert_eq!(
            get(&format!("{history}?limit=9999")).await.status,
            "400 Bad Request"
        );
        assert_eq!(
            get(&format!("{history}?colour=red")).await.status,
            "400 Bad Request"
        );
        assert_eq!(get("/api/status").await.status, "200 OK");
        assert_eq!(get("/api/events").await.body, "[]");
        assert_eq!(get("/api/events/oracle?limit=5").await.body, "[]");
        assert_eq!(get("/api/events/wallet").await.status, "400 Bad Request");
        let prices = "/api/prices/5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty/history";
        assert_eq!(get(prices).await.body, "[]");
        assert_eq!(
            get("/api/prices/nope/history").await.status,
            "400 Bad Request"
        );
        assert_eq!(get("/api/liquidations").await.body, "[]");
        assert_eq!(
            get("/api/liquidations?limit=501").await.status,
            "400 Bad Request"
        );
        assert_eq!(get("/nope").await.status, "404 Not Found");
        assert!(get("/metrics")
            .await
            .body
            .contains("carrack_keeper_at_risk"));
    }
}
