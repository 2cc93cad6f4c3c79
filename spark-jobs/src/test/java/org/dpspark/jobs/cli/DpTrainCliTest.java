package org.dpspark.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.dpspark.accountant.pld.PldAccountant;
import org.dpspark.jobs.SparkTestSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dp-train end to end on local[2]: a CSV run, every kind of bad input, and the Adult acceptance run. */
class DpTrainCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SPEC = "{\"format_version\":1,\"name\":\"t\",\"label\":{\"column\":\"label\"},"
            + "\"features\":[{\"column\":\"a\",\"encoding\":\"scale\",\"min\":-1,\"max\":1},"
            + "{\"column\":\"b\",\"encoding\":\"scale\",\"min\":-1,\"max\":1},"
            + "{\"column\":\"c\",\"encoding\":\"scale\",\"min\":-1,\"max\":1}]}";
    private static SparkSession spark;

    @TempDir Path dir;

    @BeforeAll
    static void start() {
        spark = SparkTestSession.start("DpTrainCliTest");
        org.dpspark.jobs.ledger.TestLedgers.initDefault(); // dp-train's default ledger ($DPSPARK_LEDGER) must exist
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** Rows of a, b, c in [-1, 1] and a label from a logistic model with weights (3, -2, 1). */
    private static List<String> csvRows(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<String> lines = new ArrayList<>();
        lines.add("a,b,label,c");
        for (int i = 0; i < n; i++) {
            double a = r.nextDouble(-1, 1);
            double b = r.nextDouble(-1, 1);
            double c = r.nextDouble(-1, 1);
            double p = 1 / (1 + Math.exp(-(3 * a - 2 * b + c)));
            int y = r.nextDouble() < p ? 1 : 0;
            lines.add(String.format(Locale.ROOT, "%.5f,%.5f,%d,%.5f", a, b, y, c));
        }
        return lines;
    }

    private Path write(String name, List<String> lines) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, lines, StandardCharsets.UTF_8);
        return p;
    }

    private static CliRun run(String... args) {
        return CliRun.capture(DpTrain::run, args);
    }

    private List<String> trainArgs(Path input, String... more) throws IOException {
        Path spec = dir.resolve("spec.json");
        if (!Files.exists(spec)) {
            Files.writeString(spec, SPEC);
        }
        List<String> a = new ArrayList<>(List.of(
                "--input", input.toString(), "--format", "csv", "--spec", spec.toString(),
                "--epsilon", "2", "--epochs", "2", "--batch-size", "100",
                "--output", dir.resolve("model").toString(), "--report", dir.resolve("r.json").toString()));
        a.addAll(List.of(more));
        return a;
    }

    private void assertNothingWritten() throws IOException {
        assertFalse(Files.exists(dir.resolve("model")), "a model was written");
        assertFalse(Files.exists(dir.resolve("r.json")), "a report was written");
        assertFalse(Files.exists(dir.resolve("r.html")), "an HTML report was written");
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".tmp-")), "temporary output left behind");
        }
    }

    @Test
    void csvWithEval_writesModelAndReport_withTheAccountantsEpsilon() throws IOException {
        Path train = write("train.csv", csvRows(4000, 1));
        Path eval = write("eval.csv", csvRows(1000, 2));
        List<String> args = trainArgs(train, "--eval-input", eval.toString());
        CliRun r = run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("epsilon = "), r.out());

        JsonNode rep = JSON.readTree(dir.resolve("r.json").toFile());
        assertEquals(3, rep.get("format_version").asInt());
        JsonNode priv = rep.get("privacy");
        double q = 100.0 / 4000;
        assertEquals(q, priv.get("sampling_rate").asDouble(), 1e-15);
        assertEquals(80, priv.get("steps").asLong());
        RdpAccountant acc = new RdpAccountant();
        acc.compose(new DpEvent(q, priv.get("noise_multiplier").asDouble(), 80));
        PldAccountant pld = new PldAccountant();
        pld.compose(new DpEvent(q, priv.get("noise_multiplier").asDouble(), 80));
        // Both epsilons listed; the smaller (PLD for DP-SGD) claimed, at most the target, and named.
        assertEquals(acc.epsilon(1e-5), priv.at("/rdp_epsilon").asDouble(), 0.0);
        assertEquals(pld.epsilon(1e-5), priv.at("/pld_epsilon").asDouble(), 0.0);
        assertEquals(pld.epsilon(1e-5), priv.get("epsilon").asDouble(), 0.0);
        assertTrue(priv.get("epsilon").asDouble() <= 2.0);
        assertTrue(acc.epsilon(1e-5) > 2.0, "sigma calibrated by PLD, so RDP's bound is above the target");
        assertEquals("pld", priv.get("accountant").asText());
        assertEquals(4000, rep.at("/data/rows").asLong());
        assertTrue(rep.at("/data/fingerprint").asText().startsWith("rows-v1:"), rep.at("/data/fingerprint").asText());
        assertEquals(2, rep.at("/training/loss_per_epoch").size());
        // sigma * B / (s * qN * sqrt(steps per epoch)) with the default loss share 0.2 and bound 5.
        double sigma = priv.get("noise_multiplier").asDouble();
        assertEquals(sigma * 5 / (0.2 * 100 * Math.sqrt(40)), rep.at("/training/loss_noise_std_per_epoch/1").asDouble(), 1e-12);
        assertTrue(rep.at("/training/millis_per_step").asDouble() > 0);
        assertEquals("barrier", rep.at("/training/step_mode").asText(), "the default step mode on local mode");
        assertTrue(rep.at("/evaluation/accuracy").asDouble() > 0.7, rep.toString());
        assertTrue(rep.at("/evaluation/auc").asDouble() > 0.75, rep.toString());
        assertFalse(rep.toString().toLowerCase(Locale.ROOT).contains("seed"), "the report mentions a seed");
        // report format 3: the epsilon curve ends at the claim's epsilons; the confusion matrix counts every eval row.
        assertEquals(priv.get("pld_epsilon").asDouble(), priv.at("/epsilon_curve/pld/50").asDouble(), 0.0);
        assertEquals(80, priv.at("/epsilon_curve/steps/50").asLong());
        long counted = 0;
        for (JsonNode row : rep.at("/evaluation/confusion_matrix/counts")) {
            for (JsonNode c : row) {
                counted += c.asLong();
            }
        }
        assertEquals(1000, counted);
        assertEquals(1000, rep.at("/evaluation/calibration/bins").findValues("count").stream()
                .mapToLong(JsonNode::asLong).sum());
        // report.html beside it (--report r.json: r.html), every shown value the JSON's.
        String html = Files.readString(dir.resolve("r.html"));
        org.dpspark.jobs.report.html.PageChecks.savePage("dp-train-report.html", html);
        assertEquals(List.of("loss", "epsilon", "confusion", "calibration"),
                org.dpspark.jobs.report.html.PageChecks.chartsWithTheirSeries(html));
        assertTrue(org.dpspark.jobs.report.html.PageChecks.valuesMatch(html, rep) > 100);
        org.dpspark.jobs.report.html.PageChecks.selfContained(html);
        try {
            assertEquals(List.of(), org.dpspark.jobs.report.html.PageChecks.inBrowser(dir.resolve("r.html"), rep,
                    rep.get("job_id").asText(), java.util.Map.of(
                            "loss", List.of("DP loss estimate", "noise band (2 std)"),
                            "epsilon", List.of("RDP", "PLD", "budget"),
                            "confusion", List.of("predicted 0", "predicted 1"),
                            "calibration", List.of("model", "perfect calibration")), 100));
        } catch (Exception e) {
            throw new AssertionError(e);
        }

        org.dpspark.jobs.model.SavedModel model = org.dpspark.jobs.model.SavedModel.read(
                new org.apache.hadoop.conf.Configuration(), dir.resolve("model").toString());
        double[] w = model.params();
        assertEquals(4, w.length, "3 weights and the intercept");
        // The true weights are (3, -2, 1): signs must be learned.
        assertTrue(w[0] > 0 && w[1] < 0, java.util.Arrays.toString(w));
        // The model answers for itself: the claim, the data and the ledger entry, without the report.
        assertEquals(priv.get("epsilon").asDouble(), model.provenance().claim().epsilon(), 0.0);
        assertEquals(rep.at("/data/fingerprint").asText(), model.provenance().data().fingerprint());
        assertEquals(rep.at("/ledger/commit_seq").asLong(), model.provenance().ledger().commitSeq());

        // Publishing again without --overwrite is refused before any work.
        CliRun again = run(args.toArray(String[]::new));
        assertEquals(ExitCode.BAD_INPUT.code(), again.code());
        assertTrue(again.err().contains("--output") && again.err().contains("already exists"), again.err());
    }

    /**
     * --block-storage disk under the insecure test seed: the same model to the bit as in memory (a step gathers the
     * same doubles), the report's storage section says what the steps read, and no block file is left.
     */
    @Test
    void blockStorageDisk_sameModelBitForBit_andTheReportSaysWhatTheStepsRead() throws IOException {
        Path train = write("train.csv", csvRows(3000, 8));
        JsonNode[] models = new JsonNode[2];
        JsonNode report = null;
        String[] storages = {"memory", "disk"};
        for (int i = 0; i < 2; i++) {
            List<String> a = trainArgs(train, "--insecure-test-seed", "3", "--unbudgeted",
                    "--block-storage", storages[i], "--partitions", "3");
            int eps = a.indexOf("--epsilon"); // a seeded run has a noise multiplier, not a calibrated epsilon
            a.set(eps, "--noise-multiplier");
            a.set(eps + 1, "1.0");
            a.set(a.indexOf("--output") + 1, dir.resolve("model-" + storages[i]).toString());
            a.set(a.indexOf("--report") + 1, dir.resolve("r-" + storages[i] + ".json").toString());
            CliRun r = run(a.toArray(String[]::new));
            assertEquals(0, r.code(), r.err());
            JsonNode model = JSON.readTree(dir.resolve("model-" + storages[i]).resolve("model.json").toFile());
            models[i] = model.get("params");
            assertEquals("float64", model.at("/provenance/trainer/precision").asText(), model.toString());
            report = JSON.readTree(dir.resolve("r-" + storages[i] + ".json").toFile());
        }
        assertEquals(models[0], models[1]);
        JsonNode s = report.at("/training/storage");
        assertEquals("disk", report.at("/training/block_storage").asText());
        assertEquals("float64", report.at("/training/precision").asText());
        assertEquals(0, s.get("feature_bytes_in_memory").asLong());
        assertEquals(3000L * 3 * 8, s.get("feature_bytes").asLong());
        // the public expectation q x feature bytes (B = 100 of 3000 rows), never the realized sample sizes
        assertEquals(100 * 3 * 8, s.get("expected_sampled_row_bytes_per_step").asDouble(), 1e-9, s.toString());
        assertEquals(1.0, s.get("bytes_read_per_sampled_byte").asDouble(), 0.0, "only the sampled rows are read");
        assertFalse(s.has("sampled_row_bytes_per_step") || s.has("file_reads_per_step"), s.toString());
    }

    private void assertBadInput(List<String> lines, String[] extra, String... expectedInError) throws IOException {
        Path input = write("bad.csv", lines);
        CliRun r = run(trainArgs(input, extra).toArray(String[]::new));
        assertEquals(ExitCode.BAD_INPUT.code(), r.code(), r.err());
        String firstLine = r.err().strip().split("\n")[0];
        for (String s : expectedInError) {
            assertTrue(firstLine.contains(s), "error lacks '" + s + "': " + firstLine);
        }
        assertNothingWritten();
    }

    private static List<String> withLine(int dataRow, String line) {
        List<String> rows = csvRows(300, 3);
        rows.set(dataRow, line);
        return rows;
    }

    @Test
    void nonNumericValue_isRejectedWithColumnAndRow() throws IOException {
        assertBadInput(withLine(7, "0.1,abc,1,0.2"), new String[0], "'b'", "non-numeric", "row 7");
    }

    @Test
    void nanAndInfinity_areRejected() throws IOException {
        List<String> rows = withLine(3, "NaN,0.1,0,0.2");
        rows.set(9, "0.3,0.1,1,Infinity");
        assertBadInput(rows, new String[0], "'a'", "row 3", "'c'", "row 9");
    }

    @Test
    void labelOutsideZeroOne_isRejected() throws IOException {
        assertBadInput(withLine(5, "0.1,0.2,2,0.3"), new String[0], "'label'", "row 5");
    }

    @Test
    void missingColumn_isRejected() throws IOException {
        List<String> rows = csvRows(300, 4);
        rows.replaceAll(l -> l.substring(0, l.lastIndexOf(',')));
        assertBadInput(rows, new String[0], "'c'");
    }

    @Test
    void unknownLabelColumn_isRejected() throws IOException {
        assertBadInput(csvRows(300, 5), new String[] {"--label-col", "income"}, "'income'");
    }

    @Test
    void badFlags_areRejectedBeforeAnyWork() throws IOException {
        Path input = write("ok.csv", csvRows(300, 6));
        String[][] cases = {
            {"--noise-multiplier", "1.0"},                    // both --epsilon and --noise-multiplier
            {"--batch-size", "0"},
            {"--batch-size", "100000"},                       // larger than N
            {"--delta", "0.5"},                               // not < 1/N
            {"--clip-norm", "NaN"},
            {"--format", "xlsx"},
            {"--epochs", "-1"},
            {"--step-mode", "turbo"},
            {"--precision", "half"},
            {"--block-storage", "ssd"},
        };
        String[] flags = {"--noise-multiplier", "--batch-size", "--batch-size", "--delta", "--clip-norm", "--format", "--epochs",
            "--step-mode", "--precision", "--block-storage"};
        for (int i = 0; i < cases.length; i++) {
            List<String> a = trainArgs(input);
            int at = a.indexOf(cases[i][0]);
            if (at >= 0) {
                a.set(at + 1, cases[i][1]);
            } else {
                a.addAll(List.of(cases[i]));
            }
            CliRun r = run(a.toArray(String[]::new));
            assertEquals(ExitCode.BAD_INPUT.code(), r.code(), String.join(" ", cases[i]) + ": " + r.err());
            assertTrue(r.err().contains(flags[i]), "error does not name " + flags[i] + ": " + r.err());
            assertNothingWritten();
        }
        // float32 and disk blocks are row level: refused with the user level, naming both flags, before Spark starts
        for (String[] storage : new String[][] {{"--precision", "float32"}, {"--block-storage", "disk"}}) {
            List<String> a = trainArgs(input, storage[0], storage[1], "--privacy-unit", "user", "--user-col", "a",
                    "--max-rows-per-user", "2");
            CliRun r = run(a.toArray(String[]::new));
            assertEquals(ExitCode.BAD_INPUT.code(), r.code(), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains(storage[0]) && r.err().contains("--privacy-unit"), r.err());
            assertNothingWritten();
        }
        CliRun noInput = run("--format", "csv", "--epsilon", "1", "--output", dir.resolve("model").toString());
        assertEquals(ExitCode.BAD_INPUT.code(), noInput.code());
        assertTrue(noInput.err().contains("--input"), noInput.err());
        CliRun missingFile = run(trainArgs(dir.resolve("absent.csv")).toArray(String[]::new));
        assertEquals(ExitCode.BAD_INPUT.code(), missingFile.code());
        assertTrue(missingFile.err().contains("does not exist"), missingFile.err());
        assertNothingWritten();
    }

    /** A small IDX pair (28 x 28 images, labels beside): class 0 lights the top half, class 1 the left half. */
    private Path idx(String prefix, int n, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        java.io.ByteArrayOutputStream im = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream imOut = new java.io.DataOutputStream(im);
        imOut.writeInt(0x803);
        imOut.writeInt(n);
        imOut.writeInt(28);
        imOut.writeInt(28);
        byte[] labels = new byte[8 + n];
        java.nio.ByteBuffer.wrap(labels).putInt(0x801).putInt(n);
        for (int k = 0; k < n; k++) {
            int y = r.nextInt(2);
            labels[8 + k] = (byte) y;
            for (int i = 0; i < 28; i++) {
                for (int j = 0; j < 28; j++) {
                    boolean lit = (y == 0 ? i < 14 : j < 14) && r.nextInt(3) > 0;
                    imOut.writeByte(lit ? 128 + r.nextInt(128) : r.nextInt(20));
                }
            }
        }
        imOut.flush();
        Path images = dir.resolve(prefix + "-images-idx3-ubyte");
        Files.write(images, im.toByteArray());
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), labels);
        return images;
    }

    /**
     * --features dct:4 on MNIST-format input: the model has 16 inputs, model.json holds the transform in its
     * feature spec, and that reloaded spec, or the DCT of the scaled pixels computed here by hand, reproduces the
     * report's evaluation accuracy exactly: training, evaluation and the saved model apply the same transform.
     */
    @Test
    void mnistFeaturesDct_transformSavedWithModel_andAppliedAlikeAtTrainEvalAndReload() throws IOException {
        Path train = idx("train", 400, 1);
        Path test = idx("t10k", 200, 2);
        CliRun r = run("--input", train.toString(), "--format", "mnist", "--eval-input", test.toString(),
                "--features", "dct:4", "--model", "softmax", "--noise-multiplier", "0.5", "--epochs", "3",
                "--allow-weak-privacy", // sigma 0.5 over 24 steps at q = 0.125 claims epsilon 19, above the ceiling
                "--batch-size", "50", "--learning-rate", "0.5",
                "--output", dir.resolve("model").toString(), "--report", dir.resolve("r.json").toString());
        assertEquals(0, r.code(), r.err());
        org.dpspark.jobs.model.SavedModel model = org.dpspark.jobs.model.SavedModel.read(
                new org.apache.hadoop.conf.Configuration(), dir.resolve("model").toString());
        JsonNode rep = JSON.readTree(dir.resolve("r.json").toFile());
        assertEquals(16, model.spec().numFeatures());
        assertEquals(16, rep.at("/data/dimension").asInt());
        assertEquals("mnist+dct:4", rep.at("/data/feature_spec").asText());
        org.dpspark.datasets.spec.FeatureSpec spec = model.featureSpec();
        assertEquals(org.dpspark.datasets.spec.FeatureSpec.mnist().withFeatureTransform("dct:4"), spec);

        double[] params = model.params();
        org.dpspark.core.model.DpModel m = org.dpspark.jobs.model.ModelSpec.softmax(16, 10).create();
        org.apache.spark.api.java.JavaSparkContext jsc =
                org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext());
        org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> raw =
                org.dpspark.datasets.MnistReader.read(spark, test.toString(), 2);
        double reloaded = org.dpspark.jobs.eval.Evaluator.evaluate(jsc,
                org.dpspark.datasets.BlockPacker.pack(raw, spec), m, params).values().get("accuracy");
        assertEquals(rep.at("/evaluation/accuracy").asDouble(), reloaded, 0.0);

        org.dpspark.datasets.spec.LowPassDct dct = new org.dpspark.datasets.spec.LowPassDct(28, 28, 4);
        int correct = 0;
        List<org.apache.spark.sql.Row> rows = raw.collectAsList();
        for (org.apache.spark.sql.Row row : rows) {
            double[] px = ((org.apache.spark.ml.linalg.Vector) row.get(0)).toArray();
            for (int i = 0; i < px.length; i++) {
                px[i] /= 255.0;
            }
            double[] x = new double[16];
            dct.apply(px, 0, x, 0);
            double[] p = new double[10];
            m.predict(params, x, 0, p, new double[m.scratchSize()]);
            int best = 0;
            for (int k = 1; k < 10; k++) {
                best = p[k] > p[best] ? k : best;
            }
            correct += best == (int) row.getDouble(1) ? 1 : 0;
        }
        assertEquals(rep.at("/evaluation/accuracy").asDouble(), correct / (double) rows.size(), 1e-12);
        assertTrue(correct > rows.size() * 0.9, "the two classes differ in their lowest frequencies: " + correct);
    }

    /**
     * --features scatter:2,8 on MNIST-format input: 81 x 7 x 7 = 3969 inputs, the transform (with its 27 groups) saved
     * in model.json's spec, the evaluation reproduced by the reloaded spec; and the data's fingerprint is that of the
     * same images trained with --features dct:4 or raw: a change of transform cannot hide a dataset from the ledger.
     */
    @Test
    void mnistFeaturesScatter_savedWithModel_andTheFingerprintIsTheDataNotTheTransform() throws IOException {
        Path train = idx("train", 300, 4);
        Path test = idx("t10k", 100, 5);
        String[] common = {"--input", train.toString(), "--format", "mnist", "--eval-input", test.toString(),
            "--model", "softmax", "--noise-multiplier", "0.5", "--epochs", "2", "--allow-weak-privacy",
            "--batch-size", "50", "--learning-rate", "0.5", "--clip-norm", "0.1"};
        java.util.Map<String, String> fingerprints = new java.util.LinkedHashMap<>();
        for (String features : new String[] {"scatter:2,8", "dct:4", "raw"}) {
            Path out = dir.resolve("model-" + features.replace(':', '-').replace(',', '-'));
            List<String> a = new ArrayList<>(List.of(common));
            a.addAll(List.of("--features", features, "--output", out.toString()));
            CliRun r = run(a.toArray(String[]::new));
            assertEquals(0, r.code(), r.err());
            JsonNode rep = JSON.readTree(out.resolve("report.json").toFile());
            fingerprints.put(features, rep.at("/data/fingerprint").asText());
            if (features.startsWith("scatter")) {
                assertEquals(3969, rep.at("/data/dimension").asInt());
                assertEquals("mnist+scatter:2,8", rep.at("/data/feature_spec").asText());
                org.dpspark.jobs.model.SavedModel model = org.dpspark.jobs.model.SavedModel.read(
                        new org.apache.hadoop.conf.Configuration(), out.toString());
                org.dpspark.datasets.spec.FeatureSpec spec = model.featureSpec();
                assertEquals(new org.dpspark.datasets.spec.ScatterTransform(28, 28, 2, 8, 27),
                        ((org.dpspark.datasets.spec.VectorFeature) spec.features().get(0)).transform());
                org.apache.spark.api.java.JavaSparkContext jsc =
                        org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext());
                double reloaded = org.dpspark.jobs.eval.Evaluator.evaluate(jsc,
                        org.dpspark.datasets.BlockPacker.pack(org.dpspark.datasets.MnistReader.read(spark,
                                test.toString(), 2), spec),
                        org.dpspark.jobs.model.ModelSpec.softmax(3969, 10).create(), model.params())
                        .values().get("accuracy");
                assertEquals(rep.at("/evaluation/accuracy").asDouble(), reloaded, 0.0);
                assertTrue(reloaded > 0.9, "the two classes differ in where they are lit: " + reloaded);
            }
        }
        assertEquals(1, new java.util.HashSet<>(fingerprints.values()).size(), fingerprints.toString());
        assertTrue(fingerprints.get("raw").startsWith("rows-v1:"), fingerprints.toString());
    }

    /**
     * --format mnist without --features or --model: the ScatterNet recipe (one notice line with the values used; B =
     * 4096, 40 epochs); a number the user gives (--epochs) is kept, and --model turns the recipe off (dp-train's
     * plain defaults: B = 256).
     */
    @Test
    void imageData_getsTheScatterNetRecipe_numbersCanBeSet_andModelTurnsItOff() throws IOException {
        Path train = idx("train", 5000, 6);
        CliRun r = run("--input", train.toString(), "--format", "mnist", "--epsilon", "3", "--dry-run");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("image data: the ScatterNet recipe: --features scatter:2,8 --model softmax"
                + " --optimizer momentum --momentum 0.9 --learning-rate 8 --clip-norm 0.1 --batch-size 4096"
                + " --epochs 40 --loss-estimate off --ema-decay 0.99 (the flags you set"), r.err());
        assertTrue(r.out().contains("N = 5000, q = 0.8192, steps = 48,"), r.out());
        CliRun longer = run("--input", train.toString(), "--format", "mnist", "--epsilon", "3", "--dry-run",
                "--epochs", "80", "--learning-rate", "4", "--ema-decay", "0");
        assertEquals(0, longer.code(), longer.err());
        assertTrue(longer.err().contains("--learning-rate 4 --clip-norm 0.1 --batch-size 4096 --epochs 80"
                + " --loss-estimate off --ema-decay 0 (the flags"), longer.err());
        assertTrue(longer.out().contains("N = 5000, q = 0.8192, steps = 97,"), longer.out());
        CliRun off = run("--input", train.toString(), "--format", "mnist", "--epsilon", "3", "--dry-run",
                "--model", "mlp");
        assertEquals(0, off.code(), off.err());
        assertFalse(off.err().contains("recipe"), off.err());
        assertTrue(off.out().contains("N = 5000, q = 0.0512, steps = 195,"), off.out());
    }

    /**
     * The image recipe trains without the DP loss estimate (--loss-estimate off: the gradient gets the whole clip norm;
     * the notice, the report's loss_note and its null losses say so); --loss-estimate on brings it back, and a bad
     * value is refused in one line (exit 2), nothing written.
     */
    @Test
    void imageRecipe_turnsTheLossEstimateOff_andTheFlagBringsItBack() throws IOException {
        Path train = idx("train", 300, 9);
        String[] common = {"--input", train.toString(), "--format", "mnist", "--noise-multiplier", "0.5",
            "--allow-weak-privacy", "--epochs", "2", "--batch-size", "50"};
        Path offDir = dir.resolve("model-off");
        List<String> a = new ArrayList<>(List.of(common));
        a.addAll(List.of("--output", offDir.toString()));
        CliRun off = run(a.toArray(String[]::new));
        assertEquals(0, off.code(), off.err());
        assertTrue(off.err().contains("--batch-size 50 --epochs 2 --loss-estimate off --ema-decay 0.99 (the flags you"
                + " set"), off.err());
        JsonNode rep = JSON.readTree(offDir.resolve("report.json").toFile());
        assertTrue(rep.at("/training/loss_note").asText().startsWith("loss tracking disabled (dp-train --loss-estimate"
                + " off"), rep.toString());
        assertEquals(0.99, rep.at("/training/ema_decay").asDouble(), 0.0, "the recipe releases the EMA");
        assertEquals(2, rep.at("/training/loss_per_epoch").size());
        assertTrue(rep.at("/training/loss_per_epoch/0").isNull() && rep.at("/training/loss_per_epoch/1").isNull(),
                rep.at("/training/loss_per_epoch").toString());
        String html = Files.readString(offDir.resolve("report.html"));
        assertFalse(html.contains("data-series=\"DP loss estimate"), "no chart of null losses");
        assertTrue(html.contains("loss tracking disabled"), "the note says why");

        Path onDir = dir.resolve("model-on");
        a = new ArrayList<>(List.of(common));
        a.addAll(List.of("--loss-estimate", "on", "--output", onDir.toString()));
        CliRun on = run(a.toArray(String[]::new));
        assertEquals(0, on.code(), on.err());
        assertTrue(on.err().contains("--epochs 2 --loss-estimate on --ema-decay 0.99 (the flags you set"), on.err());
        JsonNode repOn = JSON.readTree(onDir.resolve("report.json").toFile());
        assertTrue(repOn.at("/training/loss_per_epoch/1").isNumber(), repOn.at("/training/loss_per_epoch").toString());
        assertTrue(repOn.at("/training/loss_note").asText().startsWith("DP estimate"), repOn.toString());

        CliRun bad = run(trainArgs(write("ok.csv", csvRows(300, 7)), "--loss-estimate", "maybe")
                .toArray(String[]::new));
        assertEquals(ExitCode.BAD_INPUT.code(), bad.code(), bad.err());
        assertTrue(bad.err().contains("--loss-estimate must be on or off, got 'maybe'"), bad.err());
        assertEquals(1, bad.err().lines().filter(l -> l.contains("error")).count(), "one error line: " + bad.err());
        assertNothingWritten();
        CliRun help = run("--help");
        assertTrue(help.out().contains("--loss-estimate=MODE"), help.out());
    }

    @Test
    void featuresFlag_whereItMakesNoSense_refusedWithExitTwo() throws IOException {
        Path csv = write("ok.csv", csvRows(300, 7));
        Path train = idx("train", 20, 3);
        String[][] cases = {
            trainArgs(csv, "--features", "dct:4").toArray(String[]::new),                       // no image vector
            {"--input", train.toString(), "--format", "mnist", "--features", "dct:29", "--epsilon", "2",
                "--output", dir.resolve("model").toString()},                                    // K > 28
            {"--input", train.toString(), "--format", "mnist", "--features", "pool:2", "--epsilon", "2",
                "--output", dir.resolve("model").toString()},                                    // unknown transform
            {"--demo", "--features", "dct:2", "--output", dir.resolve("model").toString()},     // synthetic: no image
        };
        String[] expected = {"has none", "K in [1, 28]", "raw, dct:K", "has none"};
        for (int i = 0; i < cases.length; i++) {
            CliRun r = run(cases[i]);
            assertEquals(ExitCode.BAD_INPUT.code(), r.code(), String.join(" ", cases[i]) + ": " + r.err());
            assertTrue(r.err().contains("--features") && r.err().contains(expected[i]), r.err());
            assertEquals(1, r.err().lines().filter(l -> l.contains("error")).count(), "one error line: " + r.err());
            assertNothingWritten();
        }
    }

    /**
     * --normalize dp:8 on scattering features: the channel statistics are released once (a notice says so), the plan
     * composes their two Gaussian releases with the training (the report's epsilon_alone is dp_accounting's PLD epsilon
     * of GaussianDpEvent(8) twice, and the training's sigma is above what the same run gets without normalization), the
     * ledger commits both events, and the model's spec carries the released means, within the noise's reach of the
     * true channel means computed here independently (and not equal to them: noise was added).
     */
    @Test
    void mnistNormalizeDp_releasesChannelStatistics_inThePlanLedgerReportAndModel() throws IOException {
        int n = 2000;
        Path train = idx("train", n, 8);
        String ledger = org.dpspark.jobs.ledger.TestLedgers.init(dir.resolve("ledger"));
        CliRun r = run("--input", train.toString(), "--format", "mnist", "--features", "scatter:2,8",
                "--normalize", "dp:8", "--model", "softmax", "--epsilon", "3", "--epochs", "2", "--batch-size", "200",
                "--learning-rate", "0.5", "--clip-norm", "0.1", "--ledger", ledger, "--dataset-id", "images",
                "--output", dir.resolve("model").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("data normalization: standardization of 81 channels from released statistics "
                + "(Gaussian mechanism, sigma 8, clip bounds 9 and 15.59; epsilon 0.6340 of the run's"), r.err());
        assertTrue(r.out().contains("of which data normalization: 2 Gaussian releases"), r.out());
        JsonNode rep = JSON.readTree(dir.resolve("model").resolve("report.json").toFile());
        JsonNode dn = rep.at("/training/data_normalization");
        assertEquals(8.0, dn.at("/noise_multiplier").asDouble());
        // dp_accounting (commit b5b0286): PLDAccountant, GaussianDpEvent(8) composed twice, delta 1e-5
        assertEquals(0.6339783949695263, dn.at("/epsilon_alone").asDouble(), 1e-5);
        double epsilon = rep.at("/privacy/epsilon").asDouble();
        assertTrue(epsilon <= 3 && epsilon > 2.99, "calibrated to the target: " + epsilon);
        double sigma = rep.at("/training/noise_multiplier").asDouble();
        long steps = rep.at("/training/steps").asLong();
        double alone = org.dpspark.accountant.plan.PrivacyPlan.of(org.dpspark.accountant.plan.PlanRequest.builder()
                .rows((long) n).batchSize(200L).epochs(2.0).delta(1e-5).targetEpsilon(3.0).build()).noiseMultiplier();
        assertTrue(sigma > alone * 1.01, "the training pays for the normalization: " + sigma + " vs " + alone);
        assertEquals(dn.at("/epsilon_alone").asDouble() / epsilon, dn.at("/epsilon_share").asDouble(), 1e-12);
        assertTrue(rep.at("/privacy/epsilon_curve/pld/0").asDouble() > 0.6, "the curve starts at the normalization's");
        String html = Files.readString(dir.resolve("model").resolve("report.html"));
        org.dpspark.jobs.report.html.PageChecks.savePage("dp-train-normalized-report.html", html);
        assertTrue(html.contains("data-json=\"/training/data_normalization/epsilon_share\""), "the normalization share");
        org.dpspark.jobs.report.html.PageChecks.valuesMatch(html, rep);

        List<org.dpspark.accountant.ledger.LedgerEntry> job = org.dpspark.accountant.ledger.PrivacyLedger
                .open(ledger, new org.apache.hadoop.conf.Configuration()).state("images").entries();
        assertEquals(List.of(org.dpspark.accountant.ledger.EntryType.RESERVATION,
                org.dpspark.accountant.ledger.EntryType.COMMIT), job.stream().map(e -> e.type()).toList());
        for (org.dpspark.accountant.ledger.LedgerEntry e : job) {
            assertEquals(List.of(new DpEvent(1.0, 8.0, 2), new DpEvent(200.0 / n, sigma, steps)), e.events());
        }

        org.dpspark.jobs.model.SavedModel model = org.dpspark.jobs.model.SavedModel.read(
                new org.apache.hadoop.conf.Configuration(), dir.resolve("model").toString());
        org.dpspark.datasets.spec.ScatterTransform sc = model.featureSpec().scatterTransform().orElseThrow();
        double[] released = ((org.dpspark.core.features.ChannelNormalization.Standardization) sc.normalization().orElseThrow()).mean();
        // the true channel means of the group-normalized scattering of the scaled pixels, computed here
        org.dpspark.core.features.Scattering2D s = new org.dpspark.core.features.Scattering2D(28, 28, 2, 8);
        double[] truth = new double[81];
        for (org.apache.spark.sql.Row row : org.dpspark.datasets.MnistReader.read(spark, train.toString(), 2)
                .collectAsList()) {
            double[] px = ((org.apache.spark.ml.linalg.Vector) row.get(0)).toArray();
            for (int i = 0; i < px.length; i++) {
                px[i] /= 255.0;
            }
            double[] x = new double[3969];
            s.apply(px, 0, x, 0);
            org.dpspark.core.features.GroupNorm.apply(x, 0, 81, 49, 27, 1e-5);
            for (int c = 0; c < 81; c++) {
                for (int p = 0; p < 49; p++) {
                    truth[c] += x[c * 49 + p] / 49 / n;
                }
            }
        }
        double noiseStd = 9.0 * 8 / n;
        double worst = 0;
        for (int c = 0; c < 81; c++) {
            worst = Math.max(worst, Math.abs(released[c] - truth[c]));
        }
        assertTrue(worst < 5 * noiseStd, "released means within 5 noise std of the truth: " + worst);
        assertTrue(worst > 0.5 * noiseStd, "noise was added: largest difference " + worst + " for std " + noiseStd);
    }

    /**
     * --normalize dp-zca:SIGMA,MEAN_BOUND,MOMENT_BOUND on scattering features without group normalization: the model's
     * spec carries a ZCA whitening (the default eps, 1e-5), the report names it,
     * the ledger holds both events, and the reloaded spec reproduces the evaluation.
     */
    @Test
    void mnistNormalizeZca_whiteningSavedWithTheModel_andAccounted() throws IOException {
        int n = 600;
        Path train = idx("train", n, 9);
        Path test = idx("t10k", 100, 10);
        String ledger = org.dpspark.jobs.ledger.TestLedgers.init(dir.resolve("ledger"));
        CliRun r = run("--input", train.toString(), "--format", "mnist", "--eval-input", test.toString(),
                "--features", "scatter:2,8,0", "--normalize", "dp-zca:8,0.5,0.2", "--model", "softmax",
                "--epsilon", "3", "--epochs", "2", "--batch-size", "100", "--learning-rate", "0.5", "--clip-norm", "0.1",
                "--ledger", ledger, "--dataset-id", "images", "--output", dir.resolve("model").toString());
        assertEquals(0, r.code(), r.err());
        double eps = 1e-5;
        assertTrue(r.err().contains("data normalization: ZCA whitening of 81 channels from released statistics "
                + "(Gaussian mechanism, sigma 8, clip bounds 0.5 and 0.2, eps 0.00001;"), r.err());
        JsonNode rep = JSON.readTree(dir.resolve("model").resolve("report.json").toFile());
        assertEquals("zca whitening", rep.at("/training/data_normalization/kind").asText());
        assertEquals(0.5, rep.at("/training/data_normalization/mean_bound").asDouble());
        org.dpspark.jobs.model.SavedModel model = org.dpspark.jobs.model.SavedModel.read(
                new org.apache.hadoop.conf.Configuration(), dir.resolve("model").toString());
        org.dpspark.datasets.spec.FeatureSpec spec = model.featureSpec();
        org.dpspark.core.features.ChannelNormalization.Whitening w =
                (org.dpspark.core.features.ChannelNormalization.Whitening) spec.scatterTransform().orElseThrow()
                        .normalization().orElseThrow();
        assertEquals(eps, w.eps(), 1e-15);
        assertEquals(81 * 81, w.matrix().length);
        double sigma = rep.at("/training/noise_multiplier").asDouble();
        for (org.dpspark.accountant.ledger.LedgerEntry e : org.dpspark.accountant.ledger.PrivacyLedger
                .open(ledger, new org.apache.hadoop.conf.Configuration()).state("images").entries()) {
            assertEquals(List.of(new DpEvent(1.0, 8.0, 2), new DpEvent(100.0 / n, sigma,
                    rep.at("/training/steps").asLong())), e.events());
        }
        org.apache.spark.api.java.JavaSparkContext jsc =
                org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext());
        double reloaded = org.dpspark.jobs.eval.Evaluator.evaluate(jsc,
                org.dpspark.datasets.BlockPacker.pack(org.dpspark.datasets.MnistReader.read(spark, test.toString(), 2),
                        spec), org.dpspark.jobs.model.ModelSpec.softmax(3969, 10).create(), model.params())
                .values().get("accuracy");
        assertEquals(rep.at("/evaluation/accuracy").asDouble(), reloaded, 0.0);
    }

    /** --normalize where it cannot apply: one line, exit 2, nothing written, nothing reserved. */
    @Test
    void normalizeFlag_whereItCannotApply_refusedWithExitTwo() throws IOException {
        Path train = idx("train", 300, 3);
        String ledger = org.dpspark.jobs.ledger.TestLedgers.init(dir.resolve("ledger"));
        String[] common = {"--input", train.toString(), "--format", "mnist", "--model", "softmax", "--epochs", "1",
            "--ledger", ledger, "--dataset-id", "images", "--output", dir.resolve("model").toString()};
        String[][] cases = {
            {"--features", "dct:4", "--normalize", "dp:8", "--epsilon", "3"},
            {"--features", "scatter:2,8,0", "--normalize", "dp:8", "--epsilon", "3"},
            {"--features", "scatter:2,8", "--normalize", "bn", "--epsilon", "3"},
            {"--features", "scatter:2,8", "--normalize", "dp:8,1", "--epsilon", "3"},
            {"--features", "scatter:2,8", "--normalize", "dp:0", "--epsilon", "3"},
            {"--features", "scatter:2,8", "--normalize", "dp:8", "--no-dp"},
            {"--features", "scatter:2,8", "--normalize", "dp:8", "--epsilon", "3", "--privacy-unit", "user",
                "--user-col", "label", "--max-rows-per-user", "2"},
            // the normalization alone spends 0.634 (PLD) of a target of 0.5: refused once N is known
            {"--features", "scatter:2,8", "--normalize", "dp:8", "--epsilon", "0.5"},
            {"--features", "scatter:2,8,0", "--normalize", "dp-zca:8", "--epsilon", "3"},
            {"--features", "scatter:2,8", "--normalize", "dp-zca:8,1,1,0", "--epsilon", "3"},
        };
        String[] expected = {"needs --features scatter", "give them", "must be none, dp:SIGMA",
            "SIGMA,MEAN_BOUND,SQUARE_BOUND", "positive noise multiplier", "--no-dp", "row level",
            "the normalization alone spends epsilon 0.63", "dp-zca:SIGMA,MEAN_BOUND,MOMENT_BOUND",
            "EPS is whitening's, and positive"};
        for (int i = 0; i < cases.length; i++) {
            List<String> a = new ArrayList<>(List.of(common));
            a.addAll(List.of(cases[i]));
            CliRun r = run(a.toArray(String[]::new));
            assertEquals(ExitCode.BAD_INPUT.code(), r.code(), String.join(" ", cases[i]) + ": " + r.err());
            assertTrue(r.err().contains(expected[i]), expected[i] + " in: " + r.err());
            assertTrue(r.err().contains(i == 7 ? "--epsilon" : "--normalize"), r.err());
            assertEquals(1, r.err().lines().filter(l -> l.contains("error")).count(), "one error line: " + r.err());
            assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
            assertNothingWritten();
        }
        assertTrue(org.dpspark.accountant.ledger.PrivacyLedger.open(ledger, new org.apache.hadoop.conf.Configuration())
                .state("images").entries().isEmpty(), "nothing reserved");
    }

    /** The acceptance run on the real UCI Adult files: eps <= 1 at delta 1e-5 and accuracy >= 0.84. */
    @Test
    void adult_epsilonOne_reachesPeerAccuracy() throws IOException {
        Path adult = Path.of(System.getProperty("dpspark.shared.dir", "../../shared"), "datasets", "adult");
        Assumptions.assumeTrue(Files.isRegularFile(adult.resolve("adult.data")),
                "skipped: UCI Adult not found at " + adult.toAbsolutePath() + " (set -Ddpspark.shared.dir)");
        CliRun r = run("--input", adult.resolve("adult.data").toString(), "--format", "adult",
                "--eval-input", adult.resolve("adult.test").toString(), "--epsilon", "1", "--delta", "1e-5",
                "--epochs", "15", "--batch-size", "256", "--clip-norm", "1", "--learning-rate", "1",
                "--output", dir.resolve("model").toString(), "--report", dir.resolve("r.json").toString());
        assertEquals(0, r.code(), r.err());
        JsonNode rep = JSON.readTree(dir.resolve("r.json").toFile());
        assertTrue(rep.at("/privacy/epsilon").asDouble() <= 1.0, rep.toString());
        assertEquals(1907, rep.at("/privacy/steps").asLong());
        assertEquals(32561, rep.at("/data/rows").asLong());
        assertEquals(16281, rep.at("/evaluation/rows").asLong());
        assertTrue(rep.at("/evaluation/accuracy").asDouble() >= 0.84, "Adult accuracy " + rep.at("/evaluation"));
    }

    @Test
    void mnistFederatedSplit_trainsAtTheUserLevel_overThePublicSplitsUsers() throws IOException {
        Path train = idx("train", 400, 1);
        CliRun r = run("--input", train.toString(), "--format", "mnist", "--federated-split", "iid:40",
                "--split-seed", "7", "--privacy-unit", "user", "--user-col", "user", "--max-rows-per-user", "10",
                "--features", "dct:4", "--model", "softmax", "--noise-multiplier", "1.0", "--steps", "5",
                "--batch-size", "8", "--unbudgeted", "--output", dir.resolve("model").toString(), "--report",
                dir.resolve("r.json").toString());
        assertEquals(0, r.code(), r.err());
        JsonNode rep = JSON.readTree(dir.resolve("r.json").toFile());
        assertEquals("user", rep.at("/privacy/unit").asText());
        assertEquals(8.0 / 40, rep.at("/privacy/sampling_rate").asDouble(), 0.0, "q = B / N_users, 40 users");
        CliRun bad = run("--input", train.toString(), "--format", "mnist", "--federated-split", "shards:40",
                "--noise-multiplier", "1.0", "--output", dir.resolve("m2").toString());
        assertEquals(ExitCode.BAD_INPUT.code(), bad.code(), bad.err());
        assertTrue(bad.err().contains("--federated-split must be iid:USERS or shards:USERS:PER_USER"), bad.err());
    }

    @Test
    void sparkJobs_describedByTheJobIdAndPhase_stepsByEpochAndStep() throws Exception {
        String jobId = "ui-" + java.util.UUID.randomUUID(); // the suite's default ledger charges a job id once
        Path train = write("train.csv", csvRows(4000, 1));
        Path eval = write("eval.csv", csvRows(1000, 2));
        List<String> descriptions = java.util.Collections.synchronizedList(new ArrayList<>());
        List<String> callSites = java.util.Collections.synchronizedList(new ArrayList<>());
        org.apache.spark.scheduler.SparkListener listener = new org.apache.spark.scheduler.SparkListener() {
            @Override
            public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart job) {
                descriptions.add(job.properties() == null ? null : job.properties().getProperty("spark.job.description"));
                callSites.add(job.stageInfos().head().details()); // where it was submitted, for a failure's message
            }
        };
        spark.sparkContext().addSparkListener(listener);
        CliRun r;
        try {
            r = run(trainArgs(train, "--eval-input", eval.toString(), "--job-id", jobId, "--step-mode", "job")
                    .toArray(String[]::new));
            spark.sparkContext().listenerBus().waitUntilEmpty();
        } finally {
            spark.sparkContext().removeSparkListener(listener);
        }
        assertEquals(0, r.code(), r.err());
        List<String> all = new ArrayList<>(descriptions);
        List<String> sites = new ArrayList<>(callSites);
        for (int i = 0; i < all.size(); i++) {
            String d = all.get(i);
            assertTrue(d != null && d.startsWith("dpspark " + jobId + ": "), "job " + i + " described " + d
                    + ", submitted at\n" + sites.get(i));
        }
        for (String phase : List.of("read input", "validate input", "validate eval input", "pack blocks", "evaluate")) {
            assertTrue(all.contains("dpspark " + jobId + ": " + phase), phase + " missing from " + all);
        }
        // 4000 rows, B = 100, 2 epochs: 80 steps, one job each, in order.
        List<String> steps = all.stream().filter(d -> d.contains(", step ")).toList();
        List<String> expected = new ArrayList<>();
        for (int s = 1; s <= 80; s++) {
            expected.add("dpspark " + jobId + ": epoch " + (s <= 40 ? 1 : 2) + "/2, step " + s + "/80");
        }
        assertEquals(expected, steps);
        JsonNode timings = JSON.readTree(dir.resolve("r.json").toFile()).get("timings");
        assertTrue(timings.get("to_first_step").asDouble() > 0, timings.toString());
        assertTrue(timings.has("validate") && timings.has("spark_session") && timings.has("plan"), timings.toString());
    }
}
