package org.dpspark.accountant.ledger;

import java.util.Locale;

/**
 * The dataset's budget cannot pay for a job: composing the job's events with everything already charged would
 * exceed the budget's epsilon. Nothing was written to the ledger. dp-train exits with code 3.
 */
public final class BudgetExhaustedException extends LedgerException {
    private static final long serialVersionUID = 1L;

    private final String datasetId;
    private final Budget budget;
    private final double spentEpsilon;
    private final double requestedEpsilon;
    private final double composedEpsilon;

    BudgetExhaustedException(String datasetId, Budget budget, double spent, double requested, double composed) {
        super(String.format(Locale.ROOT,
                "privacy budget of dataset '%s' exhausted: spent epsilon %.4f, requested %.4f (this job alone), "
                        + "remaining %.4f of the budget epsilon %s at delta %s; with this job the composed epsilon "
                        + "would be %.4f",
                datasetId, spent, requested, Math.max(0, budget.epsilon() - spent), budget.epsilon(), budget.delta(),
                composed));
        this.datasetId = datasetId;
        this.budget = budget;
        this.spentEpsilon = spent;
        this.requestedEpsilon = requested;
        this.composedEpsilon = composed;
    }

    public String datasetId() {
        return datasetId;
    }

    public Budget budget() {
        return budget;
    }

    /** The composed epsilon already charged, at the budget's delta. */
    public double spentEpsilon() {
        return spentEpsilon;
    }

    /** The refused job's epsilon alone, at the budget's delta. */
    public double requestedEpsilon() {
        return requestedEpsilon;
    }

    /** The composed epsilon had the job been admitted (&gt; the budget's epsilon). */
    public double composedEpsilon() {
        return composedEpsilon;
    }

    /** Budget epsilon minus spent epsilon, at least 0 (epsilons compose sub-additively, so this is headroom only). */
    public double remainingEpsilon() {
        return Math.max(0, budget.epsilon() - spentEpsilon);
    }
}
