#!/usr/bin/env python3
"""The Opacus side of issue 6's peer comparison (docs/benchmarks.md), run by `submit-scripts/dp-bench peers`.

Trains, with Opacus' DP-SGD (Poisson sampling, flat clipping, Gaussian noise in the optimizer):
  adult: logistic regression Linear(104, 1) from zero weights, BCE-with-logits, plain SGD, batch 256, 15 epochs,
         C = 1, lr 1.0, sigma 1.6016 (Opacus' own eps = 1 calibration), on the d = 104 encoding of
         ../shared/datasets/adult/ADULT_FEATURES.md (the one dp-train's built-in `adult` spec uses);
  mnist: an MLP 784-256-10 (ReLU), cross-entropy, plain SGD, batch 256, C = 1, lr 0.5, sigma 1.1 (or --mnist-lr,
         --mnist-sigma), pixels / 255 (dp-train's built-in `mnist` spec), on MNIST or the IDX files of --mnist-dir
         (Fashion-MNIST);
once per torch thread count (--threads, default 1,2), and reports the wall time of every epoch, ms/step, and the
test accuracy. Data is read from the shared datasets folder; nothing is written but the JSON result (--out).

Two baselines for issue 19 (no Opacus needed, torch only):
  mnist-nonprivate: the same MLP 784-256-10 trained without privacy: plain torch SGD (lr --mnist-lr), shuffled
         batches of 256, cross-entropy, float32 (torch's default), --nonprivate-epochs epochs (default 3; epochs 2+
         are the steady state), per thread count;
  blas:  the GFLOPS of a plain float64 GEMM with the shape of the MLP's first layer at batch 256
         ((256 x 784) @ (784 x 256)) in numpy (a subprocess with OPENBLAS_NUM_THREADS=1 etc.) and in torch
         (float64 and float32, 1 thread), best of several repetitions: what this machine's BLAS does per core.

Timing covers the training loop only (data already in memory as tensors; the DataLoader's Poisson sampling, the
per-sample gradients, clipping, noise and the update), as dp-train's training_loop_seconds covers its steps only.

Needs torch and opacus (with its dependencies: scipy, opt_einsum). When they cannot be imported, prints why
and exits 0 with {"skipped": "..."} in --out, so a bench run without them still completes.

Usage: opacus_bench.py --datasets DIR [--what adult,mnist,mnist-nonprivate,blas] [--threads 1,2]
                       [--adult-epochs 15] [--mnist-epochs 3] [--nonprivate-epochs 3] [--mnist-dir DIR]
                       [--mnist-sigma S] [--mnist-lr LR] --out FILE
"""
import argparse
import gzip
import json
import math
import os
import platform
import struct
import sys
import time
import warnings


def load_adult(path, vocab):
    """Rows of adult.data / adult.test encoded as ADULT_FEATURES.md says (d = 104), and 0/1 labels."""
    numeric = [  # (column index in the file, min, max, transform)
        (0, 17.0, 90.0, "scale"),      # age
        (4, 1.0, 16.0, "scale"),       # education-num
        (10, 0.0, 99999.0, "log1p"),   # capital-gain
        (11, 0.0, 5000.0, "log1p"),    # capital-loss
        (12, 1.0, 99.0, "scale"),      # hours-per-week
    ]
    categorical = [(1, "workclass"), (3, "education"), (5, "marital-status"), (6, "occupation"),
                   (7, "relationship"), (8, "race"), (9, "sex"), (13, "native-country")]
    index = {name: {tok: i for i, tok in enumerate(vocab[name])} for _, name in categorical}
    dim = len(numeric) + sum(len(vocab[name]) for _, name in categorical)
    xs, ys = [], []
    with open(path) as f:
        for line in f:
            fields = [t.strip() for t in line.split(",")]
            if len(fields) < 15:
                continue  # blank lines and adult.test's "|1x3 Cross validator" header
            x = [0.0] * dim
            for j, (col, lo, hi, how) in enumerate(numeric):
                v = min(max(float(fields[col]), lo), hi)
                x[j] = (v - lo) / (hi - lo) if how == "scale" else math.log1p(v) / math.log1p(hi)
            off = len(numeric)
            for col, name in categorical:
                k = index[name].get(fields[col])
                if k is not None:
                    x[off + k] = 1.0
                off += len(vocab[name])
            xs.append(x)
            ys.append(1.0 if fields[14].rstrip(".") == ">50K" else 0.0)
    return xs, ys, dim


