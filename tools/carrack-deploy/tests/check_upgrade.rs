//! `carrack-deploy check-upgrade` and `storage-layout` as a user runs them: exit codes,
//! the two storage versions on stdout, one `error:` line naming the first difference.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_carrack-deploy");

/// ink! 5 metadata of a contract whose storage is one packed field `total` of type `ty`.
fn metadata(ty: &str) -> String {
    serde_json::json!({
        "version": "5",
        "contract": {"name": "tiny", "version": "0.1.0", "authors": []},
        "types": [
            {"id": 0, "type": {"def": {"primitive": ty}}},
            {"id": 1, "type": {"def": {"composite": {"fields": [{"name": "total", "type": 0}]}},
                               "path": ["tiny", "Tiny"]}}
        ],
        "storage": {"root": {"root_key": "0x00000000", "ty": 1, "layout": {"struct": {
            "name": "Tiny",
            "fields": [{"name": "total", "layout": {"leaf": {"key": "0x00000000", "ty": 0}}}]
        }}}}
    })
    .to_string()
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn check(current: &Path, new: &Path) -> Output {
    run(&[
        "check-upgrade",
        "--current",
        current.to_str().unwrap(),
        "--new",
        new.to_str().unwrap(),
    ])
}

#[test]
fn check_upgrade_accepts_the_same_layout_and_refuses_another() {
    let dir = tempfile::tempdir().unwrap();
    let current = dir.path().join("current.json");
    let same = dir.path().join("same.json");
    let changed = dir.path().join("changed.json");
    std::fs::write(&current, metadata("u128")).unwrap();
    std::fs::write(&same, metadata("u128")).unwrap();
    std::fs::write(&changed, metadata("u64")).unwrap();

    let ok = check(&current, &same);
    let stdout = text(&ok.stdout);
    assert!(ok.status.success(), "{stdout}{}", text(&ok.stderr));
    assert_eq!(stdout.matches("storage version 0x").count(), 2, "{stdout}");
    assert!(stdout.contains("compatible"), "{stdout}");

    let refused = check(&current, &changed);
    assert_eq!(refused.status.code(), Some(1));
    let stdout = text(&refused.stdout);
    assert_eq!(stdout.matches("storage version 0x").count(), 2, "{stdout}");
    let stderr = text(&refused.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: storage layout changed at root.total (current u128, new u64): "),
        "{stderr}"
    );
    assert!(
        stderr.contains("governance must not queue set_code_hash"),
        "{stderr}"
    );

    // The deployed side may be a storage-layout.txt snapshot.
    let layout = run(&["storage-layout", current.to_str().unwrap()]);
    assert!(layout.status.success(), "{}", text(&layout.stderr));
    let snapshot = dir.path().join("storage-layout.txt");
    std::fs::write(&snapshot, &layout.stdout).unwrap();
    assert!(text(&layout.stdout).starts_with("storage-version 0x"));
    assert!(check(&snapshot, &same).status.success());
    let refused = check(&snapshot, &changed);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("at root.total (current leaf 0x00000000 u128, new leaf 0x00000000 u64)"),
        "{stderr}"
    );

    // Unreadable input: one error line, non-zero.
    let missing = dir.path().join("missing.contract");
    let failed = check(&current, &missing);
    assert_eq!(failed.status.code(), Some(1));
    let stderr = text(&failed.stderr);
    assert!(
        stderr.starts_with("error: cannot read") && stderr.lines().count() == 1,
        "{stderr}"
    );
}
