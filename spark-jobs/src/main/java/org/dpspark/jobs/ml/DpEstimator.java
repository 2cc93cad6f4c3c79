package org.dpspark.jobs.ml;

import java.util.Arrays;
import java.util.UUID;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.dpspark.core.params.Checks;
import org.dpspark.jobs.model.ModelSpec;
import org.dpspark.jobs.run.Checkpointing;
import org.dpspark.jobs.run.InputLocations;
import org.dpspark.jobs.run.LedgerTarget;
import org.dpspark.jobs.run.RunSettings;
import org.dpspark.jobs.run.TrainedModel;
import org.dpspark.jobs.run.TrainingData;
import org.dpspark.jobs.run.TrainingRun;
import org.dpspark.jobs.run.RandomSearch;
import org.dpspark.jobs.run.SearchSettings;
import org.dpspark.jobs.train.TrainConfig;

/**
 * The common part of the DP estimators: MLlib Params for the columns and the DP-SGD settings, and a {@link #fit}
 * that checks the schema and the pipeline before any Spark job and hands the fit to the one
 * {@link TrainingRun} (validate, plan, reserve, train, commit), exactly as {@code dp-train} does.
 *
 * <p>Exactly one of {@code epsilon} (a target; the noise multiplier is calibrated to meet it) and
 * {@code noiseMultiplier} must be set. The unit of privacy is one row of the input DataFrame (the number of rows N
 * is public), or, with {@code userCol} and {@code maxRowsPerUser} (dp-train's {@code --privacy-unit user --user-col
 * COL --max-rows-per-user K}), all the rows of one user: each user keeps at most K rows chosen by a secret random
 * key, a user's rows are co-located by a keyed hash of its id, and the number of users is public ({@code batchSize}
 * is then the expected number of users per step). {@code algorithm} "fedavg" trains DP-FedAvg at the user level
 * ({@code localEpochs}, {@code localLearningRate}, {@code localBatchSize}), as dp-train's {@code --algorithm
 * fedavg}. Every fit is recorded in the privacy ledger: {@code ledger} if set, else the default ledger (the
 * Spark conf {@code spark.dpspark.ledger}, else {@code $DPSPARK_LEDGER}, else {@code ~/.dpspark/ledger}), the
 * same one dp-train charges. Opting out is explicit ({@link #setNoLedgerReason}) and recorded in the model.
 *
 * <p>Every Param's rule is the one {@link Checks} writes for dp-train's flags too (NaN and infinities always
 * fail); messages name the Param.
 *
 * @param <M> the fitted model type
 * @param <E> the concrete estimator type, so that setters chain: {@code new DpLogisticRegression().setEpsilon(1)
 *     .setNumClasses(3)}
 */
