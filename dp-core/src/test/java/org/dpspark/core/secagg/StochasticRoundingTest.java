package org.dpspark.core.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import org.dpspark.core.StatTestSupport;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class StochasticRoundingTest {

    /**
     * Unbiased: for each x, the number of round-ups among n = 200,000 roundings is Binomial(n, x - floor(x)); it is
     * within Bernstein's deviation at 1e-6 of its mean (rigorous), so the mean of the results is x within
     * that deviation / n. 5 values: false failure at most 5e-6.
     */
    @Test
    @Tag("statistical")
    void round_isUnbiased() {
        double[] values = {0.3, -2.7, 12345.875, -0.001, 1e9 + 0.5};
        int n = 200_000;
        RandomSource rng = InsecureTestRandomness.seededSource(1);
        for (double x : values) {
            double[] xs = new double[n];
            java.util.Arrays.fill(xs, x);
            long[] r = StochasticRounding.round(xs, rng);
            double f = Math.floor(x);
            double frac = x - f;
            long ups = 0;
            for (long v : r) {
                if (v != (long) f && v != (long) f + 1) {
                    fail("x = " + x + " rounded to " + v);
                }
                ups += v - (long) f;
            }
            double dev = StatTestSupport.bernsteinDeviation(n * frac * (1 - frac), StatTestSupport.ALPHA);
            assertTrue(Math.abs(ups - n * frac) <= dev, "x = " + x + ": mean " + (f + (double) ups / n));
        }
    }

    /** Exactly floor(x + u) in real arithmetic (BigDecimal), u the stream's next double, on wide-ranging x. */
    @Test
    void round_isExactFloorOfXPlusU() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 20_000;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            double scale = Math.pow(2, r.nextInt(-70, 62));
            x[i] = (r.nextBoolean() ? 1 : -1) * scale * r.nextDouble();
        }
        x[0] = -1e-20;
        x[1] = 1e-20;
        x[2] = -1.0;
        x[3] = -0x1p-53;
        x[4] = 0x1p52 + 0.5;
        x[5] = -0.5;
        long[] rounded = StochasticRounding.round(x, InsecureTestRandomness.seededSource(4));
        RandomSource same = InsecureTestRandomness.seededSource(4);
        for (int i = 0; i < n; i++) {
            double u = same.nextDouble();
            long exact = new BigDecimal(x[i]).add(new BigDecimal(u)).setScale(0, RoundingMode.FLOOR).longValueExact();
            int k = i;
            assertEquals(exact, rounded[i], () -> "x = " + x[k] + ", u = " + u);
            assertTrue(Math.abs(rounded[i] - x[i]) < 1 || Math.abs(x[i]) >= 0x1p52, () -> "x = " + x[k]);
        }
    }

    @Test
    void round_integers_areUnchanged_andEachCoordinateUsesOneUniform() {
        double[] x = {0, -1, 1, 0x1p52, -0x1p53, 0x1p62, -0x1p63, 1e18, -7, 0x1p63 - 1024};
        RandomSource rng = InsecureTestRandomness.seededSource(5);
        long[] r = StochasticRounding.round(x, rng);
        long[] expected = {0, -1, 1, 1L << 52, -(1L << 53), 1L << 62, Long.MIN_VALUE, 1_000_000_000_000_000_000L, -7,
                Long.MAX_VALUE - 1023};
        assertArrayEquals(expected, r);
        RandomSource other = InsecureTestRandomness.seededSource(5);
        for (int i = 0; i < x.length; i++) {
            other.nextDouble();
        }
        assertEquals(other.nextLong(), rng.nextLong(), "one uniform per coordinate, in index order");
    }

    @Test
    void round_nonFiniteOrOutOfRange_isRefusedNamingTheIndex() {
        RandomSource rng = InsecureTestRandomness.seededSource(6);
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0x1p63, 1e19,
                -1e19, Math.nextDown(-0x1p63)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> StochasticRounding.round(new double[] {0.5, 1.5, bad}, rng));
            assertTrue(e.getMessage().contains("x[2]"), e.getMessage());
        }
    }
}
