package org.dpspark.core.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The flip permutation, exact invariance of the reduced features, the norm bound, and P checked numerically. */
class FlipSymmetryTest {

    private static final Scattering2D MNIST = new Scattering2D(28, 28, 2, 8);

    @Test
    void permutationIsAnInvolution_withTheExpectedOrbits() {
        FlipSymmetry fs = new FlipSymmetry(MNIST);
        int[] p = fs.permutation();
        assertEquals(3969, p.length);
        boolean[] hit = new boolean[p.length];
        int fixed = 0;
        for (int i = 0; i < p.length; i++) {
            assertTrue(!hit[p[i]], "P is injective");
            hit[p[i]] = true;
            assertEquals(i, p[p[i]], "P is an involution");
            fixed += p[i] == i ? 1 : 0;
        }
        // fixed channels: S0, S1 theta in {3, 7} for j = 0, 1, S2 with both thetas in {3, 7}; times the middle column
        assertEquals(9 * 7, fixed);
        assertEquals((3969 + 63) / 2, fs.reducedSize());
        int[] ch = FlipSymmetry.channelPermutation(2, 8);
        assertEquals(0, ch[0]);
        assertEquals(1 + 6, ch[1]); // S1 j=0 theta=0 (angle 3 pi / 8) <-> theta=6 (angle -3 pi / 8)
        assertEquals(1 + 8 + 7, ch[1 + 8 + 7]); // theta=7 (angle -pi / 2) is fixed
        assertEquals(17 + 6 * 8 + 6, ch[17]); // S2 (n1 = 0, n2 = 8) <-> (n1 = 6, n2 = 8 + 6 = 14)
    }

    @Test
    void reducedFeaturesAreFlipInvariant_andWithinTheNormBound() {
        FlipSymmetry fs = new FlipSymmetry(MNIST);
        SplittableRandom rnd = new SplittableRandom(11);
        int d = MNIST.outputSize();
        for (int t = 0; t < 6; t++) {
            double[] x = strokes(rnd, 3);
            double[] xf = new double[784];
            FlipSymmetry.flipImage(x, 0, 28, 28, xf, 0);
            double[] fx = features(x, true);
            double[] ffx = features(xf, true);
            double[] r1 = new double[fs.reducedSize()];
            double[] r2 = new double[fs.reducedSize()];
            fs.reduce(fx, 0, ffx, 0, r1, 0);
            fs.reduce(ffx, 0, fx, 0, r2, 0); // sym(flip x): f(flip x) and f(flip flip x) = f(x)
            for (int i = 0; i < r1.length; i++) {
                assertEquals(r1[i], r2[i], 1e-12 * (1 + Math.abs(r1[i])));
            }
            double bound = Math.max(norm(fx), norm(ffx));
            assertTrue(norm(r1) <= bound * (1 + 1e-12), norm(r1) + " > " + bound);
            double[] s = new double[d];
            fs.symmetrize(fx, 0, ffx, 0, s, 0);
            assertTrue(norm(r1) <= norm(s) * (1 + 1e-12));
        }
        // worst case: a = b fixed by P keeps its whole norm (equality in the bound)
        int[] p = fs.permutation();
        double[] a = new double[d];
        for (int i = 0; i < d; i++) {
            if (p[i] >= i) {
                a[i] = rnd.nextGaussian();
                a[p[i]] = a[i];
            }
        }
        double[] r = new double[fs.reducedSize()];
        fs.reduce(a, 0, a, 0, r, 0);
        assertEquals(norm(a), norm(r), 1e-12 * norm(a));
        // arbitrary a, b: the bound
        for (int t = 0; t < 20; t++) {
            double[] b = new double[d];
            for (int i = 0; i < d; i++) {
                a[i] = rnd.nextGaussian() * (1 + i % 5);
                b[i] = rnd.nextGaussian();
            }
            fs.reduce(a, 0, b, 0, r, 0);
            assertTrue(norm(r) <= Math.max(norm(a), norm(b)) * (1 + 1e-12));
        }
    }

    /**
     * P derived numerically: the whole-map total of each channel of S(flip x) (no group norm) is closest to the
     * total of channel P(c) of S(x), among all channels, on images of oriented strokes; and the column reversal is
     * checked on S0 (the low-pass image) through correlation.
     */
    @Test
    void channelPermutationMatchesTheScatteringOfFlippedImages() {
        SplittableRandom rnd = new SplittableRandom(5);
        int channels = MNIST.channels();
        int spatial = 49;
        int[] p = FlipSymmetry.channelPermutation(2, 8);
        int images = 12;
        double[][] tot = new double[images][channels];
        double[][] totFlip = new double[images][channels];
        double corrReversed = 0;
        double corrSame = 0;
        for (int t = 0; t < images; t++) {
            double[] x = strokes(rnd, 2);
            double[] xf = new double[784];
            FlipSymmetry.flipImage(x, 0, 28, 28, xf, 0);
            double[] fx = features(x, false);
            double[] ffx = features(xf, false);
            for (int c = 0; c < channels; c++) {
                for (int s = 0; s < spatial; s++) {
                    tot[t][c] += fx[c * spatial + s];
                    totFlip[t][c] += ffx[c * spatial + s];
                }
            }
            for (int r = 0; r < 7; r++) {
                for (int k = 0; k < 7; k++) {
                    corrReversed += ffx[r * 7 + k] * fx[r * 7 + 6 - k];
                    corrSame += ffx[r * 7 + k] * fx[r * 7 + k];
                }
            }
        }
        assertTrue(corrReversed > corrSame);
        int agree = 0;
        for (int c = 0; c < channels; c++) {
            int best = -1;
            double bestErr = Double.MAX_VALUE;
            for (int c2 = 0; c2 < channels; c2++) {
                double err = 0;
                for (int t = 0; t < images; t++) {
                    double e = (totFlip[t][c] - tot[t][c2]) / (Math.abs(tot[t][c2]) + 1e-12);
                    err += e * e;
                }
                if (err < bestErr) {
                    bestErr = err;
                    best = c2;
                }
            }
            agree += best == p[c] ? 1 : 0;
        }
        assertEquals(channels, agree, "channels whose numerically closest match is P(c)");
    }

    private static double[] features(double[] x, boolean groupNorm) {
        double[] out = new double[MNIST.outputSize()];
        MNIST.apply(x, 0, out, 0);
        if (groupNorm) {
            GroupNorm.apply(out, 0, MNIST.channels(), 49, 27, 1e-5);
        }
        return out;
    }

    /** A 28 x 28 image of a few random oriented Gaussian strokes, values in [0, 1], away from the border. */
    private static double[] strokes(SplittableRandom rnd, int count) {
        double[] x = new double[784];
        for (int s = 0; s < count; s++) {
            double cy = 8 + 12 * rnd.nextDouble();
            double cx = 8 + 12 * rnd.nextDouble();
            double a = Math.PI * rnd.nextDouble();
            double len = 4 + 6 * rnd.nextDouble();
            for (int i = 0; i < 28; i++) {
                for (int j = 0; j < 28; j++) {
                    double dy = i - cy;
                    double dx = j - cx;
                    double along = dy * Math.cos(a) + dx * Math.sin(a);
                    double across = -dy * Math.sin(a) + dx * Math.cos(a);
                    double w = Math.exp(-across * across / 1.5) * Math.exp(-Math.max(0, Math.abs(along) - len)
                            * Math.max(0, Math.abs(along) - len) / 2);
                    x[i * 28 + j] = Math.min(1, x[i * 28 + j] + w);
                }
            }
        }
        return x;
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }
}
