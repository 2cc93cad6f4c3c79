package org.dpspark.jobs.report.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The browser check itself, on hand-made pages: a page that keeps the contract passes, and each way of breaking it
 * (a chart that drew nothing, a series the legend does not name, a number that is not the JSON's, a URL to the
 * outside, a console error) is caught. Without this, the checks on the real pages could pass vacuously.
 */
class PageCheckBrowserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static HeadlessChromium browser;

    @TempDir Path dir;

    @BeforeAll
    static void findBrowser() {
        browser = HeadlessChromium.find().orElse(null);
    }

    private static final String SOURCE = "{\"job_id\":\"job-7\",\"privacy\":{\"epsilon\":2.99987,\"delta\":1.0E-5,"
            + "\"steps\":1907}}";

    private static final String CHART = "<figure class=\"chart\" id=\"chart-loss\" data-series=\"%s\">"
            + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"300\" height=\"150\">%s</svg></figure>";
    private static final String DRAWN = "<rect x=\"0\" y=\"0\" width=\"300\" height=\"150\" fill=\"white\"/>"
            + "<path d=\"M10 140 L150 60 L290 20\" stroke=\"blue\" fill=\"none\"/>"
            + "<line x1=\"10\" y1=\"140\" x2=\"290\" y2=\"140\" stroke=\"black\"/>"
            + "<text x=\"200\" y=\"20\">train loss</text>";

    private static String page(String chart, String values, String extra) {
        return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>dpspark job-7</title></head><body>"
                + "<h1>job-7</h1>" + chart + values + extra + "</body></html>";
    }

    private static final String VALUES = "<p>epsilon <span data-json=\"/privacy/epsilon\">2.9999</span>, delta "
            + "<span data-json=\"/privacy/delta\">1e-05</span>, steps <span data-json=\"/privacy/steps\">1907</span>, "
            + "job <span data-json=\"/job_id\">job-7</span></p>";

    private List<String> check(String html) throws Exception {
        assumeTrue(browser != null, HeadlessChromium.missingReason());
        Path p = dir.resolve("p" + System.nanoTime() + ".html");
        Files.writeString(p, html);
        JsonNode source = JSON.readTree(SOURCE);
        return PageCheck.problems(browser.inspect(p), source, "job-7", Map.of("loss", List.of("train loss")), 4);
    }

    @Test
    void pageThatKeepsTheContract_passes() throws Exception {
        List<String> problems = check(page(String.format(CHART, "train loss", DRAWN), VALUES, ""));
        assertEquals(List.of(), problems);
    }

    @Test
    void eachBreach_isCaught() throws Exception {
        // drew nothing: an empty SVG
        assertTrue(check(page(String.format(CHART, "train loss", ""), VALUES, "")).stream()
                .anyMatch(s -> s.contains("drew nothing")));
        // a series declared but never named in the drawing
        assertTrue(check(page(String.format(CHART, "train loss", DRAWN.replace("train loss", "loss")), VALUES, ""))
                .stream().anyMatch(s -> s.contains("does not name the series 'train loss'")));
        // a number that is not the JSON's (2.9990 against 2.99987), and one with too few digits to be checked
        List<String> wrong = check(page(String.format(CHART, "train loss", DRAWN), VALUES.replace("2.9999", "2.9990"),
                ""));
        assertTrue(wrong.stream().anyMatch(s -> s.contains("'/privacy/epsilon' shows 2.9990")), wrong.toString());
        // a pointer to nothing
        assertTrue(check(page(String.format(CHART, "train loss", DRAWN), VALUES.replace("/job_id", "/jobid"), ""))
                .stream().anyMatch(s -> s.contains("points at nothing")));
        // a URL to the outside
        assertTrue(check(page(String.format(CHART, "train loss", DRAWN), VALUES,
                "<link rel=\"stylesheet\" href=\"https://cdn.example.org/x.css\">")).stream()
                .anyMatch(s -> s.contains("must not need anything outside itself")));
        // a console error
        assertTrue(check(page(String.format(CHART, "train loss", DRAWN), VALUES,
                "<script>console.error('broken');</script>")).stream().anyMatch(s -> s.contains("console: \"broken\"")));
    }
}
