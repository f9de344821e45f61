//! Part of the invariant fuzzer (see `mod.rs`): test code only, like the whole `fuzz`
//! module (`#[cfg(test)] mod fuzz;` in `lib.rs`), said here too so each file shows it.
#![cfg(test)]

// ---------------------------------------------------------------------------------------
// The world: the pool's storage, the oracle, the clock and the tokens
// ---------------------------------------------------------------------------------------

use super::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct World {
    pub(super) now: u64,
    pub(super) params: PoolParams,
    pub(super) markets: BTreeMap<AccountId, Market>,
    pub(super) accounts: BTreeMap<AccountId, Account>,
    /// The oracle: each market's feed as the oracle contract stores it, driven only
    /// through its own methods (`None`: removed by governance).
    feeds: [Option<Feed>; MARKETS],
    /// The market price each feed's reporters observe and submit (8 decimals).
    pub(super) quotes: [u128; MARKETS],
    /// Feeds whose reporters are offline: no heartbeat rounds while time passes (their
    /// next report brings them back).
    offline: [bool; MARKETS],
    /// The harness's memory, not the oracle's: each feed's outages and recoveries as the
    /// harness saw them (invariants 5 and 10).
    pub(super) records: [FeedRecord; MARKETS],
    /// (holder, token) -> balance.
    pub(super) wallets: BTreeMap<(AccountId, AccountId), u128>,
    pub(super) pool_balance: [u128; MARKETS],
    pub(super) donated: [u128; MARKETS],
    pub(super) minted: [u128; MARKETS],
    pub(super) dead_shares: [u128; MARKETS],
    /// Accruals written back per market (the solvency tolerance).
    pub(super) accruals: [u128; MARKETS],
    /// The harness's memory, not the chain's: each indebted account's exposure at the
    /// last check (invariant 13).
    pub(super) exposure: BTreeMap<AccountId, Exposure>,
    /// The events the current step's message emitted, in order.
    pub(super) events: Vec<PoolEvent>,
}

/// The debts a liquidation wrote off, per market.
pub(super) type WriteOffs = Vec<(AccountId, WriteOff)>;

/// A feed's history as the harness observes it before and after every oracle
/// transaction and at the end of every step ([`World::observe`]), never read from the
/// feed's `ok_since_secs`. An *outage* is what the oracle's grace period is for: no price
/// (or no feed), `Stale`, `Frozen`, or a price set by governance that no round has
/// replaced yet (`Emergency`, also while a jump is held on top of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct FeedRecord {
    /// Seen in an outage, and not seen `Ok` since.
    in_outage: bool,
    /// When the feed was last seen to become `Ok` after an outage: the end of its last
    /// outage, from which the pool's grace period runs.
    pub(super) recovered_at: u64,
    /// When the feed was last seen to go from `Suspect` to `Ok` with no outage between
    /// (a confirmed jump, or a return to the old level): no grace period starts.
    pub(super) left_suspect_at: Option<u64>,
    /// Its price was set by governance (`set_emergency_price`) and no round's price has
    /// been accepted since.
    governed: bool,
    /// The status at the last observation (`None`: no price, or no feed).
    last: Option<FeedStatus>,
}

/// An indebted account as the last check saw it (invariant 13), values in WAD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Exposure {
    /// Its debts at their last good prices (rounded up).
    pub(super) debt_wad: u128,
    /// What seizing all its collateral repays at most: each collateral whose price
    /// counts for liquidation, at that price, divided by its market's bonus (rounded
    /// down); other collateral at zero.
    pub(super) cover_wad: u128,
    /// Two units of each of its debt assets (rounding).
    pub(super) units_wad: u128,
    /// Whether some ready pair liquidated it (invariant 10, paid in tokens or as supply).
    pub(super) liquidatable: bool,
}

impl Exposure {
    /// What the account's collateral cannot pay back: a loss the prices already made.
    pub(super) fn shortfall_wad(&self) -> u128 {
        self.debt_wad.saturating_sub(self.cover_wad)
    }
}