def adult_vocabularies(names_path):
    """The category lists of adult.names, in its order ("workclass: Private, Self-emp-not-inc, ...")."""
    vocab = {}
    with open(names_path) as f:
        for line in f:
            if ":" in line and not line.startswith("|"):
                key, _, rest = line.partition(":")
                rest = rest.strip()
                if rest and rest != "continuous." and " " not in key.strip():
                    vocab[key.strip()] = [t.strip() for t in rest.rstrip(".").split(",")]
    return vocab


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return data[4 + 4 * ndim:], dims


def load_mnist(folder, prefix, torch):
    images, dims = read_idx(os.path.join(folder, prefix + "-images-idx3-ubyte.gz"))
    labels, _ = read_idx(os.path.join(folder, prefix + "-labels-idx1-ubyte.gz"))
    x = torch.frombuffer(bytearray(images), dtype=torch.uint8).reshape(dims[0], dims[1] * dims[2]).float() / 255.0
    y = torch.frombuffer(bytearray(labels), dtype=torch.uint8).long()
    return x, y


def train(torch, opacus, model, loss_fn, x, y, *, batch, epochs, lr, sigma, clip, eval_fn):
    """Opacus DP-SGD with Poisson sampling; returns per-epoch seconds, steps and the final test accuracy."""
    from torch.utils.data import DataLoader, TensorDataset
    loader = DataLoader(TensorDataset(x, y), batch_size=batch)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    engine = opacus.PrivacyEngine()
    model, optimizer, loader = engine.make_private(module=model, optimizer=optimizer, data_loader=loader,
                                                   noise_multiplier=sigma, max_grad_norm=clip,
                                                   poisson_sampling=True)
    out = run_epochs(torch, model, loss_fn, optimizer, loader, epochs=epochs, eval_fn=eval_fn)
    out["sample_rate"] = 1.0 / len(loader)
    return out


def run_epochs(torch, model, loss_fn, optimizer, loader, *, epochs, eval_fn):
    """The timed epochs of SGD over `loader`; per-epoch seconds and steps, ms per step and the final test accuracy."""
    seconds, steps = [], []
    for _ in range(epochs):
        t0 = time.perf_counter()
        n = 0
        for xb, yb in loader:
            optimizer.zero_grad(set_to_none=True)
            if len(xb) > 0:  # a Poisson batch may be empty; Opacus then still steps (noise only)
                loss_fn(model(xb), yb).backward()
            optimizer.step()
            n += 1
        seconds.append(time.perf_counter() - t0)
        steps.append(n)
    with torch.no_grad():
        acc = eval_fn(model)
    return {"seconds_per_epoch": seconds, "steps_per_epoch": steps,
            "ms_per_step": 1000.0 * sum(seconds) / sum(steps), "test_accuracy": acc}


def train_nonprivate(torch, model, x, y, *, batch, epochs, lr, eval_fn):
    """Plain (non-private) SGD on shuffled batches of `batch`; returns per-epoch seconds, steps, test accuracy."""
    from torch.utils.data import DataLoader, TensorDataset
    loader = DataLoader(TensorDataset(x, y), batch_size=batch, shuffle=True)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    return run_epochs(torch, model, loss_fn, optimizer, loader, epochs=epochs, eval_fn=eval_fn)


GEMM_SHAPE = (256, 784, 256)  # m, k, n: the MLP's first layer at batch 256

