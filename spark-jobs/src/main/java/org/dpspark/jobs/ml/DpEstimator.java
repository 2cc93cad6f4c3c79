package org.dpspark.jobs.ml;

import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.dpspark.datasets.DenseBlock;
import org.dpspark.jobs.ledger.JobLedger;
import org.dpspark.jobs.ledger.LedgeredRun;
import org.dpspark.jobs.report.Reports;
import org.dpspark.jobs.train.DpTrainer;
import org.dpspark.jobs.train.PrivacyPlan;
import org.dpspark.jobs.train.TrainConfig;
import org.dpspark.jobs.train.TrainResult;

/**
 * The common part of the DP estimators: MLlib Params with validators for the columns and the DP-SGD settings, and
 * a {@link #fit} that checks the schema and the pipeline before any Spark job, validates the rows, plans the
 * privacy spend, runs the distributed trainer and returns a model carrying its guarantee.
 *
 * <p>Exactly one of {@code epsilon} (a target; the noise multiplier is calibrated to meet it) and
 * {@code noiseMultiplier} must be set. The unit of privacy is one row of the input DataFrame; the number of rows
 * N is public.
 *
 * @param <M> the fitted model type
 */
public abstract class DpEstimator<M extends DpPredictionModel<M>> extends Estimator<M> implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DpEstimator.class);

    private final String uid;
    private Param<String> featuresCol;
    private Param<String> labelCol;
    private Param<String> predictionCol;
    private DoubleParam epsilon;
    private DoubleParam noiseMultiplier;
    private DoubleParam delta;
    private DoubleParam epochs;
    private IntParam batchSize;
    private DoubleParam clipNorm;
    private DoubleParam learningRate;
    private Param<String> optimizer;
    private IntParam numPartitions;
    private Param<String> jobId;
    private Param<String> ledger;
    private Param<String> datasetId;
    private LongParam insecureTestSeed;

    protected DpEstimator(String uid) {
        this.uid = uid;
        featuresCol = new Param<>(this, "featuresCol", "features column (Vector)");
        labelCol = new Param<>(this, "labelCol", "label column (numeric)");
        predictionCol = new Param<>(this, "predictionCol", "prediction column");
        epsilon = new DoubleParam(this, "epsilon",
                "target epsilon; the smallest noise multiplier that meets it is used (exclusive with noiseMultiplier)",
                ParamValidators.gt(0.0));
        noiseMultiplier = new DoubleParam(this, "noiseMultiplier",
                "noise std / clip norm (exclusive with epsilon)", ParamValidators.gt(0.0));
        delta = new DoubleParam(this, "delta", "delta of the guarantee, in (0, 1/N)",
                ParamValidators.inRange(0.0, 1.0, false, false));
        epochs = new DoubleParam(this, "epochs", "epochs; steps T = floor(epochs * N / batchSize)", ParamValidators.gt(0.0));
        batchSize = new IntParam(this, "batchSize", "expected batch size; Poisson rate q = batchSize / N",
                ParamValidators.gtEq(1));
        clipNorm = new DoubleParam(this, "clipNorm", "per-example L2 clip norm", ParamValidators.gt(0.0));
        learningRate = new DoubleParam(this, "learningRate", "learning rate", ParamValidators.gt(0.0));
        optimizer = new Param<>(this, "optimizer", "optimizer: " + String.join(", ", TrainConfig.OPTIMIZERS),
                ParamValidators.inArray(TrainConfig.OPTIMIZERS));
        numPartitions = new IntParam(this, "numPartitions", "partitions of the cached training blocks",
                ParamValidators.gtEq(1));
        jobId = new Param<>(this, "jobId", "job id recorded with the guarantee and in the ledger");
        ledger = new Param<>(this, "ledger",
                "privacy ledger URI; when set, the fit reserves its spend before the first step and commits it");
        datasetId = new Param<>(this, "datasetId",
                "dataset id in the ledger (default: derived from the rows' fingerprint)");
        insecureTestSeed = new LongParam(this, "insecureTestSeed",
                "INSECURE: fixes noise and sampling for tests; the model then has no privacy");
        setDefault(featuresCol, "features");
        setDefault(labelCol, "label");
        setDefault(predictionCol, "prediction");
        setDefault(delta, 1e-5);
        setDefault(epochs, 10.0);
        setDefault(batchSize, 256);
        setDefault(clipNorm, 1.0);
        setDefault(learningRate, 1.0);
        setDefault(optimizer, "sgd");
    }

    @Override
    public String uid() {
        return uid;
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

    public LongParam insecureTestSeed() {
        return insecureTestSeed;
    }

    public DpEstimator<M> setFeaturesCol(String v) {
        set(featuresCol, v);
        return this;
    }

    public DpEstimator<M> setLabelCol(String v) {
        set(labelCol, v);
        return this;
    }

    public DpEstimator<M> setPredictionCol(String v) {
        set(predictionCol, v);
        return this;
    }

    public DpEstimator<M> setEpsilon(double v) {
        set(epsilon, v);
        return this;
    }

    public DpEstimator<M> setNoiseMultiplier(double v) {
        set(noiseMultiplier, v);
        return this;
    }

    public DpEstimator<M> setDelta(double v) {
        set(delta, v);
        return this;
    }

    public DpEstimator<M> setEpochs(double v) {
        set(epochs, v);
        return this;
    }

    public DpEstimator<M> setBatchSize(int v) {
        set(batchSize, v);
        return this;
    }

    public DpEstimator<M> setClipNorm(double v) {
        set(clipNorm, v);
        return this;
    }

    public DpEstimator<M> setLearningRate(double v) {
        set(learningRate, v);
        return this;
    }

    public DpEstimator<M> setOptimizer(String v) {
        set(optimizer, v);
        return this;
    }

    public DpEstimator<M> setNumPartitions(int v) {
        set(numPartitions, v);
        return this;
    }

    public DpEstimator<M> setJobId(String v) {
        set(jobId, v);
        return this;
    }

    /** Records every fit in the privacy ledger at {@code uri}; a fit the budget cannot pay for is refused. */
    public DpEstimator<M> setLedger(String uri) {
        set(ledger, uri);
        return this;
    }

    public DpEstimator<M> setDatasetId(String v) {
        set(datasetId, v);
        return this;
    }

    /** INSECURE: a fixed seed makes noise and sampling predictable. For tests only. */
    public DpEstimator<M> setInsecureTestSeed(long v) {
        set(insecureTestSeed, v);
        return this;
    }

    /** The model's architecture for {@code numFeatures} inputs (from the estimator's own Params). */
    protected abstract ModelSpec modelSpec(int numFeatures);

    /** A new model of this estimator's type. */
    protected abstract M newModel(String uid, ModelSpec spec, double[] params, PrivacyGuarantee guarantee);

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
        return outputSchema(schema);
    }

    /** The schema with this estimator's model's output columns added. */
    protected StructType outputSchema(StructType schema) {
        return DpPredictionModel.addColumn(schema, getOrDefault(predictionCol), org.apache.spark.sql.types.DataTypes.DoubleType);
    }

    static void requireColumn(StructType schema, String column, String param) {
        if (!java.util.Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new IllegalArgumentException(param + " '" + column + "' is not a column of the input; columns: "
                    + String.join(", ", schema.fieldNames()));
        }
    }

    TrainConfig trainConfig() {
        return TrainConfig.builder()
                .epochs((Double) getOrDefault(epochs))
                .batchSize((Integer) getOrDefault(batchSize))
                .clipNorm((Double) getOrDefault(clipNorm))
                .learningRate((Double) getOrDefault(learningRate))
                .optimizer(getOrDefault(optimizer))
                .delta((Double) getOrDefault(delta))
                .targetEpsilon(isDefined(epsilon) ? (Double) getOrDefault(epsilon) : null)
                .noiseMultiplier(isDefined(noiseMultiplier) ? (Double) getOrDefault(noiseMultiplier) : null)
                .insecureTestSeed(isDefined(insecureTestSeed) ? (Long) getOrDefault(insecureTestSeed) : null)
                .build();
    }

    @Override
    public M fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        PipelineGuard.requireNoDataFittedStages(dataset, getClass().getSimpleName() + " (" + uid + ")");
        TrainConfig cfg = trainConfig();
        String f = getOrDefault(featuresCol);
        String l = getOrDefault(labelCol);
        Dataset<Row> df = dataset.select(functions.col(f), functions.col(l).cast("double"));
        int d = numFeatures(dataset.schema().apply(f), df);
        ModelSpec spec = modelSpec(d);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());

        jsc.setJobDescription(getClass().getSimpleName() + ": validate input");
        VectorInput.Checked checked = VectorInput.validate(df, f, l, d, spec.labelRule());
        PrivacyPlan plan = PrivacyPlan.of(cfg, checked.rows());
        int parts = isDefined(numPartitions) ? (Integer) getOrDefault(numPartitions) : jsc.defaultParallelism();
        JavaRDD<DenseBlock> blocks = VectorInput.pack(df.repartition(parts), d);
        String jid = isDefined(jobId) ? getOrDefault(jobId) : UUID.randomUUID().toString();
        TrainResult result;
        String ledgerDataset = null;
        long commitSeq = -1;
        if (isDefined(ledger)) {
            PrivacyLedger pl = JobLedger.open(getOrDefault(ledger), jsc.hadoopConfiguration(), "ledger");
            ledgerDataset = isDefined(datasetId) ? getOrDefault(datasetId)
                    : JobLedger.datasetIdFromFingerprint(checked.fingerprint());
            LedgeredRun<TrainResult> run = LedgeredRun.run(pl, ledgerDataset, jid, checked.fingerprint(), plan,
                    "mllib:" + getClass().getSimpleName() + ":" + uid, LOG::warn,
                    before -> DpTrainer.train(jsc, blocks, checked.rows(), spec.create(), cfg, plan, before));
            result = run.result();
            commitSeq = run.commit().seq();
        } else {
            result = DpTrainer.train(jsc, blocks, checked.rows(), spec.create(), cfg, plan);
        }

        PrivacyGuarantee g = new PrivacyGuarantee(plan.epsilon(), plan.delta(), plan.accountant(), "row",
                plan.samplingRate(), plan.noiseMultiplier(), cfg.clipNorm(), plan.steps(), checked.rows(),
                checked.fingerprint(), cfg.epochs(), cfg.batchSize(), cfg.learningRate(), cfg.optimizer(), jid,
                Reports.codeVersion(), cfg.insecureTestSeed().isPresent(), ledgerDataset, commitSeq);
        M model = newModel(uid, spec, result.params(), g);
        model.setParent(this);
        return copyValues(model, ParamMap.empty());
    }

    /** d from the column's ML attributes (VectorAssembler sets them), else from the first row's vector. */
    private static int numFeatures(StructField field, Dataset<Row> df) {
        int size = AttributeGroup.fromStructField(field).size();
        if (size >= 0) {
            return size;
        }
        java.util.List<Row> first = df.select(df.columns()[0]).na().drop().takeAsList(1);
        if (first.isEmpty()) {
            throw new IllegalArgumentException("featuresCol '" + field.name() + "' has no non-null vectors");
        }
        return ((Vector) first.get(0).get(0)).size();
    }

    @Override
    public DpEstimator<M> copy(ParamMap extra) {
        return defaultCopy(extra);
    }
}
