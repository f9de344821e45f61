//! `carrack-deploy deploy`: the steps of a deployment and their resumable execution.
//!
//! Every step is idempotent against the chain as well as recorded in the manifest: before
//! acting, a step reads whether its effect is already there (code stored, contract at its
//! predicted address, feed present, market listed, role already handed over...) and skips
//! what is. So a run killed at any point — even between a transaction and the manifest
//! write — resumes without doing anything twice.

use crate::accounts;
use crate::bundles::{self, Bundles};
use crate::chain::Chain;
use crate::config::{Asset, Kind, LoadedConfig, Minter, Plan, TokenPlan};
use crate::manifest::{self, ChainRecord, CodeRecord, ConfigRecord, ContractRecord, Manifest};
use crate::values;
use anyhow::{bail, ensure, Context, Result};
use indicatif::ProgressBar;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Instant;
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;

/// One step of a deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Upload a bundle's code unless stored.
    Upload(&'static str),
    /// Instantiate a contract (`token:TUSD`, `oracle`, `pool`, `gov_token`, `timelock`,
    /// `governor`).
    Instantiate(String),
    /// Add the oracle feed `feeds[i]`.
    AddFeed(usize),
    /// Complete a first price round for `feeds[i]`.
    InitialPrice(usize),
    /// Approve the seed and list `markets[i]`.
    ListMarket(usize),
    /// Bind the governor in the timelock.
    BindGovernor,
    /// The deployer delegates its governance votes to itself.
    SelfDelegate,
    /// Hand governance of `pool` / `oracle` to the timelock.
    HandOver(&'static str),
    /// Nominate the timelock as a token's minter.
    NominateMinter(String),
}

impl Step {
    /// The step's name in the manifest.
    pub fn name(&self, plan: &Plan) -> String {
        match self {
            Step::Upload(bundle) => format!("upload:{bundle}"),
            Step::Instantiate(name) => format!("instantiate:{name}"),
            Step::AddFeed(i) => format!("feed:{}", plan.feeds[*i].asset.label()),
            Step::InitialPrice(i) => format!("price:{}", plan.feeds[*i].asset.label()),
            Step::ListMarket(i) => format!("market:{}", plan.markets[*i].asset.label()),
            Step::BindGovernor => "bind-governor".to_string(),
            Step::SelfDelegate => "self-delegate".to_string(),
            Step::HandOver(target) => format!("handover:{target}"),
            Step::NominateMinter(name) => format!("minter:{name}"),
        }
    }
}

/// The contract name of a test token.
pub fn token_name(symbol: &str) -> String {
    format!("token:{symbol}")
}

/// The bundle a contract is instantiated from.
pub fn bundle_of(name: &str) -> &'static str {
    match name {
        "oracle" => "carrack_oracle",
        "pool" => "carrack_pool",
        "gov_token" => "carrack_gov_token",
        "timelock" => "carrack_timelock",
        "governor" => "carrack_governor",
        _ => "carrack_token",
    }
}

/// The bundles a plan needs.
pub fn needed_bundles(plan: &Plan) -> Vec<&'static str> {
    bundles::ALL
        .iter()
        .copied()
        .filter(|b| *b != "carrack_token" || !plan.tokens.is_empty())
        .collect()
}

/// Every step of a plan, in order.
pub fn steps(plan: &Plan) -> Vec<Step> {
    let mut steps: Vec<Step> = needed_bundles(plan).into_iter().map(Step::Upload).collect();
    steps.extend(
        plan.tokens
            .iter()
            .map(|t| Step::Instantiate(token_name(&t.symbol))),
    );
    for name in ["oracle", "pool", "gov_token", "timelock", "governor"] {
        steps.push(Step::Instantiate(name.to_string()));
    }
    for (i, feed) in plan.feeds.iter().enumerate() {
        steps.push(Step::AddFeed(i));
        if feed.initial_price.is_some() {
            steps.push(Step::InitialPrice(i));
        }
    }
    steps.extend((0..plan.markets.len()).map(Step::ListMarket));
    steps.push(Step::BindGovernor);
    if plan.self_delegate {
        steps.push(Step::SelfDelegate);
    }
    steps.push(Step::HandOver("pool"));
    steps.push(Step::HandOver("oracle"));
    for token in &plan.tokens {
        if token.minter == Minter::Timelock {
            steps.push(Step::NominateMinter(token_name(&token.symbol)));
        }
    }
    if plan.gov_token.minter == Minter::Timelock {
        steps.push(Step::NominateMinter("gov_token".to_string()));
    }
    steps
}

