//! The relayer's loop. Each round, for every asset: ask all sources (concurrently, each
//! with a timeout), aggregate, read the feed at the best block, decide, dry-run the
//! submission and, if the oracle would accept it, submit it and follow it into a block.
//!
//! Failure handling:
//! - A connection failure anywhere drops the connection; the loop reconnects with
//!   exponential backoff (1 s doubling up to `max_backoff_secs`) and goes on. Nothing is
//!   remembered across a reconnection except which submission's fate is unknown: the next
//!   read of the feed tells whether it landed (our reporter slot's last observation), so a
//!   lost submission is reported again and a landed one is not repeated (the contract
//!   would refuse the repeat anyway: `NotNewer`).
//! - The nonce is the node's `system_accountNextIndex`, which counts the pool: correct
//!   after a restart of the relayer or of the node.
//! - Shutdown (SIGTERM, Ctrl-C) is checked between steps: a transaction being followed is
//!   followed to its end (bounded by `submit_timeout_secs`), then the loop stops.
//!
//! The oracle's code: before the first round and after every reconnection, the code hash
//! at the oracle address must be the expected one (`code_check`, review D2); otherwise, or
//! with no expectation configured, the relayer stops without submitting.
//!
//! Time: reports carry the aggregate's observation time (wall clock). A dry run executes
//! at the best block, whose timestamp can lag the wall clock (an instant-seal devnet makes
//! blocks only for transactions, a slot-based chain stamps the slot's start), so the dry
//! run asks about the same report observed at the chain's time; everything it checks
//! (reporter, frozen, bounds, newer than our last report, round window) holds alike. If
//! no block came since our last report (an idle instant-seal chain), the chain's clock is
//! not past it; then the real report is dry-run and `ObservedInFuture` is the only
//! refusal accepted (see `round`), so heartbeat rounds still happen on an idle devnet.

use crate::aggregate::aggregate;
use crate::code_check::{check_code, hex0x, ExpectedCode};
use crate::config::{AssetSettings, Settings};
use crate::decision::{decide, Decision, SkipReason, SubmitReason};
use crate::metrics::Metrics;
use crate::oracle::{AcceptedProbe, Oracle, OracleCallError};
use crate::sources::SourceError;
use carrack_client::chain::{Chain, ChainError, Inclusion, Weight};
use carrack_interfaces::OracleError;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;
use tokio::sync::watch;
use tracing::{debug, error, info, warn};

/// The relayer's clock: Unix seconds.
pub fn wall_now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Why an asset's round ended early.
enum RoundError {
    /// Reconnect.
    Connection(String),
    /// Log and go on with the next asset.
    Other(String),
}

impl From<ChainError> for RoundError {
    fn from(e: ChainError) -> Self {
        match e {
            ChainError::Connection(m) => RoundError::Connection(m),
            ChainError::Unexpected(m) => RoundError::Other(m),
        }
    }
}

impl From<OracleCallError> for RoundError {
    fn from(e: OracleCallError) -> Self {
        match e {
            OracleCallError::Chain(c) => c.into(),
            other => RoundError::Other(other.to_string()),
        }
    }
}

/// Why a connection is not usable.
enum ConnectError {
    /// The node: retry with backoff.
    Retry(ChainError),
    /// The oracle address does not hold the oracle's code (or its code cannot be read):
    /// stop, submitting nothing.
    Refuse(anyhow::Error),
}

/// A running relayer.
pub struct Relayer {
    settings: Settings,
    signer: Keypair,
    account: AccountId32,
    metrics: Metrics,
    /// Per asset: the last skip/refusal logged, to log changes only.
    last_note: Vec<Option<String>>,
    /// Per asset: the observation time of a submission whose fate is unknown.
    unconfirmed: Vec<Option<u64>>,
    /// Per asset: the last dry run the oracle accepted.
    last_probe: Vec<Option<AcceptedProbe>>,
}

/// A feed grows by far less than this per report (one reporter slot's pending price).
const DEPOSIT_FLOOR_BYTES: u128 = 256;

/// The gas limit of a report, as a multiple of its dry run's `gas_required`. Another
/// reporter's report landing first can make ours the one that closes the round, expires
/// one, or restarts the feed from `Stale` (more work than the dry run saw), and the
/// dearest path costs up to this multiple of the cheapest: `e2e/tests/oracle.rs`
/// (`offline_reporters_quorum_and_staleness`) measures both and fails beyond it. 1.5 was
/// too little (a drill's report ran out of gas after a node restart). Unused weight is
/// refunded; only the block's room for other extrinsics is reserved.
pub const SUBMIT_GAS_HEADROOM: u64 = 2;

