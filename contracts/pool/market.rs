//! A listed market as the pool stores it: the core's configuration and state plus the
//! pool's own switches (collateral and borrowing flags, per-action pauses, the
//! liquidation grace period after an unpause).

use carrack_core::{CoreResult, MarketConfig, MarketState};

/// Most markets one pool lists.
pub const MAX_MARKETS: usize = 16;

/// The actions a pause can stop, one flag each. Repay has no flag: it is never paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct PauseFlags {
    /// `supply`.
    pub supply: bool,
    /// `withdraw`.
    pub withdraw: bool,
    /// `borrow`.
    pub borrow: bool,
    /// `liquidate`, with this market as the debt or the collateral side.
    pub liquidate: bool,
    /// `enable_collateral` and `disable_collateral`.
    pub collateral: bool,
}

impl PauseFlags {
    /// Every pausable action.
    pub const ALL: PauseFlags = PauseFlags {
        supply: true,
        withdraw: true,
        borrow: true,
        liquidate: true,
        collateral: true,
    };

    /// The actions that put new money to work: borrowing and supply (paused by the pool
    /// itself in a market past its accrual horizon).
    pub const LENDING: PauseFlags = PauseFlags {
        supply: true,
        withdraw: false,
        borrow: true,
        liquidate: false,
        collateral: false,
    };

    /// The flags set in `self` or in `other`.
    pub fn union(self, other: PauseFlags) -> PauseFlags {
        PauseFlags {
            supply: self.supply || other.supply,
            withdraw: self.withdraw || other.withdraw,
            borrow: self.borrow || other.borrow,
            liquidate: self.liquidate || other.liquidate,
            collateral: self.collateral || other.collateral,
        }
    }

    /// The flags set in `self` and not in `other`.
    pub fn minus(self, other: PauseFlags) -> PauseFlags {
        PauseFlags {
            supply: self.supply && !other.supply,
            withdraw: self.withdraw && !other.withdraw,
            borrow: self.borrow && !other.borrow,
            liquidate: self.liquidate && !other.liquidate,
            collateral: self.collateral && !other.collateral,
        }
    }
}

/// What governance sets for a market: the core's parameters and two switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct MarketParams {
    /// Decimals, risk parameters, rate model, caps and minimum debt.
    pub config: MarketConfig,
    /// Whether supply may count as collateral. Switching it off stops new borrowing
    /// power (LTV counts as zero) but keeps the liquidation threshold, so no position
    /// becomes liquidatable by the switch alone.
    pub collateral_enabled: bool,
    /// Whether new borrows are allowed.
    pub borrowing_enabled: bool,
}

/// A listed market.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Market {
    /// Governance's parameters.
    pub params: MarketParams,
    /// Totals, indices, cash, reserves and deficit.
    pub state: MarketState,
    /// The paused actions.
    pub paused: PauseFlags,
    /// No liquidation involving this market before this time (set on unpause).
    pub liquidation_grace_until_secs: u64,
}

impl Market {
    /// A market listed at `now_secs` with `params`, seeded with `seed_amount` of dead
    /// shares (see [`MarketState::list`]): nothing paused, no liquidation grace period.
    pub fn list(params: MarketParams, seed_amount: u128, now_secs: u64) -> CoreResult<Market> {
        Ok(Market {
            state: MarketState::list(&params.config, seed_amount, now_secs)?,
            params,
            paused: PauseFlags::default(),
            liquidation_grace_until_secs: 0,
        })
    }

    /// The market's configuration.
    pub fn config(&self) -> &MarketConfig {
        &self.params.config
    }

    /// The LTV that counts for borrowing power: zero while collateral is disabled.
    pub fn effective_ltv_wad(&self) -> u128 {
        if self.params.collateral_enabled {
            self.params.config.ltv_wad
        } else {
            0
        }
    }

    /// Accrues interest up to `now_secs` (see [`MarketState::accrue`]).
    pub fn accrue(&mut self, now_secs: u64) -> CoreResult<carrack_core::Accrual> {
        let config = self.params.config;
        self.state.accrue(&config, now_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_and_minus_combine_flags() {
        let supply = PauseFlags {
            supply: true,
            ..PauseFlags::default()
        };
        let borrow = PauseFlags {
            borrow: true,
            ..PauseFlags::default()
        };
        let both = supply.union(borrow);
        assert!(both.supply && both.borrow && !both.withdraw);
        assert_eq!(both.minus(supply), borrow);
        assert_eq!(
            PauseFlags::ALL.minus(PauseFlags::ALL),
            PauseFlags::default()
        );
    }
}