impl PoolReads for World {
    fn market_record(&self, asset: AccountId) -> Result<Market, PoolError> {
        self.markets
            .get(&asset)
            .copied()
            .ok_or(PoolError::UnknownMarket)
    }

    /// In listing order: the assets' bytes grow with their market's number.
    fn listed_assets(&self) -> Vec<AccountId> {
        self.markets.keys().copied().collect()
    }

    fn account_of(&self, who: AccountId) -> Account {
        self.accounts.get(&who).cloned().unwrap_or_default()
    }

    /// One answer per asset, as the oracle's `prices` (never failing as a whole).
    fn read_prices(&self, assets: &[AccountId]) -> Result<PriceList, PoolError> {
        Ok(assets
            .iter()
            .map(|&asset| (asset, self.read(asset)))
            .collect())
    }

    fn token_decimals(&self, asset: AccountId) -> Result<u8, PoolError> {
        Ok(DECIMALS[market_index(asset)])
    }

    fn now_secs(&self) -> u64 {
        self.now
    }

    fn pool_account(&self) -> AccountId {
        pool()
    }
}

/// What `lib.rs` does with an outcome, on the model: storage writes, events and PSP22
/// transfers (allowances are unlimited here).
impl Host for World {
    fn store_market(&mut self, asset: AccountId, market: &Market) {
        // An accrual written back (a pause writes the record as it was, a listing is new).
        if let Some(before) = self.markets.get(&asset).map(|m| m.state) {
            if before.last_accrual_secs != market.state.last_accrual_secs
                && before.total_scaled_debt != 0
            {
                self.accruals[market_index(asset)] += 1;
            }
        }
        self.markets.insert(asset, *market);
    }

    fn store_account(&mut self, owner: AccountId, account: &Account) {
        self.accounts.insert(owner, account.clone());
    }

    fn remove_account(&mut self, owner: AccountId) {
        self.accounts.remove(&owner);
    }

    fn emit(&mut self, event: PoolEvent) {
        self.events.push(event);
    }

    /// `In`: PSP22 `transfer_from(from, pool, amount)`; `Out`: `transfer(to, amount)`
    /// from the pool.
    fn transfer(&mut self, transfer: Transfer) -> Result<(), PoolError> {
        match transfer {
            Transfer::In {
                asset: token,
                from,
                amount,
            } => {
                let m = market_index(token);
                let balance = self.wallets.entry((from, token)).or_insert(0);
                if *balance < amount {
                    return Err(PoolError::Token(PSP22Error::InsufficientBalance));
                }
                *balance -= amount;
                self.pool_balance[m] += amount;
            }
            Transfer::Out {
                asset: token,
                to,
                amount,
            } => {
                let m = market_index(token);
                if self.pool_balance[m] < amount {
                    return Err(PoolError::Token(PSP22Error::InsufficientBalance));
                }
                self.pool_balance[m] -= amount;
                *self.wallets.entry((to, token)).or_insert(0) += amount;
            }
        }
        Ok(())
    }
}

pub(super) fn market_index(asset: AccountId) -> usize {
    (0..MARKETS)
        .find(|m| self::asset(*m) == asset)
        .expect("a listed asset")
}

