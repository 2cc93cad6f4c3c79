package org.dpspark.jobs.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.dpspark.core.clip.ClipBudget;
import org.dpspark.core.model.BinaryLogisticRegression;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.core.sampling.PoissonSampler;
import org.dpspark.core.step.ClippedSumKernel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Issue 6, "the kernel": rows per second of the per-example clipped-gradient kernel ({@link ClippedSumKernel}, with
 * its Poisson sampler at q = 1 so every row is processed, its per-block CSPRNG stream and the DP loss coordinate)
 * against a plain, non-private gradient loop (sum of (sigmoid(w.x + b) - y) x, no norm, no clip) over the same
 * dense block. Logistic regression, d = 100, one block of 4096 rows (3.2 MB, like a cached DenseBlock slice).
 * Benchmark data only: the random source here is a plain SplittableRandom filling the block once.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class KernelJmh {
    static final int ROWS = 4096;

    @Param({"100"})
    int d;

    BinaryLogisticRegression model;
    double[] params;
    double[] features;
    double[] labels;
    double[] sum;
    double[] plain;
    PoissonSampler everyRow;
    ClipBudget clip;
    byte[] key;
    long step;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(1);
        model = new BinaryLogisticRegression(d);
        params = BenchData.parameters(d, r);
        features = BenchData.features(ROWS, d, r);
        labels = BenchData.labels(ROWS, r);
        sum = new double[d + 2];
        plain = new double[d + 1];
        everyRow = new PoissonSampler(1.0);
        clip = ClipBudget.withDefaultLossTracking(1.0);
        key = CsprngStream.newSecretKey();
    }

    /** The DP kernel over one block: derive the block's stream, sample, clip, sum (rows per second). */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public double[] clippedKernel() {
        CsprngStream rng = CsprngStream.derive(key, step++, 0, 0);
        ClippedSumKernel.accumulate(model, params, features, labels, ROWS, everyRow, rng, clip, sum);
        return sum;
    }

    /** The non-private baseline over the same block (rows per second). */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public double[] plainGradientLoop() {
        final int dd = d;
        for (int i = 0; i < ROWS; i++) {
            int off = i * dd;
            double m = params[dd];
            for (int j = 0; j < dd; j++) {
                m += params[j] * features[off + j];
            }
            double g = 1.0 / (1.0 + Math.exp(-m)) - labels[i];
            for (int j = 0; j < dd; j++) {
                plain[j] += g * features[off + j];
            }
            plain[dd] += g;
        }
        return plain;
    }
}
