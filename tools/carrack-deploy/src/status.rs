//! `carrack-deploy status`: the manifest against the chain, and `call`: one dry-run read.

use crate::accounts;
use crate::bundles::{self, Bundles};
use crate::chain::Chain;
use crate::manifest::{self, Manifest};
use crate::messages;
use crate::units;
use crate::values;
use anyhow::{bail, Context, Result};
use carrack_client::Message;
use carrack_pool::market::PauseFlags;
use ink::primitives::AccountId;
use scale::Decode;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;

/// The origin of dry-run reads: any account will do, nothing is signed or submitted.
fn reader() -> Result<Keypair> {
    accounts::keypair_from_uri("//Alice")
}

/// Options of `status`.
pub struct StatusArgs {
    pub manifest: PathBuf,
    pub bundles: Option<PathBuf>,
    pub url: Option<String>,
    pub json: bool,
}

#[derive(Serialize, Default)]
struct Report {
    manifest: String,
    genesis_hash: String,
    node_url: String,
    best_block: u64,
    deployed_blocks: (u64, u64),
    complete: bool,
    steps_done: usize,
    chain_contract_count: usize,
    contracts: Vec<ContractStatus>,
    admin: Vec<AdminStatus>,
    timelock: Option<serde_json::Value>,
    governor: Option<serde_json::Value>,
    markets: Vec<MarketStatus>,
    feeds: Vec<FeedStatus>,
    problems: Vec<String>,
    warnings: Vec<String>,
    healthy: bool,
}

#[derive(Serialize)]
struct ContractStatus {
    name: String,
    address: String,
    code_hash: String,
    on_chain: Option<String>,
    matches: bool,
    bundle_matches: Option<bool>,
}

#[derive(Serialize)]
struct AdminStatus {
    contract: String,
    governance: String,
    governance_is_timelock: bool,
    pending_governance: Option<String>,
    guardian: String,
}

#[derive(Serialize)]
struct MarketStatus {
    asset: String,
    label: String,
    paused: Vec<String>,
    ltv: String,
    liquidation_threshold: String,
    total_supply: String,
    total_debt: String,
}

#[derive(Serialize)]
struct FeedStatus {
    asset: String,
    label: String,
    status: String,
    price: Option<String>,
    updated_at_secs: Option<u64>,
}

struct Ctx {
    chain: Chain,
    bundles: Bundles,
    manifest: Manifest,
    /// The origin of every read.
    reader: AccountId32,
    /// Contracts whose code on chain matches the manifest: safe to query.
    usable: BTreeMap<String, AccountId32>,
}

impl Ctx {
    fn label(&self, address: &str) -> String {
        self.manifest
            .contracts
            .iter()
            .find(|(_, c)| c.address == address)
            .map(|(n, _)| n.trim_start_matches("token:").to_string())
            .unwrap_or_else(|| address.to_string())
    }

    /// The reply of `message` to the usable contract `name`.
    async fn read<R: Decode>(&self, name: &str, message: &Message<R>) -> Result<R> {
        let address = self
            .usable
            .get(name)
            .with_context(|| format!("{name} is not usable"))?;
        self.chain
            .read(address, message, &self.reader)
            .await
            .with_context(|| format!("reading {name} at {address}"))
    }

    /// The value of a fallible `message` to the usable contract `name`; its `Err` is an
    /// error.
    async fn value<T: Decode, E: Decode + Debug>(
        &self,
        name: &str,
        message: &Message<Result<T, E>>,
    ) -> Result<T> {
        self.read(name, message)
            .await?
            .map_err(|e| anyhow::anyhow!("{name} returned {e:?}"))
    }
}

