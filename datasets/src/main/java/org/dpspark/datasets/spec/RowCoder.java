package org.dpspark.datasets.spec;

import java.io.Serializable;
import org.apache.spark.sql.Row;

/**
 * How one row becomes a feature vector and a label: a feature spec's {@link RowEncoder},
 * or a row that already holds a features vector and a numeric label (the MLlib estimators' input).
 */
@FunctionalInterface
public interface RowCoder extends Serializable {
    /**
     * Writes the row's features into {@code out[offset .. offset + d)} and returns its label.
     *
     * @param row a row of the schema the coder was built for
     */
    double encodeInto(Row row, double[] out, int offset);
}
