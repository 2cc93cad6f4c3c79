#!/usr/bin/env python3
"""Summarizes `dp-bench peers`: dp-train's reports (ours) beside opacus_bench.py's results, rep by rep.

Usage: peers_summary.py DIR   (DIR holds rep<k>/ours-adult.json, rep<k>/ours-mnist.json, rep<k>/ours-mnist-f32.json,
rep<k>/opacus.json)
Prints the table and writes DIR/summary.json. Needs only the standard library.
"""
import glob
import json
import os
import statistics
import sys


def mlp_gflop_per_epoch(d=784, h=256, k=10, n=60000):
    """Dense flops (one multiply-add = 2) of one DP epoch of the MLP d-h-k with the batched kernel (issue 19).

    Per example: forward 2(dh + hk); backward delta_1 = phi'(a_1) * (W_2 delta_2): 2hk; ghost norms
    ||a_0||^2, ||a_1||^2, ||delta_1||^2, ||delta_2||^2: 2(d + h + h + k); weighted products A^T diag(c) D:
    2(dh + hk), with the scaling of D by c (h + k) and the bias sums (h + k). MNIST's zeros (81% of pixels) are
    counted: this is the dense count, as a dense BLAS does it.
    """
    per = 2 * (d * h + h * k) + 2 * h * k + 2 * (d + 2 * h + k) + 2 * (d * h + h * k) + 2 * (h + k)
    return per * n / 1e9


def read_kernel(path):
    """MlpKernelBench's key=value lines: GEMM GFLOPS and kernel-only seconds per epoch."""
    out = {}
    try:
        for line in open(path):
            key, _, value = line.strip().partition("=")
            if key.endswith("_seconds_per_epoch"):
                out[key] = [float(v) for v in value.split(" ")[0].split(",")]
            elif key.startswith("gemm_") and key.endswith("_gflops_best"):
                out["java_gemm_gflops"] = float(value.split(" ")[0])
            elif key == "gemm_impl":
                out["java_gemm_impl"] = value
    except OSError:
        pass
    return out


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
        mnist32 = load(os.path.join(rep, "ours-mnist-f32.json"))
        peer = load(os.path.join(rep, "opacus.json")) or {}
        loads = {}
        for name in ("load-ours", "load-kernel", "load-opacus"):
            p = os.path.join(rep, name + ".txt")
            loads[name] = open(p).read().strip() if os.path.exists(p) else ""
        row = {"rep": k, "load_ours_start": loads["load-ours"], "load_kernel_start": loads["load-kernel"],
               "load_opacus_start": loads["load-opacus"]}
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
        if mnist32:
            t = mnist32["training"]
            ep = t.get("seconds_per_epoch") or []
            row["ours_f32_mnist_seconds_per_epoch"] = ep
            row["ours_f32_mnist_steady_epoch_s"] = statistics.median(ep[1:]) if len(ep) > 1 else None
            row["ours_f32_mnist_accuracy"] = (mnist32.get("evaluation") or {}).get("accuracy")
        if peer.get("skipped"):
            row["opacus_skipped"] = peer["skipped"]
        for r in peer.get("runs", []):
            if r["task"] == "mnist-nonprivate":
                continue  # not Opacus: below
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
        # issue 19: our DP epoch beside non-private torch's and the arithmetic limit
        kern = read_kernel(os.path.join(rep, "kernel.txt"))
        if kern:
            row["java_gemm_impl"] = kern.get("java_gemm_impl")
            row["java_gemm_gflops_1thread"] = kern.get("java_gemm_gflops")
            for key in ("batched_seconds_per_epoch", "per_example_seconds_per_epoch"):
                if key in kern:
                    row["kernel_only_" + key] = kern[key]
                    row["kernel_only_" + key.replace("seconds_per_epoch", "steady_s")] = min(kern[key][1:] or kern[key])
        blas = peer.get("blas") or {}
        for key in ("numpy_float64", "torch_float64", "torch_float32"):
            if isinstance(blas.get(key), dict) and "gflops" in blas[key]:
                row["blas_%s_gflops_1thread" % key] = blas[key]["gflops"]
        gflop = mlp_gflop_per_epoch()
        row["mlp_gflop_per_epoch_dense"] = gflop
        if row.get("java_gemm_gflops_1thread"):
            row["arithmetic_limit_s"] = gflop / row["java_gemm_gflops_1thread"]
        if row.get("blas_numpy_float64_gflops_1thread"):
            row["arithmetic_limit_numpy_s"] = gflop / row["blas_numpy_float64_gflops_1thread"]
        ours = row.get("ours_mnist_steady_epoch_s")
        for r in peer.get("runs", []):
            if r["task"] == "mnist-nonprivate":
                ep = r["seconds_per_epoch"]
                steady = statistics.median(ep[1:]) if len(ep) > 1 else ep[0]
                key = "torch_nonprivate_%dt" % r["threads"]
                row[key + "_seconds_per_epoch"] = ep
                row[key + "_steady_epoch_s"] = steady
                row[key + "_accuracy"] = r["test_accuracy"]
                if ours:
                    row["ours_over_" + key] = ours / steady
                if row.get("ours_f32_mnist_steady_epoch_s"):
                    row["ours_f32_over_" + key] = row["ours_f32_mnist_steady_epoch_s"] / steady
        if ours and row.get("arithmetic_limit_s"):
            row["ours_over_arithmetic_limit"] = ours / row["arithmetic_limit_s"]
        if row.get("kernel_only_batched_steady_s") and row.get("arithmetic_limit_s"):
            row["kernel_only_over_arithmetic_limit"] = row["kernel_only_batched_steady_s"] / row["arithmetic_limit_s"]
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
    # issue 19's columns as one markdown table, a row per repetition
    cols = [("load (1 min) ours / kernel / torch", lambda r: " / ".join(
                (r.get(k) or "?").split(" ")[0] for k in ("load_ours_start", "load_kernel_start", "load_opacus_start"))),
            ("ours: DP epoch, steady (s)", lambda r: r.get("ours_mnist_steady_epoch_s")),
            ("ours float32: DP epoch, steady (s)", lambda r: r.get("ours_f32_mnist_steady_epoch_s")),
            ("torch non-private, 1 thread (s)", lambda r: r.get("torch_nonprivate_1t_steady_epoch_s")),
            ("torch non-private, 2 threads (s)", lambda r: r.get("torch_nonprivate_2t_steady_epoch_s")),
            ("arithmetic limit (s)", lambda r: r.get("arithmetic_limit_s")),
            ("ours / torch 1t", lambda r: r.get("ours_over_torch_nonprivate_1t")),
            ("ours float32 / torch 1t", lambda r: r.get("ours_f32_over_torch_nonprivate_1t")),
            ("ours / torch 2t", lambda r: r.get("ours_over_torch_nonprivate_2t")),
            ("ours / limit", lambda r: r.get("ours_over_arithmetic_limit")),
            ("kernel alone, batched / per-example (s)", lambda r: "%s / %s" % (
                fmt(r.get("kernel_only_batched_steady_s")), fmt(r.get("kernel_only_per_example_steady_s")))),
            ("GEMM GFLOPS ours / numpy (1 thread)", lambda r: "%s / %s" % (
                fmt(r.get("java_gemm_gflops_1thread")), fmt(r.get("blas_numpy_float64_gflops_1thread"))))]
    print()
    print("| rep | " + " | ".join(c for c, _ in cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for row in rows:
        print("| %d | " % row["rep"] + " | ".join(fmt(f(row)) for _, f in cols) + " |")
    with open(os.path.join(folder, "summary.json"), "w") as f:
        json.dump(rows, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
