package org.dpspark.accountant.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.dpspark.core.audit.MembershipMetrics;
import org.dpspark.core.params.InvalidParameterException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class AuditResultTest {

    private static boolean[] coins(int m, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        boolean[] included = new boolean[m];
        for (int i = 0; i < m; i++) {
            included[i] = rng.nextBoolean();
        }
        return included;
    }

    private static int count(boolean[] included) {
        int n = 0;
        for (boolean b : included) {
            n += b ? 1 : 0;
        }
        return n;
    }

    /** Members all score above non-members: all r guesses are right and the bound is the game's cap. */
    @Test
    void perfectSeparation_allGuessesCorrect_boundIsTheCap() {
        int m = 1000;
        boolean[] included = coins(m, 7);
        int in = count(included);
        assertTrue(in >= 400 && m - in >= 400, "the test needs 400 of each, got " + in + " included");
        double[] scores = new double[m];
        for (int i = 0; i < m; i++) {
            scores[i] = included[i] ? 10.0 + i : -10.0 - i;
        }
        AuditResult r = AuditResult.of("white-box", scores, included, 800, 0.0, 0.05);
        assertEquals("white-box", r.kind());
        assertEquals(m, r.canaries());
        assertEquals(in, r.included());
        assertEquals(800, r.guesses());
        assertEquals(800, r.correct());
        assertEquals(0.05, r.beta(), 0.0);
        assertEquals(0.0, r.delta(), 0.0);
        double cap = OneRunAudit.maxLowerBound(1000, 800, 0, 0.05);
        assertEquals(cap, r.maxLowerBound(), 0.0);
        assertEquals(cap, r.epsilonLowerBound(), 0.0);
        assertTrue(cap > 1.0, "sanity: 800 of 800 right certifies a large epsilon, got " + cap);
        assertEquals(1.0, r.auc(), 0.0);
        assertEquals(1.0, r.tprAt1Percent(), 0.0);
        assertEquals(1.0, r.tprAt01Percent(), 0.0);
    }

    /** Scores independent of the coins: about half the guesses right, a bound of (nearly) 0, AUC near 1/2. */
    @Test
    void randomScores_giveASmallBound() {
        int m = 1000;
        for (long seed = 1; seed <= 5; seed++) {
            boolean[] included = coins(m, seed);
            SplittableRandom rng = new SplittableRandom(1000 + seed);
            double[] scores = new double[m];
            for (int i = 0; i < m; i++) {
                scores[i] = rng.nextGaussian();
            }
            AuditResult r = AuditResult.of("black-box", scores, included, 800, 1e-5, 0.05);
            assertTrue(r.epsilonLowerBound() >= 0 && r.epsilonLowerBound() < 0.5, "seed " + seed + ": " + r);
            assertTrue(r.epsilonLowerBound() < r.maxLowerBound());
            // Binomial(800, 1/2) correct guesses, within 4 sd
            assertEquals(400, r.correct(), 4 * Math.sqrt(200));
            assertEquals(OneRunAudit.epsilonLowerBound(m, 800, r.correct(), 1e-5, 0.05), r.epsilonLowerBound(), 0.0);
            assertEquals(OneRunAudit.maxLowerBound(m, 800, 1e-5, 0.05), r.maxLowerBound(), 0.0);
        }
    }

    /** The MIA metrics equal MembershipMetrics' on the members and non-members split here independently. */
    @Test
    void membershipMetrics_areThoseOfTheIncludedVersusHeldOutScores() {
        int m = 3001;
        boolean[] included = coins(m, 11);
        SplittableRandom rng = new SplittableRandom(12);
        double[] scores = new double[m];
        java.util.List<Double> members = new java.util.ArrayList<>();
        java.util.List<Double> nonMembers = new java.util.ArrayList<>();
        for (int i = 0; i < m; i++) {
            scores[i] = rng.nextGaussian() + (included[i] ? 0.8 : 0.0);
            (included[i] ? members : nonMembers).add(scores[i]);
        }
        double[] in = members.stream().mapToDouble(Double::doubleValue).toArray();
        double[] out = nonMembers.stream().mapToDouble(Double::doubleValue).toArray();
        AuditResult r = AuditResult.of("white-box", scores, included, 101, 0.0, 0.05);
        assertEquals(in.length, r.included());
        assertEquals(MembershipMetrics.auc(in, out), r.auc(), 0.0);
        assertEquals(MembershipMetrics.tprAtFpr(in, out, 0.01), r.tprAt1Percent(), 0.0);
        assertEquals(MembershipMetrics.tprAtFpr(in, out, 0.001), r.tprAt01Percent(), 0.0);
        assertTrue(r.auc() > 0.65 && r.auc() < 0.8, "shift 0.8: AUC Phi(0.8 / sqrt 2) = 0.71, got " + r.auc());
        MembershipMetrics.Guesses g = MembershipMetrics.guesses(scores, included, 51, 50);
        assertEquals(g.correct(), r.correct());
        assertEquals(101, r.guesses());
    }

    /** Odd r: ceil(r/2) "in" guesses and floor(r/2) "out" guesses (the other split would give 3 here, not 2). */
    @Test
    void oddGuesses_splitCeilingInFloorOut() {
        double[] scores = {5, 4, 3, 2, 1};
        boolean[] included = {true, false, true, false, false};
        // in: ids 0 (right) and 1 (wrong); out: id 4 (right)
        assertEquals(2, AuditResult.of("x", scores, included, 3, 0.0, 0.05).correct());
        // r = 4: in 0 (right), 1 (wrong); out 3, 4 (right, right)
        assertEquals(3, AuditResult.of("x", scores, included, 4, 0.0, 0.05).correct());
        // r = 1: in 0 only
        assertEquals(1, AuditResult.of("x", scores, included, 1, 0.0, 0.05).correct());
    }

    @Test
    void oneEmptyGroup_givesNaNMetrics_butStillABound() {
        double[] scores = {3, 2, 1, 0};
        AuditResult all = AuditResult.of("x", scores, new boolean[] {true, true, true, true}, 2, 0.0, 0.1);
        assertTrue(Double.isNaN(all.auc()) && Double.isNaN(all.tprAt1Percent()) && Double.isNaN(all.tprAt01Percent()));
        assertEquals(4, all.included());
        assertEquals(1, all.correct()); // the "in" guess is right, the "out" guess wrong
        AuditResult none = AuditResult.of("x", scores, new boolean[4], 2, 0.0, 0.1);
        assertTrue(Double.isNaN(none.auc()) && Double.isNaN(none.tprAt1Percent())
                && Double.isNaN(none.tprAt01Percent()));
        assertEquals(0, none.included());
    }

    @Test
    void invalidArguments_refusedNamingTheParameter() {
        double[] s = {1, 2, 3, 4};
        boolean[] in = {true, false, true, false};
        assertRefused("canaries", () -> AuditResult.of("x", new double[] {1}, new boolean[] {true}, 1, 0, 0.05));
        assertRefused("canaries", () -> AuditResult.of("x", new double[0], new boolean[0], 1, 0, 0.05));
        for (double beta : new double[] {0, 1, -0.1, Double.NaN}) {
            assertRefused("auditBeta", () -> AuditResult.of("x", s, in, 2, 0, beta));
        }
        for (int r : new int[] {0, -1, 5}) {
            assertRefused("auditGuesses", () -> AuditResult.of("x", s, in, r, 0, 0.05));
        }
        for (double delta : new double[] {1, -1e-9, Double.NaN}) {
            assertRefused("delta", () -> AuditResult.of("x", s, in, 2, delta, 0.05));
        }
        assertRefused("included", () -> AuditResult.of("x", s, new boolean[3], 2, 0, 0.05));
    }

    private static void assertRefused(String parameter, Executable call) {
        InvalidParameterException e = assertThrows(InvalidParameterException.class, call);
        assertEquals(List.of(parameter), e.parameters(), e.getMessage());
    }
}
