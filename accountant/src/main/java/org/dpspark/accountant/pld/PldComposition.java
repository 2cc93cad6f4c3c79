package org.dpspark.accountant.pld;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
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
        return compose(parts, maxPoints, true);
    }

    /**
     * As {@link #compose(List, int)}; with {@code window} false the FFT covers the whole support of the composition
     * (no Chernoff truncation), which tests use as the reference the truncated composition must dominate.
     */
    static DiscretePld compose(List<Part> parts, int maxPoints, boolean window) {
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
        if (window && high - low + 1 > longest) {
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
        DoubleFFT_1D fft = plan(length);
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

    /**
     * The FFT of a length, from a per-thread cache: building one computes its twiddle tables (sines and cosines,
     * about a tenth of a PLD evaluation), and a calibration evaluates many PLDs of the same length. Per thread
     * because a JTransforms plan is not documented as safe for concurrent use.
     */
    private static DoubleFFT_1D plan(int length) {
        if (length > MAX_CACHED_POINTS) {
            return new DoubleFFT_1D(length); // rare, and its tables would be held by the thread for good
        }
        Map<Integer, DoubleFFT_1D> plans = PLANS.get();
        DoubleFFT_1D fft = plans.get(length);
        if (fft == null) {
            if (plans.keySet().stream().mapToLong(Integer::longValue).sum() + length > MAX_CACHED_POINTS) {
                plans.clear();
            }
            fft = new DoubleFFT_1D(length);
            plans.put(length, fft);
        }
        return fft;
    }

    /**
     * Largest total length of the plans a thread keeps (their tables are about a length of doubles each, so at most
     * about 8 MB per thread); longer transforms are planned afresh each time.
     */
    private static final int MAX_CACHED_POINTS = 1 << 20;

    private static final ThreadLocal<Map<Integer, DoubleFFT_1D>> PLANS = ThreadLocal.withInitial(HashMap::new);

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
     * or above upper + 1 (class comment). Any tilt t &gt; 0 gives a valid bound; the search only decides how tight.
     * The bound (K(+-t) - log(bound)) / t is unimodal in t (its derivative has the sign of t K' - K + log(bound),
     * which increases with t since K is convex), so each side is minimized by walking on log2(t) in unit steps
     * from the Gaussian guess t0 = sqrt(2 log(1 / bound) / Var(S)) while the bound improves, then by halving the
     * step twice around the best point. The walk matters for the skewed PLDs of small q and small sigma, whose
     * best tilt can be t0 / 200 (with a fixed scan around t0 the window there was 100x too wide).
     */
    private static long[] chernoffWindow(List<Part> parts) {
        double variance = 0;
        for (Part p : parts) {
            variance += p.count() * varianceOf(p.pld());
        }
        double logBound = Math.log(TAIL_BOUND);
        double t0 = Math.sqrt(-2 * logBound / Math.max(variance, 1e-300));
        double upper = minimizeOverTilt(t -> tailIndex(parts, t, logBound), t0);
        double lower = -minimizeOverTilt(t -> tailIndex(parts, -t, logBound), t0);
        return new long[] {
            lower > -9e18 ? (long) Math.floor(lower) : Long.MIN_VALUE,
            upper < 9e18 ? (long) Math.ceil(upper) : Long.MAX_VALUE
        };
    }

    /**
     * The Chernoff bound for tilt t on the side of t's sign, as an index: (K(t) - logBound) / |t| times the sign,
     * where K is the composed log-MGF; +Infinity when it cannot be evaluated.
     */
    private static double tailIndex(List<Part> parts, double t, double logBound) {
        double k = 0;
        for (Part p : parts) {
            k += p.count() * logMgf(p.pld(), t);
        }
        double bound = (k - logBound) / Math.abs(t);
        return Double.isNaN(bound) ? Double.POSITIVE_INFINITY : bound;
    }

    /** The smallest f(t0 2^x) found by the walk of {@link #chernoffWindow} (x in [-60, 60]). */
    private static double minimizeOverTilt(DoubleUnaryOperator f, double t0) {
        double x = 0;
        double best = f.applyAsDouble(t0);
        double up = f.applyAsDouble(t0 * 2);
        double down = f.applyAsDouble(t0 / 2);
        double direction = up <= down ? 1 : -1;
        double next = Math.min(up, down);
        while (next < best && Math.abs(x) < 60) {
            best = next;
            x += direction;
            next = f.applyAsDouble(t0 * Math.pow(2, x + direction));
        }
        for (double step = 0.5; step >= 0.25; step /= 2) {
            double a = f.applyAsDouble(t0 * Math.pow(2, x + step));
            double b = f.applyAsDouble(t0 * Math.pow(2, x - step));
            if (a < best && a <= b) {
                best = a;
                x += step;
            } else if (b < best) {
                best = b;
                x -= step;
            }
        }
        return best;
    }

    /**
     * log sum_i mass_i e^(t (lowIndex + i)). Chunks of {@value #MGF_CHUNK} points are summed relative to their
     * first point (the one with the largest exponent) with weights from a running product of e^(-|t|) instead of
     * one exp per point, and the chunks are combined in log space, so nothing underflows that matters. The
     * running product's relative rounding (at most MGF_CHUNK ulp) is allowed for by adding
     * {@value #LOG_MGF_ROUNDING} to the result, so the Chernoff bound stays an upper bound.
     */
    private static double logMgf(DiscretePld pld, double t) {
        double[] m = pld.mass();
        int n = m.length;
        double absT = Math.abs(t);
        double decay = Math.exp(-absT);
        boolean product = absT * MGF_CHUNK < 700; // else weights within a chunk could underflow: exp per point
        double log = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < n; c += MGF_CHUNK) {
            int len = Math.min(MGF_CHUNK, n - c);
            double sum = 0;
            double w = 1;
            for (int k = 0; k < len; k++) {
                int i = t >= 0 ? n - 1 - c - k : c + k; // from the largest exponent down
                sum += m[i] * (product ? w : Math.exp(-absT * k));
                w *= decay;
            }
            if (sum > 0) {
                int first = t >= 0 ? n - 1 - c : c;
                double x = t * (pld.lowIndex() + first) + Math.log(sum);
                log = log == Double.NEGATIVE_INFINITY ? x : Math.max(log, x) + Math.log1p(Math.exp(-Math.abs(log - x)));
            }
        }
        return log + LOG_MGF_ROUNDING;
    }

    /** Points per chunk of {@link #logMgf}. */
    private static final int MGF_CHUNK = 256;

    /** Allowance for the rounding of {@link #logMgf}'s running products (a relative 1e-9, as a log). */
    private static final double LOG_MGF_ROUNDING = 1e-9;

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
