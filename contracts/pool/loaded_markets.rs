//! The markets one message works on ([`LoadedMarkets`]; Aave calls it the reserve
//! cache), loaded once and accrued to `now` in memory. Only the markets a message
//! changes are written back (with their accrual); the others were read for the account's
//! health and need no write.

use crate::error::PoolError;
use crate::market::{Market, PauseFlags};
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
    /// Whether that accrual moved either index.
    pub indices_moved: bool,
    /// Whether the message changed it (and it must be written back).
    pub changed: bool,
}

/// The loaded markets, at most one per asset.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LoadedMarkets {
    /// In load order.
    pub markets: Vec<LoadedMarket>,
}

impl LoadedMarket {
    /// Whether storing this market must report its accrual (in the action's event or an
    /// `InterestAccrued`): whenever an index moved, even by less than one unit of
    /// interest, so an indexer never holds a stale index (audit N-4).
    pub fn reports_accrual(&self) -> bool {
        self.indices_moved
    }

    /// Whether this load found the market past its accrual horizon and paused its
    /// borrowing and supply (see [`LoadedMarkets::load`]).
    pub fn halted_lending(&self) -> bool {
        self.accrual.halted
    }
}

impl LoadedMarkets {
    /// Adds `market`, accrued to `now_secs`, unless `asset` is loaded already. A market
    /// past its accrual horizon (the accrual `halted`: its indices can no longer grow)
    /// gets borrowing and supply paused, since nobody should borrow interest-free or
    /// supply for nothing, and is marked changed so the pause is stored; repaying,
    /// withdrawing and liquidating go on, and governance may change its rates and unpause
    /// (audit L-3).
    pub fn load(
        &mut self,
        asset: AccountId,
        mut market: Market,
        now_secs: u64,
    ) -> Result<(), PoolError> {
        if self.contains(asset) {
            return Ok(());
        }
        let indices_before = (market.state.borrow_index_ray, market.state.supply_index_ray);
        let accrual = market.accrue(now_secs)?;
        let indices_moved =
            indices_before != (market.state.borrow_index_ray, market.state.supply_index_ray);
        if accrual.halted {
            market.paused = market.paused.union(PauseFlags::LENDING);
        }
        self.markets.push(LoadedMarket {
            asset,
            market,
            accrual,
            indices_moved,
            changed: accrual.halted,
        });
        Ok(())
    }

    /// Adds (or replaces) `market` as it is, not accrued, marked changed: a listing and
    /// a pause write the record back without accruing it, so storing it reports no
    /// accrual.
    pub fn put(&mut self, asset: AccountId, market: Market) {
        let loaded = LoadedMarket {
            asset,
            market,
            accrual: Accrual::default(),
            indices_moved: false,
            changed: true,
        };
        match self.markets.iter_mut().find(|m| m.asset == asset) {
            Some(slot) => *slot = loaded,
            None => self.markets.push(loaded),
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_fixtures::{market, ETH, NOW, USD};

    #[test]
    fn a_market_loads_once_and_a_second_load_keeps_the_changed_copy() {
        // A withdrawal loads its market and changes it, then the health check loads the
        // account's priced markets, that one among them. Loaded again from storage, the
        // record would sit beside the changed copy: a market past its accrual horizon
        // (changed on load) would be written back twice, the stale copy last, losing
        // the withdrawal (mutation testing: `contains` always false).
        let mut books = LoadedMarkets::default();
        books.load(USD, market(6, 1_000), NOW).unwrap();
        books.get_mut(USD).unwrap().state.cash -= 1;
        books.load(USD, market(6, 1_000), NOW + 60).unwrap();
        assert_eq!(books.markets.len(), 1, "one copy per asset");
        assert_eq!(books.get(USD).unwrap().state.cash, 1_000_000_000 - 1);
        assert!(books.contains(USD) && !books.contains(ETH));
    }

    #[test]
    fn every_accrual_that_moves_an_index_is_reported() {
        // Audit N-4: 0.6 USDC of debt accrued every 6 s earns a rounded interest of 0
        // while the indices move; an indexer holding the last reported index drifts.
        let mut usd = market(6, 1_000);
        let config = *usd.config();
        usd.state.borrow(&config, 0, 600_000).unwrap();
        let mut reported = 0;
        let mut now = NOW;
        for _ in 0..100 {
            now += 6;
            let before = usd.state;
            let mut books = LoadedMarkets::default();
            books.load(USD, usd, now).unwrap();
            let loaded = &books.markets[0];
            let moved = loaded.market.state.borrow_index_ray != before.borrow_index_ray
                || loaded.market.state.supply_index_ray != before.supply_index_ray;
            assert_eq!(loaded.reports_accrual(), moved, "at {now}");
            reported += usize::from(moved);
            usd = loaded.market;
        }
        assert_eq!(reported, 100);
    }
}
