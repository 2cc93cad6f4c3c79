package org.dpspark.jobs.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.dpspark.accountant.ledger.Admission;
import org.dpspark.accountant.ledger.DatasetState;
import org.dpspark.accountant.ledger.LedgerEntry;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.dpspark.jobs.provenance.LedgerReceipt;
import org.dpspark.jobs.report.Reports;

/** What dp-train and dp-ledger share about the ledger: where it is by default, dataset ids, the report section. */
public final class JobLedger {
    /** Environment variable naming the default ledger (tests and sites set it); else {@code ~/.dpspark/ledger}. */
    public static final String ENV = "DPSPARK_LEDGER";
    /** Spark configuration key naming the default ledger: the way to configure it for a whole cluster. */
    public static final String CONF_KEY = "spark.dpspark.ledger";

    private static final ObjectMapper JSON = new ObjectMapper();

    private JobLedger() {}

    /**
     * The default ledger location, the same for every entry point: the Spark configuration key {@value #CONF_KEY}
     * if {@code conf} has it, else {@value #ENV} if set, else {@code <user home>/.dpspark/ledger}.
     */
    public static String defaultLocation(org.apache.spark.SparkConf conf) {
        if (conf != null && conf.contains(CONF_KEY) && !conf.get(CONF_KEY).isBlank()) {
            return conf.get(CONF_KEY);
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return env;
        }
        return Path.of(System.getProperty("user.home"), ".dpspark", "ledger").toUri().toString();
    }

    /**
     * Opens the ledger at {@code uri} for a run; a bad location, or one that holds no ledger (never created here: see
     * {@code dp-ledger init}), is an invalid {@code ledger} parameter (named by each caller in its own vocabulary:
     * {@code --ledger}, or the Param {@code ledger}).
     */
    public static PrivacyLedger open(String uri, Configuration conf) {
        try {
            return PrivacyLedger.builder(uri).conf(conf).codeVersion(Reports.codeVersion()).build();
        } catch (IllegalArgumentException e) {
            throw new org.dpspark.core.params.InvalidParameterException(java.util.List.of("ledger"),
                    "%s: " + String.valueOf(e.getMessage()).replace("%", "%%"));
        }
    }

    /**
     * Opens the ledger at {@code uri} (or the default) for a command; a bad location, or one that holds no ledger
     * ({@link org.dpspark.accountant.ledger.LedgerNotFoundException}: it is never created here), is bad input of
     * {@code flag}.
     */
    public static PrivacyLedger open(String uri, Configuration conf, String flag) {
        String where = uri != null ? uri : defaultLocation(new org.apache.spark.SparkConf());
        try {
            return PrivacyLedger.builder(where).conf(conf).codeVersion(Reports.codeVersion()).build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates a ledger at {@code uri} (or the default location) with {@code policy}, for {@code dp-ledger init} and
     * for test and demo setups; a location that already holds a ledger, or anything else, is bad input of
     * {@code flag}.
     */
    public static PrivacyLedger create(String uri, Configuration conf, org.dpspark.accountant.ledger.LedgerPolicy policy,
            String flag) {
        String where = uri != null ? uri : defaultLocation(new org.apache.spark.SparkConf());
        try {
            return PrivacyLedger.builder(where).conf(conf).codeVersion(Reports.codeVersion()).create(policy);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage(), e);
        }
    }

    /**
     * The default dataset id of an input: its fingerprint with every character outside {@code [A-Za-z0-9._-]}
     * replaced by '-' (so {@code sha256:ab12...} becomes {@code sha256-ab12...}), at most 200 characters.
     */
    public static String datasetIdFromFingerprint(String fingerprint) {
        String id = fingerprint.replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^[^A-Za-z0-9]+", "").replaceAll("-+$", "");
        return id.length() > 200 ? id.substring(0, 200) : id;
    }

    /** One line for the console after a run: where its spend is recorded and the dataset's cumulative spend. */
    public static String summary(LedgerReceipt r) {
        if (!r.recorded()) {
            return "ledger: not recorded (" + r.reason() + ")";
        }
        String cap = r.budgetEpsilon() != null
                ? String.format(Locale.ROOT, "of the budget %s (remaining %.4f)", r.budgetEpsilon(), r.remainingEpsilon())
                : "(no budget set: no cap is enforced)";
        return String.format(Locale.ROOT, "ledger: dataset %s, entries %d (reservation%s) and %d (commit); cumulative "
                + "epsilon %.4f at delta %.3g %s", r.datasetId(), r.reservationSeq(),
                Boolean.TRUE.equals(r.reservationAdopted()) ? ", an earlier attempt of this job id is charged too" : "", r.commitSeq(),
                r.cumulativeEpsilon(), r.cumulativeDelta(), cap);
    }
}
