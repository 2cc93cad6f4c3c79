package org.dpspark.accountant.calibration;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.dpspark.accountant.AccountantName;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.PrivacyAccountant;
import org.dpspark.accountant.pld.PldAccountant;
import org.dpspark.accountant.rdp.RdpAccountant;

/**
 * Noise calibration under both accountants: the smallest noise multiplier meeting a target epsilon by RDP,
 * by PLD, and the smaller of the two (the one to use: its accountant certifies the target; both are valid upper
 * bounds, as for the best-of accountant's epsilons).
 *
 * <p>RDP evaluations cost about a millisecond, so RDP is calibrated to {@value NoiseCalibration#RELATIVE_TOLERANCE}.
 * A PLD evaluation on the default grid ({@value PldAccountant#DEFAULT_INTERVAL}) costs 10-50 ms, so the PLD search
 * runs in two stages and stops at {@value #PLD_RELATIVE_TOLERANCE}:
 * <ol>
 *   <li><b>Coarse:</b> the PLD accountant on a grid up to {@value #COARSE_FACTOR} times coarser (about 10x
 *       cheaper). Pessimistic discretization on a coarser grid only moves more loss upward, so its epsilon is an
 *       upper bound of the fine grid's: the coarse answer sigma_c meets the target on the fine grid too, and lies
 *       just above the fine answer (0.1-0.5% for DP-SGD). The search starts from RDP's answer sigma_r moved
 *       along RDP's slope s = d log(eps) / d log(sigma): sigma = sigma_r (target / e)^(1 / s), with e the coarse
 *       PLD epsilon at sigma_r.</li>
 *   <li><b>Fine:</b> one fine evaluation at sigma_c gives e_c &lt;= target; the same rule with PLD's own slope
 *       (one more coarse evaluation, 1% lower) predicts the fine answer, and the fine search starts a tolerance
 *       above it with a step of two tolerances, sigma_c being its known upper end. Typically 3 fine evaluations
 *       in all.</li>
 * </ol>
 * The returned PLD sigma meets the target by the PLD accountant on the default grid (it is never taken from the
 * coarse grid), and sigma (1 - {@value #PLD_RELATIVE_TOLERANCE}) does not. A finer tolerance would chase noise:
 * below about 1e-5 in sigma, the discrete PLD's epsilon is not monotone in sigma (grid points enter and leave
 * the support as sigma moves), by about 1e-5 of epsilon.
 *
 * <p><b>Prefix</b> ({@link #of(double, double, double, long, List)}): events spent before training, such as the two
 * Gaussian releases of DP data normalization (Tramer and Boneh 2021). Every accountant of the search (RDP, coarse and
 * fine PLD, and the slope estimates) composes the prefix first, then the training event, on a fresh accountant,
 * so the calibrated sigma is the smallest for which the whole composition meets the target, in the order a ledger
 * and {@code BestAccountant} compose a run's events. An accountant for which the prefix leaves no room (the target is
 * missed even with training at sigma = {@value NoiseCalibration#MAX_NOISE_MULTIPLIER}) reports sigma and epsilon
 * +Infinity and the other one's answer is used; when neither has room the calibration is refused.
 *
 * @param rdpSigma the smallest sigma meeting the target by RDP (+Infinity: RDP cannot meet it after the prefix)
 * @param pldSigma the smallest sigma meeting the target by PLD (to {@value #PLD_RELATIVE_TOLERANCE}; +Infinity: PLD
 *                 cannot meet it after the prefix)
 * @param best     min(rdpSigma, pldSigma)
 * @param bestAccountant the accountant of {@code best} ({@link AccountantName#RDP} or {@link AccountantName#PLD};
 *                 PLD on ties)
 * @param rdpEpsilon epsilon of the prefix and {@code rdpSigma}'s steps by RDP (&lt;= the target; +Infinity with
 *                 rdpSigma)
 * @param pldEpsilon epsilon of the prefix and {@code pldSigma}'s steps by PLD on the default grid (&lt;= the target;
 *                 +Infinity with pldSigma)
 */
