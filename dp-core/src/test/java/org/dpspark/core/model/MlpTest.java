package org.dpspark.core.model;

import static org.dpspark.core.model.ModelTestSupport.assertFusedEqualsGenericWithinBound;
import static org.dpspark.core.model.ModelTestSupport.assertGradientMatchesFiniteDifferences;
import static org.dpspark.core.model.ModelTestSupport.randomVector;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import org.dpspark.core.clip.L2Clipping;
import org.dpspark.core.optim.Sgd;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;
import org.junit.jupiter.api.Test;

class MlpTest {

    @Test
    void shape_layersAndScratch() {
        Mlp m = new Mlp(784, new int[] {256}, Mlp.Activation.RELU, 10);
        assertEquals(784 * 256 + 256 + 256 * 10 + 10, m.numParams());
        assertEquals(2 * 256 + 10, m.scratchSize());
        assertEquals(10, m.numOutputs());
        assertArrayEquals(new int[] {256}, m.hidden());
        Mlp deep = new Mlp(3, new int[] {4, 5}, Mlp.Activation.TANH, 2);
        assertEquals(3 * 4 + 4 + 4 * 5 + 5 + 5 * 2 + 2, deep.numParams());
        assertEquals(2 * (4 + 5) + 2, deep.scratchSize());
    }

    @Test
    void forward_handComputedNetwork() {
        // d = 2, one hidden layer of 2 ReLU units, K = 2. W1 (input-major) = [[1, -1], [2, 1]], b1 = (0, 0.5);
        // W2 = [[1, 0], [0, 1]], b2 = (0, 0).
        Mlp m = new Mlp(2, new int[] {2}, Mlp.Activation.RELU, 2);
        double[] params = {1, -1, 2, 1, 0, 0.5, 1, 0, 0, 1, 0, 0};
        double[] x = {1.0, 0.5};
        // pre-activations: (1 + 1, -1 + 0.5 + 0.5) = (2, 0) -> ReLU (2, 0) -> logits (2, 0)
        double[] z = new double[2];
        m.predictRaw(params, x, 0, z, new double[m.scratchSize()]);
        assertArrayEquals(new double[] {2.0, 0.0}, z, 1e-15);
        double[] p = new double[2];
        m.predict(params, x, 0, p);
        assertEquals(1.0 / (1.0 + Math.exp(-2.0)), p[0], 1e-15);
        assertEquals(Math.log1p(Math.exp(-2.0)), m.loss(params, x, 0, 0.0), 1e-15);
    }

    @Test
    void lossAndGradient_matchesCentralFiniteDifferences_reluAndTanh() {
        RandomSource rng = InsecureTestRandomness.seededSource(53);
        int[][] shapes = {{}, {4}, {5, 3}, {3, 4, 2}};
        for (Mlp.Activation act : Mlp.Activation.values()) {
            for (int trial = 0; trial < 24; trial++) {
                int[] hidden = shapes[trial % shapes.length];
                int d = 1 + trial % 5;
                int k = 2 + trial % 3;
                Mlp m = new Mlp(d, hidden, act, k);
                double[] params = m.initialParams(rng);
                for (int i = 0; i < params.length; i++) {
                    params[i] += 0.3 * (2 * rng.nextDouble() - 1); // non-zero biases too
                }
                double[] x = randomVector(rng, d + 1, 2.0);
                x[1] = trial % 2 == 0 ? 0.0 : x[1];
                double y = (int) (rng.nextDouble() * k);
                assertGradientMatchesFiniteDifferences(m, params, x, 1, y,
                        act + " " + Arrays.toString(hidden) + " trial " + trial);
            }
        }
    }

    @Test
    void addClippedGradient_fusedEqualsGeneric_andNeverExceedsClipNorm() {
        RandomSource rng = InsecureTestRandomness.seededSource(59);
        for (Mlp.Activation act : Mlp.Activation.values()) {
            Mlp m = new Mlp(7, new int[] {6, 4}, act, 3);
            for (int trial = 0; trial < 600; trial++) {
                double featureScale = switch (trial % 4) {
                    case 0 -> 0.0;
                    case 1 -> Math.pow(10.0, -5 + 10 * rng.nextDouble());
                    default -> 1.0;
                };
                double[] params = m.initialParams(rng);
                if (trial % 7 == 0) {
                    for (int i = 0; i < params.length; i++) {
                        params[i] *= 100.0; // saturated tanh units, large logits
                    }
                }
                double[] x = randomVector(rng, 7, featureScale);
                double clipNorm = Math.pow(10.0, -2 + 4 * rng.nextDouble());
                assertFusedEqualsGenericWithinBound(m, params, x, 0, trial % 3, clipNorm, act + " trial " + trial);
            }
        }
    }

    @Test
    void addClippedGradient_hugeOrNanFeatures_addNothingAndKeepTheBound() {
        Mlp m = new Mlp(3, new int[] {4}, Mlp.Activation.TANH, 2);
        double[] params = m.initialParams(InsecureTestRandomness.seededSource(1));
        for (double[] x : new double[][] {{Double.NaN, 1, 1}, {Double.POSITIVE_INFINITY, 1, 1}, {1e200, 1e200, 1}}) {
            double[] sum = new double[m.numParams()];
            m.addClippedGradient(params, x, 0, 1.0, 1.0, sum, new double[m.scratchSize()]);
            assertTrue(L2Clipping.norm(sum, 0, sum.length) <= 1.0, Arrays.toString(x));
        }
        double[] sum = new double[m.numParams()];
        m.addClippedGradient(params, new double[] {Double.NaN, 1, 1}, 0, 1.0, 1.0, sum, new double[m.scratchSize()]);
        assertArrayEquals(new double[m.numParams()], sum);
    }

