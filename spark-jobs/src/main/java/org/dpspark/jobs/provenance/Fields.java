package org.dpspark.jobs.provenance;

/** Argument checks shared by the provenance records. */
final class Fields {
    private Fields() {}

    static String requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must be non-blank, got " + (value == null ? "null" : "''"));
        }
        return value;
    }
}
