#!/usr/bin/env bash
# Machine-checked proofs of carrack-core's math (z3, proofs/prove.py) and the
# differential test that ties the proved model (proofs/model.py) to the Rust code.
#   1. a venv with the pinned z3-solver (proofs/requirements.txt), made if missing;
#   2. every proof obligation: each must be `unsat` within its limit (60 s by default);
#   3. the committed vectors (proofs/vectors/committed.txt) must be what the model gives;
#   4. a fresh set of random and edge-case vectors, run through the real Rust functions
#      (contracts/core/tests/differential.rs): every output and error must match;
#   5. a table: property, result, solver time.
# Environment: CARRACK_PROOF_TIMEOUT (s per obligation, default 60), CARRACK_DIFF_SEED
# (default: the current time, printed), CARRACK_DIFF_PER_FUNCTION (default 2000).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
on_failure_name_step prove.sh
cd "$CARRACK_ROOT"

total_start=$SECONDS
VENV="${CARRACK_PROOFS_VENV:-$CARRACK_CACHE/venv-proofs}"
PY="$VENV/bin/python"
WORK="$CARRACK_CACHE/proofs"
mkdir -p "$WORK"

step "Python venv with z3 ($VENV)"
want="$(sed -n 's/^z3-solver==//p' proofs/requirements.txt)"
[[ -n "$want" ]] || die "proofs/requirements.txt does not pin z3-solver"
have="$("$PY" -c 'import importlib.metadata as m; print(m.version("z3-solver"))' 2>/dev/null || true)"
if [[ "$have" != "$want" ]]; then
  command -v python3 >/dev/null 2>&1 || die "python3 is needed for the proofs (Debian: apt-get install -y python3 python3-venv)"
  if [[ ! -x "$PY" ]]; then
    python3 -m venv "$VENV" || die "python3 -m venv failed: install the venv module (Debian: apt-get install -y python3-venv) and re-run"
  fi
  say "installing z3-solver==$want (found '${have:-nothing}')"
  "$PY" -m pip install --quiet --disable-pip-version-check -r proofs/requirements.txt
fi
say "z3-solver $("$PY" -c 'import z3; print(z3.get_version_string())') in $VENV"

step "SMT proofs (proofs/prove.py; each obligation must be unsat)"
start=$SECONDS
summary="$WORK/summary.tsv"
rm -f "$summary"
proofs_ok=1
"$PY" proofs/prove.py --timeout "${CARRACK_PROOF_TIMEOUT:-60}" --summary "$summary" || proofs_ok=0
say "proofs ran in $(elapsed_since "$start")"

step "committed vectors are the model's (proofs/vectors/committed.txt)"
"$PY" proofs/gen_vectors.py --seed 1 --per-function 100 --out "$WORK/committed.txt"
cmp -s "$WORK/committed.txt" proofs/vectors/committed.txt \
  || die "proofs/vectors/committed.txt differs from what proofs/model.py gives: if the model change is intended, regenerate it with: $PY proofs/gen_vectors.py --seed 1 --per-function 100 --out proofs/vectors/committed.txt"
say "identical"

step "differential test: Rust carrack-core against the proved model"
start=$SECONDS
seed="${CARRACK_DIFF_SEED:-$(date +%s)}"
per_function="${CARRACK_DIFF_PER_FUNCTION:-2000}"
vectors="$WORK/vectors-$seed.txt"
"$PY" proofs/gen_vectors.py --seed "$seed" --per-function "$per_function" --out "$vectors"
CARRACK_DIFF_VECTORS="$vectors" cargo test -p carrack-core --test differential -- --nocapture \
  2>&1 | tee "$WORK/differential.log" | grep -E '^(test |[0-9]+ vectors|test result)' || true
grep -q '^test result: ok' "$WORK/differential.log" \
  || die "the differential test failed: the Rust code and proofs/model.py differ, or proofs/gen_vectors.py wrote a malformed vector (seed $seed; reproduce: CARRACK_DIFF_SEED=$seed scripts/prove.sh); see $WORK/differential.log"
rm -f "$vectors"
say "differential test passed in $(elapsed_since "$start") (seed $seed)"

step "summary"
if [[ -f "$summary" ]]; then
  printf '    %-4s  %-90s  %-26s  %8s\n' "prop" "obligation" "result" "solver"
  while IFS=$'\t' read -r prop name verdict secs; do
    printf '    %-4s  %-90s  %-26s  %7ss\n' "$prop" "$name" "$verdict" "$secs"
  done <"$summary"
fi
(( proofs_ok )) || die "some proof obligation was not proved (see above)"
step "all proofs unsat, differential test green, in $(elapsed_since "$total_start")"
