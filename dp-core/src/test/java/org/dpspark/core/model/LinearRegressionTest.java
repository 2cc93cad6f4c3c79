package org.dpspark.core.model;

import static org.dpspark.core.model.ModelTestSupport.assertFusedEqualsGenericWithinBound;
import static org.dpspark.core.model.ModelTestSupport.assertGradientMatchesFiniteDifferences;
import static org.dpspark.core.model.ModelTestSupport.randomVector;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;
import org.junit.jupiter.api.Test;

class LinearRegressionTest {

    @Test
    void predictAndLoss_asDefined() {
        LinearRegression m = new LinearRegression(2, -10.0, 10.0);
        assertEquals(3, m.numParams());
        assertEquals(1, m.numOutputs());
        double[] params = {1.0, 2.0, 0.5};
        double[] out = new double[1];
        m.predict(params, new double[] {7.0, 3.0, -1.0}, 1, out);
        assertEquals(3.0 - 2.0 + 0.5, out[0], 1e-15);
        // f = 1.5, y = 4: loss 0.5 * 2.5^2
        assertEquals(0.5 * 2.5 * 2.5, m.loss(params, new double[] {3.0, -1.0}, 0, 4.0), 1e-15);
    }

    @Test
    void lossAndGradient_matchesCentralFiniteDifferences() {
        RandomSource rng = InsecureTestRandomness.seededSource(41);
        for (int trial = 0; trial < 100; trial++) {
            int d = 1 + trial % 6;
            LinearRegression m = new LinearRegression(d, -3.0, 5.0);
            double[] params = randomVector(rng, d + 1, 2.0);
            double[] x = randomVector(rng, d + 1, 2.0);
            double y = -6.0 + 14.0 * rng.nextDouble(); // sometimes outside the bounds
            assertGradientMatchesFiniteDifferences(m, params, x, 1, y, "trial " + trial);
        }
    }

    @Test
    void labels_outsideBoundsClipped_nanRejected() {
        LinearRegression m = new LinearRegression(1, 0.0, 1.0);
        double[] params = {0.3, 0.1};
        double[] x = {1.0};
        assertEquals(m.loss(params, x, 0, 1.0), m.loss(params, x, 0, 250.0), 0.0);
        assertEquals(m.loss(params, x, 0, 0.0), m.loss(params, x, 0, Double.NEGATIVE_INFINITY), 0.0);
        double[] gClipped = new double[2];
        double[] gBound = new double[2];
        m.lossAndGradient(params, x, 0, 1e9, gClipped);
        m.lossAndGradient(params, x, 0, 1.0, gBound);
        assertArrayEquals(gBound, gClipped, 0.0);
        assertEquals(0.5 * 0.6 * 0.6, m.loss(params, x, 0, 7.0), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> m.loss(params, x, 0, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> m.addClippedGradient(params, x, 0, Double.NaN, 1.0,
                new double[2], new double[2]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LinearRegression(1, 2.0, 1.0));
        assertTrue(e.getMessage().contains("labelMin"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LinearRegression(1, Double.NaN, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new LinearRegression(1, 0.0, Double.POSITIVE_INFINITY));
    }

    @Test
    void addClippedGradient_fusedEqualsGeneric_andNeverExceedsClipNorm() {
        RandomSource rng = InsecureTestRandomness.seededSource(43);
        int d = 5;
        LinearRegression m = new LinearRegression(d, -100.0, 100.0);
        for (int trial = 0; trial < 2000; trial++) {
            double featureScale = switch (trial % 5) {
                case 0 -> 0.0;
                case 1 -> 1e200;
                case 2 -> Math.pow(10.0, -5 + 10 * rng.nextDouble());
                default -> 1.0;
            };
            double[] params = randomVector(rng, d + 1, trial % 7 == 0 ? 1e6 : 1.0);
            double[] x = randomVector(rng, d, featureScale);
            double y = -200 + 400 * rng.nextDouble();
            double clipNorm = Math.pow(10.0, -2 + 4 * rng.nextDouble());
            assertFusedEqualsGenericWithinBound(m, params, x, 0, y, clipNorm, "trial " + trial);
        }
    }
}