/// `Some("x")` in SCALE-value syntax.
fn some_str(text: &str) -> String {
    format!("Some(\"{text}\")")
}

fn option_account(account: Option<&str>) -> String {
    match account {
        Some(a) => format!("Some({a})"),
        None => "None".to_string(),
    }
}

/// Options of `carrack-deploy deploy`.
pub struct DeployArgs {
    pub config: PathBuf,
    pub bundles: PathBuf,
    pub manifest: PathBuf,
    pub url: Option<String>,
    pub reset: bool,
    /// Tests: exit abruptly right after the chain effect of this (1-based) step, before
    /// the manifest records it.
    pub kill_after_step: Option<usize>,
}

struct Deployment {
    chain: Chain,
    bundles: Bundles,
    plan: Plan,
    signer: Keypair,
    deployer: AccountId32,
    manifest: Manifest,
    manifest_path: PathBuf,
}

/// Runs (or resumes) a deployment.
pub async fn run(args: DeployArgs, progress: &ProgressBar) -> Result<()> {
    let started = Instant::now();
    let loaded = LoadedConfig::load(&args.config)?;
    let signer = loaded.signer()?;
    let deployer = signer.public_key().to_account_id();
    let plan = loaded
        .config
        .plan(&deployer.to_string())
        .with_context(|| format!("invalid config {}", args.config.display()))?;
    let digest = plan.digest();
    let steps = steps(&plan);
    let step_names: Vec<String> = steps.iter().map(|s| s.name(&plan)).collect();
    let bundles = Bundles::load(&args.bundles, &needed_bundles(&plan))?;

    let existing = if args.manifest.exists() {
        if args.reset {
            let backup = args
                .manifest
                .with_extension(format!("json.{}.bak", manifest::now_secs()));
            std::fs::rename(&args.manifest, &backup)
                .with_context(|| format!("cannot move {} aside", args.manifest.display()))?;
            tracing::info!(
                "--reset: the previous manifest is kept as {}",
                backup.display()
            );
            None
        } else {
            let m = Manifest::load(&args.manifest)?;
            if m.config.digest != digest {
                bail!(
                    "the manifest {} was written for another config (digest {}, this config's is {}): deploy with the config it was made for, or start a new deployment with --reset or another --manifest",
                    args.manifest.display(),
                    m.config.digest,
                    digest
                );
            }
            Some(m)
        }
    } else {
        None
    };

    let url = args
        .url
        .clone()
        .unwrap_or_else(|| loaded.config.network.url.clone());
    let chain = Chain::connect(&url).await?;
    let genesis = chain.genesis_hash();
    if let Some(expected) = &plan.expected_genesis {
        ensure!(
            expected.trim_start_matches("0x") == genesis.trim_start_matches("0x"),
            "the node at {url} is on chain {genesis}, but the config expects {expected}"
        );
    }
    if plan.kind == Kind::Devnet && !url.contains("127.0.0.1") && !url.contains("localhost") {
        tracing::warn!("a devnet config (public //Dev keys) against the non-local node {url}");
    }
    let block = chain.best_block().await?;
    tracing::info!("connected to {url}: chain {genesis}, best block #{block}");

    let manifest = match existing {
        Some(m) => {
            if m.chain.genesis_hash != genesis {
                bail!(
                    "the manifest {} belongs to chain {} (node {}), but the node at {url} is on chain {genesis}: a restarted --tmp devnet? Use --reset or another --manifest",
                    args.manifest.display(),
                    m.chain.genesis_hash,
                    m.chain.node_url
                );
            }
            m
        }
        None => Manifest {
            format: manifest::FORMAT,
            tool: format!("carrack-deploy {}", env!("CARGO_PKG_VERSION")),
            chain: ChainRecord {
                genesis_hash: genesis.clone(),
                node_url: chain.url_string(),
                start_block: block,
                last_block: block,
            },
            config: ConfigRecord {
                path: args.config.clone(),
                digest: digest.clone(),
                kind: format!("{:?}", plan.kind).to_lowercase(),
            },
            deployment_id: manifest::new_deployment_id(&digest, &genesis),
            deployer: deployer.to_string(),
            bundles_dir: std::fs::canonicalize(&args.bundles).unwrap_or(args.bundles.clone()),
            codes: Default::default(),
            contracts: Default::default(),
            steps: vec![],
            complete: false,
            created_at: manifest::now_secs(),
            updated_at: 0,
        },
    };

    let mut d = Deployment {
        chain,
        bundles,
        plan,
        signer,
        deployer,
        manifest,
        manifest_path: args.manifest.clone(),
    };
    d.manifest.chain.node_url = d.chain.url_string();
    let first = manifest::resume_index(&step_names, &d.manifest.steps)
        .with_context(|| format!("cannot resume from {}", args.manifest.display()))?;
    d.verify_recorded(first == step_names.len()).await?;
    d.manifest.save(&d.manifest_path)?;

    if first == step_names.len() {
        tracing::info!(
            "the deployment in {} is complete and verified on chain: nothing to do",
            args.manifest.display()
        );
    } else if first > 0 {
        tracing::info!(
            "resuming {} at step {} of {} ({})",
            args.manifest.display(),
            first + 1,
            step_names.len(),
            step_names[first]
        );
    } else {
        tracing::info!(
            "deploying {} steps, manifest {}",
            step_names.len(),
            args.manifest.display()
        );
    }

    progress.set_style(
        indicatif::ProgressStyle::with_template("{spinner} [{pos}/{len}] {elapsed} {wide_msg}")
            .expect("valid template"),
    );
    progress.set_length(step_names.len() as u64);
    progress.set_position(first as u64);
    for (index, step) in steps.iter().enumerate().skip(first) {
        let name = &step_names[index];
        progress.set_message(name.clone());
        let step_started = Instant::now();
        d.execute(step)
            .await
            .with_context(|| format!("step {} ({name}) failed", index + 1))?;
        if args.kill_after_step == Some(index + 1) {
            tracing::warn!(
                "--kill-after-step {}: exiting before the manifest records {name}",
                index + 1
            );
            std::process::exit(137);
        }
        d.manifest.steps.push(name.clone());
        d.manifest.chain.last_block = d.chain.best_block().await?;
        d.manifest.save(&d.manifest_path)?;
        progress.inc(1);
        tracing::info!(
            "[{}/{}] {name} ({:.1} s)",
            index + 1,
            step_names.len(),
            step_started.elapsed().as_secs_f64()
        );
    }
    d.manifest.complete = true;
    d.manifest.save(&d.manifest_path)?;
    progress.finish_and_clear();
    d.print_summary(step_names.len() - first, started.elapsed().as_secs_f64());
    Ok(())
}

