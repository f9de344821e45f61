//! The chain. Constructors and messages are typed (`constructors.rs`, `messages.rs`) and go
//! through Carrack's shared chain client (`carrack-client`): raw input bytes, dry-run
//! first, replies decoded as the contracts' own types. Code uploads, and the `call`
//! subcommand's user-typed arguments in SCALE-value syntax, go through cargo-contract's
//! own library (`contract-extrinsics`), the latter encoded — and its result decoded — by
//! the bundles' metadata (`ContractMessageTranscoder`).
//!
//! Every transaction is dry-run first; a dry run that fails, reverts or returns `Err(..)`
//! stops with the decoded error and nothing is submitted. Messages and instantiations are
//! signed with twice the dry run's `gas_required` (see `carrack_client::gas_limit`),
//! uploads with the dry run's.

use crate::bundles::Bundle;
use anyhow::{anyhow, bail, Context, Result};
use carrack_client::{constructor, Constructor, Inclusion, Message};
use contract_build::Verbosity;
use contract_extrinsics::{
    extrinsic_opts::ExtrinsicOpts, CallCommandBuilder, ErrorVariant, ExtrinsicOptsBuilder,
    UploadCommandBuilder,
};
use contract_transcode::Value;
use scale::{Decode, Encode};
use std::fmt::Debug;
use std::path::Path;
use std::time::Duration;
use subxt::backend::{legacy::LegacyRpcMethods, rpc::RpcClient};
use subxt::utils::AccountId32;
use subxt::{OnlineClient, SubstrateConfig};
use subxt_signer::sr25519::Keypair;

/// The chain's configuration: Substrate defaults, as substrate-contracts-node uses.
pub type C = SubstrateConfig;
/// The contracts' environment.
pub type E = ink::env::DefaultEnvironment;

/// How long to wait for a node to answer the initial connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// How long to wait for a block to include a transaction; a run that gives up resumes
/// idempotently.
const INCLUSION_TIMEOUT: Duration = Duration::from_secs(300);

/// A connection to a node.
pub struct Chain {
    pub url: url::Url,
    pub client: OnlineClient<C>,
    pub rpc: LegacyRpcMethods<C>,
    /// The same node through the shared chain client: typed dry runs, messages and
    /// instantiations.
    pub node: carrack_client::Chain,
}

/// One line from an `ErrorVariant`, without the pallet docs' line breaks.
fn variant_line(error: &ErrorVariant) -> String {
    match error {
        ErrorVariant::Module(m) => {
            let doc = m.docs.first().map(|d| d.trim()).unwrap_or_default();
            if doc.is_empty() {
                format!("{}::{}", m.pallet, m.error)
            } else {
                format!("{}::{} ({doc})", m.pallet, m.error)
            }
        }
        other => other.to_string(),
    }
}

fn variant_err(error: ErrorVariant) -> anyhow::Error {
    anyhow!(variant_line(&error))
}

/// The dry-run outcome of a message of the `call` subcommand.
pub struct DryRun {
    /// The decoded return value (`Ok(..)` wraps ink!'s `LangError` result).
    pub value: Value,
    /// The call reverted (ink! reverts when a message returns `Err`).
    pub reverted: bool,
}

impl Chain {
    /// Connects to `url`, failing within [`CONNECT_TIMEOUT`].
    pub async fn connect(url: &str) -> Result<Self> {
        let parsed = url::Url::parse(url).with_context(|| format!("{url:?} is not a node URL"))?;
        if !matches!(parsed.scheme(), "ws" | "wss") {
            bail!("{url:?} is not a WebSocket URL (ws:// or wss://)");
        }
        let connect = async {
            let rpc = RpcClient::from_url(url).await?;
            let client = OnlineClient::<C>::from_rpc_client(rpc.clone()).await?;
            Ok::<_, subxt::Error>((rpc, client))
        };
        let (rpc, client) = tokio::time::timeout(CONNECT_TIMEOUT, connect)
            .await
            .map_err(|_| anyhow!("no answer within {} s", CONNECT_TIMEOUT.as_secs()))
            .and_then(|r| r.map_err(|e| anyhow!(e)))
            .with_context(|| format!("cannot connect to the node at {url}"))?;
        let node = carrack_client::Chain::connect(url, CONNECT_TIMEOUT)
            .await
            .with_context(|| format!("cannot connect to the node at {url}"))?;
        Ok(Chain {
            url: parsed,
            client,
            rpc: LegacyRpcMethods::new(rpc),
            node,
        })
    }

