//! Accounts and keys.
//!
//! In the config an account is either an SS58 address or a development URI such as
//! `//Bob` (derived from Substrate's well-known development phrase, so its secret is
//! public: devnets only). The signer is a secret URI given inline (`suri = "//Alice"`,
//! devnets) or read from a key file (`key_file = "..."`, mode 0600, a secret URI or
//! mnemonic on its first line). Secrets are never printed, logged, or written to the
//! manifest, and no error message quotes an account field's value (a secret pasted into
//! the wrong field must not end up in a terminal or a CI log).
//!
//! Production configs refuse the public development accounts in every form: `//Dev`
//! URIs, the SS58 addresses of the well-known dev accounts ([`dev_account_name`]), and
//! any secret derived from the development phrase ([`is_dev_secret`]).

use anyhow::{bail, Context, Result};
use ink::primitives::AccountId;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Mutex, OnceLock};
use subxt::utils::AccountId32;
use subxt_signer::{bip39::Mnemonic, sr25519::Keypair, ExposeSecret, SecretUri, DEV_PHRASE};

/// The well-known development accounts: `//{name}` and `//{name}//stash` of the
/// development phrase, for each name (those of Substrate's and polkadot-js's dev keyrings).
pub const DEV_ACCOUNT_NAMES: [&str; 8] = [
    "Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie", "One", "Two",
];

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

/// An account from an SS58 address or a development URI. Errors do not quote `text`
/// (it could be a secret pasted into the wrong field), except a `REPLACE_ME…` placeholder.
pub fn parse_account(text: &str) -> Result<AccountId32> {
    let text = text.trim();
    if is_dev_uri(text) {
        let pair = keypair_from_uri(text).context("not a valid //Dev URI")?;
        return Ok(pair.public_key().to_account_id());
    }
    if text.starts_with("REPLACE_ME") {
        bail!("{text:?} is a placeholder: replace it with the real address");
    }
    AccountId32::from_str(text)
        .map_err(|_| anyhow::anyhow!("not an SS58 address or a //Dev URI (value not shown)"))
}

/// `account` as the contracts' `AccountId` (the same 32 bytes).
pub fn to_ink(account: &AccountId32) -> AccountId {
    AccountId::from(account.0)
}

/// A contract's `AccountId` as an account (its SS58 address is its `Display`).
pub fn from_ink(account: &AccountId) -> AccountId32 {
    AccountId32(*account.as_ref())
}

/// An address of the plan (SS58, resolved from the config) as the contracts' `AccountId`.
/// Like every error here, the error does not quote the value.
pub fn plan_account(ss58: &str) -> Result<AccountId> {
    let account = AccountId32::from_str(ss58)
        .map_err(|_| anyhow::anyhow!("the plan holds an address that is not SS58"))?;
    Ok(to_ink(&account))
}

/// The SS58 addresses of the well-known development accounts ([`DEV_ACCOUNT_NAMES`],
/// plain and `//stash`), derived once from the development phrase.
fn dev_accounts() -> &'static [(String, AccountId32)] {
    static ACCOUNTS: OnceLock<Vec<(String, AccountId32)>> = OnceLock::new();
    ACCOUNTS.get_or_init(|| {
        let root = dev_root();
        DEV_ACCOUNT_NAMES
            .iter()
            .flat_map(|name| [format!("//{name}"), format!("//{name}//stash")])
            .map(|uri| {
                let junctions = SecretUri::from_str(&uri)
                    .expect("a //Dev URI parses")
                    .junctions;
                let account = root.derive(junctions).public_key().to_account_id();
                (uri, account)
            })
            .collect()
    })
}

/// The root key of the development phrase (no derivation, no password).
fn dev_root() -> &'static Keypair {
    static ROOT: OnceLock<Keypair> = OnceLock::new();
    ROOT.get_or_init(|| {
        let phrase = Mnemonic::from_str(DEV_PHRASE).expect("the dev phrase is a mnemonic");
        Keypair::from_phrase(&phrase, None).expect("the dev phrase derives a key")
    })
}

/// The `//Dev` URI of `account` if it is one of the well-known development accounts.
pub fn dev_account_name(account: &AccountId32) -> Option<&'static str> {
    dev_accounts()
        .iter()
        .find(|(_, a)| a == account)
        .map(|(uri, _)| uri.as_str())
}

