package org.dpspark.jobs.run;

import org.dpspark.jobs.train.TrainingStopped;

/**
 * A run stopped at a step boundary by an interrupt (or the test hook): its ledger reservation stays open and
 * charged; with a checkpoint it can be resumed, otherwise an operator settles it. The message names the way out
 * for a notebook caller; {@code dp-train} prints its own one-line command instead.
 */
public final class RunInterrupted extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient TrainingStopped stop;
    private final String jobId;
    private final String datasetId;

    RunInterrupted(TrainingStopped stop, String jobId, String datasetId) {
        super("training " + stop.getMessage() + "; " + (stop.checkpointDir() != null
                ? "resume it by fitting again with the same checkpoint directory and resume set"
                : datasetId != null ? "its reservation stays charged; settle it with: " + resolveCommand(datasetId, jobId)
                : "nothing was recorded"), stop);
        this.stop = stop;
        this.jobId = jobId;
        this.datasetId = datasetId;
    }

    /** The stop: why, after which step, and where the checkpoint is (or null). */
    public TrainingStopped stop() {
        return stop;
    }

    /** The job id. */
    public String jobId() {
        return jobId;
    }

    /** The dataset whose reservation stays open, or null when the run is not recorded. */
    public String datasetId() {
        return datasetId;
    }

    /** The command that settles the open reservation as spent. */
    public static String resolveCommand(String datasetId, String jobId) {
        return "dp-ledger resolve --dataset-id " + datasetId + " --job-id " + jobId + " --commit";
    }
}
