package org.dpspark.core.features;

import java.util.Arrays;

/**
 * Left-right-flip-invariant features from {@link Scattering2D} outputs (after any per-example normalization such
 * as {@link GroupNorm}). Symmetrization over a group of transformations the labels are invariant under makes a
 * model built on top invariant to them (the invariant-features / group-averaging construction; e.g. Bruna and
 * Mallat 2013, sec. 2, on averaging over a group; here the group is {identity, horizontal flip}). With {@code f}
 * the feature map and {@code flip} the left-right mirror of the image:
 * <pre>
 *   sym(x) = (f(x) + f(flip x)) / 2,      sym(flip x) = sym(x)  exactly (flip is an involution).
 * </pre>
 * A linear model on sym(x) is flip-invariant. Flip also maps the scattering output onto itself, up to the
 * sampling grid, by a feature permutation P: output column k goes to {@code W - 1 - k}, and the wavelet angle a to
 * -a (mod pi, where the modulus cannot tell a from a + pi), i.e. orientation theta to {@code (2 c - theta) mod L}
 * with {@code c = int(L - L/2 - 1)} (the angle of theta is {@code (c - theta) pi / L}); S0 stays, S1 (j, theta)
 * goes to (j, theta'), S2 (n1, n2) to (n1', n2'). P is an involution. {@link #reduce} keeps one coordinate per orbit
 * of P: the orthogonal projection of sym(x) onto the P-fixed subspace written in its orthonormal basis, so
 * {@code (s_i + s_Pi) / sqrt 2} for a pair (sqrt 2 times their mean: the norm of the pair when s_i = s_Pi) and
 * {@code s_i} for a fixed point. A projection in orthonormal coordinates is a contraction, hence
 * <pre>
 *   ||reduce(x)|| <= ||sym(x)|| <= (||f(x)|| + ||f(flip x)||) / 2 <= max(||f(x)||, ||f(flip x)||)
 * </pre>
 * (triangle inequality), and reduce(x) stays exactly flip-invariant because it is a fixed linear map of sym(x).
 * For 81 channels of 7 x 7 (J = 2, L = 8) there are 9 P-fixed channels and one P-fixed column, so 3969 features
 * become (3969 + 63) / 2 = 2016.
 *
 * <p><b>Caveat: P is exact only up to the grid.</b> With 28 columns, Kymatio's padding and 2^J subsampling the 7
 * output columns sit at image columns 0, 4, ..., 24, whose mirror axis is column 12, not the image's 13.5; and a
 * per-example group normalization over consecutive channels normalizes a channel and its P-image within different
 * groups. So f(flip x) is only approximately P f(x): the projection also drops the part of sym(x) that P does not
 * fix. Invariance and the norm bound hold regardless; how much accuracy the reduction keeps is an experimental
 * question. Measured on 1000 Fashion-MNIST training images (the harness's FlipSymmetryDiagnostic):
 * ||f(flip x) - P f(x)|| / ||f(x)|| averages 0.42 for the scattering alone and 0.82 after the group norm in 27
 * groups, and the reduction keeps 83% of ||sym(x)||^2. With Kymatio's padding and unpadding, no image width from
 * 16 to 64 (J = 2) puts the output grid's mirror axis on the image's, so padding the image to another width cannot
 * make P exact.
 */
public final class FlipSymmetry {

    private final int channels;
    private final int height;
    private final int width;
    private final int[] perm;
    /** representative[o]: the smaller index of orbit o; partner[o] = P(representative[o]) (equal if fixed). */
    private final int[] representative;
    private final int[] partner;

    /** The flip permutation of {@code s}'s output (channel-major, then row, then column). */
    public FlipSymmetry(Scattering2D s) {
        this(s.j(), s.l(), s.outputHeight(), s.outputWidth());
    }

    /** For a scattering output with scale {@code j}, {@code l} orientations and {@code height x width} positions. */
    public FlipSymmetry(int j, int l, int height, int width) {
        int[] channelPerm = channelPermutation(j, l);
        this.channels = channelPerm.length;
        this.height = height;
        this.width = width;
        int spatial = height * width;
        this.perm = new int[channels * spatial];
        for (int ch = 0; ch < channels; ch++) {
            for (int r = 0; r < height; r++) {
                for (int k = 0; k < width; k++) {
                    perm[ch * spatial + r * width + k] = channelPerm[ch] * spatial + r * width + (width - 1 - k);
                }
            }
        }
        int orbits = 0;
        for (int i = 0; i < perm.length; i++) {
            if (perm[i] >= i) {
                orbits++;
            }
        }
        this.representative = new int[orbits];
        this.partner = new int[orbits];
        int o = 0;
        for (int i = 0; i < perm.length; i++) {
            if (perm[i] >= i) {
                representative[o] = i;
                partner[o] = perm[i];
                o++;
            }
        }
    }

