package org.dpspark.core.model;

import static org.dpspark.core.model.ModelSupport.checkExample;
import static org.dpspark.core.model.ModelSupport.checkLength;
import static org.dpspark.core.model.ModelSupport.checkParams;

import org.dpspark.core.clip.L2Clipping;

/**
 * Linear regression with squared loss. Parameters [w_0 .. w_{d-1}, b] (intercept last); prediction
 * f(x) = w.x + b.
 *
 * <p>Labels are first clipped to the declared public bounds [labelMin, labelMax]: y_c = min(max(y, labelMin),
 * labelMax) (so an infinite label is clipped too; NaN is rejected). Clipping bounds the loss and the residual
 * for any bounded model without looking at the data; the bounds must be public (declared, never computed from the
 * data). Per-example loss: (1/2) (f(x) - y_c)^2. Gradient: r [x, 1] with residual r = f(x) - y_c, whose L2 norm
 * is |r| sqrt(||x||^2 + 1), so {@link #addClippedGradient} clips without materializing the gradient (as
 * {@link BinaryLogisticRegression} does).
 */
public final class LinearRegression implements DpModel {

    private static final long serialVersionUID = 1L;

    private final int numFeatures;
    private final double labelMin;
    private final double labelMax;

    /**
     * @param numFeatures d &gt;= 0
     * @param labelMin    finite lower label bound
     * @param labelMax    finite upper label bound, &gt;= labelMin
     */
    public LinearRegression(int numFeatures, double labelMin, double labelMax) {
        if (!(numFeatures >= 0 && numFeatures < Integer.MAX_VALUE - 8)) {
            throw new IllegalArgumentException("numFeatures must be in [0, 2^31 - 9), got " + numFeatures);
        }
        if (!(Double.isFinite(labelMin) && Double.isFinite(labelMax) && labelMin <= labelMax)) {
            throw new IllegalArgumentException("labelMin and labelMax must be finite with labelMin <= labelMax, got"
                    + " labelMin=" + labelMin + ", labelMax=" + labelMax);
        }
        this.numFeatures = numFeatures;
        this.labelMin = labelMin;
        this.labelMax = labelMax;
    }

    @Override
    public int numFeatures() {
        return numFeatures;
    }

    @Override
    public int numParams() {
        return numFeatures + 1;
    }

    public double labelMin() {
        return labelMin;
    }

    public double labelMax() {
        return labelMax;
    }

    /** All zeros. */
    @Override
    public double[] initialParams() {
        return new double[numFeatures + 1];
    }

    /** 1: the predicted value. */
    @Override
    public int numOutputs() {
        return 1;
    }

    /** f(x) = w.x + b. */
    public double value(double[] params, double[] x, int offset) {
        checkParams(params, numFeatures + 1);
        checkExample(x, offset, numFeatures);
        double f = params[numFeatures];
        for (int j = 0; j < numFeatures; j++) {
            f += params[j] * x[offset + j];
        }
        return f;
    }

    /** out[0] = f(x) (not clipped to the label bounds); scratch is not used. */
    @Override
    public void predict(double[] params, double[] x, int offset, double[] out, double[] scratch) {
        out[0] = value(params, x, offset);
    }

    /** The same as {@link #predict}. */
    @Override
    public void predictRaw(double[] params, double[] x, int offset, double[] out, double[] scratch) {
        out[0] = value(params, x, offset);
    }

    /**
     * y clipped to [labelMin, labelMax]. The message for NaN omits the value: labels are private data.
     */
    public double clipLabel(double y) {
        if (Double.isNaN(y)) {
            throw new IllegalArgumentException("label y must not be NaN (labels are clipped to [" + labelMin + ", "
                    + labelMax + "], but NaN has no place in that range)");
        }
        return y < labelMin ? labelMin : (y > labelMax ? labelMax : y);
    }

    @Override
    public double loss(double[] params, double[] x, int offset, double y) {
        double yc = clipLabel(y);
        double r = value(params, x, offset) - yc;
        return 0.5 * r * r;
    }

    @Override
    public double lossAndGradient(double[] params, double[] x, int offset, double y, double[] gradOut) {
        checkLength(gradOut, numFeatures + 1, "gradOut");
        double yc = clipLabel(y);
        double r = value(params, x, offset) - yc;
        for (int j = 0; j < numFeatures; j++) {
            gradOut[j] = r * x[offset + j];
        }
        gradOut[numFeatures] = r;
        return 0.5 * r * r;
    }

    /**
     * Fused clip-and-add: never materializes the gradient; its norm is |r| sqrt(||x||^2 + 1). Falls back to the
     * generic (overflow-safe) path if ||x||^2 or the residual is not finite.
     */
    @Override
    public double addClippedGradient(double[] params, double[] x, int offset, double y, double clipNorm,
            double[] sumOut, double[] scratch) {
        double yc = clipLabel(y);
        checkParams(params, numFeatures + 1);
        checkExample(x, offset, numFeatures);
        checkLength(sumOut, numFeatures + 1, "sumOut");
        double f = params[numFeatures];
        double xSq = 0.0;
        for (int j = 0; j < numFeatures; j++) {
            double xj = x[offset + j];
            f += params[j] * xj;
            xSq += xj * xj;
        }
        double r = f - yc;
        if (!(xSq < Double.POSITIVE_INFINITY) || !(Math.abs(r) < Double.POSITIVE_INFINITY)) {
            return DpModel.super.addClippedGradient(params, x, offset, y, clipNorm, sumOut, scratch);
        }
        double c = r * L2Clipping.factor(Math.abs(r) * Math.sqrt(xSq + 1.0), clipNorm);
        for (int j = 0; j < numFeatures; j++) {
            sumOut[j] += c * x[offset + j];
        }
        sumOut[numFeatures] += c;
        return 0.5 * r * r;
    }

    @Override
    public String toString() {
        return "LinearRegression[numFeatures=" + numFeatures + ", labelMin=" + labelMin + ", labelMax=" + labelMax
                + "]";
    }
}
