#!/usr/bin/env bash
# prepare.sh: issue 15's dp-prepare measurements (called by `dp-bench prepare`, which builds spark-jobs with the bench
# profile first; see docs/benchmarks.md). Every run is a fresh JVM on the embedded local Spark (local[2]), one at a time.
#
#   data:       the raw customer table (SyntheticData.rawCustomers: names, e-mails, phones, ages, ZIP codes, signup
#               dates, cards, balances and transactions; public seed 1) with at least DPSPARK_PREPARE_ROWS rows (default
#               1,000,000) written once as CSV with a header (bench main CustomersCsv), kept in the work directory and
#               reused by later invocations; a held-out table of DPSPARK_PREPARE_EVAL_ROWS rows (default 100,000, seed
#               2: other customers) for dp-train's evaluation.
#   throughput: DPSPARK_BENCH_REPS repetitions (default 3), interleaved: PlainCopy (bench main: spark.read().option(
#               "header", "true").csv(raw).write().parquet(...), every column a string, as DataReader reads CSV; timed
#               from the start of the read to the end of the write), then dp-prepare on the same CSV with
#               submit-scripts/examples/customers-prepare.json, --k-anonymity 5, a fresh pseudonymization key
#               (openssl rand -base64 48, in DPSPARK_PSEUDONYM_KEY) and --no-ledger. Throughput: PlainCopy's own
#               rows/s and the rows/s and seconds that dp-prepare prints; the wall time of each process (JVM and
#               Spark start included) is recorded too.
#   end-to-end: once: dp-ledger init; dp-prepare --ledger L --dataset-id customers (the raw table prepared and the
#               copy registered); dp-ledger set-budget (epsilon 3, delta 1e-6, privacy unit user); dp-prepare of the
#               held-out table (--no-ledger, the same key); dp-train on the prepared Parquet copy at user level
#               (epsilon 1, delta 1e-6, DPSPARK_PREPARE_TRAIN_FLAGS, default: 5 epochs, expected batch 1024 users,
#               lr 2, C = 1, at most 10 rows per user, barrier mode) evaluated on the prepared held-out copy; dp-ledger
#               show.
#
# Writes to DPSPARK_BENCH_DIR (default ${TMPDIR:-/tmp}/dpspark-bench-prepare): raw-ROWS/ and eval-raw-N/ (CSV, kept),
# per run a log, results.tsv (name, rep, wall seconds, exit, load average at start, log), e2e/ (ledger, prepared
# copies, dp-train model and report, ledger show as text and JSON), summary.txt (the table printed at the end by
# submit-scripts/bench/prepare_summary.py). The prepared and plain copies of the throughput runs are deleted after each
# run (they are large).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home="$(cd "$here/.." && pwd)"
source "$here/common.sh"
work="${DPSPARK_BENCH_DIR:-${TMPDIR:-/tmp}/dpspark-bench-prepare}"
rows="${DPSPARK_PREPARE_ROWS:-1000000}"
eval_rows="${DPSPARK_PREPARE_EVAL_ROWS:-100000}"
reps="${DPSPARK_BENCH_REPS:-3}"
spec="$here/examples/customers-prepare.json"
read -r -a train_flags <<<"${DPSPARK_PREPARE_TRAIN_FLAGS:---epochs 5 --batch-size 1024 --learning-rate 2 --clip-norm 1 --max-rows-per-user 10 --step-mode barrier}"
[ -f "$home/spark-jobs/target/bench-classpath.txt" ] || { echo "prepare.sh: build with the bench profile first (dp-bench prepare does)" >&2; exit 2; }
[ -f "$(dpspark_jar)" ] || { echo "prepare.sh: the shaded jar is missing (dp-bench prepare builds it)" >&2; exit 2; }
bench_cp="$home/spark-jobs/target/test-classes:$home/spark-jobs/target/classes:$(cat "$home/spark-jobs/target/bench-classpath.txt")"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
results="$work/results.tsv"
printf 'name\trep\twall_seconds\texit\tload_start\tlog\n' >"$results"

bench_java() {
  java "${DPSPARK_JAVA_OPENS[@]}" -Xmx"${DPSPARK_DRIVER_MEMORY:-4g}" \
    -Dlog4j2.configurationFile=org/dpspark/jobs/log4j2-dpspark.properties -cp "$bench_cp" "$@"
}

