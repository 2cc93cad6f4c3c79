package org.dpspark.core.step;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.dpspark.core.clip.ClipBudget;
import org.dpspark.core.clip.L2Clipping;
import org.dpspark.core.model.BinaryLogisticRegression;
import org.dpspark.core.model.Mlp;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;
import org.dpspark.core.sampling.PoissonSampler;
import org.junit.jupiter.api.Test;

class ClippedSumKernelTest {

    private static final int D = 4;
    private static final int P = D + 1;
    private static final BinaryLogisticRegression MODEL = new BinaryLogisticRegression(D);
    private static final PoissonSampler ALL = new PoissonSampler(1.0);

    /** A block with ordinary, huge-norm (1e200), tiny, zero and NaN rows, and labels in {0, 1}. */
    private static double[][] block(int rows, long seed) {
        RandomSource rng = InsecureTestRandomness.seededSource(seed);
        double[] features = new double[rows * D];
        double[] labels = new double[rows];
        for (int r = 0; r < rows; r++) {
            double scale = switch (r % 6) {
                case 0 -> 1e200;
                case 1 -> 0.0;
                case 2 -> 1e-200;
                default -> 10.0;
            };
            for (int j = 0; j < D; j++) {
                features[r * D + j] = (2 * rng.nextDouble() - 1) * scale;
            }
            labels[r] = rng.nextDouble() < 0.5 ? 0.0 : 1.0;
        }
        features[5 * D + 2] = Double.NaN; // row 5: a hostile record
        return new double[][] {features, labels};
    }

    private static double[] contributionOfRow(double[] params, double[][] block, int row, ClipBudget clip) {
        double[] sum = new double[P + 1];
        ClippedSumKernel.accumulate(MODEL, params, Arrays.copyOfRange(block[0], row * D, (row + 1) * D),
                new double[] {block[1][row]}, 1, ALL, CsprngStream.fromSecureRandom(), clip, sum);
        return sum;
    }

    @Test
    void accumulate_eachExamplesJointContribution_boundedByClipNorm() {
        double[] params = {0.3, -1.0, 2.0, 0.5, -0.2};
        double[][] block = block(120, 1);
        for (ClipBudget clip : new ClipBudget[] {ClipBudget.withDefaultLossTracking(0.5), new ClipBudget(2.0, 0.6, 1.0),
            ClipBudget.withoutLossTracking(1.0)}) {
            for (int r = 0; r < 120; r++) {
                double[] c = contributionOfRow(params, block, r, clip);
                double joint = L2Clipping.norm(c, 0, P + 1);
                assertTrue(joint <= clip.clipNorm() * (1 + 1e-12), "row " + r + ": " + joint + " > " + clip.clipNorm());
                double gradientNorm = L2Clipping.norm(c, 0, P);
                assertTrue(gradientNorm <= clip.gradientClip() * (1 + 1e-12), "row " + r);
                double expectedLoss = clip.lossCoordinate(MODEL.loss(params, block[0], r * D, block[1][r]));
                assertEquals(expectedLoss, c[P], 1e-15, "loss coordinate of row " + r);
            }
        }
    }

    @Test
    void accumulate_rateOne_equalsSumOfPerExampleContributions() {
        double[] params = {0.1, 0.2, -0.3, 0.4, 0.0};
        double[][] block = block(60, 2);
        ClipBudget clip = ClipBudget.withDefaultLossTracking(1.0);
        double[] expected = new double[P + 1];
        for (int r = 0; r < 60; r++) {
            double[] c = contributionOfRow(params, block, r, clip);
            for (int j = 0; j <= P; j++) {
                expected[j] += c[j];
            }
        }
        double[] sum = new double[P + 1];
        ClippedSumKernel.accumulate(MODEL, params, block[0], block[1], 60, ALL, CsprngStream.fromSecureRandom(), clip,
                sum);
        assertArrayEquals(expected, sum, 1e-12);
    }

