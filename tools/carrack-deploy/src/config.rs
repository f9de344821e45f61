//! The deployment config (TOML) and its validation into a [`Plan`].
//!
//! Every table refuses unknown fields, so a typo is an error, not a silently ignored
//! parameter. [`Config::plan`] checks everything that can be checked without a chain —
//! with the contracts' own rules (market parameters through `carrack-core`'s
//! `MarketConfig::validate`; feed, timelock, governor and pool bounds from the contract
//! crates, checked with field-by-field messages) — and resolves units and accounts into the exact values the contracts take.
//! The plan, serialized, is the *normalized config*: its digest identifies a deployment
//! whatever the formatting, comments, units or node URL of the file.

use crate::accounts::{self, DevKeys, SignerSource};
use crate::units::{self, Decimal};
use anyhow::{bail, ensure, Context, Result};
use blake2::{digest::consts::U32, Blake2b, Digest};
use carrack_core::{ConfigError, MarketConfig, RateModel, MIN_DEAD_SHARES, WAD};
use carrack_governor::params::{Bounds, GovernorLimits, GovernorParams};
use carrack_oracle::feed::FeedConfig;
use carrack_pool::market::MarketParams;
use carrack_pool::params::PoolParams;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use subxt_signer::sr25519::Keypair;

// The contracts' own bounds (their crates are dependencies, used as libraries), checked
// here for a precise error before anything touches the chain; the contracts re-check them.
pub use carrack_governor::params::BPS;
pub use carrack_oracle::feed::{MAX_HEARTBEAT_SECS, MAX_PRICE_DECIMALS, MAX_REPORTERS};
pub use carrack_oracle::oracle::MAX_FEEDS;
pub use carrack_pool::params::{MAX_DUST_VALUE_WAD, MAX_LIQUIDATION_GRACE_SECS};
pub use carrack_pool::pool::MAX_MARKETS;
pub use carrack_timelock::delays::MAX_PERIOD_SECS;

/// What kind of chain a config is for. `production` forbids development keys, test
/// tokens and initial prices from the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A local development chain (substrate-contracts-node --dev).
    Devnet,
    /// A shared test network.
    Testnet,
    /// A production chain.
    Production,
}