impl World {
    pub(super) fn new(params: PoolParams) -> World {
        let mut world = World {
            now: START,
            params,
            markets: BTreeMap::new(),
            accounts: BTreeMap::new(),
            feeds: std::array::from_fn(|_| None),
            quotes: PRICES,
            offline: [false; MARKETS],
            records: [FeedRecord::default(); MARKETS],
            wallets: BTreeMap::new(),
            pool_balance: [0; MARKETS],
            donated: [0; MARKETS],
            minted: [0; MARKETS],
            dead_shares: [0; MARKETS],
            accruals: [0; MARKETS],
            exposure: BTreeMap::new(),
            events: Vec::new(),
        };
        for m in 0..MARKETS {
            let token = asset(m);
            for a in 0..ACTORS {
                let whole = if a == LIQUIDATOR {
                    10 * WALLET[m]
                } else {
                    WALLET[m]
                };
                world.wallets.insert((actor(a), token), whole * unit(m));
                world.minted[m] += whole * unit(m);
            }
            // `list_market`: the seed is pulled from governance and supplied to nobody.
            let seed = SEED[m] * unit(m);
            world.minted[m] += seed;
            world.wallets.insert((governance(), token), seed);
            let params = MarketParams {
                config: config(m),
                collateral_enabled: true,
                borrowing_enabled: true,
                // Aave's default, 0.05 %.
                flash_loan_fee_wad: carrack_core::WAD / 2_000,
            };
            let listing = actions::list_market(&world, governance(), token, params, seed);
            commit(&mut world, listing.expect("valid listing")).expect("the seed is pulled");
            world.dead_shares[m] = world.markets[&token].state.total_scaled_supply;
        }
        // The feeds were listed and priced a day before the pool (so no grace period is
        // running at the start), and refreshed at its start.
        world.now = START - HEARTBEAT;
        for m in 0..MARKETS {
            world.feeds[m] = Some(new_feed(m));
            world.round(m);
        }
        world.now = START;
        for m in 0..MARKETS {
            world.round(m);
        }
        world.events.clear();
        world
    }

    /// This world with every market accrued to now (as stored, were each touched now).
    pub(super) fn accrued(&self) -> World {
        let mut view = self.clone();
        for market in view.markets.values_mut() {
            let mut accrued = *market;
            if accrued.accrue(self.now).is_ok() {
                *market = accrued;
            }
        }
        view
    }

    pub(super) fn wallet(&self, who: AccountId, m: usize) -> u128 {
        self.wallets.get(&(who, asset(m))).copied().unwrap_or(0)
    }

    // ---- lib.rs's messages: the action the message calls, then the same `commit`

    /// Commits an accepted action's outcome as its message does (storage, events, then
    /// transfers); a refusal, or a failed transfer, is returned for `run` to undo the
    /// step, as ink! reverts the message.
    pub(super) fn apply(&mut self, action: Result<Outcome, PoolError>) -> Result<(), PoolError> {
        commit(self, action?)
    }

    /// As [`World::apply`], for an action that also returns the message's value.
    pub(super) fn apply_with<T>(
        &mut self,
        action: Result<(Outcome, T), PoolError>,
    ) -> Result<T, PoolError> {
        let (outcome, value) = action?;
        commit(self, outcome)?;
        Ok(value)
    }

    /// `flash_loan` as the message runs it, with `who` as its own receiver: the first
    /// half, the receiver's callback doing `inside` through the pool's actions (each
    /// refused one undone alone, as ink! reverts a nested message), then the second half,
    /// which pulls the loan and its fee from `who`'s wallet.
    pub(super) fn flash_loan(
        &mut self,
        who: AccountId,
        token: AccountId,
        amount: u128,
        inside: Inside,
    ) -> Result<(), PoolError> {
        let (outcome, ticket) = crate::flash_loan::begin(&*self, who, who, token, amount)?;
        commit(self, outcome)?;
        let before_inside = self.clone();
        let nested: Result<(), PoolError> = match inside {
            Inside::Nothing => Ok(()),
            Inside::Repay { market } => {
                let m = self.pick(who, market, |p| p.scaled_debt != 0);
                self.apply_with(actions::repay(&*self, who, asset(m), ALL, who))
                    .map(|_| ())
            }
            Inside::SupplyHalf => self.apply(actions::supply(&*self, who, token, amount / 2, who)),
            Inside::Liquidate {
                pick,
                debt,
                collateral,
                to_supply,
            } => {
                let borrower = actor(self.borrower(pick));
                let account = self.account_of(borrower);
                let debts: Vec<AccountId> = account
                    .positions
                    .iter()
                    .filter(|p| p.scaled_debt != 0)
                    .map(|p| p.asset)
                    .collect();
                let collaterals: Vec<AccountId> = account
                    .positions
                    .iter()
                    .filter(|p| p.scaled_supply != 0)
                    .map(|p| p.asset)
                    .collect();
                let request = LiquidationRequest {
                    debt_asset: debts
                        .get(debt % debts.len().max(1))
                        .copied()
                        .unwrap_or(token),
                    collateral_asset: collaterals
                        .get(collateral % collaterals.len().max(1))
                        .copied()
                        .unwrap_or(token),
                    repay_amount: ALL,
                    min_collateral_out: 0,
                };
                let params = self.params;
                let action =
                    actions::liquidate(&*self, &params, who, borrower, &request, to_supply);
                self.apply_with(action).map(|_| ())
            }
        };
        if nested.is_err() {
            let now = self.now;
            *self = before_inside;
            self.now = now;
        }
        let outcome = crate::flash_loan::end(&*self, &ticket)?;
        commit(self, outcome)
    }