impl Deployment {
    /// Checks every recorded code and contract against the chain and the bundles.
    async fn verify_recorded(&self, complete: bool) -> Result<()> {
        for (name, code) in &self.manifest.codes {
            let bundle = self.bundles.get(name)?;
            let recorded = manifest::parse_hash(&code.code_hash)?;
            if recorded != bundle.code_hash {
                let message = format!(
                    "bundle {name} changed since this deployment started (code {} in the manifest, 0x{} in {}): rebuild the deployed sources, or start over with --reset",
                    code.code_hash,
                    hex::encode(bundle.code_hash),
                    bundle.contract_path.display()
                );
                if complete {
                    tracing::warn!("{message}");
                } else {
                    bail!(message);
                }
            }
        }
        ensure!(
            self.manifest.deployer == self.deployer.to_string(),
            "the manifest was deployed by {}, but this config signs as {}",
            self.manifest.deployer,
            self.deployer
        );
        for (name, record) in &self.manifest.contracts {
            // The record must be one this deployment made (review D2), before the chain is
            // asked whether the code there is the recorded one.
            record
                .check_binding(name, bundle_of(name), &self.manifest)
                .map_err(|e| anyhow::anyhow!("manifest {}: {e}", self.manifest_path.display()))?;
            let address = AccountId32::from_str(&record.address)
                .map_err(|e| anyhow::anyhow!("manifest: bad address of {name}: {e}"))?;
            match self.chain.contract_code_hash(&address).await? {
                None => bail!(
                    "{name} is recorded at {} but no contract is there on chain {}",
                    record.address,
                    self.manifest.chain.genesis_hash
                ),
                Some(hash) if manifest::hex0x(&hash) != record.code_hash => bail!(
                    "{name} at {} runs code {} on chain, but the manifest records {} (upgraded or replaced outside this tool?)",
                    record.address,
                    manifest::hex0x(&hash),
                    record.code_hash
                ),
                Some(_) => tracing::debug!("verified {name} at {}", record.address),
            }
        }
        if !self.manifest.contracts.is_empty() {
            tracing::info!(
                "verified {} recorded contracts on chain",
                self.manifest.contracts.len()
            );
        }
        Ok(())
    }

