"""Golden values for org.dpspark.core.features.Scattering2D, computed with Kymatio's NumPy 2-D scattering.

Kymatio (Andreux et al., JMLR 2020, "Kymatio: Scattering Transforms in Python") is the implementation Tramer and
Boneh (ICLR 2021, "Differentially private learning needs better features") used for their ScatterNet features,
so our Java transform is checked against it. Kymatio is not a dependency of dpspark: get a checkout outside this
repository and put it on PYTHONPATH. The committed files were made with kymatio commit
11552ed5533d566e6c60d77eecccb37dfb229dec (version 0.4.0.dev0, 2024-05-29), numpy 2.4.6, scipy 1.17.1:

    git clone https://github.com/kymatio/kymatio /tmp/kymatio
    git -C /tmp/kymatio checkout 11552ed5533d566e6c60d77eecccb37dfb229dec
    PYTHONPATH=/tmp/kymatio python3 dp-core/src/test/python/scattering_golden.py

(run from the repository root; it rewrites dp-core/src/test/resources/scattering/*.txt). The frontend module is
imported directly because kymatio.numpy also imports the 3-D scattering, which needs scipy.special.sph_harm
(removed in recent scipy).

File format (text): '#' comment lines, then
    shape H W / J j / L l / output C OH OW
    input   followed by H lines of W numbers (the image, row-major)
    output  followed by C * OH lines of OW numbers (channel, then row, then column: Kymatio's array layout
            for one image, shape (C, OH, OW); channel 0 is S0, then the J L first-order paths in Kymatio's
            psi order n1 = j1 * L + theta1, then second-order paths (n1, n2) with j2 > j1, n1 outer, n2 inner).
Inputs are rounded to 9 significant digits before the transform, so the stored input is exactly what Kymatio saw.
"""
import os

import numpy as np
from kymatio.scattering2d.frontend.numpy_frontend import ScatteringNumPy2D

OUT_DIR = os.path.join("dp-core", "src", "test", "resources", "scattering")


def fmt(v):
    return "%.9g" % v


def rounded(x):
    return np.array([[float(fmt(v)) for v in row] for row in x])


def digit(h, w):
    """A thick ring with a diagonal stroke, values in [0, 1] (a '0' crossed like a '/')."""
    r, c = np.mgrid[0:h, 0:w].astype(float)
    cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
    ring = np.clip(1.0 - np.abs(np.hypot(r - cy, c - cx) - 0.3 * min(h, w)) / 2.0, 0.0, 1.0)
    stroke = np.clip(1.0 - np.abs((r - cy) + (c - cx)) / 1.5, 0.0, 1.0) * (np.abs(r - cy) < 0.35 * h)
    return np.maximum(ring, stroke)


def pseudorandom(h, w, seed):
    """Uniform [0, 1) values from a 31-bit linear congruential generator (explicit, no library generator)."""
    state = seed
    x = np.empty((h, w))
    for i in range(h):
        for k in range(w):
            state = (1103515245 * state + 12345) % 2**31
            x[i, k] = state / 2**31
    return x


def one_pixel(h, w, r, c):
    x = np.zeros((h, w))
    x[r, c] = 1.0
    return x


def write(name, x, j, l):
    h, w = x.shape
    x = rounded(x)
    s = ScatteringNumPy2D(J=j, shape=(h, w), L=l)(x)
    assert s.ndim == 3
    path = os.path.join(OUT_DIR, name + ".txt")
    with open(path, "w") as f:
        f.write("# Kymatio 2-D scattering (NumPy frontend), kymatio commit 11552ed5; see scattering_golden.py\n")
        f.write("shape %d %d\nJ %d\nL %d\noutput %d %d %d\n" % (h, w, j, l, s.shape[0], s.shape[1], s.shape[2]))
        f.write("input\n")
        for row in x:
            f.write(" ".join(fmt(v) for v in row) + "\n")
        f.write("output\n")
        for ch in s:
            for row in ch:
                f.write(" ".join(fmt(v) for v in row) + "\n")
    print(path, s.shape)


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    write("digit_28x28_J2_L8", digit(28, 28), 2, 8)
    write("random_28x28_J2_L8", pseudorandom(28, 28, 20210101), 2, 8)
    write("pixel_28x28_J2_L8", one_pixel(28, 28, 1, 26), 2, 8)
    write("random_32x32_J3_L4", pseudorandom(32, 32, 777), 3, 4)
    write("digit_17x22_J2_L5", digit(17, 22), 2, 5)   # odd L, odd padding, non-square
    write("random_4x6_J1_L3", pseudorandom(4, 6, 42), 1, 3)     # tiny: reflect padding wider than the image
    write("random_4x5_J2_L2", pseudorandom(4, 5, 9), 2, 2)      # height == 2^J


if __name__ == "__main__":
    main()
