//! Deploys the whole lending suite on the node of one ink_e2e test and drives it: three
//! carrack-token PSP22 tokens (6, 12 and 18 decimals), the oracle with one feed per token
//! and the pool with a market per token. Also the tests' own model of interest accrual,
//! computed independently of the contracts' code ([`model`]).
//!
//! Roles, fixed for every test:
//!
//! | who | role |
//! |---|---|
//! | Alice | governance of the oracle and the pool; holds every token's supply (minter) |
//! | Ferdie | guardian of the oracle and the pool |
//! | Eve | the one price reporter of every feed (quorum 1) |
//! | Bob, Charlie, Dave | users, funded by the tests from Alice |
//!
//! Timing on a dev node (instant seal, one block per extrinsic, block time = the system
//! clock when the block is sealed):
//!
//! * a dry run executes at the *last sealed* block's time, so an oracle `observed_at` must
//!   not be later than that block ([`observation_time`] seals one first);
//! * ink_e2e sizes a call's gas from its dry run, but the call itself runs in a later block:
//!   interest accrual over more seconds can then need more gas, so every pool call here is
//!   submitted with [`GAS_MARGIN_PER_CENT`] on top;
//! * `CallResult::return_value()` is decoded from that *dry run*: amounts that depend on
//!   time (repaid, withdrawn) must be read from the call's events instead ([`pool_events`]).

use carrack_core::{MarketConfig, RateModel};
use carrack_interfaces::{OracleError, PSP22Error, PriceData, PriceOracle, PSP22};
use carrack_oracle::feed::{FeedConfig, FeedUpdate};
use carrack_oracle::oracle::{Oracle, OracleRef};
use carrack_pool::market::MarketParams;
use carrack_pool::params::PoolParams;
use carrack_pool::pool::{Pool, PoolRef};
use carrack_pool::views::{AccountView, MarketView, PositionView};
use carrack_token::token::TokenRef;
use ink::codegen::{ContractCallBuilder, TraitCallBuilder};
use ink::env::call::utils::{ReturnType, Set};
use ink::env::call::{Call, CallBuilder, ExecutionInput};
use ink::env::DefaultEnvironment;
use ink::primitives::AccountId;
use ink::scale::{Decode, Encode};
use ink_e2e::events::{ContractEmitted, EventWithTopics};
use ink_e2e::{account_id, AccountKeyring, ChainBackend, ContractsBackend, Keypair};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use crate::NodeClient;

/// What every test returns.
pub type E2EResult<T> = Result<T, Box<dyn std::error::Error>>;
/// The pool's call builder.
pub type PoolCalls = <Pool as ContractCallBuilder>::Type;
/// The oracle's call builder.
pub type OracleCalls = <Oracle as ContractCallBuilder>::Type;
/// A message ready to be sent with `client.call(..)`.
pub type Message<Args, R> = CallBuilder<
    DefaultEnvironment,
    Set<Call<DefaultEnvironment>>,
    Set<ExecutionInput<Args>>,
    Set<ReturnType<R>>,
>;
/// The events a contract emitted during one extrinsic.
pub type Emitted = Vec<EventWithTopics<ContractEmitted<DefaultEnvironment>>>;

/// 1.0 in WAD.
pub const WAD: u128 = 1_000_000_000_000_000_000;
/// 1.0 in RAY.
pub const RAY: u128 = 1_000_000_000_000_000_000_000_000_000;
/// Decimals of every feed's prices.
pub const PRICE_DECIMALS: u8 = 8;
/// One quote unit (say, one dollar) in the feeds' price decimals.
pub const DOLLAR: u128 = 100_000_000;
/// Gas added to a pool call's dry-run estimate, in per cent (see the module docs).
pub const GAS_MARGIN_PER_CENT: u64 = 100;
/// The flash loan fee of [`market_params`]: Aave's default, 0.05 %.
pub const FLASH_LOAN_FEE_WAD: u128 = WAD / 2_000;
/// Whole tokens of each kind credited to Alice at deployment.
pub const SUPPLY_WHOLE_TOKENS: u128 = 1_000_000_000;
/// Whole tokens Alice seeds each market with (dead shares).
pub const SEED_WHOLE_TOKENS: u128 = 1_000;

/// One whole token of a token with `decimals` decimals.
pub const fn unit(decimals: u8) -> u128 {
    10u128.pow(decimals as u32)
}

