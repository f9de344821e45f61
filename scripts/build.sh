#!/usr/bin/env bash
# Builds the release bundles of every contract (`cargo contract build --release`) into
# $CARRACK_RELEASE_TARGET_DIR/ink/<name>/<name>.{wasm,json,contract} and prints their
# optimized sizes. With --fixtures, also the e2e suite's test fixtures (the hostile
# token), which the ink_e2e tests load from the same place. All builds share one cargo
# target directory (see shared_release_dir in lib/common.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
on_failure_name_step build.sh

fixtures=""
for arg in "$@"; do
  case "$arg" in
    --fixtures) fixtures="--fixtures" ;;
    -h|--help)
      sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument '$arg' (expected --fixtures)" ;;
  esac
done

step "cargo contract build --release (optimized .wasm sizes)"
start=$SECONDS
build_release_contracts $fixtures
say "release bundles in $CARRACK_RELEASE_TARGET_DIR/ink/ ($(elapsed_since "$start"))"
