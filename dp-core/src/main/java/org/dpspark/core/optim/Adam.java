package org.dpspark.core.optim;

import java.util.Objects;

/**
 * Adam (Kingma and Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015, Algorithm 1), with bias
 * correction:
 * <pre>
 *   m_t     = beta1 m_{t-1} + (1 - beta1) g_t
 *   v_t     = beta2 v_{t-1} + (1 - beta2) g_t^2
 *   mhat    = m_t / (1 - beta1^t),   vhat = v_t / (1 - beta2^t)      (t = 1, 2, ...)
 *   params -= lr_t mhat / (sqrt(vhat) + eps)
 * </pre>
 * It only post-processes the noisy gradients released by the DP-SGD step, so it adds no privacy cost (the
 * post-processing property of differential privacy; Dwork and Roth 2014, Proposition 2.1). Under DP noise the
 * second moment is dominated by the noise variance, so eps matters less than in non-private training. The
 * moments are state: one instance per training run, used from one thread (the driver).
 */
public final class Adam implements Optimizer {

    private static final long serialVersionUID = 1L;

    private final LearningRateSchedule schedule;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private double[] m;
    private double[] v;
    private long t;

    /** Constant learning rate. */
    public Adam(double learningRate, double beta1, double beta2, double eps) {
        this(LearningRateSchedule.constant(learningRate), beta1, beta2, eps);
    }

    /** The paper's defaults beta1 = 0.9, beta2 = 0.999, eps = 1e-8 with a constant learning rate. */
    public static Adam withDefaults(double learningRate) {
        return new Adam(learningRate, 0.9, 0.999, 1e-8);
    }

    /**
     * @param schedule the learning rate per step
     * @param beta1    first-moment decay, in [0, 1)
     * @param beta2    second-moment decay, in [0, 1)
     * @param eps      finite and &gt; 0
     */
    public Adam(LearningRateSchedule schedule, double beta1, double beta2, double eps) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        if (!(beta1 >= 0.0 && beta1 < 1.0)) {
            throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
        }
        if (!(beta2 >= 0.0 && beta2 < 1.0)) {
            throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
        }
        if (!(eps > 0.0 && eps < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("eps must be finite and > 0, got " + eps);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    public double beta1() {
        return beta1;
    }

    public double beta2() {
        return beta2;
    }

    public double eps() {
        return eps;
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
        if (m == null) {
            m = new double[params.length];
            v = new double[params.length];
        } else if (m.length != params.length) {
            throw new IllegalStateException("params length changed from " + m.length + " to " + params.length
                    + "; use one optimizer per model");
        }
        double lr = schedule.rate(t);
        t++;
        // 1 - beta^t computed as -expm1(t log beta), accurate when beta^t is close to 1 (early steps)
        double c1 = beta1 == 0.0 ? 1.0 : -Math.expm1(t * Math.log(beta1));
        double c2 = beta2 == 0.0 ? 1.0 : -Math.expm1(t * Math.log(beta2));
        for (int i = 0; i < params.length; i++) {
            double g = gradient[i];
            double mi = beta1 * m[i] + (1.0 - beta1) * g;
            double vi = beta2 * v[i] + (1.0 - beta2) * g * g;
            m[i] = mi;
            v[i] = vi;
            params[i] -= lr * (mi / c1) / (Math.sqrt(vi / c2) + eps);
        }
    }

    @Override
    public OptimizerState state() {
        return new OptimizerState(t, m == null ? java.util.List.of() : java.util.List.of(m, v));
    }

    @Override
    public void restore(OptimizerState state) {
        state.requireBuffers(2, "Adam");
        t = state.steps();
        m = state.buffers().isEmpty() ? null : state.buffer(0);
        v = state.buffers().isEmpty() ? null : state.buffer(1);
    }

    @Override
    public String toString() {
        return "Adam[schedule=" + schedule + ", beta1=" + beta1 + ", beta2=" + beta2 + ", eps=" + eps + "]";
    }
}
