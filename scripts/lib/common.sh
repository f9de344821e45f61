# Shared settings and helpers for Carrack's scripts. Source it; do not run it.
#
# Every script keeps its build outputs outside the checkout, so repeated runs, CI and
# fresh clones reuse the same warm caches:
#   CARGO_TARGET_DIR            debug builds, unit and ink_e2e tests
#   CARRACK_RELEASE_TARGET_DIR  `cargo contract build --release` bundles (devnet, sizes)

CARRACK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CARRACK_CACHE="${CARRACK_CACHE:-$HOME/.cache/carrack}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CARRACK_CACHE/target}"
# Exported: the e2e upgrade test uploads a release build as the "new" pool code.
export CARRACK_RELEASE_TARGET_DIR="${CARRACK_RELEASE_TARGET_DIR:-$CARRACK_CACHE/target-release}"
# The off-chain tools (tools/: carrack-deploy and carrack-relayer, a workspace and lockfile
# of their own) build into the same debug target as the root workspace, one profile and
# the whole tools workspace (`--workspace`, so cargo unifies features alike) for their
# tests, their drills and every script that runs them; crates that resolve identically on
# both sides compile once.
export CARRACK_DEPLOY_TARGET_DIR="${CARRACK_DEPLOY_TARGET_DIR:-$CARGO_TARGET_DIR}"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# The pinned versions (README.md, "Pinned stack", says why each is pinned).
RUST_TOOLCHAIN="1.86"
CARGO_CONTRACT_VERSION="5.0.3"
CONTRACTS_NODE_VERSION="0.42.0"
# sha256 of the published contracts-node-0.42.0.crate (the crates.io index's `cksum`),
# checked before setup.sh unpacks it.
CONTRACTS_NODE_CRATE_SHA256="eec86b7f9619375abb6ea559856b72bfedffe89c6097fa04853da7779ef4da72"

CARRACK_STEP="starting"

# Prints a banner and remembers the step name for the failure message.
step() {
  CARRACK_STEP="$*"
  printf '\n==> %s\n' "$*"
}

say() { printf '    %s\n' "$*"; }

die() {
  printf '\nERROR: %s\n' "$*" >&2
  exit 1
}

# Call once per script: names the failing step when any command fails.
on_failure_name_step() {
  local script="$1"
  trap 'code=$?; printf "\n%s: FAILED during step: %s (exit %s)\n" "'"$script"'" "$CARRACK_STEP" "$code" >&2; exit $code' ERR
}

# Seconds since `start` as "Xm Ys".
elapsed_since() {
  local secs=$(( SECONDS - $1 ))
  printf '%dm %02ds' $(( secs / 60 )) $(( secs % 60 ))
}

# The contract packages: every crate under contracts/ that declares `ink-as-dependency`
# (shared libraries such as contracts/interfaces do not); with `--fixtures`, also the test
# fixtures under e2e/fixtures/ (contracts the e2e suite deploys, never users).
contract_dirs() {
  local manifest
  local manifests=("$CARRACK_ROOT"/contracts/*/Cargo.toml)
  if [[ "${1:-}" == "--fixtures" ]]; then
    manifests+=("$CARRACK_ROOT"/e2e/fixtures/*/Cargo.toml)
  fi
  for manifest in "${manifests[@]}"; do
    if grep -q '^ink-as-dependency' "$manifest"; then
      dirname "$manifest"
    fi
  done
}

# `carrack-token` -> `carrack_token`, the artifact name cargo-contract uses.
artifact_name() {
  sed -n 's/^name = "\(.*\)"/\1/p' "$1/Cargo.toml" | head -1 | tr '-' '_'
}

# Optimized-size target in bytes: the pool may use 64 KiB, every other contract 24 KiB.
size_target_bytes() {
  case "$1" in
    carrack_pool) echo $(( 60 * 1024 )) ;;
    carrack_token|carrack_timelock) echo $(( 20 * 1024 )) ;;
    *) echo $(( 24 * 1024 )) ;;
  esac
}

# The host functions of pallet-contracts' v2 call ABI, which chains on the polkadot-sdk
# 1.6 line do not have (they refuse to upload code importing them).
CALL_V2_IMPORTS="seal2::call,seal2::instantiate"

# Switches this script to the `call-v1` build variant (scripts/build.sh --call-v1,
# scripts/test.sh --call-v1): every contract is built with the `call-v1` feature, so its
# cross-contract calls use the v1 call ABI (contracts/interfaces/call_version.rs), into
# its own release target dir, so the default bundles stay as they are; the e2e step then
# runs the suite against these bundles.
use_call_v1_build() {
  export CARRACK_CALL_V1=1
  export CARRACK_RELEASE_TARGET_DIR="$CARRACK_CACHE/target-release-call-v1"
}

