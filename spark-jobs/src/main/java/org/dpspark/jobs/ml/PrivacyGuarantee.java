package org.dpspark.jobs.ml;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.Serializable;
import java.time.Instant;
import org.dpspark.jobs.provenance.DataProvenance;
import org.dpspark.jobs.provenance.LedgerReceipt;
import org.dpspark.jobs.provenance.ModelProvenance;
import org.dpspark.jobs.provenance.PrivacyClaim;
import org.dpspark.jobs.provenance.ProvenanceJson;
import org.dpspark.jobs.provenance.TrainerProvenance;

/**
 * The guarantee and provenance of a fitted DP model as one flat record: the view of {@link ModelProvenance} that
 * MLlib models offered before the typed provenance ({@link DpPredictionModel#provenance()}), kept for callers of
 * {@link DpPredictionModel#privacyGuarantee()} and for reading models saved with dpspark format 1, whose metadata
 * holds this record's JSON. {@link #toProvenance} and {@link #of} convert both ways without loss for what this
 * record holds.
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

    /** What the MLlib fit records as its data: a DataFrame whose features column is already a vector. */
    static final String DATAFRAME_INPUT = "DataFrame";

    /**
     * The typed provenance holding this record's values. What this record does not hold is stated, never invented:
     * the data's format is "dataframe", no feature spec, no RDP/PLD split, calibration unknown (null), learning-rate
     * schedule "constant" (the only one the estimators use) and step mode {@link ProvenanceJson#UNKNOWN}; the ledger
     * receipt holds the dataset id and commit sequence when a ledger was set, and otherwise says there was none.
     *
     * @param dimension the number of features d
     * @param createdAt when the model was produced, or null when unknown
     */
    public ModelProvenance toProvenance(int dimension, Instant createdAt) {
        PrivacyClaim claim = new PrivacyClaim(epsilon, delta, accountant, null, null, unit, "add/remove one " + unit,
                "poisson", samplingRate, noiseMultiplier, clipNorm, steps, null, null, insecureTestSeed);
        DataProvenance data = new DataProvenance(DATAFRAME_INPUT, "dataframe", dataFingerprint, rows, null, dimension);
        TrainerProvenance trainer = new TrainerProvenance(TrainerProvenance.DP_SGD, optimizer, null, "constant",
                epochs, batchSize, learningRate, ProvenanceJson.UNKNOWN, null);
        LedgerReceipt receipt = ledgerDatasetId == null
                ? LedgerReceipt.none(insecureTestSeed ? "insecure test run, no ledger set"
                        : "no ledger set for the fit")
                : LedgerReceipt.recorded(null, ledgerDatasetId, null, null, ledgerCommitSeq, null, null, null, null,
                        null, null);
        return new ModelProvenance(jobId, dpsparkVersion, createdAt, claim, data, trainer, receipt);
    }

    /** The flat view of a typed provenance (ledger dataset id null and commit sequence -1 when not recorded). */
    public static PrivacyGuarantee of(ModelProvenance p) {
        PrivacyClaim c = p.claim();
        TrainerProvenance t = p.trainer();
        LedgerReceipt r = p.ledger();
        return new PrivacyGuarantee(c.epsilon(), c.delta(), c.accountant(), c.unit(), c.samplingRate(),
                c.noiseMultiplier(), c.clipNorm(), c.steps(), p.data().rows(), p.data().fingerprint(), t.epochs(),
                t.batchSize(), t.learningRate(), t.optimizer(), p.jobId(), p.dpsparkVersion(), c.insecureTestRun(),
                r.isRecorded() ? r.datasetId() : null, r.isRecorded() ? r.commitSeq() : -1);
    }

    @Override
    public String toString() {
        return String.format("(epsilon = %.4f, delta = %.3g)-DP per %s, %s accountant%s", epsilon, delta, unit,
                accountant, insecureTestSeed ? " [INSECURE TEST SEED: NO PRIVACY]" : "");
    }
}
