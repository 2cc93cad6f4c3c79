package org.dpspark.core.features;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.Objects;
import org.jtransforms.fft.DoubleFFT_2D;

/**
 * The order-2 2-D scattering transform with Morlet wavelets (Mallat 2012, "Group invariant scattering", CPAM 65;
 * Bruna and Mallat 2013, "Invariant scattering convolution networks", IEEE TPAMI 35), computed as Kymatio's NumPy
 * {@code Scattering2D(J, (height, width), L)} does (Andreux et al. 2020, "Kymatio: Scattering transforms in
 * Python", JMLR 21; checked against its output, commit 11552ed5: max abs error 1.5e-7 of the largest output, the
 * precision of Kymatio's single-precision filters; with Kymatio's filters built in double precision instead, the
 * two agree to 6e-16). Tramer and Boneh (ICLR 2021, "Differentially private learning needs better
 * features") train DP models on these ScatterNet features with J = 2, L = 8: a 28 x 28 image gives 81 channels of
 * 7 x 7. The transform is fixed and data-independent, so applying it costs no privacy budget.
 *
 * <p><b>The transform</b> (Bruna and Mallat 2013, sec. 2-3; notation of Kymatio's documentation):
 * <pre>
 *   S0 x          = x * phi_J,
 *   S1 x (l1)     = |x * psi_l1| * phi_J,                     l1 = (j1, theta1),
 *   S2 x (l1, l2) = ||x * psi_l1| * psi_l2| * phi_J,           j2 > j1,
 * </pre>
 * each output subsampled by 2^J. As in Kymatio: the image is reflect-padded (no edge repetition) to
 * {@code Mp = ((M + 2^J) / 2^J + 1) 2^J} rows (integer division; the same for columns), {@code floor(pad / 2)} on
 * top and the rest below; all convolutions are periodic, done in the Fourier domain with real-valued filters; a
 * signal already subsampled by 2^r is filtered with the filter's level-r version; subsampling by k is done in the
 * Fourier domain as the mean of the k^2 aliased coefficients (the DFT of the spatially subsampled signal); and
 * the final 2^J-subsampled outputs drop their first and last row and column (unpadding).
 *
 * <p><b>Filters</b> (Kymatio's {@code filter_bank.py}). A Gabor function on the Mp x Np grid, periodized by
 * summing the 5 x 5 copies shifted by {-2..2} periods:
 * <pre>
 *   g(u) = sum_{e} exp(-u'^T A u' + i xi (u'_1 cos theta + u'_2 sin theta)) / (2 * 3.1415 sigma^2 / s),
 *   u' = u + (e_1 Mp, e_2 Np),   A = R_theta diag(1, s^2) R_theta^T / (2 sigma^2)
 * </pre>
 * (Kymatio normalizes with the constant 3.1415, not pi; kept for exact agreement). The Morlet wavelet is
 * {@code psi = g_{xi} - K g_0} with {@code K = sum g_xi / sum g_0}, so that it has zero mean (Bruna and Mallat
 * 2013, sec. 3.1). For j in [0, J) and theta in [0, L): sigma = 0.8 * 2^j, xi = 3 pi / 4 / 2^j, slant s = 4 / L,
 * angle {@code (int(L - L/2 - 1) - theta) pi / L}. The low-pass phi is the Gabor with sigma = 0.8 * 2^(J-1),
 * xi = 0, s = 1. Each filter's 2-D DFT is taken (its real part: the imaginary part vanishes up to rounding), and
 * its level-r version, for a signal subsampled by 2^r, zeroes the frequencies of rows {@code [Mp/2^(r+1),
 * Mp/2^(r+1) + Mp (1 - 2^-r))} and the same columns, then folds the spectrum onto the (Mp/2^r) x (Np/2^r) grid by
 * summing the 2^r x 2^r aliases.
 *
 * <p><b>Output layout</b> (Kymatio's array output for one image): channel-major, then row, then column. Channel 0
 * is S0; channels 1 .. J L are S1 in the order n1 = j1 L + theta1; then S2 for each n1 (outer) and each n2 =
 * j2 L + theta2 with j2 > j1 (inner). {@link #channels()} = 1 + J L + L^2 J (J - 1) / 2.
 *
 * <p>Filters are built once, in the constructor. {@link #apply} is thread-safe: every thread gets its own FFT
 * plans and scratch buffers.
 */
