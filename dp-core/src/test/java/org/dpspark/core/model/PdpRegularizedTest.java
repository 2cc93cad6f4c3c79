package org.dpspark.core.model;

import static org.dpspark.core.model.ModelTestSupport.randomVector;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import org.dpspark.core.params.InvalidParameterException;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;
import org.junit.jupiter.api.Test;

class PdpRegularizedTest {

    private static final int D = 5;
    private static final int K = 3;
    private static final int H = 4;

    /** One model of each supported kind, with a label valid for it. */
    private record Case(String name, DpModel model, double y) {
    }

    private static List<Case> cases() {
        return List.of(
                new Case("logistic", new BinaryLogisticRegression(D), 1.0),
                new Case("softmax", new SoftmaxRegression(D, K), 2.0),
                new Case("linear", new LinearRegression(D, -3.0, 3.0), 1.25),
                new Case("mlp", new Mlp(D, new int[] {H}, Mlp.Activation.TANH, K), 1.0),
                new Case("mlp-no-hidden", new Mlp(D, new int[] {}, Mlp.Activation.TANH, K), 0.0),
                new Case("mlp-two-hidden", new Mlp(D, new int[] {H, 2}, Mlp.Activation.TANH, K), 2.0));
    }

    /**
     * The term written out from each model's documented layout, independently of PdpRegularized: the weights
     * multiplying input j, squared, times x_j^2, times lambda.
     */
    private static double handTerm(DpModel m, double lambda, double[] p, double[] x, int off) {
        double s = 0.0;
        if (m instanceof BinaryLogisticRegression || m instanceof LinearRegression) {
            for (int j = 0; j < D; j++) {
                s += p[j] * p[j] * x[off + j] * x[off + j];
            }
        } else if (m instanceof SoftmaxRegression) {
            for (int j = 0; j < D; j++) {
                for (int k = 0; k < K; k++) {
                    double w = p[j * K + k];
                    s += w * w * x[off + j] * x[off + j];
                }
            }
        } else {
            Mlp mlp = (Mlp) m;
            int width = mlp.hidden().length == 0 ? mlp.numClasses() : mlp.hidden()[0];
            for (int j = 0; j < D; j++) {
                for (int i = 0; i < width; i++) {
                    double w = p[j * width + i];
                    s += w * w * x[off + j] * x[off + j];
                }
            }
        }
        return lambda * s;
    }

    /** The term's gradient, written out: 2 lambda w x_j^2 on each weight multiplying x_j, 0 elsewhere. */
    private static double[] handTermGradient(DpModel m, double lambda, double[] p, double[] x, int off) {
        double[] g = new double[m.numParams()];
        int width = m instanceof SoftmaxRegression ? K
                : m instanceof Mlp mlp ? (mlp.hidden().length == 0 ? mlp.numClasses() : mlp.hidden()[0])
                : 1;
        for (int j = 0; j < D; j++) {
            for (int i = 0; i < width; i++) {
                g[j * width + i] = 2 * lambda * p[j * width + i] * x[off + j] * x[off + j];
            }
        }
        return g;
    }

    private static double[] randomParams(DpModel m, RandomSource rng) {
        return randomVector(rng, m.numParams(), 1.0);
    }

    private static double norm(double[] v) {
        double s = 0.0;
        for (double a : v) {
            s += a * a;
        }
        return Math.sqrt(s);
    }

    @Test
    void term_handComputedValues() {
        // w = (1, 2), b = 5, x = (3, -1): lambda (1*9 + 4*1) = 13 lambda; the bias is not penalized
        PdpRegularized logistic = (PdpRegularized) PdpRegularized.wrap(new BinaryLogisticRegression(2), 0.5);
        assertEquals(6.5, logistic.term(new double[] {1, 2, 5}, new double[] {3, -1}, 0), 0.0);
        // softmax d = 2, K = 2: W = [[1, -1], [0, 3]], b = (7, 7); x = (2, 1): 4 * 2 + 1 * 9 = 17
        PdpRegularized softmax = (PdpRegularized) PdpRegularized.wrap(new SoftmaxRegression(2, 2), 2.0);
        assertEquals(34.0, softmax.term(new double[] {1, -1, 0, 3, 7, 7}, new double[] {2, 1}, 0), 0.0);
        // the MLP of MlpTest.forward_handComputedNetwork: W1 = [[1, -1], [2, 1]], x = (1, 0.5):
        // 1 * (1 + 1) + 0.25 * (4 + 1) = 3.25; W2 and the biases do not count
        PdpRegularized mlp = (PdpRegularized) PdpRegularized.wrap(
                new Mlp(2, new int[] {2}, Mlp.Activation.RELU, 2), 1.0);
        assertEquals(3.25, mlp.term(new double[] {1, -1, 2, 1, 0, 0.5, 1, 0, 0, 1, 0, 0}, new double[] {1, 0.5}, 0),
                0.0);
    }

