package org.dpspark.core.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ParameterAverageTest {

    @Test
    void average_firstUpdate_copiesTheIterate() {
        ParameterAverage avg = new ParameterAverage(0.99);
        double[] p = {1.0, -2.0};
        avg.update(p);
        p[0] = 100.0; // the average keeps its own copy
        assertArrayEquals(new double[] {1.0, -2.0}, avg.average(), 0.0);
        assertEquals(1, avg.updates());
    }

    @Test
    void average_threeUpdates_matchHandComputationWithWarmup() {
        ParameterAverage avg = new ParameterAverage(0.99);
        avg.update(new double[] {0.0});
        avg.update(new double[] {12.0}); // d_2 = min(0.99, 3/12) = 0.25: 0.25*0 + 0.75*12 = 9
        assertArrayEquals(new double[] {9.0}, avg.average(), 1e-15);
        avg.update(new double[] {-4.0}); // d_3 = 4/13: (4/13)*9 + (9/13)*(-4) = 0
        assertArrayEquals(new double[] {0.0}, avg.average(), 1e-14);
        assertEquals(3, avg.updates());
    }

    @Test
    void decayAt_warmupThenCappedAtDecay() {
        ParameterAverage avg = new ParameterAverage(0.9);
        assertEquals(0.0, avg.decayAt(1), 0.0);
        assertEquals(3.0 / 12.0, avg.decayAt(2), 1e-15);
        assertEquals(81.0 / 90.0, avg.decayAt(80), 1e-15); // (1 + 80) / (10 + 80) = 0.9 exactly
        assertEquals(0.9, avg.decayAt(1_000_000), 0.0);
        for (long t = 2; t < 200; t++) {
            assertTrue(avg.decayAt(t) <= avg.decayAt(t + 1), "non-decreasing at t = " + t);
        }
    }

    @Test
    void average_longConstantDecay_isGeometricWeightingOfIterates() {
        // After the warm-up the decay is constant: feeding 0 then ones for k steps leaves
        // 1 - prod(d_t) of the mass on the ones; compare with the product computed from decayAt.
        ParameterAverage avg = new ParameterAverage(0.95);
        avg.update(new double[] {0.0});
        double zeroWeight = 1.0;
        for (long t = 2; t <= 500; t++) {
            avg.update(new double[] {1.0});
            zeroWeight *= avg.decayAt(t);
        }
        assertEquals(1.0 - zeroWeight, avg.average()[0], 1e-12);
        assertTrue(zeroWeight < 1e-9, "the first iterate is forgotten after 500 updates at decay 0.95");
    }

    @Test
    void average_decayZero_isTheLastIterate() {
        ParameterAverage avg = new ParameterAverage(0.0);
        avg.update(new double[] {1.0, 2.0});
        avg.update(new double[] {3.0, -1.0});
        assertArrayEquals(new double[] {3.0, -1.0}, avg.average(), 0.0);
    }

    @Test
    void constructor_decayOutsideUnitInterval_rejectedNamingTheValue() {
        for (double bad : new double[] {-0.1, 1.0, 1.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ParameterAverage(bad));
            assertTrue(e.getMessage().contains("decay must be in [0, 1)"), e.getMessage());
            assertTrue(e.getMessage().contains(String.valueOf(bad)), e.getMessage());
        }
    }

    @Test
    void average_warmupTwo_isTheRunningMeanWithTheFirstIterateCountedThrice() {
        // w = 2: the iterate t >= 2 enters with weight 1 / (2 + t) and keeps prod_{s > t} (1 + s) / (2 + s)
        // = (2 + t) / (2 + T), so each has 1 / (T + 2) at the end and the first the rest, 3 / (T + 2)
        ParameterAverage avg = new ParameterAverage(0.999, 2.0);
        java.util.Random r = new java.util.Random(7);
        int rounds = 20;
        double[] p = new double[rounds];
        for (int t = 0; t < rounds; t++) {
            p[t] = r.nextGaussian();
            avg.update(new double[] {p[t]});
        }
        double expected = 3 * p[0];
        for (int t = 1; t < rounds; t++) {
            expected += p[t];
        }
        expected /= rounds + 2;
        assertEquals(expected, avg.average()[0], 1e-12);
        assertEquals(2.0, avg.warmup(), 0.0);
        assertEquals(ParameterAverage.DEFAULT_WARMUP, new ParameterAverage(0.9).warmup(), 0.0);
    }

    @Test
    void constructor_warmupAtMostOneOrNotFinite_rejectedNamingTheValue() {
        for (double bad : new double[] {1.0, 0.5, -3.0, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ParameterAverage(0.9, bad));
            assertTrue(e.getMessage().contains("warmup must be a finite number > 1"), e.getMessage());
            assertTrue(e.getMessage().contains(String.valueOf(bad)), e.getMessage());
        }
    }

    @Test
    void update_lengthChanged_rejected() {
        ParameterAverage avg = new ParameterAverage(0.9);
        avg.update(new double[3]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> avg.update(new double[4]));
        assertTrue(e.getMessage().contains("length 3"), e.getMessage());
    }

    @Test
    void average_beforeAnyUpdate_isMisuse() {
        assertThrows(IllegalStateException.class, () -> new ParameterAverage(0.9).average());
        assertThrows(IllegalArgumentException.class, () -> new ParameterAverage(0.9).decayAt(0));
        assertThrows(NullPointerException.class, () -> new ParameterAverage(0.9).update(null));
    }
}
