package org.dpspark.core.model;

import org.dpspark.core.clip.L2Clipping;

/**
 * A differentiable model with per-example losses and gradients, as DP-SGD needs them (Abadi et al. 2016,
 * Algorithm 1: per-example gradient, clip, sum). An example is the slice x[offset .. offset + numFeatures()) of a
 * row-major feature block and its label y. Implementations are stateless and must be safe to share between
 * threads; parameters and work arrays are passed in.
 */
public interface DpModel extends java.io.Serializable {

    int numFeatures();

    int numParams();

    /** A fresh array of numParams() starting parameters. */
    double[] initialParams();

    /**
     * The example's loss; its gradient with respect to params is written to gradOut[0 .. numParams()),
     * overwriting it.
     */
    double lossAndGradient(double[] params, double[] x, int offset, double y, double[] gradOut);

    /** The example's loss. */
    double loss(double[] params, double[] x, int offset, double y);

    /**
     * Adds the example's gradient, clipped to L2 norm clipNorm ({@link L2Clipping}), to sumOut[0 .. numParams()),
     * and returns its loss. scratch is a work array of length at least numParams(), overwritten. A gradient with
     * a NaN or infinite coordinate adds nothing (the loss is still returned). Models override this with a fused
     * version when the gradient's norm is cheaper than the gradient.
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
}