    // ---- reading the state as a UI or a bot would

    /// The oracle's answer for `token` now, as its `prices` message gives it: the
    /// feed's own price view, `UnknownFeed` for a removed feed.
    pub(super) fn read(&self, token: AccountId) -> Result<PriceData, OracleError> {
        self.feeds[market_index(token)]
            .as_ref()
            .ok_or(OracleError::UnknownFeed)?
            .price_data(self.now)
    }

    /// The oracle's answer for `token` whatever its status, or, where it has no price,
    /// the market's quote (what its reporters would report).
    fn last_good(&self, token: AccountId) -> PriceData {
        self.read(token).unwrap_or(PriceData {
            value: self.quotes[market_index(token)],
            decimals: 8,
            updated_at_secs: self.now,
            status: FeedStatus::Ok,
            ok_since_secs: 0,
        })
    }

    /// The account's health now (accrued in memory, each feed's last good price, `Ok`
    /// or not, the quote where there is none) and whether the oracle answers an `Ok`
    /// price for every asset it depends on.
    pub(super) fn health(&self, account: &Account) -> (AccountHealth, bool) {
        let priced = account.priced_assets();
        let books = self.load_markets(&priced).expect("listed markets accrue");
        let fresh = priced
            .iter()
            .all(|asset| self.read(*asset).is_ok_and(|p| p.status == FeedStatus::Ok));
        // Every price as if `Ok`: the pool's valuation then counts every position.
        let last_good: PriceList = priced
            .into_iter()
            .map(|asset| {
                let price = PriceData {
                    status: FeedStatus::Ok,
                    ..self.last_good(asset)
                };
                (asset, Ok(price))
            })
            .collect();
        (
            account_health(account, &books, &last_good).expect("health computes"),
            fresh,
        )
    }

    /// Whether the oracle answers a price for `token` that a liquidation may count:
    /// `Ok` or `Emergency` (the model of the pool's rule, written out separately).
    fn counts(&self, token: AccountId) -> bool {
        self.read(token)
            .is_ok_and(|p| matches!(p.status, FeedStatus::Ok | FeedStatus::Emergency))
    }

    /// Whether a liquidation may repay or seize `token`: its price is `Emergency`, or
    /// `Ok` with its last outage over for the grace period *by the harness's own record*
    /// ([`FeedRecord::recovered_at`], not the feed's `ok_since_secs`: a jump confirmed
    /// since, `Suspect` to `Ok`, starts no grace period); and its market is neither
    /// paused for liquidation nor in its post-unpause grace period.
    pub(super) fn liquidation_ready(&self, token: AccountId) -> bool {
        let record = &self.records[market_index(token)];
        let market = &self.markets[&token];
        let usable = match self.read(token).map(|p| p.status) {
            Ok(FeedStatus::Emergency) => true,
            Ok(FeedStatus::Ok) => {
                self.now >= record.recovered_at + self.params.liquidation_grace_secs
            }
            _ => false,
        };
        usable && !market.paused.liquidate && self.now >= market.liquidation_grace_until_secs
    }

    /// Whether `token`'s feed left `Suspect` into `Ok` (a confirmed jump or a return,
    /// no outage) less than the grace period ago: where an oracle that restarts
    /// `ok_since` on every return to `Ok` (audit M-1) would still hold liquidations.
    pub(super) fn left_suspect_in_grace(&self, token: AccountId) -> bool {
        self.records[market_index(token)]
            .left_suspect_at
            .is_some_and(|at| self.now < at + self.params.liquidation_grace_secs)
    }