    @Test
    void term_andLoss_matchIndependentFormula_forEachModel() {
        RandomSource rng = InsecureTestRandomness.seededSource(101);
        double lambda = 0.7;
        for (Case c : cases()) {
            PdpRegularized reg = (PdpRegularized) PdpRegularized.wrap(c.model(), lambda);
            assertSame(c.model(), reg.inner(), c.name());
            assertEquals(lambda, reg.strength(), 0.0, c.name());
            for (int trial = 0; trial < 10; trial++) {
                double[] p = randomParams(c.model(), rng);
                double[] x = randomVector(rng, D + 2, 2.0);
                x[2] = trial % 2 == 0 ? 0.0 : x[2];
                double expected = handTerm(c.model(), lambda, p, x, 1);
                assertTrue(expected > 0.0, c.name());
                assertEquals(expected, reg.term(p, x, 1), 1e-12 * expected, c.name() + " trial " + trial);
                double innerLoss = c.model().loss(p, x, 1, c.y());
                assertEquals(innerLoss + expected, reg.loss(p, x, 1, c.y()), 1e-12 * (innerLoss + expected),
                        c.name() + " trial " + trial);
            }
        }
    }

    @Test
    void term_ignoresBiasesAndDeeperLayers() {
        RandomSource rng = InsecureTestRandomness.seededSource(103);
        for (Case c : cases()) {
            PdpRegularized reg = (PdpRegularized) PdpRegularized.wrap(c.model(), 1.3);
            double[] p = randomParams(c.model(), rng);
            double[] x = randomVector(rng, D, 1.0);
            double before = reg.term(p, x, 0);
            double[] g = handTermGradient(c.model(), 1.0, p, x, 0);
            for (int i = 0; i < p.length; i++) {
                if (g[i] == 0.0) { // not a first-layer weight: a bias or a deeper layer's weight
                    p[i] += 10.0;
                }
            }
            assertEquals(before, reg.term(p, x, 0), 0.0, c.name());
        }
    }

    @Test
    void lossAndGradient_matchesCentralFiniteDifferences_forEachModel() {
        RandomSource rng = InsecureTestRandomness.seededSource(107);
        double lambda = 0.7;
        double h = 1e-5;
        for (Case c : cases()) {
            DpModel reg = PdpRegularized.wrap(c.model(), lambda);
            for (int trial = 0; trial < 6; trial++) {
                double[] p = randomParams(c.model(), rng);
                double[] x = randomVector(rng, D + 1, 2.0);
                double[] grad = new double[reg.numParams()];
                double loss = reg.lossAndGradient(p, x, 1, c.y(), grad);
                String ctx = c.name() + " trial " + trial;
                assertEquals(reg.loss(p, x, 1, c.y()), loss, 1e-12 * (1 + Math.abs(loss)), ctx);
                for (int j = 0; j < p.length; j++) {
                    double saved = p[j];
                    p[j] = saved + h;
                    double up = reg.loss(p, x, 1, c.y());
                    p[j] = saved - h;
                    double down = reg.loss(p, x, 1, c.y());
                    p[j] = saved;
                    double fd = (up - down) / (2 * h);
                    double relErr = Math.abs(grad[j] - fd) / Math.max(1.0, Math.abs(fd));
                    assertTrue(relErr < 1e-6, "coordinate " + j + ": " + grad[j] + " vs " + fd + ", " + ctx);
                }
            }
        }
    }

    @Test
    void gradient_isInnerGradientPlusHandWrittenTermGradient() {
        RandomSource rng = InsecureTestRandomness.seededSource(109);
        double lambda = 0.4;
        for (Case c : cases()) {
            DpModel reg = PdpRegularized.wrap(c.model(), lambda);
            double[] p = randomParams(c.model(), rng);
            double[] x = randomVector(rng, D, 2.0);
            double[] innerGrad = new double[p.length];
            c.model().lossAndGradient(p, x, 0, c.y(), innerGrad);
            double[] termGrad = handTermGradient(c.model(), lambda, p, x, 0);
            double[] grad = new double[p.length];
            java.util.Arrays.fill(grad, 123.0); // overwritten, not accumulated
            reg.lossAndGradient(p, x, 0, c.y(), grad);
            for (int i = 0; i < p.length; i++) {
                assertEquals(innerGrad[i] + termGrad[i], grad[i], 1e-12 * (1 + Math.abs(grad[i])),
                        c.name() + " coordinate " + i);
            }
        }
    }

