#!/usr/bin/env bash
# Runs the Polkadot.js client test against a fresh devnet deployed by carrack-deploy:
# starts substrate-contracts-node --dev --tmp on a free port, deploys deploy/devnet.toml
# with the release bundles, installs the npm lockfile (`npm ci`) and runs `npm test`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
HERE="$CARRACK_ROOT/e2e/js"
export CARGO_TARGET_DIR="$CARRACK_DEPLOY_TARGET_DIR"
TOOL="$CARGO_TARGET_DIR/debug/carrack-deploy"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/carrack-js-test.XXXXXX")"
NODE_PID=""
cleanup() {
  stop_dev_node
  rm -rf "$WORK"
}
trap cleanup EXIT

for tool in node npm curl substrate-contracts-node; do
  command -v "$tool" >/dev/null || die "$tool is not on PATH (scripts/setup.sh lists what to install)"
done
cargo build --quiet --locked --manifest-path "$CARRACK_ROOT/tools/Cargo.toml" --workspace

start_dev_node "$WORK/node.log"
PORT="$NODE_PORT"

BUNDLES="$CARRACK_RELEASE_TARGET_DIR/ink"
"$TOOL" deploy -q --config "$CARRACK_ROOT/deploy/devnet.toml" --bundles "$BUNDLES" \
  --manifest "$WORK/manifest.json" --url "ws://127.0.0.1:$PORT"
say "devnet deployed by carrack-deploy on ws://127.0.0.1:$PORT"

cd "$HERE"
npm ci --no-audit --no-fund --silent
CARRACK_NODE_URL="ws://127.0.0.1:$PORT" CARRACK_MANIFEST="$WORK/manifest.json" \
  CARRACK_BUNDLES="$BUNDLES" npm test --silent
