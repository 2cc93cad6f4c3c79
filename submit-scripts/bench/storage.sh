#!/usr/bin/env bash
# Block storage (issue 19, parts 2 and 3): dp-train's --block-storage and --precision, measured on the embedded local
# Spark, each run a fresh JVM. Prints one JSON line per run (wall, load average, report.json's millis_per_step,
# storage section and evaluation accuracy) and writes them to WORK/results.jsonl.
#
#   storage.sh ooc [WORK]        out of core: a synthetic logistic table of 6.4M rows x 64 features (3.05 GiB of
#                                float64 features, Parquet under WORK, generated once by bench/SyntheticTable.java)
#                                trained with --block-storage disk under a 1 GiB heap (DPSPARK_DRIVER_MEMORY=1g: the
#                                driver is the executor in local mode), and the same shape at 400k rows (195 MiB,
#                                fits) in memory and on disk; 300 steps of B = 1024, 96 partitions, barrier mode.
#                                EVICT_PAGE_CACHE=1 adds a big-disk run whose block files are dropped from the OS
#                                page cache every 20 ms (posix_fadvise), so that the steps read from the disk.
#   storage.sh precision [WORK]  float64 vs float32: the README's Adult command (15 epochs) and the MNIST ScatterNet
#                                recipe shortened to 10 epochs, each at both precisions.
#
# Needs a built jar (submit-scripts/dp-train builds it), javac, python3, and for precision ../shared/datasets (ADULT_DIR,
# MNIST_DIR). WORK defaults to a new directory under ${TMPDIR:-/tmp}; the ooc tables stay there for reruns.
set -euo pipefail
what="${1:-}"
case "$what" in ooc | precision) ;; *) echo "usage: storage.sh ooc|precision [WORK]" >&2; exit 2 ;; esac
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${2:-$(mktemp -d "${TMPDIR:-/tmp}/dpspark-storage.XXXXXX")}"
mkdir -p "$work"
shared="$(cd "$home/.." && pwd)/shared/datasets"
adult="${ADULT_DIR:-$shared/adult}"
mnist="${MNIST_DIR:-$shared/mnist}"
results="$work/results.jsonl"
[ -d "$work/ledger" ] || "$home/submit-scripts/dp-ledger" init --ledger "$work/ledger" --allow-unbudgeted > /dev/null

# run NAME HEAP ARGS...: one dp-train run; appends its line to $results.
run() {
  local name="$1" heap="$2"
  shift 2
  local out="$work/model-$name" rc=0 start end
  rm -rf "$out"
  start=$(date +%s.%N)
  DPSPARK_DRIVER_MEMORY="$heap" "$home/submit-scripts/dp-train" "$@" --output "$out" --unbudgeted \
    --ledger "$work/ledger" > "$work/log-$name.txt" 2>&1 || rc=$?
  end=$(date +%s.%N)
  python3 - "$name" "$heap" "$rc" "$start" "$end" "$(cut -d' ' -f1 /proc/loadavg)" "$out/report.json" >> "$results" <<'PY'
import json, os, sys
name, heap, rc, start, end, load, report = sys.argv[1:]
r = json.load(open(report)) if rc == "0" and os.path.exists(report) else {}
t = r.get("training", {})
print(json.dumps({"run": name, "heap": heap, "rc": int(rc), "wall": round(float(end) - float(start), 1),
                  "load": float(load), "millis_per_step": t.get("millis_per_step"),
                  "block_load_seconds": t.get("block_load_seconds"), "storage": t.get("storage"),
                  "accuracy": r.get("evaluation", {}).get("accuracy")}))
PY
  tail -1 "$results"
}