    @Test
    void wrap_zeroStrength_returnsTheSameInstance() {
        for (Case c : cases()) {
            assertSame(c.model(), PdpRegularized.wrap(c.model(), 0.0), c.name());
            assertSame(c.model(), PdpRegularized.wrap(c.model(), -0.0), c.name());
        }
        // no term, nothing to support: any model passes through
        DpModel other = ModelTestSupport.genericPathOf(new BinaryLogisticRegression(2));
        assertSame(other, PdpRegularized.wrap(other, 0.0));
    }

    @Test
    void addClippedGradient_clipsTheRegularizedGradientAsAWhole() {
        RandomSource rng = InsecureTestRandomness.seededSource(113);
        double lambda = 0.8;
        double clipNorm = 0.3;
        for (Case c : cases()) {
            DpModel reg = PdpRegularized.wrap(c.model(), lambda);
            assertTrue(reg.scratchSize() >= reg.numParams(), c.name());
            int p = reg.numParams();
            double[] params = randomParams(c.model(), rng);
            double[] x = randomVector(rng, D, 2.0);
            // the regularized gradient, from the inner model and the hand-written term gradient
            double[] g = new double[p];
            double innerLoss = c.model().lossAndGradient(params, x, 0, c.y(), g);
            double[] tg = handTermGradient(c.model(), lambda, params, x, 0);
            for (int i = 0; i < p; i++) {
                g[i] += tg[i];
            }
            double gNorm = norm(g);
            assertTrue(gNorm > 2 * clipNorm, c.name() + ": clipping must be active, norm " + gNorm);

            double[] base = randomVector(rng, p, 1.0);
            double[] sum = base.clone();
            double loss = reg.addClippedGradient(params, x, 0, c.y(), clipNorm, sum, new double[reg.scratchSize()]);
            assertEquals(innerLoss + handTerm(c.model(), lambda, params, x, 0), loss, 1e-12 * (1 + Math.abs(loss)),
                    c.name());
            double[] added = new double[p];
            double dot = 0.0;
            for (int i = 0; i < p; i++) {
                added[i] = sum[i] - base[i];
                dot += added[i] * g[i];
                assertEquals(g[i] * clipNorm / gNorm, added[i], 1e-12, c.name() + " coordinate " + i);
            }
            double addedNorm = norm(added);
            assertTrue(addedNorm <= clipNorm * (1 + 1e-9), c.name() + ": norm " + addedNorm);
            assertEquals(1.0, dot / (addedNorm * gNorm), 1e-12, c.name() + ": direction");

            // the term is inside the clip: clipping the inner gradient alone and adding the term gives another vector
            double[] outside = new double[p];
            c.model().addClippedGradient(params, x, 0, c.y(), clipNorm, outside, new double[c.model().scratchSize()]);
            double diff = 0.0;
            for (int i = 0; i < p; i++) {
                diff = Math.max(diff, Math.abs(outside[i] + tg[i] - added[i]));
            }
            assertTrue(diff > 1e-3, c.name() + ": the term must not be added after clipping");
        }
    }

    @Test
    void addClippedGradient_unclippedWhenSmall_andExactlyClipNormForHugeStrength() {
        RandomSource rng = InsecureTestRandomness.seededSource(127);
        for (Case c : cases()) {
            double[] params = randomParams(c.model(), rng);
            double[] x = randomVector(rng, D, 1.0);
            int p = c.model().numParams();

            DpModel small = PdpRegularized.wrap(c.model(), 0.1);
            double[] g = new double[p];
            small.lossAndGradient(params, x, 0, c.y(), g);
            double[] sum = new double[p];
            small.addClippedGradient(params, x, 0, c.y(), 10 * norm(g), sum, new double[small.scratchSize()]);
            assertArrayEquals(g, sum, 0.0, c.name() + ": below the clip norm the gradient is added as is");

            DpModel huge = PdpRegularized.wrap(c.model(), 1e6);
            double clipNorm = 1.5;
            double[] hugeSum = new double[p];
            huge.addClippedGradient(params, x, 0, c.y(), clipNorm, hugeSum, new double[huge.scratchSize()]);
            assertEquals(clipNorm, norm(hugeSum), 1e-12 * clipNorm, c.name());
        }
    }

