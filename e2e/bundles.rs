//! The release bundles the suite runs: `cargo contract build --release` output of every
//! contract and test fixture, built once by `scripts/test.sh` (or `scripts/build.sh
//! --fixtures`) before the e2e step, into `<dir>/<name>/<name>.{wasm,json,contract}`.
//!
//! `<dir>` is `$CARRACK_E2E_BUNDLES` if set, else `$CARRACK_RELEASE_TARGET_DIR/ink`, else
//! `~/.cache/carrack/target-release/ink`, the directory the scripts build into. The suite
//! thus tests the code users deploy, and a run never compiles a contract.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Every contract the tests instantiate: its artifact name and package directory (relative
/// to the repository root).
pub const CONTRACTS: [(&str, &str); 8] = [
    ("carrack_token", "contracts/token"),
    ("carrack_oracle", "contracts/oracle"),
    ("carrack_pool", "contracts/pool"),
    ("carrack_gov_token", "contracts/gov-token"),
    ("carrack_governor", "contracts/governor"),
    ("carrack_timelock", "contracts/timelock"),
    ("carrack_hostile_token", "e2e/fixtures/hostile-token"),
    ("carrack_flash_receiver", "e2e/fixtures/flash-receiver"),
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

/// The `.wasm` of every contract, checked to exist. A bundle older than a source file of its
/// package or of a package it depends on by path gets a warning naming the file: a test of
/// stale code would prove nothing. Only a warning, because `cargo contract build` leaves a
/// bundle untouched when nothing it is compiled from changed, and a test-only module (say
/// `contracts/pool/fuzz/mod.rs`) is newer without making the bundle stale.
pub fn wasm_paths() -> Result<Vec<PathBuf>, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("e2e/ has no parent directory")?
        .to_path_buf();
    let mut paths = Vec::with_capacity(CONTRACTS.len());
    for (contract, package) in CONTRACTS {
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
        for dir in package_and_path_dependencies(&root.join(package))? {
            if let Some((source_time, source)) = newest_source_file(&dir)? {
                if source_time > built {
                    eprintln!(
                        "warning: {} is older than {}: if that changed the contract, rebuild \
                         the bundles with scripts/build.sh --fixtures (scripts/test.sh does)",
                        wasm.display(),
                        source.display()
                    );
                    break;
                }
            }
        }
        paths.push(wasm);
    }
    Ok(paths)
}

/// `package` and every package it depends on through `path = "…"` in the `[dependencies]`
/// of its `Cargo.toml`, transitively.
fn package_and_path_dependencies(package: &Path) -> Result<Vec<PathBuf>, String> {
    let mut found: Vec<PathBuf> = Vec::new();
    let mut pending = vec![package.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let dir = dir
            .canonicalize()
            .map_err(|err| format!("{}: {err}", dir.display()))?;
        if found.contains(&dir) {
            continue;
        }
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml"))
            .map_err(|err| format!("{}/Cargo.toml: {err}", dir.display()))?;
        let mut in_dependencies = false;
        for line in manifest.lines().map(str::trim) {
            if line.starts_with('[') {
                in_dependencies = line == "[dependencies]";
            } else if in_dependencies {
                if let Some(path) = line
                    .split_once("path = \"")
                    .and_then(|(_, rest)| rest.split_once('"'))
                    .map(|(path, _)| path)
                {
                    pending.push(dir.join(path));
                }
            }
        }
        found.push(dir);
    }
    Ok(found)
}

/// The most recently modified `.rs` or `Cargo.toml` under `dir` (skipping `target` and
/// hidden directories).
fn newest_source_file(dir: &Path) -> Result<Option<(SystemTime, PathBuf)>, String> {
    let mut newest: Option<(SystemTime, PathBuf)> = None;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|err| format!("{}: {err}", dir.display()))?;
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
