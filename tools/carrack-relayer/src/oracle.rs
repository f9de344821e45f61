//! The oracle contract as the relayer sees it: `feed_info` to read a feed and `submit`,
//! both built by the oracle crate's own call builder (`OracleRef`), so their selectors,
//! argument types and replies (`Feed`, `OracleError`) are the contract's own.

use carrack_client::chain::{Chain, ChainError, DryRun, Inclusion, Weight};
use carrack_client::{Message, Refusal};
use carrack_interfaces::OracleError;
use carrack_oracle::feed::Feed;
use carrack_oracle::oracle::OracleRef;
use ink::codegen::TraitCallBuilder;
use ink::env::call::FromAccountId;
use std::time::Duration;
use subxt::utils::{AccountId32, H256};
use subxt_signer::sr25519::Keypair;

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
        let message = Message::new(oracle().call().feed_info(asset.0.into()));
        let dry = self
            .chain
            .dry_run(block, origin, self.address, message.input().to_vec())
            .await?;
        decode_message_result(&message, dry)
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
        let message = submit_message(asset, price, observed_at_secs);
        let dry = self
            .chain
            .dry_run(block, reporter, self.address, message.input().to_vec())
            .await?;
        let (gas_required, storage_charge) = (dry.gas_required, dry.storage_charge);
        decode_message_result(&message, dry)?;
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
        let message = submit_message(asset, price, observed_at_secs);
        self.chain
            .call(
                signer,
                self.address,
                message.input().to_vec(),
                gas_limit,
                storage_deposit_limit,
                timeout,
            )
            .await
    }
}

/// The oracle's call builder; the address it names is not used (the caller gives it).
fn oracle() -> OracleRef {
    OracleRef::from_account_id([0; 32].into())
}

fn submit_message(
    asset: &AccountId32,
    price: u128,
    observed_at_secs: u64,
) -> Message<Result<(), OracleError>> {
    Message::new(
        oracle()
            .call_mut()
            .submit(asset.0.into(), price, observed_at_secs),
    )
}

/// A message's value from its dry run, which must not have reverted.
fn decode_message_result<T: scale::Decode>(
    message: &Message<Result<T, OracleError>>,
    dry: DryRun,
) -> Result<T, OracleCallError> {
    let reverted = matches!(&dry.result, Ok(output) if output.reverted);
    match message.dry_run_value(&dry) {
        Ok(_) if reverted => Err(OracleCallError::Other("the call reverted".into())),
        Ok(value) => Ok(value),
        Err(Refusal::Contract(e)) => Err(OracleCallError::Refused(e)),
        Err(Refusal::Call(e)) => Err(OracleCallError::Other(format!(
            "{e}; is the address an oracle?"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use carrack_client::chain::ContractOutput;
    use scale::Encode;

    fn dry(reverted: bool, data: Vec<u8>) -> DryRun {
        DryRun {
            gas_required: Weight::default(),
            storage_charge: 0,
            result: Ok(ContractOutput { reverted, data }),
        }
    }

    #[test]
    fn submit_input_is_selector_then_scale_arguments() {
        // The oracle's own call builder: ink!'s selector of `submit`, then the arguments.
        let message = submit_message(&AccountId32([7; 32]), 5, 9);
        let input = message.input();
        assert_eq!(&input[..4], &ink::selector_bytes!("submit"));
        assert_eq!(&input[4..], (AccountId32([7; 32]).0, 5u128, 9u64).encode());
    }

    #[test]
    fn decodes_answers_and_refusals() {
        let submit = submit_message(&AccountId32([7; 32]), 5, 9);
        let ok: Result<Result<(), OracleError>, ink::LangError> = Ok(Ok(()));
        assert!(decode_message_result(&submit, dry(false, ok.encode())).is_ok());
        let refused: Result<Result<(), OracleError>, ink::LangError> =
            Ok(Err(OracleError::NotNewer));
        assert!(matches!(
            decode_message_result(&submit, dry(true, refused.encode())),
            Err(OracleCallError::Refused(OracleError::NotNewer))
        ));
        let lang: Result<Result<(), OracleError>, ink::LangError> =
            Err(ink::LangError::CouldNotReadInput);
        assert!(matches!(
            decode_message_result(&submit, dry(false, lang.encode())),
            Err(OracleCallError::Other(_))
        ));
        assert!(matches!(
            decode_message_result(&submit, dry(false, vec![9, 9])),
            Err(OracleCallError::Other(_))
        ));
    }
}
