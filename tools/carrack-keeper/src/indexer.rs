//! Follows finalized blocks and keeps the store current: for each block, the pool's events
//! say which accounts changed (every position-changing event's one topic after the
//! signature is the account: ink! 5 puts a 32-byte field in a topic as it is); those
//! accounts' records and, after any pool event, the markets are then read from the
//! pool's storage at that block, so the store holds exactly what the chain held, whatever
//! the events' amounts say. Liquidations, and every account's history of actions, are kept
//! from the events themselves. (The
//! keeper's passes read the markets afresh at the best block; the indexed ones serve
//! queries.)

use crate::contract_events::EventDecoders;
use crate::history::{self, ActionKind, ActionRow};
use crate::reads;
use crate::store::{BlockChanges, LiquidationRow, Store};
use anyhow::{anyhow, bail, Result};
use carrack_client::{Chain, ContractEvent};
use carrack_pool::events::{
    BadDebtWrittenOff, Borrowed, CollateralChanged, Liquidated, Repaid, SeizedAsSupply, Supplied,
    Withdrawn,
};
use ink::env::Event;
use ink::primitives::AccountId;
use subxt::utils::AccountId32;
use tracing::{debug, info};

/// The signature topics of the events that change an account's positions; each has the
/// account as its one other topic.
fn account_events() -> [[u8; 32]; 8] {
    fn sig<E: Event>() -> [u8; 32] {
        // Every pool event has a signature topic (none is `anonymous`).
        E::SIGNATURE_TOPIC.unwrap_or([0; 32])
    }
    [
        sig::<Supplied>(),
        sig::<Withdrawn>(),
        sig::<Borrowed>(),
        sig::<Repaid>(),
        sig::<CollateralChanged>(),
        sig::<Liquidated>(),
        sig::<SeizedAsSupply>(),
        sig::<BadDebtWrittenOff>(),
    ]
}

/// What a block's pool events say: the accounts to re-read, whether the markets may have
/// changed, and the liquidations.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct BlockEvents {
    pub accounts: Vec<AccountId>,
    pub markets_changed: bool,
    pub liquidations: Vec<LiquidationRow>,
    /// Every account's history rows of the block.
    pub actions: Vec<ActionRow>,
}

/// Sorts a block's contract events (pure; `pool` is the pool's address).
pub fn classify(block: u64, pool: &AccountId32, events: &[ContractEvent]) -> Result<BlockEvents> {
    let account_sigs = account_events();
    let mut out = BlockEvents::default();
    for event in events.iter().filter(|e| &e.contract == pool) {
        out.markets_changed = true;
        let Some(signature) = event.topics.first() else {
            continue;
        };
        if !account_sigs.contains(signature) {
            continue;
        }
        let account = event.topics.get(1).ok_or_else(|| {
            anyhow!(
                "block {block}: a pool event without its account topic (event {})",
                event.index
            )
        })?;
        let account = AccountId::from(*account);
        if !out.accounts.contains(&account) {
            out.accounts.push(account);
        }
        for action in history::actions(block, event)? {
            if let (ActionKind::Liquidated, Some(liquidator), Some((collateral_asset, seized))) =
                (action.kind, action.counterparty, action.seized)
            {
                out.liquidations.push(LiquidationRow {
                    block,
                    event_index: event.index,
                    borrower: action.account,
                    liquidator,
                    debt_asset: action.asset,
                    collateral_asset,
                    repaid: action.amount,
                    collateral_seized: seized,
                });
            }
            out.actions.push(action);
        }
    }
    Ok(out)
}

/// Indexes the blocks after the store's last one up to `finalized` (the node's finalized
/// block, as the caller read it), at most `max_blocks` of them; returns the last block
/// indexed (or the store's, if none was new).
pub async fn catch_up(
    chain: &Chain,
    store: &Store,
    pool: &AccountId32,
    decoders: &EventDecoders,
    (start_block, finalized): (u64, u64),
    max_blocks: u64,
) -> Result<Option<u64>> {
    let last = store.last_block().await?;
    let first = match last {
        Some(last) => last + 1,
        None => start_block,
    };
    if first > finalized {
        return Ok(last);
    }
    let end = finalized.min(first.saturating_add(max_blocks.saturating_sub(1)));
    for number in first..=end {
        let hash = reads::block_hash(chain, number).await?;
        let events = chain.contract_events(hash).await?;
        let found = classify(number, pool, &events)?;
        let mut changes = BlockChanges {
            liquidations: found.liquidations,
            actions: found.actions,
            ..Default::default()
        };
        for event in &events {
            if let Some(row) = decoders.decode(number, event) {
                changes.events.push(row?);
            }
            if let Some(price) = decoders.price(number, event) {
                changes.prices.push(price?);
            }
        }
        for owner in &found.accounts {
            changes
                .accounts
                .push((*owner, reads::account(chain, hash, pool, owner).await?));
        }
        if found.markets_changed {
            changes.markets = Some(reads::root(chain, hash, pool).await?.3);
        }
        if !changes.accounts.is_empty() || changes.markets.is_some() {
            debug!(
                block = number,
                accounts = changes.accounts.len(),
                liquidations = changes.liquidations.len(),
                "indexed"
            );
        }
        store
            .apply_block(number, &format!("{hash:?}"), &changes)
            .await?;
    }
    if end < finalized {
        info!(indexed_to = end, finalized, "catching up");
    }
    Ok(Some(end))
}

