//! The node, through subxt: the best block and its time, contract dry runs
//! (`ContractsApi_call`, `ContractsApi_instantiate`) and signed `Contracts::call` and
//! `Contracts::instantiate` transactions that are followed into a block. Every error says whether the connection is to blame
//! ([`ChainError::Connection`], the relayer reconnects) or the call itself.

use scale::{Decode, Encode};
use std::time::Duration;
use subxt::backend::{legacy::LegacyRpcMethods, rpc::RpcClient};
use subxt::config::DefaultExtrinsicParamsBuilder;
use subxt::dynamic::Value;
use subxt::error::DispatchError;
use subxt::tx::TxStatus;
use subxt::utils::{AccountId32, H256};
use subxt::{OnlineClient, SubstrateConfig};
use subxt_signer::sr25519::Keypair;

/// The chain's configuration: Substrate defaults, as substrate-contracts-node uses.
pub type C = SubstrateConfig;

/// Transactions are valid for this many blocks after the block they were built on: a
/// price report stuck in a pool is dropped instead of landing late.
const MORTALITY_BLOCKS: u64 = 32;

/// How many times a transaction the pool refused as built on a stale block or nonce is
/// built again (see [`stale_submission`]).
const SUBMIT_ATTEMPTS: u32 = 3;

/// Whether the pool refused a submission because it was built on a block or nonce the
/// chain has moved past: a mortal transaction whose checkpoint block is more than
/// [`MORTALITY_BLOCKS`] old verifies against another birth block and reads as a bad
/// signature; an old nonce is "outdated". The pool did not take it.
fn stale_submission(error: &str) -> bool {
    [
        "bad signature",
        "Transaction is outdated",
        "ancient birth block",
    ]
    .iter()
    .any(|sign| error.contains(sign))
}

/// A read that takes longer than this counts as a broken connection.
const READ_TIMEOUT: Duration = Duration::from_secs(20);

/// Runs a read, turning a hang into a connection error.
async fn timed<T>(
    read: impl std::future::Future<Output = Result<T, ChainError>>,
) -> Result<T, ChainError> {
    tokio::time::timeout(READ_TIMEOUT, read)
        .await
        .map_err(|_| ChainError::Connection(format!("no answer within {READ_TIMEOUT:?}")))?
}

/// What went wrong talking to the chain.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The node is unreachable or the connection broke: reconnect.
    #[error("connection: {0}")]
    Connection(String),
    /// The node answered, but not with what was expected.
    #[error("{0}")]
    Unexpected(String),
}

impl From<subxt::Error> for ChainError {
    fn from(e: subxt::Error) -> Self {
        match e {
            subxt::Error::Rpc(_) | subxt::Error::Io(_) => ChainError::Connection(e.to_string()),
            other => ChainError::Unexpected(other.to_string()),
        }
    }
}

/// A weight (`sp_weights::Weight`: both parts compact-encoded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, Default)]
pub struct Weight {
    /// Computation, in picoseconds.
    #[codec(compact)]
    pub ref_time: u64,
    /// Proof size, in bytes.
    #[codec(compact)]
    pub proof_size: u64,
}

/// `pallet_contracts::StorageDeposit<u128>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Decode)]
pub enum StorageDeposit {
    /// Storage was freed.
    Refund(u128),
    /// Storage was paid for.
    Charge(u128),
}

/// `ReturnFlags::REVERT`.
const REVERT: u32 = 1;

/// The outcome of a dry run.
#[derive(Debug, Clone)]
pub struct DryRun {
    /// Weight to give the call as its limit.
    pub gas_required: Weight,
    /// Storage deposit the call would charge (0 for a refund).
    pub storage_charge: u128,
    /// The contract's output when it returned (reverted or not), or why it did not.
    pub result: Result<ContractOutput, String>,
}

/// The outcome of an instantiation's dry run.
#[derive(Debug, Clone)]
pub struct InstantiateDryRun {
    /// Gas, storage deposit and the constructor's output, as for a message.
    pub dry_run: DryRun,
    /// The new contract's address, when the constructor returned (reverted or not).
    pub address: Option<AccountId32>,
}

/// `pallet_contracts::Code::Existing`: instantiate code already stored.
const CODE_EXISTING: u8 = 1;

