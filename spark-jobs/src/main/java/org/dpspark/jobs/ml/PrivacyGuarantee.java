package org.dpspark.jobs.ml;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.Serializable;

/**
 * The guarantee and provenance of a fitted DP model, saved in its metadata and readable after load.
 *
 * @param epsilon the accountant's epsilon at {@code delta} for the whole fit (an upper bound)
 * @param delta the delta of the guarantee
 * @param accountant the accountant that gave epsilon
 * @param unit the unit of privacy ("row")
 * @param samplingRate Poisson rate q
 * @param noiseMultiplier sigma
 * @param clipNorm C
 * @param steps T
 * @param rows N, the number of training rows (public)
 * @param dataFingerprint an order-independent content fingerprint of the training rows
 * @param epochs epochs
 * @param batchSize expected batch size
 * @param learningRate learning rate
 * @param optimizer optimizer name
 * @param jobId the fit's job id
 * @param dpsparkVersion the code version that trained the model
 * @param insecureTestSeed true when a fixed test seed was used: then no privacy holds
 * @param ledgerDatasetId the dataset id whose ledger budget paid for the fit, or null when no ledger was set
 * @param ledgerCommitSeq the sequence number of the fit's commit entry in the ledger, or -1
 */
public record PrivacyGuarantee(
        double epsilon,
        double delta,
        String accountant,
        String unit,
        double samplingRate,
        double noiseMultiplier,
        double clipNorm,
        long steps,
        long rows,
        String dataFingerprint,
        double epochs,
        int batchSize,
        double learningRate,
        String optimizer,
        String jobId,
        String dpsparkVersion,
        boolean insecureTestSeed,
        String ledgerDatasetId,
        long ledgerCommitSeq) implements Serializable {

    private static final ObjectMapper JSON =
            new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    /** The guarantee and provenance of a run's result. */
    public static PrivacyGuarantee of(org.dpspark.jobs.run.TrainedModel t) {
        org.dpspark.jobs.train.PrivacyPlan plan = t.plan();
        org.dpspark.jobs.train.TrainConfig cfg = t.config();
        return new PrivacyGuarantee(plan.epsilon(), plan.delta(), plan.accountant(), "row", plan.samplingRate(),
                plan.noiseMultiplier(), cfg.clipNorm(), plan.steps(), t.data().rows(), t.data().fingerprint(),
                cfg.epochs(t.data().rows()), cfg.batchSize(), cfg.learningRate(), cfg.optimizer(), t.jobId(),
                org.dpspark.jobs.report.Reports.codeVersion(), t.insecureTestRun(),
                t.ledger().recorded() ? t.ledger().admission().datasetId() : null,
                t.ledger().recorded() ? t.ledger().commit().seq() : -1);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static PrivacyGuarantee fromJson(JsonNode node) {
        try {
            return JSON.treeToValue(node, PrivacyGuarantee.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable privacy guarantee in model metadata: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return String.format("(epsilon = %.4f, delta = %.3g)-DP per %s, %s accountant%s", epsilon, delta, unit,
                accountant, insecureTestSeed ? " [INSECURE TEST SEED: NO PRIVACY]" : "");
    }
}