/// Checks the store belongs to this chain: the same genesis, and the last indexed block
/// still on it with the same hash (a development chain started afresh has the same
/// genesis, but not the same blocks). Records the genesis when new; with `reindex`,
/// starts over instead of refusing.
pub async fn check_chain(chain: &Chain, store: &Store, reindex: bool) -> Result<()> {
    if reindex {
        store.reset().await?;
    }
    store.check_schema().await?;
    let genesis = format!("{:?}", chain.genesis_hash());
    match store.genesis().await? {
        None => return store.set_genesis(&genesis).await,
        Some(known) if known != genesis => bail!(
            "the database indexes the chain with genesis {known}, but the node's genesis is {genesis} (another chain); run with --reindex to start over"
        ),
        Some(_) => {}
    }
    if let (Some(last), Some(hash)) = (store.last_block().await?, store.last_hash().await?) {
        let on_chain = chain.block_hash(last).await?.map(|h| format!("{h:?}"));
        if on_chain.as_deref() != Some(hash.as_str()) {
            bail!(
                "the database indexed block {last} as {hash}, but the node's block {last} is {} (the chain was reset); run with --reindex to start over",
                on_chain.as_deref().unwrap_or("missing")
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use carrack_pool::events::PoolParamsChanged;
    use scale::Encode;

    const POOL: AccountId32 = AccountId32([7; 32]);

    fn event(contract: AccountId32, topics: Vec<[u8; 32]>, data: Vec<u8>) -> ContractEvent {
        ContractEvent {
            index: 3,
            contract,
            topics,
            data,
        }
    }

    #[test]
    fn account_events_name_their_account_and_liquidations_are_kept() {
        let (alice, bob, usd, eth) = ([1; 32], [2; 32], [3; 32], [4; 32]);
        let liquidated = Liquidated {
            borrower: alice.into(),
            liquidator: bob.into(),
            debt_asset: usd.into(),
            collateral_asset: eth.into(),
            repaid: 10,
            collateral_seized: 11,
            protocol_fee: 1,
            debt_scaled_burned: 9,
            collateral_scaled_burned: 12,
            debt_accrual: None,
            collateral_accrual: None,
        };
        let sig = |s: Option<[u8; 32]>| s.unwrap();
        let events = vec![
            event(
                POOL,
                vec![sig(Borrowed::SIGNATURE_TOPIC), bob],
                Borrowed {
                    asset: usd.into(),
                    account: bob.into(),
                    amount: 4,
                    scaled: 4,
                    accrual: None,
                }
                .encode(),
            ),
            event(
                POOL,
                vec![sig(Liquidated::SIGNATURE_TOPIC), alice],
                liquidated.encode(),
            ),
            // Another contract's event with the same shape is not the pool's.
            event(
                AccountId32([8; 32]),
                vec![sig(Supplied::SIGNATURE_TOPIC), [9; 32]],
                vec![],
            ),
        ];
        let found = classify(5, &POOL, &events).unwrap();
        assert_eq!(
            found.accounts,
            vec![AccountId::from(bob), AccountId::from(alice)]
        );
        assert!(found.markets_changed);
        assert_eq!(found.liquidations.len(), 1);
        assert_eq!(found.liquidations[0].repaid, 10);
        assert_eq!(found.liquidations[0].borrower, AccountId::from(alice));
        assert_eq!(found.liquidations[0].block, 5);
        let rows: Vec<_> = found.actions.iter().map(|a| (a.account, a.kind)).collect();
        assert_eq!(
            rows,
            vec![
                (AccountId::from(bob), ActionKind::Borrow),
                (AccountId::from(alice), ActionKind::Liquidated),
                (AccountId::from(bob), ActionKind::Liquidator),
            ]
        );
    }

    #[test]
    fn governance_events_change_markets_not_accounts() {
        let events = vec![event(
            POOL,
            vec![PoolParamsChanged::SIGNATURE_TOPIC.unwrap()],
            vec![],
        )];
        let found = classify(1, &POOL, &events).unwrap();
        assert!(found.accounts.is_empty() && found.markets_changed);
        assert_eq!(classify(1, &POOL, &[]).unwrap(), BlockEvents::default());
    }

    #[test]
    fn a_malformed_pool_event_is_an_error_not_a_skip() {
        let no_account = vec![event(POOL, vec![Repaid::SIGNATURE_TOPIC.unwrap()], vec![])];
        assert!(classify(1, &POOL, &no_account).is_err());
        let bad = vec![event(
            POOL,
            vec![Liquidated::SIGNATURE_TOPIC.unwrap(), [1; 32]],
            vec![1, 2],
        )];
        assert!(classify(1, &POOL, &bad).is_err());
    }
}
