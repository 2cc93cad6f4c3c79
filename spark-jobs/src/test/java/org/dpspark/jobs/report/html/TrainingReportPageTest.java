package org.dpspark.jobs.report.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** report.html from a fixture report.json: charts with their series, values equal to the JSON's, escaping. No Spark. */
class TrainingReportPageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ObjectNode fixture;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = TrainingReportPageTest.class.getResourceAsStream("report-fixture.json")) {
            fixture = (ObjectNode) JSON.readTree(in);
        }
    }

    @Test
    void classifierReport_hasTheFourChartsWithTheirSeriesInTheLegend() {
        String html = TrainingReportPage.html(fixture);
        assertEquals(List.of("loss", "epsilon", "confusion", "calibration"), PageChecks.chartsWithTheirSeries(html));
        assertTrue(html.contains("data-series=\"DP loss estimate|noise band (2 std)\""), "loss series");
        assertTrue(html.contains("data-series=\"RDP|PLD|budget\""), "epsilon series");
        assertTrue(html.contains("data-series=\"predicted 0|predicted 1\""), "confusion series");
        assertTrue(html.contains("data-series=\"model|perfect calibration\""), "calibration series");
    }

    @Test
    void everyShownValue_equalsTheJsons_withinHalfAUnitOfItsLastDigit() {
        String html = TrainingReportPage.html(fixture);
        int checked = PageChecks.valuesMatch(html, fixture);
        assertTrue(checked > 100, "only " + checked + " values carry data-json");
        // A few by hand: an integer exactly, a long decimal rounded, delta in scientific notation, a string verbatim.
        assertTrue(html.contains("<span data-json=\"/privacy/steps\">400</span>"));
        assertTrue(html.contains("<span data-json=\"/privacy/noise_multiplier\">1.0123</span>"));
        assertTrue(html.contains("<span data-json=\"/privacy/delta\">1e-05</span>"));
        assertTrue(html.contains("<span data-json=\"/data/fingerprint\">rows-v1:3f2a9c</span>"));
        assertTrue(html.contains("<span data-json=\"/evaluation/confusion_matrix/counts/1/0\">108</span>"));
        assertTrue(html.contains("<span data-json=\"/training/data_normalization/epsilon_share\">0.1057</span>"));
    }

    @Test
    void jobIdWithMarkup_isEscapedEverywhere_andNamedInTitleAndHeading() {
        String html = TrainingReportPage.html(fixture);
        assertFalse(html.contains("<script"), "the job id's markup reached the page");
        String escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; job";
        assertTrue(html.contains("<title>dpspark training report: " + escaped + "</title>"), "title");
        assertTrue(html.contains("<h1>Training report: <span data-json=\"/job_id\">" + escaped + "</span></h1>"), "h1");
    }

    @Test
    void page_isSelfContained() throws IOException {
        String html = TrainingReportPage.html(fixture);
        PageChecks.savePage("fixture-training-report.html", html);
        PageChecks.selfContained(html);
    }

    @Test
    void guarantee_inPlainWords_andANonPrivateOrInsecureRunSaysSoInRed() {
        String html = TrainingReportPage.html(fixture);
        assertTrue(html.contains("changes the probability of any outcome"), "the plain-language sentence");
        assertFalse(html.contains("class=\"guarantee none\""));

        ObjectNode insecure = fixture.deepCopy();
        ((ObjectNode) insecure.get("privacy")).put("insecure_test_run", true);
        String i = TrainingReportPage.html(insecure);
        assertTrue(i.contains("class=\"guarantee none\"") && i.contains("INSECURE TEST RUN"), "insecure");

        ObjectNode none = fixture.deepCopy();
        ObjectNode p = none.putObject("privacy");
        p.put("guarantee", "no differential-privacy guarantee").put("unit", "row").put("sampling", "poisson")
                .put("sampling_rate", 0.025).putNull("noise_multiplier").put("clip_norm", 1.0).put("steps", 400)
                .put("insecure_test_run", false);
        String n = TrainingReportPage.html(none);
        assertTrue(n.contains("class=\"guarantee none\"") && n.contains("NO differential-privacy guarantee"), "none");
        assertFalse(n.contains("id=\"chart-epsilon\""), "no epsilon curve without a guarantee");
        PageChecks.valuesMatch(n, none);
    }

    @Test
    void tuningReport_listsTheTrialsTheTotalEpsilonAndTheTheorem() {
        ObjectNode tuned = fixture.deepCopy();
        ((ObjectNode) tuned.get("privacy")).remove("epsilon_curve");
        ObjectNode t = tuned.putObject("tuning");
        t.put("method", "private random search").put("trials_run", 2).put("trials_distribution", "truncated negative binomial")
                .put("epsilon", 2.75).put("delta", 1e-6).put("theorem", "Papernot and Steinke 2022, Theorem 2")
                .put("accountant", "rdp").put("score", "noisy validation accuracy").put("chosen_trial", 1);
        t.putArray("trials").addObject().put("index", 0).put("learning_rate", 0.1).put("clip_norm", 1.0)
                .put("momentum", 0.0).put("noisy_validation_accuracy", 0.71234);
        ((com.fasterxml.jackson.databind.node.ArrayNode) t.get("trials")).addObject().put("index", 1)
                .put("learning_rate", 0.5).put("clip_norm", 2.0).put("momentum", 0.9)
                .put("noisy_validation_accuracy", 0.80119);
        // one epoch: the noise band is one interval
        ObjectNode training = (ObjectNode) tuned.get("training");
        training.putArray("loss_per_epoch").add(0.7348);
        training.putArray("loss_noise_std_per_epoch").add(0.081);
        String html = TrainingReportPage.html(tuned);
        assertEquals(List.of("loss", "confusion", "calibration"), PageChecks.chartsWithTheirSeries(html));
        assertTrue(html.contains("covers the whole hyperparameter search (<span data-json=\"/tuning/trials_run\">2"));
        assertTrue(html.contains("<span data-json=\"/tuning/theorem\">Papernot and Steinke 2022, Theorem 2</span>"));
        assertTrue(html.contains("<span data-json=\"/tuning/epsilon\">2.75</span>"));
        assertTrue(html.contains("<tr class=\"chosen\"><td><span data-json=\"/tuning/trials/1/index\">1</span> (chosen)"));
        assertTrue(html.contains("<span data-json=\"/training/data_normalization/epsilon_alone\">0.21</span>"));
        PageChecks.valuesMatch(html, tuned);
    }

    @Test
    void aChartThatCannotBeDrawn_becomesANote_andThePageIsStillWritten() {
        Html page = new Html(fixture);
        Charts.figure(page, "loss", List.of("x"), () -> {
            throw new java.awt.AWTError("no fonts");
        });
        Charts.figure(page, "epsilon", List.of("y"), () -> {
            JFreeChart c = Charts.lines("t", "x", "y", List.of(), List.of(new Charts.Series("y", new double[] {0, 1},
                    new double[] {0, 1})), false);
            return c;
        });
        String html = page.toString();
        assertTrue(html.contains("id=\"chart-loss-missing\"") && !html.contains("id=\"chart-loss\""), html);
        assertEquals(List.of("epsilon"), PageChecks.chartsWithTheirSeries(html));
    }

    @Test
    void numbers_areShownPlainWithFourDecimals_orScientificBelowAThousandth() {
        assertEquals("1e-05", Html.number(1e-5));
        assertEquals("1.235e-07", Html.number(1.23456e-7));
        assertEquals("0.0012", Html.number(0.00123));
        assertEquals("2", Html.number(2.0));
        assertEquals("1.9874", Html.number(1.98741234));
        assertEquals("-0.5", Html.number(-0.5));
        assertEquals("12345.6789", Html.number(12345.67891));
        assertEquals("0", Html.number(0.0));
        assertEquals(0.5e-4, PageChecks.halfUnitOfLastDigit("1.9874"), 1e-18);
        assertEquals(0.5e-8, PageChecks.halfUnitOfLastDigit("1.234e-05"), 1e-20);
    }

    @Test
    void fallbackPage_namesTheJob() throws IOException {
        String html = new String(TrainingReportPage.fallback(fixture), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(html.contains("<title>dpspark training report: &lt;script"));
        JsonNode again = JSON.readTree(JSON.writeValueAsString(fixture));
        PageChecks.valuesMatch(html, again);
    }
}
