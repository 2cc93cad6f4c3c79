package org.dpspark.datasets.spec;

import java.util.Locale;

/**
 * A fixed, data-independent feature transform for images: the orthonormal 2-D DCT-II of an {@code height x width}
 * image (row-major), keeping the {@code keep x keep} lowest frequencies, as JPEG keeps the low-frequency block.
 *
 * <p>With the 1-D orthonormal DCT-II basis (Ahmed, Natarajan, Rao, "Discrete Cosine Transform", IEEE Trans.
 * Computers C-23, 1974; the orthonormal scaling of Rao and Yip, "Discrete Cosine Transform", 1990)
 * <pre>
 *   C_N[u][i] = c_u sqrt(2 / N) cos(pi (2 i + 1) u / (2 N)),   c_0 = 1 / sqrt(2), c_u = 1 for u &gt; 0,
 * </pre>
 * the output is {@code X[u][v] = sum_{i, j} C_H[u][i] C_W[v][j] x[i][j]} for {@code u, v < keep}, written
 * row-major ({@code X[u][v]} at {@code u * keep + v}). The full 2-D transform is orthogonal, so keeping some of its
 * rows is a contraction: {@code ||X||_2 <= ||x||_2} (Parseval), and the encoded block's L2 norm stays within the
 * bound of the untransformed pixels ({@code sqrt(size)} for elements in [0, 1]).
 *
 * <p>Why: the noise DP-SGD adds grows with the number of trainable parameters, and a first layer on 144 DCT
 * coefficients instead of 784 pixels has 5.4 times fewer of them, while the low frequencies keep most of a digit's
 * energy. Data-independent features like these raise DP accuracy at no privacy cost (Tramer and Boneh, "Differentially
 * Private Learning Needs Better Features (or Much More Data)", ICLR 2021); the DCT is close to PCA for images
 * (Abadi et al. 2016 used a DP PCA projection to 60 dimensions), but nothing is fitted, so nothing is spent.
 *
 * <p>Immutable, thread-safe and serializable (the basis is a few kilobytes). The text form is {@code dct:K}
 * (square image, inferred from the vector size) and the JSON form
 * {@code {"type": "dct", "height": H, "width": W, "keep": K}} (see {@link FeatureSpec}).
 */
public final class LowPassDct implements ImageTransform {

    private static final long serialVersionUID = 1L;

    /** The JSON "type" of this transform. */
    public static final String TYPE = "dct";

    private final int height;
    private final int width;
    private final int keep;
    /** The first {@code keep} rows of C_H and C_W, row-major. */
    private final double[] rowBasis;
    private final double[] colBasis;

    /**
     * @param height image height H &gt;= 1
     * @param width  image width W &gt;= 1, with H * W at most 2^31 - 1
     * @param keep   K, 1 &lt;= K &lt;= min(H, W): the output has K * K coefficients
     */
    public LowPassDct(int height, int width, int keep) {
        if (!(height >= 1) || !(width >= 1) || (long) height * width > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("dct: image height and width must be >= 1 (and their product an int),"
                    + " got " + height + " x " + width);
        }
        if (!(keep >= 1) || keep > Math.min(height, width)) {
            throw new IllegalArgumentException("dct: keep must be in [1, " + Math.min(height, width) + "] for a "
                    + height + " x " + width + " image, got " + keep);
        }
        this.height = height;
        this.width = width;
        this.keep = keep;
        this.rowBasis = basis(keep, height);
        this.colBasis = basis(keep, width);
    }

    /**
     * Parses the text form {@code dct:K} for a square image of {@code size} = S * S elements.
     *
     * @throws IllegalArgumentException when the text is not {@code dct:K}, size is not a perfect square, or K is not
     *                                  in [1, S]
     */
    public static LowPassDct parse(String text, int size) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (!t.startsWith(TYPE + ":")) {
            throw new IllegalArgumentException("a feature transform must be dct:K, got '" + text + "'");
        }
        int k;
        try {
            k = Integer.parseInt(t.substring(TYPE.length() + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("dct:K needs an integer K, got '" + text + "'");
        }
        int side = (int) Math.round(Math.sqrt(size));
        if (!(size >= 1) || (long) side * side != size) {
            throw new IllegalArgumentException("dct:K needs a square image, but the vector has " + size
                    + " elements, which is not a perfect square");
        }
        if (!(k >= 1) || k > side) {
            throw new IllegalArgumentException("dct:K needs K in [1, " + side + "] for a " + side + " x " + side
                    + " image, got " + k);
        }
        return new LowPassDct(side, side, k);
    }

    /** The first {@code k} rows of the N-point orthonormal DCT-II matrix, row-major (see the class comment). */
    static double[] basis(int k, int n) {
        double[] b = new double[k * n];
        for (int u = 0; u < k; u++) {
            double scale = u == 0 ? Math.sqrt(1.0 / n) : Math.sqrt(2.0 / n);
            for (int i = 0; i < n; i++) {
                b[u * n + i] = scale * Math.cos(Math.PI * (2 * i + 1) * u / (2.0 * n));
            }
        }
        return b;
    }

    /** Image height H. */
    @Override
    public int height() {
        return height;
    }

    /** Image width W. */
    @Override
    public int width() {
        return width;
    }

    /** K: the K x K lowest frequencies are kept. */
    public int keep() {
        return keep;
    }

    /** Output length K * K. */
    @Override
    public int outputSize() {
        return keep * keep;
    }

    /**
     * Writes the K * K coefficients of the image {@code in[inOffset .. inOffset + H * W)} to
     * {@code out[outOffset .. outOffset + K * K)}. The ranges must not overlap. Separable: first
     * {@code T = C_H[0..K) x} (K x W), then {@code X = T C_W[0..K)^T}: K H W + K^2 W multiply-adds.
     */
    @Override
    public void apply(double[] in, int inOffset, double[] out, int outOffset) {
        double[] t = new double[keep * width];
        for (int u = 0; u < keep; u++) {
            int tu = u * width;
            for (int i = 0; i < height; i++) {
                double c = rowBasis[u * height + i];
                int xi = inOffset + i * width;
                for (int j = 0; j < width; j++) {
                    t[tu + j] += c * in[xi + j];
                }
            }
        }
        for (int u = 0; u < keep; u++) {
            int tu = u * width;
            for (int v = 0; v < keep; v++) {
                int cv = v * width;
                double acc = 0.0;
                for (int j = 0; j < width; j++) {
                    acc += t[tu + j] * colBasis[cv + j];
                }
                out[outOffset + u * keep + v] = acc;
            }
        }
    }

    /** The text form: {@code dct:K} (the image size is the vector's). */
    @Override
    public String text() {
        return TYPE + ":" + keep;
    }

    /**
     * {@code inputNorm} itself: the kept coefficients are a subset of an orthonormal transform's, so by Parseval the
     * output norm is at most the input norm.
     */
    @Override
    public double normBound(double inputNorm) {
        return inputNorm;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LowPassDct d && d.height == height && d.width == width && d.keep == keep;
    }

    @Override
    public int hashCode() {
        return (height * 31 + width) * 31 + keep;
    }

    @Override
    public String toString() {
        return "LowPassDct[" + height + " x " + width + ", keep " + keep + " x " + keep + "]";
    }
}
