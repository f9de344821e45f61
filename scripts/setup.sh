#!/usr/bin/env bash
# Installs what Carrack needs, skipping whatever is already there at the pinned version:
#   - the Rust 1.86 toolchain (rust-src, clippy, rustfmt, wasm32-unknown-unknown)
#   - cargo-contract 5.0.3                          (cargo install, ~12-25 min on 2 cores)
#   - substrate-contracts-node 0.42.0 (crate contracts-node, cargo install, ~1 h on 2 cores)
#   - the Debian packages needed to compile those two, only when one must be compiled
# Idempotent: run it as often as you like; a warm machine passes through in seconds.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
on_failure_name_step setup.sh

HOST_TRIPLE=""
PINNED_TOOLCHAIN=""
BUILD_PACKAGES=(clang libclang-dev protobuf-compiler cmake pkg-config libssl-dev g++ make)

ensure_rust_toolchain() {
  step "Rust toolchain $RUST_TOOLCHAIN"
  command -v rustup >/dev/null 2>&1 || die "rustup is not installed. Install it from https://rustup.rs (then re-run this script); Carrack pins Rust $RUST_TOOLCHAIN through rust-toolchain.toml."
  HOST_TRIPLE="$(rustup show | sed -n 's/^Default host: //p')"
  [[ -n "$HOST_TRIPLE" ]] || HOST_TRIPLE="x86_64-unknown-linux-gnu"
  PINNED_TOOLCHAIN="$RUST_TOOLCHAIN-$HOST_TRIPLE"
  local have_all=1
  if rustup toolchain list | grep -q "^$PINNED_TOOLCHAIN"; then
    local installed
    installed="$(rustup component list --toolchain "$PINNED_TOOLCHAIN" --installed 2>/dev/null)"
    for component in rust-src clippy rustfmt; do
      grep -q "^$component" <<<"$installed" || have_all=0
    done
    rustup target list --toolchain "$PINNED_TOOLCHAIN" --installed 2>/dev/null \
      | grep -q '^wasm32-unknown-unknown$' || have_all=0
  else
    have_all=0
  fi
  if (( have_all )); then
    say "$PINNED_TOOLCHAIN with rust-src, clippy, rustfmt and wasm32-unknown-unknown: present"
  else
    say "installing $PINNED_TOOLCHAIN with rust-src, clippy, rustfmt, wasm32-unknown-unknown"
    rustup toolchain install "$RUST_TOOLCHAIN" --profile minimal \
      -c rust-src -c clippy -c rustfmt -t wasm32-unknown-unknown
  fi
}

