package org.dpspark.core.model;

import static org.dpspark.core.model.ModelTestSupport.assertFusedEqualsGenericWithinBound;
import static org.dpspark.core.model.ModelTestSupport.assertGradientMatchesFiniteDifferences;
import static org.dpspark.core.model.ModelTestSupport.randomVector;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;
import org.junit.jupiter.api.Test;

class SoftmaxRegressionTest {

    @Test
    void shape_inputMajorWeightsThenIntercepts() {
        SoftmaxRegression m = new SoftmaxRegression(2, 3);
        assertEquals(9, m.numParams());
        assertEquals(3, m.numOutputs());
        assertArrayEquals(new double[9], m.initialParams());
        // W = [[1, 2, 3], [4, 5, 6]] (row j = input j), b = (0.1, 0.2, 0.3); x = (1, -1) at offset 1
        double[] params = {1, 2, 3, 4, 5, 6, 0.1, 0.2, 0.3};
        double[] z = new double[3];
        m.predictRaw(params, new double[] {9.0, 1.0, -1.0}, 1, z, null);
        assertArrayEquals(new double[] {-3 + 0.1, -3 + 0.2, -3 + 0.3}, z, 1e-15);
        double[] p = new double[3];
        m.predict(params, new double[] {9.0, 1.0, -1.0}, 1, p);
        double norm = Math.exp(0.1) + Math.exp(0.2) + Math.exp(0.3);
        assertArrayEquals(new double[] {Math.exp(0.1) / norm, Math.exp(0.2) / norm, Math.exp(0.3) / norm}, p, 1e-15);
        assertEquals(-Math.log(p[2]), m.loss(params, new double[] {9.0, 1.0, -1.0}, 1, 2.0), 1e-14);
        assertThrows(IllegalArgumentException.class, () -> new SoftmaxRegression(2, 1));
        assertThrows(IllegalArgumentException.class, () -> new SoftmaxRegression(-1, 3));
    }

    @Test
    void lossAndGradient_matchesCentralFiniteDifferences() {
        RandomSource rng = InsecureTestRandomness.seededSource(31);
        for (int trial = 0; trial < 60; trial++) {
            int d = 1 + trial % 5;
            int k = 2 + trial % 4;
            SoftmaxRegression m = new SoftmaxRegression(d, k);
            double[] params = randomVector(rng, m.numParams(), 2.0);
            double[] x = randomVector(rng, d + 2, 3.0);
            if (trial % 3 == 0) {
                x[1] = 0.0; // exercise the zero-skipping path
            }
            double y = (int) (rng.nextDouble() * k);
            assertGradientMatchesFiniteDifferences(m, params, x, 2, y, "trial " + trial);
        }
    }

    @Test
    void twoClasses_equalsBinaryLogisticRegressionOnTheMarginDifference() {
        RandomSource rng = InsecureTestRandomness.seededSource(5);
        int d = 4;
        SoftmaxRegression soft = new SoftmaxRegression(d, 2);
        BinaryLogisticRegression blr = new BinaryLogisticRegression(d);
        for (int trial = 0; trial < 50; trial++) {
            double[] w = randomVector(rng, d + 1, 2.0);
            double[] params = new double[soft.numParams()];
            for (int j = 0; j < d; j++) {
                params[2 * j + 1] = w[j]; // class 0's weights stay 0
            }
            params[2 * d + 1] = w[d];
            double[] x = randomVector(rng, d, 2.0);
            double y = trial % 2;
            assertEquals(blr.loss(w, x, 0, y), soft.loss(params, x, 0, y), 1e-13);
            double[] ps = new double[2];
            double[] pb = new double[2];
            soft.predict(params, x, 0, ps);
            blr.predict(w, x, 0, pb);
            assertArrayEquals(pb, ps, 1e-15);
        }
    }

    @Test
    void addClippedGradient_fusedEqualsGeneric_andNeverExceedsClipNorm() {
        RandomSource rng = InsecureTestRandomness.seededSource(37);
        int d = 6;
        int k = 4;
        SoftmaxRegression m = new SoftmaxRegression(d, k);
        for (int trial = 0; trial < 2000; trial++) {
            double featureScale = switch (trial % 5) {
                case 0 -> 0.0;
                case 1 -> 1e200; // ||x||^2 overflows: generic fallback
                case 2 -> Math.pow(10.0, -5 + 10 * rng.nextDouble());
                default -> 1.0;
            };
            double[] params = randomVector(rng, m.numParams(), trial % 7 == 0 ? 1e6 : 1.0);
            double[] x = randomVector(rng, d, featureScale);
            double clipNorm = Math.pow(10.0, -2 + 4 * rng.nextDouble());
            assertFusedEqualsGenericWithinBound(m, params, x, 0, trial % k, clipNorm, "trial " + trial);
        }
    }

    @Test
    void addClippedGradient_addsToSumAndSkipsNothingButZeros() {
        SoftmaxRegression m = new SoftmaxRegression(2, 2);
        double[] sum = {1, 1, 1, 1, 1, 1};
        // zero params: p = (0.5, 0.5), y = 0: r = (-0.5, 0.5); x = (2, 0): gradient rows (-1, 1), (0, 0), b (-0.5, 0.5)
        m.addClippedGradient(new double[6], new double[] {2.0, 0.0}, 0, 0.0, 100.0, sum, new double[6]);
        assertArrayEquals(new double[] {0, 2, 1, 1, 0.5, 1.5}, sum, 1e-15);
    }

    @Test
    void addClippedGradient_nanFeature_addsNothing() {
        SoftmaxRegression m = new SoftmaxRegression(2, 3);
        double[] sum = new double[9];
        double loss = m.addClippedGradient(new double[9], new double[] {Double.NaN, 1.0}, 0, 1.0, 1.0, sum,
                new double[9]);
        assertArrayEquals(new double[9], sum);
        assertTrue(Double.isNaN(loss));
    }

    @Test
    void label_notAClassIndex_rejectedWithoutRevealingIt() {
        SoftmaxRegression m = new SoftmaxRegression(1, 3);
        for (double bad : new double[] {3.0, -1.0, 0.37, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.loss(new double[6], new double[] {1.0}, 0, bad));
            assertFalse(e.getMessage().contains("0.37"), e.getMessage());
            assertTrue(e.getMessage().contains("[0, 3)"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> m.addClippedGradient(new double[6],
                    new double[] {1.0}, 0, bad, 1.0, new double[6], new double[6]));
        }
    }

    @Test
    void loss_hugeMargins_stable() {
        SoftmaxRegression m = new SoftmaxRegression(1, 2);
        // W = [[0, 1000]]: z = (0, 1000) for x = 1
        double[] params = {0.0, 1000.0, 0.0, 0.0};
        assertEquals(0.0, m.loss(params, new double[] {1.0}, 0, 1.0), 0.0);
        assertEquals(1000.0, m.loss(params, new double[] {1.0}, 0, 0.0), 1e-12);
        double[] p = new double[2];
        m.predict(params, new double[] {1.0}, 0, p);
        assertArrayEquals(new double[] {0.0, 1.0}, p, 0.0);
    }
}
