package org.dpspark.core.bench;

import org.dpspark.core.clip.L2Clipping;
import org.dpspark.core.model.DpModel;
import org.dpspark.core.model.SoftmaxRegression;

/**
 * Augmentation multiplicity with a left-right flip for the harness (De et al. 2022, "Unlocking high-accuracy
 * differentially private image classification through scale", arXiv:2204.13650, sec. 3.2: average the gradients of
 * an example's augmentations, then clip that average once, so the sensitivity stays that of one example). An example
 * is the row [f(x), f(flip x)] (2d features); the parameters are those of a {@link SoftmaxRegression} on d features,
 * and the per-example gradient is the mean of that model's gradients at the two halves:
 * <pre>
 *   G = ([x1, 1] r1^T + [x2, 1] r2^T) / 2,   r_i = softmax(z_i) - onehot(y),
 *   ||G||^2 = (||r1||^2 (||x1||^2 + 1) + 2 (r1 . r2)(x1 . x2 + 1) + ||r2||^2 (||x2||^2 + 1)) / 4,
 * </pre>
 * so it is clipped without being materialized (the rank-one norm identity, extended to a sum of two outer products).
 * Prediction uses the base model on the first half only (evaluate the base model on f(x) for test rows). Not part
 * of dp-core: a prototype for {@link MnistDpSgdExperiment}'s {@code aug=hflip}.
 */
final class FlipAveragedSoftmax implements DpModel {

    private static final long serialVersionUID = 1L;

    private final SoftmaxRegression base;
    private final int d;
    private final int k;

    FlipAveragedSoftmax(int d, int classes) {
        this.base = new SoftmaxRegression(d, classes);
        this.d = d;
        this.k = classes;
    }

    SoftmaxRegression base() {
        return base;
    }

    @Override
    public int numFeatures() {
        return 2 * d;
    }

    @Override
    public int numParams() {
        return base.numParams();
    }

    @Override
    public double[] initialParams() {
        return base.initialParams();
    }

    @Override
    public int scratchSize() {
        return base.numParams();
    }

    @Override
    public double loss(double[] params, double[] x, int offset, double y) {
        return 0.5 * (base.loss(params, x, offset, y) + base.loss(params, x, offset + d, y));
    }

    @Override
    public double lossAndGradient(double[] params, double[] x, int offset, double y, double[] gradOut) {
        double[] second = new double[base.numParams()];
        double loss = base.lossAndGradient(params, x, offset, y, gradOut);
        loss += base.lossAndGradient(params, x, offset + d, y, second);
        for (int i = 0; i < second.length; i++) {
            gradOut[i] = 0.5 * (gradOut[i] + second[i]);
        }
        return 0.5 * loss;
    }

    @Override
    public double addClippedGradient(double[] params, double[] x, int offset, double y, double clipNorm,
            double[] sumOut, double[] scratch) {
        double[] r1 = new double[k];
        double[] r2 = new double[k];
        double[] scr = new double[0];
        base.predict(params, x, offset, r1, scr);
        base.predict(params, x, offset + d, r2, scr);
        int label = (int) y;
        double loss = -0.5 * (Math.log(r1[label]) + Math.log(r2[label]));
        r1[label] -= 1;
        r2[label] -= 1;
        double x11 = 0;
        double x22 = 0;
        double x12 = 0;
        for (int j = 0; j < d; j++) {
            double a = x[offset + j];
            double b = x[offset + d + j];
            x11 += a * a;
            x22 += b * b;
            x12 += a * b;
        }
        double r11 = 0;
        double r22 = 0;
        double r12 = 0;
        for (int c = 0; c < k; c++) {
            r11 += r1[c] * r1[c];
            r22 += r2[c] * r2[c];
            r12 += r1[c] * r2[c];
        }
        double sq = 0.25 * (r11 * (x11 + 1) + 2 * r12 * (x12 + 1) + r22 * (x22 + 1));
        if (!Double.isFinite(sq) || !Double.isFinite(loss)) {
            return DpModel.super.addClippedGradient(params, x, offset, y, clipNorm, sumOut, scratch);
        }
        double f = 0.5 * L2Clipping.factor(Math.sqrt(Math.max(0, sq)), clipNorm);
        int bias = d * k;
        for (int c = 0; c < k; c++) {
            sumOut[bias + c] += f * (r1[c] + r2[c]);
        }
        for (int j = 0; j < d; j++) {
            double a = f * x[offset + j];
            double b = f * x[offset + d + j];
            int row = j * k;
            for (int c = 0; c < k; c++) {
                sumOut[row + c] += a * r1[c] + b * r2[c];
            }
        }
        return loss;
    }
}
