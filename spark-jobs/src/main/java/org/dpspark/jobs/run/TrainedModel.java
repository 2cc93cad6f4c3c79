package org.dpspark.jobs.run;

import java.time.Instant;
import org.dpspark.accountant.ledger.Admission;
import org.dpspark.accountant.ledger.DatasetState;
import org.dpspark.accountant.ledger.LedgerEntry;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.jobs.eval.EvalMetrics;
import org.dpspark.jobs.model.ModelSpec;
import org.dpspark.jobs.report.DataInfo;
import org.dpspark.jobs.train.PrivacyPlan;
import org.dpspark.jobs.train.TrainConfig;
import org.dpspark.jobs.train.TrainResult;

/**
 * What a {@link TrainingRun} returns: the trained parameters with everything needed to state their provenance.
 *
 * @param jobId the run's job id
 * @param started when the run started
 * @param modelSpec the architecture
 * @param params the trained parameters (dp-core's layout for the kind)
 * @param config the training configuration
 * @param plan the privacy plan the run executed, every step of it
 * @param result the training statistics (losses, timings)
 * @param data the training input (N, fingerprint)
 * @param featureSpec the feature spec of file input (dp-train), or null for vector input (MLlib)
 * @param specName how the feature spec was named, or null
 * @param evalData the evaluation input, or null
 * @param metrics the evaluation metrics, or null
 * @param ledger the ledger receipt (reservation, commit and the dataset's state after it), or none with a reason
 */
public record TrainedModel(
        String jobId,
        Instant started,
        ModelSpec modelSpec,
        double[] params,
        TrainConfig config,
        PrivacyPlan plan,
        TrainResult result,
        DataInfo data,
        FeatureSpec featureSpec,
        String specName,
        DataInfo evalData,
        EvalMetrics metrics,
        Receipt ledger) {

    /** Whether the run used the explicitly insecure, seeded test path: then no privacy holds. */
    public boolean insecureTestRun() {
        return config.insecureTestSeed().isPresent();
    }

    /**
     * The ledger's record of the run.
     *
     * @param location the ledger, or null when nothing was recorded
     * @param admission the reservation, or null
     * @param commit the commit entry, or null
     * @param after the dataset's state after the commit, or null
     * @param noneReason why nothing was recorded, or null
     */
    public record Receipt(String location, Admission admission, LedgerEntry commit, DatasetState after,
            String noneReason) {
        static Receipt none(String reason) {
            return new Receipt(null, null, null, null, reason);
        }

        public boolean recorded() {
            return commit != null;
        }
    }
}