/// A report's gas limit from its dry run's `gas_required` ([`SUBMIT_GAS_HEADROOM`] times
/// each part, saturating: a limit above the block's is refused by the node, not wrapped).
pub fn submission_gas_limit(required: Weight) -> Weight {
    Weight {
        ref_time: required.ref_time.saturating_mul(SUBMIT_GAS_HEADROOM),
        proof_size: required.proof_size.saturating_mul(SUBMIT_GAS_HEADROOM),
    }
}

impl Relayer {
    /// A relayer for `settings`, signing with `signer`.
    pub fn new(settings: Settings, signer: Keypair, metrics: Metrics) -> Self {
        let account = signer.public_key().to_account_id();
        let assets = settings.assets.len();
        Self {
            settings,
            signer,
            account,
            metrics,
            last_note: vec![None; assets],
            unconfirmed: vec![None; assets],
            last_probe: vec![None; assets],
        }
    }

    /// Runs rounds until `shutdown` turns true; with `once`, one round, failing if the
    /// node is unreachable or any asset's round failed.
    pub async fn run(
        mut self,
        once: bool,
        mut shutdown: watch::Receiver<bool>,
    ) -> anyhow::Result<()> {
        let mut backoff = Duration::from_secs(1);
        let mut chain: Option<Chain> = None;
        let Some(expected_code) = self.settings.oracle_code.hash() else {
            anyhow::bail!(ExpectedCode::unknown_error(
                &self.settings.oracle_code.origin()
            ));
        };
        info!(
            reporter = %self.account,
            oracle = %self.settings.oracle,
            oracle_code = %hex0x(&expected_code),
            oracle_code_from = %self.settings.oracle_code.origin(),
            url = %carrack_client::chain::redact_url(&self.settings.url),
            assets = self.settings.assets.len(),
            "relayer starting"
        );
        loop {
            if *shutdown.borrow() {
                break;
            }
            let connected = match chain.take() {
                Some(c) => c,
                None => match self.connect_checked(expected_code).await {
                    Ok(c) => {
                        info!(url = %carrack_client::chain::redact_url(&self.settings.url), "connected to the node; the oracle address holds the expected code");
                        self.metrics.set_connected(true);
                        backoff = Duration::from_secs(1);
                        c
                    }
                    Err(ConnectError::Refuse(e)) => {
                        self.metrics.error(wall_now_secs(), &e.to_string());
                        return Err(e);
                    }
                    Err(ConnectError::Retry(e)) => {
                        self.metrics.error(wall_now_secs(), &e.to_string());
                        if once {
                            anyhow::bail!("cannot reach the node: {e}");
                        }
                        warn!(error = %e, retry_in_secs = backoff.as_secs(), "node unreachable");
                        if sleep_or_shutdown(backoff, &mut shutdown).await {
                            break;
                        }
                        backoff = (backoff * 2).min(self.settings.max_backoff);
                        continue;
                    }
                },
            };
            let mut failures = 0usize;
            let mut lost_connection = false;
            for index in 0..self.settings.assets.len() {
                if *shutdown.borrow() {
                    break;
                }
                match self.round(&connected, index).await {
                    Ok(()) => {}
                    Err(RoundError::Connection(message)) => {
                        warn!(error = %message, "lost the node; reconnecting");
                        self.metrics.set_connected(false);
                        self.metrics.error(wall_now_secs(), &message);
                        lost_connection = true;
                        failures += 1;
                        break;
                    }
                    Err(RoundError::Other(message)) => {
                        let asset = &self.settings.assets[index].label;
                        error!(asset = %asset, error = %message, "round failed");
                        self.metrics
                            .error(wall_now_secs(), &format!("{asset}: {message}"));
                        failures += 1;
                    }
                }
            }
            self.metrics.round_done(wall_now_secs());
            if !lost_connection {
                chain = Some(connected);
            }
            if once {
                anyhow::ensure!(failures == 0, "{failures} asset round(s) failed");
                return Ok(());
            }
            if sleep_or_shutdown(self.settings.poll_interval, &mut shutdown).await {
                break;
            }
        }
        info!("relayer stopped");
        Ok(())
    }

    /// Connects and checks the oracle address's code (review D2) before anything is read
    /// or submitted on the connection.
    async fn connect_checked(&self, expected: [u8; 32]) -> Result<Chain, ConnectError> {
        let chain = Chain::connect(&self.settings.url, self.settings.connect_timeout)
            .await
            .map_err(ConnectError::Retry)?;
        let deployed = match chain.code_hash(&self.settings.oracle).await {
            Ok(deployed) => deployed,
            Err(e @ ChainError::Connection(_)) => return Err(ConnectError::Retry(e)),
            Err(ChainError::Unexpected(e)) => {
                return Err(ConnectError::Refuse(anyhow::anyhow!(
                    "cannot read the code hash at the oracle address {}: {e}; refusing to submit",
                    self.settings.oracle
                )))
            }
        };
        check_code(
            &self.settings.oracle,
            deployed,
            expected,
            &self.settings.oracle_code.origin(),
        )
        .map_err(|mismatch| ConnectError::Refuse(mismatch.into()))?;
        Ok(chain)
    }

