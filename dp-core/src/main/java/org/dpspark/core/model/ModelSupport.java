package org.dpspark.core.model;

import java.util.Objects;

/** Argument checks and numerically stable helpers shared by the models. */
final class ModelSupport {

    private ModelSupport() {
    }

    /**
     * params must hold at least numParams entries; only params[0 .. numParams) are read, so a longer array (e.g.
     * the padded parameters of {@code org.dpspark.core.audit.CanaryPaddedModel}) is accepted and its tail ignored.
     */
    static void checkParams(double[] params, int numParams) {
        if (params.length < numParams) {
            throw new IllegalArgumentException("params must have length >= numParams = " + numParams
                    + " (only the first numParams entries are read), got " + params.length);
        }
    }

    static void checkExample(double[] x, int offset, int numFeatures) {
        Objects.checkFromIndexSize(offset, numFeatures, x.length);
    }

    static void checkLength(double[] a, int min, String name) {
        if (a.length < min) {
            throw new IllegalArgumentException(name + " must have length >= " + min + ", got " + a.length);
        }
    }

    /**
     * The class index of label y for a K-class model: y must be an integer in [0, K). The message deliberately
     * omits the value: labels are private data and exception messages end up in logs.
     */
    /**
     * The sum of squares of a[from .. from + len), in four interleaved partial sums (element j goes to partial sum
     * j mod 4, each accumulated in order, then (s0 + s1) + (s2 + s3)): four independent dependency chains instead
     * of one, a fixed order whatever the hardware (same inputs, same bits), within a few ulps of the sequential sum.
     */
    static double sumOfSquares(double[] a, int from, int len) {
        double s0 = 0.0;
        double s1 = 0.0;
        double s2 = 0.0;
        double s3 = 0.0;
        int j = from;
        final int end4 = from + (len & ~3);
        for (; j < end4; j += 4) {
            s0 += a[j] * a[j];
            s1 += a[j + 1] * a[j + 1];
            s2 += a[j + 2] * a[j + 2];
            s3 += a[j + 3] * a[j + 3];
        }
        final int end = from + len;
        if (j < end) {
            s0 += a[j] * a[j];
        }
        if (j + 1 < end) {
            s1 += a[j + 1] * a[j + 1];
        }
        if (j + 2 < end) {
            s2 += a[j + 2] * a[j + 2];
        }
        return (s0 + s1) + (s2 + s3);
    }

    static int classLabel(double y, int numClasses) {
        if (!(y >= 0.0 && y < numClasses && y == Math.rint(y))) {
            throw new IllegalArgumentException("label y must be a class index, an integer in [0, " + numClasses
                    + ") (value not shown: labels are private data)");
        }
        return (int) y;
    }

    /**
     * Replaces z[from .. from + k) by softmax(z) and returns log(sum_i exp(z_i)), both computed after subtracting
     * max_i z_i, so that neither overflows. The result is NaN if some z_i is NaN or +Infinity.
     */
    static double softmaxInPlace(double[] z, int from, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = from; i < from + k; i++) {
            double v = z[i];
            if (!(v <= max)) {
                max = v; // also picks up a NaN, which then propagates
            }
        }
        if (!(max < Double.POSITIVE_INFINITY)) {
            java.util.Arrays.fill(z, from, from + k, Double.NaN);
            return Double.NaN;
        }
        double sum = 0.0;
        for (int i = from; i < from + k; i++) {
            double e = Math.exp(z[i] - max);
            z[i] = e;
            sum += e;
        }
        double inv = 1.0 / sum;
        for (int i = from; i < from + k; i++) {
            z[i] *= inv;
        }
        return max + Math.log(sum);
    }

    /**
     * Cross-entropy -log softmax(z)_y from the logits z[from .. from + k), without modifying them; NaN when a logit
     * is NaN or +Infinity.
     */
    static double crossEntropy(double[] z, int from, int k, int y) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = from; i < from + k; i++) {
            double v = z[i];
            if (!(v <= max)) {
                max = v;
            }
        }
        if (!(max < Double.POSITIVE_INFINITY)) {
            return Double.NaN;
        }
        double sum = 0.0;
        for (int i = from; i < from + k; i++) {
            sum += Math.exp(z[i] - max);
        }
        return max + Math.log(sum) - z[from + y];
    }

    /**
     * Turns probabilities p[from .. from + k) into the softmax cross-entropy residual p - onehot(y) in place and
     * returns its squared L2 norm. The y-th entry is written as -(sum of the other probabilities) rather than
     * p_y - 1, which keeps its small values accurate when p_y is close to 1.
     */
    static double residualInPlace(double[] p, int from, int k, int y) {
        double others = 0.0;
        double sq = 0.0;
        for (int i = from; i < from + k; i++) {
            if (i != from + y) {
                others += p[i];
                sq += p[i] * p[i];
            }
        }
        p[from + y] = -others;
        return sq + others * others;
    }
}
