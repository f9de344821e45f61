//! The events of the deployment's other contracts, for the index: every event of the
//! pool, the oracle, the governor and the timelock decoded with the contract's own
//! metadata (its bundle's `.contract`, as the deployment's manifest names it), kept as
//! its name and fields; and the oracle's accepted prices, decoded as the oracle's own
//! `FeedChanged` type, kept per asset for price charts.

use anyhow::{anyhow, Context, Result};
use carrack_client::manifest::Deployment;
use carrack_client::ContractEvent;
use carrack_oracle::feed::FeedChange;
use carrack_oracle::oracle::FeedChanged;
use contract_transcode::{ContractMessageTranscoder, Value};
use ink::env::Event;
use ink::primitives::AccountId;
use scale::{Compact, DecodeAll, Encode};
use serde::Serialize;
use std::path::{Path, PathBuf};
use subxt::utils::AccountId32;

/// The contracts whose events the index keeps, by the manifest's names.
pub const INDEXED_CONTRACTS: [&str; 4] = ["pool", "oracle", "governor", "timelock"];

/// One event of an indexed contract, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventRow {
    pub block: u64,
    pub event_index: u32,
    /// The manifest's name of the contract (`pool`, `oracle`, …).
    pub contract: String,
    /// The event's name in the contract's metadata (`Liquidated`, `FeedChanged`, …).
    pub name: String,
    /// Its fields, by name, each as the metadata decodes it (SS58 for accounts).
    pub fields: serde_json::Map<String, serde_json::Value>,
}

/// A price the oracle accepted for an asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceRow {
    pub block: u64,
    pub event_index: u32,
    pub asset: AccountId,
    /// The price, in the feed's decimals.
    pub price: u128,
    pub updated_at_secs: u64,
}

/// The decoders of the indexed contracts.
pub struct EventDecoders {
    contracts: Vec<(String, AccountId32, ContractMessageTranscoder)>,
    oracle: Option<AccountId32>,
}

