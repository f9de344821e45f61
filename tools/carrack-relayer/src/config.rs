//! The relayer's TOML config: the node and oracle, the signing key, timing, the metrics
//! endpoint and, per asset, the reporting policy and the sources. Unknown fields are
//! errors; every value is checked with its field name; relative paths are relative to
//! the config file. See `tools/carrack-relayer/README.md` and `tools/carrack-relayer/devnet.toml`.

use crate::aggregate::AggregationRules;
use crate::code_check::{bundle_code_hash, bundle_file, parse_hash, ExpectedCode};
use crate::decimal::Price;
use crate::decision::Policy;
use crate::sources::file::{FileSettings, FileSource};
use crate::sources::http::{HttpSettings, HttpSource};
use crate::sources::sim::{SimSettings, SimulatedSource};
use crate::sources::{PriceSource, TimeUnit};
use anyhow::{anyhow, bail, ensure, Context, Result};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;
use subxt::utils::AccountId32;

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Where the oracle is.
    pub chain: ChainSection,
    /// The reporter's key.
    #[serde(default)]
    pub signer: Option<SignerSection>,
    /// Timing.
    #[serde(default)]
    pub relayer: RelayerSection,
    /// Prometheus endpoint.
    #[serde(default)]
    pub metrics: Option<MetricsSection>,
    /// What to report.
    pub assets: Vec<AssetSection>,
}

/// `[chain]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainSection {
    /// `ws://` or `wss://`.
    pub url: String,
    /// The oracle's SS58 address; or take it from `manifest`.
    pub oracle: Option<String>,
    /// A carrack-deploy manifest giving the oracle and the test tokens' addresses.
    pub manifest: Option<PathBuf>,
    /// The oracle's code hash (`0x…`): the relayer submits only to an oracle address that
    /// holds this code. Without it, the `source.hash` of the oracle bundle the manifest
    /// names (see `code_check`).
    pub expected_code_hash: Option<String>,
    /// Seconds to wait for the node when connecting.
    #[serde(default = "defaults::connect_timeout_secs")]
    pub connect_timeout_secs: u64,
}

/// `[relayer]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelayerSection {
    /// Seconds between rounds.
    #[serde(default = "defaults::poll_interval_secs")]
    pub poll_interval_secs: u64,
    /// Never report an observation older than this.
    #[serde(default = "defaults::max_source_age_secs")]
    pub max_source_age_secs: u64,
    /// Per-source answer timeout.
    #[serde(default = "defaults::source_timeout_ms")]
    pub source_timeout_ms: u64,
    /// How long to follow a transaction into a block.
    #[serde(default = "defaults::submit_timeout_secs")]
    pub submit_timeout_secs: u64,
    /// Longest wait between reconnection attempts (the wait doubles from 1 s).
    #[serde(default = "defaults::max_backoff_secs")]
    pub max_backoff_secs: u64,
}

impl Default for RelayerSection {
    fn default() -> Self {
        Self {
            poll_interval_secs: defaults::poll_interval_secs(),
            max_source_age_secs: defaults::max_source_age_secs(),
            source_timeout_ms: defaults::source_timeout_ms(),
            submit_timeout_secs: defaults::submit_timeout_secs(),
            max_backoff_secs: defaults::max_backoff_secs(),
        }
    }
}

/// `[metrics]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSection {
    /// `host:port` for the Prometheus text endpoint (`GET /metrics`).
    pub listen: String,
}

/// `[[assets]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetSection {
    /// A token symbol from the manifest (`TBTC`) or the asset's SS58 address.
    pub asset: String,
    /// Report when the price moved by at least this much ("0.5%" or "0.005").
    #[serde(default = "defaults::deviation")]
    pub deviation: String,
    /// Report when the on-chain price is this close to its heartbeat.
    pub heartbeat_margin_secs: u64,
    /// Fewer usable sources than this: no report.
    #[serde(default = "defaults::min_sources")]
    pub min_sources: usize,
    /// Sources further than this from the median are dropped for the round.
    #[serde(default = "defaults::outlier_band")]
    pub outlier_band: String,
    /// Where prices come from.
    pub sources: Vec<SourceSection>,
}

