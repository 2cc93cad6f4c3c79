#!/usr/bin/env bash
# audit.sh: issue 14's measurements of dp-audit (the one-run audit of Steinke, Nasr and Jagielski 2023, arXiv
# 2305.08846), side by side in one invocation (called by `dp-bench audit`; see docs/benchmarks.md). Each run is
# dp-audit (or dp-train) in a fresh JVM, as a user runs it, on the embedded local Spark (local[2], barrier mode,
# 2 partitions), with --public-data (public datasets: the audit charges nothing) and a ledger of its own in the output
# folder (dp-audit needs an existing ledger; it allows unregistered data; nothing of the audits is recorded in it).
#
#   power:    white-box power against the paper: Adult logistic regression with full batches (B = 32561, 100 steps,
#             lr 1, C = 1), 1000 white-box canaries, 200 guesses, at epsilon 1, 2, 4, 8 (delta 1e-5), and --no-dp
#             (no noise, clipping kept) with 800 guesses; DPSPARK_BENCH_REPS times (default 3), interleaved.
#   adult:    the PDP table on Adult: the README recipe (15 epochs, B = 256, C = 1, lr 1, delta 1e-5), 1000 canaries
#             of both kinds (200 guesses per game), at nodef (--no-dp: noise off, clipping kept), pdp-L (--no-dp
#             --regularizer pdp --pdp-strength L) for L in DPSPARK_AUDIT_ADULT_PDP (default 0.01 0.1 1), dp-E
#             (--epsilon E) for E in 0.5 1 2 4 8, and dp-2+pdp-0.1; settings interleaved within each repetition, the
#             order reversed every other repetition.
#   mnist:    the same table on MNIST: the README recipe (dct:10, MLP 100-256-10, tanh, momentum 0.9, cosine, lr 40,
#             C = 0.03, B = 2048) shortened to 10 epochs (40 in the README) to fit the time; PDP strengths
#             DPSPARK_AUDIT_MNIST_PDP (default 0.001 0.01 0.1, a decade below Adult's: chosen from one probe, where
#             --no-dp reached accuracy 0.933 and pdp-0.1 0.797, so the top strength visibly costs accuracy; see
#             docs/benchmarks.md), combined setting dp-2+pdp-<middle strength> (dp-2+pdp-0.01).
#   overhead: Adult at epsilon 1 (the README recipe): dp-train (--output) vs dp-audit --canary-kind white-box vs
#             dp-audit --canary-kind both, the order alternating per repetition.
#
# Writes $DPSPARK_AUDIT_OUT (default spark-jobs/target/bench/audit): per run its report (JSON) and log, and a row of
# results.tsv (name, part, dataset, setting, rep, report, seconds, load_start, exit); then prints the summary
# (submit-scripts/bench/audit_summary.py). DPSPARK_AUDIT_RUNS picks the parts (default "power adult mnist overhead").
# DPSPARK_AUDIT_EXTRA: flags replacing the recipes' own (a flag given there drops the recipe's value for it) or
# added to every run, e.g. DPSPARK_AUDIT_EXTRA="--epochs 1" for a smoke test (then power's --steps is kept: give
# "--steps 5" too). A run that fails is logged and skipped (exit column); an audit whose bound exceeds its claim
# exits 1 with its report written: that row is kept (exit 1) and the summary lists it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home="$(cd "$here/.." && pwd)"
shared="${DPSPARK_SHARED:-$home/../shared}"
adult="$shared/datasets/adult"
mnist="$shared/datasets/mnist"
out="${DPSPARK_AUDIT_OUT:-$home/spark-jobs/target/bench/audit}"
reps="${DPSPARK_BENCH_REPS:-3}"
mkdir -p "$out"
ledger="$out/ledger"
[ -d "$ledger" ] || "$here/dp-ledger" init --ledger "$ledger" --allow-unbudgeted >/dev/null
results="$out/results.tsv"
[ -f "$results" ] || printf 'name\tpart\tdataset\tsetting\trep\treport\tseconds\tload_start\texit\n' >"$results"
read -r -a extra <<<"${DPSPARK_AUDIT_EXTRA:-}"

# with_extra ARGS...: ARGS without the flags (and their values) that DPSPARK_AUDIT_EXTRA gives, then EXTRA; into $args.
with_extra() {
  args=()
  local skip=0 a e given
  for a in "$@"; do
    if [ "$skip" = 1 ]; then
      skip=0
      case "$a" in --*) ;; *) continue ;; esac
    fi
    given=0
    case "$a" in --*) for e in "${extra[@]}"; do [ "$e" = "$a" ] && given=1; done ;; esac
    if [ "$given" = 1 ]; then skip=1; continue; fi
    args+=("$a")
  done
  args+=("${extra[@]}")
}

