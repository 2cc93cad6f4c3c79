package org.dpspark.core.params;

/**
 * The parameter checks of dpspark, written once: every check rejects NaN and both infinities, and its exception
 * names the parameter (canonically; see {@link InvalidParameterException}) with the rule and the value given.
 * Conditions are written as {@code !(x > 0)} so that NaN fails.
 */
public final class Checks {
    private Checks() {}

    /** {@code value} must be finite and > 0. */
    public static double positive(String parameter, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw InvalidParameterException.of(parameter, "must be a finite number > 0, got " + value);
        }
        return value;
    }

    /** {@code value} must be finite and >= 0. */
    public static double nonNegative(String parameter, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw InvalidParameterException.of(parameter, "must be a finite number >= 0, got " + value);
        }
        return value;
    }

    /** {@code value} must lie in the open interval (lo, hi). */
    public static double openInterval(String parameter, double value, double lo, double hi) {
        if (!(value > lo && value < hi)) {
            throw InvalidParameterException.of(parameter, "must be in (" + lo + ", " + hi + "), got " + value);
        }
        return value;
    }

    /** {@code value} must lie in [lo, hi). */
    public static double halfOpen(String parameter, double value, double lo, double hi) {
        if (!(value >= lo && value < hi)) {
            throw InvalidParameterException.of(parameter, "must be in [" + lo + ", " + hi + "), got " + value);
        }
        return value;
    }

    /** {@code value} must be >= {@code min}. */
    public static long atLeast(String parameter, long value, long min) {
        if (value < min) {
            throw InvalidParameterException.of(parameter, "must be >= " + min + ", got " + value);
        }
        return value;
    }

    /** {@code value} must be one of {@code allowed}. */
    public static String oneOf(String parameter, String value, java.util.Collection<String> allowed) {
        if (value == null || !allowed.contains(value)) {
            throw InvalidParameterException.of(parameter, "must be one of " + String.join(", ", allowed) + ", got "
                    + value);
        }
        return value;
    }

    /** Exactly one of the two parameters must be given. */
    public static void exactlyOne(String a, boolean hasA, String b, boolean hasB) {
        if (hasA == hasB) {
            throw new InvalidParameterException(java.util.List.of(a, b), "give exactly one of %s and %s");
        }
    }
}
