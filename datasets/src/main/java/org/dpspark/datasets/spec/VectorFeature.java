package org.dpspark.datasets.spec;

/**
 * A vector column of {@code size} numbers (a Spark ML vector, dense or sparse, or an array of numbers), each
 * element clipped to the public bounds [min, max] and mapped to [0, 1] exactly as a {@link NumericFeature} with
 * the same encoding (width = size). Typical uses: image pixels ([0, 255] for MNIST), the output of a
 * VectorAssembler, LibSVM features.
 *
 * <p>The size and the bounds are declared (public), never read from the data; a row whose vector has another size
 * is a validation error, as is a NaN or infinite element (or a null element of an array). Every encoded element
 * lies in [0, 1], so this block's L2 norm is at most sqrt(size).
 *
 * @param column   the input column (non-blank)
 * @param size     the number of elements, &gt;= 1
 * @param encoding SCALE or LOG1P, per element
 * @param min      lower clipping bound, finite
 * @param max      upper clipping bound, finite, {@code > min}
 */
public record VectorFeature(String column, int size, NumericFeature.Encoding encoding, double min, double max)
        implements FeatureColumn {

    public VectorFeature {
        // the same checks, and messages, as a scalar feature with these bounds
        new NumericFeature(column, encoding, min, max);
        if (!(size >= 1)) {
            throw new IllegalArgumentException("feature '" + column + "': size must be >= 1, got " + size);
        }
    }

    /** A {@link NumericFeature.Encoding#SCALE} vector feature. */
    public static VectorFeature scale(String column, int size, double min, double max) {
        return new VectorFeature(column, size, NumericFeature.Encoding.SCALE, min, max);
    }

    @Override
    public int width() {
        return size;
    }

    /** The per-element encoding, as a scalar feature of the same column. */
    public NumericFeature element() {
        return new NumericFeature(column, encoding, min, max);
    }
}
