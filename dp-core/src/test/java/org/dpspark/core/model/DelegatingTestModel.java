package org.dpspark.core.model;

/** A test double that forwards every DpModel method to a wrapped model (tests override what they observe). */
public class DelegatingTestModel implements DpModel {

    private static final long serialVersionUID = 1L;
    private final DpModel inner;

    public DelegatingTestModel(DpModel inner) {
        this.inner = inner;
    }

    public DpModel inner() {
        return inner;
    }

    @Override
    public int numFeatures() {
        return inner.numFeatures();
    }

    @Override
    public int numParams() {
        return inner.numParams();
    }

    @Override
    public double[] initialParams() {
        return inner.initialParams();
    }

    @Override
    public int scratchSize() {
        return inner.scratchSize();
    }

    @Override
    public double lossAndGradient(double[] params, double[] x, int offset, double y, double[] gradOut) {
        return inner.lossAndGradient(params, x, offset, y, gradOut);
    }

    @Override
    public double loss(double[] params, double[] x, int offset, double y) {
        return inner.loss(params, x, offset, y);
    }

    @Override
    public double addClippedGradient(double[] params, double[] x, int offset, double y, double clipNorm,
            double[] sumOut, double[] scratch) {
        return inner.addClippedGradient(params, x, offset, y, clipNorm, sumOut, scratch);
    }
}
