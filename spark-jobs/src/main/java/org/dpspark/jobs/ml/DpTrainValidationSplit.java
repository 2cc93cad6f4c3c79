package org.dpspark.jobs.ml;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;
import org.dpspark.accountant.TrialCount;
import org.dpspark.jobs.run.Hyperparameters;
import org.dpspark.jobs.run.SearchSettings;
import org.dpspark.jobs.run.SearchSpace;
import org.dpspark.jobs.run.TrainingRun;

/**
 * Private hyperparameter tuning as an MLlib Estimator, in the manner of Spark's {@code TrainValidationSplit}: the
 * DP estimator ({@link #setEstimator}) is trained on K random draws of its parameter maps
 * ({@link #setEstimatorParamMaps}), K itself random ({@link #setTrials}), each scored by a noisy accuracy on a
 * keyed random validation part of the input ({@code 1 - trainRatio} of the rows), and the best is kept
 * (Papernot and Steinke 2022). The same search as {@code dp-tune} ({@link TrainingRun#search}): {@link #setEpsilon}
 * is the TOTAL of the whole search, recorded as one reservation and one commit of one selection event under the
 * estimator's ledger settings ({@code setLedger}, {@code setDatasetId}, {@code setJobId}, {@code setNoLedgerReason}
 * on the DP estimator); no trial is charged alone.
 *
 * <p>Parameter maps may set the estimator's {@code learningRate} and {@code clipNorm} only: other parameters
 * (batch size, epochs) change q or T, which the search's one sigma is calibrated for, and are refused.
 */
