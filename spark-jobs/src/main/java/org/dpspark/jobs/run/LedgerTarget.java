package org.dpspark.jobs.run;

import java.util.Optional;
import org.apache.spark.SparkConf;

/**
 * Where a run's privacy spend is recorded. A run is always recorded in a ledger unless the caller says otherwise
 * with {@link #none(String)}, whose reason then travels in the model's provenance: "no ledger" is never a silent
 * default.
 *
 * <p>The default ledger, the same for {@code dp-train} and every MLlib estimator, is the first of: the Spark
 * configuration key {@code spark.dpspark.ledger} (the way to configure a cluster), the environment variable {@code DPSPARK_LEDGER},
 * and {@code ~/.dpspark/ledger}.
 *
 * <p>Which dataset pays follows the data, not the caller's say: the input's locations and the fingerprint of its
 * encoded rows are looked up among the ledger's registered datasets (see {@link TrainingRun}). A job whose data
 * matches no registered dataset runs only when {@code unbudgeted} is set (or the ledger's policy allows it), and
 * is then recorded as unbudgeted.
 *
 * @param location the ledger's URI (local or any Hadoop file system), or null for {@link #none}
 * @param datasetId the dataset the caller names, or null to find it by registration
 * @param noneReason why nothing is recorded (only for {@link #none})
 * @param unbudgeted the caller's explicit opt-in to run on data that matches no registered dataset
 */
public record LedgerTarget(String location, String datasetId, String noneReason, boolean unbudgeted) {

    public LedgerTarget {
        if ((location == null) == (noneReason == null)) {
            throw new IllegalArgumentException("a ledger target has either a location or a reason for none");
        }
        if (noneReason != null && noneReason.isBlank()) {
            throw new IllegalArgumentException("a run without a ledger must say why");
        }
        if (datasetId != null) {
            checkDatasetId(datasetId);
        }
    }

    /** No ledger: the run's spend is recorded nowhere, and its provenance says so with {@code reason}. */
    public static LedgerTarget none(String reason) {
        return new LedgerTarget(null, null, reason, false);
    }

    /** The ledger at {@code location} (null: the default ledger of {@code conf}), charging {@code datasetId}. */
    public static LedgerTarget at(String location, String datasetId, SparkConf conf) {
        return new LedgerTarget(location != null ? location : defaultLocation(conf), datasetId, null, false);
    }

    /** The same target, allowing (or not) data that matches no registered dataset. */
    public LedgerTarget withUnbudgeted(boolean allow) {
        return new LedgerTarget(location, datasetId, noneReason, allow);
    }

    /** Whether the spend is recorded. */
    public boolean recorded() {
        return location != null;
    }

    /** The explicit dataset id, if any. */
    public Optional<String> dataset() {
        return Optional.ofNullable(datasetId);
    }

    /** The default ledger location for a Spark application configured by {@code conf} (see the class comment). */
    public static String defaultLocation(SparkConf conf) {
        return org.dpspark.jobs.ledger.JobLedger.defaultLocation(conf);
    }

    /** A dataset id: 1-200 characters of A-Z a-z 0-9 . _ - starting with a letter or digit. */
    public static String checkDatasetId(String id) {
        if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,199}")) {
            throw org.dpspark.core.params.InvalidParameterException.of("datasetId",
                    "must be 1-200 characters of A-Z a-z 0-9 . _ - starting with a letter or digit, got '" + id + "'");
        }
        return id;
    }
}
