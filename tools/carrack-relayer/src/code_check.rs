//! Whether the oracle address holds the oracle's code (review D2). The relayer encodes
//! `feed_info` and `submit` with the selectors and types of the oracle crate it was built
//! with and sends them, signed, to the configured address: an address taken from a
//! manifest that names another contract would get the reporter's transactions (and its
//! storage deposits) instead of the oracle. So before it submits anything, on every
//! connection, the relayer compares the code hash deployed at the address
//! (`Contracts::ContractInfoOf(address).code_hash`) with the code it expects:
//!
//! - `chain.expected_code_hash` when set (pinned by the operator: production);
//! - otherwise the `source.hash` of the oracle bundle the manifest names
//!   (`<bundles_dir>/<contracts.oracle.bundle>/<bundle>.contract`, or its `.json`
//!   metadata), the code that deployment was made from (devnets, drills);
//! - neither: `run` refuses to start (`feeds`, read-only, warns).

use anyhow::{anyhow, ensure, Context, Result};
use std::fmt;
use std::path::{Path, PathBuf};
use subxt::utils::AccountId32;

/// The code the oracle address must hold, and where the relayer learned it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedCode {
    /// `chain.expected_code_hash`.
    Pinned([u8; 32]),
    /// `source.hash` of the oracle bundle (or metadata) the manifest names.
    Bundle {
        /// The hash.
        hash: [u8; 32],
        /// The file it was read from.
        path: PathBuf,
    },
    /// Nothing to compare with: why.
    Unknown(String),
}

impl ExpectedCode {
    /// The expected hash, if known.
    pub fn hash(&self) -> Option<[u8; 32]> {
        match self {
            ExpectedCode::Pinned(hash) | ExpectedCode::Bundle { hash, .. } => Some(*hash),
            ExpectedCode::Unknown(_) => None,
        }
    }

    /// Where the expectation comes from, for messages.
    pub fn origin(&self) -> String {
        match self {
            ExpectedCode::Pinned(_) => "chain.expected_code_hash".to_string(),
            ExpectedCode::Bundle { path, .. } => {
                format!(
                    "source.hash of the manifest's oracle bundle {}",
                    path.display()
                )
            }
            ExpectedCode::Unknown(why) => why.clone(),
        }
    }

    /// The error `run` stops with when there is nothing to compare with.
    pub fn unknown_error(why: &str) -> String {
        format!(
            "cannot check that the oracle address holds the oracle's code ({why}); nothing will be submitted: \
             set chain.expected_code_hash = \"0x…\" in the config (the `source.hash` of the deployed \
             carrack_oracle.contract bundle), or give a manifest whose bundles_dir still holds the \
             oracle bundle it was deployed from"
        )
    }
}

/// Why the oracle address does not hold the expected code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeMismatch {
    /// No contract at the address.
    NoContract {
        /// The address.
        address: String,
        /// The expected hash.
        expected: [u8; 32],
        /// Where it comes from.
        origin: String,
    },
    /// Another contract.
    OtherCode {
        /// The address.
        address: String,
        /// What the chain holds there.
        deployed: [u8; 32],
        /// The expected hash.
        expected: [u8; 32],
        /// Where it comes from.
        origin: String,
    },
}

impl fmt::Display for CodeMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodeMismatch::NoContract {
                address,
                expected,
                origin,
            } => write!(
                f,
                "no contract at the oracle address {address} on this chain (expected code {} from {origin}): \
                 the config or manifest does not name this chain's oracle; refusing to submit",
                hex0x(expected)
            ),
            CodeMismatch::OtherCode {
                address,
                deployed,
                expected,
                origin,
            } => write!(
                f,
                "the oracle address {address} holds code {}, not the expected {} (from {origin}): \
                 the config or manifest does not name this deployment's oracle (or the oracle's code was \
                 upgraded: then update chain.expected_code_hash); refusing to submit",
                hex0x(deployed),
                hex0x(expected)
            ),
        }
    }
}

impl std::error::Error for CodeMismatch {}

/// Compares the code hash deployed at `address` (`None`: no contract there) with
/// `expected` (known: the caller handles [`ExpectedCode::Unknown`]).
pub fn check_code(
    address: &AccountId32,
    deployed: Option<[u8; 32]>,
    expected: [u8; 32],
    origin: &str,
) -> Result<(), CodeMismatch> {
    match deployed {
        None => Err(CodeMismatch::NoContract {
            address: address.to_string(),
            expected,
            origin: origin.to_string(),
        }),
        Some(deployed) if deployed != expected => Err(CodeMismatch::OtherCode {
            address: address.to_string(),
            deployed,
            expected,
            origin: origin.to_string(),
        }),
        Some(_) => Ok(()),
    }
}

