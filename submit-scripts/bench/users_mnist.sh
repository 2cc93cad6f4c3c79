#!/usr/bin/env bash
# users_mnist.sh: issue 12's comparisons on federated MNIST, run side by side in one invocation (called by
# `dp-bench users-mnist`; see docs/benchmarks.md). Each run is dp-train in a fresh JVM, as a user runs it, on the
# embedded local Spark (local[2]), with a ledger of its own that allows unregistered data.
#
#   compare SPLIT USERS ROWS_PER_USER: at user-level (2, 1e-5) on the split SPLIT (iid:1000 or shards:1000:2),
#       1. user-level DP-SGD, 2. DP-FedAvg, 3. the row-level model trained at the row-level guarantee that group
#       privacy turns into (2, 1e-5) for a user's ROWS_PER_USER rows (Vadhan 2017, Lemma 2.2: (k eps, k e^((k-1)
#       eps) delta)), and 4. the row-level model at row-level (2, 1e-5), which protects rows, not users (reference).
#   geyer USERS DELTA: DP-FedAvg in Geyer, Klein and Nabi (2017)'s setting: USERS clients of the non-IID two-shard
#       split, client-level epsilon 8 at DELTA.
#
# Environment: DPSPARK_SHARED (default ../shared), DPSPARK_USERS_RUNS (default: "compare-iid compare-shards geyer"),
# DPSPARK_USERS_OUT (default spark-jobs/target/bench/users-mnist).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home="$(cd "$here/.." && pwd)"
shared="${DPSPARK_SHARED:-$home/../shared}"
mnist="$shared/datasets/mnist"
[ -f "$mnist/train-images-idx3-ubyte.gz" ] || { echo "users_mnist: $mnist/train-images-idx3-ubyte.gz not found (set DPSPARK_SHARED)" >&2; exit 2; }
out="${DPSPARK_USERS_OUT:-$home/spark-jobs/target/bench/users-mnist}"
mkdir -p "$out"
ledger="$out/ledger"
[ -d "$ledger" ] || "$here/dp-ledger" init --ledger "$ledger" --allow-unbudgeted >/dev/null
results="$out/results.tsv"
[ -f "$results" ] || printf 'name\tsplit\tguarantee\treport\tseconds\tload_start\n' >"$results"

# The DCT MLP of the README's MNIST recipe (dct:10, 256 tanh units); the optimizer settings differ per algorithm.
common=(--master 'local[2]' --input "$mnist/train-images-idx3-ubyte.gz" --format mnist
  --eval-input "$mnist/t10k-images-idx3-ubyte.gz" --features dct:10 --model mlp --hidden 256 --activation tanh
  --step-mode barrier --unbudgeted --ledger "$ledger")

run() { # run NAME SPLIT GUARANTEE ARGS...: one dp-train, its report kept as $out/NAME/report.json
  local name="$1" split="$2" guarantee="$3"; shift 3
  rm -rf "${out:?}/$name"
  local load; load="$(cut -d' ' -f1 /proc/loadavg)"
  local t0; t0="$(date +%s)"
  echo "users_mnist: $name ($split, $guarantee)" >&2
  if ! "$here/dp-train" "${common[@]}" "$@" --output "$out/$name" >"$out/$name.log" 2>&1; then
    echo "users_mnist: $name failed; see $out/$name.log" >&2; tail -n 3 "$out/$name.log" >&2; return 1
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$split" "$guarantee" "$out/$name/report.json" \
    "$(( $(date +%s) - t0 ))" "$load" >>"$results"
}

# The row-level guarantee whose group-privacy conversion for k rows is exactly (eps, delta): eps / k and
# delta / (k e^((k-1) eps / k)).
group_row_level() { python3 -c "import math,sys; e,d,k=float(sys.argv[1]),float(sys.argv[2]),int(sys.argv[3]); r=e/k; print(f'{r:.10g} {d/(k*math.exp((k-1)*r)):.10g}')" "$@"; }

