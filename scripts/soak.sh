#!/usr/bin/env bash
# The soak run (not in CI: it takes the run's minutes plus about 4 for set-up and checks).
#
#   scripts/soak.sh [--minutes N] [--accounts N]      (defaults: 10 minutes, 50 accounts)
#
# On its own substrate-contracts-node: deploys deploy/devnet.toml (with a 10 s liquidation
# grace period instead of 600 s), starts five carrack-relayers (//Bob .. //Ferdie) reading
# price files and the keeper (//Ferdie//stash), then runs the driver
# (tools/carrack-keeper/tests/soak.rs): the accounts act at random while the driver moves
# the price files through a random walk with two crashes; afterwards it checks from chain
# state that the pool holds what its markets record, that the accounts' positions add up
# to the markets' totals, and that no account below health factor 1 is left that could be
# liquidated. Finally every process it started must still be running (none crashed).
#
# The report (throughput, refusals by reason, the conservation table) is printed and kept
# in $CARRACK_CACHE/logs/soak-report.md; the processes' logs in the folder it names.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
export CARGO_TARGET_DIR="$CARRACK_DEPLOY_TARGET_DIR"
DEPLOY="$CARGO_TARGET_DIR/debug/carrack-deploy"
RELAYER="$CARGO_TARGET_DIR/debug/carrack-relayer"
KEEPER="$CARGO_TARGET_DIR/debug/carrack-keeper"
BUNDLES="${CARRACK_BUNDLES:-$CARRACK_RELEASE_TARGET_DIR/ink}"
TOOLS_MANIFEST="$CARRACK_ROOT/tools/Cargo.toml"

MINUTES=10
ACCOUNTS=50
while (( $# > 0 )); do
  case "$1" in
    --minutes) MINUTES="${2:?--minutes needs a number}"; shift 2 ;;
    --accounts) ACCOUNTS="${2:?--accounts needs a number}"; shift 2 ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
[[ "$MINUTES" =~ ^[1-9][0-9]*$ ]] || die "--minutes must be a whole number of minutes, not $MINUTES"
[[ "$ACCOUNTS" =~ ^[1-9][0-9]*$ ]] && (( ACCOUNTS <= 500 )) || die "--accounts must be 1 to 500, not $ACCOUNTS"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/carrack-soak.XXXXXX")"
NODE_PID=""
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  stop_dev_node
  say "logs kept in $WORK"
}
trap cleanup EXIT

[[ -d "$BUNDLES" ]] || die "no release bundles in $BUNDLES (run scripts/build.sh)"
step "building the tools and the soak driver"
cargo build --quiet --locked --manifest-path "$TOOLS_MANIFEST" --workspace
cargo test --quiet --locked --manifest-path "$TOOLS_MANIFEST" -p carrack-keeper --test soak --no-run

step "a node and deploy/devnet.toml (10 s liquidation grace)"
sed -e "s/^liquidation_grace_secs = .*/liquidation_grace_secs = 10/" \
  "$CARRACK_ROOT/deploy/devnet.toml" >"$WORK/deploy.toml"
grep -q "^liquidation_grace_secs = 10" "$WORK/deploy.toml" || die "deploy/devnet.toml has no [pool] liquidation_grace_secs line to shorten"
# An archive node: the checks read every block's events since the deployment (a node
# keeps the state of the last 256 blocks only by default).
DEV_NODE_ARGS=(--state-pruning archive --blocks-pruning archive)
start_dev_node "$WORK/node.log" "$WORK/chain"
URL="ws://127.0.0.1:$NODE_PORT"
"$DEPLOY" deploy -q --config "$WORK/deploy.toml" --bundles "$BUNDLES" \
  --manifest "$WORK/manifest.json" --url "$URL" >/dev/null
say "deployed on $URL"

step "five relayers reading $WORK/prices, and the keeper"
mkdir -p "$WORK/prices"
echo 1 >"$WORK/prices/TUSD"
echo 60000 >"$WORK/prices/TBTC"
echo 3000 >"$WORK/prices/TETH"
{
  printf '[chain]\nurl = "%s"\nmanifest = "%s"\n\n' "$URL" "$WORK/manifest.json"
  printf '[relayer]\npoll_interval_secs = 2\nmax_source_age_secs = 30\nsource_timeout_ms = 2000\nsubmit_timeout_secs = 30\n'
  for symbol in TUSD TBTC TETH; do
    printf '\n[[assets]]\nasset = "%s"\ndeviation = "0.5%%"\nheartbeat_margin_secs = 600\n' "$symbol"
    printf '[[assets.sources]]\nkind = "file"\npath = "%s"\n' "$WORK/prices/$symbol"
  done
} >"$WORK/relayer.toml"
for who in Bob Charlie Dave Eve Ferdie; do
  "$RELAYER" run --config "$WORK/relayer.toml" --suri "//$who" >"$WORK/relayer-$who.log" 2>&1 &
  PIDS+=($!)
done
API_PORT=$(( 20000 + RANDOM % 12000 ))
while (exec 3<>"/dev/tcp/127.0.0.1/$API_PORT") 2>/dev/null; do API_PORT=$(( 20000 + RANDOM % 12000 )); done
cat >"$WORK/keeper.toml" <<KEEPER_TOML
url = "$URL"
manifest = "$WORK/manifest.json"
database = "sqlite://$WORK/keeper.sqlite"
poll_secs = 2
api_listen = "127.0.0.1:$API_PORT"
signer = { suri = "//Ferdie//stash" }
[liquidation]
retry_after_blocks = 3
KEEPER_TOML
"$KEEPER" --config "$WORK/keeper.toml" >"$WORK/keeper.log" 2>&1 &
PIDS+=($!)
sleep 3
for pid in "${PIDS[@]}"; do
  kill -0 "$pid" 2>/dev/null || die "a relayer or the keeper exited at start (logs in $WORK)"
done

step "the soak: $ACCOUNTS accounts for $MINUTES minutes"
started=$(date +%s)
status=0
CARRACK_DRILL_URL="$URL" CARRACK_DRILL_MANIFEST="$WORK/manifest.json" CARRACK_DRILL_API_PORT="$API_PORT" \
  CARRACK_DRILL_WORK="$WORK" CARRACK_SOAK_PRICES="$WORK/prices" \
  CARRACK_SOAK_MINUTES="$MINUTES" CARRACK_SOAK_ACCOUNTS="$ACCOUNTS" \
  cargo test --quiet --locked --manifest-path "$TOOLS_MANIFEST" -p carrack-keeper \
    --test soak -- --ignored --nocapture >"$WORK/soak.log" 2>&1 || status=$?
say "the driver ran $(( $(date +%s) - started )) s"
crashed=0
for pid in "${PIDS[@]}"; do
  kill -0 "$pid" 2>/dev/null || crashed=$((crashed + 1))
done
if [[ -f "$WORK/soak-report.md" ]]; then
  mkdir -p "$CARRACK_CACHE/logs"
  { cat "$WORK/soak-report.md"; printf '\n- processes (5 relayers, the keeper) that exited during the run: %s\n' "$crashed"; } \
    | tee "$CARRACK_CACHE/logs/soak-report.md"
fi
(( crashed == 0 )) || die "$crashed of the relayers and the keeper exited during the run (logs in $WORK)"
(( status == 0 )) || { tail -n 40 "$WORK/soak.log" >&2; die "the soak's checks failed (soak.log in $WORK)"; }
say "soak passed"