    @Test
    void accumulate_sumsExactlyTheRowsThePoissonSamplerSelects() {
        double[] params = {0.5, -0.5, 0.25, 1.0, 0.1};
        double[][] block = block(500, 3);
        ClipBudget clip = ClipBudget.withDefaultLossTracking(0.8);
        PoissonSampler sampler = new PoissonSampler(0.2);
        byte[] secret = CsprngStream.newSecretKey();
        double[] expected = new double[P + 1];
        sampler.sample(500, CsprngStream.derive(secret, 4, 1), r -> {
            double[] c = contributionOfRow(params, block, r, clip);
            for (int j = 0; j <= P; j++) {
                expected[j] += c[j];
            }
        });
        double[] sum = new double[P + 1];
        ClippedSumKernel.accumulate(MODEL, params, block[0], block[1], 500, sampler, CsprngStream.derive(secret, 4, 1),
                clip, sum);
        assertArrayEquals(expected, sum, 1e-12);
    }

    @Test
    void accumulate_rowsBeyondCount_ignored_andSumAddedTo() {
        double[] params = new double[P];
        double[][] block = block(10, 4);
        ClipBudget clip = ClipBudget.withDefaultLossTracking(1.0);
        double[] sum = new double[P + 1];
        Arrays.fill(sum, 1.0);
        ClippedSumKernel.accumulate(MODEL, params, block[0], block[1], 3, ALL, CsprngStream.fromSecureRandom(), clip,
                sum);
        double[] expected = new double[P + 1];
        Arrays.fill(expected, 1.0);
        for (int r = 0; r < 3; r++) {
            double[] c = contributionOfRow(params, block, r, clip);
            for (int j = 0; j <= P; j++) {
                expected[j] += c[j];
            }
        }
        assertArrayEquals(expected, sum, 1e-12);
    }

    @Test
    void accumulate_wrongShapes_rejected() {
        double[] params = new double[P];
        ClipBudget clip = ClipBudget.withDefaultLossTracking(1.0);
        RandomSource rng = CsprngStream.fromSecureRandom();
        assertThrows(IllegalArgumentException.class, () -> ClippedSumKernel.accumulate(MODEL, params, new double[8],
                new double[2], 2, ALL, rng, clip, new double[P]));
        assertThrows(IllegalArgumentException.class, () -> ClippedSumKernel.accumulate(MODEL, params, new double[7],
                new double[2], 2, ALL, rng, clip, new double[P + 1]));
        assertThrows(IllegalArgumentException.class, () -> ClippedSumKernel.accumulate(MODEL, params, new double[8],
                new double[1], 2, ALL, rng, clip, new double[P + 1]));
        assertThrows(IllegalArgumentException.class, () -> ClippedSumKernel.accumulate(MODEL, new double[D],
                new double[8], new double[2], 2, ALL, rng, clip, new double[P + 1]));
        assertThrows(IllegalArgumentException.class, () -> ClippedSumKernel.accumulate(MODEL, params, new double[8],
                new double[2], -1, ALL, rng, clip, new double[P + 1]));
    }

    /** A model whose scratchSize() is smaller than numParams(): the kernel sizes its work array by the model. */
    @Test
    void accumulate_mlp_sumOfEachRowsClippedContribution() {
        Mlp mlp = new Mlp(D, new int[] {3}, Mlp.Activation.TANH, 3);
        double[] params = mlp.initialParams(InsecureTestRandomness.seededSource(4));
        RandomSource rng = InsecureTestRandomness.seededSource(5);
        int rows = 30;
        double[] features = new double[rows * D];
        double[] labels = new double[rows];
        for (int i = 0; i < features.length; i++) {
            features[i] = 4 * rng.nextDouble() - 2;
        }
        for (int r = 0; r < rows; r++) {
            labels[r] = r % 3;
        }
        ClipBudget clip = ClipBudget.withoutLossTracking(0.1);
        double[] sum = new double[mlp.numParams() + 1];
        ClippedSumKernel.accumulate(mlp, params, features, labels, rows, ALL, rng, clip, sum);
        double[] expected = new double[mlp.numParams()];
        double[] scratch = new double[mlp.numParams()];
        for (int r = 0; r < rows; r++) {
            double[] one = new double[mlp.numParams()];
            mlp.addClippedGradient(params, features, r * D, labels[r], 0.1, one, scratch);
            assertTrue(L2Clipping.norm(one, 0, one.length) <= 0.1 * (1 + 1e-12));
            for (int j = 0; j < one.length; j++) {
                expected[j] += one[j];
            }
        }
        assertArrayEquals(expected, Arrays.copyOf(sum, mlp.numParams()), 1e-15);
    }
}
