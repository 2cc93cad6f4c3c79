package org.dpspark.jobs.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.MinMaxScaler;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.PrivacyBound;
import org.dpspark.accountant.best.BestAccountant;
import org.dpspark.accountant.ledger.Budget;
import org.dpspark.accountant.ledger.BudgetExhaustedException;
import org.dpspark.accountant.ledger.DatasetState;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.dpspark.datasets.validate.DatasetValidationException;
import org.dpspark.jobs.SparkTestSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MLlib API: Pipelines, persistence, the refusal of data-fitted stages, schema errors. */
class DpEstimatorTest {
    private static SparkSession spark;
    private static Dataset<Row> train;
    private static Dataset<Row> test;
    private static final VectorAssembler ASSEMBLER =
            new VectorAssembler().setInputCols(new String[] {"a", "b", "c"}).setOutputCol("features");

    @TempDir Path dir;

    @BeforeAll
    static void start() {
        spark = SparkTestSession.start("DpEstimatorTest");
        train = table(4000, 11);
        test = table(1000, 12);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** Columns a, b, c in [-1, 1]; label from a logistic model with weights (3, -2, 1). */
    static Dataset<Row> table(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double a = r.nextDouble(-1, 1);
            double b = r.nextDouble(-1, 1);
            double c = r.nextDouble(-1, 1);
            double p = 1 / (1 + Math.exp(-(3 * a - 2 * b + c)));
            rows.add(RowFactory.create(a, b, c, r.nextDouble() < p ? 1.0 : 0.0));
        }
        StructType schema = new StructType().add("a", DataTypes.DoubleType).add("b", DataTypes.DoubleType)
                .add("c", DataTypes.DoubleType).add("label", DataTypes.DoubleType);
        return spark.createDataFrame(rows, schema).repartition(2).cache();
    }

    private static DpLogisticRegression dpLr() {
        DpLogisticRegression lr = new DpLogisticRegression();
        lr.setEpsilon(2.0).setEpochs(2).setBatchSize(100);
        return lr;
    }

    private static double accuracy(Dataset<Row> predictions) {
        return predictions.filter("prediction = label").count() / (double) predictions.count();
    }

    @Test
    void pipelineWithVectorAssembler_fitsTransformsAndCarriesTheGuarantee() {
        PipelineModel pm = new Pipeline().setStages(new PipelineStage[] {ASSEMBLER, dpLr()}).fit(train);
        Dataset<Row> out = pm.transform(test);
        assertTrue(out.schema().apply("rawPrediction").dataType() instanceof VectorUDT);
        assertTrue(out.schema().apply("probability").dataType() instanceof VectorUDT);
        assertEquals(DataTypes.DoubleType, out.schema().apply("prediction").dataType());
        assertTrue(accuracy(out) > 0.75, "accuracy " + accuracy(out));
        Row first = out.first();
        Vector p = first.getAs("probability");
        Vector raw = first.getAs("rawPrediction");
        assertEquals(1.0, p.apply(0) + p.apply(1), 1e-12);
        assertEquals(-raw.apply(0), raw.apply(1), 0.0);
        assertEquals(p.apply(1) > 0.5 ? 1.0 : 0.0, first.<Double>getAs("prediction"), 0.0);

        DpLogisticRegressionModel m = (DpLogisticRegressionModel) pm.stages()[1];
        PrivacyGuarantee g = m.privacyGuarantee();
        // The claimed epsilon is the smaller valid bound of the two accountants, recomputed independently here.
        PrivacyBound best = BestAccountant.bound(List.of(new DpEvent(100.0 / 4000, g.noiseMultiplier(), 80)), 1e-5);
        assertEquals(80, g.steps());
        assertEquals(best.epsilon(), g.epsilon(), 0.0);
        assertEquals(best.claimed().jsonName(), g.accountant());
        assertTrue(g.epsilon() <= 2.0);
        assertEquals(4000, g.rows());
        assertTrue(g.dataFingerprint().startsWith("rows-v1:"));
    }

