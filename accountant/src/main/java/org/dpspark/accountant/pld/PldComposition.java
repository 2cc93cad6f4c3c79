package org.dpspark.accountant.pld;

import java.util.List;
import org.jtransforms.fft.DoubleFFT_1D;

/**
 * Composition of discrete PLDs on a common grid: the PLD of a composition is the convolution of the PLDs
 * (Koskela, Jalko, Honkela 2020, Sec. 3; Sommer, Meiser, Mohammadi 2019), computed in the frequency domain.
 *
 * <p>For parts (PLD_k, n_k), the composed finite masses are the convolution of n_k copies of every PLD_k. With
 * one real FFT of length L per distinct PLD, the convolution is the inverse FFT of prod_k FFT(PLD_k)^n_k
 * (each coefficient raised to the power n_k in polar form). A length-L FFT convolves cyclically, so L and the
 * window [lo, lo + L) of loss indices read back are chosen by Chernoff bounds on the sum S of the
 * independent loss indices (with the finite sub-probability masses, K(t) = sum_k n_k log sum_i m_ki e^(t i)):
 * <pre>  mass(S &gt;= u) &lt;= exp(K(t) - t u),   mass(S &lt;= l) &lt;= exp(K(-t) + t l),   t &gt; 0,</pre>
 * each bounded by {@link #TAIL_BOUND}. Mass below the window wraps around into it: it only adds mass, which
 * only increases delta. Mass above the window (at most {@link #TAIL_BOUND}) is accounted for by adding that
 * bound to the mass at +infinity. The composed +infinity mass is 1 - prod_k (1 - inf_k)^n_k.
 *
 * <p>Rounding: the inverse FFT leaves noise of the order of 1e-17 on every point, of either sign. Negative
 * values are set to 0 and, as an allowance for points pushed below their true mass, the largest negative
 * magnitude times the number of points is added to the +infinity mass (about 1e-12 for 2^18 points).
 * The relative rounding of the sums that give delta is allowed for in {@link DiscretePld}.
 */
final class PldComposition {

    /**
     * Coefficients whose power is below e^-80 = 1.8e-35 are set to 0: each changes every output mass by at most
     * 2 e^-80 / L, far below the rounding noise the class comment allows for, and skipping them saves the
     * trigonometry on most of the spectrum when the number of steps is large.
     */
    private static final double NEGLIGIBLE_LOG_COEFFICIENT = -80;

    /** Bound on the composed mass outside the FFT window, on each side. */
    static final double TAIL_BOUND = 1e-15;

    private PldComposition() {}

    /** One distinct PLD and how many times it is composed. */
    record Part(DiscretePld pld, long count) {}

    /**
     * The composition of the parts (all on the same grid interval), or null when its window would need more
     * than {@code maxPoints} points.
     */
    static DiscretePld compose(List<Part> parts, int maxPoints) {
        double interval = parts.get(0).pld().interval();
        long supportLow = 0;
        long supportHigh = 0;
        int longest = 0;
        double logFiniteSurvival = 0; // log prod (1 - inf_k)^n_k
        for (Part p : parts) {
            if (p.pld().interval() != interval) {
                throw new IllegalArgumentException("all PLDs must share one grid interval");
            }
            supportLow = Math.addExact(supportLow, Math.multiplyExact(p.count(), p.pld().lowIndex()));
            supportHigh = Math.addExact(supportHigh,
                    Math.multiplyExact(p.count(), p.pld().lowIndex() + p.pld().size() - 1));
            longest = Math.max(longest, p.pld().size());
            logFiniteSurvival += p.count() * Math.log1p(-p.pld().infinityMass());
        }
        long low = supportLow;
        long high = supportHigh;
        boolean upperTruncated = false;
        if (high - low + 1 > longest) {
            long[] bounds = chernoffWindow(parts);
            if (bounds[0] > low) {
                low = bounds[0];
            }
            if (bounds[1] < high) {
                high = bounds[1];
                upperTruncated = true;
            }
        }
        long width = high - low + 1;
        long needed = Math.max(width, longest);
        if (needed > maxPoints) {
            return null;
        }
        int length = Integer.highestOneBit((int) Math.max(2, needed - 1)) << 1; // the power of 2 >= needed
        DoubleFFT_1D fft = new DoubleFFT_1D(length);
        double[] product = null;
        for (Part p : parts) {
            double[] a = new double[length];
            System.arraycopy(p.pld().mass(), 0, a, 0, p.pld().size());
            fft.realForward(a);
            power(a, p.count());
            if (product == null) {
                product = a;
            } else {
                multiply(product, a);
            }
        }
        fft.realInverse(product, true);

        // product[j] holds the mass of S = supportLow + j (mod length); read S in [low, low + length).
        double[] mass = new double[length];
        int shift = (int) Math.floorMod(low - supportLow, (long) length);
        double worstNegative = 0;
        for (int i = 0; i < length; i++) {
            double v = product[(shift + i) % length];
            if (v < 0) {
                worstNegative = Math.max(worstNegative, -v);
                v = 0;
            }
            mass[i] = v;
        }
        double infinity = -Math.expm1(logFiniteSurvival) + (upperTruncated ? TAIL_BOUND : 0.0)
                + worstNegative * length;
        return new DiscretePld(interval, low, mass, Math.min(1.0, infinity));
    }

