package org.dpspark.jobs.ledger;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.ledger.Admission;
import org.dpspark.accountant.ledger.DatasetState;
import org.dpspark.accountant.ledger.LedgerEntry;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.dpspark.jobs.train.PrivacyPlan;

/**
 * A training run under the privacy ledger, shared by dp-train and the MLlib estimators: RESERVE the plan before
 * the first step (a refusal throws BudgetExhaustedException and nothing is trained), train, then COMMIT the spend.
 * A failure before the first step aborts the reservation (nothing was released); after it, or for a reservation
 * adopted from a crashed attempt, the reservation stays charged until {@code dp-ledger resolve}.
 *
 * @param <R> what the training produces
 * @param admission the reservation
 * @param commit the commit entry
 * @param after the dataset's state after the commit (its cumulative spend)
 * @param result the training's result
 */
public record LedgeredRun<R>(Admission admission, LedgerEntry commit, DatasetState after, R result) {

    /**
     * Reserves, runs {@code training} (which must call the given Runnable just before its first step), commits.
     *
     * @param modelPath where the model will be published (recorded in the commit), or a description
     * @param notice receives the one-line notices for the user (no cap set; reservation left charged)
     */
    public static <R> LedgeredRun<R> run(PrivacyLedger ledger, String datasetId, String jobId, String fingerprint,
            PrivacyPlan plan, String modelPath, java.util.function.Consumer<String> notice,
            Function<Runnable, R> training) {
        List<DpEvent> events = List.of(new DpEvent(plan.samplingRate(), plan.noiseMultiplier(), plan.steps()));
        Admission admission = ledger.reserve(datasetId, jobId, fingerprint, events, plan.delta());
        if (admission.noCap()) {
            notice.accept(String.format("ledger: dataset %s has no budget set: no cap is enforced; this job is "
                    + "recorded (entry %d)", datasetId, admission.reservation().seq()));
        }
        AtomicBoolean stepped = new AtomicBoolean();
        R result;
        try {
            result = training.apply(() -> stepped.set(true));
        } catch (RuntimeException | Error e) {
            settleFailure(ledger, admission, jobId, stepped.get(), e, notice);
            throw e;
        }
        LedgerEntry commit = ledger.commit(datasetId, jobId, events, plan.epsilon(), plan.delta(), modelPath);
        return new LedgeredRun<>(admission, commit, ledger.state(datasetId), result);
    }

    private static void settleFailure(PrivacyLedger l, Admission admission, String jobId, boolean stepped,
            Throwable cause, java.util.function.Consumer<String> notice) {
        if (!stepped && !admission.adopted()) {
            try {
                l.abort(admission.datasetId(), jobId, "failed before the first step: " + cause.getClass().getName());
                return;
            } catch (RuntimeException abortFailed) {
                cause.addSuppressed(abortFailed);
            }
        }
        notice.accept("the reservation of job '" + jobId + "' on dataset '" + admission.datasetId()
                + "' stays charged (the run may have released DP estimates); settle it with: dp-ledger resolve "
                + "--dataset-id " + admission.datasetId() + " --job-id " + jobId);
    }
}
