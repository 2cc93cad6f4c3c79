package org.dpspark.jobs.train;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Objects;
import org.dpspark.core.audit.WhiteBoxCanaries;
import org.dpspark.core.clip.ClipBudget;
import org.dpspark.core.model.DpModel;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.core.sampling.PoissonSampler;
import org.dpspark.core.step.ClippedSumKernel;
import org.dpspark.core.user.FedAvgClient;
import org.dpspark.core.user.LocalTraining;
import org.dpspark.core.user.UserClippedSumKernel;
import org.dpspark.datasets.DenseBlock;
import org.dpspark.datasets.ReadCounter;

/**
 * The executor side of one step on one partition, shared by every {@link StepRunner}: the partition's Poisson
 * sample and its sum of clipped contributions ({@link ClippedSumKernel}). The sample of block b of partition p at
 * step t comes from the CSPRNG stream derived from (secret job key, t, p, b), so it is the same in every mode and
 * on every retry. Serialized into tasks: it carries the secret job key (see the README on protecting task
 * payloads); {@link #toString()} never shows it.
 */
final class PartitionStep implements Serializable {
    private static final long serialVersionUID = 1L;
    private final DpModel model;
    private final byte[] jobKey;
    private final double samplingRate;
    private final ClipBudget clip;
    private final LocalTraining local;
    private final SecureSetup secure;
    /** The audit's white-box canaries: included canaries' ids per partition, or null (no audit). */
    private final AuditCanaries canaries;
    /** The white-box canaries of each partition (null where it has none), built once from {@link #canaries}. */
    private final WhiteBoxCanaries[] canariesByPartition;
    /** A planted bug for the audit's own test (never set outside tests): partition 0 skips clipping. */
    private final boolean skipClipOnPartition0;
    /** What the steps read from the blocks (byte counts), or null (not counted). */
    private final StoredBlocks.Counters counters;

    PartitionStep(DpModel model, byte[] jobKey, double samplingRate, ClipBudget clip) {
        this(model, jobKey, samplingRate, clip, null);
    }

    /**
     * @param local DP-FedAvg's local training on each sampled user, or null for DP-SGD (per row, or per user when the
     *     blocks are grouped by user)
     */
    PartitionStep(DpModel model, byte[] jobKey, double samplingRate, ClipBudget clip, LocalTraining local) {
        this(model, jobKey, samplingRate, clip, local, null);
    }

    private PartitionStep(DpModel model, byte[] jobKey, double samplingRate, ClipBudget clip, LocalTraining local,
            SecureSetup secure) {
        this(model, jobKey, samplingRate, clip, local, secure, null, false, null);
    }

    private PartitionStep(DpModel model, byte[] jobKey, double samplingRate, ClipBudget clip, LocalTraining local,
            SecureSetup secure, AuditCanaries canaries, boolean skipClipOnPartition0, StoredBlocks.Counters counters) {
        this.counters = counters;
        this.canaries = canaries;
        this.canariesByPartition = canaries == null ? null : byPartition(canaries);
        this.skipClipOnPartition0 = skipClipOnPartition0;
        this.secure = secure;
        this.model = Objects.requireNonNull(model, "model");
        this.jobKey = Objects.requireNonNull(jobKey, "jobKey").clone();
        this.samplingRate = samplingRate;
        this.clip = Objects.requireNonNull(clip, "clip");
        this.local = local;
    }

    /** The same work with another sampling key (a secure-aggregation party's own secret). */
    PartitionStep withKey(byte[] key) {
        return new PartitionStep(model, key, samplingRate, clip, local, secure, canaries, skipClipOnPartition0,
                counters);
    }

    /** The same work with an audit's white-box canaries added to each partition's sum. */
    PartitionStep withCanaries(AuditCanaries c) {
        return new PartitionStep(model, jobKey, samplingRate, clip, local, secure, c, skipClipOnPartition0, counters);
    }

    /** The same work with the planted bug of the audit's test: partition 0 skips clipping. Tests only. */
    PartitionStep withPlantedSkipClip() {
        return new PartitionStep(model, jobKey, samplingRate, clip, local, secure, canaries, true, counters);
    }

