#!/usr/bin/env bash
# Keeper drills on a real substrate-contracts-node.
#
# Deploys deploy/devnet.toml with a 10 s liquidation grace period (devnet's 600 s would
# hold every liquidation for ten minutes after the feeds' first prices) on its own node,
# then:
#   1. tests/crash_drill.rs: five borrowers against TBTC; the reporters crash TBTC's price
#      (-18 %) and the keeper must liquidate the three accounts that fell below health
#      factor 1 within a bounded number of blocks (the figure is printed), and no other,
#      leaving no bad debt; it is then killed (SIGKILL), a second crash comes while it is
#      down, and the restarted keeper must resume from its SQLite database and liquidate
#      the new ones, its index holding exactly the chain's liquidations; its HTTP API and
#      metrics show the liquidations, the borrowers by health and a market's history;
#      then TBTC's cash is all borrowed and a third crash comes: the keeper must liquidate
#      by taking the collateral as supply (liquidate_to_supply), not wait;
#   2. the node is stopped and restarted under a running keeper: it reports the connection
#      down, reconnects and keeps its index;
#   3. a chain reset: the node is replaced by a fresh --dev chain (same genesis, other
#      blocks) with a new deployment; the keeper with the old database must refuse,
#      naming the reset, and index the new chain with --reindex.
#   4. tests/markets_drill.rs on bench/bench.toml's deployment (eight markets): a borrower
#      in all eight must be liquidated across several collateral markets back to health
#      factor 1; a borrower whose collateral market has no cash must be waited for (one
#      log line per retry period, no failed transaction) and liquidated once cash is back.
#
# Uses the release bundles in ${CARRACK_RELEASE_TARGET_DIR}/ink (scripts/build.sh); builds
# the tools into ${CARRACK_DEPLOY_TARGET_DIR:-~/.cache/carrack/target}.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/lib/common.sh"
export CARGO_TARGET_DIR="$CARRACK_DEPLOY_TARGET_DIR"
DEPLOY="$CARGO_TARGET_DIR/debug/carrack-deploy"
KEEPER="$CARGO_TARGET_DIR/debug/carrack-keeper"
BUNDLES="${CARRACK_BUNDLES:-$CARRACK_RELEASE_TARGET_DIR/ink}"
TOOLS_MANIFEST="$CARRACK_ROOT/tools/Cargo.toml"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/carrack-keeper-drills.XXXXXX")"
NODE_PID=""
passed=0
failed=0