/// Wall-clock Unix seconds; the dev node seals blocks with the system time.
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// Sleeps without blocking the runtime.
pub async fn sleep(duration: Duration) {
    ink_e2e::tokio::time::sleep(duration).await;
}

/// Seals a block (a balance transfer from Alice: the dev node seals one block per
/// extrinsic), so that the chain's clock moves and later dry runs see the new time.
pub async fn seal_block(client: &mut NodeClient) {
    client
        .create_and_fund_account(&ink_e2e::alice(), 1_000_000_000)
        .await;
}

/// Seals a block and returns a time no later than that block's: a price observed then is
/// valid both in the dry run (run at the latest block's time) and on chain.
pub async fn observation_time(client: &mut NodeClient) -> u64 {
    let before = now_secs();
    seal_block(client).await;
    before
}

/// Waits until the wall clock has reached `unix_secs`, then seals a block, so the
/// latest block's time is at least `unix_secs`.
pub async fn wait_until(client: &mut NodeClient, unix_secs: u64) {
    while now_secs() < unix_secs {
        sleep(Duration::from_millis(200)).await;
    }
    seal_block(client).await;
}

/// The account of a key pair.
pub fn id(keypair: &Keypair) -> AccountId {
    AccountId::from(keypair.public_key().0)
}

/// Alice, governance.
pub fn alice() -> AccountId {
    account_id(AccountKeyring::Alice)
}
/// Bob, a user.
pub fn bob() -> AccountId {
    account_id(AccountKeyring::Bob)
}
/// Charlie, a user.
pub fn charlie() -> AccountId {
    account_id(AccountKeyring::Charlie)
}
/// Dave, a user.
pub fn dave() -> AccountId {
    account_id(AccountKeyring::Dave)
}
/// Eve, the reporter.
pub fn eve() -> AccountId {
    account_id(AccountKeyring::Eve)
}
/// Ferdie, the guardian.
pub fn ferdie() -> AccountId {
    account_id(AccountKeyring::Ferdie)
}

/// A kinked curve like Aave's: 1 % base, +4 % up to 80 % utilization, +75 % above.
pub fn kinked_rate_model() -> RateModel {
    RateModel {
        base_rate_wad: WAD / 100,
        slope_low_wad: 4 * WAD / 100,
        slope_high_wad: 75 * WAD / 100,
        optimal_utilization_wad: 8 * WAD / 10,
    }
}

/// No interest at all: balances stay exactly as moved, whatever the block times.
pub fn zero_rate_model() -> RateModel {
    RateModel {
        base_rate_wad: 0,
        slope_low_wad: 0,
        slope_high_wad: 0,
        optimal_utilization_wad: 8 * WAD / 10,
    }
}

/// The same borrow rate at every utilization, `per_year_wad` per year.
pub fn flat_rate_model(per_year_wad: u128) -> RateModel {
    RateModel {
        base_rate_wad: per_year_wad,
        slope_low_wad: 0,
        slope_high_wad: 0,
        optimal_utilization_wad: 8 * WAD / 10,
    }
}

/// Realistic parameters for a market of a token with `decimals`: LTV 75 %, liquidation
/// threshold 80 %, bonus 5 %, protocol fee 10 % of the bonus, reserve factor 10 %, the
/// kinked curve, caps of 10 and 5 million whole tokens, minimum debt 0.01 token, a flash
/// loan fee of 0.05 % ([`FLASH_LOAN_FEE_WAD`]).
pub fn market_params(decimals: u8) -> MarketParams {
    MarketParams {
        config: MarketConfig {
            decimals,
            ltv_wad: 75 * WAD / 100,
            liquidation_threshold_wad: 80 * WAD / 100,
            liquidation_bonus_wad: 105 * WAD / 100,
            liquidation_protocol_fee_wad: WAD / 10,
            reserve_factor_wad: WAD / 10,
            rate_model: kinked_rate_model(),
            supply_cap: 10_000_000 * unit(decimals),
            borrow_cap: 5_000_000 * unit(decimals),
            min_debt: unit(decimals) / 100,
        },
        collateral_enabled: true,
        borrowing_enabled: true,
        flash_loan_fee_wad: FLASH_LOAN_FEE_WAD,
    }
}

