package org.dpspark.jobs.model;

import java.io.Serializable;

/**
 * What a valid label is, declared before fitting (public): a class index in [0, K), or any finite number for
 * regression (clipped to the declared bounds by the model, never rejected for its size).
 *
 * @param numClasses K for classification; 0 for regression
 */
public record LabelRule(int numClasses) implements Serializable {

    public static LabelRule classes(int k) {
        if (!(k >= 2)) {
            throw new IllegalArgumentException("numClasses must be >= 2, got " + k);
        }
        return new LabelRule(k);
    }

    public static LabelRule regression() {
        return new LabelRule(0);
    }

    /** The problem with label {@code y}, or null when it is valid. */
    public String problem(double y) {
        if (!Double.isFinite(y)) {
            return "NaN or infinite labels";
        }
        if (numClasses > 0 && !(y >= 0 && y < numClasses && y == Math.rint(y))) {
            return numClasses == 2 ? "labels outside {0, 1}" : "labels outside the classes {0, ..., " + (numClasses - 1) + "}";
        }
        return null;
    }
}
