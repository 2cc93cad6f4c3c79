package org.dpspark.jobs.train;

import java.util.function.Supplier;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.NoiseCalibration;
import org.dpspark.accountant.PrivacyAccountant;
import org.dpspark.accountant.RdpAccountant;

/**
 * What a run will spend, fixed before the first step: Poisson rate q, noise multiplier sigma, steps T, and the
 * guarantee (epsilon at delta) that the accountant gives for T compositions of the subsampled Gaussian.
 *
 * @param samplingRate q = B / N
 * @param noiseMultiplier sigma (noise std = sigma * clipNorm)
 * @param steps T
 * @param delta the delta of the guarantee
 * @param epsilon the accountant's epsilon at delta for (q, sigma, T): an upper bound
 * @param accountant the accountant that produced epsilon
 * @param calibrated whether sigma was calibrated from a target epsilon (else given by the user)
 */
public record PrivacyPlan(
        double samplingRate,
        double noiseMultiplier,
        long steps,
        double delta,
        double epsilon,
        String accountant,
        boolean calibrated) {

    private static final Supplier<PrivacyAccountant> ACCOUNTANT = RdpAccountant::new;

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
                ? NoiseCalibration.calibrateNoiseMultiplier(cfg.targetEpsilon().getAsDouble(), delta, q, steps, ACCOUNTANT)
                : cfg.noiseMultiplier().getAsDouble();
        double eps = epsilonAfter(q, sigma, steps, delta);
        return new PrivacyPlan(q, sigma, steps, delta, eps, ACCOUNTANT.get().name(), calibrated);
    }

    /** Epsilon at delta after {@code steps} steps with this plan's q and sigma (for progress lines). */
    public double epsilonAfter(long stepsDone) {
        return stepsDone == 0 ? 0.0 : epsilonAfter(samplingRate, noiseMultiplier, stepsDone, delta);
    }

    private static double epsilonAfter(double q, double sigma, long steps, double delta) {
        PrivacyAccountant acc = ACCOUNTANT.get();
        acc.compose(new DpEvent(q, sigma, steps));
        return acc.epsilon(delta);
    }
}
