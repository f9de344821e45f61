//! Where the indexer keeps what it read: every account's positions (the pool's own
//! `Account` record, and one row per position for queries), every market's record, the
//! liquidations, and how far it got. SQL through `sqlx`'s `Any` driver: SQLite by
//! default (a file, created if missing), PostgreSQL by URL, with the same statements
//! (`$n` parameters, `ON CONFLICT` upserts). Amounts are decimal text (u128 does not fit
//! SQL integers), addresses SS58, records hex of their SCALE encoding.
//!
//! A block's changes and the new "last indexed block" commit in one transaction, so a
//! keeper killed at any point resumes at the first block it had not fully stored.

use crate::contract_events::{EventRow, PriceRow};
use crate::history::{ActionJson, ActionRow};
use anyhow::{anyhow, bail, Context, Result};
use carrack_pool::account::{Account, Collateral};
use carrack_pool::market::Market;
use carrack_pool::views::market_view;
use ink::primitives::AccountId;
use scale::{Decode, DecodeAll, Encode};
use serde::Serialize;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use std::str::FromStr;
use subxt::utils::AccountId32;

/// The version of the tables below; a database another version wrote must be re-indexed
/// (`--reindex`): version 2 added `history`, version 3 `events` and `prices`, which an
/// older database lacks for the blocks it indexed.
pub const SCHEMA_VERSION: &str = "3";

const SCHEMA: [&str; 11] = [
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS accounts (owner TEXT PRIMARY KEY, record TEXT NOT NULL, has_debt BIGINT NOT NULL, block BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS positions (owner TEXT NOT NULL, asset TEXT NOT NULL, scaled_supply TEXT NOT NULL, scaled_debt TEXT NOT NULL, collateral TEXT NOT NULL, PRIMARY KEY (owner, asset))",
    "CREATE TABLE IF NOT EXISTS markets (asset TEXT PRIMARY KEY, record TEXT NOT NULL, block BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS market_history (block BIGINT NOT NULL, asset TEXT NOT NULL, total_supply TEXT NOT NULL, total_debt TEXT NOT NULL, utilization_wad TEXT NOT NULL, borrow_rate_wad TEXT NOT NULL, supply_rate_wad TEXT NOT NULL, PRIMARY KEY (block, asset))",
    "CREATE TABLE IF NOT EXISTS liquidations (block BIGINT NOT NULL, event_index BIGINT NOT NULL, borrower TEXT NOT NULL, liquidator TEXT NOT NULL, debt_asset TEXT NOT NULL, collateral_asset TEXT NOT NULL, repaid TEXT NOT NULL, collateral_seized TEXT NOT NULL, PRIMARY KEY (block, event_index))",
    "CREATE TABLE IF NOT EXISTS history (block BIGINT NOT NULL, event_index BIGINT NOT NULL, account TEXT NOT NULL, kind TEXT NOT NULL, asset TEXT NOT NULL, amount TEXT NOT NULL, counterparty TEXT, seized_asset TEXT, seized TEXT, PRIMARY KEY (block, event_index, account))",
    "CREATE INDEX IF NOT EXISTS history_by_account ON history (account, block)",
    "CREATE TABLE IF NOT EXISTS events (block BIGINT NOT NULL, event_index BIGINT NOT NULL, contract TEXT NOT NULL, name TEXT NOT NULL, fields TEXT NOT NULL, PRIMARY KEY (block, event_index))",
    "CREATE TABLE IF NOT EXISTS prices (block BIGINT NOT NULL, event_index BIGINT NOT NULL, asset TEXT NOT NULL, price TEXT NOT NULL, updated_at_secs BIGINT NOT NULL, PRIMARY KEY (block, event_index))",
    "CREATE INDEX IF NOT EXISTS prices_by_asset ON prices (asset, block)",
];

/// One liquidation, as the pool's `Liquidated` event tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiquidationRow {
    pub block: u64,
    pub event_index: u32,
    pub borrower: AccountId,
    pub liquidator: AccountId,
    pub debt_asset: AccountId,
    pub collateral_asset: AccountId,
    pub repaid: u128,
    pub collateral_seized: u128,
}

