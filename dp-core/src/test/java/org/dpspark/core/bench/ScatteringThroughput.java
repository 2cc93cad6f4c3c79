package org.dpspark.core.bench;

import java.util.SplittableRandom;
import org.dpspark.core.features.Scattering2D;

/**
 * Throughput of {@link Scattering2D} (28 x 28, J = 2, L = 8) on one thread: transforms n synthetic images (a
 * warm-up pass, then a timed pass) and prints rows per second. Not a test.
 * <pre>
 * java -cp dp-core/target/classes:dp-core/target/test-classes:$HOME/.m2/repository/com/github/wendykierp/JTransforms/3.1/JTransforms-3.1.jar:$HOME/.m2/repository/pl/edu/icm/JLargeArrays/1.5/JLargeArrays-1.5.jar:$HOME/.m2/repository/org/apache/commons/commons-math3/3.6.1/commons-math3-3.6.1.jar \
 *     org.dpspark.core.bench.ScatteringThroughput [n]
 * </pre>
 */
public final class ScatteringThroughput {

    private ScatteringThroughput() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20000;
        long t0 = System.nanoTime();
        Scattering2D s = new Scattering2D(28, 28, 2, 8);
        System.out.printf("filters built in %.1f ms; normBound %.6f%n", (System.nanoTime() - t0) / 1e6, s.normBound());
        SplittableRandom rnd = new SplittableRandom();
        int distinct = 256;
        double[] images = new double[distinct * 784];
        for (int i = 0; i < images.length; i++) {
            images[i] = rnd.nextDouble() < 0.8 ? 0 : rnd.nextDouble(); // sparse like digits
        }
        double[] out = new double[s.outputSize()];
        double checksum = 0;
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int pass = 0; pass < 2; pass++) {
            long start = System.nanoTime();
            long cpuStart = threads.getCurrentThreadCpuTime();
            for (int e = 0; e < n; e++) {
                s.apply(images, (e % distinct) * 784, out, 0);
                checksum += out[e % out.length];
            }
            double sec = (System.nanoTime() - start) / 1e9;
            double cpu = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9; // excludes time other processes ran
            System.out.printf("%s: %d images in %.2f s wall (%.2f s CPU): %.0f rows/s wall, %.0f rows per CPU-second,"
                    + " 1 thread%n", pass == 0 ? "warm-up" : "timed", n, sec, cpu, n / sec, n / cpu);
        }
        System.out.printf("(checksum %.6g)%n", checksum);
    }
}