    fn address(&self, name: &str) -> Result<AccountId32> {
        let text = self.manifest.address(name)?;
        AccountId32::from_str(text)
            .map_err(|e| anyhow::anyhow!("manifest: bad address of {name}: {e}"))
    }

    fn asset_address(&self, asset: &Asset) -> Result<String> {
        match asset {
            Asset::Token(symbol) => Ok(self.manifest.address(&token_name(symbol))?.to_string()),
            Asset::Address(address) => Ok(address.clone()),
        }
    }

    fn token_args(&self, token: &TokenPlan) -> Vec<String> {
        let deployer = self.deployer.to_string();
        let minter = match &token.minter {
            Minter::None => None,
            // The timelock does not exist yet: the deployer mints until it nominates it.
            Minter::Deployer | Minter::Timelock => Some(deployer.as_str()),
            Minter::Account(a) => Some(a.as_str()),
        };
        vec![
            token.initial_supply.to_string(),
            some_str(&token.name),
            some_str(&token.symbol),
            token.decimals.to_string(),
            option_account(minter),
        ]
    }

    /// The constructor arguments of a contract, in SCALE-value syntax.
    fn constructor_args(&self, name: &str) -> Result<Vec<String>> {
        let p = &self.plan;
        let deployer = self.deployer.to_string();
        Ok(match name {
            "oracle" => vec![deployer, p.guardian.clone()],
            "pool" => vec![
                deployer,
                p.guardian.clone(),
                self.manifest.address("oracle")?.to_string(),
                format!(
                    "{{ liquidation_grace_secs: {}, dust_value_wad: {} }}",
                    p.liquidation_grace_secs, p.dust_value_wad
                ),
            ],
            "gov_token" => self.token_args(&p.gov_token),
            "timelock" => vec![
                p.guardian.clone(),
                p.timelock.delay_secs.to_string(),
                p.timelock.grace_secs.to_string(),
                p.timelock.min_delay_secs.to_string(),
                p.timelock.max_delay_secs.to_string(),
            ],
            "governor" => {
                let g = &p.governor;
                vec![
                    self.manifest.address("gov_token")?.to_string(),
                    self.manifest.address("timelock")?.to_string(),
                    format!(
                        "{{ voting_delay_blocks: {}, voting_period_blocks: {}, proposal_threshold: {}, quorum_bps: {} }}",
                        g.voting_delay_blocks, g.voting_period_blocks, g.proposal_threshold, g.quorum_bps
                    ),
                    format!(
                        "{{ voting_delay_blocks: {{ min: {}, max: {} }}, voting_period_blocks: {{ min: {}, max: {} }}, proposal_threshold: {{ min: {}, max: {} }}, quorum_bps: {{ min: {}, max: {} }} }}",
                        g.limits_voting_delay_blocks.0,
                        g.limits_voting_delay_blocks.1,
                        g.limits_voting_period_blocks.0,
                        g.limits_voting_period_blocks.1,
                        g.limits_proposal_threshold.0,
                        g.limits_proposal_threshold.1,
                        g.limits_quorum_bps.0,
                        g.limits_quorum_bps.1
                    ),
                ]
            }
            token => {
                let symbol = token.strip_prefix("token:").context("unknown contract")?;
                let plan = p.token(symbol).context("unknown token")?;
                self.token_args(plan)
            }
        })
    }

    async fn execute(&mut self, step: &Step) -> Result<()> {
        match step {
            Step::Upload(bundle) => self.upload(bundle).await,
            Step::Instantiate(contract) => self.instantiate(contract).await,
            Step::AddFeed(i) => self.add_feed(*i).await,
            Step::InitialPrice(i) => self.initial_price(*i).await,
            Step::ListMarket(i) => self.list_market(*i).await,
            Step::BindGovernor => self.bind_governor().await,
            Step::SelfDelegate => self.self_delegate().await,
            Step::HandOver(target) => self.hand_over(target).await,
            Step::NominateMinter(token) => self.nominate_minter(token).await,
        }
    }

