package org.dpspark.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dpspark.accountant.ledger.DatasetState;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash acceptance: a real dp-train JVM (submit-scripts/dp-train, which execs java) is killed with SIGKILL
 * after its first progress line; the ledger stays readable, the reservation stays charged, and dp-ledger can settle
 * it. Runs in Maven's integration-test phase, after the jar is built.
 */
class DpTrainCrashIT {
    private static final Path HOME = Path.of(System.getProperty("dpspark.home", "..")).toAbsolutePath().normalize();

    @TempDir Path dir;

    @Test
    void sigkillDuringTraining_leavesTheReservationCharged_andTheLedgerReadable() throws Exception {
        Path csv = OneFeatureCsv.write(dir);
        Path spec = dir.resolve("spec.json");
        Path ledger = dir.resolve("ledger");
        org.dpspark.jobs.ledger.TestLedgers.init(ledger); // ledgers are created only on purpose
        // 100 epochs of 40 steps: far longer than the wait for the first epoch's line.
        ProcessBuilder pb = new ProcessBuilder(HOME.resolve("submit-scripts").resolve("dp-train").toString(),
                "--input", csv.toString(), "--format", "csv", "--spec", spec.toString(), "--epsilon", "1",
                "--epochs", "100", "--batch-size", "50", "--output", dir.resolve("m").toString(),
                "--ledger", ledger.toString(), "--dataset-id", "crash", "--job-id", "doomed", "--master", "local[1]")
                .directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().remove("SPARK_HOME");
        EmbeddedArchive.use(pb.environment()); // the class-data archive, recorded once for the IT phase
        pb.environment().put("DPSPARK_DRIVER_MEMORY", "1g");
        Process p = pb.start();
        StringBuilder log = new StringBuilder();
        boolean progressed = false;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                log.append(line).append('\n');
                if (line.contains("epoch 1/100")) {
                    progressed = true;
                    p.destroyForcibly(); // SIGKILL: no shutdown hook, no finally block runs
                    break;
                }
            }
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "dp-train did not die");
        assertTrue(progressed, "no progress line before dp-train ended:\n" + log);
        assertEquals(137, p.exitValue(), "not killed by SIGKILL");

        DatasetState s = PrivacyLedger.open(ledger.toString(), null).state("crash");
        DatasetState.JobCharge c = s.latest("doomed").orElseThrow();
        assertEquals(DatasetState.JobStatus.OPEN, c.status());
        assertEquals(c.reservation().events(), c.charged());
        assertTrue(s.spentEpsilon() > 0.9, "spent " + s.spentEpsilon());
        assertTrue(Files.notExists(dir.resolve("m")), "a model was published");

        // dp-ledger reads it too, and settles it as spent.
        Process show = new ProcessBuilder(HOME.resolve("submit-scripts").resolve("dp-ledger").toString(), "show",
                "--dataset-id", "crash", "--ledger", ledger.toString(), "--json").redirectErrorStream(false).start();
        String json = new String(show.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(show.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, show.exitValue(), json);
        JsonNode n = new ObjectMapper().readTree(json);
        assertEquals("open", n.at("/jobs/0/status").asText());
        assertEquals(s.spentEpsilon(), n.get("spent_epsilon").asDouble(), 1e-12);
        Process resolve = new ProcessBuilder(HOME.resolve("submit-scripts").resolve("dp-ledger").toString(), "resolve",
                "--dataset-id", "crash", "--job-id", "doomed", "--commit", "--ledger", ledger.toString())
                .redirectErrorStream(true).start();
        String resolved = new String(resolve.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(resolve.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, resolve.exitValue(), resolved);
        DatasetState after = PrivacyLedger.open(ledger.toString(), null).state("crash");
        assertEquals(DatasetState.JobStatus.COMMITTED, after.latest("doomed").orElseThrow().status());
        assertEquals(s.spentEpsilon(), after.spentEpsilon(), 1e-12);
    }
}
