#!/usr/bin/env python3
"""Summarizes submit-scripts/bench/images.sh's results.tsv: per run the test accuracy, the certified epsilon (with its
accountant), sigma, seconds per epoch of the training loop and the one-time block pass (reading, encoding, the
scattering transform, packing) in rows per second; then per (dataset, epsilon) the mean accuracy over the runs with
its spread (min - max) and the median seconds per epoch."""
import csv
import json
import statistics
import sys
from collections import defaultdict


def main(path):
    rows = list(csv.DictReader(open(path), delimiter="\t"))
    by = defaultdict(list)
    print("name\taccuracy\tepsilon (accountant)\tsigma\tsteps\ts/epoch\tblock pass rows/s\twall s")
    for r in rows:
        try:
            rep = json.load(open(r["report"]))
        except OSError:
            continue
        t = rep.get("training", {})
        p = rep.get("privacy", {})
        acc = rep.get("evaluation", {}).get("accuracy")
        epochs = t.get("epochs") or float("nan")
        spe = t.get("training_loop_seconds", float("nan")) / epochs
        rows_n = t["batch_size"] / t["sampling_rate"] if t.get("sampling_rate") else None
        load = t.get("block_load_seconds")
        rps = rows_n / load if rows_n and load else float("nan")
        print("%s\t%s\t%.4f (%s)\t%.4f\t%s\t%.2f\t%.0f\t%s" % (r["name"], "-" if acc is None else "%.4f" % acc,
              p.get("epsilon"), p.get("accountant"), t.get("noise_multiplier"), t.get("steps"), spe, rps,
              r["seconds"]))
        if acc is not None:
            by[(r["dataset"], float(r["epsilon"]))].append((acc, spe))
    print()
    print("| data | epsilon | runs | mean accuracy | min - max | s/epoch (median) |")
    print("|---|---|---|---|---|---|")
    for (ds, eps) in sorted(by):
        accs = [a for a, _ in by[(ds, eps)]]
        print("| %s | %g | %d | **%.4f** | %.4f - %.4f | %.2f |" % (ds, eps, len(accs), statistics.mean(accs),
              min(accs), max(accs), statistics.median(s for _, s in by[(ds, eps)])))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "spark-jobs/target/bench/images/results.tsv")
