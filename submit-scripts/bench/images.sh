#!/usr/bin/env bash
# images.sh: issue 16's accuracy table (called by `dp-bench images`; see docs/benchmarks.md). Each run is dp-train in a
# fresh JVM, as a user runs it, on the embedded local Spark (local[2]), with a ledger of its own that allows
# unregistered data, through the README's image command: `--format mnist` with no recipe flag, so the image recipe
# (ScatterNet J = 2, L = 8, group normalization, softmax, momentum, B = 4096, 40 epochs, C = 0.1) applies.
#
#   mnist:   MNIST (DPSPARK_SHARED/datasets/mnist) at each epsilon of DPSPARK_EPSILONS (default "1 2 3 8"),
#            DPSPARK_BENCH_REPS times each (default 3; fresh noise and samples every run), delta 1e-5;
#   fashion: Fashion-MNIST (DPSPARK_FASHION, default /usr/share/datasets/fashion-mnist: Debian's
#            dataset-fashion-mnist), the same;
#   adult:   the README's Adult command at epsilon 1 (no regression), DPSPARK_BENCH_REPS times.
# DPSPARK_IMAGES_RUNS picks the parts (default "mnist fashion adult"); DPSPARK_IMAGES_EXTRA adds flags to every image
# run (e.g. "--epochs 2" for a smoke test: any recipe flag turns the recipe off, so give the whole recipe then).
#
# Writes $DPSPARK_IMAGES_OUT (default spark-jobs/target/bench/images): reports, logs, results.tsv; then prints the
# summary (submit-scripts/bench/images_summary.py): per dataset and epsilon the mean accuracy, its spread, sigma, and
# the seconds per epoch of the training loop, and the one-time feature pass in rows per second.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home="$(cd "$here/.." && pwd)"
shared="${DPSPARK_SHARED:-$home/../shared}"
mnist="$shared/datasets/mnist"
adult="$shared/datasets/adult"
fashion="${DPSPARK_FASHION:-/usr/share/datasets/fashion-mnist}"
out="${DPSPARK_IMAGES_OUT:-$home/spark-jobs/target/bench/images}"
mkdir -p "$out"
ledger="$out/ledger"
[ -d "$ledger" ] || "$here/dp-ledger" init --ledger "$ledger" --allow-unbudgeted >/dev/null
results="$out/results.tsv"
[ -f "$results" ] || printf 'name\tdataset\tepsilon\treport\tseconds\tload_start\n' >"$results"
extra=()
if [ -n "${DPSPARK_IMAGES_EXTRA:-}" ]; then read -r -a extra <<<"$DPSPARK_IMAGES_EXTRA"; fi

run() { # run NAME DATASET EPSILON ARGS...
  local name="$1" dataset="$2" eps="$3"; shift 3
  rm -rf "${out:?}/$name"
  local load; load="$(cut -d' ' -f1 /proc/loadavg)"
  local t0; t0="$(date +%s)"
  echo "images: $name (load $load)" >&2
  if ! "$here/dp-train" --master 'local[2]' --unbudgeted --ledger "$ledger" "$@" --epsilon "$eps" \
      --output "$out/$name" >"$out/$name.log" 2>&1; then
    echo "images: $name failed; see $out/$name.log" >&2; tail -n 3 "$out/$name.log" >&2; return 1
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$dataset" "$eps" "$out/$name/report.json" "$(( $(date +%s) - t0 ))" \
    "$load" >>"$results"
}

image_runs() { # image_runs DATASET FOLDER
  local dataset="$1" dir="$2"
  [ -f "$dir/train-images-idx3-ubyte.gz" ] || { echo "images: $dir/train-images-idx3-ubyte.gz not found" >&2; return 2; }
  for rep in $(seq 1 "${DPSPARK_BENCH_REPS:-3}"); do
    for eps in ${DPSPARK_EPSILONS:-1 2 3 8}; do
      run "$dataset-eps$eps-$rep" "$dataset" "$eps" --input "$dir/train-images-idx3-ubyte.gz" --format mnist \
        --eval-input "$dir/t10k-images-idx3-ubyte.gz" --delta 1e-5 ${extra[@]+"${extra[@]}"}
    done
  done
}

for part in ${DPSPARK_IMAGES_RUNS:-mnist fashion adult}; do
  case "$part" in
    mnist) image_runs mnist "$mnist" ;;
    fashion) image_runs fashion "$fashion" ;;
    adult)
      [ -f "$adult/adult.data" ] || { echo "images: $adult/adult.data not found (set DPSPARK_SHARED)" >&2; exit 2; }
      for rep in $(seq 1 "${DPSPARK_BENCH_REPS:-3}"); do
        run "adult-eps1-$rep" adult 1 --input "$adult/adult.data" --format adult --eval-input "$adult/adult.test" \
          --delta 1e-5 --epochs 15 --batch-size 256 --clip-norm 1 --learning-rate 1
      done ;;
    *) echo "images: unknown part '$part' (mnist, fashion, adult)" >&2; exit 2 ;;
  esac
done
python3 "$here/bench/images_summary.py" "$results"
