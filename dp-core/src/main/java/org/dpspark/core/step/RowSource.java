package org.dpspark.core.step;

import java.util.Objects;

/**
 * The rows of one feature block, read by index. It is the only way {@link ClippedSumKernel} reads a block's
 * features: a step gathers its Poisson-sampled rows into one dense row-major matrix of doubles and computes on that
 * matrix. A block may therefore keep its features as doubles, as floats or on disk, and a step reads only the rows
 * it sampled.
 *
 * <p>Implementations never log or expose the values they return.
 */
public interface RowSource {

    /** The number of rows, &gt;= 0. */
    int rows();

    /** The number of features per row, &gt;= 1. */
    int dim();

    /**
     * Writes rows {@code idx[0 .. count)} (each in [0, rows()), strictly increasing) as doubles, row-major, into
     * {@code out[0 .. count * dim())}: row idx[k] goes to out[k * dim() .. (k + 1) * dim()).
     */
    void gather(int[] idx, int count, double[] out);

    /**
     * True when every value is a float widened to double (float32 storage): the model may then compute its forward
     * products in float32 ({@link org.dpspark.core.model.DpModel#addClippedGradients(double[], double[], double[],
     * int, double, double[], double[], org.dpspark.core.model.BatchWorkspace, boolean)}). Default false.
     */
    default boolean floatValues() {
        return false;
    }

    /** The rows of a row-major double array (kept, not copied): {@code features[r * dim + j]}. */
    static RowSource of(double[] features, int rows, int dim) {
        Objects.requireNonNull(features, "features");
        if (rows < 0 || dim < 1 || (long) rows * dim > features.length) {
            throw new IllegalArgumentException("features must hold rows * dim = " + ((long) rows * dim)
                    + " values (rows " + rows + ", dim " + dim + "), got " + features.length);
        }
        return new RowSource() {
            @Override
            public int rows() {
                return rows;
            }

            @Override
            public int dim() {
                return dim;
            }

            @Override
            public void gather(int[] idx, int count, double[] out) {
                for (int k = 0; k < count; k++) {
                    System.arraycopy(features, idx[k] * dim, out, k * dim, dim);
                }
            }

            @Override
            public String toString() {
                return "RowSource[" + rows + " x " + dim + " doubles]";
            }
        };
    }
}
