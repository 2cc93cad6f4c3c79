package org.dpspark.core.model;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Gemm}'s product on the JDK's Vector API (jdk.incubator.vector, JEP 414), organized as in Goto and van de
 * Geijn, "Anatomy of High-Performance Matrix Multiplication" (ACM TOMS 34(3), 2008): B is packed by blocks of
 * {@value #KC} rows into panels {@link #NR} columns wide (contiguous per kk), A by blocks of {@value #MC} x KC into
 * panels {@value #MR} rows high (the MR values of one kk side by side), so that the micro-kernel reads both operands
 * as sequential streams from L1/L2 whatever A's strides (A itself or its transpose). The micro-kernel keeps an
 * MR x NR tile of C (4 rows by two vectors: 4 x 16 doubles with AVX-512) in 8 vector registers while kk runs over
 * the block: per kk two vector loads of B, MR broadcasts of A and 8 vector FMAs. It starts from C's values and
 * stores them back, so every C element sees its terms in increasing kk, one FMA each, as {@link Gemm} specifies;
 * edge tiles are computed on a zero-padded copy of C (the padding never reaches a stored element).
 *
 * <p>Only {@link Gemm} refers to this class, and only once it has found the module. Packing buffers are per thread
 * (allocated once, about 400 KB).
 */
final class VectorGemm {

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    static final int MR = 4;
    static final int NR = 2 * V;
    static final int KC = 256;
    static final int MC = 128;
    static final int NC = 512;

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    /** Per-thread packing buffers: A's block, B's block, an edge tile, and per A panel its kept kk's. */
    private static final class Buffers {
        final double[] ap = new double[MC * KC];
        final double[] bp = new double[KC * NC];
        final double[] tile = new double[MR * NR];
        final int[] kIdx = new int[MC * KC / MR];
        final int[] kCount = new int[MC / MR];
    }

    private VectorGemm() {
    }

    /** Loads the Vector API's classes (a LinkageError when they are unusable). */
    static void check() {
        DoubleVector.zero(S).add(1.0).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    static void multiplyAdd(int m, int n, int k, double[] a, int aOff, int ars, int acs, double[] b, int bOff,
            int ldb, double[] c, int cOff, int ldc, boolean skipZeroA) {
        final Buffers buf = BUFFERS.get();
        final double[] ap = buf.ap;
        final double[] bp = buf.bp;
        final double[] tile = buf.tile;
        final int[] kIdx = buf.kIdx;
        final int[] kCount = buf.kCount;
        for (int jc = 0; jc < n; jc += NC) {
            final int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                final int kc = Math.min(KC, k - pc);
                packB(b, bOff + pc * ldb + jc, ldb, kc, nc, bp);
                for (int ic = 0; ic < m; ic += MC) {
                    final int mc = Math.min(MC, m - ic);
                    packA(a, aOff + ic * ars + pc * acs, ars, acs, mc, kc, ap, kIdx, kCount, skipZeroA);
                    for (int jr = 0; jr < nc; jr += NR) {
                        final int w = Math.min(NR, nc - jr);
                        final int bPanel = jr * kc;
                        for (int ir = 0; ir < mc; ir += MR) {
                            final int h = Math.min(MR, mc - ir);
                            final int aPanel = ir * kc;
                            final int q = ir / MR;
                            final int kOff = q * KC;
                            final int ci = cOff + (ic + ir) * ldc + jc + jr;
                            if (h == MR && w == NR) {
                                kernel(ap, aPanel, bp, bPanel, kIdx, kOff, kCount[q], c, ci, ldc);
                            } else {
                                java.util.Arrays.fill(tile, 0.0);
                                for (int r = 0; r < h; r++) {
                                    System.arraycopy(c, ci + r * ldc, tile, r * NR, w);
                                }
                                kernel(ap, aPanel, bp, bPanel, kIdx, kOff, kCount[q], tile, 0, NR);
                                for (int r = 0; r < h; r++) {
                                    System.arraycopy(tile, r * NR, c, ci + r * ldc, w);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** B[0 .. kc)[0 .. nc) into panels of NR columns: panel p at p * NR * kc, element (kk, j) at kk * NR + j. */
    private static void packB(double[] b, int bOff, int ldb, int kc, int nc, double[] bp) {
        for (int jr = 0; jr < nc; jr += NR) {
            final int w = Math.min(NR, nc - jr);
            int dst = jr * kc;
            for (int kk = 0; kk < kc; kk++, dst += NR) {
                final int src = bOff + kk * ldb + jr;
                System.arraycopy(b, src, bp, dst, w);
                for (int j = w; j < NR; j++) {
                    bp[dst + j] = 0.0;
                }
            }
        }
    }

    /**
     * A(0 .. mc, 0 .. kc) into panels of MR rows: panel q at q * MR * kc, its t-th kept kk's MR values at
     * t * MR .. t * MR + MR, the kept kk's themselves at kIdx[q * KC + t], their number at kCount[q]. With skipZeroA
     * a kk whose MR values are all 0 is not kept (its terms are exact no-ops); otherwise every kk is.
     */
    private static void packA(double[] a, int aOff, int ars, int acs, int mc, int kc, double[] ap, int[] kIdx,
            int[] kCount, boolean skipZeroA) {
        if (ars == 1 && acs != 1) {
            packTransposedA(a, aOff, acs, mc, kc, ap, kIdx, kCount, skipZeroA);
            return;
        }
        for (int ir = 0; ir < mc; ir += MR) {
            final int h = Math.min(MR, mc - ir);
            final int q = ir / MR;
            int dst = ir * kc;
            int t = 0;
            final int r0 = aOff + ir * ars;
            for (int kk = 0; kk < kc; kk++) {
                final int src = r0 + kk * acs;
                final double a0 = a[src];
                final double a1 = h > 1 ? a[src + ars] : 0.0;
                final double a2 = h > 2 ? a[src + 2 * ars] : 0.0;
                final double a3 = h > 3 ? a[src + 3 * ars] : 0.0;
                if (skipZeroA && a0 == 0.0 && a1 == 0.0 && a2 == 0.0 && a3 == 0.0) {
                    continue;
                }
                ap[dst] = a0;
                ap[dst + 1] = a1;
                ap[dst + 2] = a2;
                ap[dst + 3] = a3;
                dst += MR;
                kIdx[q * KC + t++] = kk;
            }
            kCount[q] = t;
        }
    }

    /**
     * packA for an A stored transposed (A(i, kk) at a[aOff + kk * acs + i], as X^T in the MLP's weighted sum): the
     * same panels, kept kk's and counts as packA's loop, built by reading A along its contiguous direction: for each
     * kk in increasing order, the mc values of that column, appended to each of its panels that keeps it. Reading
     * down a panel instead strides by acs between every four values.
     */
    private static void packTransposedA(double[] a, int aOff, int acs, int mc, int kc, double[] ap, int[] kIdx,
            int[] kCount, boolean skipZeroA) {
        final int panels = (mc + MR - 1) / MR;
        java.util.Arrays.fill(kCount, 0, panels, 0);
        for (int kk = 0; kk < kc; kk++) {
            final int src = aOff + kk * acs;
            for (int q = 0; q < panels; q++) {
                final int h = Math.min(MR, mc - q * MR);
                final int i = src + q * MR;
                final double a0 = a[i];
                final double a1 = h > 1 ? a[i + 1] : 0.0;
                final double a2 = h > 2 ? a[i + 2] : 0.0;
                final double a3 = h > 3 ? a[i + 3] : 0.0;
                if (skipZeroA && a0 == 0.0 && a1 == 0.0 && a2 == 0.0 && a3 == 0.0) {
                    continue;
                }
                final int t = kCount[q]++;
                final int dst = q * MR * kc + t * MR;
                ap[dst] = a0;
                ap[dst + 1] = a1;
                ap[dst + 2] = a2;
                ap[dst + 3] = a3;
                kIdx[q * KC + t] = kk;
            }
        }
    }

    /**
     * C[4 rows][NR columns] (at ci, row stride ldc) += A panel (4 x kept kk's) B panel (kept kk's x NR), held in 8
     * vector registers; the kept kk's come in increasing order. No branch in the loop: the registers stay
     * registers (a loop-carried merge of vectors would make HotSpot 17 box them).
     */
    private static void kernel(double[] ap, int aPanel, double[] bp, int bPanel, int[] kIdx, int kOff, int count,
            double[] c, int ci, int ldc) {
        final int c1 = ci + ldc;
        final int c2 = c1 + ldc;
        final int c3 = c2 + ldc;
        DoubleVector c00 = DoubleVector.fromArray(S, c, ci);
        DoubleVector c01 = DoubleVector.fromArray(S, c, ci + V);
        DoubleVector c10 = DoubleVector.fromArray(S, c, c1);
        DoubleVector c11 = DoubleVector.fromArray(S, c, c1 + V);
        DoubleVector c20 = DoubleVector.fromArray(S, c, c2);
        DoubleVector c21 = DoubleVector.fromArray(S, c, c2 + V);
        DoubleVector c30 = DoubleVector.fromArray(S, c, c3);
        DoubleVector c31 = DoubleVector.fromArray(S, c, c3 + V);
        int pa = aPanel;
        for (int t = 0; t < count; t++, pa += MR) {
            final int pb = bPanel + kIdx[kOff + t] * NR;
            final DoubleVector b0 = DoubleVector.fromArray(S, bp, pb);
            final DoubleVector b1 = DoubleVector.fromArray(S, bp, pb + V);
            final DoubleVector v0 = DoubleVector.broadcast(S, ap[pa]);
            c00 = v0.fma(b0, c00);
            c01 = v0.fma(b1, c01);
            final DoubleVector v1 = DoubleVector.broadcast(S, ap[pa + 1]);
            c10 = v1.fma(b0, c10);
            c11 = v1.fma(b1, c11);
            final DoubleVector v2 = DoubleVector.broadcast(S, ap[pa + 2]);
            c20 = v2.fma(b0, c20);
            c21 = v2.fma(b1, c21);
            final DoubleVector v3 = DoubleVector.broadcast(S, ap[pa + 3]);
            c30 = v3.fma(b0, c30);
            c31 = v3.fma(b1, c31);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + V);
        c10.intoArray(c, c1);
        c11.intoArray(c, c1 + V);
        c20.intoArray(c, c2);
        c21.intoArray(c, c2 + V);
        c30.intoArray(c, c3);
        c31.intoArray(c, c3 + V);
    }
}
