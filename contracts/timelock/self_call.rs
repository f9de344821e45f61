//! Actions addressed to the timelock itself.
//!
//! The timelock's settings change only when the timelock calls itself, i.e. through a
//! queued batch. A real self-call would re-enter the timelock, which ink! refuses (and
//! re-entry stays refused). So `execute` applies an action whose callee is the timelock's
//! own account in-line: this module decodes it into a [`SelfCall`], matching its
//! selector against the timelock's four setter messages and decoding its input exactly
//! like ink!'s dispatcher would (all bytes consumed). The setters also exist as messages,
//! so tools encode proposal inputs from the metadata as for any other contract.

use carrack_interfaces::{Action, TimelockError};
use ink::primitives::{AccountId, Hash};
use ink::scale::DecodeAll;

/// Selector of the `set_delay(delay_secs: u64)` message.
pub const SET_DELAY_SELECTOR: [u8; 4] = ink::selector_bytes!("set_delay");
/// Selector of the `set_guardian(guardian: AccountId)` message.
pub const SET_GUARDIAN_SELECTOR: [u8; 4] = ink::selector_bytes!("set_guardian");
/// Selector of the `set_governor(governor: AccountId)` message.
pub const SET_GOVERNOR_SELECTOR: [u8; 4] = ink::selector_bytes!("set_governor");
/// Selector of the `set_code_hash(code_hash: Hash)` message.
pub const SET_CODE_HASH_SELECTOR: [u8; 4] = ink::selector_bytes!("set_code_hash");

/// A setting change the timelock applies to itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelfCall {
    /// `set_delay`: a new delay within the instantiation bounds.
    SetDelay {
        /// The new delay.
        delay_secs: u64,
    },
    /// `set_guardian`: a new guardian.
    SetGuardian {
        /// The new guardian.
        guardian: AccountId,
    },
    /// `set_governor`: a new governor.
    SetGovernor {
        /// The new governor.
        governor: AccountId,
    },
    /// `set_code_hash`: new code for the timelock, keeping its storage.
    SetCodeHash {
        /// The hash of the already uploaded code.
        code_hash: Hash,
    },
}

