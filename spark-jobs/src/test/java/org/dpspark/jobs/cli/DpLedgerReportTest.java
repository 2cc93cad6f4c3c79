package org.dpspark.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.best.BestAccountant;
import org.dpspark.accountant.ledger.Budget;
import org.dpspark.accountant.ledger.DatasetState;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.dpspark.jobs.ledger.TestLedgers;
import org.dpspark.jobs.report.html.PageChecks;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dp-ledger report: the budget dashboard of a scratch ledger with a budget, two commits and one open reservation; the
 * burn-down is the ledger's own composition; flag errors are one line with exit 2 and write nothing. No Spark.
 */
class DpLedgerReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double DELTA = 1e-6;
    private static final List<DpEvent> JOB = List.of(new DpEvent(0.01, 1.1, 1000));

    @TempDir Path dir;
    private String ledger;

    @BeforeEach
    void ledgerWithABudgetTwoCommitsAndAnOpenReservation() {
        ledger = TestLedgers.init(dir.resolve("ledger"));
        PrivacyLedger l = PrivacyLedger.open(ledger, null);
        l.setBudget("adult", new Budget(6.0, DELTA, Budget.ROW));
        double eps = BestAccountant.bound(JOB, DELTA).epsilon();
        for (String job : List.of("job-1", "job-2")) {
            l.reserve("adult", job, "rows-v1:aa", JOB, DELTA);
            l.commit("adult", job, JOB, eps, DELTA, "/models/" + job);
        }
        l.reserve("adult", "job-<3>", "rows-v1:aa", JOB, DELTA);
    }

    private static CliRun ledger(String... args) {
        return CliRun.capture(DpLedger::run, args);
    }

    @Test
    void report_burnDownIsTheLedgersComposition_andThePageShowsTheJsonsValues() throws IOException {
        Path html = dir.resolve("out/dashboard.html");
        Path json = dir.resolve("out/dashboard.json");
        CliRun r = ledger("report", "--ledger", ledger, "--dataset-id", "adult", "--html", html.toString(), "--json",
                json.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("1 open reservation"), r.out());
        JsonNode doc = JSON.readTree(json.toFile());
        DatasetState state = PrivacyLedger.open(ledger, null).state("adult");

        // The spend is composed, not summed: the last point is the ledger's state, below three jobs' epsilons added.
        JsonNode burn = doc.get("burndown");
        int last = burn.get("seq").size() - 1;
        assertEquals(state.entries().size(), last + 1, "one point per entry");
        assertEquals(state.spentEpsilon(), burn.get("spent_epsilon").get(last).asDouble(), 0.0);
        assertEquals(state.remainingEpsilon(), burn.get("remaining_epsilon").get(last).asDouble(), 0.0);
        assertEquals(state.remainingEpsilon(), doc.get("remaining_epsilon").asDouble(), 0.0);
        double alone = BestAccountant.bound(JOB, DELTA).epsilon();
        assertTrue(state.spentEpsilon() < 3 * alone, "composition is tighter than the sum");
        for (int i = 1; i <= last; i++) {
            assertTrue(burn.get("spent_epsilon").get(i).asDouble() >= burn.get("spent_epsilon").get(i - 1).asDouble());
        }
        assertEquals(6.0, doc.at("/budget/epsilon").asDouble());
        assertEquals(List.of("budget", "reservation", "commit", "reservation", "commit", "reservation"),
                doc.get("entries").findValuesAsText("type"));
        assertEquals(1, doc.get("open_reservations").size());
        assertEquals("job-<3>", doc.at("/open_reservations/0/job_id").asText());

        String page = Files.readString(html);
        PageChecks.savePage("budget-dashboard.html", page);
        assertEquals(List.of("burndown"), PageChecks.chartsWithTheirSeries(page));
        assertTrue(page.contains("data-series=\"spent|remaining|budget\""), "burn-down series");
        assertTrue(PageChecks.valuesMatch(page, doc) > 50);
        PageChecks.selfContained(page);
        assertTrue(page.contains("job-&lt;3&gt;") && !page.contains("job-<3>"), "the job id is escaped");
        assertTrue(page.contains("<title>dpspark privacy budget: adult</title>"));
    }

    @Test
    void report_datasetWithoutBudget_saysNoCap_andDrawsTheSpendAlone() throws IOException {
        PrivacyLedger l = PrivacyLedger.open(ledger, null);
        l.reserve("free", "job-9", "rows-v1:bb", JOB, DELTA);
        Path html = dir.resolve("free.html");
        Path json = dir.resolve("free.json");
        assertEquals(0, ledger("report", "--ledger", ledger, "--dataset-id", "free", "--html", html.toString(),
                "--json", json.toString()).code());
        JsonNode doc = JSON.readTree(json.toFile());
        assertTrue(doc.get("budget").isNull() && doc.get("remaining_epsilon").isNull());
        assertEquals(l.state("free").spentEpsilon(), doc.get("spent_epsilon").asDouble(), 0.0);
        String page = Files.readString(html);
        assertTrue(page.contains("No budget is set for this dataset"), "no cap");
        assertTrue(page.contains("data-series=\"spent\""), "the spend alone");
        PageChecks.chartsWithTheirSeries(page);
        PageChecks.valuesMatch(page, doc);
    }

    @Test
    void report_htmlAlone_andJsonAlone() throws IOException {
        assertEquals(0, ledger("report", "--ledger", ledger, "--dataset-id", "adult", "--html",
                dir.resolve("a.html").toString()).code());
        assertEquals(0, ledger("report", "--ledger", ledger, "--dataset-id", "adult", "--json",
                dir.resolve("b.json").toString()).code());
        assertTrue(Files.isRegularFile(dir.resolve("a.html")) && Files.isRegularFile(dir.resolve("b.json")));
        assertFalse(Files.exists(dir.resolve("a.json")) || Files.exists(dir.resolve("b.html")));
    }

    @Test
    void report_badFlags_exit2_inOneLine_writingNothing() throws IOException {
        String out = dir.resolve("o.html").toString();
        String[][] bad = {
            {"report", "--ledger", ledger, "--dataset-id", "adult"},
            {"report", "--ledger", ledger, "--html", out},
            {"report", "--ledger", ledger, "--dataset-id", "adult", "--html", out, "--bogus"},
            {"report", "--ledger", ledger, "--dataset-id", "adult", "--html", dir.toString()},
            {"report", "--ledger", ledger, "--dataset-id", "adult", "--html", out, "--json", out},
            {"report", "--ledger", ledger, "--dataset-id", "nobody", "--html", out},
            {"report", "--ledger", dir.resolve("typo").toString(), "--dataset-id", "adult", "--html", out}};
        for (String[] args : bad) {
            CliRun r = ledger(args);
            assertEquals(ExitCode.BAD_INPUT.code(), r.code(), String.join(" ", args) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().startsWith("dp-ledger: error: "), r.err());
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("ledger"), s.map(p -> p.getFileName().toString()).toList(), "something was written");
        }
    }
}
