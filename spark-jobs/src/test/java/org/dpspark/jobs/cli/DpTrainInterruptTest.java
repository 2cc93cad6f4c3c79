package org.dpspark.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.dpspark.accountant.ledger.DatasetState;
import org.dpspark.accountant.ledger.EntryType;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM during a dp-train's steps (issue #18): a real dp-train JVM (this test's class path, embedded local Spark)
 * stops at the next step boundary, writes a checkpoint, leaves its reservation open and charged, prints one line
 * with the command that resumes it and exits 143 (its --status-file says so: exit_code 143, outcome "interrupted");
 * that command then finishes the job, committed once. Bounded: each process is given 120 s.
 */
class DpTrainInterruptTest {
    @TempDir Path dir;

    @Test
    void sigterm_stopsAtAStepBoundary_checkpoints_printsTheResumeCommand_andTheResumeCommitsOnce() throws Exception {
        Path csv = OneFeatureCsv.write(dir);
        Path spec = dir.resolve("spec.json");
        Path ledger = dir.resolve("ledger");
        org.dpspark.jobs.ledger.TestLedgers.init(ledger);
        Path ckpt = dir.resolve("ckpt");
        // 20 epochs of 40 steps (800): long enough to be signalled after the first checkpoint (step 20)
        List<String> args = List.of("--input", csv.toString(), "--format", "csv", "--spec", spec.toString(),
                "--noise-multiplier", "1", "--epochs", "20", "--batch-size", "50", "--output",
                dir.resolve("m").toString(), "--ledger", ledger.toString(), "--dataset-id", "intr", "--unbudgeted",
                "--job-id", "sigterm-1", "--master", "local[1]", "--step-mode", "barrier", "--checkpoint-dir",
                ckpt.toString(), "--checkpoint-every", "20", "--status-file", dir.resolve("status.json").toString());
        Process p = dpTrain(args);
        Drain log = new Drain(p.getInputStream());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!hasCheckpoint(ckpt) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(hasCheckpoint(ckpt), "no checkpoint before dp-train ended:\n" + log);
        // SIGTERM (not Process.destroy(), which also closes the pipes: the last lines would be lost)
        assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).inheritIO().start().waitFor());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "dp-train did not stop");
        String out = log.all();
        String status = Files.exists(dir.resolve("status.json")) ? Files.readString(dir.resolve("status.json")) : "none";
        assertEquals(143, p.exitValue(), out);
        assertTrue(status.contains("interrupted (SIGTERM)"), status + "\n" + out);
        List<String> stopLines = out.lines().filter(l -> l.startsWith("dp-train: interrupted (SIGTERM)")).toList();
        assertEquals(1, stopLines.size(), out);
        String line = stopLines.get(0);
        // The status file has the real exit code and says "interrupted" (not 1, "failure": a scheduler tells them apart).
        JsonNode st = new ObjectMapper().readTree(status);
        assertEquals(143, st.get("exit_code").asInt(), status);
        assertEquals("interrupted", st.get("outcome").asText(), status);
        assertEquals(line, st.get("message").asText());
        assertEquals("sigterm-1", st.get("job_id").asText());
        assertTrue(!st.has("epsilon") && !st.has("ledger_commit_seq"), status);
        assertTrue(line.contains("checkpoint written to " + ckpt) && line.contains("stays open and charged"), line);
        assertTrue(!out.contains("\tat "), "a stack trace on the console:\n" + out);
        String resume = line.substring(line.indexOf("resume with: dp-train ") + "resume with: dp-train ".length());
        assertTrue(resume.endsWith(" --resume"), resume);

        DatasetState s = PrivacyLedger.open(ledger.toString(), null).state("intr");
        assertEquals(DatasetState.JobStatus.OPEN, s.latest("sigterm-1").orElseThrow().status());
        assertTrue(Files.notExists(dir.resolve("m")), "a model was published");

        // The printed command finishes the job (its words have no spaces here; 'local[1]' is quoted for the shell).
        List<String> words = new ArrayList<>();
        for (String w : resume.split(" ")) {
            words.add(w.length() > 1 && w.startsWith("'") && w.endsWith("'") ? w.substring(1, w.length() - 1) : w);
        }
        assertTrue(words.contains("local[1]") && resume.contains("'local[1]'"), resume);
        Process again = dpTrain(words);
        Drain log2 = new Drain(again.getInputStream());
        assertTrue(again.waitFor(120, TimeUnit.SECONDS), "the resume did not finish:\n" + log2.all());
        assertEquals(0, again.exitValue(), log2.all());
        DatasetState after = PrivacyLedger.open(ledger.toString(), null).state("intr");
        assertEquals(DatasetState.JobStatus.COMMITTED, after.latest("sigterm-1").orElseThrow().status());
        assertEquals(1, after.attempts("sigterm-1").size());
        assertEquals(1, after.entries().stream().filter(e -> e.type() == EntryType.RESERVATION).count());
        assertEquals(1, after.entries().stream().filter(e -> e.type() == EntryType.COMMIT).count());
        assertTrue(Files.exists(dir.resolve("m").resolve("model.json")));
        // The resume's status file (the same --status-file) replaces the interrupted attempt's.
        JsonNode done = new ObjectMapper().readTree(dir.resolve("status.json").toFile());
        assertEquals(0, done.get("exit_code").asInt(), done.toString());
        assertEquals("success", done.get("outcome").asText());
    }

    private static boolean hasCheckpoint(Path ckpt) throws IOException {
        if (!Files.isDirectory(ckpt)) {
            return false;
        }
        try (Stream<Path> files = Files.list(ckpt)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith("checkpoint-"));
        }
    }

    /** dp-train in a JVM of its own, on this test's class path with its JVM options (Spark's --add-opens). */
    private Process dpTrain(List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-") || a.startsWith("-XX:+IgnoreUnrecognizedVMOptions") || a.startsWith("-Djdk.")
                    || a.startsWith("-Dio.netty")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.dpspark.jobs.cli.DpTrain"));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    }

    /** A process's output, read by a thread of its own until the end. */
    private static final class Drain {
        private final StringBuilder log = new StringBuilder();
        private final Thread thread;

        Drain(InputStream in) {
            thread = new Thread(() -> {
                try {
                    byte[] buf = new byte[8192];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        synchronized (log) {
                            log.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                        }
                    }
                } catch (IOException e) {
                    // the process ended
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        /** Everything so far; after the process ended, everything it wrote (waits up to 30 s for the end). */
        String all() throws InterruptedException {
            thread.join(30_000);
            synchronized (log) {
                return log.toString();
            }
        }

        @Override
        public String toString() {
            synchronized (log) {
                return log.toString();
            }
        }
    }
}
