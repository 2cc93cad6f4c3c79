package org.dpspark.datasets.spec;

/**
 * Why a value cannot be encoded. Each constant carries the phrase used in validation reports, e.g.
 * "3 non-numeric values". Reports never include the value itself (it is private data).
 */
public enum ValueProblem {
    /** Null, empty or blank value in a numeric feature column. */
    MISSING("missing or empty values"),
    /** A string that is not a decimal number (nor NaN/Infinity), or a non-numeric type. */
    NON_NUMERIC("non-numeric values"),
    /** NaN in a numeric feature column. */
    NAN("NaN values"),
    /** +/-Infinity (or a number overflowing double) in a numeric feature column. */
    INFINITE("infinite values"),
    /** Null, empty or blank label. */
    LABEL_MISSING("missing or empty labels"),
    /** A label that is not 0/1 (numeric label) or not in the spec's positive/negative lists (mapped label). */
    LABEL_NOT_BINARY("labels outside {0, 1}"),
    /** A vector or array of another size than the spec declares (the phrase is completed with the size). */
    WRONG_SIZE("vectors of the wrong size"),
    /** A multiclass label that is not an integer in [0, numClasses). */
    LABEL_NOT_CLASS_INDEX("labels that are not a class index"),
    /** A regression label that is not a number. */
    LABEL_NON_NUMERIC("non-numeric labels"),
    /** A regression label that is NaN. */
    LABEL_NAN("NaN labels");

    private final String phrase;

    ValueProblem(String phrase) {
        this.phrase = phrase;
    }

    /** Plural phrase for reports: "non-numeric values", "labels outside {0, 1}", ... */
    public String phrase() {
        return phrase;
    }
}
