package org.dpspark.core.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Gemm#multiplyAddFloat}'s product on the Vector API: {@link VectorGemm}'s blocking (Goto and van de Geijn,
 * ACM TOMS 34(3), 2008) in float32, twice the lanes per register. A and B are double arrays whose elements are
 * rounded to float as they are packed (exact for the features of a float32 block), C is a float array. The
 * micro-kernel holds an MR x NR tile of C (4 rows by two vectors: 4 x 32 floats with AVX-512) in 8 registers and
 * updates each element by fused multiply-adds in increasing kk, as {@link PlainGemm#multiplyAddFloat} does, so both
 * give the same floats. It mirrors VectorGemm line for line because the Vector API has no code generic over the
 * element type that HotSpot compiles to vector instructions.
 */
final class VectorGemmF32 {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    static final int MR = 4;
    static final int NR = 2 * V;
    static final int KC = 256;
    static final int MC = 128;
    static final int NC = 512;

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    /** Per-thread packing buffers: A's block, B's block, an edge tile, and per A panel its kept kk's. */
    private static final class Buffers {
        final float[] ap = new float[MC * KC];
        final float[] bp = new float[KC * NC];
        final float[] tile = new float[MR * NR];
        final int[] kIdx = new int[MC * KC / MR];
        final int[] kCount = new int[MC / MR];
    }

    private VectorGemmF32() {
    }

    static void multiplyAdd(int m, int n, int k, double[] a, int aOff, int ars, int acs, double[] b, int bOff,
            int ldb, float[] c, int cOff, int ldc, boolean skipZeroA) {
        final Buffers buf = BUFFERS.get();
        for (int jc = 0; jc < n; jc += NC) {
            final int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                final int kc = Math.min(KC, k - pc);
                packB(b, bOff + pc * ldb + jc, ldb, kc, nc, buf.bp);
                for (int ic = 0; ic < m; ic += MC) {
                    final int mc = Math.min(MC, m - ic);
                    packA(a, aOff + ic * ars + pc * acs, ars, acs, mc, kc, buf.ap, buf.kIdx, buf.kCount, skipZeroA);
                    for (int jr = 0; jr < nc; jr += NR) {
                        final int w = Math.min(NR, nc - jr);
                        for (int ir = 0; ir < mc; ir += MR) {
                            final int h = Math.min(MR, mc - ir);
                            final int q = ir / MR;
                            final int ci = cOff + (ic + ir) * ldc + jc + jr;
                            if (h == MR && w == NR) {
                                kernel(buf.ap, ir * kc, buf.bp, jr * kc, buf.kIdx, q * KC, buf.kCount[q], c, ci, ldc);
                            } else {
                                java.util.Arrays.fill(buf.tile, 0.0f);
                                for (int r = 0; r < h; r++) {
                                    System.arraycopy(c, ci + r * ldc, buf.tile, r * NR, w);
                                }
                                kernel(buf.ap, ir * kc, buf.bp, jr * kc, buf.kIdx, q * KC, buf.kCount[q], buf.tile, 0,
                                        NR);
                                for (int r = 0; r < h; r++) {
                                    System.arraycopy(buf.tile, r * NR, c, ci + r * ldc, w);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** B[0 .. kc)[0 .. nc), rounded to float, into panels of NR columns (VectorGemm.packB's layout). */
    private static void packB(double[] b, int bOff, int ldb, int kc, int nc, float[] bp) {
        for (int jr = 0; jr < nc; jr += NR) {
            final int w = Math.min(NR, nc - jr);
            int dst = jr * kc;
            for (int kk = 0; kk < kc; kk++, dst += NR) {
                final int src = bOff + kk * ldb + jr;
                for (int j = 0; j < w; j++) {
                    bp[dst + j] = (float) b[src + j];
                }
                for (int j = w; j < NR; j++) {
                    bp[dst + j] = 0.0f;
                }
            }
        }
    }

    /** A(0 .. mc, 0 .. kc), rounded to float, into panels of MR rows (VectorGemm.packA's layout and skipping). */
    private static void packA(double[] a, int aOff, int ars, int acs, int mc, int kc, float[] ap, int[] kIdx,
            int[] kCount, boolean skipZeroA) {
        for (int ir = 0; ir < mc; ir += MR) {
            final int h = Math.min(MR, mc - ir);
            final int q = ir / MR;
            int dst = ir * kc;
            int t = 0;
            final int r0 = aOff + ir * ars;
            for (int kk = 0; kk < kc; kk++) {
                final int src = r0 + kk * acs;
                final float a0 = (float) a[src];
                final float a1 = h > 1 ? (float) a[src + ars] : 0.0f;
                final float a2 = h > 2 ? (float) a[src + 2 * ars] : 0.0f;
                final float a3 = h > 3 ? (float) a[src + 3 * ars] : 0.0f;
                if (skipZeroA && a0 == 0.0f && a1 == 0.0f && a2 == 0.0f && a3 == 0.0f) {
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

    /** C[4 rows][NR columns] += A panel B panel in 8 vector registers (VectorGemm.kernel in float). */
    private static void kernel(float[] ap, int aPanel, float[] bp, int bPanel, int[] kIdx, int kOff, int count,
            float[] c, int ci, int ldc) {
        final int c1 = ci + ldc;
        final int c2 = c1 + ldc;
        final int c3 = c2 + ldc;
        FloatVector c00 = FloatVector.fromArray(S, c, ci);
        FloatVector c01 = FloatVector.fromArray(S, c, ci + V);
        FloatVector c10 = FloatVector.fromArray(S, c, c1);
        FloatVector c11 = FloatVector.fromArray(S, c, c1 + V);
        FloatVector c20 = FloatVector.fromArray(S, c, c2);
        FloatVector c21 = FloatVector.fromArray(S, c, c2 + V);
        FloatVector c30 = FloatVector.fromArray(S, c, c3);
        FloatVector c31 = FloatVector.fromArray(S, c, c3 + V);
        int pa = aPanel;
        for (int t = 0; t < count; t++, pa += MR) {
            final int pb = bPanel + kIdx[kOff + t] * NR;
            final FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            final FloatVector b1 = FloatVector.fromArray(S, bp, pb + V);
            final FloatVector v0 = FloatVector.broadcast(S, ap[pa]);
            c00 = v0.fma(b0, c00);
            c01 = v0.fma(b1, c01);
            final FloatVector v1 = FloatVector.broadcast(S, ap[pa + 1]);
            c10 = v1.fma(b0, c10);
            c11 = v1.fma(b1, c11);
            final FloatVector v2 = FloatVector.broadcast(S, ap[pa + 2]);
            c20 = v2.fma(b0, c20);
            c21 = v2.fma(b1, c21);
            final FloatVector v3 = FloatVector.broadcast(S, ap[pa + 3]);
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
