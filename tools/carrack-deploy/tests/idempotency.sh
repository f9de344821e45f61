#!/usr/bin/env bash
# carrack-deploy against a real chain: idempotency, crash recovery and bad input.
#
# Starts its own `substrate-contracts-node --dev --tmp` on a free port and:
#   1. deploys deploy/devnet.toml (deployment A) and checks `status`; re-running the same
#      deploy does nothing;
#   2. deploys a second time with a fresh manifest (B), crashing it twice on purpose
#      (the hidden --kill-after-step exits right after a step's transactions and before
#      the manifest records them: once after an instantiation, once after a listing),
#      and resumes it to completion;
#   3. deploys a third time (C), SIGKILLed at a random point once a few steps are done,
#      and resumes it;
#   4. checks that A, B and C have manifests of the same shape (same steps, contract
#      names and code hashes; distinct addresses), that `status` is healthy for each,
#      and that nothing was instantiated twice (exactly 3 x 8 contracts on chain); then
#      that --reset starts a new deployment, keeping the old manifest as a .bak file;
#   5. bad input: missing bundle, unreachable node, unknown config field, LTV >= LT,
#      wrong code hash on chain, a contract missing, a manifest from another chain and a
#      manifest from another config: each exits non-zero with one `error:` line on
#      stderr and no panic.
#
# Uses the release bundles in $CARRACK_BUNDLES (default
# ${CARRACK_RELEASE_TARGET_DIR:-~/.cache/carrack/target-release}/ink), copied first so a
# concurrent rebuild cannot change them mid-test. Builds the tool into
# ${CARRACK_DEPLOY_TARGET_DIR:-~/.cache/carrack/target}. Needs curl and jq.
set -euo pipefail
# start_dev_node / stop_dev_node (this script keeps its own say/step/die, defined below).
source "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/lib/common.sh"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CRATE="$(dirname "$HERE")"
ROOT="$(cd "$CRATE/../.." && pwd)"
CACHE="${CARRACK_CACHE:-$HOME/.cache/carrack}"
BUNDLES_SRC="${CARRACK_BUNDLES:-${CARRACK_RELEASE_TARGET_DIR:-$CACHE/target-release}/ink}"
export CARGO_TARGET_DIR="$CARRACK_DEPLOY_TARGET_DIR"
TOOL="$CARGO_TARGET_DIR/debug/carrack-deploy"
CONFIG="$ROOT/deploy/devnet.toml"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/carrack-deploy-test.XXXXXX")"
NODE_PID=""
passed=0
failed=0

cleanup() {
  stop_dev_node
  rm -rf "$WORK"
}
trap cleanup EXIT

say() { printf '    %s\n' "$*"; }
step() { printf '\n==> %s\n' "$*"; }
ok() { passed=$((passed + 1)); say "ok: $*"; }
fail() { failed=$((failed + 1)); say "FAILED: $*"; }
die() { printf 'idempotency.sh: %s\n' "$*" >&2; exit 1; }
now_ms() { date +%s%3N; }
secs_since() { local ms=$(( $(now_ms) - $1 )); printf '%d.%01d s' $((ms / 1000)) $(((ms % 1000) / 100)); }

for tool in curl jq substrate-contracts-node cargo; do
  command -v "$tool" >/dev/null || die "$tool is not on PATH"
done

step "building carrack-deploy (target $CARGO_TARGET_DIR)"
t0=$(now_ms)
cargo build --quiet --locked --manifest-path "$CRATE/../Cargo.toml" --workspace
say "built in $(secs_since "$t0")"

step "snapshotting the release bundles from $BUNDLES_SRC"
mkdir -p "$WORK/bundles"
for name in carrack_token carrack_oracle carrack_pool carrack_gov_token carrack_timelock carrack_governor; do
  src="$BUNDLES_SRC/$name/$name.contract"
  [[ -f "$src" ]] || die "missing $src: build the contracts first: scripts/build.sh"
  mkdir -p "$WORK/bundles/$name"
  cp "$src" "$WORK/bundles/$name/"
done

step "starting substrate-contracts-node --dev --tmp"
start_dev_node "$WORK/node.log"
PORT="$NODE_PORT"
URL="ws://127.0.0.1:$PORT"
say "node pid $NODE_PID on $URL"

