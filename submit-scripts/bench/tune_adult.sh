#!/usr/bin/env bash
# tune_adult.sh: issue 16's acceptance run of dp-tune on Adult: the README's dp-train recipe (epochs 15, B = 256,
# delta 1e-5) tuned privately over 8 learning rates around its lr 1 x 2 clip norms, epsilon 1 TOTAL for the whole
# search (K ~ geometric with mean 10 by default), on the embedded local Spark (local[2], 2 partitions), with a ledger
# of its own in the output folder (unbudgeted: the public Adult files). With --eval-input, every trial's model is
# evaluated on adult.test (exact metrics, NOT DP; in the report's tuning.trials[].evaluation_not_dp) so that the
# chosen trial can be compared with the best one in hindsight. Prints the chosen trial, the best trial by test
# accuracy, and the search's epsilon.
#
# Environment: DPSPARK_TUNE_OUT (default spark-jobs/target/bench/tune_adult), DPSPARK_TUNE_TRIALS (default
# geometric:10), DPSPARK_TUNE_EXTRA (more flags, e.g. "--epochs 2" for a smoke test).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(cd "$here/.." && pwd)"
adult="${DPSPARK_ADULT:-$root/../shared/datasets/adult}"
[ -f "$adult/adult.data" ] || adult=/work/shared/datasets/adult
if [ ! -f "$adult/adult.data" ]; then
  echo "tune_adult.sh: Adult not found (set DPSPARK_ADULT to the folder holding adult.data and adult.test)" >&2
  exit 2
fi
out="${DPSPARK_TUNE_OUT:-$root/spark-jobs/target/bench/tune_adult}"
mkdir -p "$out"
ledger="$out/ledger"
[ -d "$ledger" ] || "$here/dp-ledger" init --ledger "$ledger" --allow-unbudgeted >/dev/null
run="$out/run-$(date +%Y%m%d-%H%M%S)"
start=$(date +%s)
# shellcheck disable=SC2086
"$here/dp-tune" --master 'local[2]' --partitions 2 --ledger "$ledger" --unbudgeted \
  --input "$adult/adult.data" --format adult --eval-input "$adult/adult.test" \
  --epsilon 1 --delta 1e-5 --epochs 15 --batch-size 256 \
  --grid learning-rate=0.25,0.5,1,2,4,8,16,32 --grid clip-norm=0.5,1 \
  --trials "${DPSPARK_TUNE_TRIALS:-geometric:10}" \
  --output "$run" ${DPSPARK_TUNE_EXTRA:-} | tee "$out/last.log"
echo "seconds: $(( $(date +%s) - start ))"
python3 - "$run/report.json" <<'PY'
import json, sys
rep = json.load(open(sys.argv[1]))
t = rep["tuning"]
trials = t["trials"]
chosen = trials[t["chosen_trial"]]
def acc(x):
    return x.get("evaluation_not_dp", {}).get("accuracy")
best = max(trials, key=lambda x: acc(x) or -1)
print(f"search: K = {t['trials_run']} trials ({t['trials_distribution']}), sigma = {t['noise_multiplier']:.4f}, "
      f"q = {t['sampling_rate']:.6f}, steps = {t['steps']}, score noise S = {t['score_noise_multiplier']} "
      f"(accuracy std {t['score_noise_std_accuracy']:.4f} on {t['validation_rows']} validation rows)")
print(f"epsilon = {t['epsilon']:.4f} at delta = {t['delta']} for the whole search ({t['accountant']}; target "
      f"{t['target_epsilon']})")
for x in trials:
    print(f"  trial {x['index']}: lr {x['learning_rate']:g} C {x['clip_norm']:g}: noisy validation accuracy "
          f"{x['noisy_validation_accuracy']:.4f}, test accuracy (not DP) {acc(x):.4f}")
print(f"chosen: trial {chosen['index']} (lr {chosen['learning_rate']:g}, C {chosen['clip_norm']:g}): test accuracy "
      f"{acc(chosen):.4f}")
print(f"best in hindsight: trial {best['index']} (lr {best['learning_rate']:g}, C {best['clip_norm']:g}): test "
      f"accuracy {acc(best):.4f}")
PY