/// A feed with Eve as its only reporter, quorum 1, prices with 8 decimals and a
/// deviation limit of 100 % (every drop is accepted at once).
pub fn feed_config(heartbeat_secs: u64) -> FeedConfig {
    FeedConfig {
        quorum: 1,
        heartbeat_secs,
        round_window_secs: heartbeat_secs,
        min_price: 1,
        max_price: 1_000_000_000 * DOLLAR,
        max_deviation_wad: WAD,
        decimals: PRICE_DECIMALS,
    }
}

/// What a test may change about the suite.
#[derive(Debug, Clone, Copy)]
pub struct SuiteConfig {
    /// Every feed's heartbeat (and round window).
    pub heartbeat_secs: u64,
    /// The pool-wide parameters.
    pub pool_params: PoolParams,
    /// The initial prices of the 6-, 12- and 18-decimal tokens, with 8 decimals.
    pub prices: [u128; 3],
    /// The three markets' parameters.
    pub markets: [MarketParams; 3],
    /// The three markets' seeds (token units).
    pub seeds: [u128; 3],
}

impl Default for SuiteConfig {
    /// Heartbeat one hour, no liquidation grace, dust 1 quote unit; prices 1, 10 and
    /// 2,000; [`market_params`]; seeds of [`SEED_WHOLE_TOKENS`].
    fn default() -> Self {
        Self {
            heartbeat_secs: 3_600,
            pool_params: PoolParams {
                liquidation_grace_secs: 0,
                dust_value_wad: WAD,
            },
            prices: [DOLLAR, 10 * DOLLAR, 2_000 * DOLLAR],
            markets: [market_params(6), market_params(12), market_params(18)],
            seeds: [
                SEED_WHOLE_TOKENS * unit(6),
                SEED_WHOLE_TOKENS * unit(12),
                SEED_WHOLE_TOKENS * unit(18),
            ],
        }
    }
}

impl SuiteConfig {
    /// The same rate model in all three markets.
    pub fn with_rate_model(mut self, model: RateModel) -> Self {
        for market in self.markets.iter_mut() {
            market.config.rate_model = model;
        }
        self
    }
}

/// The deployed suite.
pub struct Suite {
    /// The 6-decimal token (priced 1 by default).
    pub t6: AccountId,
    /// The 12-decimal token (priced 10 by default).
    pub t12: AccountId,
    /// The 18-decimal token (priced 2,000 by default).
    pub t18: AccountId,
    /// The oracle's account.
    pub oracle_id: AccountId,
    /// The oracle's call builder.
    pub oracle: OracleCalls,
    /// The pool's account.
    pub pool_id: AccountId,
    /// The pool's call builder.
    pub pool: PoolCalls,
    /// Each feed's last `observed_at`, since a reporter's next one must be newer.
    last_observed: Vec<(AccountId, u64)>,
}

/// A contract error (or anything `Debug`) as a test failure.
pub fn describe(err: impl std::fmt::Debug) -> Box<dyn std::error::Error> {
    format!("{err:?}").into()
}

impl Suite {
    /// Deploys the tokens, the oracle with its feeds and prices, and the pool with its
    /// three markets listed and seeded by Alice.
    pub async fn deploy(client: &mut NodeClient, config: SuiteConfig) -> E2EResult<Suite> {
        let alice_keys = ink_e2e::alice();
        let mut tokens = Vec::new();
        for (decimals, symbol) in [(6u8, "TUSD"), (12, "TTWELVE"), (18, "TETH")] {
            let mut constructor = TokenRef::new(
                SUPPLY_WHOLE_TOKENS * unit(decimals),
                Some(format!("Carrack test {symbol}")),
                Some(symbol.into()),
                decimals,
                Some(alice()),
            );
            let token = client
                .instantiate("carrack_token", &alice_keys, &mut constructor)
                .submit()
                .await?;
            tokens.push(token.account_id);
        }
        let (t6, t12, t18) = (tokens[0], tokens[1], tokens[2]);

        let mut constructor = OracleRef::new(alice(), ferdie());
        let oracle = client
            .instantiate("carrack_oracle", &alice_keys, &mut constructor)
            .submit()
            .await?;
        let oracle_id = oracle.account_id;

        let mut constructor = PoolRef::new(alice(), ferdie(), oracle_id, config.pool_params);
        let pool = client
            .instantiate("carrack_pool", &alice_keys, &mut constructor)
            .submit()
            .await?;

        let mut suite = Suite {
            t6,
            t12,
            t18,
            oracle_id,
            oracle: oracle.call_builder::<Oracle>(),
            pool_id: pool.account_id,
            pool: pool.call_builder::<Pool>(),
            last_observed: Vec::new(),
        };
        for asset in [t6, t12, t18] {
            suite
                .add_feed(client, asset, feed_config(config.heartbeat_secs))
                .await?;
        }
        // One observation time serves the three first prices: feeds are independent.
        let observed_at = observation_time(client).await;
        for (asset, price) in [t6, t12, t18].into_iter().zip(config.prices) {
            suite
                .submit_price(client, asset, price, observed_at)
                .await?;
        }
        for ((asset, params), seed) in [t6, t12, t18]
            .into_iter()
            .zip(config.markets)
            .zip(config.seeds)
        {
            suite.list_market(client, asset, params, seed).await?;
        }
        Ok(suite)
    }

