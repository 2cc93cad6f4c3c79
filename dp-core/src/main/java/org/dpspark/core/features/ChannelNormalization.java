package org.dpspark.core.features;

import java.io.Serializable;
import java.util.Arrays;
import org.dpspark.core.noise.Noise;

/**
 * Data normalization of feature channels with statistics released under differential privacy (Tramer and Boneh,
 * "Differentially Private Learning Needs Better Features (or Much More Data)", ICLR 2021, Section 3 and their
 * ScatterNet "BN" setting): every channel c of an example's features (laid out channel-major: {@code channels}
 * channels of {@code spatial} values) becomes {@code (x - mean_c) / sqrt(var_c + eps)}, with the mean and the variance
 * of channel c over the training set estimated privately once, before training.
 *
 * <p><b>The mechanism.</b> Each example contributes two vectors of length {@code channels}: its channel means
 * {@code m_c = (1/P) sum_p x_cp} and its channel mean squares {@code s_c = (1/P) sum_p x_cp^2} (P = spatial), each
 * clipped to an L2 norm bound ({@link #contribute}). Their sums over all N rows are released with the Gaussian
 * mechanism (Dwork and Roth 2014, Thm A.1): N(0, (bound sigma)^2) added to every coordinate. Adding or removing one
 * example moves each sum by at most its bound in L2, so each release is the Gaussian mechanism of noise multiplier
 * sigma, with Renyi DP alpha / (2 sigma^2) (Mironov 2017, Prop. 7): the two releases are the DP event
 * {@code (q = 1, sigma, 2 compositions)}, accounted with the training in one plan. Then {@code mean = S_m / N},
 * {@code var = max(S_s / N - mean^2, 0)} ({@link #release}); N is public in this project (the plan and the ledger
 * hold it). Both steps after the release are post-processing.
 *
 * <p><b>Bounds.</b> Unlike Tramer and Boneh's code, which clips at the median norm of the data ("technically a small
 * privacy leak"), the bounds here never look at the data: either proven ones, after a per-example group normalization
 * ({@link #groupNormMeanBound}, {@link #groupNormSquareBound}), which then never clip, or public thresholds the user
 * sets (hyperparameters, like the gradients' clip norm).
 */
public final class ChannelNormalization {

    /** The epsilon added to each variance, as PyTorch's batch normalization. */
    public static final double EPS = 1e-5;

    private ChannelNormalization() {
    }

