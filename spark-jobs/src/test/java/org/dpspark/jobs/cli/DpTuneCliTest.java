package org.dpspark.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.dpspark.accountant.TrialCount;
import org.dpspark.accountant.ledger.EntryType;
import org.dpspark.accountant.ledger.LedgerEntry;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.dpspark.accountant.tuning.RandomRepetition;
import org.dpspark.jobs.SparkTestSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dp-tune end to end on local[2] with a small synthetic CSV: the search's accounting, its refusal, bad flags. */
class DpTuneCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static SparkSession spark;

    @TempDir Path dir;

    @BeforeAll
    static void start() {
        spark = SparkTestSession.start("DpTuneCliTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** The shared two-feature CSV fixture (and its spec.json beside it). */
    private Path csv(String name, int n, long seed) throws IOException {
        return TwoFeatureCsv.write(dir, name, n, seed);
    }

    private String ledger() {
        return org.dpspark.jobs.ledger.TestLedgers.init(dir.resolve("ledger"));
    }

    private void budget(String dataset, String epsilon) {
        CliRun set = CliRun.capture(DpLedger::run, "set-budget", "--dataset-id", dataset, "--epsilon", epsilon,
                "--delta", "1e-5", "--ledger", ledger());
        assertEquals(0, set.code(), set.err());
    }

    private List<String> tuneArgs(Path input, String... more) {
        List<String> a = new ArrayList<>(List.of("--input", input.toString(), "--format", "csv",
                "--spec", dir.resolve("spec.json").toString(), "--epochs", "1", "--batch-size", "100",
                "--grid", "learning-rate=0.5,2", "--grid", "clip-norm=0.5,1", "--trials", "geometric:2",
                "--output", dir.resolve("model").toString(), "--ledger", ledger(), "--dataset-id", "tune"));
        a.addAll(List.of(more));
        return a;
    }

    private List<LedgerEntry> entries(String dataset) {
        return PrivacyLedger.open(ledger(), new Configuration()).state(dataset).entries();
    }

    @Test
    void search_isOneSelectionEvent_epsilonIsTheAccountants_andTheBestNoisyScoreIsChosen() throws IOException {
        budget("tune", "5");
        Path train = csv("train", 2000, 1);
        Path eval = csv("eval", 500, 2);
        CliRun r = CliRun.capture(DpTune::run, tuneArgs(train, "--epsilon", "2", "--job-id", "search-1",
                "--eval-input", eval.toString()).toArray(String[]::new));
        assertEquals(0, r.code(), r.err());

        JsonNode rep = JSON.readTree(dir.resolve("model").resolve("report.json").toFile());
        JsonNode t = rep.get("tuning");
        int k = t.get("trials_run").asInt();
        assertTrue(k >= 1, "geometric K >= 1");
        assertEquals(k, t.get("trials").size());
        // The total, recomputed independently from the report's own numbers.
        double recomputed = RandomRepetition.epsilon(new TrialCount(TrialCount.Kind.valueOf(t.get("trials_kind").asText()),
                t.get("trials_eta").asDouble(), t.get("trials_gamma").asDouble()),
                t.get("sampling_rate").asDouble(), t.get("noise_multiplier").asDouble(), t.get("steps").asLong(),
                t.get("score_noise_multiplier").asDouble(), t.get("delta").asDouble());
        assertEquals(recomputed, t.get("epsilon").asDouble(), 1e-9);
        assertTrue(recomputed <= 2.0 + 1e-9 && recomputed > 1.5, "epsilon " + recomputed);
        assertEquals(10.0, t.get("score_noise_multiplier").asDouble(), 0.0); // the documented default
        assertEquals(100.0 / t.get("train_rows").asLong(), t.get("sampling_rate").asDouble(), 1e-15);
        assertEquals(2000, t.get("train_rows").asLong() + t.get("validation_rows").asLong());
        // The published model claims the whole search's epsilon, by RDP.
        assertEquals(t.get("epsilon").asDouble(), rep.at("/privacy/epsilon").asDouble(), 0.0);
        assertEquals("rdp", rep.at("/privacy/accountant").asText());
        assertFalse(t.get("theorem").asText().isBlank());
        // The chosen trial is the argmax of the reported noisy scores, and every trial was printed.
        int best = 0;
        for (int i = 0; i < k; i++) {
            JsonNode trial = t.get("trials").get(i);
            if (trial.get("noisy_validation_accuracy").asDouble()
                    > t.get("trials").get(best).get("noisy_validation_accuracy").asDouble()) {
                best = i;
            }
            assertTrue(trial.has("evaluation_not_dp"), trial.toString());
            assertTrue(r.out().contains("trial " + i + ": learning-rate="), r.out());
        }
        assertEquals(best, t.get("chosen_trial").asInt());
        assertEquals(t.at("/trials/" + best + "/learning_rate").asDouble(), rep.at("/training/learning_rate").asDouble());
        assertTrue(Files.exists(dir.resolve("model").resolve("model.json")));
        // report.html beside report.json: the trials, the total epsilon and the theorem, from the JSON.
        String html = Files.readString(dir.resolve("model").resolve("report.html"));
        org.dpspark.jobs.report.html.PageChecks.savePage("dp-tune-report.html", html);
        assertTrue(html.contains("<span data-json=\"/tuning/theorem\">"), "the theorem");
        assertTrue(html.contains("<span data-json=\"/tuning/trials/" + best + "/index\">" + best + "</span> (chosen)"));
        assertFalse(rep.at("/privacy").has("epsilon_curve"), "a search is one selection event, not a per-step curve");
        assertEquals(List.of("loss", "confusion", "calibration"),
                org.dpspark.jobs.report.html.PageChecks.chartsWithTheirSeries(html));
        assertTrue(org.dpspark.jobs.report.html.PageChecks.valuesMatch(html, rep) > 50);
        org.dpspark.jobs.report.html.PageChecks.selfContained(html);
        try {
            assertEquals(List.of(), org.dpspark.jobs.report.html.PageChecks.inBrowser(
                    dir.resolve("model").resolve("report.html"), rep, "search-1", java.util.Map.of(
                            "loss", List.of("DP loss estimate", "noise band (2 std)"),
                            "confusion", List.of("predicted 0", "predicted 1"),
                            "calibration", List.of("model", "perfect calibration")), 50));
        } catch (Exception e) {
            throw new AssertionError(e);
        }

        // The ledger: one reservation and one commit of the same selection event for the whole search.
        List<LedgerEntry> job = entries("tune").stream().filter(e -> "search-1".equals(e.jobId())).toList();
        assertEquals(List.of(EntryType.RESERVATION, EntryType.COMMIT), job.stream().map(LedgerEntry::type).toList());
        assertEquals(1, job.get(0).events().size());
        assertTrue(job.get(0).events().get(0).isSelection());
        assertEquals(job.get(0).events(), job.get(1).events());
        assertEquals(t.get("epsilon").asDouble(), job.get(1).epsilon(), 1e-12);
        assertFalse(r.err().contains("Exception"), r.err());

        // The dataset's budget dashboard after the search: its one selection event, composed by the ledger.
        Path page = dir.resolve("tune-budget.html");
        CliRun dash = CliRun.capture(DpLedger::run, "report", "--ledger", ledger(), "--dataset-id", "tune", "--html",
                page.toString(), "--json", dir.resolve("tune-budget.json").toString());
        assertEquals(0, dash.code(), dash.err());
        JsonNode doc = JSON.readTree(dir.resolve("tune-budget.json").toFile());
        assertEquals(PrivacyLedger.open(ledger(), new Configuration()).state("tune").spentEpsilon(),
                doc.get("spent_epsilon").asDouble(), 0.0);
        String dashboard = Files.readString(page);
        org.dpspark.jobs.report.html.PageChecks.savePage("dp-tune-budget-dashboard.html", dashboard);
        org.dpspark.jobs.report.html.PageChecks.valuesMatch(dashboard, doc);
    }

    @Test
    void budgetTooSmall_isRefusedBeforeTheFirstTrial_exit3_nothingPublishedNorReserved() throws IOException {
        budget("tune", "0.5");
        Path train = csv("train", 2000, 3);
        CliRun r = CliRun.capture(DpTune::run, tuneArgs(train, "--epsilon", "2", "--job-id", "search-2")
                .toArray(String[]::new));
        assertEquals(ExitCode.BUDGET_EXHAUSTED.code(), r.code(), r.err());
        String line = r.err().strip();
        assertFalse(line.contains("\n"), line);
        assertTrue(line.contains("'tune'") && line.contains("remaining") && line.contains("requested"), line);
        assertFalse(r.out().contains("trial 0"), r.out());
        assertFalse(Files.exists(dir.resolve("model")), "a refused search published a model");
        assertTrue(entries("tune").stream().noneMatch(e -> "search-2".equals(e.jobId())), "a refused search left an entry");
    }

    /** K ~ Poisson(1e-12) is 0 except with probability 1 - e^-1e-12 < 1e-12: the false-failure rate of this test. */
    @Test
    void zeroTrialsDrawn_publishesNothing_commitsTheEvent_andExits0() throws IOException {
        budget("tune", "5");
        Path train = csv("train", 2000, 4);
        List<String> a = tuneArgs(train, "--epsilon", "1", "--job-id", "search-0");
        a.set(a.indexOf("geometric:2"), "poisson:0.000000000001");
        CliRun r = CliRun.capture(DpTune::run, a.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("K = 0 trials drawn: nothing trained, nothing published"), r.out());
        assertFalse(r.out().contains("trial 0:"), r.out());
        assertFalse(Files.exists(dir.resolve("model")), "K = 0 published a model");
        List<LedgerEntry> job = entries("tune").stream().filter(e -> "search-0".equals(e.jobId())).toList();
        assertEquals(List.of(EntryType.RESERVATION, EntryType.COMMIT), job.stream().map(LedgerEntry::type).toList());
        assertTrue(job.get(1).events().get(0).isSelection());
    }

    @Test
    void badSearchFlags_exit2_withOneLineNamingTheFlag_beforeAnyInputIsRead() {
        Path missing = dir.resolve("no-such-input.csv"); // the flags are refused before the input is even looked at
        String[][] cases = {
            {"--grid", "learning-rat=1,2", "--grid"},
            {"--grid", "learning-rate=", "--grid"},
            {"--grid", "batch-size=64,128", "--grid"},
            {"--grid", "learning-rate=1,x", "--grid"},
            {"--trials", "geometric:oops", "--trials"},
            {"--validation-fraction", "0.6", "--validation-fraction"},
            {"--validation-fraction", "0", "--validation-fraction"},
            {"--score-noise", "-1", "--score-noise"},
        };
        for (String[] c : cases) {
            List<String> a = new ArrayList<>(List.of("--input", missing.toString(), "--format", "csv", "--spec", "x.json",
                    "--epsilon", "1", "--output", dir.resolve("model").toString()));
            if (!c[0].equals("--grid")) {
                a.addAll(List.of("--grid", "learning-rate=1,2"));
            }
            a.addAll(List.of(c[0], c[1]));
            CliRun r = CliRun.capture(DpTune::run, a.toArray(String[]::new));
            assertEquals(ExitCode.BAD_INPUT.code(), r.code(), String.join(" ", c) + ": " + r.err());
            String line = r.err().strip();
            assertFalse(line.contains("\n"), line);
            assertTrue(line.startsWith("dp-tune: error: ") && line.contains(c[2]), String.join(" ", c) + ": " + line);
            assertFalse(line.contains("no-such-input"), line);
        }
        CliRun none = CliRun.capture(DpTune::run, "--input", missing.toString(), "--format", "csv", "--spec", "x.json",
                "--epsilon", "1", "--output", dir.resolve("model").toString());
        assertEquals(ExitCode.BAD_INPUT.code(), none.code(), none.err());
        assertTrue(none.err().contains("--grid is required"), none.err());
        assertFalse(Files.exists(dir.resolve("model")));
    }
}
