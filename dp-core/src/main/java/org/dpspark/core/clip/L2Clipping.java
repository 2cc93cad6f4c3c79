package org.dpspark.core.clip;

import java.util.Arrays;
import java.util.Objects;

/**
 * L2 clipping: v &lt;- v * min(1, C / ||v||_2) (Abadi et al. 2016, "Deep Learning with Differential Privacy",
 * Algorithm 1, "clip gradient"), so that ||v|| &lt;= C for any input, which bounds the sensitivity of the sum.
 *
 * <p>Robust to hostile inputs, because the bound must hold for every example: the norm is computed without
 * overflow or underflow (rescaled by the largest magnitude when the plain sum of squares is not a normal number),
 * and a vector with a NaN or infinite coordinate is zeroed (factor 0), which trivially satisfies the bound.
 * The bound holds up to floating-point rounding (a few ulps of C).
 */
public final class L2Clipping {

    private L2Clipping() {
    }

    /**
     * ||v[from .. from+len)||_2 without spurious overflow or underflow; +Infinity if a coordinate is infinite (or
     * the true norm exceeds Double.MAX_VALUE), NaN if a coordinate is NaN.
     */
    public static double norm(double[] v, int from, int len) {
        Objects.checkFromIndexSize(from, len, v.length);
        double sumSq = 0.0;
        for (int i = from; i < from + len; i++) {
            sumSq += v[i] * v[i];
        }
        if (sumSq >= Double.MIN_NORMAL && sumSq < Double.POSITIVE_INFINITY) {
            return Math.sqrt(sumSq);
        }
        // zero, subnormal, overflowing, infinite or NaN: rescale by the largest magnitude
        double maxAbs = maxAbs(v, from, len);
        if (Double.isNaN(maxAbs) || maxAbs == 0.0 || maxAbs == Double.POSITIVE_INFINITY) {
            return maxAbs;
        }
        double scaled = 0.0;
        for (int i = from; i < from + len; i++) {
            double s = v[i] / maxAbs;
            scaled += s * s;
        }
        return maxAbs * Math.sqrt(scaled);
    }

    /**
     * min(1, clipNorm / norm); 1 for norm 0; 0 for a NaN or infinite norm (the vector is then dropped).
     */
    public static double factor(double norm, double clipNorm) {
        checkClipNorm(clipNorm);
        if (!(norm >= 0.0)) {
            if (Double.isNaN(norm)) {
                return 0.0;
            }
            throw new IllegalArgumentException("norm must be >= 0, got " + norm);
        }
        if (norm <= clipNorm) {
            return 1.0; // includes norm == 0
        }
        return clipNorm / norm; // 0 for an infinite norm
    }

    /** Clips the whole of v in place to L2 norm clipNorm; returns the factor applied. */
    public static double clipInPlace(double[] v, double clipNorm) {
        return clipInPlace(v, 0, v.length, clipNorm);
    }

    /**
     * Clips v[from .. from+len) in place to L2 norm clipNorm; returns the factor applied (0 if a coordinate was
     * NaN or infinite, in which case the range is zeroed).
     */
    public static double clipInPlace(double[] v, int from, int len, double clipNorm) {
        checkClipNorm(clipNorm);
        double norm = norm(v, from, len);
        if (norm <= clipNorm) {
            return 1.0;
        }
        if (norm < Double.POSITIVE_INFINITY) {
            double factor = clipNorm / norm;
            for (int i = from; i < from + len; i++) {
                v[i] *= factor;
            }
            return factor;
        }
        double maxAbs = maxAbs(v, from, len);
        if (!(maxAbs < Double.POSITIVE_INFINITY)) {
            // a NaN or infinite coordinate: drop the vector, which trivially satisfies the bound
            Arrays.fill(v, from, from + len, 0.0);
            return 0.0;
        }
        // finite coordinates whose norm overflows: clip v / maxAbs (norm <= sqrt(len)) and apply that factor
        double scaledSq = 0.0;
        for (int i = from; i < from + len; i++) {
            double s = v[i] / maxAbs;
            scaledSq += s * s;
        }
        double factor = clipNorm / Math.sqrt(scaledSq);
        for (int i = from; i < from + len; i++) {
            v[i] = (v[i] / maxAbs) * factor;
        }
        return factor / maxAbs; // the factor applied to v; underflows to 0
    }

    /** max |v[i]| over the range; NaN if any coordinate is NaN. */
    private static double maxAbs(double[] v, int from, int len) {
        double maxAbs = 0.0;
        for (int i = from; i < from + len; i++) {
            double a = Math.abs(v[i]);
            if (Double.isNaN(a)) {
                return Double.NaN;
            }
            if (a > maxAbs) {
                maxAbs = a;
            }
        }
        return maxAbs;
    }

    static void checkClipNorm(double clipNorm) {
        if (!(clipNorm > 0.0 && clipNorm < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("clipNorm must be finite and > 0, got " + clipNorm);
        }
    }
}