    /// The three tokens, by decimals.
    pub fn tokens(&self) -> [AccountId; 3] {
        [self.t6, self.t12, self.t18]
    }

    /// Alice adds a feed for `asset` with Eve as its only reporter.
    pub async fn add_feed(
        &mut self,
        client: &mut NodeClient,
        asset: AccountId,
        config: FeedConfig,
    ) -> E2EResult<()> {
        client
            .call(
                &ink_e2e::alice(),
                &self.oracle.add_feed(asset, config, vec![eve()]),
            )
            .submit()
            .await?
            .return_value()
            .map_err(describe)
    }

    /// Alice changes a feed's heartbeat (and round window).
    pub async fn set_heartbeat(
        &mut self,
        client: &mut NodeClient,
        asset: AccountId,
        heartbeat_secs: u64,
    ) -> E2EResult<()> {
        client
            .call(
                &ink_e2e::alice(),
                &self
                    .oracle
                    .update_feed(asset, FeedUpdate::Config(feed_config(heartbeat_secs))),
            )
            .submit()
            .await?
            .return_value()
            .map_err(describe)
    }

    /// Alice approves the seed and lists a market for `asset`.
    pub async fn list_market(
        &mut self,
        client: &mut NodeClient,
        asset: AccountId,
        params: MarketParams,
        seed: u128,
    ) -> E2EResult<()> {
        approve(client, &ink_e2e::alice(), asset, self.pool_id, seed).await?;
        let message = self.pool.list_market(asset, params, seed);
        send(client, &ink_e2e::alice(), &message)
            .await?
            .0
            .map_err(describe)
    }

    async fn submit_price(
        &mut self,
        client: &mut NodeClient,
        asset: AccountId,
        price: u128,
        observed_at: u64,
    ) -> E2EResult<()> {
        let submitted: Result<(), OracleError> = client
            .call(
                &ink_e2e::eve(),
                &self.oracle.submit(asset, price, observed_at),
            )
            .submit()
            .await?
            .return_value();
        submitted.map_err(describe)?;
        self.last_observed.retain(|(a, _)| *a != asset);
        self.last_observed.push((asset, observed_at));
        Ok(())
    }

    /// Eve reports `price` (8 decimals) for `asset`, observed at the time of a freshly
    /// sealed block and strictly later than the feed's previous observation (waiting
    /// for the clock's next second if needed). Returns the observation time. With quorum
    /// 1 and a 100 % deviation limit, the price is in force at once.
    pub async fn set_price(
        &mut self,
        client: &mut NodeClient,
        asset: AccountId,
        price: u128,
    ) -> E2EResult<u64> {
        let last = self
            .last_observed
            .iter()
            .find(|(a, _)| *a == asset)
            .map(|(_, t)| *t)
            .unwrap_or_default();
        while now_secs() <= last {
            sleep(Duration::from_millis(200)).await;
        }
        let observed_at = observation_time(client).await;
        self.submit_price(client, asset, price, observed_at).await?;
        let data = self.price(client, asset).await?;
        if data.value != price {
            return Err(format!("price of {asset:?} is {data:?}, not {price}").into());
        }
        Ok(observed_at)
    }

    /// The oracle's price of `asset`, as the pool reads it.
    pub async fn price(&self, client: &mut NodeClient, asset: AccountId) -> E2EResult<PriceData> {
        client
            .call(&ink_e2e::alice(), &self.oracle.price(asset))
            .dry_run()
            .await?
            .return_value()
            .map_err(describe)
    }

    /// `pool.market(asset)` at the latest block (interest accrued to its time).
    pub async fn market(&self, client: &mut NodeClient, asset: AccountId) -> E2EResult<MarketView> {
        dry(client, &ink_e2e::alice(), &self.pool.market(asset))
            .await?
            .map_err(describe)
    }

