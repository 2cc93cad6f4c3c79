package org.dpspark.jobs.cli;

import org.apache.spark.api.java.JavaSparkContext;
import org.dpspark.jobs.train.JobLabel;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.dpspark.datasets.DataReader;
import org.dpspark.datasets.InputFormat;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.spec.VectorFeature;
import org.dpspark.datasets.validate.DatasetValidationException;
import org.dpspark.jobs.ml.RawScorer;
import org.dpspark.jobs.model.SavedModel;
import org.dpspark.jobs.provenance.ModelProvenance;
import org.dpspark.jobs.io.AtomicOutput;
import org.dpspark.jobs.report.Reports;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dp-predict}: scores a file or a catalog table with a dp-train model folder. The model's own feature spec
 * encodes the raw input exactly as dp-train encoded its training rows; the matching MLlib model predicts.
 *
 * <p>Output: the {@code --keep-cols} columns of the input (none by default: the input may be private, and the
 * output is a copy of it only when asked), then {@code prediction} (the class index as a double for classifiers,
 * the value for regression), then for classifiers {@code probability}: for a binary model the probability of
 * class 1 (a double), for K &gt; 2 classes the K class probabilities (an array of doubles in Parquet; its JSON text,
 * e.g. {@code [0.1,0.7,0.2]}, in CSV). Scoring spends no privacy: the model is already released.
 *
 * <p>Flags and the model are checked before Spark starts; the output appears whole (written beside it, then
 * renamed) or not at all. Exit codes: {@link ExitCode} (0, 1, 2).
 */
@Command(
        name = "dp-predict",
        mixinStandardHelpOptions = true,
        versionProvider = DpPredict.Version.class,
        sortOptions = false,
        usageHelpWidth = 110,
        description = {
            "Scores a file or a catalog table with a dp-train model (no privacy is spent: the model is already released).",
            ""
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success: the output is written",
            "1:failure (I/O, Spark, internal); nothing published",
            "2:bad input (a flag, the model folder, or input that does not match the model's feature spec); nothing published"
        })
public final class DpPredict implements Callable<Integer> {

    /** Output formats of --output-format. */
    static final List<String> OUTPUT_FORMATS = List.of("parquet", "csv");

    @Option(names = "--model", paramLabel = "DIR", description = "A dp-train model folder (its model.json, format 1 or 2).")
    String model;

    @Option(names = "--input", paramLabel = "PATH", description = "Data to score (file or directory; any Hadoop path). Exclusive with --table.")
    String input;

    @Option(names = "--format", paramLabel = "FMT", description = "Format of --input, as dp-train: csv | parquet | arrow | adult | mnist | libsvm.")
    String format;

    @Option(names = "--table", paramLabel = "NAME", description = "A catalog table to score, instead of --input.")
    String table;

    @Option(names = "--output", paramLabel = "PATH", description = "Output folder to create (written atomically).")
    String output;

    @Option(names = "--output-format", paramLabel = "FMT", defaultValue = "parquet", description = "parquet | csv (default: ${DEFAULT-VALUE}).")
    String outputFormat;

    @Option(names = "--keep-cols", paramLabel = "COL[,COL...]", split = ",", description = "Input columns copied to the output beside the predictions (default: none).")
    List<String> keepCols;

    @Option(names = "--overwrite", description = "Replace an existing --output.")
    boolean overwrite;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: spark-submit's, else local[*]).")
    String master;

    private final PrintWriter out;

