#!/usr/bin/env bash
# Starts a local Carrack devnet: substrate-contracts-node on ws://127.0.0.1:9944 with a
# persistent chain under .devnet/, the contracts built in release mode, and the suite
# deployed (for now: two test tokens, the oracle with a feed for each, and the pool with
# a market for each). Prints the
# addresses and how to open them in Polkadot.js Apps / Contracts UI, then keeps the node
# running until Ctrl-C.
#
#   scripts/devnet.sh           start (re-uses the chain and contracts of a previous run)
#   scripts/devnet.sh --reset   wipe .devnet/ and start a fresh chain
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
on_failure_name_step devnet.sh
cd "$CARRACK_ROOT"

RPC_PORT="${CARRACK_DEVNET_PORT:-9944}"
NODE_URL="ws://127.0.0.1:$RPC_PORT"
DEVNET_DIR="$CARRACK_ROOT/.devnet"
DEPLOYMENT_FILE="$DEVNET_DIR/deployment.tsv"
NODE_PID=""

usage() {
  sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

reset=0
for arg in "$@"; do
  case "$arg" in
    --reset) reset=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $arg" ;;
  esac
done

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$RPC_PORT") 2>/dev/null; }

rpc() { # method -> JSON response
  curl -sf -H 'Content-Type: application/json' \
    -d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$1\",\"params\":[]}" \
    "http://127.0.0.1:$RPC_PORT"
}