    /// `pool.account(who)` at the latest block.
    pub async fn account(&self, client: &mut NodeClient, who: AccountId) -> E2EResult<AccountView> {
        dry(client, &ink_e2e::alice(), &self.pool.account(who))
            .await?
            .map_err(describe)
    }

    /// `who`'s position in `asset` with balances, if any.
    pub async fn position(
        &self,
        client: &mut NodeClient,
        who: AccountId,
        asset: AccountId,
    ) -> E2EResult<Option<PositionView>> {
        Ok(self
            .account(client, who)
            .await?
            .positions
            .into_iter()
            .find(|p| p.position.asset == asset))
    }

    /// Approves the pool for `amount` and supplies it on the caller's own behalf.
    pub async fn supply(
        &mut self,
        client: &mut NodeClient,
        who: &Keypair,
        asset: AccountId,
        amount: u128,
    ) -> E2EResult<Emitted> {
        approve(client, who, asset, self.pool_id, amount).await?;
        let message = self.pool.supply(asset, amount, id(who));
        let (result, events) = send(client, who, &message).await?;
        result.map_err(describe)?;
        Ok(events)
    }

    /// Borrows `amount` of `asset`.
    pub async fn borrow(
        &mut self,
        client: &mut NodeClient,
        who: &Keypair,
        asset: AccountId,
        amount: u128,
    ) -> E2EResult<Emitted> {
        let message = self.pool.borrow(asset, amount);
        let (result, events) = send(client, who, &message).await?;
        result.map_err(describe)?;
        Ok(events)
    }

    /// Approves the pool for `allowance` and repays `amount` (`u128::MAX`: all) of the
    /// caller's own debt.
    pub async fn repay(
        &mut self,
        client: &mut NodeClient,
        who: &Keypair,
        asset: AccountId,
        amount: u128,
        allowance: u128,
    ) -> E2EResult<Emitted> {
        approve(client, who, asset, self.pool_id, allowance).await?;
        let message = self.pool.repay(asset, amount, id(who));
        let (result, events) = send(client, who, &message).await?;
        result.map_err(describe)?;
        Ok(events)
    }

    /// Withdraws `amount` (`u128::MAX`: all) of the caller's supply to itself.
    pub async fn withdraw(
        &mut self,
        client: &mut NodeClient,
        who: &Keypair,
        asset: AccountId,
        amount: u128,
    ) -> E2EResult<Emitted> {
        let message = self.pool.withdraw(asset, amount, id(who));
        let (result, events) = send(client, who, &message).await?;
        result.map_err(describe)?;
        Ok(events)
    }

    /// Alice sends `amount` of one of the suite's tokens to `to`.
    pub async fn fund(
        &self,
        client: &mut NodeClient,
        asset: AccountId,
        to: AccountId,
        amount: u128,
    ) -> E2EResult<()> {
        transfer(client, &ink_e2e::alice(), asset, to, amount).await
    }

    /// Alice sends `amount` of `asset` to `who`, who supplies all of it.
    pub async fn fund_and_supply(
        &mut self,
        client: &mut NodeClient,
        who: &Keypair,
        asset: AccountId,
        amount: u128,
    ) -> E2EResult<Emitted> {
        self.fund(client, asset, id(who), amount).await?;
        self.supply(client, who, asset, amount).await
    }

    /// The events the pool emitted among `emitted`, of type `Ev`.
    pub fn events<Ev: ink::env::Event + Decode>(&self, emitted: &Emitted) -> Vec<Ev> {
        pool_events(emitted, self.pool_id)
    }
}

/// `who` sends `amount` of `asset` to `to` with a plain PSP22 transfer.
pub async fn transfer(
    client: &mut NodeClient,
    who: &Keypair,
    asset: AccountId,
    to: AccountId,
    amount: u128,
) -> E2EResult<()> {
    let mut token: ink::contract_ref!(PSP22, DefaultEnvironment) = asset.into();
    let message = token.call_mut().transfer(to, amount, Vec::new());
    let sent: Result<(), PSP22Error> = client.call(who, &message).submit().await?.return_value();
    sent.map_err(describe)
}

