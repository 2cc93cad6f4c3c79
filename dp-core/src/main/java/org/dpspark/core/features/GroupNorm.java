package org.dpspark.core.features;

/**
 * Group normalization of one example, without affine parameters (Wu and He, ECCV 2018, "Group Normalization",
 * eq. (1)-(3) with the set S_i of one group of channels): the {@code channels} channels of {@code spatial}
 * values each are split into {@code groups} consecutive groups of {@code channels / groups} channels, and every
 * value x of a group G becomes {@code (x - mu_G) / sqrt(var_G + eps)} with mu_G the mean and var_G the biased
 * (divide by |G|) variance over the group's {@code channels * spatial / groups} values. This is what PyTorch's
 * {@code nn.GroupNorm(groups, channels, affine=False)} computes for one example (Tramer and Boneh, ICLR 2021,
 * normalize their ScatterNet features this way).
 *
 * <p><b>Data-independent norm bound.</b> After normalization a group of n values has sum of squares
 * {@code sum (x - mu)^2 / (var + eps) = n var / (var + eps) <= n}, so the whole output has L2 norm at most
 * {@code sqrt(channels * spatial)}, whatever the input. The transform works per example and uses no other
 * example, so it is a fixed, public map with no privacy cost.
 */
public final class GroupNorm {

    private GroupNorm() {
    }

    /**
     * Normalizes {@code v[offset .. offset + channels * spatial)} in place, laid out channel-major (channel,
     * then the channel's {@code spatial} values).
     *
     * @throws IllegalArgumentException if a count is not positive, {@code channels % groups != 0}, or
     *         {@code eps} is not a positive finite number
     */
    public static void apply(double[] v, int offset, int channels, int spatial, int groups, double eps) {
        if (channels < 1 || spatial < 1 || groups < 1) {
            throw new IllegalArgumentException("channels, spatial and groups must be >= 1, got channels " + channels
                    + ", spatial " + spatial + ", groups " + groups);
        }
        if (channels % groups != 0) {
            throw new IllegalArgumentException("groups must divide channels, got groups " + groups + " for "
                    + channels + " channels");
        }
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("eps must be a positive finite number, got " + eps);
        }
        long total = (long) channels * spatial;
        java.util.Objects.checkFromIndexSize(offset, Math.toIntExact(total), v.length);
        int size = (int) (total / groups);
        for (int g = 0; g < groups; g++) {
            int from = offset + g * size;
            int to = from + size;
            double sum = 0;
            for (int i = from; i < to; i++) {
                sum += v[i];
            }
            double mean = sum / size;
            double ss = 0; // two passes: the variance of the centred values, no cancellation
            for (int i = from; i < to; i++) {
                double d = v[i] - mean;
                ss += d * d;
            }
            double inv = 1.0 / Math.sqrt(ss / size + eps);
            for (int i = from; i < to; i++) {
                v[i] = (v[i] - mean) * inv;
            }
        }
    }
}
