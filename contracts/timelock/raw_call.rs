//! The rule deciding whether an action's generic call succeeded. The call itself passes
//! the action's input through as [`carrack_interfaces::RawArgs`] and accepts any output
//! as [`RawOutput`].
//!
//! How ink! 5.1.1 reports a call (checked in `ink_env-5.1.1/src/engine/on_chain/impls.rs`,
//! `invoke_contract`): `try_invoke` returns `Err(ink::env::Error)` when the chain refused
//! or the callee trapped (`CalleeTrapped`, `NotCallable`, `TransferFailed`, ...). When the
//! callee ran to completion, *whether it returned `Ok` or reverted* (returned an `Err`,
//! ink! then sets the revert flag and the pallet reports `CalleeReverted`), ink! decodes
//! the output with `DecodeAll` as `MessageResult<R>`: the outer `Err(LangError)` means the
//! callee refused the call data (unknown selector, undecodable arguments). Only the
//! output bytes tell a success from a revert, hence [`call_succeeded`].

use carrack_interfaces::RawOutput;

/// The success rule of an action's call: the chain ran it (`try_invoke` gave `Ok`), the
/// callee accepted the call data (no ink! `LangError`: the outer `Ok`), and the return
/// value means success: no value at all (a message returning `()`), or a value whose
/// first byte is `0`, the SCALE tag of `Ok` (every Carrack admin message returns a
/// `Result`; a message returning some other type counts as successful when its encoding
/// starts with `0`, e.g. `false`, `None`). With `o` the output bytes after the
/// `MessageResult` tag: success iff `o.is_empty()` or `o[0] == 0`.
pub fn call_succeeded(result: &ink::env::Result<ink::MessageResult<RawOutput>>) -> bool {
    matches!(result, Ok(Ok(RawOutput(output))) if output.first().is_none_or(|tag| *tag == 0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ink::env::ReturnErrorCode;
    use ink::scale::{DecodeAll, Encode};

    /// Decodes an output buffer the way ink! does after a call.
    fn received(output: &[u8]) -> ink::env::Result<ink::MessageResult<RawOutput>> {
        Ok(<ink::MessageResult<RawOutput>>::decode_all(
            &mut &output[..],
        )?)
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