NUMPY_GEMM = """
import json, time, numpy as np
m, k, n = %d, %d, %d
rng = np.random.default_rng(1)
a, b = rng.random((m, k)) - 0.5, rng.random((k, n)) - 0.5
best = 0.0
for rep in range(10):
    t0 = time.perf_counter()
    for _ in range(20):
        c = a @ b
    best = max(best, 2.0 * m * k * n * 20 / (time.perf_counter() - t0) / 1e9)
cfg = ""
try:
    info = np.__config__.get_info("blas_opt_info") if hasattr(np.__config__, "get_info") else {}
    cfg = str(info.get("libraries", ""))
except Exception:
    pass
print(json.dumps({"numpy": np.__version__, "gflops": best, "blas": cfg}))
""" % GEMM_SHAPE


def blas_gflops(torch):
    """Single-thread GEMM GFLOPS of numpy (float64) and torch (float64, float32) on GEMM_SHAPE."""
    import subprocess
    out = {"shape_m_k_n": list(GEMM_SHAPE)}
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    try:
        p = subprocess.run([sys.executable, "-c", NUMPY_GEMM], env=env, capture_output=True, text=True, timeout=300)
        out["numpy_float64"] = json.loads(p.stdout) if p.returncode == 0 else {"error": p.stderr[-500:]}
    except Exception as e:
        out["numpy_float64"] = {"error": "%s: %s" % (type(e).__name__, e)}
    if torch is not None:
        torch.set_num_threads(1)
        m, k, n = GEMM_SHAPE
        for dtype in (torch.float64, torch.float32):
            a, b = torch.rand(m, k, dtype=dtype) - 0.5, torch.rand(k, n, dtype=dtype) - 0.5
            best = 0.0
            for _ in range(10):
                t0 = time.perf_counter()
                for _ in range(20):
                    a @ b
                best = max(best, 2.0 * m * k * n * 20 / (time.perf_counter() - t0) / 1e9)
            out["torch_" + str(dtype).replace("torch.", "")] = {"gflops": best}
    return out


def mnist_data(args, torch):
    """MNIST's folder, training rows and labels, and the test-accuracy function of a model."""
    folder = args.mnist_dir or os.path.join(args.datasets, "mnist")
    x, y = load_mnist(folder, "train", torch)
    tx, ty = load_mnist(folder, "t10k", torch)
    return folder, x, y, lambda m: float((m(tx).argmax(dim=1) == ty).float().mean())