    async fn upload(&mut self, name: &str) -> Result<()> {
        let bundle = self.bundles.get(name)?;
        let already = self.chain.code_exists(&bundle.code_hash).await?;
        if already {
            tracing::info!(
                "{name}: code 0x{} is already on chain, not uploading",
                hex::encode(bundle.code_hash)
            );
        } else {
            self.chain.upload(bundle, &self.signer).await?;
            tracing::info!("{name}: uploaded code 0x{}", hex::encode(bundle.code_hash));
        }
        self.manifest.codes.insert(
            name.to_string(),
            CodeRecord {
                code_hash: manifest::hex0x(&bundle.code_hash),
                uploaded: !already,
            },
        );
        Ok(())
    }

    async fn instantiate(&mut self, name: &str) -> Result<()> {
        let args = self.constructor_args(name)?;
        let bundle = self.bundles.get(bundle_of(name))?;
        let input = Chain::constructor_input(bundle, "new", &args)?;
        let salt = manifest::salt(
            &self.manifest.config.digest,
            &self.manifest.deployment_id,
            name,
        );
        let predicted = Chain::contract_address(&self.deployer, &bundle.code_hash, &input, &salt);
        let (address, recovered) = match self.chain.contract_code_hash(&predicted).await? {
            Some(hash) if hash == bundle.code_hash => {
                tracing::info!("{name}: already instantiated at {predicted} by an interrupted run; recording it");
                (predicted, true)
            }
            Some(hash) => bail!(
                "{predicted}, where {name} belongs, holds a contract with code 0x{}",
                hex::encode(hash)
            ),
            None => {
                let address = self
                    .chain
                    .instantiate(bundle, "new", &args, &salt, &self.signer)
                    .await?;
                if address != predicted {
                    tracing::warn!(
                        "{name} landed at {address}, not at the predicted {predicted}: a crash right now could not be recovered automatically"
                    );
                }
                tracing::info!("{name}: instantiated at {address}");
                (address, false)
            }
        };
        self.manifest.contracts.insert(
            name.to_string(),
            ContractRecord {
                bundle: bundle.name.clone(),
                code_hash: manifest::hex0x(&bundle.code_hash),
                address: address.to_string(),
                constructor: "new".to_string(),
                args_digest: manifest::hex0x(&manifest::blake2_256(&[&input])),
                salt: manifest::hex0x(&salt),
                input: manifest::hex0x(&input),
                recovered,
            },
        );
        Ok(())
    }

    async fn add_feed(&mut self, i: usize) -> Result<()> {
        let feed = self.plan.feeds[i].clone();
        let oracle = self.address("oracle")?;
        let bundle = self.bundles.get("carrack_oracle")?;
        let asset = self.asset_address(&feed.asset)?;
        let existing = self
            .chain
            .dry_run(bundle, &oracle, "feed_info", &[asset.clone()], &self.signer)
            .await?;
        match existing.err_variant().as_deref() {
            None => {
                tracing::info!("feed {}: already added", feed.asset.label());
                return Ok(());
            }
            Some("UnknownFeed") => {}
            Some(other) => bail!("oracle feed_info({asset}) returned {other}"),
        }
        let config = format!(
            "{{ quorum: {}, heartbeat_secs: {}, round_window_secs: {}, min_price: {}, max_price: {}, max_deviation_wad: {}, decimals: {} }}",
            feed.quorum,
            feed.heartbeat_secs,
            feed.round_window_secs,
            feed.min_price,
            feed.max_price,
            feed.max_deviation_wad,
            feed.decimals
        );
        let reporters = format!("[{}]", feed.reporters.join(", "));
        self.chain
            .execute(
                bundle,
                &oracle,
                "add_feed",
                &[asset, config, reporters],
                &self.signer,
            )
            .await?;
        tracing::info!(
            "feed {}: added ({} reporters, quorum {})",
            feed.asset.label(),
            feed.reporters.len(),
            feed.quorum
        );
        Ok(())
    }

