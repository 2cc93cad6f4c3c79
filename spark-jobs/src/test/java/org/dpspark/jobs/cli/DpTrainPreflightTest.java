package org.dpspark.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dp-train refuses what it can check before Spark starts, with exit 2 and one line naming the flag, and writes its
 * status file for every outcome. No SparkSession is started in this class: a refusal that came after
 * {@code SessionHandle.open} would leave an active session behind.
 */
class DpTrainPreflightTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SPEC = "{\"format_version\":1,\"name\":\"t\",\"label\":{\"column\":\"label\"},"
            + "\"features\":[{\"column\":\"a\",\"encoding\":\"scale\",\"min\":-1,\"max\":1}]}";

    @TempDir Path dir;

    private Path csv;

    @BeforeEach
    void data() throws IOException {
        csv = dir.resolve("people.csv");
        List<String> lines = new ArrayList<>(List.of("a,label"));
        for (int i = 0; i < 200; i++) {
            lines.add((i % 7) / 7.0 + "," + (i % 2));
        }
        Files.write(csv, lines);
        Files.writeString(dir.resolve("spec.json"), SPEC);
        CliRun set = CliRun.capture(DpLedger::run, "set-budget", "--dataset-id", "people", "--epsilon", "3",
                "--delta", "1e-5", "--ledger", ledger());
        assertEquals(0, set.code(), set.err());
    }

    private String ledger() {
        return org.dpspark.jobs.ledger.TestLedgers.init(dir.resolve("ledger"));
    }

    private CliRun train(String... more) {
        List<String> a = new ArrayList<>(List.of("--input", csv.toString(), "--format", "csv", "--spec",
                dir.resolve("spec.json").toString(), "--epsilon", "1", "--epochs", "1", "--batch-size", "20",
                "--delta", "1e-4", "--ledger", ledger(), "--dataset-id", "people", "--job-id", "j1"));
        a.addAll(List.of(more));
        return CliRun.capture(DpTrain::run, a.toArray(String[]::new));
    }

    /** Exit 2, exactly one line on stderr naming the flag, nothing on stdout, and no Spark session was started. */
    private static void assertRefusedBeforeSpark(CliRun r, String flag) {
        assertEquals(ExitCode.BAD_INPUT.code(), r.code(), r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), err);
        assertTrue(err.startsWith("dp-train: error: " + flag + " "), err);
        assertFalse(SparkSession.getActiveSession().isDefined(), "a SparkSession was started before the refusal");
        assertFalse(SparkSession.getDefaultSession().isDefined(), "a SparkSession was started before the refusal");
    }

    private JsonNode spent() throws IOException {
        CliRun show = CliRun.capture(DpLedger::run, "show", "--dataset-id", "people", "--ledger", ledger(), "--json");
        assertEquals(0, show.code(), show.err());
        return JSON.readTree(show.out());
    }

    @Test
    void output_underAFile_refusedBeforeSparkAndBeforeAnyCharge() throws IOException {
        Path model = csv.resolve("model");
        CliRun r = train("--output", model.toString());
        assertRefusedBeforeSpark(r, "--output");
        assertTrue(r.err().contains(csv + " is a file, not a directory"), r.err());
        assertFalse(Files.exists(model));
        JsonNode show = spent();
        assertEquals(0.0, show.get("spent_epsilon").asDouble(), 0.0);
        assertEquals(0, show.get("jobs").size(), show.toString());
    }

    @Test
    void report_underAFileDeeper_refusedBeforeSpark() {
        CliRun r = train("--output", dir.resolve("m").toString(), "--report", csv.resolve("a/b/report.json").toString());
        assertRefusedBeforeSpark(r, "--report");
        assertFalse(Files.exists(dir.resolve("m")));
    }

    @Test
    void statusFile_underAFile_refusedBeforeSpark() {
        CliRun r = train("--output", dir.resolve("m").toString(), "--status-file", csv.resolve("status.json").toString());
        assertRefusedBeforeSpark(r, "--status-file");
    }

    @Test
    void statusFile_anExistingDirectory_refusedBeforeSpark() {
        CliRun r = train("--output", dir.resolve("m").toString(), "--status-file", dir.toString());
        assertRefusedBeforeSpark(r, "--status-file");
        assertTrue(r.err().contains("is a directory"), r.err());
    }

    @Test
    void statusFile_badFlagValue_saysBadInputWithTheLinePrinted() throws IOException {
        Path status = dir.resolve("new/dir/status.json");
        // picocli rejects the value: the status file is still written, since its own flag was readable
        CliRun r = train("--status-file", status.toString(), "--output", dir.resolve("m").toString(),
                "--batch-size", "many");
        assertRefusedBeforeSpark(r, "Invalid");
        JsonNode s = JSON.readTree(status.toFile());
        assertEquals(1, s.get("format_version").asInt());
        assertEquals(2, s.get("exit_code").asInt());
        assertEquals("bad_input", s.get("outcome").asText());
        assertEquals(r.err().strip(), s.get("message").asText());
        assertEquals(dir.resolve("m").toString(), s.get("model_path").asText());
        assertFalse(s.has("epsilon"), s.toString());
        assertFalse(s.has("dataset_id"), s.toString());

        // a value the job refuses (not picocli): the status file is replaced by this attempt's
        r = train("--output", dir.resolve("m").toString(), "--status-file", status.toString(), "--clip-norm", "-1");
        assertEquals(ExitCode.BAD_INPUT.code(), r.code(), r.err());
        assertFalse(r.err().strip().contains("\n"), r.err());
        s = JSON.readTree(status.toFile());
        assertEquals(2, s.get("exit_code").asInt());
        assertEquals("j1", s.get("job_id").asText());
        assertTrue(s.get("message").asText().contains("--clip-norm"), s.toString());
        assertFalse(SparkSession.getActiveSession().isDefined());
    }

    @Test
    void statusFile_badFlagValueAndStatusFileUnderAFile_oneErrorPerProblem_noFileWritten() {
        CliRun r = train("--status-file", csv.resolve("status.json").toString(), "--batch-size", "many");
        assertEquals(ExitCode.BAD_INPUT.code(), r.code(), r.err());
        assertTrue(r.err().contains("--status-file " + csv.resolve("status.json") + " cannot be created"), r.err());
        assertFalse(SparkSession.getActiveSession().isDefined());
    }

    @Test
    void statusFile_noJobIdGiven_namesTheGeneratedOne() throws IOException {
        Path status = dir.resolve("status.json");
        CliRun r = CliRun.capture(DpTrain::run, "--demo", "--epsilon", "-3", "--status-file", status.toString());
        assertEquals(ExitCode.BAD_INPUT.code(), r.code(), r.err());
        JsonNode s = JSON.readTree(status.toFile());
        assertTrue(s.get("job_id").asText().matches("[0-9a-f-]{36}"), s.toString());
        assertTrue(s.get("finished_at").asText().endsWith("Z"), s.toString());
    }

    @Test
    void failure_printsOneLineWithTheHint_noStackTrace() throws IOException {
        Path status = dir.resolve("status.json");
        CliRun r = train("--output", "nosuchscheme://bucket/model", "--status-file", status.toString());
        assertEquals(ExitCode.FAILURE.code(), r.code(), r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), err);
        assertTrue(err.startsWith("dp-train: failed: UncheckedIOException: cannot check --output"), err);
        assertTrue(err.endsWith("(retrying may help; details with --verbose, or in the driver log at DEBUG)"), err);
        JsonNode s = JSON.readTree(status.toFile());
        assertEquals(1, s.get("exit_code").asInt());
        assertEquals("failure", s.get("outcome").asText());
        assertEquals(err, s.get("message").asText());
        assertFalse(SparkSession.getActiveSession().isDefined());

        CliRun verbose = train("--output", "nosuchscheme://bucket/model", "--verbose");
        assertEquals(ExitCode.FAILURE.code(), verbose.code());
        assertTrue(verbose.err().contains("\tat org.dpspark.jobs.io.AtomicOutput"), verbose.err());
    }

    @Test
    void errorDetail_unknownMode_refused() {
        CliRun r = train("--output", dir.resolve("m").toString(), "--error-detail", "some");
        assertRefusedBeforeSpark(r, "Invalid");
        assertTrue(r.err().contains("--error-detail"), r.err());
    }

    @Test
    void help_writesNoStatusFile() {
        Path status = dir.resolve("status.json");
        CliRun r = CliRun.capture(DpTrain::run, "--status-file", status.toString(), "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("--status-file"), r.out());
        assertFalse(Files.exists(status));
        assertNull(StatusFile.fromArgs("--demo"));
        assertEquals("x", StatusFile.fromArgs("--demo", "--status-file=x"));
    }

    @Test
    void tableFlags_exclusiveWithPathFlags_andBadNames_refusedBeforeSpark() {
        String[][] cases = {
            {"--table", "t", "--input", "x.csv"}, {"--table", "t", "--format", "csv"},
            {"--input", csv.toString(), "--format", "csv", "--eval-input", "y.csv", "--eval-table", "e"},
            {"--table", "t", "--eval-input", "y.csv"}, {"--table", "a b"}, {"--table", "t", "--eval-table", "c.d.e"},
            {"--demo", "--table", "t"}};
        String[] named = {"--table", "--table", "--eval-table", "--eval-input", "--table", "--eval-table", "--demo"};
        for (int i = 0; i < cases.length; i++) {
            List<String> a = new ArrayList<>(List.of("--spec", dir.resolve("spec.json").toString(), "--epsilon", "1",
                    "--ledger", ledger(), "--output", dir.resolve("m" + i).toString()));
            a.addAll(List.of(cases[i]));
            assertRefusedBeforeSpark(CliRun.capture(DpTrain::run, a.toArray(String[]::new)), named[i]);
            assertFalse(Files.exists(dir.resolve("m" + i)));
        }
    }
}
