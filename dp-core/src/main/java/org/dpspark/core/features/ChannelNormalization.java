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
    public record Standardization(double[] mean, double[] variance) implements Serializable {

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
}
