package org.dpspark.core.noise;

import org.dpspark.core.random.RandomSource;

/**
 * Standard normal sampler: the Ziggurat method of Marsaglia &amp; Tsang (2000), "The Ziggurat Method for
 * Generating Random Variables", J. Stat. Software 5(8), with 256 layers, and with independent random bits for
 * the layer, the sign and the abscissa (the correlation fix of Doornik 2005).
 *
 * <p>With f(x) = exp(-x^2/2), the area under f on x &gt;= 0 is covered by 256 horizontal boxes of equal area V.
 * Box i (i &gt;= 1) spans [0, X[i]] x [Y[i], Y[i+1]] with Y[i] = f(X[i]), X[1] = R &gt; X[2] &gt; ... &gt; X[256] = 0
 * and X[i] (Y[i+1] - Y[i]) = V. Box 0 is [0, X[0]] x [0, f(R)] with X[0] = V / f(R): its part beyond R stands
 * for the tail x &gt; R, whose area is exactly V - R f(R). R and V solve
 * V = R f(R) + int_R^inf f, with the stack of boxes closing at the top: Y[256] = 1 (here: the smallest
 * Y[256] &gt;= 1 found by bisection, so the top box, of area V as well, covers the cap; the points above f are
 * rejected). One draw: choose a box uniformly (8 bits), a uniform abscissa x in it (53 bits) and a sign (1 bit);
 * <ul>
 *   <li>x &lt; X[i+1]: the whole column under x lies under f, accept (about 99% of draws, no transcendental);</li>
 *   <li>box 0 and x &gt;= R: return R + a from Marsaglia's (1964) tail method: a = -ln(U1)/R, b = -ln(U2), accept
 *       when 2b &gt; a^2;</li>
 *   <li>otherwise (a wedge) draw y uniform in [Y[i], Y[i+1]] and accept x iff y &lt; f(x); on rejection start over
 *       with fresh bits.</li>
 * </ul>
 * This is exact rejection sampling from the region under f, up to the double rounding of the tables (about
 * 1e-16 relative; the tables are checked in the tests). R and V are computed at class initialization: the tail
 * integral by the continued fraction of the Mills ratio (int_R^inf f = f(R) / (R + 1/(R + 2/(R + 3/(R + ...))))).
 *
 * <p>Its running time depends on the value drawn (rejections, tail). The released noise is a sum of four draws
 * (see {@link SecureGaussianNoise}), and the timing is not meant to be constant-time.
 */
final class Ziggurat {

    static final int LAYERS = 256;

    /** X[0] = V/f(R), X[1] = R, ..., X[256] = 0. */
    private static final double[] X = new double[LAYERS + 1];
    /** Y[0] = 0, Y[i] = f(X[i]) for 1 &lt;= i &lt; 256, Y[256] &gt;= 1 (top of the last box). */
    private static final double[] Y = new double[LAYERS + 1];
    /** X[i] * 2^-53: maps a 53-bit integer to an abscissa in [0, X[i]). */
    private static final double[] X_SCALED = new double[LAYERS];
    /**
     * For {@link #fromWords}, indexed by the 9 low bits (box and sign): +-X[i], negative when the sign bit (bit 8) is
     * set, so one product gives the signed abscissa; and X[i + 1], the fast path's bound.
     */
    private static final double[] SIGNED_X = new double[2 * LAYERS];
    private static final double[] X_NEXT = new double[2 * LAYERS];
    /** The tail start R and the common box area V. */
    static final double R;
    static final double V;

    static {
        double lo = 3.0;
        double hi = 4.5;
        if (!(topExcess(lo) >= 0 && topExcess(hi) < 0)) {
            throw new ExceptionInInitializerError("Ziggurat bisection bracket is wrong");
        }
        for (int iter = 0; iter < 200; iter++) {
            double mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi) {
                break;
            }
            if (topExcess(mid) >= 0) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        R = lo;
        V = boxArea(R);
        X[1] = R;
        Y[1] = f(R);
        X[0] = V / Y[1];
        Y[0] = 0.0;
        for (int i = 1; i < LAYERS; i++) {
            Y[i + 1] = Y[i] + V / X[i];
            X[i + 1] = i + 1 < LAYERS ? Math.sqrt(-2.0 * Math.log(Y[i + 1])) : 0.0;
        }
        for (int i = 0; i < LAYERS; i++) {
            X_SCALED[i] = X[i] * 0x1.0p-53;
        }
        for (int i = 0; i < 2 * LAYERS; i++) {
            int box = i & (LAYERS - 1);
            SIGNED_X[i] = i < LAYERS ? X[box] : -X[box];
            X_NEXT[i] = X[box + 1];
        }
    }

    private Ziggurat() {
    }

    /** One standard normal draw. */
    static double next(RandomSource rng) {
        return fromBits(rng.nextLong(), rng);
    }

