package org.dpspark.jobs.bench;

import java.util.concurrent.TimeUnit;
import org.dpspark.core.noise.SecureGaussianNoise;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Issue 6, "noise": secure Gaussian samples per second on one thread (one core): {@link SecureGaussianNoise}
 * (AES-256-CTR stream, hardened sampler) adding noise to a 65,536-coordinate vector, as the driver does per step.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class NoiseJmh {
    static final int N = 1 << 16;
    SecureGaussianNoise noise;
    double[] v;

    @Setup
    public void setup() {
        noise = SecureGaussianNoise.create();
        v = new double[N];
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public double[] secureGaussianSamples() {
        noise.addTo(v, 1.0);
        return v;
    }
}
