package org.dpspark.jobs.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dpspark.core.model.BinaryLogisticRegression;
import org.dpspark.datasets.BlockPacker;
import org.dpspark.datasets.DenseBlock;
import org.dpspark.datasets.SyntheticData;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.users.UserBlocks;
import org.dpspark.datasets.validate.DatasetValidator;
import org.dpspark.core.user.LocalTraining;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The barrier-stage step runner against the job-per-step runner, with a fixed insecure test seed: same model to
 * the bit, with and without regrouping partitions into fewer tasks, and after a task dies mid-run. The session is
 * local[2,4] (two task slots; a failed task may be retried), as on a cluster with spark.task.maxFailures = 4.
 */
class BarrierStepRunnerTest {
    private static final int D = 6;
    private static SparkSession spark;
    private static JavaSparkContext jsc;
    private static JavaRDD<DenseBlock> twoParts;
    private static JavaRDD<DenseBlock> fiveParts;
    private static long rows;
    /** The customers table bounded to 20 rows per user and packed by user, in 2 partitions. */
    private static JavaRDD<DenseBlock> userParts;
    private static long users;

    /** Counts injected faults (local mode: tasks run in this JVM). */
    static final AtomicInteger FAULTS = new AtomicInteger();

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().appName("BarrierStepRunnerTest").master("local[2,4]")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.driver.host", "127.0.0.1")
                // a hung task would fail the test in a minute rather than in the default ten
                .config(BarrierStepRunner.TIMEOUT_CONF, "60")
                .getOrCreate();
        jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        FeatureSpec spec = SyntheticData.spec(D);
        Dataset<Row> raw = SyntheticData.logistic(spark, 6000, D, 11L, 2);
        rows = DatasetValidator.validate(raw, spec);
        twoParts = BlockPacker.pack(raw, spec).cache();
        fiveParts = BlockPacker.pack(raw.repartition(5), spec).cache();
        FeatureSpec customers = SyntheticData.customersSpec();
        UserBlocks.Bounded bounded = UserBlocks.bound(SyntheticData.customers(spark, 400, 5L, 2), customers,
                SyntheticData.CUSTOMER_ID, 20, UserBlocks.NullUsers.REFUSE,
                org.dpspark.core.random.CsprngStream.newSecretKey(), 2);
        users = bounded.users();
        userParts = UserBlocks.pack(bounded, customers).cache();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static TrainConfig cfg(StepMode mode) {
        return TrainConfig.builder().epochs(2).batchSize(150).noiseMultiplier(1.0).insecureTestSeed(99L)
                .stepMode(mode).build();
    }

    private static TrainResult run(JavaRDD<DenseBlock> blocks, StepMode mode) {
        TrainConfig c = cfg(mode);
        return DpTrainer.train(jsc, blocks, rows, new BinaryLogisticRegression(D), c, c.plan(rows));
    }

    @Test
    void barrier_sameSeed_bitIdenticalToOneJobPerStep() {
        TrainResult job = run(twoParts, StepMode.JOB);
        TrainResult barrier = run(twoParts, StepMode.BARRIER);
        assertEquals("job", job.stepMode());
        assertEquals("barrier", barrier.stepMode());
        assertEquals(80, barrier.plan().steps());
        assertArrayEquals(job.params(), barrier.params(), 0.0);
        assertEquals(job.lossPerEpoch(), barrier.lossPerEpoch());
    }

    @Test
    void barrier_tasksJoiningInProcess_orOverTheEncryptedSocket_giveTheSameModel() {
        // local mode: the tasks run in this JVM, so by default they join in process (issue 19); forcing the socket
        // path (AES-GCM over loopback, as tasks in other JVMs) changes nothing in the result
        TrainConfig c = cfg(StepMode.BARRIER);
        List<Integer> sizes = new java.util.concurrent.CopyOnWriteArrayList<>();
        TrainResult socket = DpTrainer.train(jsc, twoParts, rows, new BinaryLogisticRegression(D), c, c.plan(rows),
                (j, blocks, work) -> BarrierStepRunner.start(j, blocks, work, (a, p, st) -> { },
                        payload -> sizes.add(payload.length), false));
        TrainResult inProcess = run(twoParts, StepMode.BARRIER);
        assertArrayEquals(socket.params(), inProcess.params(), 0.0);
        assertEquals(socket.lossPerEpoch(), inProcess.lossPerEpoch());
        assertEquals(2 + 80 * 2, sizes.size(), "two HELLOs, then one SUMS frame per task and step over the socket");
    }

