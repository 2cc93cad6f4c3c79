package org.dpspark.jobs.run;

import org.dpspark.core.params.InvalidParameterException;

/**
 * A run's checkpoint settings (issue #18): where checkpoints go, how often, and whether to continue from the newest.
 *
 * @param dir the checkpoint directory (any Hadoop path), or null: no checkpoints
 * @param everySteps a checkpoint every this many steps; null: every 10% of the run's steps
 * @param everyMinutes and when this many minutes have passed since the last one; null: 5 (0: not by time)
 * @param resume continue from the newest checkpoint in {@code dir} (the job's open ledger attempt, charged once)
 * @param stopAfterSteps test hook: stop as an interrupt would once this many steps are done (0: never)
 */
public record Checkpointing(String dir, Long everySteps, Double everyMinutes, boolean resume, long stopAfterSteps) {
    /** No checkpoints. */
    public static final Checkpointing NONE = new Checkpointing(null, null, null, false, 0);
    /** The default interval in minutes. */
    public static final double DEFAULT_MINUTES = 5;

    public Checkpointing {
        if (everySteps != null && !(everySteps >= 1)) {
            throw InvalidParameterException.of("checkpointEvery", "must be >= 1 steps, got " + everySteps);
        }
        if (everyMinutes != null && !(everyMinutes >= 0 && everyMinutes < Double.POSITIVE_INFINITY)) {
            throw InvalidParameterException.of("checkpointMinutes", "must be finite and >= 0, got " + everyMinutes);
        }
        if (!(stopAfterSteps >= 0)) {
            throw InvalidParameterException.of("stopAfterSteps", "must be >= 0, got " + stopAfterSteps);
        }
        if (dir == null && (resume || everySteps != null || everyMinutes != null)) {
            throw new InvalidParameterException(java.util.List.of("checkpointDir",
                    resume ? "resume" : everySteps != null ? "checkpointEvery" : "checkpointMinutes"),
                    "%s is required by %s");
        }
    }

    /** Whether checkpoints are written. */
    public boolean enabled() {
        return dir != null;
    }

    /** Steps between checkpoints for a run of {@code steps} steps: as given, else 10% of the run (at least 1). */
    public long stepsFor(long steps) {
        return everySteps != null ? everySteps : Math.max(1, (steps + 9) / 10);
    }

    /** Minutes between checkpoints: as given, else {@link #DEFAULT_MINUTES}. */
    public double minutes() {
        return everyMinutes != null ? everyMinutes : DEFAULT_MINUTES;
    }
}
