//! The markets one message works on, loaded once and accrued to `now` in memory. Only
//! the markets a message changes are written back (with their accrual); the others were
//! read for the account's health and need no write.

use crate::error::PoolError;
use crate::market::Market;
use carrack_core::Accrual;
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;

/// A market loaded for one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedMarket {
    /// Its underlying token.
    pub asset: AccountId,
    /// The market, accrued to the message's time.
    pub market: Market,
    /// What that accrual did.
    pub accrual: Accrual,
    /// Whether the message changed it (and it must be written back).
    pub changed: bool,
}

/// The loaded markets, at most one per asset.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Books {
    /// In load order.
    pub markets: Vec<LoadedMarket>,
}

impl Books {
    /// Adds `market`, accrued to `now_secs`, unless `asset` is loaded already.
    pub fn load(
        &mut self,
        asset: AccountId,
        mut market: Market,
        now_secs: u64,
    ) -> Result<(), PoolError> {
        if self.contains(asset) {
            return Ok(());
        }
        let accrual = market.accrue(now_secs)?;
        self.markets.push(LoadedMarket {
            asset,
            market,
            accrual,
            changed: false,
        });
        Ok(())
    }

    /// Whether `asset` is loaded.
    pub fn contains(&self, asset: AccountId) -> bool {
        self.markets.iter().any(|m| m.asset == asset)
    }

    /// The market of `asset`, for reading.
    pub fn get(&self, asset: AccountId) -> Result<&Market, PoolError> {
        self.markets
            .iter()
            .find(|m| m.asset == asset)
            .map(|m| &m.market)
            .ok_or(PoolError::UnknownMarket)
    }

    /// The market of `asset`, for changing: it will be written back.
    pub fn get_mut(&mut self, asset: AccountId) -> Result<&mut Market, PoolError> {
        let loaded = self
            .markets
            .iter_mut()
            .find(|m| m.asset == asset)
            .ok_or(PoolError::UnknownMarket)?;
        loaded.changed = true;
        Ok(&mut loaded.market)
    }

    /// The markets to write back.
    pub fn changed(&self) -> impl Iterator<Item = &LoadedMarket> {
        self.markets.iter().filter(|m| m.changed)
    }
}
