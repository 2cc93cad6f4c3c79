package org.dpspark.jobs.cli;

import org.apache.spark.api.java.JavaSparkContext;
import org.dpspark.jobs.train.JobLabel;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dpspark.accountant.ledger.DatasetLocations;
import org.dpspark.accountant.ledger.LedgerConflictException;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.dpspark.core.params.InvalidParameterException;
import org.dpspark.datasets.DataReader;
import org.dpspark.datasets.InputFormat;
import org.dpspark.datasets.prepare.Preparation;
import org.dpspark.datasets.prepare.PseudonymKey;
import org.dpspark.datasets.prepare.Pseudonymizer;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.spec.Identifiers;
import org.dpspark.datasets.validate.DatasetValidationException;
import org.dpspark.jobs.io.AtomicOutput;
import org.dpspark.jobs.ledger.JobLedger;
import org.dpspark.jobs.report.Reports;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dp-prepare}: the data-minimization step before training. Reads a raw table and writes a prepared copy
 * (Parquet by default) in which, as the feature spec's {@code identifiers} section declares, direct identifiers are
 * dropped, keys are replaced by keyed pseudonyms (HMAC-SHA256), display columns are masked and quasi-identifiers are
 * generalized, optionally with k-anonymity suppression; columns the spec does not declare are not copied. The copy
 * is a valid {@code dp-train} input for the same spec.
 *
 * <p><b>Budget.</b> The prepared copy holds the same people's rows, so it is registered in the privacy ledger to the
 * source's dataset (found by the source's location, or named by {@code --dataset-id}): training on it spends the
 * source's budget; preparing never creates a fresh one. The registration is written before the copy is published,
 * so no unlinked copy is ever visible at the output.
 *
 * <p><b>Secrets.</b> The pseudonym key comes from a key file readable only by its owner, an environment variable, or
 * a Hadoop credential provider; never from a flag's value (it would be visible in {@code ps}, shell history and
 * Spark's event log). The key, raw identifiers and dropped values never appear in messages, logs or the receipt,
 * which records a key id (a hash of a hash of the key) so a rotation is visible.
 *
 * <p>Everything that can be checked is checked before Spark starts (flags, spec, key, output, ledger); the output
 * and its receipt appear whole, or not at all. Exit codes: {@link ExitCode} (0, 1, 2, 4).
 */
@Command(
        name = "dp-prepare",
        mixinStandardHelpOptions = true,
        versionProvider = DpPrepare.Version.class,
        sortOptions = false,
        usageHelpWidth = 110,
        description = {
            "Prepares a raw table for training: drops direct identifiers, pseudonymizes keys (HMAC-SHA256 under a secret key),"
                    + " masks display columns and generalizes quasi-identifiers, as the feature spec's \"identifiers\" section"
                    + " declares; columns the spec does not declare are not copied. The copy is linked to its source in the"
                    + " privacy ledger (same rows, same budget). k-anonymity and pseudonymization are data minimization, not"
                    + " differential privacy: DP training still follows.",
            ""
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success: the prepared copy and its receipt are written, and linked in the ledger",
            "1:failure (I/O, Spark, internal); nothing published",
            "2:bad input (a flag, the feature spec, the key, or the data); nothing written",
            "4:ledger conflict (the source or the output belongs to another dataset); nothing written"
        })
public final class DpPrepare implements Callable<Integer> {

    /** Output formats of --output-format. */
    static final List<String> OUTPUT_FORMATS = List.of("parquet", "csv");

    /** The receipt's file name inside the output folder (Spark's readers skip names starting with '_'). */
    public static final String RECEIPT_NAME = "_dpspark_prepare.json";

    /** The ways to give the pseudonym key, for messages. */
    static final String KEY_FLAGS = "--key-file, --key-env or --key-alias (a Hadoop credential provider)";

    @Option(names = "--input", paramLabel = "PATH", description = "The raw table (file or directory; any Hadoop path). Exclusive with --table.")
    String input;

    @Option(names = "--format", paramLabel = "FMT", description = "Format of --input: csv | parquet | arrow | adult (CSV dialect from the spec's \"csv\" section).")
    String format;