/// `[[assets.sources]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "snake_case")]
pub enum SourceSection {
    /// An HTTP JSON endpoint.
    Http {
        /// The URL.
        url: String,
        /// RFC 6901 pointer to the price.
        price_pointer: String,
        /// Multiplier for the value found.
        #[serde(default = "defaults::one")]
        scale: String,
        /// Pointer to the observation time, if the answer has one.
        timestamp_pointer: Option<String>,
        /// `seconds` (default) or `milliseconds`.
        #[serde(default)]
        timestamp_unit: TimeUnit,
    },
    /// A file with a bare number or JSON.
    File {
        /// The file.
        path: PathBuf,
        /// Pointer to the price if the file is JSON.
        price_pointer: Option<String>,
        /// Multiplier for the value found.
        #[serde(default = "defaults::one")]
        scale: String,
        /// Pointer to the observation time in a JSON file.
        timestamp_pointer: Option<String>,
        /// `seconds` (default) or `milliseconds`.
        #[serde(default)]
        timestamp_unit: TimeUnit,
    },
    /// The simulated walk (devnets, tests).
    Sim {
        /// The level it moves around.
        start: String,
        /// Largest step ("0.5%").
        #[serde(default = "defaults::volatility")]
        volatility: String,
        /// Pull back per step ("1%").
        #[serde(default = "defaults::mean_reversion")]
        mean_reversion: String,
        /// Seconds per step.
        #[serde(default = "defaults::step_secs")]
        step_secs: u64,
        /// Chooses the walk; relayers with the same seed agree.
        #[serde(default)]
        seed: u64,
    },
}

mod defaults {
    pub fn connect_timeout_secs() -> u64 {
        20
    }
    pub fn poll_interval_secs() -> u64 {
        5
    }
    pub fn max_source_age_secs() -> u64 {
        60
    }
    pub fn source_timeout_ms() -> u64 {
        3_000
    }
    pub fn submit_timeout_secs() -> u64 {
        60
    }
    pub fn max_backoff_secs() -> u64 {
        30
    }
    pub fn deviation() -> String {
        "0.5%".into()
    }
    pub fn min_sources() -> usize {
        1
    }
    pub fn outlier_band() -> String {
        "5%".into()
    }
    pub fn one() -> String {
        "1".into()
    }
    pub fn volatility() -> String {
        "0.5%".into()
    }
    pub fn mean_reversion() -> String {
        "1%".into()
    }
    pub fn step_secs() -> u64 {
        5
    }
}

/// Overrides from the command line.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// `--url`.
    pub url: Option<String>,
    /// `--manifest`.
    pub manifest: Option<PathBuf>,
    /// `--suri` / `CARRACK_RELAYER_SURI`.
    pub suri: Option<String>,
    /// `--metrics-listen`.
    pub metrics_listen: Option<String>,
}

use carrack_client::config::{ensure_secret_file_is_private, toml_error, SignerSection};
/// Where the key comes from, validated.
pub use carrack_client::KeySource;

/// One asset, ready to run.
pub struct AssetSettings {
    /// As written in the config (`TBTC` or an address), for logs and metrics.
    pub label: String,
    /// The asset's address.
    pub address: AccountId32,
    /// When to report.
    pub policy: Policy,
    /// How to aggregate.
    pub rules: AggregationRules,
    /// The sources.
    pub sources: Vec<Box<dyn PriceSource>>,
}

/// The whole config, validated.
pub struct Settings {
    /// Node URL.
    pub url: String,
    /// The oracle contract.
    pub oracle: AccountId32,
    /// The code the oracle address must hold before anything is submitted.
    pub oracle_code: ExpectedCode,
    /// The key.
    pub key: KeySource,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Between rounds.
    pub poll_interval: Duration,
    /// Per source.
    pub source_timeout: Duration,
    /// Following a transaction.
    pub submit_timeout: Duration,
    /// Longest reconnect wait.
    pub max_backoff: Duration,
    /// Metrics endpoint.
    pub metrics_listen: Option<SocketAddr>,
    /// The assets.
    pub assets: Vec<AssetSettings>,
}

impl Settings {
    /// Reads and validates `path` with `overrides` applied.
    pub fn load(path: &Path, overrides: &Overrides) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the config {}", path.display()))?;
        // toml's own Display quotes the offending line, which may hold a secret URI.
        let file: ConfigFile = toml::from_str(&text).map_err(|e| {
            anyhow!(
                "{} is not a valid relayer config: {}",
                path.display(),
                toml_error(&text, &e)
            )
        })?;
        if let Some(SignerSection::Suri(suri)) = &file.signer {
            ensure_secret_file_is_private(path, suri)?;
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        Self::from_file(file, dir, overrides).with_context(|| format!("in {}", path.display()))
    }

