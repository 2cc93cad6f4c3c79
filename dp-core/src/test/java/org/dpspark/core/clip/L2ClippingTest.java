package org.dpspark.core.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;
import org.junit.jupiter.api.Test;

class L2ClippingTest {

    /** Rounding slack on the bound: a few ulps of C. */
    private static final double ROUNDING = 1e-12;

    private static double naiveNorm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    @Test
    void norm_ordinaryVector_matchesNaive() {
        double[] v = {3.0, -4.0, 12.0};
        assertEquals(13.0, L2Clipping.norm(v, 0, 3), 1e-15);
        assertEquals(5.0, L2Clipping.norm(v, 0, 2), 1e-15);
        assertEquals(0.0, L2Clipping.norm(v, 1, 0));
    }

    @Test
    void norm_hugeAndTinyCoordinates_noOverflowOrUnderflow() {
        assertEquals(5e300, L2Clipping.norm(new double[] {3e300, 4e300}, 0, 2), 1e286);
        assertEquals(5e-300, L2Clipping.norm(new double[] {3e-300, 4e-300}, 0, 2), 1e-314);
        assertEquals(0.0, L2Clipping.norm(new double[] {0.0, -0.0}, 0, 2));
        assertTrue(Double.isNaN(L2Clipping.norm(new double[] {1.0, Double.NaN}, 0, 2)));
        assertEquals(Double.POSITIVE_INFINITY, L2Clipping.norm(new double[] {1.0, Double.NEGATIVE_INFINITY}, 0, 2));
    }

    @Test
    void factor_definition() {
        assertEquals(1.0, L2Clipping.factor(0.0, 1.0));
        assertEquals(1.0, L2Clipping.factor(0.5, 1.0));
        assertEquals(1.0, L2Clipping.factor(1.0, 1.0));
        assertEquals(0.25, L2Clipping.factor(8.0, 2.0));
        assertEquals(0.0, L2Clipping.factor(Double.POSITIVE_INFINITY, 2.0));
        assertEquals(0.0, L2Clipping.factor(Double.NaN, 2.0));
        assertThrows(IllegalArgumentException.class, () -> L2Clipping.factor(-1.0, 1.0));
    }

    @Test
    void invalidClipNorm_rejected() {
        for (double bad : new double[] {0.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> L2Clipping.factor(1.0, bad));
            assertTrue(e.getMessage().contains("clipNorm"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> L2Clipping.clipInPlace(new double[] {1.0}, bad));
        }
    }

    @Test
    void clip_gradientAboveBound_scaledToBound() {
        double[] v = {3.0, 4.0};
        assertEquals(0.2, L2Clipping.clipInPlace(v, 1.0), 1e-16);
        assertArrayEquals(new double[] {0.6, 0.8}, v, 1e-15);
    }

    @Test
    void clip_gradientWithinBound_unchanged() {
        double[] v = {0.3, 0.4};
        assertEquals(1.0, L2Clipping.clipInPlace(v, 1.0));
        assertArrayEquals(new double[] {0.3, 0.4}, v);
        double[] zero = new double[4];
        assertEquals(1.0, L2Clipping.clipInPlace(zero, 1.0));
        assertArrayEquals(new double[4], zero);
    }

    /** Randomized: norms from 1e-300 to 1e300, any dimension; clipped norm &lt;= C and direction kept. */
    @Test
    void clip_randomVectors_neverExceedBound_keepDirection() {
        RandomSource rng = InsecureTestRandomness.seededSource(1);
        for (int trial = 0; trial < 5000; trial++) {
            int dim = 1 + (int) (rng.nextDouble() * 50);
            double scale = Math.pow(10.0, -300 + 600 * rng.nextDouble());
            double clipNorm = Math.pow(10.0, -3 + 6 * rng.nextDouble());
            double[] v = new double[dim];
            for (int j = 0; j < dim; j++) {
                v[j] = (rng.nextDouble() - 0.5) * scale;
            }
            double[] original = v.clone();
            double before = L2Clipping.norm(v, 0, dim);
            double factor = L2Clipping.clipInPlace(v, clipNorm);
            double after = L2Clipping.norm(v, 0, dim);
            assertTrue(after <= clipNorm * (1 + ROUNDING), "norm " + after + " > " + clipNorm);
            if (before > clipNorm) {
                assertEquals(clipNorm, after, clipNorm * ROUNDING);
            } else {
                assertArrayEquals(original, v);
            }
            for (int j = 0; j < dim; j++) {
                assertEquals(original[j] * factor, v[j], Math.abs(v[j]) * ROUNDING + Double.MIN_NORMAL);
            }
        }
    }

    @Test
    void clip_finiteCoordinatesWithOverflowingNorm_clippedNotDropped() {
        double[] v = {Double.MAX_VALUE, -Double.MAX_VALUE, Double.MAX_VALUE};
        L2Clipping.clipInPlace(v, 3.0);
        double c = 3.0 / Math.sqrt(3.0);
        assertArrayEquals(new double[] {c, -c, c}, v, 1e-15);
    }

    @Test
    void clip_nanOrInfiniteCoordinate_zeroed() {
        double[] nan = {1.0, Double.NaN, 2.0};
        assertEquals(0.0, L2Clipping.clipInPlace(nan, 1.0));
        assertArrayEquals(new double[3], nan);
        double[] inf = {1.0, Double.POSITIVE_INFINITY};
        assertEquals(0.0, L2Clipping.clipInPlace(inf, 1.0));
        assertArrayEquals(new double[2], inf);
    }

    @Test
    void clip_range_leavesOutsideUntouched() {
        double[] v = {100.0, 3.0, 4.0, 100.0};
        L2Clipping.clipInPlace(v, 1, 2, 1.0);
        assertArrayEquals(new double[] {100.0, 0.6, 0.8, 100.0}, v, 1e-15);
        assertThrows(IndexOutOfBoundsException.class, () -> L2Clipping.clipInPlace(v, 3, 2, 1.0));
    }

    @Test
    void naiveNormHelper_agreesOnOrdinaryValues() {
        double[] v = {0.1, -0.2, 0.3};
        assertEquals(naiveNorm(v), L2Clipping.norm(v, 0, 3), 1e-16);
    }
}
