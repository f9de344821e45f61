//! One market's state: scaled totals, the two indices, internal cash, reserves and
//! deficit, and the pure operations that move them.
//!
//! A position stores *scaled* amounts; its balance is `scaled * index`. Supply balances
//! use the supply index, debts the borrow index, both RAY and starting at 1.0. The
//! market's cash is counted here, never read from the token's `balance_of(pool)`, so
//! tokens sent to the pool directly change nothing.
//!
//! Solvency invariant kept by every operation (and checked by the property tests):
//! `cash + total_debt + deficit >= total_supplier_claims + reserves`.

use crate::config::MarketConfig;
use crate::error::{CoreError, CoreResult};
use crate::fixed_point::{add, ray_div, ray_mul, ray_pow, sub, wad_mul, Rounding, RAY};
use crate::rate_model::{supply_rate, utilization_wad};

/// Amount sentinel meaning "all of it" for withdraw and repay.
pub const ALL: u128 = u128::MAX;
/// Scaled supply minted to nobody when a market is listed (dead shares), so the market
/// is never empty and no first depositor can own all of its shares.
pub const MIN_DEAD_SHARES: u128 = 1_000;

/// The state of one market.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarketState {
    /// Sum of all scaled supply balances, dead shares included.
    pub total_scaled_supply: u128,
    /// Sum of all scaled debts.
    pub total_scaled_debt: u128,
    /// Supply index (RAY): underlying per scaled supply unit. Never decreases.
    pub supply_index_ray: u128,
    /// Borrow index (RAY): underlying owed per scaled debt unit. Never decreases.
    pub borrow_index_ray: u128,
    /// Underlying tokens the market holds, by its own count.
    pub cash: u128,
    /// The protocol's share of interest, held as part of `cash`.
    pub reserves: u128,
    /// Debt written off as bad and not yet covered by reserves.
    pub deficit: u128,
    /// When interest was last accrued (seconds since the Unix epoch).
    pub last_accrual_secs: u64,
}

/// What one accrual did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Accrual {
    /// Interest added to the total debt, in underlying units.
    pub interest: u128,
    /// The reserve factor's share of that interest.
    pub reserve_share: u128,
    /// The part of the reserve share that paid down the deficit.
    pub deficit_covered: u128,
}

/// What writing off a bad debt did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOff {
    /// The debt removed, in underlying units.
    pub debt: u128,
    /// How much of it the reserves absorbed.
    pub absorbed_by_reserves: u128,
    /// How much was left as deficit.
    pub added_to_deficit: u128,
}

impl MarketState {
    /// A new market, seeded with `seed_amount` underlying (already transferred in) whose
    /// shares belong to nobody.
    pub fn list(config: &MarketConfig, seed_amount: u128, now_secs: u64) -> CoreResult<Self> {
        config.validate()?;
        let mut state = MarketState {
            total_scaled_supply: 0,
            total_scaled_debt: 0,
            supply_index_ray: RAY,
            borrow_index_ray: RAY,
            cash: 0,
            reserves: 0,
            deficit: 0,
            last_accrual_secs: now_secs,
        };
        let scaled = state.supply(config, seed_amount)?;
        if scaled < MIN_DEAD_SHARES {
            return Err(CoreError::SeedTooSmall);
        }
        Ok(state)
    }

    /// Total supplier claims, rounded as asked.
    pub fn total_supply(&self, rounding: Rounding) -> CoreResult<u128> {
        ray_mul(self.total_scaled_supply, self.supply_index_ray, rounding)
    }

    /// Total debt, rounded as asked.
    pub fn total_debt(&self, rounding: Rounding) -> CoreResult<u128> {
        ray_mul(self.total_scaled_debt, self.borrow_index_ray, rounding)
    }

    /// A supply balance as shown to its owner: rounded down.
    pub fn supply_balance(&self, scaled: u128) -> CoreResult<u128> {
        ray_mul(scaled, self.supply_index_ray, Rounding::Down)
    }

    /// A debt as shown to its owner: rounded up.
    pub fn debt_balance(&self, scaled_debt: u128) -> CoreResult<u128> {
        ray_mul(scaled_debt, self.borrow_index_ray, Rounding::Up)
    }

