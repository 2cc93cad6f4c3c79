package org.dpspark.core.bench;

import org.dpspark.core.model.DpModel;
import org.dpspark.core.model.Mlp;
import org.dpspark.core.model.SoftmaxRegression;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;

/**
 * Throughput of the fused per-example clipped gradient (the executor's inner loop) on MNIST-shaped input:
 * 784 features of which about 19% are non-zero (MNIST's share of non-blank pixels), values in (0, 1].
 * Not a unit test; run by hand after {@code mvn -pl dp-core test-compile}:
 * <pre>
 * java -cp dp-core/target/classes:dp-core/target/test-classes org.dpspark.core.bench.ModelGradientBenchmark
 * </pre>
 */
public final class ModelGradientBenchmark {

    private ModelGradientBenchmark() {
    }

    public static void main(String[] args) {
        int rows = 4096;
        int d = 784;
        RandomSource rng = InsecureTestRandomness.seededSource(1);
        double[] x = new double[rows * d];
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < d; j++) {
                x[r * d + j] = rng.nextDouble() < 0.19 ? 1.0 - rng.nextDouble() : 0.0;
            }
            y[r] = r % 10;
        }
        run("softmax 784x10", new SoftmaxRegression(d, 10), x, y, rows, rng);
        run("mlp 784-256-10 relu", new Mlp(d, new int[] {256}, Mlp.Activation.RELU, 10), x, y, rows, rng);
        run("mlp 784-256-10 tanh", new Mlp(d, new int[] {256}, Mlp.Activation.TANH, 10), x, y, rows, rng);
        run("mlp 784-1000-10 relu", new Mlp(d, new int[] {1000}, Mlp.Activation.RELU, 10), x, y, rows, rng);
    }

    private static void run(String name, DpModel m, double[] x, double[] y, int rows, RandomSource rng) {
        double[] params = m.initialParams(rng);
        double[] sum = new double[m.numParams()];
        double[] scratch = new double[m.scratchSize()];
        int d = m.numFeatures();
        double sink = 0;
        for (int rep = 0; rep < 3; rep++) { // warm-up
            for (int r = 0; r < rows; r++) {
                sink += m.addClippedGradient(params, x, r * d, y[r], 1.0, sum, scratch);
            }
        }
        int reps = 5;
        long start = System.nanoTime();
        for (int rep = 0; rep < reps; rep++) {
            for (int r = 0; r < rows; r++) {
                sink += m.addClippedGradient(params, x, r * d, y[r], 1.0, sum, scratch);
            }
        }
        double perExample = (System.nanoTime() - start) / 1e3 / (reps * (double) rows);
        System.out.printf("%-22s %8.2f us/example, %6.1f ms per batch of 256, %5.1f s per 60000-example epoch"
                + " (one core)%s%n", name, perExample, perExample * 256 / 1e3, perExample * 60000 / 1e6,
                sink == 42 ? "" : "");
    }
}
