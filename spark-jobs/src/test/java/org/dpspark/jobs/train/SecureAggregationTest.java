package org.dpspark.jobs.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dpspark.accountant.plan.PrivacyPlan;
import org.dpspark.core.clip.ClipBudget;
import org.dpspark.core.model.BinaryLogisticRegression;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.secagg.DdgCodec;
import org.dpspark.core.secagg.DdgParams;
import org.dpspark.core.secagg.ModularSum;
import org.dpspark.datasets.BlockPacker;
import org.dpspark.datasets.DenseBlock;
import org.dpspark.datasets.SyntheticData;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.validate.DatasetValidator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Secure aggregation through the barrier step runner, on local[2,4] with 4 partitions (4 parties in 2 tasks):
 * every byte the driver receives is recorded and tested (each party's share, and the sum of any n - 1 shares, is
 * uniform modulo 2^b; only the full sum decodes to the noised total), the decoded noise has the planned variance,
 * paillier decodes exactly the total masking decodes, and a task killed mid-step is retried to the same model.
 */
class SecureAggregationTest {
    private static final int D = 30;
    private static final int PARTIES = 4;
    private static final long SEED = 5L;
    private static SparkSession spark;
    private static JavaSparkContext jsc;
    private static JavaRDD<DenseBlock> blocks;
    private static List<List<DenseBlock>> byPartition;
    private static long rows;
    static final AtomicInteger FAULTS = new AtomicInteger();

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().appName("SecureAggregationTest").master("local[2,4]")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config(BarrierStepRunner.TIMEOUT_CONF, "120")
                // insecure test path only: a 1024-bit Paillier modulus keeps the paillier test fast
                .config(BarrierStepRunner.INSECURE_PAILLIER_BITS_CONF, "1024")
                .getOrCreate();
        jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        FeatureSpec spec = SyntheticData.spec(D);
        Dataset<Row> raw = SyntheticData.logistic(spark, 8000, D, 3L, PARTIES);
        rows = DatasetValidator.validate(raw, spec);
        blocks = BlockPacker.pack(raw, spec).cache();
        List<List<DenseBlock>> parts = blocks.mapPartitionsWithIndex((p, it) -> {
            List<DenseBlock> own = new ArrayList<>();
            it.forEachRemaining(own::add);
            return Collections.singletonList(own).iterator();
        }, true).collect();
        byPartition = parts;
        assertEquals(PARTIES, blocks.getNumPartitions());
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static TrainConfig cfg(SecureAggregation mode, int colluding) {
        return TrainConfig.builder().epochs(2).batchSize(200).noiseMultiplier(1.0).insecureTestSeed(SEED)
                .stepMode(StepMode.BARRIER).secureAggregation(mode).secaggColluding(colluding).build();
    }

    private static BinaryLogisticRegression model() {
        return new BinaryLogisticRegression(D);
    }

    private static PrivacyPlan plan(TrainConfig c) {
        return c.plan(rows, model().numParams() + 1, PARTIES);
    }

    /** The run's party work, as DpTrainer builds it on the insecure test path. */
    private static PartitionStep work(TrainConfig c, PrivacyPlan plan) {
        byte[] jobKey = InsecureTestRandomness.seededSecretKey(SEED);
        SecureSetup setup = SecureSetup.create(c.secureAggregation(), plan.distributed().orElseThrow(), null, jobKey);
        return new PartitionStep(model(), jobKey, plan.samplingRate(), ClipBudget.withDefaultLossTracking(c.clipNorm()),
                null).withSecure(setup);
    }

    private static double[] publicParams(int step) {
        double[] p = new double[model().numParams()];
        for (int i = 0; i < p.length; i++) {
            p[i] = 0.01 * ((i * 7 + step) % 11 - 5);
        }
        return p;
    }

    /** What no one but the parties can compute: the clipped sum of every party's own sample at {@code step}. */
    private static double[] trueSum(PartitionStep work, long step, double[] params) {
        double[] total = new double[work.sumLength()];
        for (int p = 0; p < PARTIES; p++) {
            PartitionStep own = work.withKey(work.secure().partySecret(p, null));
            double[] s = own.sum(step, params, p, byPartition.get(p).iterator());
            for (int i = 0; i < total.length; i++) {
                total[i] += s[i];
            }
        }
        return total;
    }

    /** Chi-square test of uniformity of the top 4 bits of values mod 2^bits; true when uniform at alpha = 1e-6. */
    private static boolean topBitsUniform(List<long[]> vectors, int bits) {
        long[] counts = new long[16];
        long n = 0;
        for (long[] v : vectors) {
            for (long x : v) {
                counts[(int) (x >>> (bits - 4))]++;
                n++;
            }
        }
        double expected = n / 16.0;
        double chi = 0;
        for (long c : counts) {
            chi += (c - expected) * (c - expected) / expected;
        }
        return chi < new ChiSquaredDistribution(15).inverseCumulativeProbability(1 - 1e-6);
    }

