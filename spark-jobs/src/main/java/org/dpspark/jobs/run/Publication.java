package org.dpspark.jobs.run;

/**
 * Where a run publishes its model and report (dp-train): both are checked to be publishable before any budget is
 * spent, and written atomically only after the ledger commit.
 *
 * @param modelDir the model folder to create
 * @param reportPath the report file
 * @param overwrite whether existing outputs may be replaced
 */
public record Publication(String modelDir, String reportPath, boolean overwrite) {
    public Publication {
        if (modelDir == null || reportPath == null) {
            throw new IllegalArgumentException("a publication needs a model folder and a report path");
        }
    }
}
