package org.dpspark.jobs.cli;

/**
 * Exit codes of the dpspark command-line jobs. They are part of the interface: schedulers such as Airflow
 * react to them (retry a failure, do not retry bad input or an exhausted budget).
 */
public enum ExitCode {
    /** The job finished; the model and report are written. */
    SUCCESS(0),
    /** An unexpected failure (I/O, Spark, a bug). Nothing was published. Retrying may help. */
    FAILURE(1),
    /** Bad input: a flag, a feature spec or the data failed validation. Nothing was written; no budget spent. */
    BAD_INPUT(2),
    /** The dataset's privacy budget cannot pay for this job. Nothing was trained. */
    BUDGET_EXHAUSTED(3),
    /**
     * Privacy ledger conflict: the job id has already committed on this dataset (a job is charged exactly once; run
     * again with a new job id), or (dp-ledger) a registration or settlement contradicts the ledger. Nothing was
     * trained. A retry while an earlier attempt is open is no conflict: it is charged as another attempt.
     */
    LEDGER_CONFLICT(4);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The exit code with this number; an unknown number is a {@link #FAILURE}. */
    public static ExitCode of(int code) {
        for (ExitCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return FAILURE;
    }
}
