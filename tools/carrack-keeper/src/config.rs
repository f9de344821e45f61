//! The keeper's TOML configuration. Unknown fields are refused and every error names its
//! field, like the relayer's.

use anyhow::{anyhow, bail, Context, Result};
use carrack_client::config::{ensure_secret_file_is_private, toml_error, SignerSection};
use carrack_client::manifest::Deployment;
use carrack_client::KeySource;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;
use subxt::utils::AccountId32;

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    /// The node's WebSocket URL.
    pub url: String,
    /// A carrack-deploy manifest naming the `pool`.
    pub manifest: Option<PathBuf>,
    /// The pool's SS58 address (instead of `manifest`).
    pub pool: Option<String>,
    /// The directory of the deployment's `.contract` bundles, whose metadata decodes the
    /// pool's, oracle's, governor's and timelock's events for the index (default: the
    /// manifest's `bundles_dir`; without a manifest only the pool's positions are
    /// indexed).
    pub bundles: Option<PathBuf>,
    /// Where positions are kept: `sqlite://path` (created if missing) or `postgres://…`.
    pub database: String,
    /// The first block to index (default: the manifest's `start_block`, else 0).
    pub start_block: Option<u64>,
    /// How often to look for new blocks, in seconds (default 3).
    #[serde(default = "default_poll_secs")]
    pub poll_secs: u64,
    /// The key that signs liquidations (and their approvals).
    pub signer: Option<SignerSection>,
    /// Where to serve `/metrics` and the read-only JSON API (`host:port`; none by
    /// default).
    pub api_listen: Option<String>,
    /// How the keeper liquidates.
    #[serde(default)]
    pub liquidation: LiquidationSection,
}

/// `[liquidation]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiquidationSection {
    /// Off: index and report only.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// The least collateral accepted, below the dry run's, in basis points (default 100).
    #[serde(default = "default_slippage_bps")]
    pub slippage_bps: u32,
    /// The most debt repaid in one transaction, in quote units (a decimal, default
    /// "100000").
    #[serde(default = "default_max_repay")]
    pub max_repay_value: String,
    /// The least profit (collateral received less debt repaid, in quote units) worth a
    /// transaction (a decimal, default "0").
    #[serde(default = "default_min_profit")]
    pub min_profit_value: String,
    /// When the collateral cannot be paid out in tokens (its withdrawals paused or its
    /// cash lent out), take it as supply instead (`liquidate_to_supply`; default true).
    #[serde(default = "yes")]
    pub to_supply_fallback: bool,
    /// Accounts never liquidated (the keeper's own is never, whatever this says).
    #[serde(default)]
    pub own_accounts: Vec<String>,
    /// After a refusal it must wait out (grace period, pause, no cash), try that account
    /// again after this many blocks (default 5).
    #[serde(default = "default_retry_blocks")]
    pub retry_after_blocks: u64,
}

impl Default for LiquidationSection {
    fn default() -> Self {
        LiquidationSection {
            enabled: true,
            slippage_bps: default_slippage_bps(),
            max_repay_value: default_max_repay(),
            min_profit_value: default_min_profit(),
            to_supply_fallback: true,
            own_accounts: Vec::new(),
            retry_after_blocks: default_retry_blocks(),
        }
    }
}

fn yes() -> bool {
    true
}
fn default_poll_secs() -> u64 {
    3
}
fn default_slippage_bps() -> u32 {
    100
}
fn default_max_repay() -> String {
    "100000".into()
}
fn default_min_profit() -> String {
    "0".into()
}
fn default_retry_blocks() -> u64 {
    5
}

/// The configuration, validated.
#[derive(Debug, Clone)]
pub struct Settings {
    pub url: String,
    pub pool: AccountId32,
    pub deployment: Option<Deployment>,
    /// `bundles`, relative to the config's folder.
    pub bundles: Option<PathBuf>,
    pub database: String,
    pub start_block: u64,
    pub poll: Duration,
    pub key: Option<KeySource>,
    pub api_listen: Option<std::net::SocketAddr>,
    pub liquidation: Liquidation,
}

/// `[liquidation]`, validated.
#[derive(Debug, Clone)]
pub struct Liquidation {
    pub enabled: bool,
    pub slippage_bps: u32,
    /// Quote units, WAD.
    pub max_repay_value_wad: u128,
    /// Quote units, WAD.
    pub min_profit_value_wad: u128,
    pub to_supply_fallback: bool,
    pub own_accounts: Vec<AccountId32>,
    pub retry_after_blocks: u64,
}

/// Command-line values that replace the file's.
#[derive(Debug, Default)]
pub struct Overrides {
    pub url: Option<String>,
    pub database: Option<String>,
    pub suri: Option<String>,
    pub api_listen: Option<String>,
}