    async fn initial_price(&mut self, i: usize) -> Result<()> {
        let feed = self.plan.feeds[i].clone();
        let (price, uris) = feed.initial_price.clone().context("no initial price")?;
        let oracle = self.address("oracle")?;
        let bundle = self.bundles.get("carrack_oracle")?;
        let asset = self.asset_address(&feed.asset)?;
        let current = self
            .chain
            .dry_run(
                bundle,
                &oracle,
                "PriceOracle::price",
                &[asset.clone()],
                &self.signer,
            )
            .await?;
        match current.err_variant().as_deref() {
            None => {
                tracing::info!("price {}: the feed has a price already", feed.asset.label());
                return Ok(());
            }
            Some("NoPrice") => {}
            Some(other) => bail!("oracle price({asset}) returned {other}"),
        }
        let info = self
            .chain
            .read(bundle, &oracle, "feed_info", &[asset.clone()], &self.signer)
            .await?;
        let now = self.chain.now_secs().await?;
        for uri in &uris {
            let reporter = accounts::keypair_from_uri(uri)?;
            let account = reporter.public_key().to_account_id().to_string();
            if pending_fresh(&info, &account, now, feed.round_window_secs)? {
                tracing::info!("price {}: {uri} submitted already", feed.asset.label());
                continue;
            }
            self.chain
                .execute(
                    bundle,
                    &oracle,
                    "submit",
                    &[asset.clone(), price.to_string(), now.to_string()],
                    &reporter,
                )
                .await
                .with_context(|| format!("reporter {uri}"))?;
        }
        let data = self
            .chain
            .read(
                bundle,
                &oracle,
                "PriceOracle::price",
                &[asset.clone()],
                &self.signer,
            )
            .await?;
        let status = values::unit_variant(values::field(&data, "status")?)?;
        ensure!(
            status == "Ok",
            "the feed's status is {status} after its first round"
        );
        tracing::info!(
            "price {}: {} ({} reporters agreed)",
            feed.asset.label(),
            crate::units::format_scaled(price, u32::from(feed.decimals)),
            uris.len()
        );
        Ok(())
    }

    async fn list_market(&mut self, i: usize) -> Result<()> {
        let m = self.plan.markets[i].clone();
        let pool = self.address("pool")?;
        let pool_bundle = self.bundles.get("carrack_pool")?;
        let asset = self.asset_address(&m.asset)?;
        let existing = self
            .chain
            .dry_run(pool_bundle, &pool, "market", &[asset.clone()], &self.signer)
            .await?;
        match existing.err_variant().as_deref() {
            None => {
                tracing::info!("market {}: already listed", m.asset.label());
                return Ok(());
            }
            Some("UnknownMarket") => {}
            Some(other) => bail!("pool market({asset}) returned {other}"),
        }
        // Any PSP22 answers the standard trait messages; our token's metadata encodes them.
        let token_bundle = self.bundles.get(if self.plan.tokens.is_empty() {
            "carrack_gov_token"
        } else {
            "carrack_token"
        })?;
        let token = AccountId32::from_str(&asset).map_err(|e| anyhow::anyhow!("{asset}: {e}"))?;
        let allowance = self
            .chain
            .read(
                token_bundle,
                &token,
                "PSP22::allowance",
                &[self.deployer.to_string(), pool.to_string()],
                &self.signer,
            )
            .await?;
        if values::uint(&allowance)? < m.seed {
            self.chain
                .execute(
                    token_bundle,
                    &token,
                    "PSP22::approve",
                    &[pool.to_string(), m.seed.to_string()],
                    &self.signer,
                )
                .await?;
        }
        let params = format!(
            "{{ config: {{ decimals: {}, ltv_wad: {}, liquidation_threshold_wad: {}, liquidation_bonus_wad: {}, liquidation_protocol_fee_wad: {}, reserve_factor_wad: {}, rate_model: {{ base_rate_wad: {}, slope_low_wad: {}, slope_high_wad: {}, optimal_utilization_wad: {} }}, supply_cap: {}, borrow_cap: {}, min_debt: {} }}, collateral_enabled: {}, borrowing_enabled: {} }}",
            m.decimals,
            m.ltv_wad,
            m.liquidation_threshold_wad,
            m.liquidation_bonus_wad,
            m.liquidation_protocol_fee_wad,
            m.reserve_factor_wad,
            m.base_rate_wad,
            m.slope_low_wad,
            m.slope_high_wad,
            m.optimal_utilization_wad,
            m.supply_cap,
            m.borrow_cap,
            m.min_debt,
            m.collateral_enabled,
            m.borrowing_enabled
        );
        self.chain
            .execute(
                pool_bundle,
                &pool,
                "list_market",
                &[asset, params, m.seed.to_string()],
                &self.signer,
            )
            .await?;
        tracing::info!(
            "market {}: listed (LTV {}, liquidation threshold {}, seed {})",
            m.asset.label(),
            crate::units::format_percent(m.ltv_wad),
            crate::units::format_percent(m.liquidation_threshold_wad),
            crate::units::format_scaled(m.seed, u32::from(m.decimals))
        );
        Ok(())
    }

