package org.dpspark.jobs.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.dpspark.accountant.audit.AuditResult;
import org.dpspark.accountant.audit.OneRunAudit;
import org.dpspark.datasets.SyntheticData;
import org.dpspark.jobs.SparkTestSession;
import org.dpspark.jobs.model.ModelSpec;
import org.dpspark.jobs.run.AuditSettings;
import org.dpspark.jobs.run.LedgerTarget;
import org.dpspark.jobs.run.RunSettings;
import org.dpspark.jobs.run.TrainingData;
import org.dpspark.jobs.run.TrainingRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Path;

/**
 * The one-run audit (Steinke, Nasr and Jagielski 2023) through the whole run on local[2], at small scale:
 * <ul>
 *   <li>validity: over 20 configurations (logistic and MLP, epsilon 0.5 to 8, white- and black-box) the lower bound
 *       never exceeds the claimed epsilon;</li>
 *   <li>power: with no noise (--no-dp) 1,000 white-box canaries certify epsilon >= 4, and at epsilon 8 the bound
 *       is at least 2;</li>
 *   <li>a planted bug (partition 0 skips clipping) makes the bound exceed the claim, and the same run without the
 *       bug does not: the audit's reason to exist.</li>
 * </ul>
 * Full batches (q = 1) make the white-box score the mechanism's sufficient statistic, so the small runs have power.
 */
class OneRunAuditTest {
    private static final int D = 8;
    private static final int ROWS = 2000;
    private static SparkSession spark;
    private static JavaSparkContext jsc;