deploy() { # manifest [extra args...]
  local manifest="$1"; shift
  "$TOOL" deploy --config "$CONFIG" --bundles "$WORK/bundles" --manifest "$manifest" --url "$URL" "$@"
}

# The 1-based number of a step of the devnet config.
step_number() {
  "$TOOL" check --config "$CONFIG" | awk -v s="$1" '$2 == s { sub("\\.", "", $1); print $1 }'
}

# ------------------------------------------------------------------------- deployment A
step "deployment A: fresh"
t0=$(now_ms)
if deploy "$WORK/a.json" >"$WORK/a.out" 2>"$WORK/a.err"; then
  DEPLOY_TIME="$(secs_since "$t0")"
  ok "deployed in $DEPLOY_TIME ($(jq '.steps | length' "$WORK/a.json") steps)"
else
  cat "$WORK/a.err" >&2; die "deployment A failed"
fi
"$TOOL" status --manifest "$WORK/a.json" >"$WORK/a.status" 2>&1 && ok "status A is healthy" \
  || { cat "$WORK/a.status"; fail "status A"; }

step "deployment A: re-run with the same config and manifest"
cp "$WORK/a.json" "$WORK/a.before.json"
t0=$(now_ms)
deploy "$WORK/a.json" >"$WORK/a2.out" 2>"$WORK/a2.err" || { cat "$WORK/a2.err" >&2; fail "re-run"; }
RERUN_TIME="$(secs_since "$t0")"
grep -q "nothing to do" "$WORK/a2.out" && ok "re-run did nothing ($RERUN_TIME)" || fail "re-run said: $(cat "$WORK/a2.out")"
same_a="$(jq -S 'del(.updated_at)' "$WORK/a.before.json")"
[[ "$same_a" == "$(jq -S 'del(.updated_at)' "$WORK/a.json")" ]] && ok "manifest unchanged by the re-run" \
  || fail "the re-run changed the manifest"

# ------------------------------------------------------------------------- deployment B
step "deployment B: fresh manifest, crashed after an instantiation, then after a listing"
kill_1="$(step_number instantiate:pool)"
kill_2="$(step_number market:TBTC)"
[[ -n "$kill_1" && -n "$kill_2" ]] || die "cannot find the crash steps in \`carrack-deploy check\`"
set +e
deploy "$WORK/b.json" --kill-after-step "$kill_1" >/dev/null 2>"$WORK/b1.err"; rc1=$?
deploy "$WORK/b.json" --kill-after-step "$kill_2" >/dev/null 2>"$WORK/b2.err"; rc2=$?
set -e
[[ $rc1 == 137 && $rc2 == 137 ]] && ok "both runs crashed as asked (steps $kill_1, $kill_2)" \
  || { cat "$WORK/b1.err" "$WORK/b2.err" >&2; fail "crash runs exited $rc1, $rc2"; }
[[ "$(jq '.steps | length' "$WORK/b.json")" == $((kill_2 - 1)) ]] \
  && ok "the manifest stops before step $kill_2" || fail "manifest after the crashes: $(jq -c .steps "$WORK/b.json")"
deploy "$WORK/b.json" >"$WORK/b3.out" 2>"$WORK/b3.err" || { cat "$WORK/b3.err" >&2; fail "resuming B"; }
grep -q "resuming .* at step $kill_2 " "$WORK/b3.err" && ok "resumed at step $kill_2" || fail "did not resume at $kill_2"
grep -q "market TBTC: already listed" "$WORK/b3.err" && ok "the crashed listing was found on chain, not repeated" \
  || fail "the crashed listing was not detected"
[[ "$(jq -r '.contracts.pool.recovered' "$WORK/b.json")" == true ]] \
  && ok "the crashed pool instantiation was recovered at its predicted address" || fail "pool not recovered"

# ------------------------------------------------------------------------- deployment C
step "deployment C: SIGKILL at a random point"
# Not through `deploy`: $! must be the tool itself, not a subshell.
"$TOOL" deploy --config "$CONFIG" --bundles "$WORK/bundles" --manifest "$WORK/c.json" --url "$URL" \
  >/dev/null 2>"$WORK/c1.err" &
