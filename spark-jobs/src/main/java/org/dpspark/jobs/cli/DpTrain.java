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
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.ledger.Admission;
import org.dpspark.accountant.ledger.BudgetExhaustedException;
import org.dpspark.accountant.ledger.LedgerConflictException;
import org.dpspark.accountant.ledger.LedgerEntry;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.dpspark.core.model.DpModel;
import org.dpspark.datasets.BlockPacker;
import org.dpspark.datasets.DataReader;
import org.dpspark.datasets.DenseBlock;
import org.dpspark.datasets.InputFingerprint;
import org.dpspark.datasets.InputFormat;
import org.dpspark.datasets.SyntheticData;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.spec.VectorFeature;
import org.dpspark.datasets.validate.DatasetValidationException;
import org.dpspark.jobs.eval.EvalMetrics;
import org.dpspark.jobs.ml.ModelSpec;
import org.dpspark.datasets.spec.LabelSpec;
import org.dpspark.jobs.eval.Evaluator;
import org.dpspark.jobs.ledger.JobLedger;
import org.dpspark.jobs.ledger.LedgeredRun;
import org.dpspark.jobs.report.AtomicOutput;
import org.dpspark.jobs.report.DataInfo;
import org.dpspark.jobs.report.Reports;
import org.dpspark.jobs.train.DpTrainer;
import org.dpspark.jobs.train.Optimizers;
import org.dpspark.jobs.train.PrivacyPlan;
import org.dpspark.jobs.train.StepMode;
import org.dpspark.jobs.train.TrainConfig;
import org.dpspark.jobs.train.TrainResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dp-train}: differentially private training of a binary logistic regression on Spark.
 *
 * <p>Order of work, so that bad input costs nothing: flags are checked, outputs are checked to be publishable,
 * the ledger is opened (and a job id that already committed is refused, when --dataset-id is given), the training
 * and evaluation inputs are read and validated (N is public and needed for q; validation releases nothing), the
 * privacy plan is computed, the plan is RESERVED in the privacy ledger (refused: exit 3, nothing trained), the model
 * is trained, the ledger entry is COMMITTED, and only then are the model and report published, atomically. A
 * failure before the first step aborts the reservation; after it, the reservation stays charged (progress lines
 * have released DP estimates) until {@code dp-ledger resolve}. Exit codes: {@link ExitCode}.
 */
@Command(
        name = "dp-train",
        mixinStandardHelpOptions = true,
        versionProvider = DpTrain.Version.class,
        sortOptions = false,
        usageHelpWidth = 110,
        description = {
            "Trains a model (logistic, softmax, linear or MLP) with differential privacy (DP-SGD, Poisson sampling) on Spark.",
            "Unit of privacy: one row; adjacency: add/remove; N and the feature spec are public.",
            ""
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success: model and report written",
            "1:failure (I/O, Spark, internal); nothing published",
            "2:bad input (flag, feature spec or data validation); nothing written, no budget spent",
            "3:privacy budget exhausted (the dataset's ledger budget); nothing trained",
            "4:ledger conflict: the job id already committed on this dataset (use a new --job-id); nothing trained"
        })
public final class DpTrain implements Callable<Integer> {

    @Option(names = "--input", paramLabel = "PATH", description = "Training data (file or directory; any Hadoop path).")
    String input;

    @Option(names = "--format", paramLabel = "FMT", description = "csv | parquet | arrow (Feather v2 / Arrow IPC file) | adult (the UCI files as they are) | mnist (the IDX images file; labels found beside it) | libsvm.")
    String format;

    @Option(names = "--label-col", paramLabel = "COL", description = "Label column (0/1); overrides the spec's label column.")
    String labelCol;

    @Option(names = "--spec", paramLabel = "SPEC", description = "Feature spec: a JSON file, or a built-in name (adult, mnist). Default: adult / mnist for those formats.")
    String spec;

    @Option(names = "--features", paramLabel = "T", defaultValue = "raw", description = "Fixed public feature transform of the spec's image vector: raw (none) | dct:K (the K x K lowest 2-D DCT-II coefficients of a square image, e.g. dct:10 for MNIST: 100 features instead of 784); saved in the model's spec, applied to training and evaluation alike, no privacy cost (default: ${DEFAULT-VALUE}).")
    String features;

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

