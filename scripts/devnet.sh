#!/usr/bin/env bash
# Starts a local Carrack devnet: substrate-contracts-node on ws://127.0.0.1:9944 with a
# persistent chain under .devnet/, the contracts built in release mode, and the whole
# suite deployed by carrack-deploy from deploy/devnet.toml (three test tokens, their
# feeds and markets, votes token, timelock and governor holding every admin role, a
# guardian), then starts five price relayers (carrack-relayer, one per reporter //Bob ..
# //Ferdie, with the simulated source of tools/carrack-relayer/devnet.toml) and the keeper
# (carrack-keeper, tools/carrack-keeper/devnet.toml: indexes the pool into
# .devnet/keeper.sqlite, liquidates accounts below health factor 1, API on port 9944 + 200)
# and serves the web app (web/, http://127.0.0.1:8080/). Prints the addresses, the app's URL and how to open
# the contracts in Polkadot.js Apps / Contracts UI, then keeps everything running until
# Ctrl-C.
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
MANIFEST="$DEVNET_DIR/manifest.json"
DEPLOY_TARGET_DIR="$CARRACK_DEPLOY_TARGET_DIR"
TOOL="$DEPLOY_TARGET_DIR/debug/carrack-deploy"
RELAYER="$DEPLOY_TARGET_DIR/debug/carrack-relayer"
KEEPER="$DEPLOY_TARGET_DIR/debug/carrack-keeper"
KEEPER_PID=""
REPORTERS=(Bob Charlie Dave Eve Ferdie)
RELAYER_PIDS=()
WEB_PID=""
WEB_URL=""
NODE_PID=""

