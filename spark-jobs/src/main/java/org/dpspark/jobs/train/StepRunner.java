package org.dpspark.jobs.train;

/**
 * How the executor side of each DP-SGD step is run: given the step number and the current parameters, return
 * the sum over all partitions of the clipped per-example contributions (length numParams + 1), added in partition
 * order so that the result does not depend on timing. The sum is private (pre-noise): callers pass it straight to
 * {@link org.dpspark.core.step.DriverUpdate}, which adds the noise once. Strategies differ only in cost:
 * {@link JobPerStepRunner} launches one Spark job per step; {@link BarrierStepRunner} keeps one barrier task per
 * partition group alive for the whole run.
 */
public interface StepRunner extends AutoCloseable {

    /**
     * The step's clipped sum. {@code params} is read, not kept. Called with increasing steps; a step is asked for
     * once, and its noisy update is applied by the caller before the next call. The returned array may be the
     * runner's own, overwritten by the next call: copy it to keep it.
     */
    double[] sum(long step, double[] params);

    /**
     * Blocks until the runner can answer steps without further start-up (the barrier stage's tasks have all
     * connected), so that callers can time start-up apart from the steps. Optional: {@link #sum} waits too.
     */
    default void awaitReady() {
    }

    /**
     * Whether {@link #sum} returns a total the parties already noised (secure aggregation: the distributed discrete
     * Gaussian); then the caller must not add noise again ({@link org.dpspark.core.step.DriverUpdate#applyNoised}).
     */
    default boolean noised() {
        return false;
    }

    /** The strategy's name for reports: {@code job} or {@code barrier}. */
    String mode();

    /** Ends the strategy's Spark work (no checked exception). */
    @Override
    void close();
}
