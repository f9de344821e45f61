//! Every contract's constructor as the deployment calls it, built by the contract crate's
//! own ink! constructor builder (`…Ref::new`): the selector, the argument types and the
//! constructor's error come from the crate, so a changed constructor or a field added to
//! a type it takes is a compile error here. The plan's values convert into those types in
//! one place (`config.rs`, "The plan in the contracts' own types").
//!
//! The input bytes are exactly what the bundles' metadata encoded before (the manifest's
//! `args_digest` and every predicted address depend on them): see the pinned encodings in
//! the tests below.

use crate::config::{GovernorPlan, TimelockPlan, TokenPlan};
use carrack_client::Constructor;
use carrack_gov_token::gov_token::GovTokenRef;
use carrack_governor::error::GovernorError;
use carrack_governor::governor::GovernorRef;
use carrack_interfaces::{PSP22Error, TimelockError};
use carrack_oracle::oracle::OracleRef;
use carrack_pool::error::PoolError;
use carrack_pool::params::PoolParams;
use carrack_pool::pool::PoolRef;
use carrack_timelock::timelock::TimelockRef;
use carrack_token::token::TokenRef;
use ink::primitives::AccountId;

/// `carrack_oracle::new(governance, guardian)`.
pub fn oracle(governance: AccountId, guardian: AccountId) -> Constructor<()> {
    Constructor::new(OracleRef::new(governance, guardian))
}

/// `carrack_pool::new(governance, guardian, oracle, params)`.
pub fn pool(
    governance: AccountId,
    guardian: AccountId,
    oracle: AccountId,
    params: PoolParams,
) -> Constructor<PoolError> {
    Constructor::new(PoolRef::new(governance, guardian, oracle, params))
}

/// `carrack_token::new(initial_supply, name, symbol, decimals, minter)` of a test token.
pub fn token(token: &TokenPlan, minter: Option<AccountId>) -> Constructor<PSP22Error> {
    Constructor::new(TokenRef::new(
        token.initial_supply,
        Some(token.name.clone()),
        Some(token.symbol.clone()),
        token.decimals,
        minter,
    ))
}

/// `carrack_gov_token::new(initial_supply, name, symbol, decimals, minter)`.
pub fn gov_token(token: &TokenPlan, minter: Option<AccountId>) -> Constructor<PSP22Error> {
    Constructor::new(GovTokenRef::new(
        token.initial_supply,
        Some(token.name.clone()),
        Some(token.symbol.clone()),
        token.decimals,
        minter,
    ))
}

/// `carrack_timelock::new(guardian, delay_secs, grace_secs, min_delay_secs,
/// max_delay_secs)`.
pub fn timelock(guardian: AccountId, timelock: &TimelockPlan) -> Constructor<TimelockError> {
    Constructor::new(TimelockRef::new(
        guardian,
        timelock.delay_secs,
        timelock.grace_secs,
        timelock.min_delay_secs,
        timelock.max_delay_secs,
    ))
}

/// `carrack_governor::new(token, timelock, params, limits)`.
pub fn governor(
    token: AccountId,
    timelock: AccountId,
    governor: &GovernorPlan,
) -> Constructor<GovernorError> {
    Constructor::new(GovernorRef::new(
        token,
        timelock,
        governor.params(),
        governor.limits(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Minter;

    fn account(byte: u8) -> AccountId {
        AccountId::from([byte; 32])
    }

    /// The pool's constructor, byte for byte (devnet's pool parameters: a 600 s grace
    /// period, a dust value of 1.0): a change of its selector, its arguments or the layout
    /// of `PoolParams` would change every predicted address and `args_digest`. These bytes
    /// are what the release bundle's metadata encoded for the same arguments.
    #[test]
    fn the_pool_constructor_encodes_to_these_bytes() {
        let params = PoolParams {
            liquidation_grace_secs: 600,
            dust_value_wad: 1_000_000_000_000_000_000,
        };
        let input = pool(account(1), account(2), account(3), params);
        let expected = [
            "9bae9d5e", // selector of `new`
            &"01".repeat(32),
            &"02".repeat(32),
            &"03".repeat(32),
            "5802000000000000",                 // 600 (u64)
            "000064a7b3b6e00d0000000000000000", // 10^18 (u128)
        ]
        .concat();
        assert_eq!(hex::encode(input.input()), expected);
    }

    /// A test token's constructor: `Some(String)` is `01`, a compact length, the bytes.
    #[test]
    fn a_token_constructor_encodes_to_these_bytes() {
        let plan = TokenPlan {
            symbol: "TUSD".into(),
            name: "Test USD".into(),
            decimals: 6,
            initial_supply: 1_000,
            minter: Minter::Deployer,
        };
        let input = token(&plan, Some(account(7))).input().to_vec();
        let mut expected = vec![0x9b, 0xae, 0x9d, 0x5e];
        expected.extend(1_000u128.to_le_bytes());
        expected.extend([1, 8 << 2]);
        expected.extend(b"Test USD");
        expected.extend([1, 4 << 2]);
        expected.extend(b"TUSD");
        expected.push(6);
        expected.push(1);
        expected.extend([7; 32]);
        assert_eq!(input, expected);
        let fixed = token(&plan, None).input().to_vec();
        assert_eq!(fixed[..fixed.len() - 1], expected[..expected.len() - 33]);
        assert_eq!(fixed.last(), Some(&0));
    }
}
