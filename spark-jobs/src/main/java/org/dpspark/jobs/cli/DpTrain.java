package org.dpspark.jobs.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dpspark.accountant.ledger.Admission;
import org.dpspark.accountant.ledger.BudgetExhaustedException;
import org.dpspark.accountant.ledger.DatasetLocations;
import org.dpspark.accountant.ledger.LedgerConflictException;
import org.dpspark.accountant.ledger.LedgerPolicy;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.dpspark.core.params.InvalidParameterException;
import org.dpspark.datasets.DataReader;
import org.dpspark.datasets.FederatedSplit;
import org.dpspark.datasets.MnistReader;
import org.dpspark.datasets.InputFormat;
import org.dpspark.datasets.SyntheticData;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.spec.LabelSpec;
import org.dpspark.datasets.spec.VectorFeature;
import org.dpspark.datasets.validate.DatasetValidationException;
import org.dpspark.jobs.ledger.JobLedger;
import org.dpspark.jobs.model.ModelSpec;
import org.dpspark.jobs.report.Reports;
import org.dpspark.jobs.run.Checkpointing;
import org.dpspark.jobs.run.LedgerTarget;
import org.dpspark.jobs.run.RunInterrupted;
import org.dpspark.jobs.train.TrainingStopped;
import org.dpspark.jobs.run.Publication;
import org.dpspark.jobs.run.RunSettings;
import org.dpspark.jobs.run.TrainedModel;
import org.dpspark.jobs.run.TrainingData;
import org.dpspark.jobs.run.TrainingRun;
import org.dpspark.accountant.plan.PrivacyPlan;
import org.dpspark.jobs.train.StepMode;
import org.dpspark.jobs.train.ConsoleProgress;
import org.dpspark.jobs.train.DataNormalization;
import org.dpspark.jobs.train.JobLabel;
import org.dpspark.jobs.train.TrainConfig;
import org.dpspark.jobs.train.TrainResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dp-train}: differentially private training on Spark, as a thin command: flags to {@link RunSettings}
 * and {@link TrainingData}, those to the one {@link TrainingRun}, its {@link TrainedModel} to the console.
 *
 * <p>Everything the run checks before Spark starts (flags, outputs, the ledger, the registration of the input's
 * location) costs nothing; then the inputs are read and validated (N is public and sets q; full validation messages
 * carry counts and first row numbers of the private input, {@code --error-detail redacted} only the kind and the
 * column), the plan is RESERVED in the privacy ledger (refused: exit 3, nothing trained), the model is trained, the
 * entry is COMMITTED, and only then are the model and report published, atomically. Exit codes: {@link ExitCode}.
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
            "4:ledger conflict: the job id already committed on this dataset (use a new --job-id); nothing trained",
            "130/143:interrupted by SIGINT/SIGTERM during the steps: checkpoint written (--checkpoint-dir), reservation left open; the line printed says how to resume or settle it"
        })