/// Opens the manifest, the chain (refusing another chain) and the bundles.
async fn open(
    manifest_path: &Path,
    bundles_dir: Option<PathBuf>,
    url: Option<String>,
) -> Result<(Manifest, Chain, Bundles)> {
    let manifest = Manifest::load(manifest_path)?;
    let url = url.unwrap_or_else(|| manifest.chain.node_url.clone());
    let dir = bundles_dir.unwrap_or_else(|| {
        if manifest.bundles_dir.is_dir() {
            manifest.bundles_dir.clone()
        } else {
            bundles::default_dir()
        }
    });
    let names: Vec<&str> = {
        let mut names: Vec<&str> = manifest
            .contracts
            .values()
            .map(|c| c.bundle.as_str())
            .collect();
        names.sort();
        names.dedup();
        names
    };
    let bundles = Bundles::load(&dir, &names)?;
    let chain = Chain::connect(&url).await?;
    let genesis = chain.genesis_hash();
    if genesis != manifest.chain.genesis_hash {
        bail!(
            "the manifest {} belongs to chain {}, but the node at {url} is on chain {genesis}",
            manifest_path.display(),
            manifest.chain.genesis_hash
        );
    }
    Ok((manifest, chain, bundles))
}

/// Prints the deployment's state; `Ok(false)` when it is unhealthy.
pub async fn status(args: StatusArgs) -> Result<bool> {
    let (manifest, chain, bundles) = open(&args.manifest, args.bundles, args.url).await?;
    let mut r = Report {
        manifest: args.manifest.display().to_string(),
        genesis_hash: manifest.chain.genesis_hash.clone(),
        node_url: chain.url_string(),
        best_block: chain.best_block().await?,
        deployed_blocks: (manifest.chain.start_block, manifest.chain.last_block),
        complete: manifest.complete,
        steps_done: manifest.steps.len(),
        chain_contract_count: chain.all_contracts().await?.len(),
        ..Default::default()
    };
    if !manifest.complete {
        r.problems.push(format!(
            "deployment incomplete: {} steps done, last {:?} (re-run deploy to resume)",
            manifest.steps.len(),
            manifest.steps.last().map(String::as_str).unwrap_or("none")
        ));
    }
    let mut ctx = Ctx {
        chain,
        bundles,
        manifest,
        reader: reader()?.public_key().to_account_id(),
        usable: BTreeMap::new(),
    };

    // Contracts and code.
    for (name, record) in &ctx.manifest.contracts {
        let address = AccountId32::from_str(&record.address)
            .map_err(|e| anyhow::anyhow!("manifest: bad address of {name}: {e}"))?;
        let on_chain = ctx
            .chain
            .contract_code_hash(&address)
            .await?
            .map(|h| manifest::hex0x(&h));
        let matches = on_chain.as_deref() == Some(record.code_hash.as_str());
        let bundle_matches = ctx
            .bundles
            .get(&record.bundle)
            .ok()
            .map(|b| manifest::hex0x(&b.code_hash) == record.code_hash);
        match &on_chain {
            None => r
                .problems
                .push(format!("{name}: no contract at {}", record.address)),
            Some(h) if !matches => r.problems.push(format!(
                "{name}: code hash on chain {h} differs from the manifest's {}",
                record.code_hash
            )),
            Some(_) => {
                ctx.usable.insert(name.clone(), address);
            }
        }
        if let Err(problem) =
            record.check_binding(name, crate::deploy::bundle_of(name), &ctx.manifest)
        {
            // Review D2: a substituted address is not this deployment's contract, whatever
            // code it runs.
            r.problems.push(problem);
            ctx.usable.remove(name);
        }
        if bundle_matches == Some(false) {
            r.problems.push(format!(
                "{name}: the local bundle {} is not the code deployed ({}): its metadata would misread the contract; point --bundles at the deployed build",
                record.bundle, record.code_hash
            ));
        }
        r.contracts.push(ContractStatus {
            name: name.clone(),
            address: record.address.clone(),
            code_hash: record.code_hash.clone(),
            on_chain,
            matches,
            bundle_matches,
        });
    }

    let timelock = ctx
        .manifest
        .contracts
        .get("timelock")
        .map(|c| c.address.clone());
    let governor = ctx
        .manifest
        .contracts
        .get("governor")
        .map(|c| c.address.clone());
    let gov_token = ctx
        .manifest
        .contracts
        .get("gov_token")
        .map(|c| c.address.clone());

    // Admin roles of pool and oracle.
    for name in ["pool", "oracle"] {
        if !ctx.usable.contains_key(name) {
            continue;
        }
        let roles = ctx.read(name, &messages::admin_roles()).await?;
        let governance = ss58(&roles.governance);
        let pending = roles.pending_governance.as_ref().map(ss58);
        let guardian = ss58(&roles.guardian);
        let is_timelock = timelock.as_deref() == Some(governance.as_str());
        if !is_timelock && ctx.manifest.complete {
            r.problems.push(format!(
                "{name}: governance is {governance}, not the timelock"
            ));
        }
        if pending.is_some() && ctx.manifest.complete {
            r.warnings.push(format!(
                "{name}: a governance nomination is pending ({})",
                pending.clone().unwrap_or_default()
            ));
        }
        r.admin.push(AdminStatus {
            contract: name.to_string(),
            governance,
            governance_is_timelock: is_timelock,
            pending_governance: pending,
            guardian,
        });
    }

    // Timelock and governor settings.
    if ctx.usable.contains_key("timelock") {
        let s = ctx.read("timelock", &messages::timelock_settings()).await?;
        let bound = s.governor.as_ref().map(ss58);
        let deployer = s.deployer.as_ref().map(ss58);
        if ctx.manifest.complete && bound != governor {
            r.problems.push(format!(
                "timelock: governor is {}, not the deployed governor",
                bound.clone().unwrap_or_else(|| "unbound".into())
            ));
        }
        if ctx.manifest.complete && deployer.is_some() {
            r.problems
                .push("timelock: the deployer role has not ended (governor not bound)".into());
        }
        r.timelock = Some(serde_json::json!({
            "governor": bound,
            "guardian": ss58(&s.guardian),
            "delay_secs": s.delay_secs,
            "grace_secs": s.grace_secs,
            "min_delay_secs": s.min_delay_secs,
            "max_delay_secs": s.max_delay_secs,
            "deployer": deployer,
        }));
    }
    if ctx.usable.contains_key("governor") {
        let s = ctx.read("governor", &messages::governor_settings()).await?;
        let token = ss58(&s.token);
        let lock = ss58(&s.timelock);
        if Some(&token) != gov_token.as_ref() {
            r.problems.push(format!(
                "governor: counts votes of {token}, not the deployed gov token"
            ));
        }
        if Some(&lock) != timelock.as_ref() {
            r.problems.push(format!(
                "governor: queues into {lock}, not the deployed timelock"
            ));
        }
        let p = s.params;
        let threshold_display = if ctx.usable.contains_key("gov_token") {
            let decimals = ctx.read("gov_token", &messages::token_decimals()).await?;
            let symbol = ctx
                .read("gov_token", &messages::token_symbol())
                .await?
                .unwrap_or_default();
            format!(
                "{} {symbol}",
                units::format_scaled(p.proposal_threshold, u32::from(decimals))
            )
        } else {
            format!("{} (smallest units)", p.proposal_threshold)
        };
        r.governor = Some(serde_json::json!({
            "proposal_threshold_display": threshold_display,
            "token": token,
            "timelock": lock,
            "voting_delay_blocks": p.voting_delay_blocks,
            "voting_period_blocks": p.voting_period_blocks,
            "proposal_threshold": p.proposal_threshold.to_string(),
            "quorum_bps": p.quorum_bps,
            "proposal_count": s.proposal_count,
        }));
    }

    // Markets.
    if ctx.usable.contains_key("pool") {
        for asset in ctx.read("pool", &messages::markets()).await? {
            let view = ctx.value("pool", &messages::market(asset)).await?;
            let asset = ss58(&asset);
            let paused = paused_actions(&view.market.paused);
            let config = view.market.params.config;
            let decimals = u32::from(config.decimals);
            let label = ctx.label(&asset);
            if !paused.is_empty() {
                r.warnings
                    .push(format!("market {label}: paused {}", paused.join(", ")));
            }
            r.markets.push(MarketStatus {
                label,
                paused,
                ltv: units::format_percent(config.ltv_wad),
                liquidation_threshold: units::format_percent(config.liquidation_threshold_wad),
                total_supply: units::format_scaled(view.total_supply, decimals),
                total_debt: units::format_scaled(view.total_debt, decimals),
                asset,
            });
        }
    }

    // Feeds.
    if ctx.usable.contains_key("oracle") {
        for asset_id in ctx.read("oracle", &messages::oracle_assets()).await? {
            let asset = ss58(&asset_id);
            let label = ctx.label(&asset);
            let feed = match ctx.read("oracle", &messages::price(asset_id)).await? {
                Err(err) => {
                    let err = format!("{err:?}");
                    r.warnings.push(format!("feed {label}: {err}"));
                    FeedStatus {
                        asset,
                        label,
                        status: err,
                        price: None,
                        updated_at_secs: None,
                    }
                }
                Ok(data) => {
                    let status = format!("{:?}", data.status);
                    let price = units::format_scaled(data.value, u32::from(data.decimals));
                    if status != "Ok" {
                        r.warnings.push(format!("feed {label}: {status}"));
                    }
                    FeedStatus {
                        asset,
                        label,
                        status,
                        price: Some(price),
                        updated_at_secs: Some(data.updated_at_secs),
                    }
                }
            };
            r.feeds.push(feed);
        }
    }

    r.healthy = r.problems.is_empty();
    if args.json {
        out!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        print_report(&r);
    }
    Ok(r.healthy)
}

