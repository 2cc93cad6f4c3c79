package org.dpspark.core.user;

import org.dpspark.core.clip.ClipBudget;
import org.dpspark.core.model.DpModel;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;
import org.dpspark.core.sampling.PoissonSampler;

/** Test blocks grouped by user, and the independent reference computations the kernel tests compare against. */
final class UserBlocks {

    static final PoissonSampler ALL = new PoissonSampler(1.0);

    final double[] features;
    final double[] labels;
    final int[] userStarts;
    final int users;

    UserBlocks(double[] features, double[] labels, int[] userStarts) {
        this.features = features;
        this.labels = labels;
        this.userStarts = userStarts;
        this.users = userStarts.length - 1;
    }

    /** Users with the given numbers of rows; features uniform in [-2, 2] plus shift; labels drawn by labelOf. */
    static UserBlocks random(int d, int[] rowsPerUser, long seed, double shift, int classes) {
        RandomSource rng = InsecureTestRandomness.seededSource(seed);
        int[] starts = new int[rowsPerUser.length + 1];
        for (int u = 0; u < rowsPerUser.length; u++) {
            starts[u + 1] = starts[u] + rowsPerUser[u];
        }
        int rows = starts[rowsPerUser.length];
        double[] features = new double[rows * d];
        double[] labels = new double[rows];
        for (int i = 0; i < features.length; i++) {
            features[i] = 4 * rng.nextDouble() - 2 + shift;
        }
        for (int r = 0; r < rows; r++) {
            labels[r] = Math.min(classes - 1, (int) (rng.nextDouble() * classes));
        }
        return new UserBlocks(features, labels, starts);
    }

    /** One user's rows as a block of its own. */
    UserBlocks user(int u, int d) {
        int from = userStarts[u];
        int to = userStarts[u + 1];
        return new UserBlocks(java.util.Arrays.copyOfRange(features, from * d, to * d),
                java.util.Arrays.copyOfRange(labels, from, to), new int[] {0, to - from});
    }

    int rows(int u) {
        return userStarts[u + 1] - userStarts[u];
    }

    /** The user's contribution to UserClippedSumKernel's sum (the user alone, sampled with q = 1). */
    double[] kernelContribution(DpModel model, double[] params, int u, ClipBudget clip) {
        UserBlocks one = user(u, model.numFeatures());
        double[] sum = new double[model.numParams() + 1];
        UserClippedSumKernel.accumulate(model, params, one.features, one.labels, one.userStarts, 1, ALL,
                CsprngStream.fromSecureRandom(), clip, sum);
        return sum;
    }

    /** The user's mean per-example gradient and mean loss, from lossAndGradient (not the kernel's fused path). */
    double meanGradient(DpModel model, double[] params, int u, double[] out) {
        int p = model.numParams();
        int d = model.numFeatures();
        java.util.Arrays.fill(out, 0.0);
        double[] g = new double[p];
        double loss = 0.0;
        for (int i = userStarts[u]; i < userStarts[u + 1]; i++) {
            loss += model.lossAndGradient(params, features, i * d, labels[i], g);
            for (int j = 0; j < p; j++) {
                out[j] += g[j];
            }
        }
        for (int j = 0; j < p; j++) {
            out[j] /= rows(u);
        }
        return loss / rows(u);
    }

    /** The user's mean loss, from loss(). */
    double meanLoss(DpModel model, double[] params, int u) {
        double loss = 0.0;
        for (int i = userStarts[u]; i < userStarts[u + 1]; i++) {
            loss += model.loss(params, features, i * model.numFeatures(), labels[i]);
        }
        return loss / rows(u);
    }

    static int[] repeat(int rows, int users) {
        int[] r = new int[users];
        java.util.Arrays.fill(r, rows);
        return r;
    }
}
