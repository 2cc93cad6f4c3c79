package org.dpspark.jobs.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a rendered dpspark page must satisfy (the contract of org.dpspark.jobs.report.html's pages):
 * <ul>
 *   <li>its title names {@code titleMustContain} (the job id, or the dataset id);</li>
 *   <li>every expected chart ({@code figure.chart#chart-NAME}) has drawn: an SVG of non-zero size on screen, a
 *       non-empty drawn area, at least 3 shapes, and every expected series declared and named in the SVG's text
 *       (its legend);</li>
 *   <li>every value shown under a {@code data-json} pointer is the JSON's: strings and booleans verbatim, numbers
 *       within half a unit of the last digit shown; and at least {@code minShown} values are shown;</li>
 *   <li>nothing is loaded from anywhere: no URL other than a fragment or a data: URL;</li>
 *   <li>the browser's console stayed empty.</li>
 * </ul>
 */
public final class PageCheck {
    private PageCheck() {}

    /** The problems found, one line each; empty when the page satisfies the contract. */
    public static List<String> problems(HeadlessChromium.Inspection page, JsonNode source, String titleMustContain,
            Map<String, List<String>> expectedCharts, int minShown) {
        List<String> p = new ArrayList<>();
        if (!page.title().contains(titleMustContain)) {
            p.add("title '" + page.title() + "' does not name '" + titleMustContain + "'");
        }
        expectedCharts.forEach((name, series) -> {
            HeadlessChromium.Chart c = page.charts().stream().filter(x -> x.id().equals("chart-" + name)).findFirst()
                    .orElse(null);
            if (c == null) {
                p.add("chart '" + name + "' is missing");
                return;
            }
            if (!(c.width() > 0 && c.height() > 0)) {
                p.add("chart '" + name + "' has no size on screen (" + c.width() + " x " + c.height() + ")");
            }
            if (!(c.drawnWidth() > 0 && c.drawnHeight() > 0) || c.shapes() < 3) {
                p.add("chart '" + name + "' drew nothing (" + c.shapes() + " shapes, drawn area " + c.drawnWidth()
                        + " x " + c.drawnHeight() + ")");
            }
            for (String s : series) {
                if (!c.declaredSeries().contains(s)) {
                    p.add("chart '" + name + "' does not declare the series '" + s + "' (declares "
                            + c.declaredSeries() + ")");
                }
                if (c.texts().stream().noneMatch(t -> t.trim().equals(s))) {
                    p.add("chart '" + name + "' does not name the series '" + s + "' in its drawing");
                }
            }
        });
        if (page.shown().size() < minShown) {
            p.add("only " + page.shown().size() + " values are tied to the JSON (data-json); expected at least "
                    + minShown);
        }
        for (HeadlessChromium.Shown s : page.shown()) {
            String problem = mismatch(source, s.pointer(), s.text().trim());
            if (problem != null) {
                p.add(problem);
            }
        }
        for (String u : page.urls()) {
            if (!(u.startsWith("#") || u.startsWith("data:"))) {
                p.add("the page refers to '" + u + "': it must not need anything outside itself");
            }
        }
        for (String c : page.console()) {
            p.add("console: " + c);
        }
        return p;
    }

    private static String mismatch(JsonNode source, String pointer, String shown) {
        JsonNode v;
        try {
            v = source.at(pointer);
        } catch (IllegalArgumentException e) {
            return "data-json '" + pointer + "' is not a JSON pointer";
        }
        if (v.isMissingNode()) {
            return "data-json '" + pointer + "' points at nothing in the JSON (shown: '" + shown + "')";
        }
        if (v.isNumber()) {
            BigDecimal text;
            try {
                text = new BigDecimal(shown);
            } catch (NumberFormatException e) {
                return "'" + pointer + "' shows '" + shown + "', not a number; the JSON has " + v;
            }
            BigDecimal tolerance = BigDecimal.ONE.scaleByPowerOfTen(-Math.max(text.scale(), 0) - 1).multiply(
                    BigDecimal.valueOf(5));
            BigDecimal diff = text.subtract(v.decimalValue()).abs();
            return diff.compareTo(tolerance) <= 0 ? null
                    : "'" + pointer + "' shows " + shown + " but the JSON has " + v;
        }
        if (v.isValueNode()) {
            String expected = v.isNull() ? "null" : v.asText();
            return expected.equals(shown) ? null : "'" + pointer + "' shows '" + shown + "' but the JSON has '"
                    + expected + "'";
        }
        return "data-json '" + pointer + "' points at a " + v.getNodeType() + ", not at a value";
    }
}
