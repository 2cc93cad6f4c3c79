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
        Objects.requireNonNull(features, "features");
        final int d = model.numFeatures();
        if (rows < 0) {
            throw new IllegalArgumentException("rows must be >= 0, got " + rows);
        }
        if ((long) rows * d > features.length) {
            throw new IllegalArgumentException("features must hold rows * numFeatures = " + ((long) rows * d)
                    + " values, got " + features.length);
        }
        accumulate(model, params, RowSource.of(features, rows, d), labels, sampler, rng, clip, sum);
    }

    /**
     * Adds the contributions of the Poisson-sampled rows of one block to {@code sum}: draws the whole sample, gathers
     * the sampled rows into one dense matrix ({@link RowSource#gather}), then adds their clipped gradients: with one
     * call of {@link DpModel#addClippedGradients} (labels gathered too) for a model that overrides it (the MLP:
     * matrix products), else row by row in the sample's increasing order, exactly as before the batched form.
     *
     * @param rows   the block's features; rows.dim() must equal model.numFeatures()
     * @param labels at least rows.rows() labels
     * @param sum    length numParams + 1: [0, numParams) receives the clipped gradients, [numParams] the loss
     *               coordinates; added to, not overwritten
     */
    public static void accumulate(DpModel model, double[] params, RowSource rows, double[] labels,
            PoissonSampler sampler, RandomSource rng, ClipBudget clip, double[] sum) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(rows, "rows");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(sampler, "sampler");
        Objects.requireNonNull(rng, "rng");
        Objects.requireNonNull(clip, "clip");
        Objects.requireNonNull(sum, "sum");
        final int d = model.numFeatures();
        final int p = model.numParams();
        final int n = rows.rows();
        if (rows.dim() != d) {
            throw new IllegalArgumentException("the rows have " + rows.dim() + " features, the model " + d);
        }
        if (params.length != p) {
            throw new IllegalArgumentException("params must have length numParams = " + p + ", got " + params.length);
        }
        if (labels.length < n) {
            throw new IllegalArgumentException("labels must hold rows = " + n + " values, got " + labels.length);
        }
        if (sum.length != p + 1) {
            throw new IllegalArgumentException("sum must have length numParams + 1 = " + (p + 1) + ", got "
                    + sum.length);
        }
        final double gradientClip = clip.gradientClip();
        final boolean tracksLoss = clip.tracksLoss();
        // Draw the whole sample first, then gather the sampled rows (independent loads, whose cache misses the CPU
        // overlaps; computing row by row in place waited for each row's misses in turn), then compute on the
        // gathered matrix with the model's batched clipped sum (matrix products for the MLP). The sample and its
        // order are those of a row-by-row pass; the loss coordinates are added in that order.
        final Sample sample = new Sample();
        sampler.sample(n, rng, sample);
        final int[] idx = sample.indices;
        final int count = sample.count;
        if (count == 0) {
            return;
        }
        if (!BATCHED.get(model.getClass())) {
            // A model without a batched form: exactly the row-by-row pass (the gathered matrix, then each row's
            // clipped gradient and loss coordinate in the sample's order), with no per-thread buffers.
            final double[] x = new double[Math.multiplyExact(count, d)];
            rows.gather(idx, count, x);
            final double[] scratch = new double[model.scratchSize()];
            for (int k = 0; k < count; k++) {
                double loss = model.addClippedGradient(params, x, k * d, labels[idx[k]], gradientClip, sum, scratch);
                if (tracksLoss) {
                    sum[p] += clip.lossCoordinate(loss);
                }
            }
            return;
        }
        final Buffers buf = BUFFERS.get();
        final double[] x = buf.x(Math.multiplyExact(count, d));
        rows.gather(idx, count, x);
        final double[] y = buf.labels(count);
        for (int k = 0; k < count; k++) {
            y[k] = labels[idx[k]];
        }
        final double[] losses = buf.losses(count);
        model.addClippedGradients(params, x, y, count, gradientClip, sum, losses, buf.work, rows.floatValues());
        if (tracksLoss) {
            for (int k = 0; k < count; k++) {
                sum[p] += clip.lossCoordinate(losses[k]);
            }
        }
    }

    /** Whether a model class overrides {@link DpModel#addClippedGradients} (looked up once per class). */
    private static final ClassValue<Boolean> BATCHED = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            try {
                return type.getMethod("addClippedGradients", double[].class, double[].class, double[].class,
                        int.class, double.class, double[].class, double[].class,
                        org.dpspark.core.model.BatchWorkspace.class).getDeclaringClass() != DpModel.class;
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(e);
            }
        }
    };

    /**
     * Per-thread arrays reused from step to step (an executor runs a step's tasks on pooled threads), so that the
     * hot loop does not allocate a batch-sized matrix per block and step. They hold sampled training rows and
     * losses between calls, are overwritten before they are read, and are never logged.
     */
    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private static final class Buffers {
        final org.dpspark.core.model.BatchWorkspace work = new org.dpspark.core.model.BatchWorkspace();
        private double[] x = new double[0];
        private double[] labels = new double[0];
        private double[] losses = new double[0];

        double[] x(int n) {
            if (x.length < n) {
                x = new double[Math.max(n, (int) Math.min(Integer.MAX_VALUE - 8L, x.length + (long) x.length / 2))];
            }
            return x;
        }

        double[] labels(int n) {
            if (labels.length < n) {
                labels = new double[Math.max(n, labels.length + labels.length / 2)];
            }
            return labels;
        }

        double[] losses(int n) {
            if (losses.length < n) {
                losses = new double[Math.max(n, losses.length + losses.length / 2)];
            }
            return losses;
        }
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