    /**
     * The driver's view of a masking run, recorded byte for byte: 120 steps, 4 parties, t = 1, b = 40. Each party's
     * message and the sum of every 3 of the 4 messages pass a chi-square test of uniformity (16 bins of the top bits,
     * 3,840 values each; alpha = 1e-6 per test, 8 tests: false-failure rate below 1e-5). The full sum decodes to the
     * parties' true clipped sum plus noise whose per-coordinate variance is the planned n/(n - t) sigma^2 C^2 (a
     * chi-square interval at alpha = 1e-6 over 3,720 draws), centred, and normal (Kolmogorov-Smirnov, alpha = 1e-4);
     * a sum missing one share decodes to values thousands of noise deviations away.
     */
    @Test
    void masking_driverSeesUniformShares_onlyTheFullSumDecodes_toTheNoisedTotal() {
        TrainConfig c = cfg(SecureAggregation.MASKING, 1);
        PrivacyPlan plan = plan(c);
        DdgParams ddg = plan.distributed().orElseThrow();
        assertEquals(PARTIES, ddg.parties());
        int bits = ddg.bits();
        PartitionStep work = work(c, plan);
        List<byte[]> seen = Collections.synchronizedList(new ArrayList<>());
        int steps = 120;
        double[][] totals = new double[steps][];
        try (BarrierStepRunner runner = BarrierStepRunner.start(jsc, blocks, work, (a, p, s) -> { }, seen::add)) {
            for (int t = 0; t < steps; t++) {
                totals[t] = runner.sum(t, publicParams(t));
            }
        }
        // Parse what the driver received: HELLOs (public keys) and one SHARES message per task and step.
        long[][][] shares = new long[steps][PARTIES][];
        int messages = 0;
        for (byte[] m : seen) {
            if (BarrierProtocol.type(m) != BarrierProtocol.SHARES) {
                assertEquals(BarrierProtocol.HELLO, BarrierProtocol.type(m), "the driver received another kind");
                continue;
            }
            BarrierProtocol.Parts parts = BarrierProtocol.decodeParts(m, BarrierProtocol.SHARES, PARTIES,
                    ddg.paddedDim(), 0);
            for (int i = 0; i < parts.partitions().length; i++) {
                shares[(int) parts.step()][parts.partitions()[i]] = (long[]) parts.payloads()[i];
            }
            messages++;
        }
        assertEquals(steps * 2, messages, "one message per task and step");
        for (int p = 0; p < PARTIES; p++) {
            List<long[]> own = new ArrayList<>();
            List<long[]> others = new ArrayList<>();
            for (int t = 0; t < steps; t++) {
                own.add(shares[t][p]);
                long[] sum = new long[ddg.paddedDim()];
                for (int q = 0; q < PARTIES; q++) {
                    if (q != p) {
                        ModularSum.addInto(sum, shares[t][q], bits);
                    }
                }
                others.add(sum);
            }
            assertTrue(topBitsUniform(own, bits), "party " + p + "'s shares are not uniform mod 2^b");
            assertTrue(topBitsUniform(others, bits), "the shares without party " + p + " do not sum to uniform");
        }
        DdgCodec codec = new DdgCodec(ddg, work.secure().rotationSeed());
        double expectedVariance = (double) PARTIES * ddg.localVariance() / (ddg.scale() * ddg.scale());
        double sigmaC = plan.noiseMultiplier() * c.clipNorm();
        assertEquals(sigmaC * sigmaC * PARTIES / (PARTIES - 1.0), expectedVariance, 1e-6 * expectedVariance,
                "n - t honest parties' shares add up to sigma^2 C^2");
        List<Double> noise = new ArrayList<>();
        double partialDeviation = 0;
        for (int t = 0; t < steps; t++) {
            double[] truth = trueSum(work, t, publicParams(t));
            long[] full = new long[ddg.paddedDim()];
            long[] partial = new long[ddg.paddedDim()];
            for (int q = 0; q < PARTIES; q++) {
                ModularSum.addInto(full, shares[t][q], bits);
                if (q != 0) {
                    ModularSum.addInto(partial, shares[t][q], bits);
                }
            }
            double[] decoded = codec.decode(full);
            assertArrayEquals(totals[t], decoded, 0.0, "the runner returns the decoded full sum");
            double[] wrong = codec.decode(partial);
            for (int i = 0; i < truth.length; i++) {
                noise.add(decoded[i] - truth[i]);
                partialDeviation += Math.abs(wrong[i] - truth[i]);
            }
        }
        int n = noise.size();
        double mean = noise.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double var = noise.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / (n - 1);
        ChiSquaredDistribution chi = new ChiSquaredDistribution(n - 1);
        double lo = expectedVariance * chi.inverseCumulativeProbability(0.5e-6) / (n - 1);
        double hi = expectedVariance * chi.inverseCumulativeProbability(1 - 0.5e-6) / (n - 1);
        assertTrue(var > lo && var < hi, "noise variance " + var + " outside [" + lo + ", " + hi + "]");
        assertTrue(Math.abs(mean) < 5.3 * Math.sqrt(expectedVariance / n), "noise mean " + mean);
        double[] sample = noise.stream().mapToDouble(Double::doubleValue).toArray();
        double pValue = new KolmogorovSmirnovTest().kolmogorovSmirnovTest(
                new NormalDistribution(null, 0, Math.sqrt(expectedVariance)), sample);
        assertTrue(pValue > 1e-4, "KS p-value " + pValue);
        assertTrue(partialDeviation / n > 1000 * Math.sqrt(expectedVariance),
                "a sum missing one share must not decode to the total");
    }

