package org.dpspark.accountant.ledger;

/**
 * A job's privacy unit differs from the unit its dataset's budget is held in (a budget per row cannot pay for a
 * job that protects each user, and back: the two guarantees do not compose). Thrown by {@link PrivacyLedger#reserve}
 * before anything is written. An {@link IllegalArgumentException}, so every command maps it to exit code 2 (bad
 * input), as it does the same refusal found earlier by the run; the message is one line naming both units.
 */
public final class PrivacyUnitMismatchException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String budgetUnit;
    private final String jobUnit;

    public PrivacyUnitMismatchException(String datasetId, String budgetUnit, String jobUnit) {
        super("the budget of dataset '" + datasetId + "' is held per " + budgetUnit + ", but this job protects each "
                + jobUnit + ": the two guarantees do not compose, so the job is refused and nothing is charged");
        this.budgetUnit = budgetUnit;
        this.jobUnit = jobUnit;
    }

    /** The unit of the dataset's budget. */
    public String budgetUnit() {
        return budgetUnit;
    }

    /** The unit of the refused job. */
    public String jobUnit() {
        return jobUnit;
    }
}
