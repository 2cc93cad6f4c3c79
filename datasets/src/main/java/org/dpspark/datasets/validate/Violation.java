package org.dpspark.datasets.validate;

import java.io.Serializable;

/**
 * One kind of problem found in the input.
 *
 * @param column   the input column, or {@link #RECORD} for problems of whole records or of the input
 * @param problem  a plural phrase without values, e.g. "non-numeric values", "missing from the input"
 * @param count    how many rows have it; 0 for problems of the schema or of the input as a whole
 * @param firstRow 1-based row number of the first occurrence (see {@link DatasetValidator}); 0 when count is 0
 */
public record Violation(String column, String problem, long count, long firstRow) implements Serializable {

    /** The {@link #column()} of record-level and input-level problems. */
    public static final String RECORD = "*";

    /** The {@link #problem()} of a spec column absent from the input. */
    public static final String MISSING_COLUMN = org.dpspark.datasets.spec.RowEncoder.MISSING;

    public Violation {
        if (column == null || problem == null) {
            throw new IllegalArgumentException("column and problem must be non-null");
        }
        if (!(count >= 0)) {
            throw new IllegalArgumentException("count must be >= 0, got " + count);
        }
        if (count > 0 ? !(firstRow >= 1) : firstRow != 0) {
            throw new IllegalArgumentException("firstRow must be >= 1 when count > 0 and 0 otherwise, got "
                    + firstRow + " with count " + count);
        }
    }

    /**
     * One clause of the report: {@code column 'age': 3 non-numeric values (first at row 17)},
     * {@code column 'age': missing from the input}, {@code 2 malformed records (wrong number of fields) (first at
     * row 5)}, {@code input has no rows}. It discloses how many rows of the input have the problem and where the
     * first one is: fine for the data owner; see {@link #describe(boolean)} for anyone else.
     */
    public String describe() {
        return describe(false);
    }

    /**
     * One clause of the report, in full ({@link #describe()}) or redacted: only the kind of problem and the column,
     * e.g. {@code column 'age': non-numeric values}, with no count and no row number (nothing about the private
     * rows beyond the fact that the problem occurs).
     */
    public String describe(boolean redacted) {
        String what = count > 0 && !redacted ? count + " " + problem + " (first at row " + firstRow + ")" : problem;
        return RECORD.equals(column) ? what : "column '" + column + "': " + what;
    }
}
