//! The release bundles the suite runs: `cargo contract build --release` output of every
//! contract and test fixture, built once by `scripts/test.sh` (or `scripts/build.sh
//! --fixtures`) before the e2e step, into `<dir>/<name>/<name>.{wasm,json,contract}`.
//!
//! `<dir>` is `$CARRACK_E2E_BUNDLES` if set, else `$CARRACK_RELEASE_TARGET_DIR/ink`, else
//! `~/.cache/carrack/target-release/ink`, the directory the scripts build into. The suite
//! thus tests the code users deploy, and a run never compiles a contract.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The artifact names of every contract the tests instantiate.
pub const CONTRACTS: [&str; 7] = [
    "carrack_token",
    "carrack_oracle",
    "carrack_pool",
    "carrack_gov_token",
    "carrack_governor",
    "carrack_timelock",
    "carrack_hostile_token",
];

/// The directory holding `<name>/<name>.wasm` for every name of [`CONTRACTS`].
pub fn bundle_dir() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("CARRACK_E2E_BUNDLES") {
        return Ok(PathBuf::from(dir));
    }
    let release = match std::env::var_os("CARRACK_RELEASE_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let home = std::env::var_os("HOME")
                .ok_or("neither CARRACK_E2E_BUNDLES, CARRACK_RELEASE_TARGET_DIR nor HOME is set")?;
            PathBuf::from(home).join(".cache/carrack/target-release")
        }
    };
    Ok(release.join("ink"))
}

/// A bundle file of `contract` (e.g. `("carrack_pool", "wasm")`).
pub fn artifact(contract: &str, extension: &str) -> Result<PathBuf, String> {
    Ok(bundle_dir()?
        .join(contract)
        .join(format!("{contract}.{extension}")))
}

/// The `.wasm` of every contract, checked to exist and to be newer than every source file
/// under `contracts/` and `e2e/fixtures/`: a test of stale code would prove nothing.
pub fn wasm_paths() -> Result<Vec<PathBuf>, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("e2e/ has no parent directory")?
        .to_path_buf();
    let newest_source = [root.join("contracts"), root.join("e2e/fixtures")]
        .iter()
        .map(|dir| newest_source_file(dir))
        .try_fold(None, |newest: Option<(SystemTime, PathBuf)>, found| {
            let found = found?;
            Ok::<_, String>(match (newest, found) {
                (Some(a), Some(b)) => Some(if b.0 > a.0 { b } else { a }),
                (a, b) => a.or(b),
            })
        })?;
    let mut paths = Vec::with_capacity(CONTRACTS.len());
    for contract in CONTRACTS {
        let wasm = artifact(contract, "wasm")?;
        let built = std::fs::metadata(&wasm)
            .and_then(|meta| meta.modified())
            .map_err(|err| {
                format!(
                    "{}: {err}; build the bundles first: scripts/build.sh --fixtures \
                     (scripts/test.sh does)",
                    wasm.display()
                )
            })?;
        if let Some((source_time, source)) = &newest_source {
            if *source_time > built {
                return Err(format!(
                    "{} is older than {}: rebuild the bundles with scripts/build.sh --fixtures \
                     (scripts/test.sh does) so the tests run the code in the tree",
                    wasm.display(),
                    source.display()
                ));
            }
        }
        paths.push(wasm);
    }
    Ok(paths)
}

/// The most recently modified `.rs` or `Cargo.toml` under `dir` (skipping `target` and
/// hidden directories).
fn newest_source_file(dir: &Path) -> Result<Option<(SystemTime, PathBuf)>, String> {
    let mut newest: Option<(SystemTime, PathBuf)> = None;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries =
            std::fs::read_dir(&dir).map_err(|err| format!("{}: {err}", dir.display()))?;
        for entry in entries {
            let entry = entry.map_err(|err| format!("{}: {err}", dir.display()))?;
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let kind = entry
                .file_type()
                .map_err(|err| format!("{}: {err}", path.display()))?;
            if kind.is_dir() {
                if !name.starts_with('.') && name != "target" {
                    pending.push(path);
                }
            } else if name.ends_with(".rs") || name == "Cargo.toml" {
                let modified = entry
                    .metadata()
                    .and_then(|meta| meta.modified())
                    .map_err(|err| format!("{}: {err}", path.display()))?;
                if newest.as_ref().is_none_or(|(time, _)| modified > *time) {
                    newest = Some((modified, path));
                }
            }
        }
    }
    Ok(newest)
}
