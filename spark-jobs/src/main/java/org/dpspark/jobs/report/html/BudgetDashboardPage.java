package org.dpspark.jobs.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The budget dashboard ({@code dp-ledger report --html}): a dataset's budget, every ledger entry in order with its
 * charge, the burn-down of the composed spend over time, what remains and the open reservations, all read from the
 * dashboard's JSON document ({@code org.dpspark.jobs.ledger.BudgetReport}); it shows nothing that document lacks.
 */
public final class BudgetDashboardPage {
    private BudgetDashboardPage() {}

    /** The page for {@code dashboard} (the dashboard JSON document), as UTF-8 bytes. */
    public static byte[] render(JsonNode dashboard) {
        return html(dashboard).getBytes(StandardCharsets.UTF_8);
    }

    /** The page for {@code dashboard} as text. */
    public static String html(JsonNode dashboard) {
        Html h = new Html(dashboard);
        String ds = dashboard.path("dataset_id").asText("");
        h.head("dpspark privacy budget: " + ds);
        h.raw("<h1>Privacy budget of dataset ").value("/dataset_id").raw("</h1>\n");
        h.raw("<p class=\"note\">Ledger ").value("/ledger").raw(", generated ").value("/generated_at")
                .raw("; accountant ").value("/accountant").raw(".</p>\n");
        boolean budget = h.has("/budget");
        h.raw("<section class=\"guarantee").raw(budget ? "" : " none").raw("\" id=\"budget\">\n<h2>Budget</h2>\n");
        if (budget) {
            h.raw("<p>Budget: epsilon ").value("/budget/epsilon").raw(" at delta ").value("/budget/delta")
                    .raw(", per ").value("/budget/privacy_unit").raw(".</p>\n<p>Spent: epsilon ")
                    .value("/spent_epsilon").raw(" at delta ").value("/delta").raw(". Remaining: epsilon ")
                    .value("/remaining_epsilon").raw(".</p>\n");
        } else {
            h.raw("<p class=\"warning\">No budget is set for this dataset: no cap is enforced.</p>\n<p>Spent: epsilon ")
                    .value("/spent_epsilon").raw(" at delta ").value("/delta").raw(".</p>\n");
        }
        h.raw("<p class=\"note\">").value("/spent_note").raw("</p>\n</section>\n");

        h.raw("<h2>Burn-down</h2>\n");
        JsonNode burn = dashboard.path("burndown");
        int n = burn.path("time").size();
        double[] x = new double[n];
        double[] spent = new double[n];
        double[] remaining = new double[n];
        double[] cap = new double[n];
        boolean anyBudget = false;
        for (int i = 0; i < n; i++) {
            x[i] = Instant.parse(burn.path("time").get(i).asText()).toEpochMilli();
            spent[i] = num(burn.path("spent_epsilon").path(i));
            remaining[i] = num(burn.path("remaining_epsilon").path(i));
            cap[i] = num(burn.path("budget_epsilon").path(i));
            anyBudget |= !Double.isNaN(cap[i]);
        }
        List<Charts.Series> series = new ArrayList<>();
        series.add(new Charts.Series("spent", x, spent));
        if (anyBudget) {
            series.add(new Charts.Series("remaining", x, remaining));
            series.add(new Charts.Series("budget", x, cap));
        }
        List<String> names = series.stream().map(Charts.Series::name).toList();
        if (n > 0) {
            Charts.figure(h, "burndown", names, () -> Charts.timeSteps("Composed spend and remaining budget",
                    "epsilon", series));
        }
        h.raw("<table><tr><th>entry</th><th>time</th><th>spent epsilon after it</th><th>remaining</th>"
                + "<th>budget</th></tr>\n");
        for (int i = 0; i < n; i++) {
            String p = "/burndown/";
            h.raw("<tr><td>").value(p + "seq/" + i).raw("</td><td>").value(p + "time/" + i).raw("</td><td>")
                    .value(p + "spent_epsilon/" + i).raw("</td><td>").value(p + "remaining_epsilon/" + i)
                    .raw("</td><td>").value(p + "budget_epsilon/" + i).raw("</td></tr>\n");
        }
        h.raw("</table>\n<p class=\"note\">").value("/burndown/note").raw("</p>\n");

        h.raw("<h2>Open reservations</h2>\n");
        JsonNode open = dashboard.path("open_reservations");
        if (open.size() == 0) {
            h.raw("<p>None: every job has committed or aborted.</p>\n");
        } else {
            h.raw("<p class=\"warning\">These jobs are reserved and not settled (running, or crashed): they stay "
                    + "charged with their planned events until committed or aborted (dp-ledger resolve).</p>\n");
            h.raw("<table><tr><th>job</th><th>attempt</th><th>reservation entry</th><th>reserved at</th>"
                    + "<th>epsilon alone (planned)</th></tr>\n");
            for (int i = 0; i < open.size(); i++) {
                String p = "/open_reservations/" + i + "/";
                h.raw("<tr><td>").value(p + "job_id").raw("</td><td>").value(p + "attempt").raw("</td><td>")
                        .value(p + "reservation_seq").raw("</td><td>").value(p + "reserved_at").raw("</td><td>")
                        .value(p + "epsilon_alone").raw("</td></tr>\n");
            }
            h.raw("</table>\n");
        }

        h.raw("<h2>Every entry</h2>\n<table><tr><th>entry</th><th>time</th><th>type</th><th>job</th><th>attempt</th>"
                + "<th>status</th><th>epsilon</th><th>delta</th><th>epsilon is</th><th>user</th><th>model</th>"
                + "<th>note</th></tr>\n");
        JsonNode entries = dashboard.path("entries");
        for (int i = 0; i < entries.size(); i++) {
            String p = "/entries/" + i + "/";
            h.raw("<tr><td>").value(p + "seq").raw("</td><td>").value(p + "time").raw("</td><td>").value(p + "type")
                    .raw("</td><td>").value(p + "job_id").raw("</td><td>").value(p + "attempt").raw("</td><td>")
                    .value(p + "status").raw("</td><td>").value(p + "epsilon").raw("</td><td>").value(p + "delta")
                    .raw("</td><td>").value(p + "epsilon_meaning").raw("</td><td>").value(p + "user")
                    .raw("</td><td>").value(p + "model_path").raw("</td><td>").value(p + "note").raw("</td></tr>\n");
        }
        h.raw("</table>\n");
        return h.end();
    }

    private static double num(JsonNode v) {
        return v != null && v.isNumber() ? v.asDouble() : Double.NaN;
    }
}
