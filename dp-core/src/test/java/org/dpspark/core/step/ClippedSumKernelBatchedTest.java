package org.dpspark.core.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.dpspark.core.clip.ClipBudget;
import org.dpspark.core.model.BatchWorkspace;
import org.dpspark.core.model.Mlp;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;
import org.dpspark.core.sampling.PoissonSampler;
import org.junit.jupiter.api.Test;

/** ClippedSumKernel's two paths: the model's batched form when it has one, else the row-by-row pass. */
class ClippedSumKernelBatchedTest {

    /** An MLP that counts batched calls and the rows they carry. */
    static final class CountingMlp extends org.dpspark.core.model.DelegatingTestModel {
        int calls;
        int rows;

        CountingMlp(Mlp m) {
            super(m);
        }

        @Override
        public void addClippedGradients(double[] params, double[] x, double[] labels, int count, double clipNorm,
                double[] sumOut, double[] lossesOut, BatchWorkspace work) {
            calls++;
            rows += count;
            inner().addClippedGradients(params, x, labels, count, clipNorm, sumOut, lossesOut, work);
        }
    }

    @Test
    void mlp_takesTheBatchedPath_once_withTheSampledRowsLabelsAndLossCoordinates() {
        RandomSource data = InsecureTestRandomness.seededSource(190);
        int d = 9;
        int n = 300;
        Mlp mlp = new Mlp(d, new int[] {7}, Mlp.Activation.TANH, 4);
        double[] params = mlp.initialParams(data);
        double[] x = new double[n * d];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i * d + j] = 2 * data.nextDouble() - 1;
            }
            y[i] = i % 4;
        }
        ClipBudget clip = ClipBudget.withDefaultLossTracking(0.5);
        PoissonSampler sampler = new PoissonSampler(0.3);
        CountingMlp counting = new CountingMlp(mlp);
        double[] batched = new double[mlp.numParams() + 1];
        ClippedSumKernel.accumulate(counting, params, x, y, n, sampler, InsecureTestRandomness.seededSource(5), clip,
                batched);
        assertEquals(1, counting.calls);
        assertTrue(counting.rows > 50 && counting.rows < 150, "rows " + counting.rows);
        // the reference: the same sample, row by row through the per-example path
        double[] ref = new double[mlp.numParams() + 1];
        RandomSource rng = InsecureTestRandomness.seededSource(5);
        int[] count = {0};
        double[] scratch = new double[mlp.scratchSize()];
        sampler.sample(n, rng, i -> {
            count[0]++;
            double loss = mlp.addClippedGradient(params, x, i * d, y[i], clip.gradientClip(), ref, scratch);
            ref[mlp.numParams()] += clip.lossCoordinate(loss);
        });
        assertEquals(counting.rows, count[0]);
        double scale = 0;
        double diff = 0;
        for (int j = 0; j < ref.length; j++) {
            scale = Math.max(scale, Math.abs(ref[j]));
            diff = Math.max(diff, Math.abs(ref[j] - batched[j]));
        }
        assertTrue(diff <= 1e-12 * scale, diff + " vs " + scale);
        // the loss coordinates are added in the same order from the same losses: equal to rounding of the losses
        assertEquals(ref[mlp.numParams()], batched[mlp.numParams()], 1e-12 * Math.abs(ref[mlp.numParams()]));
        // and twice the same call gives the same bits (the per-thread buffers hold nothing that is read)
        double[] again = new double[mlp.numParams() + 1];
        ClippedSumKernel.accumulate(counting, params, x, y, n, sampler, InsecureTestRandomness.seededSource(5), clip,
                again);
        assertTrue(Arrays.equals(batched, again));
    }
}
