package org.dpspark.jobs.train;

import org.dpspark.accountant.plan.PrivacyPlan;
import java.util.List;

/**
 * The outcome of a training run. Times are wall-clock seconds on the driver, each over a separate phase, so they
 * add up: loading, then start-up, then the steps.
 *
 * @param params the final parameters (weights, then intercept)
 * @param plan the privacy plan the run executed, all of whose steps ran
 * @param lossPerEpoch per epoch, the mean of the steps' DP estimates of the batch loss (NaN when loss tracking is off)
 * @param lossStdPerEpoch per epoch, the standard deviation of that estimate's privacy noise (NaN when off)
 * @param trainingSeconds wall time of the steps: from the first step's request to the last step's noisy update
 *     (executor work, aggregation, noise, optimizer); not reading, validation, packing or caching
 *     ({@code loadSeconds}), nor the step runner's start-up ({@code startupSeconds}). Includes the JIT warm-up of
 *     the first steps, which is part of running them.
 * @param rows N, the number of training rows
 * @param stepMode how the steps ran: {@code barrier} or {@code job} ({@link StepRunner#mode()})
 * @param loadSeconds wall time of the job that packs the blocks and caches them (for an input that is not cached
 *     itself, this reads it once more: validation read it first)
 * @param startupSeconds wall time of the step runner's start-up: in barrier mode, launching the barrier stage
 *     until every task has connected and authenticated; in job mode about 0
 * @param secondsPerEpoch wall time of each epoch's steps (they add up to {@code trainingSeconds})
 */
public record TrainResult(
        double[] params, PrivacyPlan plan, List<Double> lossPerEpoch, List<Double> lossStdPerEpoch, double trainingSeconds,
        long rows, String stepMode, double loadSeconds, double startupSeconds, List<Double> secondsPerEpoch) {

    /** Milliseconds per step over the steps alone ({@code trainingSeconds} / steps). */
    public double millisPerStep() {
        return 1000.0 * trainingSeconds / plan.steps();
    }
}