    async fn bind_governor(&mut self) -> Result<()> {
        let timelock = self.address("timelock")?;
        let governor = self.address("governor")?.to_string();
        let bundle = self.bundles.get("carrack_timelock")?;
        let settings = self
            .chain
            .read(bundle, &timelock, "settings", &[], &self.signer)
            .await?;
        match values::option_account(values::field(&settings, "governor")?)? {
            Some(bound) if bound == governor => {
                tracing::info!("timelock: governor already bound");
                return Ok(());
            }
            Some(other) => bail!("the timelock is bound to another governor, {other}"),
            None => {}
        }
        self.chain
            .execute(
                bundle,
                &timelock,
                "bind_governor",
                &[governor],
                &self.signer,
            )
            .await?;
        tracing::info!("timelock: governor bound");
        Ok(())
    }

    async fn self_delegate(&mut self) -> Result<()> {
        let token = self.address("gov_token")?;
        let bundle = self.bundles.get("carrack_gov_token")?;
        let me = self.deployer.to_string();
        let current = self
            .chain
            .read(
                bundle,
                &token,
                "Votes::delegates",
                &[me.clone()],
                &self.signer,
            )
            .await?;
        if values::option_account(&current)?.as_deref() == Some(me.as_str()) {
            tracing::info!("gov token: the deployer delegates to itself already");
            return Ok(());
        }
        self.chain
            .execute(
                bundle,
                &token,
                "Votes::delegate",
                &[format!("Some({me})")],
                &self.signer,
            )
            .await?;
        tracing::info!("gov token: the deployer delegated its votes to itself");
        Ok(())
    }

    async fn hand_over(&mut self, target: &str) -> Result<()> {
        let address = self.address(target)?;
        let timelock = self.address("timelock")?;
        let bundle = self.bundles.get(bundle_of(target))?;
        let timelock_bundle = self.bundles.get("carrack_timelock")?;
        let roles = self
            .chain
            .read(bundle, &address, "Governed::admin_roles", &[], &self.signer)
            .await?;
        let governance = values::account(values::field(&roles, "governance")?)?;
        let pending = values::option_account(values::field(&roles, "pending_governance")?)?;
        let timelock_s = timelock.to_string();
        if governance == timelock_s {
            tracing::info!("{target}: governance is the timelock already");
            return Ok(());
        }
        ensure!(
            governance == self.deployer.to_string(),
            "{target}'s governance is {governance}, neither the deployer nor the timelock"
        );
        if pending.as_deref() != Some(timelock_s.as_str()) {
            self.chain
                .execute(
                    bundle,
                    &address,
                    "Governed::nominate_governance",
                    &[format!("Some({timelock_s})")],
                    &self.signer,
                )
                .await?;
        }
        self.chain
            .execute(
                timelock_bundle,
                &timelock,
                "accept_governance_of",
                &[address.to_string()],
                &self.signer,
            )
            .await?;
        let roles = self
            .chain
            .read(bundle, &address, "Governed::admin_roles", &[], &self.signer)
            .await?;
        let governance = values::account(values::field(&roles, "governance")?)?;
        ensure!(
            governance == timelock_s,
            "{target}'s governance is still {governance}"
        );
        tracing::info!("{target}: governance handed to the timelock");
        Ok(())
    }

    async fn nominate_minter(&mut self, token: &str) -> Result<()> {
        let address = self.address(token)?;
        let timelock = self.address("timelock")?.to_string();
        let bundle = self.bundles.get(bundle_of(token))?;
        let minter = values::option_account(
            &self
                .chain
                .read(bundle, &address, "minter", &[], &self.signer)
                .await?,
        )?;
        let pending = values::option_account(
            &self
                .chain
                .read(bundle, &address, "pending_minter", &[], &self.signer)
                .await?,
        )?;
        if minter.as_deref() == Some(timelock.as_str())
            || pending.as_deref() == Some(timelock.as_str())
        {
            tracing::info!("{token}: the timelock is minter or nominated already");
            return Ok(());
        }
        self.chain
            .execute(
                bundle,
                &address,
                "nominate_minter",
                &[format!("Some({timelock})")],
                &self.signer,
            )
            .await?;
        tracing::info!("{token}: timelock nominated as minter (it accepts through a proposal)");
        Ok(())
    }

