package org.dpspark.datasets.spec;

import java.io.Serializable;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How the label is read from its column: a class index (binary 0/1, or 0 .. K-1 for K classes) or a bounded real
 * value (regression).
 *
 * <p>Classification ({@code numClasses} K &gt;= 2; 2 for a binary label):
 * <ul>
 *   <li><b>Numeric</b> ({@code positive} and {@code negative} both empty): the value must be 0 or 1. Accepted: numeric
 *       types equal to 0 or 1, booleans (false = 0, true = 1), and strings that parse as the number 0 or 1
 *       ("0", "1", "0.0", "1.0", ...) or read "true"/"false" (case-insensitive).</li>
 *   <li><b>Mapped</b>: the value, as a string, trimmed and, when {@code stripTrailingDot}, without one trailing ".",
 *       is 1 when it is in {@code positive} and 0 when it is in {@code negative} (exact, case-sensitive match).
 *       Any other value is a validation error. Only for binary labels (K = 2).</li>
 *   <li><b>Multiclass</b> (K &gt; 2, numeric): the value must be an integer in [0, K): numeric types, or strings
 *       that parse as such a number ("3", "3.0").</li>
 * </ul>
 * <p>Regression ({@code numClasses} = 0): the value is a number (numeric types, booleans, numeric strings) clipped
 * to the declared public bounds [min, max]: values outside are clipped, not rejected (infinities included);
 * missing, non-numeric and NaN values are validation errors. The bounds are public: never computed from the data.
 *
 * @param column           the label column (non-blank)
 * @param positive         values meaning 1 (empty for a numeric label)
 * @param negative         values meaning 0 (empty for a numeric label)
 * @param stripTrailingDot strip one trailing "." before matching (UCI's adult.test writes ">50K.")
 * @param numClasses       K &gt;= 2 for classification, 0 for regression
 * @param min              regression: the lower label bound, finite; classification: NaN
 * @param max              regression: the upper label bound, finite, &gt; min; classification: NaN
 */
public record LabelSpec(String column, List<String> positive, List<String> negative, boolean stripTrailingDot,
                        int numClasses, double min, double max)
        implements Serializable {

    public LabelSpec {
        FeatureSpec.requireColumnName(column, "label");
        if (numClasses == 0) {
            if (!(Double.isFinite(min) && Double.isFinite(max) && min < max)) {
                throw new IllegalArgumentException("label '" + column + "': a regression label needs finite bounds"
                        + " min < max, got min=" + min + ", max=" + max);
            }
        } else if (numClasses >= 2) {
            if (!Double.isNaN(min) || !Double.isNaN(max)) {
                throw new IllegalArgumentException("label '" + column + "': min and max are only for a regression"
                        + " label (without num_classes), got min=" + min + ", max=" + max + " with num_classes="
                        + numClasses);
            }
        } else {
            throw new IllegalArgumentException("label '" + column + "': num_classes must be >= 2 (or absent for"
                    + " a regression label with min and max), got " + numClasses);
        }
        positive = copyValues(column, positive);
        negative = copyValues(column, negative);
        if (positive.isEmpty() != negative.isEmpty()) {
            throw new IllegalArgumentException("label '" + column
                    + "': positive and negative must both be given (a mapped label) or both be absent (a numeric"
                    + " 0/1 label), got " + positive.size() + " positive and " + negative.size() + " negative values");
        }
        if (!positive.isEmpty() && numClasses != 2) {
            throw new IllegalArgumentException("label '" + column + "': positive and negative values are only for a"
                    + " binary label, got them with " + (numClasses == 0 ? "a regression label" : "num_classes="
                    + numClasses));
        }
        Set<String> seen = new HashSet<>();
        for (List<String> list : List.of(positive, negative)) {
            for (String v : list) {
                if (v.isBlank() || !v.equals(v.strip())) {
                    throw new IllegalArgumentException("label '" + column + "': label value '" + v
                            + "' must be non-blank without surrounding whitespace");
                }
                if (!seen.add(v)) {
                    throw new IllegalArgumentException("label '" + column + "': value '" + v
                            + "' is listed twice (in positive and/or negative)");
                }
            }
        }
    }

    /** A binary label: numeric 0/1 when positive and negative are empty, mapped otherwise. */
    public LabelSpec(String column, List<String> positive, List<String> negative, boolean stripTrailingDot) {
        this(column, positive, negative, stripTrailingDot, 2, Double.NaN, Double.NaN);
    }

    private static List<String> copyValues(String column, List<String> values) {
        if (values == null) {
            return List.of();
        }
        for (String v : values) {
            if (v == null) {
                throw new IllegalArgumentException("label '" + column + "': label values must not be null");
            }
        }
        return List.copyOf(values);
    }

    /** A numeric label: the column holds 0 or 1. */
    public static LabelSpec numeric(String column) {
        return new LabelSpec(column, List.of(), List.of(), false);
    }

    /** A mapped label. */
    public static LabelSpec mapped(String column, List<String> positive, List<String> negative,
                                   boolean stripTrailingDot) {
        return new LabelSpec(column, positive, negative, stripTrailingDot);
    }

    /** A multiclass label: the column holds class indices 0 .. numClasses-1 (numClasses &gt;= 2). */
    public static LabelSpec multiclass(String column, int numClasses) {
        return new LabelSpec(column, List.of(), List.of(), false, numClasses, Double.NaN, Double.NaN);
    }

    /** A regression label clipped to the public bounds [min, max]. */
    public static LabelSpec regression(String column, double min, double max) {
        return new LabelSpec(column, List.of(), List.of(), false, 0, min, max);
    }

    /** True for a regression label (numClasses = 0). */
    public boolean isRegression() {
        return numClasses == 0;
    }

    /** True when the label is read as a number (no positive/negative lists). */
    public boolean isNumeric() {
        return positive.isEmpty();
    }

    /** The same mapping read from another column. */
    public LabelSpec withColumn(String newColumn) {
        return new LabelSpec(newColumn, positive, negative, stripTrailingDot, numClasses, min, max);
    }
}
