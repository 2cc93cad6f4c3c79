package org.dpspark.core.step;

import java.util.Objects;
import org.dpspark.core.clip.ClipBudget;
import org.dpspark.core.model.DpModel;
import org.dpspark.core.random.RandomSource;
import org.dpspark.core.sampling.PoissonSampler;

/**
 * The executor-side work of one DP-SGD step on one dense block (Abadi et al. 2016, Algorithm 1: "take a random
 * sample", "compute gradient", "clip gradient", then the sum that the driver noises): Poisson-sample the rows,
 * and for each sampled row add (clipped gradient, loss coordinate) to the running sum. Per example the added
 * vector has L2 norm at most clip.clipNorm() ({@link ClipBudget}): the gradient part is clipped to
 * clip.gradientClip() and the loss coordinate is at most lossShare * clipNorm.
 *
 * <p>Only the sum leaves the executor; it is private until the driver has added noise, so it is never logged.
 */
public final class ClippedSumKernel {

    private ClippedSumKernel() {
    }

    /**
     * Adds the contributions of the Poisson-sampled rows of one block to {@code sum}.
     *
     * @param features row-major, rows x model.numFeatures() (may be longer)
     * @param labels   at least rows labels
     * @param sum      length numParams + 1: [0, numParams) receives the clipped gradients, [numParams] the loss
     *                 coordinates; added to, not overwritten
     */
    public static void accumulate(DpModel model, double[] params, double[] features, double[] labels, int rows,
            PoissonSampler sampler, RandomSource rng, ClipBudget clip, double[] sum) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(sampler, "sampler");
        Objects.requireNonNull(rng, "rng");
        Objects.requireNonNull(clip, "clip");
        Objects.requireNonNull(sum, "sum");
        final int d = model.numFeatures();
        final int p = model.numParams();
        if (rows < 0) {
            throw new IllegalArgumentException("rows must be >= 0, got " + rows);
        }
        if (params.length != p) {
            throw new IllegalArgumentException("params must have length numParams = " + p + ", got " + params.length);
        }
        if ((long) rows * d > features.length) {
            throw new IllegalArgumentException("features must hold rows * numFeatures = " + ((long) rows * d)
                    + " values, got " + features.length);
        }
        if (labels.length < rows) {
            throw new IllegalArgumentException("labels must hold rows = " + rows + " values, got " + labels.length);
        }
        if (sum.length != p + 1) {
            throw new IllegalArgumentException("sum must have length numParams + 1 = " + (p + 1) + ", got "
                    + sum.length);
        }
        final double gradientClip = clip.gradientClip();
        final double[] scratch = new double[model.scratchSize()];
        final boolean tracksLoss = clip.tracksLoss();
        // Draw the whole sample first, then touch every cache line of the sampled rows, then compute. The touches
        // are independent loads, so the CPU overlaps their cache misses; computing row by row instead waits for
        // each sampled row's misses in turn, which made a step on 10x the rows ~1.5x slower at the same batch.
        // The sample, its order and the summation order are unchanged.
        final Sample sample = new Sample();
        sampler.sample(rows, rng, sample);
        final int[] idx = sample.indices;
        final int count = sample.count;
        if ((long) count * 8 < rows) {
            // sparse samples only: a dense one (count near rows) is streamed well by the hardware prefetcher
            TOUCHED = touch(features, idx, count, d);
        }
        for (int k = 0; k < count; k++) {
            int i = idx[k];
            double loss = model.addClippedGradient(params, features, i * d, labels[i], gradientClip, sum, scratch);
            if (tracksLoss) {
                sum[p] += clip.lossCoordinate(loss);
            }
        }
    }

    /** Where {@link #touch}'s result goes, so that the JIT keeps its loads; never read. */
    @SuppressWarnings("unused")
    private static volatile double TOUCHED;

    /** Loads one value per 64-byte line of each sampled row (the rows' memory, not their values, is what matters). */
    private static double touch(double[] features, int[] idx, int count, int d) {
        double acc = 0.0;
        for (int k = 0; k < count; k++) {
            int from = idx[k] * d;
            for (int j = from, end = from + d; j < end; j += 8) {
                acc += features[j];
            }
            acc += features[from + d - 1];
        }
        return acc;
    }

    /** The sampled indices, in the sampler's (increasing) order. */
    private static final class Sample implements java.util.function.IntConsumer {
        int[] indices = new int[64];
        int count;

        @Override
        public void accept(int i) {
            if (count == indices.length) {
                indices = java.util.Arrays.copyOf(indices, 2 * count);
            }
            indices[count++] = i;
        }
    }
}
