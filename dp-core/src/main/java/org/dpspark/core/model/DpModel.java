package org.dpspark.core.model;

import org.dpspark.core.clip.L2Clipping;
import org.dpspark.core.random.RandomSource;

/**
 * A differentiable model with per-example losses and gradients, as DP-SGD needs them (Abadi et al. 2016,
 * Algorithm 1: per-example gradient, clip, sum). An example is the slice x[offset .. offset + numFeatures()) of a
 * row-major feature block and its label y. Implementations are stateless and must be safe to share between
 * threads; parameters and work arrays are passed in.
 *
 * <p>Prediction ({@link #numOutputs()}, {@link #predict}, {@link #predictRaw}) is for scoring released models
 * (e.g. in Spark Transformers): a classifier with K classes has numOutputs() = K and predicts the K class
 * probabilities; a regression model has numOutputs() = 1 and predicts its value. The defaults throw
 * UnsupportedOperationException, for test doubles that only train.
 *
 * <p>Array lengths: {@code params} must hold at least numParams() entries (a shorter array is refused with an
 * IllegalArgumentException) and only params[0 .. numParams()) are read, so a longer array is accepted and its tail
 * ignored; likewise gradients and sums are written to [0 .. numParams()) only, never beyond. This lets a wrapper
 * append coordinates of its own after the model's, as {@code org.dpspark.core.audit.CanaryPaddedModel} does for
 * the white-box canaries of the one-run privacy audit (Steinke, Nasr and Jagielski 2023).
 */
public interface DpModel extends java.io.Serializable {

    int numFeatures();

    int numParams();

    /** A fresh array of numParams() starting parameters. */
    double[] initialParams();

    /**
     * A fresh array of numParams() starting parameters, drawing any random initialization from {@code rng}
     * (a {@code CsprngStream} in production, {@code InsecureTestRandomness} for reproducible tests). Models with
     * a deterministic start (all the convex ones: zeros) ignore rng. Initialization is data-independent, so its
     * randomness has no privacy role.
     */
    default double[] initialParams(RandomSource rng) {
        return initialParams();
    }

    /**
     * Length of the work array that {@link #addClippedGradient} and {@link #predict} need: numParams() unless the
     * model says otherwise, never more than numParams().
     */
    default int scratchSize() {
        return numParams();
    }

    /** K &gt;= 2 for a classifier with K classes (its outputs are class probabilities), 1 for a regression. */
    default int numOutputs() {
        throw new UnsupportedOperationException(getClass().getName() + " does not predict");
    }

    /**
     * Writes the prediction for the example x[offset .. offset + numFeatures()) to out[0 .. numOutputs()): the
     * class probabilities (summing to 1) for a classifier, the predicted value for a regression. scratch is a
     * work array of length at least {@link #scratchSize()}, overwritten.
     */
    default void predict(double[] params, double[] x, int offset, double[] out, double[] scratch) {
        throw new UnsupportedOperationException(getClass().getName() + " does not predict");
    }

    /** {@link #predict(double[], double[], int, double[], double[])} with a freshly allocated work array. */
    default void predict(double[] params, double[] x, int offset, double[] out) {
        predict(params, x, offset, out, new double[scratchSize()]);
    }

    /**
     * The raw prediction, following Spark MLlib's "rawPrediction" convention: for a classifier, the K margins
     * (logits) whose softmax is {@link #predict}'s output (for a binary logistic model, (-m, m)); for a
     * regression, the predicted value. Same arguments as {@link #predict}.
     */
    default void predictRaw(double[] params, double[] x, int offset, double[] out, double[] scratch) {
        throw new UnsupportedOperationException(getClass().getName() + " does not predict");
    }

    /**
     * The example's loss; its gradient with respect to params is written to gradOut[0 .. numParams()),
     * overwriting it.
     */
    double lossAndGradient(double[] params, double[] x, int offset, double y, double[] gradOut);

    /** The example's loss. */
    double loss(double[] params, double[] x, int offset, double y);

    /**
     * Adds the example's gradient, clipped to L2 norm clipNorm ({@link L2Clipping}), to sumOut[0 .. numParams()),
     * and returns its loss. scratch is a work array of length at least {@link #scratchSize()} (this generic
     * version needs numParams()), overwritten. A gradient with a NaN or infinite coordinate adds nothing (the
     * loss is still returned). Models override this with a fused version when the gradient's norm is cheaper
     * than the gradient.
     */
    default double addClippedGradient(double[] params, double[] x, int offset, double y, double clipNorm,
            double[] sumOut, double[] scratch) {
        int p = numParams();
        if (sumOut.length < p || scratch.length < p) {
            throw new IllegalArgumentException("sumOut and scratch must have length >= numParams = " + p
                    + ", got " + sumOut.length + " and " + scratch.length);
        }
        double loss = lossAndGradient(params, x, offset, y, scratch);
        L2Clipping.clipInPlace(scratch, 0, p, clipNorm);
        for (int j = 0; j < p; j++) {
            sumOut[j] += scratch[j];
        }
        return loss;
    }
    /**
     * The batched form of {@link #addClippedGradient}: adds the clipped gradients of the {@code count} examples
     * x[k * numFeatures() .. (k + 1) * numFeatures()) with labels labels[k] (k = 0 .. count) to
     * sumOut[0 .. numParams()), and writes example k's loss to lossesOut[k]. The result equals count calls of
     * addClippedGradient in the order k = 0, 1, ..., up to the rounding of a different summation order (this
     * default makes exactly those calls; {@link Mlp} overrides it with matrix products over the batch). Each
     * example's contribution is clipped on its own, so the clipping bound and the sensitivity are those of the
     * per-example path; an example whose gradient has a NaN or infinite coordinate adds nothing. work holds the
     * work arrays between calls (allocated on first use, grown when a larger batch needs more).
     */
    default void addClippedGradients(double[] params, double[] x, double[] labels, int count, double clipNorm,
            double[] sumOut, double[] lossesOut, BatchWorkspace work) {
        java.util.Objects.requireNonNull(x, "x");
        java.util.Objects.requireNonNull(labels, "labels");
        java.util.Objects.requireNonNull(lossesOut, "lossesOut");
        java.util.Objects.requireNonNull(work, "work");
        final int d = numFeatures();
        if (count < 0 || (long) count * d > x.length || labels.length < count || lossesOut.length < count) {
            throw new IllegalArgumentException("count " + count + " examples need x.length >= " + ((long) count * d)
                    + " and labels and lossesOut of length >= count; got " + x.length + ", " + labels.length + ", "
                    + lossesOut.length);
        }
        final double[] scratch = work.doubles(scratchSize());
        for (int k = 0; k < count; k++) {
            lossesOut[k] = addClippedGradient(params, x, k * d, labels[k], clipNorm, sumOut, scratch);
        }
    }

    /**
     * As {@link #addClippedGradients(double[], double[], double[], int, double, double[], double[], BatchWorkspace)};
     * with {@code floatForward}, the rows come from float32 storage and the model may compute its forward products
     * in float32 arithmetic ({@link Mlp}: the first layer's). What the guarantee rests on stays in double whatever
     * the flag: the per-example norms, the clip factors and the sum, all computed from the very activations and
     * residuals the sum is made of, so every example still adds at most C. Default: the double path.
     */
    default void addClippedGradients(double[] params, double[] x, double[] labels, int count, double clipNorm,
            double[] sumOut, double[] lossesOut, BatchWorkspace work, boolean floatForward) {
        addClippedGradients(params, x, labels, count, clipNorm, sumOut, lossesOut, work);
    }
}
