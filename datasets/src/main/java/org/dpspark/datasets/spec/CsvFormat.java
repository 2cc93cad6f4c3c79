package org.dpspark.datasets.spec;

import java.io.Serializable;

/**
 * The CSV dialect of a spec's input files, passed to Spark's CSV reader as its {@code sep}, {@code quote} and
 * {@code escape} options. JSON form (every key optional, each a one-character string; omitted keys keep Spark's
 * defaults):
 * <pre>{@code "csv": {"delimiter": ";", "quote": "\"", "escape": "\\"}}</pre>
 * A dialect is public metadata about the file layout, not about its content.
 *
 * @param delimiter the field separator (default {@code ,})
 * @param quote     the quote character (default {@code "})
 * @param escape    the escape character inside quoted fields (default {@code \}); may equal {@code quote}
 *                  (RFC 4180 doubled quotes)
 */
public record CsvFormat(char delimiter, char quote, char escape) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Spark's defaults: {@code ,} {@code "} {@code \}. */
    public static final CsvFormat DEFAULT = new CsvFormat(',', '"', '\\');

    public CsvFormat {
        check(delimiter, "delimiter");
        check(quote, "quote");
        check(escape, "escape");
        if (delimiter == quote || delimiter == escape) {
            throw new IllegalArgumentException("csv: the delimiter must differ from the quote and escape characters,"
                    + " got " + show(delimiter));
        }
    }

    /** The same dialect with another delimiter. */
    public CsvFormat withDelimiter(char c) {
        return new CsvFormat(c, quote, escape);
    }

    /** Whether this is {@link #DEFAULT}. */
    public boolean isDefault() {
        return equals(DEFAULT);
    }

    private static void check(char c, String key) {
        if (c == '\n' || c == '\r' || c == '\0') {
            throw new IllegalArgumentException("csv: \"" + key + "\" must not be a line break or NUL, got "
                    + show(c));
        }
    }

    /** A character as it would be written in JSON: {@code ";"}, {@code "\t"}. */
    static String show(char c) {
        return switch (c) {
            case '\t' -> "\"\\t\"";
            case '\n' -> "\"\\n\"";
            case '\r' -> "\"\\r\"";
            case '\\' -> "\"\\\\\"";
            case '"' -> "\"\\\"\"";
            default -> c < 0x20 ? String.format("\"\\u%04x\"", (int) c) : "\"" + c + "\"";
        };
    }
}
