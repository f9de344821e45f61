//! A tool's signing key: a secret URI (`//Bob` on devnets) or a key file holding a
//! secret URI or mnemonic, which must not be readable by group or others (like ssh's
//! private keys). Errors never contain the secret; only the public address is printed.

use anyhow::{anyhow, bail, Context, Result};
use std::io::Read;
use std::path::PathBuf;
use std::str::FromStr;
use subxt_signer::{sr25519::Keypair, SecretUri};

/// Where a signing key comes from.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// A secret URI (never printed).
    Suri(String),
    /// A key file.
    File(PathBuf),
}

/// Loads the key.
pub fn load(source: &KeySource) -> Result<Keypair> {
    match source {
        KeySource::Suri(uri) => from_uri(uri).context("the secret URI (--suri / signer.suri)"),
        KeySource::File(path) => {
            // One open: the permissions checked are those of the file then read.
            let mut file = std::fs::File::open(path)
                .with_context(|| format!("cannot read the key file {}", path.display()))?;
            check_permissions(path, &file)?;
            let mut text = String::new();
            file.read_to_string(&mut text)
                .with_context(|| format!("cannot read the key file {}", path.display()))?;
            let Some(line) = text.lines().map(str::trim).find(|l| !l.is_empty()) else {
                bail!("the key file {} is empty", path.display());
            };
            from_uri(line).with_context(|| format!("the key file {}", path.display()))
        }
    }
}

fn from_uri(text: &str) -> Result<Keypair> {
    // The parse and derivation errors of subxt-signer do not echo their input.
    let uri = SecretUri::from_str(text.trim())
        .map_err(|e| anyhow!("not a secret URI or mnemonic ({e})"))?;
    Keypair::from_uri(&uri).map_err(|e| anyhow!("cannot derive a key ({e})"))
}

#[cfg(unix)]
fn check_permissions(path: &std::path::Path, file: &std::fs::File) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = file
        .metadata()
        .with_context(|| format!("cannot read the key file {}", path.display()))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        bail!(
            "the key file {} is readable by others (mode {:o}); run chmod 600 on it",
            path.display(),
            mode & 0o777
        );
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_permissions(_path: &std::path::Path, _file: &std::fs::File) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOB: &str = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";

    #[test]
    fn dev_uri_and_private_key_file() {
        let bob = load(&KeySource::Suri("//Bob".into())).unwrap();
        assert_eq!(bob.public_key().to_account_id().to_string(), BOB);

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bob.key");
        std::fs::write(&path, "\n//Bob\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let err = load(&KeySource::File(path.clone())).unwrap_err();
            assert!(err.to_string().contains("chmod 600"), "{err}");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let bob = load(&KeySource::File(path)).unwrap();
        assert_eq!(bob.public_key().to_account_id().to_string(), BOB);
    }

    #[test]
    fn errors_never_show_the_secret() {
        let secret = "correct horse battery staple words";
        let err = format!("{:#}", load(&KeySource::Suri(secret.into())).unwrap_err());
        assert!(!err.contains("horse"), "{err}");
    }
}