    @Test
    void barrier_morePartitionsThanSlots_groupsThem_andStillBitIdentical() {
        assertEquals(2, BarrierStepRunner.taskSlots(jsc));
        TrainResult job = run(fiveParts, StepMode.JOB);
        TrainResult barrier = run(fiveParts, StepMode.BARRIER);
        assertArrayEquals(job.params(), barrier.params(), 0.0);
        // Grouping changes nothing: the same data in 2 partitions gives another sample, so another model.
        assertTrue(!java.util.Arrays.equals(job.params(), run(twoParts, StepMode.JOB).params()));
    }

    /** A barrier run whose task for partition 1 throws once, at step 37 of the first attempt (counted in FAULTS). */
    private TrainResult trainWithOneFault(TrainConfig c) {
        return DpTrainer.train(jsc, twoParts, rows, new BinaryLogisticRegression(D), c, c.plan(rows),
                (j, blocks, work) -> BarrierStepRunner.start(j, blocks, work, (attempt, p, step) -> {
                    if (attempt == 0 && p == 1 && step == 37) {
                        FAULTS.incrementAndGet();
                        throw new IllegalStateException("injected fault at step 37");
                    }
                }));
    }

    @Test
    void barrier_taskDiesOnceMidRun_stageIsRetried_andTheModelIsTheUndisturbedOne() {
        TrainResult undisturbed = run(twoParts, StepMode.JOB);
        FAULTS.set(0);
        TrainConfig c = cfg(StepMode.BARRIER);
        TrainResult retried = trainWithOneFault(c);
        assertEquals(1, FAULTS.get(), "the fault must have fired once");
        assertArrayEquals(undisturbed.params(), retried.params(), 0.0);
        assertEquals(undisturbed.lossPerEpoch(), retried.lossPerEpoch());
    }

    /**
     * User level: a task that dies mid-run is retried and redraws the same user sample and the same per-user
     * contributions (mean gradient clipped to C, or DP-FedAvg's local training and clipped update), so the model is
     * the undisturbed one to the bit.
     */
    @Test
    void userLevel_taskDiesOnceMidRun_theRetryRedrawsTheSameUsersAndUpdates() {
        for (String algorithm : new String[] {"dp-sgd", "fedavg"}) {
            TrainConfig.Builder b = TrainConfig.builder().epochs(3).batchSize(40).noiseMultiplier(1.0)
                    .insecureTestSeed(7L).userColumn(SyntheticData.CUSTOMER_ID).maxRowsPerUser(20).algorithm(algorithm);
            if (algorithm.equals("fedavg")) {
                b.localTraining(new LocalTraining(2, 0.5, 5));
            }
            TrainConfig job = b.stepMode(StepMode.JOB).build();
            int d = SyntheticData.customersSpec().dimension();
            TrainResult undisturbed = DpTrainer.train(jsc, userParts, users, new BinaryLogisticRegression(d), job,
                    job.plan(users));
            FAULTS.set(0);
            TrainConfig barrier = b.stepMode(StepMode.BARRIER).build();
            TrainResult retried = DpTrainer.train(jsc, userParts, users, new BinaryLogisticRegression(d), barrier,
                    barrier.plan(users), (j, blocks, work) -> BarrierStepRunner.start(j, blocks, work, (attempt, p, step) -> {
                        if (attempt == 0 && p == 0 && step == 17) {
                            FAULTS.incrementAndGet();
                            throw new IllegalStateException("injected fault at step 17");
                        }
                    }));
            assertEquals(1, FAULTS.get(), algorithm + ": the fault must have fired once");
            assertEquals(30, retried.plan().steps(), algorithm);
            assertArrayEquals(undisturbed.params(), retried.params(), 0.0, algorithm);
            assertEquals(undisturbed.lossPerEpoch(), retried.lossPerEpoch(), algorithm);
            // and the run learned something user-dependent: not the initial parameters
            assertTrue(java.util.Arrays.stream(retried.params()).anyMatch(v -> v != 0.0), algorithm);
        }
    }