    fn print_summary(&self, ran: usize, secs: f64) {
        use std::io::Write;
        let m = &self.manifest;
        let mut out = std::io::stdout().lock();
        let mut lines = vec![if ran == 0 {
            format!("Carrack deployment complete, nothing to do ({} steps recorded, checked in {secs:.1} s)", m.steps.len())
        } else {
            format!(
                "Carrack deployed: {ran} of {} steps run in {secs:.1} s",
                m.steps.len()
            )
        }];
        lines.push(format!(
            "  chain     {} ({})",
            m.chain.genesis_hash, m.chain.node_url
        ));
        lines.push(format!(
            "  blocks    #{}..#{}",
            m.chain.start_block, m.chain.last_block
        ));
        lines.push(format!("  manifest  {}", self.manifest_path.display()));
        for (name, record) in &m.contracts {
            lines.push(format!("  {name:<14} {}", record.address));
        }
        for line in lines {
            // A closed stdout (`| head`) is not worth an error.
            let _ = writeln!(out, "{line}");
        }
    }
}

/// Whether `account` has a submission waiting in `feed_info`'s round in progress, joined
/// at most a round window ago (the slot holds the block time it joined the round).
fn pending_fresh(
    feed: &contract_transcode::Value,
    account: &str,
    now: u64,
    window: u64,
) -> Result<bool> {
    for reporter in values::seq(values::field(feed, "reporters")?)? {
        if values::account(values::field(reporter, "account")?)? != account {
            continue;
        }
        let Some(Some(pending)) = values::as_option(values::field(reporter, "pending")?) else {
            return Ok(false);
        };
        let items = values::tuple_items(pending)?;
        let joined_at = items
            .get(1)
            .map(|v| values::uint(v))
            .transpose()?
            .unwrap_or(0);
        return Ok(now.saturating_sub(joined_at as u64) <= window);
    }
    bail!("{account} is not a reporter of this feed")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::devnet_plan;

    #[test]
    fn devnet_steps_are_in_dependency_order() {
        let plan = devnet_plan();
        let names: Vec<String> = steps(&plan).iter().map(|s| s.name(&plan)).collect();
        let pos = |n: &str| {
            names
                .iter()
                .position(|x| x == n)
                .unwrap_or_else(|| panic!("{n} missing"))
        };
        assert_eq!(names.len(), 6 + 8 + 6 + 3 + 1 + 1 + 2);
        assert!(pos("upload:carrack_governor") < pos("instantiate:token:TUSD"));
        assert!(pos("instantiate:token:TETH") < pos("instantiate:oracle"));
        assert!(pos("instantiate:oracle") < pos("instantiate:pool"));
        assert!(pos("instantiate:pool") < pos("instantiate:gov_token"));
        assert!(pos("instantiate:timelock") < pos("instantiate:governor"));
        assert!(pos("feed:TBTC") < pos("price:TBTC"));
        assert!(pos("price:TETH") < pos("market:TUSD"));
        assert!(pos("market:TETH") < pos("bind-governor"));
        assert!(pos("self-delegate") < pos("handover:pool"));
        assert_eq!(names.last().unwrap(), "handover:oracle");
        let unique: std::collections::BTreeSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "step names are unique");
    }

    #[test]
    fn resume_points_at_the_first_incomplete_step() {
        let plan = devnet_plan();
        let names: Vec<String> = steps(&plan).iter().map(|s| s.name(&plan)).collect();
        assert_eq!(manifest::resume_index(&names, &names[..8]).unwrap(), 8);
        assert_eq!(names[8], "instantiate:token:TETH");
    }

    #[test]
    fn timelock_minters_get_a_final_step() {
        let mut plan = devnet_plan();
        plan.tokens[0].minter = Minter::Timelock;
        plan.gov_token.minter = Minter::Timelock;
        let names: Vec<String> = steps(&plan).iter().map(|s| s.name(&plan)).collect();
        assert!(names.ends_with(&[
            "minter:token:TUSD".to_string(),
            "minter:gov_token".to_string()
        ]));
    }
}
