package org.dpspark.accountant.ledger;

/**
 * There is no ledger at the location given: a ledger is created only on purpose ({@code dp-ledger init}), never as
 * a side effect of a mistyped location. An {@link IllegalArgumentException}, so every command maps it to exit code 2
 * (bad input). The message is one line that names the location and the command that creates a ledger there.
 */
public final class LedgerNotFoundException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String location;

    public LedgerNotFoundException(String location, String why) {
        super("ledger " + location + " " + why + "; create a ledger with: dp-ledger init --ledger " + location);
        this.location = location;
    }

    /** The location that holds no ledger, qualified. */
    public String location() {
        return location;
    }
}