    fn from_file(file: ConfigFile, dir: &Path, overrides: &Overrides) -> Result<Self> {
        let relative = |p: &Path| {
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                dir.join(p)
            }
        };
        let url = overrides.url.clone().unwrap_or(file.chain.url);
        ensure!(
            url.starts_with("ws://") || url.starts_with("wss://"),
            "chain.url: {url:?} is not a WebSocket URL (ws:// or wss://)"
        );
        let manifest = match overrides
            .manifest
            .clone()
            .or(file.chain.manifest.map(|m| relative(&m)))
        {
            Some(path) => Some(Manifest::load(&path)?),
            None => None,
        };
        let oracle = match (&file.chain.oracle, &manifest) {
            (Some(address), _) => parse_address(address).context("chain.oracle")?,
            (None, Some(m)) => m.address("oracle")?,
            (None, None) => bail!("chain: give `oracle` (an SS58 address) or `manifest`"),
        };
        let oracle_code = match (&file.chain.expected_code_hash, &manifest) {
            (Some(text), _) => {
                ExpectedCode::Pinned(parse_hash(text).context("chain.expected_code_hash")?)
            }
            (None, Some(m)) => oracle_code(m),
            (None, None) => {
                ExpectedCode::Unknown("no chain.expected_code_hash and no manifest".into())
            }
        };
        let key = match (overrides.suri.clone(), file.signer) {
            (Some(suri), _) => KeySource::Suri(suri),
            (None, Some(section)) => section.source(relative),
            (None, None) => bail!(
                "no key: set [signer] suri or key_file, or pass --suri / CARRACK_RELAYER_SURI"
            ),
        };
        let r = &file.relayer;
        ensure!(
            (1..=3_600).contains(&r.poll_interval_secs),
            "relayer.poll_interval_secs must be 1..=3600, not {}",
            r.poll_interval_secs
        );
        ensure!(
            (1..=86_400).contains(&r.max_source_age_secs),
            "relayer.max_source_age_secs must be 1..=86400, not {}",
            r.max_source_age_secs
        );
        ensure!(
            (50..=60_000).contains(&r.source_timeout_ms),
            "relayer.source_timeout_ms must be 50..=60000, not {}",
            r.source_timeout_ms
        );
        ensure!(
            (5..=600).contains(&r.submit_timeout_secs),
            "relayer.submit_timeout_secs must be 5..=600, not {}",
            r.submit_timeout_secs
        );
        ensure!(
            (1..=600).contains(&r.max_backoff_secs),
            "relayer.max_backoff_secs must be 1..=600, not {}",
            r.max_backoff_secs
        );
        ensure!(
            (1..=120).contains(&file.chain.connect_timeout_secs),
            "chain.connect_timeout_secs must be 1..=120, not {}",
            file.chain.connect_timeout_secs
        );
        let metrics_listen = match overrides
            .metrics_listen
            .clone()
            .or(file.metrics.map(|m| m.listen))
        {
            Some(listen) => Some(
                SocketAddr::from_str(&listen)
                    .map_err(|e| anyhow!("metrics.listen: {listen:?} is not host:port ({e})"))?,
            ),
            None => None,
        };
        ensure!(!file.assets.is_empty(), "no [[assets]]: nothing to report");
        let mut assets = Vec::new();
        for (i, asset) in file.assets.into_iter().enumerate() {
            let label = asset.asset.clone();
            let parsed = asset_settings(asset, r, manifest.as_ref(), &relative)
                .with_context(|| format!("assets[{i}] ({label})"))?;
            ensure!(
                !assets
                    .iter()
                    .any(|a: &AssetSettings| a.address == parsed.address),
                "assets[{i}] ({label}) is listed twice"
            );
            assets.push(parsed);
        }
        Ok(Settings {
            url,
            oracle,
            oracle_code,
            key,
            connect_timeout: Duration::from_secs(file.chain.connect_timeout_secs),
            poll_interval: Duration::from_secs(r.poll_interval_secs),
            source_timeout: Duration::from_millis(r.source_timeout_ms),
            submit_timeout: Duration::from_secs(r.submit_timeout_secs),
            max_backoff: Duration::from_secs(r.max_backoff_secs),
            metrics_listen,
            assets,
        })
    }
}

