//! What every tool's TOML config shares: the `signer` section, TOML errors that never
//! quote the file's text (it may hold a secret URI), and the rule that a config holding a
//! real secret in `signer.suri` must be private (off-chain review R6).

use crate::keys::KeySource;
use anyhow::{ensure, Context, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// `signer`: exactly one of the two.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum SignerSection {
    /// A secret URI, for development keys (`//Bob`).
    Suri(String),
    /// A file holding a secret URI or mnemonic; must not be readable by others.
    KeyFile(PathBuf),
}

impl SignerSection {
    /// Where the key comes from; a key file's path is resolved by `relative` (the config's
    /// folder).
    pub fn source(self, relative: impl Fn(&Path) -> PathBuf) -> KeySource {
        match self {
            SignerSection::Suri(suri) => KeySource::Suri(suri),
            SignerSection::KeyFile(path) => KeySource::File(relative(&path)),
        }
    }
}

/// A TOML error as its message and position only, never the source line it quotes.
pub fn toml_error(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim_end();
    match error.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count().saturating_add(1);
            let column = before
                .rsplit('\n')
                .next()
                .map_or(0, |l| l.chars().count())
                .saturating_add(1);
            format!("line {line}, column {column}: {message}")
        }
        None => message.to_string(),
    }
}

/// A config file whose `signer.suri` is a real secret (not a `//…` development URI) must
/// not be readable by group or others, as a key file must not (off-chain review R6).
pub fn ensure_secret_file_is_private(path: &Path, suri: &str) -> Result<()> {
    if suri.trim_start().starts_with("//") {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .with_context(|| format!("cannot read the config {}", path.display()))?
            .permissions()
            .mode();
        ensure!(
            mode & 0o077 == 0,
            "{} holds a secret in signer.suri but is readable by others (mode {:o}): run chmod 600 on it, or move the secret to a key file (signer.key_file)",
            path.display(),
            mode & 0o777
        );
    }
    Ok(())
}
