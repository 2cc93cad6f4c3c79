package org.dpspark.core.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Both GEMM implementations against the defining loop (fused multiply-adds in increasing kk): the same value for
 * every element (== on doubles: only the sign of a zero may differ), over shapes with every kind of tail, A read
 * as itself or transposed, and zero skipping on and off.
 */
class GemmTest {

    private static void reference(int m, int n, int k, double[] a, int aOff, int ars, int acs, double[] b, int bOff,
            int ldb, double[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double v = c[cOff + i * ldc + j];
                for (int kk = 0; kk < k; kk++) {
                    v = Math.fma(a[aOff + i * ars + kk * acs], b[bOff + kk * ldb + j], v);
                }
                c[cOff + i * ldc + j] = v;
            }
        }
    }

    private interface Impl {
        void run(int m, int n, int k, double[] a, int aOff, int ars, int acs, double[] b, int bOff, int ldb,
                double[] c, int cOff, int ldc, boolean skip);
    }

    /** One product's operands: A with a margin and sparse entries, B and C with padding (ld > n) and offsets. */
    private record Case(int m, int n, int k, boolean transposed, boolean skip, double[] a, int aOff, int ars, int acs,
            double[] b, int bOff, int ldb, double[] c, int cOff, int ldc) {
        String describe() {
            return "m=" + m + " n=" + n + " k=" + k + " transposed=" + transposed + " skip=" + skip;
        }
    }

    /** Every shape with every kind of tail, A as itself or transposed, zero skipping on and off. */
    private static void forEachCase(long seed, int[][] shapes, java.util.function.Consumer<Case> test) {
        RandomSource rng = InsecureTestRandomness.seededSource(seed);
        for (int[] sh : shapes) {
            int m = sh[0];
            int n = sh[1];
            int k = sh[2];
            for (int transposed = 0; transposed < 2; transposed++) {
                for (int skip = 0; skip < 2; skip++) {
                    int aOff = 3;
                    double[] a = new double[aOff + m * k];
                    for (int i = aOff; i < a.length; i++) {
                        a[i] = rng.nextDouble() < 0.7 ? 0.0 : 2.0 * rng.nextDouble() - 1.0;
                    }
                    int ldb = n + 2;
                    int bOff = 5;
                    double[] b = new double[bOff + k * ldb];
                    for (int i = 0; i < b.length; i++) {
                        b[i] = 2.0 * rng.nextDouble() - 1.0;
                    }
                    int ldc = n + 1;
                    int cOff = 2;
                    double[] c = new double[cOff + m * ldc + 1];
                    for (int i = 0; i < c.length; i++) {
                        c[i] = rng.nextDouble();
                    }
                    test.accept(new Case(m, n, k, transposed == 1, skip == 1, a, aOff, transposed == 0 ? k : 1,
                            transposed == 0 ? 1 : m, b, bOff, ldb, c, cOff, ldc));
                }
            }
        }
    }

    private static void check(Impl impl, String name) {
        int[][] shapes = {{1, 1, 1}, {4, 16, 3}, {5, 17, 9}, {7, 10, 300}, {13, 33, 257}, {256, 10, 784},
            {37, 48, 130}, {3, 7, 2}, {64, 256, 520}, {6, 9, 11}, {130, 20, 40}, {784, 32, 128}};
        forEachCase(77, shapes, t -> {
            double[] c = t.c();
            double[] expected = c.clone();
            reference(t.m(), t.n(), t.k(), t.a(), t.aOff(), t.ars(), t.acs(), t.b(), t.bOff(), t.ldb(), expected,
                    t.cOff(), t.ldc());
            impl.run(t.m(), t.n(), t.k(), t.a(), t.aOff(), t.ars(), t.acs(), t.b(), t.bOff(), t.ldb(), c, t.cOff(),
                    t.ldc(), t.skip());
            for (int i = 0; i < c.length; i++) {
                assertTrue(c[i] == expected[i], name + " " + t.describe() + " at " + i + ": " + c[i] + " vs "
                        + expected[i]);
            }
        });
    }

    @Test
    void plainLoops_equalTheDefiningLoop() {
        check(PlainGemm::multiplyAdd, "plain");
    }

    @Test
    void vectorKernel_equalsTheDefiningLoop() {
        Assumptions.assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "jdk.incubator.vector is not in this JVM (--add-modules)");
        check(VectorGemm::multiplyAdd, "vector");
    }

    private interface FloatImpl {
        void run(int m, int n, int k, double[] a, int aOff, int ars, int acs, double[] b, int bOff, int ldb,
                float[] c, int cOff, int ldc, boolean skip);
    }

    /**
     * The float32 product against its defining loop: A and B rounded to float, fma(float) in increasing kk from C's
     * value, == on every float.
     */
    private static void checkFloat(FloatImpl impl, String name) {
        int[][] shapes = {{1, 1, 1}, {4, 32, 3}, {5, 33, 9}, {7, 10, 300}, {13, 65, 257}, {256, 10, 784},
            {128, 256, 784}, {3, 7, 2}, {64, 256, 520}};
        forEachCase(78, shapes, t -> {
            float[] c = new float[t.c().length];
            for (int i = 0; i < c.length; i++) {
                c[i] = (float) t.c()[i];
            }
            float[] expected = c.clone();
            for (int i = 0; i < t.m(); i++) {
                for (int j = 0; j < t.n(); j++) {
                    float v = expected[t.cOff() + i * t.ldc() + j];
                    for (int kk = 0; kk < t.k(); kk++) {
                        v = Math.fma((float) t.a()[t.aOff() + i * t.ars() + kk * t.acs()],
                                (float) t.b()[t.bOff() + kk * t.ldb() + j], v);
                    }
                    expected[t.cOff() + i * t.ldc() + j] = v;
                }
            }
            impl.run(t.m(), t.n(), t.k(), t.a(), t.aOff(), t.ars(), t.acs(), t.b(), t.bOff(), t.ldb(), c, t.cOff(),
                    t.ldc(), t.skip());
            for (int i = 0; i < c.length; i++) {
                assertTrue(c[i] == expected[i], name + " " + t.describe() + " at " + i + ": " + c[i] + " vs "
                        + expected[i]);
            }
        });
    }

    @Test
    void floatPlainLoops_equalTheDefiningLoop() {
        checkFloat(PlainGemm::multiplyAddFloat, "plain float");
    }

    @Test
    void floatVectorKernel_equalsTheDefiningLoop() {
        Assumptions.assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "jdk.incubator.vector is not in this JVM (--add-modules)");
        checkFloat(VectorGemmF32::multiplyAdd, "vector float");
    }

    @Test
    void testsRunWithTheVectorApi() {
        // the build's test JVMs pass --add-modules=jdk.incubator.vector (pom: spark.jvm.opens), as the launch scripts
        // and Spark's launcher do: the default must then be the Vector API
        Assumptions.assumeTrue(System.getProperty("dpspark.gemm") == null);
        assertTrue(Gemm.vectorized(), "Gemm.IMPLEMENTATION = " + Gemm.IMPLEMENTATION);
    }
}