    @Option(names = "--table", paramLabel = "NAME", description = "A catalog table to prepare, instead of --input.")
    String table;

    @Option(names = "--spec", paramLabel = "FILE", description = "The feature spec (JSON) with its \"identifiers\" section; the same file dp-train reads.")
    String spec;

    @Option(names = "--output", paramLabel = "PATH", description = "Folder of the prepared copy (written atomically, with the receipt " + RECEIPT_NAME + " inside).")
    String output;

    @Option(names = "--output-format", paramLabel = "FMT", defaultValue = "parquet", description = "parquet | csv (default: ${DEFAULT-VALUE}).")
    String outputFormat;

    @Option(names = "--overwrite", description = "Replace an existing --output.")
    boolean overwrite;

    @Option(names = "--k-anonymity", paramLabel = "K", description = "Suppress the rows of equivalence classes (rows with equal generalized quasi-identifiers) smaller than K (>= 2); their count is in the receipt. Without it the smallest class is only reported.")
    Integer kAnonymity;

    @Option(names = "--key-file", paramLabel = "PATH", description = "The pseudonym key: a file readable only by its owner (chmod 600) holding at least 32 bytes, e.g. made by: openssl rand -base64 48 > key.")
    String keyFile;

    @Option(names = "--key-env", paramLabel = "VAR", description = "The pseudonym key: the NAME of an environment variable holding it (at least 32 bytes).")
    String keyEnv;

    @Option(names = "--key-alias", paramLabel = "ALIAS", description = "The pseudonym key: this alias in the Hadoop credential providers of hadoop.security.credential.provider.path (or --credential-provider). Default when no other key source is given: " + PseudonymKey.DEFAULT_ALIAS + ".")
    String keyAlias;

    @Option(names = "--credential-provider", paramLabel = "URI", description = "Hadoop credential provider path for --key-alias, e.g. jceks://file/etc/dpspark/keys.jceks (default: the Hadoop configuration's hadoop.security.credential.provider.path).")
    String credentialProvider;

    @Option(names = {"--key", "--pseudonym-key", "--secret", "--hmac-key"}, paramLabel = "VALUE", hidden = true, description = "Refused: a key is never taken from the command line.")
    String keyOnCommandLine;

    @Option(names = "--ledger", paramLabel = "URI", description = "Privacy ledger in which the copy is linked to its source (default: $DPSPARK_LEDGER, else ~/.dpspark/ledger).")
    String ledger;

    @Option(names = "--dataset-id", paramLabel = "ID", description = "The source's dataset in the ledger. Needed when the source is not registered yet: the source and the copy are then registered to it (set its budget next, with dp-ledger set-budget). When the source is registered, it must be that dataset (default: the source's).")
    String datasetId;

    @Option(names = "--no-ledger", paramLabel = "REASON", description = "Do not link the copy in any ledger (the reason goes in the receipt). A copy that is not linked spends no one's budget until someone registers it: training on it is refused unless it is registered or run --unbudgeted.")
    String noLedger;

    @Option(names = "--receipt", paramLabel = "FILE", description = "Also write the receipt (JSON) to FILE (any Hadoop path).")
    String receipt;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: spark-submit's, else local[*]).")
    String master;

    private final PrintWriter out;
    private final Map<String, String> env;