/// One position, as the API shows it (amounts as decimal strings, addresses SS58).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PositionRow {
    pub asset: String,
    pub scaled_supply: String,
    pub scaled_debt: String,
    /// `on`, `off` or `unchosen`.
    pub collateral: String,
}

/// One liquidation of an account, as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiquidationJson {
    pub block: u64,
    pub event_index: u32,
    pub borrower: String,
    pub liquidator: String,
    pub debt_asset: String,
    pub collateral_asset: String,
    pub repaid: String,
    pub collateral_seized: String,
}

/// A market's figures at one block, as the API shows them (WAD figures as decimal strings
/// of the integer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MarketPoint {
    pub block: u64,
    pub total_supply: String,
    pub total_debt: String,
    pub utilization_wad: String,
    pub borrow_rate_wad: String,
    pub supply_rate_wad: String,
}

/// What one block changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockChanges {
    /// Accounts as stored at the end of the block (an empty record: the account is gone).
    pub accounts: Vec<(AccountId, Account)>,
    /// Every listed market as stored at the end of the block, when any pool event came.
    pub markets: Option<Vec<(AccountId, Market)>>,
    pub liquidations: Vec<LiquidationRow>,
    /// Every account's history rows of the block.
    pub actions: Vec<ActionRow>,
    /// The block's events of the indexed contracts, decoded.
    pub events: Vec<EventRow>,
    /// The prices the oracle accepted in the block.
    pub prices: Vec<PriceRow>,
}

/// A price the oracle accepted, as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PricePoint {
    pub block: u64,
    /// In the feed's decimals, as a decimal string.
    pub price: String,
    pub updated_at_secs: u64,
}

/// The database (cheap to clone: a pool of connections).
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
}

/// `account` as the database shows it (SS58).
pub fn ss58(account: &AccountId) -> String {
    AccountId32(*account.as_ref()).to_string()
}

fn account_of(text: &str) -> Result<AccountId> {
    AccountId32::from_str(text)
        .map(|a| AccountId::from(a.0))
        .map_err(|e| anyhow!("the database holds {text:?}, not an SS58 address ({e})"))
}

fn record_of<T: Decode>(hex_text: &str, what: &str) -> Result<T> {
    let bytes = hex::decode(hex_text).with_context(|| format!("a stored {what} is not hex"))?;
    T::decode_all(&mut bytes.as_slice())
        .map_err(|e| anyhow!("a stored {what} does not decode ({e}); re-index with --reindex"))
}

impl Store {
    /// Opens (SQLite: creates) the database at `url` and its tables.
    pub async fn open(url: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let url = if url.starts_with("sqlite:") && !url.contains('?') {
            format!("{url}?mode=rwc")
        } else {
            url.to_string()
        };
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .with_context(|| format!("cannot open the database {}", redact(&url)))?;
        for statement in SCHEMA {
            sqlx::query(statement).execute(&pool).await?;
        }
        Ok(Store { pool })
    }

