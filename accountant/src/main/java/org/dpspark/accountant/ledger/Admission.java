package org.dpspark.accountant.ledger;

import java.util.Optional;

/**
 * The outcome of a reservation, or of a dry-run check: the job fits.
 *
 * @param datasetId           the dataset
 * @param reservation         the job's reservation entry (null for a dry-run check)
 * @param attempt             the attempt number of this reservation within its job id (1, 2, ...; 0 for a check)
 * @param earlierOpenAttempts how many earlier attempts of the same job id were found open: each stays charged in
 *                            full, in addition to this one (a killed attempt's steps were run and released)
 * @param budget              the budget in force; empty when no cap is set (the job is recorded, nothing is refused)
 * @param delta               the delta of the epsilons below (the budget's, else the job's)
 * @param spentBefore         the composed epsilon charged before this attempt (earlier open attempts included)
 * @param jobEpsilon          this attempt's events alone
 * @param spentAfter          the composed epsilon with this attempt charged
 */
public record Admission(String datasetId, LedgerEntry reservation, int attempt, int earlierOpenAttempts,
        Optional<Budget> budget, double delta, double spentBefore, double jobEpsilon, double spentAfter) {

    /** Budget epsilon minus {@link #spentAfter}, at least 0; +Infinity when no cap is set. */
    public double remainingAfter() {
        return budget.map(b -> Math.max(0.0, b.epsilon() - spentAfter)).orElse(Double.POSITIVE_INFINITY);
    }

    /** Whether the dataset has no budget (the caller must say so). */
    public boolean noCap() {
        return budget.isEmpty();
    }

    /**
     * Whether an earlier attempt of this job id was found open and is charged in addition to this one
     * ({@code earlierOpenAttempts() > 0}). Before format 2 this meant the earlier reservation was taken over and
     * nothing new was charged; now nothing is taken over.
     *
     * @deprecated use {@link #earlierOpenAttempts()}; kept so callers compile during the change
     */
    @Deprecated
    public boolean adopted() {
        return earlierOpenAttempts > 0;
    }
}
