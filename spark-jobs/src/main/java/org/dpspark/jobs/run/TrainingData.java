package org.dpspark.jobs.run;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.jobs.model.ModelSpec;

/**
 * The rows a run trains (or evaluates) on, as read, with how they are encoded. The run validates them (which
 * counts N, public), lays them out and packs them into dense blocks.
 *
 * @param frame the rows as read
 * @param encoding how a row becomes a feature vector and a label
 * @param input where the rows came from (a path, a table, "DataFrame"), for provenance
 * @param format the input's format ("csv", "parquet", "dataframe", ...)
 * @param what how messages name this input: a flag ("--input") or a description ("the input DataFrame")
 */
public record TrainingData(Dataset<Row> frame, Encoding encoding, String input, String format, String what) {

    /** How a row becomes a feature vector and a label. */
    public sealed interface Encoding permits SpecEncoding, VectorEncoding {
        /** The dimension of the encoded feature vector. */
        int dimension();
    }

    /**
     * Rows encoded by a declared feature spec (public bounds, one-hot blocks, fixed transforms).
     *
     * @param spec the feature spec
     * @param specName how the spec was named (a built-in name or a file), for provenance
     */
    public record SpecEncoding(FeatureSpec spec, String specName) implements Encoding {
        @Override
        public int dimension() {
            return spec.dimension();
        }
    }

    /**
     * Rows that are already a features Vector column and a numeric label column (MLlib).
     *
     * @param featuresCol the Vector column
     * @param labelCol the label column
     * @param dimension d
     * @param modelSpec the model, whose label rule the labels must follow
     */
    public record VectorEncoding(String featuresCol, String labelCol, int dimension, ModelSpec modelSpec)
            implements Encoding {}
}
