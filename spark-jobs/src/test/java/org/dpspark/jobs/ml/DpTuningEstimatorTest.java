package org.dpspark.jobs.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.ml.tuning.TrainValidationSplit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.ledger.Budget;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.dpspark.accountant.ledger.EntryType;
import org.dpspark.accountant.ledger.LedgerEntry;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.dpspark.jobs.SparkTestSession;
import org.dpspark.jobs.ledger.TestLedgers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tuning through MLlib: DpTrainValidationSplit's one-event search, and Spark's own tuners made visible. */
class DpTuningEstimatorTest {
    private static SparkSession spark;
    private static Dataset<Row> train;

    @TempDir Path dir;

    @BeforeAll
    static void start() {
        spark = SparkTestSession.start("DpTuningEstimatorTest");
        SplittableRandom r = new SplittableRandom(21);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            double a = r.nextDouble(-1, 1);
            double b = r.nextDouble(-1, 1);
            rows.add(RowFactory.create(a, b, r.nextDouble() < 1 / (1 + Math.exp(-3 * a + 2 * b)) ? 1.0 : 0.0));
        }
        StructType schema = new StructType().add("a", DataTypes.DoubleType).add("b", DataTypes.DoubleType)
                .add("label", DataTypes.DoubleType);
        train = new VectorAssembler().setInputCols(new String[] {"a", "b"}).setOutputCol("features")
                .transform(spark.createDataFrame(rows, schema).repartition(2)).cache();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private String ledgerWithBudget(String dataset, double epsilon) {
        String loc = TestLedgers.init(dir.resolve("ledger"));
        PrivacyLedger.open(loc, null).setBudget(dataset, new Budget(epsilon, 1e-5, Budget.ROW));
        return loc;
    }

    private static List<LedgerEntry> entries(String ledger, String dataset) {
        return PrivacyLedger.open(ledger, null).state(dataset).entries();
    }

    @Test
    void dpTrainValidationSplit_fitsPicksTheBestNoisyScore_andChargesTheWholeSearchOnce() {
        String ledger = ledgerWithBudget("tvs", 5);
        DpLogisticRegression lr = new DpLogisticRegression();
        lr.setEpochs(1).setBatchSize(100).setLedger(ledger).setDatasetId("tvs").setJobId("tvs-1");
        ParamMap[] maps = new ParamGridBuilder().addGrid(lr.learningRate(), new double[] {0.5, 2})
                .addGrid(lr.clipNorm(), new double[] {0.5, 1}).build();
        DpTrainValidationSplitModel m = new DpTrainValidationSplit().setEstimator(lr).setEstimatorParamMaps(maps)
                .setTrials("geometric:2").setEpsilon(2).fit(train);

        double[] scores = m.noisyValidationScores();
        assertTrue(scores.length >= 1);
        int best = 0;
        for (int i = 1; i < scores.length; i++) {
            best = scores[i] > scores[best] ? i : best;
        }
        assertEquals(best, m.chosenTrial());
        assertTrue(m.epsilon() <= 2.0 + 1e-9 && m.epsilon() > 1.5, "epsilon " + m.epsilon());
        assertEquals(m.epsilon(), m.bestModel().provenance().claim().epsilon(), 0.0);
        Dataset<Row> out = m.transform(train);
        double accuracy = out.filter("prediction = label").count() / (double) out.count();
        assertTrue(accuracy > 0.65, "accuracy " + accuracy);

        List<LedgerEntry> job = entries(ledger, "tvs").stream().filter(e -> "tvs-1".equals(e.jobId())).toList();
        assertEquals(List.of(EntryType.RESERVATION, EntryType.COMMIT), job.stream().map(LedgerEntry::type).toList());
        assertTrue(job.get(0).events().get(0).isSelection());
        assertEquals(m.epsilon(), job.get(1).epsilon(), 1e-12);
    }

