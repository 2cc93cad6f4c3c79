package org.dpspark.datasets.spec;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.dpspark.core.features.ChannelNormalization;
import org.dpspark.core.features.GroupNorm;
import org.dpspark.core.features.Scattering2D;

/**
 * The ScatterNet features of Tramer and Boneh ("Differentially Private Learning Needs Better Features (or Much More
 * Data)", ICLR 2021): the 2-D scattering transform of order 2 with Morlet wavelets at J scales and L angles (Mallat,
 * "Group Invariant Scattering", CPAM 2012; Bruna and Mallat, "Invariant Scattering Convolution Networks", TPAMI
 * 2013; {@link Scattering2D}, which matches Kymatio's), followed, when {@code groups > 0}, by a per-example group
 * normalization of its channels (Wu and He, "Group Normalization", ECCV 2018; {@link GroupNorm}, eps 1e-5, no
 * affine part). For a 28 x 28 image, {@code scatter:2,8} gives 81 channels of 7 x 7 (3969 features), normalized in
 * 27 groups of 3 channels, Tramer and Boneh's Fashion-MNIST setting.
 *
 * <p>Both steps are fixed maps applied to one example at a time: nothing is computed from other rows, so the features
 * cost no privacy, and a row's features depend on that row alone (the per-example clipping that follows bounds its
 * influence as for raw pixels).
 *
 * <p><b>Norm bound.</b> With group normalization, every group of n values is mapped to values with mean 0 and biased
 * variance v / (v + eps) &lt; 1, so its sum of squares is below n, and the output norm is below
 * sqrt({@link #outputSize()}) whatever the input. Without it, {@link Scattering2D#normBound()} times the input norm.
 *
 * <p><b>Data normalization</b> ({@link #withNormalization}): optionally, a last step standardizes every channel
 * with means and variances released under differential privacy before training, or whitens the channels with their
 * released covariance ({@link ChannelNormalization}; Tramer and Boneh's data normalization, and ZCA whitening). Those statistics come from the data, so they are not free: the run that
 * releases them accounts for them in its privacy plan; once released they are public parameters of the map, saved
 * with it, and applying it is post-processing.
 *
 * <p>Text form {@code scatter:J,L} (groups: channels / 3 when that divides, else none) or {@code scatter:J,L,G}
 * (G groups; 0 = no normalization); JSON {@code {"type": "scatter", "height": H, "width": W, "j": J, "l": L,
 * "groups": G}}, plus {@code "mean"} and {@code "variance"} (one number per channel) with a standardization, or
 * {@code "mean"}, {@code "whitening"} (C x C, row-major) and {@code "eps"} with a whitening. The
 * operator is built (filters: a few hundred kilobytes) once per JVM and not serialized.
 */
public final class ScatterTransform implements ImageTransform {

    private static final long serialVersionUID = 1L;

    /** The JSON "type" and text prefix of this transform. */
    public static final String TYPE = "scatter";

    /** The epsilon of the group normalization's variance, as PyTorch's {@code nn.GroupNorm}. */
    public static final double GROUP_NORM_EPS = 1e-5;

    private final int height;
    private final int width;
    private final int j;
    private final int l;
    private final int groups;
    private final int channels;
    private final int spatial;
    private final ChannelNormalization.ChannelMap normalization;
    private transient volatile Scattering2D op;

    /**
     * @param height image height, &gt;= 2^J
     * @param width  image width, &gt;= 2^J
     * @param j      J, the number of scales, &gt;= 1
     * @param l      L, the number of angles, &gt;= 1
     * @param groups G, the groups of the normalization (G divides the channels), or 0 for none
     * @throws IllegalArgumentException naming the parameter that does not fit
     */
    public ScatterTransform(int height, int width, int j, int l, int groups) {
        this(height, width, j, l, groups, null);
    }

    /**
     * As the five-argument constructor, followed by {@code normalization} (a released channel standardization or
     * whitening) when not null.
     *
     * @throws IllegalArgumentException as the five-argument constructor, or when {@code normalization} does not have
     *         the transform's channels
     */
    public ScatterTransform(int height, int width, int j, int l, int groups,
            ChannelNormalization.ChannelMap normalization) {
        if (j < 1 || j > 6) {
            throw new IllegalArgumentException("scatter: J must be in [1, 6], got " + j);
        }
        if (l < 1 || l > 16) {
            throw new IllegalArgumentException("scatter: L must be in [1, 16], got " + l);
        }
        if (height < (1 << j) || width < (1 << j)) {
            throw new IllegalArgumentException("scatter: J = " + j + " needs an image of at least " + (1 << j) + " x "
                    + (1 << j) + ", got " + height + " x " + width);
        }
        this.height = height;
        this.width = width;
        this.j = j;
        this.l = l;
        Scattering2D s = new Scattering2D(height, width, j, l);
        this.channels = s.channels();
        this.spatial = s.outputHeight() * s.outputWidth();
        if (groups < 0 || (groups > 0 && channels % groups != 0)) {
            throw new IllegalArgumentException("scatter: G must be 0 (no normalization) or divide the " + channels
                    + " channels, got " + groups);
        }
        this.groups = groups;
        if (normalization != null && normalization.channels() != channels) {
            throw new IllegalArgumentException("scatter: the data normalization has " + normalization.channels()
                    + " channels, the transform " + channels);
        }
        this.normalization = normalization;
        this.op = s;
    }

