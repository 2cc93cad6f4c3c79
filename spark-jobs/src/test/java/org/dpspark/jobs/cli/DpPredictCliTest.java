package org.dpspark.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dpspark.core.model.DpModel;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.spec.LabelSpec;
import org.dpspark.datasets.spec.NumericFeature;
import org.dpspark.datasets.spec.OneHotFeature;
import org.dpspark.jobs.SparkTestSession;
import org.dpspark.jobs.model.ModelSpec;
import org.dpspark.jobs.model.SavedModel;
import org.dpspark.jobs.provenance.DataProvenance;
import org.dpspark.jobs.provenance.LedgerReceipt;
import org.dpspark.jobs.provenance.ModelProvenance;
import org.dpspark.jobs.provenance.PrivacyClaim;
import org.dpspark.jobs.provenance.TrainerProvenance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dp-predict in process on local[2]: no training; models written with known parameters, predictions from dp-core. */
class DpPredictCliTest {
    private static final Configuration CONF = new Configuration();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final FeatureSpec SPEC = new FeatureSpec("small", List.of(NumericFeature.scale("a", 0, 10),
            NumericFeature.scale("b", -5, 5), new OneHotFeature("color", List.of("red", "green", "blue"))),
            LabelSpec.numeric("y"));
    private static SparkSession spark;

    @TempDir Path dir;

    @BeforeAll
    static void start() {
        spark = SparkTestSession.start("DpPredictCliTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static ModelProvenance provenance() {
        PrivacyClaim claim = new PrivacyClaim(1.25, 1e-5, "pld", 1.5, 1.25, "row", "add/remove one row", "poisson",
                0.01, 1.1, 1.0, 500, true, 1.25, false);
        return new ModelProvenance("predict-test-job", "dev", java.time.Instant.parse("2026-12-06T00:00:00Z"), claim,
                new DataProvenance("/data/x.csv", "csv", "sha256:00", 10000, "small", 5),
                new TrainerProvenance(TrainerProvenance.DP_SGD, "sgd", null, "constant", 5, 100, 0.5, "barrier",
                        true), LedgerReceipt.none("no ledger: explicit opt-out"));
    }

    private String model(ModelSpec spec, double[] params) {
        String path = dir.resolve("model-" + spec.kind()).toString();
        new SavedModel(spec, params, SPEC, provenance()).write(CONF, path, false);
        return path;
    }

    private static double[] params(int n) {
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = Math.sin(2.0 * i + 0.5);
        }
        return p;
    }

    /** A CSV of id, a, b, color, secret (and no label); the spec's encoding of each row by id into {@code x}. */
    private Path csv(int n, Map<String, double[]> x) throws IOException {
        SplittableRandom r = new SplittableRandom(5);
        String[] colors = {"red", "green", "blue", "other"};
        List<String> lines = new ArrayList<>();
        lines.add("id,a,b,color,secret");
        for (int i = 0; i < n; i++) {
            double a = Math.round(r.nextDouble(0, 10) * 1000) / 1000.0;
            double b = Math.round(r.nextDouble(-5, 5) * 1000) / 1000.0;
            int c = r.nextInt(4);
            double[] e = {a / 10, (b + 5) / 10, 0, 0, 0};
            if (c < 3) {
                e[2 + c] = 1;
            }
            x.put("r" + i, e);
            lines.add("r" + i + "," + a + "," + b + "," + colors[c] + ",s" + i);
        }
        Path f = dir.resolve("in.csv");
        Files.write(f, lines);
        return f;
    }

