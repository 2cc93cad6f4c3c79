package org.dpspark.jobs.ledger;

import java.nio.file.Path;
import org.dpspark.accountant.ledger.LedgerNotFoundException;
import org.dpspark.accountant.ledger.LedgerPolicy;
import org.dpspark.accountant.ledger.PrivacyLedger;

/**
 * Ledgers for tests: a ledger is created only on purpose ({@code dp-ledger init}), so a test that runs jobs against a
 * ledger creates it first. Idempotent: an existing ledger is kept.
 */
public final class TestLedgers {
    private TestLedgers() {}

    /** Creates a ledger with the default policy at {@code location} unless one is there; returns the location. */
    public static String init(Path location) {
        return init(location.toString());
    }

    /** As {@link #init(Path)}, for a path or URI. */
    public static synchronized String init(String location) {
        try {
            PrivacyLedger.open(location, null);
        } catch (LedgerNotFoundException missing) {
            try {
                PrivacyLedger.create(location, null, LedgerPolicy.defaults());
            } catch (IllegalArgumentException raced) {
                PrivacyLedger.open(location, null); // another test JVM created it first
            }
        }
        return location;
    }

    /**
     * Creates the tests' default ledger unless it exists: {@code $DPSPARK_LEDGER}, which the parent pom's surefire and
     * failsafe configurations set to {@code target/test-ledger} (never the developer's {@code ~/.dpspark/ledger}).
     */
    public static String initDefault() {
        String env = System.getenv(JobLedger.ENV);
        if (env == null || env.isBlank()) {
            throw new IllegalStateException(JobLedger.ENV + " is not set: run the tests through Maven (the parent pom "
                    + "sets it), so they never touch ~/.dpspark/ledger");
        }
        return init(env);
    }
}