impl Settings {
    /// Reads and checks the file at `path`; relative paths in it are relative to its
    /// folder.
    pub fn load(path: &Path, overrides: Overrides) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the config {}", path.display()))?;
        // toml's own Display quotes the offending line, which may hold a secret URI.
        let file: File = toml::from_str(&text)
            .map_err(|e| anyhow!("{}: {}", path.display(), toml_error(&text, &e)))?;
        if let Some(SignerSection::Suri(suri)) = &file.signer {
            ensure_secret_file_is_private(path, suri)?;
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        Self::from_file(file, dir, overrides)
    }

    fn from_file(file: File, dir: &Path, overrides: Overrides) -> Result<Self> {
        let relative = |p: &Path| {
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                dir.join(p)
            }
        };
        let deployment = match &file.manifest {
            Some(m) => Some(Deployment::load(&relative(m))?),
            None => None,
        };
        let pool = match (&file.pool, &deployment) {
            (Some(address), _) => parse_address(address).context("pool")?,
            (None, Some(d)) => d.address("pool")?,
            (None, None) => bail!("give `pool` (an SS58 address) or `manifest`"),
        };
        let database = overrides.database.unwrap_or(file.database);
        let database = match database.strip_prefix("sqlite://") {
            // A relative SQLite file is relative to the config's folder, like every path.
            Some(file_path) if !file_path.starts_with('/') && !file_path.starts_with(':') => {
                format!("sqlite://{}", relative(Path::new(file_path)).display())
            }
            _ => database,
        };
        if !(database.starts_with("sqlite:")
            || database.starts_with("postgres://")
            || database.starts_with("postgresql://"))
        {
            bail!("database: {database:?} is neither sqlite://… nor postgres://…");
        }
        if file.poll_secs == 0 || file.poll_secs > 3600 {
            bail!("poll_secs: {} is not within 1..=3600", file.poll_secs);
        }
        let key = match (overrides.suri, file.signer) {
            (Some(suri), _) => Some(KeySource::Suri(suri)),
            (None, Some(section)) => Some(section.source(relative)),
            (None, None) => None,
        };
        let api_listen = match overrides.api_listen.or(file.api_listen) {
            Some(text) => Some(
                text.parse::<std::net::SocketAddr>()
                    .map_err(|e| anyhow!("api_listen: {text:?} is not host:port ({e})"))?,
            ),
            None => None,
        };
        let l = file.liquidation;
        if l.enabled && key.is_none() {
            bail!("signer: liquidation.enabled needs a signer (suri or key_file), or set liquidation.enabled = false");
        }
        if l.slippage_bps > 5_000 {
            bail!(
                "liquidation.slippage_bps: {} is above 5000 (50 %)",
                l.slippage_bps
            );
        }
        let max_repay_value_wad =
            parse_wad(&l.max_repay_value).context("liquidation.max_repay_value")?;
        if max_repay_value_wad == 0 {
            bail!("liquidation.max_repay_value: must be above 0");
        }
        let min_profit_value_wad =
            parse_wad(&l.min_profit_value).context("liquidation.min_profit_value")?;
        let own_accounts = l
            .own_accounts
            .iter()
            .enumerate()
            .map(|(i, a)| {
                parse_address(a).with_context(|| format!("liquidation.own_accounts[{i}]"))
            })
            .collect::<Result<Vec<_>>>()?;
        if l.retry_after_blocks == 0 {
            bail!("liquidation.retry_after_blocks: must be at least 1");
        }
        Ok(Settings {
            url: overrides.url.unwrap_or(file.url),
            pool,
            start_block: file
                .start_block
                .or(deployment.as_ref().and_then(|d| d.start_block))
                .unwrap_or(0),
            deployment,
            bundles: file.bundles.as_deref().map(relative),
            database,
            poll: Duration::from_secs(file.poll_secs),
            key,
            api_listen,
            liquidation: Liquidation {
                enabled: l.enabled,
                slippage_bps: l.slippage_bps,
                max_repay_value_wad,
                min_profit_value_wad,
                to_supply_fallback: l.to_supply_fallback,
                own_accounts,
                retry_after_blocks: l.retry_after_blocks,
            },
        })
    }
}

/// An SS58 address.
pub fn parse_address(text: &str) -> Result<AccountId32> {
    AccountId32::from_str(text.trim()).map_err(|e| anyhow!("{text:?} is not an SS58 address ({e})"))
}