    /** Paillier adds the same shares under encryption: it decodes exactly the total masking decodes. */
    @Test
    void paillier_decodesExactlyTheTotalMaskingDecodes() {
        double[][] masked = new double[3][];
        double[][] sealed = new double[3][];
        TrainConfig m = cfg(SecureAggregation.MASKING, 0);
        try (BarrierStepRunner runner = BarrierStepRunner.start(jsc, blocks, work(m, plan(m)))) {
            for (int t = 0; t < 3; t++) {
                masked[t] = runner.sum(t, publicParams(t));
            }
        }
        TrainConfig p = cfg(SecureAggregation.PAILLIER, 0);
        List<byte[]> seen = Collections.synchronizedList(new ArrayList<>());
        try (BarrierStepRunner runner = BarrierStepRunner.start(jsc, blocks, work(p, plan(p)), (a, q, s) -> { },
                seen::add)) {
            assertTrue(runner.noised());
            for (int t = 0; t < 3; t++) {
                sealed[t] = runner.sum(t, publicParams(t));
            }
        }
        for (int t = 0; t < 3; t++) {
            assertArrayEquals(masked[t], sealed[t], 0.0, "step " + t);
        }
        assertTrue(seen.stream().anyMatch(b -> BarrierProtocol.type(b) == BarrierProtocol.SEALED));
    }

    /** A task killed mid-step under masking: the stage is retried and the run's model is the undisturbed one. */
    @Test
    void masking_taskKilledMidStep_retried_modelBitIdentical() {
        TrainConfig c = cfg(SecureAggregation.MASKING, 1);
        PrivacyPlan plan = plan(c);
        TrainResult undisturbed = DpTrainer.train(jsc, blocks, rows, model(), c, plan);
        FAULTS.set(0);
        TrainResult retried = DpTrainer.train(jsc, blocks, rows, model(), c, plan,
                (j, b, w) -> BarrierStepRunner.start(j, b, w, (attempt, p, step) -> {
                    if (attempt == 0 && p == 3 && step == 17) {
                        FAULTS.incrementAndGet();
                        throw new IllegalStateException("injected fault at step 17");
                    }
                }));
        assertEquals(1, FAULTS.get(), "the fault must have fired once");
        assertEquals(plan.steps(), retried.plan().steps());
        assertArrayEquals(undisturbed.params(), retried.params(), 0.0);
        assertEquals(undisturbed.lossPerEpoch(), retried.lossPerEpoch());
    }

    /**
     * Without a party secret file, each stage attempt draws fresh shares. With t = 0 a task lost mid-step is simply
     * retried (the lost attempt's shares are jointly uniform). With t = 1, colluders could unmask the lost attempt's
     * honest sum and see the step twice, so a loss after another task's shares arrived stops the run.
     */
    @Test
    void masking_freshRandomness_retriedWithoutColluders_stoppedWithColluders() {
        for (int t : new int[] {0, 1}) {
            TrainConfig c = TrainConfig.builder().epochs(1).batchSize(200).noiseMultiplier(1.0)
                    .stepMode(StepMode.BARRIER).secureAggregation(SecureAggregation.MASKING).secaggColluding(t).build();
            PrivacyPlan plan = plan(c);
            FAULTS.set(0);
            DpTrainer.RunnerFactory faulty = (j, b, w) -> BarrierStepRunner.start(j, b, w, (attempt, p, step) -> {
                if (attempt == 0 && p == 3 && step == 5) {
                    FAULTS.incrementAndGet();
                    try {
                        Thread.sleep(1500); // the other task's shares of step 5 reach the driver first
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IllegalStateException("injected fault at step 5");
                }
            });
            if (t == 0) {
                TrainResult r = DpTrainer.train(jsc, blocks, rows, model(), c, plan, faulty);
                assertEquals(plan.steps(), r.plan().steps());
            } else {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> DpTrainer.train(jsc, blocks, rows, model(), c, plan, faulty));
                assertTrue(e.getMessage().contains("a party was lost after others had sent their shares"),
                        e.getMessage());
            }
            assertEquals(1, FAULTS.get(), "t = " + t);
        }
    }
}
