package org.dpspark.accountant.ledger;

/**
 * An entry of the ledger cannot be read: torn or corrupt JSON, a missing sequence number, an unknown format
 * version, or a history that contradicts itself. The ledger never skips such an entry (skipping could undercount
 * the spend): every operation on the dataset fails, naming the file, until an operator repairs it.
 */
public final class LedgerCorruptException extends LedgerException {
    private static final long serialVersionUID = 1L;

    public LedgerCorruptException(String message) {
        super(message);
    }

    public LedgerCorruptException(String message, Throwable cause) {
        super(message, cause);
    }
}