public class DpTrain implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(DpTrain.class);

    @Option(names = "--input", paramLabel = "PATH", description = "Training data (file or directory; any Hadoop path).")
    String input;

    @Option(names = "--format", paramLabel = "FMT", description = "csv | parquet | arrow (Feather v2 / Arrow IPC file) | adult (the UCI files as they are) | mnist (the IDX images file; labels found beside it) | libsvm.")
    String format;

    @Option(names = "--label-col", paramLabel = "COL", description = "Label column (0/1); overrides the spec's label column.")
    String labelCol;

    @Option(names = "--spec", paramLabel = "SPEC", description = "Feature spec: a JSON file, or a built-in name (adult, mnist). Default: adult / mnist for those formats.")
    String spec;

    @Option(names = "--features", paramLabel = "T", defaultValue = "raw", description = "Fixed public feature transform of the spec's image vector: raw (none) | dct:K (the K x K lowest 2-D DCT-II coefficients of a square image, e.g. dct:10 for MNIST: 100 features instead of 784) | scatter:J,L[,G] (the 2-D scattering transform of order 2, J scales, L angles, with group normalization in G groups, default channels / 3; scatter:2,8 gives 81 x 7 x 7 for MNIST); saved in the model's spec, applied to training and evaluation alike, no privacy cost (default: ${DEFAULT-VALUE}).")
    String features;

    @Option(names = "--normalize", paramLabel = "N", defaultValue = "none", description = "Data normalization of the scattering channels (--features scatter:J,L[,G]): none | dp:SIGMA (each channel's mean and variance over the training rows released once by the Gaussian mechanism with noise multiplier SIGMA, e.g. dp:8, with the clip bounds proven after the group normalization) | dp:SIGMA,MEAN_BOUND,SQUARE_BOUND (your public clip bounds, needed without group normalization); Tramer and Boneh's data normalization. Its two releases are in the privacy plan with the training (the training's sigma is calibrated to what is left of --epsilon), the ledger and the report; the statistics are saved in the model's spec (default: ${DEFAULT-VALUE}).")
    String normalize;

    @Option(names = "--eval-input", paramLabel = "PATH", description = "Held-out evaluation data, same format and spec (metrics are not DP).")
    String evalInput;

    @Option(names = "--eval-table", paramLabel = "NAME", description = "Held-out evaluation data from a catalog table ([database.]table), instead of --eval-input; encoded by the same spec (metrics are not DP).")
    String evalTable;

    @Option(names = "--epsilon", paramLabel = "EPS", description = "Target epsilon; the noise multiplier is calibrated to meet it. Exclusive with --noise-multiplier.")
    Double epsilon;

    @Option(names = "--noise-multiplier", paramLabel = "SIGMA", description = "Noise multiplier (noise std / clip norm), instead of --epsilon.")
    Double noiseMultiplier;

    @Option(names = "--delta", paramLabel = "DELTA", defaultValue = "1e-5", description = "Delta of the guarantee; must be < 1/N (default: ${DEFAULT-VALUE}).")
    double delta;

    @Option(names = "--epochs", paramLabel = "E", description = "Epochs; steps T = floor(E * N / batch) (default: 10). Exclusive with --steps.")
    Double epochs;

    @Option(names = "--steps", paramLabel = "T", description = "Steps T, instead of --epochs.")
    Long steps;

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

    @Option(names = "--ema-decay", paramLabel = "D", defaultValue = "0", description = "Release the exponential moving average of the iterates (De et al. 2022's parameter averaging) with decay D in (0, 1), e.g. 0.99, instead of the last iterate; step t uses min(D, (1 + t) / (10 + t)), so D binds from step (10 D - 1) / (1 - D) on (891 for 0.99): post-processing of the noisy iterates, no privacy cost. 0 releases the last iterate (default: ${DEFAULT-VALUE}; the image recipe's: 0.99).")
    double emaDecay;

    @Option(names = "--lr-schedule", paramLabel = "S", defaultValue = "constant", description = "constant | cosine (decay to 0 over the run) (default: ${DEFAULT-VALUE}).")
    String lrSchedule;

    @Option(names = "--loss-estimate", paramLabel = "MODE", defaultValue = "on", description = "on | off: whether each step also releases the training loss through the step's Gaussian mechanism, for the DP loss estimate per epoch in the progress lines and the report (no extra privacy cost: the loss takes a coordinate of the clipped vector, and the gradient keeps sqrt(1 - 0.2^2) = 98% of the clip norm); off gives the gradient the whole clip norm and releases no loss. The image recipe sets off (default: ${DEFAULT-VALUE}).")
    String lossEstimate;

    @Option(names = "--output", paramLabel = "DIR", description = "Model folder to create (model.json). Default with --demo: a new temporary folder.")
    String output;

    @Option(names = "--report", paramLabel = "FILE", description = "JSON report path (default: <output>/report.json); "
            + "the HTML report is written beside it, FILE with its extension replaced by .html.")
    String report;

    @Option(names = "--overwrite", description = "Replace an existing --output / --report.")
    boolean overwrite;

    @Option(names = "--status-file", paramLabel = "PATH", description = "Also write the outcome (exit code, the one line printed, job id, paths; on success the dataset, epsilon, delta and ledger entry) as JSON to PATH (any Hadoop path; replaced by each attempt), for schedulers that cannot see the exit code (spark-submit in cluster deploy mode). Checked before Spark starts.")
    String statusFile;

    @Option(names = "--error-detail", paramLabel = "MODE", defaultValue = "full", description = "full | redacted: what validation errors say about the input: full gives counts and first row numbers (for the data owner), redacted only the kind of problem and the column (for untrusted operators; forced for a cluster by the Spark conf spark.dpspark.errorDetail=redacted) (default: ${DEFAULT-VALUE}).")
    ErrorDetail errorDetail;

    @CommandLine.Mixin
    Verbosity verbosity = new Verbosity();

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: spark-submit's, else local[*]).")
    String master;

    @Option(names = "--partitions", paramLabel = "P", description = "Partitions of the cached training blocks (default: Spark's default parallelism).")
    Integer partitions;

    @Option(names = "--step-mode", paramLabel = "MODE", defaultValue = "auto", description = "How steps run: barrier (one long-lived barrier stage; fast), job (one Spark job per step) or auto (barrier unless dynamic allocation is on; default: ${DEFAULT-VALUE}). Same model either way.")
    String stepMode;

    @Option(names = "--precision", paramLabel = "P", defaultValue = "float64", description = "Storage of the training blocks' features: float64 (default) or float32 (half the memory and bandwidth, and the MLP's first-layer forward product in float32; norms, clipping, noise and the sum stay in double). Row-level only.")
    String precision;

    @Option(names = "--block-storage", paramLabel = "S", defaultValue = "memory", description = "Where the training blocks' features live during the steps: memory (default; cached by Spark) or disk (written once to owner-only files in the executors' local directories, read at the sampled rows only, deleted after the run; for data larger than memory). Row-level only; same model.")
    String blockStorage;

    @Option(names = "--secure-aggregation", paramLabel = "MODE", defaultValue = "central", description = "Who sees each step's sum: central (default: partitions send clipped sums to the driver, which adds the noise), masking (each partition adds its share of discrete Gaussian noise and pairwise masks mod 2^b: the driver learns only the noised total) or paillier (partitions encrypt their noised shares; a separate key-holder process decrypts only the total; much slower). Masking and paillier need the barrier step mode.")
    String secureAggregation;

    @Option(names = "--secagg-bits", paramLabel = "B", defaultValue = "40", description = "With masking or paillier: shares are taken modulo 2^B, B in [8, 62]; a B too small for the sum's range is refused with the B needed (default: ${DEFAULT-VALUE}).")
    int secaggBits;

    @Option(names = "--secagg-colluding", paramLabel = "T", defaultValue = "0", description = "With masking or paillier: up to T of the n parties (partitions) may collude with the driver; each party adds 1/(n - T) of the noise variance so that the honest parties' noise alone meets the target (default: ${DEFAULT-VALUE}).")
    int secaggColluding;

    @Option(names = "--secagg-party-secret-file", paramLabel = "PATH", description = "With masking or paillier: a file of at least 32 secret random bytes readable on the executors only (e.g. a Kubernetes secret mounted on executor pods), from which each party's randomness derives, so that a retried task sends the same share; without it, shares are drawn afresh per attempt.")
    String secaggPartySecretFile;

    @Option(names = "--job-id", paramLabel = "ID", description = "Job id recorded in the ledger, report and model (default: a random UUID; Airflow passes its run id). A job id is charged once: one that already committed is refused (exit 4).")
    String jobId;

    @Option(names = "--ledger", paramLabel = "URI", description = "Privacy ledger location, on local disk or HDFS (default: $DPSPARK_LEDGER, else ~/.dpspark/ledger).")
    String ledger;

    @Option(names = "--dataset-id", paramLabel = "ID", description = "Dataset id in the ledger, whose budget this job spends (default: derived from the input's fingerprint, sha256-...).")
    String datasetId;

    @Option(names = "--privacy-unit", paramLabel = "UNIT", defaultValue = "row", description = "row (default: one input row) or user (all the rows of one user, at most --max-rows-per-user of them; needs --user-col).")
    String privacyUnit;

    @Option(names = "--user-col", paramLabel = "COL", description = "With --privacy-unit user: the column naming each row's user (not a feature, not the label).")
    String userCol;

    @Option(names = "--max-rows-per-user", paramLabel = "K", description = "With --privacy-unit user: the public bound k on each user's rows; rows beyond k are dropped by a secure random choice.")
    Integer maxRowsPerUser;

    @Option(names = "--federated-split", paramLabel = "SPLIT", description = "With --format mnist: assign the training images to users in a public, seeded split written as a column 'user' (McMahan et al. 2017): iid:USERS, or shards:USERS:PER_USER (sorted by digit, cut into USERS*PER_USER shards, PER_USER shards per user: the non-IID split). Use with --privacy-unit user --user-col user.")
    String federatedSplit;

    @Option(names = "--split-seed", paramLabel = "S", defaultValue = "0", description = "The public seed of --federated-split (default: ${DEFAULT-VALUE}).")
    long splitSeed;

    @Option(names = "--null-users", paramLabel = "P", defaultValue = "refuse", description = "refuse (default) or drop: what to do with rows whose user id is null or empty (drop reports the count).")
    String nullUsers;

    @Option(names = "--algorithm", paramLabel = "A", defaultValue = "dp-sgd", description = "dp-sgd (default) or fedavg (DP-FedAvg, user level: each sampled user trains locally, its clipped update is noised).")
    String algorithm;

    @Option(names = "--local-epochs", paramLabel = "E", defaultValue = "1", description = "fedavg: local epochs per round (default: ${DEFAULT-VALUE}).")
    int localEpochs;

    @Option(names = "--local-learning-rate", paramLabel = "LR", defaultValue = "0.1", description = "fedavg: local SGD learning rate (default: ${DEFAULT-VALUE}).")
    double localLearningRate;

    @Option(names = "--local-batch-size", paramLabel = "B", defaultValue = "10", description = "fedavg: local mini-batch size (default: ${DEFAULT-VALUE}).")
    int localBatchSize;

    @Option(names = "--allow-weak-privacy", description = "Run a job whose epsilon is above the ledger's ceiling (default 10) or whose noise multiplier is below 0.3: such a guarantee promises next to nothing. Without it the job is refused (exit 2).")
    boolean allowWeakPrivacy;

    @Option(names = "--unbudgeted", description = "Run on data that matches no dataset registered in the ledger (no budget caps it); recorded as unbudgeted. Without it such a job is refused (exit 2), unless the ledger's policy allows it.")
    boolean unbudgeted;

    @Option(names = "--table", paramLabel = "NAME", description = "Training data from a catalog table (db.name), instead of --input; needs --spec.")
    String table;

    @Option(names = "--dry-run", description = "Validate the flags, the outputs, the ledger and the input, print the privacy plan (q, T, sigma, epsilon) and whether the ledger would admit the job now; reserve nothing, train nothing.")
    boolean dryRun;

    @Option(names = "--rows", paramLabel = "N", description = "With --dry-run: plan for a dataset of N rows without reading any input (no Spark is started).")
    Long dryRunRows;

    @Option(names = "--demo", description = "Train on synthetic data generated here (60,000 rows, 20 features), nothing downloaded.")
    boolean demo;

    @Option(names = "--regularizer", paramLabel = "R", defaultValue = "none", description = "none (default) or pdp: the DP-regularization loss term of Aguilera-Martinez and Berzal 2024 (lambda * sum w_j^2 x_j^2 over the weights on the input features), part of each example's loss before clipping. With DP-SGD the guarantee is unchanged; alone (--no-dp) it gives NO differential privacy.")
    String regularizer;

    @Option(names = "--pdp-strength", paramLabel = "LAMBDA", description = "With --regularizer pdp: the strength lambda of its term (>= 0).")
    Double pdpStrength;

    @Option(names = "--no-dp", description = "The explicitly non-private mode: no noise (noise multiplier 0), no differential-privacy guarantee and no epsilon; the report and model say so. Refused on data whose ledger dataset has a budget (exit 3); otherwise nothing is recorded in the ledger. For baselines and audits only.")
    boolean noDp;

    @Option(names = "--insecure-test-seed", paramLabel = "SEED", hidden = true, description = "INSECURE: fixes noise and sampling; for tests only. The report marks the model as having no privacy.")
    Long insecureTestSeed;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR", description = "Write checkpoints of the training to DIR (any Hadoop path; atomically; never data, gradients or sums), so that an interrupted or killed run can continue with --resume.")
    String checkpointDir;

    @Option(names = "--checkpoint-every", paramLabel = "N", description = "With --checkpoint-dir: a checkpoint every N steps (default: every 10% of the run), at every epoch's end, and on SIGINT/SIGTERM.")
    Long checkpointEvery;

    @Option(names = "--checkpoint-minutes", paramLabel = "M", description = "With --checkpoint-dir: also a checkpoint when M minutes have passed since the last one (default: 5; 0: not by time).")
    Double checkpointMinutes;

    @Option(names = "--resume", description = "Continue the job (same flags and --job-id) from the newest checkpoint in --checkpoint-dir: its open ledger reservation covers the whole run and is not charged again. A checkpoint of another job, plan or code version is refused (exit 2).")
    boolean resume;

    @Option(names = "--stop-after-steps", paramLabel = "K", hidden = true, description = "Test hook: stop after K steps as SIGINT would (checkpoint, reservation left open, exit 130).")
    Long stopAfterSteps;

    /** The command line as given, for the command that resumes an interrupted run. */
    private String[] argv = new String[0];

    final PrintWriter out;
    /** Where the command's error line and its notices go: stderr, or the in-process caller's writer. */
    final PrintWriter err;
    Publication publication;
    /** The trained model when the run succeeded (for --status-file). */
    TrainedModel outcome;
    /** The status file's line of a success, when the command sets its own (dp-tune). */
    String successLine;
    /** The one line printed for an error, its exit code, and whether validation messages are redacted. */
    private String errorLine;
    private ExitCode errorCode;
    /** The run stopped at a step boundary (SIGINT, SIGTERM): its status file says so, with the real exit code. */
    private boolean stoppedBySignal;
    private boolean redact;
    /** --status-file was checked before the run (true), refused (nowhere to write it), or not reached. */
    private boolean statusFileChecked;
    private boolean statusFileRefused;

    /** The command's name in its messages: dp-train, or a subcommand's (dp-audit). */
    final String command;

    DpTrain(PrintWriter out) {
        this(out, "dp-train");
    }

    DpTrain(PrintWriter out, String command) {
        this(out, new PrintWriter(System.err, true), command);
    }

    DpTrain(PrintWriter out, PrintWriter err, String command) {
        this.out = out;
        this.err = err;
        this.command = command;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs dp-train and returns its exit code (used by tests and notebooks; never calls System.exit). */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /**
     * As {@link #run(String...)}, printing to {@code out} and {@code err} instead of System.out and System.err: an
     * in-process caller's own writers (tests that run commands on several threads at once).
     */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        return execute(new DpTrain(out, err, "dp-train"), args);
    }

    /** Runs {@code app} (dp-train, or a command built on its flags) and returns its exit code. */
    static int execute(DpTrain app, String... args) {
        PrintWriter out = app.out;
        PrintWriter err = app.err;
        String name = app.command;
        app.argv = args.clone();
        CommandLine cl = new CommandLine(app);
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, a) -> {
            app.redact = ErrorDetail.redactedLeniently(app.errorDetail, new SparkConf());
            return app.error(err, ExitCode.BAD_INPUT, name + ": error: " + oneLine(ex.getMessage())
                    + " (see " + name + " --help)");
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> app.fail(err, ex));
        cl.setExecutionStrategy(parsed -> {
            if (!parsed.isUsageHelpRequested() && !parsed.isVersionHelpRequested()) {
                app.beforeRun(cl);
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        int code;
        try {
            code = cl.execute(args);
        } catch (Error e) {
            // not an Exception, so picocli's handlers did not see it: still one line, and the status file if possible
            LOG.debug(name + " failed", e);
            app.writeStatus(err, app.error(err, ExitCode.FAILURE, name + ": failed: " + e.getClass().getSimpleName()
                    + ": " + oneLine(e.getMessage()) + " (details in the driver log at DEBUG)"), args);
            throw e;
        }
        if (cl.isUsageHelpRequested() || cl.isVersionHelpRequested()) {
            return code;
        }
        return app.writeStatus(err, code, args);
    }

    /** After the flags parse, before call(): the error-detail mode, a job id, and --status-file (before Spark). */
    private void beforeRun(CommandLine cl) {
        try {
            redact = ErrorDetail.redactedLeniently(errorDetail, new SparkConf()); // a bad conf value redacts...
            ErrorDetail.redacted(errorDetail, new SparkConf()); // ...and is refused (exit 2)
            if (ImageRecipe.applies(cl.getParseResult(), format, privacyUnit, algorithm, federatedSplit,
                    secureAggregation, demo)) {
                applyImageRecipe(cl.getParseResult());
            }
            if (jobId == null) {
                jobId = UUID.randomUUID().toString(); // known here, so that the status file names it whatever happens
            }
            if (statusFile != null) {
                try {
                    StatusFile.check(hadoopConfBeforeSpark(), statusFile);
                    statusFileChecked = true;
                } catch (RuntimeException e) {
                    statusFileRefused = true;
                    throw e;
                }
            }
        } catch (RuntimeException e) {
            throw new CommandLine.ExecutionException(cl, String.valueOf(e.getMessage()), e);
        }
    }

    /**
     * Sets the flags of {@link ImageRecipe}: its features and model, and each of its numbers the user did not give;
     * says so in one notice line with the values the run uses.
     */
    private void applyImageRecipe(CommandLine.ParseResult parsed) {
        features = ImageRecipe.FEATURES;
        model = ImageRecipe.MODEL;
        java.util.function.Predicate<String> unset = f -> !parsed.hasMatchedOption(f);
        if (unset.test("--optimizer")) {
            optimizer = ImageRecipe.OPTIMIZER;
        }
        if (unset.test("--momentum")) {
            momentum = ImageRecipe.MOMENTUM;
        }
        if (unset.test("--lr-schedule")) {
            lrSchedule = ImageRecipe.SCHEDULE;
        }
        if (unset.test("--batch-size")) {
            batchSize = ImageRecipe.BATCH;
        }
        if (unset.test("--epochs") && unset.test("--steps")) {
            epochs = ImageRecipe.EPOCHS;
        }
        if (unset.test("--clip-norm")) {
            clipNorm = ImageRecipe.CLIP;
        }
        if (unset.test("--learning-rate")) {
            learningRate = ImageRecipe.LEARNING_RATE;
        }
        if (unset.test("--loss-estimate")) {
            lossEstimate = ImageRecipe.LOSS_ESTIMATE;
        }
        if (unset.test("--ema-decay")) {
            emaDecay = ImageRecipe.EMA_DECAY;
        }
        notice("image data: the ScatterNet recipe: --features " + features + " --model " + model + " --optimizer "
                + optimizer + (optimizer.equals("momentum") ? " --momentum " + momentum : "") + " --learning-rate "
                + ImageRecipe.num(learningRate) + " --clip-norm " + ImageRecipe.num(clipNorm) + " --batch-size "
                + batchSize + (steps != null ? " --steps " + steps : " --epochs " + ImageRecipe.num(epochs))
                + " --loss-estimate " + lossEstimate + " --ema-decay " + ImageRecipe.num(emaDecay)
                + " (the flags you set are kept; set --features or --model to configure the run yourself)");
    }

    /** Prints the one line of an exception's outcome; a failure's stack trace goes to DEBUG (and --verbose). */
    private int fail(PrintWriter err, Exception thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof RunInterrupted ri) {
                return interrupted(err, ri);
            }
        }
        // A failed read of an input file: bad input (not its format: truncated, not gzip...) or an I/O fault, one
        // line naming the file either way, instead of Spark's FAILED_READ_FILE and its stack trace.
        Throwable ex = org.dpspark.datasets.InputFaults.translate(thrown, inputsRead(), format)
                .map(t -> (Throwable) t).orElse(thrown);
        ExitCode code = classify(ex);
        if (code != ExitCode.FAILURE) {
            return error(err, code, command + ": error: " + oneLine(redact ? redactedMessage(ex) : message(ex)));
        }
        LOG.debug(command + " failed", thrown);
        int exit = error(err, code, command + ": failed: " + ex.getClass().getSimpleName() + ": " + firstLine(ex.getMessage())
                + " (retrying may help; details with --verbose, or in the driver log at DEBUG)");
        if (verbosity.verbose) {
            thrown.printStackTrace(err);
        }
        return exit;
    }

    /** The input files this run reads, as a failure that names none is reported: --input, and --eval-input. */
    private String inputsRead() {
        if (input == null) {
            return null;
        }
        return evalInput == null ? input : input + "' or '" + evalInput;
    }

    /** A failure's message up to its first line break: a Spark job's message goes on with the task's stack trace. */
    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).replace('\r', ' ').strip();
    }

    /**
     * The one line of a run stopped at a step boundary (SIGINT, SIGTERM): where it stopped, that its reservation stays
     * open and charged, and ONE command: the same command with --resume when a checkpoint was written, else the
     * ledger's resolve. Exit 128 + the signal's number (130, 143), as a shell reports a process ended by it; to the
     * Airflow contract any code it does not know is a failure (retried), as 1 would be.
     */
    private int interrupted(PrintWriter err, RunInterrupted ri) {
        TrainingStopped st = ri.stop();
        StringBuilder line = new StringBuilder(command + ": interrupted (" + st.reason() + ") after step " + st.step()
                + "/" + st.steps());
        if (st.checkpointDir() != null) {
            line.append(", checkpoint written to ").append(st.checkpointDir());
        }
        if (ri.datasetId() != null) {
            line.append("; the reservation of job '").append(ri.jobId()).append("' on dataset '")
                    .append(ri.datasetId()).append("' stays open and charged");
        }
        if (st.checkpointDir() != null) {
            line.append("; resume with: ").append(resumeCommand(ri.jobId()));
        } else if (ri.datasetId() != null) {
            line.append("; settle it with: ").append(RunInterrupted.resolveCommand(ri.datasetId(), ri.jobId()));
        }
        error(err, ExitCode.FAILURE, line.toString());
        stoppedBySignal = true;
        return st.exitCode();
    }

    /** This command line with --resume (and the job id, when it was generated), quoted for a POSIX shell. */
    String resumeCommand(String jid) {
        List<String> words = new java.util.ArrayList<>(List.of(command));
        boolean hasJobId = false;
        boolean hasResume = false;
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (a.equals("--stop-after-steps")) {
                i++; // the test hook's value
                continue;
            }
            if (a.startsWith("--stop-after-steps=")) {
                continue;
            }
            hasJobId |= a.equals("--job-id") || a.startsWith("--job-id=");
            hasResume |= a.equals("--resume");
            words.add(a);
        }
        if (!hasJobId) {
            words.add("--job-id");
            words.add(jid);
        }
        if (!hasResume) {
            words.add("--resume");
        }
        StringBuilder sb = new StringBuilder();
        for (String w : words) {
            sb.append(sb.length() == 0 ? "" : " ").append(w.matches("[A-Za-z0-9_@%+=:,./-]+") ? w
                    : "'" + w.replace("'", "'\\''") + "'");
        }
        return sb.toString();
    }

    int error(PrintWriter err, ExitCode code, String line) {
        errorLine = line;
        errorCode = code;
        err.println(line);
        return code.code();
    }

    /** A validation error with only the kind of problem and the column (no counts, no row numbers). */
    static String redactedMessage(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof DatasetValidationException dve) {
                return dve.redacted().getMessage();
            }
        }
        return message(ex);
    }

    /** Writes --status-file for the outcome, if one was asked for and can be written; returns the exit code. */
    private int writeStatus(PrintWriter err, int exit, String[] args) {
        String path = statusFile != null ? statusFile : StatusFile.fromArgs(args);
        if (path == null || statusFileRefused) {
            return exit;
        }
        ExitCode code = errorCode != null ? errorCode : ExitCode.of(exit);
        String line = errorLine != null ? errorLine
                : successLine != null ? successLine
                : outcome != null ? command + (publishesModel() ? ": trained; model and report written"
                        : ": audited; audit report written")
                : command + ": dry run: nothing reserved, nothing trained";
        Publication pub = publication;
        String modelPath = pub != null ? pub.modelDir() : output;
        String reportPath = pub != null ? pub.reportPath() : report != null ? report
                : output != null ? new Path(output, "report.json").toString() : null;
        try {
            Configuration conf = hadoopConfBeforeSpark();
            if (!statusFileChecked) {
                StatusFile.check(conf, path); // a flag error: the path was not checked yet
            }
            StatusFile.write(conf, path, stoppedBySignal
                    ? StatusFile.json(exit, StatusFile.INTERRUPTED, line, jobId, java.time.Instant.now(), modelPath,
                            reportPath, null)
                    : StatusFile.json(code, line, jobId, java.time.Instant.now(), modelPath, reportPath,
                            code == ExitCode.SUCCESS ? outcome : null));
            return exit;
        } catch (RuntimeException e) {
            err.println(command + ": failed: cannot write " + StatusFile.FLAG + " " + path + ": " + oneLine(e.getMessage()));
            return exit == ExitCode.SUCCESS.code() ? ExitCode.FAILURE.code() : exit;
        }
    }

    static ExitCode classify(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof BudgetExhaustedException) {
                return ExitCode.BUDGET_EXHAUSTED;
            }
            if (t instanceof LedgerConflictException) {
                return ExitCode.LEDGER_CONFLICT;
            }
            if (t instanceof org.dpspark.jobs.run.NonPrivateRefusedException) {
                return ExitCode.BUDGET_EXHAUSTED;
            }
        }
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException || t instanceof DatasetValidationException) {
                return ExitCode.BAD_INPUT;
            }
        }
        return ExitCode.FAILURE;
    }

    /** The canonical parameter names (MLlib's Params) as dp-train's flags. */
    public static String flag(String parameter) {
        return switch (parameter) {
            case "numPartitions" -> "--partitions";
            case "rows" -> "the input's row count (--rows in a dry run)";
            default -> "--" + parameter.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
        };
    }

    /** The message of the first InvalidParameterException in the chain rendered with flags, else ex's message. */
    static String message(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof InvalidParameterException ipe) {
                String rendered = ipe.render(DpTrain::flag);
                // a wrapper may have prefixed context ("--input: ..."); keep it
                String msg = ex.getMessage();
                return t == ex || msg == null || !msg.endsWith(ipe.getMessage()) ? rendered
                        : msg.substring(0, msg.length() - ipe.getMessage().length()) + rendered;
            }
        }
        if (!(ex instanceof IllegalArgumentException) && !(ex instanceof DatasetValidationException)) {
            // bad input raised inside a Spark job: its own message, not the job's (which carries a stack trace)
            for (Throwable t = ex.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
                if (t instanceof IllegalArgumentException || t instanceof DatasetValidationException) {
                    return t.getMessage();
                }
            }
        }
        return ex.getMessage();
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    @Override
    public Integer call() {
        // From the JVM's start when this command starts Spark itself; in a running application (a notebook, a test)
        // from now.
        boolean running = SparkSession.getActiveSession().isDefined() || SparkSession.getDefaultSession().isDefined();
        org.dpspark.jobs.run.Timings timings = running ? org.dpspark.jobs.run.Timings.sinceNow()
                : org.dpspark.jobs.run.Timings.sinceJvmStart();
        timings.mark(running ? "flags" : "jvm_and_flags");
        try (Verbosity.Levels levels = verbosity.apply()) {
            return call(timings);
        }
    }

    private int call(org.dpspark.jobs.run.Timings timings) {
        TrainConfig cfg = config();
        checkSources();
        org.dpspark.jobs.run.AuditSettings audit = auditSettings();
        checkCommand(cfg);
        String jid = jobId != null ? jobId : UUID.randomUUID().toString();
        Configuration hadoop = hadoopConfBeforeSpark();
        if (audit != null) {
            checkAuditOutputs(hadoop);
        }
        // Everything that can be checked before Spark starts: flags (above), outputs, ledger, the feature spec.
        TrainingRun run = TrainingRun.preflight(settings(cfg, jid, hadoop), hadoop, this::notice, timings);
        run.progress(ConsoleProgress.forConsole());
        if (dryRunRows != null) {
            return printDryRun(run.dryRun(dryRunRows, null));
        }
        Resolved resolved = demo ? null : resolveSpec(hadoop);
        timings.mark("feature_spec");
        SessionHandle session = SessionHandle.open(command, master);
        timings.mark("spark_session");
        try {
            SparkSession spark = session.spark();
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            JobLabel.begin(jsc, jid);
            JobLabel.describe(jsc, "read input");
            Inputs in = demo ? demoInputs(spark, jsc) : readInputs(spark, resolved);
            JobLabel.clear(jsc);
            timings.mark("read_inputs");
            ModelSpec modelSpec = modelSpec(in.spec());
            if (dryRun) {
                return printDryRun(run.dryRun(jsc, in.train(), modelSpec, audit));
            }
            if (audit != null) {
                TrainingRun.Audited a = run.audit(jsc, in.train(), in.eval(), modelSpec, audit);
                this.outcome = a.model();
                return audited(a, audit, hadoop);
            }
            return train(run, jsc, in.train(), in.eval(), modelSpec);
        } finally {
            session.close();
        }
    }

    /** The training configuration from the flags (checked when built; messages are rendered with the flags' names). */
    private TrainConfig config() {
        Double eps = epsilon;
        if (demo && eps == null && noiseMultiplier == null && !noDp) {
            eps = 1.0;
        }
        return TrainConfig.builder()
                .optimizer(optimizer)
                .momentum(momentum)
                .emaDecay(emaDecay)
                .schedule(lrSchedule)
                .epochs(epochs)
                .steps(steps)
                .batchSize(batchSize)
                .clipNorm(clipNorm)
                .learningRate(learningRate)
                .delta(delta)
                .targetEpsilon(eps)
                .noiseMultiplier(noiseMultiplier)
                .insecureTestSeed(insecureTestSeed)
                .dpLossTracking(parsed("--loss-estimate", () -> TrainConfig.parseLossEstimate(lossEstimate)))
                .stepMode(StepMode.parse(stepMode))
                .precision(parsed("--precision", () -> org.dpspark.datasets.Precision.parse(precision)))
                .blockStorage(parsed("--block-storage",
                        () -> org.dpspark.jobs.train.BlockStorage.parse(blockStorage)))
                .secureAggregation(org.dpspark.jobs.train.SecureAggregation.parse(secureAggregation))
                .secaggBits(secaggBits)
                .secaggColluding(secaggColluding)
                .secaggPartySecretFile(secaggPartySecretFile)
                .allowWeakPrivacy(allowWeakPrivacy)
                .regularizer(regularizer.strip().toLowerCase(Locale.ROOT))
                .pdpStrength(pdpStrength)
                .nonPrivate(noDp)
                .userColumn(userColumnForUnit())
                .maxRowsPerUser(maxRowsPerUser)
                .dropNullUsers(nullUsersDropped())
                .algorithm(algorithm)
                .localTraining(new org.dpspark.core.user.LocalTraining(localEpochs, localLearningRate, localBatchSize))
                .normalization(DataNormalization.parse(normalize))
                .build();
    }

    /** {@code value.get()}, its IllegalArgumentException's message prefixed with {@code flag}. */
    private static <T> T parsed(String flag, java.util.function.Supplier<T> value) {
        try {
            return value.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + " " + e.getMessage(), e);
        }
    }

    /** The user column when --privacy-unit user; refuses a --user-col at row level. */
    private String userColumnForUnit() {
        switch (privacyUnit.strip().toLowerCase(Locale.ROOT)) {
            case "row":
                if (userCol != null) {
                    throw new IllegalArgumentException("--user-col goes with --privacy-unit user (the unit is the row "
                            + "otherwise)");
                }
                return null;
            case "user":
                if (userCol == null) {
                    throw new IllegalArgumentException("--privacy-unit user needs --user-col, the column naming each "
                            + "row's user");
                }
                return userCol;
            default:
                throw new IllegalArgumentException("--privacy-unit must be row or user, got '" + privacyUnit + "'");
        }
    }

    private boolean nullUsersDropped() {
        return switch (nullUsers.strip().toLowerCase(Locale.ROOT)) {
            case "refuse" -> false;
            case "drop" -> true;
            default -> throw new IllegalArgumentException("--null-users must be refuse or drop, got '" + nullUsers + "'");
        };
    }

    private void checkSources() {
        if (!features.strip().toLowerCase(Locale.ROOT).matches("raw|dct:[0-9]{1,9}|scatter:[0-9]{1,2},[0-9]{1,2}(,[0-9]{1,4})?")) {
            // the spec-dependent checks (an image vector, K within its side) follow when the spec is resolved
            throw new IllegalArgumentException("--features must be raw, dct:K (K a positive integer) or scatter:J,L[,G]"
                    + " (J scales, L angles, G normalization groups), got '" + features + "'");
        }
        DataNormalization norm = DataNormalization.parse(normalize);
        if (norm != null) {
            String f = features.strip().toLowerCase(Locale.ROOT);
            if (!f.startsWith("scatter:")) {
                throw new IllegalArgumentException("--normalize " + norm.kind() + " normalizes scattering channels: it "
                        + "needs --features scatter:J,L[,G] (the default for --format mnist), got --features "
                        + features);
            }
            if (norm.provenBounds() && f.split(",").length == 3 && f.endsWith(",0")) {
                throw new IllegalArgumentException("--normalize " + norm.kind() + ":SIGMA takes its clip bounds from "
                        + "the group normalization, and --features " + features + " has none: give them, "
                        + norm.kind() + ":SIGMA,MEAN_BOUND," + (norm.whitening() ? "MOMENT_BOUND" : "SQUARE_BOUND"));
            }
        }
        if (dryRunRows != null) {
            if (!dryRun) {
                throw new IllegalArgumentException("--rows plans without data and goes with --dry-run only");
            }
            if (demo || input != null) {
                throw new IllegalArgumentException("--rows plans without data: do not pass --input or --demo with it");
            }
            if (dryRunRows < 1) {
                throw new IllegalArgumentException("--rows must be >= 1, got " + dryRunRows);
            }
            return;
        }
        if (demo) {
            if (input != null || evalInput != null || table != null || evalTable != null) {
                throw new IllegalArgumentException("--demo generates its own data; do not pass --input, --table, "
                        + "--eval-input or --eval-table");
            }
            return;
        }
        if (evalTable != null) {
            if (evalInput != null) {
                throw new IllegalArgumentException("--eval-table is instead of --eval-input: give one of them");
            }
            tableLocation("--eval-table", evalTable);
        }
        if (table != null) {
            if (input != null || format != null) {
                throw new IllegalArgumentException("--table reads a catalog table: do not pass --input or --format with it");
            }
            tableLocation("--table", table);
            if (spec == null) {
                throw new IllegalArgumentException("--spec is required with --table (a JSON file or a built-in name)");
            }
            if (evalInput != null) {
                throw new IllegalArgumentException("--eval-input goes with --input and --format; with --table, "
                        + "evaluate on --eval-table");
            }
            if (output == null && !dryRun) {
                throw new IllegalArgumentException("--output is required");
            }
            return;
        }
        if (input == null) {
            throw new IllegalArgumentException("--input is required (or --table, or --demo)");
        }
        if (format == null) {
            throw new IllegalArgumentException("--format is required: csv, parquet, arrow, adult, mnist or libsvm");
        }
        if (federatedSplit != null && !format.strip().equalsIgnoreCase("mnist")) {
            throw new IllegalArgumentException("--federated-split goes with --format mnist");
        }
        if (federatedSplit != null && !federatedSplit.strip().toLowerCase(Locale.ROOT).matches(
                "iid:[0-9]{1,9}|shards:[0-9]{1,9}:[0-9]{1,9}")) {
            throw new IllegalArgumentException("--federated-split must be iid:USERS or shards:USERS:PER_USER, got '"
                    + federatedSplit + "'");
        }
        parseFormat(format);
        if (output == null && !dryRun && publishesModel()) {
            throw new IllegalArgumentException("--output is required");
        }
    }

    /** A command's own checks of the flags with the configuration, before Spark starts (dp-tune's search flags). */
    void checkCommand(TrainConfig cfg) {
    }

    /** Runs the training (dp-train: one model; dp-tune overrides it with a search) and prints its outcome. */
    int train(TrainingRun run, JavaSparkContext jsc, TrainingData train, TrainingData eval, ModelSpec modelSpec) {
        TrainedModel m;
        try (Interrupts i = Interrupts.stopAtStepBoundary()) {
            m = run.train(jsc, train, eval, modelSpec);
        }
        this.outcome = m;
        printSummary(m);
        return ExitCode.SUCCESS.code();
    }

    /** Whether this command publishes a model (dp-train); an audit writes its report only. */
    boolean publishesModel() {
        return true;
    }

    /** The audit to run instead of plain training (dp-audit), or null. Checked before Spark starts. */
    org.dpspark.jobs.run.AuditSettings auditSettings() {
        return null;
    }

    /** Checks the audit's outputs before Spark starts (dp-audit). */
    void checkAuditOutputs(Configuration hadoop) {
    }

    /** Reports an audit's outcome (dp-audit); returns the exit code. */
    int audited(TrainingRun.Audited a, org.dpspark.jobs.run.AuditSettings settings, Configuration hadoop) {
        throw new IllegalStateException("dp-train does not audit");
    }

    private RunSettings settings(TrainConfig cfg, String jid, Configuration hadoop) {
        java.nio.file.Path demoDir = demo ? tempDemoDir() : null;
        Publication pub = null;
        if (!dryRun && publishesModel()) {
            String outDir = output != null ? output : demoDir.resolve("model").toUri().toString();
            pub = new Publication(outDir, report != null ? report : new Path(outDir, "report.json").toString(), overwrite);
        }
        publication = pub;
        LedgerTarget target;
        List<String> locations = List.of();
        if (demo) {
            // Synthetic, public rows: a ledger of the demo's own, made on purpose, so the ledger's lines show what a
            // real job records; unbudgeted, since no data owner set a budget on generated data.
            String where = ledger;
            if (where == null) {
                where = demoDir.resolve("ledger").toUri().toString();
                PrivacyLedger.create(where, hadoop, LedgerPolicy.defaults());
            }
            target = LedgerTarget.at(where, datasetId, new SparkConf()).withUnbudgeted(true);
        } else {
            target = LedgerTarget.at(ledger, datasetId, new SparkConf()).withUnbudgeted(unbudgeted);
            if (table != null) {
                locations = List.of(tableLocation("--table", table));
            } else if (input != null) {
                locations = List.of(DatasetLocations.normalizePath(input, hadoop));
            }
        }
        return new RunSettings(cfg, target, jid, pub, partitions, command, locations, new Checkpointing(checkpointDir,
                checkpointEvery, checkpointMinutes, resume, stopAfterSteps == null ? 0 : stopAfterSteps));
    }

    /** Hadoop's configuration as Spark will see it (site files, and spark.hadoop.* properties from spark-submit). */
    private static Configuration hadoopConfBeforeSpark() {
        Configuration conf = new Configuration();
        for (scala.Tuple2<String, String> e : new SparkConf().getAllWithPrefix("spark.hadoop.")) {
            conf.set(e._1(), e._2());
        }
        return conf;
    }

    private void notice(String line) {
        if (line.startsWith("ledger:")) {
            out.println(line);
        } else {
            err.println(command + ": " + line);
        }
    }

    /** The training and evaluation rows as read, with their spec. */
    private record Inputs(TrainingData train, TrainingData eval, FeatureSpec spec) {}

    /** The feature spec named by the flags, with --features and --label-col applied (before Spark starts). */
    private record Resolved(InputFormat format, FeatureSpec spec, String specName) {}

    private Resolved resolveSpec(Configuration hadoop) {
        InputFormat f = table != null ? null : parseFormat(format);
        String fmt = f == null ? "table" : f.name().toLowerCase(Locale.ROOT);
        String specName = spec != null ? spec
                : f == InputFormat.ADULT ? "adult" : f == InputFormat.MNIST ? "mnist" : null;
        if (specName == null) {
            throw new IllegalArgumentException("--spec is required for --format " + fmt + " (a JSON file or a built-in name)");
        }
        FeatureSpec declared = FeatureSpec.resolve(specName, hadoop);
        FeatureSpec fs = withFeatures(declared, features);
        if (fs != declared) {
            specName = specName + "+" + features.strip().toLowerCase(Locale.ROOT);
        }
        if (labelCol != null) {
            fs = fs.withLabelColumn(labelCol);
        }
        if (userCol != null && (fs.requiredColumns().contains(userCol) || fs.label().column().equals(userCol))) {
            // before Spark starts: the privacy unit's column is an identifier, never a feature or the label
            throw new IllegalArgumentException("--user-col '" + userCol + "': the privacy-unit column cannot also be "
                    + (fs.label().column().equals(userCol) ? "the label" : "a feature"));
        }
        if (input != null) {
            requireExists(hadoop, input, "--input");
        }
        if (evalInput != null) {
            requireExists(hadoop, evalInput, "--eval-input");
        }
        return new Resolved(f, fs, specName);
    }

    private Inputs readInputs(SparkSession spark, Resolved r) {
        TrainingData.SpecEncoding enc = new TrainingData.SpecEncoding(r.spec(), r.specName());
        TrainingData evalFromTable = evalTable == null ? null
                : new TrainingData(InputFlags.table(spark, "--eval-table", evalTable), enc,
                        tableLocation("--eval-table", evalTable), "table", "--eval-table");
        if (table != null) {
            Dataset<Row> rows = InputFlags.table(spark, "--table", table);
            warnIfUnprepared(rows, r.spec(), "--table " + table);
            return new Inputs(new TrainingData(rows, enc, tableLocation("--table", table), "table", "--table"),
                    evalFromTable, r.spec());
        }
        String fmt = r.format().name().toLowerCase(Locale.ROOT);
        Dataset<Row> rows = federatedSplit == null ? read(spark, input, r.format(), r.spec())
                : MnistReader.read(spark, input, partitions != null ? partitions
                        : spark.sparkContext().defaultParallelism(), split(spark));
        warnIfUnprepared(rows, r.spec(), "--input " + input);
        TrainingData train = new TrainingData(rows, enc, input, fmt, "--input " + input);
        TrainingData eval = evalInput == null ? evalFromTable
                : new TrainingData(read(spark, evalInput, r.format(), r.spec()), enc, evalInput, fmt,
                        "--eval-input " + evalInput);
        return new Inputs(train, eval, r.spec());
    }

    /**
     * The ledger's location of a catalog table, {@code table:db.name} (the session catalog's; unqualified names are in
     * {@code default}): the identifier a data owner registers with {@code dp-ledger register --table} (or
     * {@code --location table:db.name}). A name that is not [database.]table is bad input naming the flag.
     */
    static String tableLocation(String flag, String name) {
        try {
            return DatasetLocations.normalizeTable(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + " " + e.getMessage().replaceFirst("^table ", ""), e);
        }
    }

    /**
     * One line when the input still holds a column that the spec's identifiers section drops: it looks like the raw
     * table, not dp-prepare's copy. Training goes on (its guarantee does not depend on it, and the ledger charges the
     * same dataset); the line says what the job read. Column names only.
     */
    private void warnIfUnprepared(Dataset<Row> rows, FeatureSpec spec, String where) {
        java.util.Set<String> present = new java.util.HashSet<>(java.util.Arrays.asList(rows.columns()));
        List<String> raw = spec.identifiers().drop().stream().filter(present::contains).toList();
        if (!raw.isEmpty()) {
            out.println(command + ": note: " + where + " holds " + (raw.size() == 1 ? "column " : "columns ")
                    + String.join(", ", raw.stream().map(c -> "'" + c + "'").toList()) + ", which the feature spec's"
                    + " identifiers section drops: this looks like the raw table; dp-prepare writes the copy to train"
                    + " on (the job goes on)");
        }
    }

    /** The public split of --federated-split (images in the file's order; labels read beside the images). */
    private FederatedSplit split(SparkSession spark) {
        String[] p = federatedSplit.strip().toLowerCase(Locale.ROOT).split(":");
        try {
            if (p.length == 2 && p[0].equals("iid")) {
                long n = MnistReader.readLabels(spark.sparkContext().hadoopConfiguration(), input).length;
                return FederatedSplit.iid(n, Integer.parseInt(p[1]), splitSeed);
            }
            if (p.length == 3 && p[0].equals("shards")) {
                int[] labels = MnistReader.readLabels(spark.sparkContext().hadoopConfiguration(), input);
                return FederatedSplit.pathological(labels, Integer.parseInt(p[1]), Integer.parseInt(p[2]), splitSeed);
            }
        } catch (NumberFormatException e) {
            // refused below
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--federated-split " + federatedSplit + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("--federated-split must be iid:USERS or shards:USERS:PER_USER, got '"
                + federatedSplit + "'");
    }

    private Inputs demoInputs(SparkSession spark, JavaSparkContext jsc) {
        int parts = partitions != null ? partitions : jsc.defaultParallelism();
        FeatureSpec fs = withFeatures(SyntheticData.spec(DEMO_FEATURES), features);
        if (labelCol != null) {
            fs = fs.withLabelColumn(labelCol);
        }
        TrainingData.SpecEncoding enc = new TrainingData.SpecEncoding(fs, "synthetic-" + DEMO_FEATURES);
        TrainingData train = new TrainingData(SyntheticData.logistic(spark, DEMO_ROWS, DEMO_FEATURES, 1L, parts), enc,
                "synthetic:logistic(rows=" + DEMO_ROWS + ",features=" + DEMO_FEATURES + ",seed=1)", "synthetic",
                "--demo data");
        TrainingData eval = new TrainingData(SyntheticData.logistic(spark, DEMO_EVAL_ROWS, DEMO_FEATURES, 2L, parts), enc,
                "synthetic:logistic(rows=" + DEMO_EVAL_ROWS + ",features=" + DEMO_FEATURES + ",seed=2)", "synthetic",
                "--demo eval data");
        return new Inputs(train, eval, fs);
    }

    private int printDryRun(TrainingRun.DryRun d) {
        PrivacyPlan plan = d.plan();
        if (plan.nonPrivate()) {
            out.printf(Locale.ROOT, "plan: N = %d, q = %s, steps = %d, NO NOISE: %s (--no-dp); never recorded in the "
                    + "ledger%n", d.rows(), plan.samplingRate(), plan.steps(),
                    org.dpspark.jobs.provenance.PrivacyClaim.NO_GUARANTEE);
            out.println("dry run: nothing reserved, nothing trained");
            return ExitCode.SUCCESS.code();
        }
        out.printf(Locale.ROOT, "plan: N = %d, q = %s, steps = %d, sigma = %s, epsilon = %s at delta = %s (%s accountant; "
                + "rdp %s, pld %s)%n", d.rows(), plan.samplingRate(), plan.steps(), plan.noiseMultiplier(),
                plan.epsilon(), plan.delta(), plan.accountant().jsonName(), plan.rdpEpsilon(), pld(plan));
        printNormalization(plan);
        plan.distributed().ifPresent(this::printSecureAggregation);
        if (d.admission().isPresent()) {
            Admission a = d.admission().get();
            out.printf(Locale.ROOT, "ledger: dataset %s would admit this job now: cumulative epsilon %.4f -> %.4f%s%n",
                    d.datasetId(), a.spentBefore(), a.spentAfter(), a.budget().map(b -> String.format(Locale.ROOT,
                            " of the budget %s", b.epsilon())).orElse(" (no budget set: no cap is enforced)"));
        } else {
            out.println("ledger: not checked (the dataset is named by the input's fingerprint: give --dataset-id)");
        }
        out.println("dry run: nothing reserved, nothing trained");
        return ExitCode.SUCCESS.code();
    }

    void printSummary(TrainedModel m) {
        TrainResult result = m.result();
        PrivacyPlan plan = m.plan();
        out.printf(Locale.ROOT,
                command + ": trained %s on %d rows, %d steps in %.1f s (%.2f ms/step, %s mode; before the steps: blocks packed and cached in %.1f s, step runner started in %.1f s)%n",
                m.modelSpec().kind(), m.provenance().data().rows(), plan.steps(), result.trainingSeconds(), result.millisPerStep(),
                result.stepMode(), result.loadSeconds(), result.startupSeconds());
        if (plan.nonPrivate()) {
            out.printf(Locale.ROOT, "privacy: NONE: %s (--no-dp: no noise; q = %.6f, C = %s)%s%n",
                    org.dpspark.jobs.provenance.PrivacyClaim.NO_GUARANTEE, plan.samplingRate(), m.config().clipNorm(),
                    m.insecureTestRun() ? "  [INSECURE TEST SEED]" : "");
        } else out.printf(Locale.ROOT, "privacy: epsilon = %.4f at delta = %.3g (%s accountant; rdp %.4f, pld %s; q = %.6f, sigma = %.4f, C = %s)%s%n",
                plan.epsilon(), plan.delta(), plan.accountant().jsonName(), plan.rdpEpsilon(),
                plan.distributed().isPresent() ? pld(plan) : String.format(Locale.ROOT, "%.4f", plan.pldEpsilon()),
                plan.samplingRate(), plan.noiseMultiplier(), m.config().clipNorm(),
                m.insecureTestRun() ? "  [INSECURE TEST SEED: NO PRIVACY]" : "");
        printNormalization(plan);
        plan.distributed().ifPresent(this::printSecureAggregation);
        if (m.metrics() != null) {
            StringBuilder line = new StringBuilder("evaluation:");
            m.metrics().values().forEach((k, v) -> line.append(String.format(Locale.ROOT, " %s %.4f", k, v)));
            out.println(line.append(" on ").append(m.metrics().rows()).append(" rows"));
        }
        out.println(JobLedger.summary(m.provenance().ledger()));
        Publication pub = publication;
        if (pub != null) {
            out.printf("model: %s%nreport: %s%nreport page: %s%n", pub.modelDir(), pub.reportPath(), pub.htmlPath());
        }
    }

    /** The data normalization's share of the plan, when it has one. */
    private void printNormalization(PrivacyPlan plan) {
        plan.normalizationNoise().ifPresent(s -> out.printf(Locale.ROOT, "  of which data normalization: 2 Gaussian "
                + "releases (channel means and mean squares, all rows), sigma = %s: epsilon %.4f alone; the epsilon "
                + "above is of both, composed%n", s, plan.normalizationEpsilon()));
    }

    /** The PLD epsilon, or why there is none (the distributed discrete Gaussian is accounted by RDP alone). */
    private static String pld(PrivacyPlan plan) {
        return plan.distributed().isPresent() ? "n/a for the distributed discrete Gaussian"
                : String.valueOf(plan.pldEpsilon());
    }

    /** One line naming the distributed mechanism, n, t and b (issue 13: the report and the console name them). */
    private void printSecureAggregation(org.dpspark.core.secagg.DdgParams d) {
        out.printf(Locale.ROOT, "secure aggregation: %s, distributed discrete Gaussian over n = %d parties, t = %d may "
                + "collude, b = %d bits (scale %.4g, each party's noise variance %d, sensitivity %.6g incl. rounding; "
                + "the driver sees only the noised total; vectors of %d coordinates, rotated in %d)%n", secureAggregation,
                d.parties(), d.colluding(), d.bits(), d.scale(), d.localVariance(), d.sensitivity(), d.dim(),
                d.paddedDim());
    }

    static final long DEMO_ROWS = 60_000;
    static final long DEMO_EVAL_ROWS = 10_000;
    static final int DEMO_FEATURES = 20;

    private static java.nio.file.Path tempDemoDir() {
        try {
            return Files.createTempDirectory("dpspark-demo-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Dataset<Row> read(SparkSession spark, String path, InputFormat f, FeatureSpec fs) {
        // LibSVM's vector size is declared by the spec (public), never inferred from the data: the size of its
        // vector feature (before any transform), else the spec's dimension.
        int size = fs.features().stream().filter(c -> c instanceof VectorFeature).mapToInt(c -> ((VectorFeature) c).size())
                .findFirst().orElse(fs.dimension());
        return f == InputFormat.LIBSVM ? DataReader.readLibsvm(spark, path, size)
                : DataReader.read(spark, path, f, fs.csv());
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

    /** --version: the dpspark version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"dp-train (dpspark) " + Reports.codeVersion()};
        }
    }
}
