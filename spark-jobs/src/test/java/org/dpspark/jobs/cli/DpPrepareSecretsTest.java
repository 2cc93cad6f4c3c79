package org.dpspark.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key, the raw identifiers and the dropped values never leave dp-prepare: with every logger at DEBUG and Spark's
 * event log on, a run (and a refused run) writes none of them to the logs, the console, the event log, the receipt
 * or the output files (CSV, so that the bytes are plain text).
 */
class DpPrepareSecretsTest {
    @TempDir Path dir;

    @Test
    void noSecretOrRawIdentifier_inLogsAtDebug_eventLog_receipt_orOutput() throws IOException {
        String secret = PrepareFixture.newSecret(42);
        List<PrepareFixture.Customer> customers = PrepareFixture.customers(0, 60);
        Path csv = PrepareFixture.writeCsv(dir.resolve("raw/c.csv"), PrepareFixture.lines(customers, 5));
        Files.writeString(dir.resolve("spec.json"), PrepareFixture.spec());
        Path events = Files.createDirectories(dir.resolve("events"));
        StringWriter logs = new StringWriter();
        List<CliRun> runs = new ArrayList<>();
        try (DebugCapture capture = new DebugCapture(logs)) {
            SparkSession spark = SparkSession.builder().appName("DpPrepareSecretsTest").master("local[2]")
                    .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.eventLog.enabled", "true").config("spark.eventLog.dir", events.toUri().toString())
                    .getOrCreate();
            try {
                Map<String, String> env = Map.of("PSEUDONYM_KEY", secret);
                String[] common = {"--input", csv.toString(), "--format", "csv", "--spec",
                    dir.resolve("spec.json").toString(), "--key-env", "PSEUDONYM_KEY", "--no-ledger", "test",
                    "--k-anonymity", "3"};
                runs.add(CliRun.capture(a -> DpPrepare.run(env, a), concat(common, "--output",
                        dir.resolve("out").toString(), "--output-format", "csv")));
                runs.add(CliRun.capture(a -> DpPrepare.run(env, a), concat(common, "--output",
                        dir.resolve("out2").toString(), "--receipt", dir.resolve("receipt.json").toString())));
                // A refused run prints no secret either.
                runs.add(CliRun.capture(a -> DpPrepare.run(env, a), concat(common, "--output",
                        dir.resolve("out").toString())));
            } finally {
                spark.stop(); // flushes the event log
            }
        }
        assertEquals(0, runs.get(0).code(), runs.get(0).err());
        assertEquals(0, runs.get(1).code(), runs.get(1).err());
        assertEquals(ExitCode.BAD_INPUT.code(), runs.get(2).code());
        assertTrue(logs.toString().contains("DEBUG"), "the capture saw DEBUG lines");

        Map<String, String> written = new HashMap<>();
        written.put("logs", logs.toString());
        for (int i = 0; i < runs.size(); i++) {
            written.put("console " + i, runs.get(i).out() + runs.get(i).err());
        }
        for (Path root : List.of(events, dir.resolve("out"), dir.resolve("out2"), dir.resolve("receipt.json"))) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    written.put(dir.relativize(f).toString(), new String(Files.readAllBytes(f),
                            StandardCharsets.ISO_8859_1));
                }
            }
        }
        assertTrue(written.keySet().stream().anyMatch(k -> k.startsWith("events")), written.keySet().toString());
        assertTrue(written.keySet().stream().anyMatch(k -> k.startsWith("out/part-")), written.keySet().toString());
        List<String> forbidden = new ArrayList<>(PrepareFixture.rawIdentifiers(customers));
        forbidden.add(secret);
        for (Map.Entry<String, String> e : written.entrySet()) {
            for (String f : forbidden) {
                assertFalse(e.getValue().contains(f), () -> (f.equals(secret) ? "the key" : "a raw identifier")
                        + " in " + e.getKey());
            }
        }
    }

    private static String[] concat(String[] a, String... b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }

    /** Every logger at DEBUG into {@code sink} (not the console) until closed; then the test configuration again. */
    private static final class DebugCapture implements AutoCloseable {
        private final LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        private final Map<LoggerConfig, Level> levels = new HashMap<>();
        private final Map<LoggerConfig, List<Appender>> appenders = new HashMap<>();
        private final Appender capture;

        DebugCapture(StringWriter sink) {
            Configuration cfg = ctx.getConfiguration();
            capture = WriterAppender.newBuilder().setName("debug-capture").setTarget(sink)
                    .setLayout(PatternLayout.newBuilder().withPattern("%p %c: %m%n%ex").build()).build();
            capture.start();
            cfg.addAppender(capture);
            List<LoggerConfig> all = new ArrayList<>(cfg.getLoggers().values());
            if (!all.contains(cfg.getRootLogger())) {
                all.add(cfg.getRootLogger());
            }
            for (LoggerConfig lc : all) {
                levels.put(lc, lc.getLevel());
                appenders.put(lc, new ArrayList<>(lc.getAppenders().values()));
                lc.getAppenders().keySet().forEach(lc::removeAppender);
                lc.setLevel(Level.DEBUG);
            }
            cfg.getRootLogger().addAppender(capture, Level.DEBUG, null);
            ctx.updateLoggers();
        }

        @Override
        public void close() {
            for (Map.Entry<LoggerConfig, Level> e : levels.entrySet()) {
                LoggerConfig lc = e.getKey();
                lc.getAppenders().keySet().forEach(lc::removeAppender);
                appenders.get(lc).forEach(a -> lc.addAppender(a, null, null));
                lc.setLevel(e.getValue());
            }
            ctx.updateLoggers();
            capture.stop();
        }
    }
}
