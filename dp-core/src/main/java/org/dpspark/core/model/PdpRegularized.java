package org.dpspark.core.model;

import java.util.Objects;
import org.dpspark.core.params.Checks;
import org.dpspark.core.random.RandomSource;

/**
 * A model whose per-example loss carries the differential-privacy regularization ("PDP") term of Aguilera-Martinez
 * and Berzal, "Differential privacy regularization: protecting training data through loss function
 * regularization", arXiv:2409.17144, 2024, in the form reproduced by Fernandez-de-Retana et al., arXiv:2510.23931,
 * 2025 ("PDP-SGD"):
 *
 * <pre>
 *     L_PDP = L + eta^2 sigma^2 sum_i theta_i^2 x_i^2
 * </pre>
 *
 * each weight theta_i that multiplies an input feature x_i is penalized by theta_i^2 x_i^2. One strength
 * lambda &gt;= 0 stands for eta^2 sigma^2, so that per example
 *
 * <pre>
 *     L_PDP(theta; x, y) = L(theta; x, y) + lambda * sum_{j &lt; d} x_j^2 * sum_{k &lt; m} W[j][k]^2
 * </pre>
 *
 * over the weights W[j][k] that multiply input feature x_j (m of them per feature); biases are not penalized. Per
 * model, with d = numFeatures():
 * <ul>
 *   <li>{@link BinaryLogisticRegression} and {@link LinearRegression} (params [w_0 .. w_{d-1}, b]): m = 1,
 *       term = lambda sum_j w_j^2 x_j^2;</li>
 *   <li>{@link SoftmaxRegression} (W[j][k] at j * K + k, then the K intercepts): m = K,
 *       term = lambda sum_j x_j^2 sum_k W[j][k]^2;</li>
 *   <li>{@link Mlp}: the FIRST layer only, W_1[j][i] at j * n_1 + i (m = n_1, the first hidden width, or K with
 *       no hidden layer), term = lambda sum_j x_j^2 sum_i W_1[j][i]^2. The derivation is for weights multiplying
 *       the inputs x_i; one could carry it to every layer l with that layer's input activations a_{l-1} in place
 *       of x, but those activations depend on the earlier weights, so the term would no longer be a simple
 *       per-weight quadratic (its gradient would flow back through the network). We penalize the weights that
 *       multiply the raw, fixed input features: there the term is exactly the paper's theta_i^2 x_i^2, and it
 *       costs one pass over x.</li>
 * </ul>
 * The gradient adds 2 lambda W[j][k] x_j^2 to each penalized weight's coordinate; inputs x_j = 0 contribute
 * nothing and are skipped.
 *
 * <p>The term depends on the example, so it is part of the example's loss: {@link #addClippedGradient} clips the
 * whole regularized gradient (inner gradient plus the term's) to the clip norm, which keeps DP-SGD's sensitivity
 * bound ||clipped gradient|| &lt;= C (Abadi et al. 2016, Algorithm 1) unchanged. The clip is the generic one
 * (materialize, {@link org.dpspark.core.clip.L2Clipping}, add): a regularized gradient with a NaN or infinite
 * coordinate (e.g. x_j^2 overflowing) adds nothing. Prediction is unchanged by a loss term and delegates to the
 * wrapped model.
 */
public final class PdpRegularized implements DpModel {

    private static final long serialVersionUID = 1L;

    /** The canonical name of the strength parameter, in {@link org.dpspark.core.params.InvalidParameterException}s. */
    public static final String STRENGTH_PARAM = "pdpStrength";

    private final DpModel inner;
    private final double strength;
    /** m: the number of penalized weights per input feature; they are params[j * m .. (j + 1) * m) for x_j. */
    private final int fanOut;

    private PdpRegularized(DpModel inner, double strength, int fanOut) {
        this.inner = inner;
        this.strength = strength;
        this.fanOut = fanOut;
    }

    /**
     * The model with the PDP term of strength lambda. lambda == 0 returns inner itself (for any model: there is
     * no term to add).
     *
     * @param inner  a {@link BinaryLogisticRegression}, {@link SoftmaxRegression}, {@link LinearRegression} or
     *               {@link Mlp}
     * @param lambda the strength (eta^2 sigma^2 in the paper), finite and &gt;= 0
     * @throws org.dpspark.core.params.InvalidParameterException naming {@value #STRENGTH_PARAM} if lambda is
     *         negative, NaN or infinite
     * @throws IllegalArgumentException if lambda &gt; 0 and inner is of another class (including an already
     *         regularized model: wrap the base model once, with the summed strength)
     */
    public static DpModel wrap(DpModel inner, double lambda) {
        Checks.nonNegative(STRENGTH_PARAM, lambda);
        Objects.requireNonNull(inner, "inner");
        if (lambda == 0.0) {
            return inner;
        }
        return new PdpRegularized(inner, lambda, fanOutOf(inner));
    }