    /** This transform followed by the channel map {@code m} (replacing any it had). */
    public ScatterTransform withNormalization(ChannelNormalization.ChannelMap m) {
        return new ScatterTransform(height, width, j, l, groups, Objects.requireNonNull(m, "normalization"));
    }

    /** This transform without its data normalization (itself when it has none). */
    public ScatterTransform withoutNormalization() {
        return normalization == null ? this : new ScatterTransform(height, width, j, l, groups, null);
    }

    /** The data normalization fitted from released statistics, when it has one. */
    public Optional<ChannelNormalization.ChannelMap> normalization() {
        return Optional.ofNullable(normalization);
    }

    /** The values per channel: the output's height times width. */
    public int spatial() {
        return spatial;
    }

    /** The default groups for {@code channels}: channels / 3 when 3 divides them (27 for 81), else none. */
    static int defaultGroups(int channels) {
        return channels % 3 == 0 ? channels / 3 : 0;
    }

    /**
     * Parses {@code scatter:J,L} or {@code scatter:J,L,G} for a square image of {@code size} = S * S elements.
     *
     * @throws IllegalArgumentException naming the text when it is malformed or does not fit the image
     */
    public static ScatterTransform parse(String text, int size) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (!t.startsWith(TYPE + ":")) {
            throw new IllegalArgumentException("a scattering transform must be scatter:J,L[,G], got '" + text + "'");
        }
        String[] parts = t.substring(TYPE.length() + 1).split(",", -1);
        if (parts.length != 2 && parts.length != 3) {
            throw new IllegalArgumentException("scatter:J,L[,G] needs two or three integers, got '" + text + "'");
        }
        int[] v = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                v[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("scatter:J,L[,G] needs integers, got '" + text + "'");
            }
        }
        int side = (int) Math.round(Math.sqrt(size));
        if (!(size >= 1) || (long) side * side != size) {
            throw new IllegalArgumentException("scatter:J,L needs a square image, but the vector has " + size
                    + " elements, which is not a perfect square");
        }
        if (v.length == 3) {
            return new ScatterTransform(side, side, v[0], v[1], v[2]);
        }
        int channels = 1 + v[0] * v[1] + v[1] * v[1] * v[0] * (v[0] - 1) / 2;
        return new ScatterTransform(side, side, v[0], v[1], defaultGroups(channels));
    }

    private Scattering2D op() {
        Scattering2D s = op;
        if (s == null) {
            synchronized (this) {
                s = op;
                if (s == null) {
                    s = new Scattering2D(height, width, j, l);
                    op = s;
                }
            }
        }
        return s;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public int width() {
        return width;
    }

    /** J, the number of scales. */
    public int j() {
        return j;
    }

    /** L, the number of angles. */
    public int l() {
        return l;
    }

    /** G, the normalization's groups (0: none). */
    public int groups() {
        return groups;
    }

    /** The scattering channels: 1 + J L + L^2 J (J - 1) / 2. */
    public int channels() {
        return channels;
    }

    @Override
    public int outputSize() {
        return channels * spatial;
    }

    @Override
    public void apply(double[] in, int inOffset, double[] out, int outOffset) {
        op().apply(in, inOffset, out, outOffset);
        if (groups > 0) {
            GroupNorm.apply(out, outOffset, channels, spatial, groups, GROUP_NORM_EPS);
        }
        if (normalization != null) {
            normalization.apply(out, outOffset, spatial);
        }
    }

    /** {@code scatter:J,L} when the groups are the default, else {@code scatter:J,L,G}. */
    @Override
    public String text() {
        return TYPE + ":" + j + "," + l + (groups == defaultGroups(channels) ? "" : "," + groups);
    }

    /**
     * With group normalization, sqrt({@link #outputSize()}) whatever the input (see the class comment); without it,
     * {@link Scattering2D#normBound()} times {@code inputNorm}; then, with data normalization, that bound through
     * {@link ChannelNormalization.Standardization#normBound}.
     */
    @Override
    public double normBound(double inputNorm) {
        double b = groups > 0 ? Math.sqrt(outputSize()) : op().normBound() * inputNorm;
        return normalization == null ? b : normalization.normBound(b, spatial);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScatterTransform s && s.height == height && s.width == width && s.j == j && s.l == l
                && s.groups == groups && Objects.equals(s.normalization, normalization);
    }

    @Override
    public int hashCode() {
        return ((((height * 31 + width) * 31 + j) * 31 + l) * 31 + groups) * 31 + Objects.hashCode(normalization);
    }

    @Override
    public String toString() {
        return "ScatterTransform[" + height + " x " + width + ", J " + j + ", L " + l + ", groups " + groups
                + (normalization == null ? "" : ", " + normalization) + "]";
    }
}
