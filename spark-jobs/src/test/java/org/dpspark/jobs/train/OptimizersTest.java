package org.dpspark.jobs.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.dpspark.core.optim.Optimizer;
import org.junit.jupiter.api.Test;

class OptimizersTest {

    private static TrainConfig cfg(String optimizer, String schedule) {
        return TrainConfig.builder().optimizer(optimizer).schedule(schedule).learningRate(2.0).momentum(0.5)
                .noiseMultiplier(1.0).build();
    }

    @Test
    void everyOptimizerAndSchedule_isCreated_andStepsAgainstTheGradient() {
        for (String opt : TrainConfig.OPTIMIZERS) {
            for (String schedule : TrainConfig.SCHEDULES) {
                Optimizer o = Optimizers.create(cfg(opt, schedule), 100);
                double[] p = {1.0};
                o.step(p, new double[] {1.0});
                assertEquals(true, p[0] < 1.0, opt + "/" + schedule + " did not descend: " + p[0]);
            }
        }
    }

    @Test
    void sgdWithCosine_decaysFromTheRateToItsFloor() {
        Optimizer o = Optimizers.create(cfg("sgd", "cosine"), 4);
        double[] p = {0.0};
        o.step(p, new double[] {1.0}); // t = 0: the full rate
        assertEquals(-2.0, p[0], 1e-12);
        for (int t = 1; t < 4; t++) {
            o.step(p, new double[] {0.0});
        }
        double before = p[0];
        o.step(p, new double[] {1.0}); // t = 4 = totalSteps: the floor
        assertEquals(-2.0 * Optimizers.COSINE_FLOOR, p[0] - before, 1e-15);
    }

    @Test
    void unknownNames_areRejectedNamingTheParameter() {
        assertThrows(IllegalArgumentException.class, () -> cfg("rmsprop", "constant"));
        // Named canonically (the MLlib Param's name); dp-train renders it as its flag.
        org.dpspark.core.params.InvalidParameterException e = assertThrows(
                org.dpspark.core.params.InvalidParameterException.class, () -> cfg("sgd", "linear"));
        assertEquals(java.util.List.of("lrSchedule"), e.parameters());
        assertEquals(true, e.render(org.dpspark.jobs.cli.DpTrain::flag).startsWith("--lr-schedule "));
    }
}