# run NAME REP CMD...: runs CMD with its output in $work/NAME.log, records its wall time; a failure stops the harness.
run() {
  local name="$1" rep="$2"; shift 2
  local load t0 t1 rc=0
  load="$(cut -d' ' -f1 /proc/loadavg)"
  echo "prepare: $name ($(date -u +%H:%M:%S), load $load)" >&2
  t0="$(date +%s.%N)"
  "$@" >"$work/$name.log" 2>&1 || rc=$?
  t1="$(date +%s.%N)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$rep" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" "$rc" "$load" "$work/$name.log" >>"$results"
  if [ "$rc" != 0 ]; then
    echo "prepare: $name failed (exit $rc); its log, $work/$name.log, ends with:" >&2
    tail -n 30 "$work/$name.log" >&2
    exit 1
  fi
}

# generate DIR ROWS SEED: the raw CSV, unless DIR already holds it (a complete write: _SUCCESS and the same request).
generate() {
  local dir="$1" n="$2" seed="$3"
  if [ -f "$dir/_SUCCESS" ] && [ "$(cat "$dir.request" 2>/dev/null)" = "$n $seed" ]; then
    echo "prepare: reusing $dir ($(cat "$dir.generated"))" >&2
    return 0
  fi
  rm -rf "$dir" "$dir.request" "$dir.generated"
  echo "prepare: generating $n rows (seed $seed) into $dir" >&2
  bench_java org.dpspark.jobs.bench.CustomersCsv "$dir" "$n" "$seed" 4 'local[2]' >"$dir.gen.log" 2>&1 || {
    echo "prepare: generating $dir failed:" >&2; tail -n 30 "$dir.gen.log" >&2; exit 1; }
  grep -m1 '^users=' "$dir.gen.log" >"$dir.generated"
  echo "$n $seed" >"$dir.request"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -n 1)" | tee "$work/machine.txt"
echo "load average at start: $(cat /proc/loadavg)" | tee -a "$work/machine.txt"
raw="$work/raw-$rows"
evalraw="$work/eval-raw-$eval_rows"
generate "$raw" "$rows" 1
generate "$evalraw" "$eval_rows" 2
du -sh "$raw" | tee -a "$work/machine.txt"

# A fresh pseudonymization key per invocation (never printed or written down: the pseudonyms of this run cannot be
# linked to the customer ids by anyone without it).
DPSPARK_PSEUDONYM_KEY="$(openssl rand -base64 48)"
export DPSPARK_PSEUDONYM_KEY

prepare_flags=(--master 'local[2]' --format csv --spec "$spec" --overwrite --k-anonymity 5 --key-env DPSPARK_PSEUDONYM_KEY)
for rep in $(seq 1 "$reps"); do
  run "plain-$rep" "$rep" bench_java org.dpspark.jobs.bench.PlainCopy "$raw" "$work/plain-out" 'local[2]'
  rm -rf "$work/plain-out"
  run "prepare-$rep" "$rep" "$here/dp-prepare" --input "$raw" --output "$work/prepare-out" "${prepare_flags[@]}" --no-ledger bench
  rm -rf "$work/prepare-out"
done

e2e="$work/e2e"
rm -rf "$e2e"
mkdir -p "$e2e"
ledger="$e2e/ledger"
run e2e-ledger-init 1 "$here/dp-ledger" init --ledger "$ledger"
run e2e-prepare 1 "$here/dp-prepare" --input "$raw" --output "$e2e/prepared" "${prepare_flags[@]}" \
  --ledger "$ledger" --dataset-id customers
run e2e-set-budget 1 "$here/dp-ledger" set-budget --ledger "$ledger" --dataset-id customers --epsilon 3 --delta 1e-6 \
  --privacy-unit user
run e2e-prepare-eval 1 "$here/dp-prepare" --input "$evalraw" --output "$e2e/eval-prepared" "${prepare_flags[@]}" --no-ledger bench
run e2e-train 1 "$here/dp-train" --master 'local[2]' --input "$e2e/prepared" --format parquet --spec "$spec" \
  --eval-input "$e2e/eval-prepared" --privacy-unit user --user-col customer_id --ledger "$ledger" \
  --dataset-id customers --epsilon 1 --delta 1e-6 "${train_flags[@]}" --output "$e2e/model" --report "$e2e/train-report.json"
"$here/dp-ledger" show --ledger "$ledger" --dataset-id customers | tee "$e2e/ledger-show.txt"
"$here/dp-ledger" show --ledger "$ledger" --dataset-id customers --json >"$e2e/ledger-show.json"

echo "load average at end: $(cat /proc/loadavg)" | tee -a "$work/machine.txt"
python3 "$here/bench/prepare_summary.py" "$work" | tee "$work/summary.txt"
