package org.dpspark.jobs.ledger;

import java.nio.file.Path;
import org.dpspark.accountant.ledger.LedgerNotFoundException;
import org.dpspark.accountant.ledger.LedgerPolicy;
import org.dpspark.accountant.ledger.PrivacyLedger;

/**
 * Ledgers for tests: a ledger is created only on purpose ({@code dp-ledger init}), so a test that runs jobs against a
 * ledger creates it first. Idempotent: an existing ledger is kept. These scratch ledgers allow unbudgeted jobs (their
 * policy, as a developer's sandbox ledger would): tests that are not about registration train on data nobody
 * registered. The deny-by-default policy is tested with ledgers made by {@code dp-ledger init} (BudgetIntegrityTest).
 */
public final class TestLedgers {
    private TestLedgers() {}

    /** A scratch ledger's policy: unbudgeted jobs allowed, the default epsilon ceiling. */
    public static final LedgerPolicy SCRATCH = new LedgerPolicy(true, LedgerPolicy.DEFAULT_EPSILON_CEILING);

    /** Creates a scratch ledger ({@link #SCRATCH}) at {@code location} unless one is there; returns the location. */
    public static String init(Path location) {
        return init(location.toString());
    }

    /** As {@link #init(Path)}, for a path or URI. */
    public static synchronized String init(String location) {
        try {
            PrivacyLedger.open(location, null);
        } catch (LedgerNotFoundException missing) {
            try {
                PrivacyLedger.create(location, null, SCRATCH);
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