# run NAME PART DATASET SETTING REP TOOL ARGS...: TOOL is dp-audit or dp-train.
run() {
  local name="$1" part="$2" dataset="$3" setting="$4" rep="$5" tool="$6"; shift 6
  rm -rf "${out:?}/$name" "$out/$name.json"
  local common=(--master 'local[2]' --partitions 2 --step-mode barrier --ledger "$ledger")
  if [ "$tool" = dp-audit ]; then
    common+=(--public-data --report "$out/$name.json")
  else
    common+=(--unbudgeted --output "$out/$name" --report "$out/$name.json")
  fi
  with_extra "$@"
  local load t0 t1 rc=0
  load="$(cut -d' ' -f1 /proc/loadavg)"
  echo "audit: $name ($(date -u +%H:%M:%S), load $load)" >&2
  t0="$(date +%s.%N)"
  "$here/$tool" "${common[@]}" "${args[@]}" >"$out/$name.log" 2>&1 || rc=$?
  t1="$(date +%s.%N)"
  if [ "$rc" != 0 ] && ! { [ "$rc" = 1 ] && [ "$tool" = dp-audit ] && grep -q 'EXCEEDS THE CLAIM' "$out/$name.log"; }; then
    echo "audit: $name failed (exit $rc); see $out/$name.log" >&2; tail -n 3 "$out/$name.log" >&2
  elif [ "$rc" = 1 ]; then
    echo "audit: $name: A LOWER BOUND EXCEEDS THE CLAIM; see $out/$name.log" >&2
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$part" "$dataset" "$setting" "$rep" "$out/$name.json" \
    "$(python3 -c "print(f'{$t1 - $t0:.2f}')")" "$load" "$rc" >>"$results"
}

# setting_flags SETTING: nodef, pdp-L, dp-E, dp-E+pdp-L -> flags, into $sflags. A trailing -u (nodef-u, pdp-L-u)
# trains without clipping as well (--clip-norm 1e6: plain SGD, the paper's PDP-SGD) at $unclipped_lr.
setting_flags() {
  sflags=()
  local s="$1" dp pdp=""
  case "$s" in *-u) s="${s%-u}"; sflags+=(--clip-norm 1e6 --learning-rate "$unclipped_lr") ;; esac
  case "$s" in *+pdp-*) pdp="${s#*+pdp-}"; s="${s%%+pdp-*}" ;; esac
  case "$s" in
    nodef) sflags+=(--no-dp) ;;
    pdp-*) sflags+=(--no-dp); pdp="${s#pdp-}" ;;
    dp-*) dp="${s#dp-}"; sflags+=(--epsilon "$dp") ;;
    *) echo "audit: unknown setting $1" >&2; return 2 ;;
  esac
  if [ -n "$pdp" ]; then sflags+=(--regularizer pdp --pdp-strength "$pdp"); fi
}

# without_overridden BASE...: BASE without the flags (and their values) that $sflags sets again; into $base.
without_overridden() {
  base=()
  local skip=0 a f given
  for a in "$@"; do
    if [ "$skip" = 1 ]; then skip=0; continue; fi
    given=0
    case "$a" in --*) for f in "${sflags[@]}"; do [ "$f" = "$a" ] && given=1; done ;; esac
    if [ "$given" = 1 ]; then skip=1; continue; fi
    base+=("$a")
  done
}

# table PART DATASET "SETTINGS" BASE...: each setting per repetition, reversed order every other repetition.
table() {
  local part="$1" dataset="$2" settings="$3"; shift 3
  local rep s order
  for rep in $(seq 1 "$reps"); do
    order="$settings"
    if [ $((rep % 2)) = 0 ]; then order="$(echo "$settings" | tr ' ' '\n' | tac | tr '\n' ' ')"; fi
    for s in $order; do
      setting_flags "$s"
      without_overridden "$@"
      run "$part-$s-$rep" "$part" "$dataset" "$s" "$rep" dp-audit "${base[@]}" "${sflags[@]}" --canary-kind both \
        --canaries 1000
    done
  done
}

need_adult() { [ -f "$adult/adult.data" ] || { echo "audit: $adult/adult.data not found (set DPSPARK_SHARED)" >&2; return 2; }; }
adult_base=(--input "$adult/adult.data" --format adult --eval-input "$adult/adult.test" --epochs 15 --batch-size 256
  --clip-norm 1 --learning-rate 1 --delta 1e-5)

