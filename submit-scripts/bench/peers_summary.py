#!/usr/bin/env python3
"""Summarizes `dp-bench peers`: dp-train's reports (ours) beside opacus_bench.py's results, rep by rep.

Usage: peers_summary.py DIR   (DIR holds rep<k>/ours-adult.json, rep<k>/ours-mnist.json, rep<k>/opacus.json)
Prints the table and writes DIR/summary.json. Needs only the standard library.
"""
import glob
import json
import os
import statistics
import sys


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def main(folder):
    reps = sorted(glob.glob(os.path.join(folder, "rep*")), key=lambda p: int(p.rsplit("rep", 1)[1]))
    rows = []
    for rep in reps:
        k = int(rep.rsplit("rep", 1)[1])
        adult = load(os.path.join(rep, "ours-adult.json"))
        mnist = load(os.path.join(rep, "ours-mnist.json"))
        peer = load(os.path.join(rep, "opacus.json")) or {}
        loads = {}
        for name in ("load-ours", "load-opacus"):
            p = os.path.join(rep, name + ".txt")
            loads[name] = open(p).read().strip() if os.path.exists(p) else ""
        row = {"rep": k, "load_ours_start": loads["load-ours"], "load_opacus_start": loads["load-opacus"]}
        if adult:
            t = adult["training"]
            row["ours_adult_ms_per_step"] = t["millis_per_step"]
            row["ours_adult_startup_s"] = t.get("step_runner_startup_seconds")
            row["ours_adult_accuracy"] = (adult.get("evaluation") or {}).get("accuracy")
        if mnist:
            t = mnist["training"]
            ep = t.get("seconds_per_epoch") or []
            row["ours_mnist_seconds_per_epoch"] = ep
            row["ours_mnist_first_epoch_s"] = ep[0] if ep else None
            row["ours_mnist_steady_epoch_s"] = statistics.median(ep[1:]) if len(ep) > 1 else None
            row["ours_mnist_mean_epoch_s"] = sum(ep) / len(ep) if ep else None
            row["ours_mnist_block_load_s"] = t.get("block_load_seconds")
            row["ours_mnist_startup_s"] = t.get("step_runner_startup_seconds")
            row["ours_mnist_accuracy"] = (mnist.get("evaluation") or {}).get("accuracy")
        if peer.get("skipped"):
            row["opacus_skipped"] = peer["skipped"]
        for r in peer.get("runs", []):
            key = "opacus_%s_%dt" % (r["task"], r["threads"])
            row[key + "_ms_per_step"] = r["ms_per_step"]
            row[key + "_seconds_per_epoch"] = r["seconds_per_epoch"]
            row[key + "_accuracy"] = r["test_accuracy"]
            if r["task"] == "adult" and row.get("ours_adult_ms_per_step"):
                row[key + "_over_ours"] = r["ms_per_step"] / row["ours_adult_ms_per_step"]
            if r["task"] == "mnist" and row.get("ours_mnist_steady_epoch_s"):
                med = statistics.median(r["seconds_per_epoch"])
                row[key + "_median_epoch_s"] = med
                row[key + "_over_ours_steady"] = med / row["ours_mnist_steady_epoch_s"]
                row[key + "_over_ours_mean"] = (sum(r["seconds_per_epoch"]) / len(r["seconds_per_epoch"])
                                                / row["ours_mnist_mean_epoch_s"])
        rows.append(row)

    def fmt(v):
        if isinstance(v, float):
            return "%.4g" % v
        if isinstance(v, list):
            return "[" + ", ".join(fmt(x) for x in v) + "]"
        return str(v)

    for row in rows:
        print("rep %d" % row["rep"])
        for key, v in row.items():
            if key != "rep":
                print("  %-44s %s" % (key, fmt(v)))
    with open(os.path.join(folder, "summary.json"), "w") as f:
        json.dump(rows, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