victim=$!
target=$((3 + RANDOM % 15))
for _ in $(seq 1 600); do
  done_steps="$(jq '.steps | length' "$WORK/c.json" 2>/dev/null || echo 0)"
  (( done_steps >= target )) && break
  kill -0 "$victim" 2>/dev/null || break
  sleep 0.02
done
kill -9 "$victim" 2>/dev/null || true
wait "$victim" 2>/dev/null || true
say "killed after $(jq '.steps | length' "$WORK/c.json" 2>/dev/null || echo 0) recorded steps (aimed at $target)"
deploy "$WORK/c.json" >"$WORK/c2.out" 2>"$WORK/c2.err" && ok "C resumed to completion" \
  || { cat "$WORK/c2.err" >&2; fail "resuming C"; }

# ------------------------------------------------------------------------------ checks
step "comparing A, B and C"
shape() { jq -S '{steps, complete, codes: (.codes | map_values(.code_hash)), contracts: (.contracts | map_values({bundle, code_hash, constructor})), config: .config.digest, chain: .chain.genesis_hash}' "$1"; }
for x in b c; do
  [[ "$(shape "$WORK/a.json")" == "$(shape "$WORK/$x.json")" ]] && ok "manifest ${x^^} has the shape of A" \
    || { diff <(shape "$WORK/a.json") <(shape "$WORK/$x.json") || true; fail "manifest ${x^^} differs from A"; }
  "$TOOL" status --manifest "$WORK/$x.json" >"$WORK/$x.status" 2>&1 && ok "status ${x^^} is healthy" \
    || { cat "$WORK/$x.status"; fail "status ${x^^}"; }
done
addresses="$(jq -r '.contracts[].address' "$WORK/a.json" "$WORK/b.json" "$WORK/c.json")"
[[ "$(sort <<<"$addresses" | uniq -d)" == "" && "$(wc -l <<<"$addresses")" == 24 ]] \
  && ok "24 distinct addresses across the three deployments" || fail "addresses repeat or are missing"
on_chain="$("$TOOL" status --manifest "$WORK/a.json" --json | jq .chain_contract_count)"
[[ "$on_chain" == 24 ]] && ok "24 contracts on chain: nothing was instantiated twice" \
  || fail "$on_chain contracts on chain, expected 24"

step "--reset starts a new deployment and keeps the old manifest"
deploy "$WORK/c.json" --reset >/dev/null 2>"$WORK/reset.err" || { cat "$WORK/reset.err" >&2; fail "--reset"; }
backups=("$WORK"/c.json.*.bak)
if [[ -f "${backups[0]}" ]] && [[ "$(jq -r .deployment_id "${backups[0]}")" != "$(jq -r .deployment_id "$WORK/c.json")" ]] \
  && [[ "$(jq -r .contracts.pool.address "${backups[0]}")" != "$(jq -r .contracts.pool.address "$WORK/c.json")" ]]; then
  ok "--reset deployed anew ($(basename "${backups[0]}") kept)"
else
  fail "--reset"
fi

# --------------------------------------------------------------------------- bad input
step "bad input"
# Runs the tool and expects a non-zero exit, exactly one `error:` line containing
# `expect`, and no panic.
expect_error() { # name expect tool-args...
  local name="$1" expect="$2"; shift 2
  local rc=0
  "$TOOL" "$@" >"$WORK/bad.out" 2>"$WORK/bad.err" || rc=$?
  local errors
  errors="$(grep -c '^error:' "$WORK/bad.err" || true)"
  if (( rc != 0 )) && [[ "$errors" == 1 ]] && ! grep -qi 'panicked\|backtrace' "$WORK/bad.err" \
    && grep -q -- "$expect" "$WORK/bad.err"; then
    ok "$name: exit $rc, $(grep '^error:' "$WORK/bad.err" | cut -c1-150)"
  else
    fail "$name: exit $rc, $errors error lines; stderr:"
    sed 's/^/      /' "$WORK/bad.err"
  fi
}

mkdir -p "$WORK/partial"
cp -r "$WORK/bundles/carrack_token" "$WORK/partial/"
expect_error "missing bundle" "bundle carrack_oracle not found" \
  deploy --config "$CONFIG" --bundles "$WORK/partial" --manifest "$WORK/x.json" --url "$URL"
