//! Every contract message the deployment sends or reads, built by the contract crates' own
//! ink! call builders (a contract's `…Ref`, or `ink::contract_ref!` of a trait from
//! `carrack-interfaces`): selectors, argument types and reply types come from the crates,
//! so a renamed message, a changed argument or a field added to a type a message carries
//! is a compile error here, and replies decode as the contracts' own types.
//!
//! A message names no contract: the caller sends it to an address.

use carrack_client::Message;
use carrack_gov_token::gov_token::GovTokenRef;
use carrack_governor::governor::{GovernorRef, GovernorSettings};
use carrack_interfaces::{
    AdminError, AdminRoles, Governed, OracleError, PSP22Error, PSP22Metadata, PriceData,
    PriceOracle, TimelockError, Votes, VotesError, PSP22,
};
use carrack_oracle::feed::{Feed, FeedConfig};
use carrack_oracle::oracle::OracleRef;
use carrack_pool::error::PoolError;
use carrack_pool::market::MarketParams;
use carrack_pool::pool::PoolRef;
use carrack_pool::views::MarketView;
use carrack_timelock::settings::TimelockSettings;
use carrack_timelock::timelock::TimelockRef;
use carrack_token::token::TokenRef;
use ink::codegen::TraitCallBuilder;
use ink::env::call::FromAccountId;
use ink::env::DefaultEnvironment;
use ink::primitives::AccountId;

/// A contract reference to build calls with; the address it names is never used.
fn reference<C: FromAccountId<DefaultEnvironment>>() -> C {
    C::from_account_id(AccountId::from([0; 32]))
}

// ------------------------------------------------------------------------------ oracle

/// `oracle.feed_info(asset)`: the feed, or `UnknownFeed`.
pub fn feed_info(asset: AccountId) -> Message<Result<Feed, OracleError>> {
    Message::new(reference::<OracleRef>().call().feed_info(asset))
}

/// `oracle.add_feed(asset, config, reporters)`.
pub fn add_feed(
    asset: AccountId,
    config: FeedConfig,
    reporters: Vec<AccountId>,
) -> Message<Result<(), OracleError>> {
    Message::new(
        reference::<OracleRef>()
            .call_mut()
            .add_feed(asset, config, reporters),
    )
}

/// `oracle.submit(asset, price, observed_at_secs)`, signed by a reporter.
pub fn submit(
    asset: AccountId,
    price: u128,
    observed_at_secs: u64,
) -> Message<Result<(), OracleError>> {
    Message::new(
        reference::<OracleRef>()
            .call_mut()
            .submit(asset, price, observed_at_secs),
    )
}

/// `oracle.assets()`: the assets with a feed.
pub fn oracle_assets() -> Message<Vec<AccountId>> {
    Message::new(reference::<OracleRef>().call().assets())
}

/// `PriceOracle::price(asset)`: the price, or why there is none (`NoPrice`).
pub fn price(asset: AccountId) -> Message<Result<PriceData, OracleError>> {
    let oracle: ink::contract_ref!(PriceOracle, DefaultEnvironment) = reference();
    Message::new(oracle.call().price(asset))
}

// -------------------------------------------------------------------------------- pool

/// `pool.market(asset)`: the market, or `UnknownMarket`.
pub fn market(asset: AccountId) -> Message<Result<MarketView, PoolError>> {
    Message::new(reference::<PoolRef>().call().market(asset))
}

/// `pool.markets()`: the listed assets.
pub fn markets() -> Message<Vec<AccountId>> {
    Message::new(reference::<PoolRef>().call().markets())
}

/// `pool.list_market(asset, params, seed_amount)`.
pub fn list_market(
    asset: AccountId,
    params: MarketParams,
    seed_amount: u128,
) -> Message<Result<(), PoolError>> {
    Message::new(
        reference::<PoolRef>()
            .call_mut()
            .list_market(asset, params, seed_amount),
    )
}

// ------------------------------------------------------------- pool and oracle: Governed

/// `Governed::admin_roles()`.
pub fn admin_roles() -> Message<AdminRoles> {
    let governed: ink::contract_ref!(Governed, DefaultEnvironment) = reference();
    Message::new(governed.call().admin_roles())
}

/// `Governed::nominate_governance(pending)`.
pub fn nominate_governance(pending: Option<AccountId>) -> Message<Result<(), AdminError>> {
    let mut governed: ink::contract_ref!(Governed, DefaultEnvironment) = reference();
    Message::new(governed.call_mut().nominate_governance(pending))
}

// ---------------------------------------------------------------------------- timelock

