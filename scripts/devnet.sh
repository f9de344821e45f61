#!/usr/bin/env bash
# Starts a local Carrack devnet: substrate-contracts-node on ws://127.0.0.1:9944 with a
# persistent chain under .devnet/, the contracts built in release mode, and the suite
# deployed (for now: two test tokens). Prints the addresses and how to open them in
# Polkadot.js Apps / Contracts UI, then keeps the node running until Ctrl-C.
#
#   scripts/devnet.sh           start (re-uses the chain and tokens of a previous run)
#   scripts/devnet.sh --reset   wipe .devnet/ and start a fresh chain
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
on_failure_name_step devnet.sh
cd "$CARRACK_ROOT"

RPC_PORT="${CARRACK_DEVNET_PORT:-9944}"
NODE_URL="ws://127.0.0.1:$RPC_PORT"
DEVNET_DIR="$CARRACK_ROOT/.devnet"
TOKENS_FILE="$DEVNET_DIR/tokens.tsv"
NODE_PID=""

usage() {
  sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
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

stop_node() {
  if [[ -n "$NODE_PID" ]] && kill -0 "$NODE_PID" 2>/dev/null; then
    printf '\n==> stopping substrate-contracts-node (pid %s)\n' "$NODE_PID"
    kill -INT "$NODE_PID" 2>/dev/null || true
    wait "$NODE_PID" 2>/dev/null || true
    say "node stopped; the chain is kept in .devnet/chain (scripts/devnet.sh --reset starts over)"
  fi
}

# `cargo contract` against the devnet, signed by Alice (a well-known dev key; never use
# such keys outside a devnet).
contract_cmd() {
  cargo contract "$@" --suri //Alice --url "$NODE_URL"
}

# Prints the address of a deployed token, deploying it first unless a previous run's
# deployment answers on this chain: name symbol decimals supply
deploy_token() {
  local name="$1" symbol="$2" decimals="$3" supply="$4" address
  local bundle
  bundle="$(release_bundle carrack_token)"
  address="$(awk -F'\t' -v s="$symbol" '$1 == s { print $2 }' "$TOKENS_FILE" 2>/dev/null || true)"
  if [[ -n "$address" ]] && contract_cmd call --contract "$address" \
       --message PSP22Metadata::token_symbol "$bundle" --output-json >/dev/null 2>&1; then
    echo "$address"
    return 0
  fi
  local out
  out="$(contract_cmd instantiate "$bundle" --constructor new \
    --args "$supply" "Some(\"$name\")" "Some(\"$symbol\")" "$decimals" \
           "Some($(alice_address))" \
    --salt "0x$(printf '%032x' "$(date +%s%N)")" --execute --skip-confirm --output-json 2>"$DEVNET_DIR/deploy-$symbol.log")" \
    || { cat "$DEVNET_DIR/deploy-$symbol.log" >&2; die "instantiating token $symbol failed"; }
  address="$(python3 -c 'import json,sys; print(json.load(sys.stdin)["contract"])' <<<"$out")"
  grep -v -P "^$symbol\t" "$TOKENS_FILE" 2>/dev/null > "$TOKENS_FILE.tmp" || true
  printf '%s\t%s\t%s\t%s\n' "$symbol" "$address" "$decimals" "$name" >> "$TOKENS_FILE.tmp"
  mv "$TOKENS_FILE.tmp" "$TOKENS_FILE"
  echo "$address"
}

alice_address() { echo "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"; }

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
  local tusd teth
  tusd="$(deploy_token "Test USD" TUSD 6 1000000000000000)"
  say "TUSD (6 decimals)  $tusd"
  teth="$(deploy_token "Test Ether" TETH 18 1000000000000000000000000)"
  say "TETH (18 decimals) $teth"

  cat <<SUMMARY

==> Carrack devnet is ready ($(elapsed_since "$start"))
    node            $NODE_URL   (dev chain, instant seal, data in .devnet/chain)
    token TUSD      $tusd   (PSP22, 6 decimals, supply held by //Alice, minter //Alice)
    token TETH      $teth   (PSP22, 18 decimals, supply held by //Alice, minter //Alice)
    token bundle    $(release_bundle carrack_token)
    deployment      .devnet/tokens.tsv

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