/// What a contract returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractOutput {
    /// It reverted (an ink! message reverts when it returns `Err`).
    pub reverted: bool,
    /// The SCALE-encoded return value.
    pub data: Vec<u8>,
}

/// How a submitted transaction ended.
#[derive(Debug)]
pub enum Inclusion {
    /// In a block and successful.
    Success {
        /// The block.
        block: H256,
    },
    /// In a block but it failed (the dispatch error).
    Failed {
        /// The block.
        block: H256,
        /// Why.
        error: String,
    },
    /// Refused by the pool (invalid, dropped) before any block.
    Refused(String),
}

/// One event a contract emitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractEvent {
    /// Its index among the block's events.
    pub index: u32,
    /// The contract.
    pub contract: AccountId32,
    /// The event record's topics (for an ink! 5 event: its signature, then its topic
    /// fields, each either the field's encoding when 32 bytes or less, or its hash).
    pub topics: Vec<[u8; 32]>,
    /// The SCALE-encoded event.
    pub data: Vec<u8>,
}

/// A connection to a node.
pub struct Chain {
    client: OnlineClient<C>,
    rpc: LegacyRpcMethods<C>,
    /// Per signing account, the nonce of its last transaction that made it into a block
    /// on this connection.
    last_included_nonce: std::sync::Mutex<std::collections::HashMap<[u8; 32], u64>>,
}

/// `url` as logs, errors and metrics show it: scheme, host and port only (`/…` when
/// there was more), so a user:password or an API key in the path or query never leaves
/// the process.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => {
            let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
            let more = if u.path().trim_start_matches('/').is_empty() && u.query().is_none() {
                ""
            } else {
                "/…"
            };
            format!(
                "{}://{}{port}{more}",
                u.scheme(),
                u.host_str().unwrap_or("?")
            )
        }
        Err(_) => "(a node URL that does not parse)".to_string(),
    }
}

impl Chain {
    /// Connects to `url`, failing after `timeout`. Errors show the URL redacted
    /// ([`redact_url`]).
    pub async fn connect(url: &str, timeout: Duration) -> Result<Self, ChainError> {
        let connect = async {
            let rpc = RpcClient::from_url(url).await?;
            let client = OnlineClient::<C>::from_rpc_client(rpc.clone()).await?;
            Ok::<_, subxt::Error>((rpc, client))
        };
        let (rpc, client) = tokio::time::timeout(timeout, connect)
            .await
            .map_err(|_| {
                ChainError::Connection(format!(
                    "no answer from {} within {timeout:?}",
                    redact_url(url)
                ))
            })?
            .map_err(|e| {
                let shown = redact_url(url);
                ChainError::Connection(format!("{shown}: {}", e.to_string().replace(url, &shown)))
            })?;
        Ok(Chain {
            client,
            rpc: LegacyRpcMethods::new(rpc),
            last_included_nonce: std::sync::Mutex::new(std::collections::HashMap::new()),
        })
    }

    /// `Contracts::DepositPerByte`: the storage deposit per byte a contract grows by.
    pub fn deposit_per_byte(&self) -> Result<u128, ChainError> {
        let address = subxt::dynamic::constant("Contracts", "DepositPerByte");
        let value = self.client.constants().at(&address)?;
        value
            .as_type::<u128>()
            .map_err(|e| ChainError::Unexpected(format!("Contracts::DepositPerByte: {e}")))
    }

    /// The best block's hash and number. (Not `at_latest()`, the latest *finalized* block:
    /// prices are judged against the newest state.)
    pub async fn best_block(&self) -> Result<(H256, u64), ChainError> {
        timed(self.best_block_untimed()).await
    }

    async fn best_block_untimed(&self) -> Result<(H256, u64), ChainError> {
        let header = self
            .rpc
            .chain_get_header(None)
            .await?
            .ok_or_else(|| ChainError::Unexpected("the node has no best block".into()))?;
        let hash = self
            .rpc
            .chain_get_block_hash(Some(header.number.into()))
            .await?
            .ok_or_else(|| ChainError::Unexpected("the best block has no hash".into()))?;
        Ok((hash, u64::from(header.number)))
    }

    /// `Timestamp::Now` at `block`, in seconds.
    pub async fn now_secs(&self, block: H256) -> Result<u64, ChainError> {
        timed(self.now_secs_untimed(block)).await
    }

