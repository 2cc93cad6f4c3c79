package org.dpspark.core.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.dpspark.core.features.ChannelNormalization.Standardization;
import org.dpspark.core.noise.Noise;
import org.dpspark.core.noise.SecureGaussianNoise;
import org.junit.jupiter.api.Test;

class ChannelNormalizationTest {

    /** No noise: for checking the arithmetic around it. */
    private static final Noise ZERO = new Noise() {
        @Override
        public void addTo(double[] v, double std) {
        }

        @Override
        public double sample(double std) {
            return 0;
        }
    };

    @Test
    void contributionIsEachChannelsMeanAndMeanSquare() {
        // 2 channels of 3 values, at offset 1: channel 0 = [1, 2, 3], channel 1 = [0, 0, 6]
        double[] x = {99, 1, 2, 3, 0, 0, 6, 99};
        double[] sums = {10, 20, 30, 40};
        ChannelNormalization.contribute(x, 1, 2, 3, 1e9, 1e9, sums);
        assertArrayEquals(new double[] {10 + 2, 20 + 2, 30 + 14.0 / 3, 40 + 12}, sums, 1e-12);
    }

    @Test
    void contributionsAboveTheBoundsAreScaledToThem() {
        double[] x = {3, 3, 4, 4}; // channel means (3, 4): norm 5; mean squares (9, 16): norm sqrt(337)
        double[] sums = new double[4];
        ChannelNormalization.contribute(x, 0, 2, 2, 1.0, 2.0, sums);
        assertEquals(0.6, sums[0], 1e-12);
        assertEquals(0.8, sums[1], 1e-12);
        assertEquals(2.0, Math.hypot(sums[2], sums[3]), 1e-12);
        assertEquals(9.0 / 16, sums[2] / sums[3], 1e-12);
        // below the bounds: unchanged
        double[] small = new double[4];
        ChannelNormalization.contribute(x, 0, 2, 2, 5.0 + 1e-9, 1e3, small);
        assertArrayEquals(new double[] {3, 4, 9, 16}, small, 1e-12);
    }

    @Test
    void groupNormBoundsHoldForAnyInputSoTheyNeverClip() {
        SplittableRandom rnd = new SplittableRandom(11);
        int channels = 81;
        int spatial = 49;
        for (int groups : new int[] {1, 3, 27, 81}) {
            double mb = ChannelNormalization.groupNormMeanBound(channels);
            double sb = ChannelNormalization.groupNormSquareBound(channels, groups);
            assertEquals(9.0, mb, 1e-12);
            assertEquals(Math.sqrt(81.0 * (81 / groups)), sb, 1e-12);
            double worstMean = 0;
            double worstSquare = 0;
            double worstMoment = 0;
            for (int trial = 0; trial < 300; trial++) {
                double[] x = new double[channels * spatial];
                int kind = trial % 3;
                for (int i = 0; i < x.length; i++) {
                    x[i] = switch (kind) {
                        case 0 -> rnd.nextGaussian() * 3 + 1;
                        // one value per group dominates: the mean squares concentrate on one channel
                        case 1 -> (i % (channels / groups * spatial)) == 0 ? 1e6 : rnd.nextDouble() * 1e-3;
                        // each group: one channel constant high, the others constant low (means far from 0)
                        default -> ((i / spatial) % (channels / groups)) == 0 ? 10 : -1;
                    };
                }
                GroupNorm.apply(x, 0, channels, spatial, groups, 1e-5);
                // whitening's moment bound after group norm: the triangle's norm <= ||M||_F <= trace M < channels
                double[] moments = new double[ChannelNormalization.momentsLength(channels)];
                ChannelNormalization.contributeMoments(x, 0, channels, spatial, 1e9, 1e9, moments);
                double t = 0;
                for (int k = channels; k < moments.length; k++) {
                    t += moments[k] * moments[k];
                }
                worstMoment = Math.max(worstMoment, Math.sqrt(t));
                double[] sums = new double[2 * channels];
                ChannelNormalization.contribute(x, 0, channels, spatial, 1e9, 1e9, sums);
                double m = 0;
                double s = 0;
                for (int c = 0; c < channels; c++) {
                    m += sums[c] * sums[c];
                    s += sums[channels + c] * sums[channels + c];
                }
                worstMean = Math.max(worstMean, Math.sqrt(m));
                worstSquare = Math.max(worstSquare, Math.sqrt(s));
            }
            assertTrue(worstMean <= mb, "mean norm " + worstMean + " > " + mb);
            assertTrue(worstSquare <= sb, "square norm " + worstSquare + " > " + sb);
            double tb = ChannelNormalization.groupNormMomentBound(channels);
            assertTrue(worstMoment < tb, "moment triangle norm " + worstMoment + " >= " + tb);
            // the square bound is reached: one spike per group puts ~k on one channel of each group
            if (groups < channels) {
                assertTrue(worstSquare > 0.9 * sb, groups + " groups: worst " + worstSquare + " vs bound " + sb);
            }
        }
    }

