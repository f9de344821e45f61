//! A corpus of production configs, one per form of public development account, each
//! run through `carrack-deploy check` (offline): every one must be refused with exactly
//! one `error:` line that names the field and quotes no secret. The filled-in production
//! example with a private key passes, so each refusal is the dev account's doing.

use std::path::Path;
use std::process::Command;
use subxt_signer::sr25519::Keypair;

const DEV_PHRASE: &str = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
const CHARLIE: &str = "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y";
const FERDIE: &str = "5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL";
const ALICE_STASH: &str = "5GNJqTPyNqANBkUVMN1LPPrxXnFouWXoe2wNSmmEoLctxiZY";
const BOB_STASH: &str = "5HpG9w8EBLe5XCrbczpwq5TSXvedjrBGCwqxK1iQ7qUsSWFc";
/// `subkey inspect //Alice`'s secret seed: Alice's account without the phrase's text.
const ALICE_SEED: &str = "0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a";
/// A private (non-development) deployer key.
const PRIVATE_KEY: &str = "0x4242424242424242424242424242424242424242424242424242424242424242";

fn address(seed: u8) -> String {
    Keypair::from_secret_key([seed; 32])
        .unwrap()
        .public_key()
        .to_account_id()
        .to_string()
}

/// The production example, placeholders filled with fresh addresses, reading its key from
/// `deployer.key` beside it.
fn filled_example() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/production.example.toml");
    let mut text = std::fs::read_to_string(path).unwrap();
    let mut seed = 0;
    while let Some(start) = text.find("\"REPLACE_ME_") {
        let end = start + 1 + text[start + 1..].find('"').unwrap();
        let placeholder = text[start..=end].to_string();
        seed += 1;
        text = text.replace(&placeholder, &format!("\"{}\"", address(seed)));
    }
    let key_line = "key_file = \"/etc/carrack/deployer.key\"";
    assert!(text.contains(key_line));
    text.replace(key_line, "key_file = \"deployer.key\"")
}

/// One form of a development account in a production config.
struct Case {
    name: &'static str,
    /// `(from, to)` edits of the filled-in example.
    edits: Vec<(String, String)>,
    key: String,
    key_mode: u32,
    args: Vec<String>,
    /// The field the error must name.
    field: &'static str,
}

impl Case {
    fn new(name: &'static str, field: &'static str) -> Self {
        Case {
            name,
            edits: Vec::new(),
            key: PRIVATE_KEY.to_string(),
            key_mode: 0o600,
            args: Vec::new(),
            field,
        }
    }
    fn edit(mut self, from: &str, to: &str) -> Self {
        self.edits.push((from.to_string(), to.to_string()));
        self
    }
    fn key(mut self, key: &str) -> Self {
        self.key = key.to_string();
        self
    }
}

