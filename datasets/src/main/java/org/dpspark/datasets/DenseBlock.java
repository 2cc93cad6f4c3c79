package org.dpspark.datasets;

import java.io.Serializable;

/**
 * One partition's examples packed for training: row-major features ({@code features[r * dim + j]} is coordinate j
 * of example r) and labels ({@code labels[r]}: a class index 0, 1, ... or a clipped regression value).
 *
 * <p>The accessors return the internal arrays, not copies, so executors can run the per-example gradient loop
 * without allocation; callers must not modify them. {@link #toString()} shows only the shape, never the data.
 */
public final class DenseBlock implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int rows;
    private final int dim;
    private final double[] features;
    private final double[] labels;

    /**
     * @param rows     number of examples, {@code >= 0}
     * @param dim      feature dimension, {@code >= 1}
     * @param features row-major, length {@code rows * dim} (kept, not copied)
     * @param labels   length {@code rows} (kept, not copied)
     */
    public DenseBlock(int rows, int dim, double[] features, double[] labels) {
        if (!(rows >= 0)) {
            throw new IllegalArgumentException("rows must be >= 0, got " + rows);
        }
        if (!(dim >= 1)) {
            throw new IllegalArgumentException("dim must be >= 1, got " + dim);
        }
        if (features == null || labels == null) {
            throw new IllegalArgumentException("features and labels must be non-null");
        }
        if ((long) rows * dim != features.length) {
            throw new IllegalArgumentException("features.length must be rows * dim = " + ((long) rows * dim)
                    + ", got " + features.length);
        }
        if (labels.length != rows) {
            throw new IllegalArgumentException("labels.length must be rows = " + rows + ", got " + labels.length);
        }
        this.rows = rows;
        this.dim = dim;
        this.features = features;
        this.labels = labels;
    }

    /** Number of examples. */
    public int rows() {
        return rows;
    }

    /** Feature dimension. */
    public int dim() {
        return dim;
    }

    /** The row-major feature array itself (not a copy; do not modify). */
    public double[] features() {
        return features;
    }

    /** The label array itself (not a copy; do not modify). */
    public double[] labels() {
        return labels;
    }

    @Override
    public String toString() {
        return "DenseBlock[rows=" + rows + ", dim=" + dim + "]";
    }
}
