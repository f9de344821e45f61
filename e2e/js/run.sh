#!/usr/bin/env bash
# Runs the Polkadot.js client test against a fresh devnet deployed by carrack-deploy:
# starts substrate-contracts-node --dev --tmp on a free port, deploys deploy/devnet.toml
# with the release bundles, installs the npm lockfile (`npm ci`) and runs `npm test`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
HERE="$CARRACK_ROOT/e2e/js"
export CARGO_TARGET_DIR="${CARRACK_DEPLOY_TARGET_DIR:-$CARRACK_CACHE/target-deploy}"
TOOL="$CARGO_TARGET_DIR/debug/carrack-deploy"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/carrack-js-test.XXXXXX")"
NODE_PID=""
cleanup() {
  if [[ -n "$NODE_PID" ]] && kill -0 "$NODE_PID" 2>/dev/null; then
    kill "$NODE_PID" 2>/dev/null || true
    wait "$NODE_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

for tool in node npm curl substrate-contracts-node; do
  command -v "$tool" >/dev/null || die "$tool is not on PATH (scripts/setup.sh lists what to install)"
done
cargo build --quiet --locked --manifest-path "$CARRACK_ROOT/scripts/deploy/Cargo.toml"

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=""
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 30000))
  if port_free "$candidate"; then PORT=$candidate; break; fi
done
[[ -n "$PORT" ]] || die "no free port found"
substrate-contracts-node --dev --tmp --rpc-port "$PORT" --port 0 --no-prometheus \
  >"$WORK/node.log" 2>&1 &
NODE_PID=$!
for waited in $(seq 1 600); do
  curl -sf -H 'Content-Type: application/json' \
    -d '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' \
    "http://127.0.0.1:$PORT" >/dev/null 2>&1 && break
  kill -0 "$NODE_PID" 2>/dev/null || { tail -n 20 "$WORK/node.log" >&2; die "the node exited"; }
  (( waited < 600 )) || die "the node did not answer within 60 s"
  sleep 0.1
done

BUNDLES="$CARRACK_RELEASE_TARGET_DIR/ink"
"$TOOL" deploy -q --config "$CARRACK_ROOT/deploy/devnet.toml" --bundles "$BUNDLES" \
  --manifest "$WORK/manifest.json" --url "ws://127.0.0.1:$PORT"
say "devnet deployed by carrack-deploy on ws://127.0.0.1:$PORT"

cd "$HERE"
npm ci --no-audit --no-fund --silent
CARRACK_NODE_URL="ws://127.0.0.1:$PORT" CARRACK_MANIFEST="$WORK/manifest.json" \
  CARRACK_BUNDLES="$BUNDLES" npm test --silent
