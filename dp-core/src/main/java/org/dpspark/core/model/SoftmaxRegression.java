package org.dpspark.core.model;

import static org.dpspark.core.model.ModelSupport.checkExample;
import static org.dpspark.core.model.ModelSupport.checkLength;
import static org.dpspark.core.model.ModelSupport.checkParams;
import static org.dpspark.core.model.ModelSupport.classLabel;

import org.dpspark.core.clip.L2Clipping;

/**
 * Multinomial logistic (softmax) regression with K classes. Labels are class indices 0 .. K-1 (stored as double).
 *
 * <p>Parameters, flat: the weights W, a d x K matrix stored row-major ({@code W[j][k]} at {@code j * K + k}: the
 * weights of input j are contiguous, so a zero input is skipped in one test), then the K intercepts b. Margins
 * (logits) z = x^T W + b; P(y = k | x) = softmax(z)_k = e^{z_k} / sum_i e^{z_i}. With K = 2 this is an
 * over-parameterized binary logistic regression.
 *
 * <p>Per-example loss: the cross-entropy -log softmax(z)_y = logsumexp(z) - z_y, computed after subtracting
 * max_k z_k (no overflow). Gradient: dL/dW[j][k] = x_j r_k and dL/db_k = r_k with the residual r = softmax(z) -
 * onehot(y) (Bishop, Pattern Recognition and Machine Learning, 2006, eq. 4.109). The gradient is the outer product
 * [x, 1] r^T, so its L2 (Frobenius) norm is ||r|| sqrt(||x||^2 + 1), and {@link #addClippedGradient} clips without
 * materializing it (the rank-one norm identity used for per-example norms by Goodfellow, "Efficient Per-Example
 * Gradient Computations", arXiv:1510.01799, 2015): it adds c [x, 1] r^T, c = min(1, C / norm), touching only the
 * rows of inputs x_j != 0.
 */
public final class SoftmaxRegression implements DpModel {

    private static final long serialVersionUID = 1L;

    private final int numFeatures;
    private final int numClasses;
    private final int numParams;

    /**
     * @param numFeatures d &gt;= 0 (0 gives an intercept-only model)
     * @param numClasses  K &gt;= 2
     */
    public SoftmaxRegression(int numFeatures, int numClasses) {
        if (!(numFeatures >= 0)) {
            throw new IllegalArgumentException("numFeatures must be >= 0, got " + numFeatures);
        }
        if (!(numClasses >= 2)) {
            throw new IllegalArgumentException("numClasses must be >= 2, got " + numClasses);
        }
        long p = ((long) numFeatures + 1) * numClasses;
        if (p >= Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("(numFeatures + 1) * numClasses must be < 2^31 - 9, got " + p
                    + " for numFeatures=" + numFeatures + ", numClasses=" + numClasses);
        }
        this.numFeatures = numFeatures;
        this.numClasses = numClasses;
        this.numParams = (int) p;
    }

    @Override
    public int numFeatures() {
        return numFeatures;
    }

    public int numClasses() {
        return numClasses;
    }

    @Override
    public int numParams() {
        return numParams;
    }

    /** All zeros: every class equally likely. */
    @Override
    public double[] initialParams() {
        return new double[numParams];
    }

    @Override
    public int numOutputs() {
        return numClasses;
    }

    /** Writes the margins z into out[from .. from + K) (skipping zero inputs) and returns ||x||^2. */
    private double margins(double[] params, double[] x, int offset, double[] out, int from) {
        final int k = numClasses;
        System.arraycopy(params, numFeatures * k, out, from, k);
        double xSq = 0.0;
        for (int j = 0; j < numFeatures; j++) {
            double xj = x[offset + j];
            if (xj != 0.0) {
                xSq += xj * xj;
                int row = j * k;
                for (int c = 0; c < k; c++) {
                    out[from + c] += xj * params[row + c];
                }
            }
        }
        return xSq;
    }

