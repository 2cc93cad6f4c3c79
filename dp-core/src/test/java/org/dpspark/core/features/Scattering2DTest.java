package org.dpspark.core.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Shape, the proven norm bound, determinism and thread safety, translation covariance, validation. */
class Scattering2DTest {

    private static final Scattering2D MNIST = new Scattering2D(28, 28, 2, 8);

    @Test
    void shape_asTramerAndBoneh() {
        assertEquals(81, MNIST.channels());
        assertEquals(7, MNIST.outputHeight());
        assertEquals(7, MNIST.outputWidth());
        assertEquals(784, MNIST.inputSize());
        assertEquals(3969, MNIST.outputSize());
        assertEquals(28, MNIST.height());
        assertEquals(28, MNIST.width());
        assertEquals(2, MNIST.j());
        assertEquals(8, MNIST.l());
        Scattering2D s = new Scattering2D(16, 20, 3, 6);
        assertEquals(1 + 3 * 6 + 36 * 3 * 2 / 2, s.channels());
        assertEquals(((16 + 8) / 8 + 1) - 2, s.outputHeight()); // Kymatio: padded 32 rows, / 8, minus 2
        assertEquals(((20 + 8) / 8 + 1) - 2, s.outputWidth());
    }

    @Test
    void normBound_holdsForRandomOnePixelAndHighFrequencyImages() {
        double bound = MNIST.normBound();
        assertTrue(bound > 0.5 && bound < 1.5, "normBound for 28 x 28, J = 2, L = 8 is " + bound); // 0.9848
        double worst = 0;
        SplittableRandom rnd = new SplittableRandom(20210101);
        for (int t = 0; t < 50; t++) {
            double[] x = new double[784];
            for (int i = 0; i < x.length; i++) {
                x[i] = t % 2 == 0 ? rnd.nextDouble() : rnd.nextGaussian();
            }
            worst = Math.max(worst, checkBound(MNIST, x));
        }
        for (int p = 0; p < 784; p++) { // every one-pixel image: the border pixels are copied by the padding
            double[] x = new double[784];
            x[p] = 1;
            worst = Math.max(worst, checkBound(MNIST, x));
        }
        for (double[] x : highFrequency(28, 28)) {
            worst = Math.max(worst, checkBound(MNIST, x));
        }
        // the largest ratio seen is 0.3125 (the pixel at row 1, column 1, copied by the padding), a constant image
        // gives 0.25: the bound is about 3 times the worst case seen
        assertTrue(worst > bound / 5, "largest ratio seen " + worst + " vs bound " + bound);

        Scattering2D small = new Scattering2D(8, 9, 2, 4);
        for (int p = 0; p < small.inputSize(); p++) {
            double[] x = new double[small.inputSize()];
            x[p] = -2.5;
            checkBound(small, x);
        }
        for (double[] x : highFrequency(8, 9)) {
            checkBound(small, x);
        }
    }

    /** Checkerboards, stripes and period-3 patterns: energy at the highest frequencies. */
    private static List<double[]> highFrequency(int h, int w) {
        List<double[]> list = new ArrayList<>();
        for (int kind = 0; kind < 6; kind++) {
            double[] x = new double[h * w];
            for (int r = 0; r < h; r++) {
                for (int c = 0; c < w; c++) {
                    x[r * w + c] = switch (kind) {
                        case 0 -> (r + c) % 2 == 0 ? 1 : -1;
                        case 1 -> r % 2 == 0 ? 1 : -1;
                        case 2 -> c % 2 == 0 ? 1 : -1;
                        case 3 -> Math.cos(2 * Math.PI * (r + 2 * c) / 3.0);
                        case 4 -> (r + c) % 2 == 0 ? 1 : 0;
                        default -> 1;
                    };
                }
            }
            list.add(x);
        }
        return list;
    }

