package org.dpspark.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSInputStream;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dpspark.jobs.ParallelCases;
import org.dpspark.jobs.SparkTestSession;
import org.dpspark.jobs.ledger.TestLedgers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: dp-train on broken input files. A truncated or non-gzip file is bad input (exit 2, one line naming the
 * file and the problem), an unreadable one an I/O fault (exit 1, one line), and neither reserves budget or writes.
 *
 * <p>The fuzz test mutates small valid files of every format dp-train reads (CSV, gzipped CSV, Parquet, Arrow IPC,
 * Adult, MNIST IDX raw and gzip, LibSVM, and the feature-spec JSON) with a deterministic seed (test data, not DP
 * noise): truncation, bit flips, inserted bytes, a wrong magic, a huge declared size, a zeroed range. Each case runs
 * dp-train in process on the shared session, as a dry run (it reads and validates the input before any ledger
 * access, as a training does), and every 100th as a full training of 2 steps. Every case must end with exit 0 (the
 * mutation left the file valid: the plan is printed, or a model is written and charged), 2 (one line naming the
 * file) or 1 (an I/O fault, one line), no stack trace, within the per-case timeout, without OutOfMemoryError; a dry
 * run or a refusal leaves the ledger unchanged. Counts: {@code -Ddpspark.fuzz.cases=N} (default 1000), seed
 * {@code -Ddpspark.fuzz.seed=S}; the counts by outcome go to target/fuzzed-inputs.txt. Prints nothing on success.
 *
 * <p>The fuzz cases are independent and run on {@link ParallelCases#workers()} threads ({@code -Ddpspark.test.threads=1}
 * runs them serially). Each worker has its own ledger (a case's "ledger unchanged" is about its own run), its own
 * thread for the per-case timeout and its own Spark job tag (a timeout cancels that worker's jobs only); each case
 * has its own folder, and dp-train prints to writers of its own call. A full training runs alone (it installs the
 * JVM's SIGINT and SIGTERM handlers, and its barrier stage takes every task slot of the shared session). Anything
 * printed on System.err outside a command's own writers while the cases run fails the test, naming the cases that
 * were running, as it failed the case when System.err was captured per case.
 */
class FuzzedInputsTest {
    private static final String SPEC = "{\"format_version\":1,\"name\":\"t\",\"label\":{\"column\":\"label\"},"
            + "\"features\":[{\"column\":\"a\",\"encoding\":\"scale\",\"min\":-1,\"max\":1},"
            + "{\"column\":\"b\",\"encoding\":\"scale\",\"min\":-1,\"max\":1},"
            + "{\"column\":\"c\",\"encoding\":\"scale\",\"min\":-1,\"max\":1}]}";
    private static final String SVM_SPEC = "{\"format_version\":1,\"name\":\"svm\",\"label\":{\"column\":\"label\"},"
            + "\"features\":[{\"column\":\"features\",\"encoding\":\"scale\",\"size\":4,\"min\":0,\"max\":10}]}";
    private static final int ROWS = 40;
    private static final int IMAGES = 24;
    private static final long CASE_TIMEOUT_SECONDS = 120;

    private static SparkSession spark;
    private static Path seeds;
    private static Path ledger;
    /** The named cases' lane: {@link #ledger}. */
    private static Lane lane;
    /** Fuzz cases hold it shared, and a full training alone ({@link FuzzedInputsTest the class comment} says why). */
    private static final java.util.concurrent.locks.ReadWriteLock ALONE =
            new java.util.concurrent.locks.ReentrantReadWriteLock(true);

    @TempDir
    Path dir;

    @BeforeAll
    static void start(@TempDir Path tmp) throws IOException {
        spark = SparkTestSession.start("FuzzedInputsTest");
        // A failing task is logged by the scheduler at ERROR (one line each): the cases assert the outcome themselves.
        Configurator.setLevel("org.apache.spark.scheduler.TaskSetManager", Level.OFF);
        // Spark warns, with a stack trace, when a Parquet file's Spark schema metadata no longer parses (then reads
        // the file by its Parquet schema): a flipped bit in that JSON is such a case.
        Configurator.setLevel("org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat", Level.ERROR);
        seeds = Files.createDirectories(tmp.resolve("seeds"));
        ledger = tmp.resolve("ledger");
        TestLedgers.init(ledger);
        writeSeeds(seeds);
        lane = Lane.start(ledger, "fuzz-case", false);
    }

    @AfterAll
    static void stop() {
        lane.runner().shutdownNow();
        Configurator.setLevel("org.apache.spark.scheduler.TaskSetManager", Level.ERROR);
        Configurator.setLevel("org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat", Level.WARN);
        spark.stop();
    }

    // ---------------------------------------------------------------- issue 18, part 1: the named cases

    @Test
    void truncatedGzipCsv_exit2_oneLineNamingFileAndProblem_nothingReservedOrWritten() throws IOException {
        byte[] gz = Files.readAllBytes(seeds.resolve("d.csv.gz"));
        Path f = Files.write(dir.resolve("t.csv.gz"), java.util.Arrays.copyOf(gz, gz.length / 2));
        Outcome o = runCase(Format.CSV_GZ, f, false);
        assertEquals(2, o.run.code(), o.run.err());
        assertOneLine(o.run.err(), "t.csv.gz");
        assertTrue(o.run.err().strip().startsWith("dp-train: error: input file '"), o.run.err());
        assertTrue(o.run.err().strip().endsWith("t.csv.gz': truncated gzip stream"), o.run.err());
        assertTrue(o.ledgerUnchanged, "the ledger changed");
        assertFalse(Files.exists(dir.resolve("out")), "an output was written");
    }

    @Test
    void csvNamedGzThatIsNotGzip_exit2_notGzip() throws IOException {
        Path f = Files.copy(seeds.resolve("d.csv"), dir.resolve("plain.csv.gz"));
        Outcome o = runCase(Format.CSV_GZ, f, false);
        assertEquals(2, o.run.code(), o.run.err());
        assertOneLine(o.run.err(), "plain.csv.gz");
        assertTrue(o.run.err().contains("not gzip"), o.run.err());
        assertTrue(o.ledgerUnchanged);
    }

    @Test
    void truncatedGzipMnist_exit2_namesTheFile() throws IOException {
        Path d = Files.createDirectories(dir.resolve("m"));
        byte[] gz = Files.readAllBytes(seeds.resolve("mnistgz/t-images-idx3-ubyte.gz"));
        Path f = Files.write(d.resolve("t-images-idx3-ubyte.gz"), java.util.Arrays.copyOf(gz, gz.length / 2));
        Files.copy(seeds.resolve("mnistgz/t-labels-idx1-ubyte.gz"), d.resolve("t-labels-idx1-ubyte.gz"));
        Outcome o = runCase(Format.MNIST_GZ, f, false);
        assertEquals(2, o.run.code(), o.run.err());
        assertOneLine(o.run.err(), "t-images-idx3-ubyte.gz");
        assertTrue(o.run.err().contains("truncated"), o.run.err());
    }

    @Test
    void truncatedGzipCsv_fullTraining_refusedBeforeTheLedger_noModel() throws IOException {
        byte[] gz = Files.readAllBytes(seeds.resolve("d.csv.gz"));
        Path f = Files.write(dir.resolve("t.csv.gz"), java.util.Arrays.copyOf(gz, gz.length - 30));
        Outcome o = runCase(Format.CSV_GZ, f, true);
        assertEquals(2, o.run.code(), o.run.err());
        assertOneLine(o.run.err(), "t.csv.gz");
        assertTrue(o.ledgerUnchanged, "a reservation was made");
        assertFalse(Files.exists(o.output), "a model was written");
    }

    @Test
    void unreadableFile_ioFault_exit1_oneLineNamingTheFile() throws IOException {
        // root reads anything, so the fault is a file system whose reads fail (EIO) after the first bytes
        Path f = Files.copy(seeds.resolve("d.csv"), dir.resolve("eio.csv"));
        spark.sparkContext().hadoopConfiguration().set("fs.faulty.impl", FaultyFileSystem.class.getName());
        spark.sparkContext().hadoopConfiguration().setBoolean("fs.faulty.impl.disable.cache", true);
        System.setProperty("spark.hadoop.fs.faulty.impl", FaultyFileSystem.class.getName());
        try {
            Outcome o = runCase(Format.CSV, Path.of(f.toString()), false, "faulty://" + f);
            assertEquals(1, o.run.code(), o.run.err());
            assertOneLine(o.run.err(), "eio.csv");
            assertTrue(o.run.err().startsWith("dp-train: failed: "), o.run.err());
            assertTrue(o.run.err().contains("Input/output error"), o.run.err());
            assertTrue(o.ledgerUnchanged);
        } finally {
            System.clearProperty("spark.hadoop.fs.faulty.impl");
        }
    }

    // ---------------------------------------------------------------- issue 18, part 2: the fuzz test

    @Test
    void fuzzedInputs_everyCaseExits0Or1Or2WithOneLine_noChargeOnRefusal() throws IOException {
        int cases = Integer.getInteger("dpspark.fuzz.cases", 1000);
        long seed = Long.getLong("dpspark.fuzz.seed", 18L);
        Map<String, Integer> counts = new TreeMap<>();
        Map<Format, Long> millis = new java.util.EnumMap<>(Format.class);
        List<String> failures = new ArrayList<>();
        int workers = ParallelCases.workers();
        List<Lane> lanes = new ArrayList<>();
        Set<String> running = java.util.concurrent.ConcurrentHashMap.newKeySet();
        StrayOutput stray = new StrayOutput(running);
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        long started = System.nanoTime();
        List<FuzzResult> results;
        try {
            for (int w = 0; w < workers; w++) {
                Path own = dir.resolve("ledger-" + w);
                TestLedgers.init(own);
                lanes.add(Lane.start(own, "fuzz-case-" + w, true));
            }
            System.setOut(stray.stdout);
            System.setErr(stray.stderr);
            results = ParallelCases.run(cases, workers, (w, i) -> fuzzCase(lanes.get(w), seed, i, running));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            lanes.forEach(l -> l.runner().shutdownNow());
        }
        String strayErr = stray.stderrText();
        if (!strayErr.isEmpty()) { // first: it belongs to no one case
            failures.add("printed on System.err outside dp-train's own writers while " + stray.during()
                    + " ran: " + strayErr.strip() + "; on System.out: " + stray.stdoutText().strip());
        }
        for (FuzzResult r : results) { // in case order, as a serial loop counts and lists them
            if (r.failure() != null) {
                failures.add(r.failure());
            }
            counts.merge(r.kind(), 1, Integer::sum);
            millis.merge(r.format(), r.millis(), Long::sum);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        StringBuilder summary = new StringBuilder(String.format(Locale.ROOT,
                "fuzzed inputs: %d cases, seed %d, %.0f s on %d threads%n", cases, seed, seconds, workers));
        counts.forEach((k, v) -> summary.append(String.format(Locale.ROOT, "%6d  exit %s%n", v, k)));
        millis.forEach((k, v) -> summary.append(String.format(Locale.ROOT, "time in %s cases: %.1f s%n", k, v / 1e3)));
        Path report = Path.of("target", "fuzzed-inputs.txt");
        Files.createDirectories(report.getParent());
        Files.writeString(report, summary);
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + cases + " cases failed (reproduce with -Ddpspark.fuzz.seed=" + seed
                    + " -Ddpspark.fuzz.cases=" + cases + "):\n" + String.join("\n", failures.subList(0,
                    Math.min(20, failures.size()))) + "\n" + summary);
        }
    }

    /** A fuzz case's outcome: its kind for the counts, why it is wrong (or null), its time. */
    private record FuzzResult(Format format, String kind, String failure, long millis) {}

    /** Fuzz case {@code i} of {@code seed}, on {@code lane}: mutated in a folder of its own, run, checked. */
    private FuzzResult fuzzCase(Lane lane, long seed, int i, Set<String> running) throws IOException {
        Format format = Format.values()[i % Format.values().length];
        SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + i);
        Mutation mutation = Mutation.values()[rnd.nextInt(Mutation.values().length)];
        boolean full = i % 100 == 99;
        String what = "seed " + seed + ", case " + i + ", format " + format + ", mutation " + mutation
                + (full ? ", full training" : ", dry run");
        Path caseDir = Files.createDirectories(dir.resolve("case-" + i));
        java.util.concurrent.locks.Lock lock = full ? ALONE.writeLock() : ALONE.readLock();
        lock.lock();
        running.add(what);
        long t0 = System.nanoTime();
        try {
            Path target = format.prepare(seeds, caseDir, rnd, mutation);
            Outcome o = runCase(lane, format, target, full, null, caseDir);
            String problem = check(o, target, full);
            String failure = problem == null ? null : what + ": " + problem + "; stderr: " + o.run.err().strip()
                    + "; stdout: " + o.run.out().strip();
            return new FuzzResult(format, o.run.code() + " " + kind(o.run), failure, millisSince(t0));
        } catch (TimeoutException e) {
            spark.sparkContext().cancelJobsWithTag(lane.tag());
            return new FuzzResult(format, "timeout", what + ": no result after " + CASE_TIMEOUT_SECONDS + " s",
                    millisSince(t0));
        } catch (OutOfMemoryError e) {
            return new FuzzResult(format, "OutOfMemoryError", what + ": OutOfMemoryError", millisSince(t0));
        } catch (IOException | RuntimeException | Error e) {
            throw new AssertionError(what + ": " + e, e);
        } finally {
            running.remove(what);
            lock.unlock();
            deleteTree(caseDir);
        }
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** Why the case's outcome is wrong, or null. */
    private static String check(Outcome o, Path target, boolean full) {
        CliRun r = o.run;
        String err = r.err().strip();
        if (err.contains("\tat ") || err.contains("Exception in thread") || err.contains("Caused by")) {
            return "a stack trace on stderr";
        }
        switch (r.code()) {
            case 0 -> {
                if (!err.isEmpty()) {
                    return "exit 0 with stderr";
                }
                if (!full) {
                    if (!r.out().contains("dry run: nothing reserved")) {
                        return "exit 0 without the dry run's line";
                    }
                    return o.ledgerUnchanged ? null : "a dry run changed the ledger";
                }
                if (!Files.exists(o.output.resolve("model.json"))) {
                    return "exit 0 without model.json";
                }
                return o.ledgerUnchanged ? "exit 0 but nothing charged in the ledger" : null;
            }
            case 1, 2 -> {
                if (err.lines().count() != 1) {
                    return "not one line on stderr";
                }
                String prefix = r.code() == 2 ? "dp-train: error: " : "dp-train: failed: ";
                if (!err.startsWith(prefix)) {
                    return "the line does not start with '" + prefix + "'";
                }
                // the mutated file, or the input it belongs to (an MNIST labels file's images file; the CSV a
                // mutated spec describes), or a plan refusal that names N (a truncated file with too few rows)
                if (!err.contains(target.getFileName().toString()) && !err.contains(o.input)
                        && !err.contains("(N = ")) {
                    return "the line does not name the file " + target.getFileName() + " or " + o.input;
                }
                if (!o.ledgerUnchanged) {
                    return "refused, yet the ledger changed";
                }
                if (o.output != null && Files.exists(o.output)) {
                    return "refused, yet an output was written";
                }
                return null;
            }
            default -> {
                return "exit " + r.code();
            }
        }
    }

    /** The kind of a line, for the counts: the problem without paths, numbers or names. */
    static String kind(CliRun r) {
        if (r.code() == 0) {
            return "still valid, accepted";
        }
        String line = r.err().strip();
        String[][] kinds = {
            {"truncated gzip stream", "truncated gzip stream"},
            {"not gzip", "not gzip"},
            {"corrupt gzip stream", "corrupt gzip stream"},
            {"corrupt Parquet", "corrupt Parquet file"},
            {"Arrow footer", "corrupt Arrow footer"},
            {"declares offset", "Arrow block beyond the file"},
            {"Arrow record batch", "corrupt Arrow record batch"},
            {"not an Arrow IPC file", "not an Arrow IPC file"},
            {"no Arrow file trailer", "no Arrow file trailer"},
            {"invalid Arrow footer length", "invalid Arrow footer length"},
            {"too short to be an Arrow", "too short for Arrow"},
            {"truncated Arrow", "truncated Arrow file"},
            {"bad magic number", "IDX: bad magic number"},
            {"invalid header", "IDX: invalid header"},
            {"truncated header", "IDX: truncated header"},
            {"truncated: the header declares", "IDX: truncated body"},
            {"has bytes after the declared", "IDX: trailing bytes"},
            {"labels but the images file holds", "IDX: label count mismatch"},
            {"corrupt or truncated gzip data", "IDX: corrupt or truncated gzip"},
            {"feature spec", "feature spec JSON refused"},
            {"spec", "feature spec JSON refused"},
            {"malformed content", "malformed content (parser)"},
            {"malformed LibSVM line", "malformed LibSVM line"},
            {"truncated (unexpected end", "truncated (end of file)"},
            {"unreadable as its format", "unreadable as its format"},
            {"malformed records", "validation: malformed records"},
            {"non-numeric", "validation: non-numeric values"},
            {"label", "validation: label"},
            {"missing", "validation: missing columns or values"},
            {"has no header", "CSV without header"},
            {"no rows", "validation: no rows"},
            {"wrong size", "validation: vector size"},
            {"Parquet", "Parquet"},
            {"--delta", "plan: delta >= 1/N"},
            {"batch", "plan: batch size vs N"},
        };
        for (String[] k : kinds) {
            if (line.contains(k[0])) {
                return k[1];
            }
        }
        return "other: " + line.replaceAll("'[^']*'", "'...'").replaceAll("[0-9]+", "N");
    }

    // ---------------------------------------------------------------- running one case

    record Outcome(CliRun run, boolean ledgerUnchanged, Path output, String input) {}

    private Outcome runCase(Format format, Path target, boolean full) {
        return runCase(format, target, full, null);
    }

    private Outcome runCase(Format format, Path target, boolean full, String inputUri) {
        try {
            return runCase(lane, format, target, full, inputUri, dir);
        } catch (TimeoutException e) {
            throw new AssertionError("no result after " + CASE_TIMEOUT_SECONDS + " s", e);
        }
    }

    /**
     * What a case runs on: its ledger, the thread that runs its dp-train (abandoned by a case that times out), the
     * Spark job tag of that thread's jobs (a timeout cancels them), and whether dp-train prints to writers of its
     * own call (fuzz cases on several threads) or to System.out and System.err, captured (the named cases, alone).
     */
    private record Lane(Path ledger, ExecutorService runner, String tag, boolean ownWriters) {
        static Lane start(Path ledger, String name, boolean ownWriters) {
            ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
            return new Lane(ledger, runner, "dpspark-" + name, ownWriters);
        }
    }

    private static Outcome runCase(Lane lane, Format format, Path target, boolean full, String inputUri,
            Path caseDir) throws TimeoutException {
        List<String> args = format.args(target, caseDir);
        if (inputUri != null) {
            args.set(args.indexOf("--input") + 1, inputUri);
        }
        Path out = caseDir.resolve("out");
        args.addAll(List.of("--ledger", lane.ledger().toString(), "--epsilon", "2", "--delta", "1e-3",
                "--job-id", "fuzz-" + caseDir.getFileName() + "-" + System.nanoTime()));
        if (full) {
            args.addAll(List.of("--steps", "2", "--batch-size", "8", "--output", out.toString()));
        } else {
            args.addAll(List.of("--dry-run", "--batch-size", "8", "--steps", "2"));
        }
        String before = ledgerState(lane.ledger());
        Future<CliRun> f = lane.runner().submit(() -> {
            spark.sparkContext().addJobTag(lane.tag()); // the runner thread's jobs, from now on
            String[] a = args.toArray(String[]::new);
            return lane.ownWriters() ? CliRun.call(DpTrain::run, a) : CliRun.capture(DpTrain::run, a);
        });
        CliRun r;
        try {
            r = f.get(CASE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof OutOfMemoryError oom) {
                throw oom;
            }
            throw new AssertionError("dp-train threw " + e.getCause(), e.getCause());
        }
        return new Outcome(r, before.equals(ledgerState(lane.ledger())), full ? out : null,
                args.get(args.indexOf("--input") + 1));
    }

    /** Every file of the ledger with its size: a reservation or commit adds or grows one. */
    private static String ledgerState(Path ledger) {
        try (Stream<Path> s = Files.walk(ledger)) {
            StringBuilder b = new StringBuilder();
            s.filter(Files::isRegularFile).sorted().forEach(p -> {
                try {
                    b.append(ledger.relativize(p)).append(' ').append(Files.size(p)).append('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            return b.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * System.out and System.err while the fuzz cases run: what is printed there, outside the commands' own writers
     * (a library, a Spark thread), and the cases running when it was.
     */
    private static final class StrayOutput {
        private final Set<String> running;
        private final Set<String> during = new TreeSet<>();
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream stdout = new PrintStream(sink(out, false), true, StandardCharsets.UTF_8);
        final PrintStream stderr = new PrintStream(sink(err, true), true, StandardCharsets.UTF_8);

        StrayOutput(Set<String> running) {
            this.running = running;
        }

        private java.io.OutputStream sink(ByteArrayOutputStream to, boolean noteCases) {
            return new java.io.OutputStream() {
                @Override
                public void write(int b) {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    synchronized (StrayOutput.this) {
                        to.write(b, off, len);
                        if (noteCases) {
                            during.addAll(running);
                        }
                    }
                }
            };
        }

        synchronized String stderrText() {
            return err.toString(StandardCharsets.UTF_8);
        }

        synchronized String stdoutText() {
            return out.toString(StandardCharsets.UTF_8);
        }

        synchronized String during() {
            return during.isEmpty() ? "no case" : String.join("; ", during);
        }
    }

    private static void assertOneLine(String err, String file) {
        String e = err.strip();
        assertEquals(1, e.lines().count(), "not one line: " + e);
        assertTrue(e.contains(file), "the line does not name " + file + ": " + e);
        assertFalse(e.contains("\tat "), e);
    }

    private static void deleteTree(Path p) {
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        } catch (IOException e) {
            // a temporary folder; JUnit removes what is left
        }
    }

    // ---------------------------------------------------------------- formats and mutations

    enum Mutation { TRUNCATE, BIT_FLIPS, INSERT_BYTES, WRONG_MAGIC, HUGE_SIZE, ZERO_RANGE }

    /** A seed file per format, its flags, and where in it a size field lies. */
    enum Format {
        CSV("d.csv", "csv"),
        CSV_GZ("d.csv.gz", "csv"),
        PARQUET("d.parquet", "parquet"),
        ARROW("d.arrow", "arrow"),
        ADULT("adult.data", "adult"),
        MNIST_RAW("mnist/t-images-idx3-ubyte", "mnist"),
        MNIST_GZ("mnistgz/t-images-idx3-ubyte.gz", "mnist"),
        LIBSVM("d.svm", "libsvm"),
        SPEC_JSON("spec.json", "csv");

        final String seed;
        final String flag;

        Format(String seed, String flag) {
            this.seed = seed;
            this.flag = flag;
        }

        /** Copies the seed (and its companions) into {@code caseDir}, mutates one file, returns it. */
        Path prepare(Path seeds, Path caseDir, SplittableRandom rnd, Mutation m) throws IOException {
            Path src = seeds.resolve(seed);
            Path dst = caseDir.resolve(src.getFileName().toString());
            if (this == MNIST_RAW || this == MNIST_GZ) {
                String labels = src.getFileName().toString().replace("images-idx3", "labels-idx1");
                Path lsrc = src.resolveSibling(labels);
                Path ldst = caseDir.resolve(labels);
                Files.copy(src, dst);
                Files.copy(lsrc, ldst);
                Path target = rnd.nextInt(4) == 0 ? ldst : dst; // the labels file a quarter of the time
                Files.write(target, mutate(Files.readAllBytes(target), rnd, m, target.getFileName().toString()));
                return target;
            }
            if (this == SPEC_JSON) {
                Files.copy(seeds.resolve("d.csv"), caseDir.resolve("d.csv"));
            }
            Files.write(dst, mutate(Files.readAllBytes(src), rnd, m, dst.getFileName().toString()));
            return dst;
        }

        List<String> args(Path target, Path caseDir) {
            List<String> a = new ArrayList<>();
            switch (this) {
                case SPEC_JSON -> a.addAll(List.of("--input", caseDir.resolve("d.csv").toString(), "--spec",
                        target.toString()));
                case MNIST_RAW, MNIST_GZ -> {
                    String images = target.getFileName().toString().replace("labels-idx1", "images-idx3");
                    a.addAll(List.of("--input", target.resolveSibling(images).toString(), "--features", "raw",
                            "--model", "softmax"));
                }
                case LIBSVM -> a.addAll(List.of("--input", target.toString(), "--spec", seeds.resolve("svm.json")
                        .toString()));
                case ADULT -> a.addAll(List.of("--input", target.toString()));
                default -> a.addAll(List.of("--input", target.toString(), "--spec", seeds.resolve("spec.json")
                        .toString()));
            }
            a.addAll(List.of("--format", flag));
            return a;
        }

        /** The file's bytes mutated by {@code m}. */
        static byte[] mutate(byte[] b, SplittableRandom rnd, Mutation m, String name) {
            switch (m) {
                case TRUNCATE:
                    return java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
                case BIT_FLIPS: {
                    byte[] c = b.clone();
                    int flips = 1 + rnd.nextInt(8);
                    for (int i = 0; i < flips; i++) {
                        int at = rnd.nextInt(c.length);
                        c[at] ^= (byte) (1 << rnd.nextInt(8));
                    }
                    return c;
                }
                case INSERT_BYTES: {
                    int at = rnd.nextInt(b.length + 1);
                    byte[] ins = new byte[1 + rnd.nextInt(16)];
                    for (int i = 0; i < ins.length; i++) {
                        ins[i] = (byte) rnd.nextInt(256);
                    }
                    byte[] c = new byte[b.length + ins.length];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(ins, 0, c, at, ins.length);
                    System.arraycopy(b, at, c, at + ins.length, b.length - at);
                    return c;
                }
                case WRONG_MAGIC: {
                    byte[] c = b.clone();
                    int n = Math.min(4, c.length);
                    for (int i = 0; i < n; i++) {
                        c[i] = (byte) (c[i] ^ (1 + rnd.nextInt(255)));
                    }
                    if (name.endsWith(".arrow") || name.endsWith(".parquet")) {
                        for (int i = Math.max(0, c.length - 4); i < c.length; i++) {
                            c[i] = (byte) (c[i] ^ (1 + rnd.nextInt(255)));
                        }
                    }
                    return c;
                }
                case HUGE_SIZE:
                    return hugeSize(b, rnd, name);
                case ZERO_RANGE: {
                    byte[] c = b.clone();
                    int at = rnd.nextInt(c.length);
                    int len = Math.min(c.length - at, 1 + rnd.nextInt(64));
                    java.util.Arrays.fill(c, at, at + len, (byte) 0);
                    return c;
                }
                default:
                    throw new IllegalStateException();
            }
        }

        /** A size field set far beyond the file: IDX counts, Arrow and Parquet footer lengths, gzip's ISIZE. */
        private static byte[] hugeSize(byte[] b, SplittableRandom rnd, String name) {
            byte[] c = b.clone();
            int huge = rnd.nextBoolean() ? Integer.MAX_VALUE : 0x7FFFFF00;
            if (name.endsWith(".gz")) {
                ByteBuffer.wrap(c, c.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(huge); // ISIZE
                return c;
            }
            if (name.contains("idx3")) {
                // the image count (2^31 - 1), or rows or columns
                int field = 4 + 4 * rnd.nextInt(3);
                ByteBuffer.wrap(c, field, 4).putInt(huge);
                return c;
            }
            if (name.contains("idx1")) {
                ByteBuffer.wrap(c, 4, 4).putInt(huge);
                return c;
            }
            if (name.endsWith(".arrow")) {
                ByteBuffer.wrap(c, c.length - 10, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(huge); // footer length
                return c;
            }
            if (name.endsWith(".parquet")) {
                ByteBuffer.wrap(c, c.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(huge); // footer length
                return c;
            }
            if (name.endsWith(".json")) {
                String s = new String(c, StandardCharsets.UTF_8).replace("\"max\":1}", "\"max\":1e308}");
                return s.getBytes(StandardCharsets.UTF_8);
            }
            // text: a line far longer than the others (a field of 100,000 digits)
            String s = new String(c, StandardCharsets.UTF_8);
            int nl = s.indexOf('\n', s.length() / 2);
            String big = "9".repeat(100_000);
            return (nl < 0 ? s + big : s.substring(0, nl + 1) + big + "," + s.substring(nl + 1))
                    .getBytes(StandardCharsets.UTF_8);
        }
    }

    // ---------------------------------------------------------------- seed files

    static void writeSeeds(Path d) throws IOException {
        SplittableRandom r = new SplittableRandom(7);
        StringBuilder csv = new StringBuilder("a,b,label,c\n");
        StringBuilder svm = new StringBuilder();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            double a = r.nextDouble(-1, 1);
            double b = r.nextDouble(-1, 1);
            double c = r.nextDouble(-1, 1);
            int y = 3 * a - 2 * b + c > 0 ? 1 : 0;
            csv.append(String.format(Locale.ROOT, "%.4f,%.4f,%d,%.4f%n", a, b, y, c));
            svm.append(String.format(Locale.ROOT, "%d 1:%.3f 3:%.3f 4:%.3f%n", y, 5 + 5 * a, 5 + 5 * b, 5 + 5 * c));
            rows.add(RowFactory.create(a, b, y, c));
        }
        Files.writeString(d.resolve("d.csv"), csv);
        Files.write(d.resolve("d.csv.gz"), gzip(csv.toString().getBytes(StandardCharsets.UTF_8)));
        Files.writeString(d.resolve("d.svm"), svm);
        Files.writeString(d.resolve("spec.json"), SPEC);
        Files.writeString(d.resolve("svm.json"), SVM_SPEC);

        StructType schema = new StructType().add("a", DataTypes.DoubleType).add("b", DataTypes.DoubleType)
                .add("label", DataTypes.IntegerType).add("c", DataTypes.DoubleType);
        Path pq = d.resolve("parquet-out");
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(pq.toString());
        try (Stream<Path> s = Files.list(pq)) {
            Path part = s.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
            Files.copy(part, d.resolve("d.parquet"));
        }
        writeArrow(d.resolve("d.arrow"), rows);

        // Adult: lines in the UCI layout (15 fields), ages and hours varied
        StringBuilder adult = new StringBuilder();
        for (int i = 0; i < ROWS; i++) {
            adult.append(String.format(Locale.ROOT, "%d, Private, %d, Bachelors, 13, Never-married, Adm-clerical, "
                    + "Not-in-family, White, Male, 0, 0, %d, United-States, %s%n", 20 + i, 77516 + 1000 * i,
                    30 + i % 20, i % 3 == 0 ? ">50K" : "<=50K"));
        }
        Files.writeString(d.resolve("adult.data"), adult);

        // MNIST IDX: IMAGES images of 28 x 28 and their labels, raw and gzip
        byte[] images = new byte[16 + IMAGES * 784];
        ByteBuffer.wrap(images).putInt(0x803).putInt(IMAGES).putInt(28).putInt(28);
        for (int i = 16; i < images.length; i++) {
            images[i] = (byte) r.nextInt(256);
        }
        byte[] labels = new byte[8 + IMAGES];
        ByteBuffer.wrap(labels).putInt(0x801).putInt(IMAGES);
        for (int i = 8; i < labels.length; i++) {
            labels[i] = (byte) (i % 10);
        }
        Path raw = Files.createDirectories(d.resolve("mnist"));
        Files.write(raw.resolve("t-images-idx3-ubyte"), images);
        Files.write(raw.resolve("t-labels-idx1-ubyte"), labels);
        Path gz = Files.createDirectories(d.resolve("mnistgz"));
        Files.write(gz.resolve("t-images-idx3-ubyte.gz"), gzip(images));
        Files.write(gz.resolve("t-labels-idx1-ubyte.gz"), gzip(labels));
    }

    private static void writeArrow(Path file, List<Row> rows) throws IOException {
        ArrowType f64 = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
        Schema schema = new Schema(List.of(Field.nullable("a", f64), Field.nullable("b", f64),
                Field.nullable("label", new ArrowType.Int(32, true)), Field.nullable("c", f64)));
        try (BufferAllocator alloc = new RootAllocator(Long.MAX_VALUE);
             VectorSchemaRoot root = VectorSchemaRoot.create(schema, alloc);
             FileOutputStream out = new FileOutputStream(file.toFile());
             ArrowFileWriter writer = new ArrowFileWriter(root, null, out.getChannel())) {
            writer.start();
            for (int batch = 0; batch < 2; batch++) {
                root.allocateNew();
                int n = rows.size() / 2;
                for (int i = 0; i < n; i++) {
                    Row row = rows.get(batch * n + i);
                    ((Float8Vector) root.getVector(0)).setSafe(i, row.getDouble(0));
                    ((Float8Vector) root.getVector(1)).setSafe(i, row.getDouble(1));
                    ((IntVector) root.getVector(2)).setSafe(i, row.getInt(2));
                    ((Float8Vector) root.getVector(3)).setSafe(i, row.getDouble(3));
                }
                root.setRowCount(n);
                writer.writeBatch();
            }
            writer.end();
        }
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(bos)) {
            g.write(b);
        }
        return bos.toByteArray();
    }

    /**
     * A local file system under the scheme {@code faulty://} whose reads fail with EIO after the first 64 bytes: a
     * genuine I/O fault, which root's permissions cannot simulate.
     */
    public static final class FaultyFileSystem extends RawLocalFileSystem {
        @Override
        public java.net.URI getUri() {
            return java.net.URI.create("faulty:///");
        }

        @Override
        public String getScheme() {
            return "faulty";
        }

        @Override
        public FSDataInputStream open(org.apache.hadoop.fs.Path f, int bufferSize) throws IOException {
            FSDataInputStream in = super.open(f, bufferSize);
            return new FSDataInputStream(new FailingStream(in));
        }

        @Override
        public org.apache.hadoop.fs.Path makeQualified(org.apache.hadoop.fs.Path path) {
            return path.makeQualified(getUri(), getWorkingDirectory());
        }

        @Override
        protected void checkPath(org.apache.hadoop.fs.Path path) {
            // any faulty:// or scheme-less path
        }

        @Override
        public java.io.File pathToFile(org.apache.hadoop.fs.Path path) {
            return new java.io.File(path.toUri().getPath());
        }
    }

    private static final class FailingStream extends FSInputStream {
        private final FSDataInputStream in;

        FailingStream(FSDataInputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            check(1);
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            check(len);
            return in.read(b, off, Math.min(len, (int) Math.max(1, 64 - in.getPos())));
        }

        private void check(int len) throws IOException {
            if (in.getPos() >= 64) {
                throw new IOException("Input/output error");
            }
        }

        @Override
        public void seek(long pos) throws IOException {
            in.seek(pos);
        }

        @Override
        public long getPos() throws IOException {
            return in.getPos();
        }

        @Override
        public boolean seekToNewSource(long targetPos) {
            return false;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
