package org.dpspark.core.secagg;

import java.util.SplittableRandom;

/**
 * The randomized Hadamard rotation of KLS (Kairouz, Liu and Steinke, ICML 2021, Section 4 "flattening"):
 * {@code x -> H D x / sqrt(d)} with d = paddedDim, D a diagonal of random signs and H the d x d Walsh-Hadamard
 * matrix (H[i][j] = (-1)^popcount(i &amp; j)), so that H D / sqrt(d) is orthonormal and spreads a vector's norm
 * evenly over the coordinates before rounding and the modular sum. x is zero-padded from dim to d.
 *
 * <p>The signs are public (every party and the aggregator must use the same ones): they come from
 * {@link SplittableRandom} seeded with the public seed, one {@code nextBoolean()} per coordinate in index order.
 * The transform is the in-place fast Walsh-Hadamard transform, O(d log d). Instances are immutable and
 * thread-safe.
 */
public final class RandomizedHadamard {

    private final int dim;
    private final int paddedDim;
    private final double[] signs;
    private final double norm;

    /**
     * x -> H D x / sqrt(paddedDim): D diagonal random signs derived from publicSeed (deterministically, with
     * java.util.SplittableRandom: the seed is public), H the Walsh-Hadamard matrix; x zero-padded to paddedDim
     * (a power of two &gt;= dim). Orthonormal.
     */
    public RandomizedHadamard(int dim, int paddedDim, long publicSeed) {
        if (dim < 1 || paddedDim < dim || Integer.bitCount(paddedDim) != 1) {
            throw new IllegalArgumentException("need 1 <= dim <= paddedDim with paddedDim a power of two, got dim "
                    + dim + ", paddedDim " + paddedDim);
        }
        this.dim = dim;
        this.paddedDim = paddedDim;
        this.signs = new double[paddedDim];
        SplittableRandom random = new SplittableRandom(publicSeed);
        for (int i = 0; i < paddedDim; i++) {
            signs[i] = random.nextBoolean() ? 1.0 : -1.0;
        }
        this.norm = 1.0 / Math.sqrt(paddedDim);
    }

    public int dim() {
        return dim;
    }

    public int paddedDim() {
        return paddedDim;
    }

    /** The sign D[i][i] (+1 or -1). */
    double sign(int i) {
        return signs[i];
    }

    /** H D x / sqrt(paddedDim), x of length dim zero-padded; a new array of length paddedDim. */
    public double[] rotate(double[] x) {
        if (x.length != dim) {
            throw new IllegalArgumentException("expected a vector of length " + dim + ", got " + x.length);
        }
        double[] y = new double[paddedDim];
        for (int i = 0; i < dim; i++) {
            y[i] = signs[i] * x[i];
        }
        fwht(y);
        for (int i = 0; i < paddedDim; i++) {
            y[i] *= norm;
        }
        return y;
    }

    /**
     * The inverse rotation (H D / sqrt(d))^T = D H / sqrt(d) (H is symmetric and H H = d I), keeping the first dim
     * coordinates; a new array of length dim.
     */
    public double[] inverse(double[] y) {
        if (y.length != paddedDim) {
            throw new IllegalArgumentException("expected a vector of length " + paddedDim + ", got " + y.length);
        }
        double[] z = y.clone();
        fwht(z);
        double[] x = new double[dim];
        for (int i = 0; i < dim; i++) {
            x[i] = signs[i] * z[i] * norm;
        }
        return x;
    }

    /** In place, unnormalized: v = H v (butterflies of (a, b) -> (a + b, a - b)); v.length a power of two. */
    static void fwht(double[] v) {
        int n = v.length;
        for (int h = 1; h < n; h <<= 1) {
            for (int i = 0; i < n; i += h << 1) {
                for (int j = i, end = i + h; j < end; j++) {
                    double a = v[j];
                    double b = v[j + h];
                    v[j] = a + b;
                    v[j + h] = a - b;
                }
            }
        }
    }
}
