package org.dpspark.datasets.spec;

import java.io.Serializable;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How the binary label (0 or 1) is read from its column.
 *
 * <ul>
 *   <li><b>Numeric</b> ({@code positive} and {@code negative} both empty): the value must be 0 or 1. Accepted: numeric
 *       types equal to 0 or 1, booleans (false = 0, true = 1), and strings that parse as the number 0 or 1
 *       ("0", "1", "0.0", "1.0", ...) or read "true"/"false" (case-insensitive).</li>
 *   <li><b>Mapped</b>: the value, as a string, trimmed and, when {@code stripTrailingDot}, without one trailing ".",
 *       is 1 when it is in {@code positive} and 0 when it is in {@code negative} (exact, case-sensitive match).
 *       Any other value is a validation error.</li>
 * </ul>
 *
 * @param column           the label column (non-blank)
 * @param positive         values meaning 1 (empty for a numeric label)
 * @param negative         values meaning 0 (empty for a numeric label)
 * @param stripTrailingDot strip one trailing "." before matching (UCI's adult.test writes ">50K.")
 */
public record LabelSpec(String column, List<String> positive, List<String> negative, boolean stripTrailingDot)
        implements Serializable {

    public LabelSpec {
        FeatureSpec.requireColumnName(column, "label");
        positive = copyValues(column, positive);
        negative = copyValues(column, negative);
        if (positive.isEmpty() != negative.isEmpty()) {
            throw new IllegalArgumentException("label '" + column
                    + "': positive and negative must both be given (a mapped label) or both be absent (a numeric"
                    + " 0/1 label), got " + positive.size() + " positive and " + negative.size() + " negative values");
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

    /** True when the label is read as a number (no positive/negative lists). */
    public boolean isNumeric() {
        return positive.isEmpty();
    }

    /** The same mapping read from another column. */
    public LabelSpec withColumn(String newColumn) {
        return new LabelSpec(newColumn, positive, negative, stripTrailingDot);
    }
}