/// Whether the secret URI `text` derives from the public development phrase: a `//Dev`
/// URI, the phrase itself (with or without derivations or password), or the
/// phrase's root seed as `0x…` hex. Anything that does not parse is not a dev secret.
pub fn is_dev_secret(text: &str) -> bool {
    let Ok(uri) = SecretUri::from_str(text.trim()) else {
        return false;
    };
    let phrase = uri.phrase.expose_secret();
    if let Ok(mnemonic) = Mnemonic::from_str(phrase) {
        let dev = Mnemonic::from_str(DEV_PHRASE).expect("the dev phrase is a mnemonic");
        return mnemonic.to_entropy() == dev.to_entropy();
    }
    // A hex seed: compare the root key it gives (the password is ignored for hex seeds).
    let seed = phrase.strip_prefix("0x").and_then(|h| hex::decode(h).ok());
    let root = seed
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .and_then(|bytes| Keypair::from_secret_key(bytes).ok());
    root.is_some_and(|root| {
        root.public_key().to_account_id() == dev_root().public_key().to_account_id()
    })
}

/// Whether development keys are acceptable where a key is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DevKeys {
    /// Devnets and testnets: dev keys are fine.
    Allowed,
    /// Production: a key from the public development phrase is refused.
    Refused,
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
    /// Loads the keypair. A key file must not be readable by group or others (like the
    /// relayer's). With [`DevKeys::Refused`], a secret from the development phrase and
    /// the well-known dev accounts are refused. Errors never contain the secret.
    pub fn load(&self, config_dir: &Path, dev_keys: DevKeys) -> Result<Keypair> {
        let (field, secret) = match self {
            SignerSource::Suri(uri) => ("signer.suri", uri.clone()),
            SignerSource::KeyFile(path) => {
                let path = if path.is_absolute() {
                    path.clone()
                } else {
                    config_dir.join(path)
                };
                ("signer.key_file", read_key_file(&path)?)
            }
        };
        if dev_keys == DevKeys::Refused && is_dev_secret(&secret) {
            bail!("{field}: the key derives from the public development phrase; production needs a private key");
        }
        let pair = keypair_from_uri(&secret)
            .with_context(|| format!("{field}: no usable secret URI or mnemonic"))?;
        if dev_keys == DevKeys::Refused {
            if let Some(name) = dev_account_name(&pair.public_key().to_account_id()) {
                bail!("{field}: the key is the public development account {name}; production needs a private key");
            }
        }
        Ok(pair)
    }
}

/// The first non-empty line of a key file, which must not be readable by group or others
/// (checked on the opened file, so a swap between check and read does not matter).
fn read_key_file(path: &Path) -> Result<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).with_context(|| {
        format!(
            "signer.key_file: cannot read the key file {}",
            path.display()
        )
    })?;
    check_private(&file, path)?;
    let mut text = String::new();
    file.read_to_string(&mut text).with_context(|| {
        format!(
            "signer.key_file: cannot read the key file {}",
            path.display()
        )
    })?;
    match text.lines().map(str::trim).find(|l| !l.is_empty()) {
        Some(line) => Ok(line.to_string()),
        None => bail!("signer.key_file: the key file {} is empty", path.display()),
    }
}

