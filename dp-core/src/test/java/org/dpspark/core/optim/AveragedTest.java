package org.dpspark.core.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class AveragedTest {

    /** Gradients of a small noisy quadratic, fixed in advance (any sequence would do). */
    private static double[][] gradients(int steps, int dim) {
        double[][] g = new double[steps][dim];
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < dim; i++) {
                g[t][i] = Math.sin(1.7 * t + 0.3 * i) + 0.1 * (i - 1);
            }
        }
        return g;
    }

    private static final List<Supplier<Optimizer>> INNER = List.of(
            () -> new Sgd(0.2),
            () -> new Momentum(LearningRateSchedule.cosine(0.3, 1e-3, 40), 0.9),
            () -> new Adam(0.05, 0.9, 0.999, 1e-8));

    @Test
    void iteratesAreTheInnerOptimizers_andTheAverageIsTheEmaOfThem() {
        double decay = 0.9;
        for (Supplier<Optimizer> make : INNER) {
            Optimizer plain = make.get();
            Averaged avg = new Averaged(make.get(), decay);
            double[] p = {0.5, -1.0, 2.0};
            double[] q = p.clone();
            double[] expected = null;
            double[][] g = gradients(40, 3);
            for (int t = 1; t <= g.length; t++) {
                plain.step(p, g[t - 1]);
                avg.step(q, g[t - 1]);
                assertArrayEquals(p, q, 0.0, "averaging must not change the iterates (" + plain + ")");
                // The EMA written out here independently: copy at t = 1, then d_t = min(decay, (1 + t) / (10 + t)).
                if (expected == null) {
                    expected = p.clone();
                } else {
                    double d = Math.min(decay, (1.0 + t) / (10.0 + t));
                    for (int i = 0; i < p.length; i++) {
                        expected[i] = d * expected[i] + (1 - d) * p[i];
                    }
                }
            }
            assertArrayEquals(expected, avg.average(), 1e-15, plain.toString());
            // After 40 steps of a moving target the average lags the last iterate: they differ.
            assertTrue(Math.abs(avg.average()[0] - q[0]) > 1e-6, plain.toString());
        }
    }

    @Test
    void stateRestoresTheAverageAndTheInnerState_toTheSameBits() {
        for (Supplier<Optimizer> make : INNER) {
            double[][] g = gradients(30, 4);
            Averaged whole = new Averaged(make.get(), 0.95);
            double[] a = {1, 2, 3, 4};
            for (double[] gt : g) {
                whole.step(a, gt);
            }
            Averaged first = new Averaged(make.get(), 0.95);
            double[] b = {1, 2, 3, 4};
            for (int t = 0; t < 17; t++) {
                first.step(b, g[t]);
            }
            OptimizerState saved = first.state();
            assertEquals(17, saved.steps());
            Averaged resumed = new Averaged(make.get(), 0.95);
            resumed.restore(saved);
            for (int t = 17; t < g.length; t++) {
                resumed.step(b, g[t]);
            }
            assertArrayEquals(a, b, 0.0, make.get().toString());
            assertArrayEquals(whole.average(), resumed.average(), 0.0, make.get().toString());
        }
    }

    @Test
    void stateBeforeAnyStep_isTheInnersAndRestoresToNoAverage() {
        Averaged fresh = new Averaged(new Momentum(0.1, 0.9), 0.99);
        OptimizerState s = fresh.state();
        assertEquals(0, s.steps());
        assertTrue(s.buffers().isEmpty());
        Averaged other = new Averaged(new Momentum(0.1, 0.9), 0.99);
        other.restore(s);
        assertFalse(other.hasAverage());
        assertThrows(IllegalStateException.class, other::average);
    }

    @Test
    void refusesBadDecays_nesting_andAStateWithoutTheAverage() {
        for (double bad : new double[] {0.0, 1.0, -0.1, Double.NaN}) {
            assertThrows(IllegalArgumentException.class, () -> new Averaged(new Sgd(0.1), bad));
        }
        assertThrows(IllegalArgumentException.class, () -> new Averaged(new Averaged(new Sgd(0.1), 0.9), 0.9));
        Averaged avg = new Averaged(new Sgd(0.1), 0.9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> avg.restore(new OptimizerState(5, List.of())));
        assertTrue(e.getMessage().contains("must end with the average"), e.getMessage());
    }

    @Test
    void parameterAverageRestore_refusesAnInconsistentPair() {
        ParameterAverage p = new ParameterAverage(0.9);
        assertThrows(IllegalArgumentException.class, () -> p.restore(null, 3));
        assertThrows(IllegalArgumentException.class, () -> p.restore(new double[] {1}, 0));
        assertThrows(IllegalArgumentException.class, () -> p.restore(new double[] {1}, -1));
        p.restore(new double[] {2.0}, 4);
        p.update(new double[] {0.0}); // update 5: d = min(0.9, 6/15) = 0.4
        assertArrayEquals(new double[] {0.8}, p.average(), 1e-15);
    }
}
