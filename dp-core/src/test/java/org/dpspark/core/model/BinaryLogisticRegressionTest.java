package org.dpspark.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.dpspark.core.clip.L2Clipping;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;
import org.junit.jupiter.api.Test;

class BinaryLogisticRegressionTest {

    /** The same model through the interface's generic (materialize, clip, add) path only. */
    private static DpModel genericPathOf(BinaryLogisticRegression m) {
        return ModelTestSupport.genericPathOf(m);
    }

    private static double[] randomVector(RandomSource rng, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (2 * rng.nextDouble() - 1) * scale;
        }
        return v;
    }

    @Test
    void shape_paramsAreWeightsThenIntercept() {
        BinaryLogisticRegression m = new BinaryLogisticRegression(3);
        assertEquals(3, m.numFeatures());
        assertEquals(4, m.numParams());
        assertArrayEquals(new double[4], m.initialParams());
        double[] params = {1.0, 2.0, 3.0, 0.5};
        double[] block = {9.0, 1.0, -1.0, 2.0, 9.0};
        assertEquals(1.0 - 2.0 + 6.0 + 0.5, m.margin(params, block, 1), 1e-15);
        assertEquals(1.0 / (1.0 + Math.exp(-5.5)), m.probability(params, block, 1), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> new BinaryLogisticRegression(-1));
    }

    @Test
    void lossAndGradient_matchesCentralFiniteDifferences() {
        RandomSource rng = InsecureTestRandomness.seededSource(17);
        int d = 6;
        BinaryLogisticRegression m = new BinaryLogisticRegression(d);
        double h = 1e-6;
        for (int trial = 0; trial < 200; trial++) {
            double[] params = randomVector(rng, d + 1, 2.0);
            double[] x = randomVector(rng, d + 3, 3.0);
            int offset = trial % 4;
            double y = rng.nextDouble() < 0.5 ? 0.0 : 1.0;
            double[] grad = new double[d + 1];
            double loss = m.lossAndGradient(params, x, offset, y, grad);
            assertEquals(m.loss(params, x, offset, y), loss, 1e-15);
            for (int j = 0; j <= d; j++) {
                double[] plus = params.clone();
                double[] minus = params.clone();
                plus[j] += h;
                minus[j] -= h;
                double fd = (m.loss(plus, x, offset, y) - m.loss(minus, x, offset, y)) / (2 * h);
                assertEquals(fd, grad[j], 1e-7 * (1 + Math.abs(fd)), "coordinate " + j + " trial " + trial);
            }
        }
    }

    @Test
    void loss_hugeMargins_stableAndAccurate() {
        BinaryLogisticRegression m = new BinaryLogisticRegression(1);
        double[] x = {1.0};
        // y = 1, margin 1000: loss = log(1 + e^-1000), representable as 0 but never NaN or negative
        assertEquals(0.0, m.loss(new double[] {1000.0, 0.0}, x, 0, 1.0));
        assertEquals(1000.0, m.loss(new double[] {1000.0, 0.0}, x, 0, 0.0), 1e-12);
        assertEquals(800.0, m.loss(new double[] {-800.0, 0.0}, x, 0, 1.0), 1e-12);
        // margin 40: the naive log(1 + exp(-40)) rounds to 0; the stable form keeps e^-40
        assertEquals(Math.exp(-40.0), m.loss(new double[] {40.0, 0.0}, x, 0, 1.0), 1e-30);
        double[] g = new double[2];
        m.lossAndGradient(new double[] {40.0, 0.0}, x, 0, 1.0, g);
        assertEquals(-Math.exp(-40.0), g[0], 1e-30);
        m.lossAndGradient(new double[] {-1e308, -1e308}, x, 0, 1.0, g);
        assertEquals(-1.0, g[0]);
        assertEquals(Double.POSITIVE_INFINITY, m.loss(new double[] {-1e308, -1e308}, x, 0, 1.0));
        assertFalse(Double.isNaN(m.loss(new double[] {1e308, 1e308}, x, 0, 0.0)));
    }

    @Test
    void label_notZeroOrOne_rejectedWithoutRevealingIt() {
        BinaryLogisticRegression m = new BinaryLogisticRegression(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.loss(new double[2], new double[] {1.0}, 0, 0.37));
        assertFalse(e.getMessage().contains("0.37"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.loss(new double[2], new double[] {1.0}, 0, Double.NaN));
    }

    @Test
    void params_shorterThanNumParams_rejected_longerAccepted() {
        BinaryLogisticRegression m = new BinaryLogisticRegression(2);
        assertThrows(IllegalArgumentException.class, () -> m.loss(new double[2], new double[2], 0, 1.0));
        assertThrows(IndexOutOfBoundsException.class, () -> m.loss(new double[3], new double[2], 1, 1.0));
        // only params[0 .. numParams) are read: a longer array is accepted and its tail ignored
        assertEquals(m.loss(new double[] {0.5, -1.0, 0.25}, new double[] {1.0, 2.0}, 0, 1.0),
                m.loss(new double[] {0.5, -1.0, 0.25, 99.0}, new double[] {1.0, 2.0}, 0, 1.0), 0.0);
    }

    /**
     * The fused clip-and-add equals the generic path (gradient materialized, clipped, added) and never adds more
     * than C, for random examples including huge-norm features (up to 1e200, so that ||x||^2 overflows and the
     * fused path falls back), zero gradients (saturated margins) and zero features.
     */
    @Test
    void addClippedGradient_fusedEqualsGeneric_andNeverExceedsClipNorm() {
        RandomSource rng = InsecureTestRandomness.seededSource(23);
        int d = 5;
        BinaryLogisticRegression fused = new BinaryLogisticRegression(d);
        DpModel generic = genericPathOf(fused);
        for (int trial = 0; trial < 3000; trial++) {
            double featureScale = switch (trial % 5) {
                case 0 -> 0.0;
                case 1 -> 1e200;
                case 2 -> Math.pow(10.0, -5 + 10 * rng.nextDouble());
                default -> 1.0;
            };
            double[] params = randomVector(rng, d + 1, trial % 7 == 0 ? 1e6 : 1.0); // 1e6: saturated, r ~ 0
            double[] x = randomVector(rng, d, featureScale);
            double y = trial % 2;
            double clipNorm = Math.pow(10.0, -2 + 4 * rng.nextDouble());
            double[] sumFused = new double[d + 1];
            double[] sumGeneric = new double[d + 1];
            double lossFused = fused.addClippedGradient(params, x, 0, y, clipNorm, sumFused, new double[d + 1]);
            double lossGeneric = generic.addClippedGradient(params, x, 0, y, clipNorm, sumGeneric, new double[d + 1]);
            assertEquals(lossGeneric, lossFused, 0.0);
            double norm = L2Clipping.norm(sumFused, 0, d + 1);
            assertTrue(norm <= clipNorm * (1 + 1e-12), "norm " + norm + " > " + clipNorm + " (trial " + trial + ")");
            for (int j = 0; j <= d; j++) {
                assertEquals(sumGeneric[j], sumFused[j], 1e-12 * clipNorm, "coordinate " + j + " trial " + trial);
            }
        }
    }

    @Test
    void addClippedGradient_addsToExistingSum() {
        BinaryLogisticRegression m = new BinaryLogisticRegression(2);
        double[] sum = {1.0, 1.0, 1.0};
        double[] params = {0.0, 0.0, 0.0};
        // margin 0, y = 1: r = -0.5, gradient (-0.5, -0.5 * 2, -0.5) = (-0.5, -1, -0.5), norm sqrt(1.5)
        m.addClippedGradient(params, new double[] {1.0, 2.0}, 0, 1.0, 100.0, sum, new double[3]);
        assertArrayEquals(new double[] {0.5, 0.0, 0.5}, sum, 1e-15);
    }

    @Test
    void addClippedGradient_nanFeature_addsNothing() {
        BinaryLogisticRegression m = new BinaryLogisticRegression(2);
        double[] sum = new double[3];
        m.addClippedGradient(new double[] {0.1, 0.2, 0.3}, new double[] {Double.NaN, 1.0}, 0, 1.0, 1.0, sum,
                new double[3]);
        assertArrayEquals(new double[3], sum);
        m.addClippedGradient(new double[] {0.1, 0.2, 0.3}, new double[] {Double.POSITIVE_INFINITY, 1.0}, 0, 0.0, 1.0,
                sum, new double[3]);
        assertArrayEquals(new double[3], sum);
    }

    @Test
    void model_isSerializable() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new BinaryLogisticRegression(7));
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(7, ((DpModel) in.readObject()).numFeatures());
        }
    }
}
