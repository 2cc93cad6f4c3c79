package org.dpspark.jobs.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.dpspark.accountant.TrialCount;
import org.dpspark.jobs.ledger.JobLedger;
import org.dpspark.jobs.model.ModelSpec;
import org.dpspark.jobs.run.Hyperparameters;
import org.dpspark.jobs.run.RandomSearch;
import org.dpspark.jobs.run.SearchPlan;
import org.dpspark.jobs.run.SearchSettings;
import org.dpspark.jobs.run.SearchSpace;
import org.dpspark.jobs.run.TrainingData;
import org.dpspark.jobs.run.TrainingRun;
import org.dpspark.jobs.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dp-tune}: private hyperparameter tuning (issue 16) on dp-train's flags. A random search in the manner of
 * Papernot and Steinke (ICLR 2022): the number of trials K is random ({@code --trials}), each trial trains with
 * DP-SGD on a point drawn uniformly from the grid and is scored by a noisy validation accuracy, and only the best
 * trial's model is published. {@code --epsilon} is the TOTAL of the whole search: one sigma is calibrated for it,
 * the ledger holds one reservation and one commit of the search's selection event, and no trial is charged alone.
 *
 * <p>Grid rules: learning-rate, clip-norm and momentum may vary; batch-size and epochs are refused, since they change
 * q or T and the search's one sigma is calibrated for the q and T of {@code --batch-size} and {@code --epochs}.
 * The validation part is a keyed-hash split of the training input ({@code --validation-fraction}); the score is the
 * count of correct validation predictions plus Gaussian noise of std {@code --score-noise} (S; default 10, about 0.3
 * percentage points of accuracy on Adult's 3,256 validation rows), divided by the validation rows.
 */
@Command(
        name = "dp-tune",
        mixinStandardHelpOptions = true,
        versionProvider = DpTrain.Version.class,
        sortOptions = false,
        usageHelpWidth = 110,
        description = {
            "Private hyperparameter tuning: a random search whose number of trials is random (Papernot and Steinke 2022);",
            "each trial trains with DP-SGD and gets a noisy validation score; the best trial's model is published.",
            "--epsilon is the total of the whole search (one reservation, one commit). Takes dp-train's flags.",
            ""
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success: the best model and the report written (K = 0: nothing trained, the event committed)",
            "1:failure (I/O, Spark, internal); nothing published",
            "2:bad input (flag, feature spec or data validation); nothing written, no budget spent",
            "3:privacy budget exhausted (the dataset's ledger budget); no trial run",
            "4:ledger conflict: the job id already committed on this dataset (use a new --job-id); nothing trained"
        })
public final class DpTune extends DpTrain {

    @Option(names = "--grid", paramLabel = "NAME=V1,V2,...", description = "A hyperparameter and its values (repeatable; the grid is their product): learning-rate, clip-norm or momentum (with --optimizer momentum). batch-size and epochs are not searchable: they change q or T, which the one sigma is calibrated for.")
    List<String> grid = new ArrayList<>();

    @Option(names = "--trials", paramLabel = "DIST", defaultValue = SearchSettings.DEFAULT_TRIALS, description = "Distribution of the number of trials K: geometric:MEAN | poisson:MEAN | negbin:ETA:MEAN | logarithmic:MEAN (default: ${DEFAULT-VALUE}).")
    String trials;

    @Option(names = "--validation-fraction", paramLabel = "F", defaultValue = "0.1", description = "Share of the input's rows held out (keyed random split) to score the trials, in (0, 0.5] (default: ${DEFAULT-VALUE}).")
    double validationFraction;

    @Option(names = "--score-noise", paramLabel = "S", defaultValue = "10", description = "Noise multiplier of each trial's count of correct validation predictions (sensitivity 1): the accuracy's noise std is S / validation rows, ~0.3 points on Adult (default: ${DEFAULT-VALUE}).")
    double scoreNoise;

    /** The search, built by {@link #checkCommand} before Spark starts. */
    private SearchSettings search;

    DpTune(PrintWriter out) {
        super(out, "dp-tune");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs dp-tune and returns its exit code (never calls System.exit). */
    public static int run(String... args) {
        return execute(new DpTune(new PrintWriter(System.out, true)), args);
    }

    @Override
    void checkCommand(TrainConfig cfg) {
        if (dryRun) {
            throw new IllegalArgumentException("--dry-run: dp-tune plans after its validation split; run dp-privacy "
                    + "for a plan, or dp-tune itself (a budget too small is refused before the first trial)");
        }
        if (model.strip().equalsIgnoreCase("linear")) {
            throw new IllegalArgumentException("--model linear: dp-tune scores trials by their validation accuracy; "
                    + "use a classifier (logistic, softmax or mlp)");
        }
        if (grid.isEmpty()) {
            throw new IllegalArgumentException("--grid is required: NAME=V1,V2,... (" + String.join(", ",
                    SearchSpace.NAMES) + "), repeatable");
        }
        SearchSpace space;
        try {
            space = SearchSpace.grid(grid, new Hyperparameters(learningRate, clipNorm, momentum));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--grid " + e.getMessage(), e);
        }
        if (space.variesMomentum(momentum) && !optimizer.strip().equalsIgnoreCase("momentum")) {
            throw new IllegalArgumentException("--grid momentum=...: momentum is used by --optimizer momentum only, got "
                    + "--optimizer " + optimizer);
        }
        TrialCount count;
        try {
            count = TrialCount.parse(trials);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--trials: " + e.getMessage(), e);
        }
        search = new SearchSettings(space, count, validationFraction, scoreNoise);
        TrainingRun.requireSearchable(cfg);
    }

    @Override
    int train(TrainingRun run, JavaSparkContext jsc, TrainingData train, TrainingData eval, ModelSpec modelSpec) {
        TrainingRun.Searched s = run.search(jsc, train, eval, modelSpec, search, this::printTrial);
        SearchPlan plan = s.plan();
        out.printf(Locale.ROOT, "privacy: epsilon = %.4f at delta = %.3g for the whole search (rdp accountant; %d "
                + "trials drawn from %s; each trial q = %.6f, sigma = %.4f, %d steps; score noise S = %s on %d "
                + "validation rows)%n", plan.epsilon(), plan.delta(), s.trials(), plan.count().describe(),
                plan.samplingRate(), plan.noiseMultiplier(), plan.steps(), plan.scoreNoise(), plan.validationRows());
        out.println("selection: " + plan.theorem());
        out.println(JobLedger.summary(s.receipt()));
        if (s.chosen() == null) {
            successLine = command + ": K = 0 trials drawn: nothing trained, nothing published; the search's event is "
                    + "committed";
            out.println(successLine);
            return ExitCode.SUCCESS.code();
        }
        this.outcome = s.chosen();
        RandomSearch.Trial best = s.result().chosen();
        out.printf(Locale.ROOT, "chosen: trial %d (%s), noisy validation accuracy %.4f%n", best.index(),
                best.point().describe("momentum".equals(optimizer)), best.scored().noisyScore());
        if (s.chosen().metrics() != null) {
            StringBuilder line = new StringBuilder("evaluation of the chosen model (not DP):");
            s.chosen().metrics().values().forEach((k, v) -> line.append(String.format(Locale.ROOT, " %s %.4f", k, v)));
            out.println(line.append(" on ").append(s.chosen().metrics().rows()).append(" rows"));
        }
        successLine = command + ": searched; the best model and the report written";
        out.printf("model: %s%nreport: %s%nreport page: %s%n", publication.modelDir(), publication.reportPath(),
                publication.htmlPath());
        return ExitCode.SUCCESS.code();
    }

    private void printTrial(RandomSearch.Trial t) {
        out.printf(Locale.ROOT, "trial %d: %s: noisy validation accuracy %.4f%n", t.index(),
                t.point().describe("momentum".equals(optimizer)),
                t.scored().noisyScore());
    }
}