    /** Raises every coefficient of a real FFT in JTransforms' packed layout to the power n. */
    private static void power(double[] a, long n) {
        if (n == 1) {
            return;
        }
        double exponent = n;
        a[0] = Math.pow(a[0], exponent); // DC, real
        a[1] = Math.pow(a[1], exponent); // Nyquist, real (pow keeps the sign for an integer exponent)
        for (int k = 2; k < a.length; k += 2) {
            double re = a[k];
            double im = a[k + 1];
            double r = Math.hypot(re, im);
            double logR = exponent * Math.log(r);
            if (logR < NEGLIGIBLE_LOG_COEFFICIENT) {
                a[k] = 0;
                a[k + 1] = 0;
                continue;
            }
            double mod = Math.exp(logR);
            double arg = exponent * Math.atan2(im, re);
            a[k] = mod * Math.cos(arg);
            a[k + 1] = mod * Math.sin(arg);
        }
    }

    /** a *= b, coefficient-wise, both in JTransforms' packed real-FFT layout. */
    private static void multiply(double[] a, double[] b) {
        a[0] *= b[0];
        a[1] *= b[1];
        for (int k = 2; k < a.length; k += 2) {
            double re = a[k] * b[k] - a[k + 1] * b[k + 1];
            double im = a[k] * b[k + 1] + a[k + 1] * b[k];
            a[k] = re;
            a[k + 1] = im;
        }
    }

    /**
     * {lower, upper} index bounds with composed mass at most {@link #TAIL_BOUND} at or below lower - 1 and at
     * or above upper + 1 (class comment). The tilt t is scanned on a geometric grid around the Gaussian
     * optimum sqrt(2 log(1 / bound) / Var(S)); any t gives a valid bound, the grid only decides how tight.
     */
    private static long[] chernoffWindow(List<Part> parts) {
        double variance = 0;
        for (Part p : parts) {
            variance += p.count() * varianceOf(p.pld());
        }
        double logBound = Math.log(TAIL_BOUND);
        double t0 = Math.sqrt(-2 * logBound / Math.max(variance, 1e-300));
        double bestUpper = Double.POSITIVE_INFINITY;
        double bestLower = Double.NEGATIVE_INFINITY;
        for (int k = -3; k <= 3; k++) {
            double t = t0 * Math.pow(2, k);
            if (!(t > 0 && t < Double.POSITIVE_INFINITY)) {
                continue;
            }
            double kPlus = 0;
            double kMinus = 0;
            for (Part p : parts) {
                kPlus += p.count() * logMgf(p.pld(), t);
                kMinus += p.count() * logMgf(p.pld(), -t);
            }
            bestUpper = Math.min(bestUpper, (kPlus - logBound) / t);
            bestLower = Math.max(bestLower, (logBound - kMinus) / t);
        }
        long upper = bestUpper < 9e18 ? (long) Math.ceil(bestUpper) : Long.MAX_VALUE;
        long lower = bestLower > -9e18 ? (long) Math.floor(bestLower) : Long.MIN_VALUE;
        return new long[] {lower, upper};
    }

    /** log sum_i mass_i e^(t (lowIndex + i)), in log-sum-exp form. */
    private static double logMgf(DiscretePld pld, double t) {
        double[] m = pld.mass();
        int n = m.length;
        // The largest exponent is at one end of the support.
        double maxExp = Math.max(t * pld.lowIndex(), t * (pld.lowIndex() + n - 1));
        double sum = 0;
        for (int i = 0; i < n; i++) {
            if (m[i] > 0) {
                sum += m[i] * Math.exp(t * (pld.lowIndex() + i) - maxExp);
            }
        }
        return maxExp + Math.log(sum);
    }

    /** The variance of the (normalized) finite part, in index units. */
    private static double varianceOf(DiscretePld pld) {
        double[] m = pld.mass();
        double total = 0;
        double mean = 0;
        for (int i = 0; i < m.length; i++) {
            total += m[i];
            mean += m[i] * i;
        }
        mean /= total;
        double var = 0;
        for (int i = 0; i < m.length; i++) {
            double d = i - mean;
            var += m[i] * d * d;
        }
        return var / total;
    }
}