    async fn meta(&self, name: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT value FROM meta WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r: AnyRow| r.get::<String, _>(0)))
    }

    /// The genesis hash of the chain indexed so far (`0x…`), if any.
    pub async fn genesis(&self) -> Result<Option<String>> {
        self.meta("genesis").await
    }

    /// Records the chain being indexed.
    pub async fn set_genesis(&self, genesis: &str) -> Result<()> {
        sqlx::query("INSERT INTO meta (name, value) VALUES ('genesis', $1) ON CONFLICT (name) DO UPDATE SET value = excluded.value")
            .bind(genesis)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The last block fully indexed, if any.
    pub async fn last_block(&self) -> Result<Option<u64>> {
        match self.meta("last_block").await? {
            Some(text) => Ok(Some(text.parse().context("meta.last_block")?)),
            None => Ok(None),
        }
    }

    /// Forgets everything (a re-index).
    pub async fn reset(&self) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for table in [
            "meta",
            "accounts",
            "positions",
            "markets",
            "market_history",
            "liquidations",
            "history",
            "events",
            "prices",
        ] {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The hash recorded with the last indexed block (`0x…`), if any.
    pub async fn last_hash(&self) -> Result<Option<String>> {
        self.meta("last_hash").await
    }

    /// Stores block `block`'s changes and makes it (with its `hash`, `0x…`) the last
    /// indexed block, all or nothing.
    pub async fn apply_block(&self, block: u64, hash: &str, changes: &BlockChanges) -> Result<()> {
        let number = i64::try_from(block).context("block number")?;
        let mut tx = self.pool.begin().await?;
        for (owner, account) in &changes.accounts {
            let owner_text = ss58(owner);
            sqlx::query("DELETE FROM positions WHERE owner = $1")
                .bind(&owner_text)
                .execute(&mut *tx)
                .await?;
            if account.positions.is_empty() {
                sqlx::query("DELETE FROM accounts WHERE owner = $1")
                    .bind(&owner_text)
                    .execute(&mut *tx)
                    .await?;
                continue;
            }
            sqlx::query("INSERT INTO accounts (owner, record, has_debt, block) VALUES ($1, $2, $3, $4) ON CONFLICT (owner) DO UPDATE SET record = excluded.record, has_debt = excluded.has_debt, block = excluded.block")
                .bind(&owner_text)
                .bind(hex::encode(account.encode()))
                .bind(i64::from(account.has_debt()))
                .bind(number)
                .execute(&mut *tx)
                .await?;
            for position in &account.positions {
                sqlx::query("INSERT INTO positions (owner, asset, scaled_supply, scaled_debt, collateral) VALUES ($1, $2, $3, $4, $5)")
                    .bind(&owner_text)
                    .bind(ss58(&position.asset))
                    .bind(position.scaled_supply.to_string())
                    .bind(position.scaled_debt.to_string())
                    .bind(match position.collateral {
                        Collateral::On => "on",
                        Collateral::Off => "off",
                        Collateral::Unchosen => "unchosen",
                    })
                    .execute(&mut *tx)
                    .await?;
            }
        }
        if let Some(markets) = &changes.markets {
            for (asset, market) in markets {
                sqlx::query("INSERT INTO markets (asset, record, block) VALUES ($1, $2, $3) ON CONFLICT (asset) DO UPDATE SET record = excluded.record, block = excluded.block")
                    .bind(ss58(asset))
                    .bind(hex::encode(market.encode()))
                    .bind(number)
                    .execute(&mut *tx)
                    .await?;
                // The market's figures as stored at the end of the block (no accrual in
                // memory: what the block left), for rate charts.
                let view = market_view(*asset, *market)
                    .map_err(|e| anyhow!("the market {} at block {block}: {e:?}", ss58(asset)))?;
                sqlx::query("INSERT INTO market_history (block, asset, total_supply, total_debt, utilization_wad, borrow_rate_wad, supply_rate_wad) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (block, asset) DO NOTHING")
                    .bind(number)
                    .bind(ss58(asset))
                    .bind(view.total_supply.to_string())
                    .bind(view.total_debt.to_string())
                    .bind(view.utilization_wad.to_string())
                    .bind(view.borrow_rate_wad.to_string())
                    .bind(view.supply_rate_wad.to_string())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        for l in &changes.liquidations {
            sqlx::query("INSERT INTO liquidations (block, event_index, borrower, liquidator, debt_asset, collateral_asset, repaid, collateral_seized) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (block, event_index) DO NOTHING")
                .bind(i64::try_from(l.block).context("block number")?)
                .bind(i64::from(l.event_index))
                .bind(ss58(&l.borrower))
                .bind(ss58(&l.liquidator))
                .bind(ss58(&l.debt_asset))
                .bind(ss58(&l.collateral_asset))
                .bind(l.repaid.to_string())
                .bind(l.collateral_seized.to_string())
                .execute(&mut *tx)
                .await?;
        }
        for a in &changes.actions {
            sqlx::query("INSERT INTO history (block, event_index, account, kind, asset, amount, counterparty, seized_asset, seized) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (block, event_index, account) DO NOTHING")
                .bind(i64::try_from(a.block).context("block number")?)
                .bind(i64::from(a.event_index))
                .bind(ss58(&a.account))
                .bind(a.kind.name())
                .bind(ss58(&a.asset))
                .bind(a.amount.to_string())
                .bind(a.counterparty.as_ref().map(ss58))
                .bind(a.seized.as_ref().map(|(asset, _)| ss58(asset)))
                .bind(a.seized.as_ref().map(|(_, amount)| amount.to_string()))
                .execute(&mut *tx)
                .await?;
        }
        for e in &changes.events {
            let fields = serde_json::to_string(&e.fields)?;
            sqlx::query("INSERT INTO events (block, event_index, contract, name, fields) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (block, event_index) DO NOTHING")
                .bind(i64::try_from(e.block).context("block number")?)
                .bind(i64::from(e.event_index))
                .bind(&e.contract)
                .bind(&e.name)
                .bind(fields)
                .execute(&mut *tx)
                .await?;
        }
        for p in &changes.prices {
            sqlx::query("INSERT INTO prices (block, event_index, asset, price, updated_at_secs) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (block, event_index) DO NOTHING")
                .bind(i64::try_from(p.block).context("block number")?)
                .bind(i64::from(p.event_index))
                .bind(ss58(&p.asset))
                .bind(p.price.to_string())
                .bind(i64::try_from(p.updated_at_secs).context("price time")?)
                .execute(&mut *tx)
                .await?;
        }
        for (name, value) in [
            ("schema", SCHEMA_VERSION.to_string()),
            ("last_block", block.to_string()),
            ("last_hash", hash.to_string()),
        ] {
            sqlx::query("INSERT INTO meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value")
                .bind(name)
                .bind(value)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every account that owes something, with its positions.
    pub async fn borrowers(&self) -> Result<Vec<(AccountId, Account)>> {
        let rows =
            sqlx::query("SELECT owner, record FROM accounts WHERE has_debt = 1 ORDER BY owner")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    account_of(&r.get::<String, _>(0))?,
                    record_of::<Account>(&r.get::<String, _>(1), "account")?,
                ))
            })
            .collect()
    }

    /// How many accounts hold a position.
    pub async fn account_count(&self) -> Result<u64> {
        let row = sqlx::query("SELECT COUNT(*) FROM accounts")
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(row.get::<i64, _>(0)).unwrap_or(0))
    }

    /// `owner`'s indexed positions.
    pub async fn positions_of(&self, owner: &AccountId) -> Result<Vec<PositionRow>> {
        let rows = sqlx::query("SELECT asset, scaled_supply, scaled_debt, collateral FROM positions WHERE owner = $1 ORDER BY asset")
            .bind(ss58(owner))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| PositionRow {
                asset: r.get(0),
                scaled_supply: r.get(1),
                scaled_debt: r.get(2),
                collateral: r.get(3),
            })
            .collect())
    }

    /// Every indexed liquidation of `borrower`, oldest first.
    pub async fn liquidations_of(&self, borrower: &AccountId) -> Result<Vec<LiquidationJson>> {
        let rows = sqlx::query("SELECT block, event_index, borrower, liquidator, debt_asset, collateral_asset, repaid, collateral_seized FROM liquidations WHERE borrower = $1 ORDER BY block, event_index")
            .bind(ss58(borrower))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(liquidation_json).collect()
    }

    /// The latest `limit` indexed liquidations, newest first.
    pub async fn recent_liquidations(&self, limit: u32) -> Result<Vec<LiquidationJson>> {
        let rows = sqlx::query("SELECT block, event_index, borrower, liquidator, debt_asset, collateral_asset, repaid, collateral_seized FROM liquidations ORDER BY block DESC, event_index DESC LIMIT $1")
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(liquidation_json).collect()
    }

    /// `asset`'s figures at every indexed block that changed a market, oldest first, at
    /// most the last `limit`.
    pub async fn market_history(&self, asset: &AccountId, limit: u32) -> Result<Vec<MarketPoint>> {
        let rows = sqlx::query("SELECT block, total_supply, total_debt, utilization_wad, borrow_rate_wad, supply_rate_wad FROM market_history WHERE asset = $1 ORDER BY block DESC LIMIT $2")
            .bind(ss58(asset))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        let mut points = rows
            .iter()
            .map(|r| {
                Ok(MarketPoint {
                    block: u64::try_from(r.get::<i64, _>(0))?,
                    total_supply: r.get(1),
                    total_debt: r.get(2),
                    utilization_wad: r.get(3),
                    borrow_rate_wad: r.get(4),
                    supply_rate_wad: r.get(5),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        points.reverse();
        Ok(points)
    }

    /// `account`'s history, newest first, at most the last `limit` rows.
    pub async fn history_of(&self, account: &AccountId, limit: u32) -> Result<Vec<ActionJson>> {
        let rows = sqlx::query("SELECT block, event_index, kind, asset, amount, counterparty, seized_asset, seized FROM history WHERE account = $1 ORDER BY block DESC, event_index DESC LIMIT $2")
            .bind(ss58(account))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ActionJson {
                    block: u64::try_from(r.get::<i64, _>(0))?,
                    event_index: u32::try_from(r.get::<i64, _>(1))?,
                    kind: r.get(2),
                    asset: r.get(3),
                    amount: r.get(4),
                    counterparty: r.get(5),
                    seized_asset: r.get(6),
                    seized: r.get(7),
                })
            })
            .collect()
    }

    /// The latest `limit` indexed events, newest first; only `contract`'s when given.
    pub async fn recent_events(&self, contract: Option<&str>, limit: u32) -> Result<Vec<EventRow>> {
        let rows = match contract {
            Some(c) => sqlx::query("SELECT block, event_index, contract, name, fields FROM events WHERE contract = $1 ORDER BY block DESC, event_index DESC LIMIT $2")
                .bind(c)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?,
            None => sqlx::query("SELECT block, event_index, contract, name, fields FROM events ORDER BY block DESC, event_index DESC LIMIT $1")
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?,
        };
        rows.iter()
            .map(|r| {
                Ok(EventRow {
                    block: u64::try_from(r.get::<i64, _>(0))?,
                    event_index: u32::try_from(r.get::<i64, _>(1))?,
                    contract: r.get(2),
                    name: r.get(3),
                    fields: serde_json::from_str(&r.get::<String, _>(4))
                        .context("a stored event's fields")?,
                })
            })
            .collect()
    }

    /// The prices the oracle accepted for `asset`, oldest first, at most the last `limit`.
    pub async fn price_history(&self, asset: &AccountId, limit: u32) -> Result<Vec<PricePoint>> {
        let rows = sqlx::query("SELECT block, price, updated_at_secs FROM prices WHERE asset = $1 ORDER BY block DESC, event_index DESC LIMIT $2")
            .bind(ss58(asset))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        let mut points = rows
            .iter()
            .map(|r| {
                Ok(PricePoint {
                    block: u64::try_from(r.get::<i64, _>(0))?,
                    price: r.get(1),
                    updated_at_secs: u64::try_from(r.get::<i64, _>(2))?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        points.reverse();
        Ok(points)
    }

    /// Refuses a database that holds blocks indexed by a keeper with other tables (see
    /// [`SCHEMA_VERSION`]).
    pub async fn check_schema(&self) -> Result<()> {
        if self.last_block().await?.is_none() {
            return Ok(());
        }
        match self.meta("schema").await? {
            Some(version) if version == SCHEMA_VERSION => Ok(()),
            found => bail!(
                "the database was indexed by a keeper with tables of version {} (this keeper's: {SCHEMA_VERSION}, which adds every account's history); run with --reindex to index the chain again",
                found.as_deref().unwrap_or("1")
            ),
        }
    }

    /// How many liquidations are indexed.
    pub async fn liquidation_count(&self) -> Result<u64> {
        let row = sqlx::query("SELECT COUNT(*) FROM liquidations")
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(row.get::<i64, _>(0)).unwrap_or(0))
    }
}

/// A `liquidations` row (block, event_index, borrower, liquidator, debt_asset,
/// collateral_asset, repaid, collateral_seized) as the API shows it.
fn liquidation_json(r: &AnyRow) -> Result<LiquidationJson> {
    Ok(LiquidationJson {
        block: u64::try_from(r.get::<i64, _>(0))?,
        event_index: u32::try_from(r.get::<i64, _>(1))?,
        borrower: r.get(2),
        liquidator: r.get(3),
        debt_asset: r.get(4),
        collateral_asset: r.get(5),
        repaid: r.get(6),
        collateral_seized: r.get(7),
    })
}

/// A database URL without its password.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::ActionKind;
    use carrack_pool::account::Position;

    fn account(asset: u8, debt: u128) -> Account {
        Account {
            positions: vec![Position {
                asset: AccountId::from([asset; 32]),
                scaled_supply: 5,
                scaled_debt: debt,
                collateral: Collateral::On,
            }],
        }
    }

    #[tokio::test]
    async fn a_block_is_stored_whole_and_survives_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("k.sqlite").display());
        let (alice, bob) = (AccountId::from([1; 32]), AccountId::from([2; 32]));
        {
            let store = Store::open(&url).await.unwrap();
            assert_eq!(store.last_block().await.unwrap(), None);
            store.set_genesis("0xabc").await.unwrap();
            let changes = BlockChanges {
                accounts: vec![(alice, account(9, 7)), (bob, account(9, 0))],
                markets: None,
                liquidations: vec![LiquidationRow {
                    block: 3,
                    event_index: 4,
                    borrower: alice,
                    liquidator: bob,
                    debt_asset: AccountId::from([9; 32]),
                    collateral_asset: AccountId::from([8; 32]),
                    repaid: u128::MAX,
                    collateral_seized: 1,
                }],
                events: vec![EventRow {
                    block: 3,
                    event_index: 1,
                    contract: "oracle".into(),
                    name: "FeedChanged".into(),
                    fields: serde_json::from_str(r#"{"asset":"5F…"}"#).unwrap(),
                }],
                prices: vec![PriceRow {
                    block: 3,
                    event_index: 1,
                    asset: AccountId::from([8; 32]),
                    price: 300_000_000_000,
                    updated_at_secs: 1_700,
                }],
                actions: vec![
                    ActionRow {
                        block: 3,
                        event_index: 2,
                        account: alice,
                        kind: ActionKind::Borrow,
                        asset: AccountId::from([9; 32]),
                        amount: 7,
                        counterparty: None,
                        seized: None,
                    },
                    ActionRow {
                        block: 3,
                        event_index: 4,
                        account: alice,
                        kind: ActionKind::Liquidated,
                        asset: AccountId::from([9; 32]),
                        amount: u128::MAX,
                        counterparty: Some(bob),
                        seized: Some((AccountId::from([8; 32]), 1)),
                    },
                ],
            };
            store.apply_block(3, "0x03", &changes).await.unwrap();
            // The same block again (a restart between commit and the next block) changes
            // nothing: upserts, and the liquidation is not counted twice.
            store.apply_block(3, "0x03", &changes).await.unwrap();
        }
        let store = Store::open(&url).await.unwrap();
        assert_eq!(store.genesis().await.unwrap().as_deref(), Some("0xabc"));
        assert_eq!(store.last_block().await.unwrap(), Some(3));
        assert_eq!(store.last_hash().await.unwrap().as_deref(), Some("0x03"));
        assert_eq!(
            store.borrowers().await.unwrap(),
            vec![(alice, account(9, 7))]
        );
        assert_eq!(store.account_count().await.unwrap(), 2);
        assert_eq!(store.liquidation_count().await.unwrap(), 1);
        let history = store.liquidations_of(&alice).await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].repaid, u128::MAX.to_string());
        assert_eq!(history[0].liquidator, ss58(&bob));
        assert_eq!(history[0].borrower, ss58(&alice));
        assert_eq!(store.recent_liquidations(5).await.unwrap(), history);
        // Alice's history, newest first, stored once although the block came twice.
        let actions = store.history_of(&alice, 10).await.unwrap();
        let kinds: Vec<_> = actions.iter().map(|a| a.kind.as_str()).collect();
        assert_eq!(kinds, ["liquidated", "borrow"]);
        assert_eq!(actions[0].counterparty, Some(ss58(&bob)));
        assert_eq!(actions[0].seized.as_deref(), Some("1"));
        assert_eq!(actions[0].amount, u128::MAX.to_string());
        assert_eq!(actions[1].counterparty, None);
        assert_eq!(store.history_of(&alice, 1).await.unwrap().len(), 1);
        let events = store.recent_events(None, 10).await.unwrap();
        assert_eq!(events.len(), 1, "stored once although the block came twice");
        assert_eq!(
            (events[0].contract.as_str(), events[0].name.as_str()),
            ("oracle", "FeedChanged")
        );
        assert_eq!(events[0].fields["asset"], "5F…");
        assert!(store
            .recent_events(Some("pool"), 10)
            .await
            .unwrap()
            .is_empty());
        let eth = AccountId::from([8; 32]);
        let prices = store.price_history(&eth, 10).await.unwrap();
        assert_eq!(prices.len(), 1);
        assert_eq!(
            (
                prices[0].block,
                prices[0].price.as_str(),
                prices[0].updated_at_secs
            ),
            (3, "300000000000", 1_700)
        );
        assert!(store.history_of(&bob, 10).await.unwrap().is_empty());
        store.check_schema().await.unwrap();
        assert!(store.recent_liquidations(0).await.unwrap().is_empty());
        let positions = store.positions_of(&alice).await.unwrap();
        assert_eq!(positions.len(), 1);
        assert_eq!(
            (
                positions[0].scaled_debt.as_str(),
                positions[0].collateral.as_str()
            ),
            ("7", "on")
        );
        // A block with pool events records every market's figures for the rate charts.
        let usd = AccountId::from([9; 32]);
        let with_markets = BlockChanges {
            markets: Some(vec![(usd, crate::fixtures::market(6))]),
            ..Default::default()
        };
        store.apply_block(4, "0x04", &with_markets).await.unwrap();
        store.apply_block(5, "0x05", &with_markets).await.unwrap();
        let points = store.market_history(&usd, 1).await.unwrap();
        assert_eq!(points.len(), 1, "the limit keeps the latest");
        assert_eq!(points[0].block, 5);
        assert_eq!(points[0].total_supply, (1_000 * 10u128.pow(6)).to_string());
        assert_eq!(store.market_history(&usd, 10).await.unwrap().len(), 2);
        // Alice repays everything and leaves: her rows go.
        let gone = BlockChanges {
            accounts: vec![(alice, Account::default())],
            ..Default::default()
        };
        store.apply_block(6, "0x06", &gone).await.unwrap();
        assert!(store.borrowers().await.unwrap().is_empty());
        assert_eq!(store.account_count().await.unwrap(), 1);
        store.reset().await.unwrap();
        assert!(store.history_of(&alice, 10).await.unwrap().is_empty());
        assert_eq!(store.last_block().await.unwrap(), None);
        assert_eq!(store.genesis().await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_database_from_an_older_keeper_must_be_reindexed() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("k.sqlite").display());
        let store = Store::open(&url).await.unwrap();
        store.check_schema().await.unwrap(); // empty: anything goes
        store
            .apply_block(3, "0x03", &BlockChanges::default())
            .await
            .unwrap();
        store.check_schema().await.unwrap();
        // A version-1 keeper wrote no schema row.
        sqlx::query("DELETE FROM meta WHERE name = 'schema'")
            .execute(&store.pool)
            .await
            .unwrap();
        let error = store.check_schema().await.unwrap_err().to_string();
        assert!(
            error.contains("version 1") && error.contains("--reindex"),
            "{error}"
        );
    }

    #[test]
    fn passwords_stay_out_of_errors() {
        assert_eq!(
            redact("postgres://op:hunter2@db:5432/carrack"),
            "postgres://…@db:5432/carrack"
        );
        assert_eq!(redact("sqlite:///tmp/k.sqlite"), "sqlite:///tmp/k.sqlite");
    }
}
