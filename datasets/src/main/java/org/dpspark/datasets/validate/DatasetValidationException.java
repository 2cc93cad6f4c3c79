package org.dpspark.datasets.validate;

import java.util.List;

/**
 * The input does not satisfy its feature spec. {@link #getMessage()} is one line listing every violation, e.g.
 * {@code input validation failed: column 'age': 3 non-numeric values (first at row 17); column 'income': 2 labels
 * outside {0, 1} (first at row 5)}; it never contains data values, but it does disclose counts and row numbers of
 * the private input (fine for the data owner). {@link #redacted()} gives the same exception with a message that
 * names only the kind of each problem and its column, for operators who must not learn about the rows;
 * {@link #violations()} always holds the full list for programmatic callers.
 */
public final class DatasetValidationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String input;
    private final List<Violation> violations;
    private final boolean redacted;
    private final String note;

    /** @param violations non-empty */
    public DatasetValidationException(List<Violation> violations) {
        this(null, violations);
    }

    /**
     * @param violations non-empty
     * @param note       said once, in parentheses, after the first violation whose problem is a column missing from
     *     the input (or after the last violation when there is none), e.g. the columns the input does have; it must
     *     not contain data values (it is kept in redacted messages); null for none
     */
    public DatasetValidationException(List<Violation> violations, String note) {
        this(null, violations, false, note);
    }

    /**
     * @param input how the caller names the input (a flag such as {@code --input}, or a description), prefixed to
     *     the message; null for none
     * @param violations non-empty
     */
    public DatasetValidationException(String input, List<Violation> violations) {
        this(input, violations, false, null);
    }

    private DatasetValidationException(String input, List<Violation> violations, boolean redacted, String note) {
        super(input == null ? message(violations, redacted, note)
                : input + ": " + message(violations, redacted, note));
        this.input = input;
        this.violations = List.copyOf(violations);
        this.redacted = redacted;
        this.note = note;
    }

    /** The note given at construction (see {@link #DatasetValidationException(List, String)}), or null. */
    public String note() {
        return note;
    }

    /** The same violations, the message prefixed with how the caller names the input (redacted if this one is). */
    public DatasetValidationException about(String input) {
        return withStack(new DatasetValidationException(input, violations, redacted, note));
    }

    /**
     * The same violations, with a message that gives only the kind of each problem and its column: no counts, no
     * row numbers ({@link Violation#describe(boolean)}). {@link #violations()} still holds the full list.
     */
    public DatasetValidationException redacted() {
        return redacted ? this : withStack(new DatasetValidationException(input, violations, true, note));
    }

    /** Whether {@link #getMessage()} is redacted. */
    public boolean isRedacted() {
        return redacted;
    }

    /** Every violation found, in report order (record-level first, then columns in spec order). */
    public List<Violation> violations() {
        return violations;
    }

    private DatasetValidationException withStack(DatasetValidationException copy) {
        copy.setStackTrace(getStackTrace());
        return copy;
    }

    private static String message(List<Violation> violations, boolean redacted, String note) {
        if (violations == null || violations.isEmpty()) {
            throw new IllegalArgumentException("violations must be non-empty");
        }
        int noteAt = violations.size() - 1;
        for (int i = 0; i < violations.size(); i++) {
            if (Violation.MISSING_COLUMN.equals(violations.get(i).problem())) {
                noteAt = i;
                break;
            }
        }
        StringBuilder sb = new StringBuilder(redacted
                ? "input validation failed (redacted: counts and row numbers withheld): "
                : "input validation failed: ");
        for (int i = 0; i < violations.size(); i++) {
            if (i > 0) {
                sb.append("; ");
            }
            sb.append(violations.get(i).describe(redacted));
            if (note != null && i == noteAt) {
                sb.append(" (").append(note).append(')');
            }
        }
        return sb.toString();
    }
}
