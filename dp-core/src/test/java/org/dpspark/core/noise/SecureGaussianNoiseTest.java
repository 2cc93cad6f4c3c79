package org.dpspark.core.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.dpspark.core.StatTestSupport;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class SecureGaussianNoiseTest {

    private static final double SIGMA = 1.1;
    private static final double CLIP = 0.9;

    /**
     * addTo on zeros gives N(0, (sigma C)^2) per coordinate, on n = 1,000,000 coordinates: the mean and the
     * variance (normal approximation to the sample mean and to the chi-square law of the sum of squares:
     * |z| &lt; 4.89 at 1e-6 two-sided each), the tail frequency beyond 4 std (Bernstein's bound at 1e-6), and a KS
     * test against Phi(x / (sigma C)) (DKW-Massart bound at 1e-6). The test fails falsely with probability at
     * most 4e-6.
     */
    @Test
    @Tag("statistical")
    void addTo_empiricalDistribution_isNormalWithStdSigmaTimesC() {
        double std = SIGMA * CLIP;
        int n = 1_000_000;
        double[] v = new double[n];
        SecureGaussianNoise.create().addTo(v, std);
        double sum = 0.0;
        double sumSq = 0.0;
        long beyondFourStd = 0;
        for (double x : v) {
            sum += x;
            sumSq += x * x;
            if (Math.abs(x) > 4 * std) {
                beyondFourStd++;
            }
        }
        double zCrit = StatTestSupport.zTwoSided(StatTestSupport.ALPHA);
        double meanZ = (sum / n) / (std / Math.sqrt(n));
        assertTrue(Math.abs(meanZ) < zCrit, "mean z = " + meanZ);
        double varianceZ = (sumSq / n / (std * std) - 1.0) / Math.sqrt(2.0 / n);
        assertTrue(Math.abs(varianceZ) < zCrit, "variance ratio " + sumSq / n / (std * std) + ", z = " + varianceZ);
        double pTail = 2.0 * StatTestSupport.normalCdf(-4.0);
        assertTrue(Math.abs(beyondFourStd - n * pTail)
                < StatTestSupport.bernsteinDeviation(n * pTail * (1 - pTail), StatTestSupport.ALPHA),
                "beyond 4 std: " + beyondFourStd + " vs " + n * pTail);
        double d = StatTestSupport.ksStatistic(v, x -> StatTestSupport.normalCdf(x / std));
        assertTrue(d < StatTestSupport.ksCritical(n, StatTestSupport.ALPHA), "KS D = " + d);
    }

    /** sample(std): variance of 200,000 draws matches std^2 (|z| &lt; 4.89, false failure 1e-6). */
    @Test
    @Tag("statistical")
    void sample_empiricalVariance_matchesStdSquared() {
        SecureGaussianNoise noise = SecureGaussianNoise.create();
        double std = 2.5;
        int n = 200_000;
        double sumSq = 0.0;
        for (int i = 0; i < n; i++) {
            double x = noise.sample(std);
            sumSq += x * x;
        }
        double z = (sumSq / n / (std * std) - 1.0) / Math.sqrt(2.0 / n);
        assertTrue(Math.abs(z) < StatTestSupport.zTwoSided(StatTestSupport.ALPHA), "z = " + z);
    }

    @Test
    void sample_isHalfTheSumOfFourZigguratDraws() {
        SecureGaussianNoise hardened = new SecureGaussianNoise(InsecureTestRandomness.seededSource(11));
        SecureGaussianNoise raw = new SecureGaussianNoise(InsecureTestRandomness.seededSource(11));
        for (int i = 0; i < 1000; i++) {
            double sum = raw.rawStandardNormal() + raw.rawStandardNormal() + raw.rawStandardNormal()
                    + raw.rawStandardNormal();
            assertEquals(sum * (0.5 * 3.0), hardened.sample(3.0));
        }
    }

    @Test
    void addTo_addsToExistingValues_theSumsFillSumsDraws() {
        double[] base = {5.0, -1.0, 0.25, 1e6};
        double[] v = base.clone();
        SecureGaussianNoise.insecureSeededForTests(3).addTo(v, 0.7);
        double[] z = new double[base.length];
        SecureGaussianNoise.insecureSeededForTests(3).fillSums(z);
        for (int i = 0; i < base.length; i++) {
            assertEquals(base[i] + z[i] * (0.5 * 0.7), v[i]);
        }
    }

    @Test
    void vectors_areBlocksOfFourZigguratDraws_fromTheStreamInOrder() {
        // an independent replay of the block scheme: for each block of up to BLOCK coordinates, its 4m words first,
        // then each word through Ziggurat.fromBits in order (whose rare slow paths read on after the block's words)
        int length = 2 * SecureGaussianNoise.BLOCK + 37;
        double[] z = new double[length];
        SecureGaussianNoise noise = SecureGaussianNoise.insecureSeededForTests(21);
        noise.fillSums(z);
        RandomSource replay = InsecureTestRandomness.seededSource(21);
        long consumed = 0;
        for (int from = 0; from < length; from += SecureGaussianNoise.BLOCK) {
            int m = Math.min(SecureGaussianNoise.BLOCK, length - from);
            long[] words = new long[4 * m];
            for (int k = 0; k < words.length; k++) {
                words[k] = replay.nextLong();
            }
            double[] draws = new double[4 * m];
            for (int k = 0; k < words.length; k++) {
                draws[k] = Ziggurat.fromBits(words[k], replay);
            }
            for (int t = 0; t < m; t++) {
                double expected = draws[t] + draws[m + t] + draws[2 * m + t] + draws[3 * m + t];
                assertEquals(expected, z[from + t], "coordinate " + (from + t));
            }
            consumed += 4L * m;
        }
        // the slow paths took extra words: the noise counted all of them, and the replay's next word is the noise's
        assertTrue(noise.draws() > consumed, noise.draws() + " vs " + consumed);
        RandomSource after = InsecureTestRandomness.seededSource(21);
        for (long k = 0; k < noise.draws(); k++) {
            after.nextLong();
        }
        assertEquals(after.nextLong(), replay.nextLong());
    }

    @Test
    void noStreamWordOrDrawIsLeftInTheScratch_afterAVector() {
        SecureGaussianNoise noise = SecureGaussianNoise.create();
        noise.addTo(new double[SecureGaussianNoise.BLOCK + 3], 1.0);
        assertTrue(noise.scratchWiped(), "after addTo");
        noise.fillSums(new double[2 * SecureGaussianNoise.BLOCK]);
        assertTrue(noise.scratchWiped(), "after fillSums");
    }

    @Test
    void insecureSeeded_sameSeed_reproducible() {
        double[] a = new double[100];
        double[] b = new double[100];
        SecureGaussianNoise.insecureSeededForTests(42).addTo(a, 1.0);
        SecureGaussianNoise.insecureSeededForTests(42).addTo(b, 1.0);
        assertArrayEquals(a, b);
        double[] c = new double[100];
        SecureGaussianNoise.insecureSeededForTests(43).addTo(c, 1.0);
        assertFalse(Arrays.equals(a, c));
    }

    @Test
    void create_twoInstances_notReproducible() {
        double[] a = new double[8];
        double[] b = new double[8];
        SecureGaussianNoise.create().addTo(a, 1.0);
        SecureGaussianNoise.create().addTo(b, 1.0);
        assertFalse(Arrays.equals(a, b)); // independent fresh keys: equal with probability 0
    }

    @Test
    void zeroStd_addsNothing() {
        double[] v = {1.0, 2.0, -3.0};
        SecureGaussianNoise noise = SecureGaussianNoise.create();
        noise.addTo(v, 0.0);
        assertArrayEquals(new double[] {1.0, 2.0, -3.0}, v);
        assertEquals(0.0, noise.sample(0.0));
    }

    @Test
    void invalidStd_rejected() {
        SecureGaussianNoise noise = SecureGaussianNoise.create();
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, -1e-300, -1.0}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> noise.addTo(new double[1], bad));
            assertTrue(e.getMessage().contains("std"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> noise.sample(bad));
        }
    }

    @Test
    void seededNoise_continuedAfterItsDraws_equalsTheUninterruptedStream() {
        SecureGaussianNoise whole = SecureGaussianNoise.insecureSeededForTests(5);
        double[] a = new double[7];
        double[] b = new double[7];
        whole.addTo(a, 1.0);
        whole.addTo(b, 2.0);
        SecureGaussianNoise first = SecureGaussianNoise.insecureSeededForTests(5);
        double[] a2 = new double[7];
        first.addTo(a2, 1.0);
        SecureGaussianNoise rest = SecureGaussianNoise.insecureSeededForTests(5, first.draws());
        double[] b2 = new double[7];
        rest.addTo(b2, 2.0);
        org.junit.jupiter.api.Assertions.assertArrayEquals(a, a2, 0.0);
        org.junit.jupiter.api.Assertions.assertArrayEquals(b, b2, 0.0);
        org.junit.jupiter.api.Assertions.assertEquals(-1, SecureGaussianNoise.create().draws());
    }
}
