package org.dpspark.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dpspark.core.clip.L2Clipping;
import org.dpspark.core.random.RandomSource;

/** Checks shared by the model tests: finite differences, fused versus generic clipping, the clip bound. */
final class ModelTestSupport {

    private ModelTestSupport() {
    }

    /** The same model through the interface's generic (materialize, clip, add) path only. */
    static DpModel genericPathOf(DpModel m) {
        return new DpModel() {
            @Override
            public int numFeatures() {
                return m.numFeatures();
            }

            @Override
            public int numParams() {
                return m.numParams();
            }

            @Override
            public double[] initialParams() {
                return m.initialParams();
            }

            @Override
            public double lossAndGradient(double[] params, double[] x, int offset, double y, double[] gradOut) {
                return m.lossAndGradient(params, x, offset, y, gradOut);
            }

            @Override
            public double loss(double[] params, double[] x, int offset, double y) {
                return m.loss(params, x, offset, y);
            }
        };
    }

    static double[] randomVector(RandomSource rng, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (2 * rng.nextDouble() - 1) * scale;
        }
        return v;
    }

    /**
     * lossAndGradient's loss equals loss(), and every gradient coordinate matches the central finite difference
     * (L(p + h e_j) - L(p - h e_j)) / 2h, whose error is O(h^2 L''') + O(ulp(L) / h): about 1e-10 for h = 1e-5 and
     * losses of order 1, so a tolerance of 1e-6 (1 + |fd|) only fails for a wrong gradient.
     */
    static void assertGradientMatchesFiniteDifferences(DpModel m, double[] params, double[] x, int offset,
            double y, String context) {
        double h = 1e-5;
        double[] grad = new double[m.numParams()];
        double loss = m.lossAndGradient(params, x, offset, y, grad);
        assertEquals(m.loss(params, x, offset, y), loss, 1e-12 * (1 + Math.abs(loss)), context);
        for (int j = 0; j < m.numParams(); j++) {
            double saved = params[j];
            params[j] = saved + h;
            double up = m.loss(params, x, offset, y);
            params[j] = saved - h;
            double down = m.loss(params, x, offset, y);
            params[j] = saved;
            double fd = (up - down) / (2 * h);
            assertEquals(fd, grad[j], 1e-6 * (1 + Math.abs(fd)), "coordinate " + j + ", " + context);
        }
    }

    /**
     * The model's addClippedGradient (with its own scratchSize) adds the same vector as the generic path
     * (materialize, clip, add), returns the same loss, and adds at most clipNorm in L2 norm.
     */
    static void assertFusedEqualsGenericWithinBound(DpModel m, double[] params, double[] x, int offset, double y,
            double clipNorm, String context) {
        int p = m.numParams();
        double[] fused = new double[p];
        double[] generic = new double[p];
        double lossFused = m.addClippedGradient(params, x, offset, y, clipNorm, fused, new double[m.scratchSize()]);
        double lossGeneric = genericPathOf(m).addClippedGradient(params, x, offset, y, clipNorm, generic,
                new double[p]);
        assertEquals(lossGeneric, lossFused, 1e-12 * (1 + Math.abs(lossGeneric)), context);
        double norm = L2Clipping.norm(fused, 0, p);
        assertTrue(norm <= clipNorm * (1 + 1e-12), "norm " + norm + " > " + clipNorm + ", " + context);
        for (int j = 0; j < p; j++) {
            assertEquals(generic[j], fused[j], 1e-12 * clipNorm, "coordinate " + j + ", " + context);
        }
    }
}