public class DpTrainValidationSplit extends Estimator<DpTrainValidationSplitModel> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DpTrainValidationSplit.class);
    private static final long serialVersionUID = 1L;
    /** The estimator Params a parameter map may set, and their names in the search. */
    private static final java.util.Map<String, String> SEARCHABLE = java.util.Map.of("learningRate", "learning-rate",
            "clipNorm", "clip-norm");

    private final String uid;
    private final Param<DpEstimator<?, ?>> estimator;
    private final Param<ParamMap[]> estimatorParamMaps;
    private final DoubleParam trainRatio;
    private final Param<String> trials;
    private final DoubleParam scoreNoise;
    private final DoubleParam epsilon;

    public DpTrainValidationSplit() {
        this("dpTvs_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    }

    /** For {@link DpCrossValidator}, and Spark's copies by uid. */

    public DpTrainValidationSplit(String uid) {
        this.uid = uid;
        estimator = new Param<>(this, "estimator", "the DP estimator to tune (a DpEstimator)");
        estimatorParamMaps = new Param<>(this, "estimatorParamMaps", "the points trials are drawn from; they may set "
                + "the estimator's learningRate and clipNorm");
        trainRatio = new DoubleParam(this, "trainRatio", "share of the rows trials train on, in [0.5, 1); the rest "
                + "(a keyed random split) scores them");
        trials = new Param<>(this, "trials", "distribution of the number of trials: geometric:MEAN | poisson:MEAN | "
                + "negbin:ETA:MEAN | logarithmic:MEAN");
        scoreNoise = new DoubleParam(this, "scoreNoise", "noise multiplier S of each trial's count of correct "
                + "validation predictions (sensitivity 1)");
        epsilon = new DoubleParam(this, "epsilon", "the total epsilon of the whole search");
        setDefault(trainRatio, 1 - SearchSettings.DEFAULT_VALIDATION_FRACTION);
        setDefault(trials, SearchSettings.DEFAULT_TRIALS);
        setDefault(scoreNoise, SearchSettings.DEFAULT_SCORE_NOISE);
    }

    @Override
    public String uid() {
        return uid;
    }

    public DpTrainValidationSplit setEstimator(DpEstimator<?, ?> v) {
        set(estimator, v);
        return this;
    }

    public DpTrainValidationSplit setEstimatorParamMaps(ParamMap[] v) {
        set(estimatorParamMaps, v);
        return this;
    }

    public DpTrainValidationSplit setTrainRatio(double v) {
        set(trainRatio, v);
        return this;
    }

    public DpTrainValidationSplit setTrials(String v) {
        TrialCount.parse(v); // refused here, naming the text
        set(trials, v);
        return this;
    }

    public DpTrainValidationSplit setScoreNoise(double v) {
        set(scoreNoise, v);
        return this;
    }

    /** The total epsilon of the whole search (required). */
    public DpTrainValidationSplit setEpsilon(double v) {
        set(epsilon, v);
        return this;
    }

    public Param<DpEstimator<?, ?>> estimator() {
        return estimator;
    }

    public Param<ParamMap[]> estimatorParamMaps() {
        return estimatorParamMaps;
    }

    public DoubleParam trainRatio() {
        return trainRatio;
    }

    public Param<String> trials() {
        return trials;
    }

    public DoubleParam scoreNoise() {
        return scoreNoise;
    }

    public DoubleParam epsilon() {
        return epsilon;
    }

    /** Checks the tuner's own Params before any data is read; the estimator checks the rest. */
    private SearchSettings settings(DpEstimator<?, ?> est) {
        if (!isDefined(estimatorParamMaps) || getOrDefault(estimatorParamMaps).length == 0) {
            throw new IllegalArgumentException("estimatorParamMaps must hold at least one parameter map");
        }
        if (!isDefined(epsilon)) {
            throw new IllegalArgumentException("epsilon (the total of the whole search) must be set");
        }
        org.dpspark.jobs.train.TrainConfig cfg = est.searchConfig((Double) getOrDefault(epsilon));
        Hyperparameters base = new Hyperparameters(cfg.learningRate(), cfg.clipNorm(), cfg.momentum());
        List<Hyperparameters> points = new ArrayList<>();
        for (ParamMap map : getOrDefault(estimatorParamMaps)) {
            Hyperparameters p = base;
            for (ParamPair<?> pair : scala.jdk.javaapi.CollectionConverters.asJava(map.toSeq())) {
                String name = pair.param().name();
                if (!pair.param().parent().equals(est.uid()) || !SEARCHABLE.containsKey(name)) {
                    throw new IllegalArgumentException("estimatorParamMaps: a parameter map may set the estimator's "
                            + String.join(" and ", SEARCHABLE.keySet().stream().sorted().toList()) + " only (batch size "
                            + "and epochs change q or T, which the search's one sigma is calibrated for), got "
                            + pair.param().parent() + "__" + name);
                }
                p = SearchSpace.with(p, SEARCHABLE.get(name), ((Number) pair.value()).doubleValue());
            }
            points.add(p);
        }
        double ratio = (Double) getOrDefault(trainRatio);
        if (!(ratio >= 0.5 && ratio < 1)) {
            throw new IllegalArgumentException("trainRatio must be in [0.5, 1), got " + ratio);
        }
        return new SearchSettings(SearchSpace.of(points), TrialCount.parse(getOrDefault(trials)), 1 - ratio,
                (Double) getOrDefault(scoreNoise), folds());
    }

    /** 0: one held-out part ({@code 1 - trainRatio} of the rows); k: k-fold cross-validation. */
    int folds() {
        return 0;
    }

    @Override
    public DpTrainValidationSplitModel fit(Dataset<?> dataset) {
        if (!isDefined(estimator)) {
            throw new IllegalArgumentException("estimator must be set (a DpEstimator)");
        }
        DpEstimator<?, ?> est = getOrDefault(estimator);
        SearchSettings search = settings(est);
        TrainingRun.Searched s = est.search(dataset, (Double) getOrDefault(epsilon), search, this,
                t -> LOG.info(String.format(java.util.Locale.ROOT, "%s trial %d: %s: noisy validation accuracy %.4f",
                        uid, t.index(), t.point().describe(), t.scored().noisyScore())));
        if (s.chosen() == null) {
            throw new IllegalStateException("K = 0 trials were drawn from " + s.plan().count().describe()
                    + ": nothing was trained; the search's event is committed (epsilon " + s.plan().epsilon() + ")");
        }
        DpPredictionModel<?> best = est.model(s.chosen());
        double[] scores = s.result().trials().stream().mapToDouble(t -> t.scored().noisyScore()).toArray();
        DpTrainValidationSplitModel model = new DpTrainValidationSplitModel(uid, best, scores, s.result().best(),
                s.plan().epsilon(), s.report().toString());
        model.setParent(this);
        return model;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        if (!isDefined(estimator)) {
            throw new IllegalArgumentException("estimator must be set (a DpEstimator)");
        }
        return getOrDefault(estimator).transformSchema(schema);
    }

    @Override
    public DpTrainValidationSplit copy(ParamMap extra) {
        return defaultCopy(extra);
    }
}
