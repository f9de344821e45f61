//! One oracle feed of five reporters on a node, for the oracle tests: Bob, Charlie, Dave,
//! Eve and Ferdie report, Alice governs. Deploys the oracle with one feed, lets chosen
//! reporters submit a round observed at one sealed time, and reads the price.

use crate::suite::{observation_time, sleep, E2EResult};
use crate::NodeClient;
use carrack_interfaces::{PriceData, PriceOracle};
use carrack_oracle::feed::FeedConfig;
use carrack_oracle::oracle::{Oracle, OracleRef};
use ink::codegen::ContractCallBuilder;
use ink::primitives::AccountId;
use ink_e2e::{account_id, AccountKeyring, ContractsBackend, Keypair};
use std::time::Duration;

/// The oracle's call builder.
pub type OracleCalls = <Oracle as ContractCallBuilder>::Type;

/// The five reporters' keys, in the order tests index them.
pub fn reporters() -> [Keypair; 5] {
    [
        ink_e2e::bob(),
        ink_e2e::charlie(),
        ink_e2e::dave(),
        ink_e2e::eve(),
        ink_e2e::ferdie(),
    ]
}

/// The five reporters' accounts, in the same order.
pub fn reporter_accounts() -> Vec<AccountId> {
    [
        AccountKeyring::Bob,
        AccountKeyring::Charlie,
        AccountKeyring::Dave,
        AccountKeyring::Eve,
        AccountKeyring::Ferdie,
    ]
    .into_iter()
    .map(account_id)
    .collect()
}

/// Alice (governance) deploys the oracle with `guardian` and adds the feed of `asset` with
/// the five reporters.
pub async fn deploy(
    client: &mut NodeClient,
    guardian: AccountId,
    asset: AccountId,
    config: FeedConfig,
) -> E2EResult<OracleCalls> {
    let alice = account_id(AccountKeyring::Alice);
    let mut constructor = OracleRef::new(alice, guardian);
    let contract = client
        .instantiate("carrack_oracle", &ink_e2e::alice(), &mut constructor)
        .submit()
        .await?;
    let mut oracle = contract.call_builder::<Oracle>();
    client
        .call(
            &ink_e2e::alice(),
            &oracle.add_feed(asset, config, reporter_accounts()),
        )
        .submit()
        .await?;
    Ok(oracle)
}

/// Each of `who` (indices into [`reporters`]) submits its price of `asset`, in order, all
/// observed at one time the chain's clock has passed; then waits a second, so every
/// reporter's next observation is newer.
pub async fn submit_round(
    client: &mut NodeClient,
    oracle: &mut OracleCalls,
    asset: AccountId,
    who: &[usize],
    prices: &[u128],
) -> E2EResult<()> {
    let observed_at = observation_time(client).await;
    let keys = reporters();
    for (index, price) in who.iter().zip(prices) {
        client
            .call(&keys[*index], &oracle.submit(asset, *price, observed_at))
            .submit()
            .await?;
    }
    sleep(Duration::from_millis(1_100)).await;
    Ok(())
}

/// `asset`'s price as the oracle answers it, its error as a test failure.
pub async fn read(
    client: &mut NodeClient,
    oracle: &OracleCalls,
    asset: AccountId,
) -> E2EResult<PriceData> {
    let result = client
        .call(&ink_e2e::alice(), &oracle.price(asset))
        .dry_run()
        .await?;
    result
        .return_value()
        .map_err(|err| format!("{err:?}").into())
}
