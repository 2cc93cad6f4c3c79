package org.dpspark.core.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.dpspark.core.clip.L2Clipping;
import org.dpspark.core.model.BinaryLogisticRegression;
import org.dpspark.core.params.InvalidParameterException;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;
import org.dpspark.core.sampling.PoissonSampler;
import org.junit.jupiter.api.Test;

class WhiteBoxCanariesTest {

    private static final PoissonSampler ALL = new PoissonSampler(1.0);

    @Test
    void rateOne_addsEveryCanaryOnce_atItsCoordinate_withValueMinOfRawNormAndClip() {
        int first = 5;
        int[] ids = {0, 2, 3, 7};
        for (double[] rawAndClip : new double[][] {{0.5, 1.0}, {1.0, 1.0}, {3.0, 0.7}, {1e6, 2.5}}) {
            double raw = rawAndClip[0];
            double clip = rawAndClip[1];
            WhiteBoxCanaries c = new WhiteBoxCanaries(first, ids, raw);
            double[] sum = new double[first + 8 + 1];
            for (int j = 0; j < sum.length; j++) {
                sum[j] = 0.125 * j; // added to, not overwritten
            }
            double[] before = sum.clone();
            int n = c.accumulate(ALL, InsecureTestRandomness.seededSource(1), clip, sum);
            assertEquals(ids.length, n);
            double expected = Math.min(raw, clip);
            for (int j = 0; j < sum.length; j++) {
                boolean canary = j >= first && java.util.Arrays.binarySearch(ids, j - first) >= 0;
                assertEquals(before[j] + (canary ? expected : 0.0), sum[j], 0.0, "coordinate " + j);
            }
        }
    }

    @Test
    void rawNormAboveClip_addsExactlyTheClipNorm_asL2ClippingOfTheDiracVector() {
        for (double raw : new double[] {1.0000001, 3.0, 7.3, 1e300}) {
            for (double clip : new double[] {0.1, 0.3, 1.0}) {
                double[] sum = new double[3];
                new WhiteBoxCanaries(1, new int[] {1}, raw).accumulate(ALL, InsecureTestRandomness.seededSource(2),
                        clip, sum);
                assertEquals(clip, sum[2], 0.0, "raw " + raw + " clip " + clip);
                assertEquals(clip, L2Clipping.norm(sum, 0, 3), 0.0);
                // the same vector through L2Clipping: equal up to the rounding of raw * (clip / raw)
                double[] dirac = {0.0, 0.0, raw};
                L2Clipping.clipInPlace(dirac, clip);
                assertEquals(dirac[2], sum[2], 2 * Math.ulp(clip));
            }
        }
    }

    @Test
    void infiniteOrHugeClip_addsTheRawNorm_asWhenClippingIsSkipped() {
        for (double clip : new double[] {Double.POSITIVE_INFINITY, Double.MAX_VALUE, 1e12}) {
            double[] sum = new double[4];
            int n = new WhiteBoxCanaries(0, new int[] {0, 1, 2, 3}, 42.0).accumulate(ALL,
                    InsecureTestRandomness.seededSource(3), clip, sum);
            assertEquals(4, n);
            assertArrayEquals(new double[] {42.0, 42.0, 42.0, 42.0}, sum, 0.0);
        }
    }

    /**
     * Each canary is sampled independently with rate q, like an example: over 3000 steps with distinct derived
     * streams, the total count of inclusions is Binomial(3000 m, q) and each canary's is Binomial(3000, q); both
     * must lie within 4 standard deviations. Each sampled canary adds exactly clip (raw 2 > clip 1), so the sum's
     * coordinate counts the canary's inclusions.
     */
    @Test
    void samplingRate_matchesQ_withinFourBinomialStandardDeviations() {
        double q = 0.1;
        int steps = 3000;
        int[] ids = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
        int m = ids.length;
        WhiteBoxCanaries c = new WhiteBoxCanaries(3, ids, 2.0);
        PoissonSampler sampler = new PoissonSampler(q);
        byte[] key = InsecureTestRandomness.seededSecretKey(2023);
        long total = 0;
        long[] perCanary = new long[m];
        for (int step = 0; step < steps; step++) {
            RandomSource rng = CsprngStream.derive(key, step, 0);
            double[] sum = new double[3 + m];
            int n = c.accumulate(sampler, rng, 1.0, sum);
            int seen = 0;
            for (int i = 0; i < m; i++) {
                double v = sum[3 + i];
                assertTrue(v == 0.0 || v == 1.0, "a canary is added at most once per step, with value clip");
                if (v == 1.0) {
                    perCanary[i]++;
                    seen++;
                }
            }
            assertEquals(seen, n);
            total += n;
        }
        double trials = (double) steps * m;
        assertEquals(q * trials, total, 4 * Math.sqrt(trials * q * (1 - q)));
        for (int i = 0; i < m; i++) {
            assertEquals(q * steps, perCanary[i], 4 * Math.sqrt(steps * q * (1 - q)), "canary " + i);
        }
    }

