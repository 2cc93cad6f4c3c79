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
        requireUnit("budget privacy unit", privacyUnit);
    }

    /**
     * The one check of a privacy unit's name (budgets, ledger entries, reservations, the CLIs' flags).
     *
     * @param what what to call the value in the message, e.g. "--privacy-unit"
     * @return {@code unit}, which is {@value #ROW} or {@value #USER}
     * @throws IllegalArgumentException otherwise (one line naming {@code what})
     */
    public static String requireUnit(String what, String unit) {
        if (!ROW.equals(unit) && !USER.equals(unit)) {
            throw new IllegalArgumentException(what + " must be '" + ROW + "' or '" + USER + "', got "
                    + (unit == null ? "null" : "'" + unit + "'"));
        }
        return unit;
    }
}
