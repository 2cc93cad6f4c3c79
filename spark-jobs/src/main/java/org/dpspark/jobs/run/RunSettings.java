package org.dpspark.jobs.run;

import org.dpspark.jobs.train.TrainConfig;

/**
 * Everything a run needs before it sees data: known before Spark starts, so that {@link TrainingRun#preflight}
 * can check it before any budget is reserved.
 *
 * @param config the training configuration (validated when built)
 * @param ledger where the spend is recorded ({@link LedgerTarget#none} is explicit)
 * @param jobId the job id, charged once in the ledger
 * @param publication where dp-train publishes the model and report, or null (MLlib: the caller keeps the model)
 * @param partitions partitions of the training blocks, or null for Spark's default parallelism
 * @param entryPoint who runs it ("dp-train", "mllib:DpLogisticRegression:uid"), recorded in the ledger when
 *     nothing is published
 * @param inputLocations where the training rows are read from, normalized as the ledger registers locations
 *     (qualified paths, {@code table:db.name}); known before any data is read, so that a registered dataset is
 *     found (and a contradicting dataset id refused) before Spark starts
 * @param checkpointing checkpoints and resume ({@link Checkpointing#NONE}: none)
 */
public record RunSettings(TrainConfig config, LedgerTarget ledger, String jobId, Publication publication,
        Integer partitions, String entryPoint, java.util.List<String> inputLocations, Checkpointing checkpointing) {

    /** Settings without checkpoints. */
    public RunSettings(TrainConfig config, LedgerTarget ledger, String jobId, Publication publication,
            Integer partitions, String entryPoint, java.util.List<String> inputLocations) {
        this(config, ledger, jobId, publication, partitions, entryPoint, inputLocations, Checkpointing.NONE);
    }

    public RunSettings {
        checkpointing = checkpointing == null ? Checkpointing.NONE : checkpointing;
        if (config == null || ledger == null || jobId == null || jobId.isBlank() || entryPoint == null) {
            throw new IllegalArgumentException("run settings need a config, a ledger target, a job id and an entry point");
        }
        inputLocations = inputLocations == null ? java.util.List.of() : java.util.List.copyOf(inputLocations);
        if (partitions != null && partitions < 1) {
            throw org.dpspark.core.params.InvalidParameterException.of("numPartitions", "must be >= 1, got " + partitions);
        }
    }
}
