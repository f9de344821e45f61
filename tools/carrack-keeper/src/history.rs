//! Every account's history of actions, from the pool's events: what each event did to
//! whom, one row per account it concerns (a liquidation is in the borrower's history and
//! in the liquidator's). Pure decoding; the store keeps the rows and the API serves them.

use anyhow::{anyhow, Result};
use carrack_client::ContractEvent;
use carrack_pool::events::{
    BadDebtWrittenOff, Borrowed, CollateralChanged, Liquidated, Repaid, SeizedAsSupply, Supplied,
    Withdrawn,
};
use ink::env::Event;
use ink::primitives::AccountId;
use scale::DecodeAll;
use serde::Serialize;

/// What an account did, or had done to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    /// Supplied `amount` of `asset` (paid by `counterparty` when someone else paid).
    Supply,
    /// Withdrew `amount` of `asset` (sent to `counterparty` when not to itself).
    Withdraw,
    /// Borrowed `amount` of `asset`.
    Borrow,
    /// Repaid `amount` of `asset` (paid by `counterparty` when someone else paid).
    Repay,
    /// Chose `asset` as collateral.
    CollateralOn,
    /// Stopped using `asset` as collateral.
    CollateralOff,
    /// Was liquidated by `counterparty`: `amount` of the debt `asset` repaid, `seized` of
    /// `seized_asset` taken.
    Liquidated,
    /// Liquidated `counterparty`: repaid `amount` of `asset`, received `seized` of
    /// `seized_asset`.
    Liquidator,
    /// Received `amount` of `asset` as supply from a liquidation (`liquidate_to_supply`).
    SeizedAsSupply,
    /// Had `amount` of debt in `asset` written off as bad debt.
    BadDebtWrittenOff,
}

impl ActionKind {
    /// The name the database and the API use.
    pub fn name(self) -> &'static str {
        match self {
            ActionKind::Supply => "supply",
            ActionKind::Withdraw => "withdraw",
            ActionKind::Borrow => "borrow",
            ActionKind::Repay => "repay",
            ActionKind::CollateralOn => "collateral_on",
            ActionKind::CollateralOff => "collateral_off",
            ActionKind::Liquidated => "liquidated",
            ActionKind::Liquidator => "liquidator",
            ActionKind::SeizedAsSupply => "seized_as_supply",
            ActionKind::BadDebtWrittenOff => "bad_debt_written_off",
        }
    }
}

/// One row of an account's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRow {
    pub block: u64,
    pub event_index: u32,
    pub account: AccountId,
    pub kind: ActionKind,
    pub asset: AccountId,
    /// The amount of `asset` (0 for a collateral switch).
    pub amount: u128,
    /// The other party, when there is one (see [`ActionKind`]).
    pub counterparty: Option<AccountId>,
    /// A liquidation's collateral asset and the amount seized.
    pub seized: Option<(AccountId, u128)>,
}

/// One row of an account's history as the API shows it (amounts as decimal strings,
/// addresses SS58).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionJson {
    pub block: u64,
    pub event_index: u32,
    pub kind: String,
    pub asset: String,
    pub amount: String,
    pub counterparty: Option<String>,
    pub seized_asset: Option<String>,
    pub seized: Option<String>,
}

fn decode<E: DecodeAll>(block: u64, event: &ContractEvent, name: &str) -> Result<E> {
    E::decode_all(&mut event.data.as_slice()).map_err(|e| {
        anyhow!(
            "block {block}: a {name} event (event {}) does not decode ({e}): is the keeper built for this pool's code?",
            event.index
        )
    })
}

fn topic<E: Event>() -> [u8; 32] {
    // Every pool event has a signature topic (none is `anonymous`).
    E::SIGNATURE_TOPIC.unwrap_or([0; 32])
}

/// `Some(other)` when `other` is not `account`.
fn other(account: AccountId, other: AccountId) -> Option<AccountId> {
    (other != account).then_some(other)
}

