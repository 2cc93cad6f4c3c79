#!/usr/bin/env python3
"""The one-run audit's ceiling for an ideal Gaussian mechanism: an independent reference for `dp-bench audit`'s power table.

Full-batch DP-SGD (q = 1) for T steps on a white-box Dirac canary is T Gaussian mechanisms with sensitivity C and noise
sigma*C, i.e. one Gaussian mechanism with mu = sqrt(T) / sigma (mu-GDP, Dong, Roth and Su 2019), whose epsilon at delta
is exact: delta(eps) = Phi(-eps/mu + mu/2) - e^eps Phi(-eps/mu - mu/2). For each claimed epsilon this script finds mu,
draws the canaries' scores as the mechanism would (in: N(mu, 1), out: N(0, 1), in units of the noise), guesses as
dp-audit does (top k+ in, bottom k- out, ties by index) and bounds epsilon with Steinke, Nasr and Jagielski 2023,
Theorem 3.1 (its delta term included), written here independently of the Java code. The mean over REPS draws is
what a correct implementation should reach; the Java audit of a correct run lands near it, below it if its canaries
are clipped below C (dp-audit's white-box canary keeps the loss coordinate's share, so its signal is 0.98 C).

Usage: audit_ideal.py [--canaries 1000] [--in 100] [--out 100] [--delta 1e-5] [--beta 0.05] [--reps 200] EPS...
Needs numpy and scipy (Debian: python3-numpy, python3-scipy).
"""
import argparse
import math

import numpy as np
from scipy.optimize import brentq
from scipy.stats import binom, norm


def gaussian_delta(eps, mu):
    return norm.cdf(-eps / mu + mu / 2) - math.exp(eps) * norm.cdf(-eps / mu - mu / 2)


def mu_for(eps, delta):
    return brentq(lambda mu: gaussian_delta(eps, mu) - delta, 1e-4, 100.0)


def p_value(m, r, v, eps, delta):
    """Theorem 3.1: P[W >= v] + 2 m delta max_i (1/i) P[v - i <= W < v], W ~ Bin(r, e^eps / (1 + e^eps))."""
    q = 1.0 / (1.0 + math.exp(-eps))
    p = binom.sf(v - 1, r, q)
    if delta > 0 and v > 0:
        i = np.arange(1, v + 1)
        worst = np.max((binom.cdf(v - 1, r, q) - binom.cdf(v - i - 1, r, q)) / i)
        p += 2 * m * delta * worst
    return p


def lower_bound(m, r, v, delta, beta):
    if p_value(m, r, v, 0.0, delta) > beta:
        return 0.0
    lo, hi = 0.0, 1.0
    while p_value(m, r, v, hi, delta) <= beta:
        lo, hi = hi, 2 * hi
    for _ in range(50):
        mid = (lo + hi) / 2
        if p_value(m, r, v, mid, delta) <= beta:
            lo = mid
        else:
            hi = mid
    return lo


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--canaries", type=int, default=1000)
    ap.add_argument("--in", dest="k_in", type=int, default=100)
    ap.add_argument("--out", dest="k_out", type=int, default=100)
    ap.add_argument("--delta", type=float, default=1e-5)
    ap.add_argument("--beta", type=float, default=0.05)
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("eps", type=float, nargs="+")
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    m, r = a.canaries, a.k_in + a.k_out
    print("| claimed epsilon | mu (GDP) | ideal white-box LB, mean +- std (%d draws) |" % a.reps)
    print("|---|---|---|")
    for eps in a.eps:
        mu = mu_for(eps, a.delta)
        bounds = []
        for _ in range(a.reps):
            included = rng.random(m) < 0.5
            scores = rng.normal(0.0, 1.0, m) + np.where(included, mu, 0.0)
            order = np.argsort(-scores, kind="stable")
            correct = int(included[order[:a.k_in]].sum() + (~included[order[m - a.k_out:]]).sum())
            bounds.append(lower_bound(m, r, correct, a.delta, a.beta))
        print("| %g | %.3f | %.3f +- %.3f |" % (eps, mu, np.mean(bounds), np.std(bounds, ddof=1)))


if __name__ == "__main__":
    main()
