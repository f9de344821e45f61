//! Contract constructors built by the contracts' own ink! constructor builders (a
//! `…Ref::new(…)`): the selector, the argument types and the constructor's error type come
//! from the contract crate, so a changed constructor or a field added to a type it takes
//! is a compile error in every tool.
//!
//! ```ignore
//! let constructor = Constructor::new(PoolRef::new(governance, guardian, oracle, params));
//! let (address, inclusion) = instantiate(&chain, &signer, code_hash, &constructor, &salt, timeout).await?;
//! ```

use crate::chain::{Chain, ChainError, ContractOutput, DryRun, Inclusion};
use crate::message::{gas_limit, ReplyError, SendError, STORAGE_DEPOSIT_MARGIN};
use ink::env::call::utils::{ReturnType, Set, Unset};
use ink::env::call::{state, ConstructorReturnType, CreateBuilder, ExecutionInput, LimitParamsV2};
use ink::env::{DefaultEnvironment, Environment};
use scale::{Decode, Encode};
use std::fmt::Debug;
use std::marker::PhantomData;
use std::time::Duration;
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;

/// A contract reference's constructor builder as ink! generates it: the input and the
/// return type set; code hash, endowment and salt left to the caller.
pub type Builder<C, Args, R> = CreateBuilder<
    DefaultEnvironment,
    C,
    Unset<<DefaultEnvironment as Environment>::Hash>,
    Set<LimitParamsV2<DefaultEnvironment>>,
    Unset<<DefaultEnvironment as Environment>::Balance>,
    Set<ExecutionInput<Args>>,
    Unset<state::Salt>,
    Set<ReturnType<R>>,
>;

/// One encoded call of a contract constructor whose error type is `E` (`()` for a
/// constructor that cannot fail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constructor<E> {
    input: Vec<u8>,
    /// The constructor returns `Result<Self, E>` (its output is then
    /// `Result<Result<(), E>, LangError>`, otherwise `Result<(), LangError>`).
    fallible: bool,
    error: PhantomData<fn() -> E>,
}

impl<E: Decode> Constructor<E> {
    /// The instantiation `builder` describes (code hash, endowment and salt are not part
    /// of the input: the caller gives them).
    pub fn new<C, Args: Encode, R: ConstructorReturnType<C, Error = E>>(
        builder: Builder<C, Args, R>,
    ) -> Self {
        let params = builder
            .code_hash(Default::default())
            .endowment(0)
            .salt_bytes(Vec::<u8>::new())
            .params();
        Constructor {
            input: params.exec_input().encode(),
            fallible: R::IS_RESULT,
            error: PhantomData,
        }
    }

    /// The instantiation's input: the selector, then the SCALE-encoded arguments.
    pub fn input(&self) -> &[u8] {
        &self.input
    }

    /// The constructor's reply from its output: `Ok(())` or the contract's own error.
    pub fn reply(&self, output: &ContractOutput) -> Result<Result<(), E>, ReplyError> {
        let data = &mut output.data.as_slice();
        let decoded = if self.fallible {
            <Result<Result<(), E>, ink::LangError>>::decode(data)
        } else {
            <Result<(), ink::LangError>>::decode(data).map(|reply| reply.map(Ok))
        };
        match decoded {
            Ok(Ok(reply)) => Ok(reply),
            Ok(Err(lang)) => Err(ReplyError::Lang(lang)),
            Err(e) => Err(ReplyError::Undecodable(e.to_string())),
        }
    }

    /// The reply of a dry run of this constructor.
    pub fn dry_run_reply(&self, dry: &DryRun) -> Result<Result<(), E>, ReplyError> {
        match &dry.result {
            Ok(output) => self.reply(output),
            Err(error) => Err(ReplyError::Failed(error.clone())),
        }
    }
}

