package org.dpspark.jobs.report.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.best.BestAccountant;
import org.dpspark.accountant.ledger.Budget;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.dpspark.jobs.ledger.BudgetReport;
import org.dpspark.jobs.ledger.TestLedgers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pages this package renders, opened in headless Chromium and held to {@link PageCheck}'s contract: the training
 * report of the fixture report.json and the budget dashboard of a scratch ledger. Skipped without a browser.
 */
class ReportPagesBrowserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static HeadlessChromium browser;

    @TempDir Path dir;

    @BeforeAll
    static void findBrowser() {
        browser = HeadlessChromium.find().orElse(null);
    }

    private List<String> check(String html, JsonNode source, String title, Map<String, List<String>> charts,
            int minShown) throws Exception {
        assumeTrue(browser != null, HeadlessChromium.missingReason());
        Path p = dir.resolve("page-" + System.nanoTime() + ".html");
        Files.writeString(p, html);
        return PageCheck.problems(browser.inspect(p), source, title, charts, minShown);
    }

    @Test
    void trainingReport_keepsThePageContract() throws Exception {
        ObjectNode report;
        try (InputStream in = getClass().getResourceAsStream("report-fixture.json")) {
            report = (ObjectNode) JSON.readTree(in);
        }
        List<String> problems = check(TrainingReportPage.html(report), report, report.get("job_id").asText(), Map.of(
                "loss", List.of("DP loss estimate", "noise band (2 std)"),
                "epsilon", List.of("RDP", "PLD", "budget"),
                "confusion", List.of("predicted 0", "predicted 1"),
                "calibration", List.of("model", "perfect calibration")), 100);
        assertEquals(List.of(), problems);
    }

    @Test
    void budgetDashboard_keepsThePageContract() throws Exception {
        String ledger = TestLedgers.init(dir.resolve("ledger"));
        PrivacyLedger l = PrivacyLedger.open(ledger, null);
        List<DpEvent> job = List.of(new DpEvent(0.01, 1.1, 1000));
        l.setBudget("adult", new Budget(6.0, 1e-6, Budget.ROW));
        l.reserve("adult", "job-1", "rows-v1:aa", job, 1e-6);
        l.commit("adult", "job-1", job, BestAccountant.bound(job, 1e-6).epsilon(), 1e-6, "/models/job-1");
        l.reserve("adult", "job-2", "rows-v1:aa", job, 1e-6);
        ObjectNode doc = BudgetReport.json(l, "adult", Instant.now());
        List<String> problems = check(BudgetDashboardPage.html(doc), doc, "adult",
                Map.of("burndown", List.of("spent", "remaining", "budget")), 30);
        assertEquals(List.of(), problems);
    }
}