    private static int fanOutOf(DpModel inner) {
        if (inner instanceof BinaryLogisticRegression || inner instanceof LinearRegression) {
            return 1;
        }
        if (inner instanceof SoftmaxRegression) {
            return ((SoftmaxRegression) inner).numClasses();
        }
        if (inner instanceof Mlp) {
            return ((Mlp) inner).firstLayerWidth();
        }
        throw new IllegalArgumentException("PDP regularization supports BinaryLogisticRegression, SoftmaxRegression,"
                + " LinearRegression and Mlp, got " + inner.getClass().getName());
    }

    /** The wrapped model. */
    public DpModel inner() {
        return inner;
    }

    /** lambda, &gt; 0. */
    public double strength() {
        return strength;
    }

    /**
     * The term alone for the example x[offset .. offset + numFeatures()): lambda sum_j x_j^2 sum_k W[j][k]^2 (see
     * the class comment).
     */
    public double term(double[] params, double[] x, int offset) {
        int d = inner.numFeatures();
        ModelSupport.checkParams(params, inner.numParams());
        ModelSupport.checkExample(x, offset, d);
        final int m = fanOut;
        double sum = 0.0;
        for (int j = 0; j < d; j++) {
            double xj = x[offset + j];
            if (xj != 0.0) {
                double wSq = 0.0;
                for (int i = j * m, end = i + m; i < end; i++) {
                    wSq += params[i] * params[i];
                }
                sum += xj * xj * wSq;
            }
        }
        return strength * sum;
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
    public double[] initialParams(RandomSource rng) {
        return inner.initialParams(rng);
    }

    /**
     * numParams(): {@link #addClippedGradient} materializes the regularized gradient. This is at least the
     * wrapped model's scratchSize(), so the same array also serves {@link #predict}.
     */
    @Override
    public int scratchSize() {
        return Math.max(inner.scratchSize(), inner.numParams());
    }

    @Override
    public int numOutputs() {
        return inner.numOutputs();
    }

    @Override
    public void predict(double[] params, double[] x, int offset, double[] out, double[] scratch) {
        inner.predict(params, x, offset, out, scratch);
    }

    @Override
    public void predictRaw(double[] params, double[] x, int offset, double[] out, double[] scratch) {
        inner.predictRaw(params, x, offset, out, scratch);
    }

    /** The wrapped model's loss plus {@link #term}. */
    @Override
    public double loss(double[] params, double[] x, int offset, double y) {
        return inner.loss(params, x, offset, y) + term(params, x, offset);
    }

    /**
     * The wrapped model's loss and gradient, plus the term and its gradient 2 lambda x_j^2 W[j][k] on each
     * penalized weight.
     */
    @Override
    public double lossAndGradient(double[] params, double[] x, int offset, double y, double[] gradOut) {
        double loss = inner.lossAndGradient(params, x, offset, y, gradOut);
        int d = inner.numFeatures();
        final int m = fanOut;
        double sum = 0.0;
        for (int j = 0; j < d; j++) {
            double xj = x[offset + j];
            if (xj != 0.0) {
                double xSq = xj * xj;
                double g = 2.0 * strength * xSq;
                double wSq = 0.0;
                for (int i = j * m, end = i + m; i < end; i++) {
                    double w = params[i];
                    wSq += w * w;
                    gradOut[i] += g * w;
                }
                sum += xSq * wSq;
            }
        }
        return loss + strength * sum;
    }

    /**
     * Adds the regularized gradient, clipped as a whole to L2 norm clipNorm, to sumOut[0 .. numParams()) and
     * returns the regularized loss: the generic path of {@link DpModel#addClippedGradient} over
     * {@link #lossAndGradient}. scratch needs numParams() entries ({@link #scratchSize()}).
     */
    @Override
    public double addClippedGradient(double[] params, double[] x, int offset, double y, double clipNorm,
            double[] sumOut, double[] scratch) {
        return DpModel.super.addClippedGradient(params, x, offset, y, clipNorm, sumOut, scratch);
    }

    @Override
    public String toString() {
        return "PdpRegularized[" + inner + ", strength=" + strength + "]";
    }
}
