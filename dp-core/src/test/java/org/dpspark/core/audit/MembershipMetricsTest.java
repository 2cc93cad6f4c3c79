package org.dpspark.core.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.dpspark.core.audit.MembershipMetrics.Guesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class MembershipMetricsTest {

    /**
     * Identical distributions: AUC ~ 0.5. Under the null the Mann-Whitney AUC has variance (n1 + n0 + 1) /
     * (12 n1 n0) (continuous scores), sd 0.0091 for n1 = n0 = 2000; we allow 4 sd.
     */
    @Test
    void auc_ofIdenticalDistributions_isAboutOneHalf() {
        SplittableRandom rng = new SplittableRandom(42);
        int n = 2000;
        double[] members = new double[n];
        double[] nonMembers = new double[n];
        for (int i = 0; i < n; i++) {
            members[i] = gaussian(rng);
            nonMembers[i] = gaussian(rng);
        }
        double sd = Math.sqrt((2.0 * n + 1) / (12.0 * n * n));
        assertEquals(0.5, MembershipMetrics.auc(members, nonMembers), 4 * sd);
        // Constant scores: every pair ties.
        assertEquals(0.5, MembershipMetrics.auc(new double[] {1, 1, 1}, new double[] {1, 1}));
    }

    @Test
    void perfectlySeparatedScores_giveAucAndTprOne() {
        double[] members = {5, 6, 7, 8};
        double[] nonMembers = {1, 2, 3, 4.999};
        assertEquals(1.0, MembershipMetrics.auc(members, nonMembers));
        assertEquals(1.0, MembershipMetrics.tprAtFpr(members, nonMembers, 0));
        assertEquals(1.0, MembershipMetrics.tprAtFpr(members, nonMembers, 0.01));
        assertEquals(0.0, MembershipMetrics.auc(nonMembers, members));
    }

    /**
     * Members {3, 2, 2}, non-members {1, 2, 4}: member 3 beats 1 and 2, loses to 4 (2 wins); each member 2 beats 1,
     * ties 2 (1/2), loses to 4 (1.5). (2 + 1.5 + 1.5) / 9 = 5/9.
     */
    @Test
    void auc_countsTiesAsOneHalf() {
        assertEquals(5.0 / 9, MembershipMetrics.auc(new double[] {3, 2, 2}, new double[] {1, 2, 4}), 1e-15);
        assertEquals(0.5, MembershipMetrics.auc(new double[] {-0.0}, new double[] {0.0}));
        assertEquals(1.0, MembershipMetrics.auc(new double[] {Double.POSITIVE_INFINITY}, new double[] {1e308}));
    }

    /**
     * 100 non-members scoring 0..99: at 1% FPR at most one may lie above the threshold, so t = 98 (only 99 is above).
     * Members {98.5, 99.5, 98, 50, 100}: three above 98, TPR 3/5. With the two largest non-members tied at 98, t =
     * 98 and none is above (FPR 0); the member at 98 still counts as "out".
     */
    @Test
    void tprAtOnePercentFpr_handExample() {
        double[] members = {98.5, 99.5, 98, 50, 100};
        double[] nonMembers = new double[100];
        for (int i = 0; i < 100; i++) {
            nonMembers[i] = i;
        }
        assertEquals(0.6, MembershipMetrics.tprAtFpr(members, nonMembers, 0.01), 1e-15);
        assertEquals(0.4, MembershipMetrics.tprAtFpr(members, nonMembers, 0.0), 1e-15); // t = 99: 99.5 and 100
        assertEquals(0.6, MembershipMetrics.tprAtFpr(members, nonMembers, 0.0199), 1e-15); // still k = 1
        assertEquals(1.0, MembershipMetrics.tprAtFpr(members, nonMembers, 1.0), 1e-15); // t = -infinity
        // 0.29 * 100 is 28.999999999999996 in doubles: 29 false positives are still allowed (t = 70).
        assertEquals(0.8, MembershipMetrics.tprAtFpr(members, nonMembers, 0.29), 1e-15);
        nonMembers[99] = 98;
        assertEquals(0.6, MembershipMetrics.tprAtFpr(members, nonMembers, 0.01), 1e-15);
    }

    /**
     * Scores {0.9, 0.1, 0.5, 0.9, 0.2, 0.7}, included {T, F, F, F, T, T}. Ranked (ties by index): 0, 3, 5, 2, 4, 1.
     * k+ = 2, k- = 2: "in" for 0 (right) and 3 (wrong), "out" for 4 (wrong) and 1 (right): 2 of 4.
     */
    @Test
    void guesses_handExample() {
        double[] scores = {0.9, 0.1, 0.5, 0.9, 0.2, 0.7};
        boolean[] included = {true, false, false, false, true, true};
        assertEquals(new Guesses(4, 2), MembershipMetrics.guesses(scores, included, 2, 2));
        assertEquals(new Guesses(5, 3), MembershipMetrics.guesses(scores, included, 3, 2));
        assertEquals(new Guesses(1, 1), MembershipMetrics.guesses(scores, included, 1, 0)); // index 0 beats index 3
        assertEquals(new Guesses(1, 1), MembershipMetrics.guesses(scores, included, 0, 1)); // lowest: index 1
        assertEquals(new Guesses(6, 4), MembershipMetrics.guesses(scores, included, 3, 3)); // + 5 in, 2 out: both right
        assertEquals(new Guesses(0, 0), MembershipMetrics.guesses(scores, included, 0, 0));
    }

    @Test
    void badArguments_areRefusedNamingTheArgument() {
        double[] ok = {1, 2};
        refused("memberScores", () -> MembershipMetrics.auc(new double[0], ok));
        refused("memberScores", () -> MembershipMetrics.auc(null, ok));
        refused("nonMemberScores", () -> MembershipMetrics.auc(ok, new double[] {1, Double.NaN}));
        refused("memberScores", () -> MembershipMetrics.tprAtFpr(new double[] {Double.NaN}, ok, 0.1));
        refused("nonMemberScores", () -> MembershipMetrics.tprAtFpr(ok, new double[0], 0.1));
        refused("fpr", () -> MembershipMetrics.tprAtFpr(ok, ok, -0.01));
        refused("fpr", () -> MembershipMetrics.tprAtFpr(ok, ok, 1.5));
        refused("fpr", () -> MembershipMetrics.tprAtFpr(ok, ok, Double.NaN));
        refused("scores", () -> MembershipMetrics.guesses(new double[0], new boolean[0], 0, 0));
        refused("included", () -> MembershipMetrics.guesses(ok, new boolean[1], 1, 0));
        refused("included", () -> MembershipMetrics.guesses(ok, null, 1, 0));
        refused("kPlus", () -> MembershipMetrics.guesses(ok, new boolean[2], -1, 0));
        refused("kPlus", () -> MembershipMetrics.guesses(ok, new boolean[2], 3, 0));
        refused("kMinus", () -> MembershipMetrics.guesses(ok, new boolean[2], 1, 2));
        refused("kMinus", () -> MembershipMetrics.guesses(ok, new boolean[2], 0, -1));
    }

    private static void refused(String argument, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(argument + " "), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }

    /** Box-Muller, enough for a test. */
    private static double gaussian(SplittableRandom rng) {
        double u = 1 - rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble());
    }
}