    /// The account's health as the liquidation rule values it: collateral at a price that
    /// counts, zero otherwise; debt at its last good price. `None` when a debt has no
    /// price at all (liquidation then refuses by design). Computed here from balances and
    /// prices, not with the pool's own valuation.
    pub(super) fn liquidation_health(&self, account: &Account) -> Option<AccountHealth> {
        let priced = account.priced_assets();
        let books = self.load_markets(&priced).expect("listed markets accrue");
        let mut health = AccountHealth::default();
        for p in account.positions.iter().filter(|p| p.needs_price()) {
            let market = books.get(p.asset).unwrap();
            let state = market.state;
            let price = self.last_good(p.asset);
            let decimals = market.config().decimals;
            if p.is_collateral() && self.counts(p.asset) {
                health
                    .add_collateral(
                        state.supply_balance(p.scaled_supply).unwrap(),
                        decimals,
                        carrack_core::price_to_wad(price.value, price.decimals, Rounding::Down)
                            .unwrap(),
                        market.effective_ltv_wad(),
                        market.config().liquidation_threshold_wad,
                    )
                    .unwrap();
            }
            if p.scaled_debt != 0 {
                if self.read(p.asset).is_err() {
                    return None;
                }
                health
                    .add_debt(
                        state.debt_balance(p.scaled_debt).unwrap(),
                        decimals,
                        carrack_core::price_to_wad(price.value, price.decimals, Rounding::Up)
                            .unwrap(),
                    )
                    .unwrap();
            }
        }
        Some(health)
    }

    /// `amount` of market `m`'s asset at its last good price, rounded up (WAD).
    pub(super) fn debt_value_wad(&self, m: usize, amount: u128) -> u128 {
        let price = self.last_good(asset(m));
        let price_wad = price_to_wad(price.value, price.decimals, Rounding::Up).unwrap();
        value_wad(amount, DECIMALS[m], price_wad, Rounding::Up).unwrap()
    }

    /// The account's [`Exposure`] (on an accrued world, as the probes see it).
    pub(super) fn exposure(&self, account: &Account, liquidatable: bool) -> Exposure {
        let mut exposure = Exposure {
            debt_wad: 0,
            cover_wad: 0,
            units_wad: 0,
            liquidatable,
        };
        for p in &account.positions {
            let m = market_index(p.asset);
            let market = &self.markets[&p.asset];
            if p.scaled_debt != 0 {
                let debt = market.state.debt_balance(p.scaled_debt).unwrap();
                exposure.debt_wad += self.debt_value_wad(m, debt);
                exposure.units_wad += self.debt_value_wad(m, 2);
            }
            if p.is_collateral() && self.counts(p.asset) {
                let price = self.last_good(p.asset);
                let price_wad = price_to_wad(price.value, price.decimals, Rounding::Down).unwrap();
                let balance = market.state.supply_balance(p.scaled_supply).unwrap();
                let value = value_wad(balance, DECIMALS[m], price_wad, Rounding::Down).unwrap();
                exposure.cover_wad += mul_div(
                    value,
                    WAD,
                    market.config().liquidation_bonus_wad,
                    Rounding::Down,
                )
                .unwrap();
            }
        }
        exposure
    }

    /// `limits(account, asset)` as the message computes it.
    pub(super) fn limits(&self, who: AccountId, token: AccountId) -> views::Limits {
        let account = self.account_of(who);
        let mut assets = account.priced_assets();
        let mut books = self.load_markets(&assets).expect("loads");
        self.load_into(&mut books, &[token]).expect("loads");
        if !assets.contains(&token) {
            assets.push(token);
        }
        let prices = self.read_prices(&assets).expect("prices");
        views::limits(&account, &books, &prices, token).expect("limits compute")
    }

