#!/usr/bin/env bash
# Time to the first step of the README's Adult run, side by side: for each checkout given (a directory holding
# submit-scripts/ and a built spark-jobs/target), REPS runs interleaved (A B A B ...), each a fresh JVM on the embedded
# local Spark. Prints one line per run (wall, load average, report.json's "timings") and the medians per checkout.
# Usage: first_step.sh [REPS] CHECKOUT... (e.g. first_step.sh 3 /path/to/main /path/to/branch); DPSPARK_CDS passes
# through. Needs ../shared/datasets/adult (ADULT_DIR) and python3.
set -euo pipefail
reps="${1:-3}"
shift || true
[ $# -ge 1 ] || { echo "usage: first_step.sh [REPS] CHECKOUT..." >&2; exit 2; }
adult="${ADULT_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/shared/datasets/adult}"
work="$(mktemp -d "${TMPDIR:-/tmp}/dpspark-first-step.XXXXXX")"
"$1/submit-scripts/dp-ledger" init --ledger "$work/ledger" --allow-unbudgeted > /dev/null
results="$work/results.txt"
for ((i = 1; i <= reps; i++)); do
  for home in "$@"; do
    out="$work/model-$i"
    start=$(date +%s.%N)
    rc=0
    "$home/submit-scripts/dp-train" --input "$adult/adult.data" --format adult --eval-input "$adult/adult.test" \
      --epsilon 1 --delta 1e-5 --epochs 15 --batch-size 256 --clip-norm 1 --learning-rate 1 \
      --output "$out" --unbudgeted --ledger "$work/ledger" > "$work/log-$i-$(basename "$home").txt" 2>&1 || rc=$?
    end=$(date +%s.%N)
    python3 - "$home" "$rc" "$start" "$end" "$(cut -d' ' -f1 /proc/loadavg)" "$out/report.json" >> "$results" <<'PY'
import json, sys
home, rc, start, end, load, report = sys.argv[1:]
t = json.load(open(report)).get("timings", {}) if rc == "0" else {}
print(json.dumps({"checkout": home, "rc": int(rc), "wall": round(float(end) - float(start), 2), "load": float(load),
                  "timings": t}))
PY
    tail -1 "$results"
    rm -rf "$out"
  done
done
python3 - "$results" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
for home in dict.fromkeys(r["checkout"] for r in runs):
    mine = [r for r in runs if r["checkout"] == home and r["rc"] == 0]
    if not mine:
        print(home, "no successful run")
        continue
    first = [r["timings"].get("to_first_step", float("nan")) for r in mine]
    print("%s: to first step median %.2f s %s, wall median %.2f s, load %s" % (home, statistics.median(first),
          [round(x, 1) for x in first], statistics.median(r["wall"] for r in mine), [r["load"] for r in mine]))
PY
