package org.dpspark.accountant.ledger;

/**
 * A job's privacy unit differs from the unit its dataset's loss is held in: its budget's, or without a budget its
 * first job's (a budget per row cannot pay for a job that protects each user, and back: the two guarantees do not
 * compose). Also thrown by {@link PrivacyLedger#setBudget} for a budget in another unit than the jobs already charged. Thrown by {@link PrivacyLedger#reserve}
 * before anything is written. An {@link IllegalArgumentException}, so every command maps it to exit code 2 (bad
 * input), as it does the same refusal found earlier by the run; the message is one line naming both units.
 */
public final class PrivacyUnitMismatchException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String budgetUnit;
    private final String jobUnit;

    public PrivacyUnitMismatchException(String datasetId, String budgetUnit, String jobUnit) {
        this("the budget of dataset '" + datasetId + "' is held per " + budgetUnit + ", but this job protects each "
                + jobUnit + ": the two guarantees do not compose, so the job is refused and nothing is charged",
                budgetUnit, jobUnit, true);
    }

    private PrivacyUnitMismatchException(String message, String budgetUnit, String jobUnit, boolean unused) {
        super(message);
        this.budgetUnit = budgetUnit;
        this.jobUnit = jobUnit;
    }

    /**
     * A dataset without a budget was first charged per {@code chargedUnit} (its reservation {@code seq}); {@code what}
     * in another unit (a job, or a budget) is refused.
     */
    static PrivacyUnitMismatchException charged(String datasetId, String chargedUnit, long seq, String what) {
        String other = chargedUnit.equals(Budget.ROW) ? Budget.USER : Budget.ROW;
        return new PrivacyUnitMismatchException("dataset '" + datasetId + "' has been charged per " + chargedUnit
                + " since its first job (entry " + seq + "), so its loss is held per " + chargedUnit + "; "
                + what + " is refused (the two guarantees do not compose) and nothing is written", chargedUnit, other, true);
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
