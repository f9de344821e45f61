//! The two pieces a generic cross-contract call needs in ink! 5.1.1 (the timelock's
//! actions, the hostile test token's re-entry): arguments passed through as
//! already-encoded bytes, and a return type that accepts any output.
//!
//! ink! 5.1.1 decodes a callee's output with `DecodeAll` as `MessageResult<R>`, so a
//! fixed `R` fails on arbitrary return values; [`RawOutput`] takes whatever is left.

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

/// A return value that accepts any output: it decodes to all remaining bytes.
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

#[cfg(test)]
mod tests {
    use super::*;
    use ink::env::call::{ExecutionInput, Selector};
    use ink::prelude::vec;
    use ink::scale::DecodeAll;

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
        let decode = |bytes: &[u8]| <ink::MessageResult<RawOutput>>::decode_all(&mut &bytes[..]);
        assert_eq!(decode(&[0, 1, 2, 3]), Ok(Ok(RawOutput(vec![1, 2, 3]))));
        assert_eq!(decode(&[0]), Ok(Ok(RawOutput(Vec::new()))));
        assert_eq!(decode(&[0u8, 1, 2]), Ok(Ok(RawOutput(vec![1, 2]))));
    }
}