    private static double checkBound(Scattering2D s, double[] x) {
        double[] out = new double[s.outputSize()];
        s.apply(x, 0, out, 0);
        double ratio = norm(out) / norm(x);
        assertTrue(ratio <= s.normBound(), "||S x|| / ||x|| = " + ratio + " > normBound " + s.normBound());
        return ratio;
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    @Test
    void apply_isDeterministicAndThreadSafe() throws Exception {
        int n = 200;
        SplittableRandom rnd = new SplittableRandom(7);
        double[] images = new double[n * 784];
        for (int i = 0; i < images.length; i++) {
            images[i] = rnd.nextDouble();
        }
        double[] expected = new double[n * MNIST.outputSize()];
        for (int e = 0; e < n; e++) {
            MNIST.apply(images, e * 784, expected, e * MNIST.outputSize());
        }
        double[] again = new double[expected.length];
        for (int e = 0; e < n; e++) {
            MNIST.apply(images, e * 784, again, e * MNIST.outputSize());
        }
        assertArrayEquals(expected, again);

        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<double[]>> results = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                final int shift = t;
                results.add(pool.submit(() -> {
                    double[] out = new double[expected.length];
                    for (int k = 0; k < n; k++) {
                        int e = (k + shift * n / 2) % n; // the threads work on different images at the same time
                        MNIST.apply(images, e * 784, out, e * MNIST.outputSize());
                    }
                    return out;
                }));
            }
            for (Future<double[]> f : results) {
                assertArrayEquals(expected, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void serialization_keepsTheTransform() throws Exception {
        Scattering2D s = new Scattering2D(12, 10, 2, 3);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
            o.writeObject(s);
        }
        Scattering2D copy;
        try (ObjectInputStream i = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (Scattering2D) i.readObject();
        }
        double[] x = new double[120];
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.sin(i * 0.7);
        }
        double[] a = new double[s.outputSize()];
        double[] b = new double[s.outputSize()];
        s.apply(x, 0, a, 0);
        copy.apply(x, 0, b, 0);
        assertArrayEquals(a, b);
        assertEquals(s.normBound(), copy.normBound());
    }

    @Test
    void positiveScaling_scalesTheOutput() {
        double[] x = new double[784];
        for (int i = 0; i < x.length; i++) {
            x[i] = ((i * 37) % 101) / 101.0;
        }
        double[] a = new double[3969];
        double[] b = new double[3969];
        MNIST.apply(x, 0, a, 0);
        for (int i = 0; i < x.length; i++) {
            x[i] *= 4; // a power of two: exact in floating point, and S(4 x) = 4 S(x) (modulus, linear filters)
        }
        MNIST.apply(x, 0, b, 0);
        for (int i = 0; i < a.length; i++) {
            assertEquals(4 * a[i], b[i], 1e-12);
        }
    }

    @Test
    void translationBy2PowJ_shiftsTheOutputByOneCell() {
        // a blob far from the borders, and the same blob 4 = 2^J rows lower and 4 columns to the right
        double[] x = new double[784];
        double[] y = new double[784];
        for (int r = 0; r < 5; r++) {
            for (int c = 0; c < 6; c++) {
                double v = 1 + Math.sin(r * 1.3 + c * 0.4);
                x[(8 + r) * 28 + 9 + c] = v;
                y[(12 + r) * 28 + 13 + c] = v;
            }
        }
        double[] sx = new double[3969];
        double[] sy = new double[3969];
        MNIST.apply(x, 0, sx, 0);
        MNIST.apply(y, 0, sy, 0);
        double max = 0;
        for (double v : sx) {
            max = Math.max(max, Math.abs(v));
        }
        for (int ch = 0; ch < 81; ch++) {
            for (int a = 0; a < 6; a++) {
                for (int b = 0; b < 6; b++) {
                    assertEquals(sx[ch * 49 + a * 7 + b], sy[ch * 49 + (a + 1) * 7 + b + 1], 1e-6 * max,
                            "channel " + ch + " cell " + a + "," + b);
                }
            }
        }
    }

    @Test
    void constructor_rejectsBadArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Scattering2D(28, 28, 0, 8));
        assertTrue(e.getMessage().contains("j must be >= 1, got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Scattering2D(28, 28, 2, 0));
        assertTrue(e.getMessage().contains("l must be >= 1, got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Scattering2D(3, 28, 2, 8));
        assertTrue(e.getMessage().contains("2^2") && e.getMessage().contains("height 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Scattering2D(28, 7, 3, 8));
        assertTrue(e.getMessage().contains("2^3") && e.getMessage().contains("width 7"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Scattering2D(28, 28, 40, 8));
        assertTrue(e.getMessage().contains("2^40"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Scattering2D(28, 28, 3, 100000));
        assertTrue(e.getMessage().contains("l = 100000"), e.getMessage());
        new Scattering2D(4, 4, 2, 1); // the smallest image for J = 2
    }

    @Test
    void apply_rejectsShortArrays() {
        assertThrows(IndexOutOfBoundsException.class, () -> MNIST.apply(new double[783], 0, new double[3969], 0));
        assertThrows(IndexOutOfBoundsException.class, () -> MNIST.apply(new double[784], 1, new double[3969], 0));
        assertThrows(IndexOutOfBoundsException.class, () -> MNIST.apply(new double[784], 0, new double[3969], 1));
    }
}
