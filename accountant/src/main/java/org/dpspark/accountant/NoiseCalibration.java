package org.dpspark.accountant;

import java.util.function.DoublePredicate;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Supplier;

/**
 * Noise calibration: the smallest noise multiplier sigma such that {@code steps} compositions of the
 * Poisson-subsampled Gaussian mechanism at rate q are (targetEpsilon, delta)-DP according to an accountant.
 *
 * <p>Epsilon decreases as sigma grows (each order's RDP does, MTZ 2019; a PLD accountant's too), so the
 * answer is found by bracketing (doubling / halving from sigma = 1) and then narrowing the bracket while
 * keeping the invariant epsilon(lo) &gt; target &gt;= epsilon(hi). The upper end {@code hi} is returned: its
 * epsilon was evaluated and is at most the target, so the result never overshoots the budget. The bracket is
 * narrowed until (hi - lo) / hi &lt;= {@value #RELATIVE_TOLERANCE}, by the Illinois variant of regula falsi on
 * log(epsilon) - log(target) as a function of log(sigma) (nearly linear there, so a handful of accountant
 * evaluations suffice, which matters for the PLD accountant), with a bisection step on log(sigma) whenever
 * an epsilon is 0 or infinite or two interpolation steps failed to halve the bracket.
 */
public final class NoiseCalibration {

    /** Relative width of the final bracket. */
    public static final double RELATIVE_TOLERANCE = 1e-9;

    /** Largest noise multiplier tried; a target that needs more is reported as unreachable. */
    public static final double MAX_NOISE_MULTIPLIER = 1e6;

    /** Smallest noise multiplier tried; a target met even here is reported as meaningless. */
    public static final double MIN_NOISE_MULTIPLIER = 1e-4;

    private NoiseCalibration() {}

    /**
     * The smallest sigma (to relative {@value #RELATIVE_TOLERANCE}) whose epsilon at {@code delta}, after
     * composing {@code DpEvent(samplingRate, sigma, steps)} on a fresh accountant, is &lt;= targetEpsilon.
     *
     * @param targetEpsilon     finite and &gt; 0
     * @param delta             with 0 &lt; delta &lt; 1
     * @param samplingRate      q, with 0 &lt; q &lt;= 1
     * @param steps             &gt;= 1
     * @param accountantFactory returns a new, empty accountant at each call (e.g. {@code RdpAccountant::new})
     * @return sigma with epsilon(sigma) &lt;= targetEpsilon, and epsilon &gt; targetEpsilon just below it
     * @throws IllegalArgumentException on bad arguments, or when the target needs sigma &gt; {@value
     *     #MAX_NOISE_MULTIPLIER} (unreachable) or is met even at sigma = {@value #MIN_NOISE_MULTIPLIER}
     */
    public static double calibrateNoiseMultiplier(double targetEpsilon, double delta, double samplingRate,
            long steps, Supplier<PrivacyAccountant> accountantFactory) {
        return calibrateNoiseMultiplier(targetEpsilon, delta, samplingRate, steps, accountantFactory, 1.0, 1.0);
    }

