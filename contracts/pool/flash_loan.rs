//! Flash loans: the rules of the two halves of `flash_loan`, around the receiver's
//! callback. [`begin`] lends from the market's cash (its cash is that much lower while
//! the loan is out) and sends the tokens; the message then calls the receiver; [`end`]
//! takes the tokens back with the fee (`transfer_from`, so a short or missing repayment
//! reverts the whole call), puts the fee into the market (deficit first, then reserves)
//! and emits [`FlashLoan`]. Between the halves the pool is locked (the message's
//! business): only `supply`, `repay`, `liquidate`, `liquidate_to_supply` and the views
//! run.

use crate::actions::{ensure_not_pool, storing, PoolReads};
use crate::error::PoolError;
use crate::events::{FlashLoan, MarketAccrual};
use crate::outcome::{Outcome, Transfer};
use carrack_core::{flash_loan_fee, CoreError};
use ink::primitives::AccountId;

/// A flash loan lent and not yet returned: what [`end`] needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    /// The token lent.
    pub asset: AccountId,
    /// Who called `flash_loan`.
    pub initiator: AccountId,
    /// Who holds the tokens and pays them back.
    pub receiver: AccountId,
    /// Tokens lent.
    pub amount: u128,
    /// The fee owed on top (the market's `flash_loan_fee_wad` of `amount`, rounded up).
    pub fee: u128,
    /// The interest the market accrued when it lent, for the event.
    pub accrual: Option<MarketAccrual>,
}

/// The first half: refused when the market is unknown or its flash loans are paused, for
/// zero, for more than its cash, or for the pool itself as the receiver. The outcome
/// stores the market with its cash lowered and sends `amount` to `receiver`.
pub fn begin(
    reads: &impl PoolReads,
    initiator: AccountId,
    receiver: AccountId,
    asset: AccountId,
    amount: u128,
) -> Result<(Outcome, Ticket), PoolError> {
    ensure_not_pool(reads, receiver)?;
    let mut books = reads.load_markets(&[asset])?;
    let market = books.get_mut(asset)?;
    if market.paused.flash_loan {
        return Err(PoolError::ActionPaused);
    }
    let fee = flash_loan_fee(amount, market.params.flash_loan_fee_wad)?;
    market.state.lend_flash(amount)?;
    // The receiver must be able to pay the fee back: a fee that would overflow is refused
    // before any token moves.
    amount.checked_add(fee).ok_or(CoreError::Overflow)?;
    let mut outcome = storing(reads, books);
    let accrual = outcome.take_accrual(asset);
    outcome.transfers.push(Transfer::Out {
        asset,
        to: receiver,
        amount,
    });
    Ok((
        outcome,
        Ticket {
            asset,
            initiator,
            receiver,
            amount,
            fee,
            accrual,
        },
    ))
}

