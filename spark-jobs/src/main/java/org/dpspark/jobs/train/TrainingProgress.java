package org.dpspark.jobs.train;

import org.slf4j.LoggerFactory;

/**
 * Where a run's progress goes: told of each step (on the driver's thread, between steps: must be cheap) and of
 * each epoch's end with its line. Public values only: step counts, epsilon so far (from the plan), the DP loss
 * estimate, wall time.
 */
public interface TrainingProgress {

    /** One INFO line per epoch from {@link DpTrainer}'s logger (logs, and a console that is not a terminal). */
    TrainingProgress LINES = new TrainingProgress() {
        @Override
        public void epoch(int epoch, int epochs, long step, long steps, double epsilonSoFar, double seconds,
                String line) {
            LoggerFactory.getLogger(DpTrainer.class).info(line);
        }
    };

    /**
     * After step {@code step} of {@code steps} (1-based), in epoch {@code epoch} of {@code epochs}.
     *
     * @param epsilonSoFar epsilon spent by the epochs already ended (NaN while not yet known)
     * @param seconds wall time since the first step
     */
    default void step(int epoch, int epochs, long step, long steps, double epsilonSoFar, double seconds) {
    }

    /** At the end of epoch {@code epoch}, after step {@code step}, with the epoch's progress line. */
    void epoch(int epoch, int epochs, long step, long steps, double epsilonSoFar, double seconds, String line);

    /** The steps are over (or failed). */
    default void done() {
    }
}
