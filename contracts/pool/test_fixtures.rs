//! Markets, accounts and prices for the native tests of the pool's logic.

use crate::account::{Account, Collateral};
use crate::actions::PoolReads;
use crate::error::PoolError;
use crate::health::PriceList;
use crate::loaded_markets::LoadedMarkets;
use crate::market::{Market, MarketParams};
use crate::outcome::{commit, Host, Outcome, PoolEvent, Transfer};
use carrack_core::{MarketConfig, RateModel, WAD};
use carrack_interfaces::{FeedStatus, OracleError, PriceData};
use ink::primitives::AccountId;
use std::collections::BTreeMap;

pub const NOW: u64 = 1_700_000_000;
pub const USD: AccountId = AccountId([1; 32]);
pub const ETH: AccountId = AccountId([2; 32]);
/// The pool's own address.
pub const POOL: AccountId = AccountId([0x50; 32]);

/// A collateral market like Comet's WETH: LTV 75 %, LT 80 %, bonus 5 %, fee 10 % of it.
pub fn params(decimals: u8) -> MarketParams {
    MarketParams {
        config: MarketConfig {
            decimals,
            ltv_wad: 75 * WAD / 100,
            liquidation_threshold_wad: 80 * WAD / 100,
            liquidation_bonus_wad: 105 * WAD / 100,
            liquidation_protocol_fee_wad: WAD / 10,
            reserve_factor_wad: WAD / 10,
            rate_model: RateModel {
                base_rate_wad: WAD / 100,
                slope_low_wad: 4 * WAD / 100,
                slope_high_wad: 75 * WAD / 100,
                optimal_utilization_wad: 8 * WAD / 10,
            },
            supply_cap: u128::MAX,
            borrow_cap: u128::MAX,
            min_debt: 0,
        },
        collateral_enabled: true,
        borrowing_enabled: true,
        flash_loan_fee_wad: 0,
    }
}

/// A market listed at [`NOW`] with `cash` whole tokens seeded.
pub fn market(decimals: u8, cash_tokens: u128) -> Market {
    let unit = 10u128.pow(u32::from(decimals));
    Market::list(params(decimals), cash_tokens * unit, NOW).unwrap()
}

/// USD (6 decimals), ETH (18 decimals) and BTC (8 decimals) markets, each with plenty of
/// cash.
pub fn books() -> LoadedMarkets {
    let mut books = LoadedMarkets::default();
    books.load(USD, market(6, 1_000_000), NOW).unwrap();
    books.load(ETH, market(18, 1_000), NOW).unwrap();
    books.load(BTC, market(8, 100), NOW).unwrap();
    books
}

/// A fresh `Ok` price of `whole` quote units with 8 decimals, `Ok` for a day.
pub fn price(whole: u128) -> PriceData {
    PriceData {
        value: whole * 100_000_000,
        decimals: 8,
        updated_at_secs: NOW,
        status: FeedStatus::Ok,
        ok_since_secs: NOW - 86_400,
    }
}

/// USD at 1 and ETH at `eth`.
pub fn prices(eth: u128) -> PriceList {
    ink::prelude::vec![(USD, Ok(price(1))), (ETH, Ok(price(eth)))]
}

/// A borrower with `eth` whole ETH as collateral owing `usd` whole USD, recorded in the
/// books' totals as a real position would be (scaled = amount at index 1).
pub fn borrower(books: &mut LoadedMarkets, eth: u128, usd: u128) -> Account {
    let mut account = Account::default();
    let supply = eth * WAD;
    let debt = usd * 1_000_000;
    let eth_config = *books.get(ETH).unwrap().config();
    books
        .get_mut(ETH)
        .unwrap()
        .state
        .supply(&eth_config, supply)
        .unwrap();
    let position = account.open(ETH).unwrap();
    position.scaled_supply = supply;
    position.collateral = Collateral::On;
    let usd_config = *books.get(USD).unwrap().config();
    books
        .get_mut(USD)
        .unwrap()
        .state
        .borrow(&usd_config, 0, debt)
        .unwrap();
    account.open(USD).unwrap().scaled_debt = debt;
    account
}

pub const BTC: AccountId = AccountId([3; 32]);

/// The markets, accounts, prices and time of one test, read as a message reads them,
/// and where its outcomes are committed. The oracle answers each asset from `prices`,
/// and `UnknownFeed` for an asset not listed there; a token's decimals come from
/// `decimals` (a token missing there fails the call). The listed markets are those in
/// `books`, in their order; transfers always succeed and are recorded, as are events.
#[derive(Default)]
pub struct TestLedger {
    pub books: LoadedMarkets,
    pub prices: PriceList,
    pub now: u64,
    pub accounts: BTreeMap<AccountId, Account>,
    pub decimals: Vec<(AccountId, u8)>,
    pub events: Vec<PoolEvent>,
    pub transfers: Vec<Transfer>,
}

impl TestLedger {
    /// Commits the outcome of an action that must have been accepted.
    pub fn run(&mut self, outcome: Result<Outcome, PoolError>) {
        commit(self, outcome.expect("accepted")).expect("transfers succeed");
    }

    /// As [`TestLedger::run`], for an action that also returns a value.
    pub fn run_with<T>(&mut self, outcome: Result<(Outcome, T), PoolError>) -> T {
        let (outcome, value) = outcome.expect("accepted");
        commit(self, outcome).expect("transfers succeed");
        value
    }
}

impl PoolReads for TestLedger {
    fn market_record(&self, asset: AccountId) -> Result<Market, PoolError> {
        self.books.get(asset).copied()
    }

    fn listed_assets(&self) -> Vec<AccountId> {
        self.books.markets.iter().map(|m| m.asset).collect()
    }

    fn account_of(&self, owner: AccountId) -> Account {
        self.accounts.get(&owner).cloned().unwrap_or_default()
    }

    fn read_prices(&self, assets: &[AccountId]) -> Result<PriceList, PoolError> {
        Ok(assets
            .iter()
            .map(|&asset| {
                let read = self
                    .prices
                    .iter()
                    .find(|(a, _)| *a == asset)
                    .map_or(Err(OracleError::UnknownFeed), |(_, read)| *read);
                (asset, read)
            })
            .collect())
    }

    fn token_decimals(&self, asset: AccountId) -> Result<u8, PoolError> {
        self.decimals
            .iter()
            .find(|(a, _)| *a == asset)
            .map(|(_, decimals)| *decimals)
            .ok_or(PoolError::TokenCallFailed)
    }

    fn now_secs(&self) -> u64 {
        self.now
    }

    fn pool_account(&self) -> AccountId {
        POOL
    }
}

impl Host for TestLedger {
    fn store_market(&mut self, asset: AccountId, market: &Market) {
        self.books.put(asset, *market);
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

    fn transfer(&mut self, transfer: Transfer) -> Result<(), PoolError> {
        self.transfers.push(transfer);
        Ok(())
    }
}

/// Sets the status of `asset`'s price in `list` (which must hold a price for it).
pub fn set_status(list: &mut PriceList, asset: AccountId, status: FeedStatus) {
    let read = &mut list.iter_mut().find(|(a, _)| *a == asset).unwrap().1;
    read.as_mut().unwrap().status = status;
}

/// Opens `account`'s position in `asset` with `scaled` supply switched on as collateral.
pub fn collateral_position(account: &mut Account, asset: AccountId, scaled: u128) {
    let position = account.open(asset).unwrap();
    position.scaled_supply = scaled;
    position.collateral = Collateral::On;
}
