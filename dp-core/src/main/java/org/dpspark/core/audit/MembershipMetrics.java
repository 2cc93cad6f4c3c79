package org.dpspark.core.audit;

import java.util.Arrays;
import org.dpspark.core.params.InvalidParameterException;

/**
 * Membership-inference metrics from attack scores, higher meaning "more likely a member" (negate a loss before
 * passing it). Scores may be infinite but not NaN; equal scores are ties (so -0.0 ties with 0.0).
 *
 * <ul>
 *   <li>{@link #auc}: the area under the ROC curve, exactly, as the Mann-Whitney statistic.</li>
 *   <li>{@link #tprAtFpr}: the true-positive rate at a fixed low false-positive rate, the figure of merit of
 *       Carlini et al. 2022, "Membership inference attacks from first principles" (IEEE S&amp;P 2022).</li>
 *   <li>{@link #guesses}: the guesses of the one-run audit (Steinke, Nasr and Jagielski 2023, "Privacy auditing with
 *       one (1) training run", Algorithm 1): "in" for the top k+ scores, "out" for the bottom k-, abstain on the
 *       rest; its correct count feeds {@code org.dpspark.accountant.audit.OneRunAudit}.</li>
 * </ul>
 */
public final class MembershipMetrics {
    private MembershipMetrics() {}

    /**
     * The audit's guesses and how many were correct.
     *
     * @param guesses the number of guesses made (k+ + k-, abstentions excluded)
     * @param correct the guesses that were right
     */
    public record Guesses(int guesses, int correct) {}

    /**
     * The AUC: P[member score &gt; non-member score] + P[equal] / 2 over all member/non-member pairs, computed
     * exactly in O(n log n) by sorting the non-members and counting, for each member, the non-members below and
     * equal to it.
     */
    public static double auc(double[] memberScores, double[] nonMemberScores) {
        checkScores("memberScores", memberScores);
        double[] sorted = sortedCopy("nonMemberScores", nonMemberScores);
        long twiceWins = 0; // 2 * (pairs won) + (pairs tied): integral, so exact
        for (double s : memberScores) {
            int below = firstNotBelow(sorted, s);
            int notAbove = firstAbove(sorted, s);
            twiceWins += (long) below + notAbove;
        }
        return twiceWins / (2.0 * memberScores.length * sorted.length);
    }

    /**
     * The TPR at FPR {@code fpr} (Carlini et al. 2022): the threshold t is the smallest non-member score such that
     * at most a fraction {@code fpr} of the non-members score strictly above it (count / n &lt;= fpr), and the result
     * is the fraction of members scoring strictly above t. Ties with t count as "out", so the FPR achieved never
     * exceeds {@code fpr}. With {@code fpr = 1}, t = -infinity.
     *
     * @param fpr the false-positive rate allowed, in [0, 1]
     */
    public static double tprAtFpr(double[] memberScores, double[] nonMemberScores, double fpr) {
        checkScores("memberScores", memberScores);
        double[] sorted = sortedCopy("nonMemberScores", nonMemberScores);
        if (!(fpr >= 0 && fpr <= 1)) {
            throw InvalidParameterException.of("fpr", "must be in [0, 1], got " + fpr);
        }
        int n = sorted.length;
        // The largest k with k / n <= fpr, evaluated as the caller would (0.29 * 100 is 28.999...96 in doubles).
        int k = (int) Math.floor(fpr * n);
        while (k < n && (k + 1) / (double) n <= fpr) {
            k++;
        }
        while (k > 0 && k / (double) n > fpr) {
            k--;
        }
        // At most k non-members lie strictly above the (k+1)-th largest.
        double threshold = k >= n ? Double.NEGATIVE_INFINITY : sorted[n - 1 - k];
        int truePositives = 0;
        for (double s : memberScores) {
            if (s > threshold) {
                truePositives++;
            }
        }
        return truePositives / (double) memberScores.length;
    }

    /**
     * The one-run audit's guesses (Steinke, Nasr and Jagielski 2023, Algorithm 1): rank the canaries by score,
     * highest first, ties broken by index (the lower index ranks higher); guess "in" for the first {@code kPlus},
     * "out" for the last {@code kMinus}, and abstain on the rest.
     *
     * @param scores each canary's score
     * @param included whether each canary was in the training set (the coin flips)
     * @param kPlus how many "in" guesses, >= 0
     * @param kMinus how many "out" guesses, >= 0, with kPlus + kMinus &lt;= scores.length
     */
    public static Guesses guesses(double[] scores, boolean[] included, int kPlus, int kMinus) {
        checkScores("scores", scores);
        if (included == null || included.length != scores.length) {
            throw InvalidParameterException.of("included", "must have one entry per score (" + scores.length
                    + "), got " + (included == null ? "null" : included.length));
        }
        if (kPlus < 0 || kPlus > scores.length) {
            throw InvalidParameterException.of("kPlus", "must be in [0, " + scores.length + "], got " + kPlus);
        }
        if (kMinus < 0 || (long) kPlus + kMinus > scores.length) {
            throw InvalidParameterException.of("kMinus", "must be in [0, " + (scores.length - kPlus)
                    + "] (kPlus + kMinus <= " + scores.length + " scores), got " + kMinus);
        }
        int n = scores.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            double sa = scores[a];
            double sb = scores[b];
            if (sa != sb) {
                return sa > sb ? -1 : 1;
            }
            return Integer.compare(a, b);
        });
        int correct = 0;
        for (int i = 0; i < kPlus; i++) {
            if (included[order[i]]) {
                correct++;
            }
        }
        for (int i = n - kMinus; i < n; i++) {
            if (!included[order[i]]) {
                correct++;
            }
        }
        return new Guesses(kPlus + kMinus, correct);
    }

    private static void checkScores(String name, double[] scores) {
        if (scores == null || scores.length == 0) {
            throw InvalidParameterException.of(name, "must hold at least one score, got "
                    + (scores == null ? "null" : "none"));
        }
        for (int i = 0; i < scores.length; i++) {
            if (Double.isNaN(scores[i])) {
                throw InvalidParameterException.of(name, "must not hold NaN, got NaN at index " + i);
            }
        }
    }

    private static double[] sortedCopy(String name, double[] scores) {
        checkScores(name, scores);
        double[] sorted = scores.clone();
        Arrays.sort(sorted);
        return sorted;
    }

    /** The number of entries of {@code sorted} strictly below {@code x}. */
    private static int firstNotBelow(double[] sorted, double x) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The number of entries of {@code sorted} at most {@code x}. */
    private static int firstAbove(double[] sorted, double x) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
