package org.dpspark.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.best.BestAccountant;
import org.dpspark.accountant.ledger.DatasetState;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.dpspark.datasets.DataReader;
import org.dpspark.datasets.InputFormat;
import org.dpspark.jobs.SparkTestSession;
import org.dpspark.jobs.ml.DpLogisticRegression;
import org.dpspark.jobs.ml.DpLogisticRegressionModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's ways around the budget, each now ending in the right charge or a refusal before any spend: a job
 * without --dataset-id on a registered location (1), the same rows in another format (2), a mistyped --ledger (3),
 * a notebook fit without setLedger (4), a retry under the same job id after a killed attempt (6), an absurd epsilon
 * (7); and two concurrent jobs reading one registered dataset by location and by table, against one budget. (The
 * output path under a file (5) and cluster deploy mode (8) are tested by DpTrainPreflightTest and StatusFileIT.)
 * Catalog tables (--table, --eval-table) are found by their registered {@code table:db.name} and by their rows'
 * fingerprint, as paths are. Managed tables live in a temporary warehouse.
 */
class BudgetIntegrityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SPEC = "{\"format_version\":1,\"name\":\"t\",\"label\":{\"column\":\"label\"},"
            + "\"features\":[{\"column\":\"a\",\"encoding\":\"scale\",\"min\":-1,\"max\":1},"
            + "{\"column\":\"b\",\"encoding\":\"scale\",\"min\":-1,\"max\":1}]}";
    private static SparkSession spark;

    @TempDir static Path warehouse;

    @TempDir Path dir;

    @BeforeAll
    static void start() {
        spark = SparkTestSession.startWithWarehouse("BudgetIntegrityTest", warehouse);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @AfterEach
    void forgetTheLedgerConf() {
        spark.conf().unset("spark.dpspark.ledger");
    }

    private Path csv() throws IOException {
        Path csv = dir.resolve("people.csv");
        if (!Files.exists(csv)) {
            SplittableRandom r = new SplittableRandom(3);
            List<String> lines = new ArrayList<>(List.of("a,b,label"));
            for (int i = 0; i < 2000; i++) {
                double a = Math.round(r.nextDouble(-1, 1) * 1e4) / 1e4;
                double b = Math.round(r.nextDouble(-1, 1) * 1e4) / 1e4;
                lines.add(String.format(Locale.ROOT, "%s,%s,%d", a, b, r.nextDouble() < 1 / (1 + Math.exp(-3 * a + 2 * b)) ? 1 : 0));
            }
            Files.write(csv, lines);
            Files.writeString(dir.resolve("spec.json"), SPEC);
        }
        return csv;
    }

    private String ledger() {
        return dir.resolve("ledger").toString();
    }

    private void ledgerCmd(String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--ledger", ledger()));
        CliRun r = CliRun.capture(DpLedger::run, a.toArray(String[]::new));
        assertEquals(0, r.code(), String.join(" ", a) + ": " + r.err());
    }

    /** The owner's three commands: init, register plus set-budget. */
    private void owner(String dataset, double epsilon, String... locationFlags) throws IOException {
        csv();
        if (!Files.exists(dir.resolve("ledger"))) {
            ledgerCmd("init");
        }
        List<String> reg = new ArrayList<>(List.of("register", "--dataset-id", dataset));
        reg.addAll(List.of(locationFlags));
        ledgerCmd(reg.toArray(String[]::new));
        ledgerCmd("set-budget", "--dataset-id", dataset, "--epsilon", Double.toString(epsilon), "--delta", "1e-6");
    }

    private List<String> job(String jobId, String out, String... more) {
        List<String> a = new ArrayList<>(List.of("--spec", dir.resolve("spec.json").toString(), "--epsilon", "1",
                "--epochs", "1", "--batch-size", "100", "--partitions", "1", "--ledger", ledger(), "--job-id", jobId,
                "--output", dir.resolve(out).toString()));
        a.addAll(List.of(more));
        return a;
    }

    private CliRun train(List<String> args) {
        return CliRun.capture(DpTrain::run, args.toArray(String[]::new));
    }

    private JsonNode report(String out) throws IOException {
        return JSON.readTree(dir.resolve(out).resolve("report.json").toFile());
    }

    private DatasetState state(String dataset) {
        return PrivacyLedger.open(ledger(), new Configuration()).state(dataset);
    }

    @Test
    void case1_noDatasetId_onARegisteredLocation_isChargedToThatDataset_andCapped() throws IOException {
        // Room for one job at epsilon 1 (delta 1e-5), charged at the budget's delta 1e-6, not for two.
        owner("people", 1.5, "--location", csv().toString());
        CliRun first = train(job("j1", "m1", "--input", csv().toString(), "--format", "csv"));
        assertEquals(0, first.code(), first.err());
        assertEquals("people", report("m1").at("/ledger/dataset_id").asText());
        assertTrue(state("people").spentEpsilon() > 1.0, "charged at the budget's delta 1e-6");
        // The budget (1.8 at 1e-6) cannot pay for a second job at epsilon 1: refused before training, exit 3.
        CliRun second = train(job("j2", "m2", "--input", csv().toString(), "--format", "csv"));
        assertEquals(ExitCode.BUDGET_EXHAUSTED.code(), second.code(), second.err());
        assertFalse(Files.exists(dir.resolve("m2")));
        // A dataset id that contradicts the registration is refused before Spark reads anything.
        CliRun other = train(job("j3", "m3", "--input", csv().toString(), "--format", "csv", "--dataset-id", "mine"));
        assertEquals(ExitCode.BAD_INPUT.code(), other.code(), other.err());
        assertTrue(other.err().contains("--dataset-id 'mine' contradicts the ledger: the input belongs to dataset 'people'"),
                other.err());
    }

    @Test
    void case2_theSameRowsAsParquetElsewhere_areChargedToTheSameDataset() throws IOException {
        owner("people", 10, "--location", csv().toString());
        assertEquals(0, train(job("j1", "m1", "--input", csv().toString(), "--format", "csv")).code());
        Path parquet = dir.resolve("copy.parquet");
        DataReader.read(spark, csv().toString(), InputFormat.CSV).drop(DataReader.CORRUPT_RECORD_COLUMN).repartition(3)
                .write().parquet(parquet.toString());
        CliRun copy = train(job("j2", "m2", "--input", parquet.toString(), "--format", "parquet"));
        assertEquals(0, copy.code(), copy.err());
        assertEquals("people", report("m2").at("/ledger/dataset_id").asText(), "found by the rows' fingerprint");
        assertEquals(report("m1").at("/data/fingerprint").asText(), report("m2").at("/data/fingerprint").asText());
    }

    @Test
    void unregisteredData_isRefused_unlessUnbudgeted_thenRecordedAsSuch() throws IOException {
        owner("people", 10, "--location", dir.resolve("elsewhere").toString());
        CliRun refused = train(job("j1", "m1", "--input", csv().toString(), "--format", "csv"));
        assertEquals(ExitCode.BAD_INPUT.code(), refused.code(), refused.err());
        assertTrue(refused.err().contains("matches no registered dataset") && refused.err().contains("--unbudgeted"),
                refused.err());
        CliRun opted = train(job("j2", "m2", "--input", csv().toString(), "--format", "csv", "--unbudgeted"));
        assertEquals(0, opted.code(), opted.err());
        assertTrue(report("m2").at("/ledger/dataset_id").asText().startsWith("unbudgeted-rows-v1-"));
    }

    @Test
    void case3_aMistypedLedger_isRefused_andNotCreated() throws IOException {
        csv();
        Path typo = dir.resolve("ledgr");
        List<String> a = job("j1", "m1", "--input", csv().toString(), "--format", "csv");
        a.set(a.indexOf(ledger()), typo.toString());
        CliRun r = train(a);
        assertEquals(ExitCode.BAD_INPUT.code(), r.code(), r.err());
        assertTrue(r.err().contains(typo.toString()) && r.err().contains("dp-ledger init"), r.err());
        assertFalse(Files.exists(typo), "a ledger is created only on purpose");
    }

    @Test
    void case4_aNotebookFitWithoutSetLedger_isChargedToTheSessionsLedger() throws IOException {
        Path parquet = dir.resolve("people.parquet");
        csv();
        spark.read().option("header", "true").option("inferSchema", "true").csv(csv().toString())
                .write().parquet(parquet.toString());
        owner("people", 10, "--location", parquet.toString());
        spark.conf().set("spark.dpspark.ledger", ledger()); // as a cluster's spark-defaults.conf would
        Dataset<Row> df = new VectorAssembler().setInputCols(new String[] {"a", "b"}).setOutputCol("features")
                .transform(spark.read().parquet(parquet.toString()));
        DpLogisticRegressionModel m = new DpLogisticRegression().setEpsilon(1).setEpochs(1).setBatchSize(100)
                .setJobId("notebook-1").fit(df);
        assertEquals("people", m.provenance().ledger().datasetId(), "found by the DataFrame's input files");
        assertTrue(state("people").spentEpsilon() > 0);
        // Rows built in memory match no registered dataset: refused unless the fit opts in.
        Dataset<Row> inMemory = df.select("features", "label").limit(1500).localCheckpoint();
        assertThrows(IllegalArgumentException.class, () -> new DpLogisticRegression().setEpsilon(1).setEpochs(1)
                .setBatchSize(100).fit(inMemory));
    }

    @Test
    void case6_aRetryUnderTheSameJobId_isChargedAsAnotherAttempt() throws IOException {
        owner("people", 10, "--location", csv().toString());
        CliRun first = train(job("airflow-run-1", "m1", "--input", csv().toString(), "--format", "csv"));
        assertEquals(0, first.code(), first.err());
        JsonNode rep = report("m1");
        DpEvent event = new DpEvent(rep.at("/privacy/sampling_rate").asDouble(),
                rep.at("/privacy/noise_multiplier").asDouble(), rep.at("/privacy/steps").asLong());
        // Airflow's first attempt of run 2 reserved, ran some steps (printing DP loss lines) and was killed: its
        // reservation stays open, as a dead attempt leaves it.
        PrivacyLedger.open(ledger(), new Configuration())
                .reserve("people", "airflow-run-2", rep.at("/data/fingerprint").asText(), List.of(event), 1e-5);
        CliRun retry = train(job("airflow-run-2", "m2", "--input", csv().toString(), "--format", "csv"));
        assertEquals(0, retry.code(), retry.err());
        // Run 1, run 2's dead attempt and run 2's retry: three charges, composed at the budget's delta.
        double expected = new BestAccountant().bound(List.of(event, event, event), 1e-6).epsilon();
        assertEquals(expected, state("people").spentEpsilon(), 1e-9);
    }

    @Test
    void case7_anAbsurdEpsilon_isRefusedWithWhatItMeans_andNothingCharged() throws IOException {
        owner("people", 1e9, "--location", csv().toString());
        List<String> a = job("j1", "m1", "--input", csv().toString(), "--format", "csv");
        a.set(a.indexOf("--epsilon") + 1, "1e6");
        CliRun r = train(a);
        assertEquals(ExitCode.BAD_INPUT.code(), r.code(), r.err());
        assertTrue(r.err().contains("--allow-weak-privacy"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertEquals(0.0, state("people").spentEpsilon(), 0.0);
    }

    @Test
    void concurrentJobs_byLocationAndByTable_oneBudget_neverOverdrawn() throws Exception {
        csv();
        spark.sql("DROP TABLE IF EXISTS people_table");
        DataReader.read(spark, csv().toString(), InputFormat.CSV).drop(DataReader.CORRUPT_RECORD_COLUMN).coalesce(1)
                .write().saveAsTable("people_table");
        try {
            // Room for one job at epsilon 1 (about 1.17 at the budget's delta 1e-6), not for two (about 1.7).
            owner("people", 1.5, "--location", csv().toString(), "--table", "people_table");
            ExecutorService pool = Executors.newFixedThreadPool(2);
            Future<Integer> byPath = pool.submit(() -> DpTrain.run(job("by-path", "p", "--input", csv().toString(),
                    "--format", "csv", "--step-mode", "job").toArray(String[]::new)));
            Future<Integer> byTable = pool.submit(() -> DpTrain.run(job("by-table", "t", "--table", "people_table",
                    "--step-mode", "job").toArray(String[]::new)));
            int a = byPath.get();
            int b = byTable.get();
            pool.shutdown();
            assertEquals(List.of(0, ExitCode.BUDGET_EXHAUSTED.code()), a == 0 ? List.of(a, b) : List.of(b, a),
                    "exactly one job runs: " + a + ", " + b);
            DatasetState s = state("people");
            assertTrue(s.spentEpsilon() <= 1.5, "overdrawn: " + s.spentEpsilon());
        } finally {
            spark.sql("DROP TABLE IF EXISTS people_table");
        }
    }

    private void saveTable(String name, Dataset<Row> rows) {
        spark.sql("DROP TABLE IF EXISTS " + name);
        rows.coalesce(1).write().format("parquet").saveAsTable(name);
    }

    @Test
    void tables_areChargedByTheirRegisteredName_andByTheirRowsFingerprint_andAMissingTableIsOneLine() throws Exception {
        Dataset<Row> people = DataReader.read(spark, csv().toString(), InputFormat.CSV)
                .drop(DataReader.CORRUPT_RECORD_COLUMN);
        saveTable("people_tbl", people);
        saveTable("people_eval", people.limit(500));
        try {
            // The owner registers the table by the ledger's own form of its location (as dp-train records --table).
            owner("people", 5, "--location", "table:default.People_Tbl");
            CliRun first = train(job("by-table", "m1", "--table", "people_tbl", "--eval-table", "default.people_eval"));
            assertEquals(0, first.code(), first.err());
            JsonNode report = JSON.readTree(dir.resolve("m1/report.json").toFile());
            assertEquals(500, report.at("/evaluation/rows").asLong(), report.at("/evaluation").toString());
            assertTrue(report.at("/evaluation/accuracy").asDouble() > 0.6, report.at("/evaluation").toString());
            DatasetState s = state("people");
            assertTrue(s.spentEpsilon() > 0.5, "charged to 'people': " + s.spentEpsilon());

            // A copy of the rows under another, unregistered name is still the owner's dataset: the fingerprint.
            saveTable("people_copy", spark.table("people_tbl"));
            double before = state("people").spentEpsilon();
            CliRun copy = train(job("by-copy", "m2", "--table", "people_copy"));
            assertEquals(0, copy.code(), copy.err());
            assertTrue(state("people").spentEpsilon() > before, "the copy was not charged to 'people'");

            // Unknown tables: exit 2, one line naming the flag and the table; nothing charged.
            double spent = state("people").spentEpsilon();
            for (String[] bad : new String[][] {{"--table", "no_such_tbl"}, {"--table", "people_tbl", "--eval-table",
                    "nope.no_eval"}}) {
                CliRun r = train(job("bad-" + bad.length, "m3", bad));
                assertEquals(ExitCode.BAD_INPUT.code(), r.code(), r.err());
                String flag = bad[bad.length - 2] + " " + bad[bad.length - 1];
                assertTrue(r.err().contains(flag) && r.err().contains("no such table"), r.err());
                assertEquals(1, r.err().strip().lines().count(), r.err());
            }
            assertEquals(spent, state("people").spentEpsilon(), 0.0);
            assertFalse(Files.exists(dir.resolve("m3")));
        } finally {
            for (String t : List.of("people_tbl", "people_eval", "people_copy")) {
                spark.sql("DROP TABLE IF EXISTS " + t);
            }
        }
    }
}
