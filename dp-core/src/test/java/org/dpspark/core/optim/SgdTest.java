package org.dpspark.core.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SgdTest {

    @Test
    void step_subtractsLearningRateTimesGradient() {
        double[] params = {1.0, -2.0, 0.5};
        new Sgd(0.1).step(params, new double[] {10.0, -10.0, 0.0});
        assertArrayEquals(new double[] {0.0, -1.0, 0.5}, params, 1e-15);
    }

    @Test
    void invalidLearningRate_rejected() {
        for (double bad : new double[] {0.0, -0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Sgd(bad));
            assertTrue(e.getMessage().contains("learningRate"), e.getMessage());
        }
    }

    @Test
    void step_lengthMismatch_rejected() {
        assertThrows(IllegalArgumentException.class, () -> new Sgd(0.1).step(new double[2], new double[3]));
    }
}
