//! What the keeper reads from the chain, typed with the contracts' own crates: the pool's
//! account records and markets straight from its storage (its `ManualKey`ed `accounts`
//! mapping and its root cell), the oracle's prices through `PriceOracle::prices`.

use anyhow::{anyhow, bail, Context, Result};
use carrack_client::{Chain, Message};
use carrack_interfaces::{AdminRoles, PriceOracle};
use carrack_pool::account::{Account, ACCOUNTS_STORAGE_KEY};
use carrack_pool::health::PriceList;
use carrack_pool::market::Market;
use carrack_pool::params::PoolParams;
use ink::codegen::TraitCallBuilder;
use ink::primitives::AccountId;
use scale::{DecodeAll, Encode};
use subxt::utils::{AccountId32, H256};

/// The pool's root cell, as `contracts/pool/storage-layout.txt` records it: roles, the
/// oracle, the pool parameters, the markets (the `accounts` mapping adds nothing) and the
/// flash loan lock (set only while a flash loan's callback runs, so `false` at the end of
/// every block).
pub type PoolRoot = (
    AdminRoles,
    AccountId,
    PoolParams,
    Vec<(AccountId, Market)>,
    bool,
);

/// The storage key of `owner`'s account record: the mapping's key, then the owner.
pub fn account_key(owner: &AccountId) -> Vec<u8> {
    let mut key = ACCOUNTS_STORAGE_KEY.encode();
    owner.encode_to(&mut key);
    key
}

/// `owner`'s account record at `block` (empty when it has none).
pub async fn account(
    chain: &Chain,
    block: H256,
    pool: &AccountId32,
    owner: &AccountId,
) -> Result<Account> {
    match chain.contract_storage(block, pool, account_key(owner)).await? {
        Some(raw) => Account::decode_all(&mut raw.as_slice()).map_err(|e| {
            anyhow!("the pool's account record of {owner:?} does not decode ({e}): is the keeper built for this pool's code?")
        }),
        None => Ok(Account::default()),
    }
}

/// The pool's root cell at `block`.
pub async fn root(chain: &Chain, block: H256, pool: &AccountId32) -> Result<PoolRoot> {
    let raw = chain
        .contract_storage(block, pool, 0u32.encode())
        .await?
        .ok_or_else(|| anyhow!("the pool {pool} has no root storage: not a pool"))?;
    PoolRoot::decode_all(&mut raw.as_slice()).map_err(|e| {
        anyhow!("the pool's root storage does not decode ({e}): is the keeper built for this pool's code?")
    })
}

/// The oracle's answers for `assets` at `block`, paired with them.
pub async fn prices(
    chain: &Chain,
    block: H256,
    origin: &AccountId32,
    oracle: &AccountId,
    assets: &[AccountId],
) -> Result<PriceList> {
    if assets.is_empty() {
        return Ok(Vec::new());
    }
    let oracle_ref: ink::contract_ref!(PriceOracle, ink::env::DefaultEnvironment) =
        (*oracle).into();
    let message = Message::new(oracle_ref.call().prices(assets.to_vec()));
    let address = AccountId32(*oracle.as_ref());
    let dry = chain
        .dry_run(block, origin, &address, message.input().to_vec())
        .await?;
    let reads = message
        .dry_run_value(&dry)
        .map_err(|e| anyhow!("the oracle's prices: {e}"))?;
    if reads.len() != assets.len() {
        bail!(
            "the oracle answered {} prices for {} assets",
            reads.len(),
            assets.len()
        );
    }
    Ok(assets.iter().copied().zip(reads).collect())
}

/// Block `number`'s hash, which must exist.
pub async fn block_hash(chain: &Chain, number: u64) -> Result<H256> {
    chain
        .block_hash(number)
        .await?
        .with_context(|| format!("the node has no block {number}"))
}
