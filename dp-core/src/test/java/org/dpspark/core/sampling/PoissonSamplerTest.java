package org.dpspark.core.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dpspark.core.StatTestSupport;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class PoissonSamplerTest {

    private static int[] selection(PoissonSampler sampler, int n, RandomSource rng) {
        List<Integer> out = new ArrayList<>();
        int count = sampler.sample(n, rng, out::add);
        assertEquals(out.size(), count);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void constructor_invalidRate_rejected() {
        for (double bad : new double[] {0.0, -0.1, 1.0000001, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PoissonSampler(bad));
            assertTrue(e.getMessage().contains("q") && e.getMessage().contains(String.valueOf(bad)), e.getMessage());
        }
        assertEquals(1.0, new PoissonSampler(1.0).rate());
        assertEquals(1e-9, new PoissonSampler(1e-9).rate());
    }

    @Test
    void sample_rateOne_selectsEveryIndexInOrder() {
        int[] all = selection(new PoissonSampler(1.0), 1000, CsprngStream.fromSecureRandom());
        for (int i = 0; i < 1000; i++) {
            assertEquals(i, all[i]);
        }
    }

    @Test
    void sample_emptyOrNegativeRange() {
        assertEquals(0, selection(new PoissonSampler(0.5), 0, CsprngStream.fromSecureRandom()).length);
        assertThrows(IllegalArgumentException.class,
                () -> new PoissonSampler(0.5).sample(-1, CsprngStream.fromSecureRandom(), i -> { }));
    }

    /**
     * Near Integer.MAX_VALUE the index arithmetic must not overflow: every index stays in [0, n), increasing.
     * q = 1e-6 and n = 2^31 - 1: about 2147 selections, work O(qn). The count is checked with Bernstein's bound
     * at 1e-6.
     */
    @Test
    @Tag("statistical")
    void sample_hugeRangeSmallRate_indicesInRangeAndIncreasing() {
        int n = Integer.MAX_VALUE;
        double q = 1e-6;
        int[] s = selection(new PoissonSampler(q), n, CsprngStream.fromSecureRandom());
        for (int k = 0; k < s.length; k++) {
            assertTrue(s[k] >= 0 && s[k] < n);
            assertTrue(k == 0 || s[k] > s[k - 1]);
        }
        assertTrue(Math.abs(s.length - q * n)
                < StatTestSupport.bernsteinDeviation(q * (1 - q) * n, StatTestSupport.ALPHA), "count " + s.length);
    }

    /**
     * T = 20,000 trials with n = 1000, q = 0.05. Checks, each designed for a false-failure probability of 1e-6
     * (so at most 5e-6 for the test):
     * <ul>
     *   <li>mean of the sample sizes = qn: |z| &lt; 4.89 with the normal approximation (CLT over T trials);</li>
     *   <li>their variance = qn(1-q): |z| &lt; 4.89 with the sample variance's standard error
     *       sigma^2 sqrt(2/(T-1) + kappa/T), kappa = (1 - 6q(1-q)) / (nq(1-q)) the binomial excess kurtosis;</li>
     *   <li>every index's inclusion frequency = q: Bernstein's bound at 1e-6/n per index (union bound);</li>
     *   <li>adjacent pairs (i, i+1) both selected with frequency q^2 (independence, and no off-by-one in the
     *       skips): |z| &lt; 4.89, variance of one trial's pair count (n-1)(q^2-q^4) + 2(n-2)(q^3-q^4);</li>
     *   <li>and always: indices in [0, n), strictly increasing.</li>
     * </ul>
     */
    @Test
    @Tag("statistical")
    void sample_sizesAndInclusions_matchIndependentBernoulli() {
        int n = 1000;
        double q = 0.05;
        int trials = 20_000;
        PoissonSampler sampler = new PoissonSampler(q);
        RandomSource rng = CsprngStream.fromSecureRandom();
        long[] perIndex = new long[n];
        double sumSize = 0;
        double sumSizeSq = 0;
        long pairs = 0;
        int[] last = new int[1];
        long[] localPairs = new long[1];
        for (int t = 0; t < trials; t++) {
            last[0] = -2;
            localPairs[0] = 0;
            int size = sampler.sample(n, rng, i -> {
                if (i <= last[0] || i >= n) {
                    throw new AssertionError("index " + i + " after " + last[0]);
                }
                if (i == last[0] + 1) {
                    localPairs[0]++;
                }
                last[0] = i;
                perIndex[i]++;
            });
            pairs += localPairs[0];
            sumSize += size;
            sumSizeSq += (double) size * size;
        }
        double zCrit = StatTestSupport.zTwoSided(StatTestSupport.ALPHA);
        double mean = sumSize / trials;
        double variance = (sumSizeSq - trials * mean * mean) / (trials - 1);
        double sigma2 = n * q * (1 - q);
        double meanZ = (mean - n * q) / Math.sqrt(sigma2 / trials);
        assertTrue(Math.abs(meanZ) < zCrit, "mean size " + mean + ", z = " + meanZ);
        double kurtosis = (1 - 6 * q * (1 - q)) / sigma2;
        double varianceZ = (variance - sigma2) / (sigma2 * Math.sqrt(2.0 / (trials - 1) + kurtosis / trials));
        assertTrue(Math.abs(varianceZ) < zCrit, "size variance " + variance + " vs " + sigma2 + ", z = " + varianceZ);
        double perIndexTolerance =
                StatTestSupport.bernsteinDeviation(trials * q * (1 - q), StatTestSupport.ALPHA / n);
        for (int i = 0; i < n; i++) {
            assertTrue(Math.abs(perIndex[i] - trials * q) < perIndexTolerance,
                    "index " + i + " selected " + perIndex[i] + " times of " + trials);
        }
        double pairVariancePerTrial =
                (n - 1) * (q * q - Math.pow(q, 4)) + 2.0 * (n - 2) * (Math.pow(q, 3) - Math.pow(q, 4));
        double pairZ = (pairs - trials * (n - 1) * q * q) / Math.sqrt(trials * pairVariancePerTrial);
        assertTrue(Math.abs(pairZ) < zCrit, "adjacent pairs " + pairs + ", z = " + pairZ);
    }

    @Test
    void sample_derivedStream_sameSecretAndContext_sameSelection() {
        byte[] secret = CsprngStream.newSecretKey();
        PoissonSampler sampler = new PoissonSampler(0.1);
        int[] first = selection(sampler, 10_000, CsprngStream.derive(secret, 7, 3));
        int[] retry = selection(sampler, 10_000, CsprngStream.derive(secret, 7, 3));
        assertArrayEquals(first, retry);
        // About 1000 selections each: two independent selections coincide with negligible probability.
        assertFalse(Arrays.equals(first, selection(sampler, 10_000, CsprngStream.derive(secret, 7, 4))));
        assertFalse(Arrays.equals(first, selection(sampler, 10_000, CsprngStream.derive(secret, 8, 3))));
        assertFalse(Arrays.equals(first,
                selection(sampler, 10_000, CsprngStream.derive(CsprngStream.newSecretKey(), 7, 3))));
    }

    @Test
    void sample_insecureSeededKey_reproducibleAcrossRuns() {
        PoissonSampler sampler = new PoissonSampler(0.3);
        byte[] key = InsecureTestRandomness.seededSecretKey(2024);
        assertArrayEquals(selection(sampler, 500, CsprngStream.derive(key, 1, 0)),
                selection(sampler, 500, CsprngStream.derive(InsecureTestRandomness.seededSecretKey(2024), 1, 0)));
    }

    @Test
    void sample_uniformOne_selectsNextIndex_andTinyUniformSkipsFar() {
        // A scripted source: nextDouble() = 0 gives U = 1, ln U = 0, skip 0 (the very next index);
        // U = 2^-53 gives the largest skip, beyond any small n.
        RandomSource zeros = new RandomSource() {
            @Override
            public long nextLong() {
                return 0L;
            }

            @Override
            public double nextDouble() {
                return 0.0;
            }
        };
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, selection(new PoissonSampler(0.01), 5, zeros));
        RandomSource almostOnes = new RandomSource() {
            @Override
            public long nextLong() {
                return -1L;
            }

            @Override
            public double nextDouble() {
                return 1.0 - 0x1.0p-53;
            }
        };
        // ln(2^-53) / ln(0.5) = 53 (up to rounding): indices 52 or 53 apart
        assertEquals(0, selection(new PoissonSampler(0.5), 52, almostOnes).length);
        int[] far = selection(new PoissonSampler(0.5), 120, almostOnes);
        assertEquals(2, far.length);
        assertTrue(far[0] >= 52 && far[0] <= 53 && far[1] == 2 * far[0] + 1, Arrays.toString(far));
    }
}
