//! Which of pallet-contracts' call ABIs a cross-contract call uses.
//!
//! ink! 5.1 calls other contracts through the v2 ABI (`seal2::call`, with ref_time,
//! proof_size and storage deposit limits), which pallet-contracts has only since
//! polkadot-sdk 1.8. Chains still on the 1.6 line (Aleph Zero, Pendulum) know only the v1
//! ABI (`seal1::call`, one gas limit) and refuse to upload code that imports `seal2::call`
//! (`../shared/reference/platform-and-landscape-2026.md` §2). Built with the `call-v1`
//! feature (`scripts/build.sh --call-v1`), every cross-contract call of Carrack's
//! contracts goes through ink!'s `call_v1` instead. No Carrack call sets a weight or
//! deposit limit (each uses all the gas left), so the two builds behave the same; the e2e
//! suite runs against both (README, "Where it runs").

use ink::env::call::{utils::Set, Call, CallBuilder};
use ink::env::Environment;

/// The call type of a cross-contract call in this build: [`Call`] (the v2 ABI), or
/// `CallV1` with the `call-v1` feature.
#[cfg(not(feature = "call-v1"))]
pub type VersionedCall<E> = Call<E>;

/// The call type of a cross-contract call in this build: [`Call`] (the v2 ABI), or
/// `CallV1` with the `call-v1` feature.
#[cfg(feature = "call-v1")]
pub type VersionedCall<E> = ink::env::call::CallV1<E>;

/// `call`, switched to the v1 call ABI when built with the `call-v1` feature, unchanged
/// otherwise. Wrap every cross-contract call in it, just before `try_invoke`.
#[inline(always)]
pub fn versioned<E: Environment, Args, R>(
    call: CallBuilder<E, Set<Call<E>>, Args, R>,
) -> CallBuilder<E, Set<VersionedCall<E>>, Args, R> {
    #[cfg(feature = "call-v1")]
    {
        call.call_v1()
    }
    #[cfg(not(feature = "call-v1"))]
    {
        call
    }
}