    @Option(names = "--model", paramLabel = "KIND", defaultValue = "logistic", description = "logistic (binary) | softmax (multinomial) | linear (regression; label bounds from the spec) | mlp (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--hidden", paramLabel = "W[,W...]", split = ",", description = "Hidden layer widths of --model mlp (default: 256).")
    int[] hidden;

    @Option(names = "--activation", paramLabel = "ACT", defaultValue = "relu", description = "Hidden activation of --model mlp: relu | tanh (default: ${DEFAULT-VALUE}).")
    String activation;

    @Option(names = "--optimizer", paramLabel = "OPT", defaultValue = "sgd", description = "sgd | momentum | adam: post-processing of the noisy gradient, no privacy cost (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--momentum", paramLabel = "BETA", defaultValue = "0.9", description = "Momentum coefficient of --optimizer momentum (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--lr-schedule", paramLabel = "S", defaultValue = "constant", description = "constant | cosine (decay to 0 over the run) (default: ${DEFAULT-VALUE}).")
    String lrSchedule;

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

    @Option(names = "--step-mode", paramLabel = "MODE", defaultValue = "auto", description = "How steps run: barrier (one long-lived barrier stage; fast), job (one Spark job per step) or auto (barrier unless dynamic allocation is on; default: ${DEFAULT-VALUE}). Same model either way.")
    String stepMode;

    @Option(names = "--job-id", paramLabel = "ID", description = "Job id recorded in the ledger, report and model (default: a random UUID; Airflow passes its run id). A job id is charged once: one that already committed is refused (exit 4).")
    String jobId;

    @Option(names = "--ledger", paramLabel = "URI", description = "Privacy ledger location, on local disk or HDFS (default: $DPSPARK_LEDGER, else ~/.dpspark/ledger).")
    String ledger;

