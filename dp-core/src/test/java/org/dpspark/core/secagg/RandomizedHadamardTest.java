package org.dpspark.core.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The rotation against its definition: orthonormal, invertible, deterministic in the public seed, flattening. */
class RandomizedHadamardTest {

    private static double[] gaussian(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            // Box-Muller: any spread-out vector will do
            x[i] = Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
        }
        return x;
    }

    private static double norm(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v * v;
        }
        return Math.sqrt(s);
    }

    /** Against the dense definition y_i = sum_j (-1)^popcount(i &amp; j) s_j x_j / sqrt(d), at d = 8 and d = 64. */
    @Test
    void rotate_matchesDenseDefinition() {
        for (int[] dims : new int[][] {{5, 8}, {64, 64}, {33, 64}}) {
            RandomizedHadamard h = new RandomizedHadamard(dims[0], dims[1], 123);
            double[] x = gaussian(dims[0], 4);
            double[] y = h.rotate(x);
            assertEquals(dims[1], y.length);
            for (int i = 0; i < dims[1]; i++) {
                double expected = 0;
                for (int j = 0; j < dims[0]; j++) {
                    expected += (Integer.bitCount(i & j) % 2 == 0 ? 1 : -1) * h.sign(j) * x[j];
                }
                expected /= Math.sqrt(dims[1]);
                assertEquals(expected, y[i], 1e-12, "coordinate " + i);
            }
        }
    }

    @Test
    void rotate_preservesNormAndInnerProducts() {
        for (int[] dims : new int[][] {{100, 128}, {1000, 1024}, {64, 64}, {1, 1}, {1, 2}}) {
            RandomizedHadamard h = new RandomizedHadamard(dims[0], dims[1], 7);
            double[] x = gaussian(dims[0], 1);
            double[] z = gaussian(dims[0], 2);
            double[] rx = h.rotate(x);
            double[] rz = h.rotate(z);
            assertEquals(norm(x), norm(rx), 1e-12 * norm(x));
            double dot = 0;
            double rdot = 0;
            for (int i = 0; i < x.length; i++) {
                dot += x[i] * z[i];
            }
            for (int i = 0; i < rx.length; i++) {
                rdot += rx[i] * rz[i];
            }
            assertEquals(dot, rdot, 1e-12 * norm(x) * norm(z));
        }
    }

    /** inverse(rotate(x)) == x within 1e-12 of |x| (in L2), up to d = 32768. */
    @Test
    void inverse_undoesRotate() {
        for (int[] dims : new int[][] {{100, 128}, {30000, 32768}, {128, 128}, {3, 4}}) {
            RandomizedHadamard h = new RandomizedHadamard(dims[0], dims[1], -99);
            double[] x = gaussian(dims[0], 3);
            double[] back = h.inverse(h.rotate(x));
            assertEquals(dims[0], back.length);
            double err = 0;
            for (int i = 0; i < x.length; i++) {
                err += (back[i] - x[i]) * (back[i] - x[i]);
            }
            assertTrue(Math.sqrt(err) <= 1e-12 * norm(x), "d = " + dims[1] + ": error " + Math.sqrt(err));
        }
    }

    /** A unit vector's rotation is flat: every coordinate is +-1/sqrt(d). */
    @Test
    void rotate_unitVector_isFlat() {
        int dim = 100;
        int d = 128;
        RandomizedHadamard h = new RandomizedHadamard(dim, d, 5);
        for (int k = 0; k < dim; k++) {
            double[] e = new double[dim];
            e[k] = 1;
            for (double y : h.rotate(e)) {
                assertEquals(1 / Math.sqrt(d), Math.abs(y), 1e-15);
            }
        }
    }

    @Test
    void signs_areDeterministicInTheSeed() {
        RandomizedHadamard a = new RandomizedHadamard(100, 128, 42);
        RandomizedHadamard b = new RandomizedHadamard(100, 128, 42);
        RandomizedHadamard c = new RandomizedHadamard(100, 128, 43);
        double[] x = gaussian(100, 9);
        assertArrayEquals(a.rotate(x), b.rotate(x));
        int differing = 0;
        for (int i = 0; i < 128; i++) {
            assertTrue(a.sign(i) == 1.0 || a.sign(i) == -1.0);
            assertEquals(a.sign(i), b.sign(i));
            if (a.sign(i) != c.sign(i)) {
                differing++;
            }
        }
        // Independent fair signs: Binomial(128, 1/2) differ; fewer than 20 has probability below 1e-16.
        assertTrue(differing > 20, differing + " of 128 signs differ");
        assertNotEquals(java.util.Arrays.toString(a.rotate(x)), java.util.Arrays.toString(c.rotate(x)));
    }

    @Test
    void invalidShapes_areRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RandomizedHadamard(100, 100, 0));
        assertThrows(IllegalArgumentException.class, () -> new RandomizedHadamard(129, 128, 0));
        assertThrows(IllegalArgumentException.class, () -> new RandomizedHadamard(0, 1, 0));
        RandomizedHadamard h = new RandomizedHadamard(100, 128, 0);
        assertThrows(IllegalArgumentException.class, () -> h.rotate(new double[128]));
        assertThrows(IllegalArgumentException.class, () -> h.inverse(new double[100]));
    }
}