public abstract class DpEstimator<M extends DpPredictionModel<M>, E extends DpEstimator<M, E>> extends Estimator<M>
        implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DpEstimator.class);
    /** The values of {@code nullUsers}: dp-train's {@code --null-users}. */
    static final String[] NULL_USERS = {"refuse", "drop"};

    private final String uid;
    private final Param<String> featuresCol;
    private final Param<String> labelCol;
    private final Param<String> predictionCol;
    private final DoubleParam epsilon;
    private final DoubleParam noiseMultiplier;
    private final DoubleParam delta;
    private final DoubleParam epochs;
    private final IntParam batchSize;
    private final DoubleParam clipNorm;
    private final DoubleParam learningRate;
    private final Param<String> optimizer;
    private final DoubleParam emaDecay;
    private final IntParam numPartitions;
    private final Param<String> jobId;
    private final Param<String> ledger;
    private final Param<String> datasetId;
    private final Param<String> noLedgerReason;
    private final BooleanParam unbudgeted;
    private final Param<String> checkpointDir;
    private final org.apache.spark.ml.param.LongParam checkpointEvery;
    private final BooleanParam resume;
    private final BooleanParam allowWeakPrivacy;
    private final Param<String> userCol;
    private final IntParam maxRowsPerUser;
    private final Param<String> nullUsers;
    private final Param<String> algorithm;
    private final IntParam localEpochs;
    private final DoubleParam localLearningRate;
    private final IntParam localBatchSize;
    private final Param<String> secureAggregation;
    private final Param<String> precision;
    private final IntParam secaggBits;
    private final IntParam secaggColluding;
    private final Param<String> secaggPartySecretFile;
    private final Param<String> regularizer;
    private final DoubleParam pdpStrength;
    /** INSECURE test path; deliberately not a Param (never saved, never in explainParams). */
    private Long insecureTestSeed;

    protected DpEstimator(String uid) {
        this.uid = uid;
        featuresCol = new Param<>(this, "featuresCol", "features column (Vector)");
        labelCol = new Param<>(this, "labelCol", "label column (numeric)");
        predictionCol = new Param<>(this, "predictionCol", "prediction column");
        epsilon = new DoubleParam(this, "epsilon",
                "target epsilon; the smallest noise multiplier that meets it is used (exclusive with noiseMultiplier)",
                ParamRules.positive("epsilon"));
        noiseMultiplier = new DoubleParam(this, "noiseMultiplier",
                "noise std / clip norm (exclusive with epsilon)", ParamRules.positive("noiseMultiplier"));
        delta = new DoubleParam(this, "delta", "delta of the guarantee, in (0, 1/N)", ParamRules.openUnit("delta"));
        epochs = new DoubleParam(this, "epochs", "epochs; steps T = floor(epochs * N / batchSize)",
                ParamRules.positive("epochs"));
        batchSize = new IntParam(this, "batchSize", "expected batch size; Poisson rate q = batchSize / N",
                ParamRules.atLeast("batchSize", 1));
        clipNorm = new DoubleParam(this, "clipNorm", "per-example L2 clip norm", ParamRules.positive("clipNorm"));
        learningRate = new DoubleParam(this, "learningRate", "learning rate", ParamRules.positive("learningRate"));
        optimizer = new Param<>(this, "optimizer", "optimizer: " + String.join(", ", TrainConfig.OPTIMIZERS),
                ParamRules.oneOf("optimizer", TrainConfig.OPTIMIZERS));
        emaDecay = new DoubleParam(this, "emaDecay", "the fitted model is the exponential moving average of the "
                + "iterates with this decay, in [0, 1) (De et al. 2022; post-processing, no privacy cost); 0: the last "
                + "iterate", ParamRules.halfOpenUnit("emaDecay"));
        numPartitions = new IntParam(this, "numPartitions",
                "partitions of the cached training blocks (default: the input's, if Spark's default parallelism)",
                ParamRules.atLeast("numPartitions", 1));
        jobId = new Param<>(this, "jobId", "job id recorded with the guarantee and in the ledger (default: random)");
        ledger = new Param<>(this, "ledger",
                "privacy ledger URI (default: spark.dpspark.ledger, else $DPSPARK_LEDGER, else ~/.dpspark/ledger)");
        datasetId = new Param<>(this, "datasetId",
                "dataset id in the ledger (default: derived from the rows' fingerprint)");
        noLedgerReason = new Param<>(this, "noLedgerReason",
                "opt out of the privacy ledger, saying why (recorded in the model's provenance); default: recorded");
        unbudgeted = new BooleanParam(this, "unbudgeted", "allow a fit on data that matches no dataset registered in "
                + "the ledger (no budget caps it; recorded as unbudgeted); default false: such a fit is refused");
        setDefault(unbudgeted, false);
        checkpointDir = new Param<>(this, "checkpointDir", "write checkpoints of the training here (any Hadoop path), "
                + "so that an interrupted fit can continue with resume (default: none)");
        checkpointEvery = new org.apache.spark.ml.param.LongParam(this, "checkpointEvery", "with checkpointDir: a "
                + "checkpoint every this many steps (default: every 10% of the run), and at every epoch's end",
                ParamRules.atLeast("checkpointEvery", 1L));
        resume = new BooleanParam(this, "resume", "continue the job (same params and jobId) from the newest checkpoint in "
                + "checkpointDir; its open ledger reservation is not charged again (default false)");
        setDefault(resume, false);
        allowWeakPrivacy = new BooleanParam(this, "allowWeakPrivacy", "run a fit whose epsilon is above the ledger's "
                + "ceiling (default 10) or whose noise multiplier is below 0.3 anyway; default false: refused");
        setDefault(allowWeakPrivacy, false);
        userCol = new Param<>(this, "userCol", "the column naming each row's user (string or integral; not a feature, "
                + "not the label): the privacy unit is then the user, not the row; needs maxRowsPerUser (default: "
                + "unset, row level)");
        maxRowsPerUser = new IntParam(this, "maxRowsPerUser", "with userCol: the public bound k on each user's rows; "
                + "rows beyond k are dropped by a secure random choice", ParamRules.atLeast("maxRowsPerUser", 1));
        nullUsers = new Param<>(this, "nullUsers", "with userCol: refuse (default) or drop (and count) the rows whose "
                + "user id is null or empty", ParamRules.oneOf("nullUsers", NULL_USERS));
        setDefault(nullUsers, "refuse");
        algorithm = new Param<>(this, "algorithm", "dp-sgd (default) or fedavg (DP-FedAvg, needs userCol: each "
                + "sampled user trains locally, its clipped update is noised)",
                ParamRules.oneOf("algorithm", TrainConfig.ALGORITHMS));
        setDefault(algorithm, "dp-sgd");
        localEpochs = new IntParam(this, "localEpochs", "fedavg: local epochs per round",
                ParamRules.atLeast("localEpochs", 1));
        localLearningRate = new DoubleParam(this, "localLearningRate", "fedavg: local SGD learning rate",
                ParamRules.positive("localLearningRate"));
        localBatchSize = new IntParam(this, "localBatchSize", "fedavg: local mini-batch size",
                ParamRules.atLeast("localBatchSize", 1));
        secureAggregation = new Param<>(this, "secureAggregation", "who sees each step's sum: central (default; the "
                + "driver adds the noise), masking (partitions add discrete Gaussian shares and pairwise masks mod 2^b; the "
                + "driver learns only the noised total) or paillier (encrypted shares; a separate key holder decrypts the "
                + "total)", ParamRules.oneOf("secureAggregation", new String[] {"central", "masking", "paillier"}));
        setDefault(secureAggregation, "central");
        precision = new Param<>(this, "precision", "how the cached training blocks store the features: float64 "
                + "(default) or float32 (half the memory; the MLP's forward product in float32, norms, clipping, noise and the sum in double); row level only",
                ParamRules.oneOf("precision", new String[] {"float64", "float32"}));
        setDefault(precision, "float64");
        secaggBits = new IntParam(this, "secaggBits", "masking/paillier: shares modulo 2^b, b in [8, 62]",
                ParamRules.atLeast("secaggBits", 1));
        setDefault(secaggBits, org.dpspark.core.secagg.DdgParams.DEFAULT_BITS);
        secaggColluding = new IntParam(this, "secaggColluding", "masking/paillier: t, the partitions that may collude "
                + "with the driver; the other n - t partitions' noise meets the target", ParamRules.atLeast("secaggColluding", 0));
        setDefault(secaggColluding, 0);
        secaggPartySecretFile = new Param<>(this, "secaggPartySecretFile", "masking/paillier: a file of secret random "
                + "bytes readable on the executors only, from which each party's randomness derives (retries resend the "
                + "same share); default unset: fresh per attempt");
        regularizer = new Param<>(this, "regularizer", "none (default) or pdp: the DP-regularization loss term of "
                + "Aguilera-Martinez and Berzal 2024, part of each example's loss before clipping (the guarantee is "
                + "unchanged; it gives no privacy of its own)", ParamRules.oneOf("regularizer", new String[] {"none", "pdp"}));
        setDefault(regularizer, "none");
        pdpStrength = new DoubleParam(this, "pdpStrength", "regularizer pdp: the strength lambda of its term (>= 0)",
                ParamRules.nonNegative("pdpStrength"));
        setDefault(localEpochs, 1);
        setDefault(localLearningRate, 0.1);
        setDefault(localBatchSize, 10);
        setDefault(featuresCol, "features");
        setDefault(labelCol, "label");
        setDefault(predictionCol, "prediction");
        setDefault(delta, 1e-5);
        setDefault(epochs, 10.0);
        setDefault(batchSize, 256);
        setDefault(clipNorm, 1.0);
        setDefault(learningRate, 1.0);
        setDefault(optimizer, "sgd");
        setDefault(emaDecay, 0.0);
    }

    @Override
    public String uid() {
        return uid;
    }

    @SuppressWarnings("unchecked")
    protected final E self() {
        return (E) this;
    }

    public Param<String> featuresCol() {
        return featuresCol;
    }

    public Param<String> labelCol() {
        return labelCol;
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public DoubleParam epsilon() {
        return epsilon;
    }

    public DoubleParam noiseMultiplier() {
        return noiseMultiplier;
    }

    public DoubleParam delta() {
        return delta;
    }

    public DoubleParam epochs() {
        return epochs;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public DoubleParam clipNorm() {
        return clipNorm;
    }

    public DoubleParam learningRate() {
        return learningRate;
    }

    public Param<String> optimizer() {
        return optimizer;
    }

    public DoubleParam emaDecay() {
        return emaDecay;
    }

    public IntParam numPartitions() {
        return numPartitions;
    }

    public Param<String> jobId() {
        return jobId;
    }

    public Param<String> ledger() {
        return ledger;
    }

    public Param<String> datasetId() {
        return datasetId;
    }

    public Param<String> noLedgerReason() {
        return noLedgerReason;
    }

    public BooleanParam unbudgeted() {
        return unbudgeted;
    }

    public Param<String> checkpointDir() {
        return checkpointDir;
    }

    public org.apache.spark.ml.param.LongParam checkpointEvery() {
        return checkpointEvery;
    }

    public BooleanParam resume() {
        return resume;
    }

    public String getCheckpointDir() {
        return getOrDefault(checkpointDir);
    }

    public long getCheckpointEvery() {
        return (Long) getOrDefault(checkpointEvery);
    }

    public boolean getResume() {
        return (Boolean) getOrDefault(resume);
    }

    public E setCheckpointDir(String v) {
        set(checkpointDir, v);
        return self();
    }

    public E setCheckpointEvery(long v) {
        set(checkpointEvery, v);
        return self();
    }

    public E setResume(boolean v) {
        set(resume, v);
        return self();
    }

    public BooleanParam allowWeakPrivacy() {
        return allowWeakPrivacy;
    }

    public Param<String> userCol() {
        return userCol;
    }

    public IntParam maxRowsPerUser() {
        return maxRowsPerUser;
    }

    public Param<String> nullUsers() {
        return nullUsers;
    }

    public Param<String> algorithm() {
        return algorithm;
    }

    public IntParam localEpochs() {
        return localEpochs;
    }

    public DoubleParam localLearningRate() {
        return localLearningRate;
    }

    public IntParam localBatchSize() {
        return localBatchSize;
    }

    /** The user column (throws NoSuchElementException when not set: row level; see {@code isSet(userCol())}). */
    public String getUserCol() {
        return getOrDefault(userCol);
    }

    /**
     * Makes the user the privacy unit: all the rows of one user, named by this column (string or integral; not the
     * features, not the label), at most {@link #setMaxRowsPerUser} of them. The number of users is public.
     */
    public E setUserCol(String v) {
        set(userCol, v);
        return self();
    }

    /** k (throws NoSuchElementException when not set). */
    public int getMaxRowsPerUser() {
        return (Integer) getOrDefault(maxRowsPerUser);
    }

    /** With userCol: the public bound k on each user's rows (rows beyond k are dropped by a secure random choice). */
    public E setMaxRowsPerUser(int v) {
        set(maxRowsPerUser, v);
        return self();
    }

    public String getNullUsers() {
        return getOrDefault(nullUsers);
    }

    /** "refuse" (default: an input with null or empty user ids is refused) or "drop" (such rows are dropped, counted). */
    public E setNullUsers(String v) {
        set(nullUsers, v);
        return self();
    }

    public String getAlgorithm() {
        return getOrDefault(algorithm);
    }

    /** "dp-sgd" (default) or "fedavg" (DP-FedAvg; needs userCol). */
    public E setAlgorithm(String v) {
        set(algorithm, v);
        return self();
    }

    public int getLocalEpochs() {
        return (Integer) getOrDefault(localEpochs);
    }

    public E setLocalEpochs(int v) {
        set(localEpochs, v);
        return self();
    }

    public double getLocalLearningRate() {
        return (Double) getOrDefault(localLearningRate);
    }

    public E setLocalLearningRate(double v) {
        set(localLearningRate, v);
        return self();
    }

    public Param<String> secureAggregation() {
        return secureAggregation;
    }

    public Param<String> regularizer() {
        return regularizer;
    }

    public DoubleParam pdpStrength() {
        return pdpStrength;
    }

    public String getRegularizer() {
        return getOrDefault(regularizer);
    }

    /** "none" (default) or "pdp" (with {@link #setPdpStrength}): the PDP loss term; the guarantee is unchanged. */
    public E setRegularizer(String v) {
        set(regularizer, v);
        return self();
    }

    public double getPdpStrength() {
        return (Double) getOrDefault(pdpStrength);
    }

    /** lambda of the PDP term (with regularizer "pdp"). */
    public E setPdpStrength(double v) {
        set(pdpStrength, v);
        return self();
    }

    public IntParam secaggBits() {
        return secaggBits;
    }

    public IntParam secaggColluding() {
        return secaggColluding;
    }

    public Param<String> secaggPartySecretFile() {
        return secaggPartySecretFile;
    }

    public Param<String> precision() {
        return precision;
    }

    public String getPrecision() {
        return getOrDefault(precision);
    }

    /** "float64" (default) or "float32": how the cached training blocks store the features (dp-train's --precision). */
    public E setPrecision(String v) {
        set(precision, v);
        return self();
    }

    public String getSecureAggregation() {
        return getOrDefault(secureAggregation);
    }

    /** "central" (default), "masking" or "paillier": who sees each step's sum (see the README). */
    public E setSecureAggregation(String v) {
        set(secureAggregation, v);
        return self();
    }

    public int getSecaggBits() {
        return (Integer) getOrDefault(secaggBits);
    }

    public E setSecaggBits(int v) {
        set(secaggBits, v);
        return self();
    }

    public int getSecaggColluding() {
        return (Integer) getOrDefault(secaggColluding);
    }

    public E setSecaggColluding(int v) {
        set(secaggColluding, v);
        return self();
    }

    public E setSecaggPartySecretFile(String v) {
        set(secaggPartySecretFile, v);
        return self();
    }

    public int getLocalBatchSize() {
        return (Integer) getOrDefault(localBatchSize);
    }

    public E setLocalBatchSize(int v) {
        set(localBatchSize, v);
        return self();
    }

    public boolean getAllowWeakPrivacy() {
        return (Boolean) getOrDefault(allowWeakPrivacy);
    }

    /** Runs a fit whose epsilon is above the ledger's ceiling, or whose noise is below 0.3, anyway. */
    public E setAllowWeakPrivacy(boolean v) {
        set(allowWeakPrivacy, v);
        return self();
    }

    public boolean getUnbudgeted() {
        return (Boolean) getOrDefault(unbudgeted);
    }

    /**
     * Allows a fit on data that matches no dataset registered in the ledger (no budget caps it); the fit is then
     * recorded as unbudgeted. Without it, such a fit is refused before training.
     */
    public E setUnbudgeted(boolean v) {
        set(unbudgeted, v);
        return self();
    }

    public String getFeaturesCol() {
        return getOrDefault(featuresCol);
    }

    public String getLabelCol() {
        return getOrDefault(labelCol);
    }

    public String getPredictionCol() {
        return getOrDefault(predictionCol);
    }

    /** The target epsilon (throws NoSuchElementException when not set: see {@code isSet(epsilon())}). */
    public double getEpsilon() {
        return (Double) getOrDefault(epsilon);
    }

    /** The noise multiplier (throws NoSuchElementException when not set). */
    public double getNoiseMultiplier() {
        return (Double) getOrDefault(noiseMultiplier);
    }

    public double getDelta() {
        return (Double) getOrDefault(delta);
    }

    public double getEpochs() {
        return (Double) getOrDefault(epochs);
    }

    public int getBatchSize() {
        return (Integer) getOrDefault(batchSize);
    }

    public double getClipNorm() {
        return (Double) getOrDefault(clipNorm);
    }

    public double getLearningRate() {
        return (Double) getOrDefault(learningRate);
    }

    public String getOptimizer() {
        return getOrDefault(optimizer);
    }

    public double getEmaDecay() {
        return (Double) getOrDefault(emaDecay);
    }

    /** The partitions of the training blocks (throws NoSuchElementException when not set). */
    public int getNumPartitions() {
        return (Integer) getOrDefault(numPartitions);
    }

    public String getJobId() {
        return getOrDefault(jobId);
    }

    public String getLedger() {
        return getOrDefault(ledger);
    }

    public String getDatasetId() {
        return getOrDefault(datasetId);
    }

    public String getNoLedgerReason() {
        return getOrDefault(noLedgerReason);
    }

    public E setFeaturesCol(String v) {
        set(featuresCol, v);
        return self();
    }

    public E setLabelCol(String v) {
        set(labelCol, v);
        return self();
    }

    public E setPredictionCol(String v) {
        set(predictionCol, v);
        return self();
    }

    public E setEpsilon(double v) {
        set(epsilon, v);
        return self();
    }

    public E setNoiseMultiplier(double v) {
        set(noiseMultiplier, v);
        return self();
    }

    public E setDelta(double v) {
        set(delta, v);
        return self();
    }

    public E setEpochs(double v) {
        set(epochs, v);
        return self();
    }

    public E setBatchSize(int v) {
        set(batchSize, v);
        return self();
    }

    public E setClipNorm(double v) {
        set(clipNorm, v);
        return self();
    }

    public E setLearningRate(double v) {
        set(learningRate, v);
        return self();
    }

    public E setOptimizer(String v) {
        set(optimizer, v);
        return self();
    }

    public E setEmaDecay(double v) {
        set(emaDecay, v);
        return self();
    }

    public E setNumPartitions(int v) {
        set(numPartitions, v);
        return self();
    }

    public E setJobId(String v) {
        set(jobId, v);
        return self();
    }

    /** Records every fit in the privacy ledger at {@code uri} instead of the default ledger. */
    public E setLedger(String uri) {
        set(ledger, uri);
        return self();
    }

    public E setDatasetId(String v) {
        set(datasetId, LedgerTarget.checkDatasetId(v));
        return self();
    }

    /**
     * Opts out of the privacy ledger: fits are recorded nowhere, and each model's provenance carries
     * {@code reason}. Use for public data or experiments whose releases are accounted elsewhere.
     */
    public E setNoLedgerReason(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("noLedgerReason must say why the fit is not recorded");
        }
        set(noLedgerReason, reason);
        return self();
    }

    /**
     * INSECURE, for tests only: a fixed seed makes noise and sampling predictable. The model's provenance then says
     * {@code insecure_test_run: true}, and the run refuses to charge a dataset that has a budget.
     */
    E setInsecureTestSeedForTestsOnly(long seed) {
        insecureTestSeed = seed;
        return self();
    }

    /** The model's architecture for {@code numFeatures} inputs (from the estimator's own Params). */
    protected abstract ModelSpec modelSpec(int numFeatures);


    /** Checks the input columns, naming the offending one; adds the output columns. No Spark job runs. */
    @Override
    public StructType transformSchema(StructType schema) {
        String f = getOrDefault(featuresCol);
        String l = getOrDefault(labelCol);
        requireColumn(schema, f, "featuresCol");
        if (!(schema.apply(f).dataType() instanceof VectorUDT)) {
            throw new IllegalArgumentException("featuresCol '" + f + "' must be a Vector column (e.g. from "
                    + "VectorAssembler), got " + schema.apply(f).dataType().simpleString());
        }
        requireColumn(schema, l, "labelCol");
        DataType lt = schema.apply(l).dataType();
        if (!(lt instanceof NumericType)) {
            throw new IllegalArgumentException("labelCol '" + l + "' must be numeric, got " + lt.simpleString());
        }
        if (isDefined(userCol)) {
            String u = getOrDefault(userCol);
            if (u.equals(f) || u.equals(l)) {
                throw new IllegalArgumentException("userCol '" + u + "': the privacy-unit column cannot also be "
                        + (u.equals(l) ? "the label (labelCol)" : "the features (featuresCol)"));
            }
            requireColumn(schema, u, "userCol");
            DataType ut = schema.apply(u).dataType();
            if (!(ut instanceof StringType || ut instanceof ByteType || ut instanceof ShortType
                    || ut instanceof IntegerType || ut instanceof LongType)) {
                throw new IllegalArgumentException("userCol '" + u + "' must be a string or integral column naming "
                        + "each row's user, got " + ut.simpleString());
            }
        }
        return outputSchema(schema);
    }

    /** The schema with this estimator's model's output columns added. */
    protected StructType outputSchema(StructType schema) {
        return DpPredictionModel.addColumn(schema, getOrDefault(predictionCol), org.apache.spark.sql.types.DataTypes.DoubleType);
    }

    static void requireColumn(StructType schema, String column, String param) {
        if (!Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new IllegalArgumentException(param + " '" + column + "' is not a column of the input; columns: "
                    + String.join(", ", schema.fieldNames()));
        }
    }

    /** The training configuration of a fit: the same builder, defaults and checks as dp-train's flags. */
    TrainConfig trainConfig() {
        return configBuilder().build();
    }

    /** The configuration of a search for a total of {@code epsilon} (a noise multiplier set here is not used). */
    TrainConfig searchConfig(double epsilon) {
        return configBuilder().noiseMultiplier(null).targetEpsilon(epsilon).build();
    }

    private TrainConfig.Builder configBuilder() {
        return TrainConfig.builder()
                .epochs((Double) getOrDefault(epochs))
                .batchSize((Integer) getOrDefault(batchSize))
                .clipNorm((Double) getOrDefault(clipNorm))
                .learningRate((Double) getOrDefault(learningRate))
                .optimizer(getOrDefault(optimizer))
                .emaDecay((Double) getOrDefault(emaDecay))
                .delta((Double) getOrDefault(delta))
                .targetEpsilon(isDefined(epsilon) ? (Double) getOrDefault(epsilon) : null)
                .noiseMultiplier(isDefined(noiseMultiplier) ? (Double) getOrDefault(noiseMultiplier) : null)
                .insecureTestSeed(insecureTestSeed)
                .allowWeakPrivacy(getAllowWeakPrivacy())
                .userColumn(isDefined(userCol) ? getOrDefault(userCol) : null)
                .maxRowsPerUser(isDefined(maxRowsPerUser) ? (Integer) getOrDefault(maxRowsPerUser) : null)
                .dropNullUsers(getNullUsers().equals("drop"))
                .algorithm(getAlgorithm())
                .localTraining(new org.dpspark.core.user.LocalTraining(getLocalEpochs(), getLocalLearningRate(),
                        getLocalBatchSize()))
                .secureAggregation(org.dpspark.jobs.train.SecureAggregation.parse(getSecureAggregation()))
                .precision(org.dpspark.datasets.Precision.parse(getPrecision()))
                .secaggBits(getSecaggBits())
                .secaggColluding(getSecaggColluding())
                .secaggPartySecretFile(isDefined(secaggPartySecretFile) ? getOrDefault(secaggPartySecretFile) : null)
                .regularizer(getRegularizer())
                .pdpStrength(isDefined(pdpStrength) ? (Double) getOrDefault(pdpStrength) : null);
    }

    /** Where the fit's spend is recorded. */
    LedgerTarget ledgerTarget(org.apache.spark.sql.SparkSession spark) {
        if (isDefined(noLedgerReason)) {
            if (isDefined(ledger) || isDefined(datasetId)) {
                throw new IllegalArgumentException("noLedgerReason opts out of the ledger: do not also set ledger or datasetId");
            }
            return LedgerTarget.none(getOrDefault(noLedgerReason));
        }
        return LedgerTarget.at(isDefined(ledger) ? getOrDefault(ledger) : null,
                isDefined(datasetId) ? getOrDefault(datasetId) : null, runtimeConf(spark)).withUnbudgeted(getUnbudgeted());
    }

    /** The session's configuration as the ledger's default sees it: the SparkConf plus runtime settings. */
    private static org.apache.spark.SparkConf runtimeConf(org.apache.spark.sql.SparkSession spark) {
        org.apache.spark.SparkConf conf = spark.sparkContext().getConf().clone();
        scala.Option<String> key = spark.conf().getOption(org.dpspark.jobs.ledger.JobLedger.CONF_KEY);
        if (key.isDefined()) {
            conf.set(org.dpspark.jobs.ledger.JobLedger.CONF_KEY, key.get());
        }
        return conf;
    }

    @Override
    public M fit(Dataset<?> dataset) {
        Prepared p = prepare(dataset, trainConfig(), this);
        return model(p.redacting(() -> p.run().train(p.jsc(), p.data(), null, p.spec())));
    }

    /**
     * One fit with extra Params, as Spark's CrossValidator and TrainValidationSplit call it once per parameter map
     * (and fold): each such fit is a full DP training charged to the ledger on its own, and the choice among them is
     * not accounted. Never silent: {@link SearchWatch} logs a WARN once per estimator when a second such fit shows a
     * search, naming the fits and the epsilon charged so far, and pointing to {@link DpTrainValidationSplit}.
     */
    @Override
    public M fit(Dataset<?> dataset, ParamMap paramMap) {
        M m = super.fit(dataset, paramMap);
        SearchWatch.fitted(getClass().getSimpleName(), uid, m.provenance().claim());
        return m;
    }

    /**
     * A private search over {@code search}'s points with this estimator's other settings, for a total of
     * {@code epsilon} ({@link DpTrainValidationSplit}): one {@link TrainingRun#search}, recorded under this estimator's
     * ledger settings, its entry point named after {@code tuner}.
     */
    TrainingRun.Searched search(Dataset<?> dataset, double epsilon, SearchSettings search, Object tuner,
            java.util.function.Consumer<RandomSearch.Trial> onTrial) {
        TrainConfig cfg = searchConfig(epsilon);
        TrainingRun.requireSearchable(cfg);
        Prepared p = prepare(dataset, cfg, tuner);
        return p.redacting(() -> p.run().search(p.jsc(), p.data(), null, p.spec(), search, onTrial));
    }

    /** This estimator's model of a trained run, its parent this estimator. */
    M model(TrainedModel trained) {
        @SuppressWarnings("unchecked")
        M model = (M) DpModels.of(uid, trained.modelSpec(), trained.params(), trained.provenance());
        model.setParent(this);
        return copyValues(model, ParamMap.empty());
    }

    /** A fit's run, before any data is read: schema, pipeline guard, settings and the run's preflight. */
    private record Prepared(TrainingRun run, JavaSparkContext jsc, TrainingData data, ModelSpec spec,
            org.apache.spark.sql.SparkSession session) {
        /** Runs {@code body}, redacting validation messages when the cluster asks for it. */
        <T> T redacting(java.util.function.Supplier<T> body) {
            try {
                return body.get();
            } catch (org.dpspark.datasets.validate.DatasetValidationException e) {
                // An operator who may not see counts and row numbers of the private input sets this for the cluster.
                scala.Option<String> detail = session.conf().getOption("spark.dpspark.errorDetail");
                throw detail.isDefined() && detail.get().trim().equalsIgnoreCase("redacted") ? e.redacted() : e;
            }
        }
    }

    private Prepared prepare(Dataset<?> dataset, TrainConfig cfg, Object caller) {
        transformSchema(dataset.schema());
        String name = getClass().getSimpleName() + " (" + uid + ")";
        PipelineGuard.requireNoDataFittedStages(dataset, name);
        String f = getOrDefault(featuresCol);
        String l = getOrDefault(labelCol);
        int d = numFeatures(dataset.schema().apply(f), dataset.toDF());
        ModelSpec spec = modelSpec(d);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        String jid = isDefined(jobId) ? getOrDefault(jobId) : UUID.randomUUID().toString();
        String entry = caller == this ? "mllib:" + getClass().getSimpleName() + ":" + uid
                : "mllib:" + caller.getClass().getSimpleName() + "(" + getClass().getSimpleName() + ":" + uid + ")";
        RunSettings settings = new RunSettings(cfg, ledgerTarget(dataset.sparkSession()), jid, null,
                isDefined(numPartitions) ? (Integer) getOrDefault(numPartitions) : null, entry,
                InputLocations.of(dataset, jsc.hadoopConfiguration()), new Checkpointing(
                        isDefined(checkpointDir) ? getOrDefault(checkpointDir) : null,
                        isDefined(checkpointEvery) ? (Long) getOrDefault(checkpointEvery) : null, null,
                        (Boolean) getOrDefault(resume), 0));
        TrainingRun run = TrainingRun.preflight(settings, jsc.hadoopConfiguration(), LOG::warn);
        TrainingData data = new TrainingData(dataset.toDF(), new TrainingData.VectorEncoding(f, l, d, spec),
                "DataFrame", "dataframe", "the input of " + name);
        return new Prepared(run, jsc, data, spec, dataset.sparkSession());
    }

    /** d from the column's ML attributes (VectorAssembler sets them), else from the first row's vector. */
    private static int numFeatures(StructField field, Dataset<Row> df) {
        int size = AttributeGroup.fromStructField(field).size();
        if (size >= 0) {
            return size;
        }
        java.util.List<Row> first = df.select(field.name()).na().drop().takeAsList(1);
        if (first.isEmpty()) {
            throw new IllegalArgumentException("featuresCol '" + field.name() + "' has no non-null vectors");
        }
        return ((Vector) first.get(0).get(0)).size();
    }

    @Override
    public E copy(ParamMap extra) {
        E copy = defaultCopy(extra);
        ((DpEstimator<M, E>) copy).insecureTestSeed = insecureTestSeed;
        return copy;
    }
}
