package org.dpspark.core.noise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dpspark.core.StatTestSupport;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.core.random.RandomSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class ZigguratTest {

    @Test
    void constants_matchMarsagliaTsang2000_andHighPrecisionV() {
        // Published for 256 boxes in Marsaglia & Tsang (2000): R = 3.6541528853610088, V = 4.92867323399e-3
        // (V printed to about 11 significant digits).
        assertEquals(3.6541528853610088, Ziggurat.R, 1e-13);
        assertEquals(4.92867323399e-3, Ziggurat.V, 2e-14);
        // V = R f(R) + sqrt(pi/2) erfc(R / sqrt 2) at that R, evaluated with 40-digit arithmetic (mpmath).
        assertEquals(0.0049286732339746548702, Ziggurat.V, 1e-16);
    }

    @Test
    void fromWords_equalsFromBitsWordByWord_includingTheTailTheWedgesAndTheTopBox() {
        RandomSource words = CsprngStream.derive(CsprngStream.newSecretKey(), 1);
        int n = 20_000;
        long[] w = new long[n];
        for (int k = 0; k < n; k++) {
            w[k] = words.nextLong();
        }
        // forced cases: box 0 with the largest abscissa (the tail), box 255 (always the wedge test), both signs
        w[10] = 0xFFFF_FFFF_FFFF_FE00L;
        w[11] = 0xFFFF_FFFF_FFFF_FF00L;
        w[12] = 0x8000_0000_0000_00FFL;
        w[13] = 0x8000_0000_0000_01FFL;
        w[14] = 0L;
        w[15] = 0x100L;
        byte[] secret = CsprngStream.newSecretKey();
        double[] out = new double[n];
        Ziggurat.fromWords(w, n, out, new int[n], CsprngStream.derive(secret, 2));
        RandomSource extra = CsprngStream.derive(secret, 2);
        for (int k = 0; k < n; k++) {
            assertEquals(Double.doubleToRawLongBits(Ziggurat.fromBits(w[k], extra)), Double.doubleToRawLongBits(out[k]),
                    "word " + k);
        }
        assertTrue(out[10] > Ziggurat.R && out[11] < -Ziggurat.R, out[10] + ", " + out[11]);
        assertEquals(0x8000_0000_0000_0000L, Double.doubleToRawLongBits(out[15]), "-0.0 from the sign bit");
    }

    @Test
    void upperTail_matchesSimpsonQuadrature() {
        // Composite Simpson on [R, R + 12] (the rest is below 1e-30), written independently of the main code.
        double a = Ziggurat.R;
        double b = a + 12.0;
        int m = 200_000;
        double h = (b - a) / m;
        double s = Math.exp(-0.5 * a * a) + Math.exp(-0.5 * b * b);
        for (int k = 1; k < m; k++) {
            double t = a + k * h;
            s += (k % 2 == 1 ? 4.0 : 2.0) * Math.exp(-0.5 * t * t);
        }
        double simpson = s * h / 3.0;
        assertEquals(simpson, Ziggurat.upperTail(a), 1e-12 * simpson);
    }

    @Test
    void tables_everyBoxHasAreaV_andTheStackClosesAtTheTop() {
        double[] x = Ziggurat.xTable();
        double[] y = Ziggurat.yTable();
        double v = Ziggurat.V;
        assertEquals(v, x[0] * y[1], 1e-13 * v, "base box");
        assertEquals(v - Ziggurat.R * y[1], Ziggurat.upperTail(Ziggurat.R), 1e-12 * v, "base box beyond R = tail");
        for (int i = 1; i < Ziggurat.LAYERS; i++) {
            assertTrue(x[i + 1] < x[i], "X decreasing at " + i);
            assertEquals(v, x[i] * (y[i + 1] - y[i]), 1e-12 * v, "box " + i);
            assertEquals(Math.exp(-0.5 * x[i] * x[i]), y[i], 1e-15, "Y = f(X) at " + i);
        }
        assertEquals(0.0, x[Ziggurat.LAYERS]);
        assertTrue(y[Ziggurat.LAYERS] >= 1.0 && y[Ziggurat.LAYERS] < 1.0 + 1e-12, "top " + y[Ziggurat.LAYERS]);
    }

    /**
     * The raw (un-hardened) sampler is N(0, 1), on n = 4,000,000 draws: mean and second moment (normal
     * approximation, |z| &lt; 4.89 each), the frequency of 20 bins (Bernstein's bound at alpha/20 each, bins
     * chosen to isolate the tail beyond R, the wedges and the centre), and a KS test on the first 1,000,000
     * draws (DKW-Massart bound). Each of the four checks fails falsely with probability at most 1e-6, the test
     * with at most 4e-6.
     */
    @Test
    @Tag("statistical")
    void rawSampler_isStandardNormal() {
        RandomSource rng = CsprngStream.fromSecureRandom();
        int n = 4_000_000;
        double r = Ziggurat.R;
        double[] edges = {Double.NEGATIVE_INFINITY, -4.5, -r, -3, -2.5, -2, -1.5, -1, -0.5, -0.2, 0,
            0.2, 0.5, 1, 1.5, 2, 2.5, 3, r, 4.5, Double.POSITIVE_INFINITY};
        int bins = edges.length - 1;
        long[] counts = new long[bins];
        double[] ks = new double[1_000_000];
        double sum = 0.0;
        double sumSq = 0.0;
        for (int k = 0; k < n; k++) {
            double z = Ziggurat.next(rng);
            sum += z;
            sumSq += z * z;
            int b = 0;
            while (z >= edges[b + 1]) {
                b++;
            }
            counts[b]++;
            if (k < ks.length) {
                ks[k] = z;
            }
        }
        double zCrit = StatTestSupport.zTwoSided(StatTestSupport.ALPHA);
        assertTrue(Math.abs(sum / n) * Math.sqrt(n) < zCrit, "mean " + sum / n);
        assertTrue(Math.abs(sumSq / n - 1.0) / Math.sqrt(2.0 / n) < zCrit, "second moment " + sumSq / n);
        for (int b = 0; b < bins; b++) {
            double p = StatTestSupport.normalCdf(edges[b + 1]) - StatTestSupport.normalCdf(edges[b]);
            double tolerance = StatTestSupport.bernsteinDeviation(n * p * (1 - p), StatTestSupport.ALPHA / bins);
            assertTrue(Math.abs(counts[b] - n * p) < tolerance,
                    "bin [" + edges[b] + ", " + edges[b + 1] + "): " + counts[b] + " vs expected " + n * p);
        }
        double d = StatTestSupport.ksStatistic(ks, StatTestSupport::normalCdf);
        assertTrue(d < StatTestSupport.ksCritical(ks.length, StatTestSupport.ALPHA), "KS D = " + d);
    }

    /**
     * The tail sampler (Marsaglia 1964) draws from the normal law conditioned on x &gt; R: KS test of 200,000 draws
     * against F(x) = 1 - Q(x)/Q(R), Q(x) = Phi(-x), with the DKW-Massart critical value at 1e-6. The tail holds
     * only 2.6e-4 of the mass, so the whole-distribution test above cannot see its shape.
     */
    @Test
    @Tag("statistical")
    void tailSampler_isTheNormalTailBeyondR() {
        RandomSource rng = CsprngStream.fromSecureRandom();
        int n = 200_000;
        double[] draws = new double[n];
        for (int k = 0; k < n; k++) {
            draws[k] = Ziggurat.tail(rng);
            assertTrue(draws[k] > Ziggurat.R);
        }
        double qR = StatTestSupport.normalCdf(-Ziggurat.R);
        double d = StatTestSupport.ksStatistic(draws, x -> 1.0 - StatTestSupport.normalCdf(-x) / qR);
        assertTrue(d < StatTestSupport.ksCritical(n, StatTestSupport.ALPHA), "KS D = " + d);
    }
}