/// The second half, after the callback: the market (as the callback left it) takes the
/// loan back with its fee, the event is emitted, and `amount + fee` is pulled from the
/// receiver last.
pub fn end(reads: &impl PoolReads, ticket: &Ticket) -> Result<Outcome, PoolError> {
    let mut books = reads.load_markets(&[ticket.asset])?;
    let split = books
        .get_mut(ticket.asset)?
        .state
        .settle_flash(ticket.amount, ticket.fee)?;
    let mut outcome = storing(reads, books);
    outcome.emit(FlashLoan {
        asset: ticket.asset,
        initiator: ticket.initiator,
        receiver: ticket.receiver,
        amount: ticket.amount,
        fee: ticket.fee,
        deficit_covered: split.deficit_covered,
        accrual: ticket.accrual,
    });
    let owed = ticket
        .amount
        .checked_add(ticket.fee)
        .ok_or(CoreError::Overflow)?;
    outcome.transfers.push(Transfer::In {
        asset: ticket.asset,
        from: ticket.receiver,
        amount: owed,
    });
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::PauseFlags;
    use crate::outcome::PoolEvent;
    use crate::test_fixtures::{books, TestLedger, NOW, POOL, USD};
    use carrack_core::WAD;

    const ALICE: AccountId = AccountId([0xa1; 32]);
    const RECEIVER: AccountId = AccountId([0xfe; 32]);
    const UNIT: u128 = 1_000_000;

    fn ledger(fee_wad: u128) -> TestLedger {
        let mut ledger = TestLedger {
            books: books(),
            now: NOW,
            ..Default::default()
        };
        ledger.books.get_mut(USD).unwrap().params.flash_loan_fee_wad = fee_wad;
        ledger
    }

    fn cash(ledger: &TestLedger) -> u128 {
        ledger.books.get(USD).unwrap().state.cash
    }

    #[test]
    fn a_loan_lends_cash_and_its_end_takes_it_back_with_the_fee_into_reserves() {
        let mut ledger = ledger(WAD / 2_000); // 0.05 %
        let before = *ledger.books.get(USD).unwrap();
        let ticket = ledger.run_with(begin(&ledger, ALICE, RECEIVER, USD, 10_000 * UNIT));
        assert_eq!(ticket.fee, 5 * UNIT);
        assert_eq!(
            cash(&ledger),
            before.state.cash - 10_000 * UNIT,
            "lent out of cash"
        );
        assert_eq!(
            ledger.transfers,
            vec![Transfer::Out {
                asset: USD,
                to: RECEIVER,
                amount: 10_000 * UNIT
            }]
        );
        assert!(ledger.events.is_empty(), "the event comes with the return");
        ledger.run(end(&ledger, &ticket));
        let after = ledger.books.get(USD).unwrap();
        assert_eq!(after.state.cash, before.state.cash + 5 * UNIT);
        assert_eq!(after.state.reserves, before.state.reserves + 5 * UNIT);
        assert_eq!(
            after.state.total_scaled_supply,
            before.state.total_scaled_supply
        );
        assert_eq!(
            ledger.transfers[1],
            Transfer::In {
                asset: USD,
                from: RECEIVER,
                amount: 10_005 * UNIT
            }
        );
        assert!(matches!(
            ledger.events.as_slice(),
            [PoolEvent::FlashLoan(FlashLoan { fee, amount, receiver, initiator, .. })]
                if *fee == 5 * UNIT && *amount == 10_000 * UNIT && *receiver == RECEIVER && *initiator == ALICE
        ));
    }

    #[test]
    fn refusals_move_nothing() {
        let mut ledger = ledger(WAD / 2_000);
        let all = cash(&ledger);
        assert_eq!(
            begin(&ledger, ALICE, RECEIVER, USD, all + 1).unwrap_err(),
            PoolError::Core(CoreError::InsufficientCash)
        );
        assert_eq!(
            begin(&ledger, ALICE, RECEIVER, USD, 0).unwrap_err(),
            PoolError::Core(CoreError::ZeroAmount)
        );
        assert_eq!(
            begin(&ledger, ALICE, POOL, USD, 1).unwrap_err(),
            PoolError::RecipientIsPool
        );
        assert_eq!(
            begin(&ledger, ALICE, RECEIVER, AccountId([9; 32]), 1).unwrap_err(),
            PoolError::UnknownMarket
        );
        // All of the cash may be lent.
        assert!(begin(&ledger, ALICE, RECEIVER, USD, all).is_ok());
        // Paused on its own, or with the whole market.
        for paused in [
            PauseFlags {
                flash_loan: true,
                ..PauseFlags::default()
            },
            PauseFlags::ALL,
        ] {
            ledger.books.get_mut(USD).unwrap().paused = paused;
            assert_eq!(
                begin(&ledger, ALICE, RECEIVER, USD, 1).unwrap_err(),
                PoolError::ActionPaused
            );
        }
    }

    #[test]
    fn a_free_loan_costs_nothing_and_a_tiny_one_at_a_fee_costs_one_unit() {
        let ledger0 = ledger(0);
        assert_eq!(begin(&ledger0, ALICE, RECEIVER, USD, 7).unwrap().1.fee, 0);
        let ledger = ledger(WAD / 2_000);
        assert_eq!(begin(&ledger, ALICE, RECEIVER, USD, 1).unwrap().1.fee, 1);
    }
}
