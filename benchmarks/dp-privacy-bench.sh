#!/usr/bin/env bash
# Wall-clock benchmark of submit-scripts/dp-privacy (JVM start-up included). Results go to docs/benchmarks.md.
#   benchmarks/dp-privacy-bench.sh [runs]
# Single cases: `runs` runs each (default 7), median/min/max of wall time. Then a 1,000-case CSV sweep
# (500 rows with sigma, 500 with target_epsilon; q, steps, delta over a DP-SGD grid), timed once.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-7}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
"$HERE/submit-scripts/dp-privacy" --q 0.01 --noise-multiplier 1 --steps 10 >/dev/null # builds the jar if needed

time_case() {
  local label="$1"; shift
  local ts=()
  for _ in $(seq "$RUNS"); do
    local t0 t1
    t0=$(date +%s.%N)
    "$HERE/submit-scripts/dp-privacy" "$@" >/dev/null
    t1=$(date +%s.%N)
    ts+=("$(echo "$t1 - $t0" | bc -l)")
  done
  printf '%s\n' "${ts[@]}" | sort -g | awk -v l="$label" '{a[NR]=$1} END {printf "%-60s median %.2f s  min %.2f  max %.2f  (n=%d)\n", l, a[int((NR+1)/2)], a[1], a[NR], NR}'
}

time_case "eps: N=60000 B=256 sigma=1.1 60 epochs" --rows 60000 --batch-size 256 --noise-multiplier 1.1 --epochs 60
time_case "eps: q=0.04 sigma=1.5 T=2250" --q 0.04 --noise-multiplier 1.5 --steps 2250
time_case "sigma: N=60000 B=256 target 2.38 60 epochs" --rows 60000 --batch-size 256 --epsilon 2.38 --epochs 60
time_case "sigma: q=0.04 target 8 T=2250" --q 0.04 --epsilon 8 --steps 2250

# 1,000 cases. Deterministic grid (no randomness needed): q in {1e-3..0.05}, steps 500..10000, sigma 0.8..3.
python3 - "$TMP/cases.csv" "${CSV_TARGET_ROWS:-500}" <<'PY'
import sys, itertools
path, n_target = sys.argv[1], int(sys.argv[2])
qs = [0.001, 0.002, 0.004, 0.01, 0.02, 0.05]
steps = [500, 1000, 2000, 5000, 10000]
sigmas = [0.8, 1.0, 1.2, 1.5, 2.0, 3.0]
targets = [0.5, 1, 2, 4, 8]
deltas = [1e-5, 1e-6]
rows = []
for q, t, s, d in itertools.product(qs, steps, sigmas, deltas):
    rows.append(f"{q},{s},{t},{d},")
rows = rows[:1000 - n_target]
for q, t, e, d in itertools.cycle(itertools.product(qs, steps, targets, deltas)):
    if len(rows) >= 1000: break
    rows.append(f"{q},,{t},{d},{e}")
open(path, "w").write("q,sigma,steps,delta,target_epsilon\n" + "\n".join(rows) + "\n")
PY
t0=$(date +%s.%N)
"$HERE/submit-scripts/dp-privacy" --csv-in "$TMP/cases.csv" --csv-out "$TMP/out.csv"
t1=$(date +%s.%N)
printf '%-60s %.1f s (%d result rows)\n' "CSV: 1000 cases (${CSV_TARGET_ROWS:-500} calibrations)" "$(echo "$t1 - $t0" | bc -l)" \
  "$(($(wc -l < "$TMP/out.csv") - 1))"
