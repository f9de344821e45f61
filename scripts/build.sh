#!/usr/bin/env bash
# Builds the release bundles of every contract (`cargo contract build --release`) into
# $CARRACK_RELEASE_TARGET_DIR/ink/<name>/<name>.{wasm,json,contract} and prints their
# optimized sizes. With --fixtures, also the e2e suite's test fixtures (the hostile
# token), which the ink_e2e tests load from the same place. All builds share one cargo
# target directory (see shared_release_dir in lib/common.sh). With --call-v1, the variant
# for chains on the polkadot-sdk 1.6 line: every cross-contract call through the v1 call
# ABI, checked from each .wasm's imports, into $CARRACK_CACHE/target-release-call-v1.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
on_failure_name_step build.sh

fixtures=""
for arg in "$@"; do
  case "$arg" in
    --fixtures) fixtures="--fixtures" ;;
    --call-v1) use_call_v1_build ;;
    -h|--help)
      sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument '$arg' (expected --fixtures or --call-v1)" ;;
  esac
done

if [[ "${CARRACK_CALL_V1:-0}" == 1 ]]; then
  step "cargo contract build --release --features call-v1 (no import of $CALL_V2_IMPORTS)"
else
  step "cargo contract build --release (optimized .wasm sizes)"
fi
start=$SECONDS
build_release_contracts $fixtures
say "release bundles in $CARRACK_RELEASE_TARGET_DIR/ink/ ($(elapsed_since "$start"))"
