//! A listed market as the pool stores it: the core's configuration and state plus the
//! pool's own switches (collateral and borrowing flags, per-action pauses, the
//! liquidation grace period after an unpause).

use crate::error::PoolError;
use carrack_core::{CoreError, CoreResult, MarketConfig, MarketState, MAX_FLASH_LOAN_FEE_WAD};

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
    /// `flash_loan` of this market's asset.
    pub flash_loan: bool,
}

impl PauseFlags {
    /// Every pausable action.
    pub const ALL: PauseFlags = PauseFlags {
        supply: true,
        withdraw: true,
        borrow: true,
        liquidate: true,
        collateral: true,
        flash_loan: true,
    };

    /// The actions that put new money to work: borrowing and supply (paused by the pool
    /// itself in a market past its accrual horizon).
    pub const LENDING: PauseFlags = PauseFlags {
        supply: true,
        withdraw: false,
        borrow: true,
        liquidate: false,
        collateral: false,
        flash_loan: false,
    };

    /// The flags set in `self` or in `other`.
    pub fn union(self, other: PauseFlags) -> PauseFlags {
        PauseFlags {
            supply: self.supply || other.supply,
            withdraw: self.withdraw || other.withdraw,
            borrow: self.borrow || other.borrow,
            liquidate: self.liquidate || other.liquidate,
            collateral: self.collateral || other.collateral,
            flash_loan: self.flash_loan || other.flash_loan,
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
            flash_loan: self.flash_loan && !other.flash_loan,
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
    /// The fee on a flash loan of this asset (WAD share of the amount, at most
    /// [`MAX_FLASH_LOAN_FEE_WAD`]); it goes to reserves, paying down any deficit first.
    pub flash_loan_fee_wad: u128,
}

impl MarketParams {
    /// Accepts the parameters or refuses them: the core's rules for the configuration,
    /// and a flash loan fee of at most [`MAX_FLASH_LOAN_FEE_WAD`].
    pub fn validate(&self) -> Result<(), PoolError> {
        self.config.validate().map_err(CoreError::from)?;
        if self.flash_loan_fee_wad > MAX_FLASH_LOAN_FEE_WAD {
            return Err(PoolError::FlashLoanFeeTooHigh);
        }
        Ok(())
    }
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