    /// The URL as given.
    pub fn url_string(&self) -> String {
        self.url.to_string().trim_end_matches('/').to_string()
    }

    /// `0x…`.
    pub fn genesis_hash(&self) -> String {
        format!("0x{}", hex::encode(self.client.genesis_hash().as_bytes()))
    }

    /// The best block's number.
    pub async fn best_block(&self) -> Result<u64> {
        let header = self
            .rpc
            .chain_get_header(None)
            .await
            .context("cannot read the best block")?
            .context("the node has no best block")?;
        Ok(u64::from(header.number))
    }

    /// Raw storage at the best block.
    async fn storage_raw(
        &self,
        pallet: &str,
        entry: &str,
        keys: Vec<subxt::dynamic::Value>,
    ) -> Result<Option<Vec<u8>>> {
        let address = subxt::dynamic::storage(pallet, entry, keys);
        let key = self.client.storage().address_bytes(&address)?;
        // The best block, not `at_latest()` (the latest *finalized* block): a dev node
        // finalizes with a delay, and a contract instantiated a moment ago must be seen.
        let best = self
            .rpc
            .chain_get_block_hash(None)
            .await?
            .context("the node has no best block")?;
        Ok(self.client.storage().at(best).fetch_raw(key).await?)
    }

    /// The latest block's timestamp (`Timestamp::Now`), in seconds.
    pub async fn now_secs(&self) -> Result<u64> {
        let raw = self
            .storage_raw("Timestamp", "Now", vec![])
            .await
            .context("cannot read Timestamp::Now")?
            .context("the chain has no Timestamp::Now yet")?;
        let millis = u64::decode_all(&raw).context("Timestamp::Now is not a u64")?;
        Ok(millis / 1000)
    }

    /// Whether code with this hash is stored (`Contracts::PristineCode`).
    pub async fn code_exists(&self, code_hash: &[u8; 32]) -> Result<bool> {
        Ok(self
            .storage_raw(
                "Contracts",
                "PristineCode",
                vec![subxt::dynamic::Value::from_bytes(code_hash)],
            )
            .await
            .context("cannot read Contracts::PristineCode")?
            .is_some())
    }

    /// The code hash of the contract at `address` (`Contracts::ContractInfoOf`), if any.
    pub async fn contract_code_hash(&self, address: &AccountId32) -> Result<Option<[u8; 32]>> {
        let exists = self
            .storage_raw(
                "Contracts",
                "ContractInfoOf",
                vec![subxt::dynamic::Value::from_bytes(address)],
            )
            .await
            .context("cannot read Contracts::ContractInfoOf")?
            .is_some();
        if !exists {
            return Ok(None);
        }
        let info =
            contract_extrinsics::fetch_contract_info::<C, E>(address, &self.rpc, &self.client)
                .await
                .with_context(|| format!("cannot read the contract info of {address}"))?;
        Ok(Some(info.code_hash().0))
    }

    /// Every contract on chain (for counting).
    pub async fn all_contracts(&self) -> Result<Vec<AccountId32>> {
        contract_extrinsics::fetch_all_contracts(&self.client, &self.rpc).await
    }

