//! Accounts and keys.
//!
//! In the config an account is either an SS58 address or a development URI such as
//! `//Bob` (derived from Substrate's well-known development phrase, so its secret is
//! public: devnets only). The signer is a secret URI given inline (`suri = "//Alice"`,
//! devnets) or read from a key file (`key_file = "..."`, a secret URI or mnemonic on its
//! first line). Secrets are never printed, logged, or written to the manifest.

use anyhow::{bail, Context, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Mutex, OnceLock};
use subxt::utils::AccountId32;
use subxt_signer::{sr25519::Keypair, SecretUri};

/// Whether `text` is a development URI (`//Name`), whose secret is public.
pub fn is_dev_uri(text: &str) -> bool {
    text.starts_with("//")
}

/// The keypair of a secret URI (`//Alice`, a mnemonic, `0x` seed, with derivations).
/// Development keys are memoized: each derivation runs the mnemonic's key stretching,
/// and a devnet config names the same few dev accounts many times.
pub fn keypair_from_uri(uri: &str) -> Result<Keypair> {
    static DEV_KEYS: OnceLock<Mutex<HashMap<String, Keypair>>> = OnceLock::new();
    let uri = uri.trim();
    let cache = is_dev_uri(uri).then(|| DEV_KEYS.get_or_init(Default::default));
    if let Some(pair) = cache.and_then(|c| c.lock().ok()?.get(uri).cloned()) {
        return Ok(pair);
    }
    let parsed =
        SecretUri::from_str(uri).map_err(|e| anyhow::anyhow!("not a valid secret URI ({e})"))?;
    let pair =
        Keypair::from_uri(&parsed).map_err(|e| anyhow::anyhow!("cannot derive a key ({e})"))?;
    if let Some(mut map) = cache.and_then(|c| c.lock().ok()) {
        map.insert(uri.to_string(), pair.clone());
    }
    Ok(pair)
}

/// An account from an SS58 address or a development URI.
pub fn parse_account(text: &str) -> Result<AccountId32> {
    let text = text.trim();
    if is_dev_uri(text) {
        let pair = keypair_from_uri(text).with_context(|| format!("account {text:?}"))?;
        return Ok(pair.public_key().to_account_id());
    }
    AccountId32::from_str(text)
        .map_err(|e| anyhow::anyhow!("{text:?} is neither an SS58 address nor a //Dev URI ({e})"))
}

/// Where the deployer's key comes from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum SignerSource {
    /// A secret URI in the config: only for development keys such as `//Alice`.
    Suri(String),
    /// A file holding a secret URI or mnemonic (first non-empty line). Relative paths
    /// are relative to the config file.
    KeyFile(PathBuf),
}

impl SignerSource {
    /// Loads the keypair. Errors never contain the secret.
    pub fn load(&self, config_dir: &Path) -> Result<Keypair> {
        match self {
            SignerSource::Suri(uri) => {
                keypair_from_uri(uri).context("signer.suri is not a usable secret URI")
            }
            SignerSource::KeyFile(path) => {
                let path = if path.is_absolute() {
                    path.clone()
                } else {
                    config_dir.join(path)
                };
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read the key file {}", path.display()))?;
                let Some(line) = text.lines().map(str::trim).find(|l| !l.is_empty()) else {
                    bail!("the key file {} is empty", path.display());
                };
                keypair_from_uri(line).with_context(|| {
                    format!(
                        "the key file {} holds no usable secret URI or mnemonic",
                        path.display()
                    )
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

    #[test]
    fn dev_uris_and_ss58_resolve() {
        assert_eq!(parse_account("//Alice").unwrap().to_string(), ALICE);
        assert_eq!(parse_account(ALICE).unwrap().to_string(), ALICE);
        assert!(parse_account("Alice").is_err());
    }

    #[test]
    fn key_file_is_read_and_errors_hide_the_secret() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("key"), "\n//Alice\n").unwrap();
        let pair = SignerSource::KeyFile("key".into())
            .load(dir.path())
            .unwrap();
        assert_eq!(pair.public_key().to_account_id().to_string(), ALICE);

        std::fs::write(dir.path().join("bad"), "not a secret at all\n").unwrap();
        let err = SignerSource::KeyFile("bad".into())
            .load(dir.path())
            .unwrap_err();
        assert!(
            !format!("{err:#}").contains("not a secret at all"),
            "{err:#}"
        );
    }
}