/// Dry-runs `message` as `who` at the latest block and returns its value.
pub async fn dry<Args, R>(
    client: &mut NodeClient,
    who: &Keypair,
    message: &Message<Args, R>,
) -> E2EResult<R>
where
    Args: Sync + Encode + Clone,
    R: Send + Decode,
{
    Ok(client.call(who, message).dry_run().await?.return_value())
}

/// Submits `message` as `who` with the gas margin. Returns the dry run's value (which the
/// real call, made in a later block, may differ from for time-dependent figures) and the
/// events of the real call. Fails if the call reverted on chain.
pub async fn send<Args, R>(
    client: &mut NodeClient,
    who: &Keypair,
    message: &Message<Args, R>,
) -> E2EResult<(R, Emitted)>
where
    Args: Sync + Encode + Clone,
    R: Send + Decode,
{
    let result = client
        .call(who, message)
        .extra_gas_portion(GAS_MARGIN_PER_CENT)
        .submit()
        .await?;
    let events = result.contract_emitted_events()?;
    Ok((result.return_value(), events))
}

/// Dry-runs `message` as `who`, then submits it and checks that the chain refused it
/// (`Contracts::ContractReverted`: a message returning `Err` reverts all its changes).
/// Returns the dry run's value, i.e. the error.
pub async fn refused<Args, R>(
    client: &mut NodeClient,
    who: &Keypair,
    message: &Message<Args, R>,
) -> E2EResult<R>
where
    Args: Sync + Encode + Clone,
    R: Send + Decode,
{
    let value = dry(client, who, message).await?;
    match client
        .call(who, message)
        .extra_gas_portion(GAS_MARGIN_PER_CENT)
        .submit()
        .await
    {
        Ok(_) => Err("the call was expected to revert on chain but succeeded".into()),
        Err(err) => {
            let text = format!("{err:?}");
            if text.contains("ContractReverted") {
                Ok(value)
            } else {
                Err(format!("the call failed on chain, but not by reverting: {text}").into())
            }
        }
    }
}

/// The events `contract` emitted among `emitted`, of type `Ev` (matched by its
/// signature topic).
pub fn pool_events<Ev: ink::env::Event + Decode>(
    emitted: &Emitted,
    contract: AccountId,
) -> Vec<Ev> {
    let Some(signature) = Ev::SIGNATURE_TOPIC else {
        return Vec::new();
    };
    emitted
        .iter()
        .filter(|e| e.event.contract == contract)
        .filter(|e| e.topics.first().map(|t| t.as_ref()) == Some(&signature[..]))
        .map(|e| Ev::decode(&mut &e.event.data[..]).expect("an event of the signature's type"))
        .collect()
}

/// `owner`'s balance of any PSP22 `asset`.
pub async fn balance(
    client: &mut NodeClient,
    asset: AccountId,
    owner: AccountId,
) -> E2EResult<u128> {
    let token: ink::contract_ref!(PSP22, DefaultEnvironment) = asset.into();
    dry(client, &ink_e2e::alice(), &token.call().balance_of(owner)).await
}

/// `who` approves `spender` for `amount` of any PSP22 `asset`.
pub async fn approve(
    client: &mut NodeClient,
    who: &Keypair,
    asset: AccountId,
    spender: AccountId,
    amount: u128,
) -> E2EResult<()> {
    let mut token: ink::contract_ref!(PSP22, DefaultEnvironment) = asset.into();
    let message = token.call_mut().approve(spender, amount);
    let approved: Result<(), PSP22Error> =
        client.call(who, &message).submit().await?.return_value();
    approved.map_err(describe)
}

/// A market view without its time: `market(..)` accrues to the block it is read at, so
/// `last_accrual_secs` moves between two reads even when nothing else changed.
pub fn timeless(mut view: MarketView) -> MarketView {
    view.market.state.last_accrual_secs = 0;
    view
}

/// The tests' own model of Carrack's interest formulas (see carrack-core's crate docs),
/// written from the formulas with plain 256-bit integers rather than by calling the
/// contracts' code, for the case the interest test sets up: a market whose indices are
/// still 1.0 and whose whole debt was borrowed at once, with a flat rate model.
pub mod model {
    use super::{RAY, WAD};
    use primitive_types::U256;

    /// Seconds in the 365-day year rates are quoted in.
    pub const SECONDS_PER_YEAR: u128 = 31_536_000;

