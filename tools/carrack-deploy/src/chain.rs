//! The chain, through cargo-contract's own library (`contract-extrinsics`): uploads,
//! instantiations, dry-run reads and transactions, with arguments in SCALE-value syntax
//! encoded — and results decoded — by the bundles' metadata (`ContractMessageTranscoder`).
//!
//! Every transaction is dry-run first; a dry run that fails, reverts or returns `Err(..)`
//! stops with the decoded error and nothing is submitted. Gas is the dry run's
//! `gas_required`.

use crate::bundles::Bundle;
use crate::values;
use anyhow::{anyhow, bail, Context, Result};
use contract_build::Verbosity;
use contract_extrinsics::{
    extrinsic_opts::ExtrinsicOpts, pallet_contracts_primitives::ContractExecResult,
    CallCommandBuilder, CallExec, DisplayEvents, ErrorVariant, ExtrinsicOptsBuilder,
    InstantiateCommandBuilder, UploadCommandBuilder,
};
use contract_transcode::Value;
use scale::Encode;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;
use subxt::backend::{legacy::LegacyRpcMethods, rpc::RpcClient};
use subxt::utils::AccountId32;
use subxt::{OnlineClient, SubstrateConfig};
use subxt_signer::sr25519::Keypair;

/// The chain's configuration: Substrate defaults, as substrate-contracts-node uses.
pub type C = SubstrateConfig;
/// The contracts' environment.
pub type E = ink_env::DefaultEnvironment;

/// How long to wait for a node to answer the initial connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// A connection to a node.
pub struct Chain {
    pub url: url::Url,
    pub client: OnlineClient<C>,
    pub rpc: LegacyRpcMethods<C>,
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

/// The dry-run outcome of a message.
pub struct DryRun {
    /// The decoded return value (`Ok(..)` wraps ink!'s `LangError` result).
    pub value: Value,
    /// The call reverted (ink! reverts when a message returns `Err`).
    pub reverted: bool,
}

impl DryRun {
    /// The variant name of the message's `Err(..)`, if it returned one (`UnknownFeed`).
    pub fn err_variant(&self) -> Option<String> {
        let inner = values::unwrap_result(&self.value).ok()?;
        match values::as_result(inner)? {
            Err(err) => Some(values::unit_variant(err).unwrap_or_else(|_| err.to_string())),
            Ok(_) => None,
        }
    }

