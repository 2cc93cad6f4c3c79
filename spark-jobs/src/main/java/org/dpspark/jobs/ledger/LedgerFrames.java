package org.dpspark.jobs.ledger;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.ledger.EntryType;
import org.dpspark.accountant.ledger.LedgerEntry;
import org.dpspark.accountant.ledger.PrivacyLedger;

/**
 * The privacy ledger as a Spark DataFrame, for notebooks (Java, Scala, or PySpark through the JVM gateway):
 * <pre>
 *   Dataset&lt;Row&gt; entries = LedgerFrames.entries(spark, "hdfs:///dpspark/ledger");
 *   entries.filter("type = 'commit'").groupBy("dataset_id").count().show();
 * </pre>
 * One row per entry, in (dataset_id, seq) order, with the columns of {@link #SCHEMA}; {@code privacy_unit} is the
 * budget's unit on a budget entry and the job's on a reservation or commit. The entries are read on the
 * driver through the ledger (so a corrupt entry fails the call, naming the file) and are small. For the composed
 * spend use {@code PrivacyLedger.state(datasetId)}: epsilons in these rows must never be added up.
 */
public final class LedgerFrames {

    private static final StructType EVENT = new StructType(new StructField[] {
        DataTypes.createStructField("q", DataTypes.DoubleType, false),
        DataTypes.createStructField("sigma", DataTypes.DoubleType, false),
        DataTypes.createStructField("steps", DataTypes.LongType, false),
        // the distributed discrete Gaussian (secure aggregation): "ddg" with its tau and padded dimension; a whole
        // hyperparameter search (steps per trial; its trial count is in the ledger entry): "repeat_and_select" and
        // nulls; else "gaussian" and nulls
        DataTypes.createStructField("mechanism", DataTypes.StringType, false),
        DataTypes.createStructField("tau", DataTypes.DoubleType, true),
        DataTypes.createStructField("dim", DataTypes.IntegerType, true)});

    /** The columns. */
    public static final StructType SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField("dataset_id", DataTypes.StringType, false),
        DataTypes.createStructField("seq", DataTypes.LongType, false),
        DataTypes.createStructField("type", DataTypes.StringType, false),
        DataTypes.createStructField("job_id", DataTypes.StringType, true),
        DataTypes.createStructField("user", DataTypes.StringType, false),
        DataTypes.createStructField("time", DataTypes.TimestampType, false),
        DataTypes.createStructField("code_version", DataTypes.StringType, false),
        DataTypes.createStructField("input_fingerprint", DataTypes.StringType, true),
        DataTypes.createStructField("events", DataTypes.createArrayType(EVENT, false), false),
        DataTypes.createStructField("accountant", DataTypes.StringType, false),
        DataTypes.createStructField("delta", DataTypes.DoubleType, true),
        DataTypes.createStructField("epsilon", DataTypes.DoubleType, true),
        DataTypes.createStructField("model_path", DataTypes.StringType, true),
        DataTypes.createStructField("reservation_seq", DataTypes.LongType, true),
        DataTypes.createStructField("budget_epsilon", DataTypes.DoubleType, true),
        DataTypes.createStructField("budget_delta", DataTypes.DoubleType, true),
        DataTypes.createStructField("privacy_unit", DataTypes.StringType, true),
        DataTypes.createStructField("note", DataTypes.StringType, true),
        DataTypes.createStructField("format_version", DataTypes.IntegerType, false),
        DataTypes.createStructField("attempt", DataTypes.IntegerType, true),
        DataTypes.createStructField("locations", DataTypes.createArrayType(DataTypes.StringType, false), false),
        DataTypes.createStructField("fingerprints", DataTypes.createArrayType(DataTypes.StringType, false), false)});

    private LedgerFrames() {}

    /** Every entry of every dataset in the ledger at {@code ledgerUri}. */
    public static Dataset<Row> entries(SparkSession spark, String ledgerUri) {
        PrivacyLedger ledger = PrivacyLedger.open(ledgerUri, spark.sparkContext().hadoopConfiguration());
        List<Row> rows = new ArrayList<>();
        for (String id : ledger.datasets()) {
            ledger.state(id).entries().forEach(e -> rows.add(row(e)));
        }
        return spark.createDataFrame(rows, SCHEMA);
    }

    /** The entries of one dataset. */
    public static Dataset<Row> entries(SparkSession spark, String ledgerUri, String datasetId) {
        PrivacyLedger ledger = PrivacyLedger.open(ledgerUri, spark.sparkContext().hadoopConfiguration());
        List<Row> rows = new ArrayList<>();
        ledger.state(datasetId).entries().forEach(e -> rows.add(row(e)));
        return spark.createDataFrame(rows, SCHEMA);
    }

    /** The budget's unit (budget entries), the job's (reservations and commits; "row" before it was recorded). */
    private static String privacyUnit(LedgerEntry e) {
        if (e.budget() != null) {
            return e.budget().privacyUnit();
        }
        return e.type() == EntryType.RESERVATION || e.type() == EntryType.COMMIT ? e.unit() : null;
    }

    private static Row row(LedgerEntry e) {
        List<Row> events = new ArrayList<>();
        for (DpEvent d : e.events()) {
            events.add(RowFactory.create(d.samplingRate(), d.noiseMultiplier(), d.steps(),
                    d.isDiscrete() ? "ddg" : d.isSelection() ? "repeat_and_select" : "gaussian", d.isDiscrete() ? d.discrete().tau() : null,
                    d.isDiscrete() ? d.discrete().dim() : null));
        }
        return RowFactory.create(e.datasetId(), e.seq(), e.type().jsonName(), e.jobId(), e.user(),
                Timestamp.from(e.time()), e.codeVersion(), e.inputFingerprint(), events, e.accountant(), e.delta(),
                e.epsilon(), e.modelPath(), e.reservationSeq(), e.budget() == null ? null : e.budget().epsilon(),
                e.budget() == null ? null : e.budget().delta(), privacyUnit(e),
                e.note(), e.formatVersion(), e.type() == EntryType.RESERVATION ? e.attemptNumber() : null,
                e.locations(), e.fingerprints());
    }
}
