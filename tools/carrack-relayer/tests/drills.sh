#!/usr/bin/env bash
# Failure drills: five carrack-relayers against a real substrate-contracts-node.
#
# Deploys deploy/devnet.toml with short oracle timings (heartbeat 24 s, round window 10 s)
# on its own node (persistent chain, so the node can be restarted), then starts one
# relayer per reporter (//Bob … //Ferdie), each reading its own price file, which a
# writer loop refreshes every second with the drill's current price:
#   0. a manifest whose oracle address is the pool's (review D2): a relayer given it
#      refuses to submit, naming the address and both code hashes;
#   1. all up: the on-chain TBTC price follows three source changes; the delay from the
#      file change to the new on-chain price is measured for each;
#   2. two relayers stopped (SIGTERM: they must exit 0): the quorum of 3 still moves the
#      price;
#   3. a third stopped: no round can complete, the feed goes Stale on chain once the
#      heartbeat passes; the three come back and the feed is Ok again with the new price;
#   4. the node is stopped and restarted mid-run: every relayer reconnects (metrics show a
#      second connection), the price follows the next change, and no relayer had a
#      submission included twice or refused by the contract;
#   5. two relayers' source reports three times the price for two minutes (the oracle's
#      fault bound, 2 of 5): the on-chain price stays honest and Ok at every read, no
#      candidate is held, and the honest relayers join the rounds the liars open.
#
# Uses the release bundles in ${CARRACK_RELEASE_TARGET_DIR}/ink; builds carrack-deploy
# and carrack-relayer into ${CARRACK_DEPLOY_TARGET_DIR:-~/.cache/carrack/target}.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/lib/common.sh"
export CARGO_TARGET_DIR="$CARRACK_DEPLOY_TARGET_DIR"
DEPLOY="$CARGO_TARGET_DIR/debug/carrack-deploy"
RELAYER="$CARGO_TARGET_DIR/debug/carrack-relayer"
BUNDLES="${CARRACK_BUNDLES:-$CARRACK_RELEASE_TARGET_DIR/ink}"
REPORTERS=(Bob Charlie Dave Eve Ferdie)
HEARTBEAT=24
WINDOW=10

WORK="$(mktemp -d "${TMPDIR:-/tmp}/carrack-drills.XXXXXX")"
NODE_PID=""
WRITER_PID=""
declare -A RELAYER_PID=()
passed=0
failed=0

