package org.dpspark.accountant.calibration;

import java.util.Locale;
import java.util.function.DoubleFunction;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.dpspark.core.params.InvalidParameterException;
import org.dpspark.core.secagg.DdgParams;

/**
 * Noise calibration for the distributed discrete Gaussian (DDG) of secure aggregation: the smallest noise multiplier
 * sigma whose encoding ({@link DdgParams} at sigma, given by the caller) makes {@code steps} Poisson-subsampled DDG
 * steps (targetEpsilon, delta)-DP by the RDP accountant ({@link DpEvent#distributedDiscrete}: Kairouz, Liu and
 * Steinke 2021, Prop. 14, subsampled by Zhu and Wang 2019, Thm 5; converted by Balle et al. 2020, Thm 21). The PLD
 * accountant has no bound for this mechanism, so RDP is the only accountant here.
 *
 * <p>Search: a bracket from sigma = 1 (doubling or halving, within [{@value NoiseCalibration#MIN_NOISE_MULTIPLIER},
 * {@value NoiseCalibration#MAX_NOISE_MULTIPLIER}]), then bisection on log(sigma) keeping epsilon(lo) &gt; target
 * &gt;= epsilon(hi), until (hi - lo) / hi &lt;= {@value #RELATIVE_TOLERANCE}. The upper end is returned, and checked
 * once more on a fresh encoding and accountant before it is: its epsilon is at most the target. Bisection (not
 * interpolation) because the encoding moves in integer steps (the local variance is rounded up to an integer and the
 * scale depends on sigma), so epsilon is decreasing in sigma only up to those steps; the result always meets the
 * target, and sigma (1 - {@value #RELATIVE_TOLERANCE}) does not, up to them.
 */
public final class DdgCalibration {

    /** Relative width of the final bracket. */
    public static final double RELATIVE_TOLERANCE = 1e-4;

    private DdgCalibration() {}

    /**
     * A calibrated DDG encoding.
     *
     * @param sigma   the noise multiplier (the honest parties' total noise std is sigma times the clip norm, up to
     *                the encoding's rounding)
     * @param params  the encoding at sigma
     * @param event   the run's event, {@link DpEvent#distributedDiscrete}(q, params, steps)
     * @param epsilon its epsilon at delta by the RDP accountant, at most the target
     */
    public record Result(double sigma, DdgParams params, DpEvent event, double epsilon) {}

    /**
     * The smallest sigma (to relative {@value #RELATIVE_TOLERANCE}) whose DDG event meets {@code targetEpsilon}.
     *
     * @param targetEpsilon finite and &gt; 0
     * @param delta         in (0, 1)
     * @param samplingRate  q, in (0, 1]
     * @param steps         T &gt;= 1
     * @param encoding      sigma to the encoding at sigma (e.g. {@code s -> DdgParams.choose(dim, bits, n, t, C, s,
     *                      N)}); its refusals ({@link InvalidParameterException} naming {@code secaggBits}, say)
     *                      propagate
     * @throws InvalidParameterException naming {@code epsilon} when the target needs sigma above {@value
     *         NoiseCalibration#MAX_NOISE_MULTIPLIER} or is met even at {@value NoiseCalibration#MIN_NOISE_MULTIPLIER}
     */
    public static Result calibrate(double targetEpsilon, double delta, double samplingRate, long steps,
            DoubleFunction<DdgParams> encoding) {
        NoiseCalibration.checkTarget(targetEpsilon, delta, samplingRate, steps);
        if (encoding == null) {
            throw new IllegalArgumentException("encoding must not be null");
        }
        double min = NoiseCalibration.MIN_NOISE_MULTIPLIER;
        double max = NoiseCalibration.MAX_NOISE_MULTIPLIER;
        double lo;
        double hi;
        Result atHi;
        Result first = evaluate(1.0, delta, samplingRate, steps, encoding);
        if (first.epsilon() <= targetEpsilon) {
            hi = 1.0;
            atHi = first;
            lo = hi / 2;
            Result r = evaluate(lo, delta, samplingRate, steps, encoding);
            while (r.epsilon() <= targetEpsilon) {
                if (lo <= min) {
                    throw InvalidParameterException.of("epsilon", num(targetEpsilon) + " at delta " + num(delta)
                            + " is met even with noiseMultiplier " + num(lo) + " (q = " + num(samplingRate)
                            + ", steps = " + steps + ", distributed discrete Gaussian); such a target gives no "
                            + "meaningful protection");
                }
                hi = lo;
                atHi = r;
                lo = Math.max(lo / 2, min);
                r = evaluate(lo, delta, samplingRate, steps, encoding);
            }
        } else {
            lo = 1.0;
            hi = 1.0;
            atHi = first;
            while (!(atHi.epsilon() <= targetEpsilon)) {
                if (hi >= max) {
                    throw InvalidParameterException.of("epsilon", num(targetEpsilon) + " at delta " + num(delta)
                            + " is unreachable with the distributed discrete Gaussian: it needs noiseMultiplier > "
                            + num(max) + " (q = " + num(samplingRate) + ", steps = " + steps + ")");
                }
                lo = hi;
                hi = Math.min(hi * 2, max);
                atHi = evaluate(hi, delta, samplingRate, steps, encoding);
            }
        }
        // Invariant: epsilon(lo) > target >= epsilon(hi).
        while (hi - lo > RELATIVE_TOLERANCE * hi) {
            double mid = Math.sqrt(lo * hi);
            if (!(mid > lo && mid < hi)) {
                break;
            }
            Result r = evaluate(mid, delta, samplingRate, steps, encoding);
            if (r.epsilon() <= targetEpsilon) {
                hi = mid;
                atHi = r;
            } else {
                lo = mid;
            }
        }
        // The check: a fresh encoding and a fresh accountant at the answer.
        Result check = evaluate(hi, delta, samplingRate, steps, encoding);
        if (!(check.epsilon() <= targetEpsilon) || !check.params().equals(atHi.params())) {
            throw new IllegalStateException("DDG calibration: sigma " + hi + " gave epsilon " + atHi.epsilon()
                    + " and then " + check.epsilon() + " (target " + targetEpsilon + "); the encoding is not a function"
                    + " of sigma");
        }
        return check;
    }

    /** The RDP epsilon at delta of one DDG event (a fresh {@link RdpAccountant}). */
    public static double epsilon(DpEvent event, double delta) {
        RdpAccountant a = new RdpAccountant();
        a.compose(event);
        return a.epsilon(delta);
    }

    private static Result evaluate(double sigma, double delta, double q, long steps,
            DoubleFunction<DdgParams> encoding) {
        DdgParams p = encoding.apply(sigma);
        if (p == null) {
            throw new IllegalStateException("the encoding returned null for sigma " + sigma);
        }
        DpEvent e = DpEvent.distributedDiscrete(q, p, steps);
        return new Result(sigma, p, e, epsilon(e, delta));
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
