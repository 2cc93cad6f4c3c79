package org.dpspark.jobs.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * A page under construction and the rules every page follows: text is HTML-escaped; a value from the JSON is shown
 * inside {@code <span data-json="/pointer">}, its text the value (strings verbatim, integers exactly, other numbers
 * with up to 4 decimals in plain notation, or 4 significant digits in scientific notation below 0.001).
 */
final class Html {
    private final StringBuilder sb = new StringBuilder(32_768);
    private final JsonNode root;

    Html(JsonNode root) {
        this.root = root;
    }

    /** The JSON document the page shows. */
    JsonNode root() {
        return root;
    }

    /** Appends markup as is (never text from the JSON: {@link #text} or {@link #value} escape it). */
    Html raw(String markup) {
        sb.append(markup);
        return this;
    }

    /** Appends escaped text. */
    Html text(String s) {
        sb.append(escape(s));
        return this;
    }

    /**
     * Appends the value at {@code pointer} in its {@code data-json} span; a missing or null value as "none" outside
     * any span (nothing to check).
     */
    Html value(String pointer) {
        JsonNode v = root.at(pointer);
        if (v.isMissingNode() || v.isNull()) {
            sb.append("<span class=\"none\">none</span>");
            return this;
        }
        sb.append("<span data-json=\"").append(escape(pointer)).append("\">").append(escape(show(v))).append("</span>");
        return this;
    }

    /** Whether the JSON has a non-null value at {@code pointer}. */
    boolean has(String pointer) {
        JsonNode v = root.at(pointer);
        return !v.isMissingNode() && !v.isNull();
    }

    /** A table row: a header cell {@code label} and the value at {@code pointer}. */
    Html row(String label, String pointer) {
        raw("<tr><th>").text(label).raw("</th><td>");
        value(pointer);
        return raw("</td></tr>\n");
    }

    /** A table row only when the JSON has a value at {@code pointer}. */
    Html rowIfPresent(String label, String pointer) {
        return has(pointer) ? row(label, pointer) : this;
    }

    @Override
    public String toString() {
        return sb.toString();
    }

    /** The text a JSON scalar is shown as. */
    static String show(JsonNode v) {
        if (v.isIntegralNumber()) {
            return v.bigIntegerValue().toString();
        }
        if (v.isNumber()) {
            return number(v.doubleValue());
        }
        return v.asText();
    }

    /**
     * A double as shown: up to 4 decimals in plain notation (trailing zeros dropped), or, for 0 &lt; |v| &lt; 0.001,
     * 4 significant digits in scientific notation as {@code 1e-05} or {@code 1.234e-07}; non-finite values by name.
     */
    static String number(double v) {
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        if (v == 0) {
            return "0";
        }
        if (Math.abs(v) < 1e-3) {
            BigDecimal d = new BigDecimal(v).round(new MathContext(4, RoundingMode.HALF_EVEN));
            int exponent = d.precision() - d.scale() - 1;
            BigDecimal mantissa = d.movePointRight(-exponent).stripTrailingZeros();
            String m = mantissa.scale() <= 0 ? mantissa.toBigInteger().toString() : mantissa.toPlainString();
            return m + "e" + (exponent < 0 ? "-" : "+") + String.format(java.util.Locale.ROOT, "%02d", Math.abs(exponent));
        }
        BigDecimal d = new BigDecimal(v).setScale(4, RoundingMode.HALF_EVEN).stripTrailingZeros();
        String s = d.scale() <= 0 ? d.toBigInteger().toString() : d.toPlainString();
        return s.equals("-0") ? "0" : s;
    }

    /** Escapes {@code s} for HTML text and double-quoted attribute values. */
    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** The RFC 6901 pointer of {@code parent}'s member {@code name} ('~' and '/' escaped). */
    static String pointer(String parent, String name) {
        return parent + "/" + name.replace("~", "~0").replace("/", "~1");
    }

    /** The common head: the title, the inline style sheet; the body opened. */
    Html head(String title) {
        raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>").text(title)
                .raw("</title>\n<style>\n").raw(STYLE).raw("</style>\n</head>\n<body>\n");
        return this;
    }

    static final String STYLE = """
            body { font-family: sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; color: #222; }
            h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ccc; }
            table { border-collapse: collapse; margin: 0.5em 0; }
            th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
            th { background: #f4f4f4; font-weight: normal; }
            td { font-variant-numeric: tabular-nums; overflow-wrap: break-word; }
            .guarantee { border: 2px solid #2a6f2a; background: #f1f8f1; padding: 0.8em 1.2em; border-radius: 6px; }
            .guarantee.none { border-color: #b00020; background: #fdeeee; }
            .warning { color: #b00020; font-weight: bold; }
            .note { color: #555; font-size: 0.9em; }
            .none { color: #888; }
            figure.chart { margin: 1em 0; }
            .guarantee h2 { margin-top: 0.2em; } figure.chart svg { max-width: 100%; height: auto; }
            .chart-missing { color: #b00020; }
            tr.chosen td { background: #fff7d6; }
            """;

    /** Closes the body and the page. */
    String end() {
        raw("</body>\n</html>\n");
        return toString();
    }
}