/// A contract's `AccountId` as SS58.
fn ss58(account: &AccountId) -> String {
    accounts::from_ink(account).to_string()
}

/// The names of a market's paused actions, in the flags' order.
fn paused_actions(flags: &PauseFlags) -> Vec<String> {
    // No `..`: a flag added to the pool is a compile error here.
    let PauseFlags {
        supply,
        withdraw,
        borrow,
        liquidate,
        collateral,
        flash_loan,
    } = *flags;
    [
        ("supply", supply),
        ("withdraw", withdraw),
        ("borrow", borrow),
        ("liquidate", liquidate),
        ("collateral", collateral),
        ("flash_loan", flash_loan),
    ]
    .into_iter()
    .filter(|(_, paused)| *paused)
    .map(|(name, _)| name.to_string())
    .collect()
}

fn short(hash: &str) -> String {
    if hash.len() > 14 {
        format!("{}…{}", &hash[..10], &hash[hash.len() - 4..])
    } else {
        hash.to_string()
    }
}

fn print_report(r: &Report) {
    out!("manifest   {}", r.manifest);
    out!(
        "chain      {} at {} (best block #{})",
        r.genesis_hash,
        r.node_url,
        r.best_block
    );
    out!(
        "deployment {} ({} steps, blocks #{}..#{}); {} contracts on chain",
        if r.complete { "complete" } else { "INCOMPLETE" },
        r.steps_done,
        r.deployed_blocks.0,
        r.deployed_blocks.1,
        r.chain_contract_count
    );
    out!("\ncontracts");
    for c in &r.contracts {
        let state = match (&c.on_chain, c.matches) {
            (None, _) => "MISSING".to_string(),
            (Some(h), false) => format!("CODE MISMATCH (on chain {})", short(h)),
            (Some(_), true) => "ok".to_string(),
        };
        let bundle = match c.bundle_matches {
            Some(false) => ", bundle rebuilt",
            _ => "",
        };
        out!(
            "  {:<14} {}  code {}  {state}{bundle}",
            c.name,
            c.address,
            short(&c.code_hash)
        );
    }
    if !r.admin.is_empty() {
        out!("\nadmin");
        for a in &r.admin {
            out!(
                "  {:<9} governance {}{}  guardian {}{}",
                a.contract,
                a.governance,
                if a.governance_is_timelock {
                    " (timelock)"
                } else {
                    " (NOT the timelock)"
                },
                a.guardian,
                a.pending_governance
                    .as_ref()
                    .map(|p| format!("  pending {p}"))
                    .unwrap_or_default()
            );
        }
    }
    if let Some(t) = &r.timelock {
        out!(
            "  timelock  governor {}  guardian {}  delay {} s (bounds {}..{} s)  grace {} s",
            t["governor"].as_str().unwrap_or("unbound"),
            t["guardian"].as_str().unwrap_or("?"),
            t["delay_secs"],
            t["min_delay_secs"],
            t["max_delay_secs"],
            t["grace_secs"]
        );
    }
    if let Some(g) = &r.governor {
        out!(
            "  governor  voting delay {} blocks, period {} blocks, threshold {}, quorum {} bps, {} proposals",
            g["voting_delay_blocks"],
            g["voting_period_blocks"],
            g["proposal_threshold_display"].as_str().unwrap_or("?"),
            g["quorum_bps"],
            g["proposal_count"]
        );
    }
    if !r.markets.is_empty() {
        out!("\nmarkets");
        for m in &r.markets {
            out!(
                "  {:<6} LTV {:<6} LT {:<6} supply {} debt {}  paused: {}",
                m.label,
                m.ltv,
                m.liquidation_threshold,
                m.total_supply,
                m.total_debt,
                if m.paused.is_empty() {
                    "none".to_string()
                } else {
                    m.paused.join(", ")
                }
            );
        }
    }
    if !r.feeds.is_empty() {
        out!("\nfeeds");
        for f in &r.feeds {
            out!(
                "  {:<6} {:<8} {}",
                f.label,
                f.status,
                f.price
                    .as_ref()
                    .map(|p| format!("price {p}"))
                    .unwrap_or_default()
            );
        }
    }
    for w in &r.warnings {
        out!("warning: {w}");
    }
    out!("\n{}", if r.healthy { "healthy" } else { "UNHEALTHY" });
    for p in &r.problems {
        out!("  problem: {p}");
    }
}

