package org.dpspark.accountant.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.DoubleSupplier;
import org.dpspark.accountant.calibration.BestCalibration;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.dpspark.accountant.pld.PldAccountant;

/**
 * Benchmark harness for the accountants (a main class, not a test; results go to docs/benchmarks.md).
 * Each case: 3 warm-up runs in the same JVM, then {@code reps} timed runs; prints median, min and max.
 *
 * <pre>
 *   mvn -q -B -pl accountant test-compile
 *   java -cp accountant/target/classes:accountant/target/test-classes:$(cat cp.txt) \
 *       org.dpspark.accountant.bench.AccountantBenchmark [reps]
 * </pre>
 * where cp.txt is {@code mvn -q -pl accountant dependency:build-classpath -Dmdep.outputFile=cp.txt}.
 */
public final class AccountantBenchmark {

    private AccountantBenchmark() {}

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 11;
        double q = 256 / 60000.0;
        bench("pld  q=256/60000 sigma=1.1 T=14063 eps(1e-5)", reps, () -> pld(q, 1.1, 14_063));
        bench("pld  q=256/60000 sigma=1.1 T=100000 eps(1e-5)", reps, () -> pld(q, 1.1, 100_000));
        bench("pld  q=0.04 sigma=1.5 T=2250 eps(1e-5)", reps, () -> pld(0.04, 1.5, 2250));
        bench("rdp  q=256/60000 sigma=1.1 T=100000 eps(1e-5)", reps, () -> rdp(q, 1.1, 100_000));
        bench("calibrate rdp+pld, target 2.38, q=256/60000 T=14063", reps,
                () -> BestCalibration.of(2.38, 1e-5, q, 14_063).best());
        bench("calibrate rdp+pld, target 8, q=0.04 T=2250", reps, () -> BestCalibration.of(8, 1e-5, 0.04, 2250).best());
    }

    private static double pld(double q, double sigma, long steps) {
        PldAccountant a = new PldAccountant();
        a.compose(new DpEvent(q, sigma, steps));
        return a.epsilon(1e-5);
    }

    private static double rdp(double q, double sigma, long steps) {
        RdpAccountant a = new RdpAccountant();
        a.compose(new DpEvent(q, sigma, steps));
        return a.epsilon(1e-5);
    }

    private static void bench(String name, int reps, DoubleSupplier run) {
        double result = Double.NaN;
        for (int i = 0; i < 3; i++) {
            result = run.getAsDouble();
        }
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            result = run.getAsDouble();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf(Locale.ROOT, "%-55s result %.6f  median %8.2f ms  min %8.2f  max %8.2f  (n=%d)%n",
                name, result, ms[reps / 2], ms[0], ms[reps - 1], reps);
    }
}
