#!/usr/bin/env bash
# Browser tests of the web app (web/tests, Playwright driving Debian's Chromium):
# starts substrate-contracts-node --dev --tmp on a free port, deploys deploy/devnet.toml,
# web/tests/stale.toml (30 s heartbeat) and deploy/devnet.toml without the liquidation
# grace period (for the liquidation test) with carrack-deploy, starts a report-only
# carrack-keeper indexing the liquidation deployment, builds the app, serves it once per
# deployment (the liquidation one with the keeper's API behind it, the others without:
# they scan the chain themselves) and runs `npm test`.
#
#   web/run-tests.sh                  run the tests (screenshots go to a temporary dir)
#   web/run-tests.sh --screenshots    also refresh docs/screenshots/*.png
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
HERE="$CARRACK_ROOT/web"
DEPLOY_TARGET_DIR="$CARRACK_DEPLOY_TARGET_DIR"
TOOL="$DEPLOY_TARGET_DIR/debug/carrack-deploy"
KEEPER="$DEPLOY_TARGET_DIR/debug/carrack-keeper"
BUNDLES="$CARRACK_RELEASE_TARGET_DIR/ink"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/carrack-web-test.XXXXXX")"
SHOTS="$WORK/screenshots"
[[ "${1:-}" == "--screenshots" ]] && SHOTS="$CARRACK_ROOT/docs/screenshots"
NODE_PID=""
SERVER_PIDS="$WORK/server.pids" # serve() runs in $(..), a subshell: its PIDs go to a file
cleanup() {
  local pid
  if [[ -f "$SERVER_PIDS" ]]; then
    while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$SERVER_PIDS"
  fi
  stop_dev_node
  rm -rf "$WORK"
}
trap cleanup EXIT

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
[[ -x "$CHROMIUM" ]] || die "Chromium is not installed at $CHROMIUM (scripts/setup.sh installs Debian's chromium; or set CHROMIUM)"
for tool in node npm curl substrate-contracts-node; do
  command -v "$tool" >/dev/null || die "$tool is not on PATH (scripts/setup.sh lists what to install)"
done
for bundle in carrack_pool carrack_oracle carrack_token carrack_governor carrack_gov_token carrack_timelock; do
  [[ -f "$BUNDLES/$bundle/$bundle.contract" ]] || die "missing release bundle $BUNDLES/$bundle/$bundle.contract (build the contracts first: scripts/build.sh)"
done
CARGO_TARGET_DIR="$DEPLOY_TARGET_DIR" cargo build --quiet --locked --manifest-path "$CARRACK_ROOT/tools/Cargo.toml" --workspace

cd "$HERE"
npm ci --no-audit --no-fund --silent
npm run --silent build >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; die "building the web app failed"; }

start_dev_node "$WORK/node.log"
URL="ws://127.0.0.1:$NODE_PORT"
"$TOOL" deploy -q --config "$CARRACK_ROOT/deploy/devnet.toml" --bundles "$BUNDLES" --manifest "$WORK/manifest.json" --url "$URL"
"$TOOL" deploy -q --config "$HERE/tests/stale.toml" --bundles "$BUNDLES" --manifest "$WORK/stale-manifest.json" --url "$URL"
# The liquidation test's deployment: deploy/devnet.toml without the liquidation grace
# period, which otherwise holds liquidations back for 10 minutes after the feeds first
# turn Ok (at deployment).
sed 's/^liquidation_grace_secs = [0-9_]*/liquidation_grace_secs = 0/' "$CARRACK_ROOT/deploy/devnet.toml" >"$WORK/liquidation.toml"
grep -q '^liquidation_grace_secs = 0 ' "$WORK/liquidation.toml" \
  || die "deploy/devnet.toml has no 'liquidation_grace_secs = <n>' line for the liquidation test's deployment to replace"
"$TOOL" deploy -q --config "$WORK/liquidation.toml" --bundles "$BUNDLES" --manifest "$WORK/liquidation-manifest.json" --url "$URL"
say "three deployments on $URL (deploy/devnet.toml, web/tests/stale.toml, deploy/devnet.toml without the liquidation grace)"

# The keeper indexing the liquidation deployment, without a signer: it only reports
# (borrowers by health, liquidations), which the liquidation test's page lists from.
KEEPER_PORT=$(( 20000 + RANDOM % 12000 ))
while (exec 3<>"/dev/tcp/127.0.0.1/$KEEPER_PORT") 2>/dev/null; do KEEPER_PORT=$(( 20000 + RANDOM % 12000 )); done
cat >"$WORK/keeper.toml" <<KEEPER_TOML
url = "$URL"
manifest = "$WORK/liquidation-manifest.json"
database = "sqlite://$WORK/keeper.sqlite"
poll_secs = 1
api_listen = "127.0.0.1:$KEEPER_PORT"
[liquidation]
enabled = false
KEEPER_TOML
"$KEEPER" --config "$WORK/keeper.toml" >"$WORK/keeper.log" 2>&1 &
echo "$!" >>"$SERVER_PIDS"
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$KEEPER_PORT/api/status" >/dev/null && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$KEEPER_PORT/api/status" >/dev/null || { cat "$WORK/keeper.log" >&2; die "the keeper's API did not come up"; }

serve() { # manifest log [server options] -> prints the URL
  node "$HERE/server.mjs" --manifest "$1" --bundles "$BUNDLES" --port 0 "${@:3}" >"$2" 2>&1 &
  echo "$!" >>"$SERVER_PIDS"
  local _
  for _ in $(seq 1 100); do
    if grep -q '^Carrack web app: ' "$2"; then
      sed -n 's/^Carrack web app: //p' "$2"
      return 0
    fi
    sleep 0.1
  done
  cat "$2" >&2
  die "web/server.mjs did not start"
}
APP_URL="$(serve "$WORK/manifest.json" "$WORK/server.log")"
STALE_URL="$(serve "$WORK/stale-manifest.json" "$WORK/server-stale.log")"
LIQUIDATION_URL="$(serve "$WORK/liquidation-manifest.json" "$WORK/server-liquidation.log" --keeper "http://127.0.0.1:$KEEPER_PORT")"
say "app served at $APP_URL (stale-feed deployment at $STALE_URL, liquidation test's at $LIQUIDATION_URL with the keeper's API from port $KEEPER_PORT)"

CHROMIUM="$CHROMIUM" CARRACK_WEB_URL="$APP_URL" CARRACK_WEB_URL_STALE="$STALE_URL" \
  CARRACK_WEB_URL_LIQUIDATION="$LIQUIDATION_URL" \
  CARRACK_SCREENSHOTS="$SHOTS" \
  CARRACK_TEST_ARTIFACTS="${CARRACK_TEST_ARTIFACTS:-$CARRACK_CACHE/logs/web-test-failures}" \
  npm test --silent
