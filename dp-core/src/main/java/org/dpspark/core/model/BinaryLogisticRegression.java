package org.dpspark.core.model;

import org.dpspark.core.clip.L2Clipping;

/**
 * Binary logistic regression. Parameters [w_0 .. w_{d-1}, b] (intercept last); margin m = w.x + b;
 * P(y = 1 | x) = sigmoid(m) = 1 / (1 + e^-m). Labels y in {0, 1}.
 *
 * <p>Per-example log loss: -log sigmoid(m) for y = 1 and -log(1 - sigmoid(m)) = -log sigmoid(-m) for y = 0, i.e.
 * softplus(-s m) with s = 2y - 1, computed stably as softplus(z) = max(z, 0) + log1p(exp(-|z|)) so that huge
 * margins neither overflow nor lose the small losses to cancellation. Gradient: r [x, 1] with residual
 * r = sigmoid(m) - y (for y = 1 computed as -sigmoid(-m), which keeps its tiny values accurate).
 *
 * <p>Its L2 norm is |r| sqrt(||x||^2 + 1), so {@link #addClippedGradient} clips without materializing the
 * gradient: it adds c r [x, 1] with c = min(1, C / (|r| sqrt(||x||^2 + 1))) in one extra pass over x.
 */
public final class BinaryLogisticRegression implements DpModel {

    private static final long serialVersionUID = 1L;

    private final int numFeatures;

    /** @param numFeatures d &gt;= 0 (0 gives an intercept-only model) */
    public BinaryLogisticRegression(int numFeatures) {
        if (!(numFeatures >= 0 && numFeatures < Integer.MAX_VALUE)) {
            throw new IllegalArgumentException("numFeatures must be in [0, Integer.MAX_VALUE), got " + numFeatures);
        }
        this.numFeatures = numFeatures;
    }

    @Override
    public int numFeatures() {
        return numFeatures;
    }

    @Override
    public int numParams() {
        return numFeatures + 1;
    }

    @Override
    public double[] initialParams() {
        return new double[numFeatures + 1];
    }

    /** m = w.x + b. */
    public double margin(double[] params, double[] x, int offset) {
        checkParams(params);
        java.util.Objects.checkFromIndexSize(offset, numFeatures, x.length);
        double m = params[numFeatures];
        for (int j = 0; j < numFeatures; j++) {
            m += params[j] * x[offset + j];
        }
        return m;
    }

    /** 2: the classes 0 and 1. */
    @Override
    public int numOutputs() {
        return 2;
    }

    /** out = (1 - sigmoid(m), sigmoid(m)) = (P(y = 0 | x), P(y = 1 | x)); scratch is not used. */
    @Override
    public void predict(double[] params, double[] x, int offset, double[] out, double[] scratch) {
        double m = margin(params, x, offset);
        out[0] = sigmoid(-m);
        out[1] = sigmoid(m);
    }

    /** out = (-m, m), MLlib's rawPrediction for binary logistic regression; scratch is not used. */
    @Override
    public void predictRaw(double[] params, double[] x, int offset, double[] out, double[] scratch) {
        double m = margin(params, x, offset);
        out[0] = -m;
        out[1] = m;
    }

    /** P(y = 1 | x) = sigmoid(m). */
    public double probability(double[] params, double[] x, int offset) {
        return sigmoid(margin(params, x, offset));
    }

    @Override
    public double loss(double[] params, double[] x, int offset, double y) {
        boolean positive = label(y);
        double m = margin(params, x, offset);
        return softplus(positive ? -m : m);
    }

    @Override
    public double lossAndGradient(double[] params, double[] x, int offset, double y, double[] gradOut) {
        if (gradOut.length < numFeatures + 1) {
            throw new IllegalArgumentException("gradOut must have length >= numParams = " + (numFeatures + 1)
                    + ", got " + gradOut.length);
        }
        boolean positive = label(y);
        double m = margin(params, x, offset);
        double r = residual(m, positive);
        for (int j = 0; j < numFeatures; j++) {
            gradOut[j] = r * x[offset + j];
        }
        gradOut[numFeatures] = r;
        return softplus(positive ? -m : m);
    }

    /**
     * Fused clip-and-add: never materializes the gradient; its norm is |r| sqrt(||x||^2 + 1). Falls back to the
     * generic (overflow-safe) path if ||x||^2 or the margin is not finite.
     */
    @Override
    public double addClippedGradient(double[] params, double[] x, int offset, double y, double clipNorm,
            double[] sumOut, double[] scratch) {
        checkParams(params);
        java.util.Objects.checkFromIndexSize(offset, numFeatures, x.length);
        if (sumOut.length < numFeatures + 1) {
            throw new IllegalArgumentException("sumOut must have length >= numParams = " + (numFeatures + 1)
                    + ", got " + sumOut.length);
        }
        boolean positive = label(y);
        double m = params[numFeatures];
        double xSq = 0.0;
        for (int j = 0; j < numFeatures; j++) {
            double xj = x[offset + j];
            m += params[j] * xj;
            xSq += xj * xj;
        }
        if (!(xSq < Double.POSITIVE_INFINITY) || Double.isNaN(m)) {
            return DpModel.super.addClippedGradient(params, x, offset, y, clipNorm, sumOut, scratch);
        }
        double r = residual(m, positive);
        double norm = Math.abs(r) * Math.sqrt(xSq + 1.0);
        double c = r * L2Clipping.factor(norm, clipNorm);
        for (int j = 0; j < numFeatures; j++) {
            sumOut[j] += c * x[offset + j];
        }
        sumOut[numFeatures] += c;
        return softplus(positive ? -m : m);
    }

    /** sigmoid(m) - y, with the y = 1 case as -sigmoid(-m). */
    private static double residual(double m, boolean positive) {
        return positive ? -sigmoid(-m) : sigmoid(m);
    }

    /** 1 / (1 + e^-m), without overflow for either sign. */
    static double sigmoid(double m) {
        if (m >= 0) {
            return 1.0 / (1.0 + Math.exp(-m));
        }
        double e = Math.exp(m);
        return e / (1.0 + e);
    }

    /** log(1 + e^z) = max(z, 0) + log1p(e^-|z|). */
    static double softplus(double z) {
        return Math.max(z, 0.0) + Math.log1p(Math.exp(-Math.abs(z)));
    }

    /**
     * True for y == 1, false for y == 0. The message deliberately omits the value: labels are private data and
     * exception messages end up in logs.
     */
    private static boolean label(double y) {
        if (y == 1.0) {
            return true;
        }
        if (y == 0.0) {
            return false;
        }
        throw new IllegalArgumentException("label y must be 0 or 1 (value not shown: labels are private data)");
    }

    /** At least numParams entries; only params[0 .. numParams) are read (see {@link DpModel}). */
    private void checkParams(double[] params) {
        ModelSupport.checkParams(params, numFeatures + 1);
    }

    @Override
    public String toString() {
        return "BinaryLogisticRegression[numFeatures=" + numFeatures + "]";
    }
}