    async fn now_secs_untimed(&self, block: H256) -> Result<u64, ChainError> {
        let address = subxt::dynamic::storage("Timestamp", "Now", Vec::<Value>::new());
        let key = self.client.storage().address_bytes(&address)?;
        let raw = self
            .client
            .storage()
            .at(block)
            .fetch_raw(key)
            .await?
            .ok_or_else(|| ChainError::Unexpected("the chain has no Timestamp::Now".into()))?;
        let millis = u64::decode(&mut raw.as_slice())
            .map_err(|e| ChainError::Unexpected(format!("Timestamp::Now: {e}")))?;
        Ok(millis / 1000)
    }

    /// The code hash of the contract at `address` at the best block
    /// (`Contracts::ContractInfoOf`); `None` when no contract is there.
    pub async fn code_hash(&self, address: &AccountId32) -> Result<Option<[u8; 32]>, ChainError> {
        timed(async {
            let (block, _) = self.best_block_untimed().await?;
            let key = subxt::dynamic::storage(
                "Contracts",
                "ContractInfoOf",
                vec![Value::from_bytes(address.0)],
            );
            let key = self.client.storage().address_bytes(&key)?;
            match self.client.storage().at(block).fetch_raw(key).await? {
                Some(raw) => decode_code_hash(&raw).map(Some),
                None => Ok(None),
            }
        })
        .await
    }

    /// The chain's genesis hash: a different one means the chain was reset.
    pub fn genesis_hash(&self) -> H256 {
        self.client.genesis_hash()
    }

    /// The latest finalized block's hash and number.
    pub async fn finalized_block(&self) -> Result<(H256, u64), ChainError> {
        timed(async {
            let hash = self.rpc.chain_get_finalized_head().await?;
            let header = self
                .rpc
                .chain_get_header(Some(hash))
                .await?
                .ok_or_else(|| {
                    ChainError::Unexpected("the finalized block has no header".into())
                })?;
            Ok((hash, u64::from(header.number)))
        })
        .await
    }

    /// The hash of block `number` on the node's best chain, if it has one.
    pub async fn block_hash(&self, number: u64) -> Result<Option<H256>, ChainError> {
        let number = u32::try_from(number)
            .map_err(|_| ChainError::Unexpected(format!("block number {number} out of range")))?;
        timed(async { Ok(self.rpc.chain_get_block_hash(Some(number.into())).await?) }).await
    }

    /// The events contracts emitted in `block`, in order: `Contracts::ContractEmitted`
    /// with the event record's topics.
    pub async fn contract_events(&self, block: H256) -> Result<Vec<ContractEvent>, ChainError> {
        timed(async {
            let events = self.client.events().at(block).await?;
            let mut emitted = Vec::new();
            for (index, event) in events.iter().enumerate() {
                let event = event.map_err(|e| {
                    ChainError::Unexpected(format!("cannot decode the block's events: {e}"))
                })?;
                if event.pallet_name() != "Contracts" || event.variant_name() != "ContractEmitted" {
                    continue;
                }
                let (contract, data) = <([u8; 32], Vec<u8>)>::decode(&mut event.field_bytes())
                    .map_err(|e| {
                        ChainError::Unexpected(format!(
                            "cannot decode Contracts::ContractEmitted: {e}"
                        ))
                    })?;
                emitted.push(ContractEvent {
                    index: index as u32,
                    contract: AccountId32(contract),
                    topics: event.topics().iter().map(|t| t.0).collect(),
                    data,
                });
            }
            Ok(emitted)
        })
        .await
    }