/// `0x` and 64 lower-case hex digits.
pub fn hex0x(bytes: &[u8; 32]) -> String {
    let mut out = String::with_capacity(66);
    out.push_str("0x");
    for b in bytes {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// A 32-byte hash written as `0x` and 64 hex digits (either case).
pub fn parse_hash(text: &str) -> Result<[u8; 32]> {
    let digits = text
        .trim()
        .strip_prefix("0x")
        .ok_or_else(|| anyhow!("{text:?} is not a code hash (0x followed by 64 hex digits)"))?;
    ensure!(
        digits.len() == 64 && digits.bytes().all(|b| b.is_ascii_hexdigit()),
        "{text:?} is not a code hash (0x followed by 64 hex digits)"
    );
    let mut hash = [0u8; 32];
    for (i, byte) in hash.iter_mut().enumerate() {
        let pair = digits.get(2 * i..2 * i + 2).unwrap_or("00");
        *byte = u8::from_str_radix(pair, 16)
            .map_err(|e| anyhow!("{text:?} is not a code hash ({e})"))?;
    }
    ensure!(hash != [0; 32], "{text:?} is all zeros, not a code hash");
    Ok(hash)
}

/// `source.hash` of an ink! bundle (`.contract`) or metadata (`.json`) file.
pub fn bundle_code_hash(path: &Path) -> Result<[u8; 32]> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let hash = json
        .pointer("/source/hash")
        .and_then(|h| h.as_str())
        .ok_or_else(|| anyhow!("{} has no source.hash", path.display()))?;
    parse_hash(hash).with_context(|| format!("source.hash of {}", path.display()))
}

/// The oracle bundle's file in `bundles_dir`: `<bundle>/<bundle>.contract`, else
/// `<bundle>/<bundle>.json`.
pub fn bundle_file(bundles_dir: &Path, bundle: &str) -> PathBuf {
    let dir = bundles_dir.join(bundle);
    let contract = dir.join(format!("{bundle}.contract"));
    if contract.exists() {
        contract
    } else {
        dir.join(format!("{bundle}.json"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORACLE: [u8; 32] = [0xab; 32];
    const POOL: [u8; 32] = [0xcd; 32];

    fn address() -> AccountId32 {
        AccountId32([7; 32])
    }

    #[test]
    fn the_expected_code_passes() {
        assert_eq!(check_code(&address(), Some(ORACLE), ORACLE, "test"), Ok(()));
    }

    #[test]
    fn another_contract_is_refused_with_both_hashes_and_the_address() {
        let err = check_code(&address(), Some(POOL), ORACLE, "chain.expected_code_hash")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!(
                "oracle address {} holds code 0x{}",
                address(),
                "cd".repeat(32)
            )),
            "{err}"
        );
        assert!(
            err.contains(&format!(
                "not the expected 0x{} (from chain.expected_code_hash)",
                "ab".repeat(32)
            )),
            "{err}"
        );
        assert!(err.contains("refusing to submit"), "{err}");
        // One differing byte is enough.
        let mut near = ORACLE;
        near[17] ^= 1;
        assert!(check_code(&address(), Some(near), ORACLE, "x").is_err());
    }

    #[test]
    fn no_contract_is_refused() {
        let err = check_code(&address(), None, ORACLE, "the bundle")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("no contract at the oracle address {}", address())),
            "{err}"
        );
        assert!(
            err.contains(&format!(
                "expected code 0x{} from the bundle",
                "ab".repeat(32)
            )),
            "{err}"
        );
    }

    #[test]
    fn hashes_parse_strictly() {
        let text = format!("0x{}", "Ab".repeat(32));
        assert_eq!(parse_hash(&text).unwrap(), ORACLE);
        assert_eq!(hex0x(&ORACLE), text.to_lowercase());
        for bad in [
            "ab".repeat(32),
            format!("0x{}", "ab".repeat(31)),
            format!("0x{}", "ab".repeat(33)),
            format!("0x{}zz", "ab".repeat(31)),
            format!("0x{}", "00".repeat(32)),
            "0x".to_string(),
        ] {
            assert!(parse_hash(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bundle_hashes_come_from_source_hash() {
        let dir = tempfile::tempdir().unwrap();
        let bundle = dir.path().join("carrack_oracle");
        std::fs::create_dir_all(&bundle).unwrap();
        // Only the metadata: the .json is used.
        let json = bundle.join("carrack_oracle.json");
        std::fs::write(
            &json,
            format!(r#"{{"source":{{"hash":"0x{}"}}}}"#, "ab".repeat(32)),
        )
        .unwrap();
        assert_eq!(bundle_file(dir.path(), "carrack_oracle"), json);
        assert_eq!(bundle_code_hash(&json).unwrap(), ORACLE);
        // The bundle is preferred when present.
        let contract = bundle.join("carrack_oracle.contract");
        std::fs::write(
            &contract,
            format!(
                r#"{{"source":{{"hash":"0x{}","wasm":"0x00"}}}}"#,
                "cd".repeat(32)
            ),
        )
        .unwrap();
        assert_eq!(bundle_file(dir.path(), "carrack_oracle"), contract);
        assert_eq!(bundle_code_hash(&contract).unwrap(), POOL);
        std::fs::write(&contract, r#"{"source":{}}"#).unwrap();
        let err = format!("{:#}", bundle_code_hash(&contract).unwrap_err());
        assert!(err.contains("has no source.hash"), "{err}");
        let err = format!(
            "{:#}",
            bundle_code_hash(&dir.path().join("missing.json")).unwrap_err()
        );
        assert!(err.contains("cannot read"), "{err}");
    }
}