    /// Brings both indices to `now_secs`.
    ///
    /// The borrow index compounds per second exactly (`(1 + r)^dt` by squaring, each step
    /// rounded up: at most `2 * log2(dt)` RAY units above the exact power). The supply
    /// index grows linearly at the supply rate (`1 + r_s * dt`, rounded down), which is
    /// never more than what the compounded debt pays; the gap stays in the pool. The
    /// reserve factor's share of the interest (rounded down) first pays down any deficit,
    /// the rest adds to reserves. No time passed or no debt: only the clock moves.
    ///
    /// Overflow horizon: the borrow index is a `u128` RAY, so it fits a growth of 3.4e11x:
    /// about 2.6 years at the 1000 %/yr cap, 26 years at 100 %/yr, 130 years at 20 %/yr.
    /// Beyond it accrual returns `Overflow` instead of wrapping.
    pub fn accrue(&mut self, config: &MarketConfig, now_secs: u64) -> CoreResult<Accrual> {
        let elapsed = now_secs
            .checked_sub(self.last_accrual_secs)
            .ok_or(CoreError::TimeWentBackwards)?;
        if elapsed == 0 || self.total_scaled_debt == 0 {
            self.last_accrual_secs = now_secs;
            return Ok(Accrual::default());
        }
        let debt_before = self.total_debt(Rounding::Up)?;
        let utilization = utilization_wad(self.cash, debt_before)?;
        let borrow_rate_ray = config.rate_model.borrow_rate_per_second_ray(utilization)?;
        let growth_ray = ray_pow(add(RAY, borrow_rate_ray)?, elapsed, Rounding::Up)?;
        let borrow_index_ray = ray_mul(self.borrow_index_ray, growth_ray, Rounding::Up)?;
        let debt_after = ray_mul(self.total_scaled_debt, borrow_index_ray, Rounding::Up)?;
        let interest = sub(debt_after, debt_before)?;

        let supply_rate_ray = supply_rate(borrow_rate_ray, utilization, config.reserve_factor_wad)?;
        let linear_ray = supply_rate_ray
            .checked_mul(u128::from(elapsed))
            .ok_or(CoreError::Overflow)?;
        let supply_index_ray =
            ray_mul(self.supply_index_ray, add(RAY, linear_ray)?, Rounding::Down)?;

        let reserve_share = wad_mul(interest, config.reserve_factor_wad, Rounding::Down)?;
        let deficit_covered = reserve_share.min(self.deficit);
        let reserves = add(self.reserves, sub(reserve_share, deficit_covered)?)?;

        self.borrow_index_ray = borrow_index_ray;
        self.supply_index_ray = supply_index_ray.max(self.supply_index_ray);
        self.deficit = sub(self.deficit, deficit_covered)?;
        self.reserves = reserves;
        self.last_accrual_secs = now_secs;
        Ok(Accrual {
            interest,
            reserve_share,
            deficit_covered,
        })
    }

    /// Takes `amount` underlying in and returns the scaled supply to credit (rounded
    /// down). Refuses a zero amount, an amount too small to mint one scaled unit and a
    /// supply above the cap.
    pub fn supply(&mut self, config: &MarketConfig, amount: u128) -> CoreResult<u128> {
        if amount == 0 {
            return Err(CoreError::ZeroAmount);
        }
        let scaled = ray_div(amount, self.supply_index_ray, Rounding::Down)?;
        if scaled == 0 {
            return Err(CoreError::AmountTooSmall);
        }
        let total_scaled_supply = add(self.total_scaled_supply, scaled)?;
        let total_supply = ray_mul(total_scaled_supply, self.supply_index_ray, Rounding::Up)?;
        if total_supply > config.supply_cap {
            return Err(CoreError::SupplyCapExceeded);
        }
        self.cash = add(self.cash, amount)?;
        self.total_scaled_supply = total_scaled_supply;
        Ok(scaled)
    }

    /// Pays `amount` underlying (or [`ALL`]) out of a position of `position_scaled`;
    /// returns `(amount paid, scaled to burn)`. The burn rounds up; `ALL` pays the shown
    /// balance (rounded down) and burns the whole position.
    pub fn withdraw(&mut self, position_scaled: u128, amount: u128) -> CoreResult<(u128, u128)> {
        let (amount, scaled) = if amount == ALL {
            (self.supply_balance(position_scaled)?, position_scaled)
        } else {
            if amount == 0 {
                return Err(CoreError::ZeroAmount);
            }
            (
                amount,
                ray_div(amount, self.supply_index_ray, Rounding::Up)?,
            )
        };
        if position_scaled == 0 || scaled > position_scaled {
            return Err(CoreError::InsufficientSupply);
        }
        if amount > self.cash {
            return Err(CoreError::InsufficientCash);
        }
        self.cash = sub(self.cash, amount)?;
        self.total_scaled_supply = sub(self.total_scaled_supply, scaled)?;
        Ok((amount, scaled))
    }

