package org.dpspark.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;
import org.junit.jupiter.api.Test;

/**
 * The {@link DpModel} length rule: params shorter than numParams() are refused; longer ones are accepted, only
 * params[0 .. numParams()) are read, and nothing at or beyond numParams() of a gradient or sum is written.
 */
class ParamsLengthTest {

    private static final int D = 3;
    private static final int EXTRA = 4;

    private static List<DpModel> models() {
        return List.of(new BinaryLogisticRegression(D), new SoftmaxRegression(D, 3), new LinearRegression(D, -2, 2),
                new Mlp(D, new int[] {4}, Mlp.Activation.RELU, 3), new Mlp(D, new int[] {2, 3}, Mlp.Activation.TANH,
                        2));
    }

    @Test
    void shorterParams_refusedByEveryMethod_withAClearMessage() {
        for (DpModel m : models()) {
            int p = m.numParams();
            double[] shortP = new double[p - 1];
            double[] x = new double[D];
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.loss(shortP, x, 0, 1));
            assertTrue(e.getMessage().contains(">= numParams = " + p), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> m.lossAndGradient(shortP, x, 0, 1, new double[p]));
            assertThrows(IllegalArgumentException.class,
                    () -> m.addClippedGradient(shortP, x, 0, 1, 1.0, new double[p], new double[p]));
            assertThrows(IllegalArgumentException.class,
                    () -> m.predict(shortP, x, 0, new double[3], new double[p]));
            assertThrows(IllegalArgumentException.class,
                    () -> m.predictRaw(shortP, x, 0, new double[3], new double[p]));
        }
    }

    @Test
    void longerParams_readOnlyTheFirstNumParams_andWriteNothingBeyond() {
        RandomSource rng = InsecureTestRandomness.seededSource(77);
        for (DpModel m : models()) {
            int p = m.numParams();
            double[] params = new double[p];
            for (int j = 0; j < p; j++) {
                params[j] = 2.0 * rng.nextDouble() - 1.0;
            }
            double[] longer = Arrays.copyOf(params, p + EXTRA);
            Arrays.fill(longer, p, p + EXTRA, Double.NaN); // a NaN read would show in every result
            double[] x = {0.7, -1.3, 2.0};
            double y = 1.0;
            assertEquals(m.loss(params, x, 0, y), m.loss(longer, x, 0, y), 0.0, m.toString());

            double[] g = new double[p];
            double[] gLonger = new double[p + EXTRA];
            Arrays.fill(gLonger, p, p + EXTRA, 5.0);
            assertEquals(m.lossAndGradient(params, x, 0, y, g), m.lossAndGradient(longer, x, 0, y, gLonger), 0.0);
            assertArrayEquals(g, Arrays.copyOf(gLonger, p), 0.0, m.toString());
            for (int j = p; j < p + EXTRA; j++) {
                assertEquals(5.0, gLonger[j], 0.0, m + " wrote gradOut[" + j + "]");
            }

            for (double clip : new double[] {0.01, 100.0}) {
                double[] sum = new double[p];
                double[] sumLonger = new double[p + EXTRA];
                Arrays.fill(sumLonger, p, p + EXTRA, 5.0);
                m.addClippedGradient(params, x, 0, y, clip, sum, new double[m.scratchSize()]);
                m.addClippedGradient(longer, x, 0, y, clip, sumLonger, new double[m.scratchSize()]);
                assertArrayEquals(sum, Arrays.copyOf(sumLonger, p), 0.0, m.toString());
                for (int j = p; j < p + EXTRA; j++) {
                    assertEquals(5.0, sumLonger[j], 0.0, m + " wrote sumOut[" + j + "]");
                }
            }

            int k = m.numOutputs();
            double[] a = new double[k];
            double[] b = new double[k];
            m.predict(params, x, 0, a, new double[m.scratchSize()]);
            m.predict(longer, x, 0, b, new double[m.scratchSize()]);
            assertArrayEquals(a, b, 0.0, m.toString());
        }
    }
}
