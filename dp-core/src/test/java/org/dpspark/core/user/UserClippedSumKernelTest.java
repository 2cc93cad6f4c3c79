package org.dpspark.core.user;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.dpspark.core.StatTestSupport;
import org.dpspark.core.clip.ClipBudget;
import org.dpspark.core.clip.L2Clipping;
import org.dpspark.core.model.BinaryLogisticRegression;
import org.dpspark.core.model.DpModel;
import org.dpspark.core.model.Mlp;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;
import org.dpspark.core.sampling.PoissonSampler;
import org.dpspark.core.step.ClippedSumKernel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class UserClippedSumKernelTest {

    private static final int D = 4;
    private static final BinaryLogisticRegression LOGISTIC = new BinaryLogisticRegression(D);
    private static final Mlp MLP = new Mlp(D, new int[] {5}, Mlp.Activation.TANH, 3);
    private static final PoissonSampler ALL = UserBlocks.ALL;

    private static double[] mlpParams() {
        return MLP.initialParams(InsecureTestRandomness.seededSource(11));
    }

    private static void assertBounded(double[] c, int p, ClipBudget clip, String what) {
        double gradientNorm = L2Clipping.norm(c, 0, p);
        double joint = L2Clipping.norm(c, 0, p + 1);
        assertTrue(gradientNorm <= clip.gradientClip() * (1 + 1e-12), what + ": gradient part " + gradientNorm
                + " > " + clip.gradientClip());
        assertTrue(joint <= clip.clipNorm() * (1 + 1e-12), what + ": (gradient, loss) " + joint + " > "
                + clip.clipNorm());
    }

    /**
     * A user with 10,000 rows whose gradients all point the same way (shifted features, one label): the mean's
     * norm is far above the bound, and the user's contribution is still within gradientClip (gradient part) and C
     * (with the loss coordinate), for the logistic model and an MLP; the clip is active (norm at the bound).
     */
    @Test
    void accumulate_userWith10000Rows_contributionBoundedByClipNorm() {
        for (DpModel model : new DpModel[] {LOGISTIC, MLP}) {
            double[] params = model == MLP ? mlpParams() : new double[] {0.3, -0.2, 0.1, 0.0, 0.5};
            UserBlocks block = UserBlocks.random(D, new int[] {10_000}, 1, 3.0, 1); // every label 0
            for (ClipBudget clip : new ClipBudget[] {ClipBudget.withDefaultLossTracking(0.05),
                new ClipBudget(0.02, 0.6, 1.0), ClipBudget.withoutLossTracking(0.05)}) {
                double[] sum = new double[model.numParams() + 1];
                UserClippedSumKernel.accumulate(model, params, block.features, block.labels, block.userStarts, 1,
                        ALL, CsprngStream.fromSecureRandom(), clip, sum);
                assertBounded(sum, model.numParams(), clip, model + " " + clip);
                double gradientNorm = L2Clipping.norm(sum, 0, model.numParams());
                assertEquals(clip.gradientClip(), gradientNorm, 1e-12 * clip.gradientClip(),
                        "the clip is active: " + model);
                assertEquals(clip.lossCoordinate(block.meanLoss(model, params, 0)), sum[model.numParams()], 1e-15);
            }
        }
    }

    /** Hostile users (rows with features 1e200, NaN features, tiny values, a 10,000-row user) stay bounded. */
    @Test
    void accumulate_hostileUsers_eachBoundedByClipNorm() {
        UserBlocks block = UserBlocks.random(D, new int[] {1, 3, 10_000, 2, 7}, 2, 0.0, 2);
        block.features[0] = 1e200; // user 0
        block.features[(1 + 1) * D + 2] = Double.NaN; // user 1, its second row
        for (int i = 4 * D; i < 4 * D + 3 * D; i++) {
            block.features[i] *= 1e-200; // user 2's first rows
        }
        block.features[block.userStarts[3] * D] = -1e300; // user 3
        ClipBudget clip = new ClipBudget(0.5, 0.3, 2.0);
        for (DpModel model : new DpModel[] {LOGISTIC, MLP}) {
            double[] params = model == MLP ? mlpParams() : new double[] {1.0, -2.0, 0.5, 3.0, 0.1};
            for (int u = 0; u < block.users; u++) {
                double[] c = block.kernelContribution(model, params, u, clip);
                assertBounded(c, model.numParams(), clip, model + " user " + u);
                for (double v : c) {
                    assertTrue(Double.isFinite(v), model + " user " + u + ": " + Arrays.toString(c));
                }
            }
        }
    }

    /** The contribution is clip(mean of the per-example gradients), computed here from lossAndGradient. */
    @Test
    void accumulate_contributionIsClippedMeanOfPerExampleGradients() {
        UserBlocks block = UserBlocks.random(D, new int[] {1, 2, 5, 9, 30}, 3, 0.0, 3);
        double[] params = mlpParams();
        int p = MLP.numParams();
        // C = 100 leaves every mean unclipped (so the scale 1 / |R_u| shows); C = 0.3 clips most of them
        for (ClipBudget clip : new ClipBudget[] {ClipBudget.withDefaultLossTracking(100.0),
            ClipBudget.withDefaultLossTracking(0.3)}) {
            for (int u = 0; u < block.users; u++) {
                double[] mean = new double[p];
                double meanLoss = block.meanGradient(MLP, params, u, mean);
                L2Clipping.clipInPlace(mean, clip.gradientClip());
                double[] c = block.kernelContribution(MLP, params, u, clip);
                assertArrayEquals(mean, Arrays.copyOf(c, p), 1e-14, "user " + u + " C " + clip.clipNorm());
                assertEquals(clip.lossCoordinate(meanLoss), c[p], 1e-15 * clip.clipNorm(), "user " + u);
            }
        }
    }

    /** Mean, not sum: a user whose k rows are one row repeated contributes what a user with that one row does. */
    @Test
    void accumulate_identicalRows_contributeAsOneRow() {
        UserBlocks one = UserBlocks.random(D, new int[] {1}, 4, 0.5, 2);
        for (int k : new int[] {2, 7, 1000}) {
            double[] features = new double[k * D];
            double[] labels = new double[k];
            for (int r = 0; r < k; r++) {
                System.arraycopy(one.features, 0, features, r * D, D);
                labels[r] = one.labels[0];
            }
            UserBlocks repeated = new UserBlocks(features, labels, new int[] {0, k});
            for (DpModel model : new DpModel[] {LOGISTIC, MLP}) {
                double[] params = model == MLP ? mlpParams() : new double[] {0.3, -0.2, 0.1, 0.0, 0.5};
                for (ClipBudget clip : new ClipBudget[] {ClipBudget.withDefaultLossTracking(100.0),
                    ClipBudget.withDefaultLossTracking(0.01)}) {
                    double[] expected = one.kernelContribution(model, params, 0, clip);
                    double[] actual = repeated.kernelContribution(model, params, 0, clip);
                    for (int j = 0; j < expected.length; j++) {
                        assertEquals(expected[j], actual[j], 1e-13 * (1 + Math.abs(expected[j])),
                                model + " k=" + k + " C=" + clip.clipNorm() + " coordinate " + j);
                    }
                }
            }
        }
    }

    /** The sum over the block is the sum of the contributions of exactly the users the sampler selects. */
    @Test
    void accumulate_sumsExactlyTheUsersThePoissonSamplerSelects() {
        UserBlocks block = UserBlocks.random(D, new int[] {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8,
            4, 6, 2, 6, 4, 3, 3, 8, 3, 2, 7, 9, 5}, 5, 0.0, 2);
        double[] params = {0.5, -0.5, 0.25, 1.0, 0.1};
        ClipBudget clip = ClipBudget.withDefaultLossTracking(0.8);
        PoissonSampler sampler = new PoissonSampler(0.4);
        byte[] secret = CsprngStream.newSecretKey();
        double[] expected = new double[D + 2];
        int[] selected = {0};
        sampler.sample(block.users, CsprngStream.derive(secret, 4, 1, 0), u -> {
            selected[0]++;
            double[] c = block.kernelContribution(LOGISTIC, params, u, clip);
            for (int j = 0; j < c.length; j++) {
                expected[j] += c[j];
            }
        });
        assertTrue(selected[0] > 0 && selected[0] < block.users, "a proper subsample: " + selected[0]);
        double[] sum = new double[D + 2];
        Arrays.fill(sum, 1.0);
        for (int j = 0; j < expected.length; j++) {
            expected[j] += 1.0; // added to, not overwritten
        }
        UserClippedSumKernel.accumulate(LOGISTIC, params, block.features, block.labels, block.userStarts,
                block.users, sampler, CsprngStream.derive(secret, 4, 1, 0), clip, sum);
        assertArrayEquals(expected, sum, 1e-12);
    }

    /**
     * The number of sampled users per step, over M = 5,000 steps of a block with N = 1,000 users holding 1 to 3
     * rows each (so that sampling rows would show), q = 0.05: it is Binomial(N, q). Each sampled user's loss
     * coordinate is exactly s C = 0.5 (every loss is above the loss bound 1e-3), so sum[p] / 0.5 counts the users.
     * The mean over the M steps: the total is a sum of M N independent Bernoulli(q), within Bernstein's bound at
     * 1e-6 (rigorous). The sample variance: within z(1e-6) = 4.89 standard deviations of qN(1 - q), its standard
     * deviation being sigma^2 sqrt(2 / (M - 1) + kappa / M) with the binomial's excess kurtosis kappa =
     * (1 - 6q(1 - q)) / (Nq(1 - q)); that uses the normal approximation to the sample variance (skewness about
     * sqrt(8 / M) = 0.04). False failure about 2e-6 in all.
     */
    @Test
    @Tag("statistical")
    void accumulate_sampledUserCount_hasMeanQnAndVarianceQnOneMinusQ() {
        final int n = 1000;
        final int m = 5000;
        final double q = 0.05;
        int[] rowsPerUser = new int[n];
        for (int u = 0; u < n; u++) {
            rowsPerUser[u] = 1 + u % 3;
        }
        UserBlocks block = UserBlocks.random(2, rowsPerUser, 6, 0.0, 2);
        BinaryLogisticRegression model = new BinaryLogisticRegression(2);
        double[] params = new double[3]; // every loss is ln 2 > the loss bound
        ClipBudget clip = new ClipBudget(1.0, 0.5, 1e-3);
        PoissonSampler sampler = new PoissonSampler(q);
        byte[] secret = CsprngStream.newSecretKey();
        long total = 0;
        double sumSq = 0.0;
        double[] counts = new double[m];
        for (int step = 0; step < m; step++) {
            double[] sum = new double[4];
            UserClippedSumKernel.accumulate(model, params, block.features, block.labels, block.userStarts, n,
                    sampler, CsprngStream.derive(secret, step, 0, 0), clip, sum);
            double count = sum[3] / 0.5;
            assertEquals(Math.rint(count), count, 0.0, "whole users");
            counts[step] = count;
            total += (long) count;
        }
        double p1 = q * (1 - q);
        double meanTolerance = StatTestSupport.bernsteinDeviation((double) m * n * p1, StatTestSupport.ALPHA);
        assertTrue(Math.abs(total - (double) m * n * q) < meanTolerance,
                "mean " + (double) total / m + " vs qN = " + n * q);
        double mean = (double) total / m;
        for (double c : counts) {
            sumSq += (c - mean) * (c - mean);
        }
        double sampleVariance = sumSq / (m - 1);
        double variance = n * p1;
        double kurtosis = (1 - 6 * p1) / (n * p1);
        double varianceStd = variance * Math.sqrt(2.0 / (m - 1) + kurtosis / m);
        double z = (sampleVariance - variance) / varianceStd;
        assertTrue(Math.abs(z) < StatTestSupport.zTwoSided(StatTestSupport.ALPHA),
                "variance " + sampleVariance + " vs qN(1-q) = " + variance + ", z = " + z);
    }

    /** A retried task: the same derived stream gives the same user sample and a bit-identical sum. */
    @Test
    void accumulate_sameStream_bitIdenticalSum() {
        int[] rows = new int[200];
        for (int u = 0; u < rows.length; u++) {
            rows[u] = 1 + (u * 7) % 13;
        }
        UserBlocks block = UserBlocks.random(D, rows, 7, 0.0, 3);
        ClipBudget clip = ClipBudget.withDefaultLossTracking(0.2);
        PoissonSampler sampler = new PoissonSampler(0.3);
        byte[] secret = CsprngStream.newSecretKey();
        double[] params = mlpParams();
        double[] first = new double[MLP.numParams() + 1];
        double[] second = new double[MLP.numParams() + 1];
        UserClippedSumKernel.accumulate(MLP, params, block.features, block.labels, block.userStarts, block.users,
                sampler, CsprngStream.derive(secret, 12, 3, 1), clip, first);
        UserClippedSumKernel.accumulate(MLP, params, block.features, block.labels, block.userStarts, block.users,
                sampler, CsprngStream.derive(secret, 12, 3, 1), clip, second);
        assertArrayEquals(first, second, 0.0);
        double[] otherBlock = new double[MLP.numParams() + 1];
        UserClippedSumKernel.accumulate(MLP, params, block.features, block.labels, block.userStarts, block.users,
                sampler, CsprngStream.derive(secret, 12, 3, 2), clip, otherBlock);
        assertTrue(!Arrays.equals(first, otherBlock), "another block's stream draws another sample");
    }

    /**
     * The link to the row level: when every user has exactly one row, the user-level kernel, ClippedSumKernel and
     * DP-FedAvg with one full-batch local step at learning rate 1 all add the same vector for the same sample.
     */
    @Test
    void accumulate_oneRowPerUser_equalsRowLevelKernel_andOneStepFedAvg() {
        UserBlocks block = UserBlocks.random(D, UserBlocks.repeat(1, 300), 8, 0.0, 2);
        PoissonSampler sampler = new PoissonSampler(0.25);
        byte[] secret = CsprngStream.newSecretKey();
        LocalTraining oneStep = new LocalTraining(1, 1.0, 1);
        for (DpModel model : new DpModel[] {LOGISTIC, MLP}) {
            double[] params = model == MLP ? mlpParams() : new double[] {0.3, -0.2, 0.1, 0.0, 0.5};
            double[] paramsCopy = params.clone();
            for (ClipBudget clip : new ClipBudget[] {ClipBudget.withDefaultLossTracking(0.1),
                ClipBudget.withoutLossTracking(50.0)}) {
                int size = model.numParams() + 1;
                double[] rowLevel = new double[size];
                ClippedSumKernel.accumulate(model, params, block.features, block.labels, block.users, sampler,
                        CsprngStream.derive(secret, 1, 2, 3), clip, rowLevel);
                double[] userLevel = new double[size];
                UserClippedSumKernel.accumulate(model, params, block.features, block.labels, block.userStarts,
                        block.users, sampler, CsprngStream.derive(secret, 1, 2, 3), clip, userLevel);
                double[] fedAvg = new double[size];
                FedAvgClient.accumulate(model, params, block.features, block.labels, block.userStarts, block.users,
                        sampler, CsprngStream.derive(secret, 1, 2, 3), clip, oneStep, fedAvg);
                assertArrayEquals(rowLevel, userLevel, 1e-12, model + " " + clip);
                assertArrayEquals(rowLevel, fedAvg, 1e-12, model + " " + clip);
                assertArrayEquals(paramsCopy, params, 0.0, "params untouched");
            }
        }
    }

    @Test
    void accumulate_badArguments_rejected() {
        double[] params = new double[D + 1];
        ClipBudget clip = ClipBudget.withDefaultLossTracking(1.0);
        RandomSource rng = CsprngStream.fromSecureRandom();
        double[] f = new double[3 * D];
        double[] y = new double[3];
        double[] sum = new double[D + 2];
        int[] starts = {0, 1, 3};
        // the valid call, for reference
        UserClippedSumKernel.accumulate(LOGISTIC, params, f, y, starts, 2, ALL, rng, clip, sum);
        assertThrows(IllegalArgumentException.class, () -> UserClippedSumKernel.accumulate(LOGISTIC, params, f, y,
                starts, 3, ALL, rng, clip, sum), "userStarts shorter than users + 1");
        assertThrows(IllegalArgumentException.class, () -> UserClippedSumKernel.accumulate(LOGISTIC, params, f, y,
                starts, -1, ALL, rng, clip, sum), "negative users");
        assertThrows(IllegalArgumentException.class, () -> UserClippedSumKernel.accumulate(LOGISTIC, params, f, y,
                new int[] {1, 2, 3}, 2, ALL, rng, clip, sum), "userStarts[0] != 0");
        assertThrows(IllegalArgumentException.class, () -> UserClippedSumKernel.accumulate(LOGISTIC, params, f, y,
                new int[] {0, 2, 2}, 2, ALL, rng, clip, sum), "a user without rows");
        assertThrows(IllegalArgumentException.class, () -> UserClippedSumKernel.accumulate(LOGISTIC, params, f, y,
                new int[] {0, 2, 1}, 2, ALL, rng, clip, sum), "decreasing");
        assertThrows(IllegalArgumentException.class, () -> UserClippedSumKernel.accumulate(LOGISTIC, params, f, y,
                new int[] {0, 1, 4}, 2, ALL, rng, clip, sum), "more rows than features");
        assertThrows(IllegalArgumentException.class, () -> UserClippedSumKernel.accumulate(LOGISTIC, params,
                new double[3 * D], new double[2], starts, 2, ALL, rng, clip, sum), "labels short");
        assertThrows(IllegalArgumentException.class, () -> UserClippedSumKernel.accumulate(LOGISTIC, new double[D],
                f, y, starts, 2, ALL, rng, clip, sum), "params length");
        assertThrows(IllegalArgumentException.class, () -> UserClippedSumKernel.accumulate(LOGISTIC, params, f, y,
                starts, 2, ALL, rng, clip, new double[D + 1]), "sum length");
        assertThrows(NullPointerException.class, () -> UserClippedSumKernel.accumulate(LOGISTIC, params, f, y,
                null, 2, ALL, rng, clip, sum));
    }

    /** Zero users: nothing added, nothing drawn that matters. */
    @Test
    void accumulate_noUsers_addsNothing() {
        double[] sum = {1, 2, 3, 4, 5, 6};
        UserClippedSumKernel.accumulate(LOGISTIC, new double[D + 1], new double[0], new double[0], new int[] {0}, 0,
                ALL, CsprngStream.fromSecureRandom(), ClipBudget.withDefaultLossTracking(1.0), sum);
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, sum, 0.0);
    }
}