# The one cargo target directory every release build shares. cargo-contract 5.0.3 builds a
# workspace member into `<target>/ink/<artifact name>/` (crate_metadata.rs), a directory of
# its own per contract, which would compile ink!, SCALE and `core`/`alloc` (build-std)
# once per contract. Every contract is built with the same flags and features, so each
# `$CARRACK_RELEASE_TARGET_DIR/ink/<name>` is made a symlink to this one directory: the
# dependencies compile once, and every bundle still sits at `ink/<name>/<name>.contract`.
shared_release_dir() {
  echo "$CARRACK_RELEASE_TARGET_DIR/ink-shared"
}

# Points `ink/<name>` at the shared directory, replacing a per-contract directory left by
# an earlier layout.
link_release_dir() { # name
  local shared link
  shared="$(shared_release_dir)"
  link="$CARRACK_RELEASE_TARGET_DIR/ink/$1"
  mkdir -p "$shared" "$CARRACK_RELEASE_TARGET_DIR/ink"
  if [[ -L "$link" && "$(readlink "$link")" == "$shared" ]]; then
    return 0
  fi
  rm -rf "$link"
  ln -s "$shared" "$link"
}

# A digest of everything a release bundle is built from: every file under contracts/ and
# e2e/fixtures/ (sources, manifests, and anything else lying there: an unknown file only
# costs a rebuild), the workspace manifest, lockfile and toolchain file, the versions of
# rustc and cargo-contract, the call-ABI variant, and the text of the build function
# itself. Paths are relative to the checkout, so every clone of one commit has one digest.
release_inputs_digest() {
  (
    cd "$CARRACK_ROOT"
    find contracts e2e/fixtures -type f -not -path '*/target/*' -print0 \
      | LC_ALL=C sort -z | xargs -0 sha256sum
    for file in Cargo.toml Cargo.lock rust-toolchain.toml .cargo/config.toml; do
      [[ -f "$file" ]] && sha256sum "$file"
    done
    rustc --version
    cargo contract --version
    echo "call-v1=${CARRACK_CALL_V1:-0}"
    declare -f build_release_contracts build_release_contract contract_dirs artifact_name
  ) | sha256sum | cut -d' ' -f1
}

# The stamp a finished build leaves beside a contract's bundle: the inputs' digest, then
# the sha256 of the .contract, .wasm and .json it produced.
release_stamp_path() { # name
  echo "$(shared_release_dir)/$1.inputs"
}

# The sha256 of the bundle's .contract, .wasm and .json, one per line; fails if one is missing.
release_outputs_digest() { # name
  local base="$CARRACK_RELEASE_TARGET_DIR/ink/$1/$1" ext
  for ext in contract wasm json; do
    [[ -f "$base.$ext" ]] || return 1
    sha256sum "$base.$ext" | cut -d' ' -f1
  done
}

# Whether the bundle of `name` was built from exactly these inputs and is unchanged since.
release_bundle_current() { # name inputs_digest
  local stamp outputs
  stamp="$(release_stamp_path "$1")"
  [[ -f "$stamp" ]] || return 1
  outputs="$(release_outputs_digest "$1")" || return 1
  [[ "$(cat "$stamp")" == "$2"$'\n'"$outputs" ]]
}

# Builds every contract (with `--fixtures`, the e2e fixtures too) with
# `cargo contract build --release` into $CARRACK_RELEASE_TARGET_DIR (one shared target, see
# shared_release_dir) and prints each optimized .wasm size against its target.
# A bundle whose stamp shows it was built from the same inputs (release_inputs_digest) and
# not changed since is reused, not rebuilt: cargo's own freshness check goes by file times,
# which are new in every clone, so without this every CI run rebuilt every contract. Set
# CARRACK_REBUILD_BUNDLES=1 to build regardless.
build_release_contracts() { # [--fixtures]
  local dir name log wasm size target start dirs inputs outputs how
  mkdir -p "$CARRACK_CACHE/logs"
  inputs="$(release_inputs_digest)"
  # One directory per line, kept whole (a checkout path may hold spaces: review SC3).
  mapfile -t dirs < <(contract_dirs "${1:-}")
  for dir in "${dirs[@]}"; do
    name="$(artifact_name "$dir")"
    log="$CARRACK_CACHE/logs/build-$name.log"
    start=$SECONDS
    link_release_dir "$name"
    wasm="$CARRACK_RELEASE_TARGET_DIR/ink/$name/$name.wasm"
    if [[ "${CARRACK_REBUILD_BUNDLES:-0}" != 1 ]] && release_bundle_current "$name" "$inputs"; then
      how="inputs unchanged: reused"
    else
      rm -f "$(release_stamp_path "$name")"
      build_release_contract "$dir" "$name" "$log"
      outputs="$(release_outputs_digest "$name")" \
        || die "cargo contract build reported success but a file of $name's bundle is missing"
      printf '%s\n%s\n' "$inputs" "$outputs" >"$(release_stamp_path "$name")"
      how="built in $(elapsed_since "$start")"
    fi
    size=$(stat -c %s "$wasm")
    target=$(size_target_bytes "$name")
    local verdict="ok"
    (( size <= target )) || verdict="OVER TARGET"
    printf '    %-22s %7d bytes (%s KiB)   target <= %d KiB: %s   [%s]\n' \
      "$name" "$size" "$(awk "BEGIN { printf \"%.1f\", $size / 1024 }")" \
      $(( target / 1024 )) "$verdict" "$how"
  done
}