    /** Writes the margins z (logits) into out[0 .. K); scratch is not used. */
    @Override
    public void predictRaw(double[] params, double[] x, int offset, double[] out, double[] scratch) {
        checkParams(params, numParams);
        checkExample(x, offset, numFeatures);
        checkLength(out, numClasses, "out");
        margins(params, x, offset, out, 0);
    }

    /** Writes the class probabilities softmax(z) into out[0 .. K); scratch is not used. */
    @Override
    public void predict(double[] params, double[] x, int offset, double[] out, double[] scratch) {
        predictRaw(params, x, offset, out, scratch);
        ModelSupport.softmaxInPlace(out, 0, numClasses);
    }

    @Override
    public double loss(double[] params, double[] x, int offset, double y) {
        int label = classLabel(y, numClasses);
        checkParams(params, numParams);
        checkExample(x, offset, numFeatures);
        double[] z = new double[numClasses];
        margins(params, x, offset, z, 0);
        return ModelSupport.crossEntropy(z, 0, numClasses, label);
    }

    @Override
    public double lossAndGradient(double[] params, double[] x, int offset, double y, double[] gradOut) {
        int label = classLabel(y, numClasses);
        checkParams(params, numParams);
        checkExample(x, offset, numFeatures);
        checkLength(gradOut, numParams, "gradOut");
        final int k = numClasses;
        final int bias = numFeatures * k;
        // z, then the residual r, live in the intercepts' slots of gradOut (their gradient is r).
        margins(params, x, offset, gradOut, bias);
        double loss = ModelSupport.crossEntropy(gradOut, bias, k, label);
        ModelSupport.softmaxInPlace(gradOut, bias, k);
        ModelSupport.residualInPlace(gradOut, bias, k, label);
        for (int j = 0; j < numFeatures; j++) {
            double xj = x[offset + j];
            int row = j * k;
            for (int c = 0; c < k; c++) {
                gradOut[row + c] = xj * gradOut[bias + c];
            }
        }
        return loss;
    }

    /**
     * Fused clip-and-add ({@link SoftmaxRegression class comment}): one pass over x for the margins and ||x||^2,
     * then one over the non-zero inputs to add. Falls back to the generic (overflow-safe) path when ||x||^2 or a
     * margin is not finite. scratch needs numParams() entries only for that fallback; the fused path uses K.
     */
    @Override
    public double addClippedGradient(double[] params, double[] x, int offset, double y, double clipNorm,
            double[] sumOut, double[] scratch) {
        int label = classLabel(y, numClasses);
        checkParams(params, numParams);
        checkExample(x, offset, numFeatures);
        checkLength(sumOut, numParams, "sumOut");
        checkLength(scratch, numParams, "scratch");
        final int k = numClasses;
        final int bias = numFeatures * k;
        double xSq = margins(params, x, offset, scratch, 0);
        double loss = ModelSupport.crossEntropy(scratch, 0, k, label);
        double lse = ModelSupport.softmaxInPlace(scratch, 0, k);
        if (!(xSq < Double.POSITIVE_INFINITY) || !(lse < Double.POSITIVE_INFINITY)) {
            return DpModel.super.addClippedGradient(params, x, offset, y, clipNorm, sumOut, scratch);
        }
        double rSq = ModelSupport.residualInPlace(scratch, 0, k, label);
        double factor = L2Clipping.factor(Math.sqrt(rSq) * Math.sqrt(xSq + 1.0), clipNorm);
        for (int c = 0; c < k; c++) {
            scratch[c] *= factor;
            sumOut[bias + c] += scratch[c];
        }
        for (int j = 0; j < numFeatures; j++) {
            double xj = x[offset + j];
            if (xj != 0.0) {
                int row = j * k;
                for (int c = 0; c < k; c++) {
                    sumOut[row + c] += xj * scratch[c];
                }
            }
        }
        return loss;
    }

    @Override
    public String toString() {
        return "SoftmaxRegression[numFeatures=" + numFeatures + ", numClasses=" + numClasses + "]";
    }
}