/// Decodes action `index` of a batch, whose callee is the timelock itself.
///
/// Errors, all naming `index`: `ActionFailed` when it transfers value (nothing would
/// receive it), `UnknownSelfCall` when the selector is none of the four setters,
/// `InvalidSelfCallInput` when the input is not exactly the setter's encoded argument.
pub fn decode_self_call(index: u8, action: &Action) -> Result<SelfCall, TimelockError> {
    if action.transferred_value != 0 {
        return Err(TimelockError::ActionFailed(index));
    }
    let input = &mut action.input.as_slice();
    let invalid = |_| TimelockError::InvalidSelfCallInput(index);
    match action.selector {
        SET_DELAY_SELECTOR => u64::decode_all(input)
            .map(|delay_secs| SelfCall::SetDelay { delay_secs })
            .map_err(invalid),
        SET_GUARDIAN_SELECTOR => AccountId::decode_all(input)
            .map(|guardian| SelfCall::SetGuardian { guardian })
            .map_err(invalid),
        SET_GOVERNOR_SELECTOR => AccountId::decode_all(input)
            .map(|governor| SelfCall::SetGovernor { governor })
            .map_err(invalid),
        SET_CODE_HASH_SELECTOR => Hash::decode_all(input)
            .map(|code_hash| SelfCall::SetCodeHash { code_hash })
            .map_err(invalid),
        _ => Err(TimelockError::UnknownSelfCall(index)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timelock::Timelock;
    use ink::reflect::DispatchableMessageInfo;
    use ink::scale::Encode;

    const TIMELOCK: AccountId = AccountId([9; 32]);

    fn action(selector: [u8; 4], input: Vec<u8>) -> Action {
        Action {
            callee: TIMELOCK,
            selector,
            input,
            transferred_value: 0,
        }
    }

    #[test]
    fn selectors_are_the_blake2b_prefixes_of_the_message_names() {
        let named: [(&[u8], [u8; 4]); 4] = [
            (b"set_delay", SET_DELAY_SELECTOR),
            (b"set_guardian", SET_GUARDIAN_SELECTOR),
            (b"set_governor", SET_GOVERNOR_SELECTOR),
            (b"set_code_hash", SET_CODE_HASH_SELECTOR),
        ];
        for (name, selector) in named {
            let mut hash = [0u8; 32];
            ink::env::hash_bytes::<ink::env::hash::Blake2x256>(name, &mut hash);
            assert_eq!(selector, hash[..4]);
        }
        for (i, (_, a)) in named.iter().enumerate() {
            for (_, b) in named.iter().skip(i + 1) {
                assert_ne!(a, b, "selectors are distinct");
            }
        }
    }

    /// The constants name the messages ink! generates: a wrong constant would either not
    /// compile (no message with that selector) or carry another label.
    #[test]
    fn selectors_match_the_generated_messages() {
        const DELAY_ID: u32 = u32::from_be_bytes(SET_DELAY_SELECTOR);
        const GUARDIAN_ID: u32 = u32::from_be_bytes(SET_GUARDIAN_SELECTOR);
        const GOVERNOR_ID: u32 = u32::from_be_bytes(SET_GOVERNOR_SELECTOR);
        const CODE_HASH_ID: u32 = u32::from_be_bytes(SET_CODE_HASH_SELECTOR);
        assert_eq!(
            <Timelock as DispatchableMessageInfo<DELAY_ID>>::LABEL,
            "set_delay"
        );
        assert_eq!(
            <Timelock as DispatchableMessageInfo<DELAY_ID>>::SELECTOR,
            SET_DELAY_SELECTOR
        );
        assert_eq!(
            <Timelock as DispatchableMessageInfo<GUARDIAN_ID>>::LABEL,
            "set_guardian"
        );
        assert_eq!(
            <Timelock as DispatchableMessageInfo<GUARDIAN_ID>>::SELECTOR,
            SET_GUARDIAN_SELECTOR
        );
        assert_eq!(
            <Timelock as DispatchableMessageInfo<GOVERNOR_ID>>::LABEL,
            "set_governor"
        );
        assert_eq!(
            <Timelock as DispatchableMessageInfo<GOVERNOR_ID>>::SELECTOR,
            SET_GOVERNOR_SELECTOR
        );
        assert_eq!(
            <Timelock as DispatchableMessageInfo<CODE_HASH_ID>>::LABEL,
            "set_code_hash"
        );
        assert_eq!(
            <Timelock as DispatchableMessageInfo<CODE_HASH_ID>>::SELECTOR,
            SET_CODE_HASH_SELECTOR
        );
    }

    /// The setters take exactly the argument types the decoder produces.
    #[test]
    fn setter_inputs_match_the_decoded_types() {
        fn input_of<const ID: u32, T>()
        where
            Timelock: DispatchableMessageInfo<ID, Input = T>,
        {
        }
        input_of::<{ u32::from_be_bytes(SET_DELAY_SELECTOR) }, u64>();
        input_of::<{ u32::from_be_bytes(SET_GUARDIAN_SELECTOR) }, AccountId>();
        input_of::<{ u32::from_be_bytes(SET_GOVERNOR_SELECTOR) }, AccountId>();
        input_of::<{ u32::from_be_bytes(SET_CODE_HASH_SELECTOR) }, Hash>();
    }

    #[test]
    fn each_setter_decodes() {
        let account = AccountId([5; 32]);
        let hash = Hash::from([6; 32]);
        assert_eq!(
            decode_self_call(0, &action(SET_DELAY_SELECTOR, 3_600u64.encode())),
            Ok(SelfCall::SetDelay { delay_secs: 3_600 })
        );
        assert_eq!(
            decode_self_call(1, &action(SET_GUARDIAN_SELECTOR, account.encode())),
            Ok(SelfCall::SetGuardian { guardian: account })
        );
        assert_eq!(
            decode_self_call(2, &action(SET_GOVERNOR_SELECTOR, account.encode())),
            Ok(SelfCall::SetGovernor { governor: account })
        );
        assert_eq!(
            decode_self_call(3, &action(SET_CODE_HASH_SELECTOR, hash.encode())),
            Ok(SelfCall::SetCodeHash { code_hash: hash })
        );
    }

    #[test]
    fn unknown_selectors_are_refused() {
        for selector in [
            [0, 0, 0, 0],
            ink::selector_bytes!("queue"),
            ink::selector_bytes!("execute"),
            ink::selector_bytes!("Timelock::execute"),
            ink::selector_bytes!("bind_governor"),
            ink::selector_bytes!("accept_governance_of"),
            ink::selector_bytes!("Governed::set_guardian"),
        ] {
            assert_eq!(
                decode_self_call(4, &action(selector, Vec::new())),
                Err(TimelockError::UnknownSelfCall(4))
            );
        }
    }

    #[test]
    fn inputs_must_decode_exactly() {
        let mut long = 1u64.encode();
        long.push(0);
        let cases = [
            action(SET_DELAY_SELECTOR, Vec::new()),
            action(SET_DELAY_SELECTOR, vec![1, 2, 3]),
            action(SET_DELAY_SELECTOR, long),
            action(SET_GUARDIAN_SELECTOR, vec![7; 31]),
            action(SET_GUARDIAN_SELECTOR, vec![7; 33]),
            action(SET_GOVERNOR_SELECTOR, Vec::new()),
            action(SET_CODE_HASH_SELECTOR, vec![7; 64]),
        ];
        for case in cases {
            assert_eq!(
                decode_self_call(9, &case),
                Err(TimelockError::InvalidSelfCallInput(9)),
                "{case:?}"
            );
        }
    }

    #[test]
    fn a_self_call_cannot_carry_value() {
        let mut paying = action(SET_DELAY_SELECTOR, 3_600u64.encode());
        paying.transferred_value = 1;
        assert_eq!(
            decode_self_call(2, &paying),
            Err(TimelockError::ActionFailed(2))
        );
    }
}
