package org.dpspark.jobs.run;

import java.time.Instant;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.jobs.eval.EvalMetrics;
import org.dpspark.jobs.model.ModelSpec;
import org.dpspark.jobs.model.SavedModel;
import org.dpspark.jobs.provenance.ModelProvenance;
import org.dpspark.jobs.report.DataInfo;
import org.dpspark.accountant.plan.PrivacyPlan;
import org.dpspark.jobs.train.TrainConfig;
import org.dpspark.jobs.train.TrainResult;

/**
 * What a {@link TrainingRun} returns: the trained parameters with their typed provenance (what data, which
 * parameters, which code version, what epsilon at what delta, which ledger entry), and the run's statistics.
 *
 * @param started when the run started
 * @param modelSpec the architecture
 * @param params the trained parameters (dp-core's layout for the kind)
 * @param featureSpec the feature spec of file input (dp-train), or null for vector input (MLlib)
 * @param config the training configuration
 * @param plan the privacy plan the run executed, every step of it
 * @param result the training statistics (losses, timings)
 * @param evalData the evaluation input, or null
 * @param metrics the evaluation metrics (exact, not DP), or null
 * @param provenance the model's provenance, as saved with it
 */
public record TrainedModel(
        Instant started,
        ModelSpec modelSpec,
        double[] params,
        FeatureSpec featureSpec,
        TrainConfig config,
        PrivacyPlan plan,
        TrainResult result,
        DataInfo evalData,
        EvalMetrics metrics,
        ModelProvenance provenance) {

    /** The run's job id. */
    public String jobId() {
        return provenance.jobId();
    }

    /** Whether the run used the explicitly insecure, seeded test path: then no privacy holds. */
    public boolean insecureTestRun() {
        return provenance.claim().insecureTestRun();
    }

    /** dp-train's model file of this model (needs the feature spec of file input). */
    public SavedModel saved() {
        if (featureSpec == null) {
            throw new IllegalStateException("a model trained on vectors has no feature spec to save in model.json");
        }
        return new SavedModel(modelSpec, params, featureSpec, provenance);
    }
}
