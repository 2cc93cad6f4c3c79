package org.dpspark.jobs.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dpspark.core.model.BinaryLogisticRegression;
import org.dpspark.datasets.BlockPacker;
import org.dpspark.datasets.DataReader;
import org.dpspark.datasets.DenseBlock;
import org.dpspark.datasets.InputFingerprint;
import org.dpspark.datasets.InputFormat;
import org.dpspark.datasets.SyntheticData;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.validate.DatasetValidationException;
import org.dpspark.jobs.eval.BinaryMetrics;
import org.dpspark.jobs.eval.Evaluator;
import org.dpspark.jobs.report.AtomicOutput;
import org.dpspark.jobs.report.DataInfo;
import org.dpspark.jobs.report.Reports;
import org.dpspark.jobs.train.DpTrainer;
import org.dpspark.jobs.train.PrivacyPlan;
import org.dpspark.jobs.train.TrainConfig;
import org.dpspark.jobs.train.TrainResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dp-train}: differentially private training of a binary logistic regression on Spark.
 *
 * <p>Order of work, so that bad input costs nothing: flags are checked, outputs are checked to be publishable,
 * the training and evaluation inputs are read and validated, the privacy plan is computed, and only then does
 * training start. The model and report are published atomically at the very end; on any failure nothing is
 * written. Exit codes: {@link ExitCode}.
 */
@Command(
        name = "dp-train",
        mixinStandardHelpOptions = true,
        versionProvider = DpTrain.Version.class,
        sortOptions = false,
        usageHelpWidth = 110,
        description = {
            "Trains a binary logistic regression with differential privacy (DP-SGD with Poisson sampling) on Spark.",
            "Unit of privacy: one row; adjacency: add/remove; N and the feature spec are public.",
            ""
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success: model and report written",
            "1:failure (I/O, Spark, internal); nothing published",
            "2:bad input (flag, feature spec or data validation); nothing written, no budget spent",
            "3:privacy budget exhausted; nothing trained"
        })
public final class DpTrain implements Callable<Integer> {

    @Option(names = "--input", paramLabel = "PATH", description = "Training data (file or directory; any Hadoop path).")
    String input;

    @Option(names = "--format", paramLabel = "FMT", description = "csv | parquet | arrow (Feather v2 / Arrow IPC file) | adult (the UCI files as they are).")
    String format;

    @Option(names = "--label-col", paramLabel = "COL", description = "Label column (0/1); overrides the spec's label column.")
    String labelCol;

    @Option(names = "--spec", paramLabel = "SPEC", description = "Feature spec: a JSON file, or a built-in name (adult). Default: adult for --format adult.")
    String spec;

    @Option(names = "--eval-input", paramLabel = "PATH", description = "Held-out evaluation data, same format and spec (metrics are not DP).")
    String evalInput;

    @Option(names = "--epsilon", paramLabel = "EPS", description = "Target epsilon; the noise multiplier is calibrated to meet it. Exclusive with --noise-multiplier.")
    Double epsilon;

    @Option(names = "--noise-multiplier", paramLabel = "SIGMA", description = "Noise multiplier (noise std / clip norm), instead of --epsilon.")
    Double noiseMultiplier;