    /// One asset's round.
    async fn round(&mut self, chain: &Chain, index: usize) -> Result<(), RoundError> {
        let asset: &AssetSettings = &self.settings.assets[index];
        let label = asset.label.clone();
        let now = wall_now_secs();

        // Sources, concurrently, each within the timeout.
        let timeout = self.settings.source_timeout;
        let timeout_ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        let answers = futures::future::join_all(asset.sources.iter().map(|source| async move {
            let answer = match tokio::time::timeout(timeout, source.fetch(now)).await {
                Ok(answer) => answer,
                Err(_) => Err(SourceError::Timeout(timeout_ms)),
            };
            (source.name().to_string(), answer)
        }))
        .await;
        for (name, answer) in &answers {
            let price = answer.as_ref().ok().map(|o| o.price.0 as f64 / 1e18);
            self.metrics.source(&label, name, price);
        }
        let aggregate = match aggregate(answers, now, asset.rules) {
            Ok(aggregate) => aggregate,
            Err(e) => {
                self.note(index, true, format!("no price this round: {e}"));
                self.metrics.error(now, &format!("{label}: {e}"));
                return Ok(());
            }
        };
        for (name, reason) in &aggregate.dropped {
            warn!(asset = %label, source = %name, reason = %reason, "source dropped this round");
        }
        self.metrics
            .aggregate(&label, aggregate.price.0 as f64 / 1e18);

        // The feed at the best block.
        let oracle = Oracle {
            chain,
            address: &self.settings.oracle,
        };
        let (block, block_number) = chain.best_block().await?;
        let chain_now = chain.now_secs(block).await?;
        let feed = match oracle.feed(block, &self.account, &asset.address).await {
            Ok(feed) => feed,
            Err(OracleCallError::Refused(e)) => {
                self.note(index, true, format!("the oracle has no usable feed: {e:?}"));
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        };
        let me = ink::primitives::AccountId::from(self.account.0);
        let slot = feed.reporters.iter().find(|r| r.account == me).copied();

        // A submission whose fate was unknown (connection lost while following it).
        if let Some(observed_at) = self.unconfirmed[index].take() {
            let landed = slot.is_some_and(|s| s.last_observed_at_secs >= observed_at);
            if landed {
                info!(asset = %label, observed_at, "the submission interrupted by the connection loss landed");
            } else {
                warn!(asset = %label, observed_at, "the submission interrupted by the connection loss was lost; deciding afresh");
            }
        }

        let decision = decide(
            &feed,
            &me,
            aggregate.price,
            aggregate.observed_at_secs,
            now,
            asset.policy,
        );
        let (price, observed_at, reason) = match decision {
            Decision::Skip(reason) => {
                let loud = matches!(
                    reason,
                    SkipReason::NotReporter
                        | SkipReason::Frozen
                        | SkipReason::OutOfBounds { .. }
                        | SkipReason::Unrepresentable
                        | SkipReason::TooOld { .. }
                );
                self.note(index, loud, format!("skip: {reason}"));
                return Ok(());
            }
            Decision::Submit {
                price,
                observed_at_secs,
                reason,
            } => (price, observed_at_secs, reason),
        };

        // Dry run, at the chain's time if the chain's clock is behind the observation.
        let last_reported = slot.map_or(0, |s| s.last_observed_at_secs);
        let chain_at = observed_at.min(chain_now);
        // No block since our last report (an idle instant-seal chain): the chain's clock
        // is not past it, so only the real report can be asked about, and the contract's
        // one objection must be the clock: every check before it (reporter, frozen,
        // bounds) passed, and `decide` checked the ones after it (newer than our last
        // report, within the round window). The block that includes the report is
        // stamped with the time it is made. Gas: our last accepted dry run of this asset.
        let idle = chain_at <= last_reported;
        let probe_at = if idle { observed_at } else { chain_at };
        let probe = match oracle
            .probe_submit(block, &self.account, &asset.address, price, probe_at)
            .await
        {
            Ok(probe) => {
                if !idle {
                    self.last_probe[index] = Some(probe);
                }
                probe
            }
            Err(OracleCallError::Refused(OracleError::ObservedInFuture)) if idle => {
                match self.last_probe[index] {
                    Some(probe) => probe,
                    None => {
                        self.note(
                            index,
                            false,
                            format!("waiting for a block: the chain's clock ({chain_now}) has not passed our last report ({last_reported}) and there is no earlier dry run to take the gas from"),
                        );
                        return Ok(());
                    }
                }
            }
            Err(OracleCallError::Refused(e)) => {
                self.note(
                    index,
                    true,
                    format!("skip: the oracle would refuse the report ({e:?})"),
                );
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        };
        self.last_note[index] = None;

        // The deposit limit: twice the dry run's charge, and at least the deposit for 256
        // bytes, since a race can turn the dry run's refund (a round completing, slots
        // cleared) into a charge (our report waiting in its slot).
        let gas_limit = submission_gas_limit(probe.gas_required);
        let deposit_floor = chain
            .deposit_per_byte()?
            .saturating_mul(DEPOSIT_FLOOR_BYTES);
        let deposit_limit = probe.storage_charge.saturating_mul(2).max(deposit_floor);
        if let SubmitReason::CandidateRefused { candidate, bps } = reason {
            // Our own price goes in and counts against the candidate; never the candidate.
            self.metrics.refused_confirmation(&label);
            warn!(
                asset = %label,
                candidate,
                price,
                bps,
                "refusing to confirm the held-back candidate: our aggregate is beyond the feed's deviation limit of it; reporting our own price"
            );
        }
        info!(
            asset = %label,
            price,
            observed_at,
            reason = %reason,
            aggregate = %aggregate.price,
            sources = aggregate.used.len(),
            best_block = block_number,
            "submitting"
        );
        let outcome = oracle
            .submit(
                &self.signer,
                &asset.address,
                price,
                observed_at,
                gas_limit,
                deposit_limit,
                self.settings.submit_timeout,
            )
            .await;
        let now = wall_now_secs();
        match outcome {
            Ok(Inclusion::Success { block }) => {
                info!(asset = %label, price, observed_at, block = %block, "included");
                self.metrics.submission(&label, "included", now);
                Ok(())
            }
            Ok(Inclusion::Failed { block, error }) => {
                warn!(asset = %label, block = %block, error = %error, "included but failed");
                self.metrics.submission(&label, "failed", now);
                self.metrics.error(now, &format!("{label}: {error}"));
                Ok(())
            }
            Ok(Inclusion::Refused(message)) => {
                warn!(asset = %label, error = %message, "the transaction pool refused the submission");
                self.metrics.submission(&label, "refused", now);
                self.metrics.error(now, &format!("{label}: {message}"));
                Ok(())
            }
            Err(ChainError::Connection(message)) => {
                self.unconfirmed[index] = Some(observed_at);
                self.metrics.submission(&label, "unknown", now);
                Err(RoundError::Connection(message))
            }
            Err(ChainError::Unexpected(message)) => {
                self.metrics.submission(&label, "refused", now);
                Err(RoundError::Other(message))
            }
        }
    }

    /// Logs a skip or refusal when it differs from the asset's previous one; `loud` ones
    /// (misconfiguration, refusals) at warn, the routine ones at debug.
    fn note(&mut self, index: usize, loud: bool, message: String) {
        let label = &self.settings.assets[index].label;
        let same_kind = self.last_note[index]
            .as_deref()
            .is_some_and(|previous| kind(previous) == kind(&message));
        if loud && !same_kind {
            warn!(asset = %label, "{message}");
        } else {
            debug!(asset = %label, "{message}");
        }
        self.last_note[index] = Some(message);
    }
}

/// A message without its numbers, so "moved 3 bps" and "moved 4 bps" are one kind.
fn kind(message: &str) -> String {
    message.chars().filter(|c| !c.is_ascii_digit()).collect()
}

/// Sleeps for `duration`; true if shutdown was asked meanwhile.
async fn sleep_or_shutdown(duration: Duration, shutdown: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(duration) => *shutdown.borrow(),
        changed = shutdown.changed() => changed.is_err() || *shutdown.borrow(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_may_cost_twice_its_dry_run_and_the_limit_saturates() {
        // The benchmark's pending report (bench/results.json) and the completing one:
        // the limit from the cheaper covers the dearer with room for a status change.
        let pending = Weight {
            ref_time: 959_511_581,
            proof_size: 91_190,
        };
        let limit = submission_gas_limit(pending);
        assert_eq!((limit.ref_time, limit.proof_size), (1_919_023_162, 182_380));
        assert!(limit.ref_time > 1_236_936_109 && limit.proof_size > 97_322);
        let huge = submission_gas_limit(Weight {
            ref_time: u64::MAX,
            proof_size: u64::MAX / 2 + 1,
        });
        assert_eq!((huge.ref_time, huge.proof_size), (u64::MAX, u64::MAX));
    }
}
