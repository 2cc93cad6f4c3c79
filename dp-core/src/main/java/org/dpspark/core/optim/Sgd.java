package org.dpspark.core.optim;

import java.util.Objects;

/**
 * Plain gradient descent: params &lt;- params - lr_t * gradient, with lr_t from a {@link LearningRateSchedule}
 * (constant unless given). It only post-processes the noisy gradient, so it adds no privacy cost. With a
 * non-constant schedule it counts its steps: one instance per training run.
 */
public final class Sgd implements Optimizer {

    private static final long serialVersionUID = 2L;

    private final LearningRateSchedule schedule;
    private long t;

    /** @param learningRate finite and &gt; 0 */
    public Sgd(double learningRate) {
        if (!(learningRate > 0.0 && learningRate < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("learningRate must be finite and > 0, got " + learningRate);
        }
        this.schedule = LearningRateSchedule.constant(learningRate);
    }

    public Sgd(LearningRateSchedule schedule) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
    }

    /** The learning rate of the first step. */
    public double learningRate() {
        return schedule.rate(0);
    }

    public LearningRateSchedule schedule() {
        return schedule;
    }

    @Override
    public void step(double[] params, double[] gradient) {
        Optimizers.checkStep(params, gradient);
        double lr = schedule.rate(t++);
        for (int i = 0; i < params.length; i++) {
            params[i] -= lr * gradient[i];
        }
    }

    @Override
    public OptimizerState state() {
        return new OptimizerState(t, java.util.List.of());
    }

    @Override
    public void restore(OptimizerState state) {
        state.requireBuffers(0, "Sgd");
        t = state.steps();
    }

    @Override
    public String toString() {
        return schedule instanceof LearningRateSchedule.Constant c
                ? "Sgd[learningRate=" + c.rate() + "]" : "Sgd[schedule=" + schedule + "]";
    }
}
