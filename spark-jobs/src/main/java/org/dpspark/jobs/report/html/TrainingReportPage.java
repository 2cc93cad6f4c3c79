package org.dpspark.jobs.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code report.html}: the training report ({@code report.json}, {@code org.dpspark.jobs.report.Reports}) as a
 * self-contained page: the guarantee in plain words, the DP loss with its noise band, epsilon over steps by both
 * accountants with the budget line, the evaluation (metrics, confusion matrix, calibration), a search's trials, and
 * the provenance. Everything it shows is read from the JSON tree.
 */
public final class TrainingReportPage {
    private TrainingReportPage() {}

    /** The page for {@code report} (a report JSON tree), as UTF-8 bytes. */
    public static byte[] render(JsonNode report) {
        return html(report).getBytes(StandardCharsets.UTF_8);
    }

    /** The page for {@code report} as text. */
    public static String html(JsonNode report) {
        Html h = new Html(report);
        String job = report.path("job_id").asText("");
        h.head("dpspark training report: " + job);
        h.raw("<h1>Training report: ").value("/job_id").raw("</h1>\n");
        h.raw("<p class=\"note\">dpspark ").value("/dpspark_version").raw(", started ").value("/started_at")
                .raw(", finished ").value("/finished_at").raw("; model ").value("/model_path").raw(".</p>\n");
        guarantee(h);
        training(h);
        privacy(h);
        evaluation(h);
        tuning(h);
        provenance(h);
        return h.end();
    }

    /**
     * The page written when {@link #render} fails: the job id and a pointer to report.json, so the report pair is still
     * published together.
     */
    public static byte[] fallback(JsonNode report) {
        Html h = new Html(report);
        h.head("dpspark training report: " + report.path("job_id").asText(""));
        h.raw("<h1>Training report: ").value("/job_id").raw("</h1>\n<p class=\"warning\">This page could not be "
                + "rendered; every number of the report is in the JSON report beside it.</p>\n");
        return h.end().getBytes(StandardCharsets.UTF_8);
    }

    private static void guarantee(Html h) {
        JsonNode p = h.root().path("privacy");
        boolean none = p.has("guarantee");
        boolean insecure = p.path("insecure_test_run").asBoolean(false);
        h.raw("<section class=\"guarantee").raw(none || insecure ? " none" : "").raw("\" id=\"guarantee\">\n")
                .raw("<h2>The privacy guarantee</h2>\n");
        boolean user = "user".equals(p.path("unit").asText());
        String who = user ? "any one user (all of that user's rows together)" : "any one person's record (one row)";
        if (none) {
            h.raw("<p class=\"warning\">This model has NO differential-privacy guarantee: ").value("/privacy/guarantee")
                    .raw(". It was trained without noise; it may reveal its training data.</p>\n");
        } else {
            h.raw("<p>Privacy unit: ").value("/privacy/unit").raw(" (").value("/privacy/adjacency").raw("). ")
                    .raw("Epsilon ").value("/privacy/epsilon").raw(" at delta ").value("/privacy/delta")
                    .raw(" (").value("/privacy/accountant").raw(" accountant), over ").value("/privacy/steps")
                    .raw(" steps at sampling rate ").value("/privacy/sampling_rate").raw(" with noise multiplier ")
                    .value("/privacy/noise_multiplier").raw(".");
            if (h.has("/tuning/trials_run")) {
                h.raw(" This guarantee covers the whole hyperparameter search (").value("/tuning/trials_run")
                        .raw(" trials, one selection event: see the search below), not only this model's training.");
            }
            h.raw("</p>\n");
            h.raw("<p>What it means: ").text(who).raw(" changes the probability of any outcome of this training, "
                    + "including this model, by at most a factor of e<sup>epsilon</sup> (here e<sup>")
                    .value("/privacy/epsilon").raw("</sup>), except with probability at most delta (")
                    .value("/privacy/delta").raw("). Whether that record was in the training data or not, "
                    + "nobody looking at the model can tell much better than that.</p>\n");
        }
        if (insecure) {
            h.raw("<p class=\"warning\">INSECURE TEST RUN (insecure_test_run = ").value("/privacy/insecure_test_run")
                    .raw("): the noise came from a fixed seed, so it can be reproduced and removed; no guarantee "
                    + "holds for this model.</p>\n");
        }
        h.raw("</section>\n");
    }