/// The history rows of one pool event (none for an event that changes no account: a
/// market's or the pool's settings). A position event whose data does not decode is an
/// error, not a skip: the keeper would otherwise index a pool it does not understand.
pub fn actions(block: u64, event: &ContractEvent) -> Result<Vec<ActionRow>> {
    let Some(signature) = event.topics.first().copied() else {
        return Ok(Vec::new());
    };
    let row = |account, kind, asset, amount, counterparty| ActionRow {
        block,
        event_index: event.index,
        account,
        kind,
        asset,
        amount,
        counterparty,
        seized: None,
    };
    let rows = if signature == topic::<Supplied>() {
        let e: Supplied = decode(block, event, "Supplied")?;
        let payer = other(e.on_behalf_of, e.payer);
        vec![row(
            e.on_behalf_of,
            ActionKind::Supply,
            e.asset,
            e.amount,
            payer,
        )]
    } else if signature == topic::<Withdrawn>() {
        let e: Withdrawn = decode(block, event, "Withdrawn")?;
        let to = other(e.account, e.to);
        vec![row(e.account, ActionKind::Withdraw, e.asset, e.amount, to)]
    } else if signature == topic::<Borrowed>() {
        let e: Borrowed = decode(block, event, "Borrowed")?;
        vec![row(e.account, ActionKind::Borrow, e.asset, e.amount, None)]
    } else if signature == topic::<Repaid>() {
        let e: Repaid = decode(block, event, "Repaid")?;
        let payer = other(e.on_behalf_of, e.payer);
        vec![row(
            e.on_behalf_of,
            ActionKind::Repay,
            e.asset,
            e.amount,
            payer,
        )]
    } else if signature == topic::<CollateralChanged>() {
        let e: CollateralChanged = decode(block, event, "CollateralChanged")?;
        let kind = if e.enabled {
            ActionKind::CollateralOn
        } else {
            ActionKind::CollateralOff
        };
        vec![row(e.account, kind, e.asset, 0, None)]
    } else if signature == topic::<Liquidated>() {
        let e: Liquidated = decode(block, event, "Liquidated")?;
        let seized = Some((e.collateral_asset, e.collateral_seized));
        vec![
            ActionRow {
                seized,
                ..row(
                    e.borrower,
                    ActionKind::Liquidated,
                    e.debt_asset,
                    e.repaid,
                    Some(e.liquidator),
                )
            },
            ActionRow {
                seized,
                ..row(
                    e.liquidator,
                    ActionKind::Liquidator,
                    e.debt_asset,
                    e.repaid,
                    Some(e.borrower),
                )
            },
        ]
    } else if signature == topic::<SeizedAsSupply>() {
        let e: SeizedAsSupply = decode(block, event, "SeizedAsSupply")?;
        vec![row(
            e.liquidator,
            ActionKind::SeizedAsSupply,
            e.asset,
            e.amount,
            None,
        )]
    } else if signature == topic::<BadDebtWrittenOff>() {
        let e: BadDebtWrittenOff = decode(block, event, "BadDebtWrittenOff")?;
        vec![row(
            e.borrower,
            ActionKind::BadDebtWrittenOff,
            e.asset,
            e.debt,
            None,
        )]
    } else {
        Vec::new()
    };
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use scale::Encode;
    use subxt::utils::AccountId32;

    fn event<E: Event + Encode>(topic_account: [u8; 32], e: &E) -> ContractEvent {
        ContractEvent {
            index: 2,
            contract: AccountId32([7; 32]),
            topics: vec![topic::<E>(), topic_account],
            data: e.encode(),
        }
    }

    #[test]
    fn each_position_event_is_a_row_of_its_accounts_history() {
        let (alice, bob, usd, eth) = (
            AccountId::from([1; 32]),
            AccountId::from([2; 32]),
            AccountId::from([3; 32]),
            AccountId::from([4; 32]),
        );
        // Bob supplies for Alice: Alice's supply, paid by Bob.
        let supplied = Supplied {
            asset: usd,
            payer: bob,
            on_behalf_of: alice,
            amount: 5,
            scaled: 4,
            accrual: None,
        };
        let rows = actions(9, &event([1; 32], &supplied)).unwrap();
        assert_eq!(
            rows,
            vec![ActionRow {
                block: 9,
                event_index: 2,
                account: alice,
                kind: ActionKind::Supply,
                asset: usd,
                amount: 5,
                counterparty: Some(bob),
                seized: None,
            }]
        );
        // A withdrawal to oneself names no counterparty.
        let withdrawn = Withdrawn {
            asset: usd,
            account: alice,
            to: alice,
            amount: 3,
            scaled: 3,
            accrual: None,
        };
        let rows = actions(9, &event([1; 32], &withdrawn)).unwrap();
        assert_eq!(
            (rows[0].kind, rows[0].counterparty),
            (ActionKind::Withdraw, None)
        );
        let off = CollateralChanged {
            asset: eth,
            account: alice,
            enabled: false,
        };
        let rows = actions(9, &event([1; 32], &off)).unwrap();
        assert_eq!(
            (rows[0].kind, rows[0].asset),
            (ActionKind::CollateralOff, eth)
        );
        // A liquidation is in both histories, each naming the other.
        let liquidated = Liquidated {
            borrower: alice,
            liquidator: bob,
            debt_asset: usd,
            collateral_asset: eth,
            repaid: 10,
            collateral_seized: 11,
            protocol_fee: 1,
            debt_scaled_burned: 9,
            collateral_scaled_burned: 12,
            debt_accrual: None,
            collateral_accrual: None,
        };
        let rows = actions(9, &event([1; 32], &liquidated)).unwrap();
        let who: Vec<_> = rows
            .iter()
            .map(|r| (r.account, r.kind, r.counterparty, r.amount, r.seized))
            .collect();
        assert_eq!(
            who,
            vec![
                (
                    alice,
                    ActionKind::Liquidated,
                    Some(bob),
                    10,
                    Some((eth, 11))
                ),
                (
                    bob,
                    ActionKind::Liquidator,
                    Some(alice),
                    10,
                    Some((eth, 11))
                ),
            ]
        );
        let bad = BadDebtWrittenOff {
            asset: usd,
            borrower: alice,
            debt: 7,
            scaled_debt: 6,
            absorbed_by_reserves: 7,
            added_to_deficit: 0,
        };
        let rows = actions(9, &event([1; 32], &bad)).unwrap();
        assert_eq!(
            (rows[0].kind, rows[0].amount),
            (ActionKind::BadDebtWrittenOff, 7)
        );
    }

    #[test]
    fn settings_events_are_no_rows_and_garbage_is_an_error() {
        let params = ContractEvent {
            index: 0,
            contract: AccountId32([7; 32]),
            topics: vec![topic::<carrack_pool::events::PoolParamsChanged>()],
            data: vec![],
        };
        assert!(actions(1, &params).unwrap().is_empty());
        let no_topics = ContractEvent {
            topics: vec![],
            ..params
        };
        assert!(actions(1, &no_topics).unwrap().is_empty());
        let garbage = ContractEvent {
            index: 0,
            contract: AccountId32([7; 32]),
            topics: vec![topic::<Borrowed>(), [1; 32]],
            data: vec![1, 2, 3],
        };
        let error = actions(1, &garbage).unwrap_err().to_string();
        assert!(error.contains("a Borrowed event"), "{error}");
    }
}