#[cfg(unix)]
fn check_private(file: &std::fs::File, path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = file
        .metadata()
        .with_context(|| {
            format!(
                "signer.key_file: cannot read the key file {}",
                path.display()
            )
        })?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        bail!(
            "signer.key_file: the key file {} is readable by others (mode {:o}); run chmod 600 on it",
            path.display(),
            mode & 0o777
        );
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_file: &std::fs::File, _path: &Path) -> Result<()> {
    Ok(())
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

    /// Writes `text` to `dir/name` with `mode`.
    fn key_file(dir: &Path, name: &str, text: &str, mode: u32) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        path
    }

    #[test]
    fn key_file_is_read_and_errors_hide_the_secret() {
        let dir = tempfile::tempdir().unwrap();
        key_file(dir.path(), "key", "\n//Alice\n", 0o600);
        let pair = SignerSource::KeyFile("key".into())
            .load(dir.path(), DevKeys::Allowed)
            .unwrap();
        assert_eq!(pair.public_key().to_account_id().to_string(), ALICE);

        key_file(dir.path(), "bad", "not a secret at all\n", 0o600);
        let err = SignerSource::KeyFile("bad".into())
            .load(dir.path(), DevKeys::Allowed)
            .unwrap_err();
        let err = format!("{err:#}");
        assert!(!err.contains("not a secret at all"), "{err}");
        assert!(err.starts_with("signer.key_file: "), "{err}");
    }

    #[test]
    #[cfg(unix)]
    fn key_file_readable_by_others_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        for mode in [0o644, 0o640, 0o604] {
            key_file(dir.path(), "key", "//Alice\n", mode);
            let err = SignerSource::KeyFile("key".into())
                .load(dir.path(), DevKeys::Allowed)
                .unwrap_err();
            let err = format!("{err:#}");
            assert!(err.contains("readable by others"), "{err}");
            assert!(err.contains("chmod 600"), "{err}");
            assert!(!err.contains("Alice"), "{err}");
        }
    }

    /// The deny-list is derived, not copied: these are the addresses `subkey inspect`
    /// prints for the dev URIs (also used across this repository's configs and tests).
    #[test]
    fn dev_accounts_are_derived_from_the_dev_phrase() {
        let known = [
            ("//Alice", ALICE),
            ("//Bob", "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"),
            (
                "//Charlie",
                "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y",
            ),
            ("//Dave", "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy"),
            ("//Eve", "5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw"),
            (
                "//Ferdie",
                "5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL",
            ),
            (
                "//Alice//stash",
                "5GNJqTPyNqANBkUVMN1LPPrxXnFouWXoe2wNSmmEoLctxiZY",
            ),
        ];
        for (uri, ss58) in known {
            let account = AccountId32::from_str(ss58).unwrap();
            assert_eq!(dev_account_name(&account), Some(uri), "{ss58}");
        }
        assert_eq!(dev_accounts().len(), 2 * DEV_ACCOUNT_NAMES.len());
        for (uri, account) in dev_accounts() {
            assert_eq!(&parse_account(uri).unwrap(), account, "{uri}");
        }
        let stranger = Keypair::from_secret_key([7; 32]).unwrap();
        assert_eq!(
            dev_account_name(&stranger.public_key().to_account_id()),
            None
        );
    }

    #[test]
    fn dev_secrets_are_recognised_in_every_form() {
        for secret in [
            "//Alice".to_string(),
            "//Alice///password".to_string(),
            "//Carrack//deployer".to_string(),
            DEV_PHRASE.to_string(),
            format!("{DEV_PHRASE}//Alice"),
            format!("{DEV_PHRASE}//Bob//stash///pw"),
            // The development phrase's root seed (`subkey inspect` of the phrase).
            "0xfac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e".to_string(),
            "0xfac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e//Alice".to_string(),
            // An empty phrase stands for the development phrase in a secret URI.
            String::new(),
        ] {
            assert!(is_dev_secret(&secret), "{secret}");
        }
        for secret in [
            "legal winner thank year wave sausage worth useful legal winner thank yellow",
            "0x0707070707070707070707070707070707070707070707070707070707070707",
            "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
        ] {
            assert!(!is_dev_secret(secret), "{secret}");
        }
    }

    #[test]
    fn production_refuses_dev_keys_in_the_key_file() {
        let dir = tempfile::tempdir().unwrap();
        // Alice's own seed: not from the phrase's text, but her account.
        let alice_seed = "0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a";
        for secret in [
            "//Alice".to_string(),
            format!("{DEV_PHRASE}//Alice"),
            format!("{DEV_PHRASE}//Carrack///secret"),
            alice_seed.to_string(),
        ] {
            key_file(dir.path(), "key", &format!("{secret}\n"), 0o600);
            let source = SignerSource::KeyFile("key".into());
            assert!(source.load(dir.path(), DevKeys::Allowed).is_ok());
            let err = format!(
                "{:#}",
                source.load(dir.path(), DevKeys::Refused).unwrap_err()
            );
            assert!(err.starts_with("signer.key_file: "), "{err}");
            assert!(err.contains("development"), "{err}");
            assert!(!err.contains("secret") && !err.contains("bottom"), "{err}");
            assert!(!err.contains("0xe5be"), "{err}");
        }
        key_file(
            dir.path(),
            "key",
            "0x0707070707070707070707070707070707070707070707070707070707070707\n",
            0o600,
        );
        SignerSource::KeyFile("key".into())
            .load(dir.path(), DevKeys::Refused)
            .unwrap();
    }

    #[test]
    fn account_errors_do_not_quote_the_value() {
        let err = format!(
            "{:#}",
            parse_account("legal winner thank year").unwrap_err()
        );
        assert!(!err.contains("winner"), "{err}");
        let err = format!("{:#}", parse_account("REPLACE_ME_guardian").unwrap_err());
        assert!(err.contains("placeholder"), "{err}");
    }
}
