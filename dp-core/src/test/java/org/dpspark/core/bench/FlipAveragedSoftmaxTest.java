package org.dpspark.core.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.dpspark.core.clip.L2Clipping;
import org.junit.jupiter.api.Test;

/** The fused clip of the averaged two-view gradient equals clipping the materialized mean gradient. */
class FlipAveragedSoftmaxTest {

    @Test
    void fusedClipMatchesTheMaterializedMeanGradient() {
        SplittableRandom rnd = new SplittableRandom(2);
        int d = 7;
        int k = 4;
        FlipAveragedSoftmax m = new FlipAveragedSoftmax(d, k);
        for (double clip : new double[] {0.05, 1, 100}) {
            double[] params = new double[m.numParams()];
            for (int i = 0; i < params.length; i++) {
                params[i] = rnd.nextGaussian();
            }
            double[] x = new double[2 * d];
            for (int i = 0; i < x.length; i++) {
                x[i] = rnd.nextGaussian();
            }
            double y = 2;
            double[] g = new double[m.numParams()];
            double loss = m.lossAndGradient(params, x, 0, y, g);
            double[] g1 = new double[m.numParams()];
            double[] g2 = new double[m.numParams()];
            double expectedLoss = 0.5 * (m.base().lossAndGradient(params, x, 0, y, g1)
                    + m.base().lossAndGradient(params, x, d, y, g2));
            assertEquals(expectedLoss, loss, 1e-12);
            L2Clipping.clipInPlace(g, 0, g.length, clip);
            double[] sum = new double[m.numParams()];
            double fusedLoss = m.addClippedGradient(params, x, 0, y, clip, sum, new double[m.scratchSize()]);
            assertEquals(loss, fusedLoss, 1e-12);
            for (int i = 0; i < g.length; i++) {
                assertEquals(0.5 * (g1[i] + g2[i]) * Math.min(1, clip / norm(g1, g2)), sum[i], 1e-12);
                assertEquals(g[i], sum[i], 1e-12);
            }
        }
    }

    private static double norm(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double v = 0.5 * (a[i] + b[i]);
            s += v * v;
        }
        return Math.sqrt(s);
    }
}