usage() {
  sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
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

stop_relayers() {
  local pid
  for pid in "${RELAYER_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${RELAYER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  RELAYER_PIDS=()
}

stop_node() {
  [[ -n "$WEB_PID" ]] && kill "$WEB_PID" 2>/dev/null || true
  [[ -n "$KEEPER_PID" ]] && kill -INT "$KEEPER_PID" 2>/dev/null || true
  stop_relayers
  if [[ -n "$NODE_PID" ]] && kill -0 "$NODE_PID" 2>/dev/null; then
    printf '\n==> stopping substrate-contracts-node (pid %s)\n' "$NODE_PID"
    kill -INT "$NODE_PID" 2>/dev/null || true
    wait "$NODE_PID" 2>/dev/null || true
    say "node stopped; the chain is kept in .devnet/chain (scripts/devnet.sh --reset starts over)"
  fi
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

  step "building carrack-deploy, carrack-relayer and carrack-keeper"
  local built=$SECONDS
  CARGO_TARGET_DIR="$DEPLOY_TARGET_DIR" cargo build --quiet --locked \
    --manifest-path "$CARRACK_ROOT/tools/Cargo.toml" --workspace
  say "built in $(elapsed_since "$built")"

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

  step "deploying the suite with carrack-deploy (deploy/devnet.toml; resumes a previous run)"
  local deployed=$SECONDS
  "$TOOL" deploy --config "$CARRACK_ROOT/deploy/devnet.toml" \
    --bundles "$CARRACK_RELEASE_TARGET_DIR/ink" --manifest "$MANIFEST" --url "$NODE_URL"
  say "deployed in $(elapsed_since "$deployed")"

  step "starting five price relayers (tools/carrack-relayer/devnet.toml, simulated prices)"
  mkdir -p "$DEVNET_DIR/relayers"
  local who metrics_port=$(( RPC_PORT + 100 ))
  for who in "${REPORTERS[@]}"; do
    "$RELAYER" run --config "$CARRACK_ROOT/tools/carrack-relayer/devnet.toml" \
      --manifest "$MANIFEST" --url "$NODE_URL" --suri "//$who" \
      --metrics-listen "127.0.0.1:$metrics_port" >"$DEVNET_DIR/relayers/$who.log" 2>&1 &
    RELAYER_PIDS+=($!)
    say "//$who: pid $!, log .devnet/relayers/$who.log, metrics http://127.0.0.1:$metrics_port/metrics"
    metrics_port=$(( metrics_port + 1 ))
  done
  sleep 2
  for who in "${!RELAYER_PIDS[@]}"; do
    kill -0 "${RELAYER_PIDS[$who]}" 2>/dev/null \
      || die "relayer //${REPORTERS[$who]} exited: $(tail -n 3 "$DEVNET_DIR/relayers/${REPORTERS[$who]}.log")"
  done

  step "starting the keeper (tools/carrack-keeper/devnet.toml: index in .devnet/keeper.sqlite)"
  local keeper_port=$(( RPC_PORT + 200 ))
  # A kept chain keeps its index (the keeper resumes); --reset removes both.
  "$KEEPER" --config "$CARRACK_ROOT/tools/carrack-keeper/devnet.toml" --url "$NODE_URL" \
    --api-listen "127.0.0.1:$keeper_port" >"$DEVNET_DIR/keeper.log" 2>&1 &
  KEEPER_PID=$!
  sleep 2
  kill -0 "$KEEPER_PID" 2>/dev/null || die "the keeper exited: $(tail -n 3 "$DEVNET_DIR/keeper.log")"
  say "keeper: pid $KEEPER_PID, log .devnet/keeper.log, API http://127.0.0.1:$keeper_port/api/at-risk"

  step "status"
  "$TOOL" status --manifest "$MANIFEST" --bundles "$CARRACK_RELEASE_TARGET_DIR/ink" --url "$NODE_URL" \
    || say "status reports a problem (see above); scripts/devnet.sh --reset redeploys from scratch"

  step "building and serving the web app (web/serve.sh)"
  "$CARRACK_ROOT/web/serve.sh" --manifest "$MANIFEST" --port "${CARRACK_WEB_PORT:-8080}" \
    --keeper "http://127.0.0.1:$(( RPC_PORT + 200 ))" \
    >"$DEVNET_DIR/web.log" 2>&1 &
  WEB_PID=$!
  for _ in $(seq 1 600); do
    grep -q '^Carrack web app: ' "$DEVNET_DIR/web.log" && break
    kill -0 "$WEB_PID" 2>/dev/null || { cat "$DEVNET_DIR/web.log" >&2; die "the web app did not start (log: .devnet/web.log)"; }
    sleep 0.1
  done
  WEB_URL="$(sed -n 's/^Carrack web app: //p' "$DEVNET_DIR/web.log")"
  [[ -n "$WEB_URL" ]] || die "the web app did not start within 60 s (log: .devnet/web.log)"

  cat <<SUMMARY

==> Carrack devnet is ready ($(elapsed_since "$start"))
    web app         $WEB_URL   (lending UI; log .devnet/web.log; CARRACK_WEB_PORT changes the port)
    node            $NODE_URL   (dev chain, instant seal, data in .devnet/chain)
    manifest        .devnet/manifest.json   (addresses, code hashes, config digest)
    bundles         $CARRACK_RELEASE_TARGET_DIR/ink/<contract>/<contract>.contract
    roles           deployer //Alice (holds the CGOV votes); governance of pool and oracle:
                    the timelock; guardian //Alice//stash; reporters //Bob .. //Ferdie
    relayers        five carrack-relayers (logs .devnet/relayers/, metrics on ports
                    $(( RPC_PORT + 100 ))-$(( RPC_PORT + 104 ))); feeds on chain:
                      $RELAYER feeds --config tools/carrack-relayer/devnet.toml \\
                        --manifest .devnet/manifest.json --url $NODE_URL
    keeper          carrack-keeper as //Alice (log .devnet/keeper.log, index .devnet/keeper.sqlite):
                      http://127.0.0.1:$(( RPC_PORT + 200 ))/api/at-risk   borrowers by health
                      http://127.0.0.1:$(( RPC_PORT + 200 ))/api/accounts/<SS58>   positions, liquidations
                      http://127.0.0.1:$(( RPC_PORT + 200 ))/metrics

    Open in Polkadot.js Apps:  https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A$RPC_PORT#/contracts
      ("Add an existing contract": paste an address above and upload the .contract bundle)
    Open in Contracts UI:      https://contracts-ui.substrate.io/?rpc=$NODE_URL
    Read any message:          $TOOL call --manifest .devnet/manifest.json \\
                                 --url $NODE_URL --contract pool --message markets

    Press Ctrl-C to stop the web app, the keeper, the relayers and the node; the chain stays in .devnet/ for the next run.
SUMMARY
  wait "$NODE_PID" || true
  NODE_PID=""
}

main
