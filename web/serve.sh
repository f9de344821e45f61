#!/usr/bin/env bash
# Builds the web app (npm ci when node_modules is missing or older than the lockfile,
# then vite build) and serves it with a deployment's manifest and the release bundles'
# metadata. Prints `Carrack web app: http://HOST:PORT/` and runs until stopped.
#
#   web/serve.sh --manifest .devnet/manifest.json [--port 8080] [--host 127.0.0.1]
#                [--public-name NAME[:PORT]] [--keeper http://HOST:PORT]
# With --keeper, the liquidations tab lists borrowers and liquidations from that
# carrack-keeper's index (proxied at /carrack/keeper/api/...) instead of scanning blocks.
# The server answers only requests addressed to 127.0.0.1, localhost, [::1] or --host at
# its port; behind a reverse proxy or under another name, pass that name as --public-name.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
HERE="$CARRACK_ROOT/web"
MANIFEST=""
PORT="${CARRACK_WEB_PORT:-8080}"
HOST="${CARRACK_WEB_HOST:-127.0.0.1}"
PUBLIC_NAME=()
KEEPER_API=()
while (( $# )); do
  case "$1" in
    --manifest) MANIFEST="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --host) HOST="$2"; shift 2 ;;
    --public-name) PUBLIC_NAME=(--public-name "$2"); shift 2 ;;
    --keeper) KEEPER_API=(--keeper "$2"); shift 2 ;;
    -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see web/serve.sh --help)" ;;
  esac
done
[[ -n "$MANIFEST" ]] || die "--manifest is required (scripts/devnet.sh writes .devnet/manifest.json)"
[[ -f "$MANIFEST" ]] || die "no manifest at $MANIFEST: deploy first (scripts/devnet.sh)"
# Absolute before the cd below (the server re-reads it on every request).
MANIFEST="$(realpath -- "$MANIFEST")"
command -v node >/dev/null || die "node is not on PATH (scripts/setup.sh lists what to install)"

cd "$HERE"
mkdir -p "$CARRACK_CACHE/logs"
if [[ ! -d node_modules || package-lock.json -nt node_modules ]]; then
  npm ci --no-audit --no-fund --silent
fi
npm run --silent build >"$CARRACK_CACHE/logs/web-build.log" 2>&1 \
  || { tail -n 40 "$CARRACK_CACHE/logs/web-build.log" >&2; die "building the web app failed (log: $CARRACK_CACHE/logs/web-build.log)"; }
exec node "$HERE/server.mjs" --manifest "$MANIFEST" --bundles "$CARRACK_RELEASE_TARGET_DIR/ink" --port "$PORT" --host "$HOST" ${PUBLIC_NAME[@]+"${PUBLIC_NAME[@]}"} ${KEEPER_API[@]+"${KEEPER_API[@]}"}
