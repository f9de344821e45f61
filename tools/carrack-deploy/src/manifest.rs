//! The deployment manifest: a JSON file rewritten (atomically) after every step, so a
//! killed run resumes where it stopped.
//!
//! It records the chain (genesis hash, node URL, block numbers), the config digest, a
//! deployment id, every code hash uploaded or found, every contract (bundle, code hash,
//! address, constructor args digest, salt), and the names of the completed steps in order.
//!
//! Instantiation salts are derived from the config digest, the deployment id and the
//! contract's name ([`salt`]), so the address of every contract is known before it is
//! instantiated: a run killed between "instantiated" and "manifest written" finds its
//! contract at that address on the next run instead of instantiating a second one.

use anyhow::{bail, Context, Result};
use blake2::{digest::consts::U32, Blake2b, Digest};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Bumped on incompatible changes of the manifest's layout.
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: u32,
    /// The tool and version that wrote it.
    pub tool: String,
    pub chain: ChainRecord,
    pub config: ConfigRecord,
    /// Random per deployment (fixed when the manifest is created): two deployments of
    /// the same config on one chain get different salts, hence different addresses.
    pub deployment_id: String,
    /// The deploying account (SS58).
    pub deployer: String,
    /// Where the bundles were read from (the default for `status` and `call`).
    pub bundles_dir: PathBuf,
    /// Bundle name -> code.
    pub codes: BTreeMap<String, CodeRecord>,
    /// Contract name (`pool`, `token:TUSD`, ...) -> instance.
    pub contracts: BTreeMap<String, ContractRecord>,
    /// Completed steps, in order: always a prefix of the plan's steps.
    pub steps: Vec<String>,
    /// All steps done.
    pub complete: bool,
    /// Unix seconds.
    pub created_at: u64,
    pub updated_at: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainRecord {
    /// `0x…`.
    pub genesis_hash: String,
    pub node_url: String,
    /// Best block when the deployment started.
    pub start_block: u64,
    /// Best block after the latest completed step.
    pub last_block: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigRecord {
    /// The config file, as given.
    pub path: PathBuf,
    /// `blake2b-256` of the normalized config (the resolved plan), `0x…`.
    pub digest: String,
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeRecord {
    /// `0x…`.
    pub code_hash: String,
    /// `false` when the code was already on chain.
    pub uploaded: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractRecord {
    pub bundle: String,
    /// `0x…`.
    pub code_hash: String,
    /// SS58.
    pub address: String,
    pub constructor: String,
    /// `blake2b-256` of the constructor's SCALE-encoded input (selector and args), `0x…`.
    pub args_digest: String,
    /// `0x…`.
    pub salt: String,
    /// The constructor's SCALE-encoded input (selector and args), `0x…`: with the
    /// deployer, code hash and salt it re-derives `address` ([`ContractRecord::check_binding`]).
    /// Empty in manifests written before it was recorded.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub input: String,
    /// `true` when found on chain after an interrupted run instead of instantiated.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub recovered: bool,
}

impl ContractRecord {
    /// Checks that this record of contract `name` is one this deployment made (review D2),
    /// not a contract substituted by editing the manifest: it names `expected_bundle`, its
    /// salt is the deployment's own for `name`, its input hashes to `args_digest`, and
    /// pallet-contracts' address of (deployer, code hash, input, salt) is `address`. A
    /// contract instantiated by anyone else, with other code, input or salt, or by this
    /// deployer for another deployment, fails. Says why in the error.
    pub fn check_binding(
        &self,
        name: &str,
        expected_bundle: &str,
        manifest: &Manifest,
    ) -> std::result::Result<(), String> {
        if self.bundle != expected_bundle {
            return Err(format!(
                "{name} is recorded as an instance of {}, but is instantiated from {expected_bundle}",
                self.bundle
            ));
        }
        let uploaded = manifest
            .codes
            .get(&self.bundle)
            .map(|c| c.code_hash.as_str());
        if uploaded != Some(self.code_hash.as_str()) {
            return Err(format!(
                "{name}'s code {} is not the code this deployment uploaded for {} ({})",
                self.code_hash,
                self.bundle,
                uploaded.unwrap_or("none")
            ));
        }
        let salt = salt(&manifest.config.digest, &manifest.deployment_id, name);
        if self.salt != hex0x(&salt) {
            return Err(format!(
                "{name}'s salt {} is not this deployment's ({}): the record belongs to another deployment",
                self.salt,
                hex0x(&salt)
            ));
        }
        if self.input.is_empty() {
            return Err(format!(
                "{name}'s record has no constructor input (written by an older carrack-deploy), so its address cannot be verified: redeploy with --reset"
            ));
        }
        let input = hex::decode(self.input.strip_prefix("0x").unwrap_or(&self.input))
            .map_err(|e| format!("{name}'s constructor input is not hex: {e}"))?;
        if hex0x(&blake2_256(&[&input])) != self.args_digest {
            return Err(format!(
                "{name}'s constructor input does not hash to its args_digest {}",
                self.args_digest
            ));
        }
        let deployer = subxt::utils::AccountId32::from_str(&manifest.deployer).map_err(|e| {
            format!(
                "the manifest's deployer {} is not an address: {e}",
                manifest.deployer
            )
        })?;
        let code_hash = parse_hash(&self.code_hash).map_err(|e| format!("{name}: {e:#}"))?;
        let derived = crate::chain::Chain::contract_address(&deployer, &code_hash, &input, &salt);
        if derived.to_string() != self.address {
            return Err(format!(
                "{name} is recorded at {}, but this deployment's deployer, code {}, constructor input and salt give {derived}: the manifest was edited or mixes deployments",
                self.address, self.code_hash
            ));
        }
        Ok(())
    }
}

/// Unix seconds now.
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// `blake2b-256(parts joined by NUL)`.
pub fn blake2_256(parts: &[&[u8]]) -> [u8; 32] {
    let mut hasher = Blake2b::<U32>::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hasher.update([0u8]);
        }
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// The instantiation salt of contract `name` in a deployment: deterministic in the config
/// digest, the deployment id and the name.
pub fn salt(config_digest: &str, deployment_id: &str, name: &str) -> [u8; 32] {
    blake2_256(&[
        b"carrack-deploy/salt/v1",
        config_digest.as_bytes(),
        deployment_id.as_bytes(),
        name.as_bytes(),
    ])
}

/// A fresh deployment id: unique per manifest (time, process, config, chain).
pub fn new_deployment_id(config_digest: &str, genesis: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let entropy = blake2_256(&[
        &nanos.to_le_bytes(),
        &std::process::id().to_le_bytes(),
        config_digest.as_bytes(),
        genesis.as_bytes(),
    ]);
    format!("0x{}", hex::encode(&entropy[..16]))
}

/// `0x`-hex.
pub fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// Parses `0x`-hex of 32 bytes.
pub fn parse_hash(text: &str) -> Result<[u8; 32]> {
    let bytes = hex::decode(text.strip_prefix("0x").unwrap_or(text))
        .with_context(|| format!("{text:?} is not hex"))?;
    bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("{text:?} is not a 32-byte hash"))
}

/// Where a run resumes: the index of the first plan step not completed yet. The completed
/// steps must be a prefix of the plan (same config, same tool), or the manifest belongs to
/// another deployment.
pub fn resume_index(plan_steps: &[String], done: &[String]) -> Result<usize> {
    if done.len() > plan_steps.len() {
        bail!(
            "the manifest lists {} completed steps but this config has only {}",
            done.len(),
            plan_steps.len()
        );
    }
    for (i, (planned, completed)) in plan_steps.iter().zip(done).enumerate() {
        if planned != completed {
            bail!(
                "the manifest's step {} is {completed:?} where this config plans {planned:?}",
                i + 1
            );
        }
    }
    Ok(done.len())
}

impl Manifest {
    /// Reads a manifest.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the manifest {}", path.display()))?;
        let manifest: Manifest = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a carrack-deploy manifest", path.display()))?;
        if manifest.format != FORMAT {
            bail!(
                "{} has manifest format {}, this tool writes format {FORMAT}",
                path.display(),
                manifest.format
            );
        }
        Ok(manifest)
    }

    /// Writes the manifest atomically (temporary file, fsync, rename).
    pub fn save(&mut self, path: &Path) -> Result<()> {
        self.updated_at = now_secs();
        let json = serde_json::to_string_pretty(self).expect("a manifest always serializes");
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let tmp = temp_path(path);
        let write = || -> std::io::Result<()> {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(json.as_bytes())?;
            file.write_all(b"\n")?;
            file.sync_all()?;
            std::fs::rename(&tmp, path)
        };
        write().with_context(|| format!("cannot write the manifest {}", path.display()))
    }

    /// The address of a recorded contract.
    pub fn address(&self, name: &str) -> Result<&str> {
        self.contracts
            .get(name)
            .map(|c| c.address.as_str())
            .with_context(|| format!("the manifest has no contract {name:?} yet"))
    }
}

fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Manifest {
        let mut contracts = BTreeMap::new();
        contracts.insert(
            "pool".to_string(),
            ContractRecord {
                bundle: "carrack_pool".into(),
                code_hash: hex0x(&[1; 32]),
                address: "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY".into(),
                constructor: "new".into(),
                args_digest: hex0x(&[2; 32]),
                salt: hex0x(&[3; 32]),
                input: String::new(),
                recovered: false,
            },
        );
        let mut codes = BTreeMap::new();
        codes.insert(
            "carrack_pool".to_string(),
            CodeRecord {
                code_hash: hex0x(&[1; 32]),
                uploaded: true,
            },
        );
        Manifest {
            format: FORMAT,
            tool: "carrack-deploy test".into(),
            chain: ChainRecord {
                genesis_hash: hex0x(&[9; 32]),
                node_url: "ws://127.0.0.1:9944".into(),
                start_block: 3,
                last_block: 7,
            },
            config: ConfigRecord {
                path: "deploy/devnet.toml".into(),
                digest: hex0x(&[4; 32]),
                kind: "devnet".into(),
            },
            deployment_id: hex0x(&[5; 16]),
            deployer: "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY".into(),
            bundles_dir: "/tmp/ink".into(),
            codes,
            contracts,
            steps: vec!["upload:carrack_pool".into(), "instantiate:pool".into()],
            complete: false,
            created_at: 1,
            updated_at: 2,
        }
    }

    /// `sample()` with a pool record made as `Deployment::instantiate` makes it.
    fn bound_sample() -> Manifest {
        let mut manifest = sample();
        let deployer = subxt::utils::AccountId32::from_str(&manifest.deployer).unwrap();
        let input = vec![0x9b, 0xae, 0x9d, 0x5e, 7, 7];
        let salt = salt(&manifest.config.digest, &manifest.deployment_id, "pool");
        let code_hash = [1; 32];
        let record = manifest.contracts.get_mut("pool").unwrap();
        record.salt = hex0x(&salt);
        record.input = hex0x(&input);
        record.args_digest = hex0x(&blake2_256(&[&input]));
        record.address =
            crate::chain::Chain::contract_address(&deployer, &code_hash, &input, &salt).to_string();
        manifest
    }

    fn binding(manifest: &Manifest) -> std::result::Result<(), String> {
        manifest.contracts["pool"].check_binding("pool", "carrack_pool", manifest)
    }

    #[test]
    fn a_record_binds_to_its_deployer_code_input_and_salt() {
        let manifest = bound_sample();
        assert_eq!(binding(&manifest), Ok(()));
        let edit = |f: &dyn Fn(&mut ContractRecord)| {
            let mut m = manifest.clone();
            f(m.contracts.get_mut("pool").unwrap());
            binding(&m).unwrap_err()
        };
        // The audit's substitution: another contract's address and code hash.
        let other = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty".to_string();
        assert!(edit(&|r| r.address = other.clone()).contains("the manifest was edited"));
        assert!(edit(&|r| r.code_hash = hex0x(&[8; 32]))
            .contains("not the code this deployment uploaded"));
        let mut recoded = manifest.clone();
        recoded.codes.get_mut("carrack_pool").unwrap().code_hash = hex0x(&[8; 32]);
        recoded.contracts.get_mut("pool").unwrap().code_hash = hex0x(&[8; 32]);
        assert!(
            binding(&recoded).unwrap_err().contains("give"),
            "code and record edited together"
        );
        assert!(
            edit(&|r| r.bundle = "carrack_token".into()).contains("instantiated from carrack_pool")
        );
        assert!(edit(&|r| r.salt = hex0x(&[3; 32])).contains("another deployment"));
        assert!(edit(&|r| r.input = hex0x(&[1, 2])).contains("does not hash"));
        assert!(edit(&|r| r.input = String::new()).contains("older carrack-deploy"));
        // The record of another deployment by the same deployer: its own salt gives it away.
        let mut foreign = manifest.clone();
        foreign.deployment_id = hex0x(&[6; 16]);
        assert!(binding(&foreign)
            .unwrap_err()
            .contains("another deployment"));
        let mut deployer = manifest.clone();
        deployer.deployer = other;
        assert!(binding(&deployer).unwrap_err().contains("give"));
    }

    #[test]
    fn round_trips_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/manifest.json");
        let mut manifest = sample();
        manifest.save(&path).unwrap();
        let loaded = Manifest::load(&path).unwrap();
        assert_eq!(loaded, manifest);
        assert!(!dir.path().join("sub/manifest.json.tmp").exists());
        assert!(loaded.steps.contains(&"instantiate:pool".to_string()));
        assert_eq!(
            loaded.address("pool").unwrap(),
            manifest.contracts["pool"].address
        );
        assert!(loaded.address("oracle").is_err());
    }

    #[test]
    fn refuses_foreign_files_and_formats() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.json");
        std::fs::write(&path, "{\"hello\": 1}").unwrap();
        assert!(format!("{:#}", Manifest::load(&path).unwrap_err())
            .contains("not a carrack-deploy manifest"));
        let mut manifest = sample();
        manifest.format = FORMAT + 1;
        std::fs::write(&path, serde_json::to_string(&manifest).unwrap()).unwrap();
        assert!(format!("{:#}", Manifest::load(&path).unwrap_err()).contains("format"));
    }

    #[test]
    fn resume_index_is_the_first_incomplete_step() {
        let plan: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        assert_eq!(resume_index(&plan, &[]).unwrap(), 0);
        assert_eq!(resume_index(&plan, &plan[..2]).unwrap(), 2);
        assert_eq!(resume_index(&plan, &plan).unwrap(), 3);
        let other: Vec<String> = vec!["a".into(), "x".into()];
        assert!(resume_index(&plan, &other)
            .unwrap_err()
            .to_string()
            .contains("step 2"));
        let longer: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        assert!(resume_index(&plan, &longer).is_err());
    }

    #[test]
    fn salts_are_deterministic_and_distinct() {
        let a = salt("0xdigest", "0xid", "pool");
        assert_eq!(a, salt("0xdigest", "0xid", "pool"));
        assert_ne!(a, salt("0xdigest", "0xid", "oracle"));
        assert_ne!(a, salt("0xother", "0xid", "pool"));
        assert_ne!(a, salt("0xdigest", "0xid2", "pool"));
        // Pinned (blake2b-256 of "carrack-deploy/salt/v1\0<digest>\0<id>\0<name>"), so a
        // change of derivation, which would orphan resumable deployments, cannot go
        // unnoticed.
        assert_eq!(
            hex0x(&a),
            "0x2d4e53a77b4daf50de24a878bbb16f18e79cf4e0893af35ddc866f9599fd0a0d"
        );
        assert_ne!(new_deployment_id("d", "g"), new_deployment_id("d", "g2"));
    }
}