power_runs() {
  need_adult
  local p=(--input "$adult/adult.data" --format adult --eval-input "$adult/adult.test" --batch-size 32561 --steps 100
    --learning-rate 1 --clip-norm 1 --delta 1e-5 --canary-kind white-box --canaries 1000)
  local rep s order
  for rep in $(seq 1 "$reps"); do
    order="dp-1 dp-2 dp-4 dp-8 nodef"
    if [ $((rep % 2)) = 0 ]; then order="nodef dp-8 dp-4 dp-2 dp-1"; fi
    for s in $order; do
      if [ "$s" = nodef ]; then
        run "power-$s-$rep" power adult "$s" "$rep" dp-audit "${p[@]}" --no-dp --audit-guesses 800
      else
        run "power-$s-$rep" power adult "$s" "$rep" dp-audit "${p[@]}" --epsilon "${s#dp-}" --audit-guesses 200
      fi
    done
  done
}

adult_runs() {
  need_adult
  local l pdp="" ; for l in ${DPSPARK_AUDIT_ADULT_PDP:-0.01 0.1 1}; do pdp="$pdp pdp-$l"; done
  table adult adult "nodef$pdp dp-0.5 dp-1 dp-2 dp-4 dp-8 dp-2+pdp-0.1" "${adult_base[@]}"
}

# The unclipped rows: no defence at all (plain SGD, no clipping, no noise) and PDP alone as the paper runs it.
unclipped_lr=1
adult_u_runs() {
  need_adult
  local l pdp="" ; for l in ${DPSPARK_AUDIT_ADULT_PDP:-0.01 0.1 1}; do pdp="$pdp pdp-$l-u"; done
  unclipped_lr=1 table adult adult "nodef-u$pdp" "${adult_base[@]}"
}

mnist_runs() {
  [ -f "$mnist/train-images-idx3-ubyte.gz" ] || { echo "audit: MNIST not found under $mnist" >&2; return 2; }
  local m=(--input "$mnist/train-images-idx3-ubyte.gz" --format mnist --eval-input "$mnist/t10k-images-idx3-ubyte.gz"
    --features dct:10 --model mlp --hidden 256 --activation tanh --optimizer momentum --momentum 0.9
    --lr-schedule cosine --learning-rate 40 --clip-norm 0.03 --batch-size 2048 --epochs 10 --delta 1e-5)
  local strengths=(${DPSPARK_AUDIT_MNIST_PDP:-0.001 0.01 0.1}) l pdp=""
  for l in "${strengths[@]}"; do pdp="$pdp pdp-$l"; done
  table mnist mnist "nodef$pdp dp-0.5 dp-1 dp-2 dp-4 dp-8 dp-2+pdp-${strengths[$(( ${#strengths[@]} / 2 ))]}" "${m[@]}"
}

mnist_u_runs() {
  [ -f "$mnist/train-images-idx3-ubyte.gz" ] || { echo "audit: MNIST not found under $mnist" >&2; return 2; }
  local m=(--input "$mnist/train-images-idx3-ubyte.gz" --format mnist --eval-input "$mnist/t10k-images-idx3-ubyte.gz"
    --features dct:10 --model mlp --hidden 256 --activation tanh --optimizer momentum --momentum 0.9
    --lr-schedule cosine --learning-rate 40 --clip-norm 0.03 --batch-size 2048 --epochs 10 --delta 1e-5)
  local l pdp="" ; for l in ${DPSPARK_AUDIT_MNIST_PDP:-0.001 0.01 0.1}; do pdp="$pdp pdp-$l-u"; done
  # lr 0.3: the best of 0.05, 0.3 and 1 in a probe without clipping (accuracy 0.925, 0.963, 0.756)
  unclipped_lr=0.3 table mnist mnist "nodef-u$pdp" "${m[@]}"
}

overhead_runs() {
  need_adult
  local rep k order
  for rep in $(seq 1 "$reps"); do
    order="train white-box both"
    if [ $((rep % 2)) = 0 ]; then order="both white-box train"; fi
    for k in $order; do
      if [ "$k" = train ]; then
        run "overhead-train-$rep" overhead adult train "$rep" dp-train "${adult_base[@]}" --epsilon 1
      else
        run "overhead-$k-$rep" overhead adult "audit-$k" "$rep" dp-audit "${adult_base[@]}" --epsilon 1 \
          --canary-kind "$k" --canaries 1000
      fi
    done
  done
}

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -n 1); load average at start: $(cat /proc/loadavg)" >&2
for part in ${DPSPARK_AUDIT_RUNS:-power adult mnist adult-u mnist-u overhead}; do
  case "$part" in
    power) power_runs ;;
    adult) adult_runs ;;
    mnist) mnist_runs ;;
    adult-u) adult_u_runs ;;
    mnist-u) mnist_u_runs ;;
    overhead) overhead_runs ;;
    *) echo "audit: unknown part $part (power, adult, mnist, adult-u, mnist-u, overhead)" >&2; exit 2 ;;
  esac
done
echo "load average at end: $(cat /proc/loadavg)" >&2
python3 "$here/bench/audit_summary.py" "$results"