    /// The raw value under `key` in `contract`'s storage at `block`
    /// (`ContractsApi_get_storage`); `None` when the key holds nothing.
    pub async fn contract_storage(
        &self,
        block: H256,
        contract: &AccountId32,
        key: Vec<u8>,
    ) -> Result<Option<Vec<u8>>, ChainError> {
        let args = (contract, key).encode();
        let raw: RawBytes = timed(async {
            Ok(self
                .client
                .runtime_api()
                .at(block)
                .call_raw("ContractsApi_get_storage", Some(&args))
                .await?)
        })
        .await?;
        // Result<Option<Vec<u8>>, ContractAccessError>
        match <Result<Option<Vec<u8>>, u8>>::decode(&mut raw.0.as_slice()) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(_)) => Err(ChainError::Unexpected(format!(
                "no contract at {contract} to read storage from"
            ))),
            Err(e) => Err(ChainError::Unexpected(format!(
                "cannot decode a contract storage read: {e}"
            ))),
        }
    }

    /// Dry-runs a call of `contract` with `input` from `origin` at `block`.
    pub async fn dry_run(
        &self,
        block: H256,
        origin: &AccountId32,
        contract: &AccountId32,
        input: Vec<u8>,
    ) -> Result<DryRun, ChainError> {
        // ContractsApi::call(origin, dest, value, gas_limit, storage_deposit_limit, input)
        let args = (
            origin,
            contract,
            0u128,
            Option::<Weight>::None,
            Option::<u128>::None,
            input,
        )
            .encode();
        let raw: RawBytes = timed(async {
            Ok(self
                .client
                .runtime_api()
                .at(block)
                .call_raw("ContractsApi_call", Some(&args))
                .await?)
        })
        .await?;
        decode_dry_run(&raw.0, || self.client.metadata())
    }

    /// Signs and submits `Contracts::call(contract, 0, gas_limit, storage_limit, input)`
    /// and follows it until it is in a block, the pool refuses it or `timeout` passes
    /// (then `Connection`: whether it landed is for the caller to find out on chain).
    pub async fn call(
        &self,
        signer: &Keypair,
        contract: &AccountId32,
        input: Vec<u8>,
        gas_limit: Weight,
        storage_deposit_limit: u128,
        timeout: Duration,
    ) -> Result<Inclusion, ChainError> {
        let tx = subxt::dynamic::tx(
            "Contracts",
            "call",
            vec![
                Value::unnamed_variant("Id", [Value::from_bytes(contract.0)]),
                Value::u128(0),
                Value::named_composite([
                    ("ref_time", Value::u128(u128::from(gas_limit.ref_time))),
                    ("proof_size", Value::u128(u128::from(gas_limit.proof_size))),
                ]),
                Value::unnamed_variant("Some", [Value::u128(storage_deposit_limit)]),
                Value::from_bytes(input),
            ],
        );
        self.submit_and_follow(&tx, signer, timeout).await
    }

    /// Dry-runs an instantiation of the stored code `code_hash` with `input` (a
    /// constructor's selector and arguments) and `salt` from `origin` at `block`
    /// (`ContractsApi_instantiate`).
    pub async fn dry_run_instantiate(
        &self,
        block: H256,
        origin: &AccountId32,
        code_hash: [u8; 32],
        input: Vec<u8>,
        salt: Vec<u8>,
    ) -> Result<InstantiateDryRun, ChainError> {
        // ContractsApi::instantiate(origin, value, gas_limit, storage_deposit_limit,
        // Code::Existing(code_hash), data, salt)
        let args = (
            origin,
            0u128,
            Option::<Weight>::None,
            Option::<u128>::None,
            CODE_EXISTING,
            code_hash,
            input,
            salt,
        )
            .encode();
        let raw: RawBytes = timed(async {
            Ok(self
                .client
                .runtime_api()
                .at(block)
                .call_raw("ContractsApi_instantiate", Some(&args))
                .await?)
        })
        .await?;
        decode_instantiate_dry_run(&raw.0, || self.client.metadata())
    }

    /// Signs and submits `Contracts::instantiate(0, gas_limit, storage_limit, code_hash,
    /// input, salt)` and follows it as [`Chain::call`] does.
    #[allow(clippy::too_many_arguments)]
    pub async fn instantiate(
        &self,
        signer: &Keypair,
        code_hash: [u8; 32],
        input: Vec<u8>,
        salt: Vec<u8>,
        gas_limit: Weight,
        storage_deposit_limit: u128,
        timeout: Duration,
    ) -> Result<Inclusion, ChainError> {
        let tx = subxt::dynamic::tx(
            "Contracts",
            "instantiate",
            vec![
                Value::u128(0),
                Value::named_composite([
                    ("ref_time", Value::u128(u128::from(gas_limit.ref_time))),
                    ("proof_size", Value::u128(u128::from(gas_limit.proof_size))),
                ]),
                Value::unnamed_variant("Some", [Value::u128(storage_deposit_limit)]),
                Value::from_bytes(code_hash),
                Value::from_bytes(input),
                Value::from_bytes(salt),
            ],
        );
        self.submit_and_follow(&tx, signer, timeout).await
    }

    /// Signs and submits `tx` and follows it until it is in a block, the pool refuses it
    /// or `timeout` passes (then `Connection`).
    async fn submit_and_follow(
        &self,
        tx: &subxt::tx::DynamicPayload,
        signer: &Keypair,
        timeout: Duration,
    ) -> Result<Inclusion, ChainError> {
        let follow = async {
            let account = signer.public_key().to_account_id();
            let mut attempt = 1;
            let (mut progress, nonce) = loop {
                let header =
                    self.rpc.chain_get_header(None).await?.ok_or_else(|| {
                        ChainError::Unexpected("the node has no best block".into())
                    })?;
                // The node's `system_accountNextIndex` counts this account's transactions in
                // the pool too, so it is right after a restart of either side; but right
                // after a block it can still answer from the block before (seen on
                // instant-seal nodes: "Transaction is outdated"), so never go below our last
                // included nonce + 1 on this connection (per account: a tool may sign with
                // several keys).
                let next = self.rpc.system_account_next_index(&account).await?;
                let last = self
                    .last_included_nonce
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .get(&account.0)
                    .copied();
                let nonce = last.map_or(next, |last| next.max(last.saturating_add(1)));
                let params = DefaultExtrinsicParamsBuilder::<C>::new()
                    .mortal(&header, MORTALITY_BLOCKS)
                    .nonce(nonce)
                    .build();
                match self
                    .client
                    .tx()
                    .sign_and_submit_then_watch(tx, signer, params)
                    .await
                {
                    Ok(progress) => break (progress, nonce),
                    // Built on a block or nonce the chain has since left behind (on a busy
                    // instant-seal chain MORTALITY_BLOCKS pass in seconds): the pool never
                    // took it, so building it again cannot run it twice.
                    Err(subxt::Error::Rpc(ref rpc))
                        if attempt < SUBMIT_ATTEMPTS && stale_submission(&rpc.to_string()) =>
                    {
                        attempt += 1;
                    }
                    Err(e @ subxt::Error::Rpc(_))
                        if e.to_string().contains("Invalid Transaction") =>
                    {
                        return Err(ChainError::Unexpected(e.to_string()))
                    }
                    Err(other) => return Err(ChainError::from(other)),
                }
            };
            while let Some(status) = progress.next().await {
                match status? {
                    TxStatus::InBestBlock(in_block) | TxStatus::InFinalizedBlock(in_block) => {
                        let block = in_block.block_hash();
                        self.last_included_nonce
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .insert(account.0, nonce);
                        return Ok(match in_block.wait_for_success().await {
                            Ok(_) => Inclusion::Success { block },
                            Err(subxt::Error::Runtime(e)) => Inclusion::Failed {
                                block,
                                error: dispatch_error_text(&e),
                            },
                            Err(other) => return Err(other.into()),
                        });
                    }
                    TxStatus::Invalid { message } | TxStatus::Dropped { message } => {
                        return Ok(Inclusion::Refused(message))
                    }
                    TxStatus::Error { message } => return Err(ChainError::Connection(message)),
                    _ => continue,
                }
            }
            Err(ChainError::Connection(
                "the node closed the transaction subscription".into(),
            ))
        };
        tokio::time::timeout(timeout, follow).await.map_err(|_| {
            ChainError::Connection(format!(
                "no block included the transaction within {timeout:?}"
            ))
        })?
    }
}