/// `timelock.settings()`.
pub fn timelock_settings() -> Message<TimelockSettings> {
    Message::new(reference::<TimelockRef>().call().settings())
}

/// `timelock.bind_governor(governor)`: the deployer's one-time binding.
pub fn bind_governor(governor: AccountId) -> Message<Result<(), TimelockError>> {
    Message::new(
        reference::<TimelockRef>()
            .call_mut()
            .bind_governor(governor),
    )
}

/// `timelock.accept_governance_of(target)`: the timelock accepts a nomination.
pub fn accept_governance_of(target: AccountId) -> Message<Result<(), TimelockError>> {
    Message::new(
        reference::<TimelockRef>()
            .call_mut()
            .accept_governance_of(target),
    )
}

// ---------------------------------------------------------------------------- governor

/// `governor.settings()`.
pub fn governor_settings() -> Message<GovernorSettings> {
    Message::new(reference::<GovernorRef>().call().settings())
}

// ------------------------------------------------------------------------------ tokens

/// `PSP22::allowance(owner, spender)`, of any PSP22 token.
pub fn allowance(owner: AccountId, spender: AccountId) -> Message<u128> {
    let token: ink::contract_ref!(PSP22, DefaultEnvironment) = reference();
    Message::new(token.call().allowance(owner, spender))
}

/// `PSP22::approve(spender, value)`, of any PSP22 token.
pub fn approve(spender: AccountId, value: u128) -> Message<Result<(), PSP22Error>> {
    let mut token: ink::contract_ref!(PSP22, DefaultEnvironment) = reference();
    Message::new(token.call_mut().approve(spender, value))
}

/// `PSP22Metadata::token_decimals()`.
pub fn token_decimals() -> Message<u8> {
    let token: ink::contract_ref!(PSP22Metadata, DefaultEnvironment) = reference();
    Message::new(token.call().token_decimals())
}

/// `PSP22Metadata::token_symbol()`.
pub fn token_symbol() -> Message<Option<String>> {
    let token: ink::contract_ref!(PSP22Metadata, DefaultEnvironment) = reference();
    Message::new(token.call().token_symbol())
}

/// `Votes::delegates(account)`: whom `account` delegates to.
pub fn delegates(account: AccountId) -> Message<Option<AccountId>> {
    let votes: ink::contract_ref!(Votes, DefaultEnvironment) = reference();
    Message::new(votes.call().delegates(account))
}

/// `Votes::delegate(delegatee)`.
pub fn delegate(delegatee: Option<AccountId>) -> Message<Result<(), VotesError>> {
    let mut votes: ink::contract_ref!(Votes, DefaultEnvironment) = reference();
    Message::new(votes.call_mut().delegate(delegatee))
}

/// Which of Carrack's token contracts holds a minter role: their minter messages are the
/// contracts' own, not a shared trait's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MinterToken {
    /// A test token (`carrack_token`).
    Test,
    /// The governance token (`carrack_gov_token`).
    Governance,
}

/// `minter()`: the account allowed to mint, if any.
pub fn minter(token: MinterToken) -> Message<Option<AccountId>> {
    match token {
        MinterToken::Test => Message::new(reference::<TokenRef>().call().minter()),
        MinterToken::Governance => Message::new(reference::<GovTokenRef>().call().minter()),
    }
}

/// `pending_minter()`: the account nominated as minter, if any.
pub fn pending_minter(token: MinterToken) -> Message<Option<AccountId>> {
    match token {
        MinterToken::Test => Message::new(reference::<TokenRef>().call().pending_minter()),
        MinterToken::Governance => Message::new(reference::<GovTokenRef>().call().pending_minter()),
    }
}