    /** setSecureAggregation("masking"): the fit's driver sees only noised totals; the claim names the mechanism. */
    @Test
    void secureAggregationMasking_fitsAndTheGuaranteeNamesTheDistributedMechanism() {
        DpLogisticRegression lr = dpLr();
        lr.setSecureAggregation("masking").setSecaggColluding(1).setNumPartitions(2);
        PipelineModel pm = new Pipeline().setStages(new PipelineStage[] {ASSEMBLER, lr}).fit(train);
        assertTrue(accuracy(pm.transform(test)) > 0.75, "accuracy");
        DpLogisticRegressionModel m = (DpLogisticRegressionModel) pm.stages()[1];
        assertEquals("rdp", m.privacyGuarantee().accountant(), "the DDG is accounted by its own RDP bound");
        assertTrue(m.privacyGuarantee().epsilon() <= 2.0);
        org.dpspark.jobs.provenance.PrivacyClaim.SecureAggregationClaim sa = m.provenance().claim().secureAggregation();
        assertEquals("masking", sa.mode());
        assertEquals(2, sa.parties());
        assertEquals(1, sa.colluding());
        assertEquals(40, sa.bits());
        assertThrows(IllegalArgumentException.class, () -> new DpLogisticRegression().setSecureAggregation("he"));
    }

    @Test
    void saveAndLoad_roundTripsPredictionsParamsAndGuarantee() throws Exception {
        DpLogisticRegression lr = dpLr();
        lr.setProbabilityCol("p");
        PipelineModel pm = new Pipeline().setStages(new PipelineStage[] {ASSEMBLER, lr}).fit(train);
        String path = dir.resolve("pipeline").toString();
        pm.write().save(path);
        PipelineModel loaded = PipelineModel.load(path);
        DpLogisticRegressionModel a = (DpLogisticRegressionModel) pm.stages()[1];
        DpLogisticRegressionModel b = (DpLogisticRegressionModel) loaded.stages()[1];
        assertArrayEquals(a.parameters(), b.parameters(), 0.0);
        assertEquals(a.privacyGuarantee(), b.privacyGuarantee());
        assertEquals(a.uid(), b.uid());
        assertEquals("p", b.getOrDefault(b.probabilityCol()));
        List<Row> pa = pm.transform(test).select("p").collectAsList();
        List<Row> pb = loaded.transform(test).select("p").collectAsList();
        assertEquals(pa, pb);

        String est = dir.resolve("estimator").toString();
        lr.write().save(est);
        DpLogisticRegression lr2 = DpLogisticRegression.load(est);
        assertEquals(2.0, (Double) lr2.getOrDefault(lr2.epsilon()), 0.0);
        assertEquals(100, (int) (Integer) lr2.getOrDefault(lr2.batchSize()));
    }

