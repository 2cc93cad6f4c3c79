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
 * @param storage how the blocks were stored and what the steps read from them, or null when not recorded
 */
public record TrainResult(
        double[] params, PrivacyPlan plan, List<Double> lossPerEpoch, List<Double> lossStdPerEpoch, double trainingSeconds,
        long rows, String stepMode, double loadSeconds, double startupSeconds, List<Double> secondsPerEpoch,
        Storage storage) {

    /** A result without storage figures. */
    public TrainResult(double[] params, PrivacyPlan plan, List<Double> lossPerEpoch, List<Double> lossStdPerEpoch,
            double trainingSeconds, long rows, String stepMode, double loadSeconds, double startupSeconds,
            List<Double> secondsPerEpoch) {
        this(params, plan, lossPerEpoch, lossStdPerEpoch, trainingSeconds, rows, stepMode, loadSeconds, startupSeconds,
                secondsPerEpoch, null);
    }

    /** This result with other parameters (e.g. without an audit's canary coordinates), all else kept. */
    public TrainResult withParams(double[] p) {
        return new TrainResult(p, plan, lossPerEpoch, lossStdPerEpoch, trainingSeconds, rows, stepMode, loadSeconds,
                startupSeconds, secondsPerEpoch, storage);
    }

    /**
     * How a run stored its training blocks and what its steps read from them.
     *
     * @param precision float64 or float32
     * @param blockStorage memory or disk
     * @param featureBytes the stored features' size, all blocks (rows x dim x 8 or 4)
     * @param featureBytesInMemory of which held in the executors' memory (0 on disk)
     * @param labelBytes the labels' size (8 bytes a row; always in memory)
     * @param steps the steps this run executed (a resumed run's remaining ones)
     * @param sampledBytes the sampled rows' bytes gathered over those steps, all partitions
     * @param bytesRead the bytes actually read for them (from memory, or from the block files)
     * @param fileReads the positional reads of block files (0 in memory)
     */
    public record Storage(String precision, String blockStorage, long featureBytes, long featureBytesInMemory,
            long labelBytes, long steps, long sampledBytes, long bytesRead, long fileReads) {

        /** Mean sampled-row bytes per step. */
        public double sampledBytesPerStep() {
            return steps == 0 ? 0 : (double) sampledBytes / steps;
        }

        /** Mean bytes read per step. */
        public double bytesReadPerStep() {
            return steps == 0 ? 0 : (double) bytesRead / steps;
        }
    }

    /** Milliseconds per step over the steps alone ({@code trainingSeconds} / steps). */
    public double millisPerStep() {
        return 1000.0 * trainingSeconds / plan.steps();
    }
}