    /// The message's own return value, or the decoded error if it failed.
    pub fn into_result(self) -> Result<Value, String> {
        let inner = match values::unwrap_result(&self.value) {
            Ok(inner) => inner.clone(),
            Err(lang) => return Err(format!("ink! error {lang}")),
        };
        if self.reverted {
            return Err(match values::as_result(&inner) {
                Some(Err(err)) => err.to_string(),
                _ => format!("reverted with {}", self.value),
            });
        }
        match values::as_result(&inner) {
            Some(Err(err)) => Err(err.to_string()),
            Some(Ok(value)) => Ok(value.clone()),
            None => Ok(inner),
        }
    }
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
        Ok(Chain {
            url: parsed,
            client,
            rpc: LegacyRpcMethods::new(rpc),
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

    /// The SCALE input of a constructor call: selector and arguments.
    pub fn constructor_input(
        bundle: &Bundle,
        constructor: &str,
        args: &[String],
    ) -> Result<Vec<u8>> {
        bundle
            .transcoder
            .encode(constructor, args)
            .with_context(|| {
                format!(
                    "cannot encode {}::{constructor}({})",
                    bundle.name,
                    args.join(", ")
                )
            })
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

    /// Instantiates `bundle` (its code already on chain) with `salt`; returns the address.
    /// The dry run must succeed and the constructor return `Ok`.
    pub async fn instantiate(
        &self,
        bundle: &Bundle,
        constructor: &str,
        args: &[String],
        salt: &[u8; 32],
        signer: &Keypair,
    ) -> Result<AccountId32> {
        let exec = InstantiateCommandBuilder::new(self.opts(signer, &bundle.metadata_path))
            .constructor(constructor)
            .args(args.to_vec())
            .salt(Some(sp_core::Bytes(salt.to_vec())))
            .done()
            .await
            .with_context(|| format!("cannot prepare {}::{constructor}", bundle.name))?;
        let dry = exec.instantiate_dry_run().await?;
        let decoded = exec.decode_instantiate_dry_run(&dry).await.map_err(|e| {
            anyhow!(
                "instantiating {} would fail: {}",
                bundle.name,
                variant_line(&e)
            )
        })?;
        let outcome = DryRun {
            value: decoded.result,
            reverted: decoded.reverted,
        };
        if let Err(err) = outcome.into_result() {
            bail!(
                "the constructor {}::{constructor} would fail: {err}",
                bundle.name
            );
        }
        let result = exec
            .instantiate(Some(dry.gas_required))
            .await
            .map_err(variant_err)?;
        self.log_events(&result.events, &bundle.transcoder);
        let expected = AccountId32::from_str(&decoded.contract).ok();
        if expected.as_ref() != Some(&result.contract_address) {
            tracing::warn!(
                "{} landed at {} though the dry run predicted {}",
                bundle.name,
                result.contract_address,
                decoded.contract
            );
        }
        Ok(result.contract_address)
    }

    /// Dry-runs `message` on `contract` as `origin` and decodes the result.
    pub async fn dry_run(
        &self,
        bundle: &Bundle,
        contract: &AccountId32,
        message: &str,
        args: &[String],
        origin: &Keypair,
    ) -> Result<DryRun> {
        let (_, _, outcome) = self
            .prepare_call(bundle, contract, message, args, origin)
            .await?;
        outcome.map_err(|refusal| {
            anyhow!(
                "{}: {refusal}",
                call_context(bundle, contract, message, args)
            )
        })
    }

    /// Builds the call of `message` and dry-runs it. Returns the call (ready to submit),
    /// the raw dry run (its `gas_required` sizes the transaction) and the decoded outcome:
    /// the return value, or the chain's refusal as one line.
    async fn prepare_call(
        &self,
        bundle: &Bundle,
        contract: &AccountId32,
        message: &str,
        args: &[String],
        origin: &Keypair,
    ) -> Result<(
        CallExec<C, E, Keypair>,
        ContractExecResult<u128>,
        std::result::Result<DryRun, String>,
    )> {
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
        let outcome = match &dry.result {
            Ok(ret) => Ok(DryRun {
                value: exec
                    .transcoder()
                    .decode_message_return(message, &mut &ret.data[..])
                    .with_context(context)?,
                reverted: ret.did_revert(),
            }),
            Err(err) => Err(variant_line(&ErrorVariant::from_dispatch_error(
                err,
                &exec.client().metadata(),
            )?)),
        };
        Ok((exec, dry, outcome))
    }

    /// A read: the message's return value, or an error if the call failed or returned
    /// `Err`.
    pub async fn read(
        &self,
        bundle: &Bundle,
        contract: &AccountId32,
        message: &str,
        args: &[String],
        origin: &Keypair,
    ) -> Result<Value> {
        self.dry_run(bundle, contract, message, args, origin)
            .await?
            .into_result()
            .map_err(|e| anyhow!("{}::{message} on {contract} returned {e}", bundle.name))
    }

    /// Submits `message` signed by `signer`, after a dry run that must return `Ok`.
    pub async fn execute(
        &self,
        bundle: &Bundle,
        contract: &AccountId32,
        message: &str,
        args: &[String],
        signer: &Keypair,
    ) -> Result<()> {
        let context = || call_context(bundle, contract, message, args);
        let (exec, dry, outcome) = self
            .prepare_call(bundle, contract, message, args, signer)
            .await?;
        if let Err(err) = outcome.and_then(DryRun::into_result) {
            bail!("{} would fail: {err}", context());
        }
        let events = exec
            .call(Some(dry.gas_required))
            .await
            .map_err(|e| anyhow!("{}: {}", context(), variant_line(&e)))?;
        self.log_events(&events, &bundle.transcoder);
        Ok(())
    }

    fn log_events(
        &self,
        events: &subxt::blocks::ExtrinsicEvents<C>,
        transcoder: &contract_extrinsics::ContractMessageTranscoder,
    ) {
        if !tracing::enabled!(tracing::Level::DEBUG) {
            return;
        }
        match DisplayEvents::from_events::<C, E>(events, Some(transcoder), &self.client.metadata())
            .and_then(|d| d.to_json())
        {
            Ok(json) => tracing::debug!(
                "events: {}",
                json.split_whitespace().collect::<Vec<_>>().join(" ")
            ),
            Err(e) => tracing::debug!("cannot decode events: {e:#}"),
        }
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
