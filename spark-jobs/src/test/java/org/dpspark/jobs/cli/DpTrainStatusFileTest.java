package org.dpspark.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.spark.sql.SparkSession;
import org.dpspark.jobs.SparkTestSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dp-train on local[2] with {@code --status-file} on success, and validation errors in full and redacted detail
 * (the flag, and the Spark conf key an operator sets for a cluster).
 */
class DpTrainStatusFileTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SPEC = "{\"format_version\":1,\"name\":\"t\",\"label\":{\"column\":\"label\"},"
            + "\"features\":[{\"column\":\"a\",\"encoding\":\"scale\",\"min\":-1,\"max\":1},"
            + "{\"column\":\"b\",\"encoding\":\"scale\",\"min\":-1,\"max\":1}]}";
    private static SparkSession spark;

    @TempDir Path dir;

    @BeforeAll
    static void start() {
        spark = SparkTestSession.start("DpTrainStatusFileTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** 1000 rows; with {@code bad}, rows 3 and 8 have a non-numeric 'a'. */
    private Path csv(String name, boolean bad) throws IOException {
        SplittableRandom r = new SplittableRandom(3);
        List<String> lines = new ArrayList<>(List.of("a,b,label"));
        for (int i = 1; i <= 1000; i++) {
            double a = r.nextDouble(-1, 1);
            double b = r.nextDouble(-1, 1);
            String av = bad && (i == 3 || i == 8) ? "n/a" : String.format(Locale.ROOT, "%.4f", a);
            lines.add(av + String.format(Locale.ROOT, ",%.4f,%d", b, a - b > 0 ? 1 : 0));
        }
        Path p = dir.resolve(name);
        Files.write(p, lines);
        Files.writeString(dir.resolve("spec.json"), SPEC);
        return p;
    }

    private CliRun train(Path input, String... more) {
        List<String> a = new ArrayList<>(List.of("--input", input.toString(), "--format", "csv", "--spec",
                dir.resolve("spec.json").toString(), "--epsilon", "1", "--delta", "1e-5", "--steps", "10",
                "--batch-size", "100", "--ledger", org.dpspark.jobs.ledger.TestLedgers.init(dir.resolve("ledger")), "--dataset-id", "t",
                "--output", dir.resolve("model").toString()));
        a.addAll(List.of(more));
        return CliRun.capture(DpTrain::run, a.toArray(String[]::new));
    }

    @Test
    void success_statusFileHasGuaranteeAndLedgerEntry_andNothingElse() throws IOException {
        CliRun set = CliRun.capture(DpLedger::run, "set-budget", "--dataset-id", "t", "--epsilon", "5", "--delta",
                "1e-5", "--ledger", org.dpspark.jobs.ledger.TestLedgers.init(dir.resolve("ledger")));
        assertEquals(0, set.code(), set.err());
        Path status = dir.resolve("status/latest.json");
        CliRun r = train(csv("ok.csv", false), "--job-id", "ok-1", "--status-file", status.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode s = JSON.readTree(status.toFile());
        assertEquals(0, s.get("exit_code").asInt());
        assertEquals("success", s.get("outcome").asText());
        assertEquals("ok-1", s.get("job_id").asText());
        assertEquals("t", s.get("dataset_id").asText());
        JsonNode report = JSON.readTree(dir.resolve("model/report.json").toFile());
        assertEquals(report.at("/privacy/epsilon").asDouble(), s.get("epsilon").asDouble(), 0.0);
        assertEquals(1e-5, s.get("delta").asDouble(), 0.0);
        assertEquals(report.at("/ledger/commit_seq").asLong(), s.get("ledger_commit_seq").asLong());
        assertEquals(dir.resolve("model").toString(), s.get("model_path").asText());
        assertEquals(dir.resolve("model/report.json").toString(), s.get("report_path").asText());
        Set<String> keys = new java.util.TreeSet<>();
        for (Iterator<String> it = s.fieldNames(); it.hasNext();) {
            keys.add(it.next());
        }
        assertEquals(Set.of("format_version", "exit_code", "outcome", "message", "job_id", "finished_at",
                "model_path", "report_path", "dataset_id", "epsilon", "delta", "ledger_commit_seq"), keys);
    }

    @Test
    void validationError_full_countsAndFirstRow() throws IOException {
        Path status = dir.resolve("status.json");
        CliRun r = train(csv("bad.csv", true), "--status-file", status.toString());
        assertEquals(ExitCode.BAD_INPUT.code(), r.code(), r.err());
        String line = r.err().strip();
        assertFalse(line.contains("\n"), line);
        assertTrue(line.contains("column 'a': 2 non-numeric values (first at row 3)"), line);
        assertEquals(line, JSON.readTree(status.toFile()).get("message").asText());
    }

    @Test
    void validationError_redactedFlag_kindAndColumnOnly() throws IOException {
        Path status = dir.resolve("status.json");
        CliRun r = train(csv("bad.csv", true), "--error-detail", "redacted", "--status-file", status.toString());
        assertRedacted(r);
        assertEquals(r.err().strip(), JSON.readTree(status.toFile()).get("message").asText());
    }

    @Test
    void validationError_redactedByOperatorConf_flagCannotWidenIt() throws IOException {
        System.setProperty(ErrorDetail.CONF_KEY, "redacted");
        try {
            assertRedacted(train(csv("bad.csv", true), "--error-detail", "full"));
        } finally {
            System.clearProperty(ErrorDetail.CONF_KEY);
        }
    }

    private static void assertRedacted(CliRun r) {
        assertEquals(ExitCode.BAD_INPUT.code(), r.code(), r.err());
        String line = r.err().strip();
        assertFalse(line.contains("\n"), line);
        assertTrue(line.contains("input validation failed (redacted: counts and row numbers withheld)"), line);
        assertTrue(line.contains("column 'a': non-numeric values"), line);
        assertFalse(line.contains("row 3") || line.contains(" 2 non-numeric"), line);
    }
}
