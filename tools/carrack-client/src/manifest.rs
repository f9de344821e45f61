//! A carrack-deploy manifest as the other tools read it: the deployment's contracts by
//! name (`pool`, `oracle`, `token:TUSD`, …), the chain it was made on and where its
//! bundles came from. Lenient: fields the tools do not need are ignored (the deploy tool,
//! which writes the manifest, reads it strictly).

use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use subxt::utils::AccountId32;

/// A deployment, from its manifest.
#[derive(Debug, Clone)]
pub struct Deployment {
    /// The manifest file.
    pub path: PathBuf,
    /// The genesis hash of the chain it was made on (`0x…`), when recorded.
    pub genesis_hash: Option<String>,
    /// The best block when the deployment started (nothing of it exists before), when
    /// recorded.
    pub start_block: Option<u64>,
    /// Where the deployment's bundles were read from, as the deploy tool was given it.
    pub bundles_dir: Option<PathBuf>,
    contracts: BTreeMap<String, ContractEntry>,
}

#[derive(Debug, Clone, Deserialize)]
struct ContractEntry {
    address: String,
    #[serde(default)]
    bundle: Option<String>,
}

#[derive(Deserialize)]
struct Document {
    #[serde(default)]
    chain: Option<ChainEntry>,
    #[serde(default)]
    bundles_dir: Option<PathBuf>,
    contracts: BTreeMap<String, ContractEntry>,
}

#[derive(Deserialize)]
struct ChainEntry {
    genesis_hash: String,
    start_block: u64,
}

impl Deployment {
    /// Reads the manifest at `path`.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the manifest {}", path.display()))?;
        Self::parse(path, &text)
    }

    /// Parses a manifest's text (`path` only names it in errors).
    pub fn parse(path: &Path, text: &str) -> Result<Self> {
        let document: Document = serde_json::from_str(text).with_context(|| {
            format!(
                "{} is not a carrack-deploy manifest (JSON with `contracts`, each with an `address`)",
                path.display()
            )
        })?;
        Ok(Deployment {
            path: path.to_path_buf(),
            genesis_hash: document.chain.as_ref().map(|c| c.genesis_hash.clone()),
            start_block: document.chain.as_ref().map(|c| c.start_block),
            bundles_dir: document.bundles_dir,
            contracts: document.contracts,
        })
    }

    /// The address of contract `name`.
    pub fn address(&self, name: &str) -> Result<AccountId32> {
        let entry = self.contracts.get(name).ok_or_else(|| {
            let known: Vec<_> = self.contracts.keys().map(String::as_str).collect();
            anyhow!(
                "the manifest {} has no {name:?} (it has: {})",
                self.path.display(),
                known.join(", ")
            )
        })?;
        AccountId32::from_str(entry.address.trim()).map_err(|e| {
            anyhow!(
                "the manifest {}: contracts.{name}.address {:?} is not an SS58 address ({e})",
                self.path.display(),
                entry.address
            )
        })
    }

    /// The bundle contract `name` was instantiated from, if recorded.
    pub fn bundle(&self, name: &str) -> Option<&str> {
        self.contracts.get(name)?.bundle.as_deref()
    }

    /// Refuses unless `genesis` (`0x…`) is the chain the deployment was made on (a
    /// manifest that records no chain is refused too: nothing ties it to this one).
    pub fn check_chain(&self, genesis: &str) -> Result<()> {
        let Some(recorded) = &self.genesis_hash else {
            bail!(
                "the manifest {} records no chain (chain.genesis_hash)",
                self.path.display()
            );
        };
        if !recorded.eq_ignore_ascii_case(genesis) {
            bail!(
                "the manifest {} is for the chain with genesis {recorded}, but the node's genesis is {genesis}: a reset devnet or another chain; deploy again or point to the right node",
                self.path.display()
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"{
        "format": 1, "tool": "carrack-deploy 0.1.0",
        "chain": {"genesis_hash": "0xabcd", "node_url": "ws://x", "start_block": 7, "last_block": 9},
        "bundles_dir": "target/ink",
        "contracts": {
            "pool": {"bundle": "carrack_pool", "address": "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"},
            "oracle": {"bundle": "carrack_oracle", "address": "not an address"}
        }
    }"#;

    #[test]
    fn reads_what_the_tools_need_and_ignores_the_rest() {
        let d = Deployment::parse(Path::new("m.json"), MANIFEST).unwrap();
        assert_eq!(d.start_block, Some(7));
        assert_eq!(d.bundle("pool"), Some("carrack_pool"));
        assert_eq!(
            d.address("pool").unwrap().to_string(),
            "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"
        );
        let err = d.address("oracle").unwrap_err().to_string();
        assert!(err.contains("contracts.oracle.address"), "{err}");
        let missing = d.address("governor").unwrap_err().to_string();
        assert!(
            missing.contains("has no \"governor\" (it has: oracle, pool)"),
            "{missing}"
        );
        assert!(d.check_chain("0xABCD").is_ok());
        assert!(d
            .check_chain("0x1234")
            .unwrap_err()
            .to_string()
            .contains("genesis"));
        assert!(Deployment::parse(Path::new("m.json"), "{}").is_err());
        // The relayer's tests write manifests with contracts only: no chain recorded.
        let bare = Deployment::parse(Path::new("m.json"), r#"{"contracts":{}}"#).unwrap();
        assert_eq!(
            (bare.start_block, bare.genesis_hash.as_deref()),
            (None, None)
        );
        assert!(bare
            .check_chain("0xabcd")
            .unwrap_err()
            .to_string()
            .contains("records no chain"));
    }
}
