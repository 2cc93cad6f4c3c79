package org.dpspark.core.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An optimizer whose iterates are also averaged ({@link ParameterAverage}: the exponential moving average of De et
 * al. 2022, Section 3.2): {@link #step} runs the inner optimizer, then folds the new iterate into the average. The
 * training continues from the iterates; the model to release is {@link #average()}. Both read only released (noised)
 * values, so neither costs privacy (post-processing; Dwork and Roth 2014, Proposition 2.1).
 *
 * <p>Its {@link #state()} is the inner optimizer's, with the average appended as the last buffer, so a checkpoint
 * resumes the average too: a resumed run releases the same average as an uninterrupted one (under a test seed, bit
 * for bit). One instance per training run, used from one thread (the driver).
 */
public final class Averaged implements Optimizer {

    private static final long serialVersionUID = 1L;

    private final Optimizer inner;
    private final ParameterAverage average;

    /**
     * @param inner the optimizer that takes the steps
     * @param decay the average's largest decay, in (0, 1) (see {@link ParameterAverage})
     */
    public Averaged(Optimizer inner, double decay) {
        this.inner = Objects.requireNonNull(inner, "inner");
        if (inner instanceof Averaged) {
            throw new IllegalArgumentException("the inner optimizer is already averaged");
        }
        if (!(decay > 0.0 && decay < 1.0)) {
            throw new IllegalArgumentException("decay must be in (0, 1), got " + decay);
        }
        this.average = new ParameterAverage(decay);
    }

    public double decay() {
        return average.decay();
    }

    public Optimizer inner() {
        return inner;
    }

    @Override
    public void step(double[] params, double[] gradient) {
        inner.step(params, gradient);
        average.update(params);
    }

    /** Whether a step has been taken (there is an average to release). */
    public boolean hasAverage() {
        return average.hasAverage();
    }

    /** A copy of the average of the iterates so far: the model to release. */
    public double[] average() {
        return average.average();
    }

    @Override
    public OptimizerState state() {
        OptimizerState s = inner.state();
        if (average.updates() != s.steps()) {
            throw new IllegalStateException("the average has " + average.updates() + " updates, the optimizer "
                    + s.steps() + " steps");
        }
        if (!average.hasAverage()) {
            return s;
        }
        List<double[]> buffers = new ArrayList<>(s.buffers());
        buffers.add(average.average());
        return new OptimizerState(s.steps(), buffers);
    }

    @Override
    public void restore(OptimizerState state) {
        Objects.requireNonNull(state, "state");
        if (state.steps() == 0) {
            inner.restore(state);
            average.restore(null, 0);
            return;
        }
        if (state.buffers().isEmpty()) {
            throw new IllegalArgumentException("an averaged optimizer's state after " + state.steps()
                    + " steps must end with the average; it has no buffers (a run without averaging?)");
        }
        List<double[]> buffers = state.buffers();
        inner.restore(new OptimizerState(state.steps(), buffers.subList(0, buffers.size() - 1)));
        average.restore(state.buffer(buffers.size() - 1), state.steps());
    }

    @Override
    public String toString() {
        return "Averaged[" + inner + ", decay=" + average.decay() + "]";
    }
}
