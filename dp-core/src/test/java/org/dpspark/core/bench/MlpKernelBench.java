package org.dpspark.core.bench;

import java.io.IOException;
import java.nio.file.Path;
import org.dpspark.core.model.BatchWorkspace;
import org.dpspark.core.model.Gemm;
import org.dpspark.core.model.Mlp;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;

/**
 * The MLP clipped-sum kernel alone (no Spark, no noise), on MNIST (784-256-10 ReLU, batches of 256 rows drawn at
 * random, 234 batches an "epoch" of 60,000 examples): the per-example path ({@link Mlp#addClippedGradient} row by
 * row, zero-skipping axpy loops) against the batched one ({@link Mlp#addClippedGradients}, GEMMs), and the GFLOPS of
 * a plain dense GEMM ({@link Gemm#multiplyAdd}) on the MLP's first-layer shape. The GEMM implementation is the JVM's
 * default unless {@code -Ddpspark.gemm=plain|vector}. Not a unit test; after {@code mvn -pl dp-core test-compile}:
 * <pre>
 * java --add-modules=jdk.incubator.vector [-Ddpspark.gemm=plain] \
 *   -cp dp-core/target/classes:dp-core/target/test-classes org.dpspark.core.bench.MlpKernelBench \
 *   [MNIST_DIR|synthetic] [epochs] [batch] [float64|float32] [paths]
 * </pre>
 * batch: rows per call (256; 128 is one task's share of a 256-row step on local[2]); float32: the first layer's
 * forward product in float, as {@code --precision float32}; paths: comma-separated, from batched and per_example
 * (batched,per_example,batched). Prints key=value lines: seconds per epoch of each path (each epoch after the
 * first is steady state), GEMM GFLOPS.
 */
public final class MlpKernelBench {

    private MlpKernelBench() {
    }

    public static void main(String[] args) throws IOException {
        String dir = args.length > 0 ? args[0] : "synthetic";
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        String precision = args.length > 3 ? args[3] : "float64";
        if (!precision.equals("float64") && !precision.equals("float32")) {
            throw new IllegalArgumentException("precision must be float64 or float32, got " + precision);
        }
        boolean floatForward = precision.equals("float32");
        double[] x;
        double[] y;
        if (dir.equals("synthetic")) {
            int n = 60000;
            RandomSource rng = InsecureTestRandomness.seededSource(1);
            x = new double[n * 784];
            y = new double[n];
            for (int i = 0; i < x.length; i++) {
                x[i] = rng.nextDouble() < 0.19 ? 1.0 - rng.nextDouble() : 0.0;
            }
            for (int i = 0; i < n; i++) {
                y[i] = i % 10;
            }
        } else {
            double[][] xy = MnistDpSgdExperiment.read(Path.of(dir), "train", 1.0);
            x = xy[0];
            y = xy[1];
        }
        System.out.println("gemm_impl=" + Gemm.IMPLEMENTATION);
        System.out.println("data=" + dir);
        gemmGflops();
        Mlp m = new Mlp(784, new int[] {256}, Mlp.Activation.RELU, 10);
        double[] params = m.initialParams(InsecureTestRandomness.seededSource(2));
        int steps = 60000 / batch;
        String[] paths = args.length > 4 ? args[4].split(",") : new String[] {"batched", "per_example", "batched"};
        for (String path : paths) {
            if (!path.equals("batched") && !path.equals("per_example")) {
                throw new IllegalArgumentException("paths are batched and per_example, got " + path);
            }
            RandomSource rng = InsecureTestRandomness.seededSource(3);
            double[] xb = new double[batch * 784];
            double[] yb = new double[batch];
            double[] losses = new double[batch];
            double[] sum = new double[m.numParams()];
            double[] scratch = new double[m.scratchSize()];
            BatchWorkspace work = new BatchWorkspace();
            StringBuilder times = new StringBuilder();
            double checksum = 0.0;
            for (int e = 0; e < epochs; e++) {
                long gatherNanos = 0;
                long t0 = System.nanoTime();
                for (int s = 0; s < steps; s++) {
                    long g0 = System.nanoTime();
                    for (int r = 0; r < batch; r++) {
                        int row = (int) (rng.nextDouble() * (y.length));
                        System.arraycopy(x, row * 784, xb, r * 784, 784);
                        yb[r] = y[row];
                    }
                    gatherNanos += System.nanoTime() - g0;
                    java.util.Arrays.fill(sum, 0.0);
                    if (path.equals("batched")) {
                        m.addClippedGradients(params, xb, yb, batch, 1.0, sum, losses, work, floatForward);
                    } else {
                        for (int r = 0; r < batch; r++) {
                            losses[r] = m.addClippedGradient(params, xb, r * 784, yb[r], 1.0, sum, scratch);
                        }
                    }
                    checksum += sum[0] + losses[0];
                }
                double sec = (System.nanoTime() - t0 - gatherNanos) / 1e9;
                times.append(e == 0 ? "" : ",").append(String.format("%.3f", sec));
            }
            System.out.println(path + "_seconds_per_epoch=" + times + " (checksum " + (float) checksum + ")");
        }
    }

    /** C (256 x 256) += A (256 x 784) B (784 x 256), dense: the MLP's forward shape at batch 256. */
    private static void gemmGflops() {
        int m = 256;
        int k = 784;
        int n = 256;
        RandomSource rng = InsecureTestRandomness.seededSource(4);
        double[] a = new double[m * k];
        double[] b = new double[k * n];
        double[] c = new double[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = rng.nextDouble() - 0.5;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = rng.nextDouble() - 0.5;
        }
        double best = 0.0;
        StringBuilder all = new StringBuilder();
        for (int rep = 0; rep < 8; rep++) {
            int iters = 20;
            long t0 = System.nanoTime();
            for (int it = 0; it < iters; it++) {
                Gemm.multiplyAdd(m, n, k, a, 0, k, 1, b, 0, n, c, 0, n, false);
            }
            double gflops = 2.0 * m * n * k * iters / (System.nanoTime() - t0);
            best = Math.max(best, gflops);
            all.append(rep == 0 ? "" : ",").append(String.format("%.2f", gflops));
        }
        System.out.println("gemm_256x784x256_gflops_best=" + String.format("%.2f", best) + " (reps " + all + ")");
    }
}