/// A runtime API answer kept as bytes (its own encoding, not a length-prefixed Vec).
struct RawBytes(Vec<u8>);

impl Decode for RawBytes {
    fn decode<I: scale::Input>(input: &mut I) -> Result<Self, scale::Error> {
        let mut bytes = Vec::new();
        if let Some(len) = input.remaining_len()? {
            bytes.resize(len, 0);
            input.read(&mut bytes)?;
        } else {
            while let Ok(byte) = input.read_byte() {
                bytes.push(byte);
            }
        }
        Ok(RawBytes(bytes))
    }
}

/// Decodes `ContractResult<Result<ExecReturnValue, DispatchError>, u128>`'s fields up to
/// the result; the events after it are not needed.
fn decode_dry_run(
    raw: &[u8],
    metadata: impl FnOnce() -> subxt::Metadata,
) -> Result<DryRun, ChainError> {
    decode_contract_result(raw, metadata, false).map(|(dry, _)| dry)
}

/// Decodes `ContractResult<Result<InstantiateReturnValue<AccountId>, DispatchError>,
/// u128>`'s fields up to the result, as [`decode_dry_run`], with the new contract's address.
fn decode_instantiate_dry_run(
    raw: &[u8],
    metadata: impl FnOnce() -> subxt::Metadata,
) -> Result<InstantiateDryRun, ChainError> {
    let (dry_run, address) = decode_contract_result(raw, metadata, true)?;
    Ok(InstantiateDryRun { dry_run, address })
}

