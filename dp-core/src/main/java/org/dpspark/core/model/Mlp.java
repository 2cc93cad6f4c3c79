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

    /**
     * The batched clipped sum (overrides {@link DpModel#addClippedGradients}): the same mathematics as
     * {@link #addClippedGradient}, done as matrix products over the batch's B examples instead of B passes. With
     * A_0 = X (B x d, the gathered rows) and D_l the B x n_l matrix whose row i is example i's delta_l:
     *
     * <ol>
     * <li>forward, per layer, Z_l = A_{l-1} W_l + 1 b_l^T and A_l = phi(Z_l): one B x n_{l-1} by n_{l-1} x n_l
     * product;
     * <li>softmax residual D_{L+1} = softmax(Z_{L+1}) - onehot(y), row by row (the losses from the same logits);
     * <li>backward, per hidden layer, D_{l-1} = phi'(A_{l-1}) * (D_l W_l^T): one product;
     * <li>per-example gradient norms by the ghost-norm identity: the gradient of W_l for example i is the outer
     * product a_{l-1,i} delta_{l,i}^T, whose squared Frobenius norm is ||a_{l-1,i}||^2 ||delta_{l,i}||^2, so
     * ||g_i||^2 = sum_l ||delta_{l,i}||^2 (||a_{l-1,i}||^2 + 1) (Goodfellow, "Efficient Per-Example Gradient
     * Computations", arXiv:1510.01799, 2015; for a dense layer applied once per example this is exact, the
     * "ghost norm" of Li, Tramer, Liang and Hashimoto, "Large Language Models Can Be Strong Differentially Private
     * Learners", ICLR 2022). No per-example gradient is ever formed;
     * <li>clip factors c_i = min(1, C / ||g_i||) by {@link L2Clipping#factor} (0 for a NaN or infinite norm: the
     * example is left out of the products below, as the per-example path adds nothing for it);
     * <li>the clipped sum in one weighted product per layer: sum_i c_i a_{l-1,i} delta_{l,i}^T =
     * A_{l-1}^T diag(c) D_l, added to the W_l part of sumOut, and D_l^T c to the b_l part (the book-keeping of Bu,
     * Mao, Wang, Wang, Karypis and Zhang, "Differentially Private Optimization on Large Model at Small Cost", ICML
     * 2023: one backward pass gives both the norms and, reweighted, the clipped sum).
     * </ol>
     *
     * The products are {@link Gemm}'s (fused multiply-adds, cache- and register-blocked). The result equals B calls
     * of addClippedGradient up to rounding (the per-example path sums in a different order, without FMA); each
     * example's contribution has norm c_i ||g_i|| &lt;= C exactly as there. Single-threaded, with a fixed order:
     * the same inputs give the same bits. Allocates nothing once {@code work} has grown to the batch's size.
     */
    @Override
    public void addClippedGradients(double[] params, double[] x, double[] labels, int count, double clipNorm,
            double[] sumOut, double[] lossesOut, BatchWorkspace work) {
        addClippedGradients(params, x, labels, count, clipNorm, sumOut, lossesOut, work, false);
    }

    /**
     * With {@code floatForward} (rows of a float32 block): step 1's first product, Z_1 = X W_1, in float32
     * ({@link Gemm#multiplyAddFloat}: W_1 rounded to float, float accumulation), then widened to double before b_1 is
     * added; everything after it in double, as without the flag. The norms, factors and the weighted sum use those
     * same widened activations, so the clipping bound holds exactly as on the double path; only the gradient is
     * that of a forward pass rounded to float32, as torch's float32 training computes it.
     */
    @Override
    public void addClippedGradients(double[] params, double[] x, double[] labels, int count, double clipNorm,
            double[] sumOut, double[] lossesOut, BatchWorkspace work, boolean floatForward) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(lossesOut, "lossesOut");
        Objects.requireNonNull(work, "work");
        checkParams(params, numParams);
        checkLength(sumOut, numParams, "sumOut");
        L2Clipping.factor(0.0, clipNorm); // validates clipNorm before anything is added
        final int d = sizes[0];
        final int layers = sizes.length - 1;
        final int k = sizes[layers];
        if (count < 0 || (long) count * d > x.length || labels.length < count || lossesOut.length < count) {
            throw new IllegalArgumentException("count " + count + " examples need x.length >= " + ((long) count * d)
                    + " and labels and lossesOut of length >= count; got " + x.length + ", " + labels.length + ", "
                    + lossesOut.length);
        }
        if (count == 0) {
            return;
        }
        final int b = count;
        // ints: the class labels [0, B), then the kept examples' indices [B, 2B)
        final int[] ints = work.ints(2 * b);
        for (int i = 0; i < b; i++) {
            ints[i] = classLabel(labels[i], k); // every label checked before anything is written
        }
        // doubles: A_l or Z_l (l = 1 .. L+1; the last holds logits, then D_{L+1}), D_l (l = 1 .. L), W_l^T
        // (l = 2 .. L+1), the squared norms of the rows of A_l (l = 0 .. L), ||g_i||^2 and c_i, the kept rows of X
        final int[] act = new int[layers + 1];
        final int[] del = new int[layers + 1];
        final int[] wt = new int[layers + 1];
        long off = 0;
        for (int l = 1; l <= layers; l++) {
            act[l] = (int) off;
            off += (long) b * sizes[l];
        }
        for (int l = 1; l < layers; l++) {
            del[l] = (int) off;
            off += (long) b * sizes[l];
        }
        del[layers] = act[layers];
        for (int l = 2; l <= layers; l++) {
            wt[l] = (int) off;
            off += (long) sizes[l] * sizes[l - 1];
        }
        final int aSq = (int) off;
        off += (long) b * layers;
        final int normSq = (int) off;
        off += b;
        final int factor = (int) off;
        off += b;
        final int xKept = (int) off;
        off += (long) b * d;
        if (off > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a batch of " + b + " examples needs " + off
                    + " work values for " + this + "; at most 2^31 - 9 fit one array");
        }
        final double[] s = work.doubles((int) off);

        // 1. forward: Z_l = A_{l-1} W_l + b_l, one product per layer
        for (int l = 1; l <= layers; l++) {
            final int nIn = sizes[l - 1];
            final int nOut = sizes[l];
            final double[] in = l == 1 ? x : s;
            final int inOff = l == 1 ? 0 : act[l - 1];
            final int z = act[l];
            if (l == 1 && floatForward) {
                final float[] zf = work.floats(b * nOut);
                Arrays.fill(zf, 0, b * nOut, 0.0f);
                Gemm.multiplyAddFloat(b, nOut, nIn, x, 0, nIn, 1, params, wOff[1], nOut, zf, 0, nOut, true);
                for (int i = 0; i < b; i++) {
                    for (int o = 0; o < nOut; o++) {
                        s[z + i * nOut + o] = params[bOff[1] + o] + zf[i * nOut + o];
                    }
                }
            } else {
                for (int i = 0; i < b; i++) {
                    System.arraycopy(params, bOff[l], s, z + i * nOut, nOut);
                }
                Gemm.multiplyAdd(b, nOut, nIn, in, inOff, nIn, 1, params, wOff[l], nOut, s, z, nOut, true);
            }
            if (l < layers) {
                final int end = z + b * nOut;
                if (activation == Activation.RELU) {
                    for (int i = z; i < end; i++) {
                        // branch-free (the JIT vectorizes it); NaN stays NaN, as in the per-example path
                        s[i] = Math.max(s[i], 0.0);
                    }
                } else {
                    for (int i = z; i < end; i++) {
                        s[i] = Math.tanh(s[i]);
                    }
                }
            }
        }
        // 2. losses and the softmax residual D_{L+1}, row by row
        final int out = act[layers];
        for (int i = 0; i < b; i++) {
            final int row = out + i * k;
            lossesOut[i] = ModelSupport.crossEntropy(s, row, k, ints[i]);
            ModelSupport.softmaxInPlace(s, row, k);
            ModelSupport.residualInPlace(s, row, k, ints[i]);
        }
        // 3. backward: D_{l-1} = phi'(A_{l-1}) * (D_l W_l^T), one product per hidden layer
        for (int l = layers; l > 1; l--) {
            final int nIn = sizes[l - 1];
            final int nOut = sizes[l];
            final int w = wOff[l];
            final int t = wt[l];
            for (int j = 0; j < nIn; j++) {
                for (int o = 0; o < nOut; o++) {
                    s[t + o * nIn + j] = params[w + j * nOut + o];
                }
            }
            final int dPrev = del[l - 1];
            Arrays.fill(s, dPrev, dPrev + b * nIn, 0.0);
            Gemm.multiplyAdd(b, nIn, nOut, s, del[l], nOut, 1, s, t, nIn, s, dPrev, nIn, false);
            final int aPrev = act[l - 1];
            for (int i = 0, end = b * nIn; i < end; i++) {
                final double a = s[aPrev + i];
                final double dphi = activation == Activation.RELU ? (a > 0.0 ? 1.0 : 0.0) : 1.0 - a * a;
                // as the per-example path: a NaN activation keeps its NaN; phi' = 0 gives exactly 0
                s[dPrev + i] = Double.isNaN(a) ? Double.NaN : (dphi == 0.0 ? 0.0 : dphi * s[dPrev + i]);
            }
        }
        // 4. ||g_i||^2 = sum_l ||delta_{l,i}||^2 (||a_{l-1,i}||^2 + 1), the layers in the per-example path's order;
        // each squared norm in four interleaved partial sums (a few ulps from the per-example path's sequential sums)
        for (int l = 1; l <= layers; l++) {
            final int nIn = sizes[l - 1];
            final double[] in = l == 1 ? x : s;
            final int inOff = l == 1 ? 0 : act[l - 1];
            for (int i = 0; i < b; i++) {
                s[aSq + (l - 1) * b + i] = ModelSupport.sumOfSquares(in, inOff + i * nIn, nIn);
            }
        }
        int kept = 0;
        for (int i = 0; i < b; i++) {
            double nsq = 0.0;
            for (int l = 1; l <= layers; l++) {
                final int nOut = sizes[l];
                final double dsq = ModelSupport.sumOfSquares(s, del[l] + i * nOut, nOut);
                nsq += dsq * (s[aSq + (l - 1) * b + i] + 1.0);
            }
            s[normSq + i] = nsq;
            // 5. c_i: 0 for a NaN or infinite norm, and such an example is left out of the products
            final double c = L2Clipping.factor(Math.sqrt(nsq), clipNorm);
            s[factor + i] = c;
            if (c != 0.0) {
                ints[b + kept++] = i;
            }
        }
        if (kept == 0) {
            return;
        }
        // 6. scale the kept rows of D_l by c_i, moving them up to rows 0 .. kept (and the rows of A_l with them)
        final boolean compact = kept < b;
        for (int l = 1; l <= layers; l++) {
            final int nOut = sizes[l];
            for (int r = 0; r < kept; r++) {
                final int i = ints[b + r];
                final double c = s[factor + i];
                final int src = del[l] + i * nOut;
                final int dst = del[l] + r * nOut;
                for (int o = 0; o < nOut; o++) {
                    s[dst + o] = c * s[src + o];
                }
                if (compact && l < layers && r != i) {
                    System.arraycopy(s, act[l] + i * nOut, s, act[l] + r * nOut, nOut);
                }
            }
        }
        final double[] x0;
        final int x0Off;
        if (compact) {
            for (int r = 0; r < kept; r++) {
                System.arraycopy(x, ints[b + r] * d, s, xKept + r * d, d);
            }
            x0 = s;
            x0Off = xKept;
        } else {
            x0 = x;
            x0Off = 0;
        }
        // the weighted products: W_l += A_{l-1}^T diag(c) D_l (A_{l-1}^T read in place), b_l += D_l^T c
        for (int l = 1; l <= layers; l++) {
            final int nIn = sizes[l - 1];
            final int nOut = sizes[l];
            final double[] in = l == 1 ? x0 : s;
            final int inOff = l == 1 ? x0Off : act[l - 1];
            final int dl = del[l];
            final int bias = bOff[l];
            for (int r = 0; r < kept; r++) {
                for (int o = 0; o < nOut; o++) {
                    sumOut[bias + o] += s[dl + r * nOut + o];
                }
            }
            Gemm.multiplyAdd(nIn, nOut, kept, in, inOff, 1, nIn, s, dl, nOut, sumOut, wOff[l], nOut, true);
        }
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
