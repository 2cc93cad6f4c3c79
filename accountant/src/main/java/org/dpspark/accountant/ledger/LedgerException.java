package org.dpspark.accountant.ledger;

/** The ledger refused an operation, or cannot be read safely. Subclasses say which; callers react to them. */
public class LedgerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LedgerException(String message) {
        super(message);
    }

    public LedgerException(String message, Throwable cause) {
        super(message, cause);
    }
}