    fn opts(&self, signer: &Keypair, file: &Path) -> ExtrinsicOpts<C, E, Keypair> {
        ExtrinsicOptsBuilder::new(signer.clone())
            .file(Some(file))
            .url(self.url.clone())
            .verbosity(Verbosity::Quiet)
            .done()
    }

    /// Uploads a bundle's code (dry-run first). The caller checks it is not on chain yet.
    pub async fn upload(&self, bundle: &Bundle, signer: &Keypair) -> Result<()> {
        let exec = UploadCommandBuilder::new(self.opts(signer, &bundle.contract_path))
            .done()
            .await
            .with_context(|| format!("cannot prepare the upload of {}", bundle.name))?;
        if let Err(err) = exec.upload_code_rpc().await? {
            let variant = ErrorVariant::from_dispatch_error(&err, &exec.client().metadata())?;
            bail!(
                "uploading {} would fail: {}",
                bundle.name,
                variant_line(&variant)
            );
        }
        let result = exec.upload_code().await.map_err(variant_err)?;
        match result.code_stored {
            Some(stored) if stored.code_hash.0 == bundle.code_hash => Ok(()),
            Some(stored) => bail!(
                "uploading {} stored code hash {:?}, expected 0x{}",
                bundle.name,
                stored.code_hash,
                hex::encode(bundle.code_hash)
            ),
            None => Ok(()), // already stored by someone else meanwhile
        }
    }

    /// The address pallet-contracts gives an instantiation:
    /// `blake2_256("contract_addr_v1" ++ deployer ++ code_hash ++ input ++ salt)`, with
    /// `input` and `salt` SCALE-encoded as byte vectors (`DefaultAddressGenerator`).
    pub fn contract_address(
        deployer: &AccountId32,
        code_hash: &[u8; 32],
        input: &[u8],
        salt: &[u8],
    ) -> AccountId32 {
        let entropy = (b"contract_addr_v1", deployer.0, code_hash, input, salt).encode();
        AccountId32(sp_core_hashing_blake2_256(&entropy))
    }

    /// Instantiates the stored code `code_hash` with `constructor` and `salt`, signed by
    /// `signer`: the dry run must succeed and the constructor return `Ok`, and afterwards
    /// the code must run at the new address. Returns the address.
    pub async fn instantiate<Failure: Decode + Debug>(
        &self,
        code_hash: [u8; 32],
        constructor: &Constructor<Failure>,
        salt: &[u8; 32],
        signer: &Keypair,
    ) -> Result<AccountId32> {
        let (address, inclusion) = constructor::instantiate(
            &self.node,
            signer,
            code_hash,
            constructor,
            salt,
            INCLUSION_TIMEOUT,
        )
        .await?;
        included(inclusion)?;
        match self.contract_code_hash(&address).await? {
            Some(hash) if hash == code_hash => Ok(address),
            other => bail!(
                "the instantiation was included, but {address} holds {} instead of code 0x{}",
                other.map_or("no contract".to_string(), |h| format!(
                    "code 0x{}",
                    hex::encode(h)
                )),
                hex::encode(code_hash)
            ),
        }
    }

    /// The reply of `message` to `contract`, dry-run from `origin` at the best block: the
    /// message's own return type (`Result<T, E>` for a fallible message, its `Err` included).
    pub async fn read<R: Decode>(
        &self,
        contract: &AccountId32,
        message: &Message<R>,
        origin: &AccountId32,
    ) -> Result<R> {
        let (block, _) = self.node.best_block().await?;
        let dry = self
            .node
            .dry_run(block, origin, contract, message.input().to_vec())
            .await?;
        Ok(message.dry_run_reply(&dry)?)
    }

