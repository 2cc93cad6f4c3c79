"""Golden values for NormalizationGoldenTest, from Google dp_accounting's RDP and PLD accountants.

Not part of the build; dp_accounting is not committed here. Reproduce with
google/differential-privacy at commit b5b0286e313b64a692abfc8c528d54ef47d960a0, Debian bookworm's
python3 (3.11) with python3-numpy, python3-scipy, python3-absl, python3-mpmath:

    PYTHONPATH=<checkout>/python/dp_accounting python3 normalization_golden.py

Each case: DP data normalization (Tramer and Boneh, ICLR 2021) followed by DP-SGD. The normalization releases two
Gaussian sums over all rows (no subsampling: q = 1) of per-example vectors of L2 norm <= 1, each with noise
multiplier sigma_norm, i.e. SelfComposedDpEvent(GaussianDpEvent(sigma_norm), 2); training is T steps of the
Poisson-subsampled Gaussian (q, sigma). steps = 0 is the normalization alone. Printed: epsilon at delta 1e-5 of
ComposedDpEvent([normalization, training]) by
  - rdp_default: RdpAccountant() (dp_accounting's default orders, with fractional orders 1.1..10.9),
  - rdp_integer: RdpAccountant(orders 2..63, 128, 256, 512, 1024),
  - pld: PLDAccountant(value_discretization_interval=1e-4) (pessimistic, the default).
"""
import dp_accounting
from dp_accounting import dp_event
from dp_accounting.pld import pld_privacy_accountant as pld_mod
from dp_accounting.rdp import rdp_privacy_accountant as rdp_mod

DELTA = 1e-5
CASES = [
    # name, sigma_norm, q, sigma, steps
    ("mnist_norm8", 8.0, 4096 / 60000, 2.5257, 585),
    ("norm2", 2.0, 0.01, 1.1, 1000),
    ("norm8_alone", 8.0, None, None, 0),
]
INTEGER_ORDERS = list(range(2, 64)) + [128, 256, 512, 1024]


def event(sigma_norm, q, sigma, steps):
    norm = dp_event.SelfComposedDpEvent(dp_event.GaussianDpEvent(sigma_norm), 2)
    if steps == 0:
        return dp_event.ComposedDpEvent([norm])
    train = dp_event.SelfComposedDpEvent(dp_event.PoissonSampledDpEvent(q, dp_event.GaussianDpEvent(sigma)), steps)
    return dp_event.ComposedDpEvent([norm, train])


for name, sigma_norm, q, sigma, steps in CASES:
    e = event(sigma_norm, q, sigma, steps)
    rdp_default = rdp_mod.RdpAccountant()
    rdp_default.compose(e)
    rdp_integer = rdp_mod.RdpAccountant(INTEGER_ORDERS)
    rdp_integer.compose(e)
    pld = pld_mod.PLDAccountant(value_discretization_interval=1e-4)
    pld.compose(e)
    print(name, repr(sigma_norm), repr(q), repr(sigma), steps,
          "rdp_default", repr(rdp_default.get_epsilon(DELTA)),
          "rdp_integer", repr(rdp_integer.get_epsilon(DELTA)),
          "pld", repr(pld.get_epsilon(DELTA)))
