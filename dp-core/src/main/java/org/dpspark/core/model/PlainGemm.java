package org.dpspark.core.model;

/**
 * {@link Gemm}'s product in plain Java: blocked over kk so that a block of B's rows stays in the L2 cache while
 * every row of C passes over it, and within it one row of C at a time as contiguous fused multiply-add loops over
 * j, which HotSpot's superword pass turns into vector instructions. A term with A(i, kk) = 0 is skipped when asked
 * (one branch per row of B, not per element).
 */
final class PlainGemm {

    /** Rows of B per block: KC * n doubles (256 KB for n = 256) stay in L2 while all of C's rows pass. */
    static final int KC = 128;

    private PlainGemm() {
    }

    static void multiplyAdd(int m, int n, int k, double[] a, int aOff, int ars, int acs, double[] b, int bOff,
            int ldb, double[] c, int cOff, int ldc, boolean skipZeroA) {
        for (int k0 = 0; k0 < k; k0 += KC) {
            final int k1 = Math.min(k, k0 + KC);
            for (int i = 0; i < m; i++) {
                final int ci = cOff + i * ldc;
                final int ai = aOff + i * ars;
                for (int kk = k0; kk < k1; kk++) {
                    final double av = a[ai + kk * acs];
                    if (skipZeroA && av == 0.0) {
                        continue;
                    }
                    axpy(av, b, bOff + kk * ldb, c, ci, n);
                }
            }
        }
    }

    /**
     * {@link Gemm#multiplyAddFloat}: the same loops in float32, A's and B's elements rounded to float as they are
     * read; each C element sees fma(float) in increasing kk, as {@link VectorGemmF32}.
     */
    static void multiplyAddFloat(int m, int n, int k, double[] a, int aOff, int ars, int acs, double[] b, int bOff,
            int ldb, float[] c, int cOff, int ldc, boolean skipZeroA) {
        for (int k0 = 0; k0 < k; k0 += KC) {
            final int k1 = Math.min(k, k0 + KC);
            for (int i = 0; i < m; i++) {
                final int ci = cOff + i * ldc;
                final int ai = aOff + i * ars;
                for (int kk = k0; kk < k1; kk++) {
                    final float av = (float) a[ai + kk * acs];
                    if (skipZeroA && av == 0.0f) {
                        continue;
                    }
                    final int bi = bOff + kk * ldb;
                    for (int j = 0; j < n; j++) {
                        c[ci + j] = Math.fma(av, (float) b[bi + j], c[ci + j]);
                    }
                }
            }
        }
    }

    /** c[ci .. ci + n) = fma(av, b[bi ..], c[ci ..]): a counted loop over contiguous memory, vectorized. */
    private static void axpy(double av, double[] b, int bi, double[] c, int ci, int n) {
        for (int j = 0; j < n; j++) {
            c[ci + j] = Math.fma(av, b[bi + j], c[ci + j]);
        }
    }
}