    /// Sends `message` to `contract` signed by `signer`, after a dry run that must return
    /// `Ok` (`carrack_client::send`), and requires a block to include it successfully.
    /// Returns the message's value.
    pub async fn execute<T: Decode + Debug, Failure: Decode + Debug>(
        &self,
        contract: &AccountId32,
        message: &Message<Result<T, Failure>>,
        signer: &Keypair,
    ) -> Result<T> {
        let (reply, inclusion) =
            carrack_client::send(&self.node, signer, contract, message, INCLUSION_TIMEOUT).await?;
        let value = reply.map_err(|e| anyhow!("the contract refused in the dry run: {e:?}"))?;
        included(inclusion)?;
        Ok(value)
    }

    /// Dry-runs `message` with `args` in SCALE-value syntax (the `call` subcommand's, typed
    /// by the user) on `contract` as `origin`, encoded and decoded by the bundle's metadata.
    pub async fn dry_run(
        &self,
        bundle: &Bundle,
        contract: &AccountId32,
        message: &str,
        args: &[String],
        origin: &Keypair,
    ) -> Result<DryRun> {
        let context = || call_context(bundle, contract, message, args);
        let exec = CallCommandBuilder::new(
            contract.clone(),
            message,
            self.opts(origin, &bundle.metadata_path),
        )
        .args(args.to_vec())
        .done()
        .await
        .with_context(context)?;
        let dry = exec.call_dry_run().await.with_context(context)?;
        match &dry.result {
            Ok(ret) => Ok(DryRun {
                value: exec
                    .transcoder()
                    .decode_message_return(message, &mut &ret.data[..])
                    .with_context(context)?,
                reverted: ret.did_revert(),
            }),
            Err(err) => {
                let refusal = variant_line(&ErrorVariant::from_dispatch_error(
                    err,
                    &exec.client().metadata(),
                )?);
                bail!("{}: {refusal}", context())
            }
        }
    }
}

/// A transaction a block included successfully, or why not.
fn included(inclusion: Inclusion) -> Result<()> {
    match inclusion {
        Inclusion::Success { block } => {
            tracing::debug!("included in block {block:?}");
            Ok(())
        }
        Inclusion::Failed { block, error } => {
            bail!("the transaction failed in block {block:?}: {error}")
        }
        Inclusion::Refused(why) => bail!("the transaction pool refused the transaction: {why}"),
    }
}

/// How a call is named in errors: `bundle::message(args) on contract`.
fn call_context(bundle: &Bundle, contract: &AccountId32, message: &str, args: &[String]) -> String {
    format!(
        "{}::{message}({}) on {contract}",
        bundle.name,
        args.join(", ")
    )
}

fn sp_core_hashing_blake2_256(data: &[u8]) -> [u8; 32] {
    use blake2::{digest::consts::U32, Blake2b, Digest};
    Blake2b::<U32>::digest(data).into()
}

trait DecodeAll: Sized {
    fn decode_all(bytes: &[u8]) -> Result<Self>;
}

impl DecodeAll for u64 {
    fn decode_all(bytes: &[u8]) -> Result<Self> {
        let arr: [u8; 8] = bytes.try_into().map_err(|_| anyhow!("expected 8 bytes"))?;
        Ok(u64::from_le_bytes(arr))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_derivation_matches_pallet_contracts_encoding() {
        // The tuple encodes the prefix and the 32-byte arrays raw, and the two byte slices
        // with compact length prefixes.
        let deployer = AccountId32([1; 32]);
        let encoded = (
            b"contract_addr_v1",
            deployer.0,
            &[2u8; 32],
            &[7u8, 8][..],
            &[9u8][..],
        )
            .encode();
        let mut expected = b"contract_addr_v1".to_vec();
        expected.extend([1; 32]);
        expected.extend([2; 32]);
        expected.extend([2 << 2, 7, 8]);
        expected.extend([1 << 2, 9]);
        assert_eq!(encoded, expected);
        let a = Chain::contract_address(&deployer, &[2; 32], &[7, 8], &[9]);
        let b = Chain::contract_address(&deployer, &[2; 32], &[7, 8], &[10]);
        assert_ne!(a, b);
    }
}
