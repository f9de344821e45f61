//! Contract messages built by the contracts' own ink! call builders: the selector, the
//! argument types and the reply type all come from the contract crate (its `…Ref` or an
//! `ink::contract_ref!` of its trait), so renaming a message, changing an argument or a
//! field of a type it carries is a compile error in every tool, not a refusal on chain.
//!
//! ```ignore
//! let mut pool: PoolRef = FromAccountId::from_account_id(address);
//! let message = Message::new(pool.call_mut().liquidate(borrower, debt, coll, repay, min_out));
//! ```

use crate::chain::{Chain, ChainError, ContractOutput, DryRun, Inclusion, Weight};
use ink::env::call::utils::{ReturnType, Set};
use ink::env::call::{Call, CallBuilder, ExecutionInput};
use ink::env::DefaultEnvironment;
use scale::{Decode, Encode};
use std::fmt::Debug;
use std::marker::PhantomData;
use std::time::Duration;
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;

/// A complete ink! call builder: the contract, the input and the reply type set.
pub type Builder<Args, R> = CallBuilder<
    DefaultEnvironment,
    Set<Call<DefaultEnvironment>>,
    Set<ExecutionInput<Args>>,
    Set<ReturnType<R>>,
>;

/// One encoded call of a contract message whose reply decodes as `R` (the message's own
/// return type, `Result<T, E>` for a fallible message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<R> {
    input: Vec<u8>,
    reply: PhantomData<fn() -> R>,
}

impl<R: Decode> Message<R> {
    /// The call `builder` describes (the contract address it names is not used: the
    /// caller says where to send it).
    pub fn new<Args: Encode>(builder: Builder<Args, R>) -> Self {
        Message {
            input: builder.params().exec_input().encode(),
            reply: PhantomData,
        }
    }

    /// The call's input: the selector, then the SCALE-encoded arguments.
    pub fn input(&self) -> &[u8] {
        &self.input
    }

    /// The message's reply from a contract's output: ink! wraps every reply in
    /// `Result<R, LangError>`.
    pub fn reply(&self, output: &ContractOutput) -> Result<R, ReplyError> {
        match <Result<R, ink::LangError>>::decode(&mut output.data.as_slice()) {
            Ok(Ok(reply)) => Ok(reply),
            Ok(Err(lang)) => Err(ReplyError::Lang(lang)),
            Err(e) => Err(ReplyError::Undecodable(e.to_string())),
        }
    }

    /// The reply of a dry run of this message.
    pub fn dry_run_reply(&self, dry: &DryRun) -> Result<R, ReplyError> {
        match &dry.result {
            Ok(output) => self.reply(output),
            Err(error) => Err(ReplyError::Failed(error.clone())),
        }
    }
}

impl<T: Decode, E: Decode + Debug> Message<Result<T, E>> {
    /// The value of a fallible message's dry run, or the contract's own error, or why there
    /// is neither.
    pub fn dry_run_value(&self, dry: &DryRun) -> Result<T, Refusal<E>> {
        match self.dry_run_reply(dry) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(Refusal::Contract(error)),
            Err(other) => Err(Refusal::Call(other)),
        }
    }
}

/// Dry-runs `message` to `contract` from `signer` at the best block and, when the contract
/// accepts it (it returned without reverting), signs and submits it with a gas limit of
/// [`gas_limit`] over the dry run's `gas_required` and a bounded storage deposit, and
/// follows it into a block. Returns the dry run's
/// reply and how the transaction ended; a refused dry run sends nothing.
pub async fn send<R: Decode + Debug>(
    chain: &Chain,
    signer: &Keypair,
    contract: &AccountId32,
    message: &Message<R>,
    timeout: Duration,
) -> Result<(R, Inclusion), SendError> {
    let origin = signer.public_key().to_account_id();
    let (block, _) = chain.best_block().await?;
    let dry = chain
        .dry_run(block, &origin, contract, message.input().to_vec())
        .await?;
    let reverted = matches!(&dry.result, Ok(output) if output.reverted);
    let reply = message.dry_run_reply(&dry).map_err(SendError::Reply)?;
    if reverted {
        return Err(SendError::Reverted(format!("{reply:?}")));
    }
    // The deposit can grow between the dry run and the block (another account's
    // transaction first): a margin, still a limit.
    let deposit_limit = dry
        .storage_charge
        .saturating_add(dry.storage_charge / 2)
        .saturating_add(STORAGE_DEPOSIT_MARGIN);
    let inclusion = chain
        .call(
            signer,
            contract,
            message.input().to_vec(),
            gas_limit(dry.gas_required),
            deposit_limit,
            timeout,
        )
        .await?;
    Ok((reply, inclusion))
}