    /// Lends `amount` underlying to a position owing `position_scaled_debt`; returns the
    /// scaled debt to add (rounded up). Checks cash, the borrow cap and the minimum debt.
    /// Account health is the caller's business (see [`crate::health`]).
    pub fn borrow(
        &mut self,
        config: &MarketConfig,
        position_scaled_debt: u128,
        amount: u128,
    ) -> CoreResult<u128> {
        if amount == 0 {
            return Err(CoreError::ZeroAmount);
        }
        if amount > self.cash {
            return Err(CoreError::InsufficientCash);
        }
        let scaled = ray_div(amount, self.borrow_index_ray, Rounding::Up)?;
        let position_debt = self.debt_balance(add(position_scaled_debt, scaled)?)?;
        if position_debt < config.min_debt {
            return Err(CoreError::BelowMinimumDebt);
        }
        let total_scaled_debt = add(self.total_scaled_debt, scaled)?;
        if ray_mul(total_scaled_debt, self.borrow_index_ray, Rounding::Up)? > config.borrow_cap {
            return Err(CoreError::BorrowCapExceeded);
        }
        self.cash = sub(self.cash, amount)?;
        self.total_scaled_debt = total_scaled_debt;
        Ok(scaled)
    }

    /// Takes `amount` underlying (or [`ALL`]) against a debt of `position_scaled_debt`;
    /// returns `(amount to take, scaled debt to burn)`. The burn rounds down; repaying the
    /// whole shown debt (or `ALL`) burns the whole position, so no dust is left. A partial
    /// repayment must leave at least the minimum debt.
    pub fn repay(
        &mut self,
        config: &MarketConfig,
        position_scaled_debt: u128,
        amount: u128,
    ) -> CoreResult<(u128, u128)> {
        let debt = self.debt_balance(position_scaled_debt)?;
        if debt == 0 {
            return Err(CoreError::NoDebt);
        }
        let (amount, scaled) = if amount == ALL || amount == debt {
            (debt, position_scaled_debt)
        } else {
            if amount == 0 {
                return Err(CoreError::ZeroAmount);
            }
            if amount > debt {
                return Err(CoreError::RepayExceedsDebt);
            }
            let scaled = ray_div(amount, self.borrow_index_ray, Rounding::Down)?;
            if scaled == 0 {
                return Err(CoreError::AmountTooSmall);
            }
            let remaining = self.debt_balance(sub(position_scaled_debt, scaled)?)?;
            if remaining != 0 && remaining < config.min_debt {
                return Err(CoreError::BelowMinimumDebt);
            }
            (amount, scaled)
        };
        self.cash = add(self.cash, amount)?;
        self.total_scaled_debt = sub(self.total_scaled_debt, scaled)?;
        Ok((amount, scaled))
    }

    /// Removes a bad debt of `position_scaled_debt` that no collateral backs any more:
    /// reserves absorb what they can, the rest becomes deficit.
    pub fn write_off(&mut self, position_scaled_debt: u128) -> CoreResult<WriteOff> {
        let debt = self.debt_balance(position_scaled_debt)?;
        let absorbed_by_reserves = debt.min(self.reserves);
        let added_to_deficit = sub(debt, absorbed_by_reserves)?;
        self.total_scaled_debt = sub(self.total_scaled_debt, position_scaled_debt)?;
        self.reserves = sub(self.reserves, absorbed_by_reserves)?;
        self.deficit = add(self.deficit, added_to_deficit)?;
        Ok(WriteOff {
            debt,
            absorbed_by_reserves,
            added_to_deficit,
        })
    }

    /// Pays `amount` of reserves out; never more than the reserves, so depositors' cash
    /// cannot be taken.
    pub fn withdraw_reserves(&mut self, amount: u128) -> CoreResult<()> {
        if amount == 0 {
            return Err(CoreError::ZeroAmount);
        }
        if amount > self.reserves {
            return Err(CoreError::InsufficientReserves);
        }
        if amount > self.cash {
            return Err(CoreError::InsufficientCash);
        }
        self.reserves = sub(self.reserves, amount)?;
        self.cash = sub(self.cash, amount)?;
        Ok(())
    }

    /// Turns `scaled` supply of a position into reserves worth `amount` underlying (a
    /// liquidation's protocol fee, paid in the collateral): the supplier claim is burned
    /// and the same cash is booked as reserves, so nothing leaves the pool.
    pub fn convert_supply_to_reserves(&mut self, scaled: u128, amount: u128) -> CoreResult<()> {
        self.total_scaled_supply = sub(self.total_scaled_supply, scaled)?;
        self.reserves = add(self.reserves, amount)?;
        Ok(())
    }
}