    @Test
    void releaseDividesByNAndSubtractsTheSquaredMean() {
        double[] sums = {20, -10, 80, 30}; // N = 10: means (2, -1), mean squares (8, 3)
        Standardization s = ChannelNormalization.release(sums, 10, 1.0, 1.0, 1.0, ZERO);
        assertArrayEquals(new double[] {2, -1}, s.mean(), 1e-12);
        assertArrayEquals(new double[] {4, 2}, s.variance(), 1e-12);
        // a negative estimate (noise) is clamped to 0
        Standardization flat = ChannelNormalization.release(new double[] {10, 5}, 10, 1.0, 1.0, 1.0, ZERO);
        assertEquals(0.0, flat.variance()[0]);
    }

    @Test
    void releaseNoiseHasTheStdOfTheBoundTimesSigma() {
        // Independent check of the noise scale: the empirical std of released sums against bound * sigma.
        SecureGaussianNoise noise = SecureGaussianNoise.insecureSeededForTests(5);
        int trials = 4000;
        double meanBound = 3;
        double squareBound = 7;
        double sigma = 2;
        double[] m = new double[trials];
        double[] q = new double[trials];
        for (int t = 0; t < trials; t++) {
            // sums 0 and a large constant mean square, so the variance estimate stays positive
            Standardization s = ChannelNormalization.release(new double[] {0, 1e6}, 1, sigma, meanBound,
                    squareBound, noise);
            m[t] = s.mean()[0];
            q[t] = s.variance()[0] + m[t] * m[t] - 1e6;
        }
        assertEquals(meanBound * sigma, std(m), 0.05 * meanBound * sigma);
        assertEquals(squareBound * sigma, std(q), 0.05 * squareBound * sigma);
        assertEquals(0.0, avg(m), 4 * meanBound * sigma / Math.sqrt(trials));
    }

    @Test
    void standardizationMapsEachChannelAndBoundsTheNorm() {
        Standardization s = new Standardization(new double[] {1, -2}, new double[] {4, 0});
        double[] x = {7, 1, 3, -2, 0, 7};
        s.apply(x, 1, 2);
        double k0 = 1 / Math.sqrt(4 + 1e-5);
        double k1 = 1 / Math.sqrt(1e-5); // a zero variance keeps the largest scale
        assertArrayEquals(new double[] {7, 0, 2 * k0, 0, 2 * k1, 7}, x, 1e-9);
        SplittableRandom rnd = new SplittableRandom(2);
        for (int t = 0; t < 200; t++) {
            double[] v = new double[4];
            double n = 0;
            for (int i = 0; i < 4; i++) {
                v[i] = rnd.nextGaussian();
                n += v[i] * v[i];
            }
            n = Math.sqrt(n);
            s.apply(v, 0, 2);
            assertTrue(norm(v) <= s.normBound(n, 2) * (1 + 1e-12));
        }
    }

