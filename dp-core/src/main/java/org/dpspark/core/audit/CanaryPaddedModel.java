package org.dpspark.core.audit;

import java.util.Arrays;
import java.util.Objects;
import org.dpspark.core.model.DpModel;
import org.dpspark.core.params.InvalidParameterException;
import org.dpspark.core.random.RandomSource;

/**
 * A model padded with {@code m} extra parameter coordinates for the white-box Dirac canaries of the one-run privacy
 * audit (Steinke, Nasr and Jagielski 2023, "Privacy auditing with one (1) training run", NeurIPS 2023,
 * arXiv 2305.08846, Section 7's white-box setting, where each canary is a gradient planted directly in the sum).
 *
 * <p>Parameters: the inner model's p parameters, then m canary coordinates p, p + 1, ..., p + m - 1
 * ({@link #canaryCoordinate}). No real example's gradient touches a canary coordinate (the padded coordinates get
 * gradient 0), so canary i's Dirac gradient e_{p+i} is never drowned by the real gradients, even on a small model
 * where every inner coordinate is busy; only the Gaussian noise competes with it, which is exactly the worst case
 * the DP-SGD analysis covers. The canaries ({@link WhiteBoxCanaries}) are added to the clipped sum like any example,
 * and the published model drops the padded coordinates ({@link #innerParams}).
 *
 * <p>Everything else delegates to the inner model on params[0 .. p): the losses, the gradients on the first p
 * coordinates and their clipping (the extra zeros do not change an L2 norm), the predictions. This relies on the
 * {@link DpModel} contract that a model reads only params[0 .. numParams()) and writes only
 * [0 .. numParams()) of a gradient or sum.
 */
public final class CanaryPaddedModel implements DpModel {

    private static final long serialVersionUID = 1L;

    private final DpModel inner;
    private final int innerParams;
    private final int canaries;

    /**
     * @param inner    the model being audited
     * @param canaries m &gt;= 1, the number of canary coordinates appended
     */
    public CanaryPaddedModel(DpModel inner, int canaries) {
        Objects.requireNonNull(inner, "inner");
        if (canaries < 1) {
            throw InvalidParameterException.of("canaries", "must be >= 1, got " + canaries);
        }
        int p = inner.numParams();
        if ((long) p + canaries >= Integer.MAX_VALUE - 8) {
            throw InvalidParameterException.of("canaries", "must leave numParams + canaries < 2^31 - 9 (numParams = "
                    + p + "), got " + canaries);
        }
        this.inner = inner;
        this.innerParams = p;
        this.canaries = canaries;
    }

    /** The model being audited. */
    public DpModel inner() {
        return inner;
    }

    /** m, the number of canary coordinates. */
    public int canaries() {
        return canaries;
    }

    /** The coordinate of canary i in [0, m): p + i, p = inner().numParams(). */
    public int canaryCoordinate(int i) {
        Objects.checkIndex(i, canaries);
        return innerParams + i;
    }

    /** A copy of padded[0 .. p): the inner model's parameters, as published (the canary coordinates dropped). */
    public double[] innerParams(double[] padded) {
        checkLength(padded, "padded");
        return Arrays.copyOf(padded, innerParams);
    }

    @Override
    public int numFeatures() {
        return inner.numFeatures();
    }

    /** p + m. */
    @Override
    public int numParams() {
        return innerParams + canaries;
    }

    /** The inner model's starting parameters followed by m zeros. */
    @Override
    public double[] initialParams() {
        return pad(inner.initialParams());
    }

    /** The inner model's starting parameters (drawn from rng) followed by m zeros. */
    @Override
    public double[] initialParams(RandomSource rng) {
        return pad(inner.initialParams(rng));
    }

    private double[] pad(double[] innerStart) {
        if (innerStart.length != innerParams) {
            throw new IllegalStateException("the inner model's initialParams has length " + innerStart.length
                    + ", not its numParams = " + innerParams);
        }
        return Arrays.copyOf(innerStart, innerParams + canaries);
    }

    /** The inner model's: the padded coordinates need no work space. */
    @Override
    public int scratchSize() {
        return inner.scratchSize();
    }

    @Override
    public int numOutputs() {
        return inner.numOutputs();
    }

    @Override
    public void predict(double[] params, double[] x, int offset, double[] out, double[] scratch) {
        checkLength(params, "params");
        inner.predict(params, x, offset, out, scratch);
    }

    @Override
    public void predictRaw(double[] params, double[] x, int offset, double[] out, double[] scratch) {
        checkLength(params, "params");
        inner.predictRaw(params, x, offset, out, scratch);
    }

    /** The inner model's loss and gradient on [0, p); gradOut[p .. p + m) is set to 0. */
    @Override
    public double lossAndGradient(double[] params, double[] x, int offset, double y, double[] gradOut) {
        checkLength(params, "params");
        checkLength(gradOut, "gradOut");
        double loss = inner.lossAndGradient(params, x, offset, y, gradOut);
        Arrays.fill(gradOut, innerParams, innerParams + canaries, 0.0);
        return loss;
    }

    @Override
    public double loss(double[] params, double[] x, int offset, double y) {
        checkLength(params, "params");
        return inner.loss(params, x, offset, y);
    }

    /**
     * The inner model's clipped gradient added to sumOut[0 .. p) (its gradient has norm 0 on the canary
     * coordinates, so its clipping is unchanged); sumOut[p .. p + m) is left as it is.
     */
    @Override
    public double addClippedGradient(double[] params, double[] x, int offset, double y, double clipNorm,
            double[] sumOut, double[] scratch) {
        checkLength(params, "params");
        checkLength(sumOut, "sumOut");
        return inner.addClippedGradient(params, x, offset, y, clipNorm, sumOut, scratch);
    }

    private void checkLength(double[] a, String name) {
        Objects.requireNonNull(a, name);
        if (a.length < innerParams + canaries) {
            throw new IllegalArgumentException(name + " must have length >= numParams = " + (innerParams + canaries)
                    + " (inner " + innerParams + " + " + canaries + " canaries), got " + a.length);
        }
    }

    @Override
    public String toString() {
        return "CanaryPaddedModel[inner=" + inner + ", canaries=" + canaries + "]";
    }
}
