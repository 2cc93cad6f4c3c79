package org.dpspark.core.user;

import java.util.Arrays;
import org.dpspark.core.clip.ClipBudget;
import org.dpspark.core.model.DpModel;
import org.dpspark.core.random.RandomSource;
import org.dpspark.core.sampling.PoissonSampler;

/**
 * The executor-side work of one user-level DP-SGD step on one block whose rows are grouped by user: the
 * per-user clipping of DP-FedSGD (McMahan, Ramage, Talwar, Zhang 2018, "Learning Differentially Private Recurrent
 * Language Models", ICLR, Algorithm 1 with one local gradient step), with the Gaussian step of Abadi et al. 2016
 * (Algorithm 1) on the driver. For each Poisson-sampled user u (rate q, over users, not rows), with rows R_u:
 * <pre>
 *   g_u = clip( (1 / |R_u|) sum_{i in R_u} grad loss(params; x_i, y_i),  C sqrt(1 - s^2) )
 *   l_u = lossCoordinate( (1 / |R_u|) sum_{i in R_u} loss(params; x_i, y_i) )
 *   sum += (g_u, l_u)
 * </pre>
 * The per-example gradients are not clipped; the user's mean is, as a whole. So ||(g_u, l_u)|| &lt;= C
 * ({@link ClipBudget}) however many rows the user has: adding or removing one user changes the sum by at most C
 * in L2, which is the sensitivity the driver's N(0, sigma^2 C^2) noise and the accountant assume, over users.
 * The driver divides by the expected number of users q N_users, never by the actual count.
 *
 * <p>A row whose gradient has a NaN or infinite coordinate adds nothing to its user's gradient sum (the divisor
 * stays |R_u|), and a user whose mean overflows is dropped by the clipping; the bound holds in every case.
 * Only the sum leaves the executor; it is private until the driver has added noise, so it is never logged.
 */
public final class UserClippedSumKernel {

    private UserClippedSumKernel() {
    }

    /**
     * Adds the contributions of the Poisson-sampled users of one block to {@code sum}.
     *
     * @param features   row-major, rows x model.numFeatures() (may be longer), rows = userStarts[users]
     * @param labels     at least rows labels
     * @param userStarts at least users + 1 values, userStarts[0] = 0, strictly increasing: user u owns the rows
     *                   [userStarts[u], userStarts[u + 1])
     * @param users      the number of users in the block, &gt;= 0
     * @param sampler    the Poisson sampler over users (rate q = expected users per step / N_users)
     * @param rng        the step's stream for this block, e.g. {@code CsprngStream.derive(secret, step, part,
     *                   block)}: the same stream gives bit-identical sums (a retried task)
     * @param sum        length numParams + 1: [0, numParams) receives the clipped user gradients, [numParams] the
     *                   loss coordinates; added to, not overwritten
     */
    public static void accumulate(DpModel model, double[] params, double[] features, double[] labels,
            int[] userStarts, int users, PoissonSampler sampler, RandomSource rng, ClipBudget clip, double[] sum) {
        UserBlock.check(model, params, features, labels, userStarts, users, sampler, rng, clip, sum, "params");
        final int d = model.numFeatures();
        final int p = model.numParams();
        final double[] userGradient = new double[p]; // one buffer, reused for every user
        final double[] scratch = new double[model.scratchSize()];
        final UserBlock.Sample sample = UserBlock.sampleUsers(sampler, users, rng);
        for (int k = 0; k < sample.count; k++) {
            final int u = sample.indices[k];
            final int from = userStarts[u];
            final int to = userStarts[u + 1];
            Arrays.fill(userGradient, 0.0);
            double lossSum = 0.0;
            for (int i = from; i < to; i++) {
                lossSum += model.addClippedGradient(params, features, i * d, labels[i], UserBlock.UNCLIPPED,
                        userGradient, scratch);
            }
            final double inverseRows = 1.0 / (to - from);
            for (int j = 0; j < p; j++) {
                userGradient[j] *= inverseRows;
            }
            UserBlock.addClipped(userGradient, p, lossSum * inverseRows, clip, sum);
        }
    }
}