    @Test
    void scores_areInitialMinusFinal_onTheCanaryCoordinates() {
        double[] initial = {9.0, 9.0, 0.5, 0.5, 0.0, 9.0};
        double[] fin = {1.0, 1.0, 0.25, 0.75, 0.0, -4.0};
        assertArrayEquals(new double[] {0.25, -0.25, 0.0}, WhiteBoxCanaries.scores(initial, fin, 2, 3), 0.0);
        assertThrows(IndexOutOfBoundsException.class, () -> WhiteBoxCanaries.scores(initial, fin, 4, 3));
    }

    /**
     * The sign convention end to end, without noise: gradient descent on a padded model, with canaries 1 and 3 of 4
     * included; the included canaries' coordinates move down (positive scores), the others do not move (score 0).
     */
    @Test
    void scores_ofIncludedCanaries_arePositiveUnderGradientDescent() {
        CanaryPaddedModel model = new CanaryPaddedModel(new BinaryLogisticRegression(2), 4);
        double[] initial = model.initialParams();
        double[] params = initial.clone();
        int first = model.canaryCoordinate(0);
        WhiteBoxCanaries c = new WhiteBoxCanaries(first, new int[] {1, 3}, 5.0);
        double[] x = {1.0, -1.0};
        double lr = 0.1;
        for (int step = 0; step < 3; step++) {
            double[] sum = new double[model.numParams()];
            model.addClippedGradient(params, x, 0, 1.0, 1.0, sum, new double[model.scratchSize()]);
            c.accumulate(ALL, InsecureTestRandomness.seededSource(step), 1.0, sum);
            for (int j = 0; j < params.length; j++) {
                params[j] -= lr * sum[j];
            }
        }
        double[] s = WhiteBoxCanaries.scores(initial, params, first, 4);
        assertEquals(0.0, s[0], 0.0);
        assertEquals(0.0, s[2], 0.0);
        assertEquals(3 * lr * 1.0, s[1], 1e-15);
        assertEquals(3 * lr * 1.0, s[3], 1e-15);
    }

    @Test
    void invalidArguments_refusedNamingTheParameter() {
        for (double bad : new double[] {0.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY}) {
            InvalidParameterException e = assertThrows(InvalidParameterException.class,
                    () -> new WhiteBoxCanaries(0, new int[] {0}, bad));
            assertEquals(List.of("rawNorm"), e.parameters());
        }
        for (int[] ids : new int[][] {{-1}, {2, 2}, {3, 1}}) {
            InvalidParameterException e = assertThrows(InvalidParameterException.class,
                    () -> new WhiteBoxCanaries(0, ids, 1.0));
            assertEquals(List.of("canaryIds"), e.parameters());
        }
        assertEquals(List.of("firstCoordinate"), assertThrows(InvalidParameterException.class,
                () -> new WhiteBoxCanaries(-1, new int[] {0}, 1.0)).parameters());
        WhiteBoxCanaries c = new WhiteBoxCanaries(2, new int[] {0, 3}, 1.0);
        RandomSource rng = InsecureTestRandomness.seededSource(4);
        for (double bad : new double[] {0.0, -1.0, Double.NaN, Double.NEGATIVE_INFINITY}) {
            InvalidParameterException e = assertThrows(InvalidParameterException.class,
                    () -> c.accumulate(ALL, rng, bad, new double[6]));
            assertEquals(List.of("gradientClip"), e.parameters());
        }
        assertThrows(IllegalArgumentException.class, () -> c.accumulate(ALL, rng, 1.0, new double[5]));
        // the ids are copied: changing the caller's array changes nothing
        int[] ids = {0, 1};
        WhiteBoxCanaries copy = new WhiteBoxCanaries(0, ids, 1.0);
        ids[1] = 9;
        assertArrayEquals(new int[] {0, 1}, copy.canaryIds());
    }
}
