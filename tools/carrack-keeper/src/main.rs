//! `carrack-keeper`: indexes the Carrack pool's accounts and markets from finalized
//! blocks into SQL (SQLite by default, PostgreSQL by URL) and liquidates accounts whose
//! health factor fell below 1, when the liquidation passes a dry run and pays.
//!
//! ```text
//! carrack-keeper --config keeper.toml            # run until stopped
//! carrack-keeper --config keeper.toml --once     # index to the finalized head, one pass, exit
//! carrack-keeper --config keeper.toml --reindex  # forget the database and start over
//! ```

mod api;
mod config;
mod contract_events;
#[cfg(test)]
mod fixtures;
mod history;
mod indexer;
mod keeper;
mod plan;
mod reads;
mod store;

use anyhow::{Context, Result};
use carrack_client::Chain;
use clap::Parser;
use config::{Overrides, Settings};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use store::Store;
use tracing::{error, info, warn};

/// Blocks indexed per step before the keeper looks at health again.
const BLOCKS_PER_STEP: u64 = 500;
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Parser)]
#[command(
    version,
    about = "Carrack's keeper: indexes the pool and liquidates unhealthy accounts"
)]
struct Cli {
    /// The TOML config.
    #[arg(long, env = "CARRACK_KEEPER_CONFIG")]
    config: PathBuf,
    /// The node's WebSocket URL (instead of the config's `url`).
    #[arg(long)]
    url: Option<String>,
    /// The database URL (instead of the config's `database`).
    #[arg(long)]
    database: Option<String>,
    /// The signer's secret URI (instead of the config's `signer`; never printed).
    #[arg(long, env = "CARRACK_KEEPER_SURI", hide_env_values = true)]
    suri: Option<String>,
    /// Where to serve `/metrics` and the JSON API (instead of the config's `api_listen`;
    /// port 0 picks a free one, printed in the log).
    #[arg(long)]
    api_listen: Option<String>,
    /// Forget what the database holds and index from the start block again (needed after
    /// a chain reset: a new genesis).
    #[arg(long)]
    reindex: bool,
    /// Index up to the finalized head, make one pass, print its report and exit.
    #[arg(long)]
    once: bool,
    /// Log as JSON lines.
    #[arg(long)]
    json: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Logs go to stderr; stdout carries only `--once`'s report.
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if cli.json {
        logs.json().init();
    } else {
        logs.init();
    }
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            error!("{e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    let settings = Settings::load(
        &cli.config,
        Overrides {
            url: cli.url,
            database: cli.database,
            suri: cli.suri,
            api_listen: cli.api_listen,
        },
    )?;
    let signer = match &settings.key {
        Some(key) => Some(carrack_client::keys::load(key).context("signer")?),
        None => None,
    };
    let decoders = match &settings.deployment {
        Some(deployment) => {
            contract_events::EventDecoders::load(deployment, settings.bundles.as_deref())?
        }
        None => contract_events::EventDecoders::none(),
    };
    let store = Store::open(&settings.database).await?;
    let shared = api::Shared::default();
    if let Some(listen) = settings.api_listen {
        let bound = api::serve(listen, shared.clone(), store.clone())
            .await
            .with_context(|| format!("cannot serve the API on {listen}"))?;
        info!("serving /metrics and /api on http://{bound}");
    }
    if let Some(s) = &signer {
        info!(keeper = %s.public_key().to_account_id(), "signing liquidations as");
    }
    let mut keeper = keeper::Keeper::new(
        settings.pool.clone(),
        signer,
        settings.liquidation.clone(),
        shared.clone(),
    );
    let mut reindex = cli.reindex;
    let mut backoff = Duration::from_secs(1);
    loop {
        let chain = match Chain::connect(&settings.url, CONNECT_TIMEOUT).await {
            Ok(chain) => chain,
            Err(e) if !cli.once => {
                warn!("{e}; retrying in {backoff:?}");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(30));
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        if let Some(deployment) = &settings.deployment {
            deployment.check_chain(&format!("{:?}", chain.genesis_hash()))?;
        }
        // A chain reset is refused (or, with --reindex, starts over), never mixed in.
        indexer::check_chain(&chain, &store, reindex).await?;
        reindex = false;
        match store.last_block().await? {
            Some(last) => info!("resuming after block {last}"),
            None => info!("indexing from block {}", settings.start_block),
        }
        info!(url = %carrack_client::chain::redact_url(&settings.url), pool = %settings.pool, "connected");
        shared.update(|s| {
            s.connected = true;
            s.connects += 1;
        });
        backoff = Duration::from_secs(1);
        let outcome = follow(&chain, &store, &settings, &decoders, &mut keeper, cli.once).await;
        shared.update(|s| s.connected = false);
        match outcome {
            Ok(()) => return Ok(()),
            Err(e) if !cli.once => {
                warn!("{e:#}; reconnecting in {backoff:?}");
                tokio::time::sleep(backoff).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Indexes and keeps, until stopped (or once).
async fn follow(
    chain: &Chain,
    store: &Store,
    settings: &Settings,
    decoders: &contract_events::EventDecoders,
    keeper: &mut keeper::Keeper,
    once: bool,
) -> Result<()> {
    loop {
        let (_, finalized) = chain.finalized_block().await?;
        let indexed = indexer::catch_up(
            chain,
            store,
            &settings.pool,
            decoders,
            (settings.start_block, finalized),
            BLOCKS_PER_STEP,
        )
        .await?;
        keeper.shared.update(|s| {
            s.last_indexed_block = indexed;
            s.finalized_block = finalized;
        });
        if indexed.is_some_and(|i| i < finalized) {
            continue; // catch up before judging health on old positions
        }
        let report = keeper.pass(chain, store).await?;
        info!(
            indexed_block = indexed,
            finalized,
            accounts = report.accounts,
            liquidations_indexed = report.liquidations_indexed,
            borrowers = report.borrowers,
            below_one = report.below_one,
            liquidated = report.liquidated,
            failed = report.failed,
            waiting = report.waiting,
            "pass"
        );
        if once {
            println!(
                    "indexed {} accounts {} liquidations_indexed {} borrowers {} below_one {} liquidated {} failed {} waiting {}",
                    indexed.map_or("none".into(), |b| b.to_string()),
                    report.accounts,
                    report.liquidations_indexed,
                    report.borrowers,
                    report.below_one,
                    report.liquidated,
                    report.failed,
                    report.waiting
                );
            return Ok(());
        }
        tokio::select! {
            _ = tokio::time::sleep(settings.poll) => {}
            _ = tokio::signal::ctrl_c() => {
                info!("stopping");
                return Ok(());
            }
        }
    }
}
