package org.dpspark.datasets.spec;

import java.util.Objects;

/**
 * A 0/1 feature: whether a column's value satisfies a comparison with a declared constant (width 1). The JSON
 * form is {@code {"column":"pdays","encoding":"indicator","op":"!=","value":-1}}.
 *
 * <ul>
 *   <li>Numeric ({@code value} a JSON number): the input is read as for a {@link NumericFeature} (strict number
 *       strings, Spark numeric types, booleans as 0/1) and compared with {@code value} by {@code op} (IEEE
 *       comparison, so {@code -0.0 == 0.0}). Non-numeric, NaN and infinite inputs are validation problems, as for
 *       numeric features.</li>
 *   <li>Text ({@code value} a JSON string; only {@code ==} and {@code !=}): the trimmed input (strings, integral
 *       types and booleans by their decimal or "true"/"false" text, as for one-hot features) is compared with
 *       {@code value} exactly (case-sensitive).</li>
 * </ul>
 * A missing input (null, or for numeric comparisons an empty or blank string) encodes as 0 for every operator,
 * {@code !=} included: "unknown" never counts as satisfying the predicate, and it is not a validation problem.
 *
 * <p>The coordinate is 0 or 1, so the feature adds at most 1 to {@code ||x||_2^2}, like a scalar feature.
 *
 * @param column the input column (non-blank)
 * @param op     the comparison
 * @param number the constant of a numeric comparison (finite); NaN for a text comparison
 * @param text   the constant of a text comparison (no surrounding whitespace, since inputs are trimmed); null for
 *               a numeric comparison
 */
public record IndicatorFeature(String column, Op op, double number, String text) implements FeatureColumn {

    /** A comparison operator, written in JSON as its symbol. */
    public enum Op {
        /** {@code ==}. */
        EQ("=="),
        /** {@code !=}. */
        NE("!="),
        /** {@code <}. */
        LT("<"),
        /** {@code <=}. */
        LE("<="),
        /** {@code >}. */
        GT(">"),
        /** {@code >=}. */
        GE(">=");

        private final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        /** The JSON symbol ("==", "!=", "<", "<=", ">", ">="). */
        public String symbol() {
            return symbol;
        }

        /** Whether this is {@code ==} or {@code !=} (the only operators of text comparisons). */
        public boolean isEquality() {
            return this == EQ || this == NE;
        }

        /**
         * The operator written {@code symbol}.
         *
         * @throws IllegalArgumentException naming the column when there is none
         */
        public static Op parse(String symbol, String column) {
            for (Op o : values()) {
                if (o.symbol.equals(symbol)) {
                    return o;
                }
            }
            throw new IllegalArgumentException("feature '" + column + "': indicator op must be one of ==, !=, <, <=,"
                    + " >, >=, got '" + symbol + "'");
        }

        boolean test(double x, double c) {
            return switch (this) {
                case EQ -> x == c;
                case NE -> x != c;
                case LT -> x < c;
                case LE -> x <= c;
                case GT -> x > c;
                case GE -> x >= c;
            };
        }
    }

    public IndicatorFeature {
        FeatureSpec.requireColumnName(column, "feature");
        if (op == null) {
            throw new IllegalArgumentException("feature '" + column + "': indicator op must be given");
        }
        if (text != null) {
            if (!Double.isNaN(number)) {
                throw new IllegalArgumentException("feature '" + column + "': an indicator compares with a number or"
                        + " a text, not both");
            }
            if (!op.isEquality()) {
                throw new IllegalArgumentException("feature '" + column + "': a text indicator allows only == and"
                        + " !=, got " + op.symbol());
            }
            if (!text.equals(text.strip())) {
                throw new IllegalArgumentException("feature '" + column + "': the indicator value must not have"
                        + " leading or trailing whitespace (values are trimmed before comparing)");
            }
        } else if (!Double.isFinite(number)) {
            throw new IllegalArgumentException("feature '" + column + "': the indicator value must be a finite"
                    + " number or a string");
        }
    }

    /** {@code column op value}, comparing numbers. */
    public static IndicatorFeature numeric(String column, Op op, double value) {
        return new IndicatorFeature(column, op, value, null);
    }

    /** {@code column op "value"}, comparing the trimmed text; {@code op} is {@code ==} or {@code !=}. */
    public static IndicatorFeature text(String column, Op op, String value) {
        return new IndicatorFeature(column, op, Double.NaN, Objects.requireNonNull(value, "value"));
    }

    /** Whether this compares text (else numbers). */
    public boolean isText() {
        return text != null;
    }

    @Override
    public int width() {
        return 1;
    }

    /** 1.0 when {@code x op number} holds, else 0.0 (numeric indicators; {@code x} is an input already parsed). */
    public double encode(double x) {
        return op.test(x, number) ? 1.0 : 0.0;
    }

    /** 1.0 when the trimmed token {@code t} compares as {@code op} with {@link #text()}, else 0.0 (text indicators). */
    public double encode(String t) {
        boolean eq = t.equals(text);
        return (op == Op.EQ) == eq ? 1.0 : 0.0;
    }

    /** A short description, e.g. {@code pdays != -1} or {@code job == "admin."}. */
    public String describe() {
        return column + " " + op.symbol() + " " + (text != null ? "\"" + text + "\"" : Double.toString(number));
    }
}