# The latest block's timestamp (storage Timestamp::Now, a little-endian u64 of
# milliseconds) in seconds. Dry runs execute at this time, so a price observed at it is
# valid both in the dry run that sizes the gas and on chain.
chain_time_secs() {
  local hex le="" i
  hex="$(curl -sf -H 'Content-Type: application/json' \
    -d '{"id":1,"jsonrpc":"2.0","method":"state_getStorage","params":["0xf0c365c3cf59d671eb72da0e7a4113c49f1f0515f462cdcf84e0f1d6045dfcbb"]}' \
    "http://127.0.0.1:$RPC_PORT" | sed -n 's/.*"result":"0x\([0-9a-f]\{16\}\)".*/\1/p')"
  [[ -n "$hex" ]] || return 1
  for (( i = 14; i >= 0; i -= 2 )); do le+="${hex:i:2}"; done
  echo $(( 16#$le / 1000 ))
}

stop_node() {
  if [[ -n "$NODE_PID" ]] && kill -0 "$NODE_PID" 2>/dev/null; then
    printf '\n==> stopping substrate-contracts-node (pid %s)\n' "$NODE_PID"
    kill -INT "$NODE_PID" 2>/dev/null || true
    wait "$NODE_PID" 2>/dev/null || true
    say "node stopped; the chain is kept in .devnet/chain (scripts/devnet.sh --reset starts over)"
  fi
}

# `cargo contract` against the devnet, signed by `$SURI` (default //Alice). These are
# well-known development keys: never use them outside a devnet.
contract_cmd() {
  cargo contract "$@" --suri "${SURI:-//Alice}" --url "$NODE_URL"
}

# Well-known dev accounts (sr25519, SS58 prefix 42).
ALICE="5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
REPORTER_URIS=(//Bob //Charlie //Dave //Eve //Ferdie)
REPORTERS="[5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty, 5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y, 5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy, 5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw, 5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL]"

# The address a previous run recorded under `name`, if any.
recorded() {
  awk -F'\t' -v n="$1" '$1 == n { print $2 }' "$DEPLOYMENT_FILE" 2>/dev/null || true
}

# Records `name address description`, replacing an older line of the same name.
record() {
  { grep -v -P "^$1\t" "$DEPLOYMENT_FILE" 2>/dev/null || true; printf '%s\t%s\t%s\n' "$1" "$2" "$3"; } \
    > "$DEPLOYMENT_FILE.tmp"
  mv "$DEPLOYMENT_FILE.tmp" "$DEPLOYMENT_FILE"
}

# Dry-runs `message` on a contract and prints its decoded result line (e.g.
# `Ok(Err(UnknownFeed))`); fails if the call could not be made at all.
dry_run() { # address bundle message [args...]
  local address="$1" bundle="$2" message="$3"; shift 3
  local args=() out
  (( $# )) && args=(--args "$@")
  out="$(contract_cmd call "$bundle" --contract "$address" --message "$message" "${args[@]}" 2>&1)" || return 1
  sed -n 's/^ *Result //p' <<<"$out" | head -1 | grep . || return 1
}

# Submits `message` as a transaction; prints nothing, fails loudly.
execute() { # address bundle message [args...]
  local address="$1" bundle="$2" message="$3"; shift 3
  local log="$DEVNET_DIR/last-call.log"
  local args=()
  (( $# )) && args=(--args "$@")
  contract_cmd call "$bundle" --contract "$address" --message "$message" "${args[@]}" \
    --execute --skip-confirm >"$log" 2>&1 \
    || { cat "$log" >&2; die "$message on $address failed"; }
  if grep -q "Reverted *true\|ContractReverted" "$log"; then
    cat "$log" >&2; die "$message on $address reverted"
  fi
}

# Instantiates a bundle and prints the new address.
instantiate() { # label bundle constructor args...
  local label="$1" bundle="$2" constructor="$3"; shift 3
  local out log="$DEVNET_DIR/deploy-$label.log"
  out="$(contract_cmd instantiate "$bundle" --constructor "$constructor" --args "$@" \
    --salt "0x$(printf '%032x' "$(date +%s%N)")" --execute --skip-confirm --output-json 2>"$log")" \
    || { cat "$log" >&2; die "instantiating $label failed"; }
  sed -n 's/.*"contract": *"\([^"]*\)".*/\1/p' <<<"$out" | head -1
}

# Prints the address of a token, deploying it unless a previous run's deployment answers
# on this chain: name symbol decimals supply
deploy_token() {
  local name="$1" symbol="$2" decimals="$3" supply="$4" address bundle
  bundle="$(release_bundle carrack_token)"
  address="$(recorded "$symbol")"
  if [[ -n "$address" ]] && dry_run "$address" "$bundle" PSP22Metadata::token_symbol | grep -q "$symbol"; then
    echo "$address"; return 0
  fi
  address="$(instantiate "$symbol" "$bundle" new "$supply" "Some(\"$name\")" "Some(\"$symbol\")" "$decimals" "Some($ALICE)")"
  [[ -n "$address" ]] || die "no address for token $symbol"
  record "$symbol" "$address" "PSP22 $name, $decimals decimals"
  echo "$address"
}

# Prints the oracle's address, deploying it unless it answers already. Governance and
# guardian are //Alice until the governance contracts take over.
deploy_oracle() {
  local address bundle
  bundle="$(release_bundle carrack_oracle)"
  address="$(recorded ORACLE)"
  if [[ -n "$address" ]] && dry_run "$address" "$bundle" assets >/dev/null; then
    echo "$address"; return 0
  fi
  address="$(instantiate oracle "$bundle" new "$ALICE" "$ALICE")"
  [[ -n "$address" ]] || die "no address for the oracle"
  record ORACLE "$address" "price oracle"
  echo "$address"
}

# Adds a feed for `asset` (five reporters, quorum 3, 8-decimal prices) unless it exists,
# and has three reporters complete a first round at `price` unless a price exists.
ensure_feed() { # oracle asset price
  local oracle="$1" asset="$2" price="$3" bundle
  bundle="$(release_bundle carrack_oracle)"
  local result
  result="$(dry_run "$oracle" "$bundle" feed_info "$asset")" || die "cannot read the oracle's feeds"
  if [[ "$result" == *UnknownFeed* ]]; then
    execute "$oracle" "$bundle" add_feed "$asset" \
      "{ quorum: 3, heartbeat_secs: 3600, round_window_secs: 600, min_price: 1, max_price: 100000000000000000, max_deviation_wad: 200000000000000000, decimals: 8 }" \
      "$REPORTERS"
  fi
  result="$(dry_run "$oracle" "$bundle" PriceOracle::price "$asset")" || die "cannot read the oracle's prices"
  if [[ "$result" == *NoPrice* ]]; then
    local observed_at uri
    observed_at="$(chain_time_secs)" || die "cannot read the chain's time"
    for uri in "${REPORTER_URIS[@]:0:3}"; do
      SURI="$uri" execute "$oracle" "$bundle" submit "$asset" "$price" "$observed_at"
    done
  fi
  result="$(dry_run "$oracle" "$bundle" PriceOracle::price "$asset")" || die "cannot read the oracle's prices"
  [[ "$result" == *"status: Ok"* ]] || die "the feed of $asset is not Ok after setup: $result"
}

# Prints the pool's address, deploying it unless it answers already: governance and
# guardian //Alice until the governance contracts take over, liquidation grace 10 minutes,
# dust threshold 1 quote unit.
deploy_pool() { # oracle
  local oracle="$1" address bundle
  bundle="$(release_bundle carrack_pool)"
  address="$(recorded POOL)"
  if [[ -n "$address" ]] && dry_run "$address" "$bundle" markets >/dev/null; then
    echo "$address"; return 0
  fi
  address="$(instantiate pool "$bundle" new "$ALICE" "$ALICE" "$oracle" \
    "{ liquidation_grace_secs: 600, dust_value_wad: 1000000000000000000 }")"
  [[ -n "$address" ]] || die "no address for the pool"
  record POOL "$address" "lending pool"
  echo "$address"
}

# Lists `asset` in the pool unless listed: Comet-like risk parameters (LTV 75 %, liquidation
# threshold 80 %, bonus 5 %, protocol fee 10 % of the bonus, reserve factor 10 %), a kinked
# rate curve (1 % base, +4 % to the 80 % kink, +75 % above), no caps, and a seed of one
# whole token as dead shares, approved and paid by //Alice.
ensure_market() { # pool asset decimals seed
  local pool="$1" asset="$2" decimals="$3" seed="$4" bundle token_bundle
  bundle="$(release_bundle carrack_pool)"
  token_bundle="$(release_bundle carrack_token)"
  local result
  result="$(dry_run "$pool" "$bundle" market "$asset")" || die "cannot read the pool's markets"
  [[ "$result" == *UnknownMarket* ]] || return 0
  execute "$asset" "$token_bundle" PSP22::approve "$pool" "$seed"
  execute "$pool" "$bundle" list_market "$asset" \
    "{ config: { decimals: $decimals, ltv_wad: 750000000000000000, liquidation_threshold_wad: 800000000000000000, liquidation_bonus_wad: 1050000000000000000, liquidation_protocol_fee_wad: 100000000000000000, reserve_factor_wad: 100000000000000000, rate_model: { base_rate_wad: 10000000000000000, slope_low_wad: 40000000000000000, slope_high_wad: 750000000000000000, optimal_utilization_wad: 800000000000000000 }, supply_cap: 340282366920938463463374607431768211455, borrow_cap: 340282366920938463463374607431768211455, min_debt: 0 }, collateral_enabled: true, borrowing_enabled: true }" \
    "$seed"
}

main() {
  local start=$SECONDS
  "$CARRACK_ROOT/scripts/setup.sh"

  step "preparing .devnet/"
  if port_in_use; then
    die "something already listens on 127.0.0.1:$RPC_PORT (another devnet?). Stop it first, or set CARRACK_DEVNET_PORT."
  fi
  if (( reset )); then
    say "--reset: removing .devnet/"
    rm -rf "$DEVNET_DIR"
  fi
  mkdir -p "$DEVNET_DIR"

  step "building the contracts in release mode"
  build_release_contracts

  step "starting substrate-contracts-node on $NODE_URL"
  substrate-contracts-node --dev --base-path "$DEVNET_DIR/chain" \
    --rpc-port "$RPC_PORT" --rpc-cors all >"$DEVNET_DIR/node.log" 2>&1 &
  NODE_PID=$!
  trap stop_node EXIT
  trap 'exit 130' INT TERM
  local waited=0
  until rpc system_health >/dev/null 2>&1; do
    kill -0 "$NODE_PID" 2>/dev/null || { tail -n 30 "$DEVNET_DIR/node.log" >&2; die "substrate-contracts-node exited (log: .devnet/node.log)"; }
    (( waited < 120 )) || die "node did not answer on $NODE_URL within 60 s (log: .devnet/node.log)"
    sleep 0.5; waited=$(( waited + 1 ))
  done
  say "node up (pid $NODE_PID, log .devnet/node.log)"

  step "deploying the suite"
  local tusd teth oracle pool
  tusd="$(deploy_token "Test USD" TUSD 6 1000000000000000)"
  say "TUSD (6 decimals)  $tusd"
  teth="$(deploy_token "Test Ether" TETH 18 1000000000000000000000000)"
  say "TETH (18 decimals) $teth"
  oracle="$(deploy_oracle)"
  say "oracle             $oracle"
  ensure_feed "$oracle" "$tusd" 100000000
  ensure_feed "$oracle" "$teth" 200000000000
  say "feeds: TUSD 1.00, TETH 2000.00 (8 decimals), reporters //Bob //Charlie //Dave //Eve //Ferdie, quorum 3"
  pool="$(deploy_pool "$oracle")"
  say "pool               $pool"
  ensure_market "$pool" "$tusd" 6 1000000
  ensure_market "$pool" "$teth" 18 1000000000000000000
  say "markets: TUSD and TETH listed (LTV 75 %, liquidation threshold 80 %, bonus 5 %)"

  cat <<SUMMARY

==> Carrack devnet is ready ($(elapsed_since "$start"))
    node            $NODE_URL   (dev chain, instant seal, data in .devnet/chain)
    token TUSD      $tusd   (PSP22, 6 decimals, supply held by //Alice, minter //Alice)
    token TETH      $teth   (PSP22, 18 decimals, supply held by //Alice, minter //Alice)
    oracle          $oracle   (governance and guardian //Alice; reporters //Bob .. //Ferdie, quorum 3)
    pool            $pool   (markets TUSD and TETH; governance and guardian //Alice)
    bundles         $(release_bundle carrack_token)
                    $(release_bundle carrack_oracle)
                    $(release_bundle carrack_pool)
    deployment      .devnet/deployment.tsv

    Open in Polkadot.js Apps:  https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A$RPC_PORT#/contracts
      ("Add an existing contract": paste an address above and upload the .contract bundle)
    Open in Contracts UI:      https://contracts-ui.substrate.io/?rpc=$NODE_URL
    Command line:              cargo contract call --url $NODE_URL --suri //Alice \\
                                 --contract $tusd --message PSP22::total_supply \\
                                 $(release_bundle carrack_token)

    Press Ctrl-C to stop the node; the chain stays in .devnet/ for the next run.
SUMMARY
  wait "$NODE_PID" || true
  NODE_PID=""
}

main