    @Option(names = "--dataset-id", paramLabel = "ID", description = "Dataset id in the ledger, whose budget this job spends (default: derived from the input's fingerprint, sha256-...).")
    String datasetId;

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
            if (t instanceof BudgetExhaustedException) {
                return ExitCode.BUDGET_EXHAUSTED;
            }
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
                .optimizer(optimizer)
                .momentum(momentum)
                .schedule(lrSchedule)
                .epochs(epochs)
                .batchSize(batchSize)
                .clipNorm(clipNorm)
                .learningRate(learningRate)
                .delta(delta)
                .targetEpsilon(eps)
                .noiseMultiplier(noiseMultiplier)
                .insecureTestSeed(insecureTestSeed)
                .stepMode(StepMode.parse(stepMode))
                .build();
    }

    private void checkSources() {
        if (!features.strip().toLowerCase(Locale.ROOT).matches("raw|dct:[0-9]{1,9}")) {
            // the spec-dependent checks (an image vector, K within its side) follow when the spec is resolved
            throw new IllegalArgumentException("--features must be raw or dct:K (K a positive integer), got '"
                    + features + "'");
        }
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
            throw new IllegalArgumentException("--format is required: csv, parquet, arrow, adult, mnist or libsvm");
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
        PrivacyLedger privacyLedger = JobLedger.open(ledger, hadoop, "--ledger");
        if (datasetId != null) {
            privacyLedger.checkNotCommitted(checkDatasetId(datasetId), jid); // refused before any data is read
        }

        // Read and validate everything before any budget is spent.
        FeatureSpec fs;
        String specName;
        Dataset<Row> trainRaw;
        Dataset<Row> evalRaw = null;
        String fmt;
        if (demo) {
            int parts = partitions != null ? partitions : jsc.defaultParallelism();
            fs = withFeatures(SyntheticData.spec(DEMO_FEATURES), features);
            specName = "synthetic-" + DEMO_FEATURES;
            trainRaw = SyntheticData.logistic(spark, DEMO_ROWS, DEMO_FEATURES, 1L, parts);
            evalRaw = SyntheticData.logistic(spark, DEMO_EVAL_ROWS, DEMO_FEATURES, 2L, parts);
            fmt = "synthetic";
        } else {
            InputFormat f = parseFormat(format);
            fmt = f.name().toLowerCase(Locale.ROOT);
            specName = spec != null ? spec
                    : f == InputFormat.ADULT ? "adult" : f == InputFormat.MNIST ? "mnist" : null;
            if (specName == null) {
                throw new IllegalArgumentException("--spec is required for --format " + fmt + " (a JSON file or a built-in name)");
            }
            FeatureSpec declared = FeatureSpec.resolve(specName, hadoop);
            fs = withFeatures(declared, features);
            if (fs != declared) {
                specName = specName + "+" + features.strip().toLowerCase(Locale.ROOT);
            }
            requireExists(hadoop, input, "--input");
            trainRaw = read(spark, input, f, fs);
            if (evalInput != null) {
                requireExists(hadoop, evalInput, "--eval-input");
                evalRaw = read(spark, evalInput, f, fs);
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
        ModelSpec modelSpec = modelSpec(fs);
        PrivacyPlan plan = PrivacyPlan.of(cfg, rows);
        Optimizers.create(cfg, plan.steps()); // a bad optimizer setting is refused before the ledger is touched
        DataInfo trainInfo = demo
                ? new DataInfo("synthetic", fmt, "synthetic:logistic(rows=" + DEMO_ROWS + ",features=" + DEMO_FEATURES + ",seed=1)", rows)
                : new DataInfo(input, fmt, InputFingerprint.of(hadoop, input, InputFormat.parse(fmt)), rows);
        DataInfo evalInfo = evalRaw == null ? null : demo
                ? new DataInfo("synthetic", fmt, "synthetic:logistic(rows=" + DEMO_EVAL_ROWS + ",features=" + DEMO_FEATURES + ",seed=2)", evalRows)
                : new DataInfo(evalInput, fmt, InputFingerprint.of(hadoop, evalInput, InputFormat.parse(fmt)), evalRows);

        // Reserve before the first step (refusal: exit 3, nothing trained), train, commit; then publish.
        String dsId = datasetId != null ? checkDatasetId(datasetId) : JobLedger.datasetIdFromFingerprint(trainInfo.fingerprint());
        int parts = partitions != null ? partitions : jsc.defaultParallelism();
        // No shuffle when the input already has the partitions asked for: a shuffle's row order depends on the
        // order its blocks arrive in, so a run with a fixed test seed would not reproduce across cluster layouts.
        Dataset<Row> laidOut = trainRaw.rdd().getNumPartitions() == parts ? trainRaw : trainRaw.repartition(parts);
        DpModel model = modelSpec.create();
        final Dataset<Row> evalData = evalRaw;
        final FeatureSpec spec0 = fs;
        LedgeredRun<TrainResult> run = LedgeredRun.run(privacyLedger, dsId, jid, trainInfo.fingerprint(), plan, outDir,
                line -> (line.startsWith("ledger:") ? out : new PrintWriter(System.err, true)).println(
                        line.startsWith("ledger:") ? line : "dp-train: " + line),
                beforeFirstStep -> DpTrainer.train(jsc, BlockPacker.pack(laidOut, spec0), rows,
                        model, cfg, plan, beforeFirstStep));
        TrainResult result = run.result();
        EvalMetrics metrics = evalData == null ? null
                : Evaluator.evaluate(jsc, BlockPacker.pack(evalData, fs), model, result.params());
        Admission admission = run.admission();
        LedgerEntry commit = run.commit();
        org.dpspark.accountant.ledger.DatasetState after = run.after();
        com.fasterxml.jackson.databind.node.ObjectNode modelJson = Reports.model(jid, trainInfo, fs, modelSpec, cfg, result);
        ((com.fasterxml.jackson.databind.node.ObjectNode) modelJson.get("provenance"))
                .set("ledger", JobLedger.reportSection(privacyLedger, admission, commit, after));
        com.fasterxml.jackson.databind.node.ObjectNode reportJson = Reports.report(jid, started,
                spark.sparkContext().master(), spark.version(), trainInfo, specName, fs, modelSpec, cfg, result, evalInfo, metrics,
                outDir);
        reportJson.set("ledger", JobLedger.reportSection(privacyLedger, admission, commit, after));
        AtomicOutput.writeDirectory(hadoop, outDir, Map.of("model.json", Reports.toBytes(modelJson)), overwrite);
        AtomicOutput.writeFile(hadoop, reportPath, Reports.toBytes(reportJson), overwrite);

        out.printf(Locale.ROOT,
                "dp-train: trained %s on %d rows, %d steps in %.1f s (%.2f ms/step, %s mode; before the steps: blocks packed and cached in %.1f s, step runner started in %.1f s)%n",
                modelSpec.kind(), rows, plan.steps(), result.trainingSeconds(), result.millisPerStep(), result.stepMode(),
                result.loadSeconds(), result.startupSeconds());
        out.printf(Locale.ROOT, "privacy: epsilon = %.4f at delta = %.3g (%s accountant; rdp %.4f, pld %.4f; q = %.6f, sigma = %.4f, C = %s)%s%n",
                plan.epsilon(), plan.delta(), plan.accountant(), plan.rdpEpsilon(), plan.pldEpsilon(),
                plan.samplingRate(), plan.noiseMultiplier(), cfg.clipNorm(),
                cfg.insecureTestSeed().isPresent() ? "  [INSECURE TEST SEED: NO PRIVACY]" : "");
        if (metrics != null) {
            StringBuilder line = new StringBuilder("evaluation:");
            metrics.values().forEach((k, v) -> line.append(String.format(Locale.ROOT, " %s %.4f", k, v)));
            out.println(line.append(" on ").append(metrics.rows()).append(" rows"));
        }
        out.println(JobLedger.summary(admission, commit, after));
        out.printf("model: %s%nreport: %s%n", outDir, reportPath);
        return ExitCode.SUCCESS.code();
    }

    private static String checkDatasetId(String id) {
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,199}")) {
            throw new IllegalArgumentException("--dataset-id must be 1-200 characters of A-Z a-z 0-9 . _ - starting with "
                    + "a letter or digit, got '" + id + "'");
        }
        return id;
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

    private static Dataset<Row> read(SparkSession spark, String path, InputFormat f, FeatureSpec fs) {
        // LibSVM's vector size is declared by the spec (public), never inferred from the data: the size of its
        // vector feature (before any transform), else the spec's dimension.
        int size = fs.features().stream().filter(c -> c instanceof VectorFeature).mapToInt(c -> ((VectorFeature) c).size())
                .findFirst().orElse(fs.dimension());
        return f == InputFormat.LIBSVM ? DataReader.readLibsvm(spark, path, size) : DataReader.read(spark, path, f);
    }

    /** The spec with --features applied (refused, exit 2, where it makes no sense: no image vector, bad K). */
    static FeatureSpec withFeatures(FeatureSpec fs, String features) {
        try {
            return fs.withFeatureTransform(features);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--features: " + e.getMessage(), e);
        }
    }

    /** The model --model names, sized by the spec: its label declares K (classification) or the bounds (regression). */
    private ModelSpec modelSpec(FeatureSpec fs) {
        LabelSpec label = fs.label();
        int d = fs.dimension();
        switch (model) {
            case "logistic":
                if (label.isRegression() || label.numClasses() != 2) {
                    throw new IllegalArgumentException("--model logistic needs a 0/1 label; the spec's label '"
                            + label.column() + "' has " + describe(label) + " (use --model softmax or mlp, or linear)");
                }
                return ModelSpec.binaryLogistic(d);
            case "softmax":
            case "mlp":
                if (label.isRegression()) {
                    throw new IllegalArgumentException("--model " + model + " needs a class label; the spec's label '"
                            + label.column() + "' is a regression label (use --model linear)");
                }
                if (model.equals("softmax")) {
                    return ModelSpec.softmax(d, label.numClasses());
                }
                int[] widths = hidden != null ? hidden : new int[] {256};
                for (int w : widths) {
                    if (w < 1) {
                        throw new IllegalArgumentException("--hidden widths must be >= 1, got " + w);
                    }
                }
                if (!activation.equals("relu") && !activation.equals("tanh")) {
                    throw new IllegalArgumentException("--activation must be relu or tanh, got " + activation);
                }
                return ModelSpec.mlp(d, widths, activation, label.numClasses());
            case "linear":
                if (!label.isRegression()) {
                    throw new IllegalArgumentException("--model linear needs a regression label with declared bounds "
                            + "(\"min\"/\"max\" in the spec's label); the label '" + label.column() + "' has "
                            + describe(label));
                }
                return ModelSpec.linear(d, label.min(), label.max());
            default:
                throw new IllegalArgumentException("--model must be one of " + String.join(", ", ModelSpec.KINDS)
                        + ", got " + model);
        }
    }

    private static String describe(LabelSpec label) {
        return label.isRegression() ? "regression bounds" : label.numClasses() + " classes";
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