    pub(super) fn supply_balance(&self, who: AccountId, m: usize) -> u128 {
        let Some(position) = self.account_of(who).position(asset(m)).copied() else {
            return 0;
        };
        let books = self.load_markets(&[asset(m)]).expect("loads");
        books
            .get(asset(m))
            .unwrap()
            .state
            .supply_balance(position.scaled_supply)
            .unwrap()
    }

    pub(super) fn debt_balance(&self, who: AccountId, m: usize) -> u128 {
        let Some(position) = self.account_of(who).position(asset(m)).copied() else {
            return 0;
        };
        let books = self.load_markets(&[asset(m)]).expect("loads");
        books
            .get(asset(m))
            .unwrap()
            .state
            .debt_balance(position.scaled_debt)
            .unwrap()
    }
}

impl World {
    /// An account with debt, sorted from the least healthy: `pick` 0 is the weakest
    /// (any account if none owes anything).
    pub(super) fn borrower(&self, pick: usize) -> usize {
        let mut borrowers: Vec<(u128, usize)> = (0..USERS)
            .filter_map(|u| {
                let account = self.accounts.get(&actor(u))?;
                if !account.has_debt() {
                    return None;
                }
                let hf = self
                    .health(account)
                    .0
                    .health_factor_wad()
                    .unwrap_or(u128::MAX);
                Some((hf, u))
            })
            .collect();
        borrowers.sort();
        match borrowers.get(pick % 4) {
            Some(&(_, u)) => u,
            None => pick % USERS,
        }
    }

    /// Moves one price against the borrower `pick` so that its health factor becomes
    /// about `target_bps` / 10,000 (computed in floating point: the harness aims, the
    /// pool's own arithmetic decides).
    pub(super) fn shock(&mut self, pick: usize, target_bps: u32, debt_side: bool) {
        let who = actor(self.borrower(pick));
        let account = self.account_of(who);
        let (health, _) = self.health(&account);
        let capacity = health.liquidation_capacity_wad as f64 / WAD as f64;
        let debt = health.debt_value_wad as f64 / WAD as f64;
        let target = f64::from(target_bps) / 10_000.0;
        // The side's position weighing most in the health factor (in quote units).
        let weight = |p: &Position| {
            let m = market_index(p.asset);
            let price = self.last_good(p.asset).value as f64 / 1e8;
            let whole = |amount: u128| amount as f64 / unit(m) as f64;
            if debt_side {
                whole(self.debt_balance(who, m)) * price
            } else {
                let lt =
                    self.markets[&p.asset].config().liquidation_threshold_wad as f64 / WAD as f64;
                whole(self.supply_balance(who, m)) * price * lt
            }
        };
        let heaviest = account
            .positions
            .iter()
            .filter(|p| {
                if debt_side {
                    p.scaled_debt != 0
                } else {
                    p.is_collateral()
                }
            })
            .map(|p| (weight(p), p.asset))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let Some((value, token)) = heaviest else {
            return self.move_price(pick % MARKETS, 8_000);
        };
        let factor = if debt_side {
            // debt' = debt + value * (g - 1) = capacity / target
            1.0 + (capacity / target - debt) / value.max(1e-12)
        } else {
            // capacity' = capacity - value * (1 - f) = target * debt
            1.0 - (capacity - target * debt) / value.max(1e-12)
        };
        let bps = (factor.clamp(0.02, 50.0) * 10_000.0) as u32;
        self.move_price(market_index(token), bps.max(1));
    }

    /// `value` kept within market `m`'s feed bounds (a thousandth to a thousand times
    /// the initial price), where reporters and governance can report it.
    pub(super) fn bounded(m: usize, value: u128) -> u128 {
        let config = feed_config(m);
        value.clamp(config.min_price, config.max_price)
    }

    /// A move the reporters confirm (the price shocks): the last good price times
    /// `bps` / 10,000 becomes the quote, reported until the feed takes it.
    fn move_price(&mut self, m: usize, bps: u32) {
        let value = fraction(self.last_good(asset(m)).value, bps);
        self.quotes[m] = Self::bounded(m, value);
        self.report(m);
    }

