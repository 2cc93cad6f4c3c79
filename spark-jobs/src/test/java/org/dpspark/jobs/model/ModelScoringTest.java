package org.dpspark.jobs.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dpspark.core.model.DpModel;
import org.dpspark.jobs.SparkTestSession;
import org.dpspark.jobs.ml.DpLinearRegressionModel;
import org.dpspark.jobs.ml.DpLogisticRegressionModel;
import org.dpspark.jobs.ml.DpModels;
import org.dpspark.jobs.ml.DpMultilayerPerceptronClassificationModel;
import org.dpspark.jobs.ml.DpPredictionModel;
import org.dpspark.jobs.ml.PrivacyGuarantee;
import org.dpspark.jobs.ml.RawScorer;
import org.dpspark.jobs.provenance.LedgerReceipt;
import org.dpspark.jobs.provenance.ModelProvenance;
import org.dpspark.jobs.provenance.ProvenanceFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dp-train model as an MLlib model: the committed MLlib format-1 sample still loads, format 2 keeps the
 * provenance, each kind maps to its MLlib model, and raw input scored through the feature spec gives dp-core's
 * predictions.
 */
class ModelScoringTest {
    private static final Configuration CONF = new Configuration();
    private static SparkSession spark;

    @TempDir Path dir;

    @BeforeAll
    static void start() {
        spark = SparkTestSession.start("ModelScoringTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void mllibV1Sample_loadsWithItsParametersAndGuarantee() {
        DpLogisticRegressionModel m = DpLogisticRegressionModel.load(SavedModelTest.sample("mllib-v1"));
        assertArrayEquals(new double[] {1.1966296442033881, -0.7545523772522044, 0.3223710195596859,
            -0.09934475690526241}, m.parameters(), 0.0);
        PrivacyGuarantee g = m.privacyGuarantee();
        assertEquals(1.9999946133230149, g.epsilon(), 0.0);
        assertEquals(1e-5, g.delta(), 0.0);
        assertEquals(1.1924959911606017, g.noiseMultiplier(), 0.0);
        assertEquals(10, g.steps());
        assertEquals("mllib-v1-sample", g.jobId());
        assertTrue(g.insecureTestSeed());
        assertEquals(-1, g.ledgerCommitSeq());
        ModelProvenance p = m.provenance();
        assertTrue(p.claim().insecureTestRun());
        assertEquals(200, p.data().rows());
        assertEquals(3, p.data().dimension());
        assertNull(p.createdAt());
        assertFalse(p.ledger().isRecorded());
    }

    @Test
    void mllibModel_savedAndLoaded_keepsItsProvenanceExactly() throws Exception {
        ModelProvenance prov = ProvenanceFixtures.provenance(5, ProvenanceFixtures.receipt());
        DpPredictionModel<?> m = DpModels.of(ModelSpec.softmax(5, 3), params(18), prov);
        String path = dir.resolve("mllib").toString();
        m.save(path);
        DpLogisticRegressionModel back = DpLogisticRegressionModel.load(path);
        assertEquals(prov, back.provenance());
        assertArrayEquals(m.parameters(), back.parameters(), 0.0);
        assertEquals(m.uid(), back.uid());
        try (Stream<Path> files = Files.list(dir.resolve("mllib").resolve("metadata"))) {
            String meta = Files.readString(files.filter(f -> f.getFileName().toString().startsWith("part-"))
                    .findFirst().orElseThrow());
            assertTrue(meta.contains("\"format_version\":2"), meta);
            assertFalse(meta.contains("\"privacy\""), meta);
        }
    }

    @Test
    void eachKind_becomesItsMllibModel() {
        ModelProvenance prov = ProvenanceFixtures.provenance(5, LedgerReceipt.none("insecure test run"));
        assertInstanceOf(DpLogisticRegressionModel.class, DpModels.of(saved(ModelSpec.binaryLogistic(5), 6, prov)));
        assertInstanceOf(DpLogisticRegressionModel.class, DpModels.of(saved(ModelSpec.softmax(5, 3), 18, prov)));
        assertInstanceOf(DpLinearRegressionModel.class, DpModels.of(saved(ModelSpec.linear(5, 0, 1), 6, prov)));
        DpPredictionModel<?> mlp = DpModels.of(saved(ModelSpec.mlp(5, new int[] {4}, "relu", 2), 34, prov));
        assertInstanceOf(DpMultilayerPerceptronClassificationModel.class, mlp);
        assertEquals(prov, mlp.provenance());
    }

    @Test
    void rawInput_scoredThroughTheFeatureSpec_givesDpCorePredictions() {
        SavedModel m = SavedModel.read(CONF, SavedModelTest.sample("v1/mlp"));
        List<double[]> encoded = new ArrayList<>();
        Dataset<Row> raw = smallRaw(60, 3, encoded, false);
        List<Row> rows = new RawScorer(m).score(raw).collectAsList();
        DpModel math = m.spec().create();
        double[] params = m.params();
        assertEquals(60, rows.size());
        for (int i = 0; i < rows.size(); i++) {
            double[] expected = new double[2];
            math.predict(params, encoded.get(i), 0, expected);
            Vector p = rows.get(i).getAs("probability");
            assertArrayEquals(expected, p.toArray(), 1e-12, "row " + i);
            assertEquals(expected[1] > expected[0] ? 1.0 : 0.0, rows.get(i).<Double>getAs("prediction"), 0.0);
            assertInstanceOf(String.class, rows.get(i).getAs("a")); // the input's columns are kept as they were
        }
    }

    @Test
    void binaryLogistic_probabilityIsDpCoresSigmoidOfTheMargin() {
        SavedModel m = SavedModel.read(CONF, SavedModelTest.sample("v1/logistic"));
        SplittableRandom r = new SplittableRandom(9);
        StructType schema = new StructType();
        for (int j = 0; j < 20; j++) {
            schema = schema.add("x" + j, DataTypes.DoubleType);
        }
        List<Row> input = new ArrayList<>();
        List<double[]> encoded = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            Object[] v = new Object[20];
            double[] x = new double[20];
            for (int j = 0; j < 20; j++) {
                double value = r.nextDouble(-1, 1);
                v[j] = value;
                x[j] = (value + 1) / 2; // scale to [0, 1] from the spec's bounds [-1, 1]
            }
            input.add(RowFactory.create(v));
            encoded.add(x);
        }
        List<Row> rows = new RawScorer(m).score(spark.createDataFrame(input, schema)).collectAsList();
        DpModel math = m.spec().create();
        for (int i = 0; i < rows.size(); i++) {
            double[] expected = new double[2];
            math.predict(m.params(), encoded.get(i), 0, expected);
            Vector p = rows.get(i).getAs("probability");
            assertArrayEquals(expected, p.toArray(), 1e-12, "row " + i);
        }
    }