    /// `a * b / d`, rounded down or up, exact in 256 bits.
    pub fn mul_div(a: u128, b: u128, d: u128, round_up: bool) -> u128 {
        let product = U256::from(a) * U256::from(b);
        let d = U256::from(d);
        let mut quotient = product / d;
        if round_up && !(product % d).is_zero() {
            quotient += U256::one();
        }
        quotient.as_u128()
    }

    /// The per-second borrow rate in RAY for a yearly rate in WAD, rounded up.
    pub fn per_second_ray(per_year_wad: u128) -> u128 {
        mul_div(per_year_wad, RAY / WAD, SECONDS_PER_YEAR, true)
    }

    /// `(1 + rate)^secs` in RAY, by repeated squaring with every product rounded up, as
    /// the crate documents the compounding.
    pub fn compounded_ray(rate_per_second_ray: u128, secs: u64) -> u128 {
        let mut result = RAY;
        let mut square = RAY + rate_per_second_ray;
        let mut remaining = secs;
        while remaining > 0 {
            if remaining & 1 == 1 {
                result = mul_div(result, square, RAY, true);
            }
            remaining >>= 1;
            if remaining > 0 {
                square = mul_div(square, square, RAY, true);
            }
        }
        result
    }

    /// One accrual of a market holding `cash` with a debt of `debt` borrowed at index
    /// 1.0 (so its scaled debt is `debt`), after `secs` seconds at a flat yearly rate.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Accrual {
        /// The borrow index after (RAY).
        pub borrow_index_ray: u128,
        /// The supply index after (RAY).
        pub supply_index_ray: u128,
        /// The debt shown after (rounded up): what repaying everything costs.
        pub debt_after: u128,
        /// `debt_after - debt`.
        pub interest: u128,
        /// The reserve factor's share of the exact growth, rounded down.
        pub reserve_share: u128,
    }

    /// See [`Accrual`].
    pub fn accrue(
        debt: u128,
        cash: u128,
        per_year_wad: u128,
        reserve_factor_wad: u128,
        secs: u64,
    ) -> Accrual {
        let rate = per_second_ray(per_year_wad);
        let borrow_index_ray = compounded_ray(rate, secs);
        let debt_after = mul_div(debt, borrow_index_ray, RAY, true);
        // Utilization debt / (cash + debt), rounded down; suppliers earn
        // rate * utilization * (1 - reserve factor), each product rounded down, linearly.
        let utilization_wad = mul_div(debt, WAD, cash + debt, false);
        let supply_rate_ray = mul_div(
            mul_div(rate, utilization_wad, WAD, false),
            WAD - reserve_factor_wad,
            WAD,
            false,
        );
        let supply_index_ray = RAY + supply_rate_ray * u128::from(secs);
        let exact_growth = mul_div(debt, borrow_index_ray - RAY, RAY, false);
        Accrual {
            borrow_index_ray,
            supply_index_ray,
            debt_after,
            interest: debt_after - debt,
            reserve_share: mul_div(exact_growth, reserve_factor_wad, WAD, false),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn the_model_agrees_with_hand_arithmetic() {
            // 6.3072 per year is exactly 2e-7 per second.
            assert_eq!(
                per_second_ray(6_307_200_000_000_000_000),
                200_000_000_000_000_000_000
            );
            // (1 + 2e-7)^2 = 1 + 4e-7 + 4e-14, exact in RAY.
            assert_eq!(
                compounded_ray(200_000_000_000_000_000_000, 2),
                RAY + 400_000_000_000_000_000_000 + 40_000_000_000_000
            );
            assert_eq!(compounded_ray(12345, 0), RAY);
            assert_eq!(mul_div(10, 10, 3, false), 33);
            assert_eq!(mul_div(10, 10, 3, true), 34);
            assert_eq!(mul_div(9, 10, 3, true), 30);
            // 1,000 units borrowed against 1,000 cash for one second at 2e-7/s: index
            // 1 + 2e-7, debt 1000.0002 shown as 1001; utilization 50 %, supply rate
            // 2e-7 * 0.5 * 0.9 = 9e-8.
            let one = accrue(1_000, 1_000, 6_307_200_000_000_000_000, WAD / 10, 1);
            assert_eq!(one.borrow_index_ray, RAY + 200_000_000_000_000_000_000);
            assert_eq!(one.debt_after, 1_001);
            assert_eq!(one.interest, 1);
            assert_eq!(one.supply_index_ray, RAY + 90_000_000_000_000_000_000);
            assert_eq!(one.reserve_share, 0);
        }
    }
}
