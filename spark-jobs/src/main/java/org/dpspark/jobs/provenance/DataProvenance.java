package org.dpspark.jobs.provenance;

import java.io.Serializable;

/**
 * Which data a model was trained on. Everything here is public by the guarantee's terms (N and the feature spec
 * are public); the fingerprint identifies the content without revealing it.
 *
 * @param input the input path as given, or a description ("synthetic", "DataFrame")
 * @param format the input format ("csv", "parquet", ..., "synthetic", "dataframe"), or {@link ProvenanceJson#UNKNOWN}
 *     when the model's format did not record it
 * @param fingerprint the input's content fingerprint (e.g. "sha256:..." over the input's files, or an
 *     order-independent hash of the encoded rows)
 * @param rows N, the number of training rows
 * @param featureSpec the name of the feature spec the rows were encoded with, or null when there was none (an
 *     MLlib fit on a features column)
 * @param dimension d, the length of the encoded feature vector
 */
public record DataProvenance(String input, String format, String fingerprint, long rows, String featureSpec,
        int dimension) implements Serializable {

    private static final long serialVersionUID = 1L;

    public DataProvenance {
        Fields.requireText(input, "input");
        Fields.requireText(format, "format");
        Fields.requireText(fingerprint, "fingerprint");
        if (!(rows >= 0)) {
            throw new IllegalArgumentException("rows must be >= 0, got " + rows);
        }
        if (!(dimension >= 1)) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + dimension);
        }
    }
}
