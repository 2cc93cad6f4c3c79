package org.dpspark.core.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GroupNormTest {

    @Test
    void handWorkedExample() {
        // one group over [1, 2, 3, 4]: mean 2.5, biased variance 1.25
        double[] v = {9, 1, 2, 3, 4, 9};
        GroupNorm.apply(v, 1, 2, 2, 1, 1e-5);
        double s = Math.sqrt(1.25 + 1e-5);
        assertEquals(9, v[0]);
        assertEquals(-1.5 / s, v[1], 1e-15);
        assertEquals(-0.5 / s, v[2], 1e-15);
        assertEquals(0.5 / s, v[3], 1e-15);
        assertEquals(1.5 / s, v[4], 1e-15);
        assertEquals(9, v[5]);
    }

    @Test
    void matchesAnIndependentComputation() {
        SplittableRandom rnd = new SplittableRandom(3);
        int channels = 81;
        int spatial = 49;
        for (int groups : new int[] {1, 3, 27, 81}) {
            double[] v = new double[channels * spatial];
            for (int i = 0; i < v.length; i++) {
                v[i] = 5 + 3 * rnd.nextGaussian();
            }
            double[] expected = reference(v, channels, spatial, groups, 1e-5);
            GroupNorm.apply(v, 0, channels, spatial, groups, 1e-5);
            for (int i = 0; i < v.length; i++) {
                assertEquals(expected[i], v[i], 1e-12, "groups " + groups + ", index " + i);
            }
        }
    }

    /** Per channel-group, mean and variance in exact decimal arithmetic via E[x^2] - E[x]^2. */
    private static double[] reference(double[] v, int channels, int spatial, int groups, double eps) {
        int size = channels / groups * spatial;
        double[] out = new double[v.length];
        MathContext mc = MathContext.DECIMAL128;
        for (int g = 0; g < groups; g++) {
            BigDecimal sum = BigDecimal.ZERO;
            BigDecimal sumSq = BigDecimal.ZERO;
            for (int c = g * channels / groups; c < (g + 1) * channels / groups; c++) {
                for (int p = 0; p < spatial; p++) {
                    BigDecimal x = new BigDecimal(v[c * spatial + p]);
                    sum = sum.add(x, mc);
                    sumSq = sumSq.add(x.multiply(x, mc), mc);
                }
            }
            BigDecimal n = BigDecimal.valueOf(size);
            BigDecimal mean = sum.divide(n, mc);
            double var = sumSq.divide(n, mc).subtract(mean.multiply(mean, mc), mc).doubleValue();
            for (int i = g * size; i < (g + 1) * size; i++) {
                out[i] = (v[i] - mean.doubleValue()) / Math.sqrt(var + eps);
            }
        }
        return out;
    }

    @Test
    void outputNorm_isAtMostSqrtOfTheSize_whateverTheInput() {
        SplittableRandom rnd = new SplittableRandom(11);
        int channels = 12;
        int spatial = 10;
        for (int t = 0; t < 200; t++) {
            double scale = Math.pow(10, rnd.nextInt(-6, 7));
            double[] v = new double[channels * spatial];
            for (int i = 0; i < v.length; i++) {
                v[i] = t % 3 == 0 ? scale : scale * rnd.nextGaussian(); // constant groups too
            }
            GroupNorm.apply(v, 0, channels, spatial, 4, 1e-5);
            double total = 0;
            for (int g = 0; g < 4; g++) {
                double ss = 0;
                for (int i = g * 30; i < (g + 1) * 30; i++) {
                    ss += v[i] * v[i];
                }
                assertTrue(ss <= 30 * (1 + 1e-12), "group sum of squares " + ss);
                total += ss;
            }
            assertTrue(Math.sqrt(total) <= Math.sqrt(channels * spatial) * (1 + 1e-12));
        }
    }

    @Test
    void rejectsBadArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GroupNorm.apply(new double[81 * 49], 0, 81, 49, 4, 1e-5));
        assertTrue(e.getMessage().contains("groups 4") && e.getMessage().contains("81 channels"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GroupNorm.apply(new double[10], 0, 2, 5, 0, 1e-5));
        assertTrue(e.getMessage().contains("groups 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GroupNorm.apply(new double[10], 0, 2, 5, 1, 0));
        assertTrue(e.getMessage().contains("eps"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> GroupNorm.apply(new double[10], 1, 2, 5, 1, 1e-5));
    }
}
