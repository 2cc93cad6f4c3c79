package org.dpspark.datasets.prepare;

import java.io.Serial;

/**
 * A value that a declared {@link Generalization} hierarchy does not cover. The message names the hierarchy (and
 * the row index when the caller gave one) but never the value: the value is what is being protected.
 */
public final class NotCoveredException extends IllegalArgumentException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String hierarchy;

    NotCoveredException(String hierarchy, String what, long row) {
        super((row >= 0 ? "row " + row + ": " : "") + what + " is not covered by hierarchy " + hierarchy);
        this.hierarchy = hierarchy;
    }

    /** The description of the hierarchy that refused the value, e.g. {@code ageBands(width=10, min=0, max=100)}. */
    public String hierarchy() {
        return hierarchy;
    }
}
