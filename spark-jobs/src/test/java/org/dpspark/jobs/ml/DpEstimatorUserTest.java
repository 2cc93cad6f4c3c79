package org.dpspark.jobs.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dpspark.accountant.ledger.Budget;
import org.dpspark.accountant.ledger.EntryType;
import org.dpspark.accountant.ledger.LedgerEntry;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.dpspark.datasets.DataReader;
import org.dpspark.datasets.InputFormat;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.spec.RowEncoder;
import org.dpspark.datasets.validate.DatasetValidationException;
import org.dpspark.jobs.SparkTestSession;
import org.dpspark.jobs.cli.DpTrain;
import org.dpspark.jobs.ledger.TestLedgers;
import org.dpspark.jobs.model.SavedModel;
import org.dpspark.jobs.provenance.PrivacyClaim;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MLlib estimators at the user level ({@code setUserCol}, {@code setMaxRowsPerUser}): on the same rows and the
 * same insecure test seed they reach the model, the claim and the ledger charge of {@code dp-train --privacy-unit
 * user --user-col uid --max-rows-per-user k}, for DP-SGD and DP-FedAvg (the rows beyond k are dropped by the same
 * keyed random choice, the users co-located by the same keyed hash); bad input is refused with one clear line
 * before anything is reserved.
 */
class DpEstimatorUserTest {
    private static final String SPEC = "{\"format_version\":1,\"name\":\"u\",\"label\":{\"column\":\"label\"},"
            + "\"features\":[{\"column\":\"a\",\"encoding\":\"scale\",\"min\":-1,\"max\":1},"
            + "{\"column\":\"b\",\"encoding\":\"scale\",\"min\":-1,\"max\":1}]}";
    private static final int USERS = 120;
    private static final int K = 5;
    private static final long SEED = 20261207L;
    private static SparkSession spark;

    @TempDir Path dir;

