package org.dpspark.datasets.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The fixed DCT feature transform: formula, golden values, orthonormality, parsing. */
class LowPassDctTest {

    @Test
    void basis_entries_matchCosineFormulaAndScipy() {
        double[] c = LowPassDct.basis(28, 28);
        // golden values: scipy.fft.dct(numpy.eye(28), type=2, norm="ortho", axis=0)[u, i] (scipy 1.17.1)
        assertEquals(0.18898223650461363, c[0 * 28 + 0], 1e-14);
        assertEquals(0.2668407905403281, c[1 * 28 + 0], 1e-14);
        assertEquals(-0.2668407905403281, c[1 * 28 + 27], 1e-14);
        assertEquals(0.07398740258886638, c[5 * 28 + 13], 1e-14);
        assertEquals(-0.014985457363196952, c[27 * 28 + 27], 1e-14);
        // and the formula itself: sqrt(2/N) cos(pi (2i+1) u / 2N) for u > 0
        assertEquals(Math.sqrt(2.0 / 28) * Math.cos(Math.PI * 7 * 3 / 56.0), c[3 * 28 + 3], 1e-14);
    }

    @Test
    void fullBasis_isOrthonormal() {
        for (int n : new int[] {1, 2, 5, 28}) {
            double[] c = LowPassDct.basis(n, n);
            for (int u = 0; u < n; u++) {
                for (int v = 0; v < n; v++) {
                    double dot = 0;
                    for (int i = 0; i < n; i++) {
                        dot += c[u * n + i] * c[v * n + i];
                    }
                    assertEquals(u == v ? 1.0 : 0.0, dot, 1e-13, "n " + n + ", rows " + u + ", " + v);
                }
            }
        }
    }

    @Test
    void apply_smallImage_matchesScipyDctn() {
        // x[i][j] = ((3 i + 7 j) mod 11) / 10 on a 4 x 5 image; golden values: the top-left 3 x 3 block of
        // scipy.fft.dctn(x, type=2, norm="ortho") (an independent implementation, FFT-based)
        double[] x = new double[20];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 5; j++) {
                x[i * 5 + j] = ((3 * i + 7 * j) % 11) / 10.0;
            }
        }
        double[] expected = {2.3702320561497774, -0.07873749722376391, -0.10749172917167031, 0.0554949527724552,
            -0.5006321406614339, -0.2735613519655407, 3.925231146709438e-17, -0.20446141895310144,
            0.24035881344685167};
        double[] out = new double[2 + 9];
        new LowPassDct(4, 5, 3).apply(x, 0, out, 2);
        for (int k = 0; k < 9; k++) {
            assertEquals(expected[k], out[2 + k], 1e-14, "coefficient " + k);
        }
    }

    @Test
    void apply_mnistSized_matchesDirectDoubleSumAndContracts() {
        SplittableRandom r = new SplittableRandom(11);
        double[] x = new double[5 + 784];
        for (int i = 5; i < x.length; i++) {
            x[i] = r.nextDouble();
        }
        LowPassDct dct = new LowPassDct(28, 28, 10);
        double[] out = new double[100];
        dct.apply(x, 5, out, 0);
        for (int u = 0; u < 10; u++) {
            for (int v = 0; v < 10; v++) {
                double direct = 0;
                for (int i = 0; i < 28; i++) {
                    for (int j = 0; j < 28; j++) {
                        direct += (u == 0 ? Math.sqrt(1 / 28.0) : Math.sqrt(2 / 28.0))
                                * (v == 0 ? Math.sqrt(1 / 28.0) : Math.sqrt(2 / 28.0))
                                * Math.cos(Math.PI * (2 * i + 1) * u / 56) * Math.cos(Math.PI * (2 * j + 1) * v / 56)
                                * x[5 + i * 28 + j];
                    }
                }
                assertEquals(direct, out[u * 10 + v], 1e-12, "X[" + u + "][" + v + "]");
            }
        }
        double in2 = 0;
        for (int i = 5; i < x.length; i++) {
            in2 += x[i] * x[i];
        }
        double out2 = 0;
        for (double c : out) {
            out2 += c * c;
        }
        assertTrue(out2 <= in2, "a truncated orthonormal transform never increases the norm");
        double[] full = new double[784];
        new LowPassDct(28, 28, 28).apply(x, 5, full, 0);
        double full2 = 0;
        for (double c : full) {
            full2 += c * c;
        }
        assertEquals(in2, full2, 1e-9 * in2, "Parseval: the full transform keeps the norm");
    }

    @Test
    void constantImage_onlyTheDcCoefficient() {
        double[] x = new double[784];
        java.util.Arrays.fill(x, 1.0);
        double[] out = new double[144];
        new LowPassDct(28, 28, 12).apply(x, 0, out, 0);
        assertEquals(28.0, out[0], 1e-12); // sqrt(H W) times the value
        for (int k = 1; k < out.length; k++) {
            assertEquals(0.0, out[k], 1e-12, "coefficient " + k);
        }
    }

    @Test
    void parse_squareImages_andRefusals() {
        LowPassDct d = LowPassDct.parse(" DCT:10 ", 784);
        assertEquals(new LowPassDct(28, 28, 10), d);
        assertEquals(784, d.inputSize());
        assertEquals(100, d.outputSize());
        assertEquals("dct:10", d.text());
        assertEquals(new LowPassDct(1, 1, 1), LowPassDct.parse("dct:1", 1));
        assertNotEquals(new LowPassDct(28, 28, 10), new LowPassDct(28, 28, 11));
        String[][] bad = {
            {"dct:0", "784", "K in [1, 28]"},
            {"dct:29", "784", "K in [1, 28]"},
            {"dct:-3", "784", "K in [1, 28]"},
            {"dct:x", "784", "integer K"},
            {"dct:", "784", "integer K"},
            {"pool:2", "784", "must be dct:K"},
            {"dct:4", "783", "not a perfect square"},
        };
        for (String[] b : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LowPassDct.parse(b[0], Integer.parseInt(b[1])), b[0]);
            assertTrue(e.getMessage().contains(b[2]), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
        assertThrows(IllegalArgumentException.class, () -> new LowPassDct(28, 20, 21));
        assertThrows(IllegalArgumentException.class, () -> new LowPassDct(0, 20, 1));
        assertThrows(IllegalArgumentException.class, () -> new LowPassDct(65536, 65536, 1));
    }

    @Test
    void serializable_roundTripKeepsTheTransform() throws IOException, ClassNotFoundException {
        LowPassDct d = new LowPassDct(28, 28, 10);
        LowPassDct back = JavaSerialization.roundTrip(d);
        assertEquals(d, back);
        double[] x = new double[784];
        for (int i = 0; i < 784; i++) {
            x[i] = (i * 37 % 256) / 255.0;
        }
        double[] a = new double[100];
        double[] b = new double[100];
        d.apply(x, 0, a, 0);
        back.apply(x, 0, b, 0);
        assertArrayEquals(a, b, 0.0);
    }
}
