package org.dpspark.core.model;

/**
 * The one matrix product the batched MLP kernel ({@link Mlp#addClippedGradients}) is made of, in double precision:
 *
 * <pre>
 *   C[i][j] += sum_{kk &lt; k} A(i, kk) B[kk][j]      for i &lt; m, j &lt; n
 *   A(i, kk) = a[aOff + i * ars + kk * acs]     (any strides: A or its transpose, read in place)
 *   B[kk][j] = b[bOff + kk * ldb + j]           (row-major, rows contiguous)
 *   C[i][j]  = c[cOff + i * ldc + j]            (row-major, rows contiguous)
 * </pre>
 *
 * Every C[i][j] is updated by fused multiply-adds c = fma(A(i, kk), B[kk][j], c) in increasing kk, starting from its
 * value on entry, whatever the implementation, blocking or vector width: the result is therefore the same on every
 * machine and run (the only differences between implementations are in the sign of a zero, through skipZeroA).
 * With {@code skipZeroA}, terms whose A(i, kk) is 0 may be skipped: exact for finite B (fma(0, b, c) = c up to the
 * sign of a zero), and what makes sparse inputs such as MNIST's blank pixels cheaper.
 *
 * <p>Two implementations: {@link PlainGemm}, cache-blocked loops that HotSpot's superword pass vectorizes, and
 * {@link VectorGemm}, a register-blocked micro-kernel on the JDK's Vector API (jdk.incubator.vector, which needs
 * {@code --add-modules=jdk.incubator.vector}: the project's launch scripts, its tests and Spark 4's launcher all
 * pass it). {@link #multiplyAdd} uses the Vector API when its module is present at run time and the plain loops
 * otherwise; the system property {@code dpspark.gemm} = {@code plain} or {@code vector} forces one (for
 * benchmarks). See docs/benchmarks.md for the measurements behind the default.
 */
public final class Gemm {

    /** The implementation in use: "vector" or "plain". */
    public static final String IMPLEMENTATION = choose();

    private static final boolean VECTOR = IMPLEMENTATION.equals("vector");

    private Gemm() {
    }

    private static String choose() {
        String forced = System.getProperty("dpspark.gemm", "");
        boolean available = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        if (forced.equals("plain") || !available) {
            return "plain";
        }
        if (!forced.isEmpty() && !forced.equals("vector")) {
            throw new IllegalStateException("dpspark.gemm must be plain or vector, got " + forced);
        }
        try {
            VectorGemm.check();
            return "vector";
        } catch (LinkageError e) {
            return "plain";
        }
    }

    /** C += A B (see the class comment), with the default implementation. */
    public static void multiplyAdd(int m, int n, int k, double[] a, int aOff, int ars, int acs, double[] b, int bOff,
            int ldb, double[] c, int cOff, int ldc, boolean skipZeroA) {
        if (m <= 0 || n <= 0 || k <= 0) {
            return;
        }
        if (VECTOR) {
            VectorGemm.multiplyAdd(m, n, k, a, aOff, ars, acs, b, bOff, ldb, c, cOff, ldc, skipZeroA);
        } else {
            PlainGemm.multiplyAdd(m, n, k, a, aOff, ars, acs, b, bOff, ldb, c, cOff, ldc, skipZeroA);
        }
    }

    /**
     * C += A B in float32 arithmetic, for products whose accuracy is not part of any guarantee (the forward pass of
     * a float32 block's rows, {@link Mlp}): the layout and order of {@link #multiplyAdd}, with A's and B's elements
     * rounded to float as they are read (exact for values stored as floats), C a float array and every C element
     * updated by fused float multiply-adds in increasing kk. Twice the lanes of the double product per vector.
     */
    public static void multiplyAddFloat(int m, int n, int k, double[] a, int aOff, int ars, int acs, double[] b,
            int bOff, int ldb, float[] c, int cOff, int ldc, boolean skipZeroA) {
        if (m <= 0 || n <= 0 || k <= 0) {
            return;
        }
        if (VECTOR) {
            VectorGemmF32.multiplyAdd(m, n, k, a, aOff, ars, acs, b, bOff, ldb, c, cOff, ldc, skipZeroA);
        } else {
            PlainGemm.multiplyAddFloat(m, n, k, a, aOff, ars, acs, b, bOff, ldb, c, cOff, ldc, skipZeroA);
        }
    }

    /** True when the Vector API is used. */
    public static boolean vectorized() {
        return VECTOR;
    }
}
