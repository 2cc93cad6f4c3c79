package org.dpspark.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;
import org.junit.jupiter.api.Test;

/**
 * The batched MLP clipped sum ({@link Mlp#addClippedGradients}, matrix products) against the per-example path
 * ({@link Mlp#addClippedGradient}, B passes): same sum within 1e-12 relative, same losses, the clipping bound per
 * example, NaN rows left out, determinism.
 */
class MlpBatchedTest {

    private static final double REL = 1e-12;

    /** Rows: mostly random with MNIST-like zeros, plus huge-norm, all-zero, NaN and infinite rows. */
    private static double[] batch(RandomSource rng, int count, int d, boolean special) {
        double[] x = new double[count * d];
        for (int i = 0; i < count; i++) {
            int kind = special ? i % 9 : 0;
            for (int j = 0; j < d; j++) {
                double v = rng.nextDouble() < 0.6 ? 0.0 : 2.0 * rng.nextDouble() - 1.0;
                if (kind == 3) {
                    v *= 1e6; // far beyond the clip norm: clipped
                } else if (kind == 5) {
                    v = 0.0; // all-zero row: only the biases' gradient
                }
                x[i * d + j] = v;
            }
            if (kind == 7) {
                x[i * d + (i % d)] = Double.NaN;
            } else if (kind == 8 && i % 2 == 0) {
                x[i * d + d - 1] = Double.POSITIVE_INFINITY;
            }
        }
        return x;
    }

    private static double[] labels(RandomSource rng, int count, int k) {
        double[] y = new double[count];
        for (int i = 0; i < count; i++) {
            y[i] = (int) (rng.nextDouble() * k);
        }
        return y;
    }

    private static double[] randomParams(Mlp m, RandomSource rng) {
        double[] p = m.initialParams(rng);
        for (int i = 0; i < p.length; i++) {
            p[i] += 0.05 * (2.0 * rng.nextDouble() - 1.0); // nonzero biases too
        }
        return p;
    }

    private static double maxAbs(double[] v) {
        double m = 0.0;
        for (double e : v) {
            m = Math.max(m, Math.abs(e));
        }
        return m;
    }