    DpPrepare(PrintWriter out, Map<String, String> env) {
        this.out = out;
        this.env = env;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs dp-prepare and returns its exit code (for tests, notebooks and schedulers; never calls System.exit). */
    public static int run(String... args) {
        return run(System.getenv(), args);
    }

    /** As {@link #run(String...)} with the environment --key-env reads from (tests). */
    static int run(Map<String, String> env, String... args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        CommandLine cl = new CommandLine(new DpPrepare(out, env));
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("dp-prepare: error: " + oneLine(ex.getMessage()) + " (see dp-prepare --help)");
            return ExitCode.BAD_INPUT.code();
        });
        cl.setExecutionExceptionHandler((thrown, c, parsed) -> {
            DpPrepare cmd = c.getCommand();
            // A failed read of an input file: bad input (truncated, not its format) or an I/O fault, one line naming
            // the file either way, instead of Spark's FAILED_READ_FILE and its stack trace.
            Throwable ex = org.dpspark.datasets.InputFaults.translate(thrown, cmd.input, cmd.format)
                    .map(t -> (Throwable) t).orElse(thrown);
            ExitCode code = classify(ex);
            if (code == ExitCode.FAILURE) {
                // The message of an unexpected failure may come from anywhere (Spark, Hadoop): print its class and
                // the message's first line, never a row; the stack trace only with --verbose.
                int nl = ex.getMessage() == null ? -1 : ex.getMessage().indexOf('\n');
                err.println("dp-prepare: failed: " + ex.getClass().getName() + ": "
                        + oneLine(nl < 0 ? ex.getMessage() : ex.getMessage().substring(0, nl))
                        + " (retrying may help; details with --verbose)");
                if (cmd.verbosity.verbose) {
                    thrown.printStackTrace(err);
                }
            } else {
                err.println("dp-prepare: error: " + oneLine(messageOf(ex)));
            }
            return code.code();
        });
        return cl.execute(args);
    }

    static ExitCode classify(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof LedgerConflictException) {
                return ExitCode.LEDGER_CONFLICT;
            }
        }
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException || t instanceof DatasetValidationException) {
                return ExitCode.BAD_INPUT;
            }
        }
        return ExitCode.FAILURE;
    }

    private static String messageOf(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof LedgerConflictException || t instanceof DatasetValidationException) {
                return t.getMessage();
            }
        }
        return ex.getMessage();
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    /** What the pseudonym key's source is, for the receipt (never the key). */
    private record KeySource(String kind, String where) {}

    /** The ledger link decided before Spark starts. */
    private record Link(PrivacyLedger ledger, String datasetId, List<String> sourceLocations, boolean sourceRegistered,
                        String outputLocation) {}

    @CommandLine.Mixin
    Verbosity verbosity = new Verbosity();

    @Override
    public Integer call() {
        long started = System.nanoTime();
        Instant startedAt = Instant.now();
        InputFormat inputFormat = checkFlags();
        Configuration conf = new Configuration();
        if (credentialProvider != null) {
            conf.set("hadoop.security.credential.provider.path", credentialProvider);
        }
        FeatureSpec fs = readSpec(conf);
        Identifiers ids = fs.identifiers();
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("--spec " + spec + ": the feature spec has no \"identifiers\" section:"
                    + " nothing to drop, pseudonymize, mask or generalize (see the README, \"From raw table to private"
                    + " model\")");
        }
        if (kAnonymity != null && ids.quasiIdentifiers().isEmpty()) {
            throw new IllegalArgumentException("--k-anonymity needs quasi-identifiers: declare \"quasi_identifiers\""
                    + " (or \"generalize\") in the spec's \"identifiers\" section");
        }
        Pseudonymizer pseudonymizer = null;
        KeySource keySource = null;
        if (!ids.pseudonymize().isEmpty()) {
            keySource = keySource();
            pseudonymizer = loadKey(conf, keySource);
        } else if (keyFile != null || keyEnv != null || keyAlias != null) {
            throw new IllegalArgumentException("a pseudonym key was given but the spec pseudonymizes no column");
        }
        AtomicOutput.checkPublishable(conf, output, overwrite, "--output");
        if (receipt != null) {
            AtomicOutput.checkReplaceableFile(conf, receipt, "--receipt");
        }
        if (input != null) {
            InputFlags.requireExists(conf, input);
        }
        Link link = noLedger == null ? link(conf) : null;
        try (Verbosity.Levels levels = verbosity.apply();
                SessionHandle session = SessionHandle.open("dp-prepare", master)) {
            if (session.owned() && !session.spark().conf().contains("spark.sql.debug.maxToStringFields")) {
                // A wide raw table's plan is longer than Spark's default 25 fields: without this, Spark warns on the
                // console that it truncated a plan's string (column names only, never values).
                session.spark().conf().set("spark.sql.debug.maxToStringFields", "1000");
            }
            return prepare(session.spark(), fs, ids, inputFormat, pseudonymizer, keySource, link, started, startedAt);
        }
    }

    /** Every flag, before the spec is read or Spark starts; the input format when --input is given. */
    private InputFormat checkFlags() {
        if (keyOnCommandLine != null) {
            throw new IllegalArgumentException("a key is never taken from the command line (it would show in ps, in"
                    + " shell history and in Spark's event log); give " + KEY_FLAGS);
        }
        if (spec == null) {
            throw new IllegalArgumentException("--spec is required (a JSON feature spec with an \"identifiers\""
                    + " section)");
        }
        InputFormat f = InputFlags.check(input, format, table, "csv, parquet, arrow or adult");
        if (f == InputFormat.MNIST || f == InputFormat.LIBSVM) {
            throw new IllegalArgumentException("--format " + format + ": images and LibSVM vectors carry no"
                    + " identifiers to prepare; give csv, parquet, arrow or adult");
        }
        if (output == null) {
            throw new IllegalArgumentException("--output is required");
        }
        if (!OUTPUT_FORMATS.contains(outputFormat.strip().toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("--output-format must be parquet or csv, got '" + outputFormat + "'");
        }
        if (kAnonymity != null && kAnonymity < 2) {
            throw new IllegalArgumentException("--k-anonymity must be >= 2 (every class of at least K rows), got "
                    + kAnonymity);
        }
        int sources = (keyFile != null ? 1 : 0) + (keyEnv != null ? 1 : 0) + (keyAlias != null ? 1 : 0);
        if (sources > 1) {
            throw new IllegalArgumentException("give at most one of --key-file, --key-env and --key-alias");
        }
        if (keyEnv != null && !keyEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            // Not echoed: a key pasted here by mistake must not reach the console or logs.
            throw new IllegalArgumentException("--key-env takes the NAME of an environment variable (letters, digits,"
                    + " '_'), not a key; the value given is not shown");
        }
        if (credentialProvider != null && credentialProvider.isBlank()) {
            throw new IllegalArgumentException("--credential-provider must be a provider URI, e.g."
                    + " jceks://file/etc/dpspark/keys.jceks");
        }
        if (noLedger != null) {
            if (noLedger.isBlank()) {
                throw new IllegalArgumentException("--no-ledger needs a reason (it goes in the receipt)");
            }
            if (ledger != null || datasetId != null) {
                throw new IllegalArgumentException("--no-ledger excludes --ledger and --dataset-id");
            }
        }
        if (datasetId != null) {
            try {
                org.dpspark.jobs.run.LedgerTarget.checkDatasetId(datasetId);
            } catch (InvalidParameterException e) {
                throw new IllegalArgumentException("--dataset-id " + e.getMessage().replaceFirst("^datasetId:? ?", ""),
                        e);
            }
        }
        return f;
    }

    private FeatureSpec readSpec(Configuration conf) {
        if (FeatureSpec.builtinNames().contains(spec.strip().toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("--spec " + spec + ": the built-in specs declare no identifiers; give a"
                    + " JSON spec file with an \"identifiers\" section");
        }
        try {
            return FeatureSpec.resolve(spec, conf);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--spec: " + e.getMessage(), e);
        }
    }

    private KeySource keySource() {
        if (keyFile != null) {
            return new KeySource("file", keyFile);
        }
        if (keyEnv != null) {
            return new KeySource("environment", keyEnv);
        }
        return new KeySource("credential-provider", keyAlias != null ? keyAlias : PseudonymKey.DEFAULT_ALIAS);
    }

    private Pseudonymizer loadKey(Configuration conf, KeySource source) {
        try {
            return switch (source.kind()) {
                case "file" -> {
                    requireKeyFile(conf, source.where());
                    yield PseudonymKey.fromFile(source.where(), conf);
                }
                case "environment" -> PseudonymKey.fromEnv(source.where(), env);
                default -> PseudonymKey.fromCredentialProvider(conf, source.where());
            };
        } catch (IllegalArgumentException e) {
            String flag = switch (source.kind()) {
                case "file" -> "--key-file";
                case "environment" -> "--key-env";
                default -> keyAlias != null ? "--key-alias" : "pseudonym key (no --key-file, --key-env or --key-alias"
                        + " given, so the credential alias " + PseudonymKey.DEFAULT_ALIAS + ")";
            };
            throw new IllegalArgumentException(flag + ": " + e.getMessage(), e);
        }
    }

    /** A missing key file is named without echoing the path: a key pasted as the path must not be printed. */
    private static void requireKeyFile(Configuration conf, String path) {
        boolean exists;
        try {
            Path p = new Path(path);
            exists = p.getFileSystem(conf).exists(p);
        } catch (IOException | IllegalArgumentException e) {
            exists = false;
        }
        if (!exists) {
            throw new IllegalArgumentException("no file at the path given (the path is not shown, in case a key was"
                    + " pasted there: a key is never taken from the command line)");
        }
    }

    /**
     * The ledger link, decided before Spark starts: the source's dataset (by the source's location) and the output's
     * location must agree; nothing is written to the ledger here.
     */
    private Link link(Configuration conf) {
        PrivacyLedger l = JobLedger.open(ledger, conf, "--ledger");
        List<String> sources = new ArrayList<>();
        if (input != null) {
            sources.add(DatasetLocations.normalizePath(input, conf));
        } else {
            sources.add(DatasetLocations.normalizeTable(table));
        }
        String outLoc = DatasetLocations.normalizePath(output, conf);
        Set<String> found = new LinkedHashSet<>();
        for (String s : sources) {
            l.datasetForLocation(s).ifPresent(found::add);
        }
        String source = found.isEmpty() ? null : found.iterator().next();
        if (found.size() > 1) {
            throw new LedgerConflictException("the source's locations belong to several datasets " + found
                    + " in ledger " + l.location());
        }
        if (source != null && datasetId != null && !source.equals(datasetId)) {
            throw new LedgerConflictException("the source " + sources.get(0) + " is registered to dataset '" + source
                    + "', not '" + datasetId + "': a copy shares its source's budget");
        }
        String id = source != null ? source : datasetId;
        if (id == null) {
            throw new IllegalArgumentException("the source " + sources.get(0) + " is not registered in ledger "
                    + l.location() + ": give --dataset-id ID to register the source and its prepared copy to one"
                    + " dataset (then set its budget with dp-ledger set-budget), or --no-ledger REASON");
        }
        l.datasetForLocation(outLoc).ifPresent(owner -> {
            if (!owner.equals(id)) {
                throw new LedgerConflictException("--output " + outLoc + " is registered to dataset '" + owner
                        + "', not to the source's dataset '" + id + "'");
            }
        });
        for (String s : sources) {
            if (DatasetLocations.covers(s, outLoc) || DatasetLocations.covers(outLoc, s)) {
                throw new IllegalArgumentException("--output " + output + " overlaps the source " + s
                        + ": write the prepared copy elsewhere");
            }
        }
        return new Link(l, id, sources, source != null, outLoc);
    }

    private int prepare(SparkSession spark, FeatureSpec fs, Identifiers ids, InputFormat f, Pseudonymizer pseudonymizer,
                        KeySource keySource, Link link, long started, Instant startedAt) {
        long working = System.nanoTime(); // the session is up: from here, reading, preparing and writing
        String jobId = UUID.randomUUID().toString();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JobLabel.begin(jsc, jobId);
        JobLabel.describe(jsc, "read input");
        Dataset<Row> raw = input != null ? DataReader.read(spark, input, f, fs.csv()) : InputFlags.table(spark, table);
        Preparation.checkSchema(fs, ids, raw.schema());
        JobLabel.describe(jsc, "prepare");
        Preparation.Prepared prepared = Preparation.prepare(raw, fs, ids, pseudonymizer,
                kAnonymity == null ? 0 : kAnonymity);
        try {
            Configuration hadoop = spark.sparkContext().hadoopConfiguration();
            AtomicOutput.checkPublishable(hadoop, output, overwrite, "--output");
            String fmt = outputFormat.strip().toLowerCase(Locale.ROOT);
            byte[][] receiptBytes = new byte[1][];
            String[] summary = new String[1];
            // The copy is staged beside --output; the ledger link and the receipt are written before it is
            // renamed into place, so an unlinked copy is never visible there.
            AtomicOutput.publishDirectory(hadoop, output, overwrite, "--output", (tmp, dfs) -> {
                JobLabel.describe(jsc, "write");
                // One pass reads, treats, checks and writes; a problem it found throws here (exit 2), and nothing
                // is published.
                prepared.write(t -> t.write().format(fmt).option("header", "true").save(tmp.toString()));
                double seconds = (System.nanoTime() - working) / 1e9;
                double total = (System.nanoTime() - started) / 1e9;
                List<String> registered = link != null ? register(link) : List.of();
                ObjectNode r = receipt(fs, ids, prepared, f, keySource, pseudonymizer, link, registered, jobId,
                        startedAt, seconds, total);
                byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(r);
                try (OutputStream o = dfs.create(new Path(tmp, RECEIPT_NAME), false)) {
                    o.write(bytes);
                }
                receiptBytes[0] = bytes;
                summary[0] = summary(prepared, fmt, seconds, total, link, pseudonymizer);
            });
            if (receipt != null) {
                AtomicOutput.writeFile(hadoop, receipt, receiptBytes[0], true);
            }
            out.println(summary[0]);
        } finally {
            prepared.release();
        }
        return ExitCode.SUCCESS.code();
    }

    /** Registers the source (when new) and the output to the source's dataset; the locations newly registered. */
    private static List<String> register(Link link) {
        List<String> locs = new ArrayList<>();
        if (!link.sourceRegistered()) {
            locs.addAll(link.sourceLocations());
        }
        locs.add(link.outputLocation());
        List<String> fresh = locs.stream().filter(l -> link.ledger().datasetForLocation(l).isEmpty()).toList();
        if (!fresh.isEmpty()) {
            link.ledger().register(link.datasetId(), fresh);
        }
        return fresh;
    }

    private String summary(Preparation.Prepared p, String fmt, double seconds, double total, Link link,
                           Pseudonymizer ps) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "dp-prepare: prepared %d of %d rows to %s (%s) in %.1f seconds (%.0f rows/s; %.1f seconds with the"
                        + " Spark session's start)", p.rowsWritten(), p.rowsRead(), output, fmt, seconds,
                p.rowsRead() / Math.max(seconds, 1e-9), total));
        if (p.kAnonymity() != null) {
            sb.append(String.format(Locale.ROOT, "; k-anonymity: smallest class %d", p.kAnonymity().smallestClass()));
            if (kAnonymity != null) {
                sb.append(String.format(Locale.ROOT, ", %d rows suppressed below k = %d", p.rowsSuppressed(),
                        kAnonymity));
            }
        }
        if (ps != null) {
            sb.append("; pseudonym key id ").append(ps.keyId());
        }
        sb.append(link != null ? "; ledger: linked to dataset " + link.datasetId() + " (its budget is the source's)"
                : "; ledger: not linked (" + noLedger + ")");
        return sb.toString();
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ObjectNode receipt(FeatureSpec fs, Identifiers ids, Preparation.Prepared p, InputFormat f,
                               KeySource keySource, Pseudonymizer ps, Link link, List<String> registered, String jobId,
                               Instant startedAt, double seconds, double total) {
        ObjectNode r = JSON.createObjectNode();
        r.put("format_version", 1);
        r.put("kind", "dpspark-prepare-receipt");
        r.put("job_id", jobId);
        r.put("dpspark_version", Reports.codeVersion());
        r.put("started", startedAt.toString());
        r.put("seconds", Math.round(seconds * 1000) / 1000.0);
        r.put("seconds_with_session_start", Math.round(total * 1000) / 1000.0);
        ObjectNode in = r.putObject("input");
        if (input != null) {
            in.put("path", input);
            in.put("format", f.name().toLowerCase(Locale.ROOT));
        } else {
            in.put("table", table);
        }
        in.put("rows", p.rowsRead());
        ObjectNode specNode = r.putObject("spec");
        specNode.put("name", fs.name());
        specNode.put("file", spec);
        ObjectNode o = r.putObject("output");
        o.put("path", output);
        o.put("format", outputFormat.strip().toLowerCase(Locale.ROOT));
        o.put("rows", p.rowsWritten());
        ArrayNode cols = o.putArray("columns");
        p.columns().forEach(cols::add);
        ArrayNode actions = r.putArray("columns");
        Set<String> described = new LinkedHashSet<>();
        for (String c : ids.drop()) {
            actions.addObject().put("column", c).put("action", "drop");
            described.add(c);
        }
        for (String c : ids.pseudonymize()) {
            actions.addObject().put("column", c).put("action", "pseudonymize")
                    .put("method", "HMAC-SHA256, first 160 bits, base32");
            described.add(c);
        }
        for (Identifiers.Mask m : ids.mask()) {
            ObjectNode a = actions.addObject().put("column", m.column()).put("action", "mask")
                    .put("method", m.method().jsonName());
            if (m.method() == Identifiers.MaskMethod.KEEP_LAST) {
                a.put("keep", m.keep());
            }
            described.add(m.column());
        }
        for (Identifiers.Generalize g : ids.generalize()) {
            actions.addObject().put("column", g.column()).put("action", "generalize").put("method", g.describe());
            described.add(g.column());
        }
        for (String c : p.columns()) {
            if (described.add(c)) {
                actions.addObject().put("column", c).put("action", "copy");
            }
        }
        for (String c : p.droppedColumns()) {
            if (described.add(c)) {
                actions.addObject().put("column", c).put("action", "drop (not declared in the spec)");
            }
        }
        if (ps != null) {
            ObjectNode k = r.putObject("pseudonymization");
            k.put("algorithm", "HMAC-SHA256 (RFC 2104), first 160 bits, lowercase base32");
            k.put("key_id", ps.keyId());
            k.put("key_id_definition", "hex of the first 8 bytes of SHA-256(SHA-256(key))");
            k.put("key_source", keySource.kind());
            k.put("key_source_name", keySource.where());
        }
        if (p.kAnonymity() != null) {
            Preparation.Stats s = p.kAnonymity();
            ObjectNode k = r.putObject("k_anonymity");
            ArrayNode q = k.putArray("quasi_identifiers");
            s.quasiIdentifiers().forEach(q::add);
            k.put("classes", s.classes());
            k.put("smallest_class", s.smallestClass());
            if (kAnonymity != null) {
                k.put("k", kAnonymity);
                k.put("classes_below_k", s.classesBelowK());
                k.put("rows_suppressed", p.rowsSuppressed());
                k.put("smallest_class_after", s.smallestClassAfter());
            } else {
                k.putNull("k");
                k.put("rows_suppressed", 0);
            }
        }
        ObjectNode l = r.putObject("ledger");
        if (link != null) {
            l.put("linked", true);
            l.put("location", link.ledger().location());
            l.put("dataset_id", link.datasetId());
            ArrayNode src = l.putArray("source_locations");
            link.sourceLocations().forEach(src::add);
            l.put("output_location", link.outputLocation());
            ArrayNode reg = l.putArray("registered_now");
            registered.forEach(reg::add);
            l.put("meaning", "the prepared copy is registered to the source's dataset: training on it spends the"
                    + " source's budget");
        } else {
            l.put("linked", false);
            l.put("reason", noLedger);
        }
        r.put("note", "Dropping, pseudonymization, masking, generalization and k-anonymity are data minimization, not"
                + " differential privacy (Narayanan and Shmatikov 2008): pseudonyms are personal data under GDPR, and"
                + " the privacy guarantee of a model comes from DP training.");
        return r;
    }

    /** --version: the dpspark version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"dp-prepare (dpspark) " + Reports.codeVersion()};
        }
    }

}
