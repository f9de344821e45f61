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
use crate::error::CoreError;
use crate::fixed_point::{add, ray_div, ray_mul, ray_pow, sub, wad_mul, Rounding, RAY};
use crate::rate_model::{supply_rate, utilization_wad};

/// Amount sentinel meaning "all of it" for withdraw and repay.
pub const ALL: u128 = u128::MAX;
/// Scaled supply minted to nobody when a market is listed (dead shares), so the market
/// is never empty and no first depositor can own all of its shares.
pub const MIN_DEAD_SHARES: u128 = 1_000;

/// The state of one market.
#[cfg_attr(feature = "ink", ink::scale_derive(Encode, Decode, TypeInfo))]
#[cfg_attr(
    all(feature = "ink", feature = "std"),
    derive(ink::storage::traits::StorageLayout)
)]
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
    /// The growth since the last accrual did not fit (the market is past its horizon):
    /// the indices stayed, only the clock moved, and that interest is forgone.
    pub halted: bool,
}

/// What writing off a bad debt did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOff {
    /// The scaled debt removed (the whole position).
    pub scaled_debt: u128,
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
    pub fn list(
        config: &MarketConfig,
        seed_amount: u128,
        now_secs: u64,
    ) -> Result<Self, CoreError> {
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
    pub fn total_supply(&self, rounding: Rounding) -> Result<u128, CoreError> {
        ray_mul(self.total_scaled_supply, self.supply_index_ray, rounding)
    }

    /// Total debt, rounded as asked.
    pub fn total_debt(&self, rounding: Rounding) -> Result<u128, CoreError> {
        ray_mul(self.total_scaled_debt, self.borrow_index_ray, rounding)
    }

    /// A supply balance as shown to its owner: rounded down.
    pub fn supply_balance(&self, scaled: u128) -> Result<u128, CoreError> {
        ray_mul(scaled, self.supply_index_ray, Rounding::Down)
    }

    /// A debt as shown to its owner: rounded up.
    pub fn debt_balance(&self, scaled_debt: u128) -> Result<u128, CoreError> {
        ray_mul(scaled_debt, self.borrow_index_ray, Rounding::Up)
    }

    /// Brings both indices to `now_secs`.
    ///
    /// The borrow index compounds per second exactly (`(1 + r)^dt` by squaring, each step
    /// rounded up: relative error at most `(2 * dt + 64) * 1e-27`, see
    /// [`crate::fixed_point::ray_pow`]). The supply index grows linearly at the supply
    /// rate (`1 + r_s * dt`, rounded down), which is never more than what the compounded
    /// debt pays; the gap stays in the pool. While a deficit is outstanding the supply
    /// rate uses `debt / (cash + debt + deficit)` in place of the utilization, so the
    /// claims it leaves unbacked earn nothing. The reserve factor's share of the exact
    /// debt growth (rounded down) first pays down any deficit, the rest adds to reserves.
    /// No time passed or no debt: only the clock moves.
    ///
    /// Overflow horizon: the borrow index is a `u128` RAY, so it fits a growth of 3.4e11x:
    /// about 2.6 years at the 1000 %/yr cap, 26 years at 100 %/yr, 130 years at 20 %/yr
    /// of cumulative interest over the market's life. An accrual whose result does not
    /// fit (an index, the total debt or supply, or `cash + debt + deficit`) neither wraps
    /// nor fails: it moves only the clock and reports `halted`, forgoing that interest
    /// (in the borrowers' favour, the one rounding here that is not the protocol's), so
    /// repaying, withdrawing, liquidating and governance's repairs keep working
    /// (audit L-3). The pool then pauses borrowing and supply in the market.
    pub fn accrue(&mut self, config: &MarketConfig, now_secs: u64) -> Result<Accrual, CoreError> {
        let elapsed = now_secs
            .checked_sub(self.last_accrual_secs)
            .ok_or(CoreError::TimeWentBackwards)?;
        if elapsed == 0 || self.total_scaled_debt == 0 {
            self.last_accrual_secs = now_secs;
            return Ok(Accrual::default());
        }
        match self.grown(config, elapsed) {
            Ok((grown, accrual)) => {
                *self = grown;
                self.last_accrual_secs = now_secs;
                Ok(accrual)
            }
            Err(CoreError::Overflow) => {
                self.last_accrual_secs = now_secs;
                Ok(Accrual {
                    halted: true,
                    ..Accrual::default()
                })
            }
            Err(err) => Err(err),
        }
    }

    /// The state after `elapsed_secs` more of interest, and what that growth did;
    /// `Overflow` when any of it does not fit.
    fn grown(
        &self,
        config: &MarketConfig,
        elapsed_secs: u64,
    ) -> Result<(Self, Accrual), CoreError> {
        let debt_before = self.total_debt(Rounding::Up)?;
        let utilization = utilization_wad(self.cash, debt_before)?;
        let borrow_rate_ray = config.rate_model.borrow_rate_per_second_ray(utilization)?;
        let growth_ray = ray_pow(add(RAY, borrow_rate_ray)?, elapsed_secs, Rounding::Up)?;
        let borrow_index_ray = ray_mul(self.borrow_index_ray, growth_ray, Rounding::Up)?;
        let debt_after = ray_mul(self.total_scaled_debt, borrow_index_ray, Rounding::Up)?;
        let interest = sub(debt_after, debt_before)?;

        // Suppliers earn on the share of the market's book that is lent out, the deficit
        // counting as idle: claims the deficit leaves unbacked earn nothing, so suppliers
        // are never credited more than borrowers pay (without a deficit this is `u`).
        let earning_share = utilization_wad(add(self.cash, self.deficit)?, debt_before)?;
        let supply_rate_ray =
            supply_rate(borrow_rate_ray, earning_share, config.reserve_factor_wad)?;
        let linear_ray = supply_rate_ray
            .checked_mul(u128::from(elapsed_secs))
            .ok_or(CoreError::Overflow)?;
        let supply_index_ray =
            ray_mul(self.supply_index_ray, add(RAY, linear_ray)?, Rounding::Down)?
                .max(self.supply_index_ray);

        // Reserves take their share of the exact debt growth, rounded down: `interest` is a
        // difference of two rounded-up totals and may exceed it by up to one unit.
        let exact_growth = ray_mul(
            self.total_scaled_debt,
            sub(borrow_index_ray, self.borrow_index_ray)?,
            Rounding::Down,
        )?;
        let reserve_share = wad_mul(exact_growth, config.reserve_factor_wad, Rounding::Down)?;
        let deficit_covered = reserve_share.min(self.deficit);
        let reserves = add(self.reserves, sub(reserve_share, deficit_covered)?)?;
        let deficit = sub(self.deficit, deficit_covered)?;

        let grown = MarketState {
            borrow_index_ray,
            supply_index_ray,
            deficit,
            reserves,
            ..*self
        };
        // Every total later messages form must still fit.
        grown.total_supply(Rounding::Up)?;
        add(add(grown.cash, grown.deficit)?, debt_after)?;
        Ok((
            grown,
            Accrual {
                interest,
                reserve_share,
                deficit_covered,
                halted: false,
            },
        ))
    }

    /// Takes `amount` underlying in and returns the scaled supply to credit (rounded
    /// down). Refuses a zero amount, an amount too small to mint one scaled unit and a
    /// supply above the cap.
    pub fn supply(&mut self, config: &MarketConfig, amount: u128) -> Result<u128, CoreError> {
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
    pub fn withdraw(
        &mut self,
        position_scaled: u128,
        amount: u128,
    ) -> Result<(u128, u128), CoreError> {
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
        let cash = sub(self.cash, amount)?;
        let total_scaled_supply = sub(self.total_scaled_supply, scaled)?;
        self.cash = cash;
        self.total_scaled_supply = total_scaled_supply;
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
    ) -> Result<u128, CoreError> {
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

    /// Repays `amount` (or [`ALL`]) of a position's debt; returns `(amount taken, scaled
    /// debt burned)`. The burn rounds down (the borrower is relieved of no more than it
    /// paid), paying the shown debt clears the position, and a remainder between zero and
    /// the market's minimum debt is refused.
    pub fn repay(
        &mut self,
        config: &MarketConfig,
        position_scaled_debt: u128,
        amount: u128,
    ) -> Result<(u128, u128), CoreError> {
        self.burn_debt(position_scaled_debt, amount, config.min_debt)
    }

    /// Repays a liquidated position's debt: as [`MarketState::repay`], but without the
    /// minimum-debt rule, which the liquidation's own dust rule replaces.
    pub fn liquidation_repay(
        &mut self,
        position_scaled_debt: u128,
        amount: u128,
    ) -> Result<(u128, u128), CoreError> {
        self.burn_debt(position_scaled_debt, amount, 0)
    }

    fn burn_debt(
        &mut self,
        position_scaled_debt: u128,
        amount: u128,
        min_debt: u128,
    ) -> Result<(u128, u128), CoreError> {
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
            if remaining != 0 && remaining < min_debt {
                return Err(CoreError::BelowMinimumDebt);
            }
            (amount, scaled)
        };
        let cash = add(self.cash, amount)?;
        let total_scaled_debt = sub(self.total_scaled_debt, scaled)?;
        self.cash = cash;
        self.total_scaled_debt = total_scaled_debt;
        Ok((amount, scaled))
    }

    /// Removes a bad debt of `position_scaled_debt` that no collateral backs any more:
    /// reserves absorb what they can, the rest becomes deficit.
    pub fn write_off(&mut self, position_scaled_debt: u128) -> Result<WriteOff, CoreError> {
        let debt = self.debt_balance(position_scaled_debt)?;
        let absorbed_by_reserves = debt.min(self.reserves);
        let added_to_deficit = sub(debt, absorbed_by_reserves)?;
        let total_scaled_debt = sub(self.total_scaled_debt, position_scaled_debt)?;
        let reserves = sub(self.reserves, absorbed_by_reserves)?;
        let deficit = add(self.deficit, added_to_deficit)?;
        self.total_scaled_debt = total_scaled_debt;
        self.reserves = reserves;
        self.deficit = deficit;
        Ok(WriteOff {
            scaled_debt: position_scaled_debt,
            debt,
            absorbed_by_reserves,
            added_to_deficit,
        })
    }

    /// Pays `amount` of reserves out; never more than the reserves, so depositors' cash
    /// cannot be taken, and nothing while a deficit is outstanding (the suppliers it
    /// leaves short are paid down first: audit L-4).
    pub fn withdraw_reserves(&mut self, amount: u128) -> Result<(), CoreError> {
        if amount == 0 {
            return Err(CoreError::ZeroAmount);
        }
        if self.deficit != 0 {
            return Err(CoreError::DeficitOutstanding);
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

    /// Takes `collateral_seized` from a liquidated supply position of `position_scaled`:
    /// `collateral_seized - protocol_fee` leaves the pool as cash to the liquidator and
    /// `protocol_fee` stays in the market, paying down any deficit first and adding the
    /// rest to reserves (audit L-4). Returns the scaled supply burned, rounded up (the
    /// borrower gives up at least what is taken), or the whole position when everything
    /// shown is seized.
    pub fn seize(
        &mut self,
        position_scaled: u128,
        collateral_seized: u128,
        protocol_fee: u128,
    ) -> Result<u128, CoreError> {
        self.take_collateral(position_scaled, collateral_seized, protocol_fee, false)
            .map(|(burned, _)| burned)
    }

    /// As [`MarketState::seize`], but the liquidator's part stays in the market as supply
    /// credited to the liquidator (as aTokens in Aave) instead of leaving as cash, so it
    /// works however little cash the market has. Returns `(scaled supply burned from the
    /// position, scaled supply minted to the liquidator)`: the burn rounds up, the mint
    /// down, so the liquidator's new claim never exceeds its part; a part too small to
    /// mint one scaled unit is refused ([`CoreError::AmountTooSmall`]).
    pub fn seize_to_supply(
        &mut self,
        position_scaled: u128,
        collateral_seized: u128,
        protocol_fee: u128,
    ) -> Result<(u128, u128), CoreError> {
        self.take_collateral(position_scaled, collateral_seized, protocol_fee, true)
    }

    fn take_collateral(
        &mut self,
        position_scaled: u128,
        collateral_seized: u128,
        protocol_fee: u128,
        to_supply: bool,
    ) -> Result<(u128, u128), CoreError> {
        let balance = self.supply_balance(position_scaled)?;
        if collateral_seized == 0 {
            return Err(CoreError::ZeroAmount);
        }
        if collateral_seized > balance {
            return Err(CoreError::InsufficientSupply);
        }
        let burned = if collateral_seized == balance {
            position_scaled
        } else {
            ray_div(collateral_seized, self.supply_index_ray, Rounding::Up)?.min(position_scaled)
        };
        let to_liquidator = sub(collateral_seized, protocol_fee)?;
        let (cash, minted) = if to_supply {
            let minted = ray_div(to_liquidator, self.supply_index_ray, Rounding::Down)?;
            if minted == 0 {
                return Err(CoreError::AmountTooSmall);
            }
            (self.cash, minted)
        } else {
            if to_liquidator > self.cash {
                return Err(CoreError::InsufficientCash);
            }
            (sub(self.cash, to_liquidator)?, 0)
        };
        let total_scaled_supply = add(sub(self.total_scaled_supply, burned)?, minted)?;
        // The fee pays down any deficit first, as reserve income does in `accrue`.
        let deficit_covered = protocol_fee.min(self.deficit);
        let reserves = add(self.reserves, sub(protocol_fee, deficit_covered)?)?;
        let deficit = sub(self.deficit, deficit_covered)?;
        self.total_scaled_supply = total_scaled_supply;
        self.cash = cash;
        self.reserves = reserves;
        self.deficit = deficit;
        Ok((burned, minted))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::sample_config;
    use crate::fixed_point::WAD;

    const T0: u64 = 1_700_000_000;
    const YEAR: u64 = 31_536_000;

    fn listed() -> (MarketConfig, MarketState) {
        let config = sample_config(6);
        let state = MarketState::list(&config, 1_000_000, T0).unwrap();
        (config, state)
    }

    #[test]
    fn listing_seeds_dead_shares() {
        let (_, state) = listed();
        assert_eq!(state.total_scaled_supply, 1_000_000);
        assert_eq!(state.cash, 1_000_000);
        assert_eq!(state.supply_index_ray, RAY);
        assert_eq!(
            MarketState::list(&sample_config(6), 999, T0),
            Err(CoreError::SeedTooSmall)
        );
        assert_eq!(
            MarketState::list(&sample_config(6), 0, T0),
            Err(CoreError::ZeroAmount)
        );
        let mut bad = sample_config(6);
        bad.decimals = 30;
        assert_eq!(
            MarketState::list(&bad, 1_000_000, T0),
            Err(CoreError::InvalidConfig(
                crate::ConfigError::DecimalsTooLarge
            ))
        );
    }

    #[test]
    fn supply_and_withdraw_move_cash_and_scaled_supply() {
        let (config, mut state) = listed();
        let scaled = state.supply(&config, 500).unwrap();
        assert_eq!(scaled, 500);
        assert_eq!(state.cash, 1_000_500);
        assert_eq!(state.withdraw(scaled, 200), Ok((200, 200)));
        assert_eq!(state.withdraw(300, ALL), Ok((300, 300)));
        assert_eq!(state.cash, 1_000_000);
        assert_eq!(state.total_scaled_supply, 1_000_000);
    }

    #[test]
    fn supply_errors() {
        let (mut config, mut state) = listed();
        assert_eq!(state.supply(&config, 0), Err(CoreError::ZeroAmount));
        state.supply_index_ray = 3 * RAY;
        assert_eq!(state.supply(&config, 2), Err(CoreError::AmountTooSmall));
        config.supply_cap = 3_000_010;
        let before = state;
        assert_eq!(state.supply(&config, 12), Err(CoreError::SupplyCapExceeded));
        assert_eq!(state, before, "a refused supply changes nothing");
        assert_eq!(state.supply(&config, 9), Ok(3));
    }

    #[test]
    fn withdraw_errors() {
        let (_, mut state) = listed();
        assert_eq!(state.withdraw(10, 0), Err(CoreError::ZeroAmount));
        assert_eq!(state.withdraw(10, 11), Err(CoreError::InsufficientSupply));
        assert_eq!(state.withdraw(0, ALL), Err(CoreError::InsufficientSupply));
        state.cash = 5;
        assert_eq!(state.withdraw(10, 6), Err(CoreError::InsufficientCash));
    }

    #[test]
    fn borrow_and_repay_round_trip_without_dust() {
        let (config, mut state) = listed();
        let scaled = state.borrow(&config, 0, 400_000).unwrap();
        assert_eq!(scaled, 400_000);
        assert_eq!(state.cash, 600_000);
        assert_eq!(
            state.repay(&config, scaled, 100_000),
            Ok((100_000, 100_000))
        );
        assert_eq!(state.repay(&config, 300_000, ALL), Ok((300_000, 300_000)));
        assert_eq!(state.total_scaled_debt, 0);
        assert_eq!(state.cash, 1_000_000);
    }

    #[test]
    fn borrow_errors() {
        let (mut config, mut state) = listed();
        assert_eq!(state.borrow(&config, 0, 0), Err(CoreError::ZeroAmount));
        assert_eq!(
            state.borrow(&config, 0, 1_000_001),
            Err(CoreError::InsufficientCash)
        );
        config.min_debt = 100;
        assert_eq!(
            state.borrow(&config, 0, 99),
            Err(CoreError::BelowMinimumDebt)
        );
        assert_eq!(state.borrow(&config, 0, 100), Ok(100));
        config.borrow_cap = 150;
        assert_eq!(
            state.borrow(&config, 100, 51),
            Err(CoreError::BorrowCapExceeded)
        );
        assert_eq!(state.borrow(&config, 100, 50), Ok(50));
    }

    #[test]
    fn repay_errors_and_min_debt() {
        let (mut config, mut state) = listed();
        assert_eq!(state.repay(&config, 0, 1), Err(CoreError::NoDebt));
        let scaled = state.borrow(&config, 0, 1_000).unwrap();
        assert_eq!(state.repay(&config, scaled, 0), Err(CoreError::ZeroAmount));
        assert_eq!(
            state.repay(&config, scaled, 1_001),
            Err(CoreError::RepayExceedsDebt)
        );
        config.min_debt = 500;
        assert_eq!(
            state.repay(&config, scaled, 600),
            Err(CoreError::BelowMinimumDebt)
        );
        assert_eq!(state.repay(&config, scaled, 500), Ok((500, 500)));
        state.borrow_index_ray = 3 * RAY;
        assert_eq!(state.repay(&config, 500, 2), Err(CoreError::AmountTooSmall));
    }

    #[test]
    fn repaying_the_shown_debt_clears_the_position() {
        let (config, mut state) = listed();
        let scaled = state.borrow(&config, 0, 1_000).unwrap();
        state.borrow_index_ray = RAY + RAY / 3;
        let debt = state.debt_balance(scaled).unwrap();
        assert_eq!(debt, 1_334, "1333.33 shown rounded up");
        assert_eq!(state.repay(&config, scaled, debt), Ok((1_334, scaled)));
        assert_eq!(state.total_scaled_debt, 0);
    }

    #[test]
    fn accrual_is_a_no_op_without_time_or_debt() {
        let (config, mut state) = listed();
        assert_eq!(state.accrue(&config, T0), Ok(Accrual::default()));
        assert_eq!(state.accrue(&config, T0 + YEAR), Ok(Accrual::default()));
        assert_eq!(state.supply_index_ray, RAY, "no borrowers, no interest");
        assert_eq!(state.last_accrual_secs, T0 + YEAR);
        assert_eq!(state.accrue(&config, T0), Err(CoreError::TimeWentBackwards));
    }

    #[test]
    fn one_year_at_half_utilization() {
        let (config, mut state) = listed();
        state.borrow(&config, 0, 500_000).unwrap();
        let accrual = state.accrue(&config, T0 + YEAR).unwrap();
        // u = 50 %: borrow rate 1 % + 4 % * 0.5 / 0.8 = 3.5 %/yr, compounded per second
        // (e^0.035 - 1 = 3.5620 %); supply rate 3.5 % * 0.5 * 0.9 = 1.575 % linear.
        assert_eq!(accrual.interest, 17_810);
        assert_eq!(state.debt_balance(500_000), Ok(517_810));
        let index_millionths = state.supply_index_ray / (RAY / 1_000_000);
        assert_eq!(
            index_millionths, 1_015_749,
            "1.575 %, a hair below: rates round down"
        );
        assert_eq!(
            accrual.reserve_share, 1_780,
            "a tenth of the exact growth 17_809.x"
        );
        assert_eq!(state.reserves, 1_780);
        let claims = state.total_supply(Rounding::Up).unwrap();
        let debt = state.total_debt(Rounding::Down).unwrap();
        assert!(state.cash + debt >= claims + state.reserves);
    }

    #[test]
    fn an_accrual_past_the_horizon_neither_wraps_nor_bricks_the_market() {
        // Audit L-3: an accrual that no longer fits used to fail, and with it every
        // message that loads the market (repay included) for good.
        let (mut config, mut state) = listed();
        config.rate_model.base_rate_wad = 10 * WAD;
        config.rate_model.slope_low_wad = 0;
        config.rate_model.slope_high_wad = 0;
        let scaled = state.borrow(&config, 0, 500_000).unwrap();
        let before = state;
        let mut grown = state;
        assert!(
            grown.accrue(&config, T0 + 2 * YEAR).is_ok(),
            "two years at the cap fit"
        );
        assert!(grown.borrow_index_ray > before.borrow_index_ray);
        assert!(state.accrue(&config, T0 + 3 * YEAR).is_ok());
        assert_eq!(
            (state.borrow_index_ray, state.supply_index_ray),
            (before.borrow_index_ray, before.supply_index_ray),
            "indices never wrap"
        );
        assert_eq!(state.last_accrual_secs, T0 + 3 * YEAR);
        assert_eq!(state.repay(&config, scaled, ALL), Ok((500_000, scaled)));
    }

    #[test]
    fn write_off_goes_to_reserves_first_then_deficit() {
        let (config, mut state) = listed();
        let scaled = state.borrow(&config, 0, 1_000).unwrap();
        state.reserves = 300;
        assert_eq!(
            state.write_off(scaled),
            Ok(WriteOff {
                scaled_debt: scaled,
                debt: 1_000,
                absorbed_by_reserves: 300,
                added_to_deficit: 700
            })
        );
        assert_eq!(state.reserves, 0);
        assert_eq!(state.deficit, 700);
        assert_eq!(state.total_scaled_debt, 0);
    }

    #[test]
    fn later_reserves_pay_down_the_deficit() {
        let (config, mut state) = listed();
        state.borrow(&config, 0, 500_000).unwrap();
        state.deficit = 1_000;
        let accrual = state.accrue(&config, T0 + YEAR).unwrap();
        assert_eq!(accrual.deficit_covered, 1_000);
        assert_eq!(state.deficit, 0);
        assert_eq!(state.reserves, accrual.reserve_share - 1_000);
    }

    #[test]
    fn reserves_withdrawal_never_touches_depositors_cash() {
        let (config, mut state) = listed();
        state.reserves = 100;
        assert_eq!(state.withdraw_reserves(0), Err(CoreError::ZeroAmount));
        assert_eq!(
            state.withdraw_reserves(101),
            Err(CoreError::InsufficientReserves)
        );
        state.borrow(&config, 0, 999_950).unwrap();
        assert_eq!(
            state.withdraw_reserves(100),
            Err(CoreError::InsufficientCash)
        );
        assert_eq!(state.withdraw_reserves(50), Ok(()));
        assert_eq!((state.reserves, state.cash), (50, 0));
    }

    #[test]
    fn seizing_pays_the_liquidator_from_cash_and_books_the_fee_as_reserves() {
        let (_, mut state) = listed();
        state.supply_index_ray = RAY + RAY / 2; // balance of 10 scaled = 15
        assert_eq!(
            state.seize(10, 7, 1),
            Ok(5),
            "7 / 1.5 = 4.67 -> 5 scaled, up"
        );
        assert_eq!(state.total_scaled_supply, 999_995);
        assert_eq!((state.cash, state.reserves), (999_994, 1));
        assert_eq!(state.seize(10, 15, 0), Ok(10), "the whole shown balance");
        assert_eq!(state.seize(10, 16, 0), Err(CoreError::InsufficientSupply));
        assert_eq!(state.seize(10, 0, 0), Err(CoreError::ZeroAmount));
        assert_eq!(state.seize(10, 5, 6), Err(CoreError::Underflow));
        state.cash = 3;
        let before = state;
        assert_eq!(state.seize(10, 5, 1), Err(CoreError::InsufficientCash));
        assert_eq!(state, before, "a refused seizure changes nothing");
        assert_eq!(state.seize(10, 5, 2), Ok(4), "the fee part needs no cash");
    }

    #[test]
    fn seizing_to_supply_needs_no_cash_and_credits_the_liquidator_rounding_down() {
        let (_, mut state) = listed();
        state.supply_index_ray = RAY + RAY / 2; // balance of 10 scaled = 15
        state.cash = 0;
        // 7 seized, 1 of it fee: 7 / 1.5 -> 5 scaled burned (up), 6 / 1.5 = 4 minted.
        assert_eq!(state.seize_to_supply(10, 7, 1), Ok((5, 4)));
        assert_eq!(state.total_scaled_supply, 1_000_000 - 5 + 4);
        assert_eq!((state.cash, state.reserves), (0, 1));
        // 5 seized, 1 fee: 4 / 1.5 = 2.67 -> 2 minted (down), 4 burned (5 / 1.5 up).
        assert_eq!(state.seize_to_supply(10, 5, 1), Ok((4, 2)));
        let before = state;
        assert_eq!(
            state.seize_to_supply(10, 2, 1),
            Err(CoreError::AmountTooSmall),
            "1 / 1.5 mints nothing"
        );
        assert_eq!(
            state.seize_to_supply(10, 16, 0),
            Err(CoreError::InsufficientSupply)
        );
        assert_eq!(state.seize_to_supply(10, 0, 0), Err(CoreError::ZeroAmount));
        assert_eq!(state, before, "a refused seizure changes nothing");
    }

    #[test]
    fn a_liquidation_fee_pays_the_deficit_first() {
        // Audit L-4: while suppliers are short by a deficit, the fee must not become
        // reserves governance can withdraw.
        let (_, mut state) = listed();
        state.deficit = 100;
        state.seize(10, 7, 3).unwrap();
        assert_eq!((state.deficit, state.reserves), (97, 0));
        state.seize_to_supply(10, 5, 1).unwrap();
        assert_eq!((state.deficit, state.reserves), (96, 0));
        state.deficit = 2;
        state.seize(10, 7, 5).unwrap();
        assert_eq!(
            (state.deficit, state.reserves),
            (0, 3),
            "what the deficit does not need becomes reserves"
        );
    }

    #[test]
    fn no_reserves_leave_while_a_deficit_is_outstanding() {
        let (_, mut state) = listed();
        state.reserves = 100;
        state.deficit = 1;
        let before = state;
        assert_eq!(
            state.withdraw_reserves(50),
            Err(CoreError::DeficitOutstanding)
        );
        assert_eq!(state, before);
        state.deficit = 0;
        assert_eq!(
            state.withdraw_reserves(50),
            Ok(()),
            "liveness: once covered"
        );
    }

    #[test]
    fn liquidation_repay_ignores_min_debt() {
        let (mut config, mut state) = listed();
        let scaled = state.borrow(&config, 0, 1_000).unwrap();
        config.min_debt = 500;
        assert_eq!(
            state.repay(&config, scaled, 900),
            Err(CoreError::BelowMinimumDebt)
        );
        assert_eq!(state.liquidation_repay(scaled, 900), Ok((900, 900)));
        assert_eq!(state.liquidation_repay(100, ALL), Ok((100, 100)));
        assert_eq!(state.total_scaled_debt, 0);
    }

    #[test]
    fn donations_cannot_move_the_share_price() {
        // Tokens sent straight to the pool never reach `cash`, and nothing but accrual
        // moves the supply index: a first depositor cannot inflate shares.
        let (config, mut state) = listed();
        let attacker = state.supply(&config, 1).unwrap();
        let victim = state.supply(&config, 1_000_000).unwrap();
        assert_eq!((attacker, victim), (1, 1_000_000));
        assert_eq!(state.supply_balance(victim), Ok(1_000_000));
    }

    /// Every limit admits its exact boundary, and an accrual without debt moves neither
    /// index. Kills (cargo-mutants) `scaled < MIN_DEAD_SHARES` -> `<=` in `list`,
    /// `total_supply > supply_cap` -> `>=` in `supply`, `amount > self.cash` -> `>=` in
    /// `withdraw` and `borrow`, `amount > self.reserves` -> `>=` in `withdraw_reserves`
    /// and `elapsed == 0 || total_scaled_debt == 0` -> `&&` in `accrue`.
    #[test]
    fn limits_are_inclusive_and_idle_markets_do_not_accrue() {
        let listed_at_minimum = MarketState::list(&sample_config(6), MIN_DEAD_SHARES, T0);
        assert_eq!(
            listed_at_minimum.map(|state| state.total_scaled_supply),
            Ok(MIN_DEAD_SHARES),
            "a seed of exactly the minimum dead shares"
        );

        let (mut config, mut state) = listed();
        config.supply_cap = 1_000_500;
        assert_eq!(state.supply(&config, 500), Ok(500), "up to the cap exactly");

        let (config, mut state) = listed();
        assert_eq!(
            state.borrow(&config, 0, 1_000_000),
            Ok(1_000_000),
            "all the cash"
        );
        assert_eq!(state.cash, 0);

        let (_, mut state) = listed();
        state.cash = 6;
        assert_eq!(state.withdraw(10, 6), Ok((6, 6)), "all the cash");
        assert_eq!(state.cash, 0);

        let (_, mut state) = listed();
        state.reserves = 100;
        assert_eq!(state.withdraw_reserves(100), Ok(()), "all the reserves");
        assert_eq!((state.reserves, state.cash), (0, 999_900));

        let (config, mut state) = listed();
        assert_eq!(state.accrue(&config, T0 + YEAR), Ok(Accrual::default()));
        assert_eq!(
            (state.borrow_index_ray, state.supply_index_ray),
            (RAY, RAY),
            "no debt: the borrow index does not grow either"
        );
    }

    /// An accrual past the horizon says so: the pool pauses borrowing and supply on
    /// `halted`. Kills deleting `halted: true` from the overflow arm of `accrue`
    /// (cargo-mutants).
    #[test]
    fn an_accrual_past_the_horizon_reports_halted() {
        let (mut config, mut state) = listed();
        config.rate_model.base_rate_wad = 10 * WAD;
        config.rate_model.slope_low_wad = 0;
        config.rate_model.slope_high_wad = 0;
        state.borrow(&config, 0, 500_000).unwrap();
        assert_eq!(
            state.accrue(&config, T0 + 3 * YEAR),
            Ok(Accrual {
                halted: true,
                ..Accrual::default()
            })
        );
    }
}