public final class Scattering2D implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int height;
    private final int width;
    private final int j;
    private final int l;
    private final int paddedHeight;
    private final int paddedWidth;
    private final int outputHeight;
    private final int outputWidth;
    private final int channels;
    /** Source row (column) of the image for each padded row (column): numpy's reflect padding. */
    private final int[] rowSource;
    private final int[] colSource;
    /** psi[n][r]: wavelet n = j1 L + theta at level r, real, (Mp >> r) x (Np >> r) row-major. */
    private final double[][][] psi;
    /** phi[r] for r in [0, J). */
    private final double[][] phi;
    /** secondBase[n1]: the first output channel of the S2 paths (n1, n2), in Kymatio's order. */
    private final int[] secondBase;
    private final double normBound;

    private transient ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(this::newWorkspace);

    /**
     * @param height image rows M
     * @param width image columns N
     * @param j the scale J (outputs are subsampled by 2^J)
     * @param l the number of orientations L
     * @throws IllegalArgumentException unless j >= 1, l >= 1 and height, width >= 2^j
     */
    public Scattering2D(int height, int width, int j, int l) {
        if (j < 1) {
            throw new IllegalArgumentException("the scale j must be >= 1, got " + j);
        }
        if (l < 1) {
            throw new IllegalArgumentException("the number of orientations l must be >= 1, got " + l);
        }
        if (j > 24 || height < (1 << j) || width < (1 << j)) {
            throw new IllegalArgumentException("height and width must be >= 2^j = 2^" + j + ", got height " + height
                    + ", width " + width);
        }
        if ((long) height * width > 1 << 24) {
            throw new IllegalArgumentException("images of more than 2^24 pixels are not supported, got " + height
                    + " x " + width);
        }
        long channelCount = 1 + (long) j * l + (long) l * l * j * (j - 1) / 2;
        if (channelCount * height * width > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the output of " + channelCount + " channels for a " + height + " x "
                    + width + " image would not fit in an array; l = " + l + " is too large");
        }
        this.height = height;
        this.width = width;
        this.j = j;
        this.l = l;
        int k = 1 << j;
        // Kymatio utils.compute_padding
        this.paddedHeight = ((height + k) / k + 1) * k;
        this.paddedWidth = ((width + k) / k + 1) * k;
        this.outputHeight = paddedHeight / k - 2;
        this.outputWidth = paddedWidth / k - 2;
        this.channels = (int) channelCount;
        this.rowSource = reflectMap(height, paddedHeight, (paddedHeight - height) / 2);
        this.colSource = reflectMap(width, paddedWidth, (paddedWidth - width) / 2);

        DoubleFFT_2D fft = new DoubleFFT_2D(paddedHeight, paddedWidth);
        this.psi = new double[j * l][][];
        int psiLevels = Math.max(j - 1, 1);
        for (int j1 = 0; j1 < j; j1++) {
            for (int theta = 0; theta < l; theta++) {
                double angle = ((int) (l - l / 2.0 - 1) - theta) * Math.PI / l;
                double[] hat = fourierReal(fft, morlet(0.8 * Math.pow(2, j1), angle, 0.75 * Math.PI / Math.pow(2, j1),
                        4.0 / l));
                int levels = Math.min(j1 + 1, psiLevels);
                double[][] byLevel = new double[levels][];
                for (int r = 0; r < levels; r++) {
                    byLevel[r] = periodize(hat, r);
                }
                psi[j1 * l + theta] = byLevel;
            }
        }
        double[] phiHat = fourierReal(fft, gabor(0.8 * Math.pow(2, j - 1), 0, 0, 1));
        this.phi = new double[j][];
        for (int r = 0; r < j; r++) {
            phi[r] = periodize(phiHat, r);
        }
        this.secondBase = new int[j * l];
        int next = 1 + j * l;
        for (int n1 = 0; n1 < j * l; n1++) {
            secondBase[n1] = next;
            next += (j - 1 - n1 / l) * l;
        }
        this.normBound = computeNormBound();
        // Each filter level is only ever used with one subsampling factor 2^s (psi of scale j at level r with
        // s = j - r, phi at level r with s = J - r): fold the 2^(-2s) of the Fourier-domain mean and the 1 / (m n)
        // of the inverse DFT on the level-(r + s) grid into it, after the norm bound is computed from the filters.
        for (int n = 0; n < j * l; n++) {
            for (int r = 0; r < psi[n].length; r++) {
                scale(psi[n][r], r, n / l - r);
            }
        }
        for (int r = 0; r < j; r++) {
            scale(phi[r], r, j - r);
        }
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int j() {
        return j;
    }

    public int l() {
        return l;
    }

    /** 1 + J L + L^2 J (J - 1) / 2. */
    public int channels() {
        return channels;
    }

    /** Mp / 2^J - 2 with Mp the padded height (7 for 28 rows and J = 2). */
    public int outputHeight() {
        return outputHeight;
    }

    /** Np / 2^J - 2 with Np the padded width. */
    public int outputWidth() {
        return outputWidth;
    }

    /** height * width. */
    public int inputSize() {
        return height * width;
    }

    /** channels * outputHeight * outputWidth. */
    public int outputSize() {
        return channels * outputHeight * outputWidth;
    }

    /**
     * A proven constant c with {@code ||S x||_2 <= c ||x||_2} for every image x, computed from the actual filters.
     *
     * <p><b>Proof.</b> Write y for the padded image. (1) Reflect padding copies pixels: padded row i holds image
     * row rho(i), so {@code ||y||^2 = sum_{r,c} a_r b_c x[r][c]^2 <= (max_r a_r)(max_c b_c) ||x||^2} with a_r
     * (b_c) the number of padded rows (columns) that copy row r (column c); call the product P (4 for 28 x 28,
     * J = 2: the rows and columns next to each border are used twice). (2) One filtering step: u on an m x n grid
     * with DFT U, a real Fourier-domain filter h, then subsampling by k in space, which is the m' x n' DFT
     * {@code W(w') = k^-2 sum_a U(w' + a) h(w' + a)} over the k^2 aliases a (Kymatio's subsample_fourier).
     * Parseval and Cauchy-Schwarz over the aliases give {@code ||sub_k(u * h)||^2 = (1/m'n') sum_w' |W(w')|^2 <=
     * (1/mn) sum_w |U(w)|^2 A_h(w)} with {@code A_h(w) = k^-2 sum_a h(w' + a)^2}, w' = w mod (m', n') (m' n' k^2 =
     * mn; A_h = h^2 when k = 1). Taking the real part and unpadding only shrink or drop samples, and the modulus
     * keeps the norm: {@code || |v| || = ||v||}. (3) Bottom-up: an S2 output from {@code U2 = |...|} at
     * resolution j2 has {@code ||S2||^2 <= B_j2 ||U2||^2}, {@code B_j2 = max_w A_phi_j2(w)}. For a first-order
     * {@code U1 = |sub(y * psi_l1)|} at resolution j1, summing (2) over its filters, {@code ||S1||^2 + sum_l2 B_j2
     * ||U2||^2 <= (1/mn) sum_w |U1^(w)|^2 (A_phi_j1(w) + sum_{l2: j2 > j1} B_j2 A_psi_l2,j1(w)) <= C1_j1
     * ||U1||^2}, C1_j1 the maximum over w of the bracket: a weighted Littlewood-Paley sum (Mallat 2012, sec. 2.1)
     * of the level-j1 filters, folded by their subsampling. Likewise {@code ||S0||^2 + sum_l1 C1_j1 ||U1||^2 <= C0
     * ||y||^2} with {@code C0 = max_w (A_phi_0(w) + sum_l1 C1_j1 A_psi_l1,0(w))}. Adding up, {@code ||S x||^2 <=
     * C0 ||y||^2 <= C0 P ||x||^2}, and this returns {@code sqrt(C0 P)}, computed from the filters actually used.
     */
    public double normBound() {
        return normBound;
    }

    /**
     * Writes S(x) for the image {@code in[inOffset .. inOffset + inputSize())} (row-major) to
     * {@code out[outOffset .. outOffset + outputSize())} in the layout of the class comment. Thread-safe.
     */
    public void apply(double[] in, int inOffset, double[] out, int outOffset) {
        Objects.checkFromIndexSize(inOffset, inputSize(), in.length);
        Objects.checkFromIndexSize(outOffset, outputSize(), out.length);
        Workspace w = workspaces.get();
        int np = paddedWidth;
        double[] u0 = w.u0;
        for (int r = 0; r < paddedHeight; r++) {
            int src = inOffset + rowSource[r] * width;
            int dst = 2 * r * np;
            for (int c = 0; c < np; c++) {
                u0[dst + 2 * c] = in[src + colSource[c]];
                u0[dst + 2 * c + 1] = 0;
            }
        }
        w.fft[0].complexForward(u0);
        int plane = outputHeight * outputWidth;
        lowPass(w, u0, null, 0, out, outOffset, -1);
        // Orientations are taken two at a time: the two real modulus images share one complex FFT, and the two
        // low-pass outputs (real up to rounding) share one inverse FFT (the real and imaginary parts).
        for (int j1 = 0; j1 < j; j1++) {
            for (int t1 = 0; t1 < l; t1 += 2) {
                int na = j1 * l + t1;
                int nb = t1 + 1 < l ? na + 1 : -1;
                modulusSpectra(w, u0, 0, psi[na][0], nb < 0 ? null : psi[nb][0], j1, w.u1a, w.u1b);
                lowPass(w, w.u1a, nb < 0 ? null : w.u1b, j1, out, outOffset + (1 + na) * plane,
                        outOffset + (1 + nb) * plane);
                secondOrder(w, w.u1a, j1, out, outOffset + secondBase[na] * plane);
                if (nb >= 0) {
                    secondOrder(w, w.u1b, j1, out, outOffset + secondBase[nb] * plane);
                }
            }
        }
    }

    /** The S2 outputs of one first-order spectrum u1 at level j1, in Kymatio's n2 order, from out[offset]. */
    private void secondOrder(Workspace w, double[] u1, int j1, double[] out, int offset) {
        int plane = outputHeight * outputWidth;
        for (int j2 = j1 + 1; j2 < j; j2++) {
            for (int t2 = 0; t2 < l; t2 += 2) {
                int na = j2 * l + t2;
                boolean pair = t2 + 1 < l;
                modulusSpectra(w, u1, j1, psi[na][j1], pair ? psi[na + 1][j1] : null, j2 - j1, w.u2a, w.u2b);
                int a = offset + ((j2 - j1 - 1) * l + t2) * plane;
                lowPass(w, w.u2a, pair ? w.u2b : null, j2, out, a, a + plane);
            }
        }
    }

    /**
     * The spectra of |ifft(subsample(x ha))| and |ifft(subsample(x hb))| (hb may be null), at level r + s, into
     * outA and outB. The two real images go through one complex FFT as a + i b and are separated by Hermitian
     * symmetry: A(w) = (Z(w) + conj Z(-w)) / 2, B(w) = (Z(w) - conj Z(-w)) / 2i.
     */
    private void modulusSpectra(Workspace w, double[] x, int r, double[] ha, double[] hb, int s, double[] outA,
            double[] outB) {
        int level = r + s;
        int m = paddedHeight >> level;
        int n = paddedWidth >> level;
        int size = m * n;
        double[] p = w.p;
        filterSubsample(x, r, ha, s, p);
        w.fft[level].complexInverse(p, false);
        if (hb == null) {
            for (int i = 0; i < size; i++) {
                double re = p[2 * i];
                double im = p[2 * i + 1];
                outA[2 * i] = Math.sqrt(re * re + im * im);
                outA[2 * i + 1] = 0;
            }
            w.fft[level].complexForward(outA);
            return;
        }
        double[] q = w.q;
        filterSubsample(x, r, hb, s, q);
        w.fft[level].complexInverse(q, false);
        for (int i = 0; i < size; i++) {
            double re = p[2 * i];
            double im = p[2 * i + 1];
            double qr = q[2 * i];
            double qi = q[2 * i + 1];
            p[2 * i] = Math.sqrt(re * re + im * im);
            p[2 * i + 1] = Math.sqrt(qr * qr + qi * qi);
        }
        w.fft[level].complexForward(p);
        for (int a = 0; a < m; a++) {
            int ma = a == 0 ? 0 : m - a;
            for (int b = 0; b < n; b++) {
                int k = 2 * (a * n + b);
                int mk = 2 * (ma * n + (b == 0 ? 0 : n - b));
                double zr = p[k];
                double zi = p[k + 1];
                double cr = p[mk]; // conj Z(-w) = (cr, -ci)
                double ci = p[mk + 1];
                outA[k] = 0.5 * (zr + cr);
                outA[k + 1] = 0.5 * (zi - ci);
                outB[k] = 0.5 * (zi + ci);
                outB[k + 1] = -0.5 * (zr - cr);
            }
        }
    }

    /**
     * Multiplies the spectrum x (at level r, interleaved complex) by the real filter h and subsamples by 2^s in the
     * Fourier domain: {@code y[a][b] = sum_{p,q < 2^s} (x h)[a + p m'][b + q n']}, m' x n' the level-(r+s) grid
     * (Kymatio's cdgmm then subsample_fourier; the factor 2^(-2s) of its mean, and the 1 / (m' n') of the inverse
     * DFT that follows, are folded into the stored filters).
     */
    private void filterSubsample(double[] x, int r, double[] h, int s, double[] y) {
        int m = paddedHeight >> r;
        int n = paddedWidth >> r;
        int ms = m >> s;
        int ns = n >> s;
        int k = 1 << s;
        for (int p = 0; p < k; p++) {
            for (int a = 0; a < ms; a++) {
                int row = p * ms + a;
                int dst = 2 * a * ns;
                for (int q = 0; q < k; q++) {
                    int base = row * n + q * ns;
                    if (p == 0 && q == 0) {
                        for (int b = 0; b < ns; b++) {
                            double f = h[base + b];
                            y[dst + 2 * b] = x[2 * (base + b)] * f;
                            y[dst + 2 * b + 1] = x[2 * (base + b) + 1] * f;
                        }
                    } else {
                        for (int b = 0; b < ns; b++) {
                            double f = h[base + b];
                            y[dst + 2 * b] += x[2 * (base + b)] * f;
                            y[dst + 2 * b + 1] += x[2 * (base + b) + 1] * f;
                        }
                    }
                }
            }
        }
    }

    /**
     * Low-pass of the level-r spectra xa and xb (xb may be null) with phi, subsampled to level J, real part,
     * unpadded, into out[offA] and out[offB]. Both outputs are real up to rounding (real signals, even phi), so
     * they share one inverse FFT of xa + i xb: its real part is the first, its imaginary part the second.
     */
    private void lowPass(Workspace w, double[] xa, double[] xb, int r, double[] out, int offA, int offB) {
        double[] low = w.low;
        filterSubsample(xa, r, phi[r], j - r, low);
        if (xb != null) {
            double[] low2 = w.low2;
            filterSubsample(xb, r, phi[r], j - r, low2);
            for (int i = 0; i < low.length; i += 2) {
                low[i] -= low2[i + 1];
                low[i + 1] += low2[i];
            }
        }
        w.fft[j].complexInverse(low, false);
        int nj = paddedWidth >> j;
        for (int a = 0; a < outputHeight; a++) {
            int src = 2 * ((a + 1) * nj + 1);
            int dst = a * outputWidth;
            for (int b = 0; b < outputWidth; b++) {
                out[offA + dst + b] = low[src + 2 * b];
            }
            if (xb != null) {
                for (int b = 0; b < outputWidth; b++) {
                    out[offB + dst + b] = low[src + 2 * b + 1];
                }
            }
        }
    }

    private double computeNormBound() {
        double padFactor = (double) maxCount(rowSource, height) * maxCount(colSource, width);
        double[] b2 = new double[j]; // B_j2 for the S2 outputs of a level-j2 signal
        for (int j2 = 1; j2 < j; j2++) {
            b2[j2] = max(aliased(phi[j2], j2, j - j2, 1.0, null));
        }
        double[] c1 = new double[j];
        for (int j1 = 0; j1 < j; j1++) {
            double[] sum = aliased(phi[j1], j1, j - j1, 1.0, null);
            for (int n2 = (j1 + 1) * l; n2 < j * l; n2++) {
                aliased(psi[n2][j1], j1, n2 / l - j1, b2[n2 / l], sum);
            }
            c1[j1] = max(sum);
        }
        double[] sum = aliased(phi[0], 0, j, 1.0, null);
        for (int n1 = 0; n1 < j * l; n1++) {
            aliased(psi[n1][0], 0, n1 / l, c1[n1 / l], sum);
        }
        return Math.sqrt(max(sum) * padFactor);
    }

    /**
     * Adds {@code weight * A_h(w)} to acc (the level-r grid; a new array if null), where for the level-r filter h
     * used before subsampling by k = 2^s, {@code A_h(w) = k^-2 sum_{p,q < k} h(w' + (p m', q n'))^2}, w' = w mod
     * (m', n'), m' x n' the level-(r+s) grid: the aliased energy of h (A_h = h^2 when s = 0).
     */
    private double[] aliased(double[] h, int r, int s, double weight, double[] acc) {
        int m = paddedHeight >> r;
        int n = paddedWidth >> r;
        int ms = m >> s;
        int ns = n >> s;
        int k = 1 << s;
        double[] alias = new double[ms * ns];
        for (int x = 0; x < m; x++) {
            for (int y = 0; y < n; y++) {
                double v = h[x * n + y];
                alias[(x % ms) * ns + y % ns] += v * v;
            }
        }
        double[] out = acc == null ? new double[m * n] : acc;
        double c = weight / ((double) k * k);
        for (int x = 0; x < m; x++) {
            for (int y = 0; y < n; y++) {
                out[x * n + y] += c * alias[(x % ms) * ns + y % ns];
            }
        }
        return out;
    }

    private void scale(double[] h, int r, int s) {
        double c = 1.0 / ((double) (1 << (2 * s)) * (paddedHeight >> (r + s)) * (paddedWidth >> (r + s)));
        for (int i = 0; i < h.length; i++) {
            h[i] *= c;
        }
    }

    private static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    private static int maxCount(int[] source, int size) {
        int[] count = new int[size];
        int m = 0;
        for (int s : source) {
            m = Math.max(m, ++count[s]);
        }
        return m;
    }

    /**
     * numpy.pad(mode='reflect') along one axis: reflection about the edge samples without repeating them, which
     * is periodic with period 2 (size - 1) however wide the padding.
     */
    private static int[] reflectMap(int size, int padded, int before) {
        int[] map = new int[padded];
        int period = 2 * (size - 1);
        for (int i = 0; i < padded; i++) {
            int t = Math.floorMod(i - before, period);
            map[i] = t < size ? t : period - t;
        }
        return map;
    }

    /** Kymatio's morlet_2d: the Gabor minus K times its envelope, K making the sum zero. Interleaved complex. */
    private double[] morlet(double sigma, double theta, double xi, double slant) {
        double[] wave = gabor(sigma, theta, xi, slant);
        double[] envelope = gabor(sigma, theta, 0, slant);
        double wr = 0;
        double wi = 0;
        double er = 0;
        double ei = 0;
        for (int i = 0; i < wave.length; i += 2) {
            wr += wave[i];
            wi += wave[i + 1];
            er += envelope[i];
            ei += envelope[i + 1];
        }
        double den = er * er + ei * ei;
        double kr = (wr * er + wi * ei) / den;
        double ki = (wi * er - wr * ei) / den;
        for (int i = 0; i < wave.length; i += 2) {
            wave[i] -= kr * envelope[i] - ki * envelope[i + 1];
            wave[i + 1] -= kr * envelope[i + 1] + ki * envelope[i];
        }
        return wave;
    }

    /** Kymatio's gabor_2d on the padded grid (formula in the class comment). Interleaved complex. */
    private double[] gabor(double sigma, double theta, double xi, double slant) {
        int m = paddedHeight;
        int n = paddedWidth;
        double c = Math.cos(theta);
        double s = Math.sin(theta);
        double s2 = slant * slant;
        double twoSigma2 = 2 * sigma * sigma;
        double a00 = (c * c + s2 * s * s) / twoSigma2;
        double a01 = c * s * (1 - s2) / twoSigma2;
        double a11 = (s * s + s2 * c * c) / twoSigma2;
        double fx = xi * c;
        double fy = xi * s;
        double norm = 2 * 3.1415 * sigma * sigma / slant; // sic: Kymatio's constant
        double[] g = new double[2 * m * n];
        for (int r = 0; r < m; r++) {
            for (int col = 0; col < n; col++) {
                double re = 0;
                double im = 0;
                for (int ex = -2; ex <= 2; ex++) {
                    double x = r + ex * m;
                    for (int ey = -2; ey <= 2; ey++) {
                        double y = col + ey * n;
                        double mag = Math.exp(-(a00 * x * x + 2 * a01 * x * y + a11 * y * y));
                        double phase = x * fx + y * fy;
                        re += mag * Math.cos(phase);
                        im += mag * Math.sin(phase);
                    }
                }
                g[2 * (r * n + col)] = re / norm;
                g[2 * (r * n + col) + 1] = im / norm;
            }
        }
        return g;
    }

    /** The real part of the 2-D DFT of an interleaved complex Mp x Np signal (overwritten). */
    private double[] fourierReal(DoubleFFT_2D fft, double[] signal) {
        fft.complexForward(signal);
        double[] re = new double[signal.length / 2];
        for (int i = 0; i < re.length; i++) {
            re[i] = signal[2 * i];
        }
        return re;
    }

    /** Kymatio's periodize_filter_fft: zero the middle band of frequencies, then fold onto the level-r grid. */
    private double[] periodize(double[] hat, int r) {
        int m = paddedHeight;
        int n = paddedWidth;
        int mr = m >> r;
        int nr = n >> r;
        int startX = m >> (r + 1);
        int endX = startX + (m - mr);
        int startY = n >> (r + 1);
        int endY = startY + (n - nr);
        double[] crop = new double[mr * nr];
        for (int x = 0; x < m; x++) {
            if (x >= startX && x < endX) {
                continue;
            }
            for (int y = 0; y < n; y++) {
                if (y >= startY && y < endY) {
                    continue;
                }
                crop[(x % mr) * nr + y % nr] += hat[x * n + y];
            }
        }
        return crop;
    }

    private Workspace newWorkspace() {
        return new Workspace(paddedHeight, paddedWidth, j);
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        workspaces = ThreadLocal.withInitial(this::newWorkspace);
    }

    /** One thread's FFT plans (levels 0 .. J) and scratch spectra. */
    private static final class Workspace {
        final DoubleFFT_2D[] fft;
        final double[] u0;
        final double[] u1a;
        final double[] u1b;
        final double[] u2a;
        final double[] u2b;
        final double[] p;
        final double[] q;
        final double[] low;
        final double[] low2;

        Workspace(int m, int n, int j) {
            fft = new DoubleFFT_2D[j + 1];
            for (int r = 0; r <= j; r++) {
                fft[r] = new DoubleFFT_2D(m >> r, n >> r);
            }
            u0 = new double[2 * m * n];
            u1a = new double[2 * m * n];
            u1b = new double[2 * m * n];
            u2a = new double[2 * m * n];
            u2b = new double[2 * m * n];
            p = new double[2 * m * n];
            q = new double[2 * m * n];
            low = new double[2 * (m >> j) * (n >> j)];
            low2 = new double[2 * (m >> j) * (n >> j)];
        }
    }
}