    /**
     * One standard normal draw that starts from the 64 uniform bits {@code bits} (bits 0-7 choose the box, bit 8
     * the sign, bits 11-63 the abscissa) and takes whatever else it needs (about 1% of calls) from {@code rng}.
     */
    static double fromBits(long bits, RandomSource rng) {
        int i = (int) bits & (LAYERS - 1);
        double x = (bits >>> 11) * X_SCALED[i];
        if (x < X[i + 1]) {
            return withSign(x, bits);
        }
        return slowPath(bits, x, rng);
    }

    /**
     * Standard normal draws for a block: {@code out[k]} starts from the 64 bits {@code words[k]} exactly as
     * {@link #fromBits} does, for k in [0, n). The fast path (about 98.5% of words) runs in one tight loop; the
     * words that fail it are finished afterwards, in increasing k, by the same slow path as fromBits, which takes
     * its extra bits from {@code rng} (after the block's words). So {@code out} equals
     * {@code fromBits(words[k], rng)} called for k = 0, 1, ..., n - 1 on the same {@code rng}, bit for bit (test).
     * Each word is used once and the extra bits are fresh, so the draws are independent and exactly Ziggurat's.
     *
     * @param slow scratch of length at least n
     */
    static void fromWords(long[] words, int n, double[] out, int[] slow, RandomSource rng) {
        int slowCount = 0;
        for (int k = 0; k < n; k++) {
            final long bits = words[k];
            final int i = (int) bits & (2 * LAYERS - 1);
            // u = (bits >>> 11) * 2^-53 exactly, without a long-to-double conversion (with it, this loop took 1 ms
            // more per 814,124 words here; likely the x86 conversion's false dependency on its target register):
            // the top 52 bits as the mantissa of a double in [1, 2), minus 1 (exact), plus bit 11 times 2^-53
            // (0x3CA0... is 2^-53's bit pattern; exact, as the sum is a multiple of 2^-53 below 1). u * X[i] is then
            // the same correctly rounded product as fromBits' (bits >>> 11) * (X[i] * 2^-53), and -X[i] gives
            // fromBits' withSign: the same bits (test).
            final double u = (Double.longBitsToDouble(0x3FF0_0000_0000_0000L | (bits >>> 12)) - 1.0)
                    + Double.longBitsToDouble(((bits >>> 11) & 1L) * 0x3CA0_0000_0000_0000L);
            final double x = u * SIGNED_X[i];
            out[k] = x;
            if (Math.abs(x) >= X_NEXT[i]) {
                slow[slowCount++] = k;
            }
        }
        for (int s = 0; s < slowCount; s++) {
            final int k = slow[s];
            out[k] = slowPath(words[k], Math.abs(out[k]), rng);
        }
    }

    private static double slowPath(long bits, double x, RandomSource rng) {
        for (;;) {
            int i = (int) bits & (LAYERS - 1);
            if (x >= X[i + 1]) {
                if (i == 0) {
                    return withSign(tail(rng), bits);
                }
                double y = Y[i] + rng.nextDouble() * (Y[i + 1] - Y[i]);
                if (y < f(x)) {
                    return withSign(x, bits);
                }
                // rejected: start over with fresh bits
                bits = rng.nextLong();
                i = (int) bits & (LAYERS - 1);
                x = (bits >>> 11) * X_SCALED[i];
            } else {
                return withSign(x, bits);
            }
        }
    }

    /** Bit 8 of {@code bits} becomes the sign of {@code x >= 0} (branch-free: the sign is a coin flip). */
    private static double withSign(double x, long bits) {
        return Double.longBitsToDouble(Double.doubleToRawLongBits(x) ^ ((bits & 0x100L) << 55));
    }

    /** A draw from the normal tail x &gt; R (Marsaglia 1964). */
    static double tail(RandomSource rng) {
        for (;;) {
            double a = -Math.log(1.0 - rng.nextDouble()) / R;
            double b = -Math.log(1.0 - rng.nextDouble());
            if (b + b > a * a) {
                return R + a;
            }
        }
    }

    static double f(double x) {
        return Math.exp(-0.5 * x * x);
    }

    /** int_r^inf exp(-t^2/2) dt = f(r) / (r + 1/(r + 2/(r + ...))), for r &gt;= 3 (converged long before 400 terms). */
    static double upperTail(double r) {
        double t = r;
        for (int k = 400; k >= 1; k--) {
            t = r + k / t;
        }
        return f(r) / t;
    }

    private static double boxArea(double r) {
        return r * f(r) + upperTail(r);
    }

    /** Y[256] - 1 for a stack built from r; positive (and growing with the overshoot) if the stack closes early. */
    private static double topExcess(double r) {
        double v = boxArea(r);
        double x = r;
        double y = f(r);
        for (int i = 1; i < LAYERS; i++) {
            y += v / x;
            if (i + 1 < LAYERS) {
                if (!(y < 1.0)) {
                    return 1.0 + (LAYERS - i);
                }
                x = Math.sqrt(-2.0 * Math.log(y));
            }
        }
        return y - 1.0;
    }

    /** Copies of the tables, for tests. */
    static double[] xTable() {
        return X.clone();
    }

    static double[] yTable() {
        return Y.clone();
    }
}
