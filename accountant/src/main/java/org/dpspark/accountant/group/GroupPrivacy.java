package org.dpspark.accountant.group;

import org.dpspark.core.params.Checks;

/**
 * What a row-level guarantee says about a group of k rows, e.g. one user's k rows: if a mechanism is
 * (epsilon, delta)-DP for datasets that differ in one row, it is (k epsilon, k e^((k-1) epsilon) delta)-DP for
 * datasets that differ in k rows (group privacy; Dwork and Roth 2014, "The Algorithmic Foundations of Differential
 * Privacy", Theorem 2.2 for delta = 0, and Vadhan 2017, "The Complexity of Differential Privacy", Lemma 2.2, for
 * delta &gt; 0: apply the one-row guarantee along a chain of k neighbouring datasets). It shows why a user-level
 * guarantee matters: a user with 500 rows is protected at about 500 epsilon, with a delta that explodes.
 *
 * @param epsilon k epsilon
 * @param delta k e^((k-1) epsilon) delta, capped at 1 (a delta of 1 promises nothing)
 * @param rows k
 */
public record GroupPrivacy(double epsilon, double delta, int rows) {

    /** The guarantee for a group of {@code k} rows from a row-level (epsilon, delta). */
    public static GroupPrivacy of(double epsilon, double delta, int k) {
        Checks.nonNegative("epsilon", epsilon);
        Checks.openInterval("delta", delta, 0, 1);
        Checks.atLeast("maxRowsPerUser", k, 1);
        double groupDelta = Math.min(1.0, k * Math.exp((k - 1) * epsilon) * delta);
        return new GroupPrivacy(k * epsilon, groupDelta, k);
    }

    /** Whether the group guarantee still says anything (delta below 1). */
    public boolean meaningful() {
        return delta < 1.0;
    }
}