compare() { # compare TAG SPLIT ROWS_PER_USER
  local tag="$1" split="$2" k="$3"
  local user=(--federated-split "$split" --privacy-unit user --user-col user --max-rows-per-user "$k"
    --epsilon 2 --delta 1e-5)
  run "$tag-user-dpsgd" "$split" "user (2, 1e-5)" "${user[@]}" --batch-size "${USER_B:-100}" --epochs "${USER_E:-20}" \
    --optimizer momentum --momentum 0.9 --lr-schedule cosine --learning-rate "${USER_LR:-4}" --clip-norm "${USER_C:-0.03}"
  run "$tag-fedavg" "$split" "user (2, 1e-5)" "${user[@]}" --algorithm fedavg --batch-size "${FED_B:-100}" \
    --epochs "${FED_E:-40}" --local-epochs "${FED_LOCAL_E:-2}" --local-learning-rate "${FED_LOCAL_LR:-0.1}" \
    --local-batch-size "${FED_LOCAL_B:-20}" --optimizer "${FED_OPT:-sgd}" --learning-rate "${FED_LR:-1}" \
    --clip-norm "${FED_C:-0.3}"
  read -r reps red < <(group_row_level 2 1e-5 "$k")
  run "$tag-row-group" "$split" "row ($reps, $red) = user (2, 1e-5) by group privacy" --epsilon "$reps" --delta "$red" \
    --batch-size 2048 --epochs 40 --optimizer momentum --momentum 0.9 --lr-schedule cosine --learning-rate 40 \
    --clip-norm 0.03
  if [ "$tag" = iid ]; then
    run "$tag-row-level" "$split" "row (2, 1e-5): protects rows, not users" --epsilon 2 --delta 1e-5 \
      --batch-size 2048 --epochs 40 --optimizer momentum --momentum 0.9 --lr-schedule cosine --learning-rate 40 \
      --clip-norm 0.03
  fi
}

geyer() { # geyer USERS DELTA ARGS...: DP-FedAvg, non-IID two shards per client, client-level epsilon 8
  local users="$1" delta="$2"; shift 2
  local k=$(( 60000 / users ))
  run "geyer-$users" "shards:$users:2" "user (8, $delta)" --federated-split "shards:$users:2" --privacy-unit user \
    --user-col user --max-rows-per-user "$k" --epsilon 8 --delta "$delta" --algorithm fedavg --local-batch-size 10 \
    "$@"
}

# The recipes, tuned on a few runs each (docs/benchmarks.md): every user in each of 10 rounds at 100 clients;
# FedAvgM (server momentum 0.9, Hsu et al. 2019) at 1,000 and 10,000.
geyer100() { geyer 100 1e-3 --batch-size 100 --epochs 10 --local-epochs 4 --local-learning-rate 0.1 --optimizer sgd \
  --learning-rate 1 --clip-norm 1; }
geyer1000() { geyer 1000 1e-5 --batch-size 300 --epochs 30 --local-epochs 2 --local-learning-rate 0.1 \
  --optimizer momentum --momentum 0.9 --learning-rate 1 --clip-norm 0.3; }
geyer10000() { geyer 10000 1e-6 --batch-size 1000 --epochs "${GEYER10K_E:-40}" --local-epochs 4 --local-learning-rate 0.1 \
  --optimizer momentum --momentum 0.9 --learning-rate 1 --clip-norm "${GEYER10K_C:-0.5}"; }

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -n 1); load average at start: $(cat /proc/loadavg)" >&2
for what in ${DPSPARK_USERS_RUNS:-compare-iid compare-shards geyer}; do
  case "$what" in
    compare-iid) compare iid iid:1000 60 ;;
    compare-shards) compare shards shards:1000:2 60 ;;
    geyer) geyer100; geyer1000; geyer10000 ;;
    geyer-100) geyer100 ;;
    geyer-1000) geyer1000 ;;
    geyer-10000) geyer10000 ;;
    *) echo "users_mnist: unknown run '$what'" >&2; exit 2 ;;
  esac
done
echo "load average at end: $(cat /proc/loadavg)" >&2

python3 - "$results" <<'PY'
import json, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
print("| run | split | guarantee | sigma | steps | accuracy | ms/step | wall s |")
print("|---|---|---|---|---|---|---|---|")
for name, split, guarantee, report, seconds, load in rows:
    try:
        r = json.load(open(report))
    except OSError:
        continue
    t = r["training"]
    acc = r.get("evaluation", {}).get("accuracy")
    print(f"| {name} | {split} | {guarantee} | {t['noise_multiplier']:.4g} | {t['steps']} | "
          f"{acc:.4f} | {t['millis_per_step']:.0f} | {seconds} |")
PY
