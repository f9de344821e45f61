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
use crate::constructors;
use crate::manifest::{self, ChainRecord, CodeRecord, ConfigRecord, ContractRecord, Manifest};
use crate::messages::{self, MinterToken};
use anyhow::{bail, ensure, Context, Result};
use carrack_client::Constructor;
use carrack_interfaces::{FeedStatus, OracleError};
use carrack_oracle::feed::Feed;
use carrack_pool::error::PoolError;
use indicatif::ProgressBar;
use ink::primitives::AccountId;
use scale::Decode;
use std::fmt::Debug;
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

    /// A recorded contract's address as the contracts' `AccountId`.
    fn ink_address(&self, name: &str) -> Result<AccountId> {
        self.address(name).map(|a| accounts::to_ink(&a))
    }

    fn asset_address(&self, asset: &Asset) -> Result<AccountId32> {
        match asset {
            Asset::Token(symbol) => self.address(&token_name(symbol)),
            Asset::Address(address) => AccountId32::from_str(address)
                .map_err(|e| anyhow::anyhow!("bad asset address {address}: {e}")),
        }
    }

    /// The minter a token is instantiated with. The timelock does not exist yet: the
    /// deployer mints until it nominates it.
    fn initial_minter(&self, token: &TokenPlan) -> Result<Option<AccountId>> {
        Ok(match &token.minter {
            Minter::None => None,
            Minter::Deployer | Minter::Timelock => Some(accounts::to_ink(&self.deployer)),
            Minter::Account(account) => Some(accounts::plan_account(account)?),
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

    /// Instantiates contract `name` with its constructor ([`constructors`]) from the plan
    /// and the addresses recorded so far.
    async fn instantiate(&mut self, name: &str) -> Result<()> {
        let deployer = accounts::to_ink(&self.deployer);
        let guardian = accounts::plan_account(&self.plan.guardian)?;
        match name {
            "oracle" => {
                let constructor = constructors::oracle(deployer, guardian);
                self.instantiate_with(name, constructor).await
            }
            "pool" => {
                let oracle = self.ink_address("oracle")?;
                let params = self.plan.pool_params();
                let constructor = constructors::pool(deployer, guardian, oracle, params);
                self.instantiate_with(name, constructor).await
            }
            "gov_token" => {
                let minter = self.initial_minter(&self.plan.gov_token)?;
                let constructor = constructors::gov_token(&self.plan.gov_token, minter);
                self.instantiate_with(name, constructor).await
            }
            "timelock" => {
                let constructor = constructors::timelock(guardian, &self.plan.timelock);
                self.instantiate_with(name, constructor).await
            }
            "governor" => {
                let token = self.ink_address("gov_token")?;
                let timelock = self.ink_address("timelock")?;
                let constructor = constructors::governor(token, timelock, &self.plan.governor);
                self.instantiate_with(name, constructor).await
            }
            token => {
                let symbol = token.strip_prefix("token:").context("unknown contract")?;
                let plan = self.plan.token(symbol).context("unknown token")?;
                let constructor = constructors::token(plan, self.initial_minter(plan)?);
                self.instantiate_with(name, constructor).await
            }
        }
    }

    /// Instantiates contract `name` with `constructor` at its predicted address, or
    /// records the contract an interrupted run left there.
    async fn instantiate_with<Failure: Decode + Debug>(
        &mut self,
        name: &str,
        constructor: Constructor<Failure>,
    ) -> Result<()> {
        let bundle = self.bundles.get(bundle_of(name))?;
        let input = constructor.input().to_vec();
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
                    .instantiate(bundle.code_hash, &constructor, &salt, &self.signer)
                    .await
                    .with_context(|| format!("instantiating {} ({name})", bundle.name))?;
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
        let asset = self.asset_address(&feed.asset)?;
        let asset_id = accounts::to_ink(&asset);
        let existing = self
            .chain
            .read(&oracle, &messages::feed_info(asset_id), &self.deployer)
            .await
            .with_context(|| format!("oracle feed_info({asset})"))?;
        match existing {
            Ok(_) => {
                tracing::info!("feed {}: already added", feed.asset.label());
                return Ok(());
            }
            Err(OracleError::UnknownFeed) => {}
            Err(other) => bail!("oracle feed_info({asset}) returned {other:?}"),
        }
        let reporters = feed
            .reporters
            .iter()
            .map(|r| accounts::plan_account(r))
            .collect::<Result<Vec<_>>>()?;
        let add = messages::add_feed(asset_id, feed.feed_config(), reporters);
        self.chain
            .execute(&oracle, &add, &self.signer)
            .await
            .with_context(|| format!("oracle add_feed({asset})"))?;
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
        let asset = self.asset_address(&feed.asset)?;
        let asset_id = accounts::to_ink(&asset);
        let read_price = messages::price(asset_id);
        let current = self
            .chain
            .read(&oracle, &read_price, &self.deployer)
            .await
            .with_context(|| format!("oracle price({asset})"))?;
        match current {
            Ok(_) => {
                tracing::info!("price {}: the feed has a price already", feed.asset.label());
                return Ok(());
            }
            Err(OracleError::NoPrice) => {}
            Err(other) => bail!("oracle price({asset}) returned {other:?}"),
        }
        let info = self
            .chain
            .read(&oracle, &messages::feed_info(asset_id), &self.deployer)
            .await
            .with_context(|| format!("oracle feed_info({asset})"))?
            .map_err(|e| anyhow::anyhow!("oracle feed_info({asset}) returned {e:?}"))?;
        let now = self.chain.now_secs().await?;
        for uri in &uris {
            let reporter = accounts::keypair_from_uri(uri)?;
            let account = reporter.public_key().to_account_id();
            if pending_fresh(&info, &account, now, feed.round_window_secs)? {
                tracing::info!("price {}: {uri} submitted already", feed.asset.label());
                continue;
            }
            self.chain
                .execute(&oracle, &messages::submit(asset_id, price, now), &reporter)
                .await
                .with_context(|| format!("oracle submit({asset}) by reporter {uri}"))?;
        }
        let data = self
            .chain
            .read(&oracle, &read_price, &self.deployer)
            .await
            .with_context(|| format!("oracle price({asset})"))?
            .map_err(|e| anyhow::anyhow!("oracle price({asset}) returned {e:?}"))?;
        ensure!(
            data.status == FeedStatus::Ok,
            "the feed's status is {:?} after its first round",
            data.status
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
        let asset = self.asset_address(&m.asset)?;
        let asset_id = accounts::to_ink(&asset);
        let existing = self
            .chain
            .read(&pool, &messages::market(asset_id), &self.deployer)
            .await
            .with_context(|| format!("pool market({asset})"))?;
        match existing {
            Ok(_) => {
                tracing::info!("market {}: already listed", m.asset.label());
                return Ok(());
            }
            Err(PoolError::UnknownMarket) => {}
            Err(other) => bail!("pool market({asset}) returned {other:?}"),
        }
        // Any PSP22 token answers the standard trait's messages.
        let (deployer_id, pool_id) = (accounts::to_ink(&self.deployer), accounts::to_ink(&pool));
        let allowance = self
            .chain
            .read(
                &asset,
                &messages::allowance(deployer_id, pool_id),
                &self.deployer,
            )
            .await
            .with_context(|| format!("PSP22 allowance of {asset}"))?;
        if allowance < m.seed {
            self.chain
                .execute(&asset, &messages::approve(pool_id, m.seed), &self.signer)
                .await
                .with_context(|| format!("PSP22 approve of {asset}"))?;
        }
        let list = messages::list_market(asset_id, m.market_params(), m.seed);
        self.chain
            .execute(&pool, &list, &self.signer)
            .await
            .with_context(|| format!("pool list_market({asset})"))?;
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
        let governor = self.ink_address("governor")?;
        let settings = self
            .chain
            .read(&timelock, &messages::timelock_settings(), &self.deployer)
            .await
            .context("timelock settings()")?;
        match settings.governor {
            Some(bound) if bound == governor => {
                tracing::info!("timelock: governor already bound");
                return Ok(());
            }
            Some(other) => bail!(
                "the timelock is bound to another governor, {}",
                accounts::from_ink(&other)
            ),
            None => {}
        }
        self.chain
            .execute(&timelock, &messages::bind_governor(governor), &self.signer)
            .await
            .context("timelock bind_governor")?;
        tracing::info!("timelock: governor bound");
        Ok(())
    }

    async fn self_delegate(&mut self) -> Result<()> {
        let token = self.address("gov_token")?;
        let me = accounts::to_ink(&self.deployer);
        let current = self
            .chain
            .read(&token, &messages::delegates(me), &self.deployer)
            .await
            .context("gov token Votes::delegates")?;
        if current == Some(me) {
            tracing::info!("gov token: the deployer delegates to itself already");
            return Ok(());
        }
        self.chain
            .execute(&token, &messages::delegate(Some(me)), &self.signer)
            .await
            .context("gov token Votes::delegate")?;
        tracing::info!("gov token: the deployer delegated its votes to itself");
        Ok(())
    }

    async fn hand_over(&mut self, target: &str) -> Result<()> {
        let address = self.address(target)?;
        let timelock = self.address("timelock")?;
        let timelock_id = accounts::to_ink(&timelock);
        let roles = self
            .chain
            .read(&address, &messages::admin_roles(), &self.deployer)
            .await
            .with_context(|| format!("{target} Governed::admin_roles"))?;
        if roles.governance == timelock_id {
            tracing::info!("{target}: governance is the timelock already");
            return Ok(());
        }
        ensure!(
            roles.governance == accounts::to_ink(&self.deployer),
            "{target}'s governance is {}, neither the deployer nor the timelock",
            accounts::from_ink(&roles.governance)
        );
        if roles.pending_governance != Some(timelock_id) {
            self.chain
                .execute(
                    &address,
                    &messages::nominate_governance(Some(timelock_id)),
                    &self.signer,
                )
                .await
                .with_context(|| format!("{target} Governed::nominate_governance"))?;
        }
        let accept = messages::accept_governance_of(accounts::to_ink(&address));
        self.chain
            .execute(&timelock, &accept, &self.signer)
            .await
            .with_context(|| format!("timelock accept_governance_of({target})"))?;
        let roles = self
            .chain
            .read(&address, &messages::admin_roles(), &self.deployer)
            .await
            .with_context(|| format!("{target} Governed::admin_roles"))?;
        ensure!(
            roles.governance == timelock_id,
            "{target}'s governance is still {}",
            accounts::from_ink(&roles.governance)
        );
        tracing::info!("{target}: governance handed to the timelock");
        Ok(())
    }

    async fn nominate_minter(&mut self, token: &str) -> Result<()> {
        let address = self.address(token)?;
        let timelock = Some(self.ink_address("timelock")?);
        let kind = if token == "gov_token" {
            MinterToken::Governance
        } else {
            MinterToken::Test
        };
        let minter = self
            .chain
            .read(&address, &messages::minter(kind), &self.deployer)
            .await
            .with_context(|| format!("{token} minter"))?;
        let pending = self
            .chain
            .read(&address, &messages::pending_minter(kind), &self.deployer)
            .await
            .with_context(|| format!("{token} pending_minter"))?;
        if minter == timelock || pending == timelock {
            tracing::info!("{token}: the timelock is minter or nominated already");
            return Ok(());
        }
        self.chain
            .execute(
                &address,
                &messages::nominate_minter(kind, timelock),
                &self.signer,
            )
            .await
            .with_context(|| format!("{token} nominate_minter"))?;
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

/// Whether `account` has a submission waiting in the feed's round in progress, joined at
/// most a round window ago (the slot holds the block time it joined the round).
fn pending_fresh(feed: &Feed, account: &AccountId32, now: u64, window: u64) -> Result<bool> {
    let reporter = feed
        .reporters
        .iter()
        .find(|r| r.account == accounts::to_ink(account))
        .with_context(|| format!("{account} is not a reporter of this feed"))?;
    Ok(match reporter.pending {
        Some((_price, joined_at_secs)) => now.saturating_sub(joined_at_secs) <= window,
        None => false,
    })
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
