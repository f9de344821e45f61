//! The generic call an action makes, in the form ink! 5.1.1's call builder needs: the
//! action's input passed through as already-encoded bytes, any output accepted, and the
//! rule deciding whether the call succeeded.
//!
//! How ink! 5.1.1 reports a call (checked in `ink_env-5.1.1/src/engine/on_chain/impls.rs`,
//! `invoke_contract`): `try_invoke` returns `Err(ink::env::Error)` when the chain refused
//! or the callee trapped (`CalleeTrapped`, `NotCallable`, `TransferFailed`, ...). When the
//! callee ran to completion, *whether it returned `Ok` or reverted* (returned an `Err`,
//! ink! then sets the revert flag and the pallet reports `CalleeReverted`), ink! decodes
//! the output with `DecodeAll` as `MessageResult<R>`: the outer `Err(LangError)` means the
//! callee refused the call data (unknown selector, undecodable arguments). Only the
//! output bytes tell a success from a revert, hence [`call_succeeded`].

use ink::prelude::vec::Vec;
use ink::scale::{Decode, Encode, Error, Input, Output};

/// Call arguments that are already SCALE-encoded: encodes to exactly these bytes, with
/// no length prefix (a `Vec<u8>` argument would add one). ink! 5.1.1 has no raw-input
/// type of its own; `ExecutionInput::push_arg` accepts any `Encode` value.
pub struct RawArgs<'a>(pub &'a [u8]);

impl Encode for RawArgs<'_> {
    fn size_hint(&self) -> usize {
        self.0.len()
    }

    fn encode_to<T: Output + ?Sized>(&self, dest: &mut T) {
        dest.write(self.0);
    }
}

/// A return value that accepts any output: it decodes to all remaining bytes. A fixed
/// type would fail ink!'s `DecodeAll` on arbitrary return values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawOutput(pub Vec<u8>);

impl Decode for RawOutput {
    fn decode<I: Input>(input: &mut I) -> Result<Self, Error> {
        let mut bytes = Vec::new();
        match input.remaining_len()? {
            Some(len) => {
                bytes.resize(len, 0);
                input.read(&mut bytes)?;
            }
            None => {
                while let Ok(byte) = input.read_byte() {
                    bytes.push(byte);
                }
            }
        }
        Ok(Self(bytes))
    }
}

impl RawOutput {
    /// Whether the message's return value means success: no value at all (a message
    /// returning `()`), or a value whose first byte is `0`, the SCALE tag of `Ok` (every
    /// Carrack admin message returns a `Result`). A message returning some other type
    /// counts as successful when its encoding starts with `0` (e.g. `false`, `None`).
    pub fn is_success(&self) -> bool {
        self.0.first().is_none_or(|tag| *tag == 0)
    }
}

/// The success rule of an action's call: the chain ran it (`try_invoke` gave `Ok`), the
/// callee accepted the call data (no ink! `LangError`: the outer `Ok`), and the return
/// value means success ([`RawOutput::is_success`]). With `o` the output bytes after the
/// `MessageResult` tag: success iff `o.is_empty()` or `o[0] == 0`.
pub fn call_succeeded(result: &ink::env::Result<ink::MessageResult<RawOutput>>) -> bool {
    matches!(result, Ok(Ok(output)) if output.is_success())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ink::env::call::{ExecutionInput, Selector};
    use ink::env::ReturnErrorCode;
    use ink::scale::DecodeAll;

    /// Decodes an output buffer the way ink! does after a call.
    fn received(output: &[u8]) -> ink::env::Result<ink::MessageResult<RawOutput>> {
        Ok(<ink::MessageResult<RawOutput>>::decode_all(
            &mut &output[..],
        )?)
    }

    #[test]
    fn raw_args_encode_verbatim_after_the_selector() {
        let bytes = [1u8, 2, 3];
        assert_eq!(RawArgs(&bytes).encode(), vec![1, 2, 3]);
        assert_eq!(RawArgs(&[]).encode(), Vec::<u8>::new());
        let input = ExecutionInput::new(Selector::new([9, 8, 7, 6])).push_arg(RawArgs(&bytes));
        assert_eq!(input.encode(), vec![9, 8, 7, 6, 1, 2, 3]);
    }

    #[test]
    fn raw_output_takes_all_remaining_bytes() {
        assert_eq!(
            received(&[0, 1, 2, 3]).ok(),
            Some(Ok(RawOutput(vec![1, 2, 3])))
        );
        assert_eq!(received(&[0]).ok(), Some(Ok(RawOutput(Vec::new()))));
    }

    #[test]
    fn ok_and_unit_outputs_succeed() {
        // `()`, `Ok(())`, `Ok(42u128)`.
        assert!(call_succeeded(&received(&[0])));
        assert!(call_succeeded(&received(&[0, 0])));
        let mut ok_value = vec![0, 0];
        ok_value.extend(42u128.encode());
        assert!(call_succeeded(&received(&ok_value)));
    }

    #[test]
    fn err_outputs_lang_errors_and_chain_errors_fail() {
        // `Err(first variant)`, `Err(Custom("x"))`-like payloads.
        assert!(!call_succeeded(&received(&[0, 1, 0])));
        assert!(!call_succeeded(&received(&[0, 1, 4, b'x'])));
        // `LangError::CouldNotReadInput`.
        assert!(!call_succeeded(&received(&[1, 1])));
        // No output at all: not an ink! message result.
        assert!(!call_succeeded(&received(&[])));
        assert!(!call_succeeded(&Err(ink::env::Error::ReturnError(
            ReturnErrorCode::CalleeTrapped
        ))));
        assert!(!call_succeeded(&Err(ink::env::Error::ReturnError(
            ReturnErrorCode::NotCallable
        ))));
        assert!(!call_succeeded(&Err(ink::env::Error::BufferTooSmall)));
    }
}