    /// The reporters report market `m`'s quote: one round, and, when the deviation guard
    /// held it as a jump (`Suspect`), a confirming round one second later. A frozen
    /// feed takes neither.
    fn report(&mut self, m: usize) {
        self.round(m);
        if self.feeds[m]
            .as_ref()
            .is_some_and(|feed| feed.candidate.is_some() && !feed.frozen)
        {
            self.now += 1;
            self.round(m);
        }
    }

    /// One oracle round at `now` through the feed's own `submit`: every reporter submits
    /// the quote observed now, and the round closes with the last of them (median,
    /// deviation guard, status and `ok_since` as the oracle contract has them; the first
    /// round of a feed without a price is accepted as is). A frozen feed refuses every
    /// submission. For a removed feed, governance lists it again instead, without a
    /// price (`NoPrice` until the next round). The reporters are online afterwards.
    pub(super) fn round(&mut self, m: usize) {
        let now = self.now;
        self.observe(m, now);
        let quote = self.quotes[m];
        let Some(feed) = self.feeds[m].as_mut() else {
            self.feeds[m] = Some(new_feed(m));
            self.observe(m, now);
            return;
        };
        let mut accepted = false;
        for r in 0..REPORTERS {
            match feed.submit(reporter(r), quote, now, now) {
                Ok(events) => {
                    accepted |= events
                        .iter()
                        .any(|e| matches!(e, FeedChange::PriceAccepted { .. }))
                }
                Err(OracleError::FeedFrozen) => break,
                Err(err) => panic!("{}: an honest report was refused: {err:?}", NAMES[m]),
            }
        }
        if accepted {
            self.records[m].governed = false;
        }
        self.offline[m] = false;
        self.observe(m, now);
    }

    /// Time passes until `until`; meanwhile the reporters of every feed that has a
    /// price, is not frozen and whose reporters are online report the quote whenever its
    /// price is about to go `Stale` (at its age `HEARTBEAT`, still fresh), as the
    /// relayers' heartbeat does. Other feeds go `Stale` once their price is older.
    pub(super) fn pass_time(&mut self, until: u64) {
        loop {
            let due = (0..MARKETS)
                .filter(|m| !self.offline[*m])
                .filter_map(|m| {
                    let feed = self.feeds[m].as_ref()?;
                    (feed.price != 0 && !feed.frozen)
                        .then_some((feed.updated_at_secs + HEARTBEAT, m))
                })
                .min();
            match due {
                Some((at, m)) if at < until => {
                    // A round per second at most: each reporter's observation is newer.
                    self.now = at.max(self.now + 1);
                    self.round(m);
                }
                _ => break,
            }
        }
        self.now = until;
    }

    /// `Op::Feed`: drives market `m`'s feed towards `status` through the oracle's own
    /// transitions, each with its preconditions (a removed feed can be neither frozen
    /// nor given an emergency price, a frozen one takes no round):
    /// - `Ok`: governance unfreezes it (or lists it again), and the reporters report the
    ///   quote (a jump is held and confirmed, ending `Suspect` without an outage);
    /// - `Stale`: its reporters go offline and time passes until its price is older than
    ///   the heartbeat (the other feeds' reporters keep theirs fresh);
    /// - `Suspect`: the quote jumps by `jump_bps` / 10,000 and one round reports it,
    ///   held by the deviation guard (a later round confirms it or returns);
    /// - `Frozen`: the guardian freezes it;
    /// - `Emergency`: governance sets an emergency price at the quote and unfreezes it;
    /// - `None`: governance removes the feed, or lists a removed one again (no price).
    pub(super) fn drive_feed(&mut self, m: usize, status: Option<FeedStatus>, jump_bps: u32) {
        let now = self.now;
        self.observe(m, now);
        match status {
            Some(FeedStatus::Ok) => {
                match self.feeds[m].as_mut() {
                    Some(feed) if feed.frozen => {
                        feed.set_frozen(false, now);
                        self.observe(m, now);
                    }
                    Some(_) => {}
                    None => self.feeds[m] = Some(new_feed(m)),
                }
                self.report(m);
            }
            Some(FeedStatus::Stale) => {
                self.offline[m] = true;
                let stale_at = self.feeds[m]
                    .as_ref()
                    .filter(|feed| feed.price != 0)
                    .map(|feed| feed.updated_at_secs + HEARTBEAT + 1);
                if let Some(at) = stale_at.filter(|at| *at > now) {
                    self.pass_time(at);
                }
            }
            Some(FeedStatus::Suspect) => {
                self.quotes[m] = Self::bounded(m, fraction(self.quotes[m], jump_bps));
                self.round(m);
            }
            Some(FeedStatus::Frozen) => {
                if let Some(feed) = self.feeds[m].as_mut() {
                    feed.set_frozen(true, now);
                }
            }
            Some(FeedStatus::Emergency) => {
                if let Some(feed) = self.feeds[m].as_mut() {
                    feed.set_emergency_price(self.quotes[m], now)
                        .expect("the quote is within the feed's bounds");
                    if feed.frozen {
                        feed.set_frozen(false, now);
                    }
                    self.records[m].governed = true;
                }
            }
            None => {
                self.feeds[m] = match self.feeds[m] {
                    Some(_) => None,
                    None => Some(new_feed(m)),
                };
                self.records[m].governed = false;
            }
        }
        self.observe(m, self.now);
    }

