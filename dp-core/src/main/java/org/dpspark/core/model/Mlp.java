package org.dpspark.core.model;

import static org.dpspark.core.model.ModelSupport.checkExample;
import static org.dpspark.core.model.ModelSupport.checkLength;
import static org.dpspark.core.model.ModelSupport.checkParams;
import static org.dpspark.core.model.ModelSupport.classLabel;

import java.util.Arrays;
import java.util.Objects;
import org.dpspark.core.clip.L2Clipping;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.core.random.RandomSource;

/**
 * A multilayer perceptron classifier: layer sizes n_0 = d (inputs), n_1 .. n_L (hidden), n_{L+1} = K (classes);
 * a_0 = x, a_l = phi(a_{l-1}^T W_l + b_l) for the hidden layers with phi = ReLU or tanh, logits
 * z = a_L^T W_{L+1} + b_{L+1}, P(y = k | x) = softmax(z)_k, loss = cross-entropy -log softmax(z)_y.
 *
 * <p>Parameters, flat, layer by layer: W_l, an n_{l-1} x n_l matrix stored row-major ({@code W_l[j][i]}, from
 * input j to unit i, at {@code offset_l + j * n_l + i}: the fan-out of an input is contiguous, so the forward pass
 * and the gradient update are contiguous axpy loops that skip inputs equal to 0, such as MNIST's blank pixels),
 * then b_l (n_l values).
 *
 * <p>Per-example gradients by analytic backpropagation (Rumelhart, Hinton, Williams 1986): delta_{L+1} =
 * softmax(z) - onehot(y); delta_l = phi'(a_l) * (W_{l+1} delta_{l+1}) with phi'(a) = [a &gt; 0] for ReLU and
 * 1 - a^2 for tanh; dL/dW_l = a_{l-1} delta_l^T, dL/db_l = delta_l. Each layer's weight gradient is an outer
 * product, so the gradient's squared L2 norm is sum_l ||delta_l||^2 (||a_{l-1}||^2 + 1) (Goodfellow, "Efficient
 * Per-Example Gradient Computations", arXiv:1510.01799, 2015). {@link #addClippedGradient} therefore clips
 * without materializing the gradient: forward, backward over the (small) deltas, the norm, then
 * sumOut += c a_{l-1} delta_l^T with c = min(1, C / norm) (Abadi et al. 2016, Algorithm 1). It allocates
 * nothing: activations and deltas live in the caller's scratch array ({@link #scratchSize()} values, far fewer
 * than numParams()). An example whose gradient has a NaN or infinite coordinate, or whose norm overflows a
 * double (only with features beyond about 1e150), adds nothing; the clipping bound holds in every case.
 *
 * <p>Initialization ({@link #initialParams(RandomSource)}): biases 0; weights uniform in [-a, a] with
 * a = sqrt(6 / n_{l-1}) for ReLU hidden layers (He et al. 2015, variance 2 / fan-in) and a = sqrt(6 / (n_{l-1} +
 * n_l)) for tanh hidden layers and the output layer (Glorot and Bengio 2010).
 */
public final class Mlp implements DpModel {

    private static final long serialVersionUID = 1L;

    /** The hidden layers' nonlinearity. */
    public enum Activation {
        /** max(0, v); derivative [v &gt; 0] (0 at 0). */
        RELU,
        /** tanh(v); derivative 1 - tanh(v)^2. */
        TANH
    }

    private final int[] sizes;
    private final Activation activation;
    private final int numParams;
    private final int scratchSize;
    /** Weight and bias offsets of weight layer l = 1 .. L+1 (index l; index 0 unused). */
    private final int[] wOff;
    private final int[] bOff;
    /** Scratch offsets of a_l for l = 1 .. L+1 (a_{L+1} holds the logits, then the probabilities, then delta). */
    private final int[] aOff;
    /** Scratch offsets of delta_l for the hidden layers l = 1 .. L. */
    private final int[] dOff;

