package org.dpspark.core.user;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.dpspark.core.clip.ClipBudget;
import org.dpspark.core.clip.L2Clipping;
import org.dpspark.core.model.BinaryLogisticRegression;
import org.dpspark.core.model.DpModel;
import org.dpspark.core.model.Mlp;
import org.dpspark.core.params.InvalidParameterException;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;
import org.dpspark.core.sampling.PoissonSampler;
import org.junit.jupiter.api.Test;

class FedAvgClientTest {

    private static final int D = 4;
    private static final BinaryLogisticRegression LOGISTIC = new BinaryLogisticRegression(D);
    private static final Mlp MLP = new Mlp(D, new int[] {5}, Mlp.Activation.TANH, 3);
    private static final PoissonSampler ALL = UserBlocks.ALL;

    private static double[] paramsFor(DpModel model) {
        return model == MLP ? MLP.initialParams(InsecureTestRandomness.seededSource(21))
                : new double[] {0.3, -0.2, 0.1, 0.0, 0.5};
    }

    /** The user's (Delta, loss coordinate), the user alone in its block, sampled with q = 1. */
    private static double[] update(DpModel model, double[] global, UserBlocks block, int u, ClipBudget clip,
            LocalTraining local, RandomSource rng) {
        UserBlocks one = block.user(u, model.numFeatures());
        double[] sum = new double[model.numParams() + 1];
        FedAvgClient.accumulate(model, global, one.features, one.labels, one.userStarts, 1, ALL, rng, clip, local,
                sum);
        return sum;
    }

    /**
     * One local epoch, one full batch, learning rate eta, a clip norm far above the update: Delta = w - (w - eta
     * mean gradient) = eta times the user's mean gradient (from lossAndGradient), to 1e-12.
     */
    @Test
    void accumulate_oneFullBatchStep_deltaIsEtaTimesMeanGradient() {
        UserBlocks block = UserBlocks.random(D, new int[] {1, 4, 17, 60}, 1, 0.0, 2);
        ClipBudget clip = ClipBudget.withDefaultLossTracking(1e6);
        for (DpModel model : new DpModel[] {LOGISTIC, MLP}) {
            double[] global = paramsFor(model);
            int p = model.numParams();
            for (double eta : new double[] {0.05, 0.7}) {
                for (int u = 0; u < block.users; u++) {
                    double[] mean = new double[p];
                    double meanLoss = block.meanGradient(model, global, u, mean);
                    double[] c = update(model, global, block, u, clip, new LocalTraining(1, eta, 1000),
                            CsprngStream.fromSecureRandom());
                    for (int j = 0; j < p; j++) {
                        assertEquals(eta * mean[j], c[j], 1e-12, model + " user " + u + " coordinate " + j);
                    }
                    assertEquals(clip.lossCoordinate(meanLoss), c[p], 1e-15 * clip.clipNorm(), "loss coordinate at w");
                }
            }
        }
    }

    /** More local epochs, lower local loss (a learnable user, small learning rate); read off w_u = w - Delta. */
    @Test
    void accumulate_moreEpochs_localLossDecreases() {
        UserBlocks block = UserBlocks.random(D, new int[] {40}, 2, 0.0, 2);
        for (int r = 0; r < 40; r++) {
            block.labels[r] = block.features[r * D] + 0.5 * block.features[r * D + 1] > 0 ? 1 : 0;
        }
        ClipBudget clip = ClipBudget.withoutLossTracking(1e6);
        for (DpModel model : new DpModel[] {LOGISTIC, MLP}) {
            double[] global = paramsFor(model);
            double previous = block.meanLoss(model, global, 0);
            for (int epochs : new int[] {1, 2, 4, 8, 16}) {
                double[] c = update(model, global, block, 0, clip, new LocalTraining(epochs, 0.1, 8),
                        CsprngStream.fromSecureRandom());
                double[] local = new double[model.numParams()];
                for (int j = 0; j < local.length; j++) {
                    local[j] = global[j] - c[j];
                }
                double loss = block.meanLoss(model, local, 0);
                assertTrue(loss < previous, model + ": " + epochs + " epochs, loss " + loss + " >= " + previous);
                previous = loss;
            }
        }
    }

