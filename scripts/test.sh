#!/usr/bin/env bash
# Runs every Carrack test, in the order a failure is cheapest to find:
#   formatting, clippy, release builds of every contract (with their optimized sizes),
#   unit and #[ink::test] tests, the SMT proofs, then the ink_e2e suite against real
#   substrate-contracts-node processes (one per test, on the release bundles just built),
#   and beside it, in two lanes (they mostly wait on nodes of their own): the off-chain
#   tools' unit tests then the price relayer's failure drills (five relayers on a node)
#   and the keeper's drills (a price crash liquidated, a restart, a chain reset);
#   the deployment tool's idempotency and bad-input drills, the cost benchmark's
#   regression check, the Polkadot.js client test against a devnet the tool deployed and
#   the web app's browser tests (Playwright driving Chromium).
# Calls setup.sh first, so it also works on a fresh machine (which then compiles the
# node and cargo-contract: tens of minutes on 2 cores).
#
# Usage: scripts/test.sh                  every step (what CI runs)
#        scripts/test.sh --only e2e,unit  only the named steps, in the order above
#        scripts/test.sh --list           the step names
#        scripts/test.sh --call-v1 --only build,e2e
#                                         the e2e suite against the call-v1 build (every
#                                         cross-contract call through the v1 call ABI, for
#                                         chains on the polkadot-sdk 1.6 line; its bundles
#                                         in ~/.cache/carrack/target-release-call-v1)
# A step that needs another's output says so when it is missing (e2e and the node drills
# need the release bundles of the `build` step).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
on_failure_name_step test.sh
cd "$CARRACK_ROOT"

# name|what it runs (the banner)
STEPS=(
  "fmt|cargo fmt --check"
  "clippy|cargo clippy --workspace --all-targets (e2e tests included), warnings denied"
  "core-wasm|carrack-core: no_std build for wasm32 under cargo-contract's arithmetic and cast lints"
  "build|cargo contract build --release of every contract and e2e fixture (optimized .wasm sizes)"
  "unit|unit, #[ink::test] and property tests (PROPTEST_CASES=${PROPTEST_CASES:-256} per property)"
  "proofs|SMT proofs of the core math + differential test against the Rust code (scripts/prove.sh)"
  "e2e|ink_e2e suite on substrate-contracts-node (one test binary, the release bundles)"
  "tools|the off-chain tools (tools/: carrack-client, carrack-deploy, carrack-keeper, carrack-relayer; a workspace and lockfile of their own): fmt, clippy, unit tests"
  "deploy-drills|carrack-deploy on a real node: idempotent resume after kills, bad input"
  "relayer-drills|carrack-relayer failure drills: five relayers on a real node"
  "keeper-drills|carrack-keeper on a real node: a price crash liquidated, a kill and restart resumed from SQLite, a chain reset refused"
  "js|Polkadot.js client (@polkadot/api-contract) against a devnet deployed by carrack-deploy"
  "bench|cost benchmark: no size or ref_time ratio grew > 10 %, no proof_size grew, no deposit changed (bench/results.json)"
  "web|browser tests of the web app (web/run-tests.sh: Playwright + Debian Chromium)"
)

step_names() {
  local entry
  for entry in "${STEPS[@]}"; do echo "${entry%%|*}"; done
}

only=""
while (( $# )); do
  case "$1" in
    --only)
      (( $# >= 2 )) || die "--only needs a comma-separated list of steps (scripts/test.sh --list)"
      only="$2"
      shift 2
      ;;
    --only=*) only="${1#--only=}"; shift ;;
    --list) step_names; exit 0 ;;
    --call-v1) use_call_v1_build; shift ;;
    -h|--help) sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (expected --only STEP[,STEP...], --call-v1 or --list)" ;;
  esac
done
if [[ -n "$only" ]]; then
  IFS=',' read -r -a wanted <<<"$only"
  for name in "${wanted[@]}"; do
    step_names | grep -qx -- "$name" \
      || die "unknown step '$name'; the steps are: $(step_names | paste -sd' ')"
  done
fi

# Whether step `name` runs in this invocation.
selected() {
  [[ -z "$only" ]] && return 0
  [[ ",$only," == *",$1,"* ]]
}