/// The fields of a `ContractResult` up to its result; an instantiation's successful result
/// (`with_address`) ends with the new contract's address after the output.
fn decode_contract_result(
    raw: &[u8],
    metadata: impl FnOnce() -> subxt::Metadata,
    with_address: bool,
) -> Result<(DryRun, Option<AccountId32>), ChainError> {
    let bad = |e: scale::Error| ChainError::Unexpected(format!("cannot decode a dry run: {e}"));
    let input = &mut &raw[..];
    let _gas_consumed = Weight::decode(input).map_err(bad)?;
    let gas_required = Weight::decode(input).map_err(bad)?;
    let storage_charge = match StorageDeposit::decode(input).map_err(bad)? {
        StorageDeposit::Charge(amount) => amount,
        StorageDeposit::Refund(_) => 0,
    };
    let _debug_message = Vec::<u8>::decode(input).map_err(bad)?;
    let mut address = None;
    let result = match u8::decode(input).map_err(bad)? {
        0 => {
            let flags = u32::decode(input).map_err(bad)?;
            let data = Vec::<u8>::decode(input).map_err(bad)?;
            if with_address {
                address = Some(AccountId32(<[u8; 32]>::decode(input).map_err(bad)?));
            }
            Ok(ContractOutput {
                reverted: flags & REVERT != 0,
                data,
            })
        }
        1 => Err(match DispatchError::decode_from(*input, metadata()) {
            Ok(e) => dispatch_error_text(&e),
            Err(e) => format!("undecodable dispatch error ({e})"),
        }),
        tag => {
            return Err(ChainError::Unexpected(format!(
                "cannot decode a dry run: result tag {tag}"
            )))
        }
    };
    let dry_run = DryRun {
        gas_required,
        storage_charge,
        result,
    };
    Ok((dry_run, address))
}

/// The `code_hash` of a SCALE-encoded `pallet_contracts::ContractInfo`, its second field
/// after `trie_id` (a `BoundedVec<u8>`); the fields after it are not needed. Should a
/// pallet version lay the struct out differently, the hash read is wrong and the check
/// refuses the oracle: it fails closed.
fn decode_code_hash(raw: &[u8]) -> Result<[u8; 32], ChainError> {
    let input = &mut &raw[..];
    let bad = |e: scale::Error| {
        ChainError::Unexpected(format!("cannot decode Contracts::ContractInfoOf: {e}"))
    };
    let _trie_id = Vec::<u8>::decode(input).map_err(bad)?;
    <[u8; 32]>::decode(input).map_err(bad)
}

