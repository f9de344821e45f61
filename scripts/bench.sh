#!/usr/bin/env bash
# Carrack's cost benchmark: builds every contract in release mode, deploys the suite from
# bench/bench.toml with carrack-deploy on a fresh substrate-contracts-node --dev chain
# (free port, throw-away state), and measures with dry runs the weight (ref_time,
# proof_size; required and consumed) and storage deposit of every user-facing message,
# next to a PSP22 transfer; plus the optimized .wasm sizes and how many calls fit in one
# block. The node runs with a clock the benchmark moves forward (bench/node-clock.c,
# compiled here with cc), so pool messages are measured a fixed time after the last
# update of the market that accrues interest. Then bench/pack.mjs packs blocks for real
# on the same node: one supply from each of N accounts submitted at once, and N PSP22
# transfers, to count what lands in one block (about a minute).
#
#   scripts/bench.sh              measure, then write bench/results.json and bench/RESULTS.md
#   scripts/bench.sh --check      measure, then compare with the committed bench/results.json:
#                                 fails if a contract's optimized size or a message's ref_time
#                                 ratio to the PSP22 transfer grew by more than 10 %, a
#                                 message's consumed proof_size grew (beyond 512 bytes of
#                                 build noise), or a storage deposit changed
#                                 (bench/check.mjs); writes nothing in bench/. It does not
#                                 pack blocks (a packed block needs the whole batch to reach
#                                 the node before it seals, which a loaded CI machine cannot
#                                 promise), unless --pack is given too: then the packed
#                                 block's supplies per transfer may not fall by > 10 %
#   scripts/bench.sh --no-build   (with either) use the release bundles already in
#                                 $CARRACK_RELEASE_TARGET_DIR (scripts/test.sh has just built them)
#   scripts/bench.sh --check --pack  the check, packed blocks included
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
on_failure_name_step bench.sh
cd "$CARRACK_ROOT"

BENCH_DIR="$CARRACK_ROOT/bench"
JS_DIR="$CARRACK_ROOT/e2e/js"
DEPLOY_TARGET_DIR="$CARRACK_DEPLOY_TARGET_DIR"
TOOL="$DEPLOY_TARGET_DIR/debug/carrack-deploy"
BUNDLES="$CARRACK_RELEASE_TARGET_DIR/ink"
NODE_PID=""
# The deployed contracts whose sizes are reported (the test-only hostile token is not).
CONTRACTS=(carrack_pool carrack_oracle carrack_governor carrack_gov_token carrack_token carrack_timelock)

usage() {
  sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

check=0
build=1
pack=""
for arg in "$@"; do
  case "$arg" in
    --check) check=1 ;;
    --pack) pack=1 ;;
    --no-build) build=0 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $arg" ;;
  esac
done

for tool in node npm curl cargo substrate-contracts-node; do
  command -v "$tool" >/dev/null || die "$tool is not on PATH (scripts/setup.sh lists what to install)"
done
command -v cc >/dev/null \
  || die "cc (a C compiler) is not on PATH: the benchmark compiles bench/node-clock.c, the node's movable clock (Debian: apt-get install gcc; Rust's own linking needs it too)"
if (( check )) && [[ ! -f "$BENCH_DIR/results.json" ]]; then
  die "no committed bench/results.json to check against: run scripts/bench.sh first"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/carrack-bench.XXXXXX")"
cleanup() {
  stop_dev_node
  rm -rf "$WORK"
}
trap cleanup EXIT

total_start=$SECONDS

if (( build )); then
  step "cargo contract build --release (optimized .wasm sizes)"
  # With the test fixtures: the flash loan row calls e2e/fixtures/flash-receiver.
  build_release_contracts --fixtures
else
  step "using the release bundles in $BUNDLES (--no-build)"
