package org.dpspark.core.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;
import org.junit.jupiter.api.Test;

class ClipBudgetTest {

    @Test
    void constructor_invalidValues_rejectedWithParameterName() {
        assertRejected("clipNorm", () -> new ClipBudget(0.0, 0.1, 10));
        assertRejected("clipNorm", () -> new ClipBudget(Double.NaN, 0.1, 10));
        assertRejected("clipNorm", () -> new ClipBudget(Double.POSITIVE_INFINITY, 0.1, 10));
        assertRejected("lossShare", () -> new ClipBudget(1.0, -0.01, 10));
        assertRejected("lossShare", () -> new ClipBudget(1.0, 1.0, 10));
        assertRejected("lossShare", () -> new ClipBudget(1.0, Double.NaN, 10));
        assertRejected("lossBound", () -> new ClipBudget(1.0, 0.1, 0.0));
        assertRejected("lossBound", () -> new ClipBudget(1.0, 0.1, Double.NaN));
        assertRejected("lossBound", () -> new ClipBudget(1.0, 0.1, Double.POSITIVE_INFINITY));
    }

    private static void assertRejected(String parameter, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().startsWith(parameter), e.getMessage());
    }

    @Test
    void withDefaultLossTracking_usesShareOneFifthAndBoundFive() {
        ClipBudget b = ClipBudget.withDefaultLossTracking(2.0);
        assertEquals(new ClipBudget(2.0, 0.2, 5.0), b);
        assertEquals(2.0 * Math.sqrt(0.96), b.gradientClip(), 1e-15);
        assertTrue(b.tracksLoss());
    }

    @Test
    void lossEstimateStd_isSigmaTimesBoundOverShareTimesBatch() {
        ClipBudget b = new ClipBudget(2.0, 0.25, 4.0);
        // decode(mean + N(0, (sigma C)^2) / qN) = loss + N(0, (sigma C / qN * B / (s C))^2)
        assertEquals(1.5 * 4.0 / (0.25 * 100.0), b.lossEstimateStd(1.5, 100.0), 1e-15);
        assertTrue(Double.isNaN(ClipBudget.withoutLossTracking(1.0).lossEstimateStd(1.5, 100.0)));
    }

    @Test
    void lossCoordinate_clampsToZeroAndBound_nanCountsAsBound() {
        ClipBudget b = new ClipBudget(2.0, 0.25, 4.0);
        assertEquals(0.0, b.lossCoordinate(-3.0));
        assertEquals(0.25 * 2.0 * 0.5, b.lossCoordinate(2.0), 1e-16);
        assertEquals(0.5, b.lossCoordinate(4.0), 1e-16);
        assertEquals(0.5, b.lossCoordinate(1e300), 1e-16);
        assertEquals(0.5, b.lossCoordinate(Double.POSITIVE_INFINITY), 1e-16);
        assertEquals(0.5, b.lossCoordinate(Double.NaN), 1e-16);
    }

    @Test
    void decodeLoss_invertsLossCoordinate_withinBound() {
        ClipBudget b = new ClipBudget(0.7, 0.3, 5.0);
        for (double loss = 0.0; loss <= 5.0; loss += 0.125) {
            assertEquals(loss, b.decodeLoss(b.lossCoordinate(loss)), 1e-14);
        }
    }

    @Test
    void zeroLossShare_disablesLossTracking() {
        ClipBudget b = ClipBudget.withoutLossTracking(1.5);
        assertFalse(b.tracksLoss());
        assertEquals(1.5, b.gradientClip());
        assertEquals(0.0, b.lossCoordinate(3.0));
        assertTrue(Double.isNaN(b.decodeLoss(0.2)));
    }

    /**
     * The joint contribution (gradient clipped to gradientClip, loss coordinate) has L2 norm &lt;= clipNorm for
     * random shares, bounds, gradients (tiny to huge) and losses (negative, huge, infinite, NaN).
     */
    @Test
    void jointContribution_neverExceedsClipNorm() {
        RandomSource rng = InsecureTestRandomness.seededSource(5);
        double[] specialLosses = {-1.0, 0.0, 1e300, Double.POSITIVE_INFINITY, Double.NaN};
        for (int trial = 0; trial < 5000; trial++) {
            double clipNorm = Math.pow(10.0, -3 + 6 * rng.nextDouble());
            double share = 0.999 * rng.nextDouble();
            double bound = Math.pow(10.0, -2 + 4 * rng.nextDouble());
            ClipBudget budget = new ClipBudget(clipNorm, share, bound);
            double[] g = new double[1 + (int) (rng.nextDouble() * 20)];
            double scale = Math.pow(10.0, -10 + 20 * rng.nextDouble());
            for (int j = 0; j < g.length; j++) {
                g[j] = (rng.nextDouble() - 0.5) * scale;
            }
            L2Clipping.clipInPlace(g, budget.gradientClip());
            double loss = trial % 10 < specialLosses.length ? specialLosses[trial % 10] : 3 * bound * rng.nextDouble();
            double l = budget.lossCoordinate(loss);
            double gNorm = L2Clipping.norm(g, 0, g.length);
            double joint = Math.sqrt(gNorm * gNorm + l * l);
            assertTrue(l >= 0.0 && joint <= clipNorm * (1 + 1e-12), "joint norm " + joint + " > " + clipNorm);
        }
    }
}
