package org.dpspark.core.optim;

/** Updates parameters in place from a (noisy) gradient of the same length. */
public interface Optimizer extends java.io.Serializable {

    void step(double[] params, double[] gradient);

    /** The state carried between steps (a copy), for a checkpoint. */
    OptimizerState state();

    /** Continues from {@code state} (as taken by {@link #state()} of an optimizer of the same configuration). */
    void restore(OptimizerState state);
}