    /**
     * As {@link #calibrateNoiseMultiplier(double, double, double, long, Supplier)}, with the bracket search
     * starting at {@code initialSigma} and stepping by the factor (1 + step), step = initialStep doubling at
     * each further move up to 1 (a factor of 2). A good guess (e.g. another accountant's answer) saves accountant evaluations; the result
     * is the same to {@value #RELATIVE_TOLERANCE} whatever the guess.
     *
     * @param initialSigma in [{@value #MIN_NOISE_MULTIPLIER}, {@value #MAX_NOISE_MULTIPLIER}]
     * @param initialStep  finite and &gt; 0
     */
    public static double calibrateNoiseMultiplier(double targetEpsilon, double delta, double samplingRate,
            long steps, Supplier<PrivacyAccountant> accountantFactory, double initialSigma, double initialStep) {
        if (!(initialSigma >= MIN_NOISE_MULTIPLIER && initialSigma <= MAX_NOISE_MULTIPLIER)) {
            throw new IllegalArgumentException("initialSigma must be in [" + MIN_NOISE_MULTIPLIER + ", "
                    + MAX_NOISE_MULTIPLIER + "], got " + initialSigma);
        }
        if (!(initialStep > 0 && initialStep < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("initialStep must be finite and > 0, got " + initialStep);
        }
        if (!(targetEpsilon > 0 && targetEpsilon < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("targetEpsilon must be finite and > 0, got " + targetEpsilon);
        }
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
        }
        if (!(samplingRate > 0 && samplingRate <= 1)) {
            throw new IllegalArgumentException("samplingRate must be in (0, 1], got " + samplingRate);
        }
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        }
        if (accountantFactory == null) {
            throw new IllegalArgumentException("accountantFactory must not be null");
        }
        DoubleUnaryOperator epsilonAt = sigma -> {
            PrivacyAccountant accountant = accountantFactory.get();
            if (accountant == null) {
                throw new IllegalStateException("accountantFactory returned null");
            }
            accountant.compose(new DpEvent(samplingRate, sigma, steps));
            return accountant.epsilon(delta);
        };
        DoublePredicate meetsTarget = eps -> eps <= targetEpsilon; // NaN never meets the target

        double lo;
        double hi;
        double epsLo;
        double epsHi;
        double step = initialStep;
        double epsOne = epsilonAt.applyAsDouble(initialSigma);
        if (meetsTarget.test(epsOne)) {
            hi = initialSigma;
            epsHi = epsOne;
            lo = Math.max(hi / (1 + step), MIN_NOISE_MULTIPLIER);
            epsLo = epsilonAt.applyAsDouble(lo);
            while (meetsTarget.test(epsLo)) {
                if (lo <= MIN_NOISE_MULTIPLIER) {
                    throw new IllegalArgumentException("targetEpsilon " + targetEpsilon + " is met even with noiseMultiplier "
                            + lo + " (q = " + samplingRate + ", steps = " + steps + ", delta = " + delta
                            + "); such a target gives no meaningful protection");
                }
                hi = lo;
                epsHi = epsLo;
                step = Math.max(step, Math.min(2 * step, 1.0));
                lo = Math.max(lo / (1 + step), MIN_NOISE_MULTIPLIER);
                epsLo = epsilonAt.applyAsDouble(lo);
            }
        } else {
            lo = initialSigma;
            epsLo = epsOne;
            hi = Math.min(lo * (1 + step), MAX_NOISE_MULTIPLIER);
            epsHi = epsilonAt.applyAsDouble(hi);
            while (!meetsTarget.test(epsHi)) {
                if (hi >= MAX_NOISE_MULTIPLIER) {
                    throw new IllegalArgumentException("targetEpsilon " + targetEpsilon + " at delta " + delta
                            + " is unreachable: it needs noiseMultiplier > " + MAX_NOISE_MULTIPLIER + " (q = " + samplingRate
                            + ", steps = " + steps + ")");
                }
                lo = hi;
                epsLo = epsHi;
                step = Math.max(step, Math.min(2 * step, 1.0));
                hi = Math.min(hi * (1 + step), MAX_NOISE_MULTIPLIER);
                epsHi = epsilonAt.applyAsDouble(hi);
            }
        }
        // Invariant: !meets(lo) && meets(hi). g = log(eps / target): g(lo) > 0 >= g(hi).
        double logTarget = Math.log(targetEpsilon);
        double gLo = Math.log(epsLo) - logTarget;
        double gHi = Math.log(epsHi) - logTarget;
        int lastMoved = 0; // +1: hi moved last, -1: lo moved last
        int interpolationsWithoutHalving = 0;
        double widthBefore = Math.log(hi / lo);
        while (hi - lo > RELATIVE_TOLERANCE * hi) {
            double uLo = Math.log(lo);
            double uHi = Math.log(hi);
            double mid = Double.NaN;
            boolean interpolate = interpolationsWithoutHalving < 2 && Double.isFinite(gLo) && Double.isFinite(gHi)
                    && gLo > gHi;
            if (interpolate) {
                mid = Math.exp(uLo + (uHi - uLo) * gLo / (gLo - gHi));
            }
            if (!(mid > lo && mid < hi)) {
                interpolate = false;
                mid = Math.sqrt(lo * hi);
                if (!(mid > lo && mid < hi)) {
                    break; // the bracket is down to adjacent doubles
                }
            }
            double eps = epsilonAt.applyAsDouble(mid);
            double g = Math.log(eps) - logTarget;
            if (meetsTarget.test(eps)) {
                hi = mid;
                gHi = g;
                if (lastMoved == +1) {
                    gLo /= 2; // Illinois: lo kept twice in a row
                }
                lastMoved = +1;
            } else {
                lo = mid;
                gLo = Double.isNaN(g) ? Double.POSITIVE_INFINITY : g;
                if (lastMoved == -1) {
                    gHi /= 2;
                }
                lastMoved = -1;
            }
            double width = Math.log(hi / lo);
            if (!interpolate || width <= widthBefore / 2) {
                interpolationsWithoutHalving = 0;
                widthBefore = width;
            } else {
                interpolationsWithoutHalving++;
            }
        }
        return hi;
    }
}