    @Test
    void badArgumentsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChannelNormalization.contribute(new double[4], 0, 2, 2, 0, 1, new double[4]));
        assertTrue(e.getMessage().contains("meanBound"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ChannelNormalization.release(new double[4], 0, 1, 1, 1, ZERO));
        assertTrue(e.getMessage().contains("rows"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ChannelNormalization.groupNormSquareBound(81, 4));
        assertTrue(e.getMessage().contains("groups"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new Standardization(new double[] {0}, new double[] {-1}));
        assertTrue(e.getMessage().contains("channel 0"), e.getMessage());
    }

    @Test
    void momentsContributionIsTheMeansThenTheSecondMomentTriangle() {
        // 2 channels of 2 positions: position 0 = (1, 2), position 1 = (3, 4)
        double[] x = {1, 3, 2, 4};
        double[] sums = new double[ChannelNormalization.momentsLength(2)];
        assertEquals(5, sums.length);
        ChannelNormalization.contributeMoments(x, 0, 2, 2, 1e9, 1e9, sums);
        // means (2, 3); M = ((1,2)(1,2)^T + (3,4)(3,4)^T) / 2 = [[5, 7], [7, 10]]: triangle (5, 7, 10)
        assertArrayEquals(new double[] {2, 3, 5, 7, 10}, sums, 1e-12);
        double[] clipped = new double[5];
        ChannelNormalization.contributeMoments(x, 0, 2, 2, 1.0, 1.0, clipped);
        assertEquals(1.0, Math.hypot(clipped[0], clipped[1]), 1e-12);
        assertEquals(1.0, Math.sqrt(clipped[2] * clipped[2] + clipped[3] * clipped[3] + clipped[4] * clipped[4]),
                1e-12, "the released triangle's norm is the sensitivity, and it is clipped to the bound");
    }

    @Test
    void whiteningWithoutNoiseWhitensTheData() {
        // correlated channels: c1 = c0 + small noise, c2 independent; 3 channels of 4 positions
        SplittableRandom rnd = new SplittableRandom(4);
        int n = 3000;
        int channels = 3;
        int spatial = 4;
        double[][] rows = new double[n][channels * spatial];
        double[] sums = new double[ChannelNormalization.momentsLength(channels)];
        for (double[] x : rows) {
            for (int p = 0; p < spatial; p++) {
                double a = 1 + rnd.nextGaussian();
                x[p] = a;
                x[spatial + p] = a + 0.1 * rnd.nextGaussian();
                x[2 * spatial + p] = -2 + 3 * rnd.nextGaussian();
            }
            ChannelNormalization.contributeMoments(x, 0, channels, spatial, 1e9, 1e9, sums);
        }
        ChannelNormalization.Whitening w = ChannelNormalization.releaseWhitening(sums, n, 1.0, 1.0, 1.0, 1e-9, ZERO);
        // after whitening: the channels' covariance over all positions is the identity (computed here afresh)
        double[] mu = new double[channels];
        double[][] c = new double[channels][channels];
        for (double[] x : rows) {
            double[] y = x.clone();
            w.apply(y, 0, spatial);
            for (int p = 0; p < spatial; p++) {
                for (int a = 0; a < channels; a++) {
                    mu[a] += y[a * spatial + p] / (n * spatial);
                    for (int b = 0; b < channels; b++) {
                        c[a][b] += y[a * spatial + p] * y[b * spatial + p] / (n * spatial);
                    }
                }
            }
        }
        for (int a = 0; a < channels; a++) {
            assertEquals(0.0, mu[a], 1e-9);
            for (int b = 0; b < channels; b++) {
                assertEquals(a == b ? 1.0 : 0.0, c[a][b] - mu[a] * mu[b], 1e-6, a + "," + b);
            }
        }
        // W is symmetric (zero-phase)
        double[] m = w.matrix();
        for (int a = 0; a < channels; a++) {
            for (int b = 0; b < channels; b++) {
                assertEquals(m[a * channels + b], m[b * channels + a], 1e-12);
            }
        }
    }

    @Test
    void whiteningNoiseHasTheStdOfTheBoundsTimesSigma() {
        // one channel, rows = 1, huge second moment: W = 1 / sqrt(S + noise - mean^2 + eps); recover the noise
        SecureGaussianNoise noise = SecureGaussianNoise.insecureSeededForTests(9);
        int trials = 3000;
        double mb = 2;
        double sb = 5;
        double sigma = 1.5;
        double[] m = new double[trials];
        double[] s = new double[trials];
        for (int t = 0; t < trials; t++) {
            ChannelNormalization.Whitening w = ChannelNormalization.releaseWhitening(new double[] {0, 1e6}, 1, sigma,
                    mb, sb, 1e-9, noise);
            m[t] = w.mean()[0];
            double var = 1 / (w.matrix()[0] * w.matrix()[0]) - 1e-9;
            s[t] = var + m[t] * m[t] - 1e6;
        }
        assertEquals(mb * sigma, std(m), 0.05 * mb * sigma);
        assertEquals(sb * sigma, std(s), 0.05 * sb * sigma);
    }

    @Test
    void whiteningMapsPositionsAndBoundsTheNorm() {
        ChannelNormalization.Whitening w = new ChannelNormalization.Whitening(new double[] {1, 0},
                new double[] {2, 1, 1, 3}, 1e-5);
        double[] x = {9, 3, 5, 1, 2, 9}; // offset 1: channel 0 = (3, 5), channel 1 = (1, 2)
        w.apply(x, 1, 2);
        // position 0: v - mu = (2, 1) -> (5, 5); position 1: (4, 2) -> (10, 10)
        assertArrayEquals(new double[] {9, 5, 10, 5, 10, 9}, x, 1e-12);
        SplittableRandom rnd = new SplittableRandom(6);
        for (int t = 0; t < 100; t++) {
            double[] v = {rnd.nextGaussian(), rnd.nextGaussian(), rnd.nextGaussian(), rnd.nextGaussian()};
            double n = norm(v);
            w.apply(v, 0, 2);
            assertTrue(norm(v) <= w.normBound(n, 2) * (1 + 1e-12));
        }
        assertThrows(IllegalArgumentException.class, () -> new ChannelNormalization.Whitening(new double[] {0},
                new double[] {Double.NaN}, 1e-5));
        assertThrows(IllegalArgumentException.class, () -> new ChannelNormalization.Whitening(new double[] {0, 0},
                new double[] {1, 0, 0}, 1e-5));
    }

    private static double avg(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d;
        }
        return s / v.length;
    }

    private static double std(double[] v) {
        double a = avg(v);
        double s = 0;
        for (double d : v) {
            s += (d - a) * (d - a);
        }
        return Math.sqrt(s / (v.length - 1));
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d * d;
        }
        return Math.sqrt(s);
    }
}