/// `nominate_minter(pending)`.
pub fn nominate_minter(
    token: MinterToken,
    pending: Option<AccountId>,
) -> Message<Result<(), PSP22Error>> {
    match token {
        MinterToken::Test => {
            Message::new(reference::<TokenRef>().call_mut().nominate_minter(pending))
        }
        MinterToken::Governance => Message::new(
            reference::<GovTokenRef>()
                .call_mut()
                .nominate_minter(pending),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::devnet_plan;
    use crate::config::{Asset, MarketPlan};
    use scale::Encode;

    /// `add_feed`, byte by byte: its selector, then the asset, the `FeedConfig` fields in
    /// declaration order and the reporters as a compact-length vector.
    #[test]
    fn add_feed_encodes_to_these_bytes() {
        let plan = devnet_plan();
        let feed = &plan.feeds[0];
        let config = feed.feed_config();
        let input = add_feed(
            AccountId::from([4; 32]),
            config,
            vec![AccountId::from([5; 32]), AccountId::from([6; 32])],
        )
        .input()
        .to_vec();
        let mut expected = ink::selector_bytes!("add_feed").to_vec();
        expected.extend([4; 32]);
        expected.push(feed.quorum);
        expected.extend(feed.heartbeat_secs.to_le_bytes());
        expected.extend(feed.round_window_secs.to_le_bytes());
        expected.extend(feed.min_price.to_le_bytes());
        expected.extend(feed.max_price.to_le_bytes());
        expected.extend(feed.max_deviation_wad.to_le_bytes());
        expected.push(feed.decimals);
        expected.push(2 << 2);
        expected.extend([5; 32]);
        expected.extend([6; 32]);
        assert_eq!(input, expected);
    }

    /// `list_market` of devnet's TUSD market, byte for byte: its selector, the asset, the
    /// `MarketParams` (`MarketConfig` with its rate model, the two switches, the flash loan
    /// fee) and the seed. These bytes are what the release bundle's metadata encoded for
    /// the same arguments (the fee's 16 bytes came with flash loans).
    #[test]
    fn list_market_encodes_to_these_bytes() {
        const PERCENT: u128 = 10_000_000_000_000_000;
        let market = MarketPlan {
            asset: Asset::Token("TUSD".into()),
            decimals: 6,
            ltv_wad: 75 * PERCENT,
            liquidation_threshold_wad: 80 * PERCENT,
            liquidation_bonus_wad: 105 * PERCENT,
            liquidation_protocol_fee_wad: 10 * PERCENT,
            reserve_factor_wad: 10 * PERCENT,
            base_rate_wad: 0,
            slope_low_wad: 4 * PERCENT,
            slope_high_wad: 60 * PERCENT,
            optimal_utilization_wad: 90 * PERCENT,
            supply_cap: 500_000_000_000_000,
            borrow_cap: 400_000_000_000_000,
            min_debt: 10_000_000,
            collateral_enabled: true,
            borrowing_enabled: true,
            flash_loan_fee_wad: PERCENT / 20,
            seed: 1_000_000,
        };
        let input = list_market(
            AccountId::from([4; 32]),
            market.market_params(),
            market.seed,
        );
        let expected = [
            "656a6373", // selector of `list_market`
            &"04".repeat(32),
            "06",                               // decimals
            "00008bbd0689680a0000000000000000", // ltv_wad
            "000050ecc22b1a0b0000000000000000", // liquidation_threshold_wad
            "000029d66f59920e0000000000000000", // liquidation_bonus_wad
            "00008a5d784563010000000000000000", // liquidation_protocol_fee_wad
            "00008a5d784563010000000000000000", // reserve_factor_wad
            "00000000000000000000000000000000", // base_rate_wad
            "000004bfc91b8e000000000000000000", // slope_low_wad
            "00003c31d2a053080000000000000000", // slope_high_wad
            "0000da493b717d0c0000000000000000", // optimal_utilization_wad
            "00406352bfc601000000000000000000", // supply_cap
            "0000e941cc6b01000000000000000000", // borrow_cap
            "80969800000000000000000000000000", // min_debt
            "01",                               // collateral_enabled
            "01",                               // borrowing_enabled
            "00406352bfc601000000000000000000", // flash_loan_fee_wad (0.05 %)
            "40420f00000000000000000000000000", // seed
        ]
        .concat();
        assert_eq!(hex::encode(input.input()), expected);
    }

    /// The shared traits' selectors are `blake2b_256("<Trait>::<message>")` (see
    /// `carrack-interfaces`), so any PSP22 token answers them.
    #[test]
    fn trait_messages_use_the_interfaces_selectors() {
        let input = approve(AccountId::from([8; 32]), 5).input().to_vec();
        let mut expected = ink::selector_bytes!("PSP22::approve").to_vec();
        expected.extend([8; 32]);
        expected.extend(5u128.encode());
        assert_eq!(input, expected);
        assert_eq!(
            &admin_roles().input()[..4],
            &ink::selector_bytes!("Governed::admin_roles")
        );
    }

    /// The two token contracts' minter messages are distinct builders with one selector.
    #[test]
    fn both_tokens_share_the_minter_selectors() {
        let pending = Some(AccountId::from([9; 32]));
        assert_eq!(
            nominate_minter(MinterToken::Test, pending).input(),
            nominate_minter(MinterToken::Governance, pending).input()
        );
        assert_eq!(
            minter(MinterToken::Test).input(),
            &ink::selector_bytes!("minter")
        );
    }
}