    @Test
    void barrier_taskDiesBeforeConnecting_theConnectedTaskIsReleased_andTheRetryCompletes() {
        TrainResult undisturbed = run(twoParts, StepMode.JOB);
        FAULTS.set(0);
        TrainConfig c = cfg(StepMode.BARRIER);
        long t0 = System.nanoTime();
        TrainResult retried = DpTrainer.train(jsc, twoParts, rows, new BinaryLogisticRegression(D), c,
                c.plan(rows), (j, blocks, work) -> BarrierStepRunner.start(j, blocks, work, (attempt, p, step) -> {
                    if (attempt == 0 && p == 0 && step == -1) {
                        try {
                            Thread.sleep(1000); // let the other task connect and wait for its first step
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        FAULTS.incrementAndGet();
                        throw new IllegalStateException("injected fault before connecting");
                    }
                }));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(1, FAULTS.get());
        assertArrayEquals(undisturbed.params(), retried.params(), 0.0);
        assertTrue(seconds < 50, "the killed task held its slot for " + seconds + " s");
    }

    /**
     * --block-storage disk: in both step modes, with more partitions than task slots, on a retried barrier stage
     * and after a failed run, the model is the in-memory one to the bit (the gathers yield the same doubles), the
     * steps read exactly their sampled rows from the files, and no block file is left. float32 halves the bytes and
     * gives a model close to the float64 one.
     */
    @Test
    void diskBlocks_sameModelInEveryMode_onARetry_noFileLeft_andFloat32IsClose() {
        TrainResult memory = run(fiveParts, StepMode.JOB);
        assertEquals("memory", memory.storage().blockStorage());
        assertEquals(rows * D * 8, memory.storage().featureBytesInMemory());
        for (StepMode mode : new StepMode[] {StepMode.JOB, StepMode.BARRIER}) {
            TrainConfig c = cfg(mode).toBuilder().blockStorage(BlockStorage.DISK).build();
            TrainResult disk = DpTrainer.train(jsc, fiveParts, rows, new BinaryLogisticRegression(D), c, c.plan(rows));
            assertArrayEquals(memory.params(), disk.params(), 0.0, mode.name());
            TrainResult.Storage s = disk.storage();
            assertEquals("disk", s.blockStorage());
            assertEquals(0, s.featureBytesInMemory());
            assertEquals(rows * D * 8, s.featureBytes());
            assertEquals(80, s.steps());
            assertEquals(150 * D * 8, s.sampledBytesPerStep(), 150 * D * 8 * 0.2, "about B rows a step");
            assertEquals(s.sampledBytes(), s.bytesRead(), "only the sampled rows are read");
            assertTrue(s.fileReads() > 0 && s.fileReads() <= s.sampledBytes() / (D * 8), s.toString());
            assertNoBlockFiles();
        }
        TrainResult undisturbed = run(twoParts, StepMode.JOB);
        FAULTS.set(0);
        TrainConfig c = cfg(StepMode.BARRIER).toBuilder().blockStorage(BlockStorage.DISK).build();
        TrainResult retried = trainWithOneFault(c);
        assertEquals(1, FAULTS.get(), "the fault must have fired once");
        assertArrayEquals(undisturbed.params(), retried.params(), 0.0);
        assertNoBlockFiles();
        assertThrows(IllegalStateException.class, () -> DpTrainer.train(jsc, twoParts, rows,
                new BinaryLogisticRegression(D), c, c.plan(rows),
                (j, blocks, work) -> BarrierStepRunner.start(j, blocks, work, (attempt, p, step) -> {
                    if (step == 3) {
                        throw new IllegalStateException("injected fault");
                    }
                })));
        assertNoBlockFiles();

        TrainConfig f = cfg(StepMode.BARRIER).toBuilder().precision(org.dpspark.datasets.Precision.FLOAT32).build();
        TrainResult floats = DpTrainer.train(jsc, twoParts, rows, new BinaryLogisticRegression(D), f, f.plan(rows));
        assertEquals(rows * D * 4, floats.storage().featureBytesInMemory());
        double diff = 0;
        double norm = 0;
        for (int j = 0; j < undisturbed.params().length; j++) {
            diff += Math.pow(undisturbed.params()[j] - floats.params()[j], 2);
            norm += Math.pow(undisturbed.params()[j], 2);
        }
        assertTrue(Math.sqrt(diff) < 1e-4 * Math.sqrt(norm), "float32 moved the model by " + Math.sqrt(diff / norm));
    }

    private static void assertNoBlockFiles() {
        assertEquals(0, StoredBlocks.registeredBlocks(), "blocks left registered");
        assertEquals(List.of(), StoredBlocks.blockDirs(), "block files left");
    }

    @Test
    void barrier_taskDiesOnEveryAttempt_trainingFailsCleanly() {
        TrainConfig c = cfg(StepMode.BARRIER);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DpTrainer.train(jsc, twoParts, rows,
                new BinaryLogisticRegression(D), c, c.plan(rows),
                (j, blocks, work) -> BarrierStepRunner.start(j, blocks, work, (attempt, p, step) -> {
                    if (step == 3) {
                        throw new IllegalStateException("injected fault");
                    }
                })));
        assertTrue(e.getMessage().contains("barrier stage ended"), e.getMessage());
        // The session is still usable afterwards.
        assertEquals(rows, twoParts.map(DenseBlock::rows).fold(0, Integer::sum).longValue());
    }
}
