//! The contracts' `.contract` bundles, as `cargo contract build --release` leaves them:
//! `<dir>/<name>/<name>.contract` (a flat `<dir>/<name>.contract` works too).
//!
//! Each bundle is loaded once, checked (its Wasm must hash to the code hash its metadata
//! claims), and a metadata-only copy (no Wasm) is written to a private temporary
//! directory (named by content): contract-extrinsics instantiates from such a file by code hash
//! (`Code::Existing`) instead of re-sending the Wasm with every instantiation.

use anyhow::{bail, Context, Result};
use contract_extrinsics::ContractMessageTranscoder;
use contract_metadata::ContractMetadata;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every bundle a deployment may use, in dependency order.
pub const ALL: [&str; 6] = [
    "carrack_token",
    "carrack_oracle",
    "carrack_pool",
    "carrack_gov_token",
    "carrack_timelock",
    "carrack_governor",
];

/// One loaded bundle.
pub struct Bundle {
    pub name: String,
    /// The `.contract` file (metadata and Wasm): for uploads.
    pub contract_path: PathBuf,
    /// Metadata without Wasm: for instantiation by code hash, calls and queries.
    pub metadata_path: PathBuf,
    pub code_hash: [u8; 32],
    pub transcoder: ContractMessageTranscoder,
}

/// The loaded bundles.
pub struct Bundles {
    bundles: BTreeMap<String, Bundle>,
    /// Where the metadata-only copies go: `$TMPDIR/carrack-deploy-metadata`, named by
    /// content, so runs share them and a killed run leaves nothing behind to clean up.
    tmp: PathBuf,
}

/// The default bundle directory: where `cargo contract build --release` puts them for
/// Carrack's scripts (`$CARRACK_RELEASE_TARGET_DIR/ink`).
pub fn default_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("CARRACK_RELEASE_TARGET_DIR") {
        return PathBuf::from(dir).join("ink");
    }
    let home = std::env::var("HOME").unwrap_or_else(|_| ".".to_string());
    PathBuf::from(home).join(".cache/carrack/target-release/ink")
}

/// The `.contract` file of `name` under `dir`.
pub fn bundle_path(dir: &Path, name: &str) -> Result<PathBuf> {
    let nested = dir.join(name).join(format!("{name}.contract"));
    let flat = dir.join(format!("{name}.contract"));
    if nested.is_file() {
        return Ok(nested);
    }
    if flat.is_file() {
        return Ok(flat);
    }
    bail!(
        "bundle {name} not found: expected {} (build it with `cargo contract build --release`, or pass --bundles)",
        nested.display()
    )
}

impl Bundles {
    /// Loads `names` from `dir`.
    pub fn load(dir: &Path, names: &[&str]) -> Result<Self> {
        if !dir.is_dir() {
            bail!(
                "bundle directory {} does not exist (pass --bundles)",
                dir.display()
            );
        }
        let tmp = std::env::temp_dir().join("carrack-deploy-metadata");
        std::fs::create_dir_all(&tmp)
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        let mut loaded = Bundles {
            bundles: BTreeMap::new(),
            tmp,
        };
        for name in names {
            let bundle = loaded.load_one(dir, name)?;
            loaded.bundles.insert(name.to_string(), bundle);
        }
        Ok(loaded)
    }

    fn load_one(&self, dir: &Path, name: &str) -> Result<Bundle> {
        let contract_path = bundle_path(dir, name)?;
        let context = || format!("bundle {}", contract_path.display());
        let mut metadata = ContractMetadata::load(&contract_path).with_context(context)?;
        let Some(wasm) = metadata.source.wasm.take() else {
            bail!(
                "{} holds no Wasm code (is it a .json metadata file?)",
                contract_path.display()
            );
        };
        let code_hash = metadata.source.hash.0;
        let actual = contract_build::code_hash(&wasm.0);
        if actual != code_hash {
            bail!(
                "{} is corrupt: its Wasm hashes to 0x{} but its metadata says 0x{}",
                contract_path.display(),
                hex::encode(actual),
                hex::encode(code_hash)
            );
        }
        let json = serde_json::to_vec(&metadata).context("cannot serialize metadata")?;
        let content = crate::manifest::blake2_256(&[&json]);
        let metadata_path = self
            .tmp
            .join(format!("{name}-{}.json", hex::encode(&content[..12])));
        if !metadata_path.is_file() {
            // Written aside and renamed, so a concurrent run never reads half a file.
            let partial = self
                .tmp
                .join(format!(".{name}-{}.partial", std::process::id()));
            std::fs::write(&partial, &json)
                .and_then(|()| std::fs::rename(&partial, &metadata_path))
                .with_context(|| format!("cannot write {}", metadata_path.display()))?;
        }
        let transcoder = ContractMessageTranscoder::try_from(metadata)
            .with_context(|| format!("{}: unreadable ink! metadata", contract_path.display()))?;
        Ok(Bundle {
            name: name.to_string(),
            contract_path,
            metadata_path,
            code_hash,
            transcoder,
        })
    }

    /// A loaded bundle.
    pub fn get(&self, name: &str) -> Result<&Bundle> {
        self.bundles
            .get(name)
            .with_context(|| format!("bundle {name} was not loaded"))
    }
}
