package org.dpspark.core.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.dpspark.core.model.BinaryLogisticRegression;
import org.dpspark.core.model.DpModel;
import org.dpspark.core.model.LinearRegression;
import org.dpspark.core.model.Mlp;
import org.dpspark.core.model.SoftmaxRegression;
import org.dpspark.core.params.InvalidParameterException;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;
import org.junit.jupiter.api.Test;

/**
 * The padded model is the inner model on its first p coordinates and inert on the m canary coordinates: its
 * clipped gradients, losses and predictions equal the inner model's bit for bit, computed on separate arrays of
 * length p (so the comparison does not rely on the padding code).
 */
class CanaryPaddedModelTest {

    private static final int D = 4;
    private static final int M = 7;

    private record Case(DpModel inner, int numClasses) {}

    private static List<Case> cases() {
        return List.of(
                new Case(new BinaryLogisticRegression(D), 2),
                new Case(new SoftmaxRegression(D, 3), 3),
                new Case(new Mlp(D, new int[] {5, 3}, Mlp.Activation.TANH, 3), 3),
                new Case(new Mlp(D, new int[] {6}, Mlp.Activation.RELU, 2), 2),
                new Case(new LinearRegression(D, -1.0, 1.0), 0));
    }

    private static double label(RandomSource rng, int numClasses) {
        if (numClasses >= 2) {
            return (double) ((rng.nextLong() >>> 1) % numClasses);
        }
        return 4.0 * rng.nextDouble() - 2.0;
    }