fn asset_settings(
    asset: AssetSection,
    relayer: &RelayerSection,
    manifest: Option<&Manifest>,
    relative: &dyn Fn(&Path) -> PathBuf,
) -> Result<AssetSettings> {
    let address = match parse_address(&asset.asset) {
        Ok(address) => address,
        Err(_) => match manifest {
            Some(m) => m.address(&format!("token:{}", asset.asset))?,
            None => bail!(
                "asset {:?} is not an SS58 address, and no manifest names tokens",
                asset.asset
            ),
        },
    };
    let deviation_bps = parse_bps(&asset.deviation).context("deviation")?;
    ensure!(
        (1..=5_000).contains(&deviation_bps),
        "deviation must be 0.01%..=50%, not {}",
        asset.deviation
    );
    let outlier_band_bps = parse_bps(&asset.outlier_band).context("outlier_band")?;
    ensure!(
        (1..=10_000).contains(&outlier_band_bps),
        "outlier_band must be 0.01%..=100%, not {}",
        asset.outlier_band
    );
    ensure!(!asset.sources.is_empty(), "no sources");
    ensure!(asset.sources.len() <= 16, "at most 16 sources per asset");
    ensure!(
        (1..=asset.sources.len()).contains(&asset.min_sources),
        "min_sources must be 1..={} (the number of sources), not {}",
        asset.sources.len(),
        asset.min_sources
    );
    let mut sources: Vec<Box<dyn PriceSource>> = Vec::new();
    for (i, source) in asset.sources.into_iter().enumerate() {
        let built =
            build_source(source, relayer, relative).with_context(|| format!("sources[{i}]"))?;
        sources.push(built);
    }
    Ok(AssetSettings {
        label: asset.asset,
        address,
        policy: Policy {
            deviation_bps,
            heartbeat_margin_secs: asset.heartbeat_margin_secs,
        },
        rules: AggregationRules {
            max_source_age_secs: relayer.max_source_age_secs,
            outlier_band_bps,
            min_sources: asset.min_sources,
        },
        sources,
    })
}

fn build_source(
    source: SourceSection,
    relayer: &RelayerSection,
    relative: &dyn Fn(&Path) -> PathBuf,
) -> Result<Box<dyn PriceSource>> {
    Ok(match source {
        SourceSection::Http {
            url,
            price_pointer,
            scale,
            timestamp_pointer,
            timestamp_unit,
        } => {
            // Errors name the scheme or host at most: the URL may carry an API key.
            let url = reqwest::Url::parse(&url)
                .map_err(|e| anyhow!("url: not a URL ({e}; value not shown)"))?;
            ensure!(
                matches!(url.scheme(), "http" | "https"),
                "url: the scheme {:?} is not https",
                url.scheme()
            );
            ensure!(
                url.scheme() == "https" || is_loopback(&url),
                "url: plain http is accepted only for a source on this machine \
                 (127.0.0.1, localhost, [::1]); {} needs https",
                url.host_str().unwrap_or("?")
            );
            check_pointer(&price_pointer, "price_pointer")?;
            if let Some(p) = &timestamp_pointer {
                check_pointer(p, "timestamp_pointer")?;
            }
            Box::new(HttpSource::new(HttpSettings {
                url,
                price_pointer,
                scale: parse_scale(&scale)?,
                timestamp_pointer,
                timestamp_unit,
                timeout: Duration::from_millis(relayer.source_timeout_ms),
            })?)
        }
        SourceSection::File {
            path,
            price_pointer,
            scale,
            timestamp_pointer,
            timestamp_unit,
        } => {
            if let Some(p) = &price_pointer {
                check_pointer(p, "price_pointer")?;
            }
            match &timestamp_pointer {
                Some(p) if price_pointer.is_none() => {
                    bail!("timestamp_pointer {p:?} needs a JSON file (set price_pointer)")
                }
                Some(p) => check_pointer(p, "timestamp_pointer")?,
                None => {}
            }
            Box::new(FileSource::new(FileSettings {
                path: relative(&path),
                price_pointer,
                scale: parse_scale(&scale)?,
                timestamp_pointer,
                timestamp_unit,
            }))
        }
        SourceSection::Sim {
            start,
            volatility,
            mean_reversion,
            step_secs,
            seed,
        } => {
            let start = Price::parse(&start).with_context(|| format!("start {start:?}"))?;
            ensure!(start > Price(0), "start must be positive");
            let volatility = parse_fraction(&volatility).context("volatility")?;
            ensure!(
                (0.0..0.5).contains(&volatility),
                "volatility must be below 50%"
            );
            let mean_reversion = parse_fraction(&mean_reversion).context("mean_reversion")?;
            ensure!(
                (0.0001..=1.0).contains(&mean_reversion),
                "mean_reversion must be 0.01%..=100%"
            );
            ensure!(
                (1..=86_400).contains(&step_secs),
                "step_secs must be 1..=86400"
            );
            Box::new(SimulatedSource::new(SimSettings {
                start,
                volatility,
                mean_reversion,
                step_secs,
                seed,
            }))
        }
    })
}