    @BeforeAll
    static void start() {
        spark = SparkTestSession.start("OneRunAuditTest");
        jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stop() {
        DpTrainer.plantedSkipClipForTests = false;
        spark.stop();
    }

    private static TrainConfig.Builder fullBatch(long steps) {
        return TrainConfig.builder().batchSize(ROWS).steps(steps).learningRate(0.5).clipNorm(1.0).delta(1e-5);
    }

    private static TrainingRun.Audited audit(TrainConfig cfg, ModelSpec spec, AuditSettings a) {
        RunSettings rs = new RunSettings(cfg, LedgerTarget.none("audit test on synthetic rows"), "audit-" + UUID.randomUUID(),
                null, 2, "test", List.of());
        TrainingRun run = TrainingRun.preflight(rs, new Configuration(), line -> { });
        TrainingData data = new TrainingData(SyntheticData.logistic(spark, ROWS, D, 7L, 2),
                new TrainingData.SpecEncoding(SyntheticData.spec(D), "synthetic"), "synthetic", "synthetic",
                "the synthetic rows");
        return run.audit(jsc, data, null, spec, a);
    }

    private static AuditResult game(TrainingRun.Audited a, String kind) {
        return a.results().stream().filter(r -> r.kind().equals(kind)).findFirst().orElseThrow();
    }

    @Test
    void validity_boundNeverExceedsTheClaim_over20Configurations() {
        List<String> rows = new ArrayList<>();
        int configurations = 0;
        for (ModelSpec spec : List.of(ModelSpec.binaryLogistic(D), ModelSpec.mlp(D, new int[] {8}, "relu", 2))) {
            for (double eps : new double[] {0.5, 1, 2, 4, 8}) {
                TrainConfig cfg = fullBatch(30).targetEpsilon(eps).build();
                TrainingRun.Audited a = audit(cfg, spec, AuditSettings.even(200, true, true, 40, 0.05, 10, true));
                double claimed = a.model().plan().epsilon();
                assertTrue(claimed <= eps + 1e-9, "claimed " + claimed + " above the target " + eps);
                for (AuditResult r : a.results()) {
                    configurations++;
                    rows.add(spec.kind() + " eps " + eps + " " + r.kind() + ": " + r.epsilonLowerBound());
                    assertTrue(r.epsilonLowerBound() <= claimed, "lower bound " + r.epsilonLowerBound()
                            + " exceeds the claimed " + claimed + " (" + spec.kind() + ", " + r.kind() + ")");
                    assertEquals(200, r.canaries());
                    assertEquals(40, r.guesses());
                }
            }
        }
        assertEquals(20, configurations, String.join("\n", rows));
    }

    @Test
    void power_noNoise_thousandWhiteBoxCanariesCertifyAtLeast4() {
        TrainConfig cfg = fullBatch(30).nonPrivate(true).build();
        AuditResult r = game(audit(cfg, ModelSpec.binaryLogistic(D), AuditSettings.even(1000, true, false, 800, 0.05,
                10, true)), "white-box");
        // without noise every included canary moves its coordinate and no excluded one does: all guesses correct
        assertEquals(800, r.correct());
        assertEquals(OneRunAudit.maxLowerBound(1000, 800, 0, 0.05), r.epsilonLowerBound(), 1e-9);
        assertTrue(r.epsilonLowerBound() >= 4, "bound " + r.epsilonLowerBound());
        assertEquals(1.0, r.auc(), 0);
    }

    @Test
    void power_epsilon8_whiteBoxBoundAtLeast2() {
        TrainConfig cfg = fullBatch(100).targetEpsilon(8.0).build();
        TrainingRun.Audited a = audit(cfg, ModelSpec.binaryLogistic(D), AuditSettings.even(1000, true, false, 200,
                0.05, 10, true));
        AuditResult r = game(a, "white-box");
        assertTrue(r.epsilonLowerBound() >= 2, "bound " + r.epsilonLowerBound() + " (" + r.correct() + "/"
                + r.guesses() + ")");
        assertTrue(r.epsilonLowerBound() <= a.model().plan().epsilon());
    }

    @Test
    void plantedBug_skippedClipOnOnePartition_isCaught() {
        TrainConfig cfg = fullBatch(100).targetEpsilon(2.0).build();
        // One-sided guesses: the bug shifts only the included canaries of one partition, far up.
        AuditSettings settings = new AuditSettings(1000, true, false, 200, 0, 0.05, 10, true);
        TrainingRun.Audited healthy = audit(cfg, ModelSpec.binaryLogistic(D), settings);
        double claimed = healthy.model().plan().epsilon();
        assertTrue(game(healthy, "white-box").epsilonLowerBound() <= claimed);
        DpTrainer.plantedSkipClipForTests = true;
        try {
            AuditResult broken = game(audit(cfg, ModelSpec.binaryLogistic(D), settings), "white-box");
            assertTrue(broken.epsilonLowerBound() > claimed, "the planted bug went unnoticed: bound "
                    + broken.epsilonLowerBound() + " vs claimed " + claimed);
        } finally {
            DpTrainer.plantedSkipClipForTests = false;
        }
    }

    private static double[] train(TrainConfig cfg) {
        RunSettings rs = new RunSettings(cfg, LedgerTarget.none("pdp test on synthetic rows"), "pdp-" + UUID.randomUUID(),
                null, 2, "test", List.of());
        TrainingData data = new TrainingData(SyntheticData.logistic(spark, ROWS, D, 7L, 2),
                new TrainingData.SpecEncoding(SyntheticData.spec(D), "synthetic"), "synthetic", "synthetic",
                "the synthetic rows");
        return TrainingRun.preflight(rs, new Configuration(), line -> { }).train(jsc, data, null,
                ModelSpec.binaryLogistic(D)).params();
    }

    private static double weightNorm2(double[] params) {
        double s = 0;
        for (int j = 0; j < D; j++) { // the weights; the last parameter is the intercept, not penalized
            s += params[j] * params[j];
        }
        return s;
    }

    @Test
    void pdp_isInTheTrainedLoss_shrinksWeights_andZeroStrengthIsThePlainRun() {
        TrainConfig.Builder b = TrainConfig.builder().batchSize(200).epochs(3.0).learningRate(1.0).clipNorm(10.0)
                .nonPrivate(true).insecureTestSeed(11L);
        double[] plain = train(b.build());
        double[] zero = train(b.regularizer("pdp").pdpStrength(0.0).build());
        org.junit.jupiter.api.Assertions.assertArrayEquals(plain, zero, 0.0, "lambda 0 is the plain run, bit for bit");
        double[] strong = train(b.regularizer("pdp").pdpStrength(1.0).build());
        assertTrue(weightNorm2(strong) < 0.7 * weightNorm2(plain), "PDP at lambda 1 must shrink the weights: "
                + weightNorm2(strong) + " vs " + weightNorm2(plain));
    }

    @Test
    void whiteBoxCanaries_leaveTheModelsCoordinatesExactlyAsAPlainRun() {
        // No noise and a fixed test seed make a run deterministic: the audited model must be the plain one, bit for
        // bit, so the canaries (own coordinates, own sampling stream) cost no accuracy by construction.
        TrainConfig cfg = TrainConfig.builder().batchSize(200).epochs(3.0).learningRate(1.0).clipNorm(0.5)
                .nonPrivate(true).insecureTestSeed(21L).build();
        double[] plain = train(cfg);
        TrainingRun.Audited a = audit(cfg, ModelSpec.binaryLogistic(D), AuditSettings.even(300, true, false, 60, 0.05,
                10, true));
        org.junit.jupiter.api.Assertions.assertArrayEquals(plain, a.model().params(), 0.0);
        assertEquals(60, game(a, "white-box").correct(), "without noise every white-box guess is right");
    }

    @Test
    void dpAudit_withThePlantedBug_exits1_withOneLine_andTheReportSaysTheClaimIsExceeded(@TempDir Path dir)
            throws Exception {
        Path report = dir.resolve("audit.json");
        java.io.PrintStream oldErr = System.err;
        java.io.PrintStream oldOut = System.out;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int code;
        DpTrainer.plantedSkipClipForTests = true;
        try {
            System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
            code = org.dpspark.jobs.cli.DpAudit.run("--demo", "--partitions", "2", "--batch-size", "60000", "--steps",
                    "60", "--epsilon", "2", "--canaries", "1000", "--audit-guesses-in", "200", "--audit-guesses-out", "0",
                    "--report", report.toString());
        } finally {
            DpTrainer.plantedSkipClipForTests = false;
            System.setErr(oldErr);
            System.setOut(oldOut);
        }
        String line = err.toString(java.nio.charset.StandardCharsets.UTF_8).strip();
        assertEquals(1, code, line);
        assertTrue(line.startsWith("dp-audit: failed: the audit's lower bound exceeds the claimed epsilon"), line);
        assertFalse(line.contains("\n"), line);
        com.fasterxml.jackson.databind.JsonNode rep = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(report.toFile());
        com.fasterxml.jackson.databind.JsonNode game = rep.get("games").get(0);
        assertTrue(game.get("exceeds_claim").asBoolean(), game.toString());
        assertTrue(out.toString(java.nio.charset.StandardCharsets.UTF_8).contains("EXCEEDS THE CLAIM"));
        assertTrue(game.get("epsilon_lower_bound").asDouble() > rep.at("/claimed/epsilon").asDouble());
    }
}
