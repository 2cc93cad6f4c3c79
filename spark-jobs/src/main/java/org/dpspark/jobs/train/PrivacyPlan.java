package org.dpspark.jobs.train;

import java.util.List;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.PrivacyBound;
import org.dpspark.accountant.best.BestAccountant;
import org.dpspark.accountant.calibration.BestCalibration;

/**
 * What a run will spend, fixed before the first step: Poisson rate q, noise multiplier sigma, steps T, and the
 * guarantee (epsilon at delta) for T compositions of the subsampled Gaussian, computed by both the RDP and the
 * PLD accountant. Both are valid upper bounds, so the smaller is claimed and its accountant named
 * ({@link BestAccountant}). With a target epsilon, sigma is the smallest that meets it under either accountant
 * ({@link BestCalibration}); the claimed epsilon is then at most the target.
 *
 * <p>Ledger hook: {@link #events()} is this run's history; a ledger that composes a dataset's jobs passes the
 * events of all of them to {@link BestAccountant#bound(List, double)} (RDP curves add; PLD distributions convolve), which
 * is valid whenever every event is a Poisson-subsampled Gaussian ({@link DpEvent}).
 *
 * @param samplingRate q = B / N
 * @param noiseMultiplier sigma (noise std = sigma * clipNorm)
 * @param steps T
 * @param delta the delta of the guarantee
 * @param epsilon the claimed epsilon at delta: min(rdpEpsilon, pldEpsilon), an upper bound
 * @param accountant the accountant that produced epsilon ("rdp" or "pld")
 * @param calibrated whether sigma was calibrated from a target epsilon (else given by the user)
 * @param rdpEpsilon epsilon by the RDP accountant
 * @param pldEpsilon epsilon by the PLD accountant
 */
public record PrivacyPlan(
        double samplingRate,
        double noiseMultiplier,
        long steps,
        double delta,
        double epsilon,
        String accountant,
        boolean calibrated,
        double rdpEpsilon,
        double pldEpsilon) {

    /** Plans a run of {@code cfg} over a dataset of {@code rows} rows (N is public). */
    public static PrivacyPlan of(TrainConfig cfg, long rows) {
        double q = cfg.samplingRate(rows);
        long steps = cfg.steps(rows);
        double delta = cfg.delta();
        if (!(delta < 1.0 / rows)) {
            throw new IllegalArgumentException(
                    "--delta " + delta + " must be < 1/N = " + (1.0 / rows) + " (N = " + rows
                            + "); a delta near 1/N allows publishing a whole row");
        }
        boolean calibrated = cfg.targetEpsilon().isPresent();
        double sigma = calibrated
                ? BestCalibration.of(cfg.targetEpsilon().getAsDouble(), delta, q, steps).best()
                : cfg.noiseMultiplier().getAsDouble();
        PrivacyBound bound = BestAccountant.bound(List.of(new DpEvent(q, sigma, steps)), delta);
        return new PrivacyPlan(q, sigma, steps, delta, bound.epsilon(), bound.claimed().jsonName(), calibrated,
                bound.rdpEpsilon(), bound.pldEpsilon());
    }

    /** This run's privacy history, for a ledger (see the class comment). */
    public List<DpEvent> events() {
        return List.of(new DpEvent(samplingRate, noiseMultiplier, steps));
    }

    /**
     * Epsilon at delta after {@code stepsDone} steps, for progress lines, by the same rule as the claim (the smaller
     * valid bound of RDP and PLD), so the last epoch's line equals {@link #epsilon()}.
     */
    public double epsilonAfter(long stepsDone) {
        if (stepsDone == 0) {
            return 0.0;
        }
        // The same rule as the claim: the smaller valid bound of RDP and PLD (tens of ms; called once an epoch).
        return BestAccountant.bound(List.of(new DpEvent(samplingRate, noiseMultiplier, stepsDone)), delta).epsilon();
    }
}
