#!/usr/bin/env python3
"""Summarizes submit-scripts/bench/secagg.sh's results.tsv: per run the training loop's ms/step, accuracy and the
certified epsilon (with its accountant), then per dataset the medians and the step-time ratios to the central mode."""
import csv
import json
import statistics
import sys
from collections import defaultdict


def main(path):
    rows = list(csv.DictReader(open(path), delimiter="\t"))
    by = defaultdict(list)
    print("name\tmode\tms/step\taccuracy\tepsilon (accountant)\tsigma\tn, t, b")
    for r in rows:
        try:
            rep = json.load(open(r["report"]))
        except OSError:
            continue
        t = rep.get("training", {})
        ms = t.get("millis_per_step")
        acc = rep.get("evaluation", {}).get("accuracy")
        p = rep.get("privacy", {})
        sa = p.get("secure_aggregation")
        ntb = "-" if not sa else "%d, %d, %d" % (sa["parties"], sa["colluding"], sa["bits"])
        print("%s\t%s\t%.3f\t%s\t%.4f (%s)\t%.4f\t%s" % (r["name"], r["mode"], ms,
              "-" if acc is None else "%.4f" % acc, p.get("epsilon"), p.get("accountant"),
              p.get("noise_multiplier"), ntb))
        group = r["dataset"] + ("-steps" if r["name"].endswith("-steps") else "")
        by[(group, r["mode"])].append((ms, acc))
    print()
    print("group\tmode\truns\tmedian ms/step\tratio to central\tmean accuracy")
    for (group, mode) in sorted(by):
        ms = statistics.median(x[0] for x in by[(group, mode)])
        central = by.get((group, "central"))
        ratio = ms / statistics.median(x[0] for x in central) if central else float("nan")
        accs = [x[1] for x in by[(group, mode)] if x[1] is not None]
        print("%s\t%s\t%d\t%.3f\t%.2f\t%s" % (group, mode, len(by[(group, mode)]), ms, ratio,
              "%.4f" % statistics.mean(accs) if accs else "-"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "spark-jobs/target/bench/secagg/results.tsv")