    /** The same work under secure aggregation (masking or paillier): the parties then sample with their own keys. */
    PartitionStep withSecure(SecureSetup setup) {
        return new PartitionStep(model, jobKey, samplingRate, clip, local, setup, canaries, skipClipOnPartition0,
                counters);
    }

    /** The same work counting what each step reads from the blocks into {@code c}. */
    PartitionStep withCounters(StoredBlocks.Counters c) {
        return new PartitionStep(model, jobKey, samplingRate, clip, local, secure, canaries, skipClipOnPartition0, c);
    }

    /** The run's secure aggregation, or null for the central mode. */
    SecureSetup secure() {
        return secure;
    }

    DpModel model() {
        return model;
    }

    /** numParams + 1: the clipped gradient sum, then the loss coordinate. */
    int sumLength() {
        return model.numParams() + 1;
    }

    /** The clipped sum of {@code partition}'s sample at {@code step}, over its blocks in order. */
    double[] sum(long step, double[] params, int partition, Iterator<DenseBlock> blocks) {
        return sum(step, params, partition, blocks, new double[sumLength()]);
    }

    /**
     * As {@link #sum(long, double[], int, Iterator)}, into {@code sum} (length {@link #sumLength()}, overwritten):
     * a task that runs many steps reuses one array.
     */
    double[] sum(long step, double[] params, int partition, Iterator<DenseBlock> blocks, double[] sum) {
        if (sum.length != sumLength()) {
            throw new IllegalArgumentException("sum must have length " + sumLength() + ", got " + sum.length);
        }
        Arrays.fill(sum, 0.0);
        PoissonSampler sampler = new PoissonSampler(samplingRate);
        ClipBudget clip = skipClipOnPartition0 && partition == 0 ? UNCLIPPED : this.clip;
        long blockIndex = 0;
        ReadCounter reads = counters == null ? null : new ReadCounter();
        while (blocks.hasNext()) {
            DenseBlock b = blocks.next();
            CsprngStream rng = CsprngStream.derive(jobKey, step, partition, blockIndex++);
            if (!b.isUserLevel()) {
                if (local != null) {
                    throw new IllegalStateException("fedavg needs blocks grouped by user");
                }
                // The block's rows as doubles whatever its storage (float64 or float32, memory or disk): the
                // kernel gathers the sampled rows only.
                ClippedSumKernel.accumulate(model, params, b.rowSource(reads), b.labels(), sampler, rng, clip, sum);
            } else if (b.users() == 0) {
                continue;
            } else if (local == null) {
                // User-level DP-SGD: Poisson-sampled users, each one's mean gradient clipped to C.
                UserClippedSumKernel.accumulate(model, params, b.features(), b.labels(), b.userStarts(), b.users(),
                        sampler, rng, clip, sum);
            } else {
                // DP-FedAvg: each sampled user's local update, clipped to C.
                FedAvgClient.accumulate(model, params, b.features(), b.labels(), b.userStarts(), b.users(), sampler,
                        rng, clip, local, sum);
            }
        }
        if (canariesByPartition != null && partition < canariesByPartition.length
                && canariesByPartition[partition] != null) {
            // Their own stream (block index -1, never a data block's), so the data's samples are those of a plain run.
            canariesByPartition[partition].accumulate(sampler, CsprngStream.derive(jobKey, step, partition, -1L), clip.gradientClip(), sum);
        }
        if (reads != null) {
            counters.add(reads);
        }
        return sum;
    }

    private static WhiteBoxCanaries[] byPartition(AuditCanaries c) {
        if (c.idsByPartition() == null) {
            return null;
        }
        WhiteBoxCanaries[] out = new WhiteBoxCanaries[c.idsByPartition().length];
        for (int p = 0; p < out.length; p++) {
            int[] ids = c.idsByPartition()[p];
            out[p] = ids.length == 0 ? null : new WhiteBoxCanaries(c.firstCoordinate(), ids, c.rawNorm());
        }
        return out;
    }

    /** The planted bug's clip: none at all (for the audit's test that a broken clip is caught). */
    private static final ClipBudget UNCLIPPED = new ClipBudget(1e150, 0.0, 1.0);

    @Override
    public String toString() {
        return "PartitionStep[model=" + model.getClass().getSimpleName() + ", q=" + samplingRate + ", clip=" + clip + "]";
    }
}