/// The config file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub network: Network,
    pub signer: SignerSource,
    pub roles: Roles,
    /// Test tokens to create (devnet and testnet only), deployed first.
    #[serde(default)]
    pub tokens: Vec<TokenSpec>,
    pub oracle: OracleSpec,
    #[serde(default)]
    pub feeds: Vec<FeedSpec>,
    pub pool: PoolSpec,
    #[serde(default)]
    pub markets: Vec<MarketSpec>,
    pub gov_token: GovTokenSpec,
    pub timelock: TimelockSpec,
    pub governor: GovernorSpec,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// The node's WebSocket URL (`--url` overrides it).
    pub url: String,
    pub kind: Kind,
    /// Refuse to deploy on any chain whose genesis hash differs (`0x…`).
    pub expected_genesis: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roles {
    /// May pause markets, freeze feeds and cancel timelock batches; never starts anything.
    pub guardian: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenSpec {
    pub symbol: String,
    pub name: String,
    pub decimals: u8,
    /// Whole tokens, credited to the deployer.
    pub initial_supply: Decimal,
    /// `deployer` (default), `none` (fixed supply), `timelock` (nominated at the end; the
    /// timelock accepts through a proposal) or an account.
    #[serde(default = "default_minter_deployer")]
    pub minter: String,
}

fn default_minter_deployer() -> String {
    "deployer".to_string()
}

fn default_minter_none() -> String {
    "none".to_string()
}

/// Feed parameters shared by every feed unless a feed overrides them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OracleSpec {
    pub reporters: Option<Vec<String>>,
    pub quorum: Option<u8>,
    pub heartbeat_secs: Option<u64>,
    pub round_window_secs: Option<u64>,
    /// Largest accepted change per round, e.g. `"20%"`.
    pub max_deviation: Option<Decimal>,
    /// Decimals of price values.
    pub price_decimals: Option<u8>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedSpec {
    /// A test token's symbol or a token address.
    pub asset: String,
    /// Prices in quote units (e.g. `"0.5"` dollars), scaled by the price decimals.
    pub min_price: Decimal,
    pub max_price: Decimal,
    /// Submitted by every reporter right after the feed is added, so the first round
    /// closes at once; they must all be given as //Dev URIs (devnet/testnet).
    pub initial_price: Option<Decimal>,
    pub reporters: Option<Vec<String>>,
    pub quorum: Option<u8>,
    pub heartbeat_secs: Option<u64>,
    pub round_window_secs: Option<u64>,
    pub max_deviation: Option<Decimal>,
    pub price_decimals: Option<u8>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolSpec {
    /// No liquidation for this long after a market is unpaused or a feed recovers.
    pub liquidation_grace_secs: u64,
    /// Positions worth less than this (quote units) may be liquidated whole.
    pub dust_value: Decimal,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketSpec {
    /// A test token's symbol or a token address.
    pub asset: String,
    /// Required for a token given by address; taken from the test token otherwise.
    pub decimals: Option<u8>,
    pub ltv: Decimal,
    pub liquidation_threshold: Decimal,
    /// What a liquidator receives per unit of debt repaid: `"105%"` is a 5 % bonus.
    pub liquidation_bonus: Decimal,
    /// The protocol's share of the bonus.
    pub liquidation_protocol_fee: Decimal,
    pub reserve_factor: Decimal,
    pub rate_model: RateModelSpec,
    /// Whole tokens, or `"unlimited"`.
    pub supply_cap: Decimal,
    pub borrow_cap: Decimal,
    pub min_debt: Decimal,
    #[serde(default = "yes")]
    pub collateral_enabled: bool,
    #[serde(default = "yes")]
    pub borrowing_enabled: bool,
    /// The fee on a flash loan of the asset (`"0.05%"`, Aave's, by default; at most 1 %).
    #[serde(default = "default_flash_loan_fee")]
    pub flash_loan_fee: Decimal,
    /// Whole tokens paid by the deployer as dead shares when listing.
    pub seed: Decimal,
}

fn default_flash_loan_fee() -> Decimal {
    Decimal::from("0.05%")
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateModelSpec {
    pub base_rate: Decimal,
    pub slope_low: Decimal,
    pub slope_high: Decimal,
    pub optimal_utilization: Decimal,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GovTokenSpec {
    pub symbol: String,
    pub name: String,
    pub decimals: u8,
    /// Whole tokens, credited to the deployer.
    pub initial_supply: Decimal,
    #[serde(default = "default_minter_none")]
    pub minter: String,
    /// The deployer delegates its votes to itself (so its supply can vote).
    #[serde(default = "yes")]
    pub self_delegate: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimelockSpec {
    pub delay_secs: u64,
    pub grace_secs: u64,
    pub min_delay_secs: u64,
    pub max_delay_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GovernorSpec {
    pub voting_delay_blocks: u32,
    pub voting_period_blocks: u32,
    /// Whole governance tokens.
    pub proposal_threshold: Decimal,
    /// Share of the total supply, e.g. `"4%"`.
    pub quorum: Decimal,
    pub limits: GovernorLimitsSpec,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GovernorLimitsSpec {
    pub voting_delay_blocks: BoundsSpec<u32>,
    pub voting_period_blocks: BoundsSpec<u32>,
    pub proposal_threshold: BoundsSpec<Decimal>,
    pub quorum: BoundsSpec<Decimal>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoundsSpec<T> {
    pub min: T,
    pub max: T,
}

// ---------------------------------------------------------------------------------------
// The plan: resolved, validated, serializable.

/// Who holds a token's minter role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Minter {
    /// Nobody: the supply is fixed.
    None,
    /// The deployer.
    Deployer,
    /// The deployer at first; the timelock is nominated at the end.
    Timelock,
    /// Another account.
    Account(String),
}

/// A market's or feed's asset.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Asset {
    /// A test token of this deployment, by symbol.
    Token(String),
    /// An existing token, by address.
    Address(String),
}

impl Asset {
    /// How the asset is named in step names and logs.
    pub fn label(&self) -> String {
        match self {
            Asset::Token(symbol) => symbol.clone(),
            Asset::Address(address) => address.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenPlan {
    pub symbol: String,
    pub name: String,
    pub decimals: u8,
    pub initial_supply: u128,
    pub minter: Minter,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedPlan {
    pub asset: Asset,
    pub quorum: u8,
    pub heartbeat_secs: u64,
    pub round_window_secs: u64,
    pub min_price: u128,
    pub max_price: u128,
    pub max_deviation_wad: u128,
    pub decimals: u8,
    /// Reporter addresses.
    pub reporters: Vec<String>,
    /// `(price, reporter dev URIs that submit it)`.
    pub initial_price: Option<(u128, Vec<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketPlan {
    pub asset: Asset,
    pub decimals: u8,
    pub ltv_wad: u128,
    pub liquidation_threshold_wad: u128,
    pub liquidation_bonus_wad: u128,
    pub liquidation_protocol_fee_wad: u128,
    pub reserve_factor_wad: u128,
    pub base_rate_wad: u128,
    pub slope_low_wad: u128,
    pub slope_high_wad: u128,
    pub optimal_utilization_wad: u128,
    pub supply_cap: u128,
    pub borrow_cap: u128,
    pub min_debt: u128,
    pub collateral_enabled: bool,
    pub borrowing_enabled: bool,
    /// Manifests written before flash loans have none: Aave's 0.05 %.
    #[serde(default = "default_flash_loan_fee_wad")]
    pub flash_loan_fee_wad: u128,
    pub seed: u128,
}

fn default_flash_loan_fee_wad() -> u128 {
    WAD / 2_000
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GovernorPlan {
    pub voting_delay_blocks: u32,
    pub voting_period_blocks: u32,
    pub proposal_threshold: u128,
    pub quorum_bps: u16,
    pub limits_voting_delay_blocks: (u32, u32),
    pub limits_voting_period_blocks: (u32, u32),
    pub limits_proposal_threshold: (u128, u128),
    pub limits_quorum_bps: (u16, u16),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelockPlan {
    pub delay_secs: u64,
    pub grace_secs: u64,
    pub min_delay_secs: u64,
    pub max_delay_secs: u64,
}

/// Everything the deployment will do, in chain units. Serialized, it is the normalized
/// config whose digest the manifest records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub kind: Kind,
    pub expected_genesis: Option<String>,
    pub deployer: String,
    pub guardian: String,
    pub tokens: Vec<TokenPlan>,
    pub feeds: Vec<FeedPlan>,
    pub liquidation_grace_secs: u64,
    pub dust_value_wad: u128,
    pub markets: Vec<MarketPlan>,
    pub gov_token: TokenPlan,
    pub self_delegate: bool,
    pub timelock: TimelockPlan,
    pub governor: GovernorPlan,
}

impl Plan {
    /// `blake2b-256` of the plan's canonical JSON, as `0x…`.
    pub fn digest(&self) -> String {
        let json = serde_json::to_vec(self).expect("a plan always serializes");
        format!("0x{}", hex::encode(Blake2b::<U32>::digest(&json)))
    }

    /// The decimals of an asset (test tokens know theirs).
    pub fn token(&self, symbol: &str) -> Option<&TokenPlan> {
        self.tokens.iter().find(|t| t.symbol == symbol)
    }
}

/// A loaded config and where it came from.
pub struct LoadedConfig {
    pub path: PathBuf,
    pub config: Config,
}

impl LoadedConfig {
    /// Reads and parses `path` (unknown fields are errors).
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the config {}", path.display()))?;
        let config = parse(&text).with_context(|| format!("invalid config {}", path.display()))?;
        Ok(Self {
            path: path.to_path_buf(),
            config,
        })
    }

    /// The directory relative paths in the config are relative to.
    pub fn dir(&self) -> PathBuf {
        self.path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }

    /// The deployer's keypair; production refuses any key from the development phrase.
    pub fn signer(&self) -> Result<Keypair> {
        let dev_keys = match self.config.network.kind {
            Kind::Production => DevKeys::Refused,
            Kind::Devnet | Kind::Testnet => DevKeys::Allowed,
        };
        self.config.signer.load(&self.dir(), dev_keys)
    }
}

/// Parses a config, flattening TOML's multi-line error into one line. Errors in the
/// signer's value never quote it (serde's messages echo values, and a mnemonic written as
/// `signer = "word1 word2 …"` would be printed as an "unknown variant").
pub fn parse(text: &str) -> Result<Config> {
    toml::from_str::<Config>(text).map_err(|e| {
        let mut message = e.message().trim().to_string();
        match e.span() {
            Some(span) => {
                let before = &text[..span.start.min(text.len())];
                let line = before.lines().count().max(1);
                let line = if before.ends_with('\n') {
                    line + 1
                } else {
                    line
                };
                if in_signer(before) && !message.starts_with("unknown field") {
                    message = "signer: expected `suri = \"//Dev\"` or `key_file = \"path\"` \
                               (the value is not shown: it may be a secret)"
                        .to_string();
                }
                anyhow::anyhow!("line {line}: {message}")
            }
            None => anyhow::anyhow!("{message}"),
        }
    })
}

/// Whether the config position whose preceding text is `before` lies in the signer: on a
/// `signer…` key line, or in the `[signer]` table.
fn in_signer(before: &str) -> bool {
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    if before[line_start..].trim_start().starts_with("signer") {
        return true;
    }
    before
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .is_some_and(|header| header.starts_with("[signer]"))
}

fn check_symbol(what: &str, symbol: &str) -> Result<()> {
    ensure!(
        !symbol.is_empty()
            && symbol.len() <= 16
            && symbol
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
        "{what}: symbol {symbol:?} must be 1-16 ASCII letters, digits, '_' or '-'"
    );
    Ok(())
}

fn check_name(what: &str, name: &str) -> Result<()> {
    ensure!(
        !name.is_empty()
            && name.len() <= 64
            && name.chars().all(|c| c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' '),
        "{what}: name {name:?} must be 1-64 printable ASCII characters without quotes or backslashes"
    );
    Ok(())
}

/// An account field (`what` names it in errors), as SS58. Production refuses the public
/// development accounts in every form: a `//Dev` URI or a well-known dev address.
fn account(production: bool, what: &str, text: &str) -> Result<String> {
    let text = text.trim();
    if production && accounts::is_dev_uri(text) {
        bail!("{what}: a //Dev URI is a public development key; production needs real addresses");
    }
    let account = accounts::parse_account(text).with_context(|| what.to_string())?;
    if production {
        if let Some(name) = accounts::dev_account_name(&account) {
            bail!("{what}: {account} is the public development account {name}; production needs real addresses");
        }
    }
    Ok(account.to_string())
}

fn minter(production: bool, what: &str, text: &str) -> Result<Minter> {
    Ok(match text.trim() {
        "none" => Minter::None,
        "deployer" => Minter::Deployer,
        "timelock" => Minter::Timelock,
        other => {
            Minter::Account(account(production, what, other).with_context(|| {
                format!("{what}: must be none, deployer, timelock or an account")
            })?)
        }
    })
}

/// Token decimals: the pool lists at most [`carrack_core::MAX_DECIMALS`], and amounts of a
/// token with more would hardly fit a `u128`.
fn check_decimals(what: &str, decimals: u8) -> Result<()> {
    ensure!(
        decimals <= carrack_core::MAX_DECIMALS,
        "{what}.decimals: {decimals} is above the limit of {}",
        carrack_core::MAX_DECIMALS
    );
    Ok(())
}

/// The node URL must be a WebSocket URL. Errors show only the scheme: a URL can carry
/// credentials.
fn check_node_url(text: &str) -> Result<()> {
    let url = url::Url::parse(text.trim())
        .map_err(|e| anyhow::anyhow!("network.url: not a URL ({e})"))?;
    ensure!(
        matches!(url.scheme(), "ws" | "wss"),
        "network.url: the scheme {:?} is not a node WebSocket; use ws:// or wss://",
        url.scheme()
    );
    Ok(())
}

/// A precise message for each way `MarketConfig::validate` can refuse.
fn market_error(error: ConfigError, m: &MarketPlan) -> String {
    use units::format_percent as pct;
    match error {
        ConfigError::DecimalsTooLarge => {
            format!("decimals {} is above the pool's limit of {}", m.decimals, carrack_core::MAX_DECIMALS)
        }
        ConfigError::LtvNotBelowLiquidationThreshold => format!(
            "ltv ({}) must be below liquidation_threshold ({})",
            pct(m.ltv_wad),
            pct(m.liquidation_threshold_wad)
        ),
        ConfigError::LiquidationThresholdNotBelowOne => format!(
            "liquidation_threshold ({}) must be below 100%",
            pct(m.liquidation_threshold_wad)
        ),
        ConfigError::LiquidationBonusNotAboveOne => format!(
            "liquidation_bonus ({}) is what a liquidator receives per unit repaid and must be above 100% for a collateral market (write \"105%\" for a 5% bonus)",
            pct(m.liquidation_bonus_wad)
        ),
        ConfigError::LiquidationBonusTooHigh => format!(
            "liquidation_bonus ({}) is above the maximum of {}",
            pct(m.liquidation_bonus_wad),
            pct(carrack_core::MAX_LIQUIDATION_BONUS_WAD)
        ),
        ConfigError::ThresholdTimesBonusTooHigh => format!(
            "liquidation_threshold ({}) times liquidation_bonus ({}) must not exceed {}, or a partial liquidation could lower the borrower's health",
            pct(m.liquidation_threshold_wad),
            pct(m.liquidation_bonus_wad),
            pct(carrack_core::MAX_THRESHOLD_TIMES_BONUS_WAD)
        ),
        ConfigError::ProtocolFeeAboveOne => format!(
            "liquidation_protocol_fee ({}) must not exceed 100%",
            pct(m.liquidation_protocol_fee_wad)
        ),
        ConfigError::ReserveFactorAboveOne => {
            format!("reserve_factor ({}) must not exceed 100%", pct(m.reserve_factor_wad))
        }
        ConfigError::OptimalUtilizationOutOfRange => format!(
            "rate_model.optimal_utilization ({}) must be strictly between 0% and 100%",
            pct(m.optimal_utilization_wad)
        ),
        ConfigError::BorrowRateAboveCap => format!(
            "rate_model: base_rate + slope_low + slope_high must not exceed {} per year",
            pct(carrack_core::MAX_BORROW_RATE_WAD)
        ),
        ConfigError::MinDebtAboveBorrowCap => "min_debt must not exceed borrow_cap".to_string(),
    }
}

// ---------------------------------------------------------------------------------------
// The plan in the contracts' own types: the one place a plan's values become what the
// constructors and messages take. Struct literals, so a field added to a contract's type
// is a compile error here.

impl MarketPlan {
    /// The `carrack-core` config the pool will validate.
    pub fn core_config(&self) -> MarketConfig {
        MarketConfig {
            decimals: self.decimals,
            ltv_wad: self.ltv_wad,
            liquidation_threshold_wad: self.liquidation_threshold_wad,
            liquidation_bonus_wad: self.liquidation_bonus_wad,
            liquidation_protocol_fee_wad: self.liquidation_protocol_fee_wad,
            reserve_factor_wad: self.reserve_factor_wad,
            rate_model: RateModel {
                base_rate_wad: self.base_rate_wad,
                slope_low_wad: self.slope_low_wad,
                slope_high_wad: self.slope_high_wad,
                optimal_utilization_wad: self.optimal_utilization_wad,
            },
            supply_cap: self.supply_cap,
            borrow_cap: self.borrow_cap,
            min_debt: self.min_debt,
        }
    }

    /// The pool's parameters of the market (`list_market`).
    pub fn market_params(&self) -> MarketParams {
        MarketParams {
            config: self.core_config(),
            collateral_enabled: self.collateral_enabled,
            borrowing_enabled: self.borrowing_enabled,
            flash_loan_fee_wad: self.flash_loan_fee_wad,
        }
    }
}

impl FeedPlan {
    /// The oracle's parameters of the feed (`add_feed`).
    pub fn feed_config(&self) -> FeedConfig {
        FeedConfig {
            quorum: self.quorum,
            heartbeat_secs: self.heartbeat_secs,
            round_window_secs: self.round_window_secs,
            min_price: self.min_price,
            max_price: self.max_price,
            max_deviation_wad: self.max_deviation_wad,
            decimals: self.decimals,
        }
    }
}

impl Plan {
    /// The pool's own parameters (its constructor).
    pub fn pool_params(&self) -> PoolParams {
        PoolParams {
            liquidation_grace_secs: self.liquidation_grace_secs,
            dust_value_wad: self.dust_value_wad,
        }
    }
}

impl GovernorPlan {
    /// The governor's initial parameters (its constructor).
    pub fn params(&self) -> GovernorParams {
        GovernorParams {
            voting_delay_blocks: self.voting_delay_blocks,
            voting_period_blocks: self.voting_period_blocks,
            proposal_threshold: self.proposal_threshold,
            quorum_bps: self.quorum_bps,
        }
    }

    /// The governor's bounds on its parameters (its constructor).
    pub fn limits(&self) -> GovernorLimits {
        fn bounds<T>((min, max): (T, T)) -> Bounds<T> {
            Bounds { min, max }
        }
        GovernorLimits {
            voting_delay_blocks: bounds(self.limits_voting_delay_blocks),
            voting_period_blocks: bounds(self.limits_voting_period_blocks),
            proposal_threshold: bounds(self.limits_proposal_threshold),
            quorum_bps: bounds(self.limits_quorum_bps),
        }
    }
}

impl Config {
    /// Resolves asset references: a test token's symbol, or an address.
    fn asset(&self, what: &str, text: &str) -> Result<Asset> {
        if self.tokens.iter().any(|t| t.symbol == text) {
            return Ok(Asset::Token(text.to_string()));
        }
        if text.starts_with("//") {
            bail!("{what}: asset {text:?} must be a test token's symbol or a token address");
        }
        match accounts::parse_account(text) {
            Ok(account) => {
                if self.network.kind == Kind::Production {
                    if let Some(name) = accounts::dev_account_name(&account) {
                        bail!("{what}: asset {account} is the public development account {name}, not a token");
                    }
                }
                Ok(Asset::Address(account.to_string()))
            }
            Err(e) if text.starts_with("REPLACE_ME") => Err(e.context(what.to_string())),
            Err(_) => {
                bail!(
                "{what}: asset {text:?} is neither a test token of this config ({}) nor an address",
                self.tokens.iter().map(|t| t.symbol.as_str()).collect::<Vec<_>>().join(", ")
            )
            }
        }
    }

    /// Validates everything and resolves it into a plan, for `deployer`.
    pub fn plan(&self, deployer: &str) -> Result<Plan> {
        let kind = self.network.kind;
        let production = kind == Kind::Production;
        check_node_url(&self.network.url)?;
        if let Some(genesis) = &self.network.expected_genesis {
            let hex = genesis.strip_prefix("0x").unwrap_or(genesis);
            ensure!(
                hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()),
                "network.expected_genesis must be a 0x-prefixed 32-byte hex hash"
            );
        }
        if production {
            ensure!(
                !matches!(self.signer, SignerSource::Suri(_)),
                "signer: a production deployment reads its key from a key_file, never from the config"
            );
            ensure!(
                self.tokens.is_empty(),
                "tokens: test tokens are for devnets and testnets only"
            );
        }
        if production {
            let account = accounts::parse_account(deployer).context("the deployer")?;
            if let Some(name) = accounts::dev_account_name(&account) {
                bail!("signer: the deployer {account} is the public development account {name}; production needs a private key");
            }
        }
        let account = |what: &str, text: &str| account(production, what, text);
        let guardian = account("roles.guardian", &self.roles.guardian)?;

        // Tokens.
        let mut symbols = BTreeSet::new();
        let mut tokens = Vec::new();
        for t in &self.tokens {
            let what = format!("tokens.{}", t.symbol);
            check_symbol(&what, &t.symbol)?;
            check_name(&what, &t.name)?;
            check_decimals(&what, t.decimals)?;
            ensure!(
                symbols.insert(t.symbol.clone()),
                "{what}: symbol listed twice"
            );
            tokens.push(TokenPlan {
                symbol: t.symbol.clone(),
                name: t.name.clone(),
                decimals: t.decimals,
                initial_supply: units::amount(&t.initial_supply, t.decimals)
                    .with_context(|| format!("{what}.initial_supply"))?,
                minter: minter(production, &format!("{what}.minter"), &t.minter)?,
            });
        }
        let gt = &self.gov_token;
        check_symbol("gov_token", &gt.symbol)?;
        check_name("gov_token", &gt.name)?;
        check_decimals("gov_token", gt.decimals)?;
        ensure!(
            !symbols.contains(&gt.symbol),
            "gov_token: symbol {} is also a test token's",
            gt.symbol
        );
        let gov_token = TokenPlan {
            symbol: gt.symbol.clone(),
            name: gt.name.clone(),
            decimals: gt.decimals,
            initial_supply: units::amount(&gt.initial_supply, gt.decimals)
                .context("gov_token.initial_supply")?,
            minter: minter(production, "gov_token.minter", &gt.minter)?,
        };

        // Feeds.
        ensure!(
            self.feeds.len() <= MAX_FEEDS,
            "feeds: at most {MAX_FEEDS} feeds per oracle"
        );
        let mut feeds = Vec::new();
        let mut feed_assets = BTreeSet::new();
        for f in &self.feeds {
            let what = format!("feeds.{}", f.asset);
            let asset = self.asset(&what, &f.asset)?;
            ensure!(
                feed_assets.insert(asset.clone()),
                "{what}: a second feed for the same asset"
            );
            let o = &self.oracle;
            let need = |field: &str| {
                format!("{what}: {field} is missing (set it in the feed or in [oracle])")
            };
            let quorum = f.quorum.or(o.quorum).with_context(|| need("quorum"))?;
            let heartbeat_secs = f
                .heartbeat_secs
                .or(o.heartbeat_secs)
                .with_context(|| need("heartbeat_secs"))?;
            let round_window_secs = f
                .round_window_secs
                .or(o.round_window_secs)
                .with_context(|| need("round_window_secs"))?;
            let decimals = f
                .price_decimals
                .or(o.price_decimals)
                .with_context(|| need("price_decimals"))?;
            let max_deviation = f
                .max_deviation
                .as_ref()
                .or(o.max_deviation.as_ref())
                .with_context(|| need("max_deviation"))?;
            let reporter_texts = f
                .reporters
                .as_ref()
                .or(o.reporters.as_ref())
                .with_context(|| need("reporters"))?;
            ensure!(
                decimals <= MAX_PRICE_DECIMALS,
                "{what}: price_decimals {decimals} is above {MAX_PRICE_DECIMALS}"
            );
            let max_deviation_wad =
                units::wad(max_deviation).with_context(|| format!("{what}.max_deviation"))?;
            let min_price = units::amount(&f.min_price, decimals)
                .with_context(|| format!("{what}.min_price"))?;
            let max_price = units::amount(&f.max_price, decimals)
                .with_context(|| format!("{what}.max_price"))?;
            let mut reporters = Vec::new();
            let reporters_field = if f.reporters.is_some() {
                format!("{what}.reporters")
            } else {
                "oracle.reporters".to_string()
            };
            for (i, r) in reporter_texts.iter().enumerate() {
                let address = account(&format!("{reporters_field}[{i}]"), r)?;
                ensure!(
                    !reporters.contains(&address),
                    "{reporters_field}[{i}]: reporter {address} listed twice"
                );
                reporters.push(address);
            }
            ensure!(
                reporters.len() <= MAX_REPORTERS,
                "{what}: {} reporters, at most {MAX_REPORTERS}",
                reporters.len()
            );
            ensure!(
                quorum % 2 == 1 && usize::from(quorum) <= reporters.len(),
                "{what}: quorum {quorum} must be odd and at most the number of reporters ({})",
                reporters.len()
            );
            // The oracle's fault bound: f = ⌊(n − 1)/2⌋ liars are tolerated, and the quorum
            // must exceed f so that liars alone never close a round or confirm a jump.
            let tolerated = reporters.len().saturating_sub(1) / 2;
            ensure!(
                usize::from(quorum) > tolerated,
                "{what}: quorum {quorum} is a minority of {} reporters: it must be more than {tolerated} (⌊(n − 1)/2⌋)",
                reporters.len()
            );
            ensure!(
                !production || tolerated >= 1,
                "{what}: {} reporters tolerate no lying reporter; production feeds need at least 3",
                reporters.len()
            );
            ensure!(
                min_price > 0 && min_price <= max_price,
                "{what}: min_price must be above zero and at most max_price"
            );
            ensure!(
                heartbeat_secs > 0 && heartbeat_secs <= MAX_HEARTBEAT_SECS,
                "{what}: heartbeat_secs must be 1..={MAX_HEARTBEAT_SECS} (one week)"
            );
            ensure!(
                round_window_secs > 0 && round_window_secs <= heartbeat_secs,
                "{what}: round_window_secs must be 1..=heartbeat_secs ({heartbeat_secs})"
            );
            ensure!(
                max_deviation_wad > 0 && max_deviation_wad <= WAD,
                "{what}: max_deviation must be above 0% and at most 100%"
            );
            let initial_price = match &f.initial_price {
                None => None,
                Some(price) => {
                    ensure!(
                        !production,
                        "{what}: initial_price is for devnets and testnets only"
                    );
                    let price = units::amount(price, decimals)
                        .with_context(|| format!("{what}.initial_price"))?;
                    ensure!(
                        (min_price..=max_price).contains(&price),
                        "{what}: initial_price is outside min_price..=max_price"
                    );
                    // Every reporter signs, so the first round closes at once (a round
                    // of fewer closes only after its window).
                    let uris: Vec<String> = reporter_texts
                        .iter()
                        .filter(|r| accounts::is_dev_uri(r))
                        .cloned()
                        .collect();
                    ensure!(
                        uris.len() == reporter_texts.len(),
                        "{what}: initial_price needs every reporter given as a //Dev URI to sign it"
                    );
                    Some((price, uris))
                }
            };
            feeds.push(FeedPlan {
                asset,
                quorum,
                heartbeat_secs,
                round_window_secs,
                min_price,
                max_price,
                max_deviation_wad,
                decimals,
                reporters,
                initial_price,
            });
        }

        // Pool and markets.
        let dust_value_wad = units::wad(&self.pool.dust_value).context("pool.dust_value")?;
        ensure!(
            self.pool.liquidation_grace_secs <= MAX_LIQUIDATION_GRACE_SECS,
            "pool.liquidation_grace_secs must be at most {MAX_LIQUIDATION_GRACE_SECS} (one day)"
        );
        ensure!(
            dust_value_wad <= MAX_DUST_VALUE_WAD,
            "pool.dust_value must be at most 1000"
        );
        ensure!(
            self.markets.len() <= MAX_MARKETS,
            "markets: at most {MAX_MARKETS} markets per pool"
        );
        let mut markets = Vec::new();
        let mut market_assets = BTreeSet::new();
        for m in &self.markets {
            let what = format!("markets.{}", m.asset);
            let asset = self.asset(&what, &m.asset)?;
            ensure!(market_assets.insert(asset.clone()), "{what}: listed twice");
            ensure!(
                feed_assets.contains(&asset),
                "{what}: no feed for this asset (the pool needs the oracle's price)"
            );
            let decimals = match (&asset, m.decimals) {
                (Asset::Token(symbol), given) => {
                    let token = tokens
                        .iter()
                        .find(|t| &t.symbol == symbol)
                        .expect("resolved above");
                    if let Some(given) = given {
                        ensure!(
                            given == token.decimals,
                            "{what}: decimals {given} differ from the token's {}",
                            token.decimals
                        );
                    }
                    token.decimals
                }
                (Asset::Address(_), Some(given)) => given,
                (Asset::Address(_), None) => {
                    bail!("{what}: decimals is required for a token given by address")
                }
            };
            let w =
                |field: &str, v: &Decimal| units::wad(v).with_context(|| format!("{what}.{field}"));
            let a = |field: &str, v: &Decimal| {
                units::cap(v, decimals).with_context(|| format!("{what}.{field}"))
            };
            let plan = MarketPlan {
                asset,
                decimals,
                ltv_wad: w("ltv", &m.ltv)?,
                liquidation_threshold_wad: w("liquidation_threshold", &m.liquidation_threshold)?,
                liquidation_bonus_wad: w("liquidation_bonus", &m.liquidation_bonus)?,
                liquidation_protocol_fee_wad: w(
                    "liquidation_protocol_fee",
                    &m.liquidation_protocol_fee,
                )?,
                reserve_factor_wad: w("reserve_factor", &m.reserve_factor)?,
                base_rate_wad: w("rate_model.base_rate", &m.rate_model.base_rate)?,
                slope_low_wad: w("rate_model.slope_low", &m.rate_model.slope_low)?,
                slope_high_wad: w("rate_model.slope_high", &m.rate_model.slope_high)?,
                optimal_utilization_wad: w(
                    "rate_model.optimal_utilization",
                    &m.rate_model.optimal_utilization,
                )?,
                supply_cap: a("supply_cap", &m.supply_cap)?,
                borrow_cap: a("borrow_cap", &m.borrow_cap)?,
                min_debt: units::amount(&m.min_debt, decimals)
                    .with_context(|| format!("{what}.min_debt"))?,
                collateral_enabled: m.collateral_enabled,
                borrowing_enabled: m.borrowing_enabled,
                flash_loan_fee_wad: w("flash_loan_fee", &m.flash_loan_fee)?,
                seed: units::amount(&m.seed, decimals).with_context(|| format!("{what}.seed"))?,
            };
            ensure!(
                plan.flash_loan_fee_wad <= carrack_core::MAX_FLASH_LOAN_FEE_WAD,
                "{what}.flash_loan_fee ({}) is above the maximum of {}",
                units::format_percent(plan.flash_loan_fee_wad),
                units::format_percent(carrack_core::MAX_FLASH_LOAN_FEE_WAD)
            );
            plan.core_config()
                .validate()
                .map_err(|e| anyhow::anyhow!("{what}: {}", market_error(e, &plan)))?;
            ensure!(
                plan.seed >= MIN_DEAD_SHARES,
                "{what}: seed must be at least {MIN_DEAD_SHARES} of the token's smallest units (dead shares)"
            );
            ensure!(
                plan.seed <= plan.supply_cap,
                "{what}: seed exceeds supply_cap"
            );
            if let Asset::Token(symbol) = &plan.asset {
                let token = tokens
                    .iter()
                    .find(|t| &t.symbol == symbol)
                    .expect("resolved above");
                let seeded: u128 = markets
                    .iter()
                    .filter(|p: &&MarketPlan| p.asset == plan.asset)
                    .map(|p| p.seed)
                    .sum::<u128>()
                    + plan.seed;
                ensure!(
                    seeded <= token.initial_supply,
                    "{what}: seed exceeds the token's initial supply held by the deployer"
                );
            }
            markets.push(plan);
        }

        // Timelock (mirrors `Delays::new`).
        let t = &self.timelock;
        ensure!(
            0 < t.min_delay_secs
                && t.min_delay_secs <= t.delay_secs
                && t.delay_secs <= t.max_delay_secs
                && t.max_delay_secs <= MAX_PERIOD_SECS,
            "timelock: need 0 < min_delay_secs ({}) <= delay_secs ({}) <= max_delay_secs ({}) <= 365 days",
            t.min_delay_secs,
            t.delay_secs,
            t.max_delay_secs
        );
        ensure!(
            0 < t.grace_secs && t.grace_secs <= MAX_PERIOD_SECS,
            "timelock: grace_secs must be 1..=365 days"
        );
        let timelock = TimelockPlan {
            delay_secs: t.delay_secs,
            grace_secs: t.grace_secs,
            min_delay_secs: t.min_delay_secs,
            max_delay_secs: t.max_delay_secs,
        };

        // Governor (mirrors `GovernorLimits::validate` and `check`).
        let g = &self.governor;
        let l = &g.limits;
        let threshold = |v: &Decimal, f: &str| {
            units::amount(v, gov_token.decimals).with_context(|| format!("governor.{f}"))
        };
        let quorum = |v: &Decimal, f: &str| units::bps(v).with_context(|| format!("governor.{f}"));
        let governor = GovernorPlan {
            voting_delay_blocks: g.voting_delay_blocks,
            voting_period_blocks: g.voting_period_blocks,
            proposal_threshold: threshold(&g.proposal_threshold, "proposal_threshold")?,
            quorum_bps: quorum(&g.quorum, "quorum")?,
            limits_voting_delay_blocks: (l.voting_delay_blocks.min, l.voting_delay_blocks.max),
            limits_voting_period_blocks: (l.voting_period_blocks.min, l.voting_period_blocks.max),
            limits_proposal_threshold: (
                threshold(&l.proposal_threshold.min, "limits.proposal_threshold.min")?,
                threshold(&l.proposal_threshold.max, "limits.proposal_threshold.max")?,
            ),
            limits_quorum_bps: (
                quorum(&l.quorum.min, "limits.quorum.min")?,
                quorum(&l.quorum.max, "limits.quorum.max")?,
            ),
        };
        check_bounds(
            "voting_delay_blocks",
            governor.limits_voting_delay_blocks,
            governor.voting_delay_blocks,
            true,
        )?;
        check_bounds(
            "voting_period_blocks",
            governor.limits_voting_period_blocks,
            governor.voting_period_blocks,
            true,
        )?;
        check_bounds(
            "proposal_threshold",
            governor.limits_proposal_threshold,
            governor.proposal_threshold,
            false,
        )?;
        check_bounds(
            "quorum",
            governor.limits_quorum_bps,
            governor.quorum_bps,
            true,
        )?;
        ensure!(
            governor.limits_quorum_bps.1 <= BPS,
            "governor.limits.quorum.max must be at most 100%"
        );
        ensure!(
            governor.proposal_threshold <= gov_token.initial_supply,
            "governor.proposal_threshold exceeds the governance token's initial supply"
        );

        Ok(Plan {
            kind,
            expected_genesis: self
                .network
                .expected_genesis
                .clone()
                .map(|g| g.to_lowercase()),
            deployer: deployer.to_string(),
            guardian,
            tokens,
            feeds,
            liquidation_grace_secs: self.pool.liquidation_grace_secs,
            dust_value_wad,
            markets,
            gov_token,
            self_delegate: gt.self_delegate,
            timelock,
            governor,
        })
    }
}

fn check_bounds<T: PartialOrd + Copy + Default + std::fmt::Display>(
    name: &str,
    (min, max): (T, T),
    value: T,
    min_nonzero: bool,
) -> Result<()> {
    ensure!(
        min <= max,
        "governor.limits.{name}: min ({min}) is above max ({max})"
    );
    ensure!(
        !min_nonzero || min > T::default(),
        "governor.limits.{name}: min must be above zero"
    );
    ensure!(
        min <= value && value <= max,
        "governor.{name} ({value}) is outside governor.limits.{name} ({min}..={max})"
    );
    Ok(())
}

#[cfg(test)]
pub mod tests {
    use super::*;

    pub const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

    fn repo_file(path: &str) -> String {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        std::fs::read_to_string(root.join(path)).unwrap()
    }

    pub fn devnet_text() -> String {
        repo_file("deploy/devnet.toml")
    }

    pub fn devnet_plan() -> Plan {
        parse(&devnet_text()).unwrap().plan(ALICE).unwrap()
    }

    fn plan_err(text: &str) -> String {
        match parse(text) {
            Err(e) => format!("{e:#}"),
            Ok(config) => format!("{:#}", config.plan(ALICE).unwrap_err()),
        }
    }

    #[test]
    fn devnet_config_parses_and_validates() {
        let plan = devnet_plan();
        assert_eq!(plan.kind, Kind::Devnet);
        assert_eq!(plan.tokens.len(), 3);
        let decimals: Vec<u8> = plan.tokens.iter().map(|t| t.decimals).collect();
        assert_eq!(decimals, vec![6, 8, 18]);
        assert_eq!(plan.markets.len(), 3);
        assert_eq!(plan.feeds.len(), 3);
        for feed in &plan.feeds {
            assert_eq!(feed.quorum, 3);
            assert_eq!(feed.reporters.len(), 5);
            assert!(feed.initial_price.is_some());
        }
        let tbtc = plan
            .feeds
            .iter()
            .find(|f| f.asset == Asset::Token("TBTC".into()))
            .unwrap();
        assert_eq!(tbtc.initial_price.as_ref().unwrap().0, 60_000 * 100_000_000);
        let teth = plan
            .markets
            .iter()
            .find(|m| m.asset == Asset::Token("TETH".into()))
            .unwrap();
        assert_eq!(teth.seed, WAD);
        assert_eq!(teth.ltv_wad, 80 * WAD / 100);
        assert_eq!(plan.governor.quorum_bps, 400);
        assert_eq!(plan.governor.proposal_threshold, 1_000 * WAD);
        assert_ne!(plan.guardian, plan.deployer);
    }

    /// The production example with each `"REPLACE_ME_…"` placeholder but `keep` replaced
    /// by an address of a fresh (non-development) key, the same one for the same placeholder.
    pub fn production_example_except(keep: &str) -> String {
        let original = repo_file("deploy/production.example.toml");
        let mut text = original.clone();
        let mut seed = 0u8;
        let mut from = 0;
        while let Some(start) = text[from..].find("\"REPLACE_ME_").map(|i| i + from) {
            let end = start + 1 + text[start + 1..].find('"').unwrap();
            let placeholder = text[start..=end].to_string();
            if placeholder.trim_matches('"') == keep {
                from = end + 1;
                continue;
            }
            seed += 1;
            let address = Keypair::from_secret_key([seed; 32])
                .unwrap()
                .public_key()
                .to_account_id()
                .to_string();
            text = text.replace(&placeholder, &format!("\"{address}\""));
        }
        text
    }

    /// The production example with every placeholder filled in.
    pub fn filled_production_example() -> String {
        production_example_except("")
    }

    /// A non-development deployer.
    pub fn production_deployer() -> String {
        Keypair::from_secret_key([0xde; 32])
            .unwrap()
            .public_key()
            .to_account_id()
            .to_string()
    }

    fn production_err(text: &str) -> String {
        match parse(text) {
            Err(e) => format!("{e:#}"),
            Ok(config) => format!("{:#}", config.plan(&production_deployer()).unwrap_err()),
        }
    }

    #[test]
    fn production_example_is_refused_until_filled_in() {
        let text = repo_file("deploy/production.example.toml");
        let config = parse(&text).unwrap();
        assert!(matches!(config.signer, SignerSource::KeyFile(_)));
        let err = format!("{:#}", config.plan(&production_deployer()).unwrap_err());
        assert!(err.starts_with("roles.guardian: "), "{err}");
        assert!(err.contains("placeholder"), "{err}");
        // Each placeholder on its own is refused, naming its field.
        for (placeholder, field) in [
            ("REPLACE_ME_guardian_multisig", "roles.guardian"),
            ("REPLACE_ME_reporter_3", "oracle.reporters[2]"),
            (
                "REPLACE_ME_usd_stablecoin",
                "feeds.REPLACE_ME_usd_stablecoin",
            ),
            ("REPLACE_ME_wrapped_btc", "feeds.REPLACE_ME_wrapped_btc"),
        ] {
            let err = production_err(&production_example_except(placeholder));
            assert!(
                err.starts_with(&format!("{field}: ")),
                "{placeholder}: {err}"
            );
            assert!(err.contains("placeholder"), "{placeholder}: {err}");
        }

        let filled = filled_production_example();
        assert!(!filled.contains("\"REPLACE_ME"));
        let plan = parse(&filled)
            .unwrap()
            .plan(&production_deployer())
            .unwrap();
        assert_eq!(plan.kind, Kind::Production);
        assert!(plan.tokens.is_empty());
        assert_eq!(plan.timelock.delay_secs, 2 * 24 * 3600);
        assert_eq!(plan.timelock.min_delay_secs, 2 * 24 * 3600);
        assert_eq!(plan.timelock.max_delay_secs, 30 * 24 * 3600);
        assert_eq!(plan.timelock.grace_secs, 14 * 24 * 3600);
        assert!(plan.feeds.iter().all(|f| f.initial_price.is_none()));
        assert_eq!(plan.feeds[0].reporters.len(), 5);
    }

    #[test]
    fn production_refuses_dev_accounts_in_every_account_field() {
        let filled = filled_production_example();
        let guardian = filled
            .lines()
            .find(|l| l.starts_with("guardian = "))
            .unwrap();
        let minter = "minter = \"none\"";
        for (from, to, field) in [
            (guardian, "guardian = \"//Alice\"", "roles.guardian"),
            (guardian, "guardian = \" //Alice \"", "roles.guardian"),
            (guardian, "guardian = \"//Charlie///pw\"", "roles.guardian"),
            (
                guardian,
                "guardian = \"5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y\"",
                "roles.guardian",
            ),
            (minter, "minter = \"//Alice\"", "gov_token.minter"),
            (
                minter,
                "minter = \"5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL\"",
                "gov_token.minter",
            ),
        ] {
            let text = filled.replacen(from, to, 1);
            assert_ne!(text, filled);
            let err = production_err(&text);
            assert!(err.starts_with(&format!("{field}: ")), "{to}: {err}");
            assert!(err.contains("development"), "{to}: {err}");
            assert!(!err.contains("pw"), "{to}: {err}");
        }
        let err = format!("{:#}", parse(&filled).unwrap().plan(ALICE).unwrap_err());
        assert!(err.starts_with("signer: the deployer "), "{err}");
        assert!(err.contains("//Alice"), "{err}");
        // Devnets keep their dev accounts.
        devnet_plan();
    }

    #[test]
    fn node_url_must_be_a_websocket() {
        for url in [
            "ftp://example.org/node",
            "https://rpc.example.org",
            "127.0.0.1:9944",
        ] {
            let text = devnet_text().replacen(
                "url = \"ws://127.0.0.1:9944\"",
                &format!("url = \"{url}\""),
                1,
            );
            let err = plan_err(&text);
            assert!(err.starts_with("network.url: "), "{url}: {err}");
        }
        let text = devnet_text().replacen(
            "url = \"ws://127.0.0.1:9944\"",
            "url = \"ftp://user:hunter2@example.org\"",
            1,
        );
        let err = plan_err(&text);
        assert!(err.contains("\"ftp\""), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn decimals_above_the_limit_name_the_decimals() {
        let text = devnet_text().replacen("decimals = 18", "decimals = 99", 1);
        assert_ne!(text, devnet_text());
        let err = plan_err(&text);
        assert!(
            err.contains(".decimals: 99 is above the limit of 24"),
            "{err}"
        );
        let err = production_err(&filled_production_example().replacen(
            "decimals = 18",
            "decimals = 99",
            1,
        ));
        assert_eq!(err, "gov_token.decimals: 99 is above the limit of 24");
    }

    #[test]
    fn signer_errors_do_not_quote_the_value() {
        let phrase = "legal winner thank year wave sausage worth useful legal winner thank yellow";
        let base = devnet_text();
        let signer_table = base
            .split("[signer]")
            .nth(1)
            .unwrap()
            .split("\n[")
            .next()
            .unwrap();
        for replacement in [
            format!("signer = \"{phrase}\"\n"),
            format!("\nsuri = [\"{phrase}\"]\n"),
        ] {
            let text = if replacement.starts_with("signer") {
                format!(
                    "{replacement}{}",
                    base.replacen(&format!("[signer]{signer_table}"), "", 1)
                )
            } else {
                base.replacen(signer_table, &replacement, 1)
            };
            let err = plan_err(&text);
            assert!(err.starts_with("line "), "{err}");
            assert!(err.contains("signer: expected"), "{err}");
            assert!(!err.contains("winner"), "{err}");
        }
    }

    #[test]
    fn unknown_fields_are_refused_with_their_line() {
        let text = devnet_text().replacen("[pool]\n", "[pool]\nliquidation_grace = 5\n", 1);
        let err = plan_err(&text);
        assert!(err.contains("unknown field `liquidation_grace`"), "{err}");
        assert!(err.starts_with("line "), "{err}");
        assert!(!err.contains('\n'), "{err}");

        let text = devnet_text().replacen("ltv = \"75%\"", "ltv = \"75%\"\nltv_percent = 75", 1);
        let err = plan_err(&text);
        assert!(err.contains("unknown field `ltv_percent`"), "{err}");
    }

    #[test]
    fn ltv_not_below_threshold_is_refused_precisely() {
        let text = devnet_text().replacen("ltv = \"75%\"", "ltv = \"80%\"", 1);
        let err = plan_err(&text);
        assert_eq!(
            err,
            "markets.TUSD: ltv (80%) must be below liquidation_threshold (80%)"
        );
    }

    #[test]
    fn the_flash_loan_fee_defaults_to_aaves_and_is_capped_at_one_percent() {
        let plan = devnet_plan();
        assert!(plan
            .markets
            .iter()
            .all(|m| m.market_params().flash_loan_fee_wad == WAD / 2_000));
        let with = |fee: &str| {
            devnet_text().replacen(
                "seed = \"1\"",
                &format!("flash_loan_fee = \"{fee}\"\nseed = \"1\""),
                1,
            )
        };
        let one = parse(&with("1%")).unwrap().plan(ALICE).unwrap();
        assert_eq!(one.markets[0].flash_loan_fee_wad, WAD / 100);
        let err = plan_err(&with("1.01%"));
        assert_eq!(
            err,
            "markets.TUSD.flash_loan_fee (1.01%) is above the maximum of 1%"
        );
    }

    #[test]
    fn other_market_rules_mirror_the_pool() {
        let err = plan_err(&devnet_text().replacen(
            "liquidation_bonus = \"105%\"",
            "liquidation_bonus = \"5%\"",
            1,
        ));
        assert!(err.contains("must be above 100%"), "{err}");
        let err = plan_err(&devnet_text().replacen("seed = \"1\"", "seed = \"0.0001\"", 1));
        assert!(err.contains("seed must be at least 1000"), "{err}");
        let err = plan_err(&devnet_text().replacen(
            "ltv = \"75%\"",
            "ltv = \"0.755555555555555555555\"",
            1,
        ));
        assert!(err.contains("fractional digits"), "{err}");
    }

    #[test]
    fn other_bounds_are_checked() {
        let err = plan_err(&devnet_text().replacen("quorum = 3", "quorum = 2", 1));
        assert!(err.contains("quorum 2 must be odd"), "{err}");
        let err = plan_err(&devnet_text().replacen("quorum = 3", "quorum = 1", 1));
        assert!(
            err.contains("quorum 1 is a minority of 5 reporters"),
            "{err}"
        );
        let err = plan_err(&devnet_text().replacen("delay_secs = 60", "delay_secs = 0", 1));
        assert!(err.contains("timelock"), "{err}");
        let err = plan_err(&devnet_text().replacen(
            "voting_period_blocks = 20",
            "voting_period_blocks = 5",
            1,
        ));
        assert!(
            err.contains("governor.voting_period_blocks (5) is outside"),
            "{err}"
        );
        let err = plan_err(&devnet_text().replacen(
            "guardian = \"//Alice//stash\"",
            "guardian = \"Alice\"",
            1,
        ));
        assert!(err.contains("roles.guardian"), "{err}");
    }

    #[test]
    fn digest_ignores_formatting_and_units_but_not_values() {
        let a = devnet_plan().digest();
        let reformatted = devnet_text()
            .replacen("ltv = \"75%\"", "ltv = \"0.75\"   # same value", 1)
            .replacen(
                "url = \"ws://127.0.0.1:9944\"",
                "url = \"ws://localhost:1234\"",
                1,
            );
        let b = parse(&reformatted).unwrap().plan(ALICE).unwrap().digest();
        assert_eq!(a, b);
        let changed = devnet_text().replacen("ltv = \"75%\"", "ltv = \"74%\"", 1);
        let c = parse(&changed).unwrap().plan(ALICE).unwrap().digest();
        assert_ne!(a, c);
        let other_deployer = parse(&devnet_text())
            .unwrap()
            .plan("5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty")
            .unwrap()
            .digest();
        assert_ne!(a, other_deployer);
    }
}
