"""Golden values for RandomRepetitionGoldenTest, from Google dp_accounting's RDP accountant.

Not part of the build; dp_accounting is not committed here. Reproduce with
google/differential-privacy at commit b5b0286e313b64a692abfc8c528d54ef47d960a0, Debian bookworm's
python3 (3.11) with python3-numpy, python3-scipy, python3-absl, python3-mpmath:

    PYTHONPATH=<checkout>/python/dp_accounting python3 repeat_select_golden.py

Each case: K trials, each trial `steps` compositions of the Poisson-subsampled Gaussian (q, sigma) plus, when
score_sigma is finite, one Gaussian release of noise multiplier score_sigma; the best trial is selected
(RepeatAndSelectDpEvent with shape 1 = geometric, 0 = logarithmic, inf = Poisson, else truncated negative
binomial). Printed: the RDP of the search at a few orders of the default grid and epsilon at delta 1e-5.

dp_accounting makes its truncated negative binomial curve nonincreasing towards lower orders (RDP is monotone in
the order) but not its Poisson curve; dpspark's RandomRepetition does it for both. So the curve printed here is
dp_accounting's after that same step (a no-op for the truncated negative binomial), and epsilon is dp_accounting's
compute_epsilon of that curve; for the truncated negative binomial it equals acc.get_epsilon(1e-5).
"""
import math

import dp_accounting
from dp_accounting import dp_event
from dp_accounting.rdp import rdp_privacy_accountant as rdp_mod

CASES = [
    # name, shape, mean, q, sigma, steps, score_sigma
    ("geometric10", 1.0, 10.0, 256 / 29305, 1.0, 1000, math.inf),
    ("geometric10_score", 1.0, 10.0, 256 / 29305, 1.0, 1000, 100.0),
    ("negbin0.5", 0.5, 10.0, 0.01, 1.2, 500, math.inf),
    ("logarithmic10", 0.0, 10.0, 0.02, 0.9, 300, math.inf),
    ("negbin3", 3.0, 20.0, 0.005, 0.8, 2000, 50.0),
    ("poisson10", math.inf, 10.0, 0.01, 1.1, 1000, math.inf),
    ("poisson10_score", math.inf, 10.0, 0.01, 1.1, 1000, 20.0),
]
ORDERS = [1.5, 2, 3, 4, 6, 8, 12, 16, 32]
# The integer orders of the default grid. dp_accounting's subsampled Gaussian RDP at fractional orders is a looser
# series than dpspark's exact one (e.g. 0.1007 against 0.0973 at order 1.5, q = 256/29305, sigma = 1, 1000 steps),
# while at integer orders the two agree to ~1e-14; on this grid the two implementations of the theorems see the
# same trial curve, so their outputs must agree to rounding.
INTEGER_ORDERS = list(range(2, 64)) + [128, 256, 512, 1024]


def search_event(shape, mean, q, sigma, steps, score_sigma):
    train = dp_event.SelfComposedDpEvent(
        dp_event.PoissonSampledDpEvent(q, dp_event.GaussianDpEvent(sigma)), steps)
    trial = train if math.isinf(score_sigma) else dp_event.ComposedDpEvent(
        [train, dp_event.GaussianDpEvent(score_sigma)])
    return dp_event.RepeatAndSelectDpEvent(trial, mean, shape)


for grid, grid_orders, shown in (("default", None, ORDERS), ("integer", INTEGER_ORDERS, ORDERS[1:])):
  for name, shape, mean, q, sigma, steps, score_sigma in CASES:
    acc = rdp_mod.RdpAccountant(grid_orders)
    acc.compose(search_event(shape, mean, q, sigma, steps, score_sigma))
    orders = list(acc._orders)
    raw = list(acc._rdp)
    rdp = [min(raw[j] for j in range(len(orders)) if orders[j] >= orders[i]) for i in range(len(orders))]
    at = {o: rdp[orders.index(o)] for o in shown}
    eps, _ = rdp_mod.compute_epsilon(orders, rdp, 1e-5)
    if not math.isinf(shape):
        assert rdp == raw and eps == acc.get_epsilon(1e-5)
    print(grid, name, repr(shape), repr(mean), repr(q), repr(sigma), steps, repr(score_sigma), repr(eps),
          " ".join(f"{o}:{at[o]!r}" for o in shown))