    /// Records what the harness sees of feed `m` at `at` in its [`FeedRecord`].
    pub(super) fn observe(&mut self, m: usize, at: u64) {
        let status = self.feeds[m]
            .as_ref()
            .and_then(|feed| feed.price_data(at).ok())
            .map(|p| p.status);
        let record = &mut self.records[m];
        let outage = record.governed
            || matches!(
                status,
                None | Some(FeedStatus::Stale | FeedStatus::Frozen | FeedStatus::Emergency)
            );
        if outage {
            record.in_outage = true;
        } else if status == Some(FeedStatus::Ok) {
            if record.in_outage {
                record.in_outage = false;
                record.recovered_at = at;
            } else if record.last == Some(FeedStatus::Suspect) {
                record.left_suspect_at = Some(at);
            }
        }
        record.last = status;
    }

    /// Market `m`'s index among the account's positions that satisfy `filter` (so that
    /// withdrawals, repayments and collateral switches mostly target real positions);
    /// `m` itself if there are none.
    pub(super) fn pick(
        &self,
        who: AccountId,
        m: usize,
        filter: impl Fn(&Position) -> bool,
    ) -> usize {
        let account = self.account_of(who);
        let matching: Vec<usize> = account
            .positions
            .iter()
            .filter(|p| filter(p))
            .map(|p| market_index(p.asset))
            .collect();
        // One time in eight, any market (refusals: no position, nothing owed).
        if matching.is_empty() || m % 8 == 7 {
            m % MARKETS
        } else {
            matching[m % matching.len()]
        }
    }
}

/// The account `outcome` writes back for `who` (empty if it removes it).
pub(super) fn account_after(outcome: &Outcome, who: AccountId) -> Account {
    outcome.account(who).cloned().unwrap_or_default()
}

pub(super) fn fraction(limit: u128, bps: u32) -> u128 {
    // limit < 2^100 here, so the product fits.
    limit / 10_000 * u128::from(bps) + limit % 10_000 * u128::from(bps) / 10_000
}

/// An amount for `size` against `limit`, falling back to `fallback` when the limit is 0
/// (so that refusals are exercised too).
pub(super) fn resolve(size: Size, limit: u128, fallback: u128) -> u128 {
    match size {
        Size::All => ALL,
        Size::Bps(bps) => {
            let base = if limit == 0 { fallback } else { limit };
            fraction(base, bps)
        }
        Size::Units(n) => n,
    }
}

/// A short name for a refusal (without the account bytes).
pub(super) fn reason(err: &PoolError) -> String {
    match err {
        PoolError::PriceNotOk(_, status) => format!("PriceNotOk({status:?})"),
        other => format!("{other:?}"),
    }
}