/// Dry-runs `constructor` on the stored code `code_hash` with `salt` from `signer` at the
/// best block and, when the constructor returns `Ok` without reverting, signs and submits
/// the instantiation with a gas limit of [`gas_limit`] over the dry run's `gas_required`
/// and a bounded storage deposit, and follows it into a block. Returns the address the dry
/// run gave the new contract and how the transaction ended; a refused dry run sends
/// nothing.
pub async fn instantiate<E: Decode + Debug>(
    chain: &Chain,
    signer: &Keypair,
    code_hash: [u8; 32],
    constructor: &Constructor<E>,
    salt: &[u8],
    timeout: Duration,
) -> Result<(AccountId32, Inclusion), SendError> {
    let origin = signer.public_key().to_account_id();
    let (block, _) = chain.best_block().await?;
    let dry = chain
        .dry_run_instantiate(
            block,
            &origin,
            code_hash,
            constructor.input().to_vec(),
            salt.to_vec(),
        )
        .await?;
    let reverted = matches!(&dry.dry_run.result, Ok(output) if output.reverted);
    let reply = constructor
        .dry_run_reply(&dry.dry_run)
        .map_err(SendError::Reply)?;
    if reverted || reply.is_err() {
        return Err(SendError::Reverted(format!("{reply:?}")));
    }
    let address = dry.address.ok_or_else(|| {
        ChainError::Unexpected("the instantiation's dry run gave no address".into())
    })?;
    let storage_charge = dry.dry_run.storage_charge;
    let deposit_limit = storage_charge
        .saturating_add(storage_charge / 2)
        .saturating_add(STORAGE_DEPOSIT_MARGIN);
    let inclusion = chain
        .instantiate(
            signer,
            code_hash,
            constructor.input().to_vec(),
            salt.to_vec(),
            gas_limit(dry.dry_run.gas_required),
            deposit_limit,
            timeout,
        )
        .await?;
    Ok((address, inclusion))
}

#[cfg(test)]
mod tests {
    use super::*;
    use carrack_interfaces::PSP22Error;
    use carrack_oracle::oracle::OracleRef;

    fn output(data: Vec<u8>) -> ContractOutput {
        ContractOutput {
            reverted: false,
            data,
        }
    }

    #[test]
    fn input_is_the_constructors_selector_then_its_arguments() {
        let constructor: Constructor<()> =
            Constructor::new(OracleRef::new([1; 32].into(), [2; 32].into()));
        assert_eq!(&constructor.input()[..4], &ink::selector_bytes!("new"));
        assert_eq!(&constructor.input()[4..], ([1u8; 32], [2u8; 32]).encode());
    }

    #[test]
    fn an_infallible_constructors_reply_is_unit() {
        let constructor: Constructor<()> =
            Constructor::new(OracleRef::new([1; 32].into(), [2; 32].into()));
        let ok: Result<(), ink::LangError> = Ok(());
        assert_eq!(constructor.reply(&output(ok.encode())), Ok(Ok(())));
        let lang: Result<(), ink::LangError> = Err(ink::LangError::CouldNotReadInput);
        assert_eq!(
            constructor.reply(&output(lang.encode())),
            Err(ReplyError::Lang(ink::LangError::CouldNotReadInput))
        );
    }

    #[test]
    fn a_fallible_constructors_reply_carries_its_error() {
        let constructor = Constructor::<PSP22Error> {
            input: Vec::new(),
            fallible: true,
            error: PhantomData,
        };
        let refused: Result<Result<(), PSP22Error>, ink::LangError> =
            Ok(Err(PSP22Error::InsufficientBalance));
        assert_eq!(
            constructor.reply(&output(refused.encode())),
            Ok(Err(PSP22Error::InsufficientBalance))
        );
        let ok: Result<Result<(), PSP22Error>, ink::LangError> = Ok(Ok(()));
        assert_eq!(constructor.reply(&output(ok.encode())), Ok(Ok(())));
        assert!(matches!(
            constructor.reply(&output(vec![0])),
            Err(ReplyError::Undecodable(_))
        ));
    }
}