# The off-chain tools share one target directory (the workspace's, see lib/common.sh) and
# one profile (debug) for their tests, their drills, the Polkadot.js test, the benchmark
# and the web tests: built once.
TOOLS_TARGET_DIR="$CARRACK_DEPLOY_TARGET_DIR"

run_fmt() {
  cargo fmt --all -- --check
}

run_clippy() {
  # The e2e step builds with the same package selection and features; cargo still runs
  # binaryen's build script (its C++) once for this check and once for that test build
  # (measured in issue 19: two wasm-opt-sys build directories).
  cargo clippy --workspace --all-targets --features carrack-e2e/e2e-tests -- -D warnings
}

run_core-wasm() {
  cargo clippy -p carrack-core --target wasm32-unknown-unknown -- -D warnings \
    -D clippy::arithmetic_side_effects -D clippy::cast_possible_truncation \
    -D clippy::cast_possible_wrap -D clippy::cast_sign_loss
  cargo build -p carrack-core --target wasm32-unknown-unknown --release --quiet
  say "carrack-core builds for wasm32-unknown-unknown"
}

run_build() {
  build_release_contracts --fixtures
  say "release bundles in $CARRACK_RELEASE_TARGET_DIR/ink/"
}

run_unit() {
  cargo test --workspace
}

run_proofs() {
  scripts/prove.sh
}

# The e2e tests mostly wait (for blocks, round windows, timelock delays), each on its own
# node: more of them side by side than the machine has cores keeps both cores busy.
E2E_THREADS="${CARRACK_E2E_THREADS:-4}"
TOOLS_MANIFEST=tools/Cargo.toml

# Side lanes: steps that mostly wait on nodes of their own (or, cold, compile the tools)
# run beside the e2e tests instead of after them, each lane's steps one after another,
# the lanes side by side, once the e2e binary is built. A lane's step that needs the
# tools waits for them on cargo's lock while the first lane compiles them. Their output is
# shown, and their times counted, when the e2e tests and every lane are done; the step
# table marks them "(beside e2e)". Without the e2e step they run in their usual place.
LANES=("tools relayer-drills keeper-drills" "deploy-drills bench js web")
LANE_PIDS=()
LANE_DIRS=()

