package org.dpspark.core.optim;

import java.util.Objects;

/**
 * SGD with heavy-ball momentum (Polyak 1964; in the form of Sutskever et al., "On the importance of
 * initialization and momentum in deep learning", ICML 2013, eq. 1, with the learning rate applied to the
 * velocity as in PyTorch's SGD):
 * <pre>
 *   v_t      = beta v_{t-1} + g_t          (v_0 = 0)
 *   params  -= lr_t v_t
 * </pre>
 * It only post-processes the noisy gradients released by the DP-SGD step, so it adds no privacy cost (the
 * post-processing property of differential privacy; Dwork and Roth 2014, Proposition 2.1). The velocity is
 * state: one instance per training run, used from one thread (the driver).
 */
public final class Momentum implements Optimizer {

    private static final long serialVersionUID = 1L;

    private final LearningRateSchedule schedule;
    private final double beta;
    private double[] velocity;
    private long t;

    /** Constant learning rate. */
    public Momentum(double learningRate, double beta) {
        this(LearningRateSchedule.constant(learningRate), beta);
    }

    /**
     * @param schedule the learning rate per step
     * @param beta     the momentum coefficient, in [0, 1) (0 is plain SGD)
     */
    public Momentum(LearningRateSchedule schedule, double beta) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        if (!(beta >= 0.0 && beta < 1.0)) {
            throw new IllegalArgumentException("beta must be in [0, 1), got " + beta);
        }
        this.beta = beta;
    }

    public double beta() {
        return beta;
    }

    public LearningRateSchedule schedule() {
        return schedule;
    }

    /** Updates taken so far. */
    public long steps() {
        return t;
    }

    @Override
    public void step(double[] params, double[] gradient) {
        Optimizers.checkStep(params, gradient);
        if (velocity == null) {
            velocity = new double[params.length];
        } else if (velocity.length != params.length) {
            throw new IllegalStateException("params length changed from " + velocity.length + " to "
                    + params.length + "; use one optimizer per model");
        }
        double lr = schedule.rate(t);
        for (int i = 0; i < params.length; i++) {
            double v = beta * velocity[i] + gradient[i];
            velocity[i] = v;
            params[i] -= lr * v;
        }
        t++;
    }

    @Override
    public OptimizerState state() {
        return new OptimizerState(t, velocity == null ? java.util.List.of() : java.util.List.of(velocity));
    }

    @Override
    public void restore(OptimizerState state) {
        state.requireBuffers(1, "Momentum");
        t = state.steps();
        velocity = state.buffers().isEmpty() ? null : state.buffer(0);
    }

    @Override
    public String toString() {
        return "Momentum[schedule=" + schedule + ", beta=" + beta + "]";
    }
}
