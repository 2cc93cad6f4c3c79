package org.dpspark.accountant.ledger;

/**
 * The operation contradicts the job's history in the ledger: the job id has already committed (a job is charged
 * exactly once, so re-running it under the same id is refused), it holds an open reservation with a different
 * plan, or there is no open reservation to commit or abort. dp-train exits with code 4.
 */
public final class LedgerConflictException extends LedgerException {
    private static final long serialVersionUID = 1L;

    public LedgerConflictException(String message) {
        super(message);
    }
}