    /**
     * @param numFeatures d &gt;= 1
     * @param hidden      the hidden layer sizes, each &gt;= 1 (empty: a softmax regression)
     * @param activation  RELU or TANH
     * @param numClasses  K &gt;= 2
     */
    public Mlp(int numFeatures, int[] hidden, Activation activation, int numClasses) {
        Objects.requireNonNull(hidden, "hidden");
        if (!(numFeatures >= 1)) {
            throw new IllegalArgumentException("numFeatures must be >= 1, got " + numFeatures);
        }
        if (!(numClasses >= 2)) {
            throw new IllegalArgumentException("numClasses must be >= 2, got " + numClasses);
        }
        if (activation == null) {
            throw new IllegalArgumentException("activation must be RELU or TANH, got null");
        }
        for (int h : hidden) {
            if (!(h >= 1)) {
                throw new IllegalArgumentException("hidden layer sizes must be >= 1, got " + Arrays.toString(hidden));
            }
        }
        int layers = hidden.length + 1;
        this.sizes = new int[layers + 1];
        sizes[0] = numFeatures;
        System.arraycopy(hidden, 0, sizes, 1, hidden.length);
        sizes[layers] = numClasses;
        this.activation = activation;
        this.wOff = new int[layers + 1];
        this.bOff = new int[layers + 1];
        this.aOff = new int[layers + 1];
        this.dOff = new int[layers];
        long p = 0;
        long s = 0;
        for (int l = 1; l <= layers; l++) {
            wOff[l] = (int) Math.min(p, Integer.MAX_VALUE);
            p += (long) sizes[l - 1] * sizes[l];
            bOff[l] = (int) Math.min(p, Integer.MAX_VALUE);
            p += sizes[l];
            aOff[l] = (int) Math.min(s, Integer.MAX_VALUE);
            s += sizes[l];
        }
        for (int l = 1; l < layers; l++) {
            dOff[l] = (int) Math.min(s, Integer.MAX_VALUE);
            s += sizes[l];
        }
        if (p >= Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the MLP " + Arrays.toString(sizes) + " has " + p
                    + " parameters; at most 2^31 - 9 fit one array");
        }
        this.numParams = (int) p;
        this.scratchSize = (int) s;
    }

    @Override
    public int numFeatures() {
        return sizes[0];
    }

    public int numClasses() {
        return sizes[sizes.length - 1];
    }

    /** The hidden layer sizes (a copy). */
    public int[] hidden() {
        return Arrays.copyOfRange(sizes, 1, sizes.length - 1);
    }

    public Activation activation() {
        return activation;
    }

    @Override
    public int numParams() {
        return numParams;
    }

    /**
     * n_1, the width of the first weight layer (K when there is no hidden layer): W_1, the d x n_1 weights that
     * multiply the input features, occupies params[0 .. d * n_1), with W_1[j][i] at j * n_1 + i. For
     * {@link PdpRegularized}.
     */
    int firstLayerWidth() {
        return sizes[1];
    }

    /** Activations and deltas: 2 (n_1 + ... + n_L) + K values. */
    @Override
    public int scratchSize() {
        return scratchSize;
    }

    @Override
    public int numOutputs() {
        return numClasses();
    }

    /** Random Glorot / He initialization from a fresh {@link CsprngStream} (not reproducible). */
    @Override
    public double[] initialParams() {
        return initialParams(CsprngStream.fromSecureRandom());
    }

    /** Glorot / He uniform weights drawn from rng, zero biases (see the class comment). */
    @Override
    public double[] initialParams(RandomSource rng) {
        Objects.requireNonNull(rng, "rng");
        double[] params = new double[numParams];
        int layers = sizes.length - 1;
        for (int l = 1; l <= layers; l++) {
            int fanIn = sizes[l - 1];
            int fanOut = sizes[l];
            double a = (l < layers && activation == Activation.RELU)
                    ? Math.sqrt(6.0 / fanIn)
                    : Math.sqrt(6.0 / ((double) fanIn + fanOut));
            for (int i = wOff[l]; i < bOff[l]; i++) {
                params[i] = (2.0 * rng.nextDouble() - 1.0) * a;
            }
        }
        return params;
    }

    /** Forward pass: a_1 .. a_L and the logits a_{L+1} into s. */
    private void forward(double[] params, double[] x, int offset, double[] s) {
        int layers = sizes.length - 1;
        for (int l = 1; l <= layers; l++) {
            final int nIn = sizes[l - 1];
            final int nOut = sizes[l];
            final int out = aOff[l];
            final double[] in = l == 1 ? x : s;
            final int inOff = l == 1 ? offset : aOff[l - 1];
            final int w = wOff[l];
            System.arraycopy(params, bOff[l], s, out, nOut);
            for (int j = 0; j < nIn; j++) {
                double v = in[inOff + j];
                if (v != 0.0) {
                    int row = w + j * nOut;
                    for (int i = 0; i < nOut; i++) {
                        s[out + i] += v * params[row + i];
                    }
                }
            }
            if (l < layers) {
                if (activation == Activation.RELU) {
                    for (int i = out; i < out + nOut; i++) {
                        // NaN stays NaN (not silently zeroed), so a broken example is dropped, not hidden
                        s[i] = s[i] < 0.0 ? 0.0 : s[i];
                    }
                } else {
                    for (int i = out; i < out + nOut; i++) {
                        s[i] = Math.tanh(s[i]);
                    }
                }
            }
        }
    }

    /**
     * Forward and backward pass: returns the loss; leaves delta_{L+1} at aOff[L+1] and delta_l (l = 1 .. L) at
     * dOff[l], with a_1 .. a_L in place.
     */
    private double backward(double[] params, double[] x, int offset, int label, double[] s) {
        forward(params, x, offset, s);
        int layers = sizes.length - 1;
        int k = sizes[layers];
        double loss = ModelSupport.crossEntropy(s, aOff[layers], k, label);
        ModelSupport.softmaxInPlace(s, aOff[layers], k);
        ModelSupport.residualInPlace(s, aOff[layers], k, label);
        for (int l = layers; l > 1; l--) {
            // delta_{l-1}[j] = phi'(a_{l-1}[j]) * sum_i W_l[j][i] delta_l[i]
            final int nIn = sizes[l - 1];
            final int nOut = sizes[l];
            final int dl = l == layers ? aOff[layers] : dOff[l];
            final int dPrev = dOff[l - 1];
            final int aPrev = aOff[l - 1];
            final int w = wOff[l];
            for (int j = 0; j < nIn; j++) {
                double a = s[aPrev + j];
                double dphi = activation == Activation.RELU ? (a > 0.0 ? 1.0 : 0.0) : 1.0 - a * a;
                double back = 0.0;
                if (dphi != 0.0) {
                    int row = w + j * nOut;
                    for (int i = 0; i < nOut; i++) {
                        back += params[row + i] * s[dl + i];
                    }
                }
                // a NaN activation keeps its NaN in the delta
                s[dPrev + j] = Double.isNaN(a) ? Double.NaN : dphi * back;
            }
        }
        return loss;
    }

    private int deltaOffset(int l) {
        return l == sizes.length - 1 ? aOff[l] : dOff[l];
    }

    @Override
    public double loss(double[] params, double[] x, int offset, double y) {
        int label = classLabel(y, numClasses());
        checkParams(params, numParams);
        checkExample(x, offset, sizes[0]);
        double[] s = new double[scratchSize];
        forward(params, x, offset, s);
        int layers = sizes.length - 1;
        return ModelSupport.crossEntropy(s, aOff[layers], sizes[layers], label);
    }

    /** Writes the full gradient; allocates its work array (the training path is {@link #addClippedGradient}). */
    @Override
    public double lossAndGradient(double[] params, double[] x, int offset, double y, double[] gradOut) {
        int label = classLabel(y, numClasses());
        checkParams(params, numParams);
        checkExample(x, offset, sizes[0]);
        checkLength(gradOut, numParams, "gradOut");
        double[] s = new double[scratchSize];
        double loss = backward(params, x, offset, label, s);
        int layers = sizes.length - 1;
        for (int l = 1; l <= layers; l++) {
            final int nIn = sizes[l - 1];
            final int nOut = sizes[l];
            final int d = deltaOffset(l);
            final double[] in = l == 1 ? x : s;
            final int inOff = l == 1 ? offset : aOff[l - 1];
            System.arraycopy(s, d, gradOut, bOff[l], nOut);
            for (int j = 0; j < nIn; j++) {
                double v = in[inOff + j];
                int row = wOff[l] + j * nOut;
                for (int i = 0; i < nOut; i++) {
                    gradOut[row + i] = v * s[d + i];
                }
            }
        }
        return loss;
    }

    /** Fused clip-and-add without materializing the gradient (see the class comment); allocates nothing. */
    @Override
    public double addClippedGradient(double[] params, double[] x, int offset, double y, double clipNorm,
            double[] sumOut, double[] scratch) {
        int label = classLabel(y, numClasses());
        checkParams(params, numParams);
        checkExample(x, offset, sizes[0]);
        checkLength(sumOut, numParams, "sumOut");
        checkLength(scratch, scratchSize, "scratch");
        final double[] s = scratch;
        double loss = backward(params, x, offset, label, s);
        int layers = sizes.length - 1;
        double normSq = 0.0;
        for (int l = 1; l <= layers; l++) {
            final double[] in = l == 1 ? x : s;
            final int inOff = l == 1 ? offset : aOff[l - 1];
            double aSq = 0.0;
            for (int j = inOff; j < inOff + sizes[l - 1]; j++) {
                aSq += in[j] * in[j];
            }
            double dSq = 0.0;
            for (int i = deltaOffset(l), end = i + sizes[l]; i < end; i++) {
                dSq += s[i] * s[i];
            }
            normSq += dSq * (aSq + 1.0);
        }
        // factor is 0 for a NaN or infinite norm: the example then adds nothing
        double factor = L2Clipping.factor(Math.sqrt(normSq), clipNorm);
        if (factor == 0.0) {
            return loss;
        }
        for (int l = 1; l <= layers; l++) {
            final int nIn = sizes[l - 1];
            final int nOut = sizes[l];
            final int d = deltaOffset(l);
            final double[] in = l == 1 ? x : s;
            final int inOff = l == 1 ? offset : aOff[l - 1];
            final int b = bOff[l];
            for (int i = 0; i < nOut; i++) {
                double cd = factor * s[d + i];
                s[d + i] = cd;
                sumOut[b + i] += cd;
            }
            for (int j = 0; j < nIn; j++) {
                double v = in[inOff + j];
                if (v != 0.0) {
                    int row = wOff[l] + j * nOut;
                    for (int i = 0; i < nOut; i++) {
                        sumOut[row + i] += v * s[d + i];
                    }
                }
            }
        }
        return loss;
    }

    /** Writes the logits z into out[0 .. K). */
    @Override
    public void predictRaw(double[] params, double[] x, int offset, double[] out, double[] scratch) {
        checkParams(params, numParams);
        checkExample(x, offset, sizes[0]);
        checkLength(scratch, scratchSize, "scratch");
        int k = numClasses();
        checkLength(out, k, "out");
        forward(params, x, offset, scratch);
        System.arraycopy(scratch, aOff[sizes.length - 1], out, 0, k);
    }

    /** Writes the class probabilities softmax(z) into out[0 .. K). */
    @Override
    public void predict(double[] params, double[] x, int offset, double[] out, double[] scratch) {
        predictRaw(params, x, offset, out, scratch);
        ModelSupport.softmaxInPlace(out, 0, numClasses());
    }

    @Override
    public String toString() {
        return "Mlp[sizes=" + Arrays.toString(sizes) + ", activation=" + activation + "]";
    }
}