    DpPredict(PrintWriter out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs dp-predict and returns its exit code (used by tests and notebooks; never calls System.exit). */
    public static int run(String... args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        CommandLine cl = new CommandLine(new DpPredict(out));
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("dp-predict: error: " + ex.getMessage());
            err.println("Run 'dp-predict --help' for the flags.");
            return ExitCode.BAD_INPUT.code();
        });
        cl.setExecutionExceptionHandler((thrown, c, parsed) -> {
            DpPredict cmd = c.getCommand();
            // A failed read of an input file: bad input (truncated, not its format) or an I/O fault, one line naming
            // the file either way, instead of Spark's FAILED_READ_FILE and its stack trace.
            Throwable ex = org.dpspark.datasets.InputFaults.translate(thrown, cmd.input, cmd.format)
                    .map(t -> (Throwable) t).orElse(thrown);
            ExitCode code = classify(ex);
            if (code == ExitCode.FAILURE) {
                err.println("dp-predict: failed: " + ex.getClass().getSimpleName() + ": " + firstLine(ex.getMessage())
                        + " (retrying may help; details with --verbose)");
                if (cmd.verbosity.verbose) {
                    thrown.printStackTrace(err);
                }
            } else {
                err.println("dp-predict: error: " + oneLine(ex.getMessage()));
            }
            return code.code();
        });
        return cl.execute(args);
    }

    static ExitCode classify(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException || t instanceof DatasetValidationException) {
                return ExitCode.BAD_INPUT;
            }
        }
        return ExitCode.FAILURE;
    }

    /** A message up to its first line break: a Spark job's message goes on with the task's stack trace. */
    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).replace('\r', ' ').strip();
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    @CommandLine.Mixin
    Verbosity verbosity = new Verbosity();

    @Override
    public Integer call() {
        InputFormat inputFormat = checkFlags();
        Configuration conf = new Configuration();
        SavedModel saved = readModel(conf);
        AtomicOutput.checkPublishable(conf, output, overwrite, "--output");
        if (input != null) {
            InputFlags.requireExists(conf, input);
        }
        try (Verbosity.Levels levels = verbosity.apply();
                SessionHandle session = SessionHandle.open("dp-predict", master)) {
            return score(session.spark(), saved, inputFormat);
        }
    }

    /** Every flag, before the model is read or Spark starts; the input format when --input is given. */
    private InputFormat checkFlags() {
        if (model == null) {
            throw new IllegalArgumentException("--model is required (a dp-train model folder)");
        }
        InputFormat f = InputFlags.check(input, format, table, "csv, parquet, arrow, adult, mnist or libsvm");
        if (output == null) {
            throw new IllegalArgumentException("--output is required");
        }
        if (!OUTPUT_FORMATS.contains(outputFormat.strip().toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("--output-format must be parquet or csv, got '" + outputFormat + "'");
        }
        Set<String> seen = new LinkedHashSet<>();
        for (String c : keepCols == null ? List.<String>of() : keepCols) {
            if (c.isBlank()) {
                throw new IllegalArgumentException("--keep-cols has an empty column name");
            }
            if (!seen.add(c)) {
                throw new IllegalArgumentException("--keep-cols lists '" + c + "' twice");
            }
            if (c.equals("prediction") || c.equals("probability") || c.equals("rawPrediction")) {
                throw new IllegalArgumentException("--keep-cols: '" + c + "' is an output column of dp-predict; "
                        + "rename it in the input");
            }
        }
        return f;
    }

    private SavedModel readModel(Configuration conf) {
        try {
            return SavedModel.read(conf, model);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--model: " + e.getMessage(), e);
        }
    }

    private int score(SparkSession spark, SavedModel saved, InputFormat f) {
        Dataset<Row> raw = input != null ? read(spark, input, f, saved.featureSpec()) : InputFlags.table(spark, table);
        List<String> kept = keepCols == null ? List.of() : keepCols;
        List<String> columns = Arrays.asList(raw.columns());
        for (String c : kept) {
            if (!columns.contains(c)) {
                throw new IllegalArgumentException("--keep-cols: column '" + c + "' is not in the input");
            }
        }
        RawScorer scorer = new RawScorer(saved);
        // Schema errors name the columns of the whole input, before the selection below narrows it.
        scorer.checkSchema(raw.schema());
        // Only the kept columns and the spec's features go on: nothing else of the input reaches the output.
        Set<String> needed = new LinkedHashSet<>(kept);
        for (String c : saved.featureSpec().requiredColumns()) {
            if (!c.equals(saved.featureSpec().label().column()) && columns.contains(c)) {
                needed.add(c);
            }
        }
        Dataset<Row> selected = raw.select(needed.stream().map(DpPredict::col).toArray(Column[]::new));
        Dataset<Row> scored = scorer.score(selected);
        List<Column> outCols = new ArrayList<>();
        kept.forEach(c -> outCols.add(col(c)));
        outCols.add(functions.col("prediction"));
        String fmt = outputFormat.strip().toLowerCase(Locale.ROOT);
        if (saved.spec().isClassifier()) {
            Column p = org.apache.spark.ml.functions.vector_to_array(functions.col("probability"), "float64");
            if (saved.spec().numClasses() == 2) {
                outCols.add(p.getItem(1).as("probability"));
            } else {
                outCols.add((fmt.equals("csv") ? functions.to_json(p) : p).as("probability"));
            }
        }
        Dataset<Row> result = scored.select(outCols.toArray(new Column[0]));
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        AtomicOutput.checkPublishable(hadoop, output, overwrite, "--output");
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JobLabel.begin(jsc, "dp-predict");
        JobLabel.describe(jsc, "score");
        publish(result, hadoop, fmt);
        long rows = spark.read().format(fmt).option("header", "true").load(output).count();
        ModelProvenance p = saved.provenance();
        String claim = p.claim().guaranteed()
                ? String.format(Locale.ROOT, "epsilon = %.4f at delta = %.3g", p.claim().epsilon(), p.claim().delta())
                : "NO differential-privacy guarantee (trained with --no-dp)";
        out.printf(Locale.ROOT, "dp-predict: scored %d rows to %s (%s); model %s, %s, job %s%s%n", rows, output, fmt,
                saved.spec().kind(), claim, p.jobId(), p.claim().insecureTestRun() ? "  [INSECURE TEST SEED: NO PRIVACY]"
                        : "");
        return ExitCode.SUCCESS.code();
    }

    private static Column col(String name) {
        return functions.col("`" + name.replace("`", "``") + "`");
    }

    private static Dataset<Row> read(SparkSession spark, String path, InputFormat f, FeatureSpec fs) {
        // As dp-train: LibSVM's vector size is declared by the spec, never inferred from the data.
        int size = fs.features().stream().filter(c -> c instanceof VectorFeature)
                .mapToInt(c -> ((VectorFeature) c).size()).findFirst().orElse(fs.dimension());
        return f == InputFormat.LIBSVM ? DataReader.readLibsvm(spark, path, size)
                : DataReader.read(spark, path, f, fs.csv());
    }

    /** Writes beside --output, then renames into place: the output appears whole or not at all. */
    private void publish(Dataset<Row> result, Configuration hadoop, String fmt) {
        AtomicOutput.publishDirectory(hadoop, output, overwrite, "--output",
                (tmp, fs) -> result.write().format(fmt).option("header", "true").save(tmp.toString()));
    }

    /** --version: the dpspark version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"dp-predict (dpspark) " + Reports.codeVersion()};
        }
    }
}
