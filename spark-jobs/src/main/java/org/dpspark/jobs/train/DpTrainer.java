package org.dpspark.jobs.train;

import org.dpspark.accountant.plan.PrivacyPlan;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.dpspark.core.clip.ClipBudget;
import org.dpspark.core.model.DpModel;
import org.dpspark.core.noise.Noise;
import org.dpspark.core.noise.NoiseAhead;
import org.dpspark.core.noise.SecureGaussianNoise;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.step.DriverUpdate;
import org.dpspark.datasets.DenseBlock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Distributed DP-SGD (Abadi et al. 2016, Algorithm 1) with Poisson sampling. Each step's executor work runs through a
 * {@link StepRunner}: one barrier stage for the whole run ({@link BarrierStepRunner}, the default) or one Spark job
 * per step ({@link JobPerStepRunner}); see {@link StepMode}.
 *
 * <p>Per step t: every partition draws its Poisson sample from a CSPRNG stream derived from (secret job key, t,
 * partition id), so a retried task draws the same sample, and sums the clipped per-example contributions
 * ({@link org.dpspark.core.step.ClippedSumKernel}). Only that sum leaves the executor (not the count, which is private). The driver
 * adds the partition sums and hands them to {@link DriverUpdate}, which adds the Gaussian noise once, divides by
 * the expected batch size qN and updates the model. The accountant's guarantee for the whole run is fixed in
 * the {@link PrivacyPlan} before the first step.
 *
 * <p>Nothing private is logged: progress lines carry the step, epsilon so far and the DP estimate of the loss.
 */
