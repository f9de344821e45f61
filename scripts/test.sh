#!/usr/bin/env bash
# Runs every Carrack test, in the order a failure is cheapest to find:
#   formatting, clippy, release builds of every contract (with their optimized sizes),
#   unit and #[ink::test] tests, then the ink_e2e suite against real
#   substrate-contracts-node processes (spawned by ink_e2e, one per test), then the
#   deployment tool (unit tests, idempotency and bad-input drills on a node), the price
#   relayer (unit tests, failure drills with five relayers on a node), the
#   Polkadot.js client test against a devnet the tool deployed, and the web app's
#   browser tests (Playwright driving Chromium).
# Calls setup.sh first, so it also works on a fresh machine (which then compiles the
# node and cargo-contract: tens of minutes on 2 cores).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
on_failure_name_step test.sh
cd "$CARRACK_ROOT"

total_start=$SECONDS
"$CARRACK_ROOT/scripts/setup.sh"

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --workspace --all-targets (e2e tests included), warnings denied"
start=$SECONDS
cargo clippy --workspace --all-targets --features carrack-e2e/e2e-tests -- -D warnings
say "clippy clean in $(elapsed_since "$start")"

step "carrack-core: no_std build for wasm32 under cargo-contract's arithmetic and cast lints"
cargo clippy -p carrack-core --target wasm32-unknown-unknown -- -D warnings \
  -D clippy::arithmetic_side_effects -D clippy::cast_possible_truncation \
  -D clippy::cast_possible_wrap -D clippy::cast_sign_loss
cargo build -p carrack-core --target wasm32-unknown-unknown --release --quiet
say "carrack-core builds for wasm32-unknown-unknown"

step "cargo contract build --release (optimized .wasm sizes)"
start=$SECONDS
build_release_contracts
say "release bundles in $CARRACK_RELEASE_TARGET_DIR/ink/ ($(elapsed_since "$start"))"

step "unit, #[ink::test] and property tests (PROPTEST_CASES=${PROPTEST_CASES:-256} per property)"
start=$SECONDS
cargo test --workspace
say "unit tests passed in $(elapsed_since "$start")"

step "SMT proofs of the core math + differential test against the Rust code (scripts/prove.sh)"
start=$SECONDS
scripts/prove.sh
say "proofs passed in $(elapsed_since "$start")"

step "ink_e2e tests against substrate-contracts-node $(substrate-contracts-node --version | awk '{print $2}')"
start=$SECONDS
cargo test -p carrack-e2e --features e2e-tests
say "e2e tests passed in $(elapsed_since "$start")"

step "carrack-deploy (own workspace and lockfile): fmt, clippy, unit tests"
start=$SECONDS
(
  export CARGO_TARGET_DIR="${CARRACK_DEPLOY_TARGET_DIR:-$CARRACK_CACHE/target-deploy}"
  cargo fmt --manifest-path scripts/deploy/Cargo.toml -- --check
  cargo clippy --locked --manifest-path scripts/deploy/Cargo.toml --all-targets -- -D warnings
  cargo test --locked --manifest-path scripts/deploy/Cargo.toml
)
say "carrack-deploy checked in $(elapsed_since "$start")"

step "carrack-deploy on a real node: idempotent resume after kills, bad input"
start=$SECONDS
scripts/deploy/tests/idempotency.sh
say "deployment tests passed in $(elapsed_since "$start")"

step "carrack-relayer (oracle-adapter, own workspace and lockfile): fmt, clippy, unit tests"
start=$SECONDS
(
  export CARGO_TARGET_DIR="${CARRACK_DEPLOY_TARGET_DIR:-$CARRACK_CACHE/target-deploy}"
  cargo fmt --manifest-path oracle-adapter/Cargo.toml -- --check
  cargo clippy --locked --manifest-path oracle-adapter/Cargo.toml --all-targets -- -D warnings
  cargo test --locked --manifest-path oracle-adapter/Cargo.toml
)
say "carrack-relayer checked in $(elapsed_since "$start")"

step "carrack-relayer failure drills: five relayers on a real node"
start=$SECONDS
oracle-adapter/tests/drills.sh
say "relayer drills passed in $(elapsed_since "$start")"

step "Polkadot.js client (@polkadot/api-contract) against a devnet deployed by carrack-deploy"
start=$SECONDS
e2e/js/run.sh
say "Polkadot.js client test passed in $(elapsed_since "$start")"

step "cost benchmark: no contract size or message ref_time ratio grew > 10 % (bench/results.json)"
start=$SECONDS
scripts/bench.sh --check --no-build
say "benchmark check passed in $(elapsed_since "$start")"

step "browser tests of the web app (web/run-tests.sh: Playwright + Debian Chromium)"
start=$SECONDS
web/run-tests.sh
say "browser tests passed in $(elapsed_since "$start")"

step "all tests passed in $(elapsed_since "$total_start")"