/// A non-negative decimal with at most 18 fraction digits (`"1500.25"`), as a WAD.
pub fn parse_wad(text: &str) -> Result<u128> {
    const WAD: u128 = 1_000_000_000_000_000_000;
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !(fraction.is_empty() || digits(fraction)) || text.ends_with('.') {
        bail!("{text:?} is not a decimal number like 1500 or 0.25");
    }
    if fraction.len() > 18 {
        bail!("{text:?} has more than 18 digits after the point");
    }
    let whole: u128 = whole
        .parse()
        .map_err(|_| anyhow!("{text:?} is too large"))?;
    let scale = 10u128.pow(18 - fraction.len() as u32);
    let fraction: u128 = if fraction.is_empty() {
        0
    } else {
        fraction.parse()?
    };
    whole
        .checked_mul(WAD)
        .and_then(|w| w.checked_add(fraction * scale))
        .ok_or_else(|| anyhow!("{text:?} is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOB: &str = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";

    fn settings(text: &str) -> Result<Settings> {
        let file: File = toml::from_str(text).map_err(|e| anyhow!("{e}"))?;
        Settings::from_file(file, Path::new("/etc/carrack"), Overrides::default())
    }

    #[test]
    fn a_minimal_config() {
        let s = settings(&format!(
            "url = \"ws://127.0.0.1:9944\"\npool = \"{BOB}\"\ndatabase = \"sqlite://keeper.sqlite\"\nsigner = {{ suri = \"//Ferdie\" }}\n"
        ))
        .unwrap();
        assert_eq!(s.database, "sqlite:///etc/carrack/keeper.sqlite");
        assert_eq!(s.start_block, 0);
        assert_eq!(s.liquidation.slippage_bps, 100);
        assert_eq!(s.liquidation.max_repay_value_wad, 100_000 * 10u128.pow(18));
    }

    #[test]
    fn errors_name_their_field() {
        let base = format!("url = \"ws://x\"\npool = \"{BOB}\"\ndatabase = \"sqlite://k\"\nsigner = {{ suri = \"//Ferdie\" }}\n");
        let err = |extra: &str| format!("{:#}", settings(&format!("{base}{extra}")).unwrap_err());
        assert!(err("[liquidation]\nslippage_bps = 9000\n").contains("liquidation.slippage_bps"));
        assert!(err("[liquidation]\nmax_repay_value = \"1e5\"\n")
            .contains("liquidation.max_repay_value"));
        assert!(err("[liquidation]\nown_accounts = [\"nope\"]\n")
            .contains("liquidation.own_accounts[0]"));
        assert!(err("[liquidation]\nretry_after_blocks = 0\n").contains("retry_after_blocks"));
        assert!(err("poll_secs = 0\n").contains("poll_secs"));
        assert!(err("colour = 1\n").contains("unknown field"));
        assert!(err("api_listen = \"localhost\"\n").contains("api_listen"));
        let no_signer = settings(&format!(
            "url = \"ws://x\"\npool = \"{BOB}\"\ndatabase = \"sqlite://k\"\n"
        ));
        assert!(format!("{:#}", no_signer.unwrap_err()).contains("signer"));
        let bad_db = settings(&format!("url = \"ws://x\"\npool = \"{BOB}\"\ndatabase = \"mysql://k\"\n[liquidation]\nenabled = false\n"));
        assert!(format!("{:#}", bad_db.unwrap_err()).contains("database"));
    }

    #[cfg(unix)]
    #[test]
    fn a_secret_in_the_config_stays_private_and_out_of_errors() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keeper.toml");
        let secret = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
        let text = format!("url = \"ws://x\"\npool = \"{BOB}\"\ndatabase = \"sqlite://k\"\nsigner = {{ suri = \"{secret}\" }}\n");
        std::fs::write(&path, &text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = format!(
            "{:#}",
            Settings::load(&path, Overrides::default()).unwrap_err()
        );
        assert!(
            err.contains("chmod 600") && !err.contains("bottom"),
            "{err}"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(Settings::load(&path, Overrides::default()).is_ok());
        // A TOML mistake on the secret's line is reported by position, never quoted.
        std::fs::write(&path, text.replace("\" }", " }")).unwrap();
        let err = format!(
            "{:#}",
            Settings::load(&path, Overrides::default()).unwrap_err()
        );
        assert!(err.contains("line 4") && !err.contains("bottom"), "{err}");
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(parse_wad("0.25").unwrap(), 250_000_000_000_000_000);
        assert_eq!(parse_wad("7").unwrap(), 7 * 10u128.pow(18));
        assert_eq!(parse_wad("0.000000000000000001").unwrap(), 1);
        for bad in [
            "",
            ".5",
            "5.",
            "-1",
            "+1",
            "1e3",
            "1.0000000000000000001",
            "1 000",
        ] {
            assert!(parse_wad(bad).is_err(), "{bad}");
        }
        assert!(parse_wad("999999999999999999999999").is_err());
    }
}
