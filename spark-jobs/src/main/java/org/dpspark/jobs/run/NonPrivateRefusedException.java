package org.dpspark.jobs.run;

/**
 * A non-private run ({@code --no-dp}: no noise, no guarantee) on data whose dataset has a budget in the ledger: no
 * budget can be charged for a release without a guarantee, so the run is refused before anything is read or trained
 * (exit 3, as for a budget that cannot pay).
 */
public final class NonPrivateRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String datasetId;

    public NonPrivateRefusedException(String datasetId, String ledger) {
        super("dataset '" + datasetId + "' of the ledger " + ledger + " has a privacy budget, and a run without "
                + "differential privacy (--no-dp) cannot be committed against a budget: nothing was trained; train "
                + "with noise, or on data the ledger does not budget");
        this.datasetId = datasetId;
    }

    /** The budgeted dataset the run would have read. */
    public String datasetId() {
        return datasetId;
    }
}
