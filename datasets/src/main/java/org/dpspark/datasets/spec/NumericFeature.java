package org.dpspark.datasets.spec;

/**
 * A numeric column clipped to public bounds and mapped to [0, 1] (width 1).
 *
 * <p>With {@code c = min(max(x, min), max)}:
 * <ul>
 *   <li>{@link Encoding#SCALE}: {@code (c - min) / (max - min)};</li>
 *   <li>{@link Encoding#LOG1P}: {@code (log1p(c) - log1p(min)) / (log1p(max) - log1p(min))}, for heavy-tailed
 *       non-negative quantities such as capital gains (requires {@code min > -1}).</li>
 * </ul>
 * The bounds are public (declared, never fitted on the data), so the encoding is data-independent and the output
 * lies in [0, 1], which bounds every encoded row's norm (Abadi et al. 2016 assume a public, bounded input domain).
 *
 * @param column   the input column (non-blank)
 * @param encoding SCALE or LOG1P
 * @param min      lower clipping bound, finite
 * @param max      upper clipping bound, finite, {@code > min}
 */
public record NumericFeature(String column, Encoding encoding, double min, double max) implements FeatureColumn {

    /** How a clipped value is mapped to [0, 1]. */
    public enum Encoding {
        /** Affine: {@code (x - min) / (max - min)}. */
        SCALE("scale"),
        /** Logarithmic: {@code (log1p(x) - log1p(min)) / (log1p(max) - log1p(min))}. */
        LOG1P("log1p");

        private final String jsonName;

        Encoding(String jsonName) {
            this.jsonName = jsonName;
        }

        /** The name used in the JSON spec ("scale", "log1p"). */
        public String jsonName() {
            return jsonName;
        }
    }

    public NumericFeature {
        FeatureSpec.requireColumnName(column, "feature");
        if (encoding == null) {
            throw new IllegalArgumentException("feature '" + column + "': encoding must be scale or log1p, got null");
        }
        if (!Double.isFinite(min) || !Double.isFinite(max)) {
            throw new IllegalArgumentException("feature '" + column + "': min and max must be finite, got min="
                    + min + ", max=" + max);
        }
        if (!(min < max)) {
            throw new IllegalArgumentException("feature '" + column + "': min must be < max, got min=" + min
                    + ", max=" + max);
        }
        if (encoding == Encoding.LOG1P && !(min > -1)) {
            throw new IllegalArgumentException("feature '" + column + "': log1p encoding requires min > -1, got min="
                    + min);
        }
    }

    /** A {@link Encoding#SCALE} feature. */
    public static NumericFeature scale(String column, double min, double max) {
        return new NumericFeature(column, Encoding.SCALE, min, max);
    }

    /** A {@link Encoding#LOG1P} feature. */
    public static NumericFeature log1p(String column, double min, double max) {
        return new NumericFeature(column, Encoding.LOG1P, min, max);
    }

    @Override
    public int width() {
        return 1;
    }

    /**
     * Clips {@code x} to [min, max] and maps it to [0, 1].
     *
     * @throws IllegalArgumentException if x is NaN or infinite (the value itself is not reported)
     */
    public double encode(double x) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("feature '" + column + "': value is NaN or infinite");
        }
        double c = x < min ? min : (x > max ? max : x);
        double v;
        if (encoding == Encoding.SCALE) {
            v = (c - min) / (max - min);
        } else {
            double lo = Math.log1p(min);
            v = (Math.log1p(c) - lo) / (Math.log1p(max) - lo);
        }
        // Guard against rounding just outside [0, 1].
        return v < 0 ? 0 : (v > 1 ? 1 : v);
    }
}
