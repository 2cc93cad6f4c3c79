package org.dpspark.jobs.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dpspark.accountant.ledger.EntryType;
import org.dpspark.accountant.ledger.LedgerEntry;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.dpspark.datasets.DataReader;
import org.dpspark.datasets.InputFormat;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.spec.RowEncoder;
import org.dpspark.jobs.SparkTestSession;
import org.dpspark.jobs.cli.DpTrain;
import org.dpspark.jobs.model.SavedModel;
import org.dpspark.jobs.provenance.PrivacyClaim;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dp-train and the MLlib estimators are one run: on the same rows (dp-train reads a CSV through its feature spec;
 * the estimator gets the same rows already encoded as vectors, in the same partition and order), with the same
 * parameters and the same insecure test seed, they give the same model to the bit, the same privacy claim and
 * the same ledger charge. dp-train runs one Spark job per step and the fit one barrier stage, so the test also
 * holds the step modes to their promise of the same model.
 */
class OneRunEquivalenceTest {
    private static final String SPEC = "{\"format_version\":1,\"name\":\"t\",\"label\":{\"column\":\"label\"},"
            + "\"features\":[{\"column\":\"a\",\"encoding\":\"scale\",\"min\":-1,\"max\":1},"
            + "{\"column\":\"b\",\"encoding\":\"scale\",\"min\":-1,\"max\":1},"
            + "{\"column\":\"c\",\"encoding\":\"scale\",\"min\":-1,\"max\":1}]}";
    private static final long SEED = 20261206L;
    private static SparkSession spark;

    @TempDir Path dir;

