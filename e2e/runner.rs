//! What `#[carrack_e2e::test]` runs: a fresh `substrate-contracts-node` per test (ink_e2e's
//! `TestNodeProcess`, `CONTRACTS_NODE` or `substrate-contracts-node` on `PATH`), an
//! ink_e2e client loaded with the release [`bundles`](crate::bundles), and the test body on
//! a single-threaded tokio runtime, exactly as `#[ink_e2e::test]` would but without
//! building any contract.

use crate::NodeClient;
use std::future::Future;
use std::io::Write;
use std::sync::Once;
use std::time::Instant;

static TRACING: Once = Once::new();

/// Runs one test: spawns its node, connects the client and awaits `test(client)`. The node
/// stops when the test returns or panics. When `CARRACK_E2E_TIMES` names a file, appends
/// `<seconds> <name>` to it for a test that returns (`scripts/test.sh` lists the slowest).
pub fn run<Test, Body, Output>(name: &str, test: Test) -> Output
where
    Test: FnOnce(NodeClient) -> Body,
    Body: Future<Output = Output>,
{
    let started = Instant::now();
    let output = run_on_node(name, test);
    if let Some(path) = std::env::var_os("CARRACK_E2E_TIMES") {
        let line = format!("{:.1} {name}\n", started.elapsed().as_secs_f64());
        // Timing is a report, never a reason to fail a test.
        let _ = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut file| file.write_all(line.as_bytes()));
    }
    output
}

fn run_on_node<Test, Body, Output>(name: &str, test: Test) -> Output
where
    Test: FnOnce(NodeClient) -> Body,
    Body: Future<Output = Output>,
{
    ink_e2e::LOG_PREFIX.with(|prefix| *prefix.borrow_mut() = format!("test: {name}"));
    TRACING.call_once(|| {
        // Another subscriber may already be installed; the test logs either way.
        let _ = ink_e2e::tracing_subscriber::fmt::try_init();
    });
    let wasm_paths = crate::bundles::wasm_paths().unwrap_or_else(|err| panic!("{err}"));
    ink_e2e::tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|err| panic!("cannot build the tokio runtime: {err}"))
        .block_on(async move {
            let node =
                ink_e2e::TestNodeProcess::<ink_e2e::PolkadotConfig>::build_with_env_or_default()
                    .spawn()
                    .await
                    .unwrap_or_else(|err| panic!("cannot spawn substrate-contracts-node: {err}"));
            let client = NodeClient::new(node.rpc(), wasm_paths)
                .await
                .unwrap_or_else(|err| panic!("cannot connect to the test node: {err:?}"));
            let output = test(client).await;
            drop(node);
            output
        })
}
