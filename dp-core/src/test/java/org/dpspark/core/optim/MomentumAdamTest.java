package org.dpspark.core.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MomentumAdamTest {

    @Test
    void momentum_threeSteps_matchHandComputation() {
        Momentum opt = new Momentum(0.1, 0.9);
        double[] p = {1.0, -1.0};
        opt.step(p, new double[] {2.0, 0.0});   // v = (2, 0): p = (1 - 0.2, -1)
        assertArrayEquals(new double[] {0.8, -1.0}, p, 1e-15);
        opt.step(p, new double[] {-1.0, 1.0});  // v = (0.9*2 - 1, 1) = (0.8, 1): p = (0.8 - 0.08, -1 - 0.1)
        assertArrayEquals(new double[] {0.72, -1.1}, p, 1e-15);
        opt.step(p, new double[] {0.0, 0.0});   // v = (0.72, 0.9): p = (0.72 - 0.072, -1.1 - 0.09)
        assertArrayEquals(new double[] {0.648, -1.19}, p, 1e-15);
        assertEquals(3, opt.steps());
    }

    @Test
    void momentum_betaZero_isPlainSgd() {
        Momentum m = new Momentum(0.3, 0.0);
        Sgd s = new Sgd(0.3);
        double[] a = {1.0, 2.0};
        double[] b = {1.0, 2.0};
        double[][] grads = {{1.0, -2.0}, {0.5, 0.25}, {-3.0, 1.0}};
        for (double[] g : grads) {
            m.step(a, g);
            s.step(b, g);
        }
        assertArrayEquals(b, a, 0.0);
    }

    @Test
    void adam_twoSteps_matchHandComputation() {
        Adam opt = new Adam(0.1, 0.9, 0.999, 1e-8);
        double[] p = {1.0};
        opt.step(p, new double[] {2.0});
        // m = 0.1 * 2 = 0.2, v = 0.001 * 4 = 0.004; mhat = 0.2 / 0.1 = 2, vhat = 0.004 / 0.001 = 4
        assertEquals(1.0 - 0.1 * 2.0 / (2.0 + 1e-8), p[0], 1e-15);
        double p1 = p[0];
        opt.step(p, new double[] {-1.0});
        // m = 0.9 * 0.2 - 0.1 = 0.08, v = 0.999 * 0.004 + 0.001 = 0.004996;
        // 1 - 0.9^2 = 0.19, 1 - 0.999^2 = 0.001999
        double expected = p1 - 0.1 * (0.08 / 0.19) / (Math.sqrt(0.004996 / 0.001999) + 1e-8);
        assertEquals(expected, p[0], 1e-14);
        assertEquals(2, opt.steps());
    }

    @Test
    void adam_firstStep_movesEachCoordinateByLearningRateWhateverTheScale() {
        Adam opt = Adam.withDefaults(0.01);
        double[] p = new double[4];
        opt.step(p, new double[] {1e-3, -50.0, 7.0, 1e5});
        // bias-corrected: mhat = g, vhat = g^2, so the step is lr * g / (|g| + eps)
        assertArrayEquals(new double[] {-0.01, 0.01, -0.01, -0.01}, p, 1e-7);
    }

    @Test
    void schedules_valuesAsDefined() {
        assertEquals(0.5, LearningRateSchedule.constant(0.5).rate(12345), 0.0);
        LearningRateSchedule step = LearningRateSchedule.stepDecay(1.0, 0.5, 10);
        assertEquals(1.0, step.rate(0), 0.0);
        assertEquals(1.0, step.rate(9), 0.0);
        assertEquals(0.5, step.rate(10), 0.0);
        assertEquals(0.25, step.rate(29), 0.0);
        assertTrue(step.rate(Long.MAX_VALUE) > 0);
        LearningRateSchedule cos = LearningRateSchedule.cosine(1.0, 0.1, 100);
        assertEquals(1.0, cos.rate(0), 1e-15);
        assertEquals(0.55, cos.rate(50), 1e-15);
        assertEquals(0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * 0.25)), cos.rate(25), 1e-15);
        assertEquals(0.1, cos.rate(100), 0.0);
        assertEquals(0.1, cos.rate(1000), 0.0);
    }

    @Test
    void scheduledSgd_usesTheRateOfEachStep() {
        Sgd sgd = new Sgd(LearningRateSchedule.stepDecay(1.0, 0.1, 1));
        double[] p = {0.0};
        sgd.step(p, new double[] {1.0});
        sgd.step(p, new double[] {1.0});
        sgd.step(p, new double[] {1.0});
        assertEquals(-(1.0 + 0.1 + 0.01), p[0], 1e-15);
        assertEquals("Sgd[learningRate=0.2]", new Sgd(0.2).toString());
    }

    @Test
    void invalidHyperparameters_rejectedNamingThem() {
        Object[][] cases = {
            {"beta", (Runnable) () -> new Momentum(0.1, 1.0)},
            {"beta", (Runnable) () -> new Momentum(0.1, Double.NaN)},
            {"rate", (Runnable) () -> new Momentum(0.0, 0.5)},
            {"beta1", (Runnable) () -> new Adam(0.1, -0.1, 0.999, 1e-8)},
            {"beta2", (Runnable) () -> new Adam(0.1, 0.9, 1.0, 1e-8)},
            {"eps", (Runnable) () -> new Adam(0.1, 0.9, 0.999, 0.0)},
            {"rate", (Runnable) () -> new Adam(Double.NaN, 0.9, 0.999, 1e-8)},
            {"gamma", (Runnable) () -> LearningRateSchedule.stepDecay(1.0, 1.5, 10)},
            {"stepSize", (Runnable) () -> LearningRateSchedule.stepDecay(1.0, 0.5, 0)},
            {"min", (Runnable) () -> LearningRateSchedule.cosine(1.0, 2.0, 10)},
            {"totalSteps", (Runnable) () -> LearningRateSchedule.cosine(1.0, 0.5, 0)},
        };
        for (Object[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ((Runnable) c[1])::run);
            assertTrue(e.getMessage().startsWith((String) c[0]), e.getMessage());
        }
    }

    @Test
    void step_lengthMismatchOrChange_rejected() {
        Adam adam = Adam.withDefaults(0.1);
        assertThrows(IllegalArgumentException.class, () -> adam.step(new double[2], new double[3]));
        adam.step(new double[2], new double[2]);
        assertThrows(IllegalStateException.class, () -> adam.step(new double[3], new double[3]));
        Momentum mom = new Momentum(0.1, 0.5);
        mom.step(new double[2], new double[2]);
        assertThrows(IllegalStateException.class, () -> mom.step(new double[3], new double[3]));
    }

    /** k steps, the state taken into a fresh optimizer, then the rest: the same parameters bit for bit. */
    private static void assertRestoredContinuesExactly(java.util.function.Supplier<Optimizer> make) {
        double[][] grads = new double[9][];
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        for (int t = 0; t < grads.length; t++) {
            grads[t] = new double[] {r.nextDouble(-1, 1), r.nextDouble(-1, 1), r.nextDouble(-1, 1)};
        }
        Optimizer whole = make.get();
        double[] a = {0.5, -0.25, 1.0};
        for (double[] g : grads) {
            whole.step(a, g);
        }
        Optimizer first = make.get();
        double[] b = {0.5, -0.25, 1.0};
        for (int t = 0; t < 4; t++) {
            first.step(b, grads[t]);
        }
        OptimizerState saved = first.state();
        first.step(b.clone(), grads[4]); // the state is a copy: later steps of the original do not change it
        Optimizer second = make.get();
        second.restore(new OptimizerState(saved.steps(), saved.buffers()));
        for (int t = 4; t < grads.length; t++) {
            second.step(b, grads[t]);
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(a, b, 0.0);
        org.junit.jupiter.api.Assertions.assertEquals(grads.length, second.state().steps());
    }

    @Test
    void stateRestored_continuesExactly_sgdMomentumAdam_withACosineSchedule() {
        LearningRateSchedule cosine = LearningRateSchedule.cosine(0.1, 1e-7, 9);
        assertRestoredContinuesExactly(() -> new Sgd(cosine));
        assertRestoredContinuesExactly(() -> new Momentum(cosine, 0.9));
        assertRestoredContinuesExactly(() -> new Adam(cosine, 0.9, 0.999, 1e-8));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new Adam(cosine, 0.9,
                0.999, 1e-8).restore(new OptimizerState(3, java.util.List.of(new double[2]))));
    }
}
