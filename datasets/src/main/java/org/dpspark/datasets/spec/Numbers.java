package org.dpspark.datasets.spec;

/**
 * Strict parsing of numbers written as text (CSV, UCI files).
 *
 * <p>Accepted: an optional sign, decimal digits with an optional fraction, and an optional exponent
 * ({@code [+-]?(d+(.d*)?|.d+)([eE][+-]?d+)?}), after trimming; also "NaN" and "Inf"/"Infinity" with optional
 * sign (case-insensitive), which parse but are then reported as NaN / infinite. Java's looser forms
 * ({@code "1d"}, {@code "0x1p3"}, {@code "1f"}) are rejected as non-numeric.
 */
final class Numbers {

    private Numbers() {
    }

    /** Result for a blank string. */
    static final int BLANK = 1;
    /** Result for a string that is not a number. */
    static final int INVALID = 2;
    /** Result for a valid number. */
    static final int OK = 0;

    /** Classifies {@code s} (already non-null): {@link #OK}, {@link #BLANK} or {@link #INVALID}. */
    static int classify(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && Character.isWhitespace(s.charAt(start))) {
            start++;
        }
        while (end > start && Character.isWhitespace(s.charAt(end - 1))) {
            end--;
        }
        if (start == end) {
            return BLANK;
        }
        int i = start;
        char c = s.charAt(i);
        if (c == '+' || c == '-') {
            i++;
        }
        if (i == end) {
            return INVALID;
        }
        if (isSpecial(s, i, end)) {
            return OK;
        }
        int intDigits = 0;
        while (i < end && isDigit(s.charAt(i))) {
            i++;
            intDigits++;
        }
        int fracDigits = 0;
        if (i < end && s.charAt(i) == '.') {
            i++;
            while (i < end && isDigit(s.charAt(i))) {
                i++;
                fracDigits++;
            }
        }
        if (intDigits + fracDigits == 0) {
            return INVALID;
        }
        if (i < end && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < end && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int expDigits = 0;
            while (i < end && isDigit(s.charAt(i))) {
                i++;
                expDigits++;
            }
            if (expDigits == 0) {
                return INVALID;
            }
        }
        return i == end ? OK : INVALID;
    }

    /** Parses a string {@link #classify} accepted. */
    static double parse(String s) {
        String t = s.strip();
        int i = 0;
        boolean negative = false;
        if (t.charAt(0) == '+' || t.charAt(0) == '-') {
            negative = t.charAt(0) == '-';
            i = 1;
        }
        String body = t.substring(i);
        if (body.equalsIgnoreCase("nan")) {
            return Double.NaN;
        }
        if (body.equalsIgnoreCase("inf") || body.equalsIgnoreCase("infinity")) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        return Double.parseDouble(t);
    }

    private static boolean isSpecial(String s, int from, int end) {
        int n = end - from;
        return (n == 3 && (s.regionMatches(true, from, "nan", 0, 3) || s.regionMatches(true, from, "inf", 0, 3)))
                || (n == 8 && s.regionMatches(true, from, "infinity", 0, 8));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
