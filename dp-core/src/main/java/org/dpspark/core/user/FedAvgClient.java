package org.dpspark.core.user;

import java.util.Arrays;
import java.util.Objects;
import org.dpspark.core.clip.ClipBudget;
import org.dpspark.core.model.DpModel;
import org.dpspark.core.random.RandomSource;
import org.dpspark.core.sampling.PoissonSampler;

/**
 * The executor-side work of one DP-FedAvg round on one block whose rows are grouped by user (McMahan, Ramage,
 * Talwar, Zhang 2018, "Learning Differentially Private Recurrent Language Models", ICLR, Algorithm 1, with every
 * user weighted 1). For each Poisson-sampled user u (rate q, over users), with rows R_u and global model w:
 * <pre>
 *   w_u   = w; E times: shuffle R_u, and for each mini-batch b of B rows: w_u -= eta (1/|b|) sum_{i in b} grad loss(w_u; x_i, y_i)
 *   Delta = clip( w - w_u,  C sqrt(1 - s^2) )
 *   l_u   = lossCoordinate( (1 / |R_u|) sum_{i in R_u} loss(w; x_i, y_i) )      (at w, before local training)
 *   sum  += (Delta, l_u)
 * </pre>
 * Delta is the negative of the model change, so that the driver's ordinary step params -= lr * noisyMean
 * ({@code DriverUpdate}, noise N(0, sigma^2 C^2) added once, divided by the expected number of users q N_users)
 * is, with server learning rate 1 and plain SGD, FedAvg's w + mean(w_u - w); server momentum or Adam on the same
 * pseudo-gradient are FedAvgM and FedAdam (Reddi et al. 2021, "Adaptive Federated Optimization", ICLR). As in
 * {@link UserClippedSumKernel}, ||(Delta, l_u)|| &lt;= C ({@link ClipBudget}) whatever the local training did, so
 * adding or removing one user changes the sum by at most C.
 *
 * <p>The local training is not private by itself (it is the user's own data and stays on the executor); the
 * clip and the driver's noise give the user-level guarantee. Its shuffles draw from {@code rng} after the user
 * sample has been drawn in full, so the sample is the one {@link UserClippedSumKernel} would draw from the same
 * stream, and the whole result is a deterministic function of the stream (a retried task reproduces it). A local
 * model that becomes NaN or infinite gives a Delta that the clipping drops (zero); a row whose gradient is not
 * finite adds nothing to its mini-batch's gradient (the divisor stays |b|).
 */
public final class FedAvgClient {

    private FedAvgClient() {
    }

    /**
     * Adds the clipped updates of the Poisson-sampled users of one block to {@code sum}.
     *
     * @param globalParams the round's global model w (length numParams; not modified)
     * @param features     row-major, rows x model.numFeatures() (may be longer), rows = userStarts[users]
     * @param labels       at least rows labels
     * @param userStarts   at least users + 1 values, userStarts[0] = 0, strictly increasing: user u owns the rows
     *                     [userStarts[u], userStarts[u + 1])
     * @param users        the number of users in the block, &gt;= 0
     * @param sampler      the Poisson sampler over users
     * @param rng          the round's stream for this block, e.g. {@code CsprngStream.derive(secret, round, part,
     *                     block)}: the user sample, then the local shuffles
     * @param local        the local epochs, learning rate and batch size
     * @param sum          length numParams + 1: [0, numParams) receives the clipped updates w - w_u, [numParams]
     *                     the loss coordinates; added to, not overwritten
     */
    public static void accumulate(DpModel model, double[] globalParams, double[] features, double[] labels,
            int[] userStarts, int users, PoissonSampler sampler, RandomSource rng, ClipBudget clip,
            LocalTraining local, double[] sum) {
        final int maxRows = UserBlock.check(model, globalParams, features, labels, userStarts, users, sampler, rng,
                clip, sum, "globalParams");
        Objects.requireNonNull(local, "local");
        final int d = model.numFeatures();
        final int p = model.numParams();
        final int epochs = local.epochs();
        final double eta = local.learningRate();
        final int batchSize = local.batchSize();
        final boolean tracksLoss = clip.tracksLoss();
        // buffers reused for every user and every mini-batch
        final double[] localParams = new double[p];
        final double[] batchGradient = new double[p];
        final double[] scratch = new double[model.scratchSize()];
        final int[] order = new int[maxRows];
        final UserBlock.Sample sample = UserBlock.sampleUsers(sampler, users, rng);
        for (int k = 0; k < sample.count; k++) {
            final int u = sample.indices[k];
            final int from = userStarts[u];
            final int rows = userStarts[u + 1] - from;
            System.arraycopy(globalParams, 0, localParams, 0, p);
            for (int r = 0; r < rows; r++) {
                order[r] = from + r;
            }
            double lossSum = 0.0;
            for (int epoch = 0; epoch < epochs; epoch++) {
                shuffle(order, rows, rng);
                for (int b = 0; b < rows; b += batchSize) {
                    final int end = Math.min(rows, b + batchSize);
                    Arrays.fill(batchGradient, 0.0);
                    double batchLoss = 0.0;
                    for (int r = b; r < end; r++) {
                        int i = order[r];
                        batchLoss += model.addClippedGradient(localParams, features, i * d, labels[i],
                                UserBlock.UNCLIPPED, batchGradient, scratch);
                    }
                    if (tracksLoss && epoch == 0 && b == 0) {
                        // the first mini-batch is evaluated at w: its losses are the ones l_u needs; the other rows'
                        // losses at w are computed below, from globalParams, which local training never touches
                        lossSum += batchLoss;
                    }
                    final double step = eta / (end - b);
                    for (int j = 0; j < p; j++) {
                        localParams[j] -= step * batchGradient[j];
                    }
                }
                if (tracksLoss && epoch == 0) {
                    for (int r = Math.min(rows, batchSize); r < rows; r++) {
                        int i = order[r];
                        lossSum += model.loss(globalParams, features, i * d, labels[i]);
                    }
                }
            }
            // Delta = w - w_u, into localParams
            for (int j = 0; j < p; j++) {
                localParams[j] = globalParams[j] - localParams[j];
            }
            UserBlock.addClipped(localParams, p, lossSum / rows, clip, sum);
        }
    }

    /**
     * Shuffles order[0, n) uniformly (Fisher and Yates; Durstenfeld 1964, Algorithm 235) with the unbiased bounded
     * draws of {@link #uniformBelow}.
     */
    static void shuffle(int[] order, int n, RandomSource rng) {
        for (int i = n - 1; i > 0; i--) {
            int j = uniformBelow(i + 1, rng);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /**
     * Uniform in [0, bound) for bound &gt;= 1, without modulo bias: r uniform in [0, 2^63), m = r mod bound,
     * rejected when r falls in the last, incomplete run of bound values (r - m + bound - 1 overflows), as in
     * java.util.Random.nextInt(bound).
     */
    static int uniformBelow(int bound, RandomSource rng) {
        long r;
        long m;
        do {
            r = rng.nextLong() >>> 1;
            m = r % bound;
        } while (r - m + (bound - 1) < 0);
        return (int) m;
    }
}
