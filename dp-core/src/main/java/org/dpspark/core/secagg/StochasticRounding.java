package org.dpspark.core.secagg;

import org.dpspark.core.random.RandomSource;

/**
 * Unbiased randomized rounding to integers (KLS: Kairouz, Liu and Steinke, ICML 2021, Section 4, the rounding step
 * of the encoding): R(x) = floor(x + u) with u uniform in [0, 1), so R(x) is floor(x) + 1 with probability
 * x - floor(x) and floor(x) otherwise: E[R(x)] = x and |R(x) - x| &lt; 1. Coupled through u, two inputs' roundings
 * differ by less than |x - x'| + 1 per coordinate, which {@link DdgParams}' sensitivity relies on.
 *
 * <p>floor(x + u) is computed exactly (as with real numbers, not as the rounded double sum): with f = floor(x),
 * R(x) = f + [x - f &gt;= 1 - u], where x - f is exact (Sterbenz) except for f = -1, whose test is x &gt;= -u, and
 * 1 - u is exact because u is a multiple of 2^-53 ({@link RandomSource#nextDouble()}). So integers and every
 * |x| &gt;= 2^52 come back unchanged, and the rounding is exactly unbiased whenever x - floor(x) is a multiple of
 * 2^-53 (every |x| &gt;= 1/2); otherwise the bias is below 2^-53.
 */
public final class StochasticRounding {

    private StochasticRounding() {
    }

    /**
     * floor(x_i + u_i), u_i = rng.nextDouble(), in index order: unbiased, |result - x| &lt; 1 (KLS Sec. 4). Refuses
     * non-finite values or values outside the long range with an IllegalArgumentException naming the index.
     */
    public static long[] round(double[] x, RandomSource rng) {
        long[] out = new long[x.length];
        for (int i = 0; i < x.length; i++) {
            double xi = x[i];
            if (!(xi >= -0x1p63 && xi < 0x1p63)) {
                throw new IllegalArgumentException("cannot round x[" + i + "] = " + xi + " to a long: "
                        + (Double.isFinite(xi) ? "outside [-2^63, 2^63)" : "not finite"));
            }
            double u = rng.nextDouble();
            double f = Math.floor(xi);
            boolean up = f == -1.0 ? xi >= -u : xi - f >= 1.0 - u;
            out[i] = up ? (long) f + 1 : (long) f;
        }
        return out;
    }
}