fi
for name in "${CONTRACTS[@]}" carrack_flash_receiver; do
  [[ -f "$BUNDLES/$name/$name.contract" && -f "$BUNDLES/$name/$name.wasm" ]] \
    || die "release bundle $BUNDLES/$name/$name.contract (or .wasm) is missing: run without --no-build"
done

step "carrack-deploy and the Polkadot.js stack (e2e/js)"
CARGO_TARGET_DIR="$DEPLOY_TARGET_DIR" \
  cargo build --quiet --locked --manifest-path "$CARRACK_ROOT/tools/Cargo.toml" --workspace
if [[ ! -d "$JS_DIR/node_modules/@polkadot/api-contract" ]]; then
  (cd "$JS_DIR" && npm ci --no-audit --no-fund --silent)
fi
say "ready"

step "the node's movable clock (bench/node-clock.c)"
CLOCK_LIB="$CARRACK_CACHE/node-clock/libnode-clock.so"
if [[ ! -f "$CLOCK_LIB" || "$BENCH_DIR/node-clock.c" -nt "$CLOCK_LIB" ]]; then
  mkdir -p "$(dirname "$CLOCK_LIB")"
  cc -O2 -Wall -Wextra -Werror -shared -fPIC -o "$CLOCK_LIB.tmp" "$BENCH_DIR/node-clock.c" \
    || die "could not compile bench/node-clock.c with cc"
  mv "$CLOCK_LIB.tmp" "$CLOCK_LIB"
fi
# The offset file starts at zero: offset 0 and its complement (bench/clock.mjs's format).
CLOCK_FILE="$WORK/node-clock"
printf '\0\0\0\0\0\0\0\0\377\377\377\377\377\377\377\377' >"$CLOCK_FILE"
DEV_NODE_ENV=("LD_PRELOAD=$CLOCK_LIB" "CARRACK_NODE_CLOCK_FILE=$CLOCK_FILE")
say "$CLOCK_LIB"

step "fresh substrate-contracts-node and the bench deployment (bench/bench.toml)"
start_dev_node "$WORK/node.log"
"$TOOL" deploy -q --config "$BENCH_DIR/bench.toml" --bundles "$BUNDLES" \
  --manifest "$WORK/manifest.json" --url "ws://127.0.0.1:$NODE_PORT"

step "measuring (dry runs on ws://127.0.0.1:$NODE_PORT)"
start=$SECONDS
size_targets=""
for name in "${CONTRACTS[@]}"; do
  size_targets+="${size_targets:+,}$name=$(size_target_bytes "$name")"
done
node "$BENCH_DIR/measure.mjs" --url "ws://127.0.0.1:$NODE_PORT" --manifest "$WORK/manifest.json" \
  --bundles "$BUNDLES" --clock "$CLOCK_FILE" --size-targets "$size_targets" --out "$WORK/results.json"
say "measured in $(elapsed_since "$start")"

# Packing runs when results are written, and in a check only when asked for (--pack).
if (( ! check )) || [[ -n "$pack" ]]; then
  step "packing blocks for real (bench/pack.mjs)"
  start=$SECONDS
  node "$BENCH_DIR/pack.mjs" --url "ws://127.0.0.1:$NODE_PORT" --manifest "$WORK/manifest.json" \
    --bundles "$BUNDLES" --clock "$CLOCK_FILE" --results "$WORK/results.json"
  say "packed in $(elapsed_since "$start")"
fi
stop_dev_node

if (( check )); then
  step "regression check against the committed bench/results.json (bench/check.mjs)"
  node "$BENCH_DIR/check.mjs" "$BENCH_DIR/results.json" "$WORK/results.json"
else
  step "writing bench/results.json and bench/RESULTS.md"
  cp "$WORK/results.json" "$BENCH_DIR/results.json"
  say "$(node "$BENCH_DIR/report.mjs" "$BENCH_DIR/results.json" "$BENCH_DIR/RESULTS.md")"
fi

step "benchmark done in $(elapsed_since "$total_start")"