    @BeforeAll
    static void start() {
        spark = SparkTestSession.start("OneRunEquivalenceTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private Path csv(int n) throws IOException {
        SplittableRandom r = new SplittableRandom(7);
        List<String> lines = new ArrayList<>();
        lines.add("a,b,label,c");
        for (int i = 0; i < n; i++) {
            double a = r.nextDouble(-1.2, 1.2);
            double b = r.nextDouble(-1, 1);
            double c = r.nextDouble(-1, 1);
            int y = r.nextDouble() < 1 / (1 + Math.exp(-(3 * a - 2 * b + c))) ? 1 : 0;
            lines.add(String.format(Locale.ROOT, "%.5f,%.5f,%d,%.5f", a, b, y, c));
        }
        Path p = dir.resolve("train.csv");
        Files.write(p, lines, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("spec.json"), SPEC);
        return p;
    }

    /** The CSV's rows encoded by the spec into (features, label), partition by partition, order kept. */
    private static Dataset<Row> encoded(Path csv) {
        Dataset<Row> raw = DataReader.read(spark, csv.toString(), InputFormat.CSV);
        FeatureSpec spec = FeatureSpec.fromJson(SPEC);
        RowEncoder enc = new RowEncoder(spec, raw.schema());
        JavaRDD<Row> rows = raw.javaRDD().map(row -> {
            double[] x = new double[enc.dimension()];
            double y = enc.encodeInto(row, x, 0);
            return RowFactory.create(Vectors.dense(x), y);
        });
        StructType schema = new StructType().add("features", new VectorUDT(), false)
                .add("label", DataTypes.DoubleType, false);
        return spark.createDataFrame(rows, schema);
    }

    private static LedgerEntry commitOf(PrivacyLedger ledger, String dataset, String job) {
        return ledger.state(dataset).entries().stream()
                .filter(e -> e.type() == EntryType.COMMIT && job.equals(e.jobId())).findFirst().orElseThrow();
    }

    private void assertSameRun(List<String> modelFlags, DpEstimator<?, ?> estimator) throws IOException {
        Path train = csv(3000);
        Path ledgerDir = dir.resolve("ledger");
        org.dpspark.jobs.ledger.TestLedgers.init(ledgerDir); // ledgers are created only on purpose
        Path out = dir.resolve("model");
        List<String> args = new ArrayList<>(List.of("--input", train.toString(), "--format", "csv",
                "--spec", dir.resolve("spec.json").toString(), "--epsilon", "3", "--delta", "1e-5",
                "--epochs", "2", "--batch-size", "100", "--clip-norm", "0.8", "--learning-rate", "0.7",
                "--partitions", "1", "--step-mode", "job", "--ledger", ledgerDir.toString(),
                "--dataset-id", "equivalence", "--job-id", "cli", "--insecure-test-seed", Long.toString(SEED),
                "--output", out.toString()));
        args.addAll(modelFlags);
        assertEquals(0, DpTrain.run(args.toArray(String[]::new)));
        SavedModel saved = SavedModel.read(new org.apache.hadoop.conf.Configuration(), out.toString());

        Dataset<Row> df = encoded(train);
        assertEquals(1, df.rdd().getNumPartitions());
        estimator.setEpsilon(3).setDelta(1e-5).setEpochs(2).setBatchSize(100).setClipNorm(0.8).setLearningRate(0.7)
                .setNumPartitions(1).setLedger(ledgerDir.toString()).setDatasetId("equivalence").setJobId("mllib");
        estimator.setInsecureTestSeedForTestsOnly(SEED);
        DpPredictionModel<?> fitted = estimator.fit(df);

        assertArrayEquals(saved.params(), fitted.parameters(), 0.0, "dp-train and fit must give the same model");
        assertEquals(saved.spec(), fitted.modelSpec());
        // The whole privacy claim, field by field (epsilon by both accountants, q, sigma, C, T, the insecure mark).
        PrivacyClaim claim = fitted.provenance().claim();
        assertEquals(saved.provenance().claim(), claim);
        assertTrue(claim.insecureTestRun());
        assertEquals(saved.provenance().data().fingerprint(), fitted.provenance().data().fingerprint(),
                "the same encoded rows");
        // dp-train ran one Spark job per step, the fit one barrier stage: the step mode is a speed choice only.
        assertEquals("job", saved.provenance().trainer().stepMode());
        assertEquals("barrier", fitted.provenance().trainer().stepMode());
        assertEquals(saved.provenance().trainer(), new org.dpspark.jobs.provenance.TrainerProvenance(
                fitted.provenance().trainer().trainer(), fitted.provenance().trainer().optimizer(),
                fitted.provenance().trainer().momentum(), fitted.provenance().trainer().lrSchedule(),
                fitted.provenance().trainer().epochs(), fitted.provenance().trainer().batchSize(),
                fitted.provenance().trainer().learningRate(), "job", fitted.provenance().trainer().dpLossTracking(),
                null, null, null, fitted.provenance().trainer().precision()));
        assertEquals("float64", fitted.provenance().trainer().precision());

        PrivacyLedger ledger = PrivacyLedger.open(ledgerDir.toUri().toString(), new org.apache.hadoop.conf.Configuration());
        LedgerEntry cli = commitOf(ledger, "equivalence", "cli");
        LedgerEntry fit = commitOf(ledger, "equivalence", "mllib");
        assertEquals(cli.events(), fit.events());
        assertEquals(cli.epsilon(), fit.epsilon());
        assertEquals(cli.delta(), fit.delta());
        assertEquals(claim.epsilon(), fit.epsilon(), 0.0);
        assertEquals(cli.seq(), saved.provenance().ledger().commitSeq());
        assertEquals(fit.seq(), fitted.provenance().ledger().commitSeq());
    }

    @Test
    void logistic_dpTrainAndFit_sameModelClaimAndCharge() throws IOException {
        assertSameRun(List.of("--model", "logistic"), new DpLogisticRegression());
    }

    @Test
    void mlp_dpTrainAndFit_sameModelClaimAndCharge() throws IOException {
        assertSameRun(List.of("--model", "mlp", "--hidden", "8", "--activation", "tanh"),
                new DpMultilayerPerceptronClassifier().setHiddenLayers(8).setActivation("tanh").setNumClasses(2));
    }

    @Test
    void setters_returnTheConcreteType() {
        DpLogisticRegression lr = new DpLogisticRegression().setEpsilon(1).setNumClasses(3);
        assertEquals(3, lr.getNumClasses());
        assertEquals(1.0, lr.getEpsilon());
        assertTrue(Arrays.asList(lr.params()).stream().noneMatch(p -> p.name().toLowerCase(Locale.ROOT).contains("seed")),
                "the insecure seed is not a Param");
    }
}
