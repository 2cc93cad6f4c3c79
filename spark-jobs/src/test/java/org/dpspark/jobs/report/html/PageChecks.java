package org.dpspark.jobs.report.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The contract a page keeps with its JSON, checked as the lead's browser test reads it: every {@code data-json} value
 * equals the JSON's; every chart figure holds one inline svg whose legend names its {@code data-series}; nothing is
 * loaded from the network.
 */
public final class PageChecks {
    private static final Pattern VALUE = Pattern.compile("<span data-json=\"([^\"]*)\">([^<]*)</span>");
    private static final Pattern FIGURE = Pattern.compile(
            "<figure class=\"chart\" id=\"chart-([^\"]+)\" data-series=\"([^\"]*)\">(.*?)</figure>", Pattern.DOTALL);

    private PageChecks() {}

    /** Checks every data-json value of {@code html} against {@code json}; returns how many were checked. */
    public static int valuesMatch(String html, JsonNode json) {
        Matcher m = VALUE.matcher(html);
        int n = 0;
        while (m.find()) {
            String pointer = unescape(m.group(1));
            String shown = unescape(m.group(2));
            JsonNode v = json.at(pointer);
            if (v.isMissingNode() || v.isNull()) {
                fail("data-json " + pointer + " shows '" + shown + "' but the JSON has no value there");
            }
            if (v.isIntegralNumber()) {
                assertEquals(v.bigIntegerValue().toString(), shown, pointer);
            } else if (v.isNumber()) {
                double s = Double.parseDouble(shown);
                double tolerance = halfUnitOfLastDigit(shown) * (1 + 1e-9);
                assertTrue(Math.abs(s - v.doubleValue()) <= tolerance,
                        pointer + ": shown " + shown + ", JSON " + v.doubleValue());
            } else {
                assertEquals(v.asText(), shown, pointer);
            }
            n++;
        }
        return n;
    }

    /** Half a unit of the last digit shown: 0.5e-4 for "0.1234", 0.5e-8 for "1.234e-05", 0.5 for "12". */
    static double halfUnitOfLastDigit(String shown) {
        String s = shown.toLowerCase(java.util.Locale.ROOT);
        int e = s.indexOf('e');
        String mantissa = e < 0 ? s : s.substring(0, e);
        int exponent = e < 0 ? 0 : Integer.parseInt(s.substring(e + 1));
        int decimals = new BigDecimal(mantissa).scale();
        return 0.5 * Math.pow(10, exponent - decimals);
    }

    /** The chart figures of {@code html}: name, series and the svg; each with one svg whose legend has its series. */
    public static List<String> chartsWithTheirSeries(String html) {
        Matcher m = FIGURE.matcher(html);
        List<String> names = new ArrayList<>();
        while (m.find()) {
            String body = m.group(3);
            assertEquals(1, count(body, "<svg"), "chart " + m.group(1) + " must hold exactly one svg");
            assertTrue(body.strip().startsWith("<svg") && body.strip().endsWith("</svg>"), m.group(1));
            for (String series : unescape(m.group(2)).split("\\|")) {
                assertTrue(body.contains(">" + Html.escape(series) + "</text>")
                                || body.contains(">" + series + "</text>"),
                        "chart " + m.group(1) + ": no legend text '" + series + "'");
            }
            names.add(m.group(1));
        }
        return names;
    }

    /** Nothing from the network: no http(s) URL anywhere, no script. */
    public static void selfContained(String html) {
        String lower = html.toLowerCase(java.util.Locale.ROOT);
        assertFalse(lower.contains("http://") || lower.contains("https://"), "a URL in the page");
        assertFalse(lower.contains("<script"), "a script in the page");
        assertFalse(Pattern.compile("(src|href)\\s*=\\s*['\"](?!#)").matcher(lower).find(), "an external src or href");
        assertFalse(lower.contains("<link"), "a linked resource");
    }

    /**
     * Keeps a copy of a page for people to look at, when the system property {@code dpspark.samplePages} names a
     * folder (e.g. {@code -Ddpspark.samplePages=target-pages}); nothing otherwise.
     */
    public static void savePage(String name, String html) throws java.io.IOException {
        String dir = System.getProperty("dpspark.samplePages");
        if (dir != null && !dir.isBlank()) {
            java.nio.file.Path d = java.nio.file.Files.createDirectories(java.nio.file.Path.of(dir));
            java.nio.file.Files.writeString(d.resolve(name), html);
        }
    }

    /**
     * {@link PageCheck}'s problems of the page at {@code html} opened in headless Chromium; none when no browser is
     * installed (the structural checks above still run everywhere).
     */
    public static List<String> inBrowser(java.nio.file.Path html, JsonNode json, String title,
            java.util.Map<String, List<String>> charts, int minShown) throws Exception {
        java.util.Optional<HeadlessChromium> browser = HeadlessChromium.find();
        if (browser.isEmpty()) {
            return List.of();
        }
        return PageCheck.problems(browser.get().inspect(html), json, title, charts, minShown);
    }

    static int count(String s, String sub) {
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) {
            n++;
        }
        return n;
    }

    static String unescape(String s) {
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
                .replace("&amp;", "&");
    }
}
