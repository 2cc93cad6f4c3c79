package org.dpspark.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * submit-scripts/dp-train as a user runs it: the packaged jar on the embedded local Spark, in its own JVM,
 * with real exit codes. Runs in Maven's integration-test phase, after the shaded jar is built.
 */
class DpTrainScriptIT {
    private static final Path HOME = Path.of(System.getProperty("dpspark.home", "..")).toAbsolutePath().normalize();
    private static final Path SCRIPT = HOME.resolve("submit-scripts").resolve("dp-train");

    @TempDir Path dir;

    private record Result(int code, String out, String err) {}

    private Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(SCRIPT.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().remove("SPARK_HOME");
        EmbeddedArchive.use(pb.environment()); // the class-data archive, recorded once for the IT phase
        pb.environment().put("DPSPARK_DRIVER_MEMORY", "2g");
        pb.redirectOutput(dir.resolve("stdout.txt").toFile());
        pb.redirectError(dir.resolve("stderr.txt").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "dp-train did not finish in 10 minutes");
        return new Result(p.exitValue(),
                Files.readString(dir.resolve("stdout.txt"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("stderr.txt"), StandardCharsets.UTF_8));
    }

    @Test
    void help_listsTheDocumentedFlags() throws Exception {
        Result r = run("--help");
        assertEquals(0, r.code(), r.err());
        for (String flag : List.of("--input", "--format", "--label-col", "--spec", "--eval-input", "--epsilon", "--delta",
                "--epochs", "--batch-size", "--clip-norm", "--learning-rate", "--noise-multiplier", "--output", "--report",
                "--master", "--demo")) {
            assertTrue(r.out().contains(flag), "--help lacks " + flag);
        }
    }

    @Test
    void demo_trainsOnGeneratedData_andPublishesModelAndReport() throws Exception {
        Path out = dir.resolve("demo-model");
        Result r = run("--demo", "--epochs", "2", "--output", out.toString(), "--master", "local[2]");
        assertEquals(0, r.code(), r.err());
        JsonNode rep = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertTrue(rep.at("/privacy/epsilon").asDouble() <= 1.0, rep.toString());
        assertTrue(rep.at("/evaluation/accuracy").asDouble() > 0.75, rep.toString());
        assertTrue(Files.isRegularFile(out.resolve("model.json")));
        assertTrue(r.err().contains("epoch 2/2"), "no per-epoch progress line: " + r.err());
    }

    @Test
    void badData_exitsWithTheBadInputCode_andWritesNothing() throws Exception {
        org.dpspark.jobs.ledger.TestLedgers.initDefault(); // dp-train's default ledger ($DPSPARK_LEDGER) must exist
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "x,label\n0.5,1\noops,0\n0.1,7\n");
        Path spec = dir.resolve("spec.json");
        Files.writeString(spec, "{\"format_version\":1,\"name\":\"t\",\"label\":{\"column\":\"label\"},"
                + "\"features\":[{\"column\":\"x\",\"encoding\":\"scale\",\"min\":0,\"max\":1}]}");
        Result r = run("--input", csv.toString(), "--format", "csv", "--spec", spec.toString(), "--epsilon", "1",
                "--batch-size", "1", "--output", dir.resolve("m").toString(), "--master", "local[1]");
        assertEquals(ExitCode.BAD_INPUT.code(), r.code(), r.err());
        assertTrue(r.err().contains("'x'") && r.err().contains("'label'"), r.err());
        assertFalse(Files.exists(dir.resolve("m")));
    }

    /**
     * On a fresh clone the jar does not exist yet: the scripts run under {@code set -euo pipefail}, so finding no jar
     * must not be a failing command (it once made the README's first command exit 2 before building anything).
     */
    @Test
    void findingNoJar_isNotAnError_underSetE() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("no-build"));
        ProcessBuilder pb = new ProcessBuilder("bash", "-euo", "pipefail", "-c",
                "source \"$1\"; DPSPARK_HOME=\"$2\"; jar=\"$(dpspark_jar)\"; echo \"[$jar]\"", "test",
                HOME.resolve("submit-scripts").resolve("common.sh").toString(), empty.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals("[]", out);
    }
}
