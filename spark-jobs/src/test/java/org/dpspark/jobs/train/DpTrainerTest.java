package org.dpspark.jobs.train;

import org.dpspark.accountant.plan.PrivacyPlan;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.dpspark.accountant.pld.PldAccountant;
import org.dpspark.core.model.BinaryLogisticRegression;
import org.dpspark.core.model.DpModel;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.datasets.BlockPacker;
import org.dpspark.datasets.DenseBlock;
import org.dpspark.datasets.SyntheticData;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.validate.DatasetValidator;
import org.dpspark.jobs.SparkTestSession;
import org.dpspark.jobs.eval.EvalMetrics;
import org.dpspark.jobs.eval.Evaluator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class DpTrainerTest {
    private static final int D = 5;
    private static SparkSession spark;
    private static JavaSparkContext jsc;
    private static FeatureSpec spec;
    private static JavaRDD<DenseBlock> train;
    private static JavaRDD<DenseBlock> eval;
    private static long rows;

    @BeforeAll
    static void start() {
        spark = SparkTestSession.start("DpTrainerTest");
        jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        spec = SyntheticData.spec(D);
        Dataset<Row> raw = SyntheticData.logistic(spark, 8000, D, 7L, 4);
        rows = DatasetValidator.validate(raw, spec);
        train = BlockPacker.pack(raw, spec).cache();
        eval = BlockPacker.pack(SyntheticData.logistic(spark, 3000, D, 8L, 2), spec).cache();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static TrainConfig.Builder base() {
        return TrainConfig.builder().epochs(4).batchSize(200).clipNorm(1.0).learningRate(1.0).delta(1e-5);
    }

    @Test
    void train_generatedData_learnsAndReportsTheAccountantsEpsilon() {
        TrainConfig cfg = base().targetEpsilon(2.0).build();
        PrivacyPlan plan = cfg.plan(rows);
        BinaryLogisticRegression model = new BinaryLogisticRegression(D);
        TrainResult r = DpTrainer.train(jsc, train, rows, model, cfg, plan);

        // The guarantee is exactly what independent runs of the accountants give for (q, sigma, T); the smaller
        // is claimed and named.
        RdpAccountant acc = new RdpAccountant();
        acc.compose(new DpEvent(200.0 / 8000, plan.noiseMultiplier(), 160));
        PldAccountant pld = new PldAccountant();
        pld.compose(new DpEvent(200.0 / 8000, plan.noiseMultiplier(), 160));
        assertEquals(160, plan.steps());
        assertEquals(acc.epsilon(1e-5), plan.rdpEpsilon(), 0.0);
        assertEquals(pld.epsilon(1e-5), plan.pldEpsilon(), 0.0);
        assertEquals(Math.min(plan.rdpEpsilon(), plan.pldEpsilon()), plan.epsilon(), 0.0);
        assertEquals(plan.pldEpsilon() <= plan.rdpEpsilon() ? "pld" : "rdp", plan.accountant().jsonName());
        assertTrue(plan.epsilon() <= 2.0, "calibrated epsilon " + plan.epsilon() + " exceeds the target");

        EvalMetrics m = Evaluator.evaluate(jsc, eval, model, r.params());
        EvalMetrics untrained = Evaluator.evaluate(jsc, eval, model, model.initialParams());
        assertTrue(m.get("accuracy") >= 0.75, "accuracy " + m.get("accuracy"));
        assertTrue(m.get("log_loss") < untrained.get("log_loss") - 0.1, "log loss " + m.get("log_loss") + " vs " + untrained.get("log_loss"));
        assertEquals(4, r.lossPerEpoch().size());
        assertTrue(r.lossPerEpoch().get(3) < r.lossPerEpoch().get(0), "DP loss estimates " + r.lossPerEpoch());
        assertTrue(r.trainingSeconds() > 0);
        // Phases are timed apart: the epochs add up to the steps' time; loading and start-up are not in it.
        assertEquals(4, r.secondsPerEpoch().size());
        assertEquals(r.trainingSeconds(), r.secondsPerEpoch().stream().mapToDouble(Double::doubleValue).sum(), 1e-9);
        assertTrue(r.loadSeconds() > 0 && r.startupSeconds() >= 0, r.loadSeconds() + " " + r.startupSeconds());
    }

    /**
     * Without the DP loss estimate the gradient gets the whole clip norm C; with it, C sqrt(1 - 0.2^2). One plain SGD
     * step from zero, without noise and with the same sample (one test seed), every example clipped (C = 1e-4): the
     * update without loss tracking is exactly 1 / sqrt(0.96) times the one with it, and only the run with it releases
     * a loss.
     */
    @Test
    void train_withoutLossTracking_theGradientKeepsTheWholeClipNorm() {
        TrainConfig.Builder b = TrainConfig.builder().steps(1L).batchSize(200).clipNorm(1e-4).learningRate(1.0)
                .delta(1e-5).nonPrivate(true).insecureTestSeed(11L);
        TrainConfig tracked = b.dpLossTracking(true).build();
        TrainConfig untracked = b.dpLossTracking(false).build();
        BinaryLogisticRegression model = new BinaryLogisticRegression(D);
        TrainResult on = DpTrainer.train(jsc, train, rows, model, tracked, tracked.plan(rows));
        TrainResult off = DpTrainer.train(jsc, train, rows, model, untracked, untracked.plan(rows));
        double ratio = 1.0 / Math.sqrt(1.0 - 0.2 * 0.2);
        double norm = 0;
        for (int i = 0; i < model.numParams(); i++) {
            assertEquals(on.params()[i] * ratio, off.params()[i], 1e-12 * Math.abs(off.params()[i]) + 1e-300,
                    "coordinate " + i);
            norm += off.params()[i] * off.params()[i];
        }
        assertTrue(norm > 0, "the step moved the model");
        assertTrue(Double.isFinite(on.lossPerEpoch().get(0)), "tracked: " + on.lossPerEpoch());
        assertTrue(Double.isNaN(off.lossPerEpoch().get(0)) && Double.isNaN(off.lossStdPerEpoch().get(0)),
                "not tracked: " + off.lossPerEpoch() + " " + off.lossStdPerEpoch());
    }

    @Test
    void train_sameInsecureSeed_reproducesTheModel_secureRunsDiffer() {
        TrainConfig seeded = base().epochs(1).noiseMultiplier(1.0).insecureTestSeed(42L).build();
        PrivacyPlan plan = seeded.plan(rows);
        BinaryLogisticRegression model = new BinaryLogisticRegression(D);
        double[] a = DpTrainer.train(jsc, train, rows, model, seeded, plan).params();
        double[] b = DpTrainer.train(jsc, train, rows, model, seeded, plan).params();
        assertArrayEquals(a, b, 0.0);

        TrainConfig secure = base().epochs(1).noiseMultiplier(1.0).build();
        double[] c = DpTrainer.train(jsc, train, rows, model, secure, plan).params();
        double[] e = DpTrainer.train(jsc, train, rows, model, secure, plan).params();
        assertFalse(Arrays.equals(c, e), "two secure runs gave the same model");
    }

    @Test
    void train_consoleNotATerminal_logsOneLinePerEpoch_andTheBarrierStageIsDescribed() throws Exception {
        TrainConfig cfg = base().epochs(3).noiseMultiplier(1.0).insecureTestSeed(7L).build();
        PrivacyPlan plan = cfg.plan(rows);
        java.io.StringWriter sink = new java.io.StringWriter();
        org.apache.logging.log4j.core.LoggerContext ctx =
                (org.apache.logging.log4j.core.LoggerContext) org.apache.logging.log4j.LogManager.getContext(false);
        org.apache.logging.log4j.core.Appender capture = org.apache.logging.log4j.core.appender.WriterAppender
                .newBuilder().setName("epoch-lines").setTarget(sink).setLayout(org.apache.logging.log4j.core.layout
                        .PatternLayout.newBuilder().withPattern("%m%n").build()).build();
        capture.start();
        org.apache.logging.log4j.core.Logger trainer = ctx.getLogger(DpTrainer.class.getName());
        org.apache.logging.log4j.Level level = trainer.getLevel(); // WARN in the tests' configuration
        org.apache.logging.log4j.core.config.Configurator.setLevel(DpTrainer.class.getName(),
                org.apache.logging.log4j.Level.INFO);
        trainer.addAppender(capture);
        trainer.setAdditive(false); // captured, not printed
        java.util.List<String> descriptions = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        org.apache.spark.scheduler.SparkListener listener = new org.apache.spark.scheduler.SparkListener() {
            @Override
            public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart job) {
                descriptions.add(job.properties().getProperty("spark.job.description"));
            }
        };
        jsc.sc().addSparkListener(listener);
        try {
            JobLabel.begin(jsc, "trainer-test");
            DpTrainer.train(jsc, train, rows, new BinaryLogisticRegression(D), cfg, plan, () -> { },
                    AuditCanaries.NONE, ConsoleProgress.forConsole());
            jsc.sc().listenerBus().waitUntilEmpty();
        } finally {
            jsc.sc().removeSparkListener(listener);
            jsc.setLocalProperty(JobLabel.PROPERTY, null);
            trainer.setAdditive(true);
            trainer.removeAppender(capture);
            capture.stop();
            org.apache.logging.log4j.core.config.Configurator.setLevel(DpTrainer.class.getName(), level);
        }
        java.util.List<String> lines = sink.toString().lines().filter(l -> l.startsWith("epoch ")).toList();
        assertEquals(3, lines.size(), sink.toString());
        for (int e = 1; e <= 3; e++) {
            assertTrue(lines.get(e - 1).startsWith("epoch " + e + "/3: steps "), lines.get(e - 1));
        }
        assertFalse(sink.toString().contains("\r"), "a carriage return without a terminal");
        // The one barrier job runs every step: described by the run's label and the whole range of steps.
        String barrier = "dpspark trainer-test: epochs 1-3, steps 1-" + plan.steps() + ", in one barrier stage (";
        assertTrue(descriptions.stream().anyMatch(d -> d != null && d.startsWith(barrier)), descriptions.toString());
        assertTrue(descriptions.contains("dpspark trainer-test: pack blocks"), descriptions.toString());
    }

    /**
     * A model whose every example contributes the unit vector e0: the step sum's first coordinate is then the
     * Poisson batch size drawn across all partitions.
     */
    static final class CountingModel implements DpModel {
        @Override
        public int numFeatures() {
            return D;
        }

        @Override
        public int numParams() {
            return 1;
        }

        @Override
        public double[] initialParams() {
            return new double[1];
        }

        @Override
        public double lossAndGradient(double[] p, double[] x, int off, double y, double[] g) {
            g[0] = 1.0;
            return 0.0;
        }

        @Override
        public double loss(double[] p, double[] x, int off, double y) {
            return 0.0;
        }
    }

    /**
     * The distributed sample is Poisson with rate q over all N rows: over 400 steps the batch size has mean qN and
     * variance qN(1-q). False-failure rate: the mean's z-bound 4.89 is exceeded with probability 1e-6; the
     * variance's relative bound 0.4 is ~5.7 standard errors (sd of a sample variance of 400 near-normal draws is
     * sqrt(2/399) = 0.071), probability < 1e-7. Also: a step's sample is the same when its tasks run again.
     */
    @Test
    @Tag("statistical")
    void stepSum_batchSizeAcrossPartitions_isPoissonWithRateQ() {
        double q = 0.05;
        DpModel counter = new CountingModel();
        byte[] key = InsecureTestRandomness.seededSecretKey(5L);
        org.dpspark.core.clip.ClipBudget clip = new org.dpspark.core.clip.ClipBudget(1.0, 0.0, 1.0);
        int steps = 400;
        double[] sizes = new double[steps];
        for (int t = 0; t < steps; t++) {
            DpTrainer.StepSum f = new DpTrainer.StepSum(counter, new double[1], key, t, q, clip);
            sizes[t] = DpTrainer.stepSum(train, f)[0];
        }
        double mean = Arrays.stream(sizes).average().orElseThrow();
        double var = Arrays.stream(sizes).map(s -> (s - mean) * (s - mean)).sum() / (steps - 1);
        double expMean = q * rows;
        double expVar = q * rows * (1 - q);
        assertTrue(Math.abs(mean - expMean) < 4.89 * Math.sqrt(expVar / steps), "mean batch " + mean + " vs " + expMean);
        assertTrue(Math.abs(var / expVar - 1) < 0.4, "batch variance " + var + " vs " + expVar);

        DpTrainer.StepSum again = new DpTrainer.StepSum(counter, new double[1], key, 17, q, clip);
        double redo = DpTrainer.stepSum(train, again)[0];
        assertEquals(sizes[17], redo, 0.0);
    }
}
