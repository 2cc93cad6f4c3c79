package org.dpspark.core.optim;

/** Updates parameters in place from a (noisy) gradient of the same length. */
public interface Optimizer extends java.io.Serializable {

    void step(double[] params, double[] gradient);
}
