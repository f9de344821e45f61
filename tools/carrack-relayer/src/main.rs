//! `carrack-relayer`: Carrack's off-chain price relayer. Each reporter runs one with its
//! own key and its own sources; see `tools/carrack-relayer/README.md`.
//!
//! ```text
//! carrack-relayer run --config relayer.toml [--once] [--suri //Bob] [--url ws://…]
//! carrack-relayer feeds --config relayer.toml [--json]
//! ```

mod aggregate;
mod code_check;
mod config;
mod decimal;
mod decision;
mod metrics;
mod oracle;
mod relayer;
mod sources;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use config::{Overrides, Settings};
use std::path::PathBuf;
use std::process::ExitCode;
use tokio::sync::watch;
use tracing::{error, info, warn};

#[derive(Parser)]
#[command(
    name = "carrack-relayer",
    version,
    about = "Reports prices to Carrack's oracle contract"
)]
struct Cli {
    /// Log format.
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

#[derive(clap::Args)]
struct Common {
    /// The relayer config (TOML).
    #[arg(long)]
    config: PathBuf,
    /// Overrides chain.url.
    #[arg(long)]
    url: Option<String>,
    /// Overrides chain.manifest (a carrack-deploy manifest).
    #[arg(long)]
    manifest: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Report prices until stopped (SIGTERM / Ctrl-C).
    Run {
        #[command(flatten)]
        common: Common,
        /// One round, then exit: 0 if every asset's round went through (submitted or
        /// rightly skipped), 1 otherwise.
        #[arg(long)]
        once: bool,
        /// The signing key as a secret URI (devnets: //Bob). Prefer `signer.key_file`
        /// elsewhere: command lines are visible to other users.
        #[arg(long, env = "CARRACK_RELAYER_SURI", hide_env_values = true)]
        suri: Option<String>,
        /// Overrides metrics.listen (host:port).
        #[arg(long)]
        metrics_listen: Option<String>,
    },
    /// Print the configured assets' feeds as on chain (price, status, each reporter's
    /// last report and pending submission).
    Feeds {
        #[command(flatten)]
        common: Common,
        /// JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("CARRACK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match cli.log_format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            error!("{e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(command: Command) -> Result<()> {
    match command {
        Command::Run {
            common,
            once,
            suri,
            metrics_listen,
        } => {
            let overrides = Overrides {
                url: common.url,
                manifest: common.manifest,
                suri,
                metrics_listen,
            };
            let settings = Settings::load(&common.config, &overrides)?;
            let signer = carrack_client::keys::load(&settings.key)?;
            let metrics = metrics::Metrics::default();
            if let Some(listen) = settings.metrics_listen {
                let bound = metrics
                    .clone()
                    .serve(listen)
                    .await
                    .with_context(|| format!("cannot listen on {listen} for metrics"))?;
                info!(%bound, "metrics at http://{bound}/metrics");
                if !bound.ip().is_loopback() {
                    warn!(%bound, "the metrics endpoint is reachable from other hosts and has no authentication: bind it to 127.0.0.1 unless a firewall limits who can reach it");
                }
            }
            for asset in &settings.assets {
                if asset.sources.len() < 3 {
                    warn!(
                        asset = %asset.label,
                        sources = asset.sources.len(),
                        "fewer than three price sources: one wrong or hostile source decides (one source) or distorts (two) this relayer's aggregate; configure three or more independent sources"
                    );
                }
            }
            let (stop, shutdown) = watch::channel(false);
            tokio::spawn(async move {
                wait_for_signal().await;
                info!("shutdown requested; finishing the current step");
                let _ = stop.send(true);
            });
            relayer::Relayer::new(settings, signer, metrics)
                .run(once, shutdown)
                .await
        }
        Command::Feeds { common, json } => {
            let overrides = Overrides {
                url: common.url,
                manifest: common.manifest,
                // Reading needs no key; a placeholder keeps the config check uniform.
                suri: Some("//Alice".into()),
                metrics_listen: None,
            };
            let settings = Settings::load(&common.config, &overrides)?;
            print_feeds(&settings, json).await
        }
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn print_feeds(settings: &Settings, json: bool) -> Result<()> {
    let chain = carrack_client::Chain::connect(&settings.url, settings.connect_timeout).await?;
    // Read-only: without an expectation the feeds are shown, with a warning; with one, an
    // address holding other code is refused as `run` refuses it (review D2).
    match settings.oracle_code.hash() {
        Some(expected) => {
            let deployed = chain.code_hash(&settings.oracle).await?;
            code_check::check_code(
                &settings.oracle,
                deployed,
                expected,
                &settings.oracle_code.origin(),
            )?;
        }
        None => warn!(
            "not checking the oracle address's code ({}): the feeds shown are whatever that address answers",
            settings.oracle_code.origin()
        ),
    }
    let (block, number) = chain.best_block().await?;
    let now = chain.now_secs(block).await?;
    let oracle = oracle::Oracle {
        chain: &chain,
        address: &settings.oracle,
    };
    let mut feeds = Vec::new();
    for asset in &settings.assets {
        // The oracle's own account as the dry run's origin: it exists on chain.
        let feed = oracle
            .feed(block, &settings.oracle, &asset.address)
            .await
            .with_context(|| format!("feed of {}", asset.label))?;
        let reporters: Vec<_> = feed
            .reporters
            .iter()
            .map(|r| {
                serde_json::json!({
                    "account": subxt::utils::AccountId32(*r.account.as_ref()).to_string(),
                    "last_observed_at_secs": r.last_observed_at_secs,
                    "pending": r.pending.map(|(price, at)| serde_json::json!({
                        "price": price.to_string(), "observed_at_secs": at })),
                })
            })
            .collect();
        feeds.push(serde_json::json!({
            "asset": asset.label,
            "address": asset.address.to_string(),
            "status": format!("{:?}", feed.status(now)),
            "price": feed.price.to_string(),
            "decimals": feed.config.decimals,
            "updated_at_secs": feed.updated_at_secs,
            "candidate": feed.candidate.map(|(price, at)| serde_json::json!({
                "price": price.to_string(), "observed_at_secs": at })),
            "heartbeat_secs": feed.config.heartbeat_secs,
            "round_window_secs": feed.config.round_window_secs,
            "quorum": feed.config.quorum,
            "reporters": reporters,
        }));
    }
    if json {
        let out = serde_json::json!({ "block": number, "chain_now_secs": now, "feeds": feeds });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!("block #{number}, chain time {now}");
    for f in &feeds {
        println!(
            "{:<8} {:<9} price {} (10^-{}) updated {} s ago, quorum {} of {}",
            f["asset"].as_str().unwrap_or("?"),
            f["status"].as_str().unwrap_or("?"),
            f["price"].as_str().unwrap_or("?"),
            f["decimals"],
            now.saturating_sub(f["updated_at_secs"].as_u64().unwrap_or(0)),
            f["quorum"],
            f["reporters"].as_array().map_or(0, Vec::len),
        );
    }
    Ok(())
}