# One `cargo contract build --release` of the contract in `dir` (log in `log`), checked:
# the .wasm exists and, for the call-v1 variant, imports no v2 call host function.
build_release_contract() { # dir name log
  local dir="$1" name="$2" log="$3" wasm
  wasm="$CARRACK_RELEASE_TARGET_DIR/ink/$name/$name.wasm"
  local features=()
  [[ "${CARRACK_CALL_V1:-0}" == 1 ]] && features=(--features call-v1)
  if ! (cd "$CARRACK_ROOT" && CARGO_TARGET_DIR="$CARRACK_RELEASE_TARGET_DIR" \
        cargo contract build --release "${features[@]}" --manifest-path "$dir/Cargo.toml") \
        >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    die "cargo contract build --release failed for $name (full log: $log)"
  fi
  [[ -f "$wasm" ]] || die "cargo contract build reported success but $wasm is missing"
  if [[ "${CARRACK_CALL_V1:-0}" == 1 ]]; then
    node "$CARRACK_ROOT/scripts/lib/wasm-imports.mjs" "$wasm" --deny "$CALL_V2_IMPORTS" >/dev/null \
      || die "the call-v1 build of $name still imports the v2 call ABI (see above)"
  fi
}

# The release bundle (.contract: code + metadata) of an artifact name.
release_bundle() {
  echo "$CARRACK_RELEASE_TARGET_DIR/ink/$1/$1.contract"
}

# Starts `substrate-contracts-node --dev` on a local RPC port, logging to `log`; sets
# NODE_PID and NODE_PORT and returns once the node answers (dies after 60 s, or if the
# node exits). The chain is thrown away (`--tmp`) unless `base_path` is given, which
# keeps it across restarts; the port is a free one unless `port` is given (a restart
# passes the previous NODE_PORT). DEV_NODE_ENV, if set, is an array of NAME=VALUE
# settings given to the node process alone (scripts/bench.sh: the node's clock), and
# DEV_NODE_ARGS an array of extra node arguments (scripts/soak.sh: an archive node, so
# every block's events stay readable). The caller stops it (`stop_dev_node`).
start_dev_node() { # log [base_path] [port]
  local log="$1" base_path="${2:-}" candidate
  NODE_PORT="${3:-}"
  for _ in $(seq 1 50); do
    [[ -n "$NODE_PORT" ]] && break
    # Below Linux's ephemeral range (32768 and up), where the e2e suite's nodes, started
    # with port 0 beside the drills, get theirs: a port probed free stays free.
    candidate=$(( 20000 + RANDOM % 12000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
      NODE_PORT=$candidate
    fi
  done
  [[ -n "$NODE_PORT" ]] || die "no free port found for a test node"
  local chain=(--tmp)
  [[ -n "$base_path" ]] && chain=(--base-path "$base_path")
  env ${DEV_NODE_ENV[@]+"${DEV_NODE_ENV[@]}"} \
    substrate-contracts-node --dev "${chain[@]}" --rpc-port "$NODE_PORT" --port 0 --no-prometheus \
    ${DEV_NODE_ARGS[@]+"${DEV_NODE_ARGS[@]}"} >>"$log" 2>&1 &
  NODE_PID=$!
  for _ in $(seq 1 600); do
    if curl -sf -H 'Content-Type: application/json' \
      -d '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' \
      "http://127.0.0.1:$NODE_PORT" >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "$NODE_PID" 2>/dev/null || { tail -n 20 "$log" >&2; die "the test node exited (log: $log)"; }
    sleep 0.1
  done
  die "the test node did not answer within 60 s (log: $log)"
}

# Stops the node `start_dev_node` started, if it still runs.
stop_dev_node() {
  if [[ -n "${NODE_PID:-}" ]] && kill -0 "$NODE_PID" 2>/dev/null; then
    kill "$NODE_PID" 2>/dev/null || true
    wait "$NODE_PID" 2>/dev/null || true
  fi
}