cleanup() {
  # A keeper the drill started and could not stop (a failed assertion skips its kill).
  pkill -f "carrack-keeper --config $WORK/" 2>/dev/null || true
  stop_dev_node
  if (( failed > 0 )) || [[ "${KEEP_DRILL_LOGS:-0}" == 1 ]]; then
    say "logs kept in $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

ok() { passed=$((passed + 1)); say "ok: $*"; }
fail() { failed=$((failed + 1)); say "FAILED: $*"; }

for tool in curl substrate-contracts-node cargo; do
  command -v "$tool" >/dev/null || die "$tool is not on PATH"
done

step "building the tools and the keeper's drill"
cargo build --quiet --locked --manifest-path "$TOOLS_MANIFEST" --workspace
cargo test --quiet --locked --manifest-path "$TOOLS_MANIFEST" -p carrack-keeper --test crash_drill --test markets_drill --no-run

deploy_fresh() { # manifest log [base_path]
  sed -e "s/^liquidation_grace_secs = .*/liquidation_grace_secs = 10/" \
    "$CARRACK_ROOT/deploy/devnet.toml" >"$WORK/deploy.toml"
  grep -q "^liquidation_grace_secs = 10" "$WORK/deploy.toml" || die "deploy/devnet.toml has no [pool] liquidation_grace_secs line to shorten"
  start_dev_node "$2" "${3:-}"
  URL="ws://127.0.0.1:$NODE_PORT"
  "$DEPLOY" deploy -q --config "$WORK/deploy.toml" --bundles "$BUNDLES" \
    --manifest "$1" --url "$URL" >/dev/null
  say "deployed on $URL"
}

step "1. a price crash, a kill and a restart (tests/crash_drill.rs)"
deploy_fresh "$WORK/manifest.json" "$WORK/node-1.log" "$WORK/chain-1"
API_PORT=$(( 20000 + RANDOM % 12000 ))
while (exec 3<>"/dev/tcp/127.0.0.1/$API_PORT") 2>/dev/null; do API_PORT=$(( 20000 + RANDOM % 12000 )); done
if CARRACK_DRILL_URL="$URL" CARRACK_DRILL_MANIFEST="$WORK/manifest.json" CARRACK_DRILL_API_PORT="$API_PORT" \
  CARRACK_DRILL_WORK="$WORK" CARRACK_KEEPER_BIN="$KEEPER" \
  cargo test --quiet --locked --manifest-path "$TOOLS_MANIFEST" -p carrack-keeper \
    --test crash_drill -- --ignored --nocapture 2>&1 | tee "$WORK/crash-drill.log" | sed 's/^/    /'; then
  if grep -q "test result: ok. 1 passed" "$WORK/crash-drill.log"; then
    ok "the keeper liquidated both crashes and resumed after a kill"
  else
    fail "the crash drill did not run (log: crash-drill.log)"
  fi
else
  fail "the crash drill (log: crash-drill.log, keeper-1.log, keeper-2.log)"
fi

step "2. the node restarts under a running keeper"
"$KEEPER" --config "$WORK/keeper.toml" >"$WORK/keeper-3.log" 2>&1 &
KEEPER_PID=$!
metric() { # name -> value on the keeper's /metrics
  curl -sf "http://127.0.0.1:$API_PORT/metrics" | sed -n "s/^$1 //p"
}
for _ in $(seq 1 100); do [[ "$(metric carrack_keeper_connected)" == 1 ]] && break; sleep 0.1; done
before="$(metric carrack_keeper_last_indexed_block)"
NODE_PORT_KEPT=$NODE_PORT
stop_dev_node
for _ in $(seq 1 100); do [[ "$(metric carrack_keeper_connected)" == 0 ]] && break; sleep 0.1; done
down="$(metric carrack_keeper_connected)"
start_dev_node "$WORK/node-1b.log" "$WORK/chain-1" "$NODE_PORT_KEPT"
for _ in $(seq 1 300); do [[ "$(metric carrack_keeper_connects_total)" == 2 ]] && break; sleep 0.1; done
if [[ "$down" == 0 && "$(metric carrack_keeper_connects_total)" == 2 && "$(metric carrack_keeper_connected)" == 1 ]] \
  && (( $(metric carrack_keeper_last_indexed_block) >= before )) && kill -0 "$KEEPER_PID" 2>/dev/null; then
  ok "the keeper saw the node go, reconnected when it came back and kept its index (block $(metric carrack_keeper_last_indexed_block), was $before)"
else
  fail "the keeper across a node restart (keeper-3.log): connected while down: $down, connects: $(metric carrack_keeper_connects_total)"
fi
kill -INT "$KEEPER_PID" 2>/dev/null || true
wait "$KEEPER_PID" 2>/dev/null || true

step "3. a chain reset: the same genesis, other blocks"
stop_dev_node
deploy_fresh "$WORK/manifest-2.json" "$WORK/node-2.log"
sed -e "s|^url = .*|url = \"$URL\"|" -e "s|^manifest = .*|manifest = \"$WORK/manifest-2.json\"|" \
  "$WORK/keeper.toml" >"$WORK/keeper-2.toml"
if "$KEEPER" --config "$WORK/keeper-2.toml" --once >"$WORK/reset.out" 2>"$WORK/reset.log"; then
  fail "the keeper accepted a reset chain with the old database (reset.log)"
elif grep -q "the chain was reset" "$WORK/reset.log"; then
  ok "the keeper refuses the reset chain: $(grep -o 'the database indexed block [0-9]*' "$WORK/reset.log" | head -1), not on this chain"
else
  fail "the keeper failed on the reset chain without naming the reset (reset.log)"
fi
if "$KEEPER" --config "$WORK/keeper-2.toml" --once --reindex >"$WORK/reindex.out" 2>"$WORK/reindex.log" \
  && grep -q "liquidations_indexed 0" "$WORK/reindex.out"; then
  ok "--reindex indexes the new chain: $(cat "$WORK/reindex.out")"
else
  fail "--reindex on the new chain (reindex.log, reindex.out)"
fi

step "4. eight markets, and a collateral market without cash (tests/markets_drill.rs)"
stop_dev_node
start_dev_node "$WORK/node-3.log"
URL="ws://127.0.0.1:$NODE_PORT"
"$DEPLOY" deploy -q --config "$CARRACK_ROOT/bench/bench.toml" --bundles "$BUNDLES" \
  --manifest "$WORK/manifest-bench.json" --url "$URL" >/dev/null
say "deployed bench/bench.toml on $URL"
if CARRACK_DRILL_URL="$URL" CARRACK_DRILL_MANIFEST="$WORK/manifest-bench.json" CARRACK_DRILL_API_PORT="$API_PORT" \
  CARRACK_DRILL_WORK="$WORK" CARRACK_KEEPER_BIN="$KEEPER" \
  cargo test --quiet --locked --manifest-path "$TOOLS_MANIFEST" -p carrack-keeper \
    --test markets_drill -- --ignored --nocapture 2>&1 | tee "$WORK/markets-drill.log" | sed 's/^/    /'; then
  if grep -q "test result: ok. 1 passed" "$WORK/markets-drill.log"; then
    ok "the keeper liquidated a borrower across eight markets and waited out a market without cash"
  else
    fail "the markets drill did not run (log: markets-drill.log)"
  fi
else
  fail "the markets drill (log: markets-drill.log, keeper-markets.log)"
fi

step "summary"
say "$passed passed, $failed failed"
(( failed == 0 ))
