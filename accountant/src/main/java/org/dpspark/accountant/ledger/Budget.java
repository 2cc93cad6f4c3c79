package org.dpspark.accountant.ledger;

/**
 * A dataset's privacy budget, set by its data owner: the cumulative loss of all jobs on the dataset, composed
 * and converted at {@code delta}, may not exceed {@code epsilon}.
 *
 * @param epsilon      the cap on the composed epsilon, finite and &gt; 0
 * @param delta        the delta at which the composed loss is converted, with 0 &lt; delta &lt; 1
 * @param privacyUnit  what one protected unit is: {@value #ROW} (one input row, add/remove) or {@value #USER} (all the
 *                     rows of one user, at most k of them, add/remove); a job in another unit is refused
 */
public record Budget(double epsilon, double delta, String privacyUnit) {

    /** The privacy unit of dp-train: one input row, add/remove adjacency. */
    public static final String ROW = "row";
    /** User-level DP: all the rows of one user (bounded to k per user), add/remove. */
    public static final String USER = "user";

    /** Validates; every check rejects NaN. */
    public Budget {
        if (!(epsilon > 0 && epsilon < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("budget epsilon must be finite and > 0, got " + epsilon);
        }
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("budget delta must be in (0, 1), got " + delta);
        }
        if (!ROW.equals(privacyUnit) && !USER.equals(privacyUnit)) {
            throw new IllegalArgumentException("budget privacy unit must be '" + ROW + "' or '" + USER + "', got "
                    + (privacyUnit == null ? "null" : "'" + privacyUnit + "'"));
        }
    }
}