    @Option(names = "--delta", paramLabel = "DELTA", defaultValue = "1e-5", description = "Delta of the guarantee; must be < 1/N (default: ${DEFAULT-VALUE}).")
    double delta;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "10", description = "Epochs; steps T = floor(E * N / batch) (default: ${DEFAULT-VALUE}).")
    double epochs;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "256", description = "Expected batch size; Poisson rate q = B / N (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--clip-norm", paramLabel = "C", defaultValue = "1.0", description = "Per-example L2 clip norm (default: ${DEFAULT-VALUE}).")
    double clipNorm;

    @Option(names = "--learning-rate", paramLabel = "LR", defaultValue = "1.0", description = "SGD learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--output", paramLabel = "DIR", description = "Model folder to create (model.json). Default with --demo: a new temporary folder.")
    String output;

    @Option(names = "--report", paramLabel = "FILE", description = "JSON report path (default: <output>/report.json).")
    String report;

    @Option(names = "--overwrite", description = "Replace an existing --output / --report.")
    boolean overwrite;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: spark-submit's, else local[*]).")
    String master;

    @Option(names = "--partitions", paramLabel = "P", description = "Partitions of the cached training blocks (default: Spark's default parallelism).")
    Integer partitions;

    @Option(names = "--job-id", paramLabel = "ID", description = "Job id recorded in the report and model (default: a random UUID).")
    String jobId;

    @Option(names = "--demo", description = "Train on synthetic data generated here (60,000 rows, 20 features), nothing downloaded.")
    boolean demo;

    @Option(names = "--insecure-test-seed", paramLabel = "SEED", hidden = true, description = "INSECURE: fixes noise and sampling; for tests only. The report marks the model as having no privacy.")
    Long insecureTestSeed;

    private final PrintWriter out;

    DpTrain(PrintWriter out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs dp-train and returns its exit code (used by tests and notebooks; never calls System.exit). */
    public static int run(String... args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        CommandLine cl = new CommandLine(new DpTrain(out));
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("dp-train: error: " + ex.getMessage());
            err.println("Run 'dp-train --help' for the flags.");
            return ExitCode.BAD_INPUT.code();
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            ExitCode code = classify(ex);
            if (code == ExitCode.FAILURE) {
                err.println("dp-train: failed: " + ex);
                ex.printStackTrace(err);
            } else {
                err.println("dp-train: error: " + oneLine(ex.getMessage()));
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

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    @Override
    public Integer call() {
        Instant started = Instant.now();
        TrainConfig cfg = config();
        checkSources();
        String jid = jobId != null ? jobId : UUID.randomUUID().toString();
        SessionHandle session = SessionHandle.open(master);
        try {
            return train(session.spark(), cfg, jid, started);
        } finally {
            session.close();
        }
    }

    private TrainConfig config() {
        Double eps = epsilon;
        if (demo && eps == null && noiseMultiplier == null) {
            eps = 1.0;
        }
        return TrainConfig.builder()
                .epochs(epochs)
                .batchSize(batchSize)
                .clipNorm(clipNorm)
                .learningRate(learningRate)
                .delta(delta)
                .targetEpsilon(eps)
                .noiseMultiplier(noiseMultiplier)
                .insecureTestSeed(insecureTestSeed)
                .build();
    }

    private void checkSources() {
        if (demo) {
            if (input != null || evalInput != null) {
                throw new IllegalArgumentException("--demo generates its own data; do not pass --input or --eval-input");
            }
            return;
        }
        if (input == null) {
            throw new IllegalArgumentException("--input is required (or --demo)");
        }
        if (format == null) {
            throw new IllegalArgumentException("--format is required: csv, parquet, arrow or adult");
        }
        parseFormat(format);
        if (output == null) {
            throw new IllegalArgumentException("--output is required");
        }
        if (partitions != null && partitions < 1) {
            throw new IllegalArgumentException("--partitions must be >= 1, got " + partitions);
        }
    }

    private int train(SparkSession spark, TrainConfig cfg, String jid, Instant started) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        String outDir = output != null ? output : tempDemoDir();
        String reportPath = report != null ? report : new Path(outDir, "report.json").toString();
        AtomicOutput.checkPublishable(hadoop, outDir, overwrite, "--output");
        if (report != null) {
            AtomicOutput.checkPublishable(hadoop, reportPath, overwrite, "--report");
        }

        // Read and validate everything before any budget is spent.
        FeatureSpec fs;
        String specName;
        Dataset<Row> trainRaw;
        Dataset<Row> evalRaw = null;
        String fmt;
        if (demo) {
            int parts = partitions != null ? partitions : jsc.defaultParallelism();
            fs = SyntheticData.spec(DEMO_FEATURES);
            specName = "synthetic-" + DEMO_FEATURES;
            trainRaw = SyntheticData.logistic(spark, DEMO_ROWS, DEMO_FEATURES, 1L, parts);
            evalRaw = SyntheticData.logistic(spark, DEMO_EVAL_ROWS, DEMO_FEATURES, 2L, parts);
            fmt = "synthetic";
        } else {
            InputFormat f = parseFormat(format);
            fmt = f.name().toLowerCase(Locale.ROOT);
            specName = spec != null ? spec : (f == InputFormat.ADULT ? "adult" : null);
            if (specName == null) {
                throw new IllegalArgumentException("--spec is required for --format " + fmt + " (a JSON file or a built-in name)");
            }
            fs = FeatureSpec.resolve(specName, hadoop);
            requireExists(hadoop, input, "--input");
            trainRaw = DataReader.read(spark, input, f);
            if (evalInput != null) {
                requireExists(hadoop, evalInput, "--eval-input");
                evalRaw = DataReader.read(spark, evalInput, f);
            }
        }
        if (labelCol != null) {
            fs = fs.withLabelColumn(labelCol);
        }
        jsc.setJobDescription("dp-train: validate --input");
        long rows = validate(trainRaw, fs, "--input");
        long evalRows = 0;
        if (evalRaw != null) {
            jsc.setJobDescription("dp-train: validate --eval-input");
            evalRows = validate(evalRaw, fs, "--eval-input");
        }
        PrivacyPlan plan = PrivacyPlan.of(cfg, rows);
        DataInfo trainInfo = demo
                ? new DataInfo("synthetic", fmt, "synthetic:logistic(rows=" + DEMO_ROWS + ",features=" + DEMO_FEATURES + ",seed=1)", rows)
                : new DataInfo(input, fmt, InputFingerprint.of(hadoop, input), rows);
        DataInfo evalInfo = evalRaw == null ? null : demo
                ? new DataInfo("synthetic", fmt, "synthetic:logistic(rows=" + DEMO_EVAL_ROWS + ",features=" + DEMO_FEATURES + ",seed=2)", evalRows)
                : new DataInfo(evalInput, fmt, InputFingerprint.of(hadoop, evalInput), evalRows);

        // Train.
        int parts = partitions != null ? partitions : jsc.defaultParallelism();
        JavaRDD<DenseBlock> blocks = BlockPacker.pack(trainRaw.repartition(parts), fs);
        BinaryLogisticRegression model = new BinaryLogisticRegression(fs.dimension());
        TrainResult result = DpTrainer.train(jsc, blocks, rows, model, cfg, plan);

        BinaryMetrics metrics = null;
        if (evalRaw != null) {
            metrics = Evaluator.evaluate(jsc, BlockPacker.pack(evalRaw, fs), model, result.params());
        }

        // Publish: the model folder, then the report; each appears whole or not at all.
        AtomicOutput.writeDirectory(hadoop, outDir,
                Map.of("model.json", Reports.toBytes(Reports.model(jid, trainInfo, fs, cfg, result))), overwrite);
        AtomicOutput.writeFile(hadoop, reportPath,
                Reports.toBytes(Reports.report(jid, started, spark.sparkContext().master(), spark.version(), trainInfo,
                        specName, fs, cfg, result, evalInfo, metrics, outDir)), overwrite);

        out.printf(Locale.ROOT, "dp-train: trained binary logistic regression on %d rows, %d steps in %.1f s (%.2f ms/step)%n",
                rows, plan.steps(), result.trainingSeconds(), result.millisPerStep());
        out.printf(Locale.ROOT, "privacy: epsilon = %.4f at delta = %.3g (%s accountant; rdp %.4f, pld %.4f; q = %.6f, sigma = %.4f, C = %s)%s%n",
                plan.epsilon(), plan.delta(), plan.accountant(), plan.rdpEpsilon(), plan.pldEpsilon(),
                plan.samplingRate(), plan.noiseMultiplier(), cfg.clipNorm(),
                cfg.insecureTestSeed().isPresent() ? "  [INSECURE TEST SEED: NO PRIVACY]" : "");
        if (metrics != null) {
            out.printf(Locale.ROOT, "evaluation: accuracy %.4f, AUC %.4f, log loss %.4f on %d rows%n",
                    metrics.accuracy(), metrics.auc(), metrics.logLoss(), metrics.rows());
        }
        out.printf("model: %s%nreport: %s%n", outDir, reportPath);
        return ExitCode.SUCCESS.code();
    }

    static final long DEMO_ROWS = 60_000;
    static final long DEMO_EVAL_ROWS = 10_000;
    static final int DEMO_FEATURES = 20;

    private static String tempDemoDir() {
        try {
            java.nio.file.Path parent = Files.createTempDirectory("dpspark-demo-");
            return parent.resolve("model").toUri().toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputFormat parseFormat(String f) {
        try {
            return InputFormat.parse(f);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--format: " + e.getMessage(), e);
        }
    }

    private static long validate(Dataset<Row> raw, FeatureSpec fs, String flag) {
        try {
            return org.dpspark.datasets.validate.DatasetValidator.validate(raw, fs);
        } catch (DatasetValidationException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage(), e);
        }
    }

    private static void requireExists(Configuration conf, String path, String flag) {
        try {
            Path p = new Path(path);
            if (!p.getFileSystem(conf).exists(p)) {
                throw new IllegalArgumentException(flag + " " + path + " does not exist");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + flag + " " + path + ": " + e.getMessage(), e);
        }
    }

    /** The SparkSession: an existing one (notebook, test, spark-submit) is used and left running. */
    record SessionHandle(SparkSession spark, boolean owned) implements AutoCloseable {
        static SessionHandle open(String master) {
            scala.Option<SparkSession> active = SparkSession.getActiveSession();
            if (active.isDefined()) {
                return new SessionHandle(active.get(), false);
            }
            scala.Option<SparkSession> dflt = SparkSession.getDefaultSession();
            if (dflt.isDefined()) {
                return new SessionHandle(dflt.get(), false);
            }
            SparkSession.Builder b = SparkSession.builder().appName("dp-train")
                    .config("spark.ui.showConsoleProgress", "false");
            if (master != null) {
                b.master(master);
            } else if (!new SparkConf().contains("spark.master")) {
                b.master("local[*]");
            }
            return new SessionHandle(b.getOrCreate(), true);
        }

        @Override
        public void close() {
            if (owned) {
                spark.stop();
            }
        }
    }

    /** --version: the dpspark version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"dp-train (dpspark) " + Reports.codeVersion()};
        }
    }
}