    /**
     * The channel permutation of a left-right flip in {@link Scattering2D}'s channel order: S0; S1 n1 = j1 L +
     * theta1; S2 (n1, n2 = j2 L + theta2), j2 > j1, n1 outer.
     */
    static int[] channelPermutation(int j, int l) {
        int c = (int) (l - l / 2.0 - 1); // Scattering2D's angle of theta is (c - theta) pi / L
        int[] thetaPerm = new int[l];
        for (int t = 0; t < l; t++) {
            thetaPerm[t] = Math.floorMod(2 * c - t, l);
        }
        int channels = 1 + j * l + l * l * j * (j - 1) / 2;
        int[] secondBase = new int[j * l];
        int next = 1 + j * l;
        for (int n1 = 0; n1 < j * l; n1++) {
            secondBase[n1] = next;
            next += (j - 1 - n1 / l) * l;
        }
        int[] p = new int[channels];
        p[0] = 0;
        for (int n1 = 0; n1 < j * l; n1++) {
            int f1 = (n1 / l) * l + thetaPerm[n1 % l];
            p[1 + n1] = 1 + f1;
            for (int n2 = (n1 / l + 1) * l; n2 < j * l; n2++) {
                int f2 = (n2 / l) * l + thetaPerm[n2 % l];
                p[secondBase[n1] + n2 - (n1 / l + 1) * l] = secondBase[f1] + f2 - (f1 / l + 1) * l;
            }
        }
        return p;
    }

    /** Mirrors the {@code height x width} row-major image at in[inOffset] left-right into out[outOffset]. */
    public static void flipImage(double[] in, int inOffset, int height, int width, double[] out, int outOffset) {
        for (int r = 0; r < height; r++) {
            for (int k = 0; k < width; k++) {
                out[outOffset + r * width + k] = in[inOffset + r * width + (width - 1 - k)];
            }
        }
    }

    /** The feature permutation P (a copy): feature i of f(x) corresponds to feature P[i] of f(flip x). */
    public int[] permutation() {
        return perm.clone();
    }

    /** The number of input features (channels x height x width). */
    public int inputSize() {
        return perm.length;
    }

    /** The number of orbits of P, the length of {@link #reduce}'s output. */
    public int reducedSize() {
        return representative.length;
    }

    /** The number of channels. */
    public int channels() {
        return channels;
    }

    /** The output height and width this permutation was built for, as {height, width}. */
    public int[] spatial() {
        return new int[] {height, width};
    }

    /**
     * sym = (a + b) / 2 for a = f(x) at a[aOffset] and b = f(flip x) at b[bOffset], both {@link #inputSize()}
     * long, written to out[outOffset] in {@link #inputSize()} coordinates.
     */
    public void symmetrize(double[] a, int aOffset, double[] b, int bOffset, double[] out, int outOffset) {
        for (int i = 0; i < perm.length; i++) {
            out[outOffset + i] = 0.5 * (a[aOffset + i] + b[bOffset + i]);
        }
    }

    /**
     * The P-orbit coordinates of sym = (a + b) / 2 (see the class comment), a = f(x) at a[aOffset], b = f(flip x)
     * at b[bOffset], into out[outOffset .. + {@link #reducedSize()}). out must not overlap a or b.
     */
    public void reduce(double[] a, int aOffset, double[] b, int bOffset, double[] out, int outOffset) {
        double pairScale = 0.5 / Math.sqrt(2); // (s_i + s_Pi) / sqrt 2 with s = (a + b) / 2
        for (int o = 0; o < representative.length; o++) {
            int i = representative[o];
            int p = partner[o];
            if (i == p) {
                out[outOffset + o] = 0.5 * (a[aOffset + i] + b[bOffset + i]);
            } else {
                out[outOffset + o] = pairScale * (a[aOffset + i] + b[bOffset + i] + a[aOffset + p] + b[bOffset + p]);
            }
        }
    }

    @Override
    public String toString() {
        return "FlipSymmetry[" + channels + " x " + height + " x " + width + " -> " + representative.length
                + ", P fixed points " + Arrays.stream(representative).filter(i -> perm[i] == i).count() + "]";
    }
}