    private static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length);
        double scale = maxAbs(expected);
        double diff = 0.0;
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Double.isFinite(actual[i]), what + ": non-finite at " + i);
            diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(diff <= REL * scale, what + ": max abs diff " + diff + " > 1e-12 * " + scale);
    }

    @Test
    void batchedSum_equalsPerExamplePath_reluTanh_depths_batchSizes() {
        RandomSource rng = InsecureTestRandomness.seededSource(1901);
        int[][] hiddens = {{}, {33}, {20, 17}};
        int[] batchSizes = {1, 7, 256};
        int checked = 0;
        for (Mlp.Activation act : Mlp.Activation.values()) {
            for (int[] hidden : hiddens) {
                for (int count : batchSizes) {
                    int d = 37;
                    int k = hidden.length == 0 ? 3 : 10;
                    Mlp m = new Mlp(d, hidden, act, k);
                    double[] params = randomParams(m, rng);
                    double[] x = batch(rng, count, d, count > 1);
                    double[] y = labels(rng, count, k);
                    double clip = 0.5;
                    double[] start = ModelTestSupport.randomVector(rng, m.numParams(), 0.3);
                    double[] ref = start.clone();
                    double[] refLoss = new double[count];
                    double[] scratch = new double[m.scratchSize()];
                    for (int i = 0; i < count; i++) {
                        refLoss[i] = m.addClippedGradient(params, x, i * d, y[i], clip, ref, scratch);
                    }
                    double[] got = start.clone();
                    double[] loss = new double[count];
                    m.addClippedGradients(params, x, y, count, clip, got, loss, new BatchWorkspace());
                    String what = m + " batch " + count;
                    assertClose(ref, got, what);
                    // the contribution alone (the sum minus its start) too, so that a large start cannot hide it
                    double[] refDelta = new double[ref.length];
                    double[] gotDelta = new double[ref.length];
                    for (int j = 0; j < ref.length; j++) {
                        refDelta[j] = ref[j] - start[j];
                        gotDelta[j] = got[j] - start[j];
                    }
                    double scale = maxAbs(refDelta);
                    assertTrue(scale > 0.0, what);
                    for (int j = 0; j < ref.length; j++) {
                        assertTrue(Math.abs(refDelta[j] - gotDelta[j]) <= 1e-12 * scale + 4 * Math.ulp(start[j]),
                                what + " coordinate " + j);
                    }
                    for (int i = 0; i < count; i++) {
                        if (Double.isNaN(refLoss[i])) {
                            assertTrue(Double.isNaN(loss[i]), what + " loss " + i);
                        } else {
                            assertEquals(refLoss[i], loss[i], REL * Math.max(1.0, Math.abs(refLoss[i])),
                                    what + " loss " + i);
                        }
                    }
                    checked++;
                }
            }
        }
        assertEquals(18, checked);
    }

    @Test
    void mnistShapedBatch_equalsPerExamplePath() {
        RandomSource rng = InsecureTestRandomness.seededSource(784);
        Mlp m = new Mlp(784, new int[] {256}, Mlp.Activation.RELU, 10);
        double[] params = randomParams(m, rng);
        int count = 263;
        double[] x = new double[count * 784];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextDouble() < 0.81 ? 0.0 : rng.nextDouble();
        }
        double[] y = labels(rng, count, 10);
        double[] ref = new double[m.numParams()];
        double[] refLoss = new double[count];
        double[] scratch = new double[m.scratchSize()];
        for (int i = 0; i < count; i++) {
            refLoss[i] = m.addClippedGradient(params, x, i * 784, y[i], 1.0, ref, scratch);
        }
        double[] got = new double[m.numParams()];
        double[] loss = new double[count];
        m.addClippedGradients(params, x, y, count, 1.0, got, loss, new BatchWorkspace());
        assertClose(ref, got, "MNIST-shaped");
        for (int i = 0; i < count; i++) {
            assertEquals(refLoss[i], loss[i], REL * Math.max(1.0, refLoss[i]));
        }
    }

    @Test
    void everyExample_contributionWithinClipNorm_andHugeRowsClippedToIt() {
        RandomSource rng = InsecureTestRandomness.seededSource(1902);
        for (Mlp.Activation act : Mlp.Activation.values()) {
            Mlp m = new Mlp(29, new int[] {18, 9}, act, 4);
            double[] params = randomParams(m, rng);
            int count = 27;
            double[] x = batch(rng, count, 29, true);
            double[] y = labels(rng, count, 4);
            double clip = 0.25;
            BatchWorkspace work = new BatchWorkspace();
            int clipped = 0;
            for (int i = 0; i < count; i++) {
                double[] one = new double[m.numParams()];
                m.addClippedGradients(params, Arrays.copyOfRange(x, i * 29, (i + 1) * 29), new double[] {y[i]}, 1,
                        clip, one, new double[1], work);
                double norm = 0.0;
                for (double v : one) {
                    norm += v * v;
                }
                norm = Math.sqrt(norm);
                assertTrue(norm <= clip * (1 + REL), act + " row " + i + " norm " + norm);
                double[] g = new double[m.numParams()];
                m.lossAndGradient(params, x, i * 29, y[i], g);
                double gNorm = 0.0;
                for (double v : g) {
                    gNorm += v * v;
                }
                gNorm = Math.sqrt(gNorm);
                if (gNorm > clip) {
                    assertEquals(clip, norm, clip * REL, act + " row " + i + " (norm " + gNorm + ") is clipped");
                    clipped++;
                } else if (Double.isFinite(gNorm)) {
                    assertEquals(gNorm, norm, gNorm * REL, act + " row " + i + " is not clipped");
                }
                if (i % 9 == 7 || (i % 9 == 8 && i % 2 == 0)) {
                    assertEquals(0.0, norm, act + " NaN / infinite row " + i + " adds nothing");
                }
            }
            assertTrue(clipped >= 3, act + ": " + clipped + " rows clipped");
        }
    }

    /**
     * The float32 forward of float32 blocks: on MNIST-shaped rows of floats the sum is the double path's within float
     * rounding (and not equal to it: the flag is used); each example, huge, NaN and infinite rows included, still
     * adds at most C, and a clipped one exactly C (its norm is computed from the widened values the sum is made of).
     */
    @Test
    void floatForward_sumWithinFloatRounding_clipBoundExact() {
        RandomSource rng = InsecureTestRandomness.seededSource(785);
        Mlp m = new Mlp(784, new int[] {256}, Mlp.Activation.RELU, 10);
        double[] params = randomParams(m, rng);
        int count = 263;
        double[] x = new double[count * 784];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rng.nextDouble() < 0.81 ? 0.0 : rng.nextDouble());
        }
        double[] y = labels(rng, count, 10);
        double[] exact = new double[m.numParams()];
        double[] exactLoss = new double[count];
        m.addClippedGradients(params, x, y, count, 1.0, exact, exactLoss, new BatchWorkspace(), false);
        double[] got = new double[m.numParams()];
        double[] loss = new double[count];
        m.addClippedGradients(params, x, y, count, 1.0, got, loss, new BatchWorkspace(), true);
        double scale = maxAbs(exact);
        double diff = 0.0;
        for (int i = 0; i < exact.length; i++) {
            diff = Math.max(diff, Math.abs(exact[i] - got[i]));
        }
        assertTrue(diff <= 1e-4 * scale, "float forward: max abs diff " + diff + " > 1e-4 * " + scale);
        assertTrue(diff > 0.0, "the float32 forward was not used");
        for (int i = 0; i < count; i++) {
            assertEquals(exactLoss[i], loss[i], 1e-4 * Math.max(1.0, exactLoss[i]));
        }

        for (Mlp.Activation act : Mlp.Activation.values()) {
            Mlp small = new Mlp(29, new int[] {18, 9}, act, 4);
            double[] p = randomParams(small, rng);
            double[] rows = batch(rng, 27, 29, true);
            for (int i = 0; i < rows.length; i++) {
                rows[i] = (float) rows[i];
            }
            double[] labels = labels(rng, 27, 4);
            double clip = 0.25;
            int clipped = 0;
            for (int i = 0; i < 27; i++) {
                double[] one = new double[small.numParams()];
                small.addClippedGradients(p, Arrays.copyOfRange(rows, i * 29, (i + 1) * 29), new double[] {labels[i]},
                        1, clip, one, new double[1], new BatchWorkspace(), true);
                double norm = 0.0;
                for (double v : one) {
                    norm += v * v;
                }
                norm = Math.sqrt(norm);
                assertTrue(norm <= clip * (1 + REL), act + " row " + i + " norm " + norm);
                if (norm > clip * (1 - REL)) {
                    clipped++;
                }
                if (i % 9 == 7 || (i % 9 == 8 && i % 2 == 0)) {
                    assertEquals(0.0, norm, act + " NaN / infinite row " + i + " adds nothing");
                }
            }
            assertTrue(clipped >= 3, act + ": " + clipped + " rows clipped to exactly C");
        }
    }

    @Test
    void nanAndInfiniteRows_contributeNothing_restUnchanged() {
        RandomSource rng = InsecureTestRandomness.seededSource(1903);
        Mlp m = new Mlp(23, new int[] {19}, Mlp.Activation.RELU, 5);
        double[] params = randomParams(m, rng);
        int count = 40;
        double[] x = batch(rng, count, 23, false);
        double[] y = labels(rng, count, 5);
        int[] bad = {0, 5, 6, 22, 39};
        for (int r : bad) {
            x[r * 23 + (r % 23)] = r % 2 == 0 ? Double.NaN : Double.NEGATIVE_INFINITY;
        }
        double[] withBad = new double[m.numParams()];
        double[] lossBad = new double[count];
        m.addClippedGradients(params, x, y, count, 0.5, withBad, lossBad, new BatchWorkspace());
        // the same batch without the bad rows
        int good = count - bad.length;
        double[] xg = new double[good * 23];
        double[] yg = new double[good];
        for (int i = 0, r = 0; i < count; i++) {
            if (Arrays.binarySearch(bad, i) < 0) {
                System.arraycopy(x, i * 23, xg, r * 23, 23);
                yg[r++] = y[i];
            }
        }
        double[] without = new double[m.numParams()];
        m.addClippedGradients(params, xg, yg, good, 0.5, without, new double[good], new BatchWorkspace());
        for (int j = 0; j < without.length; j++) {
            assertTrue(withBad[j] == without[j], "coordinate " + j + ": " + withBad[j] + " vs " + without[j]);
        }
        assertTrue(maxAbs(without) > 0.0);
    }

    @Test
    void sameInputs_sameBits_whateverTheWorkspaceHeld() {
        RandomSource rng = InsecureTestRandomness.seededSource(1904);
        Mlp m = new Mlp(31, new int[] {24}, Mlp.Activation.TANH, 6);
        double[] params = randomParams(m, rng);
        double[] x = batch(rng, 50, 31, true);
        double[] y = labels(rng, 50, 6);
        double[] first = new double[m.numParams()];
        double[] lossFirst = new double[50];
        m.addClippedGradients(params, x, y, 50, 0.7, first, lossFirst, new BatchWorkspace());
        BatchWorkspace dirty = new BatchWorkspace();
        double[] big = batch(rng, 120, 31, true);
        m.addClippedGradients(params, big, labels(rng, 120, 6), 120, 0.7, new double[m.numParams()],
                new double[120], dirty);
        double[] again = new double[m.numParams()];
        double[] lossAgain = new double[50];
        m.addClippedGradients(params, x, y, 50, 0.7, again, lossAgain, dirty);
        assertTrue(Arrays.equals(first, again));
        assertTrue(Arrays.equals(lossFirst, lossAgain));
    }

    @Test
    void badLabel_refusedBeforeAnythingIsAdded() {
        Mlp m = new Mlp(3, new int[] {4}, Mlp.Activation.RELU, 3);
        double[] params = m.initialParams(InsecureTestRandomness.seededSource(5));
        double[] sum = new double[m.numParams()];
        assertThrows(IllegalArgumentException.class, () -> m.addClippedGradients(params, new double[6],
                new double[] {1.0, 3.0}, 2, 1.0, sum, new double[2], new BatchWorkspace()));
        assertEquals(0.0, maxAbs(sum));
        assertThrows(IllegalArgumentException.class, () -> m.addClippedGradients(params, new double[5],
                new double[] {1.0, 2.0}, 2, 1.0, sum, new double[2], new BatchWorkspace()));
    }

    @Test
    void defaultBatchedPath_isExactlyThePerExampleLoop() {
        RandomSource rng = InsecureTestRandomness.seededSource(1905);
        DpModel soft = new SoftmaxRegression(6, 3);
        double[] params = ModelTestSupport.randomVector(rng, soft.numParams(), 1.0);
        double[] x = batch(rng, 11, 6, true);
        double[] y = labels(rng, 11, 3);
        double[] ref = new double[soft.numParams()];
        double[] refLoss = new double[11];
        for (int i = 0; i < 11; i++) {
            refLoss[i] = soft.addClippedGradient(params, x, i * 6, y[i], 0.3, ref, new double[soft.scratchSize()]);
        }
        double[] got = new double[soft.numParams()];
        double[] loss = new double[11];
        soft.addClippedGradients(params, x, y, 11, 0.3, got, loss, new BatchWorkspace());
        assertTrue(Arrays.equals(ref, got));
        assertTrue(Arrays.equals(refLoss, loss));
    }
}
