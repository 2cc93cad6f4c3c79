package org.dpspark.jobs.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.dpspark.core.clip.ClipBudget;
import org.dpspark.core.model.DpModel;
import org.dpspark.core.noise.SecureGaussianNoise;
import org.dpspark.core.optim.Sgd;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.core.step.DriverUpdate;
import org.dpspark.datasets.DenseBlock;

/**
 * Benchmark access to the step runners: the steady-state time of a step (runner sum + the driver's noisy update),
 * with the runner's start-up timed apart. Benchmark code only (in the bench source tree, never shipped).
 */
public final class SteadyState {
    private SteadyState() {}

    /** Start-up and steady-state milliseconds per step. */
    public record Timing(double startupMillis, double millisPerStep) {}

    public static Timing measure(JavaSparkContext jsc, JavaRDD<DenseBlock> blocks, DpModel model, StepMode mode,
            double q, double expectedBatch, int warmup, int steps) {
        ClipBudget clip = ClipBudget.withDefaultLossTracking(1.0);
        DriverUpdate update = new DriverUpdate(model, clip, 1.0, expectedBatch, SecureGaussianNoise.create(), new Sgd(1.0));
        PartitionStep work = new PartitionStep(model, CsprngStream.newSecretKey(), q, clip);
        double[] params = model.initialParams();
        long t0 = System.nanoTime();
        try (StepRunner runner = DpTrainer.runnerFor(mode).open(jsc, blocks, work)) {
            long step = 0;
            for (; step < warmup; step++) {
                update.apply(params, runner.sum(step, params));
            }
            long t1 = System.nanoTime();
            for (; step < warmup + steps; step++) {
                update.apply(params, runner.sum(step, params));
            }
            long t2 = System.nanoTime();
            // start-up: opening the runner and the warm-up beyond its steady-state cost
            double perStep = (t2 - t1) / 1e6 / steps;
            return new Timing((t1 - t0) / 1e6 - warmup * perStep, perStep);
        }
    }
}