public record BestCalibration(double rdpSigma, double pldSigma, double best, AccountantName bestAccountant,
        double rdpEpsilon,
        double pldEpsilon) {

    /** The epsilon of {@code best} by its accountant ({@code bestAccountant}), at most the target. */
    public double bestEpsilon() {
        return bestAccountant == AccountantName.PLD ? pldEpsilon : rdpEpsilon;
    }

    /**
     * The fine stage stops once its estimate of the smallest sigma meeting the target by PLD is within this
     * relative distance below its current sigma (the RDP sigma's tolerance is {@value
     * NoiseCalibration#RELATIVE_TOLERANCE}).
     */
    public static final double PLD_RELATIVE_TOLERANCE = 1e-5;

    /** How far above the estimated root the fine stage aims, so that its steps usually meet the target. */
    public static final double PLD_MARGIN = 2e-5;

    /** Fine evaluations after the first, at most. */
    static final int MAX_FINE_STEPS = 4;

    /** Tolerance of the coarse stage, whose answer only seeds the fine one. */
    static final double COARSE_RELATIVE_TOLERANCE = 1e-4;

    /** The coarse stage's grid interval, as a multiple of {@link PldAccountant#DEFAULT_INTERVAL}. */
    static final int COARSE_FACTOR = 10;

    /**
     * Calibrates {@code steps} steps at rate {@code samplingRate} to {@code targetEpsilon} at {@code delta}.
     *
     * @throws IllegalArgumentException as {@link NoiseCalibration#calibrateNoiseMultiplier}
     */
    public static BestCalibration of(double targetEpsilon, double delta, double samplingRate, long steps) {
        return of(targetEpsilon, delta, samplingRate, steps, List.of());
    }

    /**
     * Calibrates {@code steps} steps at rate {@code samplingRate} so that {@code prefix} followed by
     * {@code DpEvent(samplingRate, sigma, steps)}, composed, meets {@code targetEpsilon} at {@code delta} (see the
     * class comment): the smallest such sigma by RDP, by PLD, and the smaller.
     *
     * @param prefix the events composed before training (e.g. {@code DpEvent(1.0, sigmaNorm, 2)} of DP data
     *               normalization), in order; empty for none; no nulls
     * @throws IllegalArgumentException as {@link NoiseCalibration#calibrateNoiseMultiplier}, and when the prefix
     *     leaves no room for training: neither accountant meets the target even with sigma = {@value
     *     NoiseCalibration#MAX_NOISE_MULTIPLIER}
     */
    public static BestCalibration of(double targetEpsilon, double delta, double samplingRate, long steps,
            List<DpEvent> prefix) {
        if (prefix == null || prefix.stream().anyMatch(e -> e == null)) {
            throw new IllegalArgumentException("prefix must be a list of DP events without nulls, got " + prefix);
        }
        List<DpEvent> pre = List.copyOf(prefix);
        boolean rdpRoom = true;
        boolean pldRoom = true;
        if (!pre.isEmpty()) {
            NoiseCalibration.checkTarget(targetEpsilon, delta, samplingRate, steps);
            DpEvent quietest = new DpEvent(samplingRate, NoiseCalibration.MAX_NOISE_MULTIPLIER, steps);
            double rdpAtMax = epsilon(new RdpAccountant(), pre, quietest, delta);
            double pldAtMax = epsilon(new PldAccountant(), pre, quietest, delta);
            rdpRoom = rdpAtMax <= targetEpsilon;
            pldRoom = pldAtMax <= targetEpsilon;
            if (!rdpRoom && !pldRoom) {
                double rdpAlone = epsilon(new RdpAccountant(), pre, null, delta);
                double pldAlone = epsilon(new PldAccountant(), pre, null, delta);
                throw new IllegalArgumentException(String.format(Locale.ROOT, "the normalization alone spends "
                        + "epsilon %.6g at delta %s (RDP %.6g, PLD %.6g; %s, composed before training), which leaves "
                        + "no room for training within the target epsilon %s: even training at noiseMultiplier %s "
                        + "exceeds it; raise the normalization's noise multiplier or the target",
                        Math.min(rdpAlone, pldAlone), delta, rdpAlone, pldAlone, pre, targetEpsilon,
                        NoiseCalibration.MAX_NOISE_MULTIPLIER));
            }
        }
        Supplier<PrivacyAccountant> rdpFactory = withPrefix(RdpAccountant::new, pre);
        NoiseCalibration.Calibrated rdpCal = rdpRoom
                ? NoiseCalibration.calibrate(targetEpsilon, delta, samplingRate, steps, rdpFactory, 1.0, 1.0,
                        NoiseCalibration.RELATIVE_TOLERANCE, Double.NaN, Double.NaN)
                : new NoiseCalibration.Calibrated(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);
        double rdp = rdpCal.sigma();
        if (!pldRoom) {
            return new BestCalibration(rdp, Double.POSITIVE_INFINITY, rdp, AccountantName.RDP, rdpCal.epsilon(),
                    Double.POSITIVE_INFINITY);
        }
        // At most COARSE_FACTOR times coarser, and at least 1,000 grid points per unit of the target (a tiny target
        // is cheap on the fine grid, and a coarse grid would overshoot it by far).
        double coarseInterval = Math.max(PldAccountant.DEFAULT_INTERVAL,
                Math.min(COARSE_FACTOR * PldAccountant.DEFAULT_INTERVAL, targetEpsilon / 1000));

        // Coarse stage, seeded from RDP's answer moved along RDP's slope (from sigma = 1 when RDP has no answer).
        double guess = 1.0;
        double step = 1.0;
        if (rdpRoom) {
            guess = rdp;
            step = 0.03;
            double eAtRdp = pldEpsilon(coarseInterval, samplingRate, rdp, steps, delta, pre);
            double predicted = predict(rdp, eAtRdp, targetEpsilon, rdpSlope(samplingRate, rdp, steps, delta, pre));
            if (predicted <= rdp) {
                guess = predicted;
                step = 0.002;
            }
        }
        double coarse;
        try {
            coarse = NoiseCalibration.calibrateNoiseMultiplier(targetEpsilon, delta, samplingRate, steps,
                    withPrefix(() -> new PldAccountant(coarseInterval), pre), guess, step, COARSE_RELATIVE_TOLERANCE,
                    Double.NaN, Double.NaN);
        } catch (IllegalArgumentException e) {
            if (pre.isEmpty()) {
                throw e;
            }
            // A prefix that leaves the target just within the fine grid's reach may leave the (pessimistic) coarse
            // grid none: the bracketing fine search alone.
            coarse = Double.NaN;
        }

        // Fine stage. sigma_c meets the target on the fine grid (the coarse grid is pessimistic).
        double eCoarse = Double.isNaN(coarse) ? Double.NaN
                : pldEpsilon(PldAccountant.DEFAULT_INTERVAL, samplingRate, coarse, steps, delta, pre);
        NoiseCalibration.Calibrated pld;
        if (eCoarse <= targetEpsilon) {
            // PLD's own slope, from one more coarse evaluation 1% lower (epsilon there is above the target).
            double lower = Math.max(coarse * 0.99, NoiseCalibration.MIN_NOISE_MULTIPLIER);
            double slope = Math.log(pldEpsilon(coarseInterval, samplingRate, lower, steps, delta, pre)
                    / targetEpsilon) / Math.log(lower / coarse);
            pld = refine(targetEpsilon, delta, samplingRate, steps, coarse, eCoarse, slope, pre);
        } else {
            // Not expected without a prefix (the coarse grid is pessimistic), but never relied on: a bracketing fine
            // search.
            pld = NoiseCalibration.calibrate(targetEpsilon, delta, samplingRate, steps,
                    withPrefix(PldAccountant::new, pre), Double.isNaN(coarse) ? guess : coarse,
                    Double.isNaN(coarse) ? step : 0.002, PLD_RELATIVE_TOLERANCE, Double.NaN, Double.NaN);
        }
        boolean pldWins = pld.sigma() <= rdp;
        return new BestCalibration(rdp, pld.sigma(), pldWins ? pld.sigma() : rdp, pldWins ? AccountantName.PLD : AccountantName.RDP,
                rdpCal.epsilon(), pld.epsilon());
    }

    /**
     * The fine stage: from a sigma known to meet the target on the default grid, secant steps (log epsilon against
     * log sigma, starting with the coarse slope) toward the root, each aimed {@value #PLD_MARGIN} above it so
     * that it usually meets the target; a step is taken only when it lowers sigma by more than
     * {@value #PLD_RELATIVE_TOLERANCE}, and a point that misses the target only sharpens the secant. At most
     * {@value #MAX_FINE_STEPS} evaluations; the result always is an evaluated point that meets the target.
     */
    private static NoiseCalibration.Calibrated refine(double target, double delta, double q, long steps,
            double sigma, double epsilon, double slope, List<DpEvent> prefix) {
        double s = slope;
        for (int i = 0; i < MAX_FINE_STEPS; i++) {
            double root = predict(sigma, epsilon, target, s);
            double next = root * (1 + PLD_MARGIN);
            if (!(next < sigma * (1 - PLD_RELATIVE_TOLERANCE))) {
                break; // within the tolerance of the estimated root (or no estimate)
            }
            double e = pldEpsilon(PldAccountant.DEFAULT_INTERVAL, q, next, steps, delta, prefix);
            double secant = Math.log(e / epsilon) / Math.log(next / sigma);
            if (e <= target) {
                sigma = next;
                epsilon = e;
            }
            if (secant < 0 && Double.isFinite(secant)) {
                s = secant;
            }
        }
        return new NoiseCalibration.Calibrated(sigma, epsilon);
    }

    /** Epsilon at delta of the prefix and then {@code DpEvent(q, sigma, steps)} on a fresh PLD accountant. */
    private static double pldEpsilon(double interval, double q, double sigma, long steps, double delta,
            List<DpEvent> prefix) {
        return epsilon(new PldAccountant(interval), prefix, new DpEvent(q, sigma, steps), delta);
    }

    /**
     * d log(eps) / d log(sigma) of RDP (the prefix composed first) at sigma (negative), by a 1% forward difference;
     * NaN if undefined.
     */
    private static double rdpSlope(double q, double sigma, long steps, double delta, List<DpEvent> prefix) {
        double sigma2 = Math.min(sigma * 1.01, NoiseCalibration.MAX_NOISE_MULTIPLIER);
        double a = epsilon(new RdpAccountant(), prefix, new DpEvent(q, sigma, steps), delta);
        double b = epsilon(new RdpAccountant(), prefix, new DpEvent(q, sigma2, steps), delta);
        return Math.log(b / a) / Math.log(sigma2 / sigma);
    }

    /** Composes {@code prefix} and then {@code last} (if not null) on the fresh {@code accountant}; epsilon at delta. */
    private static double epsilon(PrivacyAccountant accountant, List<DpEvent> prefix, DpEvent last, double delta) {
        for (DpEvent e : prefix) {
            accountant.compose(e);
        }
        if (last != null) {
            accountant.compose(last);
        }
        return accountant.epsilon(delta);
    }

    /** {@code factory}'s accountants, each with {@code prefix} already composed (the factory itself when empty). */
    private static Supplier<PrivacyAccountant> withPrefix(Supplier<PrivacyAccountant> factory, List<DpEvent> prefix) {
        if (prefix.isEmpty()) {
            return factory;
        }
        List<DpEvent> events = new ArrayList<>(prefix);
        return () -> {
            PrivacyAccountant a = factory.get();
            if (a != null) {
                for (DpEvent e : events) {
                    a.compose(e);
                }
            }
            return a;
        };
    }

    /**
     * sigma (target / e)^(1 / slope): where epsilon reaches the target if log(eps) is linear in log(sigma) with
     * that slope; NaN when the inputs do not allow it (e not in (0, inf), slope not negative and finite, or
     * the prediction out of range).
     */
    private static double predict(double sigma, double e, double target, double slope) {
        if (!(e > 0 && e < Double.POSITIVE_INFINITY && slope < 0 && slope > Double.NEGATIVE_INFINITY)) {
            return Double.NaN;
        }
        double p = sigma * Math.exp(Math.log(target / e) / slope);
        return p >= NoiseCalibration.MIN_NOISE_MULTIPLIER && p <= NoiseCalibration.MAX_NOISE_MULTIPLIER ? p : Double.NaN;
    }
}