/// Whether `url`'s host is this machine (a test or a local sidecar), where plain http
/// cannot be read or changed on the way.
fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host_str() {
        Some("localhost") => true,
        Some(host) => host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

fn check_pointer(pointer: &str, field: &str) -> Result<()> {
    ensure!(
        pointer.is_empty() || pointer.starts_with('/'),
        "{field} {pointer:?} is not a JSON pointer (\"\" or starting with '/', e.g. \"/data/price\")"
    );
    Ok(())
}

fn parse_scale(text: &str) -> Result<Price> {
    let scale = Price::parse(text).with_context(|| format!("scale {text:?}"))?;
    ensure!(scale > Price(0), "scale must be positive");
    Ok(scale)
}

/// "0.5%" or "0.005" as a fraction of one, exactly (as [`Price`]).
fn parse_ratio(text: &str) -> Result<Price> {
    let trimmed = text.trim();
    Ok(match trimmed.strip_suffix('%') {
        Some(percent) => {
            let value = Price::parse(percent)?;
            ensure!(value.0 % 100 == 0, "{text:?} has too many decimals");
            Price(value.0 / 100)
        }
        None => Price::parse(trimmed)?,
    })
}

/// A ratio in whole basis points; finer values are refused rather than rounded.
pub fn parse_bps(text: &str) -> Result<u128> {
    let ratio = parse_ratio(text)?;
    // 1 bps = 1e14 in 18 decimals.
    const BPS: u128 = 100_000_000_000_000;
    ensure!(
        ratio.0 % BPS == 0,
        "{text:?} is finer than one basis point (0.01%)"
    );
    Ok(ratio.0 / BPS)
}

fn parse_fraction(text: &str) -> Result<f64> {
    Ok(parse_ratio(text)?.0 as f64 / 1e18)
}

/// An SS58 address.
pub fn parse_address(text: &str) -> Result<AccountId32> {
    AccountId32::from_str(text.trim()).map_err(|e| anyhow!("{text:?} is not an SS58 address ({e})"))
}

/// A carrack-deploy manifest, read by the tools' shared lenient reader.
use carrack_client::manifest::Deployment as Manifest;

/// The `source.hash` of the oracle bundle this manifest's deployment was made from
/// (`<bundles_dir>/<contracts.oracle.bundle>/…`), or why there is none.
fn oracle_code(manifest: &Manifest) -> ExpectedCode {
    let shown = manifest.path.display();
    let Some(dir) = &manifest.bundles_dir else {
        return ExpectedCode::Unknown(format!("the manifest {shown} records no bundles_dir"));
    };
    let bundle = manifest.bundle("oracle");
    let Some(bundle) = bundle.filter(|b| {
        !b.is_empty()
            && b.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
    }) else {
        return ExpectedCode::Unknown(format!(
            "the manifest {shown} names no oracle bundle (contracts.oracle.bundle: a-z, 0-9, _)"
        ));
    };
    let path = bundle_file(dir, bundle);
    match bundle_code_hash(&path) {
        Ok(hash) => ExpectedCode::Bundle { hash, path },
        Err(e) => ExpectedCode::Unknown(format!("the manifest's oracle bundle: {e:#}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    const BOB: &str = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";

    fn load(text: &str) -> Result<Settings> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("manifest.json"),
            format!(r#"{{"contracts":{{"oracle":{{"address":"{ALICE}"}},"token:TBTC":{{"address":"{BOB}"}}}}}}"#),
        )
        .unwrap();
        let path = dir.path().join("relayer.toml");
        std::fs::write(&path, text).unwrap();
        Settings::load(&path, &Overrides::default())
    }

    const GOOD: &str = r#"
        [chain]
        url = "ws://127.0.0.1:9944"
        manifest = "manifest.json"
        [signer]
        suri = "//Bob"
        [relayer]
        poll_interval_secs = 2
        [metrics]
        listen = "127.0.0.1:9615"
        [[assets]]
        asset = "TBTC"
        deviation = "0.25%"
        heartbeat_margin_secs = 300
        [[assets.sources]]
        kind = "sim"
        start = "60_000"
        [[assets.sources]]
        kind = "file"
        path = "btc.price"
        [[assets.sources]]
        kind = "http"
        url = "https://example.com/api/ticker?pair=BTCUSD"
        price_pointer = "/result/0/last"
    "#;

    /// The development phrase: a real-looking mnemonic, public, safe for a test.
    const PHRASE: &str = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

    /// Loads `text` from a config file of mode `mode`.
    #[cfg(unix)]
    fn load_with_mode(text: &str, mode: u32) -> Result<Settings> {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("manifest.json"),
            format!(r#"{{"contracts":{{"oracle":{{"address":"{ALICE}"}},"token:TBTC":{{"address":"{BOB}"}}}}}}"#),
        )
        .unwrap();
        let path = dir.path().join("relayer.toml");
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        Settings::load(&path, &Overrides::default())
    }

    #[cfg(unix)]
    #[test]
    fn a_secret_suri_needs_a_private_config_file() {
        let secret = GOOD.replace("suri = \"//Bob\"", &format!("suri = \"{PHRASE}\""));
        let err = format!("{:#}", load_with_mode(&secret, 0o644).err().unwrap());
        assert!(err.contains("chmod 600"), "{err}");
        assert!(
            !err.contains("curtain"),
            "the error shows the secret: {err}"
        );
        assert!(load_with_mode(&secret, 0o600).is_ok());
        // A development URI is public anyway.
        assert!(load_with_mode(GOOD, 0o644).is_ok());
    }

    #[test]
    fn a_toml_error_never_quotes_the_line_with_the_secret() {
        let broken = GOOD.replace("suri = \"//Bob\"", &format!("suri = \"{PHRASE}"));
        let err = format!("{:#}", load(&broken).err().unwrap());
        assert!(
            !err.contains("curtain"),
            "the error shows the secret: {err}"
        );
        assert!(err.contains("line ") && err.contains("column "), "{err}");
    }

    #[test]
    fn a_full_config_resolves_names_from_the_manifest() {
        let settings = load(GOOD).unwrap();
        assert_eq!(settings.oracle.to_string(), ALICE);
        assert_eq!(settings.assets[0].address.to_string(), BOB);
        assert_eq!(settings.assets[0].policy.deviation_bps, 25);
        assert_eq!(settings.assets[0].rules.outlier_band_bps, 500);
        assert_eq!(settings.assets[0].sources.len(), 3);
        assert!(settings.assets[0].sources[1].name().ends_with("btc.price"));
        assert_eq!(settings.poll_interval, Duration::from_secs(2));
        assert!(matches!(settings.key, KeySource::Suri(_)));
    }

    #[test]
    fn mistakes_are_named() {
        let cases = [
            (
                GOOD.replace("deviation = \"0.25%\"", "deviation = \"0.125%\""),
                "finer than one basis point",
            ),
            (GOOD.replace("\"TBTC\"", "\"TDOGE\""), "no \"token:TDOGE\""),
            (GOOD.replace("ws://", "http://"), "not a WebSocket URL"),
            (
                GOOD.replace("poll_interval_secs = 2", "poll_interval_secs = 0"),
                "poll_interval_secs",
            ),
            (
                GOOD.replace("/result/0/last", "result.0.last"),
                "not a JSON pointer",
            ),
            (
                GOOD.replace("start = \"60_000\"", "start = \"sixty\""),
                "start",
            ),
            (GOOD.replace("kind = \"file\"", "kind = \"ftp\""), "ftp"),
            (
                GOOD.replace("[signer]\n        suri = \"//Bob\"", ""),
                "no key",
            ),
            (
                GOOD.replace("listen = \"127.0.0.1:9615\"", "listen = \"nine\""),
                "metrics.listen",
            ),
            (format!("{GOOD}\n        surprise = 1"), "surprise"),
        ];
        for (text, expected) in cases {
            let err = format!("{:#}", load(&text).err().expect(expected));
            assert!(err.contains(expected), "expected {expected:?} in: {err}");
        }
    }

    #[test]
    fn http_sources_need_https_unless_local_and_errors_hide_the_url() {
        let remote = "https://example.com/api/ticker?pair=BTCUSD";
        for url in [
            "http://example.com/api/ticker?apikey=hunter2",
            "http://10.0.0.8/api?apikey=hunter2",
            "http://127.0.0.1.attacker.example/api?apikey=hunter2",
        ] {
            let err = format!("{:#}", load(&GOOD.replace(remote, url)).err().expect(url));
            assert!(err.contains("needs https"), "{url}: {err}");
            assert!(!err.contains("hunter2"), "{url}: {err}");
        }
        for url in [
            "http://127.0.0.1:8099/p",
            "http://localhost:8099/p",
            "http://[::1]:8099/p",
        ] {
            load(&GOOD.replace(remote, url)).unwrap();
        }
        let err = format!(
            "{:#}",
            load(&GOOD.replace(remote, "ftp://user:hunter2@example.com/p"))
                .err()
                .unwrap()
        );
        assert!(err.contains("\"ftp\""), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
        let err = format!(
            "{:#}",
            load(&GOOD.replace(remote, "hunter2 is not a url"))
                .err()
                .unwrap()
        );
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn the_oracle_code_is_pinned_or_read_from_the_manifests_oracle_bundle() {
        let dir = tempfile::tempdir().unwrap();
        let bundles = dir.path().join("ink");
        std::fs::create_dir_all(bundles.join("carrack_oracle")).unwrap();
        let bundle = bundles
            .join("carrack_oracle")
            .join("carrack_oracle.contract");
        std::fs::write(
            &bundle,
            format!(
                r#"{{"source":{{"hash":"0x{}","wasm":"0x00"}}}}"#,
                "ab".repeat(32)
            ),
        )
        .unwrap();
        let manifest = |bundles_dir: &Path, oracle_bundle: &str| {
            std::fs::write(
                dir.path().join("manifest.json"),
                format!(
                    r#"{{"bundles_dir":{:?},"contracts":{{"oracle":{{"bundle":"{oracle_bundle}","address":"{ALICE}"}},"token:TBTC":{{"address":"{BOB}"}}}}}}"#,
                    bundles_dir.display().to_string()
                ),
            )
            .unwrap();
        };
        let load_here = |text: &str| {
            let path = dir.path().join("relayer.toml");
            std::fs::write(&path, text).unwrap();
            Settings::load(&path, &Overrides::default())
        };
        manifest(&bundles, "carrack_oracle");
        let settings = load_here(GOOD).unwrap();
        assert_eq!(
            settings.oracle_code,
            ExpectedCode::Bundle {
                hash: [0xab; 32],
                path: bundle.clone()
            }
        );
        // Pinned in the config: that hash, whatever the manifest's bundle says.
        let pinned = GOOD.replace(
            "manifest = \"manifest.json\"",
            &format!(
                "manifest = \"manifest.json\"\n        expected_code_hash = \"0x{}\"",
                "cd".repeat(32)
            ),
        );
        assert_eq!(
            load_here(&pinned).unwrap().oracle_code,
            ExpectedCode::Pinned([0xcd; 32])
        );
        let err = format!(
            "{:#}",
            load_here(&pinned.replace(&"cd".repeat(32), "cd"))
                .err()
                .unwrap()
        );
        assert!(err.contains("chain.expected_code_hash"), "{err}");
        // No bundle where the manifest says, or a bundle name that is a path: nothing to
        // compare with, and `run` will say why.
        manifest(&dir.path().join("gone"), "carrack_oracle");
        let ExpectedCode::Unknown(why) = load_here(GOOD).unwrap().oracle_code else {
            panic!("expected no code")
        };
        assert!(why.contains("cannot read") && why.contains("gone"), "{why}");
        manifest(&bundles, "../ink/carrack_oracle");
        let ExpectedCode::Unknown(why) = load_here(GOOD).unwrap().oracle_code else {
            panic!("expected no code")
        };
        assert!(why.contains("names no oracle bundle"), "{why}");
        assert!(ExpectedCode::unknown_error(&why).contains("set chain.expected_code_hash"));
    }

    #[test]
    fn ratios() {
        assert_eq!(parse_bps("0.5%").unwrap(), 50);
        assert_eq!(parse_bps("0.005").unwrap(), 50);
        assert_eq!(parse_bps("100%").unwrap(), 10_000);
        assert!(parse_bps("0.001%").is_err());
        assert!(parse_bps("abc").is_err());
    }
}