    @Test
    void dataFittedScalerBeforeDpEstimator_isRefused() {
        for (PipelineStage scaler : new PipelineStage[] {
                new StandardScaler().setInputCol("features").setOutputCol("scaled"),
                new MinMaxScaler().setInputCol("features").setOutputCol("scaled")}) {
            DpLogisticRegression lr = dpLr();
            lr.setFeaturesCol("scaled");
            Pipeline p = new Pipeline().setStages(new PipelineStage[] {ASSEMBLER, scaler, lr});
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.fit(train));
            assertTrue(e.getMessage().contains(scaler.getClass().getSimpleName() + "Model"), e.getMessage());
            IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> PipelineGuard.check(p));
            assertTrue(e2.getMessage().contains(scaler.getClass().getSimpleName()), e2.getMessage());
        }
    }

    @Test
    void publicBoundsAndDeclaredPublicFits_arePermitted() {
        DpLogisticRegression lr = dpLr();
        lr.setFeaturesCol("scaled");
        BoundedScaler bounded = new BoundedScaler().setInputCol("features").setOutputCol("scaled")
                .setBounds(new double[] {-1, -1, -1}, new double[] {1, 1, 1});
        Pipeline p1 = new Pipeline().setStages(new PipelineStage[] {ASSEMBLER, bounded, lr});
        PipelineGuard.check(p1);
        assertTrue(accuracy(p1.fit(train).transform(test)) > 0.75);

        // A scaler fitted on other (public) data, declared as such.
        StandardScalerModel publicScaler = new StandardScaler().setInputCol("features").setOutputCol("scaled")
                .fit(ASSEMBLER.transform(table(500, 99)));
        DpLogisticRegression lr2 = dpLr();
        lr2.setFeaturesCol("scaled");
        PipelineModel pm = new Pipeline().setStages(new PipelineStage[] {ASSEMBLER, new PublicFit(publicScaler), lr2})
                .fit(train);
        assertTrue(accuracy(pm.transform(test)) > 0.75);
    }

    @Test
    void schemaErrors_nameTheColumn_beforeAnySparkJob() {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Dataset<Row> assembled = ASSEMBLER.transform(train);
        jsc.setJobGroup("schema-errors", "schema errors", false);
        try {
            DpLogisticRegression noFeatures = dpLr();
            noFeatures.setFeaturesCol("feats");
            assertTrue(assertThrows(IllegalArgumentException.class, () -> noFeatures.fit(assembled)).getMessage()
                    .contains("featuresCol 'feats'"));
            DpLogisticRegression notVector = dpLr();
            notVector.setFeaturesCol("a");
            assertTrue(assertThrows(IllegalArgumentException.class, () -> notVector.fit(assembled)).getMessage()
                    .contains("featuresCol 'a' must be a Vector"));
            DpLogisticRegression stringLabel = dpLr();
            Dataset<Row> withString = assembled.withColumn("label", assembled.col("label").cast("string"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> stringLabel.fit(withString)).getMessage()
                    .contains("labelCol 'label' must be numeric"));
            DpLogisticRegression both = dpLr();
            both.setNoiseMultiplier(1.0);
            // Named in the MLlib user's vocabulary (the Params), never by dp-train's flags.
            assertEquals("give exactly one of epsilon and noiseMultiplier",
                    assertThrows(IllegalArgumentException.class, () -> both.fit(assembled)).getMessage());
            assertThrows(IllegalArgumentException.class, () -> dpLr().setEpsilon(-1.0));
            assertThrows(IllegalArgumentException.class, () -> dpLr().setOptimizer("lbfgs"));
            assertEquals(0, jsc.statusTracker().getJobIdsForGroup("schema-errors").length,
                    "a Spark job ran before the schema errors were found");
        } finally {
            jsc.clearJobGroup();
        }
    }

    /** Three classes: class = argmax of (a, b, c) + small noise; plus a regression target 2a - b + noise. */
    static Dataset<Row> threeClass(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] x = {r.nextDouble(-1, 1), r.nextDouble(-1, 1), r.nextDouble(-1, 1)};
            int best = 0;
            for (int k = 1; k < 3; k++) {
                if (x[k] + 0.1 * r.nextGaussian() > x[best]) {
                    best = k;
                }
            }
            double y = 2 * x[0] - x[1] + 0.1 * r.nextGaussian();
            rows.add(RowFactory.create(x[0], x[1], x[2], (double) best, y));
        }
        StructType schema = new StructType().add("a", DataTypes.DoubleType).add("b", DataTypes.DoubleType)
                .add("c", DataTypes.DoubleType).add("label", DataTypes.DoubleType).add("y", DataTypes.DoubleType);
        return ASSEMBLER.transform(spark.createDataFrame(rows, schema).repartition(2)).cache();
    }

    @Test
    void multinomialAndMlp_learnThreeClasses_andTheMlpRoundTrips() throws Exception {
        Dataset<Row> tr = threeClass(6000, 21);
        Dataset<Row> te = threeClass(1500, 22);
        DpLogisticRegression softmax = new DpLogisticRegression().setNumClasses(3);
        softmax.setEpsilon(3.0).setEpochs(3).setBatchSize(200);
        Dataset<Row> out = softmax.fit(tr).transform(te);
        assertTrue(accuracy(out) > 0.75, "softmax accuracy " + accuracy(out));
        Vector p = out.first().getAs("probability");
        assertEquals(3, p.size());
        assertEquals(1.0, p.apply(0) + p.apply(1) + p.apply(2), 1e-12);

        DpMultilayerPerceptronClassifier mlp = new DpMultilayerPerceptronClassifier().setHiddenLayers(16)
                .setActivation("tanh").setNumClasses(3);
        mlp.setEpsilon(3.0).setEpochs(4).setBatchSize(200).setOptimizer("adam").setLearningRate(0.01);
        DpMultilayerPerceptronClassificationModel m = mlp.fit(tr);
        assertTrue(accuracy(m.transform(te)) > 0.75, "mlp accuracy " + accuracy(m.transform(te)));
        String path = dir.resolve("mlp").toString();
        m.write().save(path);
        DpMultilayerPerceptronClassificationModel back = DpMultilayerPerceptronClassificationModel.load(path);
        assertEquals(m.modelSpec(), back.modelSpec());
        assertArrayEquals(m.parameters(), back.parameters(), 0.0);
        assertEquals(m.transform(te).select("probability").collectAsList(),
                back.transform(te).select("probability").collectAsList());
    }

    @Test
    void linearRegression_withDeclaredLabelBounds_fitsAndPredicts() {
        Dataset<Row> tr = threeClass(6000, 31);
        Dataset<Row> te = threeClass(1500, 32);
        DpLinearRegression lin = new DpLinearRegression().setLabelBounds(-4, 4);
        lin.setLabelCol("y").setEpsilon(3.0).setEpochs(4).setBatchSize(200).setLearningRate(0.5);
        Dataset<Row> out = lin.fit(tr).transform(te).select("y", "prediction");
        double sse = 0;
        double sst = 0;
        double mean = te.agg(org.apache.spark.sql.functions.avg("y")).first().getDouble(0);
        for (Row r : out.collectAsList()) {
            sse += Math.pow(r.getDouble(0) - r.getDouble(1), 2);
            sst += Math.pow(r.getDouble(0) - mean, 2);
        }
        assertTrue(1 - sse / sst > 0.8, "R^2 " + (1 - sse / sst));
        DpLinearRegression noBounds = new DpLinearRegression();
        noBounds.setLabelCol("y").setEpsilon(1.0);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> noBounds.fit(tr)).getMessage()
                .contains("setLabelBounds"));
    }

    @Test
    void fitWithLedger_recordsItsSpend_andAFitPastTheBudgetIsRefusedBeforeTraining() {
        String uri = org.dpspark.jobs.ledger.TestLedgers.init(dir.resolve("ledger").toUri().toString());
        PrivacyLedger ledger = PrivacyLedger.open(uri, new org.apache.hadoop.conf.Configuration());
        Dataset<Row> assembled = ASSEMBLER.transform(train);
        DpLogisticRegression lr = dpLr();
        lr.setLedger(uri).setDatasetId("toy").setJobId("fit-1");
        DpLogisticRegressionModel m = lr.fit(assembled);
        DatasetState after = ledger.state("toy");
        assertEquals("toy", m.privacyGuarantee().ledgerDatasetId());
        assertEquals(after.entries().get(after.entries().size() - 1).seq(), m.privacyGuarantee().ledgerCommitSeq());
        // No budget: the ledger composes the fit's events at the fit's delta by the smaller of RDP and PLD, the
        // rule of the model's claimed guarantee, so it charges exactly the claim.
        PrivacyGuarantee g = m.privacyGuarantee();
        PrivacyBound both = BestAccountant.bound(List.of(new DpEvent(g.samplingRate(), g.noiseMultiplier(), g.steps())), 1e-5);
        assertEquals(both.epsilon(), after.spentEpsilon(), 1e-12);
        assertEquals(g.epsilon(), after.spentEpsilon(), 1e-12);

        // A budget that the first fit nearly exhausts: the second fit is refused, and nothing more is charged.
        ledger.setBudget("toy", new Budget(after.spentEpsilon() * 1.2, 1e-5, Budget.ROW));
        int entries = ledger.state("toy").entries().size();
        lr.setJobId("fit-2");
        BudgetExhaustedException e = assertThrows(BudgetExhaustedException.class, () -> lr.fit(assembled));
        assertTrue(e.getMessage().contains("remaining"), e.getMessage());
        assertEquals(entries, ledger.state("toy").entries().size());
    }

    @Test
    void badRows_areListedWithColumnCountAndRow_andNothingIsTrained() {
        Dataset<Row> assembled = ASSEMBLER.transform(train).coalesce(1);
        Dataset<Row> bad = assembled.withColumn("label",
                org.apache.spark.sql.functions.when(org.apache.spark.sql.functions.col("a").gt(0.9), 2.0)
                        .otherwise(org.apache.spark.sql.functions.col("label")));
        DatasetValidationException e = assertThrows(DatasetValidationException.class, () -> dpLr().fit(bad));
        assertTrue(e.getMessage().contains("column 'label'") && e.getMessage().contains("labels outside {0, 1}"),
                e.getMessage());
        long expected = assembled.filter("a > 0.9").count();
        assertEquals(expected, e.violations().get(0).count());
        // An operator who may not see counts and row numbers of the private input sets the cluster's conf.
        spark.conf().set("spark.dpspark.errorDetail", "redacted");
        try {
            DatasetValidationException r = assertThrows(DatasetValidationException.class, () -> dpLr().fit(bad));
            assertTrue(r.getMessage().contains("column 'label'") && !r.getMessage().contains("first at row")
                    && !r.getMessage().contains(Long.toString(expected)), r.getMessage());
        } finally {
            spark.conf().unset("spark.dpspark.errorDetail");
        }
    }

    @Test
    void emaDecay_reachesTheTrainer_andIsCheckedWhenSet() {
        // dp-train's test (DpTrainLedgerTest) checks the average against the iterates; here, that the Param is used.
        Dataset<Row> assembled = ASSEMBLER.transform(train).coalesce(2);
        DpLogisticRegression last = dpLr();
        last.setInsecureTestSeedForTestsOnly(3);
        DpLogisticRegression averaged = dpLr().setEmaDecay(0.9);
        averaged.setInsecureTestSeedForTestsOnly(3);
        assertEquals(0.0, last.getEmaDecay(), 0.0);
        double[] a = last.fit(assembled).parameters();
        double[] b = averaged.fit(assembled).parameters();
        assertEquals(a.length, b.length);
        assertTrue(java.util.stream.IntStream.range(0, a.length).anyMatch(i -> Math.abs(a[i] - b[i]) > 1e-9),
                "the same seed with an EMA released the last iterate");
        for (double bad : new double[] {1.0, -0.5, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dpLr().setEmaDecay(bad));
            assertTrue(e.getMessage().contains("emaDecay"), e.getMessage());
        }
    }

    @Test
    void fitWithCheckpointDir_stoppedThenResumed_equalsAnUninterruptedFit_chargedOnce() {
        String uri = org.dpspark.jobs.ledger.TestLedgers.init(dir.resolve("ckpt-ledger").toUri().toString());
        Dataset<Row> assembled = ASSEMBLER.transform(train).coalesce(2);
        DpLogisticRegression whole = dpLr().setLedger(uri).setDatasetId("ckpt-toy").setUnbudgeted(true)
                .setJobId("whole");
        whole.setInsecureTestSeedForTestsOnly(5);
        double[] expected = whole.fit(assembled).parameters();

        String ckpt = dir.resolve("ckpt").toString();
        DpLogisticRegression lr = dpLr().setLedger(uri).setDatasetId("ckpt-toy").setUnbudgeted(true)
                .setJobId("resumed").setCheckpointDir(ckpt).setCheckpointEvery(7);
        lr.setInsecureTestSeedForTestsOnly(5);
        // what an interrupt does: a stop request, seen after the next step (test only; dp-train's signal handler)
        org.dpspark.jobs.train.Checkpointer.requestStop("test-stop");
        org.dpspark.jobs.run.RunInterrupted stopped;
        try {
            stopped = assertThrows(org.dpspark.jobs.run.RunInterrupted.class, () -> lr.fit(assembled));
        } finally {
            org.dpspark.jobs.train.Checkpointer.clearStop();
        }
        assertEquals(1, stopped.stop().step());
        assertTrue(stopped.getMessage().contains("resume it by fitting again"), stopped.getMessage());
        double[] resumed = lr.setResume(true).fit(assembled).parameters();
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, resumed, 0.0);
        DatasetState s = PrivacyLedger.open(uri, new org.apache.hadoop.conf.Configuration()).state("ckpt-toy");
        assertEquals(1, s.attempts("resumed").size());
        assertEquals(DatasetState.JobStatus.COMMITTED, s.attempts("resumed").get(0).status());
    }
}
