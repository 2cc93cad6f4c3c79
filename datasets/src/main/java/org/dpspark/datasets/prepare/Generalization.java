package org.dpspark.datasets.prepare;

import java.io.Serial;
import java.io.Serializable;
import java.util.Locale;
import org.dpspark.core.params.InvalidParameterException;

/**
 * A declared generalization hierarchy: a public, data-independent map from a value to a coarser label (Samarati
 * and Sweeney 1998; Sweeney 2002, "Achieving k-anonymity privacy protection using generalization and
 * suppression"). Nothing is fitted on the data: bands, prefixes and date units are fixed before any row is read,
 * so the hierarchy itself leaks nothing.
 *
 * <p>A value the hierarchy does not cover (an age outside the declared range, a malformed ZIP or date) is refused
 * with a {@link NotCoveredException} that names the hierarchy but never the value; pass the row index to
 * {@link #apply(String, long)} to locate it. Null in, null out (a missing value stays missing).
 *
 * <p>Immutable, thread-safe and Serializable; {@link #apply} allocates at most the returned label (age band
 * labels are precomputed).
 */
public final class Generalization implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private enum Kind { AGE_BANDS, ZIP_PREFIX, DATE_MONTH, DATE_YEAR }

    private static final int ZIP_LENGTH = 5;

    private final Kind kind;
    private final String name;
    private final int width;
    private final int min;
    private final int max;
    private final String[] bandLabels;

    private Generalization(Kind kind, String name, int width, int min, int max, String[] bandLabels) {
        this.kind = kind;
        this.name = name;
        this.width = width;
        this.min = min;
        this.max = max;
        this.bandLabels = bandLabels;
    }

    /**
     * Integer values (e.g. ages) to bands {@code "[lo, hi)"} of {@code width}, starting at {@code min}; the last
     * band ends at {@code max} (it is narrower when {@code width} does not divide {@code max - min}). Values must
     * be decimal integers in [min, max).
     *
     * @throws InvalidParameterException naming {@code ageBands} if {@code width < 1}, {@code min >= max}, or
     *         there would be more than 100,000 bands
     */
    public static Generalization ageBands(int width, int min, int max) {
        if (width < 1) {
            throw InvalidParameterException.of("ageBands", "width must be >= 1, got " + width);
        }
        if (min >= max) {
            throw InvalidParameterException.of("ageBands", "needs min < max, got min=" + min + ", max=" + max);
        }
        long bands = ((long) max - min + width - 1) / width;
        if (bands > 100_000) {
            throw InvalidParameterException.of("ageBands", "would have " + bands + " bands, at most 100000");
        }
        String[] labels = new String[(int) bands];
        for (int b = 0; b < labels.length; b++) {
            long lo = min + (long) b * width;
            long hi = Math.min(lo + width, max);
            labels[b] = "[" + lo + ", " + hi + ")";
        }
        String name = String.format(Locale.ROOT, "ageBands(width=%d, min=%d, max=%d)", width, min, max);
        return new Generalization(Kind.AGE_BANDS, name, width, min, max, labels);
    }

    /**
     * 5-digit ZIP codes to their first {@code digits} digits padded with '*' to 5 characters
     * ({@code zipPrefix(3)}: {@code 02139 -> 021**}). Anything other than exactly 5 ASCII digits is not covered.
     *
     * @throws InvalidParameterException naming {@code zipPrefix} unless {@code 0 <= digits <= 5}
     */
    public static Generalization zipPrefix(int digits) {
        if (digits < 0 || digits > ZIP_LENGTH) {
            throw InvalidParameterException.of("zipPrefix", "digits must be in [0, 5], got " + digits);
        }
        return new Generalization(Kind.ZIP_PREFIX, "zipPrefix(" + digits + ")", digits, 0, 0, null);
    }

    /**
     * ISO dates {@code yyyy-MM-dd} (proleptic Gregorian, year 0000-9999, the day valid for its month) to
     * {@code yyyy-MM} (unit "month") or {@code yyyy} (unit "year"). Other forms (times, offsets, week dates)
     * are not covered.
     *
     * @throws InvalidParameterException naming {@code dateUnit} unless {@code unit} is "month" or "year"
     */
    public static Generalization dateTo(String unit) {
        if ("month".equals(unit)) {
            return new Generalization(Kind.DATE_MONTH, "dateTo(month)", 0, 0, 0, null);
        }
        if ("year".equals(unit)) {
            return new Generalization(Kind.DATE_YEAR, "dateTo(year)", 0, 0, 0, null);
        }
        throw InvalidParameterException.of("dateUnit", "must be \"month\" or \"year\", got \"" + unit + "\"");
    }

    /** A description of the hierarchy, e.g. {@code zipPrefix(3)} (used in errors and provenance). */
    public String name() {
        return name;
    }

    /**
     * The generalized label of {@code value}, or null for null.
     *
     * @throws NotCoveredException if the hierarchy does not cover the value (the message does not contain it)
     */
    public String apply(String value) {
        return apply(value, -1);
    }

    /**
     * As {@link #apply(String)}, with the row index ({@code >= 0}) named in the error; a negative index is
     * omitted.
     */
    public String apply(String value, long row) {
        if (value == null) {
            return null;
        }
        return switch (kind) {
            case AGE_BANDS -> band(value, row);
            case ZIP_PREFIX -> zip(value, row);
            case DATE_MONTH, DATE_YEAR -> date(value, row);
        };
    }

    private String band(String value, long row) {
        int n = value.length();
        if (n == 0 || n > 11) {
            throw outside(row);
        }
        int i = 0;
        boolean negative = value.charAt(0) == '-';
        if (negative || value.charAt(0) == '+') {
            i = 1;
        }
        if (i == n) {
            throw outside(row);
        }
        long v = 0;
        for (; i < n; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw outside(row);
            }
            v = v * 10 + (c - '0');
        }
        if (negative) {
            v = -v;
        }
        if (v < min || v >= max) {
            throw outside(row);
        }
        return bandLabels[(int) ((v - min) / width)];
    }

    private NotCoveredException outside(long row) {
        return new NotCoveredException(name, "a value outside [" + min + ", " + max + ")", row);
    }

    private String zip(String value, long row) {
        if (value.length() != ZIP_LENGTH) {
            throw new NotCoveredException(name, "a value that is not a 5-digit ZIP code", row);
        }
        for (int i = 0; i < ZIP_LENGTH; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw new NotCoveredException(name, "a value that is not a 5-digit ZIP code", row);
            }
        }
        if (width == ZIP_LENGTH) {
            return value;
        }
        char[] out = new char[ZIP_LENGTH];
        value.getChars(0, width, out, 0);
        for (int i = width; i < ZIP_LENGTH; i++) {
            out[i] = '*';
        }
        return new String(out);
    }

    private String date(String value, long row) {
        if (!isIsoDate(value)) {
            throw new NotCoveredException(name, "a value that is not an ISO date yyyy-MM-dd", row);
        }
        return value.substring(0, kind == Kind.DATE_MONTH ? 7 : 4);
    }

    private static boolean isIsoDate(String s) {
        if (s.length() != 10 || s.charAt(4) != '-' || s.charAt(7) != '-') {
            return false;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 7);
        int day = digits(s, 8, 10);
        if (year < 0 || month < 1 || month > 12 || day < 1) {
            return false;
        }
        return day <= daysInMonth(year, month);
    }

    /** The decimal number in s[from, to), or -1 if a character is not an ASCII digit. */
    private static int digits(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static int daysInMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    @Override
    public String toString() {
        return "Generalization[" + name + "]";
    }
}