    /**
     * A user with 10,000 rows and 3 local epochs in batches of 100 (300 steps) moves far; its Delta is clipped to
     * gradientClip (the clip active, the norm at the bound) and (Delta, loss) to C, for both models; so are users
     * whose local training diverges (a huge learning rate on 1e100-scale features).
     */
    @Test
    void accumulate_largeUpdate_clippedToBound() {
        UserBlocks block = UserBlocks.random(D, new int[] {10_000, 5}, 3, 3.0, 1);
        for (int i = block.userStarts[1] * D; i < block.features.length; i++) {
            block.features[i] *= 1e100;
        }
        for (DpModel model : new DpModel[] {LOGISTIC, MLP}) {
            double[] global = paramsFor(model);
            int p = model.numParams();
            for (ClipBudget clip : new ClipBudget[] {ClipBudget.withDefaultLossTracking(0.05),
                new ClipBudget(0.02, 0.6, 1.0), ClipBudget.withoutLossTracking(0.05)}) {
                double[] c = update(model, global, block, 0, clip, new LocalTraining(3, 0.5, 100),
                        CsprngStream.fromSecureRandom());
                assertEquals(clip.gradientClip(), L2Clipping.norm(c, 0, p), 1e-12 * clip.gradientClip(), "active");
                assertTrue(L2Clipping.norm(c, 0, p + 1) <= clip.clipNorm() * (1 + 1e-12));
                double[] wild = update(model, global, block, 1, clip, new LocalTraining(5, 1e200, 2),
                        CsprngStream.fromSecureRandom());
                assertTrue(L2Clipping.norm(wild, 0, p) <= clip.gradientClip() * (1 + 1e-12), Arrays.toString(wild));
                assertTrue(L2Clipping.norm(wild, 0, p + 1) <= clip.clipNorm() * (1 + 1e-12));
                for (double v : wild) {
                    assertTrue(Double.isFinite(v));
                }
            }
        }
    }

    /**
     * The loss coordinate is the mean loss at w before local training, also when the mini-batches are smaller than
     * the user's rows (the first batch's losses come from training, the others from loss()).
     */
    @Test
    void accumulate_lossCoordinate_isMeanLossAtGlobalModel() {
        UserBlocks block = UserBlocks.random(D, new int[] {1, 3, 10, 33}, 4, 0.0, 2);
        ClipBudget clip = new ClipBudget(1.0, 0.5, 3.0);
        for (DpModel model : new DpModel[] {LOGISTIC, MLP}) {
            double[] global = paramsFor(model);
            for (int batch : new int[] {1, 4, 10, 100}) {
                for (int u = 0; u < block.users; u++) {
                    double[] c = update(model, global, block, u, clip, new LocalTraining(2, 0.3, batch),
                            CsprngStream.fromSecureRandom());
                    assertEquals(clip.lossCoordinate(block.meanLoss(model, global, u)), c[model.numParams()], 1e-14,
                            model + " batch " + batch + " user " + u);
                }
            }
        }
    }

    /**
     * A retried task: the same derived stream gives the same users and the same shuffles, so a bit-identical sum;
     * with mini-batches, another stream shuffles otherwise and the updates differ (the shuffle is drawn).
     */
    @Test
    void accumulate_sameStream_bitIdenticalSum() {
        int[] rows = new int[150];
        for (int u = 0; u < rows.length; u++) {
            rows[u] = 1 + (u * 5) % 11;
        }
        UserBlocks block = UserBlocks.random(D, rows, 5, 0.0, 3);
        ClipBudget clip = ClipBudget.withDefaultLossTracking(0.5);
        LocalTraining local = new LocalTraining(3, 0.2, 2);
        byte[] secret = CsprngStream.newSecretKey();
        for (PoissonSampler sampler : new PoissonSampler[] {new PoissonSampler(0.3), ALL}) {
            double[] global = paramsFor(MLP);
            double[][] sums = new double[3][MLP.numParams() + 1];
            for (int t = 0; t < 3; t++) {
                FedAvgClient.accumulate(MLP, global, block.features, block.labels, block.userStarts, block.users,
                        sampler, CsprngStream.derive(secret, 7, 1, t < 2 ? 0 : 1), clip, local, sums[t]);
            }
            assertArrayEquals(sums[0], sums[1], 0.0, sampler.toString());
            assertTrue(!Arrays.equals(sums[0], sums[2]), sampler + ": another stream, another result");
        }
    }

