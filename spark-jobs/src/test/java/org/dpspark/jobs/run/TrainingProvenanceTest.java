package org.dpspark.jobs.run;

import org.dpspark.jobs.model.ModelSpec;
import org.dpspark.jobs.model.SavedModel;
import org.dpspark.jobs.model.SavedModelTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.ledger.Admission;
import org.dpspark.accountant.ledger.Budget;
import org.dpspark.accountant.ledger.DatasetState;
import org.dpspark.accountant.ledger.LedgerEntry;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.dpspark.jobs.model.ModelSpec;
import org.dpspark.jobs.model.SavedModel;
import org.dpspark.jobs.model.SavedModelTest;
import org.dpspark.jobs.provenance.LedgerReceipt;
import org.dpspark.jobs.provenance.ModelProvenance;
import org.dpspark.jobs.report.DataInfo;
import org.dpspark.accountant.plan.PrivacyPlan;
import org.dpspark.jobs.train.TrainConfig;
import org.dpspark.jobs.train.TrainResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dp-train run's objects become the typed provenance, and a saved model of it reads back equal. */
class TrainingProvenanceTest {
    @TempDir Path dir;

    @Test
    void run_becomesProvenance_andTheSavedModelReadsBackEqual() {
        TrainConfig cfg = TrainConfig.builder().optimizer("momentum").momentum(0.8).schedule("cosine").epochs(2)
                .batchSize(100).clipNorm(0.5).learningRate(0.25).delta(1e-5).targetEpsilon(1.5).build();
        PrivacyPlan plan = cfg.plan(5000);
        double[] params = {0.5, -0.25, 1.0, 0.1 + 0.2, -2.0, 0.125};
        TrainResult result = new TrainResult(params, plan, List.of(0.6, 0.5), List.of(0.01, 0.01), 1.0, 5000,
                "barrier", 0.5, 0.2, List.of(0.5, 0.5));

        PrivacyLedger ledger = PrivacyLedger.builder(dir.resolve("ledger").toString()).user("tester")
                .codeVersion("test").create(org.dpspark.accountant.ledger.LedgerPolicy.defaults());
        ledger.setBudget("ds", new Budget(10, 1e-5, "row"));
        List<DpEvent> events = List.of(new DpEvent(plan.samplingRate(), plan.noiseMultiplier(), plan.steps()));
        Admission admission = ledger.reserve("ds", "job-7", "sha256:ff", events, plan.delta());
        LedgerEntry commit = ledger.commit("ds", "job-7", events, plan.epsilon(), plan.delta(), "/models/m");
        DatasetState after = ledger.state("ds");
        LedgerReceipt receipt = TrainingProvenance.receipt(ledger, admission, commit, after);

        Instant now = Instant.parse("2026-12-06T01:02:03Z");
        ModelProvenance p = TrainingProvenance.of("job-7", now, new DataInfo("/in.csv", "csv", "sha256:ff", 5000),
                "small", 5, cfg, result, receipt, "dev");
        assertEquals(plan.epsilon(), p.claim().epsilon(), 0.0);
        assertEquals(plan.rdpEpsilon(), p.claim().rdpEpsilon(), 0.0);
        assertEquals(1.5, p.claim().targetEpsilon(), 0.0);
        assertTrue(p.claim().calibrated());
        assertEquals(0.5, p.claim().clipNorm(), 0.0);
        assertEquals(0.8, p.trainer().momentum(), 0.0);
        assertEquals("barrier", p.trainer().stepMode());
        assertEquals("csv", p.data().format());
        assertEquals(commit.seq(), p.ledger().commitSeq());
        assertEquals(admission.reservation().seq(), p.ledger().reservationSeq());
        assertEquals(10.0, p.ledger().budgetEpsilon(), 0.0);
        assertEquals(after.remainingEpsilon(), p.ledger().remainingEpsilon(), 0.0);

        SavedModel m = new SavedModel(ModelSpec.binaryLogistic(5), params, SavedModelTest.smallSpec(), p);
        String out = dir.resolve("model").toString();
        m.write(new Configuration(), out, false);
        assertEquals(m, SavedModel.read(new Configuration(), out));
    }

    @Test
    void givenSigma_isNotCalibrated_andSgdHasNoMomentum() {
        TrainConfig cfg = TrainConfig.builder().epochs(1).batchSize(50).noiseMultiplier(1.0).delta(1e-5).build();
        PrivacyPlan plan = cfg.plan(1000);
        TrainResult result = new TrainResult(new double[6], plan, List.of(), List.of(), 0, 1000, "job", 0, 0,
                List.of());
        ModelProvenance p = TrainingProvenance.of("j", Instant.EPOCH, new DataInfo("x", "parquet", "sha256:0", 1000),
                null, 5, cfg, result, LedgerReceipt.none("no ledger: explicit opt-out"), "dev");
        assertEquals(Boolean.FALSE, p.claim().calibrated());
        assertNull(p.claim().targetEpsilon());
        assertNull(p.trainer().momentum());
        assertNull(p.data().featureSpec());
    }
}