/// Runs `carrack-deploy check` on the case; returns (success, stdout, stderr).
fn check(dir: &Path, case: &Case) -> (bool, String, String) {
    let mut text = filled_example();
    for (from, to) in &case.edits {
        assert!(
            text.contains(from.as_str()),
            "{}: {from:?} not found",
            case.name
        );
        text = text.replace(from.as_str(), to);
    }
    let config = dir.join("production.toml");
    std::fs::write(&config, text).unwrap();
    let key = dir.join("deployer.key");
    std::fs::write(&key, format!("{}\n", case.key)).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(case.key_mode)).unwrap();
    }
    let output = Command::new(env!("CARGO_BIN_EXE_carrack-deploy"))
        .args(["--quiet", "check", "--config"])
        .arg(&config)
        .args(&case.args)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn production_configs_refuse_every_form_of_dev_account() {
    let filled = filled_example();
    let guardian = filled
        .lines()
        .find(|l| l.starts_with("guardian = "))
        .unwrap()
        .to_string();
    let first_reporter = format!("  \"{}\",", address(2));
    let last_reporter = format!("  \"{}\",", address(6));
    let stablecoin = format!("\"{}\"", address(7));
    let minter = "minter = \"none\"";

    let mut cases = vec![
        Case::new("inline //Alice signer", "signer")
            .edit("key_file = \"deployer.key\"", "suri = \"//Alice\""),
        Case::new("guardian //Alice", "roles.guardian").edit(&guardian, "guardian = \"//Alice\""),
        Case::new("guardian ' //Bob' (spaces)", "roles.guardian")
            .edit(&guardian, "guardian = \" //Bob \""),
        Case::new("guardian //Charlie with a password", "roles.guardian")
            .edit(&guardian, "guardian = \"//Charlie///secretpw\""),
        Case::new("guardian //Charlie's SS58", "roles.guardian")
            .edit(&guardian, &format!("guardian = \"{CHARLIE}\"")),
        Case::new("reporter //Bob//stash", "oracle.reporters[0]")
            .edit(&first_reporter, "  \"//Bob//stash\","),
        Case::new("reporter //Alice//stash's SS58", "oracle.reporters[4]")
            .edit(&last_reporter, &format!("  \"{ALICE_STASH}\",")),
        Case::new("token address //Bob//stash's SS58", "feeds.")
            .edit(&stablecoin, &format!("\"{BOB_STASH}\"")),
        Case::new("gov_token.minter //Alice", "gov_token.minter")
            .edit(minter, "minter = \"//Alice\""),
        Case::new("gov_token.minter //Ferdie's SS58", "gov_token.minter")
            .edit(minter, &format!("minter = \"{FERDIE}\"")),
        Case::new("key file //Alice", "signer.key_file").key("//Alice"),
        Case::new("key file //Alice with a password", "signer.key_file").key("//Alice///secretpw"),
        Case::new("key file: the dev mnemonic", "signer.key_file").key(DEV_PHRASE),
        Case::new("key file: the dev mnemonic//Alice", "signer.key_file")
            .key(&format!("{DEV_PHRASE}//Alice")),
        Case::new(
            "key file: the dev mnemonic, own path, password",
            "signer.key_file",
        )
        .key(&format!("{DEV_PHRASE}//Carrack//deployer///secretpw")),
        Case::new("key file: Alice's hex seed", "signer.key_file").key(ALICE_SEED),
    ];
    let mut deployer = Case::new("--deployer Alice's SS58", "signer: the deployer");
    deployer.args = vec!["--deployer".into(), ALICE.into()];
    cases.push(deployer);
    let mut deployer = Case::new("--deployer //Dave", "signer: the deployer");
    deployer.args = vec!["--deployer".into(), "//Dave".into()];
    cases.push(deployer);
    let mut readable = Case::new("key file readable by others", "signer.key_file");
    readable.key_mode = 0o644;
    cases.push(readable);

    let dir = tempfile::tempdir().unwrap();
    let (ok, stdout, stderr) = check(dir.path(), &Case::new("the filled-in example", ""));
    assert!(ok, "the filled-in example must pass: {stderr}");
    assert!(stdout.contains("is valid (Production"), "{stdout}");

    let mut failures = Vec::new();
    for case in &cases {
        let (ok, _, stderr) = check(dir.path(), case);
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        let problem = if ok {
            Some("accepted".to_string())
        } else if lines.len() != 1 || !lines[0].starts_with("error: ") {
            Some(format!("not one `error:` line: {stderr:?}"))
        } else if !lines[0].contains(case.field) {
            Some(format!("does not name {}: {}", case.field, lines[0]))
        } else if ["secretpw", "bottom drive", "0xe5be", "0x4242"]
            .iter()
            .any(|s| stderr.contains(s))
        {
            Some(format!("echoes a secret: {}", lines[0]))
        } else {
            None
        };
        if let Some(problem) = problem {
            failures.push(format!("{}: {problem}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Offline validation also refuses what would only fail later on the chain, and names the
/// right field: a non-WebSocket node URL, token decimals above the pool's limit.
#[test]
fn check_names_the_url_scheme_and_the_decimals_bound() {
    let dir = tempfile::tempdir().unwrap();
    let url = "url = \"wss://rpc.example.org:443\"";
    for (case, field) in [
        (
            Case::new("ftp node URL", "network.url")
                .edit(url, "url = \"ftp://operator:hunter2@rpc.example.org\""),
            "network.url: the scheme \"ftp\"",
        ),
        (
            Case::new("decimals 99", "gov_token.decimals").edit("decimals = 18", "decimals = 99"),
            "gov_token.decimals: 99 is above the limit of 24",
        ),
    ] {
        let (ok, _, stderr) = check(dir.path(), &case);
        assert!(!ok, "{}: accepted", case.name);
        assert!(stderr.contains(field), "{}: {stderr}", case.name);
        assert!(!stderr.contains("hunter2"), "{}: {stderr}", case.name);
        assert_eq!(stderr.lines().count(), 1, "{}: {stderr}", case.name);
    }
}