# Installs the Debian packages needed to compile the tools, when any is missing.
ensure_build_packages() {
  local missing=() pkg
  if ! command -v dpkg >/dev/null 2>&1; then
    say "not a Debian system: make sure these (or your distribution's equivalents) are installed: ${BUILD_PACKAGES[*]}"
    return 0
  fi
  for pkg in "${BUILD_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if (( ${#missing[@]} == 0 )); then
    say "build packages present: ${BUILD_PACKAGES[*]}"
    return 0
  fi
  if [[ "$(id -u)" -ne 0 ]]; then
    die "these Debian packages are needed to compile the tools: ${missing[*]}. Run: sudo apt-get install -y ${missing[*]}   and re-run this script."
  fi
  say "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Succeeds (and says so) when `command...` prints a version containing `want`;
# otherwise says what it found and fails, so the caller compiles the tool.
tool_present() { # want command...
  local want="$1" have; shift
  have="$("$@" 2>/dev/null | head -1 || true)"
  if [[ "$have" == *"$want"* ]]; then
    say "present: $have"
    return 0
  fi
  say "found '${have:-nothing}'"
  return 1
}

ensure_cargo_contract() {
  step "cargo-contract $CARGO_CONTRACT_VERSION"
  tool_present "$CARGO_CONTRACT_VERSION" cargo contract --version && return 0
  say "compiling cargo-contract $CARGO_CONTRACT_VERSION (takes 12-25 min on 2 cores)"
  ensure_build_packages
  local start=$SECONDS
  RUSTUP_TOOLCHAIN="$PINNED_TOOLCHAIN" cargo install cargo-contract \
    --version "$CARGO_CONTRACT_VERSION" --locked --force
  say "cargo-contract compiled in $(elapsed_since "$start")"
}

ensure_contracts_node() {
  step "substrate-contracts-node $CONTRACTS_NODE_VERSION"
  tool_present "$CONTRACTS_NODE_VERSION" substrate-contracts-node --version && return 0
  say "compiling contracts-node $CONTRACTS_NODE_VERSION (takes about 1 h on 2 cores)"
  ensure_build_packages
  local start=$SECONDS
  # The runtime's wasm build must use the crate's own Cargo.lock (fresh versions need a
  # newer rustc) and Rust 1.86: unpack the published crate and point the build at it.
  # (A throwaway `cargo fetch` no longer resolves: core2 0.4.0, which the crate's tree
  # needs, is yanked. Its own lockfile still builds with `--locked`.)
  local source_dir="$CARRACK_CACHE/contracts-node-$CONTRACTS_NODE_VERSION"
  local crate_file="$CARRACK_CACHE/contracts-node-$CONTRACTS_NODE_VERSION.crate"
  local cached
  cached="$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/contracts-node-"$CONTRACTS_NODE_VERSION".crate 2>/dev/null | head -1 || true)"
  mkdir -p "$CARRACK_CACHE"
  if [[ -n "$cached" ]]; then
    cp "$cached" "$crate_file"
  else
    curl -sSfL -o "$crate_file" \
      "https://static.crates.io/crates/contracts-node/contracts-node-$CONTRACTS_NODE_VERSION.crate"
  fi
  # Review SC1: nothing is unpacked (let alone built) that is not the published crate.
  local actual
  actual="$(sha256sum "$crate_file" | cut -c1-64)"
  if [[ "$actual" != "$CONTRACTS_NODE_CRATE_SHA256" ]]; then
    rm -f "$crate_file"
    die "the downloaded contracts-node $CONTRACTS_NODE_VERSION crate is not the published one (sha256 $actual, expected $CONTRACTS_NODE_CRATE_SHA256): removed, nothing unpacked"
  fi
  rm -rf "$source_dir"
  tar -xzf "$crate_file" -C "$CARRACK_CACHE"
  [[ -f "$source_dir/Cargo.lock" ]] || die "$source_dir/Cargo.lock missing after unpacking $crate_file"
  WASM_BUILD_WORKSPACE_HINT="$source_dir" WASM_BUILD_TOOLCHAIN="$PINNED_TOOLCHAIN" \
    RUSTUP_TOOLCHAIN="$PINNED_TOOLCHAIN" \
    cargo install contracts-node --version "$CONTRACTS_NODE_VERSION" --locked --force
  say "substrate-contracts-node compiled in $(elapsed_since "$start")"
}

# The deployment drills and the Polkadot.js client test need Node.js 20+ with npm, curl
# and jq; the cost benchmark compiles its node clock (bench/node-clock.c) with cc, which
# Rust's own linking needs anyway. Installs the Debian packages when missing and running
# as root; otherwise says what to install.
ensure_client_tools() {
  step "Node.js, npm, curl, jq, cc (deployment drills, Polkadot.js client test, cost benchmark)"
  local missing=()
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v jq >/dev/null 2>&1 || missing+=(jq)
  command -v cc >/dev/null 2>&1 || missing+=(gcc)
  if (( ${#missing[@]} > 0 )); then
    if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
      die "missing: ${missing[*]}. Install them (Debian: sudo apt-get install -y ${missing[*]}) and re-run this script."
    fi
    say "apt-get install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  local major
  major="$(node --version | sed -E 's/^v([0-9]+).*/\1/')"
  (( major >= 20 )) || die "Node.js $(node --version) is too old: the client test needs 20 or newer."
  say "present: node $(node --version), npm $(npm --version 2>/dev/null), $(jq --version), $(cc --version | head -1)"
}

# The web app's browser tests drive Debian's Chromium with playwright-core.
ensure_chromium() {
  step "Chromium (the web app's browser tests)"
  if ! command -v chromium >/dev/null 2>&1; then
    if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
      die "Chromium is needed for the browser tests. Install it (Debian: sudo apt-get install -y chromium) and re-run this script."
    fi
    say "apt-get install chromium"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  say "present: $(chromium --version 2>/dev/null | head -1)"
}

# The SMT proofs (scripts/prove.sh) need python3 with venv/ensurepip; prove.sh installs the
# pinned z3-solver from PyPI into $CARRACK_CACHE/venv-proofs itself.
ensure_python_venv() {
  step "python3 with venv (SMT proofs)"
  if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
      die "the proofs need python3 with venv. Install them (Debian: sudo apt-get install -y python3 python3-venv) and re-run this script."
    fi
    say "apt-get install python3 python3-venv"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
  fi
  say "present: $(python3 --version)"
}

main() {
  local start=$SECONDS
  ensure_rust_toolchain
  ensure_cargo_contract
  ensure_contracts_node
  ensure_client_tools
  ensure_chromium
  ensure_python_venv
  step "setup done in $(elapsed_since "$start")"
}

main "$@"
