package org.dpspark.core.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.dpspark.core.StatTestSupport;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The encoding end to end, at the math level: parties encode, mask, the driver adds mod 2^b and decodes. */
class DdgCodecTest {

    private static final double ALPHA = StatTestSupport.ALPHA;

    private static RandomSource rng(long seed) {
        return InsecureTestRandomness.seededSource(seed);
    }

    private static double[] gaussian(int n, double std, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = std * Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
        }
        return x;
    }

    private static double distance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }

    /**
     * (1) Scale 2^30 and localVariance 1 (the least noise the sampler takes), b = 62: decode(sum of encodes mod 2^b)
     * is the sum of the party sums to within the rounding, at most n sqrt(d') in L2 before unscaling, plus the noise,
     * whose norm is below 4 sqrt(n d' localVariance) except with probability below 1e-100 (discrete Gaussians are
     * sub-Gaussian with variance proxy sigma2, CKS 2020). The modular and the signed paths decode identically
     * (the total never wraps here).
     */
    @Test
    void decode_sumOfEncodes_isSumOfPartySums_withinRounding() {
        int n = 3;
        DdgParams p = new DdgParams(100, 128, 62, n, 0, 1.0, 1.0, 1000, 0x1p30, 1);
        DdgCodec codec = new DdgCodec(p, 77);
        double[] truth = new double[100];
        long[] totalMod = new long[128];
        long[] totalSigned = new long[128];
        for (int party = 0; party < n; party++) {
            double[] s = gaussian(100, 0.5, party);
            for (int i = 0; i < 100; i++) {
                truth[i] += s[i];
            }
            ModularSum.addInto(totalMod, codec.encode(s, rng(10 + party)), p.bits());
            long[] signed = codec.encodeSigned(s, rng(10 + party));
            for (int i = 0; i < 128; i++) {
                totalSigned[i] += signed[i];
            }
        }
        double[] decoded = codec.decode(totalMod);
        assertEquals(100, decoded.length);
        double tolerance = (n * Math.sqrt(128) + 4 * Math.sqrt(n * 128.0 * p.localVariance())) / p.scale();
        double error = distance(decoded, truth);
        assertTrue(error <= tolerance, "error " + error + " > " + tolerance);
        assertArrayEquals(codec.decodeSigned(totalSigned), decoded);
    }

    /**
     * (2) The noise: n = 4 parties (t = 1) encode zero vectors with DdgParams.choose(100, 40, 4, 1, C = 1,
     * sigma = 1.3, N = 1000); over 500 repetitions the 50,000 decoded coordinates are the total noise, whose variance
     * is n localVariance / scale^2 = sigma^2 C^2 n / (n - t) up to the ceiling of localVariance (relative 1e-9 here),
     * and which is normal far below the tests' resolution (sums of discrete Gaussians of std about 4e8 integer units,
     * rotated). Asserted: sum x^2 / variance against chi-square(50,000), two-sided p &gt;= 1e-6; the mean's z within
     * 4.89 (1e-6); the KS distance of x / std to Phi below the DKW-Massart bound at 1e-4 (valid for every sample
     * size). False failure at most 1.02e-4.
     */
    @Test
    @Tag("statistical")
    void decode_ofZeroVectors_isTheDistributedNoise() {
        int n = 4;
        DdgParams p = DdgParams.choose(100, 40, n, 1, 1.0, 1.3, 1000);
        DdgCodec codec = new DdgCodec(p, 2021);
        double variance = n * (double) p.localVariance() / (p.scale() * p.scale());
        assertEquals(1.3 * 1.3 * n / (n - 1.0), variance, 1e-9 * variance);
        int reps = 500;
        double[] noise = new double[reps * 100];
        RandomSource rng = rng(4);
        for (int r = 0; r < reps; r++) {
            long[] total = new long[128];
            for (int party = 0; party < n; party++) {
                ModularSum.addInto(total, codec.encode(new double[100], rng), p.bits());
            }
            System.arraycopy(codec.decode(total), 0, noise, r * 100, 100);
        }
        int m = noise.length;
        double sum = 0;
        double sumSq = 0;
        for (double x : noise) {
            sum += x;
            sumSq += x * x;
        }
        double pVar = StatTestSupport.chiSquareTwoSidedP(sumSq / variance, m);
        assertTrue(pVar >= ALPHA, "variance " + sumSq / m + " vs " + variance + ", p = " + pVar);
        double zMean = (sum / m) / Math.sqrt(variance / m);
        assertTrue(Math.abs(zMean) < StatTestSupport.zTwoSided(ALPHA), "mean z = " + zMean);
        double std = Math.sqrt(variance);
        double[] standardized = Arrays.stream(noise).map(x -> x / std).toArray();
        double d = StatTestSupport.ksStatistic(standardized, StatTestSupport::normalCdf);
        assertTrue(d < StatTestSupport.ksCritical(m, 1e-4), "KS D = " + d);
    }

    /**
     * (3) The driver's view. Four parties with fixed non-zero sums encode and add their pairwise masks (fixed random
     * pair keys, step = repetition); over 100 repetitions, the top 8 bits of every coordinate of each party's message,
     * and of each sum of three messages, are uniform on 256 values: chi-square with 255 df over 12,800 values,
     * p &gt;= 1e-6 each (8 assertions, false failure 8e-6). The unmasked messages fail the same test (it has the
     * power to see them). The full sum equals the sum of the unmasked encodings mod 2^b exactly, so it decodes to
     * the noised total, within 8 noise std per coordinate of the true sum; any three messages decode to
     * something unrelated (error above 1000 in L2, against about 15 for the full sum).
     */
    @Test
    @Tag("statistical")
    void maskedMessages_areUniform_andOnlyTheFullSumDecodes() {
        int n = 4;
        DdgParams p = DdgParams.choose(100, 40, n, 1, 1.0, 1.3, 1000);
        DdgCodec codec = new DdgCodec(p, 5);
        int bits = p.bits();
        byte[][][] keys = PairwiseMasksTest.randomPairKeys(n, 99);
        double[][] sums = new double[n][];
        double[] truth = new double[100];
        for (int party = 0; party < n; party++) {
            sums[party] = gaussian(100, 0.3, 1000 + party);
            for (int i = 0; i < 100; i++) {
                truth[i] += sums[party][i];
            }
        }
        double noiseStd = Math.sqrt(n * (double) p.localVariance()) / p.scale();
        int reps = 100;
        long[][] singleTop = new long[n][256];
        long[][] leaveOneOutTop = new long[n][256];
        long[] unmaskedTop = new long[256];
        RandomSource rng = rng(8);
        for (int r = 0; r < reps; r++) {
            long[][] messages = new long[n][];
            long[] unmaskedTotal = new long[128];
            for (int party = 0; party < n; party++) {
                long[] share = codec.encode(sums[party], rng);
                ModularSum.addInto(unmaskedTotal, share, bits);
                if (party == 0) {
                    count(unmaskedTop, share, bits);
                }
                PairwiseMasks.apply(share, party, keys[party], r, bits);
                messages[party] = share;
                count(singleTop[party], share, bits);
            }
            long[] full = new long[128];
            for (long[] msg : messages) {
                ModularSum.addInto(full, msg, bits);
            }
            assertArrayEquals(unmaskedTotal, full, "the masks must cancel");
            double[] decoded = codec.decode(full);
            for (int i = 0; i < 100; i++) {
                int k = i;
                assertTrue(Math.abs(decoded[i] - truth[i]) < 8 * noiseStd, () -> "coordinate " + k + ": "
                        + decoded[k] + " vs " + truth[k]);
            }
            for (int out = 0; out < n; out++) {
                long[] partial = new long[128];
                for (int party = 0; party < n; party++) {
                    if (party != out) {
                        ModularSum.addInto(partial, messages[party], bits);
                    }
                }
                count(leaveOneOutTop[out], partial, bits);
                assertTrue(distance(codec.decode(partial), truth) > 1000, "without party " + out);
            }
        }
        for (int party = 0; party < n; party++) {
            double pSingle = uniformityP(singleTop[party]);
            assertTrue(pSingle >= ALPHA, "party " + party + "'s message: p = " + pSingle);
            double pPartial = uniformityP(leaveOneOutTop[party]);
            assertTrue(pPartial >= ALPHA, "all but party " + party + ": p = " + pPartial);
        }
        assertTrue(uniformityP(unmaskedTop) < ALPHA, "the unmasked share looks uniform: the test has no power");
    }

    private static void count(long[] counts, long[] message, int bits) {
        for (long v : message) {
            assertTrue(v >= 0 && v < (1L << bits));
            counts[(int) (v >>> (bits - 8))]++;
        }
    }

    private static double uniformityP(long[] counts) {
        long total = Arrays.stream(counts).sum();
        double expected = total / 256.0;
        double stat = 0;
        for (long c : counts) {
            stat += (c - expected) * (c - expected) / expected;
        }
        return StatTestSupport.chiSquareSurvival(stat, 255);
    }

    /**
     * (4) Determinism and the documented pipeline: the same stream gives the same share; encodeSigned is
     * round(scale * rotate(x)) drawing all rounding uniforms first, then N_Z(0, localVariance) per coordinate; encode
     * is its reduction mod 2^b; decodeSigned of a signed total equals decode of its reduction.
     */
    @Test
    void encode_isDeterministicInTheStream_andFollowsTheDocumentedPipeline() {
        DdgParams p = DdgParams.choose(105, 40, 2, 0, 1.0, 1.0, 32561);
        DdgCodec codec = new DdgCodec(p, 11);
        assertEquals(p, codec.params());
        double[] x = gaussian(105, 0.1, 3);
        assertArrayEquals(codec.encode(x, rng(1)), codec.encode(x, rng(1)));
        assertFalse(Arrays.equals(codec.encode(x, rng(1)), codec.encode(x, rng(2))));

        RandomSource manual = rng(6);
        double[] y = new RandomizedHadamard(105, 128, 11).rotate(x);
        for (int i = 0; i < y.length; i++) {
            y[i] *= p.scale();
        }
        long[] expected = StochasticRounding.round(y, manual);
        DiscreteGaussian.addTo(expected, p.localVariance(), manual);
        long[] signed = codec.encodeSigned(x, rng(6));
        assertArrayEquals(expected, signed);
        long[] reduced = codec.encode(x, rng(6));
        for (int i = 0; i < signed.length; i++) {
            assertEquals(ModularSum.reduce(signed[i], p.bits()), reduced[i]);
        }
        assertArrayEquals(codec.decodeSigned(signed), codec.decode(reduced));
    }

    @Test
    void wrongLengths_areRefused() {
        DdgCodec codec = new DdgCodec(DdgParams.choose(105, 40, 2, 0, 1.0, 1.0, 32561), 1);
        assertThrows(IllegalArgumentException.class, () -> codec.encode(new double[128], rng(0)));
        assertThrows(IllegalArgumentException.class, () -> codec.decode(new long[105]));
        assertThrows(IllegalArgumentException.class, () -> codec.decodeSigned(new long[105]));
        double[] bad = new double[105];
        bad[7] = Double.NaN;
        assertThrows(IllegalArgumentException.class, () -> codec.encode(bad, rng(0)));
    }
}
