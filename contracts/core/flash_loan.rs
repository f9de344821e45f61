//! Flash loans: a market lends part of its cash for the length of one call and takes it
//! back with a fee in the same call. While the loan is out the market's cash is that much
//! lower (every action that runs meanwhile sees the cash that is really there); when it
//! returns, the fee pays down any deficit first and adds the rest to reserves, as the
//! reserve share of interest does in [`MarketState::accrue`]. Suppliers' claims never
//! change: the fee is the protocol's, as the liquidation protocol fee is.

use crate::error::CoreError;
use crate::fixed_point::{add, sub, wad_mul, Rounding, WAD};
use crate::market::MarketState;

/// The highest flash loan fee governance may set: 1 % (Aave's default is 0.05 %).
pub const MAX_FLASH_LOAN_FEE_WAD: u128 = WAD / 100;

/// Where a returned flash loan's fee went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FlashFeeSplit {
    /// The part of the fee that paid down the deficit.
    pub deficit_covered: u128,
    /// The part added to reserves.
    pub to_reserves: u128,
}

/// The fee on a flash loan of `amount` at `fee_wad`, rounded up (in the protocol's
/// favour: a loan never costs less than its rate; a fee of zero stays zero).
pub fn flash_loan_fee(amount: u128, fee_wad: u128) -> Result<u128, CoreError> {
    wad_mul(amount, fee_wad, Rounding::Up)
}

impl MarketState {
    /// Lends `amount` of the market's cash for the length of a call: refused for zero and
    /// for more than the cash.
    pub fn lend_flash(&mut self, amount: u128) -> Result<(), CoreError> {
        if amount == 0 {
            return Err(CoreError::ZeroAmount);
        }
        if amount > self.cash {
            return Err(CoreError::InsufficientCash);
        }
        self.cash = sub(self.cash, amount)?;
        Ok(())
    }

    /// Takes a flash loan of `amount` back with its `fee`: the cash grows by both, the
    /// fee pays down the deficit first and the rest adds to reserves.
    pub fn settle_flash(&mut self, amount: u128, fee: u128) -> Result<FlashFeeSplit, CoreError> {
        let cash = add(add(self.cash, amount)?, fee)?;
        let deficit_covered = fee.min(self.deficit);
        let to_reserves = sub(fee, deficit_covered)?;
        let reserves = add(self.reserves, to_reserves)?;
        self.cash = cash;
        self.reserves = reserves;
        self.deficit = sub(self.deficit, deficit_covered)?;
        Ok(FlashFeeSplit {
            deficit_covered,
            to_reserves,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RAY;

    fn market(cash: u128, reserves: u128, deficit: u128) -> MarketState {
        MarketState {
            total_scaled_supply: 1_000_000,
            total_scaled_debt: 0,
            supply_index_ray: RAY,
            borrow_index_ray: RAY,
            cash,
            reserves,
            deficit,
            last_accrual_secs: 0,
        }
    }

    #[test]
    fn the_fee_rounds_up_and_zero_stays_zero() {
        let five_bps = WAD / 2_000; // 0.05 %
        assert_eq!(flash_loan_fee(1_000_000, five_bps), Ok(500));
        assert_eq!(
            flash_loan_fee(1, five_bps),
            Ok(1),
            "a loan never costs less than its rate"
        );
        assert_eq!(flash_loan_fee(1_999, five_bps), Ok(1));
        assert_eq!(flash_loan_fee(2_001, five_bps), Ok(2));
        assert_eq!(flash_loan_fee(u128::MAX, 0), Ok(0));
        assert_eq!(
            flash_loan_fee(u128::MAX, MAX_FLASH_LOAN_FEE_WAD),
            Ok(u128::MAX / 100 + 1)
        );
    }

    #[test]
    fn a_loan_takes_cash_and_its_return_restores_it_with_the_fee() {
        let mut m = market(1_000, 10, 0);
        assert_eq!(m.lend_flash(0), Err(CoreError::ZeroAmount));
        assert_eq!(m.lend_flash(1_001), Err(CoreError::InsufficientCash));
        assert_eq!(m.cash, 1_000, "a refused loan changes nothing");
        m.lend_flash(1_000).unwrap();
        assert_eq!(m.cash, 0);
        let split = m.settle_flash(1_000, 5).unwrap();
        assert_eq!(
            split,
            FlashFeeSplit {
                deficit_covered: 0,
                to_reserves: 5
            }
        );
        assert_eq!((m.cash, m.reserves, m.deficit), (1_005, 15, 0));
        assert_eq!(
            m.total_scaled_supply, 1_000_000,
            "suppliers' claims never change"
        );
    }

    #[test]
    fn the_fee_pays_down_a_deficit_first() {
        let mut m = market(1_000, 0, 3);
        m.lend_flash(500).unwrap();
        let split = m.settle_flash(500, 5).unwrap();
        assert_eq!(
            split,
            FlashFeeSplit {
                deficit_covered: 3,
                to_reserves: 2
            }
        );
        assert_eq!((m.cash, m.reserves, m.deficit), (1_005, 2, 0));
        let mut deep = market(1_000, 0, 100);
        deep.lend_flash(1).unwrap();
        assert_eq!(deep.settle_flash(1, 5).unwrap().to_reserves, 0);
        assert_eq!(deep.deficit, 95);
    }

    #[test]
    fn the_solvency_inequality_holds_across_a_loan() {
        // cash + debt + deficit >= claims + reserves, before and after a loan and its
        // return (the claims and the debt do not move).
        for (cash, reserves, deficit, amount, fee) in [
            (1_000, 10, 0, 1_000, 1),
            (1_000, 0, 7, 300, 9),
            (5, 5, 5, 5, 0),
        ] {
            let mut m = market(cash, reserves, deficit);
            let claims = m.total_supply(Rounding::Up).unwrap();
            let assets = |m: &MarketState| m.cash + m.deficit;
            let owed = |m: &MarketState| claims + m.reserves;
            let (assets_before, owed_before) = (assets(&m), owed(&m));
            m.lend_flash(amount).unwrap();
            m.settle_flash(amount, fee).unwrap();
            assert_eq!(
                assets(&m) + owed_before,
                assets_before + owed(&m),
                "the fee adds as much on each side"
            );
        }
    }
}
