package org.dpspark.core.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link NoiseAhead}: the same noise as in-line drawing, bit for bit, with the resume point counted right. */
class NoiseAheadTest {

    private static double[] base(int n, int step) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = Math.sin(i + 31.0 * step);
        }
        return v;
    }

    @Test
    void drawsTheSameVectorsAsInLineNoise_fromTheSameStream_andCountsOnlyDeliveredDraws() {
        int n = 1001;
        double std = 1.7;
        SecureGaussianNoise inline = SecureGaussianNoise.insecureSeededForTests(42L);
        try (NoiseAhead ahead = new NoiseAhead(SecureGaussianNoise.insecureSeededForTests(42L), n)) {
            assertEquals(0, ahead.draws(), "nothing delivered yet, although the first vector is being drawn");
            for (int step = 0; step < 5; step++) {
                double[] a = base(n, step);
                double[] b = base(n, step);
                inline.addTo(a, std * (step + 1));
                ahead.addTo(b, std * (step + 1));
                assertArrayEquals(a, b, 0.0, "step " + step);
                assertEquals(inline.draws(), ahead.draws(), "step " + step);
            }
            // std 0 adds nothing and takes nothing from the stream
            double[] z = base(n, 9);
            ahead.addTo(z, 0.0);
            assertArrayEquals(base(n, 9), z, 0.0);
            double[] a = base(n, 5);
            double[] b = base(n, 5);
            inline.addTo(a, std);
            ahead.addTo(b, std);
            assertArrayEquals(a, b, 0.0);
        }
    }

    @Test
    void aResumedStream_continuesWhereTheDeliveredVectorsEnded() {
        int n = 257;
        long draws;
        double[] third = base(n, 3);
        try (NoiseAhead first = new NoiseAhead(SecureGaussianNoise.insecureSeededForTests(7L), n)) {
            first.addTo(base(n, 1), 1.0);
            first.addTo(base(n, 2), 1.0);
            draws = first.draws();
            first.addTo(third, 1.0);
        }
        double[] resumed = base(n, 3);
        try (NoiseAhead second = new NoiseAhead(SecureGaussianNoise.insecureSeededForTests(7L, draws), n)) {
            second.addTo(resumed, 1.0);
        }
        assertArrayEquals(third, resumed, 0.0);
    }

    @Test
    void theNoiseIsStandardNormalTimesStd() {
        int n = 200_000;
        double std = 3.0;
        try (NoiseAhead ahead = new NoiseAhead(SecureGaussianNoise.create(), n)) {
            double[] v = new double[n];
            ahead.addTo(v, std);
            double mean = Arrays.stream(v).average().orElseThrow();
            double var = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / (n - 1);
            // 6 standard errors: mean's is std / sqrt(n) = 0.0067; the variance's is about std^2 sqrt(2 / n) = 0.028
            assertEquals(0.0, mean, 6 * std / Math.sqrt(n));
            assertEquals(std * std, var, 6 * std * std * Math.sqrt(2.0 / n));
            assertEquals(-1, ahead.draws(), "a secure stream is never continued");
        }
    }

    @Test
    void otherLengths_singleDraws_andBadStds_areRefused() {
        try (NoiseAhead ahead = new NoiseAhead(SecureGaussianNoise.insecureSeededForTests(1L), 10)) {
            assertThrows(IllegalArgumentException.class, () -> ahead.addTo(new double[11], 1.0));
            assertThrows(UnsupportedOperationException.class, () -> ahead.sample(1.0));
            assertThrows(IllegalArgumentException.class, () -> ahead.addTo(new double[10], Double.NaN));
            assertThrows(IllegalArgumentException.class, () -> ahead.addTo(new double[10], -1.0));
        }
        assertThrows(IllegalArgumentException.class, () -> new NoiseAhead(SecureGaussianNoise.create(), 0));
    }
}
