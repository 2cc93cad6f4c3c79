package org.dpspark.core.user;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.IntConsumer;
import org.dpspark.core.clip.ClipBudget;
import org.dpspark.core.clip.L2Clipping;
import org.dpspark.core.model.DpModel;
import org.dpspark.core.random.RandomSource;
import org.dpspark.core.sampling.PoissonSampler;

/**
 * What the user-level kernels share: the checks of a block grouped by user, the Poisson sample of its users,
 * and the one place where a user's vector is clipped and added to the sum.
 */
final class UserBlock {

    /**
     * The clip norm that {@link DpModel#addClippedGradient} is given when the per-example gradient is wanted
     * unclipped: every finite gradient norm is at most Double.MAX_VALUE, so the factor is 1; only a gradient with
     * a NaN or infinite coordinate (or an overflowing norm) is dropped. This uses the models' allocation-free
     * fused path instead of {@link DpModel#lossAndGradient}, which allocates per call for some models.
     */
    static final double UNCLIPPED = Double.MAX_VALUE;

    private UserBlock() {
    }

    /**
     * Checks the arguments of a user-level kernel in the style of {@code ClippedSumKernel} and returns the
     * largest number of rows of one user (the size of the kernels' per-user buffers).
     */
    static int check(DpModel model, double[] params, double[] features, double[] labels, int[] userStarts,
            int users, PoissonSampler sampler, RandomSource rng, ClipBudget clip, double[] sum, String paramsName) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(params, paramsName);
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(userStarts, "userStarts");
        Objects.requireNonNull(sampler, "sampler");
        Objects.requireNonNull(rng, "rng");
        Objects.requireNonNull(clip, "clip");
        Objects.requireNonNull(sum, "sum");
        final int d = model.numFeatures();
        final int p = model.numParams();
        if (users < 0) {
            throw new IllegalArgumentException("users must be >= 0, got " + users);
        }
        if (userStarts.length < users + 1) {
            throw new IllegalArgumentException("userStarts must hold users + 1 = " + (users + 1L) + " values, got "
                    + userStarts.length);
        }
        if (userStarts[0] != 0) {
            throw new IllegalArgumentException("userStarts[0] must be 0, got " + userStarts[0]);
        }
        int maxRows = 0;
        for (int u = 0; u < users; u++) {
            int rows = userStarts[u + 1] - userStarts[u];
            if (userStarts[u + 1] <= userStarts[u]) {
                throw new IllegalArgumentException("userStarts must be strictly increasing (every user owns at least "
                        + "one row), got userStarts[" + u + "] = " + userStarts[u] + " and userStarts[" + (u + 1)
                        + "] = " + userStarts[u + 1]);
            }
            maxRows = Math.max(maxRows, rows);
        }
        final int rows = userStarts[users];
        if (params.length != p) {
            throw new IllegalArgumentException(paramsName + " must have length numParams = " + p + ", got "
                    + params.length);
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
        return maxRows;
    }

    /**
     * Clips {@code vector[0, p)} in place to clip.gradientClip() (Abadi et al. 2016, Algorithm 1, "clip", applied
     * to the user's vector as in McMahan et al. 2018, Algorithm 1, "ClipFn"), adds it to sum[0, p), and adds
     * clip.lossCoordinate(meanLoss) to sum[p]: a vector of L2 norm at most clip.clipNorm() ({@link ClipBudget}).
     */
    static void addClipped(double[] vector, int p, double meanLoss, ClipBudget clip, double[] sum) {
        L2Clipping.clipInPlace(vector, 0, p, clip.gradientClip());
        for (int j = 0; j < p; j++) {
            sum[j] += vector[j];
        }
        if (clip.tracksLoss()) {
            sum[p] += clip.lossCoordinate(meanLoss);
        }
    }

    /** The sampled user indices, in the sampler's (increasing) order. */
    static final class Sample implements IntConsumer {
        int[] indices = new int[64];
        int count;

        @Override
        public void accept(int i) {
            if (count == indices.length) {
                indices = Arrays.copyOf(indices, 2 * count);
            }
            indices[count++] = i;
        }
    }

    /**
     * The Poisson sample of the users (Abadi et al. 2016; Mironov, Talwar, Zhang 2019: each user independently with
     * rate q), drawn in full before any user's work, so that the sample is the same whatever the work consumes
     * from rng afterwards.
     */
    static Sample sampleUsers(PoissonSampler sampler, int users, RandomSource rng) {
        Sample sample = new Sample();
        sampler.sample(users, rng, sample);
        return sample;
    }
}