    /**
     * The proven L2 bound on the channel-means vector of an example after {@link GroupNorm} (any eps): each group's
     * values then have sum of squares below their count, so the whole example's sum of squares is below
     * {@code channels * P}, and by Cauchy-Schwarz {@code m_c^2 <= s_c}, so {@code ||m||^2 <= sum_c s_c < channels}:
     * the bound is sqrt(channels).
     */
    public static double groupNormMeanBound(int channels) {
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be >= 1, got " + channels);
        }
        return Math.sqrt(channels);
    }

    /**
     * The proven L2 bound on the channel-mean-squares vector of an example after {@link GroupNorm} with
     * {@code groups} groups of k = channels / groups channels: within a group the s_c are non-negative and sum to
     * below k (the group's sum of squares is below k P), so their sum of squares is below k^2; over the groups,
     * {@code ||s||^2 < groups k^2 = channels k}: the bound is sqrt(channels * k).
     */
    public static double groupNormSquareBound(int channels, int groups) {
        if (channels < 1 || groups < 1 || channels % groups != 0) {
            throw new IllegalArgumentException("groups must divide channels, got " + groups + " groups for " + channels
                    + " channels");
        }
        return Math.sqrt((double) channels * (channels / groups));
    }

    /**
     * The proven bound on the L2 norm of the second-moment triangle an example contributes to whitening
     * ({@link #contributeMoments}) after {@link GroupNorm}: the triangle's norm is at most ||M||_F, at most trace(M)
     * for the positive semidefinite M, and trace(M) = ||x||^2 / P &lt; channels (see {@link #groupNormMeanBound}).
     */
    public static double groupNormMomentBound(int channels) {
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be >= 1, got " + channels);
        }
        return channels;
    }

    /**
     * Adds one example's clipped contribution to {@code sums} (length 2 * channels): its channel means, scaled down to
     * L2 norm {@code meanBound} when above it, to {@code sums[0 .. channels)}, and its channel mean squares, scaled to
     * {@code squareBound}, to {@code sums[channels .. 2 channels)}.
     *
     * @param x      the features, channel-major, from {@code offset}
     * @param spatial P, the values per channel
     * @throws IllegalArgumentException when a count or a bound is not positive, or {@code sums} has the wrong length
     */
    public static void contribute(double[] x, int offset, int channels, int spatial, double meanBound,
            double squareBound, double[] sums) {
        if (channels < 1 || spatial < 1) {
            throw new IllegalArgumentException("channels and spatial must be >= 1, got " + channels + ", " + spatial);
        }
        checkBound("meanBound", meanBound);
        checkBound("squareBound", squareBound);
        if (sums.length != 2 * channels) {
            throw new IllegalArgumentException("sums must have 2 * channels = " + 2 * channels + " entries, got "
                    + sums.length);
        }
        java.util.Objects.checkFromIndexSize(offset, channels * spatial, x.length);
        double[] m = new double[channels];
        double[] s = new double[channels];
        double mm = 0;
        double ss = 0;
        for (int c = 0; c < channels; c++) {
            double a = 0;
            double b = 0;
            int from = offset + c * spatial;
            for (int p = from; p < from + spatial; p++) {
                a += x[p];
                b += x[p] * x[p];
            }
            m[c] = a / spatial;
            s[c] = b / spatial;
            mm += m[c] * m[c];
            ss += s[c] * s[c];
        }
        double fm = clipFactor(Math.sqrt(mm), meanBound);
        double fs = clipFactor(Math.sqrt(ss), squareBound);
        for (int c = 0; c < channels; c++) {
            sums[c] += m[c] * fm;
            sums[channels + c] += s[c] * fs;
        }
    }

    private static double clipFactor(double norm, double bound) {
        // A non-finite norm (an overflowing example) contributes nothing rather than NaN.
        if (!Double.isFinite(norm)) {
            return 0.0;
        }
        return norm > bound ? bound / norm : 1.0;
    }

    private static void checkBound(String name, double b) {
        if (!(b > 0) || Double.isInfinite(b)) {
            throw new IllegalArgumentException(name + " must be a positive finite number, got " + b);
        }
    }

    /**
     * The private statistics from the summed contributions of {@code rows} examples: Gaussian noise of std
     * {@code meanBound * sigma} on each channel-mean sum and {@code squareBound * sigma} on each mean-square sum, then
     * {@code mean = S_m / N} and {@code var = max(S_s / N - mean^2, 0)}. The noisy sums are not kept.
     *
     * @param sums  the 2 * channels sums of {@link #contribute} over all rows (pre-noise: never logged or kept)
     * @param rows  N, public, &gt;= 1
     * @param sigma the noise multiplier of both releases, &gt; 0
     * @param noise a cryptographically secure source in production
     */
    public static Standardization release(double[] sums, long rows, double sigma, double meanBound, double squareBound,
            Noise noise) {
        if (sums.length < 2 || sums.length % 2 != 0) {
            throw new IllegalArgumentException("sums must have 2 * channels entries, got " + sums.length);
        }
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        }
        if (!(sigma > 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("sigma must be a positive finite number, got " + sigma);
        }
        checkBound("meanBound", meanBound);
        checkBound("squareBound", squareBound);
        int channels = sums.length / 2;
        double[] mean = new double[channels];
        double[] var = new double[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = (sums[c] + noise.sample(meanBound * sigma)) / rows;
        }
        for (int c = 0; c < channels; c++) {
            double sq = (sums[channels + c] + noise.sample(squareBound * sigma)) / rows;
            var[c] = Math.max(sq - mean[c] * mean[c], 0.0);
        }
        return new Standardization(mean, var);
    }

    /**
     * Released channel statistics and the map they define: {@code x -> (x - mean_c) / sqrt(var_c + EPS)} on every
     * value of channel c. A channel whose released variance is 0 (the noise can push a nearly constant channel there)
     * keeps the largest scale, 1 / sqrt(EPS), rather than being dropped. Immutable (the arrays are copied).
     *
     * @param mean     the channel means
     * @param variance the channel variances, &gt;= 0
     */
    public record Standardization(double[] mean, double[] variance) implements ChannelMap {

        /** Copies the arrays; checks they have one finite entry per channel, variances &gt;= 0. */
        public Standardization {
            if (mean == null || variance == null || mean.length == 0 || mean.length != variance.length) {
                throw new IllegalArgumentException("mean and variance must have one entry per channel");
            }
            mean = mean.clone();
            variance = variance.clone();
            for (int c = 0; c < mean.length; c++) {
                if (!Double.isFinite(mean[c]) || !(variance[c] >= 0) || Double.isInfinite(variance[c])) {
                    throw new IllegalArgumentException("channel " + c + ": mean must be finite and variance finite and"
                            + " >= 0, got " + mean[c] + ", " + variance[c]);
                }
            }
        }

        /** The number of channels. */
        @Override
        public int channels() {
            return mean.length;
        }

        /** The channel means (a copy). */
        @Override
        public double[] mean() {
            return mean.clone();
        }

        /** The channel variances (a copy). */
        @Override
        public double[] variance() {
            return variance.clone();
        }

        /** 1 / sqrt(var_c + EPS). */
        public double scale(int c) {
            return 1.0 / Math.sqrt(variance[c] + EPS);
        }

        /** Standardizes {@code x[offset .. offset + channels * spatial)} in place, channel-major. */
        @Override
        public void apply(double[] x, int offset, int spatial) {
            java.util.Objects.checkFromIndexSize(offset, mean.length * spatial, x.length);
            for (int c = 0; c < mean.length; c++) {
                double mu = mean[c];
                double k = scale(c);
                int from = offset + c * spatial;
                for (int p = from; p < from + spatial; p++) {
                    x[p] = (x[p] - mu) * k;
                }
            }
        }

        /**
         * A bound on the output's L2 norm for inputs of L2 norm at most {@code inputNorm}: subtracting the means moves
         * the vector by sqrt(P) ||mean||, and each channel is then scaled by at most max_c scale(c).
         */
        @Override
        public double normBound(double inputNorm, int spatial) {
            double mm = 0;
            double maxScale = 0;
            for (int c = 0; c < mean.length; c++) {
                mm += mean[c] * mean[c];
                maxScale = Math.max(maxScale, scale(c));
            }
            return maxScale * (inputNorm + Math.sqrt(spatial * mm));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Standardization s && Arrays.equals(mean, s.mean) && Arrays.equals(variance, s.variance);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(mean) + Arrays.hashCode(variance);
        }

        @Override
        public String toString() {
            return "Standardization[" + mean.length + " channels]";
        }
    }

    /**
     * A map of the channels fitted from released statistics ({@link Standardization} or {@link Whitening}), applied at
     * every spatial position of an example laid out channel-major. Immutable and serializable.
     */
    public sealed interface ChannelMap extends Serializable permits Standardization, Whitening {

        /** The number of channels. */
        int channels();

        /** Maps {@code x[offset .. offset + channels * spatial)} in place. */
        void apply(double[] x, int offset, int spatial);

        /** A bound on the output's L2 norm for inputs of L2 norm at most {@code inputNorm}. */
        double normBound(double inputNorm, int spatial);
    }

    /**
     * The length of the whitening statistics: the channel means, then the lower triangle (diagonal included, row by
     * row) of the second-moment matrix, C + C (C + 1) / 2.
     */
    public static int momentsLength(int channels) {
        return channels + channels * (channels + 1) / 2;
    }

    /**
     * Adds one example's clipped contribution for whitening to {@code sums} ({@link #momentsLength}): its channel means
     * m (scaled to L2 norm {@code meanBound} when above it), then the lower triangle of its second-moment matrix
     * {@code M = (1/P) sum_p v_p v_p^T} (v_p: the channel vector at position p), scaled so that the triangle's L2
     * norm, which is what one example moves the released sum by, is at most {@code momentBound}.
     */
    public static void contributeMoments(double[] x, int offset, int channels, int spatial, double meanBound,
            double momentBound, double[] sums) {
        if (channels < 1 || spatial < 1) {
            throw new IllegalArgumentException("channels and spatial must be >= 1, got " + channels + ", " + spatial);
        }
        checkBound("meanBound", meanBound);
        checkBound("momentBound", momentBound);
        int len = momentsLength(channels);
        if (sums.length != len) {
            throw new IllegalArgumentException("sums must have C + C (C + 1) / 2 = " + len + " entries, got "
                    + sums.length);
        }
        java.util.Objects.checkFromIndexSize(offset, channels * spatial, x.length);
        double[] m = new double[channels];
        double[] tri = new double[len - channels];
        double[] v = new double[channels];
        for (int p = 0; p < spatial; p++) {
            for (int c = 0; c < channels; c++) {
                v[c] = x[offset + c * spatial + p];
                m[c] += v[c];
            }
            int k = 0;
            for (int a = 0; a < channels; a++) {
                double va = v[a];
                for (int b = 0; b <= a; b++) {
                    tri[k++] += va * v[b];
                }
            }
        }
        double mm = 0;
        for (int c = 0; c < channels; c++) {
            m[c] /= spatial;
            mm += m[c] * m[c];
        }
        double tt = 0;
        for (int k = 0; k < tri.length; k++) {
            tri[k] /= spatial;
            tt += tri[k] * tri[k];
        }
        double fm = clipFactor(Math.sqrt(mm), meanBound);
        double ft = clipFactor(Math.sqrt(tt), momentBound);
        for (int c = 0; c < channels; c++) {
            sums[c] += m[c] * fm;
        }
        for (int k = 0; k < tri.length; k++) {
            sums[channels + k] += tri[k] * ft;
        }
    }

    /**
     * ZCA whitening of the channels from released statistics: Gaussian noise of std {@code meanBound * sigma} on each
     * channel-mean sum and {@code momentBound * sigma} on each lower-triangle entry of the second-moment sum (mirrored
     * to the upper one), then mu = S_m / N, Sigma = S_M / N - mu mu^T, its eigendecomposition V diag(lambda) V^T, and
     * {@code W = V diag(1 / sqrt(max(lambda, 0) + eps)) V^T} (Bell and Sejnowski 1997's zero-phase whitening; eps
     * regularizes the directions the noise dominates: it should be at least the noise's spectral norm, about
     * 2 sqrt(C) momentBound sigma / N for a C x C symmetric Gaussian matrix). Post-processing of the two releases.
     *
     * @param sums  the {@link #momentsLength} sums of {@link #contributeMoments} over all rows (pre-noise)
     * @param rows  N, public
     * @param eps   the regularization, &gt; 0
     */
    public static Whitening releaseWhitening(double[] sums, long rows, double sigma, double meanBound,
            double momentBound, double eps, Noise noise) {
        int channels = (int) Math.round((Math.sqrt(9.0 + 8.0 * sums.length) - 3.0) / 2.0);
        if (channels < 1 || momentsLength(channels) != sums.length) {
            throw new IllegalArgumentException("sums must have C + C (C + 1) / 2 entries, got " + sums.length);
        }
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        }
        if (!(sigma > 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("sigma must be a positive finite number, got " + sigma);
        }
        checkBound("meanBound", meanBound);
        checkBound("momentBound", momentBound);
        checkBound("eps", eps);
        double[] mean = new double[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = (sums[c] + noise.sample(meanBound * sigma)) / rows;
        }
        double[][] cov = new double[channels][channels];
        int k = channels;
        for (int a = 0; a < channels; a++) {
            for (int b = 0; b <= a; b++) {
                double e = (sums[k++] + noise.sample(momentBound * sigma)) / rows - mean[a] * mean[b];
                cov[a][b] = e;
                cov[b][a] = e;
            }
        }
        org.apache.commons.math3.linear.EigenDecomposition ed = new org.apache.commons.math3.linear.EigenDecomposition(
                new org.apache.commons.math3.linear.Array2DRowRealMatrix(cov, false));
        double[] lambda = ed.getRealEigenvalues();
        org.apache.commons.math3.linear.RealMatrix vm = ed.getV();
        double[] w = new double[channels * channels];
        for (int j = 0; j < channels; j++) {
            double s = 1.0 / Math.sqrt(Math.max(lambda[j], 0.0) + eps);
            for (int a = 0; a < channels; a++) {
                double va = vm.getEntry(a, j) * s;
                for (int b = 0; b < channels; b++) {
                    w[a * channels + b] += va * vm.getEntry(b, j);
                }
            }
        }
        return new Whitening(mean, w, eps);
    }

    /**
     * Released ZCA whitening: at every position, the channel vector v becomes {@code W (v - mean)}, with W symmetric
     * positive definite, its eigenvalues at most 1 / sqrt(eps). Immutable (the arrays are copied).
     *
     * @param mean   the channel means
     * @param matrix W, C x C row-major
     * @param eps    the regularization W was built with
     */
    public record Whitening(double[] mean, double[] matrix, double eps) implements ChannelMap {

        /** Copies the arrays; checks their sizes and that every entry is finite. */
        public Whitening {
            if (mean == null || matrix == null || mean.length == 0 || matrix.length != mean.length * mean.length) {
                throw new IllegalArgumentException("whitening needs C means and a C x C matrix");
            }
            if (!(eps > 0) || Double.isInfinite(eps)) {
                throw new IllegalArgumentException("eps must be a positive finite number, got " + eps);
            }
            mean = mean.clone();
            matrix = matrix.clone();
            for (double v : mean) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("whitening means must be finite");
                }
            }
            for (double v : matrix) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("the whitening matrix must be finite");
                }
            }
        }

        @Override
        public int channels() {
            return mean.length;
        }

        /** The channel means (a copy). */
        @Override
        public double[] mean() {
            return mean.clone();
        }

        /** W, row-major (a copy). */
        @Override
        public double[] matrix() {
            return matrix.clone();
        }

        @Override
        public void apply(double[] x, int offset, int spatial) {
            int c = mean.length;
            java.util.Objects.checkFromIndexSize(offset, c * spatial, x.length);
            double[] in = new double[c];
            for (int p = 0; p < spatial; p++) {
                for (int a = 0; a < c; a++) {
                    in[a] = x[offset + a * spatial + p] - mean[a];
                }
                for (int a = 0; a < c; a++) {
                    double s = 0;
                    int row = a * c;
                    for (int b = 0; b < c; b++) {
                        s += matrix[row + b] * in[b];
                    }
                    x[offset + a * spatial + p] = s;
                }
            }
        }

        /**
         * ||W||_2 (||x|| + sqrt(P) ||mean||), with ||W||_2 bounded by its Frobenius norm (the released W's largest
         * eigenvalue is at most 1 / sqrt(eps), but a W read from a file is only checked to be finite).
         */
        @Override
        public double normBound(double inputNorm, int spatial) {
            double f = 0;
            for (double v : matrix) {
                f += v * v;
            }
            double mm = 0;
            for (double v : mean) {
                mm += v * v;
            }
            return Math.sqrt(f) * (inputNorm + Math.sqrt(spatial * mm));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Whitening w && Arrays.equals(mean, w.mean) && Arrays.equals(matrix, w.matrix)
                    && Double.compare(eps, w.eps) == 0;
        }

        @Override
        public int hashCode() {
            return 31 * (31 * Arrays.hashCode(mean) + Arrays.hashCode(matrix)) + Double.hashCode(eps);
        }

        @Override
        public String toString() {
            return "Whitening[" + mean.length + " channels, eps " + eps + "]";
        }
    }
}
