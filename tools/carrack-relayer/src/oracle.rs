//! The oracle contract as the relayer sees it: `feed_info` to read a feed (the contract's
//! own `Feed` type, decoded with its own SCALE layout) and `submit`, encoded with ink!'s
//! selectors. Errors are the contract's own `OracleError`.

use crate::chain::{Chain, ChainError, DryRun, Inclusion, Weight};
use carrack_interfaces::OracleError;
use carrack_oracle::feed::Feed;
use scale::{Decode, Encode};
use std::time::Duration;
use subxt::utils::{AccountId32, H256};
use subxt_signer::sr25519::Keypair;

const FEED_INFO: [u8; 4] = ink::selector_bytes!("feed_info");
const SUBMIT: [u8; 4] = ink::selector_bytes!("submit");

/// An oracle contract on a chain.
pub struct Oracle<'a> {
    /// The connection.
    pub chain: &'a Chain,
    /// The contract.
    pub address: &'a AccountId32,
}

/// Why an oracle call did not give a usable answer.
#[derive(Debug, thiserror::Error)]
pub enum OracleCallError {
    /// The chain failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The contract refused with its own error.
    #[error("the oracle refused: {0:?}")]
    Refused(OracleError),
    /// Something else (no contract, wrong contract, trapped).
    #[error("{0}")]
    Other(String),
}

/// A dry run of `submit` that the contract accepted.
#[derive(Debug, Clone, Copy)]
pub struct AcceptedProbe {
    /// Its `gas_required`.
    pub gas_required: Weight,
    /// Its storage charge.
    pub storage_charge: u128,
}

impl Oracle<'_> {
    /// The feed of `asset` at `block`.
    pub async fn feed(
        &self,
        block: H256,
        origin: &AccountId32,
        asset: &AccountId32,
    ) -> Result<Feed, OracleCallError> {
        let input = call_input(FEED_INFO, asset.0);
        let dry = self
            .chain
            .dry_run(block, origin, self.address, input)
            .await?;
        decode_message_result::<Feed>(dry)
    }

    /// Dry-runs `submit(asset, price, observed_at_secs)` from `reporter` at `block`.
    pub async fn probe_submit(
        &self,
        block: H256,
        reporter: &AccountId32,
        asset: &AccountId32,
        price: u128,
        observed_at_secs: u64,
    ) -> Result<AcceptedProbe, OracleCallError> {
        let input = submit_input(asset, price, observed_at_secs);
        let dry = self
            .chain
            .dry_run(block, reporter, self.address, input)
            .await?;
        let (gas_required, storage_charge) = (dry.gas_required, dry.storage_charge);
        decode_message_result::<()>(dry)?;
        Ok(AcceptedProbe {
            gas_required,
            storage_charge,
        })
    }

    /// Submits `submit(asset, price, observed_at_secs)` signed by `signer`.
    #[allow(clippy::too_many_arguments)]
    pub async fn submit(
        &self,
        signer: &Keypair,
        asset: &AccountId32,
        price: u128,
        observed_at_secs: u64,
        gas_limit: Weight,
        storage_deposit_limit: u128,
        timeout: Duration,
    ) -> Result<Inclusion, ChainError> {
        let input = submit_input(asset, price, observed_at_secs);
        self.chain
            .call(
                signer,
                self.address,
                input,
                gas_limit,
                storage_deposit_limit,
                timeout,
            )
            .await
    }
}

fn call_input(selector: [u8; 4], args: impl Encode) -> Vec<u8> {
    let mut input = selector.to_vec();
    args.encode_to(&mut input);
    input
}

fn submit_input(asset: &AccountId32, price: u128, observed_at_secs: u64) -> Vec<u8> {
    call_input(SUBMIT, (asset.0, price, observed_at_secs))
}

/// Decodes an ink! message's `Result<Result<T, OracleError>, LangError>` output.
fn decode_message_result<T: Decode>(dry: DryRun) -> Result<T, OracleCallError> {
    let output = dry
        .result
        .map_err(|e| OracleCallError::Other(format!("the call failed: {e}")))?;
    let decoded =
        <Result<Result<T, OracleError>, ink::LangError>>::decode(&mut output.data.as_slice())
            .map_err(|e| {
                OracleCallError::Other(format!(
                    "the contract's answer is not an oracle answer ({e}); is the address an oracle?"
                ))
            })?;
    match decoded {
        Ok(Ok(value)) if !output.reverted => Ok(value),
        Ok(Ok(_)) => Err(OracleCallError::Other("the call reverted".into())),
        Ok(Err(e)) => Err(OracleCallError::Refused(e)),
        Err(lang) => Err(OracleCallError::Other(format!(
            "ink! refused the call ({lang:?}); is the address an oracle?"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::ContractOutput;

    fn dry(reverted: bool, data: Vec<u8>) -> DryRun {
        DryRun {
            gas_required: Weight::default(),
            storage_charge: 0,
            result: Ok(ContractOutput { reverted, data }),
        }
    }

    #[test]
    fn submit_input_is_selector_then_scale_arguments() {
        // The selectors themselves are checked against the real contract by the drills.
        let input = submit_input(&AccountId32([7; 32]), 5, 9);
        assert_eq!(&input[..4], &SUBMIT);
        assert_eq!(input.len(), 4 + 32 + 16 + 8);
    }

    #[test]
    fn decodes_answers_and_refusals() {
        let ok: Result<Result<(), OracleError>, ink::LangError> = Ok(Ok(()));
        assert!(decode_message_result::<()>(dry(false, ok.encode())).is_ok());
        let refused: Result<Result<(), OracleError>, ink::LangError> =
            Ok(Err(OracleError::NotNewer));
        assert!(matches!(
            decode_message_result::<()>(dry(true, refused.encode())),
            Err(OracleCallError::Refused(OracleError::NotNewer))
        ));
        let lang: Result<Result<(), OracleError>, ink::LangError> =
            Err(ink::LangError::CouldNotReadInput);
        assert!(matches!(
            decode_message_result::<()>(dry(false, lang.encode())),
            Err(OracleCallError::Other(_))
        ));
        assert!(matches!(
            decode_message_result::<()>(dry(false, vec![9, 9])),
            Err(OracleCallError::Other(_))
        ));
    }
}
