package org.dpspark.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.spark.sql.SparkSession;
import org.dpspark.jobs.ledger.TestLedgers;
import org.dpspark.jobs.train.SecretTaps;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: a dp-train run logged at DEBUG (every logger, to a file) with Spark's event log on writes none of its
 * secrets and none of its input values. Secrets: the sampling job key and the noise streams' keys and IVs (drawn by
 * {@code CsprngStream}, learned through its test-only tap), the barrier channel's secret, and, with
 * {@code --secure-aggregation masking}, the parties' secret (from {@code --secagg-party-secret-file}). Values: planted
 * numbers (123.456789, ...) in a CSV column, as written and as Java renders the double. Searched in: the DEBUG log,
 * the event log, report.json, report.html, model.json, the status file and the ledger directory; raw bytes, hex,
 * Base64, and the first 8 bytes as a long.
 */
class SecretsInOutputsTest {
    private static final String[] PLANTED = {"123.456789", "-271.828183", "314.159265", "42.4242421"};
    private static final String SPEC = "{\"format_version\":1,\"name\":\"s\",\"label\":{\"column\":\"label\"},"
            + "\"features\":[{\"column\":\"a\",\"encoding\":\"scale\",\"min\":-1000,\"max\":1000},"
            + "{\"column\":\"b\",\"encoding\":\"scale\",\"min\":-1,\"max\":1}]}";

