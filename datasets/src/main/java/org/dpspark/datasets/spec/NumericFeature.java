package org.dpspark.datasets.spec;

/**
 * A numeric column clipped to public bounds and mapped to [0, 1] (width 1).
 *
 * <p>With {@code c = min(max(x, min), max)}:
 * <ul>
 *   <li>{@link Encoding#SCALE}: {@code (c - min) / (max - min)};</li>
 *   <li>{@link Encoding#LOG1P}: {@code (log1p(c) - log1p(min)) / (log1p(max) - log1p(min))}, for heavy-tailed
 *       non-negative quantities such as capital gains (requires {@code min > -1});</li>
 *   <li>{@link Encoding#SIGNED_LOG1P}: with the signed logarithm {@code s(x) = sign(x) * log1p(|x|)},
 *       {@code (s(c) - s(min)) / (s(max) - s(min))}, for heavy-tailed amounts of either sign such as bank balances
 *       (any finite {@code min < max}). {@code s} is odd, continuous and strictly increasing on the reals
 *       ({@code s'(x) = 1 / (1 + |x|) > 0}), so the map is monotone and sends [min, max] onto [0, 1]; near 0 it is
 *       close to the identity, far from 0 it compresses like a logarithm.</li>
 * </ul>
 * The bounds are public (declared, never fitted on the data), so the encoding is data-independent and the output
 * lies in [0, 1], which bounds every encoded row's norm (Abadi et al. 2016 assume a public, bounded input domain).
 *
 * @param column   the input column (non-blank)
 * @param encoding SCALE, LOG1P or SIGNED_LOG1P
 * @param min      lower clipping bound, finite
 * @param max      upper clipping bound, finite, {@code > min}
 */
public record NumericFeature(String column, Encoding encoding, double min, double max) implements FeatureColumn {

    /** How a clipped value is mapped to [0, 1]. */
    public enum Encoding {
        /** Affine: {@code (x - min) / (max - min)}. */
        SCALE("scale"),
        /** Logarithmic: {@code (log1p(x) - log1p(min)) / (log1p(max) - log1p(min))}. */
        LOG1P("log1p"),
        /** Signed logarithm: {@code (s(x) - s(min)) / (s(max) - s(min))}, {@code s(x) = sign(x) * log1p(|x|)}. */
        SIGNED_LOG1P("signed_log1p");

        private final String jsonName;

        Encoding(String jsonName) {
            this.jsonName = jsonName;
        }

        /** The name used in the JSON spec ("scale", "log1p", "signed_log1p"). */
        public String jsonName() {
            return jsonName;
        }

        /** The encoding whose {@link #jsonName()} is {@code name}, or null when there is none. */
        public static Encoding fromJsonName(String name) {
            for (Encoding e : values()) {
                if (e.jsonName.equals(name)) {
                    return e;
                }
            }
            return null;
        }
    }

    public NumericFeature {
        FeatureSpec.requireColumnName(column, "feature");
        if (encoding == null) {
            throw new IllegalArgumentException("feature '" + column + "': encoding must be scale, log1p or"
                    + " signed_log1p, got null");
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
                    + min + " (for values that may be negative use the signed_log1p encoding)");
        }
        if (encoding != Encoding.SCALE && !(transformed(min, encoding) < transformed(max, encoding))) {
            throw new IllegalArgumentException("feature '" + column + "': min and max are too close for the "
                    + encoding.jsonName() + " encoding (their logarithms are equal in double precision)");
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

    /** A {@link Encoding#SIGNED_LOG1P} feature: any finite {@code min < max}, values of either sign. */
    public static NumericFeature signedLog1p(String column, double min, double max) {
        return new NumericFeature(column, Encoding.SIGNED_LOG1P, min, max);
    }

    /**
     * The signed logarithm {@code s(x) = sign(x) * log1p(|x|)}: odd and strictly increasing, with {@code s(0) = 0}
     * and {@code |s(x)| = log(1 + |x|)}.
     */
    public static double signedLog1p(double x) {
        return x < 0 ? -Math.log1p(-x) : Math.log1p(x);
    }

    private static double transformed(double x, Encoding e) {
        return e == Encoding.LOG1P ? Math.log1p(x) : e == Encoding.SIGNED_LOG1P ? signedLog1p(x) : x;
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
        switch (encoding) {
            case SCALE -> v = (c - min) / (max - min);
            case LOG1P -> {
                double lo = Math.log1p(min);
                v = (Math.log1p(c) - lo) / (Math.log1p(max) - lo);
            }
            case SIGNED_LOG1P -> {
                double lo = signedLog1p(min);
                v = (signedLog1p(c) - lo) / (signedLog1p(max) - lo);
            }
            default -> throw new IllegalStateException(encoding.toString());
        }
        // Guard against rounding just outside [0, 1].
        return v < 0 ? 0 : (v > 1 ? 1 : v);
    }
}