    /** The user sample is the one UserClippedSumKernel draws from the same stream (drawn before any shuffle). */
    @Test
    void accumulate_samplesTheSameUsersAsUserClippedSumKernel() {
        UserBlocks block = UserBlocks.random(2, UserBlocks.repeat(3, 400), 6, 0.0, 2);
        BinaryLogisticRegression model = new BinaryLogisticRegression(2);
        ClipBudget clip = new ClipBudget(1.0, 0.5, 1e-3); // every loss ln 2 > 1e-3: loss coordinate 0.5 per user
        PoissonSampler sampler = new PoissonSampler(0.1);
        byte[] secret = CsprngStream.newSecretKey();
        for (int step = 0; step < 20; step++) {
            double[] sgd = new double[4];
            UserClippedSumKernel.accumulate(model, new double[3], block.features, block.labels, block.userStarts,
                    block.users, sampler, CsprngStream.derive(secret, step), clip, sgd);
            double[] fed = new double[4];
            FedAvgClient.accumulate(model, new double[3], block.features, block.labels, block.userStarts,
                    block.users, sampler, CsprngStream.derive(secret, step), clip, new LocalTraining(2, 0.1, 1), fed);
            assertEquals(sgd[3], fed[3], 0.0, "step " + step);
        }
    }

    @Test
    void shuffle_isAPermutation_andUniformBelowInRange() {
        RandomSource rng = InsecureTestRandomness.seededSource(9);
        int[] order = new int[1000];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        FedAvgClient.shuffle(order, 1000, rng);
        int[] sorted = order.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            assertEquals(i, sorted[i]);
        }
        assertTrue(!Arrays.equals(order, sorted), "shuffled");
        for (int bound : new int[] {1, 2, 3, 7, Integer.MAX_VALUE}) {
            for (int k = 0; k < 1000; k++) {
                int v = FedAvgClient.uniformBelow(bound, rng);
                assertTrue(v >= 0 && v < bound);
            }
        }
    }

    @Test
    void localTraining_badValues_rejectedNamingTheParameter() {
        assertEquals(java.util.List.of("localEpochs"),
                assertThrows(InvalidParameterException.class, () -> new LocalTraining(0, 0.1, 1)).parameters());
        for (double lr : new double[] {0.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertEquals(java.util.List.of("localLearningRate"),
                    assertThrows(InvalidParameterException.class, () -> new LocalTraining(1, lr, 1)).parameters());
        }
        assertEquals(java.util.List.of("localBatchSize"),
                assertThrows(InvalidParameterException.class, () -> new LocalTraining(1, 0.1, 0)).parameters());
        new LocalTraining(1, 0.1, 1);
    }

    @Test
    void accumulate_badArguments_rejected() {
        double[] global = new double[D + 1];
        ClipBudget clip = ClipBudget.withDefaultLossTracking(1.0);
        RandomSource rng = CsprngStream.fromSecureRandom();
        LocalTraining local = new LocalTraining(1, 0.1, 2);
        double[] f = new double[3 * D];
        double[] y = new double[3];
        int[] starts = {0, 1, 3};
        FedAvgClient.accumulate(LOGISTIC, global, f, y, starts, 2, ALL, rng, clip, local, new double[D + 2]);
        assertThrows(NullPointerException.class, () -> FedAvgClient.accumulate(LOGISTIC, global, f, y, starts, 2,
                ALL, rng, clip, null, new double[D + 2]));
        assertThrows(IllegalArgumentException.class, () -> FedAvgClient.accumulate(LOGISTIC, global, f, y,
                new int[] {0, 3, 3}, 2, ALL, rng, clip, local, new double[D + 2]));
        assertThrows(IllegalArgumentException.class, () -> FedAvgClient.accumulate(LOGISTIC, new double[D], f, y,
                starts, 2, ALL, rng, clip, local, new double[D + 2]));
        assertThrows(IllegalArgumentException.class, () -> FedAvgClient.accumulate(LOGISTIC, global, f, y, starts, 2,
                ALL, rng, clip, local, new double[D + 1]));
    }
}
