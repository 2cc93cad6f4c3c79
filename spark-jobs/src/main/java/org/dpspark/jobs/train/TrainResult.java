package org.dpspark.jobs.train;

import java.util.List;

/**
 * The outcome of a training run.
 *
 * @param params the final parameters (weights, then intercept)
 * @param plan the privacy plan the run executed, all of whose steps ran
 * @param lossPerEpoch per epoch, the mean of the steps' DP estimates of the batch loss (NaN when loss tracking is off)
 * @param lossStdPerEpoch per epoch, the standard deviation of that estimate's privacy noise (NaN when off)
 * @param trainingSeconds wall time of the training loop (steps only; not reading, validation or caching)
 * @param rows N, the number of training rows
 * @param stepMode how the steps ran: {@code barrier} or {@code job} ({@link StepRunner#mode()})
 */
public record TrainResult(
        double[] params, PrivacyPlan plan, List<Double> lossPerEpoch, List<Double> lossStdPerEpoch, double trainingSeconds,
        long rows, String stepMode) {

    /** A result whose step mode was one Spark job per step. */
    public TrainResult(double[] params, PrivacyPlan plan, List<Double> lossPerEpoch, List<Double> lossStdPerEpoch,
            double trainingSeconds, long rows) {
        this(params, plan, lossPerEpoch, lossStdPerEpoch, trainingSeconds, rows, "job");
    }

    public double millisPerStep() {
        return 1000.0 * trainingSeconds / plan.steps();
    }
}