def mnist_models(args, torch):
    """Per thread count of --threads: the count (set in torch) and a fresh, randomly seeded MLP 784-256-10."""
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        torch.manual_seed(int.from_bytes(os.urandom(4), "big"))
        yield threads, torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--datasets", required=True, help="the shared datasets folder (adult/, mnist/)")
    ap.add_argument("--what", default="adult,mnist,mnist-nonprivate,blas")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--adult-epochs", type=int, default=15)
    ap.add_argument("--mnist-epochs", type=int, default=3)
    ap.add_argument("--nonprivate-epochs", type=int, default=3)
    ap.add_argument("--mnist-dir", default=None,
                    help="the IDX folder for the mnist task (default DATASETS/mnist; e.g. Fashion-MNIST's)")
    ap.add_argument("--mnist-sigma", type=float, default=1.1)
    ap.add_argument("--mnist-lr", type=float, default=0.5)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    result = {"tool": "opacus", "python": platform.python_version(),
              "loadavg_before": open("/proc/loadavg").read().strip()}
    what = args.what.split(",")
    warnings.filterwarnings("ignore")
    result["runs"] = []
    torch = None
    try:
        import torch
        result["torch"] = torch.__version__
    except Exception as e:  # ImportError, or a broken dependency
        result["torch_skipped"] = "%s: %s" % (type(e).__name__, e)
    if "blas" in what:
        result["blas"] = blas_gflops(torch)
        print("opacus_bench: GEMM %s GFLOPS (1 thread): %s" % (
            "x".join(map(str, GEMM_SHAPE)),
            ", ".join("%s %.1f" % (key, v["gflops"]) for key, v in result["blas"].items()
                      if isinstance(v, dict) and "gflops" in v)), flush=True)
    if torch is not None and "mnist-nonprivate" in what:
        folder, x, y, eval_fn = mnist_data(args, torch)
        for threads, model in mnist_models(args, torch):
            r = train_nonprivate(torch, model, x, y, batch=256, epochs=args.nonprivate_epochs, lr=args.mnist_lr,
                                 eval_fn=eval_fn)
            r.update({"task": "mnist-nonprivate", "threads": threads, "rows": int(x.shape[0]), "hidden": 256,
                      "folder": folder, "lr": args.mnist_lr})
            print("opacus_bench: mnist MLP non-private torch, %d thread(s): %s s per epoch, test accuracy %.4f"
                  % (threads, ", ".join("%.2f" % s for s in r["seconds_per_epoch"]), r["test_accuracy"]), flush=True)
            result["runs"].append(r)
    try:
        if torch is None:
            raise ImportError(result["torch_skipped"])
        import opacus
    except Exception as e:  # ImportError, or a broken dependency
        msg = ("opacus_bench: skipped: cannot import torch and opacus (%s: %s). Install Debian's python3-torch and "
               "python3-scipy, and put opacus 1.4.0 and opt_einsum 3.3.0 on PYTHONPATH (docs/benchmarks.md)."
               % (type(e).__name__, e))
        print(msg, file=sys.stderr)
        result["skipped"] = msg
        result["loadavg_after"] = open("/proc/loadavg").read().strip()
        with open(args.out, "w") as f:
            json.dump(result, f, indent=2)
        return 0
    result["opacus"] = opacus.__version__

    if "adult" in what:
        folder = os.path.join(args.datasets, "adult")
        vocab = adult_vocabularies(os.path.join(folder, "adult.names"))
        xs, ys, dim = load_adult(os.path.join(folder, "adult.data"), vocab)
        txs, tys, _ = load_adult(os.path.join(folder, "adult.test"), vocab)
        x, y = torch.tensor(xs), torch.tensor(ys).unsqueeze(1)
        tx, ty = torch.tensor(txs), torch.tensor(tys).unsqueeze(1)
        for threads in [int(t) for t in args.threads.split(",")]:
            torch.set_num_threads(threads)
            torch.manual_seed(int.from_bytes(os.urandom(4), "big"))
            model = torch.nn.Linear(dim, 1)
            torch.nn.init.zeros_(model.weight)
            torch.nn.init.zeros_(model.bias)
            r = train(torch, opacus, model, torch.nn.BCEWithLogitsLoss(), x, y, batch=256, epochs=args.adult_epochs,
                      lr=1.0, sigma=1.6016, clip=1.0,
                      eval_fn=lambda m: float(((m(tx) > 0).float() == ty).float().mean()))
            r.update({"task": "adult", "threads": threads, "rows": len(xs), "dim": dim})
            print("opacus_bench: adult, %d thread(s): %.3f ms/step, %.3f s/epoch (median), test accuracy %.4f"
                  % (threads, r["ms_per_step"], sorted(r["seconds_per_epoch"])[len(r["seconds_per_epoch"]) // 2],
                     r["test_accuracy"]), flush=True)
            result["runs"].append(r)

    if "mnist" in what:
        folder, x, y, eval_fn = mnist_data(args, torch)
        for threads, model in mnist_models(args, torch):
            r = train(torch, opacus, model, torch.nn.CrossEntropyLoss(), x, y, batch=256, epochs=args.mnist_epochs,
                      lr=args.mnist_lr, sigma=args.mnist_sigma, clip=1.0,
                      eval_fn=eval_fn)
            r.update({"task": "mnist", "threads": threads, "rows": int(x.shape[0]), "hidden": 256, "folder": folder,
                      "sigma": args.mnist_sigma, "lr": args.mnist_lr})
            print("opacus_bench: mnist MLP, %d thread(s): %s s per epoch, %.2f ms/step, test accuracy %.4f"
                  % (threads, ", ".join("%.1f" % s for s in r["seconds_per_epoch"]), r["ms_per_step"],
                     r["test_accuracy"]), flush=True)
            result["runs"].append(r)

    result["loadavg_after"] = open("/proc/loadavg").read().strip()
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
