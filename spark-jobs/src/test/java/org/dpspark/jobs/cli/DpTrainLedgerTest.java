package org.dpspark.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.AccountantName;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.dpspark.accountant.pld.PldAccountant;
import org.dpspark.jobs.SparkTestSession;
import org.dpspark.jobs.ledger.LedgerFrames;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dp-train with the privacy ledger, in process on one local[2] session: the budget-refusal acceptance (budget
 * 1.5, two jobs at epsilon 1: the first runs, the second exits 3 before training, dp-ledger shows the composed spend),
 * exactly once (exit 4), no budget (recorded, "no cap"), and the ledger as a DataFrame.
 *
 * <p>The budget's delta is 1e-6, below the jobs' 1e-5: with equal deltas, two jobs at epsilon 1 compose under RDP to
 * at most 1.46 (whatever q and T), which fits in 1.5, so the scenario needs a stricter budget delta. Here each
 * job (q = 0.05, T = 100, epsilon 1 at 1e-5) costs 1.14 at 1e-6 alone and 1.61 composed with a second (sum: 2.29).
 */
class DpTrainLedgerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SPEC = "{\"format_version\":1,\"name\":\"t\",\"label\":{\"column\":\"label\"},"
            + "\"features\":[{\"column\":\"a\",\"encoding\":\"scale\",\"min\":-1,\"max\":1},"
            + "{\"column\":\"b\",\"encoding\":\"scale\",\"min\":-1,\"max\":1}]}";
    private static SparkSession spark;

    @TempDir Path dir;

    @BeforeAll
    static void start() {
        spark = SparkTestSession.start("DpTrainLedgerTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static CliRun capture(java.util.function.Function<String[], Integer> main, String... args) {
        return CliRun.capture(main, args);
    }

    private Path data() throws IOException {
        Path csv = dir.resolve("train.csv");
        if (!Files.exists(csv)) {
            SplittableRandom r = new SplittableRandom(7);
            List<String> lines = new ArrayList<>(List.of("a,b,label"));
            for (int i = 0; i < 2000; i++) {
                double a = r.nextDouble(-1, 1);
                double b = r.nextDouble(-1, 1);
                lines.add(String.format(Locale.ROOT, "%.5f,%.5f,%d", a, b, r.nextDouble() < 1 / (1 + Math.exp(-3 * a + 2 * b)) ? 1 : 0));
            }
            Files.write(csv, lines);
            Files.writeString(dir.resolve("spec.json"), SPEC);
        }
        return csv;
    }

    private String ledger() {
        return org.dpspark.jobs.ledger.TestLedgers.init(dir.resolve("ledger")); // ledgers are created only on purpose
    }

    private CliRun train(String jobId, String datasetId, String model) throws IOException {
        List<String> a = new ArrayList<>(List.of("--input", data().toString(), "--format", "csv",
                "--spec", dir.resolve("spec.json").toString(), "--epsilon", "1", "--epochs", "5", "--batch-size", "100",
                "--output", dir.resolve(model).toString(), "--ledger", ledger(), "--job-id", jobId));
        if (datasetId != null) {
            a.addAll(List.of("--dataset-id", datasetId));
        }
        return capture(DpTrain::run, a.toArray(String[]::new));
    }

    private JsonNode ledgerJson(String... args) throws IOException {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--ledger", ledger(), "--json"));
        CliRun r = capture(DpLedger::run, a.toArray(String[]::new));
        assertTrue(r.code() == 0 || r.code() == ExitCode.BUDGET_EXHAUSTED.code(), r.err());
        return JSON.readTree(r.out());
    }

    @Test
    void budgetOneAndAHalf_twoJobsAtEpsilonOne_secondIsRefusedBeforeTraining() throws IOException {
        CliRun set = capture(DpLedger::run, "set-budget", "--dataset-id", "acc", "--epsilon", "1.5", "--delta", "1e-6",
                "--ledger", ledger());
        assertEquals(0, set.code(), set.err());

        CliRun first = train("job-1", "acc", "m1");
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("ledger: dataset acc"), first.out());
        JsonNode rep = JSON.readTree(dir.resolve("m1").resolve("report.json").toFile());
        double q = rep.at("/privacy/sampling_rate").asDouble();
        double sigma = rep.at("/privacy/noise_multiplier").asDouble();
        long steps = rep.at("/privacy/steps").asLong();
        double eps1 = rep.at("/privacy/epsilon").asDouble();
        assertTrue(eps1 <= 1.0 && eps1 > 0.9, "job epsilon " + eps1);
        assertEquals("acc", rep.at("/ledger/dataset_id").asText());
        assertEquals(2, rep.at("/ledger/reservation_seq").asLong());
        assertEquals(3, rep.at("/ledger/commit_seq").asLong());
        // The ledger charges the smaller of RDP and PLD for everything composed, at the budget's delta.
        double spent1 = best(1e-6, new DpEvent(q, sigma, steps));
        assertEquals(spent1, rep.at("/ledger/cumulative_epsilon").asDouble(), 1e-12);
        assertEquals(1.5 - spent1, rep.at("/ledger/remaining_epsilon").asDouble(), 1e-12);

        CliRun second = train("job-2", "acc", "m2");
        assertEquals(ExitCode.BUDGET_EXHAUSTED.code(), second.code(), second.err());
        String line = second.err().strip();
        assertFalse(line.contains("\n"), line);
        assertTrue(line.contains("exhausted") && line.contains("spent epsilon " + String.format(Locale.ROOT, "%.4f", spent1))
                && line.contains("requested") && line.contains("remaining"), line);
        assertFalse(Files.exists(dir.resolve("m2")), "the refused job wrote a model");
        assertFalse(second.err().contains("epoch 1/"), "the refused job trained");

        // dp-ledger show: the composed spend of what was charged, and what remains.
        JsonNode show = ledgerJson("show", "--dataset-id", "acc");
        assertEquals(spent1, show.get("spent_epsilon").asDouble(), 1e-12);
        assertEquals(1.5 - show.get("spent_epsilon").asDouble(), show.get("remaining_epsilon").asDouble(), 1e-12);
        assertEquals(1, show.get("jobs").size());
        assertEquals("committed", show.at("/jobs/0/status").asText());
        assertEquals(3, show.get("entries").asInt()); // budget, reservation, commit: the refusal wrote nothing

        // Both jobs together compose to less than the sum of their epsilons, but more than the budget.
        JsonNode check = ledgerJson("check", "--dataset-id", "acc", "--sampling-rate", Double.toString(q),
                "--steps", Long.toString(steps), "--noise-multiplier", Double.toString(sigma));
        assertFalse(check.get("fits").asBoolean());
        double composed = check.get("spent_epsilon_with_job").asDouble();
        assertEquals(best(1e-6, new DpEvent(q, sigma, steps), new DpEvent(q, sigma, steps)), composed, 1e-12);
        assertTrue(composed > 1.5 && composed < 2 * spent1 - 0.3, "composed " + composed + " vs sum " + 2 * spent1);

        // A dry run given dp-train's own flags plans exactly the job dp-train ran (same q, T and calibrated sigma),
        // so "fits" answers for the job that would actually be reserved.
        JsonNode asTrain = ledgerJson("check", "--dataset-id", "acc", "--rows", rep.at("/data/rows").asText(),
                "--batch-size", "100", "--epochs", "5", "--epsilon", "1");
        assertEquals(q, asTrain.get("sampling_rate").asDouble(), 0.0);
        assertEquals(steps, asTrain.get("steps").asLong());
        assertEquals(sigma, asTrain.get("noise_multiplier").asDouble(), 0.0);
        assertFalse(asTrain.get("fits").asBoolean());

        // Exactly once: job-1 committed, so re-running it is refused (exit 4), before reading any data.
        CliRun again = train("job-1", "acc", "m3");
        assertEquals(ExitCode.LEDGER_CONFLICT.code(), again.code(), again.err());
        assertTrue(again.err().contains("already committed"), again.err());
        assertFalse(Files.exists(dir.resolve("m3")));

        // The ledger as a DataFrame.
        Dataset<Row> df = LedgerFrames.entries(spark, ledger());
        assertEquals(3, df.count());
        assertEquals(1, df.filter("type = 'commit' AND job_id = 'job-1' AND model_path IS NOT NULL").count());
        assertEquals(steps, df.filter("type = 'reservation'").selectExpr("events[0].steps").first().getLong(0));
    }

    @Test
    void noBudget_jobRunsAndIsRecorded_andTheOutputSaysNoCap() throws IOException {
        CliRun r = train("job-free", null, "m");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("no budget set: no cap is enforced"), r.out());
        JsonNode rep = JSON.readTree(dir.resolve("m").resolve("report.json").toFile());
        String ds = rep.at("/ledger/dataset_id").asText();
        // Data nobody registered, on a ledger whose policy allows it: charged to a dataset that says so.
        assertEquals("unbudgeted-" + rep.at("/data/fingerprint").asText().replace(':', '-'), ds);
        assertTrue(rep.at("/ledger/budget_epsilon").isNull());
        JsonNode show = ledgerJson("show", "--dataset-id", ds);
        assertEquals("committed", show.at("/jobs/0/status").asText());
        // The ledger composes with the same best-of-RDP-and-PLD rule as the report, so a lone job at the report's
        // delta is charged exactly the epsilon its report claims.
        assertEquals(rep.at("/privacy/epsilon").asDouble(), show.get("spent_epsilon").asDouble(), 1e-12);
        assertEquals(AccountantName.BEST.jsonName(), show.get("accountant").asText());
    }

    /** Independent of the ledger: min of a fresh RDP and a fresh PLD accountant composing the events. */
    private static double best(double delta, DpEvent... events) {
        RdpAccountant rdp = new RdpAccountant();
        PldAccountant pld = new PldAccountant();
        for (DpEvent e : events) {
            rdp.compose(e);
            pld.compose(e);
        }
        return Math.min(rdp.epsilon(delta), pld.epsilon(delta));
    }

    @Test
    void insecureTestSeed_onADatasetWithABudget_isRefusedBeforeAnyRead_andNothingIsCharged() throws IOException {
        CliRun set = capture(DpLedger::run, "set-budget", "--dataset-id", "owned", "--epsilon", "3", "--delta", "1e-6",
                "--ledger", ledger());
        assertEquals(0, set.code(), set.err());
        List<String> a = new ArrayList<>(List.of("--input", data().toString(), "--format", "csv",
                "--spec", dir.resolve("spec.json").toString(), "--epsilon", "1", "--epochs", "1", "--batch-size", "100",
                "--output", dir.resolve("insecure").toString(), "--ledger", ledger(), "--dataset-id", "owned",
                "--insecure-test-seed", "5"));
        CliRun r = capture(DpTrain::run, a.toArray(String[]::new));
        assertEquals(ExitCode.BAD_INPUT.code(), r.code(), r.err());
        assertTrue(r.err().contains("an insecure test run (--insecure-test-seed) cannot be charged to the budget of "
                + "dataset 'owned'"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertFalse(Files.exists(dir.resolve("insecure")));
        JsonNode shown = ledgerJson("show", "--dataset-id", "owned");
        assertEquals(0.0, shown.get("spent_epsilon").asDouble(), 0.0, shown.toString());
        // --help never offers the insecure path.
        CliRun help = capture(DpTrain::run, "--help");
        assertFalse(help.out().toLowerCase(Locale.ROOT).contains("insecure"), help.out());
    }

    @Test
    void dryRun_printsThePlan_andReservesNothing() throws IOException {
        CliRun set = capture(DpLedger::run, "set-budget", "--dataset-id", "dry", "--epsilon", "3", "--delta", "1e-6",
                "--ledger", ledger());
        assertEquals(0, set.code(), set.err());
        List<String> a = List.of("--input", data().toString(), "--format", "csv", "--spec",
                dir.resolve("spec.json").toString(), "--noise-multiplier", "1.2", "--epochs", "2", "--batch-size", "100",
                "--ledger", ledger(), "--dataset-id", "dry", "--dry-run");
        CliRun r = capture(DpTrain::run, a.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("plan: N = 2000, q = 0.05, steps = 40, sigma = 1.2"), r.out());
        assertTrue(r.out().contains("ledger: dataset dry would admit this job now"), r.out());
        JsonNode shown = ledgerJson("show", "--dataset-id", "dry");
        assertEquals(0.0, shown.get("spent_epsilon").asDouble(), 0.0, shown.toString());
        // The same plan from --rows, without reading the input.
        CliRun what = capture(DpTrain::run, "--rows", "2000", "--noise-multiplier", "1.2", "--epochs", "2",
                "--batch-size", "100", "--ledger", ledger(), "--dataset-id", "dry", "--dry-run");
        assertEquals(0, what.code(), what.err());
        assertEquals(r.out().lines().findFirst(), what.out().lines().findFirst());
    }

    @Test
    void aMissingLedgerOrBadDatasetId_isNamedByItsFlag() throws IOException {
        CliRun r = capture(DpTrain::run, "--rows", "2000", "--noise-multiplier", "1.2", "--epochs", "2",
                "--batch-size", "100", "--ledger", ledger(), "--dataset-id", "-bad", "--dry-run");
        assertEquals(ExitCode.BAD_INPUT.code(), r.code(), r.err());
        assertTrue(r.err().contains("--dataset-id must be"), r.err());
        CliRun nan = capture(DpTrain::run, "--rows", "2000", "--noise-multiplier", "NaN", "--epochs", "2",
                "--ledger", ledger(), "--dry-run");
        assertEquals(ExitCode.BAD_INPUT.code(), nan.code(), nan.err());
        assertTrue(nan.err().contains("--noise-multiplier must be a finite number > 0, got NaN"), nan.err());
    }

    // ---- checkpoints and --resume (issue #18) ----

    /** A seeded run on the test data, unbudgeted in the scratch ledger, with the given extra flags. */
    private CliRun seeded(String jobId, String out, List<String> model, String stepMode, String... extra)
            throws IOException {
        List<String> a = new ArrayList<>(List.of("--input", data().toString(), "--format", "csv",
                "--spec", dir.resolve("spec.json").toString(), "--noise-multiplier", "1.1", "--epochs", "2",
                "--batch-size", "100", "--output", dir.resolve(out).toString(), "--ledger", ledger(), "--unbudgeted",
                "--job-id", jobId, "--insecure-test-seed", "42", "--step-mode", stepMode));
        a.addAll(model);
        a.addAll(List.of(extra));
        return capture(DpTrain::run, a.toArray(String[]::new));
    }

    private void resumedRunEqualsUninterrupted(List<String> model, String stepMode) throws IOException {
        String tag = model.get(1) + "-" + stepMode;
        CliRun full = seeded("full-" + tag, "full-" + tag, model, stepMode);
        assertEquals(0, full.code(), full.err());
        String ckpt = dir.resolve("ckpt-" + tag).toString();
        String job = "resumed-" + tag;
        // 2000 rows, B = 100: T = 40, epochs end at steps 20 and 40; stopped mid-epoch 1, after a periodic checkpoint
        CliRun stopped = seeded(job, "resumed-" + tag, model, stepMode, "--checkpoint-dir", ckpt,
                "--checkpoint-every", "5", "--stop-after-steps", "13");
        assertEquals(130, stopped.code(), stopped.err());
        String line = stopped.err().strip();
        assertEquals(1, line.lines().count(), stopped.err());
        assertTrue(line.contains("interrupted (test-stop) after step 13/40") && line.contains("stays open and charged")
                && line.contains("resume with: dp-train ") && line.endsWith(" --resume")
                && !line.contains("--stop-after-steps"), line);
        assertFalse(Files.exists(dir.resolve("resumed-" + tag)), "nothing is published by a stopped run");

        CliRun resumed = seeded(job, "resumed-" + tag, model, stepMode, "--checkpoint-dir", ckpt,
                "--checkpoint-every", "5", "--resume");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("resuming job '" + job + "' at step 13/40"), resumed.err());
        JsonNode a = JSON.readTree(dir.resolve("full-" + tag).resolve("model.json").toFile()).get("params");
        JsonNode b = JSON.readTree(dir.resolve("resumed-" + tag).resolve("model.json").toFile()).get("params");
        assertEquals(a, b, "the resumed model equals the uninterrupted one bit for bit");
        // the ledger: one reservation and one commit for the job
        JsonNode rep = JSON.readTree(dir.resolve("resumed-" + tag).resolve("report.json").toFile());
        String ds = rep.at("/ledger/dataset_id").asText();
        org.dpspark.accountant.ledger.DatasetState state = org.dpspark.accountant.ledger.PrivacyLedger
                .open(ledger(), new org.apache.hadoop.conf.Configuration()).state(ds);
        long reservations = state.entries().stream().filter(e -> job.equals(e.jobId())
                && e.type() == org.dpspark.accountant.ledger.EntryType.RESERVATION).count();
        long commits = state.entries().stream().filter(e -> job.equals(e.jobId())
                && e.type() == org.dpspark.accountant.ledger.EntryType.COMMIT).count();
        assertEquals(1, reservations, "one reservation");
        assertEquals(1, commits, "one commit");
        assertEquals(1, state.attempts(job).size());
        // the report's per-epoch DP loss estimates are the uninterrupted run's too
        JsonNode fullRep = JSON.readTree(dir.resolve("full-" + tag).resolve("report.json").toFile());
        assertEquals(fullRep.at("/training/loss_per_epoch"), rep.at("/training/loss_per_epoch"));
    }

    @Test
    void resume_logistic_barrier_equalsUninterruptedRun_chargedOnce() throws IOException {
        resumedRunEqualsUninterrupted(List.of("--model", "logistic", "--optimizer", "adam", "--learning-rate", "0.1",
                "--lr-schedule", "cosine"), "barrier");
    }

    @Test
    void resume_logistic_job_equalsUninterruptedRun_chargedOnce() throws IOException {
        // With the EMA of the iterates released: the checkpoint carries the average, so it resumes too.
        resumedRunEqualsUninterrupted(List.of("--model", "logistic", "--optimizer", "adam", "--learning-rate", "0.1",
                "--lr-schedule", "cosine", "--ema-decay", "0.9"), "job");
    }

    /** A seeded run of {@code steps} steps (momentum SGD, constant rate); returns the released model's params. */
    private double[] seededSteps(String out, int steps, String... extra) throws IOException {
        List<String> a = new ArrayList<>(List.of("--input", data().toString(), "--format", "csv",
                "--spec", dir.resolve("spec.json").toString(), "--noise-multiplier", "1.1", "--steps",
                Integer.toString(steps), "--batch-size", "100", "--output", dir.resolve(out).toString(), "--ledger",
                ledger(), "--unbudgeted", "--insecure-test-seed", "42", "--model", "logistic", "--optimizer",
                "momentum", "--learning-rate", "0.5", "--step-mode", "job"));
        a.addAll(List.of(extra));
        CliRun r = capture(DpTrain::run, a.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        JsonNode params = JSON.readTree(dir.resolve(out).resolve("model.json").toFile()).get("params");
        double[] p = new double[params.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = params.get(i).asDouble();
        }
        return p;
    }

    @Test
    void emaDecay_releasesTheMovingAverageOfTheIterates_andIsReported() throws IOException {
        // Under one seed the first k steps of any run are the same, so the iterates p1, p2, p3 are the models of
        // runs of 1, 2 and 3 steps; the EMA written out here: a = p1, then a = d_t a + (1 - d_t) p_t with
        // d_t = min(0.3, (1 + t) / (10 + t)): d_2 = 0.25, d_3 = 0.3.
        double[] p1 = seededSteps("ema-p1", 1);
        double[] p2 = seededSteps("ema-p2", 2);
        double[] p3 = seededSteps("ema-p3", 3);
        double[] averaged = seededSteps("ema-avg", 3, "--ema-decay", "0.3");
        double[] expected = new double[p1.length];
        for (int i = 0; i < p1.length; i++) {
            double a = 0.25 * p1[i] + 0.75 * p2[i];
            expected[i] = 0.3 * a + 0.7 * p3[i];
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, averaged, 1e-12);
        assertTrue(Math.abs(averaged[0] - p3[0]) > 1e-6, "the average is not the last iterate");
        JsonNode rep = JSON.readTree(dir.resolve("ema-avg").resolve("report.json").toFile());
        assertEquals(0.3, rep.at("/training/ema_decay").asDouble(), 0.0, rep.toString());
        JsonNode last = JSON.readTree(dir.resolve("ema-p3").resolve("report.json").toFile());
        assertTrue(last.at("/training/ema_decay").isMissingNode(), "no ema_decay without averaging");
        // Post-processing: the same plan and the same epsilon as the run that released its last iterate.
        for (String f : List.of("/privacy/epsilon", "/privacy/noise_multiplier", "/privacy/steps",
                "/privacy/sampling_rate")) {
            assertTrue(rep.at(f).isNumber(), f + " in " + rep);
            assertEquals(last.at(f), rep.at(f), f);
        }
        // Out of range: one line naming the flag, before anything runs.
        CliRun bad = capture(DpTrain::run, "--rows", "2000", "--noise-multiplier", "1.2", "--epochs", "2",
                "--ema-decay", "1", "--ledger", ledger(), "--dry-run");
        assertEquals(ExitCode.BAD_INPUT.code(), bad.code(), bad.err());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
        assertTrue(bad.err().contains("--ema-decay must be"), bad.err());
    }

    @Test
    void resume_mlp_barrier_equalsUninterruptedRun_chargedOnce() throws IOException {
        resumedRunEqualsUninterrupted(List.of("--model", "mlp", "--hidden", "8", "--activation", "tanh",
                "--optimizer", "momentum", "--learning-rate", "0.5"), "barrier");
    }

    @Test
    void resume_mlp_job_equalsUninterruptedRun_chargedOnce() throws IOException {
        resumedRunEqualsUninterrupted(List.of("--model", "mlp", "--hidden", "8", "--activation", "tanh",
                "--optimizer", "momentum", "--learning-rate", "0.5"), "job");
    }

    @Test
    void resume_refused_withoutCheckpoint_otherJob_otherPlan_beforeTheLedger() throws IOException {
        List<String> model = List.of("--model", "logistic");
        String ckpt = dir.resolve("ckpt-refused").toString();
        CliRun noDir = seeded("r-1", "r-none", model, "job", "--resume");
        assertEquals(2, noDir.code(), noDir.err());
        assertTrue(noDir.err().contains("--checkpoint-dir is required by --resume"), noDir.err());
        CliRun none = seeded("r-1", "r-none", model, "job", "--checkpoint-dir", ckpt, "--resume");
        assertEquals(2, none.code(), none.err());
        assertEquals(1, none.err().strip().lines().count(), none.err());
        assertTrue(none.err().contains("--resume found no checkpoint in " + ckpt), none.err());

        CliRun stopped = seeded("r-1", "r-1", model, "job", "--checkpoint-dir", ckpt, "--stop-after-steps", "3");
        assertEquals(130, stopped.code(), stopped.err());
        org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
        org.dpspark.accountant.ledger.PrivacyLedger l = org.dpspark.accountant.ledger.PrivacyLedger.open(ledger(), conf);
        long entries = l.datasets().stream().mapToLong(d -> l.state(d).entries().size()).sum();

        CliRun otherJob = seeded("r-2", "r-2", model, "job", "--checkpoint-dir", ckpt, "--resume");
        assertEquals(2, otherJob.code(), otherJob.err());
        assertEquals(1, otherJob.err().strip().lines().count(), otherJob.err());
        assertTrue(otherJob.err().contains("its job id is 'r-1', this run's is 'r-2'"), otherJob.err());

        CliRun otherPlan = seeded("r-1", "r-1", List.of("--model", "logistic", "--clip-norm", "0.5"), "job",
                "--checkpoint-dir", ckpt, "--resume");
        assertEquals(2, otherPlan.code(), otherPlan.err());
        assertEquals(1, otherPlan.err().strip().lines().count(), otherPlan.err());
        assertTrue(otherPlan.err().contains("its plan's clip norm C is 1.0, this run's is 0.5"), otherPlan.err());
        CliRun otherEma = seeded("r-1", "r-1", List.of("--model", "logistic", "--ema-decay", "0.9"), "job",
                "--checkpoint-dir", ckpt, "--resume");
        assertEquals(2, otherEma.code(), otherEma.err());
        assertTrue(otherEma.err().contains("its plan's ema decay is 0.0, this run's is 0.9"), otherEma.err());
        CliRun otherPrecision = seeded("r-1", "r-1", List.of("--model", "logistic", "--precision", "float32"), "job",
                "--checkpoint-dir", ckpt, "--resume");
        assertEquals(2, otherPrecision.code(), otherPrecision.err());
        assertTrue(otherPrecision.err().contains("its plan's precision is float64, this run's is float32"),
                otherPrecision.err());

        org.dpspark.accountant.ledger.PrivacyLedger after =
                org.dpspark.accountant.ledger.PrivacyLedger.open(ledger(), conf);
        assertEquals(entries, after.datasets().stream().mapToLong(d -> after.state(d).entries().size()).sum(),
                "a refused resume touches no budget");
    }
}
