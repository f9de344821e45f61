#!/usr/bin/env bash
# Mutation testing with cargo-mutants (https://mutants.rs): injects bugs into the lending
# math and the pool's and oracle's plain logic, and reports which ones no test notices.
# See docs/mutants.md for the scores, the run times and what each survivor means.
#
# Targets (each mutates only the files named, and runs only that package's own tests):
#   core    carrack-core: every file (fixed point, health, liquidation sizing, rates, ...)
#   pool    carrack-pool: actions, health, liquidation, account, loaded_markets, outcome, views
#   oracle  carrack-oracle: feed.rs
#
# Usage: scripts/mutants.sh [TARGET...] [--list] [--file GLOB]... [-- CARGO_MUTANTS_ARGS...]
#          TARGET          core (the default), pool, oracle, or all
#          --list          only list the mutants (and count them per file); builds nothing
#          --file GLOB     mutate only files matching GLOB (repeatable), within the target
#          -- ARGS         passed to `cargo mutants` as they are (e.g. --iterate, --re REGEX)
#        scripts/mutants.sh core --file contracts/core/health.rs
# Environment: MUTANTS_TIMEOUT  test timeout per mutant, seconds (default per target)
#              MUTANTS_JOBS     parallel build dirs (default 1: this is a 2-core machine)
#              MUTANTS_OUT      results dir (default $CARRACK_CACHE/mutants/out/TARGET)
#              MUTANTS_TEST_ARGS  replaces the target's `cargo test` arguments (default
#                               core: --all-targets, pool and oracle: --lib)
#
# Takes a long time (docs/mutants.md gives the measured times): not part of CI.
# It never edits the checkout: cargo-mutants copies the tree (without target/ and
# gitignored files such as node_modules) into $CARRACK_CACHE/mutants/tmp and mutates the
# copy. Builds go to their own target dir, $CARRACK_CACHE/mutants/target, so they never
# fight the main one; results land in $CARRACK_CACHE/mutants/out/TARGET/mutants.out.
# The project's code is built and tested with its own toolchain (rust-toolchain.toml,
# 1.86); only cargo-mutants itself, which needs a newer Rust to compile, is installed with
# `cargo +stable install`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
on_failure_name_step mutants.sh
cd "$CARRACK_ROOT"

CARGO_MUTANTS_VERSION="27.1.0"
MUTANTS_DIR="$CARRACK_CACHE/mutants"
# Own target dir (the copies live at a new path on every run, so the workspace crates
# rebuild, but registry dependencies stay warm between runs).
export CARGO_TARGET_DIR="$MUTANTS_DIR/target"
# cargo-mutants copies the tree into a temporary directory.
export TMPDIR="$MUTANTS_DIR/tmp"
# Deterministic runs: the same property-test cases and fuzz sequences for every mutant and
# every run, so a mutant is caught or missed for a reason, not by luck (as many cases as
# scripts/test.sh: core's property tests take about a second).
export PROPTEST_CASES="${PROPTEST_CASES:-256}"
export PROPTEST_RNG_SEED="${PROPTEST_RNG_SEED:-1}"
export CARRACK_FUZZ_SEED="${CARRACK_FUZZ_SEED:-1}"
# No debug info: every mutant is an incremental build plus links of the test binaries,
# and debug info is most of what the linker writes. (Own target dir: no effect elsewhere.)
export CARGO_PROFILE_DEV_DEBUG=0 CARGO_PROFILE_TEST_DEBUG=0
JOBS="${MUTANTS_JOBS:-1}"

targets=()
files=()
list=0
passthrough=()
while (( $# )); do
  case "$1" in
    core|pool|oracle) targets+=("$1"); shift ;;
    all) targets+=(core pool oracle); shift ;;
    --list) list=1; shift ;;
    --file)
      (( $# >= 2 )) || die "--file needs a glob"
      files+=("$2")
      shift 2
      ;;
    --file=*) files+=("${1#--file=}"); shift ;;
    --) shift; passthrough=("$@"); break ;;
    -h|--help) sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (scripts/mutants.sh --help)" ;;
  esac
done
(( ${#targets[@]} )) || targets=(core)

# package|files it mutates (space-separated)|default test timeout (s)|cargo test arguments
target_spec() {
  case "$1" in
    core)
      echo "carrack-core|contracts/core/*.rs|${MUTANTS_TIMEOUT:-30}|--all-targets" ;;
    pool)
      echo "carrack-pool|contracts/pool/actions.rs contracts/pool/health.rs contracts/pool/liquidation.rs contracts/pool/account.rs contracts/pool/loaded_markets.rs contracts/pool/outcome.rs contracts/pool/views.rs|${MUTANTS_TIMEOUT:-90}|--lib" ;;
    oracle)
      echo "carrack-oracle|contracts/oracle/feed.rs|${MUTANTS_TIMEOUT:-30}|--lib" ;;
  esac
}

