#!/usr/bin/env bash
# A dp-train run's CPU per step, thread by thread (issue 19, docs/benchmarks.md "A step's CPU, thread by thread").
# Runs dp-train in the background with the given flags (which must include --epochs E, an integer E >= 5, and --output), reads
# every thread's utime + stime from /proc at the ends of epoch 2 and of epoch E - 2 (the progress lines in its log),
# and prints the wall time and the CPU time of each thread group per step between the two. Linux only.
#
#   thread_cpu.sh --ledger L --unbudgeted --master 'local[2]' --input ../shared/datasets/mnist/train-images-idx3-ubyte.gz \
#     --format mnist --model mlp --hidden 256 --epochs 10 --batch-size 256 --clip-norm 1 --learning-rate 0.5 \
#     --noise-multiplier 1.1 --step-mode barrier --precision float32 --output OUT
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
epochs=""
prev=""
for a in "$@"; do
  if [ "$prev" = "--epochs" ]; then epochs="$a"; fi
  prev="$a"
done
if [ -z "$epochs" ] || [ "$epochs" -lt 5 ]; then
  echo "thread_cpu.sh: give --epochs E with an integer E >= 5" >&2
  exit 2
fi
last=$((epochs - 2))
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$here/dp-train" "$@" > "$work/log" 2>&1 &
pid=$!
snapshot() { # the JVM's threads: name|ticks
  local jvm t
  jvm="$(pgrep -P "$pid" java || echo "$pid")"
  for t in /proc/"$jvm"/task/*; do
    # fields after the ")" of comm: utime and stime are the 12th and 13th
    echo "$(cat "$t/comm" 2>/dev/null)|$(sed 's/.*) //' "$t/stat" 2>/dev/null | awk '{print $12 + $13}')"
  done
}
wait_for() {
  until grep -qs "epoch $1/$epochs" "$work/log"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "thread_cpu.sh: dp-train ended before epoch $1:" >&2
      tail -5 "$work/log" >&2
      exit 1
    fi
    sleep 0.1
  done
}
wait_for 2
snapshot > "$work/a"
wait_for "$last"
snapshot > "$work/b"
wait "$pid"
python3 - "$work" "$epochs" "$last" "$(getconf CLK_TCK)" <<'PY'
import collections, re, sys
work, epochs, last, hz = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def load(f):
    c = collections.Counter()
    for line in open(f):
        name, _, ticks = line.rstrip("\n").rpartition("|")
        if ticks:
            c[re.sub(r"[-#]?\d+$", "", name).strip()] += int(ticks)
    return c
a, b = load(work + "/a"), load(work + "/b")
log = open(work + "/log").read()
def at(e):
    m = re.search(r"epoch %s/%s: steps (\d+)/\d+.*?([0-9.]+) s\s*$" % (e, epochs), log, re.M)
    return int(m.group(1)), float(m.group(2))
(s0, t0), (s1, t1) = at(2), at(last)
steps = s1 - s0
d = {k: (b[k] - a.get(k, 0)) * 1000.0 / hz / steps for k in b}
total = sum(d.values())
print("steps %d, wall %.2f ms/step, all threads %.2f ms/step of CPU" % (steps, 1000 * (t1 - t0) / steps, total))
for k, v in sorted(d.items(), key=lambda kv: -kv[1]):
    if v >= 0.01:
        print("  %-28s %.2f" % (k, v))
PY