/// Options of `call`.
pub struct CallArgs {
    pub manifest: PathBuf,
    pub bundles: Option<PathBuf>,
    pub url: Option<String>,
    pub contract: String,
    pub message: String,
    pub args: Vec<String>,
    pub origin: String,
    pub json: bool,
}

/// Replaces `@name` (a manifest contract, a test token's symbol, or `@deployer`) by its
/// address, longest names first.
pub fn substitute(arg: &str, names: &BTreeMap<String, String>) -> String {
    let mut keys: Vec<&String> = names.keys().collect();
    keys.sort_by_key(|k| std::cmp::Reverse(k.len()));
    let mut out = arg.to_string();
    for key in keys {
        out = out.replace(&format!("@{key}"), &names[key]);
    }
    out
}

fn aliases(manifest: &Manifest) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for (name, c) in &manifest.contracts {
        names.insert(name.clone(), c.address.clone());
        if let Some(symbol) = name.strip_prefix("token:") {
            names.insert(symbol.to_string(), c.address.clone());
        }
    }
    names.insert("deployer".to_string(), manifest.deployer.clone());
    names
}

/// A dry-run read of any message, decoded with the metadata.
pub async fn call(args: CallArgs) -> Result<()> {
    let (manifest, chain, bundles) = open(&args.manifest, args.bundles, args.url).await?;
    let names = aliases(&manifest);
    let key = if manifest.contracts.contains_key(&args.contract) {
        args.contract.clone()
    } else if manifest
        .contracts
        .contains_key(&format!("token:{}", args.contract))
    {
        format!("token:{}", args.contract)
    } else {
        bail!(
            "no contract {:?} in the manifest (known: {})",
            args.contract,
            manifest
                .contracts
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
    };
    let record = &manifest.contracts[&key];
    let bundle = bundles.get(&record.bundle)?;
    let address = AccountId32::from_str(&record.address).map_err(|e| anyhow::anyhow!("{e}"))?;
    let call_args: Vec<String> = args.args.iter().map(|a| substitute(a, &names)).collect();
    let origin = accounts::keypair_from_uri(&args.origin).context("--origin")?;
    let dry = chain
        .dry_run(bundle, &address, &args.message, &call_args, &origin)
        .await?;
    let value = values::unwrap_result(&dry.value).map_err(|e| anyhow::anyhow!("ink! error {e}"))?;
    if args.json {
        out!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "result": value, "reverted": dry.reverted })
            )?
        );
    } else {
        out!(
            "{key}.{}({}) at {}:",
            args.message,
            call_args.join(", "),
            record.address
        );
        out!("{value:#}");
        if dry.reverted {
            out!("(the call reverted)");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_names_are_substituted_longest_first() {
        let mut names = BTreeMap::new();
        names.insert("gov_token".to_string(), "G".to_string());
        names.insert("gov".to_string(), "X".to_string());
        names.insert("TUSD".to_string(), "T".to_string());
        assert_eq!(substitute("@gov_token", &names), "G");
        assert_eq!(substitute("Some(@TUSD)", &names), "Some(T)");
        assert_eq!(substitute("[@TUSD, @gov]", &names), "[T, X]");
        assert_eq!(substitute("42", &names), "42");
    }
}