step "cargo-mutants $CARGO_MUTANTS_VERSION"
installed="$(cargo mutants --version 2>/dev/null || true)"
if [[ "$installed" != "cargo-mutants $CARGO_MUTANTS_VERSION" ]]; then
  say "installing (was: ${installed:-none}); needs a newer Rust than the project's, so +stable"
  rustup toolchain list | grep '^stable' >/dev/null || rustup toolchain install stable --profile minimal
  # --debug: it spends its time waiting on cargo, and an unoptimized build of its 200
  # dependencies takes far less of a 2-core machine.
  cargo +stable install --locked --debug cargo-mutants --version "$CARGO_MUTANTS_VERSION"
fi
say "$(cargo mutants --version); project toolchain: $(rustc --version)"
mkdir -p "$TMPDIR" "$MUTANTS_DIR/out"

# Per-file table from an output dir: score = (caught + timeouts) / viable mutants (unviable
# ones, which do not compile, are not counted), then the survivors.
report() { # out_dir
  local out="$1/mutants.out"
  [[ -d "$out" ]] || return 0
  local kind lists=()
  for kind in caught timeout missed unviable; do
    [[ -f "$out/$kind.txt" ]] && lists+=("$out/$kind.txt")
  done
  (( ${#lists[@]} )) || return 0
  printf '    %-36s %7s %7s %7s %9s %8s\n' file caught timeout missed unviable score
  awk '
    FNR == 1 { kind = FILENAME; sub(/.*\//, "", kind); sub(/\.txt$/, "", kind) }
    { split($0, loc, ":"); f = loc[1]; files[f] = 1; n[f, kind]++ }
    END { for (f in files) print f, n[f, "caught"] + 0, n[f, "timeout"] + 0, n[f, "missed"] + 0, n[f, "unviable"] + 0 }
  ' "${lists[@]}" \
    | sort \
    | awk '
      function row(name, c, t, m, u,   v) {
        v = c + t + m
        printf "    %-36s %7d %7d %7d %9d %8s\n", name, c, t, m, u, v ? sprintf("%.1f %%", 100 * (c + t) / v) : "-"
      }
      { row($1, $2, $3, $4, $5); c += $2; t += $3; m += $4; u += $5 }
      END { row("TOTAL", c, t, m, u) }'
  if [[ -s "$out/missed.txt" ]]; then
    say "missed (no test noticed these):"
    sed 's/^/      /' "$out/missed.txt"
  fi
  if [[ -s "$out/timeout.txt" ]]; then
    say "timed out (counted as caught: the mutant hangs the tests):"
    sed 's/^/      /' "$out/timeout.txt"
  fi
}

status=0
for target in "${targets[@]}"; do
  IFS='|' read -r package globs timeout test_args <<<"$(target_spec "$target")"
  test_args="${MUTANTS_TEST_ARGS:-$test_args}"
  args=(--package "$package" --gitignore=true --jobs "$JOBS")
  if (( ${#files[@]} )); then
    for glob in "${files[@]}"; do args+=(--file "$glob"); done
  else
    set -f # the globs go to cargo-mutants as they are
    for glob in $globs; do args+=(--file "$glob"); done
    set +f
  fi
  out_dir="${MUTANTS_OUT:-$MUTANTS_DIR/out/$target}"
  if (( list )); then
    step "$target: mutants that would be tested"
    cargo mutants "${args[@]}" --list "${passthrough[@]}" >"$MUTANTS_DIR/$target.list"
    cut -d: -f1 "$MUTANTS_DIR/$target.list" | sort | uniq -c | sed 's/^/    /'
    say "total: $(wc -l <"$MUTANTS_DIR/$target.list") (list in $MUTANTS_DIR/$target.list)"
    continue
  fi
  step "$target: cargo mutants on $package (timeout ${timeout}s per mutant, $JOBS job(s))"
  start=$SECONDS
  rc=0
  cargo mutants "${args[@]}" --timeout "$timeout" --output "$out_dir" \
    "${passthrough[@]}" -- $test_args || rc=$?
  say "$target: exit $rc after $(elapsed_since "$start") (0 all caught, 2 missed, 3 timeouts, 4 baseline failed)"
  report "$out_dir"
  say "logs and diffs: $out_dir/mutants.out"
  (( rc == 0 || status != 0 )) || status=$rc
done
exit "$status"
