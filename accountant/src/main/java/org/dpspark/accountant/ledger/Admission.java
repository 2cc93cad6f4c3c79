package org.dpspark.accountant.ledger;

import java.util.Optional;

/**
 * The outcome of a reservation, or of a dry-run check: the job fits.
 *
 * @param datasetId        the dataset
 * @param reservation      the job's reservation entry (null for a dry-run check)
 * @param adopted          true when an open reservation of the same job id with the same plan was taken over
 *                         (a retried job), so nothing new was charged
 * @param budget           the budget in force; empty when no cap is set (the job is recorded, nothing is refused)
 * @param delta            the delta of the epsilons below (the budget's, else the job's)
 * @param spentBefore      the composed epsilon charged before this job
 * @param jobEpsilon       this job's events alone
 * @param spentAfter       the composed epsilon with this job charged
 */
public record Admission(String datasetId, LedgerEntry reservation, boolean adopted, Optional<Budget> budget,
        double delta, double spentBefore, double jobEpsilon, double spentAfter) {

    /** Budget epsilon minus {@link #spentAfter}, at least 0; +Infinity when no cap is set. */
    public double remainingAfter() {
        return budget.map(b -> Math.max(0.0, b.epsilon() - spentAfter)).orElse(Double.POSITIVE_INFINITY);
    }

    /** Whether the dataset has no budget (the caller must say so). */
    public boolean noCap() {
        return budget.isEmpty();
    }
}
