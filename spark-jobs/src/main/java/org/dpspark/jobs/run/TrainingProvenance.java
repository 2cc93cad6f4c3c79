package org.dpspark.jobs.run;

import java.time.Instant;
import org.dpspark.accountant.ledger.Admission;
import org.dpspark.accountant.ledger.DatasetState;
import org.dpspark.accountant.ledger.LedgerEntry;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.dpspark.jobs.provenance.DataProvenance;
import org.dpspark.jobs.provenance.LedgerReceipt;
import org.dpspark.jobs.provenance.ModelProvenance;
import org.dpspark.jobs.provenance.PrivacyClaim;
import org.dpspark.jobs.provenance.TrainerProvenance;
import org.dpspark.jobs.report.DataInfo;
import org.dpspark.accountant.plan.PrivacyPlan;
import org.dpspark.jobs.train.TrainConfig;
import org.dpspark.jobs.train.TrainResult;

/**
 * The typed provenance of a run, built from the run's own objects once, by the run: the model file
 * ({@link org.dpspark.jobs.model.SavedModel}), the report and the MLlib models all carry this one value.
 */
public final class TrainingProvenance {
    private TrainingProvenance() {}

    /**
     * The provenance of a finished run.
     *
     * @param jobId the run's job id
     * @param createdAt when the model is published
     * @param train the training input (path, format, fingerprint, N)
     * @param specName the feature spec's name as given (a built-in name or a path), or null
     * @param dimension d
     * @param cfg the run's configuration
     * @param result the run's result (its plan, its step mode)
     * @param receipt the ledger's receipt ({@link #receipt}) or {@link LedgerReceipt#none}
     * @param dpsparkVersion the code version
     */
    public static ModelProvenance of(String jobId, Instant createdAt, DataInfo train, String specName, int dimension,
            TrainConfig cfg, TrainResult result, LedgerReceipt receipt, String dpsparkVersion) {
        PrivacyPlan plan = result.plan();
        PrivacyClaim claim = plan.nonPrivate()
                ? PrivacyClaim.none(cfg.privacyUnit(), "poisson", plan.samplingRate(), cfg.clipNorm(), plan.steps(),
                        cfg.insecureTestSeed().isPresent())
                : new PrivacyClaim(plan.epsilon(), plan.delta(), plan.accountant().jsonName(), plan.rdpEpsilon(),
                plan.distributed().isPresent() || Double.isInfinite(plan.pldEpsilon()) ? null : plan.pldEpsilon(), cfg.privacyUnit(), cfg.userColumn().isPresent()
                        ? "add/remove all the rows of one user (user column '" + cfg.userColumn().get() + "', at most "
                                + cfg.maxRowsPerUser() + " per user)"
                        : "add/remove one row", "poisson", plan.samplingRate(),
                plan.noiseMultiplier(), cfg.clipNorm(), plan.steps(), plan.calibrated(),
                cfg.targetEpsilon().isPresent() ? cfg.targetEpsilon().getAsDouble() : null,
                cfg.insecureTestSeed().isPresent(), plan.distributed().map(d -> new PrivacyClaim.SecureAggregationClaim(
                        cfg.secureAggregation().jsonName(), "distributed discrete Gaussian", d.parties(), d.colluding(),
                        d.bits(), d.scale(), d.localVariance(), d.sensitivity(), d.effectiveNoiseMultiplier()))
                        .orElse(null));
        DataProvenance data = new DataProvenance(train.path(), train.format(), train.fingerprint(), train.rows(),
                specName, dimension);
        // Epochs over the privacy units (users at user level): result.rows() is what q and T were planned over.
        org.dpspark.core.user.LocalTraining local = cfg.localTraining();
        TrainerProvenance trainer = new TrainerProvenance(
                local == null ? TrainerProvenance.DP_SGD : TrainerProvenance.FEDAVG, cfg.optimizer(),
                cfg.optimizer().equals("momentum") ? cfg.momentum() : null, cfg.schedule(), cfg.epochs(result.rows()),
                cfg.batchSize(), cfg.learningRate(), result.stepMode(), cfg.dpLossTracking(),
                local == null ? null : local.epochs(), local == null ? null : local.learningRate(),
                local == null ? null : local.batchSize(), cfg.precision().jsonName(),
                cfg.emaDecay() > 0 ? cfg.emaDecay() : null);
        return new ModelProvenance(jobId, dpsparkVersion, createdAt, claim, data, trainer, receipt);
    }

    /** The ledger's receipt of a committed run (the fields of {@code JobLedger.reportSection}). */
    public static LedgerReceipt receipt(PrivacyLedger ledger, Admission admission, LedgerEntry commit,
            DatasetState after) {
        boolean capped = after.budget().isPresent();
        return LedgerReceipt.recorded(ledger.location(), admission.datasetId(), admission.reservation().seq(),
                admission.earlierOpenAttempts() > 0, commit.seq(), after.accountant(), after.spentEpsilon(), after.delta(),
                capped ? after.budget().get().epsilon() : null, capped ? after.budget().get().delta() : null,
                capped ? after.remainingEpsilon() : null);
    }
}
