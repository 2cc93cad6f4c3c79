package org.dpspark.jobs.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.dpspark.accountant.plan.PlanRequest;
import org.dpspark.accountant.plan.PrivacyPlan;
import org.dpspark.jobs.eval.EvalMetrics;
import org.junit.jupiter.api.Test;

/** privacy.epsilon_curve and the classification statistics of report.json. No Spark. */
class EpsilonCurveTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode reportWithPrivacy() {
        ObjectNode r = JSON.createObjectNode();
        r.putObject("privacy");
        return r;
    }

    @Test
    void curve_endsAtThePlansEpsilons_risesWithTheSteps_andTakesTheLedgersBudgetFirst() {
        // a typical plan: N = 60 000, B = 256, 20 epochs (T = 4687), calibrated to epsilon 3 at delta 1e-5
        PrivacyPlan plan = PrivacyPlan.of(PlanRequest.builder().rows(60_000L).batchSize(256L).epochs(20.0)
                .delta(1e-5).targetEpsilon(3.0).build());
        ObjectNode r = reportWithPrivacy();
        long t0 = System.nanoTime();
        Reports.putEpsilonCurve(r, plan, 8.0);
        double seconds = (System.nanoTime() - t0) / 1e9;
        JsonNode c = r.at("/privacy/epsilon_curve");
        int n = c.get("steps").size();
        assertEquals(Reports.EPSILON_CURVE_POINTS + 1, n, "0 and 50 step counts");
        assertEquals(plan.steps(), c.get("steps").get(n - 1).asLong());
        assertEquals(plan.rdpEpsilon(), c.get("rdp").get(n - 1).asDouble(), 0.0);
        assertEquals(plan.pldEpsilon(), c.get("pld").get(n - 1).asDouble(), 0.0);
        assertEquals(0.0, c.get("rdp").get(0).asDouble());
        for (int i = 1; i < n; i++) {
            assertTrue(c.get("pld").get(i).asDouble() >= c.get("pld").get(i - 1).asDouble(), "PLD at " + i);
            assertTrue(c.get("rdp").get(i).asDouble() >= c.get("rdp").get(i - 1).asDouble(), "RDP at " + i);
        }
        assertEquals(8.0, c.get("budget_epsilon").asDouble(), "the ledger's budget, not the target");
        // Generous bound on a shared machine; measured 0.3-0.6 s on 2 shared cores, JIT warm-up included (target < 1 s).
        assertTrue(seconds < 5, "the curve took " + seconds + " s");

        ObjectNode target = reportWithPrivacy();
        Reports.putEpsilonCurve(target, plan, null);
        assertEquals(3.0, target.at("/privacy/epsilon_curve/budget_epsilon").asDouble());
    }

    @Test
    void curve_nonPrivatePlan_hasNone_andTheStepCountsAreDistinct() {
        PrivacyPlan none = PrivacyPlan.of(PlanRequest.builder().rows(1000L).batchSize(100L).steps(30L).delta(1e-5)
                .nonPrivate(true).build());
        ObjectNode r = reportWithPrivacy();
        Reports.putEpsilonCurve(r, none, null);
        assertFalse(r.get("privacy").has("epsilon_curve"));
        assertArrayEquals(new long[] {0, 1, 2, 3}, Reports.curveSteps(3, 50));
        assertEquals(51, Reports.curveSteps(1000, 50).length);
    }

    @Test
    void classification_confusionCountsAndCalibrationBins_fromTheEvaluationsSums() {
        int k = 2;
        double[] sums = new double[3 + EvalMetrics.Classification.sumsLength(k)];
        // rows (label, predicted, p): (0, 0, 0.95), (0, 1, 0.55), (1, 1, 0.91), (1, 1, 1.0)
        double[][] rows = {{0, 0, 0.95}, {0, 1, 0.55}, {1, 1, 0.91}, {1, 1, 1.0}};
        for (double[] row : rows) {
            int y = (int) row[0];
            int c = (int) row[1];
            sums[3 + y * k + c] += 1;
            int b = 3 + k * k + 3 * EvalMetrics.Classification.bin(row[2]);
            sums[b] += 1;
            sums[b + 1] += row[2];
            sums[b + 2] += y == c ? 1 : 0;
        }
        EvalMetrics.Classification cl = EvalMetrics.Classification.fromSums(sums, 3, k);
        assertArrayEquals(new long[] {1, 1}, cl.confusion()[0]);
        assertArrayEquals(new long[] {0, 2}, cl.confusion()[1]);
        assertEquals(3, cl.binCounts()[9], "0.95, 0.91 and 1.0 (the last bin is closed)");
        assertEquals((0.95 + 0.91 + 1.0) / 3, cl.binMeanProbability()[9], 1e-15);
        assertEquals(1.0, cl.binAccuracy()[9]);
        assertEquals(0.0, cl.binAccuracy()[5], "0.55 predicted wrongly");
        assertTrue(Double.isNaN(cl.binAccuracy()[0]));

        ObjectNode e = JSON.createObjectNode();
        Reports.putClassification(e, cl);
        assertEquals(2, e.at("/confusion_matrix/counts/1/1").asLong());
        assertEquals(10, e.at("/calibration/bins").size());
        assertTrue(e.at("/calibration/bins/0/accuracy").isNull(), "an empty bin's accuracy is null");
        assertEquals(0.9, e.at("/calibration/bins/9/lower").asDouble());
    }
}