    @BeforeAll
    static void start() {
        spark = SparkTestSession.start("DpEstimatorUserTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** 120 users with 1 to 15 rows each (ids "u17", or 17 with {@code numericIds}); a user's trait shifts its labels. */
    private Path csv(boolean numericIds) throws IOException {
        SplittableRandom r = new SplittableRandom(12);
        List<String> lines = new ArrayList<>(List.of("uid,a,b,label"));
        for (int u = 0; u < USERS; u++) {
            int rows = 1 + (int) Math.floor(15 * Math.pow(r.nextDouble(), 2));
            double trait = r.nextDouble(-1, 1);
            for (int i = 0; i < rows; i++) {
                double a = r.nextDouble(-1, 1);
                double b = r.nextDouble(-1, 1);
                int y = r.nextDouble() < 1 / (1 + Math.exp(-(3 * a - 2 * b + 2 * trait))) ? 1 : 0;
                lines.add(String.format(Locale.ROOT, "%s%d,%.4f,%.4f,%d", numericIds ? "" : "u", u, a, b, y));
            }
        }
        Path p = dir.resolve(numericIds ? "numeric.csv" : "users.csv");
        Files.write(p, lines);
        Files.writeString(dir.resolve("spec.json"), SPEC);
        return p;
    }

    /**
     * The CSV's rows encoded by the spec into (features, label, uid), partition by partition, order kept; the user
     * id as a string, or as a long with {@code numericIds}.
     */
    private static Dataset<Row> encoded(Path csv, boolean numericIds) {
        Dataset<Row> raw = DataReader.read(spark, csv.toString(), InputFormat.CSV);
        RowEncoder enc = new RowEncoder(FeatureSpec.fromJson(SPEC), raw.schema());
        int uid = raw.schema().fieldIndex("uid");
        JavaRDD<Row> rows = raw.javaRDD().map(row -> {
            double[] x = new double[enc.dimension()];
            double y = enc.encodeInto(row, x, 0);
            Object id = row.isNullAt(uid) ? null
                    : numericIds ? (Object) Long.parseLong(row.get(uid).toString()) : row.get(uid).toString();
            return RowFactory.create(Vectors.dense(x), y, id);
        });
        StructType schema = new StructType().add("features", new VectorUDT(), false)
                .add("label", DataTypes.DoubleType, false)
                .add("uid", numericIds ? DataTypes.LongType : DataTypes.StringType, true);
        return spark.createDataFrame(rows, schema);
    }

    private static LedgerEntry entryOf(PrivacyLedger ledger, String dataset, String job, EntryType type) {
        return ledger.state(dataset).entries().stream()
                .filter(e -> e.type() == type && job.equals(e.jobId())).findFirst().orElseThrow();
    }

    private void assertSameUserLevelRun(boolean numericIds, List<String> moreFlags, DpLogisticRegression estimator)
            throws IOException {
        Path train = csv(numericIds);
        String ledgerDir = TestLedgers.init(dir.resolve("ledger"));
        Path out = dir.resolve("model");
        List<String> args = new ArrayList<>(List.of("--input", train.toString(), "--format", "csv",
                "--spec", dir.resolve("spec.json").toString(), "--model", "logistic",
                "--privacy-unit", "user", "--user-col", "uid", "--max-rows-per-user", Integer.toString(K),
                "--epsilon", "3", "--delta", "1e-5", "--epochs", "2", "--batch-size", "12", "--clip-norm", "0.8",
                "--partitions", "2", "--step-mode", "job", "--ledger", ledgerDir, "--dataset-id", "customers",
                "--job-id", "cli", "--insecure-test-seed", Long.toString(SEED), "--output", out.toString()));
        args.addAll(moreFlags);
        assertEquals(0, DpTrain.run(args.toArray(String[]::new)));
        SavedModel saved = SavedModel.read(new Configuration(), out.toString());

        Dataset<Row> df = encoded(train, numericIds);
        estimator.setUserCol("uid").setMaxRowsPerUser(K).setEpsilon(3).setDelta(1e-5).setEpochs(2).setBatchSize(12)
                .setClipNorm(0.8).setNumPartitions(2).setLedger(ledgerDir).setDatasetId("customers")
                .setJobId("mllib");
        estimator.setInsecureTestSeedForTestsOnly(SEED);
        DpLogisticRegressionModel fitted = estimator.fit(df);

        assertArrayEquals(saved.params(), fitted.parameters(), 0.0, "dp-train and fit must give the same model");
        PrivacyClaim claim = fitted.provenance().claim();
        assertEquals(saved.provenance().claim(), claim, "the same claim, unit and adjacency included");
        assertEquals(Budget.USER, claim.unit());
        assertTrue(claim.adjacency().contains("user column 'uid', at most " + K + " per user"), claim.adjacency());
        assertEquals(12.0 / USERS, claim.samplingRate(), 0.0, "q = B_users / N_users");
        assertEquals(2 * USERS / 12, claim.steps(), "T = floor(E N_users / B)");
        assertTrue(claim.insecureTestRun());
        assertEquals(Budget.USER, fitted.privacyGuarantee().unit());
        assertEquals(saved.provenance().data().fingerprint(), fitted.provenance().data().fingerprint(),
                "the same encoded rows");

        PrivacyLedger ledger = PrivacyLedger.open(ledgerDir, new Configuration());
        LedgerEntry cli = entryOf(ledger, "customers", "cli", EntryType.COMMIT);
        LedgerEntry fit = entryOf(ledger, "customers", "mllib", EntryType.COMMIT);
        assertEquals(cli.events(), fit.events());
        assertEquals(cli.epsilon(), fit.epsilon());
        assertEquals(claim.epsilon(), fit.epsilon(), 0.0);
        for (String job : List.of("cli", "mllib")) {
            for (EntryType t : List.of(EntryType.RESERVATION, EntryType.COMMIT)) {
                LedgerEntry e = entryOf(ledger, "customers", job, t);
                assertEquals(Budget.USER, e.privacyUnit(), job + " " + t);
                assertEquals(2, e.formatVersion(), "a user-level charge is format 2: " + job + " " + t);
            }
        }
    }

    @Test
    void dpSgd_setUserCol_reachesDpTrainsModelClaimAndCharge() throws IOException {
        assertSameUserLevelRun(false, List.of("--learning-rate", "0.5"), new DpLogisticRegression().setLearningRate(0.5));
    }

    @Test
    void fedAvg_withIntegralUserIds_reachesDpTrainsModelClaimAndCharge() throws IOException {
        assertSameUserLevelRun(true, List.of("--algorithm", "fedavg", "--local-epochs", "2", "--local-learning-rate",
                "0.2", "--local-batch-size", "4", "--learning-rate", "1"),
                new DpLogisticRegression().setAlgorithm("fedavg").setLocalEpochs(2).setLocalLearningRate(0.2)
                        .setLocalBatchSize(4).setLearningRate(1));
    }

    /** An estimator on {@code ledger}, charged to dataset "bad", with the settings that would otherwise fit. */
    private static DpLogisticRegression estimator(String ledger) {
        return new DpLogisticRegression().setNoiseMultiplier(1.0).setEpochs(1).setBatchSize(12).setNumPartitions(2)
                .setLedger(ledger).setDatasetId("bad");
    }

    private static void assertNothingReserved(String ledger) {
        PrivacyLedger l = PrivacyLedger.open(ledger, new Configuration());
        assertTrue(l.state("bad").entries().stream().noneMatch(e -> e.type() == EntryType.RESERVATION),
                "nothing reserved");
    }

    private static void refused(String ledger, DpLogisticRegression est, Dataset<Row> df, String expected) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> est.fit(df));
        assertTrue(e instanceof IllegalArgumentException || e instanceof DatasetValidationException, e.toString());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().strip().lines().count(), e.getMessage());
        assertFalse(e.getMessage().contains("--"), "an MLlib user reads Param names, not flags: " + e.getMessage());
        assertNothingReserved(ledger);
    }

    @Test
    void badInput_isRefusedWithOneLine_andNothingReserved() throws IOException {
        String ledger = TestLedgers.init(dir.resolve("bad-ledger"));
        Dataset<Row> df = encoded(csv(false), false).cache();
        refused(ledger, estimator(ledger).setUserCol("customer").setMaxRowsPerUser(K), df,
                "userCol 'customer' is not a column of the input");
        refused(ledger, estimator(ledger).setUserCol("features").setMaxRowsPerUser(K), df,
                "userCol 'features': the privacy-unit column cannot also be the features");
        refused(ledger, estimator(ledger).setUserCol("label").setMaxRowsPerUser(K), df,
                "userCol 'label': the privacy-unit column cannot also be the label");
        refused(ledger, estimator(ledger).setMaxRowsPerUser(K), df,
                "maxRowsPerUser bounds each user's rows: it needs userCol");
        refused(ledger, estimator(ledger).setUserCol("uid"), df,
                "userCol makes the user the privacy unit: give maxRowsPerUser");
        refused(ledger, estimator(ledger).setAlgorithm("fedavg"), df,
                "algorithm fedavg trains each user's rows locally: it needs userCol");
        refused(ledger, estimator(ledger).setUserCol("uid").setMaxRowsPerUser(K).setBatchSize(USERS + 1), df,
                "batchSize " + (USERS + 1) + " (the expected users per step) is larger than the number of users, " + USERS);
        Dataset<Row> doubleIds = df.withColumn("uid", df.col("label").plus(0.5));
        refused(ledger, estimator(ledger).setUserCol("uid").setMaxRowsPerUser(K), doubleIds,
                "userCol 'uid' must be a string or integral column");
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> new DpLogisticRegression().setMaxRowsPerUser(0));
        assertTrue(zero.getMessage().startsWith("maxRowsPerUser must be >= 1"), zero.getMessage());
        IllegalArgumentException policy = assertThrows(IllegalArgumentException.class,
                () -> new DpLogisticRegression().setNullUsers("keep"));
        assertTrue(policy.getMessage().startsWith("nullUsers must be one of"), policy.getMessage());

        // Null user ids: refused by default, naming the column and the count; dropped (and counted) on request.
        Row extra = RowFactory.create(Vectors.dense(0.1, 0.2), 1.0, null);
        Dataset<Row> withNull = df.union(spark.createDataFrame(List.of(extra), df.schema())).coalesce(1);
        refused(ledger, estimator(ledger).setUserCol("uid").setMaxRowsPerUser(K), withNull,
                "column 'uid': 1 null or empty user ids");
        DpLogisticRegressionModel dropped = estimator(ledger).setUserCol("uid").setMaxRowsPerUser(K)
                .setNullUsers("drop").setUnbudgeted(true).fit(withNull);
        assertEquals(12.0 / USERS, dropped.provenance().claim().samplingRate(), 0.0,
                "the row without a user id is no user: N_users = " + USERS);
        assertEquals(Budget.USER, PrivacyLedger.open(ledger, new Configuration()).state("bad").entries().stream()
                .filter(e -> e.type() == EntryType.RESERVATION).findFirst().orElseThrow().unit());
    }
}
