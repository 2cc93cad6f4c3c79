package org.dpspark.jobs.provenance;

import java.io.Serializable;

/**
 * The privacy ledger's receipt for a training run: where the run's spend was recorded and what the dataset's
 * cumulative loss was after it; or, explicitly, that it was not recorded and why ({@link #none}).
 *
 * @param recorded true when the run was charged to a ledger
 * @param reason why no ledger entry exists (non-blank exactly when not recorded), e.g. "no ledger: explicit
 *     opt-out" or "insecure test run"
 * @param location the ledger's URI, or null (not recorded, or not known to the model's format)
 * @param datasetId the dataset id charged (non-null when recorded)
 * @param reservationSeq the sequence number of the reservation entry, or null
 * @param reservationAdopted true when earlier attempts of the same job id were left open and are charged too (format 1
 *     models: the reservation was adopted from an earlier attempt), or null
 * @param commitSeq the sequence number of the commit entry (non-null when recorded)
 * @param accountant the ledger's accountant for the cumulative loss, or null
 * @param cumulativeEpsilon the dataset's cumulative epsilon after the commit, or null
 * @param cumulativeDelta the delta of {@code cumulativeEpsilon}, or null
 * @param budgetEpsilon the dataset's epsilon budget, or null when no budget is set (or not known)
 * @param budgetDelta the dataset's delta budget, or null
 * @param remainingEpsilon the budget's remaining epsilon after the commit, or null
 */
public record LedgerReceipt(
        boolean recorded,
        String reason,
        String location,
        String datasetId,
        Long reservationSeq,
        Boolean reservationAdopted,
        Long commitSeq,
        String accountant,
        Double cumulativeEpsilon,
        Double cumulativeDelta,
        Double budgetEpsilon,
        Double budgetDelta,
        Double remainingEpsilon) implements Serializable {

    private static final long serialVersionUID = 1L;

    public LedgerReceipt {
        if (recorded) {
            if (reason != null) {
                throw new IllegalArgumentException("reason must be null for a recorded ledger receipt");
            }
            Fields.requireText(datasetId, "dataset_id");
            if (commitSeq == null) {
                throw new IllegalArgumentException("commit_seq must be given for a recorded ledger receipt");
            }
        } else {
            Fields.requireText(reason, "reason");
            if (location != null || datasetId != null || reservationSeq != null || reservationAdopted != null
                    || commitSeq != null || accountant != null || cumulativeEpsilon != null || cumulativeDelta != null
                    || budgetEpsilon != null || budgetDelta != null || remainingEpsilon != null) {
                throw new IllegalArgumentException("a ledger receipt that is not recorded carries only its reason");
            }
        }
    }

    /** A receipt of a run committed to a ledger. */
    public static LedgerReceipt recorded(String location, String datasetId, Long reservationSeq,
            Boolean reservationAdopted, long commitSeq, String accountant, Double cumulativeEpsilon,
            Double cumulativeDelta, Double budgetEpsilon, Double budgetDelta, Double remainingEpsilon) {
        return new LedgerReceipt(true, null, location, datasetId, reservationSeq, reservationAdopted, commitSeq,
                accountant, cumulativeEpsilon, cumulativeDelta, budgetEpsilon, budgetDelta, remainingEpsilon);
    }

    /** No ledger entry, for the stated reason. */
    public static LedgerReceipt none(String reason) {
        return new LedgerReceipt(false, reason, null, null, null, null, null, null, null, null, null, null, null);
    }

    public boolean isRecorded() {
        return recorded;
    }
}