    @Test
    void linearModel_scoresTheDpCoreValue() {
        ModelProvenance prov = ProvenanceFixtures.provenance(5, LedgerReceipt.none("insecure test run"));
        SavedModel m = saved(ModelSpec.linear(5, -10, 10), 6, prov);
        List<double[]> encoded = new ArrayList<>();
        List<Row> rows = new RawScorer(m).score(smallRaw(20, 4, encoded, true)).collectAsList();
        DpModel math = m.spec().create();
        for (int i = 0; i < rows.size(); i++) {
            double[] expected = new double[1];
            math.predict(m.params(), encoded.get(i), 0, expected);
            assertEquals(expected[0], rows.get(i).<Double>getAs("prediction"), 1e-12);
        }
    }

    @Test
    void missingFeatureColumn_isRefusedNamingIt() {
        SavedModel m = SavedModel.read(CONF, SavedModelTest.sample("v1/mlp"));
        Dataset<Row> raw = smallRaw(5, 5, new ArrayList<>(), false).drop("color");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RawScorer(m).score(raw));
        assertEquals("input does not match the model's feature spec 'small-mlp': column 'color': missing from the "
                + "input (columns found: 'a', 'b')", e.getMessage());
    }

    private static SavedModel saved(ModelSpec spec, int numParams, ModelProvenance prov) {
        return new SavedModel(spec, params(numParams), SavedModelTest.smallSpec(), prov);
    }

    static double[] params(int n) {
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = Math.cos(3.0 * i + 1) / 2;
        }
        return p;
    }

    /**
     * Rows of a (string, as CSV gives it), b (double) and color, without a label (unless {@code withLabel}); the
     * spec's encoding of each row, computed here by hand, goes to {@code encoded}. Some values lie outside the
     * bounds (clipped) and some colors outside the vocabulary (all-zero block).
     */
    static Dataset<Row> smallRaw(int n, long seed, List<double[]> encoded, boolean withLabel) {
        SplittableRandom r = new SplittableRandom(seed);
        String[] colors = {"red", "green", "blue", "purple"};
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double a = Math.round(r.nextDouble(-1, 11) * 1000) / 1000.0;
            double b = r.nextDouble(-6, 6);
            int c = r.nextInt(4);
            double[] x = new double[5];
            x[0] = Math.min(1, Math.max(0, a / 10));
            x[1] = Math.min(1, Math.max(0, (Math.min(5, Math.max(-5, b)) + 5) / 10));
            if (c < 3) {
                x[2 + c] = 1;
            }
            encoded.add(x);
            rows.add(withLabel ? RowFactory.create(Double.toString(a), b, colors[c], 0)
                    : RowFactory.create(Double.toString(a), b, colors[c]));
        }
        StructType schema = new StructType().add("a", DataTypes.StringType).add("b", DataTypes.DoubleType)
                .add("color", DataTypes.StringType);
        if (withLabel) {
            schema = schema.add("y", DataTypes.IntegerType);
        }
        return spark.createDataFrame(rows, schema);
    }
}
