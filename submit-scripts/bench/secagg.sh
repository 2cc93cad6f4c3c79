#!/usr/bin/env bash
# secagg.sh: issue 13's measurements, side by side in one invocation (called by `dp-bench secagg`; see
# docs/benchmarks.md). Each run is dp-train in a fresh JVM, as a user runs it, on the embedded local Spark
# (local[2], barrier mode, 2 partitions = 2 parties), with a ledger of its own that allows unregistered data.
#
#   adult:   logistic regression on UCI Adult at (1, 1e-5), 15 epochs, B = 256 (the README recipe), in the central
#            mode and with --secure-aggregation masking (b = 40; t = 0 and t = 1), DPSPARK_BENCH_REPS times (default
#            3), alternating the order; then paillier for DPSPARK_PAILLIER_STEPS steps (default 30; 3072-bit key) on
#            the same model, central beside it for the same steps.
#   mnist:   the README's MNIST recipe (dct:10, MLP 100-256-10, epsilon 2), central and masking, once each.
#
# Writes $DPSPARK_SECAGG_OUT (default spark-jobs/target/bench/secagg): reports, logs, results.tsv; then prints the
# summary (submit-scripts/bench/secagg_summary.py). DPSPARK_SECAGG_RUNS picks the parts (default "adult mnist").
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home="$(cd "$here/.." && pwd)"
shared="${DPSPARK_SHARED:-$home/../shared}"
adult="$shared/datasets/adult"
mnist="$shared/datasets/mnist"
out="${DPSPARK_SECAGG_OUT:-$home/spark-jobs/target/bench/secagg}"
mkdir -p "$out"
ledger="$out/ledger"
[ -d "$ledger" ] || "$here/dp-ledger" init --ledger "$ledger" --allow-unbudgeted >/dev/null
results="$out/results.tsv"
[ -f "$results" ] || printf 'name\tdataset\tmode\treport\tseconds\tload_start\n' >"$results"

run() { # run NAME DATASET MODE ARGS...
  local name="$1" dataset="$2" mode="$3"; shift 3
  rm -rf "${out:?}/$name"
  local load; load="$(cut -d' ' -f1 /proc/loadavg)"
  local t0; t0="$(date +%s)"
  echo "secagg: $name" >&2
  if ! "$here/dp-train" --master 'local[2]' --partitions 2 --step-mode barrier --unbudgeted --ledger "$ledger" \
      "$@" --output "$out/$name" >"$out/$name.log" 2>&1; then
    echo "secagg: $name failed; see $out/$name.log" >&2; tail -n 3 "$out/$name.log" >&2; return 1
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$dataset" "$mode" "$out/$name/report.json" "$(( $(date +%s) - t0 ))" \
    "$load" >>"$results"
}

adult_runs() {
  [ -f "$adult/adult.data" ] || { echo "secagg: $adult/adult.data not found (set DPSPARK_SHARED)" >&2; return 2; }
  local a=(--input "$adult/adult.data" --format adult --eval-input "$adult/adult.test" --epsilon 1 --delta 1e-5
    --batch-size 256 --clip-norm 1 --learning-rate 1)
  for rep in $(seq 1 "${DPSPARK_BENCH_REPS:-3}"); do
    local order="central masking masking-t1"
    if [ $((rep % 2)) = 0 ]; then order="masking-t1 masking central"; fi
    for m in $order; do
      case "$m" in
        central) run "adult-central-$rep" adult central "${a[@]}" --epochs 15 ;;
        masking) run "adult-masking-$rep" adult masking "${a[@]}" --epochs 15 --secure-aggregation masking ;;
        masking-t1) run "adult-masking-t1-$rep" adult masking-t1 "${a[@]}" --epochs 15 --secure-aggregation masking \
          --secagg-colluding 1 ;;
      esac
    done
  done
  local steps="${DPSPARK_PAILLIER_STEPS:-30}"
  run "adult-paillier-steps" adult paillier "${a[@]}" --steps "$steps" --secure-aggregation paillier
  run "adult-central-steps" adult central "${a[@]}" --steps "$steps"
  run "adult-masking-steps" adult masking "${a[@]}" --steps "$steps" --secure-aggregation masking
}

mnist_runs() {
  [ -f "$mnist/train-images-idx3-ubyte.gz" ] || { echo "secagg: MNIST not found under $mnist" >&2; return 2; }
  local m=(--input "$mnist/train-images-idx3-ubyte.gz" --format mnist --eval-input "$mnist/t10k-images-idx3-ubyte.gz"
    --features dct:10 --model mlp --hidden 256 --activation tanh --optimizer momentum --momentum 0.9
    --lr-schedule cosine --learning-rate 40 --clip-norm 0.03 --batch-size 2048 --epochs 40 --epsilon 2 --delta 1e-5)
  run mnist-central mnist central "${m[@]}"
  run mnist-masking mnist masking "${m[@]}" --secure-aggregation masking
}

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -n 1); load average at start: $(cat /proc/loadavg)" >&2
for part in ${DPSPARK_SECAGG_RUNS:-adult mnist}; do
  case "$part" in
    adult) adult_runs ;;
    mnist) mnist_runs ;;
    *) echo "secagg: unknown part $part (adult, mnist)" >&2; exit 2 ;;
  esac
done
echo "load average at end: $(cat /proc/loadavg)" >&2
python3 "$here/bench/secagg_summary.py" "$results"