    @Test
    void predict_probabilitiesAreSoftmaxOfLogits_andLossIsTheirCrossEntropy() {
        RandomSource rng = InsecureTestRandomness.seededSource(61);
        Mlp m = new Mlp(5, new int[] {8, 6}, Mlp.Activation.RELU, 4);
        double[] params = m.initialParams(rng);
        double[] scratch = new double[m.scratchSize()];
        for (int trial = 0; trial < 20; trial++) {
            double[] x = randomVector(rng, 5, 1.0);
            double[] z = new double[4];
            double[] p = new double[4];
            m.predictRaw(params, x, 0, z, scratch);
            m.predict(params, x, 0, p, scratch);
            double norm = 0;
            for (double v : z) {
                norm += Math.exp(v);
            }
            for (int k = 0; k < 4; k++) {
                assertEquals(Math.exp(z[k]) / norm, p[k], 1e-14);
                assertEquals(-Math.log(p[k]), m.loss(params, x, 0, k), 1e-12);
            }
        }
    }

    @Test
    void initialParams_seededReproducible_withinGlorotHeBounds_zeroBiases() {
        Mlp m = new Mlp(50, new int[] {30}, Mlp.Activation.RELU, 10);
        double[] a = m.initialParams(InsecureTestRandomness.seededSource(7));
        double[] b = m.initialParams(InsecureTestRandomness.seededSource(7));
        double[] c = m.initialParams(InsecureTestRandomness.seededSource(8));
        assertArrayEquals(a, b, 0.0);
        assertFalse(Arrays.equals(a, c));
        double he = Math.sqrt(6.0 / 50);
        double glorot = Math.sqrt(6.0 / (30 + 10));
        int w1 = 50 * 30;
        double max1 = 0;
        for (int i = 0; i < w1; i++) {
            max1 = Math.max(max1, Math.abs(a[i]));
        }
        assertTrue(max1 <= he && max1 > 0.9 * he, "layer 1 max |w| " + max1 + " vs He bound " + he);
        for (int i = w1; i < w1 + 30; i++) {
            assertEquals(0.0, a[i]);
        }
        double max2 = 0;
        for (int i = w1 + 30; i < w1 + 30 + 300; i++) {
            max2 = Math.max(max2, Math.abs(a[i]));
        }
        assertTrue(max2 <= glorot && max2 > 0.9 * glorot, "layer 2 max |w| " + max2 + " vs Glorot " + glorot);
        for (int i = w1 + 330; i < m.numParams(); i++) {
            assertEquals(0.0, a[i]);
        }
        assertEquals(m.numParams(), m.initialParams().length); // the secure, unseeded path
    }

    /** Backpropagation end to end: plain SGD on clipped gradients learns XOR, which no linear model can. */
    @Test
    void training_learnsXor() {
        Mlp m = new Mlp(2, new int[] {8}, Mlp.Activation.TANH, 2);
        double[] params = m.initialParams(InsecureTestRandomness.seededSource(3));
        double[] xs = {0, 0, 0, 1, 1, 0, 1, 1};
        double[] ys = {0, 1, 1, 0};
        Sgd sgd = new Sgd(0.5);
        double[] scratch = new double[m.scratchSize()];
        for (int epoch = 0; epoch < 2000; epoch++) {
            double[] sum = new double[m.numParams()];
            for (int i = 0; i < 4; i++) {
                m.addClippedGradient(params, xs, 2 * i, ys[i], 10.0, sum, scratch);
            }
            for (int j = 0; j < sum.length; j++) {
                sum[j] /= 4;
            }
            sgd.step(params, sum);
        }
        double[] p = new double[2];
        for (int i = 0; i < 4; i++) {
            m.predict(params, xs, 2 * i, p);
            assertTrue(p[(int) ys[i]] > 0.9, "example " + i + ": P(correct) = " + p[(int) ys[i]]);
        }
    }

    @Test
    void constructor_invalidShapes_rejectedNamingTheParameter() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Mlp(4, new int[] {3, 0}, Mlp.Activation.RELU, 2));
        assertTrue(e.getMessage().contains("hidden"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Mlp(4, new int[] {3}, Mlp.Activation.RELU, 1));
        assertTrue(e.getMessage().contains("numClasses"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Mlp(0, new int[] {3}, Mlp.Activation.RELU, 2));
        assertTrue(e.getMessage().contains("numFeatures"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Mlp(4, new int[] {3}, null, 2));
        e = assertThrows(IllegalArgumentException.class,
                () -> new Mlp(100000, new int[] {100000}, Mlp.Activation.RELU, 2));
        assertTrue(e.getMessage().contains("parameters"), e.getMessage());
        IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
                () -> new Mlp(1, new int[] {2}, Mlp.Activation.RELU, 3).loss(new double[13], new double[1], 0, 3.0));
        assertTrue(label.getMessage().contains("[0, 3)"), label.getMessage());
    }

    @Test
    void model_isSerializable() throws Exception {
        Mlp m = new Mlp(3, new int[] {4, 2}, Mlp.Activation.TANH, 3);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(m);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            Mlp back = (Mlp) in.readObject();
            double[] params = m.initialParams(InsecureTestRandomness.seededSource(2));
            assertEquals(m.loss(params, new double[] {1, 2, 3}, 0, 2.0), back.loss(params, new double[] {1, 2, 3}, 0,
                    2.0), 0.0);
        }
    }
}