    @Test
    void addClippedGradient_nonFiniteRegularizedGradient_addsNothing() {
        // x_0^2 overflows: the term's gradient is infinite, so the example is dropped (loss still returned)
        DpModel reg = PdpRegularized.wrap(new BinaryLogisticRegression(2), 1.0);
        double[] sum = {1.0, 2.0, 3.0};
        double loss = reg.addClippedGradient(new double[] {0.5, 0.5, 0.0}, new double[] {1e200, 1.0}, 0, 1.0, 1.0,
                sum, new double[reg.scratchSize()]);
        assertArrayEquals(new double[] {1.0, 2.0, 3.0}, sum, 0.0);
        assertEquals(Double.POSITIVE_INFINITY, loss, "the term x_0^2 w_0^2 overflows");
    }

    @Test
    void wrap_badStrength_throwsNamingPdpStrength() {
        DpModel m = new BinaryLogisticRegression(3);
        for (double bad : new double[] {-1.0, -1e-300, Double.NaN, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY}) {
            InvalidParameterException e = assertThrows(InvalidParameterException.class,
                    () -> PdpRegularized.wrap(m, bad), "lambda " + bad);
            assertTrue(e.getMessage().contains("pdpStrength"), e.getMessage());
            assertEquals(List.of("pdpStrength"), e.parameters());
        }
    }

    @Test
    void wrap_unsupportedModel_throwsIllegalArgument() {
        DpModel other = ModelTestSupport.genericPathOf(new BinaryLogisticRegression(2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PdpRegularized.wrap(other, 0.5));
        assertFalse(e instanceof InvalidParameterException);
        DpModel once = PdpRegularized.wrap(new BinaryLogisticRegression(2), 0.5);
        assertThrows(IllegalArgumentException.class, () -> PdpRegularized.wrap(once, 0.5));
        assertThrows(NullPointerException.class, () -> PdpRegularized.wrap(null, 0.5));
    }

    @Test
    void prediction_andShape_delegateToInner() {
        RandomSource rng = InsecureTestRandomness.seededSource(131);
        for (Case c : cases()) {
            DpModel inner = c.model();
            DpModel reg = PdpRegularized.wrap(inner, 2.0);
            assertEquals(inner.numFeatures(), reg.numFeatures(), c.name());
            assertEquals(inner.numParams(), reg.numParams(), c.name());
            assertEquals(inner.numOutputs(), reg.numOutputs(), c.name());
            assertArrayEquals(inner.initialParams(InsecureTestRandomness.seededSource(7)),
                    reg.initialParams(InsecureTestRandomness.seededSource(7)), 0.0, c.name());
            double[] p = randomParams(inner, rng);
            double[] x = randomVector(rng, D, 1.0);
            double[] a = new double[inner.numOutputs()];
            double[] b = new double[inner.numOutputs()];
            inner.predict(p, x, 0, a, new double[inner.scratchSize()]);
            reg.predict(p, x, 0, b, new double[reg.scratchSize()]);
            assertArrayEquals(a, b, 0.0, c.name());
            inner.predictRaw(p, x, 0, a, new double[inner.scratchSize()]);
            reg.predictRaw(p, x, 0, b, new double[reg.scratchSize()]);
            assertArrayEquals(a, b, 0.0, c.name());
        }
    }

    @Test
    void serializationRoundTrip_keepsBehaviour() throws Exception {
        RandomSource rng = InsecureTestRandomness.seededSource(137);
        for (Case c : cases()) {
            DpModel reg = PdpRegularized.wrap(c.model(), 0.9);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(reg);
            }
            Object read;
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                read = in.readObject();
            }
            PdpRegularized copy = assertInstanceOf(PdpRegularized.class, read, c.name());
            assertEquals(0.9, copy.strength(), 0.0, c.name());
            assertEquals(c.model().getClass(), copy.inner().getClass(), c.name());
            double[] p = randomParams(c.model(), rng);
            double[] x = randomVector(rng, D, 2.0);
            double[] g1 = new double[p.length];
            double[] g2 = new double[p.length];
            assertEquals(reg.lossAndGradient(p, x, 0, c.y(), g1), copy.lossAndGradient(p, x, 0, c.y(), g2), 0.0);
            assertArrayEquals(g1, g2, 0.0, c.name());
            double[] s1 = new double[p.length];
            double[] s2 = new double[p.length];
            reg.addClippedGradient(p, x, 0, c.y(), 0.2, s1, new double[reg.scratchSize()]);
            copy.addClippedGradient(p, x, 0, c.y(), 0.2, s2, new double[copy.scratchSize()]);
            assertArrayEquals(s1, s2, 0.0, c.name());
        }
    }
}