start_lanes() {
  local lane name steps
  for lane in "${LANES[@]}"; do
    steps=()
    for name in $lane; do
      if selected "$name"; then steps+=("$name"); fi
    done
    (( ${#steps[@]} )) || continue
    local dir
    dir="$(mktemp -d "${TMPDIR:-/tmp}/carrack-lane.XXXXXX")"
    LANE_DIRS+=("$dir")
    say "beside the e2e tests: ${steps[*]} (output shown when the e2e tests are done)"
    (
      for name in "${steps[@]}"; do
        echo "$name" >"$dir/current"
        step "$name: $(step_banner "$name")"
        start=$SECONDS
        "run_$name"
        say "$name passed in $(elapsed_since "$start")"
        printf '%-15s %s (beside e2e)\n' "$name" "$(elapsed_since "$start")" >>"$dir/times"
      done
      rm -f "$dir/current"
    ) >"$dir/log" 2>&1 &
    LANE_PIDS+=($!)
  done
}

# Waits for every lane, shows their output and adds their step times; dies naming the
# lanes' failed steps.
finish_lanes() {
  local i status failed=()
  for i in "${!LANE_PIDS[@]}"; do
    status=0
    wait "${LANE_PIDS[$i]}" || status=$?
    cat "${LANE_DIRS[$i]}/log"
    if [[ -f "${LANE_DIRS[$i]}/times" ]]; then
      while IFS= read -r line; do timings+=("$line"); done <"${LANE_DIRS[$i]}/times"
    fi
    if (( status != 0 )); then
      failed+=("$(cat "${LANE_DIRS[$i]}/current" 2>/dev/null || echo "a side lane")")
    fi
    rm -rf "${LANE_DIRS[$i]}"
  done
  LANE_PIDS=()
  LANE_DIRS=()
  if (( ${#failed[@]} )); then
    CARRACK_STEP="${failed[*]}"
    die "step(s) ${failed[*]} failed beside the e2e tests (output above)"
  fi
}

stop_lanes() {
  local pid dir
  for pid in "${LANE_PIDS[@]}"; do
    pkill -TERM -P "$pid" 2>/dev/null
    kill "$pid" 2>/dev/null
  done
  for dir in "${LANE_DIRS[@]}"; do rm -rf "$dir"; done
  return 0
}
trap stop_lanes EXIT

# Whether step `name` runs in a side lane of the e2e step (so not in its own place).
runs_in_lane() {
  selected e2e || return 1
  [[ " ${LANES[*]} " == *" $1 "* ]]
}

step_banner() {
  local entry
  for entry in "${STEPS[@]}"; do
    [[ "${entry%%|*}" == "$1" ]] && { echo "${entry#*|}"; return 0; }
  done
}

run_e2e() {
  say "substrate-contracts-node $(substrate-contracts-node --version | awk '{print $2}'), $E2E_THREADS tests at a time"
  local times binary
  binary="$(cargo test --workspace --features carrack-e2e/e2e-tests --test e2e --no-run \
    --message-format=json-render-diagnostics \
    | jq -r 'select(.reason == "compiler-artifact" and .target.name == "e2e"
                    and .executable != null) | .executable' | tail -1)"
  [[ -x "$binary" ]] || die "cargo built no e2e test binary"
  start_lanes
  local tests_start=$SECONDS
  times="$(mktemp "${TMPDIR:-/tmp}/carrack-e2e-times.XXXXXX")"
  CARRACK_E2E_BUNDLES="$CARRACK_RELEASE_TARGET_DIR/ink" CARRACK_E2E_TIMES="$times" \
    "$binary" --test-threads="$E2E_THREADS"
  say "e2e tests passed in $(elapsed_since "$tests_start")"
  say "slowest e2e tests (seconds, node start included):"
  sort -rn "$times" | head -8 | sed 's/^/      /'
  rm -f "$times"
  finish_lanes
}

run_tools() {
  CARGO_TARGET_DIR="$TOOLS_TARGET_DIR" cargo fmt --all --manifest-path "$TOOLS_MANIFEST" -- --check
  CARGO_TARGET_DIR="$TOOLS_TARGET_DIR" cargo clippy --locked --manifest-path "$TOOLS_MANIFEST" \
    --workspace --all-targets -- -D warnings
  CARGO_TARGET_DIR="$TOOLS_TARGET_DIR" cargo test --locked --manifest-path "$TOOLS_MANIFEST" --workspace
}

run_deploy-drills() {
  CARRACK_DEPLOY_TARGET_DIR="$TOOLS_TARGET_DIR" tools/carrack-deploy/tests/idempotency.sh
}

run_relayer-drills() {
  CARRACK_DEPLOY_TARGET_DIR="$TOOLS_TARGET_DIR" tools/carrack-relayer/tests/drills.sh
}

run_keeper-drills() {
  CARRACK_DEPLOY_TARGET_DIR="$TOOLS_TARGET_DIR" tools/carrack-keeper/tests/drills.sh
}

run_js() {
  CARRACK_DEPLOY_TARGET_DIR="$TOOLS_TARGET_DIR" e2e/js/run.sh
}

run_bench() {
  CARRACK_DEPLOY_TARGET_DIR="$TOOLS_TARGET_DIR" scripts/bench.sh --check --no-build
}

run_web() {
  CARRACK_DEPLOY_TARGET_DIR="$TOOLS_TARGET_DIR" web/run-tests.sh
}

total_start=$SECONDS
"$CARRACK_ROOT/scripts/setup.sh"

timings=()
for entry in "${STEPS[@]}"; do
  name="${entry%%|*}"
  selected "$name" || continue
  runs_in_lane "$name" && continue
  step "$name: ${entry#*|}"
  start=$SECONDS
  "run_$name"
  timings+=("$(printf '%-15s %s' "$name" "$(elapsed_since "$start")")")
  say "$name passed in $(elapsed_since "$start")"
done

step "step times"
for line in "${timings[@]}"; do say "$line"; done
if [[ -z "$only" ]]; then
  step "all tests passed in $(elapsed_since "$total_start")"
else
  step "steps $only passed in $(elapsed_since "$total_start")"
fi