    @Test
    void binaryModel_scoresCsv_probabilityAndPredictionEqualDpCore() throws IOException {
        ModelSpec spec = ModelSpec.binaryLogistic(5);
        double[] params = params(6);
        Map<String, double[]> x = new HashMap<>();
        Path in = csv(50, x);
        String out = dir.resolve("scores").toString();
        CliRun run = CliRun.capture(DpPredict::run, "--model", model(spec, params), "--input", in.toString(),
                "--format", "csv", "--output", out, "--keep-cols", "id", "--master", "local[2]");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("dp-predict: scored 50 rows to " + out), run.out());
        assertTrue(run.out().contains("epsilon = 1.2500 at delta = 1.00e-05, job predict-test-job"), run.out());
        List<Row> rows = spark.read().parquet(out).collectAsList();
        assertEquals(List.of("id", "prediction", "probability"), List.of(spark.read().parquet(out).columns()));
        DpModel math = spec.create();
        for (Row row : rows) {
            double[] p = new double[2];
            math.predict(params, x.get(row.getString(0)), 0, p);
            assertEquals(p[1], row.getDouble(2), 1e-12);
            assertEquals(p[1] > p[0] ? 1.0 : 0.0, row.getDouble(1), 0.0);
        }
    }

    @Test
    void multiclassModel_toCsv_writesTheProbabilitiesAsJsonArrays() throws IOException {
        ModelSpec spec = ModelSpec.mlp(5, new int[] {4}, "tanh", 3);
        double[] params = params(5 * 4 + 4 + 4 * 3 + 3);
        Map<String, double[]> x = new HashMap<>();
        Path in = csv(30, x);
        String out = dir.resolve("scores-csv").toString();
        CliRun run = CliRun.capture(DpPredict::run, "--model", model(spec, params), "--input", in.toString(),
                "--format", "csv", "--output", out, "--output-format", "csv", "--keep-cols", "id,a");
        assertEquals(0, run.code(), run.err());
        List<Row> rows = spark.read().option("header", "true").csv(out).collectAsList();
        assertEquals(30, rows.size());
        DpModel math = spec.create();
        for (Row row : rows) {
            double[] p = new double[3];
            math.predict(params, x.get(row.getString(0)), 0, p);
            double[] got = JSON.readValue(row.getString(3), double[].class);
            assertArrayEquals(p, got, 1e-12);
        }
    }

    @Test
    void table_isScored_andOnlyKeptColumnsAreCopied() throws IOException {
        Path in = csv(20, new HashMap<>());
        spark.read().option("header", "true").csv(in.toString()).createOrReplaceTempView("to_score");
        String out = dir.resolve("scores-table").toString();
        CliRun run = CliRun.capture(DpPredict::run, "--model", model(ModelSpec.linear(5, -1, 1), params(6)),
                "--table", "to_score", "--output", out);
        assertEquals(0, run.code(), run.err());
        assertEquals(List.of("prediction"), List.of(spark.read().parquet(out).columns()));
        assertEquals(20, spark.read().parquet(out).count());
    }

    @Test
    void badInput_exitsTwoWithOneLineNamingTheFlag() throws IOException {
        String m = model(ModelSpec.binaryLogistic(5), params(6));
        Path in = csv(5, new HashMap<>());
        String out = dir.resolve("o").toString();
        assertBad("--model is required", "--input", in.toString(), "--format", "csv", "--output", out);
        assertBad("exactly one of --input and --table", "--model", m, "--output", out);
        assertBad("--format is required", "--model", m, "--input", in.toString(), "--output", out);
        assertBad("--output-format must be parquet or csv", "--model", m, "--input", in.toString(), "--format", "csv",
                "--output", out, "--output-format", "json");
        assertBad("--model: ", "--model", dir.resolve("none").toString(), "--input", in.toString(), "--format", "csv",
                "--output", out);
        assertBad("--input " + dir.resolve("nope.csv") + " does not exist", "--model", m, "--input",
                dir.resolve("nope.csv").toString(), "--format", "csv", "--output", out);
        assertBad("--keep-cols: column 'zzz' is not in the input", "--model", m, "--input", in.toString(), "--format",
                "csv", "--output", out, "--keep-cols", "zzz");
        assertBad("--keep-cols: 'prediction' is an output column", "--model", m, "--input", in.toString(),
                "--format", "csv", "--output", out, "--keep-cols", "prediction");
        assertBad("--output " + m + " already exists", "--model", m, "--input", in.toString(), "--format", "csv",
                "--output", m);
        assertFalse(Files.exists(Path.of(out)));
    }

    @Test
    void inputWithoutAFeatureColumn_exitsTwoNamingTheColumn() throws IOException {
        String m = model(ModelSpec.binaryLogistic(5), params(6));
        Path in = dir.resolve("no-color.csv");
        Files.write(in, List.of("a,b", "1,2"));
        String out = dir.resolve("o2").toString();
        CliRun run = assertBad("column 'color': missing from the input", "--model", m, "--input", in.toString(),
                "--format", "csv", "--output", out);
        assertFalse(Files.exists(Path.of(out)), run.err());
    }

    @Test
    void truncatedGzipInput_exitsTwoWithOneLineNamingTheFile_noOutput() throws IOException {
        String m = model(ModelSpec.binaryLogistic(5), params(6));
        byte[] csv = Files.readAllBytes(csv(400, new HashMap<>()));
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(gz)) {
            z.write(csv);
        }
        Path in = dir.resolve("cut.csv.gz");
        Files.write(in, java.util.Arrays.copyOf(gz.toByteArray(), gz.size() / 2));
        String out = dir.resolve("o3").toString();
        CliRun run = assertBad(in.getFileName().toString(), "--model", m, "--input", in.toString(), "--format", "csv",
                "--output", out);
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().startsWith("dp-predict: error: "), run.err());
        assertFalse(Files.exists(Path.of(out)), run.err());
    }

    private static CliRun assertBad(String expected, String... args) {
        CliRun run = CliRun.capture(DpPredict::run, args);
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains(expected), run.err());
        assertFalse(run.err().contains("\tat "), run.err()); // no stack trace for bad input
        return run;
    }
}
