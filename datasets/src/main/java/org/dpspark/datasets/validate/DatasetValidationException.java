package org.dpspark.datasets.validate;

import java.util.List;

/**
 * The input does not satisfy its feature spec. {@link #getMessage()} is one line listing every violation, e.g.
 * {@code input validation failed: column 'age': 3 non-numeric values (first at row 17); column 'income': 2 labels
 * outside {0, 1} (first at row 5)}; it never contains data values.
 */
public final class DatasetValidationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<Violation> violations;

    /** @param violations non-empty */
    public DatasetValidationException(List<Violation> violations) {
        this(null, violations);
    }

    /**
     * @param input how the caller names the input (a flag such as {@code --input}, or a description), prefixed to
     *     the message; null for none
     * @param violations non-empty
     */
    public DatasetValidationException(String input, List<Violation> violations) {
        super(input == null ? message(violations) : input + ": " + message(violations));
        this.violations = List.copyOf(violations);
    }

    /** The same violations, the message prefixed with how the caller names the input. */
    public DatasetValidationException about(String input) {
        return new DatasetValidationException(input, violations);
    }

    /** Every violation found, in report order (record-level first, then columns in spec order). */
    public List<Violation> violations() {
        return violations;
    }

    private static String message(List<Violation> violations) {
        if (violations == null || violations.isEmpty()) {
            throw new IllegalArgumentException("violations must be non-empty");
        }
        StringBuilder sb = new StringBuilder("input validation failed: ");
        for (int i = 0; i < violations.size(); i++) {
            if (i > 0) {
                sb.append("; ");
            }
            sb.append(violations.get(i).describe());
        }
        return sb.toString();
    }
}