public final class DpTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(DpTrainer.class);

    private DpTrainer() {}

    /**
     * Trains {@code model} on {@code blocks}. The blocks are kept as {@code cfg} says for the run
     * ({@link TrainConfig#precision()}, {@link TrainConfig#blockStorage()}; {@link StoredBlocks}) and released
     * after it (blocks the caller persisted at float64 in memory are used as they are, and left persisted).
     *
     * @param rows N, the public number of privacy units (rows, or users at the user level), as counted before
     *     packing; checked against the blocks
     */
    public static TrainResult train(
            JavaSparkContext jsc, JavaRDD<DenseBlock> blocks, long rows, DpModel model, TrainConfig cfg, PrivacyPlan plan) {
        return train(jsc, blocks, rows, model, cfg, plan, () -> { });
    }

    /**
     * As {@link #train(JavaSparkContext, JavaRDD, long, DpModel, TrainConfig, PrivacyPlan)}, calling
     * {@code beforeFirstStep} once, just before the first step: from then on the run may have released something
     * (a progress line, an estimate of the loss), which the privacy ledger must keep charged if the run fails.
     */
    public static TrainResult train(JavaSparkContext jsc, JavaRDD<DenseBlock> blocks, long rows, DpModel model,
            TrainConfig cfg, PrivacyPlan plan, Runnable beforeFirstStep) {
        return train(jsc, blocks, rows, model, cfg, plan, beforeFirstStep, AuditCanaries.NONE);
    }

    /**
     * As {@link #train(JavaSparkContext, JavaRDD, long, DpModel, TrainConfig, PrivacyPlan, Runnable)}, with a one-run
     * audit's canaries: white-box Dirac canaries join the partitions' clipped sums (the model is then the padded one),
     * and the blocks hold {@code audit.extraUnits()} black-box canary rows beyond the {@code rows} real units.
     */
    public static TrainResult train(JavaSparkContext jsc, JavaRDD<DenseBlock> blocks, long rows, DpModel model,
            TrainConfig cfg, PrivacyPlan plan, Runnable beforeFirstStep, AuditCanaries audit) {
        return train(jsc, blocks, rows, model, cfg, plan, beforeFirstStep, audit, TrainingProgress.LINES,
                Checkpointer.NONE);
    }

    /**
     * As {@link #train(JavaSparkContext, JavaRDD, long, DpModel, TrainConfig, PrivacyPlan, Runnable, AuditCanaries)},
     * writing checkpoints, continuing from one, and stopping at a step boundary on request as {@code checkpoints}
     * says ({@link TrainingStopped} after the stop's checkpoint).
     */
    public static TrainResult train(JavaSparkContext jsc, JavaRDD<DenseBlock> blocks, long rows, DpModel model,
            TrainConfig cfg, PrivacyPlan plan, Runnable beforeFirstStep, AuditCanaries audit, Checkpointer checkpoints) {
        return train(jsc, blocks, rows, model, cfg, plan, beforeFirstStep, audit, TrainingProgress.LINES, checkpoints);
    }

    /**
     * As {@link #train(JavaSparkContext, JavaRDD, long, DpModel, TrainConfig, PrivacyPlan, Runnable, AuditCanaries)},
     * telling {@code progress} of each step and epoch ({@link TrainingProgress#LINES}: one log line per epoch).
     */
    public static TrainResult train(JavaSparkContext jsc, JavaRDD<DenseBlock> blocks, long rows, DpModel model,
            TrainConfig cfg, PrivacyPlan plan, Runnable beforeFirstStep, AuditCanaries audit,
            TrainingProgress progress) {
        return train(jsc, blocks, rows, model, cfg, plan, beforeFirstStep, audit, progress, Checkpointer.NONE);
    }

    /**
     * As {@link #train(JavaSparkContext, JavaRDD, long, DpModel, TrainConfig, PrivacyPlan, Runnable, AuditCanaries)},
     * telling {@code progress} of each step and epoch, and writing checkpoints, continuing from one and stopping at a
     * step boundary on request as {@code checkpoints} says.
     */
    public static TrainResult train(JavaSparkContext jsc, JavaRDD<DenseBlock> blocks, long rows, DpModel model,
            TrainConfig cfg, PrivacyPlan plan, Runnable beforeFirstStep, AuditCanaries audit,
            TrainingProgress progress, Checkpointer checkpoints) {
        return train(jsc, blocks, rows, model, cfg, plan, beforeFirstStep,
                runnerFor(cfg.stepMode().resolve(jsc.getConf())), audit, progress, checkpoints);
    }

    /**
     * The audit's planted bug (its reason to exist is to catch such bugs): partition 0 skips clipping. Package-private
     * and static, for the audit's own test in this package; no flag, Param or configuration reaches it.
     */
    static volatile boolean plantedSkipClipForTests;

    /** Opens the {@link StepRunner} of a run (a seam for tests, which inject faults). */
    interface RunnerFactory {
        StepRunner open(JavaSparkContext jsc, JavaRDD<DenseBlock> blocks, PartitionStep work);
    }

    static RunnerFactory runnerFor(StepMode mode) {
        return switch (mode) {
            case JOB -> (jsc, blocks, work) -> new JobPerStepRunner(blocks, work); // refuses secure aggregation
            case BARRIER, AUTO -> BarrierStepRunner::start;
        };
    }

    static TrainResult train(JavaSparkContext jsc, JavaRDD<DenseBlock> blocks, long rows, DpModel model,
            TrainConfig cfg, PrivacyPlan plan, RunnerFactory runners) {
        return train(jsc, blocks, rows, model, cfg, plan, () -> { }, runners);
    }

    static TrainResult train(JavaSparkContext jsc, JavaRDD<DenseBlock> blocks, long rows, DpModel model,
            TrainConfig cfg, PrivacyPlan plan, Runnable beforeFirstStep, RunnerFactory runners) {
        return train(jsc, blocks, rows, model, cfg, plan, beforeFirstStep, runners, AuditCanaries.NONE);
    }

    static TrainResult train(JavaSparkContext jsc, JavaRDD<DenseBlock> blocks, long rows, DpModel model,
            TrainConfig cfg, PrivacyPlan plan, Runnable beforeFirstStep, RunnerFactory runners, AuditCanaries audit) {
        return train(jsc, blocks, rows, model, cfg, plan, beforeFirstStep, runners, audit, TrainingProgress.LINES,
                Checkpointer.NONE);
    }

    static TrainResult train(JavaSparkContext jsc, JavaRDD<DenseBlock> blocks, long rows, DpModel model,
            TrainConfig cfg, PrivacyPlan plan, Runnable beforeFirstStep, RunnerFactory runners, AuditCanaries audit,
            TrainingProgress progress, Checkpointer checkpoints) {
        // Epsilon so far at each epoch's end, for the progress lines: one evaluation of each accountant per epoch
        // (tens of ms each with PLD). Computed on another thread while the blocks are packed and the step runner
        // starts, never between steps: it neither stalls the tasks nor counts as training time, nor delays the
        // first step. Public values only (the plan's).
        int epochs = (int) Math.ceil(cfg.epochs(rows));
        long steps = plan.steps();
        CompletableFuture<double[]> epsilonAtEpoch = CompletableFuture.supplyAsync(() -> {
            double[] eps = new double[epochs + 1];
            for (int e = 1; e <= epochs; e++) {
                eps[e] = plan.epsilonAfter(epochEnd(e, epochs, steps, rows, cfg.batchSize()));
            }
            return eps;
        });
        // The blocks as the run keeps them: in memory (float64 or float32), or on the executors' local disks.
        StoredBlocks stored = StoredBlocks.store(jsc, blocks, cfg.precision(), cfg.blockStorage());
        try {
            // Materialize the cache before anything is timed as training: the steps then read cached blocks only.
            JobLabel.describe(jsc, "pack blocks");
            long loadStart = System.nanoTime();
            long[] packed = stored.blocks().map(b -> new long[] {b.users(), b.rows(), b.featureBytes(),
                b.featureBytesInMemory()}).fold(new long[4], DpTrainer::addInto);
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            if (packed[0] != rows + audit.extraUnits()) {
                throw new IllegalStateException("packed " + packed[0] + " privacy units but validation counted " + rows
                        + (audit.extraUnits() > 0 ? " (and the audit added its canary rows)" : ""));
            }
            Checkpoint resume = checkpoints.resumeFrom();
            long stepsRun = plan.steps() - (resume == null ? 0 : resume.step());
            TrainResult result = loop(jsc, stored.blocks(), rows, model, cfg, plan, beforeFirstStep, runners,
                    loadSeconds, audit, epsilonAtEpoch, progress, checkpoints, stored.counters());
            StoredBlocks.Counters c = stored.counters();
            TrainResult.Storage storage = new TrainResult.Storage(cfg.precision().jsonName(),
                    cfg.blockStorage().jsonName(), packed[2], packed[3], packed[1] * Double.BYTES, stepsRun,
                    c.sampledBytes(), c.bytesRead(), c.reads());
            LOG.info("block storage: {} ({}), {} MiB of features ({} MiB in memory); per step {} KiB of sampled rows, "
                    + "{} KiB read{}", storage.blockStorage(), storage.precision(), mib(storage.featureBytes()),
                    mib(storage.featureBytesInMemory()), kib(storage.sampledBytesPerStep()),
                    kib(storage.bytesReadPerStep()), storage.fileReads() == 0 ? ""
                            : String.format(java.util.Locale.ROOT, " in %.1f positional reads",
                                    storage.fileReads() / (double) Math.max(1, stepsRun)));
            return new TrainResult(result.params(), result.plan(), result.lossPerEpoch(), result.lossStdPerEpoch(),
                    result.trainingSeconds(), result.rows(), result.stepMode(), result.loadSeconds(),
                    result.startupSeconds(), result.secondsPerEpoch(), storage);
        } finally {
            stored.close(); // unpersists, and deletes a disk run's block files (its cleanup job is described)
            jsc.setJobDescription(null);
        }
    }

    private static long[] addInto(long[] a, long[] b) {
        for (int i = 0; i < a.length; i++) {
            a[i] += b[i];
        }
        return a;
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f", bytes / 1048576.0);
    }

    private static String kib(double bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f", bytes / 1024.0);
    }

    private static TrainResult loop(JavaSparkContext jsc, JavaRDD<DenseBlock> blocks, long rows, DpModel model,
            TrainConfig cfg, PrivacyPlan plan, Runnable beforeFirstStep, RunnerFactory runners, double loadSeconds,
            AuditCanaries audit, CompletableFuture<double[]> epsilonAtEpochs, TrainingProgress progress,
            Checkpointer checkpoints, StoredBlocks.Counters counters) {
        Checkpoint resume = checkpoints.resumeFrom();
        double q = plan.samplingRate();
        long steps = plan.steps();
        ClipBudget clip = cfg.dpLossTracking()
                ? ClipBudget.withDefaultLossTracking(cfg.clipNorm())
                : new ClipBudget(cfg.clipNorm(), 0.0, 1.0);
        // A resumed run draws a fresh sampling secret and fresh noise under secure randomness (each remaining step is
        // still Poisson with rate q and independently noised); under a test seed it continues the same streams.
        byte[] jobKey;
        SecureGaussianNoise noise;
        if (cfg.insecureTestSeed().isPresent()) {
            long seed = cfg.insecureTestSeed().getAsLong();
            LOG.warn("INSECURE: a fixed test seed makes noise and sampling predictable; this model has no privacy");
            jobKey = InsecureTestRandomness.seededSecretKey(seed);
            noise = SecureGaussianNoise.insecureSeededForTests(seed, resume == null ? 0 : resume.noiseDraws());
        } else {
            jobKey = CsprngStream.newSecretKey();
            noise = SecureGaussianNoise.create();
        }
        org.dpspark.core.optim.Optimizer optimizer = Optimizers.create(cfg, steps);
        if (resume != null) {
            optimizer.restore(resume.optimizer());
        }
        SecureSetup secure = null;
        double noiseScale = 1.0; // the total noise's std over sigma * C
        if (cfg.secureAggregation().distributed()) {
            org.dpspark.core.secagg.DdgParams ddg = plan.distributed().orElseThrow(() -> new IllegalStateException(
                    "a " + cfg.secureAggregation().jsonName() + " run needs the distributed discrete Gaussian's plan"));
            secure = SecureSetup.create(cfg.secureAggregation(), ddg, cfg.secaggPartySecretFile().orElse(null),
                    cfg.insecureTestSeed().isPresent() ? jobKey : null);
            noiseScale = Math.sqrt((double) ddg.parties() / ddg.honestParties());
        }

        // Initialization is data-independent (its randomness has no privacy role); seeded only on the test path.
        double[] params = resume != null ? resume.params().clone() : model.initialParams(cfg.insecureTestSeed().isPresent()
                ? InsecureTestRandomness.seededSource(cfg.insecureTestSeed().getAsLong() ^ 0x5DEECE66DL)
                : CsprngStream.fromSecureRandom());
        if (params.length != model.numParams()) {
            throw new IllegalStateException("the checkpoint has " + params.length + " parameters, the model "
                    + model.numParams());
        }
        List<Double> lossPerEpoch = new ArrayList<>(resume == null ? List.of() : resume.lossPerEpoch());
        List<Double> lossStdPerEpoch = new ArrayList<>(resume == null ? List.of() : resume.lossStdPerEpoch());
        double stepLossStd = clip.lossEstimateStd(plan.noiseMultiplier() * noiseScale, q * rows);
        int epochs = (int) Math.ceil(cfg.epochs(rows));
        double epsilonBefore = plan.nonPrivate() ? Double.POSITIVE_INFINITY : plan.normalizationEpsilon();
        double[] epsilonAtEpoch = null;
        String mode;
        List<Double> secondsPerEpoch = new ArrayList<>(resume == null ? List.of() : resume.secondsPerEpoch());
        double startupSeconds;
        long start;
        long step = resume == null ? 0 : resume.step();
        long openStart = System.nanoTime();
        PartitionStep work = new PartitionStep(model, jobKey, q, clip, cfg.localTraining()).withCounters(counters);
        if (secure != null) {
            work = work.withSecure(secure);
        }
        if (audit.idsByPartition() != null) {
            work = work.withCanaries(audit);
        }
        if (plantedSkipClipForTests) {
            LOG.warn("PLANTED BUG (test only): partition 0 skips clipping");
            work = work.withPlantedSkipClip();
        }
        // The barrier runner's one job runs every step: described by the whole range (a resumed run's from its first).
        long firstStep = resume == null ? 1 : resume.step() + 1;
        JobLabel.describe(jsc, "epochs " + (resume == null ? 1 : resume.epochsDone() + 1) + "-" + epochs
                + ", steps " + firstStep + "-" + steps);
        // The driver's noise is drawn one step ahead, while the tasks compute (the same stream, bit for bit); not
        // when the parties noise the sum themselves or nothing is noised.
        NoiseAhead ahead = !cfg.secureAggregation().distributed() && plan.noiseMultiplier() > 0
                ? new NoiseAhead(noise, model.numParams() + 1) : null;
        java.util.function.LongSupplier noiseDraws = ahead != null ? ahead::draws : noise::draws;
        DriverUpdate update = new DriverUpdate(model, clip, plan.noiseMultiplier(), q * rows,
                ahead != null ? ahead : noise, optimizer);
        try (NoiseAhead noiseAhead = ahead; StepRunner runner = runners.open(jsc, blocks, work);
                Checkpointer.Stepping s = Checkpointer.stepping()) {
            mode = runner.mode();
            if (secure != null && !runner.noised()) {
                throw new IllegalStateException("the " + mode + " step runner cannot aggregate securely");
            }
            // Start-up (barrier stage launched, every task connected) is timed apart from the steps.
            runner.awaitReady();
            beforeFirstStep.run();
            start = System.nanoTime();
            startupSeconds = (start - openStart) / 1e9;
            long epochStart = start;
            long lastCheckpoint = start;
            int firstEpoch = resume == null ? 1 : resume.epochsDone() + 1;
            for (int epoch = firstEpoch; epoch <= epochs; epoch++) {
                long epochEnd = epochEnd(epoch, epochs, steps, rows, cfg.batchSize());
                boolean resumedEpoch = resume != null && epoch == firstEpoch;
                double lossSum = resumedEpoch ? resume.epochLossSum() : 0;
                long epochSteps = resumedEpoch ? resume.epochSteps() : 0;
                double epsilonSoFar = epoch == 1 ? epsilonBefore
                        : epsilonAtEpoch != null ? epsilonAtEpoch[epoch - 1] : Double.NaN;
                for (; step < epochEnd; step++) {
                    JobLabel.describe(jsc, JobLabel.step(epoch, epochs, step + 1, steps)); // a job per step's
                    double[] sum = runner.sum(step, params);
                    lossSum += runner.noised() ? update.applyNoised(params, sum) : update.apply(params, sum);
                    epochSteps++;
                    String stop = checkpoints.stopAfter(step + 1);
                    long t = System.nanoTime();
                    if (stop != null || (step + 1 < epochEnd && checkpoints.due(step + 1, t - lastCheckpoint))) {
                        if (checkpoints.writes()) {
                            checkpoints.save(new Checkpoint(checkpoints.identity(), step + 1, epoch - 1, params,
                                    optimizer.state(), noiseDraws.getAsLong(), lossPerEpoch, lossStdPerEpoch,
                                    secondsPerEpoch, lossSum, epochSteps));
                            lastCheckpoint = t;
                        }
                        if (stop != null) {
                            throw new TrainingStopped(stop, step + 1, steps, checkpoints.dir());
                        }
                    }
                    if (epsilonAtEpoch == null && epoch > 1 && epsilonAtEpochs.isDone()) {
                        epsilonAtEpoch = epsilonAtEpochs.join(); // a resumed run's: ready, no wait
                        epsilonSoFar = epsilonAtEpoch[epoch - 1];
                    }
                    if (step + 1 < epochEnd) { // the epoch's last step is drawn by progress.epoch, after its checkpoint
                        progress.step(epoch, epochs, step + 1, steps, epsilonSoFar, (System.nanoTime() - start) / 1e9);
                    }
                }
                long now = System.nanoTime();
                secondsPerEpoch.add((now - epochStart) / 1e9);
                if (epsilonAtEpoch == null) {
                    epsilonAtEpoch = epsilonAtEpochs.join(); // a wait here is not training time
                }
                epochStart = System.nanoTime();
                double loss = epochSteps == 0 ? Double.NaN : lossSum / epochSteps;
                double lossStd = epochSteps == 0 ? Double.NaN : stepLossStd / Math.sqrt(epochSteps);
                lossPerEpoch.add(loss);
                lossStdPerEpoch.add(lossStd);
                if (checkpoints.writes()) {
                    // before the epoch's progress line: a resume never re-runs a step whose output was released
                    checkpoints.save(new Checkpoint(checkpoints.identity(), step, epoch, params, optimizer.state(),
                            noiseDraws.getAsLong(), lossPerEpoch, lossStdPerEpoch, secondsPerEpoch, 0, 0));
                    lastCheckpoint = System.nanoTime();
                }
                progress.epoch(epoch, epochs, step, steps, epsilonAtEpoch[epoch], (now - start) / 1e9, plan.nonPrivate()
                        ? String.format("epoch %d/%d: steps %d/%d, NO DIFFERENTIAL PRIVACY (--no-dp), loss %.4f, %.1f s",
                                epoch, epochs, step, steps, loss, (now - start) / 1e9)
                        : clip.tracksLoss()
                        ? String.format("epoch %d/%d: steps %d/%d, epsilon so far %.4f (delta %.3g), DP loss estimate "
                                + "%.4f (+- %.4f), %.1f s", epoch, epochs, step, steps, epsilonAtEpoch[epoch],
                                plan.delta(), loss, lossStd, (now - start) / 1e9)
                        : String.format("epoch %d/%d: steps %d/%d, epsilon so far %.4f (delta %.3g), %.1f s", epoch,
                                epochs, step, steps, epsilonAtEpoch[epoch], plan.delta(), (now - start) / 1e9));
            }
        } finally {
            progress.done();
        }
        double seconds = secondsPerEpoch.stream().mapToDouble(Double::doubleValue).sum();
        // With --ema-decay the released model is the average of the iterates (post-processing of released values).
        double[] released = optimizer instanceof org.dpspark.core.optim.Averaged a && a.hasAverage() ? a.average()
                : params;
        return new TrainResult(released, plan, List.copyOf(lossPerEpoch), List.copyOf(lossStdPerEpoch), seconds, rows, mode,
                loadSeconds, startupSeconds, List.copyOf(secondsPerEpoch));
    }

    /** The step count at the end of epoch {@code epoch} (1-based): floor(epoch * N / B), the last epoch ends at T. */
    static long epochEnd(int epoch, int epochs, long steps, long rows, int batchSize) {
        return epoch == epochs ? steps : Math.min(steps, (long) Math.floor(epoch * (double) rows / batchSize));
    }

    /**
     * Runs one step's Spark job and adds the partitions' sums in partition order, so that the result does not
     * depend on which task finished first (floating-point addition is not associative): a run with a fixed test
     * seed is bit-for-bit reproducible, on local mode and on a cluster alike.
     */
    static double[] stepSum(JavaRDD<DenseBlock> blocks, StepSum f) {
        return JobPerStepRunner.inPartitionOrder(blocks.mapPartitionsWithIndex(f, false).collect());
    }

    /**
     * The executor side of one step: the partition's Poisson sample and its sum of clipped contributions.
     * Serialized into the step's tasks; it carries the secret job key, so task payloads must be protected on a
     * cluster (spark.authenticate and spark.network.crypto.enabled; see the README).
     */
    static final class StepSum implements Function2<Integer, Iterator<DenseBlock>, Iterator<double[]>> {
        private static final long serialVersionUID = 1L;
        private final DpModel model;
        private final double[] params;
        private final byte[] jobKey;
        private final long step;
        private final double samplingRate;
        private final ClipBudget clip;

        StepSum(DpModel model, double[] params, byte[] jobKey, long step, double samplingRate, ClipBudget clip) {
            this.model = model;
            this.params = params;
            this.jobKey = jobKey;
            this.step = step;
            this.samplingRate = samplingRate;
            this.clip = clip;
        }

        @Override
        public Iterator<double[]> call(Integer partition, Iterator<DenseBlock> it) {
            // One stream per (step, partition, block): a retried task redraws exactly the same sample.
            PartitionStep work = new PartitionStep(model, jobKey, samplingRate, clip);
            return Collections.singletonList(work.sum(step, params, partition, it)).iterator();
        }
    }
}
