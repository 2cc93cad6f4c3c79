package org.dpspark.core.optim;

import java.util.Objects;

/** Plain gradient descent: params &lt;- params - learningRate * gradient. Stateless. */
public final class Sgd implements Optimizer {

    private static final long serialVersionUID = 1L;

    private final double learningRate;

    /** @param learningRate finite and &gt; 0 */
    public Sgd(double learningRate) {
        if (!(learningRate > 0.0 && learningRate < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("learningRate must be finite and > 0, got " + learningRate);
        }
        this.learningRate = learningRate;
    }

    public double learningRate() {
        return learningRate;
    }

    @Override
    public void step(double[] params, double[] gradient) {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(gradient, "gradient");
        if (params.length != gradient.length) {
            throw new IllegalArgumentException("gradient must have length params.length = " + params.length
                    + ", got " + gradient.length);
        }
        for (int i = 0; i < params.length; i++) {
            params[i] -= learningRate * gradient[i];
        }
    }

    @Override
    public String toString() {
        return "Sgd[learningRate=" + learningRate + "]";
    }
}
