package org.dpspark.accountant.ledger;

/**
 * A ledger's policy, fixed when the ledger is created ({@code dp-ledger init}) and kept in its marker file
 * ({@code <ledger>/ledger.json}).
 *
 * @param allowUnbudgeted whether a job on data that matches no registered dataset may run without an explicit
 *                        opt-in (default false: deny by default)
 * @param epsilonCeiling  the largest epsilon a plan may target or claim without an explicit acknowledgement of weak
 *                        privacy (default {@value #DEFAULT_EPSILON_CEILING}); finite and &gt; 0
 */
public record LedgerPolicy(boolean allowUnbudgeted, double epsilonCeiling) {

    /** The default ceiling; the same as {@code PlanRequest.DEFAULT_EPSILON_CEILING}. */
    public static final double DEFAULT_EPSILON_CEILING = 10.0;

    /** Validates; rejects NaN and infinity. */
    public LedgerPolicy {
        if (!(epsilonCeiling > 0 && epsilonCeiling < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("epsilon ceiling must be finite and > 0, got " + epsilonCeiling);
        }
    }

    /** Deny unbudgeted jobs; ceiling {@value #DEFAULT_EPSILON_CEILING}. Also the policy of a legacy ledger. */
    public static LedgerPolicy defaults() {
        return new LedgerPolicy(false, DEFAULT_EPSILON_CEILING);
    }
}
