package org.dpspark.jobs.train;

/**
 * A training stopped at a step boundary on request (SIGINT, SIGTERM, or the test hook), after writing a checkpoint
 * when it has a directory. Not a failure of the run's code: the caller prints how to resume or settle it.
 */
public final class TrainingStopped extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String reason;
    private final long step;
    private final long steps;
    private final String checkpointDir;

    TrainingStopped(String reason, long step, long steps, String checkpointDir) {
        super("stopped by " + reason + " after step " + step + "/" + steps
                + (checkpointDir != null ? ", checkpoint written to " + checkpointDir : ", no checkpoint (no directory)"));
        this.reason = reason;
        this.step = step;
        this.steps = steps;
        this.checkpointDir = checkpointDir;
    }

    /** "SIGINT", "SIGTERM" or "test-stop". */
    public String reason() {
        return reason;
    }

    /** Steps done. */
    public long step() {
        return step;
    }

    /** Planned steps. */
    public long steps() {
        return steps;
    }

    /** Where the checkpoint was written, or null. */
    public String checkpointDir() {
        return checkpointDir;
    }

    /** The exit code of a stopped dp-train: 128 + the signal's number (SIGINT 130, SIGTERM 143); the test hook 130. */
    public int exitCode() {
        return "SIGTERM".equals(reason) ? 143 : 130;
    }
}