if [ "$what" = ooc ]; then
  # The generator: compiled here against the built jar (no bench profile needed).
  jar="$(ls "$home"/spark-jobs/target/dpspark-jobs-*-shaded.jar)"
  cp="$jar:$(cat "$home/spark-jobs/target/embedded-classpath.txt")"
  mkdir -p "$work/classes"
  javac -d "$work/classes" -cp "$cp" "$home/spark-jobs/src/bench/java/org/dpspark/jobs/bench/SyntheticTable.java"
  source "$home/submit-scripts/common.sh"
  for t in "big 6400000 96" "small 400000 6"; do
    set -- $t
    if [ ! -f "$work/$1/spec.json" ]; then
      # 96 files of ~34 MB: read back as 96 partitions with 64 MB splits (no shuffle before packing)
      java "${DPSPARK_JAVA_OPENS[@]}" -Xmx3g -Dspark.sql.files.maxPartitionBytes=64m \
        -Dlog4j2.configurationFile=org/dpspark/jobs/log4j2-dpspark.properties -cp "$work/classes:$cp" \
        org.dpspark.jobs.bench.SyntheticTable "$work/$1" "$2" 64 "$3" 1 > "$work/gen-$1.txt" 2>&1
    fi
  done
  common=(--format parquet --noise-multiplier 1.0 --delta 1e-8 --steps 300 --batch-size 1024 --clip-norm 1
    --learning-rate 1 --partitions 96 --step-mode barrier)
  export DPSPARK_JAVA_OPTS="-Dspark.sql.files.maxPartitionBytes=64m ${DPSPARK_JAVA_OPTS:-}"
  run small-memory 1g --input "$work/small/data" --spec "$work/small/spec.json" "${common[@]}" --block-storage memory
  run small-disk 1g --input "$work/small/data" --spec "$work/small/spec.json" "${common[@]}" --block-storage disk
  run big-disk 1g --input "$work/big/data" --spec "$work/big/spec.json" "${common[@]}" --block-storage disk
  if [ "${EVICT_PAGE_CACHE:-0}" = 1 ]; then
    # The same run with the block files' pages dropped from the OS page cache every 20 ms (posix_fadvise DONTNEED on
    # this run's own files only; nothing else is touched), so that the steps' reads go to the disk.
    python3 - "${SPARK_LOCAL_DIRS:-${TMPDIR:-/tmp}}" "$work/evict.stop" <<'PY' &
import glob, os, sys, time
base, stop = sys.argv[1:]
while not os.path.exists(stop):
    for f in glob.glob(os.path.join(base, "blockmgr-*", "dpspark-blocks-*", "*.bin")):
        try:
            fd = os.open(f, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)
        except OSError:
            pass
    time.sleep(0.02)
PY
    evictor=$!
    run big-disk-evicted 1g --input "$work/big/data" --spec "$work/big/spec.json" "${common[@]}" --block-storage disk
    touch "$work/evict.stop"
    wait "$evictor" || true
    rm -f "$work/evict.stop"
  fi
else
  for p in float64 float32; do
    run "adult-$p" "${DPSPARK_DRIVER_MEMORY:-4g}" --input "$adult/adult.data" --format adult \
      --eval-input "$adult/adult.test" --epsilon 1 --delta 1e-5 --epochs 15 --batch-size 256 --clip-norm 1 \
      --learning-rate 1 --precision "$p"
  done
  for p in float64 float32; do
    run "mnist-$p" "${DPSPARK_DRIVER_MEMORY:-6g}" --input "$mnist/train-images-idx3-ubyte.gz" --format mnist \
      --eval-input "$mnist/t10k-images-idx3-ubyte.gz" --epsilon 3 --delta 1e-5 --epochs 10 --precision "$p"
  done
fi
python3 - "$results" <<'PY'
import json, sys
runs = {}
for l in open(sys.argv[1]):
    r = json.loads(l)
    runs[r["run"]] = r
for name, r in runs.items():
    s = r.get("storage") or {}
    print("%-14s rc %d  %8s ms/step  acc %-7s  features %6.0f MiB (%6.0f in memory)  sampled (expected) %6.1f KiB/step  read %6.1f KiB/step (read/sampled bytes x expected)  load %.2f  wall %.0f s" % (
        name, r["rc"], "%.2f" % r["millis_per_step"] if r["millis_per_step"] else "-", r.get("accuracy") and "%.4f" % r["accuracy"],
        s.get("feature_bytes", 0) / 2**20, s.get("feature_bytes_in_memory", 0) / 2**20,
        s.get("expected_sampled_row_bytes_per_step", 0) / 1024,
        s.get("expected_sampled_row_bytes_per_step", 0) * s.get("bytes_read_per_sampled_byte", 0) / 1024,
        r["load"], r["wall"]))
PY