    private static double[] randomParams(RandomSource rng, int n, double scale) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = scale * (2.0 * rng.nextDouble() - 1.0);
        }
        return a;
    }

    @Test
    void addClippedGradient_equalsInnerOnFirstP_andAddsNothingOnCanaryCoordinates() {
        RandomSource rng = InsecureTestRandomness.seededSource(101);
        for (Case c : cases()) {
            DpModel inner = c.inner();
            CanaryPaddedModel padded = new CanaryPaddedModel(inner, M);
            int p = inner.numParams();
            assertEquals(p + M, padded.numParams(), inner.toString());
            assertEquals(inner.scratchSize(), padded.scratchSize(), inner.toString());
            int rows = 40;
            double[] x = randomParams(rng, rows * D, 3.0);
            double[] innerParams = randomParams(rng, p, 1.5);
            double[] paddedParams = new double[p + M];
            System.arraycopy(innerParams, 0, paddedParams, 0, p);
            for (int k = 0; k < M; k++) {
                paddedParams[p + k] = 0.25 * (k + 1); // arbitrary canary values: must not matter
            }
            double[] innerSum = new double[p];
            double[] paddedSum = new double[p + M + 1];
            double[] canaryStart = new double[M + 1];
            for (int k = 0; k <= M; k++) {
                paddedSum[p + k] = canaryStart[k] = -1.0 + k; // what was already there must be left alone
            }
            double[] innerScratch = new double[inner.scratchSize()];
            double[] paddedScratch = new double[padded.scratchSize()];
            for (double clip : new double[] {0.05, 1.0, 1e6}) {
                for (int i = 0; i < rows; i++) {
                    double y = label(rng, c.numClasses());
                    double lInner = inner.addClippedGradient(innerParams, x, i * D, y, clip, innerSum,
                            innerScratch);
                    double lPadded = padded.addClippedGradient(paddedParams, x, i * D, y, clip, paddedSum,
                            paddedScratch);
                    assertEquals(Double.doubleToLongBits(lInner), Double.doubleToLongBits(lPadded),
                            inner.toString());
                    assertEquals(Double.doubleToLongBits(inner.loss(innerParams, x, i * D, y)),
                            Double.doubleToLongBits(padded.loss(paddedParams, x, i * D, y)), inner.toString());
                }
            }
            for (int j = 0; j < p; j++) {
                assertEquals(Double.doubleToLongBits(innerSum[j]), Double.doubleToLongBits(paddedSum[j]),
                        inner + " coordinate " + j);
            }
            for (int k = 0; k <= M; k++) {
                assertEquals(canaryStart[k], paddedSum[p + k], 0.0, inner + " canary coordinate " + k);
            }
        }
    }

    @Test
    void lossAndGradient_equalsInner_andZeroOnCanaryCoordinates() {
        RandomSource rng = InsecureTestRandomness.seededSource(102);
        for (Case c : cases()) {
            DpModel inner = c.inner();
            CanaryPaddedModel padded = new CanaryPaddedModel(inner, M);
            int p = inner.numParams();
            double[] x = randomParams(rng, D, 2.0);
            double[] innerParams = randomParams(rng, p, 1.0);
            double[] paddedParams = java.util.Arrays.copyOf(innerParams, p + M);
            java.util.Arrays.fill(paddedParams, p, p + M, 3.0);
            double y = label(rng, c.numClasses());
            double[] gInner = new double[p];
            double[] gPadded = new double[p + M];
            java.util.Arrays.fill(gPadded, Double.NaN); // stale values must be overwritten
            double lInner = inner.lossAndGradient(innerParams, x, 0, y, gInner);
            double lPadded = padded.lossAndGradient(paddedParams, x, 0, y, gPadded);
            assertEquals(lInner, lPadded, 0.0, inner.toString());
            assertArrayEquals(gInner, java.util.Arrays.copyOf(gPadded, p), 0.0, inner.toString());
            for (int k = 0; k < M; k++) {
                assertEquals(0.0, gPadded[p + k], 0.0, inner + " canary coordinate " + k);
            }
        }
    }

    @Test
    void initialParams_areInnersFollowedByZeros() {
        for (Case c : cases()) {
            DpModel inner = c.inner();
            CanaryPaddedModel padded = new CanaryPaddedModel(inner, M);
            int p = inner.numParams();
            double[] expected = inner.initialParams(InsecureTestRandomness.seededSource(5));
            double[] got = padded.initialParams(InsecureTestRandomness.seededSource(5));
            assertEquals(p + M, got.length);
            assertArrayEquals(expected, java.util.Arrays.copyOf(got, p), 0.0, inner.toString());
            for (int k = 0; k < M; k++) {
                assertEquals(0.0, got[p + k], 0.0);
            }
            double[] noRng = padded.initialParams();
            assertEquals(p + M, noRng.length);
            for (int k = 0; k < M; k++) {
                assertEquals(0.0, noRng[p + k], 0.0);
            }
        }
    }

    @Test
    void predict_equalsInnersOnFirstP_andInnerParamsDropsTheCanaries() {
        RandomSource rng = InsecureTestRandomness.seededSource(103);
        for (Case c : cases()) {
            DpModel inner = c.inner();
            CanaryPaddedModel padded = new CanaryPaddedModel(inner, M);
            int p = inner.numParams();
            double[] innerParams = randomParams(rng, p, 1.0);
            double[] paddedParams = java.util.Arrays.copyOf(innerParams, p + M);
            java.util.Arrays.fill(paddedParams, p, p + M, -9.0);
            assertArrayEquals(innerParams, padded.innerParams(paddedParams), 0.0);
            assertEquals(inner.numOutputs(), padded.numOutputs());
            double[] x = randomParams(rng, D, 2.0);
            int k = inner.numOutputs();
            double[] a = new double[k];
            double[] b = new double[k];
            inner.predict(innerParams, x, 0, a, new double[inner.scratchSize()]);
            padded.predict(paddedParams, x, 0, b, new double[padded.scratchSize()]);
            assertArrayEquals(a, b, 0.0, inner.toString());
            inner.predictRaw(innerParams, x, 0, a, new double[inner.scratchSize()]);
            padded.predictRaw(paddedParams, x, 0, b, new double[padded.scratchSize()]);
            assertArrayEquals(a, b, 0.0, inner.toString());
        }
    }

    @Test
    void canaryCoordinates_followTheInnerParameters() {
        DpModel inner = new SoftmaxRegression(D, 3);
        CanaryPaddedModel padded = new CanaryPaddedModel(inner, M);
        assertEquals(15, inner.numParams());
        for (int i = 0; i < M; i++) {
            assertEquals(15 + i, padded.canaryCoordinate(i));
        }
        assertThrows(IndexOutOfBoundsException.class, () -> padded.canaryCoordinate(M));
        assertThrows(IndexOutOfBoundsException.class, () -> padded.canaryCoordinate(-1));
        assertEquals(M, padded.canaries());
        assertEquals(inner, padded.inner());
        assertEquals(D, padded.numFeatures());
    }

    @Test
    void shorterParams_refused() {
        for (Case c : cases()) {
            CanaryPaddedModel padded = new CanaryPaddedModel(c.inner(), M);
            int n = padded.numParams();
            double[] x = new double[D];
            double[] shortParams = new double[n - 1]; // long enough for the inner model, not for the padded one
            double[] okSum = new double[n];
            double[] scratch = new double[padded.scratchSize()];
            assertThrows(IllegalArgumentException.class, () -> padded.loss(shortParams, x, 0, 0.0));
            assertThrows(IllegalArgumentException.class,
                    () -> padded.lossAndGradient(shortParams, x, 0, 0.0, new double[n]));
            assertThrows(IllegalArgumentException.class,
                    () -> padded.lossAndGradient(new double[n], x, 0, 0.0, new double[n - 1]));
            assertThrows(IllegalArgumentException.class,
                    () -> padded.addClippedGradient(shortParams, x, 0, 0.0, 1.0, okSum, scratch));
            assertThrows(IllegalArgumentException.class,
                    () -> padded.addClippedGradient(new double[n], x, 0, 0.0, 1.0, new double[n - 1], scratch));
            assertThrows(IllegalArgumentException.class,
                    () -> padded.predict(shortParams, x, 0, new double[3], scratch));
            assertThrows(IllegalArgumentException.class, () -> padded.innerParams(shortParams));
            // accepted at the full length, and longer
            padded.loss(new double[n], x, 0, 0.0);
            padded.loss(new double[n + 3], x, 0, 0.0);
        }
    }

    @Test
    void canaries_mustBeAtLeastOne() {
        for (int bad : new int[] {0, -1}) {
            InvalidParameterException e = assertThrows(InvalidParameterException.class,
                    () -> new CanaryPaddedModel(new BinaryLogisticRegression(2), bad));
            assertEquals(List.of("canaries"), e.parameters());
            assertTrue(e.getMessage().contains("canaries"), e.getMessage());
        }
    }
}
