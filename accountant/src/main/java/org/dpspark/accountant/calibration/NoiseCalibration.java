package org.dpspark.accountant.calibration;

import java.util.function.DoublePredicate;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Supplier;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.PrivacyAccountant;

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
        return calibrateNoiseMultiplier(targetEpsilon, delta, samplingRate, steps, accountantFactory, initialSigma,
                initialStep, RELATIVE_TOLERANCE, Double.NaN, Double.NaN);
    }

    /**
     * As {@link #calibrateNoiseMultiplier(double, double, double, long, Supplier, double, double)}, narrowing the
     * bracket only to {@code relativeTolerance}, and with a sigma already known to meet the target: when the
     * upward bracket search would step past {@code knownSigma}, it stops there and uses {@code knownEpsilon}
     * instead of evaluating the accountant again.
     *
     * @param relativeTolerance in [{@value #RELATIVE_TOLERANCE}, 0.1]: the result is within this relative
     *     distance of the smallest sigma meeting the target (by this accountant)
     * @param knownSigma        NaN, or a sigma whose epsilon by a fresh accountant of {@code accountantFactory} is
     *     {@code knownEpsilon} &lt;= targetEpsilon
     */
    public static double calibrateNoiseMultiplier(double targetEpsilon, double delta, double samplingRate,
            long steps, Supplier<PrivacyAccountant> accountantFactory, double initialSigma, double initialStep,
            double relativeTolerance, double knownSigma, double knownEpsilon) {
        return calibrate(targetEpsilon, delta, samplingRate, steps, accountantFactory, initialSigma, initialStep,
                relativeTolerance, knownSigma, knownEpsilon).sigma();
    }

    /**
     * A calibrated noise multiplier and its epsilon.
     *
     * @param sigma   the noise multiplier
     * @param epsilon its epsilon at the calibration's delta by the calibration's accountant, &lt;= the target
     */
    public record Calibrated(double sigma, double epsilon) {}

    /**
     * As {@link #calibrateNoiseMultiplier(double, double, double, long, Supplier, double, double, double, double,
     * double)}, returning the epsilon of the answer too (already evaluated by the search).
     */
    public static Calibrated calibrate(double targetEpsilon, double delta, double samplingRate,
            long steps, Supplier<PrivacyAccountant> accountantFactory, double initialSigma, double initialStep,
            double relativeTolerance, double knownSigma, double knownEpsilon) {
        if (!(relativeTolerance >= RELATIVE_TOLERANCE && relativeTolerance <= 0.1)) {
            throw new IllegalArgumentException("relativeTolerance must be in [" + RELATIVE_TOLERANCE + ", 0.1], got "
                    + relativeTolerance);
        }
        boolean known = !Double.isNaN(knownSigma);
        if (known && !(knownSigma >= MIN_NOISE_MULTIPLIER && knownSigma <= MAX_NOISE_MULTIPLIER
                && knownEpsilon >= 0 && knownEpsilon <= targetEpsilon)) {
            throw new IllegalArgumentException("knownSigma " + knownSigma + " (epsilon " + knownEpsilon
                    + ") must be in [" + MIN_NOISE_MULTIPLIER + ", " + MAX_NOISE_MULTIPLIER + "] and meet the target "
                    + targetEpsilon);
        }
        if (!(initialSigma >= MIN_NOISE_MULTIPLIER && initialSigma <= MAX_NOISE_MULTIPLIER)) {
            throw new IllegalArgumentException("initialSigma must be in [" + MIN_NOISE_MULTIPLIER + ", "
                    + MAX_NOISE_MULTIPLIER + "], got " + initialSigma);
        }
        if (!(initialStep > 0 && initialStep < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("initialStep must be finite and > 0, got " + initialStep);
        }
        checkTarget(targetEpsilon, delta, samplingRate, steps);
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
                step = nextStep(step, hi, epsHi, lo, epsLo, targetEpsilon);
                hi = lo;
                epsHi = epsLo;
                lo = Math.max(lo / (1 + step), MIN_NOISE_MULTIPLIER);
                epsLo = epsilonAt.applyAsDouble(lo);
            }
        } else {
            lo = initialSigma;
            epsLo = epsOne;
            hi = lo;
            epsHi = epsOne;
            do {
                if (hi >= MAX_NOISE_MULTIPLIER) {
                    throw new IllegalArgumentException("targetEpsilon " + targetEpsilon + " at delta " + delta
                            + " is unreachable: it needs noiseMultiplier > " + MAX_NOISE_MULTIPLIER + " (q = " + samplingRate
                            + ", steps = " + steps + ")");
                }
                if (hi > lo) {
                    step = nextStep(step, lo, epsLo, hi, epsHi, targetEpsilon);
                    lo = hi;
                    epsLo = epsHi;
                }
                hi = Math.min(hi * (1 + step), MAX_NOISE_MULTIPLIER);
                if (known && hi >= knownSigma && lo < knownSigma) {
                    hi = knownSigma; // met, already evaluated
                    epsHi = knownEpsilon;
                } else {
                    epsHi = epsilonAt.applyAsDouble(hi);
                }
            } while (!meetsTarget.test(epsHi));
        }
        // Invariant: !meets(lo) && meets(hi). g = log(eps / target): g(lo) > 0 >= g(hi).
        double logTarget = Math.log(targetEpsilon);
        double gLo = Math.log(epsLo) - logTarget;
        double gHi = Math.log(epsHi) - logTarget;
        int lastMoved = 0; // +1: hi moved last, -1: lo moved last
        int interpolationsWithoutHalving = 0;
        double widthBefore = Math.log(hi / lo);
        while (hi - lo > relativeTolerance * hi) {
            double uLo = Math.log(lo);
            double uHi = Math.log(hi);
            double mid = Double.NaN;
            boolean interpolate = interpolationsWithoutHalving < 3 && Double.isFinite(gLo) && Double.isFinite(gHi)
                    && gLo > gHi;
            if (interpolate) {
                mid = Math.exp(uLo + (uHi - uLo) * gLo / (gLo - gHi));
                // Within half a tolerance of an end, step half a tolerance inside instead (as Brent's method
                // does): once one end sits on the root, interpolation would land on it again and again, and
                // only this probe on the other side closes the bracket.
                double minStep = 0.5 * relativeTolerance * hi;
                if (mid > hi - minStep) {
                    mid = hi - minStep;
                } else if (mid < lo + minStep) {
                    mid = lo + minStep;
                }
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
                if (lastMoved == +1) {
                    gLo *= andersonBjorck(g, gHi); // lo kept twice in a row
                }
                hi = mid;
                epsHi = eps;
                gHi = g;
                lastMoved = +1;
            } else {
                double gNew = Double.isNaN(g) ? Double.POSITIVE_INFINITY : g;
                if (lastMoved == -1) {
                    gHi *= andersonBjorck(gNew, gLo);
                }
                lo = mid;
                gLo = gNew;
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
        return new Calibrated(hi, epsHi);
    }

    /**
     * The Anderson-Bjorck factor (Anderson and Bjorck 1973; Galdino 2011) by which the value kept at the other end
     * is scaled when an end moves twice in a row: 1 - gNew / gOld, or 1/2 (Illinois) when that is not in (0, 1).
     * On the convex curves of calibration it converges much faster than plain halving.
     */
    private static double andersonBjorck(double gNew, double gOld) {
        double m = 1 - gNew / gOld;
        return m > 0 && m < 1 ? m : 0.5;
    }

    /**
     * The next relative step of the bracket search, after a move from {@code previous} to {@code current} that
     * stayed on the same side of the target: the secant of log(epsilon) against log(sigma) through the two
     * points, extended by a quarter to land past the root, so that the next point usually closes the bracket
     * near the answer; at least the last step and at most 1 (a factor of 2). Doubling when the secant is
     * undefined (an epsilon of 0 or infinity, or a flat or wrong-signed secant).
     */
    private static double nextStep(double step, double previous, double epsPrevious, double current,
            double epsCurrent, double target) {
        double gPrevious = Math.log(epsPrevious / target);
        double gCurrent = Math.log(epsCurrent / target);
        double du = Math.log(current / previous);
        double slope = (gCurrent - gPrevious) / du; // d g / d log(sigma), negative when well defined
        double distance = -gCurrent / slope; // log(sigma) from current to the secant's root, same sign as du
        if (Double.isFinite(distance) && slope < 0 && distance / du > 0) {
            return Math.max(step, Math.min(Math.expm1(1.25 * Math.abs(distance)), 1.0));
        }
        return Math.max(step, Math.min(2 * step, 1.0));
    }

    /** The checks every calibration makes of its target: epsilon finite and &gt; 0, delta in (0, 1), q in (0, 1], T &gt;= 1. */
    static void checkTarget(double targetEpsilon, double delta, double samplingRate, long steps) {
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
    }
}