cleanup() {
  local pid
  for pid in "${RELAYER_PID[@]}"; do kill "$pid" 2>/dev/null || true; done
  [[ -n "$WRITER_PID" ]] && kill "$WRITER_PID" 2>/dev/null || true
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
now_ms() { date +%s%3N; }

for tool in curl jq substrate-contracts-node cargo; do
  command -v "$tool" >/dev/null || die "$tool is not on PATH"
done

step "building carrack-deploy and carrack-relayer"
cargo build --quiet --locked --manifest-path "$CARRACK_ROOT/tools/Cargo.toml" --workspace

step "deploying with heartbeat ${HEARTBEAT} s and round window ${WINDOW} s"
sed -e "s/^heartbeat_secs = .*/heartbeat_secs = $HEARTBEAT/" \
  -e "s/^round_window_secs = .*/round_window_secs = $WINDOW/" \
  "$CARRACK_ROOT/deploy/devnet.toml" >"$WORK/deploy.toml"
grep -q "^heartbeat_secs = $HEARTBEAT" "$WORK/deploy.toml" || die "deploy/devnet.toml has no [oracle] heartbeat_secs line to shorten"
start_dev_node "$WORK/node.log" "$WORK/chain"
URL="ws://127.0.0.1:$NODE_PORT"
"$DEPLOY" deploy -q --config "$WORK/deploy.toml" --bundles "$BUNDLES" \
  --manifest "$WORK/manifest.json" --url "$URL" >/dev/null
say "deployed on $URL"

# ------------------------------------------------------------------ sources and relayers
# The drill's price per reporter; the writer loop rewrites every price file each second
# (a file source's observation time is its modification time).
set_price() { # price [reporter]
  local who
  for who in "${@:2}"; do echo "$1" >"$WORK/target-$who"; done
  if (( $# == 1 )); then for who in "${REPORTERS[@]}"; do echo "$1" >"$WORK/target-$who"; done; fi
}
set_price 60000
(
  while true; do
    for who in "${REPORTERS[@]}"; do
      cp "$WORK/target-$who" "$WORK/price-$who.tmp" && mv "$WORK/price-$who.tmp" "$WORK/price-$who"
    done
    sleep 1
  done
) &
WRITER_PID=$!

for who in "${REPORTERS[@]}"; do
  cat >"$WORK/relayer-$who.toml" <<EOF
[chain]
url = "$URL"
manifest = "manifest.json"
[relayer]
poll_interval_secs = 1
max_source_age_secs = 5
source_timeout_ms = 500
submit_timeout_secs = 10
max_backoff_secs = 2
[[assets]]
asset = "TBTC"
deviation = "0.5%"
heartbeat_margin_secs = 8
[[assets.sources]]
kind = "file"
path = "price-$who"
EOF
done

start_relayer() { # reporter
  CARRACK_LOG=info "$RELAYER" run --config "$WORK/relayer-$1.toml" --suri "//$1" \
    --metrics-listen 127.0.0.1:0 >>"$WORK/relayer-$1.log" 2>&1 &
  RELAYER_PID[$1]=$!
}

stop_relayer() { # reporter: SIGTERM, must exit 0 within 15 s
  local pid="${RELAYER_PID[$1]}" code=0
  kill -TERM "$pid"
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    fail "relayer $1 still runs 15 s after SIGTERM"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" || code=$?
  unset "RELAYER_PID[$1]"
  if (( code == 0 )) && grep -q "relayer stopped" "$WORK/relayer-$1.log"; then
    ok "relayer $1 stopped cleanly on SIGTERM"
  else
    fail "relayer $1 exited with $code on SIGTERM (log: relayer-$1.log)"
  fi
}

feed_json() {
  "$RELAYER" feeds --json --config "$WORK/relayer-Bob.toml" 2>>"$WORK/feeds.err"
}

# Waits until the on-chain TBTC price is `units` (10^-8 USD; several as "a|b") and status
# `status`; prints the wait in ms. Fails after `timeout` seconds.
wait_for_feed() { # units status timeout_secs -> prints ms waited, returns 1 on timeout
  local units="$1" status="$2" deadline=$(( $(now_ms) + $3 * 1000 )) start
  start=$(now_ms)
  while (( $(now_ms) < deadline )); do
    local json
    json="$(feed_json || true)"
    if [[ -n "$json" ]] && [[ "|$units|" == *"|$(jq -r '.feeds[0].price' <<<"$json")|"* ]] \
      && [[ "$(jq -r '.feeds[0].status' <<<"$json")" == "$status" ]]; then
      echo $(( $(now_ms) - start ))
      return 0
    fi
    sleep 0.25
  done
  return 1
}

usd_units() { echo $(( $1 * 100000000 )); } # whole dollars -> 10^-8

# ----------------------------------------------------------------------------- drill 0
step "0. a manifest naming another contract as the oracle: the relayer refuses to submit"
jq '.contracts.oracle.address = .contracts.pool.address' "$WORK/manifest.json" >"$WORK/swapped-manifest.json"
pool_address="$(jq -r '.contracts.pool.address' "$WORK/manifest.json")"
pool_code="$(jq -r '.contracts.pool.code_hash' "$WORK/manifest.json")"
oracle_code="$(jq -r '.source.hash' "$BUNDLES/carrack_oracle/carrack_oracle.json")"
code=0
CARRACK_LOG=info "$RELAYER" run --once --config "$WORK/relayer-Bob.toml" \
  --manifest "$WORK/swapped-manifest.json" --suri //Bob >"$WORK/relayer-swapped.log" 2>&1 || code=$?
if (( code != 0 )) \
  && grep -q "the oracle address $pool_address holds code $pool_code, not the expected $oracle_code" "$WORK/relayer-swapped.log" \
  && ! grep -q "submitting" "$WORK/relayer-swapped.log"; then
  ok "the relayer refused the pool's address as the oracle (exit $code), submitting nothing"
else
  fail "the relayer given the pool's address as the oracle exited $code (log: relayer-swapped.log): $(tail -n 2 "$WORK/relayer-swapped.log")"
fi

for who in "${REPORTERS[@]}"; do start_relayer "$who"; done

# ----------------------------------------------------------------------------- drill 1
step "1. all five relayers up: the price follows the source"
delays=()
for price in 61000 62000 60500; do
  set_price "$price"
  if ms="$(wait_for_feed "$(usd_units "$price")" Ok 30)"; then
    delays+=("$ms")
    ok "on chain $price USD after $ms ms"
  else
    fail "the on-chain price did not reach $price within 30 s"
  fi
done

# ----------------------------------------------------------------------------- drill 2
step "2. two relayers stopped: the quorum of three still moves the price"
stop_relayer Eve
stop_relayer Ferdie
set_price 61500
if ms="$(wait_for_feed "$(usd_units 61500)" Ok 30)"; then
  ok "three relayers moved the price to 61500 USD in $ms ms"
else
  fail "three relayers did not move the price to 61500"
fi

# ----------------------------------------------------------------------------- drill 3
step "3. a third stopped: the feed goes Stale after the heartbeat, and recovers"
stop_relayer Dave
set_price 62500
# Bob and Charlie keep reporting (their blocks move the chain's clock), but two reports
# are no quorum: the last accepted price ages past the heartbeat. That price is 61500, or
# 62500 when Dave's last report was still waiting in the open round as he stopped (its
# window then closes it with Bob's and Charlie's 62500: three reports are a quorum).
if ms="$(wait_for_feed "$(usd_units 61500)|$(usd_units 62500)" Stale $(( HEARTBEAT * 3 )))"; then
  ok "Stale on chain at $(jq -r '.feeds[0].price' <<<"$(feed_json)") units ($ms ms after the third stop)"
else
  fail "the feed did not go Stale within $(( HEARTBEAT * 3 )) s"
fi
start_relayer Dave
start_relayer Eve
start_relayer Ferdie
if ms="$(wait_for_feed "$(usd_units 62500)" Ok 40)"; then
  ok "back to Ok at 62500 USD $ms ms after the three returned"
else
  fail "the feed did not recover within 40 s of the relayers' return"
fi

# ----------------------------------------------------------------------------- drill 4
step "4. the node restarts mid-run: relayers reconnect, nothing lost or repeated"
stop_dev_node
say "node stopped; relayers see the connection drop"
sleep 4
start_dev_node "$WORK/node.log" "$WORK/chain" "$NODE_PORT"
say "node restarted on the same chain and port"
set_price 61800
if ms="$(wait_for_feed "$(usd_units 61800)" Ok 60)"; then
  ok "after the restart the price follows the source (61800 USD in $ms ms)"
else
  fail "the price did not follow the source after the node restart"
fi
for who in "${REPORTERS[@]}"; do
  log="$WORK/relayer-$who.log"
  metrics_at="$(grep -o 'metrics at http://[0-9.:]*' "$log" | tail -1 | sed 's/metrics at //')"
  # The quorum may move the price before the slowest relayer's backoff has run out.
  connects=""
  for _ in $(seq 1 60); do
    connects="$(curl -sf "$metrics_at/metrics" | awk '/^carrack_relayer_connects_total /{print $2}')"
    [[ -n "$connects" ]] && (( connects >= 2 )) && break
    sleep 0.5
  done
  if [[ -n "$connects" ]] && (( connects >= 2 )); then
    ok "$who reconnected (connects_total $connects)"
  else
    fail "$who shows ${connects:-no} connections after the restart"
  fi
done

# Every included submission of a relayer has a distinct observation time (the contract
# refuses a repeat, and the relayer must not even try), and none was refused on chain.
for who in "${REPORTERS[@]}"; do
  log="$WORK/relayer-$who.log"
  repeats="$(grep ' included ' "$log" | grep -o 'observed_at=[0-9]*' | sort | uniq -d | wc -l)"
  failures="$(grep -c 'included but failed\|pool refused' "$log" || true)"
  if (( repeats == 0 && failures == 0 )); then
    ok "$who: $(grep -c ' included ' "$log") submissions included, no repeats, none failed"
  else
    fail "$who: $repeats repeated and $failures failed submissions"
  fi
done

# ----------------------------------------------------------------------------- drill 5
# The oracle's fault bound (2 of 5): two relayers whose source prints three times the
# price report it in every round they can, opening rounds the honest three join. Every
# round closes on all five, so the median stays honest and no candidate is ever held.
step "5. two of five relayers' source reports 3x for two minutes: the on-chain price stays honest"
set_price 188700 Eve Ferdie
set_price 62900 Bob Charlie Dave
if ms="$(wait_for_feed "$(usd_units 62900)" Ok 30)"; then
  ok "on chain 62900 USD while Eve and Ferdie report 188700 ($ms ms)"
else
  fail "the honest price 62900 did not reach the chain"
fi
bad=0
reads=0
updates=()
deadline=$(( $(now_ms) + 120000 ))
while (( $(now_ms) < deadline )); do
  json="$(feed_json || true)"
  price="$(jq -r '.feeds[0].price' <<<"$json")"
  status="$(jq -r '.feeds[0].status' <<<"$json")"
  candidate="$(jq -r '.feeds[0].candidate // "none"' <<<"$json")"
  updates+=("$(jq -r '.feeds[0].updated_at_secs // empty' <<<"$json")")
  reads=$((reads + 1))
  if [[ "$price" != "$(usd_units 62900)" || "$status" != Ok || "$candidate" != none ]]; then
    bad=$((bad + 1))
    say "read: $price $status candidate $candidate"
  fi
  sleep 2
done
rounds="$(printf '%s\n' "${updates[@]}" | sort -u | grep -c . || true)"
if (( bad == 0 )); then
  ok "$reads reads over 120 s: always 62900 USD, Ok, no candidate ($rounds distinct round times)"
else
  fail "$bad of $reads reads showed another price, status or a candidate"
fi
for who in Eve Ferdie; do
  n="$(grep -c 'submitting.*price=18870000000000' "$WORK/relayer-$who.log" || true)"
  if (( n >= 2 )); then
    ok "$who reported its wild price $n times (outvoted every time)"
  else
    fail "$who reported the wild price $n times: the drill did not test anything"
  fi
done
# A refused confirmation needs a held candidate; with the liars outvoted in every round
# none is ever held, so the honest relayers have nothing to refuse (the counter and its
# warning are tested in carrack-relayer's unit tests).
for who in Bob Charlie Dave; do
  log="$WORK/relayer-$who.log"
  metrics_at="$(grep -o 'metrics at http://[0-9.:]*' "$log" | tail -1 | sed 's/metrics at //')"
  refusals="$(curl -sf "$metrics_at/metrics" \
    | awk '/^carrack_relayer_refused_confirmations_total/{n += $2} END {print n + 0}')"
  joins="$(grep -c 'reason=a round is open' "$log" || true)"
  if (( refusals == 0 && joins > 0 )); then
    ok "$who joined $joins rounds others opened; refused confirmations 0 (no candidate held)"
  else
    fail "$who: $refusals refused confirmations, $joins rounds joined"
  fi
done

# ------------------------------------------------------------------------------ summary
step "summary"
if (( ${#delays[@]} > 0 )); then
  say "source change -> new on-chain price, five relayers polling every 1 s: ${delays[*]} ms"
fi
say "$passed passed, $failed failed"
(( failed == 0 ))
