//! The contracts' `.contract` bundles, as `cargo contract build --release` leaves them:
//! `<dir>/<name>/<name>.contract` (a flat `<dir>/<name>.contract` works too).
//!
//! Each bundle is loaded once, checked (its Wasm must hash to the code hash its metadata
//! claims), and a metadata-only copy (no Wasm) is written to a private per-user directory
//! (named by content, [`metadata_dir`]): contract-extrinsics reads the `call` subcommand's
//! messages from such a file. (Deploy steps instantiate the uploaded code by its hash and
//! encode with the contract crates' own types, not with metadata.) Since the tool trusts
//! those copies (their metadata is what encodes a call), the directory must be the user's
//! own (mode 0700, not a symlink), a copy found there is used only if it is byte for byte
//! what this run would write, and copies are written through fresh files (`create_new`)
//! renamed into place, never through an existing path.

use anyhow::{bail, Context, Result};
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
    /// Metadata without Wasm: for the `call` subcommand's transcoded dry runs.
    pub metadata_path: PathBuf,
    pub code_hash: [u8; 32],
}

/// The loaded bundles.
pub struct Bundles {
    bundles: BTreeMap<String, Bundle>,
    /// Where the metadata-only copies go ([`metadata_dir`]), named by content, so runs
    /// share them and a killed run leaves nothing behind to clean up.
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

/// The private directory for metadata copies: `$XDG_CACHE_HOME/carrack/deploy-metadata`
/// (default `~/.cache/carrack/deploy-metadata`), created with mode 0700.
pub fn metadata_dir() -> Result<PathBuf> {
    let cache = match std::env::var_os("XDG_CACHE_HOME") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(std::env::var_os("HOME").context("HOME is not set")?).join(".cache"),
    };
    let dir = cache.join("carrack").join("deploy-metadata");
    private_dir(&dir)?;
    Ok(dir)
}

/// Creates `dir` (mode 0700) if missing, and checks that it is a directory of this user
/// alone: not a symlink, not accessible by group or others.
fn private_dir(dir: &Path) -> Result<()> {
    if let Some(parent) = dir.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    match builder.create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e).with_context(|| format!("cannot create {}", dir.display())),
    }
    let meta = std::fs::symlink_metadata(dir)
        .with_context(|| format!("cannot inspect {}", dir.display()))?;
    if !meta.is_dir() {
        bail!(
            "{} must be a directory of your own, not a symlink or a file",
            dir.display()
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            bail!(
                "{} is accessible by others (mode {mode:o}); run chmod 700 on it",
                dir.display()
            );
        }
    }
    Ok(())
}

/// Makes `path` hold exactly `content`: an existing file is kept only if it is identical;
/// otherwise the content goes to a fresh file beside it (`create_new`: never through an
/// existing file or symlink), renamed into place (a concurrent run never reads half a file).
fn write_exactly(path: &Path, content: &[u8]) -> Result<()> {
    use std::io::Write;
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
        && std::fs::read(path).is_ok_and(|existing| existing == content)
    {
        return Ok(());
    }
    let dir = path.parent().context("a metadata path has a directory")?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let partial = dir.join(format!(".{}-{nanos}.partial", std::process::id()));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&partial)
        .with_context(|| format!("cannot create {}", partial.display()))?;
    file.write_all(content)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&partial, path))
        .with_context(|| format!("cannot write {}", path.display()))
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
        let tmp = metadata_dir()?;
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
        write_exactly(&metadata_path, &json)?;
        Ok(Bundle {
            name: name.to_string(),
            contract_path,
            metadata_path,
            code_hash,
        })
    }

    /// A loaded bundle.
    pub fn get(&self, name: &str) -> Result<&Bundle> {
        self.bundles
            .get(name)
            .with_context(|| format!("bundle {name} was not loaded"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(unix)]
    fn the_metadata_directory_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("cache/carrack/deploy-metadata");
        private_dir(&dir).unwrap();
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        private_dir(&dir).unwrap();

        // A directory someone else prepared, open to others: refused.
        let shared = base.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).unwrap();
        let err = format!("{:#}", private_dir(&shared).unwrap_err());
        assert!(err.contains("chmod 700"), "{err}");

        // A symlink to a private-looking directory: refused.
        let link = base.path().join("link");
        std::os::unix::fs::symlink(&dir, &link).unwrap();
        let err = format!("{:#}", private_dir(&link).unwrap_err());
        assert!(err.contains("not a symlink"), "{err}");
    }

    #[test]
    #[cfg(unix)]
    fn copies_are_replaced_unless_identical_and_never_written_through_links() {
        let base = tempfile::tempdir().unwrap();
        let path = base.path().join("carrack_pool-abc.json");
        // A planted file with other content is replaced.
        std::fs::write(&path, b"planted").unwrap();
        write_exactly(&path, b"genuine").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"genuine");
        // A planted symlink at the target is replaced, its target left alone.
        let victim = base.path().join("victim");
        std::fs::write(&victim, b"victim's file").unwrap();
        std::fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        write_exactly(&path, b"genuine").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"victim's file");
        assert!(std::fs::symlink_metadata(&path).unwrap().is_file());
        assert_eq!(std::fs::read(&path).unwrap(), b"genuine");
    }
}
