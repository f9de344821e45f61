//! Reading the metadata (`<name>.json`) that `cargo contract build` writes beside each
//! contract's `.wasm`.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// The metadata of `contract` (e.g. `"carrack_token"`) beside the release bundle the suite
/// runs ([`crate::bundles`]).
pub fn built_metadata_path(contract: &str) -> Result<PathBuf, String> {
    if !crate::bundles::CONTRACTS
        .iter()
        .any(|(name, _)| *name == contract)
    {
        return Err(format!("no contract named {contract} in the suite"));
    }
    crate::bundles::artifact(contract, "json")
}

/// Parses a metadata file.
pub fn read_metadata(path: &PathBuf) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
    serde_json::from_str(&text).map_err(|err| format!("{} is not JSON: {err}", path.display()))
}

/// `label -> selector` of every message in the metadata.
pub fn message_selectors(metadata: &serde_json::Value) -> BTreeMap<String, String> {
    metadata["spec"]["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|message| {
            Some((
                message["label"].as_str()?.to_owned(),
                message["selector"].as_str()?.to_owned(),
            ))
        })
        .collect()
}

/// The variant names, in ABI order, of the type whose path ends with `type_name`.
pub fn enum_variants(metadata: &serde_json::Value, type_name: &str) -> Vec<String> {
    let types = metadata["types"].as_array().into_iter().flatten();
    for entry in types {
        let ty = &entry["type"];
        let path_matches = ty["path"]
            .as_array()
            .and_then(|path| path.last())
            .and_then(|last| last.as_str())
            == Some(type_name);
        if let (true, Some(variants)) = (path_matches, ty["def"]["variant"]["variants"].as_array())
        {
            let mut indexed: Vec<(u64, String)> = variants
                .iter()
                .filter_map(|v| Some((v["index"].as_u64()?, v["name"].as_str()?.to_owned())))
                .collect();
            indexed.sort();
            return indexed.into_iter().map(|(_, name)| name).collect();
        }
    }
    Vec::new()
}