/// The gas limit to sign for a transaction whose dry run required `required`: twice it.
/// A dry run executes at the best block's time, the transaction in the next block's, so
/// anything that grows with time (a pool market's interest accrual: `ray_pow` over the
/// seconds since its last update) needs more than the dry run did; unused gas is refunded.
pub fn gas_limit(required: Weight) -> Weight {
    Weight {
        ref_time: required.ref_time.saturating_mul(2),
        proof_size: required.proof_size.saturating_mul(2),
    }
}

/// Plancks added to a dry run's storage deposit as the transaction's limit.
pub const STORAGE_DEPOSIT_MARGIN: u128 = 1_000_000_000_000;

/// Why [`send`] sent nothing or could not follow the transaction.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The chain failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The dry run gave no reply.
    #[error(transparent)]
    Reply(ReplyError),
    /// The contract reverted in the dry run (its reply, `Err(…)`, shown).
    #[error("the contract refused in the dry run: {0}")]
    Reverted(String),
}

/// Why a contract's output is not the message's reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    /// The call did not return (it trapped, ran out of gas, or no contract is there).
    #[error("the call failed: {0}")]
    Failed(String),
    /// ink! refused the call before the message ran (an unknown selector or undecodable
    /// input): the address holds another contract.
    #[error("ink! refused the call ({0:?}); does the address hold the expected contract?")]
    Lang(ink::LangError),
    /// The output is not the message's reply type.
    #[error("the answer does not decode as the message's reply ({0}); does the address hold the expected contract?")]
    Undecodable(String),
}

/// Why a fallible message gave no value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal<E: Debug> {
    /// The contract refused with its own error.
    #[error("the contract refused: {0:?}")]
    Contract(E),
    /// There was no reply to read.
    #[error(transparent)]
    Call(ReplyError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use carrack_interfaces::OracleError;
    use carrack_oracle::oracle::OracleRef;
    use ink::codegen::TraitCallBuilder;
    use ink::env::call::FromAccountId;

    fn submit() -> Message<Result<(), OracleError>> {
        let mut oracle = OracleRef::from_account_id([9; 32].into());
        Message::new(oracle.call_mut().submit([7; 32].into(), 5, 9))
    }

    fn dry(reverted: bool, data: Vec<u8>) -> DryRun {
        DryRun {
            gas_required: Default::default(),
            storage_charge: 0,
            result: Ok(ContractOutput { reverted, data }),
        }
    }

    #[test]
    fn input_is_the_contracts_selector_then_its_arguments() {
        let message = submit();
        assert_eq!(&message.input()[..4], &ink::selector_bytes!("submit"));
        assert_eq!(&message.input()[4..], ([7u8; 32], 5u128, 9u64).encode());
    }

    #[test]
    fn replies_decode_with_the_messages_own_type() {
        let message = submit();
        let ok: Result<Result<(), OracleError>, ink::LangError> = Ok(Ok(()));
        assert_eq!(message.dry_run_value(&dry(false, ok.encode())), Ok(()));
        let refused: Result<Result<(), OracleError>, ink::LangError> =
            Ok(Err(OracleError::NotNewer));
        assert_eq!(
            message.dry_run_value(&dry(true, refused.encode())),
            Err(Refusal::Contract(OracleError::NotNewer))
        );
        let lang: Result<Result<(), OracleError>, ink::LangError> =
            Err(ink::LangError::CouldNotReadInput);
        assert_eq!(
            message.dry_run_value(&dry(false, lang.encode())),
            Err(Refusal::Call(ReplyError::Lang(
                ink::LangError::CouldNotReadInput
            )))
        );
        assert!(matches!(
            message.dry_run_value(&dry(false, vec![9, 9])),
            Err(Refusal::Call(ReplyError::Undecodable(_)))
        ));
        let failed = DryRun {
            result: Err("Contracts::ContractTrapped".into()),
            ..dry(false, Vec::new())
        };
        assert_eq!(
            message.dry_run_value(&failed),
            Err(Refusal::Call(ReplyError::Failed(
                "Contracts::ContractTrapped".into()
            )))
        );
    }
}
