package org.dpspark.jobs.provenance;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/**
 * Where a model came from: which data, which trainer and parameters, which code version, what privacy claim, which
 * ledger entry. Saved with the model through {@link ProvenanceJson}: in dp-train's model file from its format 2
 * ({@code org.dpspark.jobs.model.SavedModel}) and in the MLlib models' metadata from dpspark format 2.
 * Never holds a seed, a record or a pre-noise value.
 *
 * @param jobId the training job's id (the one charged in the ledger)
 * @param dpsparkVersion the dpspark version that trained the model ("dev" from classes)
 * @param createdAt when the model was produced, or null when the model's format did not record it (format 1)
 * @param claim the privacy guarantee
 * @param data the training data
 * @param trainer the trainer and its parameters
 * @param ledger the ledger's receipt, or the explicit reason there is none
 */
public record ModelProvenance(String jobId, String dpsparkVersion, Instant createdAt, PrivacyClaim claim,
        DataProvenance data, TrainerProvenance trainer, LedgerReceipt ledger) implements Serializable {

    private static final long serialVersionUID = 1L;

    public ModelProvenance {
        Fields.requireText(jobId, "job_id");
        Fields.requireText(dpsparkVersion, "dpspark_version");
        Objects.requireNonNull(claim, "claim");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(trainer, "trainer");
        Objects.requireNonNull(ledger, "ledger");
    }
}