    private static void training(Html h) {
        JsonNode t = h.root().path("training");
        if (t.isMissingNode()) {
            return;
        }
        h.raw("<h2>Training</h2>\n");
        JsonNode loss = t.path("loss_per_epoch");
        JsonNode std = t.path("loss_noise_std_per_epoch");
        boolean anyLoss = false;
        for (int i = 0; loss.isArray() && i < loss.size(); i++) {
            anyLoss |= loss.get(i).isNumber();
        }
        if (loss.isArray() && loss.size() > 0 && !anyLoss) {
            h.raw("<p class=\"note\">").value("/training/loss_note").raw("</p>\n"); // not tracked: no chart of nulls
        } else if (loss.isArray() && loss.size() > 0) {
            int n = loss.size();
            double[] x = new double[n];
            double[] y = new double[n];
            double[] lo = new double[n];
            double[] hi = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = i + 1;
                y[i] = number(loss.get(i));
                double s = i < std.size() ? number(std.get(i)) : Double.NaN;
                lo[i] = y[i] - 2 * s;
                hi[i] = y[i] + 2 * s;
            }
            String line = "DP loss estimate";
            String band = "noise band (2 std)";
            boolean hasBand = std.isArray() && std.size() > 0;
            List<String> names = hasBand ? List.of(line, band) : List.of(line);
            Charts.figure(h, "loss", names, () -> Charts.lines("Training loss per epoch", "epoch", "mean loss",
                    hasBand ? List.of(new Charts.Band(band, x, lo, hi)) : List.of(),
                    List.of(new Charts.Series(line, x, y)), true));
            h.raw("<table><tr><th>epoch</th><th>DP loss estimate</th><th>noise std</th></tr>\n");
            for (int i = 0; i < n; i++) {
                h.raw("<tr><td>").text(Integer.toString(i + 1)).raw("</td><td>").value("/training/loss_per_epoch/" + i)
                        .raw("</td><td>").value("/training/loss_noise_std_per_epoch/" + i).raw("</td></tr>\n");
            }
            h.raw("</table>\n<p class=\"note\">").value("/training/loss_note").raw("</p>\n");
        }
        h.raw("<table>\n");
        h.row("model", "/training/model").row("optimizer", "/training/optimizer")
                .rowIfPresent("momentum", "/training/momentum")
                .rowIfPresent("released model: EMA of the iterates, decay", "/training/ema_decay")
                .row("learning rate", "/training/learning_rate")
                .row("learning-rate schedule", "/training/lr_schedule").row("epochs", "/training/epochs")
                .row("steps", "/training/steps").row("batch size", "/training/batch_size")
                .row("sampling rate", "/training/sampling_rate").row("noise multiplier", "/training/noise_multiplier")
                .row("clip norm", "/training/clip_norm").row("step mode", "/training/step_mode")
                .rowIfPresent("training loop seconds", "/training/training_loop_seconds");
        h.raw("</table>\n");
        if (t.has("data_normalization")) {
            h.raw("<h3>DP data normalization</h3>\n<table>\n");
            h.row("kind", "/training/data_normalization/kind")
                    .row("noise multiplier", "/training/data_normalization/noise_multiplier")
                    .row("epsilon of the normalization alone", "/training/data_normalization/epsilon_alone")
                    .rowIfPresent("share of the run's epsilon (alone / total)",
                            "/training/data_normalization/epsilon_share")
                    .row("accounting", "/training/data_normalization/accounting");
            h.raw("</table>\n");
        }
    }

    private static void privacy(Html h) {
        JsonNode c = h.root().path("privacy").path("epsilon_curve");
        if (!c.isObject()) {
            return;
        }
        h.raw("<h2>Privacy spent over the steps</h2>\n");
        JsonNode steps = c.path("steps");
        int n = steps.size();
        double[] x = new double[n];
        double[] rdp = new double[n];
        double[] pld = new double[n];
        boolean hasPld = false;
        for (int i = 0; i < n; i++) {
            x[i] = steps.get(i).asDouble();
            rdp[i] = number(c.path("rdp").path(i));
            pld[i] = number(c.path("pld").path(i));
            hasPld |= !Double.isNaN(pld[i]);
        }
        List<Charts.Series> series = new ArrayList<>();
        List<String> names = new ArrayList<>();
        series.add(new Charts.Series("RDP", x, rdp));
        names.add("RDP");
        if (hasPld) {
            series.add(new Charts.Series("PLD", x, pld));
            names.add("PLD");
        }
        boolean hasBudget = h.has("/privacy/epsilon_curve/budget_epsilon") && n > 0;
        if (hasBudget) {
            double b = c.path("budget_epsilon").asDouble();
            series.add(new Charts.Series("budget", new double[] {x[0], x[n - 1]}, new double[] {b, b}));
            names.add("budget");
        }
        Charts.figure(h, "epsilon", names, () -> Charts.lines("Epsilon at delta after each step", "steps", "epsilon",
                List.of(), series, false));
        h.raw("<table>\n").row("delta", "/privacy/epsilon_curve/delta")
                .row("budget line", "/privacy/epsilon_curve/budget_epsilon")
                .row("budget line from", "/privacy/epsilon_curve/budget_source")
                .rowIfPresent("RDP epsilon (whole run)", "/privacy/rdp_epsilon")
                .rowIfPresent("PLD epsilon (whole run)", "/privacy/pld_epsilon")
                .rowIfPresent("claimed epsilon", "/privacy/epsilon")
                .rowIfPresent("target epsilon", "/privacy/target_epsilon");
        h.raw("</table>\n<p class=\"note\">").value("/privacy/epsilon_curve/note").raw("</p>\n");
    }

    private static void evaluation(Html h) {
        JsonNode e = h.root().path("evaluation");
        if (!e.isObject()) {
            return;
        }
        h.raw("<h2>Evaluation</h2>\n<p class=\"note\">").value("/evaluation/note").raw("</p>\n<table>\n");
        h.row("input", "/evaluation/input").row("fingerprint", "/evaluation/fingerprint").row("rows", "/evaluation/rows");
        for (Iterator<Map.Entry<String, JsonNode>> it = e.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getValue().isNumber() && !f.getKey().equals("rows")) {
                h.row(f.getKey(), Html.pointer("/evaluation", f.getKey()));
            } else if (f.getValue().isNull()) {
                h.row(f.getKey(), Html.pointer("/evaluation", f.getKey()));
            }
        }
        h.raw("</table>\n");
        confusion(h, e.path("confusion_matrix"));
        calibration(h, e.path("calibration"));
    }

    private static void confusion(Html h, JsonNode cm) {
        JsonNode counts = cm.path("counts");
        if (!counts.isArray() || counts.size() == 0) {
            return;
        }
        int k = counts.size();
        List<String> rows = new ArrayList<>();
        List<String> cols = new ArrayList<>();
        double[][] v = new double[k][k];
        for (int y = 0; y < k; y++) {
            String label = Html.show(cm.path("labels").path(y));
            rows.add("label " + label);
            cols.add("predicted " + label);
            for (int c = 0; c < k; c++) {
                v[y][c] = counts.get(y).path(c).asDouble();
            }
        }
        h.raw("<h3>Confusion matrix</h3>\n");
        Charts.figure(h, "confusion", cols, () -> Charts.stackedBars("Evaluation rows by label and predicted class",
                "true label", "rows", rows, cols, v));
        h.raw("<table><tr><th>label \\ predicted</th>");
        for (int c = 0; c < k; c++) {
            h.raw("<th>").value("/evaluation/confusion_matrix/labels/" + c).raw("</th>");
        }
        h.raw("</tr>\n");
        for (int y = 0; y < k; y++) {
            h.raw("<tr><th>").value("/evaluation/confusion_matrix/labels/" + y).raw("</th>");
            for (int c = 0; c < k; c++) {
                h.raw("<td>").value("/evaluation/confusion_matrix/counts/" + y + "/" + c).raw("</td>");
            }
            h.raw("</tr>\n");
        }
        h.raw("</table>\n");
    }

    private static void calibration(Html h, JsonNode cal) {
        JsonNode bins = cal.path("bins");
        if (!bins.isArray() || bins.size() == 0) {
            return;
        }
        List<double[]> pts = new ArrayList<>();
        for (JsonNode b : bins) {
            if (b.path("count").asLong() > 0 && b.path("mean_predicted_probability").isNumber()) {
                pts.add(new double[] {b.path("mean_predicted_probability").asDouble(), b.path("accuracy").asDouble()});
            }
        }
        double[] x = pts.stream().mapToDouble(p -> p[0]).toArray();
        double[] y = pts.stream().mapToDouble(p -> p[1]).toArray();
        h.raw("<h3>Calibration</h3>\n");
        Charts.figure(h, "calibration", List.of("model", "perfect calibration"), () -> Charts.lines(
                "Reliability: observed accuracy by predicted probability", "mean predicted probability (bin)",
                "observed accuracy", List.of(), List.of(new Charts.Series("model", x, y),
                        new Charts.Series("perfect calibration", new double[] {0, 1}, new double[] {0, 1})), true));
        h.raw("<table><tr><th>bin</th><th>rows</th><th>mean predicted probability</th><th>observed accuracy</th></tr>\n");
        for (int i = 0; i < bins.size(); i++) {
            String p = "/evaluation/calibration/bins/" + i;
            h.raw("<tr><td>[").value(p + "/lower").raw(", ").value(p + "/upper").raw(i == bins.size() - 1 ? "]" : ")")
                    .raw("</td><td>").value(p + "/count")
                    .raw("</td><td>").value(p + "/mean_predicted_probability").raw("</td><td>")
                    .value(p + "/accuracy").raw("</td></tr>\n");
        }
        h.raw("</table>\n<p class=\"note\">Bins of ").value("/evaluation/calibration/of").raw("; a calibrated model's "
                + "points lie on the diagonal.</p>\n");
    }

    private static void tuning(Html h) {
        JsonNode t = h.root().path("tuning");
        if (!t.isObject()) {
            return;
        }
        h.raw("<h2>Hyperparameter search</h2>\n<table>\n");
        h.row("method", "/tuning/method").row("trials run", "/tuning/trials_run")
                .row("trials distribution", "/tuning/trials_distribution").row("epsilon of the whole search",
                        "/tuning/epsilon")
                .row("delta", "/tuning/delta").row("theorem", "/tuning/theorem").row("accountant", "/tuning/accountant")
                .row("score", "/tuning/score").row("chosen trial", "/tuning/chosen_trial");
        h.raw("</table>\n");
        JsonNode trials = t.path("trials");
        if (trials.isArray() && trials.size() > 0) {
            boolean eval = false;
            for (JsonNode tr : trials) {
                eval |= tr.path("evaluation_not_dp").path("accuracy").isNumber();
            }
            h.raw("<table><tr><th>trial</th><th>learning rate</th><th>clip norm</th><th>momentum</th>"
                    + "<th>noisy validation accuracy (DP)</th>").raw(eval ? "<th>evaluation accuracy (not DP)</th>" : "")
                    .raw("</tr>\n");
            long chosen = t.path("chosen_trial").asLong(-1);
            for (int i = 0; i < trials.size(); i++) {
                String p = "/tuning/trials/" + i;
                boolean isChosen = trials.get(i).path("index").asLong(-2) == chosen;
                h.raw(isChosen ? "<tr class=\"chosen\">" : "<tr>").raw("<td>").value(p + "/index")
                        .raw(isChosen ? " (chosen)" : "").raw("</td><td>")
                        .value(p + "/learning_rate").raw("</td><td>").value(p + "/clip_norm").raw("</td><td>")
                        .value(p + "/momentum").raw("</td><td>").value(p + "/noisy_validation_accuracy").raw("</td>");
                if (eval) {
                    h.raw("<td>").value(p + "/evaluation_not_dp/accuracy").raw("</td>");
                }
                h.raw("</tr>\n");
            }
            h.raw("</table>\n");
        }
    }

    private static void provenance(Html h) {
        h.raw("<h2>Provenance</h2>\n<h3>Data</h3>\n<table>\n");
        h.row("input", "/data/input").row("format", "/data/format").row("fingerprint", "/data/fingerprint")
                .row("rows", "/data/rows").row("feature spec", "/data/feature_spec").row("dimension", "/data/dimension");
        h.raw("</table>\n<h3>Trainer and parameters</h3>\n<table>\n");
        JsonNode tr = h.root().path("trainer");
        for (Iterator<String> it = tr.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (tr.get(f).isValueNode()) {
                h.row(f.replace('_', ' '), Html.pointer("/trainer", f));
            }
        }
        h.row("privacy unit", "/privacy/unit").row("clip norm", "/privacy/clip_norm").row("sampling", "/privacy/sampling");
        h.raw("</table>\n<h3>Code</h3>\n<table>\n").row("dpspark version", "/dpspark_version")
                .row("Spark version", "/spark_version").row("Spark master", "/spark_master");
        h.raw("</table>\n<h3>Ledger entry</h3>\n<table>\n");
        if (h.root().path("ledger").path("recorded").asBoolean(false)) {
            h.row("ledger", "/ledger/location").row("dataset id", "/ledger/dataset_id")
                    .row("reservation entry", "/ledger/reservation_seq").row("commit entry", "/ledger/commit_seq")
                    .row("accountant", "/ledger/accountant")
                    .row("dataset's cumulative epsilon after this run", "/ledger/cumulative_epsilon")
                    .row("at delta", "/ledger/cumulative_delta").row("budget epsilon", "/ledger/budget_epsilon")
                    .row("budget delta", "/ledger/budget_delta").row("remaining epsilon", "/ledger/remaining_epsilon");
        } else {
            h.row("not recorded", "/ledger/reason");
        }
        h.raw("</table>\n");
    }

    /** A JSON number's value, NaN for null or missing. */
    private static double number(JsonNode v) {
        return v != null && v.isNumber() ? v.asDouble() : Double.NaN;
    }
}
