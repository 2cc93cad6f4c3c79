package org.dpspark.datasets.spec;

/**
 * A vector column of {@code size} numbers (a Spark ML vector, dense or sparse, or an array of numbers), each
 * element clipped to the public bounds [min, max] and mapped to [0, 1] exactly as a {@link NumericFeature} with
 * the same encoding, then, optionally, passed through a fixed public {@link ImageTransform} (an image's low-frequency
 * DCT coefficients, {@link LowPassDct}, or its scattering features, {@link ScatterTransform}). Typical uses: image pixels ([0, 255] for MNIST), the output of a VectorAssembler, LibSVM
 * features.
 *
 * <p>The size, the bounds and the transform are declared (public), never read from the data; a row whose vector
 * has another size is a validation error, as is a NaN or infinite element (or a null element of an array). Every
 * encoded element lies in [0, 1], so this block's L2 norm is at most sqrt(size) before the transform, and
 * {@link ImageTransform#normBound} of that after it. The block's width is {@code size} without a transform and the transform's
 * output size with one.
 *
 * @param column    the input column (non-blank)
 * @param size      the number of elements, &gt;= 1
 * @param encoding  SCALE or LOG1P, per element
 * @param min       lower clipping bound, finite
 * @param max       upper clipping bound, finite, {@code > min}
 * @param transform null (the scaled elements themselves), or a transform whose input size is {@code size}
 */
public record VectorFeature(String column, int size, NumericFeature.Encoding encoding, double min, double max,
                            ImageTransform transform) implements FeatureColumn {

    public VectorFeature {
        // the same checks, and messages, as a scalar feature with these bounds
        new NumericFeature(column, encoding, min, max);
        if (!(size >= 1 && size <= MAX_SIZE)) {
            // a declared size is allocated per row before any data is read: bounded, as MNIST's images are
            throw new IllegalArgumentException("feature '" + column + "': size must be in [1, " + MAX_SIZE + "], got "
                    + size);
        }
        if (transform != null && transform.inputSize() != size) {
            throw new IllegalArgumentException("feature '" + column + "': the transform is for a "
                    + transform.height() + " x " + transform.width() + " image (" + transform.inputSize()
                    + " elements), but the vector has " + size);
        }
    }

    /** The largest declared size: 2^24 elements (a 4096 x 4096 image). */
    public static final int MAX_SIZE = 1 << 24;

    /** A vector feature without a transform. */
    public VectorFeature(String column, int size, NumericFeature.Encoding encoding, double min, double max) {
        this(column, size, encoding, min, max, null);
    }

    /** A {@link NumericFeature.Encoding#SCALE} vector feature. */
    public static VectorFeature scale(String column, int size, double min, double max) {
        return new VectorFeature(column, size, NumericFeature.Encoding.SCALE, min, max);
    }

    /** The same feature with {@code t} applied after the element encoding (null: none). */
    public VectorFeature withTransform(ImageTransform t) {
        return new VectorFeature(column, size, encoding, min, max, t);
    }

    @Override
    public int width() {
        return transform == null ? size : transform.outputSize();
    }

    /** The bound on this block's L2 norm: sqrt(size) before the transform (elements in [0, 1]), then the transform's. */
    public double normBound() {
        double raw = Math.sqrt(size);
        return transform == null ? raw : transform.normBound(raw);
    }

    /** The per-element encoding, as a scalar feature of the same column. */
    public NumericFeature element() {
        return new NumericFeature(column, encoding, min, max);
    }
}