expect_error "unreachable node" "cannot connect to the node at ws://127.0.0.1:1" \
  deploy --config "$CONFIG" --bundles "$WORK/bundles" --manifest "$WORK/x.json" --url ws://127.0.0.1:1
sed 's/^dust_value = "1"/dust_value = "1"\ndust_value_usd = 1/' "$CONFIG" >"$WORK/unknown.toml"
expect_error "unknown config field" "unknown field \`dust_value_usd\`" \
  deploy --config "$WORK/unknown.toml" --bundles "$WORK/bundles" --manifest "$WORK/x.json" --url "$URL"
sed '0,/^ltv = "75%"/s//ltv = "80%"/' "$CONFIG" >"$WORK/ltv.toml"
expect_error "LTV >= LT" "markets.TUSD: ltv (80%) must be below liquidation_threshold (80%)" \
  deploy --config "$WORK/ltv.toml" --bundles "$WORK/bundles" --manifest "$WORK/x.json" --url "$URL"
sed '0,/^ltv = "75%"/s//ltv = "74%"/' "$CONFIG" >"$WORK/other.toml"
expect_error "manifest of another config" "written for another config" \
  deploy --config "$WORK/other.toml" --bundles "$WORK/bundles" --manifest "$WORK/a.json" --url "$URL"
jq '.chain.genesis_hash = "0x\("00" * 32)"' "$WORK/a.json" >"$WORK/foreign.json"
expect_error "manifest from another chain (deploy)" "belongs to chain" \
  deploy --config "$CONFIG" --bundles "$WORK/bundles" --manifest "$WORK/foreign.json" --url "$URL"
expect_error "manifest from another chain (status)" "belongs to chain" status --manifest "$WORK/foreign.json"
# The pool's record pointing at the oracle: a contract with another code hash.
jq '.contracts.pool.address = .contracts.oracle.address' "$WORK/a.json" >"$WORK/wrongcode.json"
expect_error "substituted address (deploy)" "pool is recorded at .* the manifest was edited" \
  deploy --config "$CONFIG" --bundles "$WORK/bundles" --manifest "$WORK/wrongcode.json" --url "$URL"
expect_error "wrong code hash on chain (status)" "unhealthy" status --manifest "$WORK/wrongcode.json"
grep -q "pool: code hash on chain" "$WORK/bad.out" && ok "status names the code hash mismatch" \
  || fail "status did not name the mismatch"
# Review D2: the oracle of deployment C (same code, same deployer, so the chain's code hash
# matches) substituted into A's complete manifest: the pool would trust it.
jq --arg a "$(jq -r .contracts.oracle.address "$WORK/c.json")" '.contracts.oracle.address = $a' \
  "$WORK/a.json" >"$WORK/swapped.json"
expect_error "same-code contract of another deployment (deploy)" "oracle is recorded at .* the manifest was edited" \
  deploy --config "$CONFIG" --bundles "$WORK/bundles" --manifest "$WORK/swapped.json" --url "$URL"
expect_error "same-code contract of another deployment (status)" "unhealthy" status --manifest "$WORK/swapped.json"
grep -q "oracle is recorded at .* the manifest was edited" "$WORK/bad.out" \
  && ok "status names the substituted oracle" || fail "status did not name the substitution"
jq --arg a "$(jq -r .deployer "$WORK/a.json")" '.contracts.pool.address = $a' "$WORK/a.json" >"$WORK/missing.json"
expect_error "contract missing (status)" "unhealthy" status --manifest "$WORK/missing.json"
grep -q "pool: no contract at" "$WORK/bad.out" && ok "status names the missing contract" \
  || fail "status did not name the missing contract"
expect_error "address not derived (deploy)" "pool is recorded at .* the manifest was edited" \
  deploy --config "$CONFIG" --bundles "$WORK/bundles" --manifest "$WORK/missing.json" --url "$URL"

step "summary"
say "deployment of the full devnet suite with warm bundles: $DEPLOY_TIME; re-run check: $RERUN_TIME"
printf '%d passed, %d failed\n' "$passed" "$failed"
(( failed == 0 ))
