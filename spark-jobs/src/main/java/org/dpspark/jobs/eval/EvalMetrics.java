package org.dpspark.jobs.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Metrics of a model on an evaluation set, by name: for classifiers "accuracy", "log_loss" and, for two classes,
 * "auc"; for regression "rmse", "mae" and "r2".
 *
 * @param rows number of evaluation rows
 * @param values metric name to value, in a stable order
 */
public record EvalMetrics(long rows, Map<String, Double> values) {

    public EvalMetrics {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** The named metric; IllegalArgumentException when this kind of model has no such metric. */
    public double get(String name) {
        Double v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no metric '" + name + "'; have " + values.keySet());
        }
        return v;
    }
}