/// Where a bundle's `.contract` is: `<dir>/<bundle>/<bundle>.contract` (as
/// `scripts/build.sh` lays them out) or `<dir>/<bundle>.contract`.
fn bundle_file(dir: &Path, bundle: &str) -> Option<PathBuf> {
    [
        dir.join(bundle).join(format!("{bundle}.contract")),
        dir.join(format!("{bundle}.contract")),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

impl EventDecoders {
    /// No contracts: only the pool's own events are indexed (their typed decoding is the
    /// indexer's), nothing else.
    pub fn none() -> Self {
        EventDecoders {
            contracts: Vec::new(),
            oracle: None,
        }
    }

    /// The decoders of the contracts of [`INDEXED_CONTRACTS`] that `deployment` names,
    /// from the bundles in `bundles` (default: the manifest's `bundles_dir`). A contract
    /// whose bundle cannot be found is an error naming the file: an index that silently
    /// skipped a contract's events would look complete and not be.
    pub fn load(deployment: &Deployment, bundles: Option<&Path>) -> Result<Self> {
        let dir = bundles
            .map(Path::to_path_buf)
            .or_else(|| deployment.bundles_dir.clone())
            .ok_or_else(|| {
                anyhow!(
                    "the manifest {} records no bundles_dir: give `bundles` (the directory of the deployment's .contract bundles)",
                    deployment.path.display()
                )
            })?;
        let mut contracts = Vec::new();
        for name in INDEXED_CONTRACTS {
            let Ok(address) = deployment.address(name) else {
                continue;
            };
            let bundle = deployment
                .bundle(name)
                .map(str::to_string)
                .unwrap_or_else(|| format!("carrack_{name}"));
            let file = bundle_file(&dir, &bundle).ok_or_else(|| {
                anyhow!(
                    "no bundle {bundle} for the {name} contract in {} (its events are decoded with its metadata)",
                    dir.display()
                )
            })?;
            let transcoder = ContractMessageTranscoder::load(&file)
                .with_context(|| format!("cannot read the metadata of {}", file.display()))?;
            contracts.push((name.to_string(), address, transcoder));
        }
        let oracle = deployment.address("oracle").ok();
        Ok(EventDecoders { contracts, oracle })
    }

    /// The event decoded, when it is an indexed contract's; an event its contract's
    /// metadata does not know is an error (the bundles are not the deployed code).
    pub fn decode(&self, block: u64, event: &ContractEvent) -> Option<Result<EventRow>> {
        let (name, _, transcoder) = self
            .contracts
            .iter()
            .find(|(_, address, _)| *address == event.contract)?;
        Some(decode_with(transcoder, name, block, event))
    }

    /// The price the oracle accepted in `event`, if it is the oracle's `FeedChanged`
    /// with a `PriceAccepted` change.
    pub fn price(&self, block: u64, event: &ContractEvent) -> Option<Result<PriceRow>> {
        if Some(&event.contract) != self.oracle.as_ref()
            || event.topics.first().copied() != FeedChanged::SIGNATURE_TOPIC
        {
            return None;
        }
        let changed = match FeedChanged::decode_all(&mut event.data.as_slice()) {
            Ok(changed) => changed,
            Err(e) => {
                return Some(Err(anyhow!(
                    "block {block}: an oracle FeedChanged event does not decode ({e})"
                )))
            }
        };
        match changed.change {
            FeedChange::PriceAccepted {
                price,
                updated_at_secs,
            } => Some(Ok(PriceRow {
                block,
                event_index: event.index,
                asset: changed.asset,
                price,
                updated_at_secs,
            })),
            _ => None,
        }
    }
}

fn decode_with(
    transcoder: &ContractMessageTranscoder,
    contract: &str,
    block: u64,
    event: &ContractEvent,
) -> Result<EventRow> {
    let signature = event.topics.first().ok_or_else(|| {
        anyhow!(
            "block {block}: a {contract} event without topics (event {})",
            event.index
        )
    })?;
    // The transcoder reads the event as the chain stores it: a length-prefixed Vec<u8>.
    let mut data = Compact(u32::try_from(event.data.len())?).encode();
    data.extend_from_slice(&event.data);
    let value = transcoder
        .decode_contract_event(signature, &mut data.as_slice())
        .map_err(|e| {
            anyhow!(
                "block {block}: a {contract} event (event {}) does not decode with its metadata ({e}); are the bundles the deployed code?",
                event.index
            )
        })?;
    let Value::Map(map) = &value else {
        return Err(anyhow!(
            "block {block}: the {contract} event decoded as {value}, not a struct"
        ));
    };
    let name = map.ident().unwrap_or_default();
    let name = name.rsplit("::").next().unwrap_or_default().to_string();
    let fields = map
        .iter()
        .map(|(k, v)| {
            let key = match k {
                Value::String(s) | Value::Literal(s) => s.clone(),
                other => other.to_string(),
            };
            let shown = match v {
                Value::Literal(s) | Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (key, serde_json::Value::String(shown))
        })
        .collect();
    Ok(EventRow {
        block,
        event_index: event.index,
        contract: contract.to_string(),
        name,
        fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_accepted_price_is_a_price_row_and_other_feed_changes_are_not() {
        let oracle = AccountId32([9; 32]);
        let decoders = EventDecoders {
            contracts: Vec::new(),
            oracle: Some(oracle.clone()),
        };
        let asset = AccountId::from([4; 32]);
        let event = |change: FeedChange, contract: AccountId32| ContractEvent {
            index: 5,
            contract,
            topics: vec![FeedChanged::SIGNATURE_TOPIC.unwrap(), [4; 32]],
            data: FeedChanged { asset, change }.encode(),
        };
        let accepted = FeedChange::PriceAccepted {
            price: 6_000_000_000_000,
            updated_at_secs: 1_700,
        };
        let row = decoders
            .price(3, &event(accepted, oracle.clone()))
            .unwrap()
            .unwrap();
        assert_eq!(
            row,
            PriceRow {
                block: 3,
                event_index: 5,
                asset,
                price: 6_000_000_000_000,
                updated_at_secs: 1_700
            }
        );
        let held = FeedChange::PriceHeld {
            candidate: 1,
            last_good: 2,
        };
        assert!(decoders.price(3, &event(held, oracle.clone())).is_none());
        // The same event from another contract is not the oracle's.
        assert!(decoders
            .price(3, &event(accepted, AccountId32([8; 32])))
            .is_none());
        let mut garbage = event(accepted, oracle);
        garbage.data.truncate(3);
        assert!(decoders.price(3, &garbage).unwrap().is_err());
        // No decoders: nothing but the pool's typed events is indexed.
        assert!(EventDecoders::none().decode(3, &garbage).is_none());
    }
}
