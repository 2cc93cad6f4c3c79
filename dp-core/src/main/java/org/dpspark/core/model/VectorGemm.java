package org.dpspark.core.model;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Gemm}'s product on the JDK's Vector API (jdk.incubator.vector, JEP 414): the register-blocked
 * outer-product micro-kernel of Goto and van de Geijn ("Anatomy of high-performance matrix multiplication", ACM
 * TOMS 34(3), 2008). A tile of C, {@value #MR} rows by two vectors of columns (16 doubles with AVX-512), stays in
 * registers while kk runs over a block of {@value #KC}: per kk, two vector loads of B's row kk, {@value #MR}
 * broadcasts of A(i, kk) and 8 vector FMAs. B's block of rows (KC rows of the tile's 16 columns, 32 KB) stays in
 * L1/L2 while every row tile of C passes over it. Columns left over are done a vector, then a column, at a time;
 * every C element still sees its terms in increasing kk, by FMA (see {@link Gemm}).
 *
 * <p>Only {@link Gemm} refers to this class, and only once it has checked that the module is present.
 */
final class VectorGemm {

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    static final int MR = 4;
    static final int KC = 256;

    private VectorGemm() {
    }

    /** Loads the Vector API's classes (a LinkageError when they are unusable). */
    static void check() {
        DoubleVector.zero(S).add(1.0).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    static void multiplyAdd(int m, int n, int k, double[] a, int aOff, int ars, int acs, double[] b, int bOff,
            int ldb, double[] c, int cOff, int ldc, boolean skipZeroA) {
        for (int k0 = 0; k0 < k; k0 += KC) {
            final int k1 = Math.min(k, k0 + KC);
            int j = 0;
            for (; j + 2 * V <= n; j += 2 * V) {
                int i = 0;
                for (; i + MR <= m; i += MR) {
                    tile4x2(k0, k1, a, aOff + i * ars, ars, acs, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc,
                            skipZeroA);
                }
                for (; i < m; i++) {
                    tile1x2(k0, k1, a, aOff + i * ars, acs, b, bOff + j, ldb, c, cOff + i * ldc + j, skipZeroA);
                }
            }
            for (; j + V <= n; j += V) {
                for (int i = 0; i < m; i++) {
                    tile1x1(k0, k1, a, aOff + i * ars, acs, b, bOff + j, ldb, c, cOff + i * ldc + j, skipZeroA);
                }
            }
            if (j < n) {
                for (int i = 0; i < m; i++) {
                    final int ai = aOff + i * ars;
                    final int ci = cOff + i * ldc;
                    for (int kk = k0; kk < k1; kk++) {
                        final double av = a[ai + kk * acs];
                        if (skipZeroA && av == 0.0) {
                            continue;
                        }
                        final int bk = bOff + kk * ldb;
                        for (int jj = j; jj < n; jj++) {
                            c[ci + jj] = Math.fma(av, b[bk + jj], c[ci + jj]);
                        }
                    }
                }
            }
        }
    }

    /** C[4 rows][2V columns] += A(4 rows, k0 .. k1) B[k0 .. k1][2V columns], held in 8 vector registers. */
    private static void tile4x2(int k0, int k1, double[] a, int ai, int ars, int acs, double[] b, int bj, int ldb,
            double[] c, int ci, int ldc, boolean skipZeroA) {
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
        int ap = ai + k0 * acs;
        int bp = bj + k0 * ldb;
        for (int kk = k0; kk < k1; kk++, ap += acs, bp += ldb) {
            final double a0 = a[ap];
            final double a1 = a[ap + ars];
            final double a2 = a[ap + 2 * ars];
            final double a3 = a[ap + 3 * ars];
            if (skipZeroA && a0 == 0.0 && a1 == 0.0 && a2 == 0.0 && a3 == 0.0) {
                continue;
            }
            final DoubleVector b0 = DoubleVector.fromArray(S, b, bp);
            final DoubleVector b1 = DoubleVector.fromArray(S, b, bp + V);
            final DoubleVector v0 = DoubleVector.broadcast(S, a0);
            c00 = v0.fma(b0, c00);
            c01 = v0.fma(b1, c01);
            final DoubleVector v1 = DoubleVector.broadcast(S, a1);
            c10 = v1.fma(b0, c10);
            c11 = v1.fma(b1, c11);
            final DoubleVector v2 = DoubleVector.broadcast(S, a2);
            c20 = v2.fma(b0, c20);
            c21 = v2.fma(b1, c21);
            final DoubleVector v3 = DoubleVector.broadcast(S, a3);
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

    private static void tile1x2(int k0, int k1, double[] a, int ai, int acs, double[] b, int bj, int ldb,
            double[] c, int ci, boolean skipZeroA) {
        DoubleVector c00 = DoubleVector.fromArray(S, c, ci);
        DoubleVector c01 = DoubleVector.fromArray(S, c, ci + V);
        int ap = ai + k0 * acs;
        int bp = bj + k0 * ldb;
        for (int kk = k0; kk < k1; kk++, ap += acs, bp += ldb) {
            final double a0 = a[ap];
            if (skipZeroA && a0 == 0.0) {
                continue;
            }
            final DoubleVector v0 = DoubleVector.broadcast(S, a0);
            c00 = v0.fma(DoubleVector.fromArray(S, b, bp), c00);
            c01 = v0.fma(DoubleVector.fromArray(S, b, bp + V), c01);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + V);
    }

    private static void tile1x1(int k0, int k1, double[] a, int ai, int acs, double[] b, int bj, int ldb,
            double[] c, int ci, boolean skipZeroA) {
        DoubleVector c00 = DoubleVector.fromArray(S, c, ci);
        int ap = ai + k0 * acs;
        int bp = bj + k0 * ldb;
        for (int kk = k0; kk < k1; kk++, ap += acs, bp += ldb) {
            final double a0 = a[ap];
            if (skipZeroA && a0 == 0.0) {
                continue;
            }
            c00 = DoubleVector.broadcast(S, a0).fma(DoubleVector.fromArray(S, b, bp), c00);
        }
        c00.intoArray(c, ci);
    }
}