/// `Contracts::ContractReverted` rather than the whole debug structure.
fn dispatch_error_text(error: &DispatchError) -> String {
    match error {
        DispatchError::Module(module) => match module.details() {
            Ok(details) => format!("{}::{}", details.pallet.name(), details.variant.name),
            Err(_) => error.to_string(),
        },
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scale::Compact;

    fn compact(n: u64) -> Vec<u8> {
        Compact(n).encode()
    }

    fn no_metadata() -> subxt::Metadata {
        unreachable!("not needed for successful dry runs")
    }

    #[test]
    fn only_a_stale_checkpoint_or_nonce_is_built_again() {
        // As the node words its refusals (author_submitAndWatchExtrinsic, error 1010).
        let refusal = |data: &str| {
            format!("RPC error: ErrorObject {{ code: ServerError(1010), message: \"Invalid Transaction\", data: Some(RawValue(\"{data}\")) }}")
        };
        for stale in [
            "Transaction has a bad signature",
            "Transaction is outdated",
            "Transaction has an ancient birth block",
        ] {
            assert!(stale_submission(&refusal(stale)), "{stale}");
        }
        for other in [
            "Inability to pay some fees (e.g. account balance too low)",
            "Transaction will be valid in the future",
            "Priority is too low",
        ] {
            assert!(!stale_submission(&refusal(other)), "{other}");
        }
    }

    #[test]
    fn node_urls_are_redacted() {
        assert_eq!(redact_url("ws://127.0.0.1:9944"), "ws://127.0.0.1:9944");
        assert_eq!(
            redact_url("wss://op:hunter2@rpc.example.org/ws/s3cr3t?apikey=s3cr3t"),
            "wss://rpc.example.org/…"
        );
        assert_eq!(
            redact_url("not a url s3cr3t"),
            "(a node URL that does not parse)"
        );
    }

    #[tokio::test]
    async fn connection_errors_do_not_show_credentials() {
        // Nothing listens on port 9 of loopback.
        let err = Chain::connect(
            "ws://op:hunter2@127.0.0.1:9/s3cr3t?apikey=s3cr3t",
            Duration::from_secs(5),
        )
        .await
        .err()
        .expect("nothing listens there");
        let text = err.to_string();
        assert!(
            !text.contains("hunter2") && !text.contains("s3cr3t"),
            "{text}"
        );
        assert!(text.contains("ws://127.0.0.1:9/…"), "{text}");
    }

    #[test]
    fn decodes_the_code_hash_of_a_contract_info() {
        let mut raw = vec![7u8; 5].encode(); // trie_id
        raw.extend([0xab; 32]); // code_hash
        raw.extend(123u32.encode()); // storage_bytes, … (ignored)
        assert_eq!(decode_code_hash(&raw).unwrap(), [0xab; 32]);
        assert!(decode_code_hash(&raw[..20]).is_err());
    }

    #[test]
    fn decodes_a_dry_run_up_to_its_result() {
        let mut raw = Vec::new();
        raw.extend(compact(5)); // gas_consumed.ref_time
        raw.extend(compact(6));
        raw.extend(compact(1_234_567_890)); // gas_required.ref_time
        raw.extend(compact(65_536));
        raw.push(1); // StorageDeposit::Charge
        raw.extend(7u128.encode());
        raw.extend(Vec::<u8>::new().encode()); // debug message
        raw.push(0); // Ok(ExecReturnValue)
        raw.extend(REVERT.encode());
        raw.extend(vec![0u8, 1, 2].encode());
        raw.extend([0xff; 9]); // events (ignored)
        let dry = decode_dry_run(&raw, no_metadata).unwrap();
        assert_eq!(
            dry.gas_required,
            Weight {
                ref_time: 1_234_567_890,
                proof_size: 65_536
            }
        );
        assert_eq!(dry.storage_charge, 7);
        assert_eq!(
            dry.result,
            Ok(ContractOutput {
                reverted: true,
                data: vec![0, 1, 2]
            })
        );
        assert!(decode_dry_run(&raw[..4], no_metadata).is_err());
    }

    #[test]
    fn decodes_an_instantiation_dry_run_with_its_address() {
        let mut raw = Vec::new();
        raw.extend(compact(5)); // gas_consumed
        raw.extend(compact(6));
        raw.extend(compact(700)); // gas_required
        raw.extend(compact(80));
        raw.push(1); // StorageDeposit::Charge
        raw.extend(9u128.encode());
        raw.extend(Vec::<u8>::new().encode()); // debug message
        raw.push(0); // Ok(InstantiateReturnValue)
        raw.extend(0u32.encode()); // flags
        raw.extend(vec![0u8, 0].encode()); // Ok(Ok(()))
        raw.extend([0xcd; 32]); // account_id
        raw.extend([0xff; 3]); // events (ignored)
        let dry = decode_instantiate_dry_run(&raw, no_metadata).unwrap();
        assert_eq!(dry.address, Some(AccountId32([0xcd; 32])));
        assert_eq!(dry.dry_run.storage_charge, 9);
        assert_eq!(
            dry.dry_run.result,
            Ok(ContractOutput {
                reverted: false,
                data: vec![0, 0]
            })
        );
        // The call's decoder stops before the address.
        assert_eq!(
            decode_dry_run(&raw, no_metadata).unwrap().result,
            dry.dry_run.result
        );
        // An address cut short.
        assert!(decode_instantiate_dry_run(&raw[..raw.len() - 19], no_metadata).is_err());
    }
}
