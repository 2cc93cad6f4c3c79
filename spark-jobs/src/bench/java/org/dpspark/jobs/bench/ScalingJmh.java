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
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Issue 6, "scaling with N", at the kernel: one partition's share of a step ({@link ClippedSumKernel} over one
 * cached block with its per-step CSPRNG stream), at a fixed expected 128 sampled rows, on a block of 25,000 and of
 * 250,000 rows (d = 50: 10 MB and 100 MB). The work is the same; what differs is where the sampled rows lie in
 * memory. The end-to-end figure (EndToEndBench, `dp-bench scaling`) adds the barrier step's fixed costs and is far
 * noisier on a shared machine. Benchmark data only (SplittableRandom fills the block once).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ScalingJmh {
    static final int D = 50;
    static final double EXPECTED_ROWS = 128;

    @Param({"25000", "250000"})
    int rows;

    BinaryLogisticRegression model;
    double[] params;
    double[] features;
    double[] labels;
    double[] sum;
    PoissonSampler sampler;
    ClipBudget clip;
    byte[] key;
    long step;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(1);
        model = new BinaryLogisticRegression(D);
        params = BenchData.parameters(D, r);
        features = BenchData.features(rows, D, r);
        labels = BenchData.labels(rows, r);
        sum = new double[D + 2];
        sampler = new PoissonSampler(EXPECTED_ROWS / rows);
        clip = ClipBudget.withDefaultLossTracking(1.0);
        key = CsprngStream.newSecretKey();
    }

    /** One step on one block: a fresh stream (as each step derives one), the sample, the clipped sum. */
    @Benchmark
    public double[] stepOnOneBlock() {
        CsprngStream rng = CsprngStream.derive(key, step++, 0, 0);
        ClippedSumKernel.accumulate(model, params, features, labels, rows, sampler, rng, clip, sum);
        return sum;
    }
}