    private static SparkSession spark;
    private static Path eventLog;
    private static Path debugLog;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws IOException {
        eventLog = Files.createDirectories(dir.resolve("events"));
        debugLog = dir.resolve("debug.log");
        spark = SparkSession.builder().appName("SecretsInOutputsTest").master("local[2]")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.eventLog.enabled", "true")
                .config("spark.eventLog.dir", eventLog.toUri().toString())
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void debugLogsEventLogReportsModelAndLedger_holdNoSecretAndNoInputValue() throws IOException {
        Path csv = writeInput();
        Path spec = Files.writeString(dir.resolve("spec.json"), SPEC);
        Path partySecretFile = dir.resolve("party.secret");
        byte[] partySecret = new byte[48];
        new SplittableRandom(99).nextBytes(partySecret);
        Files.write(partySecretFile, partySecret);
        String ledger = TestLedgers.init(dir.resolve("ledger"));

        List<byte[]> secrets;
        List<CliRun> runs = new ArrayList<>();
        Runnable restore = debugToFile(debugLog);
        SecretTaps.start();
        try {
            runs.add(train(csv, spec, ledger, "central", "--checkpoint-dir", dir.resolve("checkpoints").toString(),
                    "--checkpoint-every", "5"));
            runs.add(train(csv, spec, ledger, "masking", "--secure-aggregation", "masking", "--partitions", "2",
                    "--secagg-bits", "40", "--secagg-party-secret-file", partySecretFile.toString()));
        } finally {
            secrets = SecretTaps.stop();
            restore.run();
        }
        spark.stop(); // flushes and closes the event log
        spark = null;
        for (CliRun r : runs) {
            assertEquals(0, r.code(), r.err());
        }
        assertTrue(secrets.size() >= 6, "the taps saw " + secrets.size() + " secrets: job keys, noise keys and IVs");
        secrets.add(partySecret);
        assertTrue(Files.size(debugLog) > 0, "nothing was logged at DEBUG");
        try (Stream<Path> s = Files.walk(eventLog)) {
            assertTrue(s.anyMatch(Files::isRegularFile), "no event log was written");
        }

        Map<String, byte[]> needles = new LinkedHashMap<>();
        for (int i = 0; i < secrets.size(); i++) {
            byte[] k = secrets.get(i);
            String name = i == secrets.size() - 1 ? "party secret" : "secret " + i;
            needles.put(name + " (raw)", k);
            needles.put(name + " (hex)", ascii(HexFormat.of().formatHex(k)));
            needles.put(name + " (HEX)", ascii(HexFormat.of().withUpperCase().formatHex(k)));
            needles.put(name + " (base64)", ascii(Base64.getEncoder().withoutPadding().encodeToString(k)));
            needles.put(name + " (base64url)", ascii(Base64.getUrlEncoder().withoutPadding().encodeToString(k)));
            needles.put(name + " (long)", ascii(Long.toString(java.nio.ByteBuffer.wrap(k).getLong())));
            needles.put(name + " (long LE)", ascii(Long.toString(java.nio.ByteBuffer.wrap(k)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong())));
        }
        for (String v : PLANTED) {
            double d = Double.parseDouble(v);
            needles.put("input value " + v, ascii(v));
            needles.put("input value " + v + " as a double", ascii(Double.toString(d)));
            needles.put("input value " + v + " as a float", ascii(Float.toString((float) d)));
            needles.put("input value " + v + " scaled", ascii(Double.toString((d + 1000) / 2000)));
        }

        List<Path> scanned = new ArrayList<>();
        for (Path root : List.of(debugLog, eventLog, dir.resolve("central"), dir.resolve("masking"),
                dir.resolve("ledger"), dir.resolve("status-central.json"), dir.resolve("status-masking.json"),
                dir.resolve("checkpoints"))) {
            try (Stream<Path> s = Files.walk(root)) {
                s.filter(Files::isRegularFile).forEach(scanned::add);
            }
        }
        for (String required : List.of("model.json", "report.json", "report.html", "debug.log")) {
            assertTrue(scanned.stream().anyMatch(p -> p.getFileName().toString().equals(required)), required);
        }
        assertTrue(scanned.stream().anyMatch(p -> p.getFileName().toString().startsWith("checkpoint-")),
                "the central run wrote checkpoints");
        List<String> found = new ArrayList<>();
        for (Path p : scanned) {
            byte[] content = Files.readAllBytes(p);
            needles.forEach((name, needle) -> {
                if (indexOf(content, needle) >= 0) {
                    found.add(name + " in " + dir.relativize(p));
                }
            });
        }
        assertTrue(found.isEmpty(), "found in the run's outputs: " + found);
        // the search finds what is there: the planted values in the input, a secret written out in hex
        byte[] input = Files.readAllBytes(csv);
        for (String v : PLANTED) {
            assertTrue(indexOf(input, ascii(v)) >= 0, v);
        }
        Path control = Files.writeString(dir.resolve("control.txt"), "key=" + HexFormat.of().formatHex(secrets.get(0)));
        assertTrue(indexOf(Files.readAllBytes(control), needles.get("secret 0 (hex)")) >= 0, "the search is blind");
        assertFalse(scanned.isEmpty());
    }

    private CliRun train(Path csv, Path spec, String ledger, String out, String... more) {
        List<String> a = new ArrayList<>(List.of("--input", csv.toString(), "--format", "csv", "--spec",
                spec.toString(), "--epsilon", "2", "--epochs", "1", "--batch-size", "100", "--ledger", ledger,
                "--output", dir.resolve(out).toString(), "--status-file",
                dir.resolve("status-" + out + ".json").toString()));
        a.addAll(List.of(more));
        return CliRun.capture(DpTrain::run, a.toArray(String[]::new));
    }

    /** 2,000 rows of a (in [-1000, 1000]) and b, the planted values among the a's. */
    private static Path writeInput() throws IOException {
        SplittableRandom r = new SplittableRandom(5);
        StringBuilder b = new StringBuilder("a,b,label\n");
        for (int i = 0; i < 2000; i++) {
            String a = i % 250 == 7 ? PLANTED[(i / 250) % PLANTED.length]
                    : String.format(Locale.ROOT, "%.2f", r.nextDouble(-1000, 1000));
            double x = r.nextDouble(-1, 1);
            b.append(a).append(',').append(String.format(Locale.ROOT, "%.3f", x)).append(',')
                    .append(Double.parseDouble(a) / 1000 + x > 0 ? 1 : 0).append('\n');
        }
        return Files.writeString(dir.resolve("input.csv"), b);
    }

    /**
     * Every logger at DEBUG into {@code file}; the console keeps WARN. Returns what restores the configuration
     * (log4j2-test.properties, reloaded).
     */
    private static Runnable debugToFile(Path file) {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        FileAppender appender = FileAppender.newBuilder().setName("secrets-debug").withFileName(file.toString())
                .setLayout(PatternLayout.newBuilder().withPattern("%d %p %c: %m%n%ex").build()).build();
        appender.start();
        config.addAppender(appender);
        LoggerConfig root = config.getRootLogger();
        Map<String, Appender> before = new LinkedHashMap<>(root.getAppenders());
        before.keySet().forEach(root::removeAppender);
        before.values().forEach(a -> root.addAppender(a, Level.WARN, null));
        root.addAppender(appender, Level.DEBUG, null);
        root.setLevel(Level.DEBUG);
        for (LoggerConfig lc : config.getLoggers().values()) {
            if (lc != root) {
                lc.setLevel(Level.DEBUG);
            }
        }
        ctx.updateLoggers();
        return () -> {
            ctx.reconfigure();
            appender.stop();
        };
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
