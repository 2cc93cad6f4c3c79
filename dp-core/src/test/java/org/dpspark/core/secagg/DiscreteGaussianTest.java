package org.dpspark.core.secagg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.function.LongToDoubleFunction;
import org.dpspark.core.StatTestSupport;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The exact discrete Gaussian sampler against independent references: the pmf exp(-x^2 / 2V) normalized numerically
 * over a wide range (not the sampler's algorithm), exp(-gamma) from Math.exp for the Bernoulli building blocks, and
 * the moments of the normal law for large V. All streams are seeded (InsecureTestRandomness), so every run draws
 * the same numbers; the stated false-failure rates are those of a fresh seed.
 */
class DiscreteGaussianTest {

    private static final double ALPHA = StatTestSupport.ALPHA;
    private static final double Z = StatTestSupport.zTwoSided(ALPHA); // 4.89

    private static RandomSource rng(long seed) {
        return InsecureTestRandomness.seededSource(seed);
    }

    /**
     * Chi-square goodness of fit of 200,000 draws to the exact pmf, P(x) = exp(-x^2/2V) / sum_{|y| &lt;= 60 sqrt(V) + 10}
     * exp(-y^2/2V) (the mass beyond is below e^-1800). Bins: every x with expected count &gt;= 20 on its own, the two
     * tails beyond pooled into the outermost bins. Fails when the p-value is below 1e-6: false-failure rate 1e-6
     * (chi-square approximation with expected counts &gt;= 20) per V.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 3, 10})
    @Tag("statistical")
    void sample_smallSigma2_fitsExactPmf(long v) {
        int n = 200_000;
        RandomSource rng = rng(100 + v);
        long[] draws = new long[n];
        for (int i = 0; i < n; i++) {
            draws[i] = DiscreteGaussian.sample(v, rng);
        }
        double p = chiSquarePValue(draws, x -> Math.exp(-(double) x * x / (2.0 * v)), (int) (60 * Math.sqrt(v)) + 10);
        assertTrue(p >= ALPHA, "V = " + v + ": chi-square p-value " + p);
    }

    /**
     * Symmetry at V = 3 and V = 1e12: among 200,000 draws the positives and negatives are Binomial(m, 1/2) given
     * their total m (|z| &lt; 4.89: normal approximation, 1e-6 each), and for V = 3 the counts of x and -x for
     * x = 1..4 likewise (1e-6 each). False failure at most 6e-6.
     */
    @Test
    @Tag("statistical")
    void sample_isSymmetric() {
        for (long v : new long[] {3, 1_000_000_000_000L}) {
            RandomSource rng = rng(7 + v);
            int n = 200_000;
            long pos = 0;
            long neg = 0;
            long[] plus = new long[5];
            long[] minus = new long[5];
            for (int i = 0; i < n; i++) {
                long x = DiscreteGaussian.sample(v, rng);
                if (x > 0) {
                    pos++;
                    if (x < 5) {
                        plus[(int) x]++;
                    }
                } else if (x < 0) {
                    neg++;
                    if (x > -5) {
                        minus[(int) -x]++;
                    }
                }
            }
            double z = (pos - neg) / Math.sqrt(pos + neg);
            assertTrue(Math.abs(z) < Z, "V = " + v + ": " + pos + " positive vs " + neg + " negative, z = " + z);
            if (v == 3) {
                for (int x = 1; x < 5; x++) {
                    double zx = (plus[x] - minus[x]) / Math.sqrt(plus[x] + minus[x]);
                    assertTrue(Math.abs(zx) < Z, "x = +-" + x + ": " + plus[x] + " vs " + minus[x]);
                }
            }
        }
    }

    /**
     * Large V: the mean and variance of n draws against those of N(0, V) (the discrete Gaussian's variance differs
     * from V by a relative exp(-2 pi^2 V), nothing here). By the CLT the sample mean is N(0, V/n) and the mean of
     * the squares N(V, 2V^2/n) (fourth moment 3V^2): |z| &lt; 4.89 each, false failure 1e-6 per assertion, 6e-6 in all
     * (n = 200,000 at V = 1e12 and 1e14, 50,000 at V = 2^60, the largest accepted).
     */
    @Test
    @Tag("statistical")
    void sample_largeSigma2_hasMeanZeroAndVarianceSigma2() {
        long[] vs = {1_000_000_000_000L, 100_000_000_000_000L, 1L << 60};
        int[] ns = {200_000, 200_000, 50_000};
        for (int k = 0; k < vs.length; k++) {
            long v = vs[k];
            int n = ns[k];
            RandomSource rng = rng(31 + k);
            double sum = 0;
            double sumSq = 0;
            for (int i = 0; i < n; i++) {
                double x = DiscreteGaussian.sample(v, rng);
                sum += x;
                sumSq += x * x;
            }
            double zMean = (sum / n) / Math.sqrt((double) v / n);
            assertTrue(Math.abs(zMean) < Z, "V = " + v + ": mean " + sum / n + ", z = " + zMean);
            double zVar = (sumSq / n / v - 1) / Math.sqrt(2.0 / n);
            assertTrue(Math.abs(zVar) < Z, "V = " + v + ": variance ratio " + sumSq / n / v + ", z = " + zVar);
        }
    }

    /** addTo adds sample(...) to each coordinate in index order: the same stream, the same numbers. */
    @Test
    void addTo_addsSamplesInIndexOrder() {
        long[] v = {5, -3, 0, 1L << 40, 7, 11};
        long[] expected = v.clone();
        RandomSource a = rng(1);
        for (int i = 0; i < expected.length; i++) {
            expected[i] += DiscreteGaussian.sample(1_000_000, a);
        }
        DiscreteGaussian.addTo(v, 1_000_000, rng(1));
        assertEquals(Arrays.toString(expected), Arrays.toString(v));
        assertEquals(a.nextLong(), rngAfter(1, 1_000_000, 6).nextLong(), "addTo consumed a different amount");
    }

    private static RandomSource rngAfter(long seed, long sigma2, int draws) {
        RandomSource r = rng(seed);
        DiscreteGaussian.addTo(new long[draws], sigma2, r);
        return r;
    }

    @Test
    void sample_sameStream_sameDraws() {
        RandomSource a = rng(9);
        RandomSource b = rng(9);
        for (int i = 0; i < 1000; i++) {
            assertEquals(DiscreteGaussian.sample(100_000_000_000_000L, a),
                    DiscreteGaussian.sample(100_000_000_000_000L, b));
        }
    }

    @Test
    void sample_sigma2OutsideOneTo2Pow60_isRefused() {
        RandomSource r = rng(0);
        for (long bad : new long[] {0, -1, (1L << 60) + 1, Long.MAX_VALUE, Long.MIN_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DiscreteGaussian.sample(bad, r));
            assertTrue(e.getMessage().contains("sigma2"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> DiscreteGaussian.addTo(new long[1], bad, r));
        }
    }

    @Test
    void addTo_overflow_isRefusedNotWrapped() {
        long[] v = new long[64];
        Arrays.fill(v, Long.MAX_VALUE);
        // Every positive draw overflows: none among 64 has probability about 2^-64.
        assertThrows(ArithmeticException.class, () -> DiscreteGaussian.addTo(v, 1_000_000_000_000L, rng(3)));
    }

    // ---- the building blocks -------------------------------------------------------------------------------

    /** floorSqrt is exact at and around every square (s^2 - 1, s^2, s^2 + 2s) and at the ends. */
    @Test
    void floorSqrt_isExact() {
        assertEquals(0, DiscreteGaussian.floorSqrt(0));
        assertEquals(1L << 31, DiscreteGaussian.floorSqrt(1L << 62));
        assertEquals(1L << 30, DiscreteGaussian.floorSqrt(1L << 60));
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (int i = 0; i < 100_000; i++) {
            long s = 1 + r.nextLong(1L << 31);
            long sq = s * s;
            assertEquals(s, DiscreteGaussian.floorSqrt(sq));
            assertEquals(s - 1, DiscreteGaussian.floorSqrt(sq - 1));
            if (s < (1L << 31)) {
                assertEquals(s, DiscreteGaussian.floorSqrt(sq + 2 * s));
            }
        }
    }

    /**
     * CKS Algorithm 2 alone: Lap_Z(t) against P(x) proportional to exp(-|x|/t), t = 1 and 4, 200,000 draws each,
     * chi-square as above (p &gt;= 1e-6, false failure 1e-6 per t).
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 4})
    @Tag("statistical")
    void discreteLaplace_fitsExactPmf(long t) {
        RandomSource rng = rng(200 + t);
        long[] draws = new long[200_000];
        for (int i = 0; i < draws.length; i++) {
            draws[i] = DiscreteGaussian.discreteLaplace(t, rng);
        }
        double p = chiSquarePValue(draws, x -> Math.exp(-Math.abs((double) x) / t), (int) (60 * t) + 10);
        assertTrue(p >= ALPHA, "t = " + t + ": chi-square p-value " + p);
    }

    /**
     * Each Bernoulli(exp(-gamma)) of CKS Algorithm 1 against Math.exp: the number of ones in 400,000 draws is within
     * Bernstein's deviation at 1e-6 of its mean (rigorous, no normal approximation), for gamma = 1 (the constant
     * e^-1), 64-bit fractions, 128-bit fractions with gamma &lt; 1, = 1 and &gt; 1, and the BigInteger path with
     * 3-word denominators. 12 assertions: false failure at most 1.2e-5.
     */
    @Test
    @Tag("statistical")
    void bernoulliExp_frequencies_matchExpMinusGamma() {
        assertFrequency(Math.exp(-1), DiscreteGaussian::bernoulliExpMinusOne, rng(41), "exp(-1)");
        assertFrequency(Math.exp(-1.0 / 3), r -> DiscreteGaussian.bernoulliExpFraction(1, 3, r), rng(42), "1/3");
        assertFrequency(Math.exp(-6.0 / 7), r -> DiscreteGaussian.bernoulliExpFraction(6, 7, r), rng(43), "6/7");
        assertFrequency(1.0, r -> DiscreteGaussian.bernoulliExpFraction(0, 7, r), rng(44), "0/7");
        BigInteger den = BigInteger.valueOf(3).shiftLeft(100).add(BigInteger.valueOf(12345)); // ~2^101.6
        for (double gamma : new double[] {0.3, 1.0, 2.75, 6.2}) {
            BigInteger num = new java.math.BigDecimal(den).multiply(java.math.BigDecimal.valueOf(gamma)).toBigInteger();
            double exact = Math.exp(-new java.math.BigDecimal(num).divide(new java.math.BigDecimal(den),
                    java.math.MathContext.DECIMAL64).doubleValue());
            long nh = num.shiftRight(64).longValueExact();
            long nl = num.longValue();
            long dh = den.shiftRight(64).longValueExact();
            long dl = den.longValue();
            assertFrequency(exact, r -> DiscreteGaussian.bernoulliExp128(nh, nl, dh, dl, r), rng(50 + (long) (gamma * 10)),
                    "128-bit gamma " + gamma);
        }
        BigInteger big = BigInteger.ONE.shiftLeft(150).add(BigInteger.valueOf(987654321)); // 3 words
        for (double gamma : new double[] {0.45, 1.6}) {
            BigInteger num = new java.math.BigDecimal(big).multiply(java.math.BigDecimal.valueOf(gamma)).toBigInteger();
            assertFrequency(Math.exp(-gamma), r -> DiscreteGaussian.bernoulliExpBig(num, big, r), rng(70 + (long) (gamma * 10)),
                    "BigInteger gamma " + gamma);
        }
        // 64-bit denominator through the 128-bit path (denHi = 0) and the BigInteger path.
        assertFrequency(Math.exp(-5.0 / 11), r -> DiscreteGaussian.bernoulliExp128(0, 5, 0, 11, r), rng(80), "5/11");
        assertFrequency(Math.exp(-13.0 / 11), r -> DiscreteGaussian.bernoulliExpBig(BigInteger.valueOf(13),
                BigInteger.valueOf(11), r), rng(81), "13/11 big");
    }

    /**
     * The two-word acceptance test and the BigInteger one (used when |Y| t &gt;= 2^63) are the same function of the
     * same draws: on 20,000 random (num, den) of up to 127 bits, two identically seeded streams stay in step (the
     * same result, then the same next word). Likewise below128 and belowWords.
     */
    @Test
    void bernoulliExp128_andBigIntegerPath_agreeDrawForDraw() {
        java.util.Random r = new java.util.Random(17);
        RandomSource a = rng(18);
        RandomSource b = rng(18);
        for (int i = 0; i < 20_000; i++) {
            int denBits = 1 + r.nextInt(127);
            BigInteger den = new BigInteger(denBits, r).setBit(denBits - 1);
            BigInteger num = new BigInteger(1 + r.nextInt(Math.min(126, denBits + 3)), r);
            boolean fast = DiscreteGaussian.bernoulliExp128(num.shiftRight(64).longValueExact(), num.longValue(),
                    den.shiftRight(64).longValueExact(), den.longValue(), a);
            boolean slow = DiscreteGaussian.bernoulliExpBig(num, den, b);
            assertEquals(slow, fast, () -> "num " + num + ", den " + den);
            assertEquals(b.nextLong(), a.nextLong(), () -> "different draws for num " + num + ", den " + den);
            if (num.compareTo(den) < 0) {
                long[] denWords = den.bitLength() > 64
                        ? new long[] {den.shiftRight(64).longValue(), den.longValue()} : new long[] {den.longValue()};
                long[] numWords = den.bitLength() > 64
                        ? new long[] {num.shiftRight(64).longValue(), num.longValue()} : new long[] {num.longValue()};
                assertEquals(DiscreteGaussian.belowWords(numWords, denWords, b), DiscreteGaussian.below128(
                        num.shiftRight(64).longValue(), num.longValue(), den.shiftRight(64).longValue(),
                        den.longValue(), a));
                assertEquals(b.nextLong(), a.nextLong());
            }
        }
    }

    /**
     * uniformBelow has no modulo bias: for bound = 3 * 2^61, x mod bound would put half the draws below 2^61, the
     * uniform law a third (Bernstein at 1e-6 on 300,000 draws); small bounds are uniform by chi-square (p &gt;= 1e-6,
     * 7 and 1000 bins). bound 1 always gives 0. False failure at most 3e-6.
     */
    @Test
    @Tag("statistical")
    void uniformBelow_isUniformWithoutModuloBias() {
        RandomSource rng = rng(90);
        long bound = 3L << 61;
        int n = 300_000;
        long low = 0;
        for (int i = 0; i < n; i++) {
            long x = DiscreteGaussian.uniformBelow(bound, rng);
            assertTrue(x >= 0 && x < bound);
            if (x < (1L << 61)) {
                low++;
            }
        }
        assertTrue(Math.abs(low - n / 3.0) < StatTestSupport.bernsteinDeviation(n * (2.0 / 9), ALPHA),
                low + " of " + n + " below 2^61");
        for (int b : new int[] {7, 1000}) {
            long[] counts = new long[b];
            for (int i = 0; i < 100 * b; i++) {
                counts[(int) DiscreteGaussian.uniformBelow(b, rng)]++;
            }
            double stat = 0;
            for (long c : counts) {
                stat += (c - 100.0) * (c - 100.0) / 100.0;
            }
            double p = StatTestSupport.chiSquareSurvival(stat, b - 1);
            assertTrue(p >= ALPHA, "bound " + b + ": p = " + p);
        }
        for (int i = 0; i < 100; i++) {
            assertEquals(0, DiscreteGaussian.uniformBelow(1, rng));
        }
        for (int i = 0; i < 1000; i++) {
            long x = DiscreteGaussian.uniformBelow(Long.MAX_VALUE, rng);
            assertTrue(x >= 0 && x < Long.MAX_VALUE, "x = " + x);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private interface Trial {
        boolean draw(RandomSource rng);
    }

    private static void assertFrequency(double p, Trial trial, RandomSource rng, String what) {
        int n = 400_000;
        long ones = 0;
        for (int i = 0; i < n; i++) {
            if (trial.draw(rng)) {
                ones++;
            }
        }
        double dev = StatTestSupport.bernsteinDeviation(n * p * (1 - p), ALPHA);
        assertTrue(Math.abs(ones - n * p) <= dev, what + ": " + ones + " ones in " + n + ", expected " + n * p
                + " +- " + dev);
    }

    /**
     * The chi-square p-value of integer draws against the pmf proportional to weight(x) on [-range, range]: bins
     * of single values with expected count &gt;= 20, the rest of each tail pooled into its outermost bin.
     */
    private static double chiSquarePValue(long[] draws, LongToDoubleFunction weight, int range) {
        int n = draws.length;
        double[] w = new double[2 * range + 1];
        double total = 0;
        for (int x = -range; x <= range; x++) {
            w[x + range] = weight.applyAsDouble(x);
            total += w[x + range];
        }
        int lo = 0;
        while (n * w[lo] / total < 20) {
            lo++;
        }
        int hi = w.length - 1;
        while (n * w[hi] / total < 20) {
            hi--;
        }
        int bins = hi - lo + 1;
        double[] expected = new double[bins];
        for (int i = 0; i < w.length; i++) {
            expected[Math.min(Math.max(i, lo), hi) - lo] += n * w[i] / total;
        }
        long[] observed = new long[bins];
        for (long x : draws) {
            long i = Math.min(Math.max(x + range, lo), hi);
            observed[(int) (i - lo)]++;
        }
        double stat = 0;
        for (int b = 0; b < bins; b++) {
            double d = observed[b] - expected[b];
            stat += d * d / expected[b];
        }
        return StatTestSupport.chiSquareSurvival(stat, bins - 1);
    }
}