    @Test
    void dpCrossValidator_accountsKMinusOneFitsPerTrialAndTheRefit_inOneReservation() {
        String ledger = ledgerWithBudget("cv", 5);
        DpLogisticRegression lr = new DpLogisticRegression();
        lr.setEpochs(1).setBatchSize(100).setLedger(ledger).setDatasetId("cv").setJobId("cv-1");
        ParamMap[] maps = new ParamGridBuilder().addGrid(lr.learningRate(), new double[] {0.5, 2}).build();
        DpTrainValidationSplitModel m = new DpCrossValidator().setNumFolds(3).setEstimator(lr)
                .setEstimatorParamMaps(maps).setTrials("geometric:1.5").setEpsilon(2).fit(train);

        List<LedgerEntry> job = entries(ledger, "cv").stream().filter(e -> "cv-1".equals(e.jobId())).toList();
        assertEquals(List.of(EntryType.RESERVATION, EntryType.COMMIT), job.stream().map(LedgerEntry::type).toList());
        List<DpEvent> events = job.get(0).events();
        assertEquals(events, job.get(1).events());
        assertEquals(2, events.size());
        assertTrue(events.get(0).isSelection() && !events.get(1).isSelection());
        // A trial is 2 fits (each row in k - 1 = 2 of the 3) at the largest fold's q and T; the refit is over all rows.
        com.fasterxml.jackson.databind.JsonNode t = json(m.report());
        assertEquals(2 * t.get("steps").asLong(), events.get(0).steps());
        assertEquals(100.0 / 3000, events.get(1).samplingRate(), 1e-15);
        assertEquals(30, events.get(1).steps());
        assertEquals(events.get(0).noiseMultiplier(), events.get(1).noiseMultiplier(), 0.0);
        // The claim is the composition of both events, recomputed by the RDP accountant here.
        RdpAccountant acc = new RdpAccountant();
        events.forEach(acc::compose);
        assertEquals(acc.epsilon(1e-5), m.epsilon(), 1e-9);
        assertTrue(m.epsilon() <= 2.0 + 1e-9 && m.epsilon() > 1.5, "epsilon " + m.epsilon());
        assertEquals(m.epsilon(), job.get(1).epsilon(), 1e-12);
        assertEquals(m.epsilon(), m.bestModel().provenance().claim().epsilon(), 0.0);
        assertEquals(3, t.get("folds").asInt());
        Dataset<Row> out = m.transform(train);
        assertTrue(out.filter("prediction = label").count() > 0.65 * out.count());
    }

    private static com.fasterxml.jackson.databind.JsonNode json(String s) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(s);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void paramMapsSettingOtherParams_andDpCrossValidator_areRefusedBeforeAnyFit() {
        String ledger = ledgerWithBudget("refused", 5);
        DpLogisticRegression lr = new DpLogisticRegression();
        lr.setEpochs(1).setBatchSize(100).setLedger(ledger).setDatasetId("refused");
        ParamMap[] maps = new ParamGridBuilder().addGrid(lr.batchSize(), new int[] {50, 100}).build();
        DpTrainValidationSplit tvs = new DpTrainValidationSplit().setEstimator(lr).setEstimatorParamMaps(maps)
                .setEpsilon(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tvs.fit(train));
        assertTrue(e.getMessage().contains("batchSize") && e.getMessage().contains("estimatorParamMaps"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> tvs.setTrials("sometimes"));
        assertThrows(IllegalArgumentException.class, () -> new DpCrossValidator().setNumFolds(1));
        assertEquals(1, entries(ledger, "refused").size(), "only the budget: nothing reserved");
    }

    @Test
    void sparksTrainValidationSplit_chargesEveryFit_andWarnsOncePerEstimator() {
        String ledger = ledgerWithBudget("plain", 9);
        DpLogisticRegression lr = new DpLogisticRegression();
        lr.setEpochs(1).setBatchSize(100).setEpsilon(1).setLedger(ledger).setDatasetId("plain");
        ParamMap[] maps = new ParamGridBuilder().addGrid(lr.learningRate(), new double[] {0.5, 2}).build();
        StringWriter log = new StringWriter();
        try (LogCapture ignored = new LogCapture(SearchWatch.class.getName(), log)) {
            new TrainValidationSplit().setEstimator(lr).setEstimatorParamMaps(maps).setTrainRatio(0.8)
                    .setEvaluator(new MulticlassClassificationEvaluator().setMetricName("accuracy")).fit(train);
        }
        // Two parameter maps and the final refit: three trainings, each reserved and committed in full.
        List<LedgerEntry> all = entries(ledger, "plain");
        assertEquals(3, all.stream().filter(x -> x.type() == EntryType.COMMIT).count());
        assertEquals(3, all.stream().filter(x -> x.type() == EntryType.RESERVATION).count());
        String text = log.toString();
        long warnings = text.lines().filter(l -> l.startsWith("WARN ")).count();
        assertEquals(1, warnings, text);
        assertTrue(text.contains(lr.uid()) && text.contains("fitted 2 times") && text.contains("DpTrainValidationSplit"),
                text);
        assertTrue(text.contains("fit 3 with a parameter map"), text);
    }

    /** Captures one logger's lines (level and message only) into a writer, and nothing on the console. */
    private static final class LogCapture implements AutoCloseable {
        private final LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        private final String name;
        private final Appender appender;

        LogCapture(String name, StringWriter sink) {
            this.name = name;
            Configuration cfg = ctx.getConfiguration();
            appender = WriterAppender.newBuilder().setName("capture-" + name).setTarget(sink)
                    .setLayout(PatternLayout.newBuilder().withPattern("%p %m%n").build()).build();
            appender.start();
            LoggerConfig lc = new LoggerConfig(name, Level.INFO, false);
            lc.addAppender(appender, Level.INFO, null);
            cfg.addLogger(name, lc);
            ctx.updateLoggers();
        }

        @Override
        public void close() {
            ctx.getConfiguration().removeLogger(name);
            ctx.updateLoggers();
            appender.stop();
        }
    }
}
