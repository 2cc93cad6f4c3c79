package org.dpspark.datasets.spec;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.NullType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Encodes Spark rows with a {@link FeatureSpec}: {@code x = concat(encode_f(row[f]) for f in features)}, where a
 * {@link NumericFeature} contributes its clipped, scaled value in [0, 1], an {@link IndicatorFeature} 1 when its
 * comparison holds and 0 when not or when the value is missing, a {@link OneHotFeature} a block with a
 * 1 at the vocabulary position of the trimmed token (all zeros for null or an unknown token), and a
 * {@link VectorFeature} its {@code size} clipped, scaled elements (or, with an {@link ImageTransform}, the transform of
 * them: computed here, once per row when blocks are packed, never per training step). The label is a class index (0/1, or 0 .. K-1)
 * or a regression value clipped to its bounds, as defined by {@link LabelSpec}.
 *
 * <p>Input types (resolved once from the schema, by exact column name):
 * <ul>
 *   <li>numeric features, numeric indicators and numeric labels: strings (CSV, UCI files; parsed strictly, see {@link Numbers}),
 *       any Spark numeric type (Parquet, Arrow), booleans (0/1);</li>
 *   <li>one-hot features and text indicators: strings, integral types and booleans (compared by their decimal/"true"/"false" text);</li>
 *   <li>vector features: Spark ML vectors (dense or sparse) and arrays of any numeric type;</li>
 *   <li>mapped labels: strings, integral types and booleans (compared as text).</li>
 * </ul>
 *
 * <p>The same parsing code backs {@link #checkFeature} / {@link #checkLabel} (used by validation) and
 * {@link #encodeInto} (used for packing), so they agree on what a valid value is. Errors name the column and the
 * problem, never the value. Instances are immutable and serializable (shipped to executors).
 */
public final class RowEncoder implements RowCoder {

    private static final long serialVersionUID = 1L;

    private static final class Slot implements Serializable {
        private static final long serialVersionUID = 1L;
        final String column;
        final int schemaIndex;
        final int offset;
        final int width;
        final NumericFeature numeric; // scalar features, and the per-element encoding of vector features
        final HashMap<String, Integer> vocabulary; // one-hot features only
        final boolean vector;
        final boolean array; // a vector feature read from an array column
        final double encodedZero; // vector features: the encoding of 0, for sparse vectors
        final int size; // vector features: the number of input elements (width, unless transformed)
        final ImageTransform transform; // vector features: applied after the element encoding, or null
        final IndicatorFeature indicator; // indicator features only

        Slot(String column, int schemaIndex, int offset, int width, NumericFeature numeric,
             HashMap<String, Integer> vocabulary, boolean vector, boolean array) {
            this(column, schemaIndex, offset, width, numeric, vocabulary, vector, array, width, null, null);
        }

        Slot(String column, int schemaIndex, int offset, IndicatorFeature indicator) {
            this(column, schemaIndex, offset, 1, null, null, false, false, 1, null, indicator);
        }

        Slot(String column, int schemaIndex, int offset, int width, NumericFeature numeric,
             HashMap<String, Integer> vocabulary, boolean vector, boolean array, int size, ImageTransform transform,
             IndicatorFeature indicator) {
            this.column = column;
            this.indicator = indicator;
            this.schemaIndex = schemaIndex;
            this.offset = offset;
            this.width = width;
            this.size = size;
            this.transform = transform;
            this.numeric = numeric;
            this.vocabulary = vocabulary;
            this.vector = vector;
            this.array = array;
            this.encodedZero = vector ? numeric.encode(0.0) : 0.0;
        }
    }

    private final FeatureSpec spec;
    private final Slot[] slots;
    private final int dimension;
    private final int labelIndex;
    private final String labelColumn;
    private final boolean labelNumeric;
    private final boolean stripTrailingDot;
    private final HashSet<String> positive;
    private final HashSet<String> negative;
    private final int numClasses;
    private final double labelMin;
    private final double labelMax;

    /**
     * Resolves the spec's columns in {@code schema}.
     *
     * @throws IllegalArgumentException listing every missing column or column of an unsupported type
     */
    public RowEncoder(FeatureSpec spec, StructType schema) {
        if (spec == null || schema == null) {
            throw new IllegalArgumentException("spec and schema must be non-null");
        }
        Map<String, String> problems = schemaProblems(spec, schema);
        if (!problems.isEmpty()) {
            StringBuilder sb = new StringBuilder("input does not match feature spec '" + spec.name() + "':");
            String sep = " ";
            String note = missingColumnsNote(spec, schema, problems);
            for (Map.Entry<String, String> e : problems.entrySet()) {
                sb.append(sep).append("column '").append(e.getKey()).append("': ").append(e.getValue());
                if (note != null && e.getValue().equals(MISSING)) {
                    sb.append(" (").append(note).append(')');
                    note = null;
                }
                sep = "; ";
            }
            throw new IllegalArgumentException(sb.toString());
        }
        this.spec = spec;
        List<FeatureColumn> features = spec.features();
        int[] offsets = spec.offsets();
        this.slots = new Slot[features.size()];
        for (int i = 0; i < slots.length; i++) {
            FeatureColumn f = features.get(i);
            int idx = schema.fieldIndex(f.column());
            if (f instanceof NumericFeature n) {
                slots[i] = new Slot(f.column(), idx, offsets[i], 1, n, null, false, false);
            } else if (f instanceof IndicatorFeature ind) {
                slots[i] = new Slot(f.column(), idx, offsets[i], ind);
            } else if (f instanceof VectorFeature v) {
                boolean array = schema.fields()[idx].dataType() instanceof ArrayType;
                slots[i] = new Slot(f.column(), idx, offsets[i], v.width(), v.element(), null, true, array,
                        v.size(), v.transform(), null);
            } else {
                OneHotFeature h = (OneHotFeature) f;
                HashMap<String, Integer> vocab = new HashMap<>();
                for (int k = 0; k < h.vocabulary().size(); k++) {
                    vocab.put(h.vocabulary().get(k), k);
                }
                slots[i] = new Slot(f.column(), idx, offsets[i], h.width(), null, vocab, false, false);
            }
        }
        this.dimension = spec.dimension();
        LabelSpec label = spec.label();
        this.labelColumn = label.column();
        this.labelIndex = schema.fieldIndex(label.column());
        this.labelNumeric = label.isNumeric();
        this.stripTrailingDot = label.stripTrailingDot();
        this.positive = new HashSet<>(label.positive());
        this.negative = new HashSet<>(label.negative());
        this.numClasses = label.numClasses();
        this.labelMin = label.min();
        this.labelMax = label.max();
    }

    /** The schema problem of a spec column absent from the input. */
    public static final String MISSING = "missing from the input";

    /** Column names listed by {@link #missingColumnsNote} before it abbreviates. */
    static final int MAX_LISTED_COLUMNS = 20;

    /** Characters of one column name shown by {@link #missingColumnsNote} before it abbreviates. */
    static final int MAX_NAME_CHARS = 200;

    /** Delimiters {@link #missingColumnsNote} looks for in a one-column header. */
    private static final char[] DELIMITERS = {';', '\t', '|', ','};

    /**
     * Schema-level problems of {@code schema} for {@code spec}, by column in spec order: "missing from the input"
     * or "unsupported type T for a numeric feature" (or "indicator", "one-hot feature", "label"). A column read by
     * several features is listed once, with its first problem. Empty when the encoder can be built. Runs no Spark
     * job.
     */
    public static Map<String, String> schemaProblems(FeatureSpec spec, StructType schema) {
        Map<String, String> problems = new LinkedHashMap<>();
        Map<String, DataType> types = new HashMap<>();
        for (StructField f : schema.fields()) {
            types.putIfAbsent(f.name(), f.dataType());
        }
        for (FeatureColumn f : spec.features()) {
            DataType t = types.get(f.column());
            if (t == null) {
                problems.putIfAbsent(f.column(), MISSING);
            } else if (f instanceof NumericFeature && !numericCompatible(t)) {
                problems.putIfAbsent(f.column(), "unsupported type " + t.simpleString() + " for a numeric feature");
            } else if (f instanceof IndicatorFeature ind && ind.isText() && !tokenCompatible(t)) {
                problems.putIfAbsent(f.column(), "unsupported type " + t.simpleString()
                        + " for a text indicator");
            } else if (f instanceof IndicatorFeature ind && !ind.isText() && !numericCompatible(t)) {
                problems.putIfAbsent(f.column(), "unsupported type " + t.simpleString()
                        + " for a numeric indicator");
            } else if (f instanceof OneHotFeature && !tokenCompatible(t)) {
                problems.putIfAbsent(f.column(), "unsupported type " + t.simpleString() + " for a one-hot feature");
            } else if (f instanceof VectorFeature && !vectorCompatible(t)) {
                problems.putIfAbsent(f.column(), "unsupported type " + t.simpleString() + " for a vector feature"
                        + " (need an ML vector or an array of numbers)");
            }
        }
        LabelSpec label = spec.label();
        DataType t = types.get(label.column());
        if (t == null) {
            problems.putIfAbsent(label.column(), MISSING);
        } else if (label.isNumeric() ? !numericCompatible(t) : !tokenCompatible(t)) {
            problems.putIfAbsent(label.column(), "unsupported type " + t.simpleString() + " for a label");
        }
        return problems;
    }

    /**
     * What to add, once, to an error about spec columns missing from {@code schema}: the columns found (names only,
     * never values; {@code _corrupt_record} left out; at most {@value #MAX_LISTED_COLUMNS} names of at most
     * {@value #MAX_NAME_CHARS} characters, then "... and N more"), and, when the input has a single column whose
     * name contains a delimiter ({@code ; tab | ,}) and at least two spec columns are missing, a hint that the file
     * was split with the wrong delimiter, naming the most frequent one in that name. Null when no column is missing.
     *
     * @param problems {@link #schemaProblems} of {@code spec} and {@code schema}
     */
    public static String missingColumnsNote(FeatureSpec spec, StructType schema, Map<String, String> problems) {
        long missing = problems.values().stream().filter(MISSING::equals).count();
        if (missing == 0) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (StructField f : schema.fields()) {
            if (!f.name().equals("_corrupt_record")) {
                names.add(f.name());
            }
        }
        StringBuilder sb = new StringBuilder("columns found: ");
        if (names.isEmpty()) {
            sb.append("none");
        }
        for (int i = 0; i < names.size() && i < MAX_LISTED_COLUMNS; i++) {
            String n = names.get(i);
            sb.append(i == 0 ? "" : ", ").append('\'')
                    .append(n.length() > MAX_NAME_CHARS ? n.substring(0, MAX_NAME_CHARS) + "..." : n).append('\'');
        }
        if (names.size() > MAX_LISTED_COLUMNS) {
            sb.append(", ... and ").append(names.size() - MAX_LISTED_COLUMNS).append(" more");
        }
        if (names.size() == 1 && missing >= 2) {
            String only = names.get(0);
            char best = 0;
            long bestCount = 0;
            for (char d : DELIMITERS) {
                long c = only.chars().filter(ch -> ch == d).count();
                if (c > bestCount && d != spec.csv().delimiter()) {
                    best = d;
                    bestCount = c;
                }
            }
            if (bestCount > 0) {
                String shown = CsvFormat.show(best);
                sb.append("; the header was read as one column: is the file delimited by ").append(best == '\t'
                        ? "tabs" : "'" + best + "'").append("? set \"csv\": {\"delimiter\": ").append(shown)
                        .append("} in the feature spec");
            }
        }
        return sb.toString();
    }

    private static boolean numericCompatible(DataType t) {
        return t instanceof StringType || t instanceof NumericType || t instanceof BooleanType
                || t instanceof NullType;
    }

    private static boolean vectorCompatible(DataType t) {
        return t instanceof VectorUDT || (t instanceof ArrayType a && a.elementType() instanceof NumericType);
    }

    private static boolean tokenCompatible(DataType t) {
        return t instanceof StringType || t instanceof ByteType || t instanceof ShortType
                || t instanceof IntegerType || t instanceof LongType || t instanceof BooleanType
                || t instanceof NullType;
    }

    /** The spec this encoder applies. */
    public FeatureSpec spec() {
        return spec;
    }

    /** Length of the encoded feature vector. */
    public int dimension() {
        return dimension;
    }

    /**
     * Writes the encoded features of {@code row} into {@code out[offset .. offset + dimension())} (every coordinate
     * is written, including the zeros of one-hot blocks) and returns the label: the class index, or the
     * regression value clipped to its bounds.
     *
     * @throws IllegalArgumentException when a value cannot be encoded (the message names the column and the
     *                                  problem, not the value); run validation first
     */
    public double encodeInto(Row row, double[] out, int offset) {
        for (Slot s : slots) {
            Object v = row.get(s.schemaIndex);
            int at = offset + s.offset;
            if (s.vector) {
                encodeVector(s, s.array ? row.getList(s.schemaIndex) : v, out, at);
            } else if (s.numeric != null) {
                ValueProblem p = numericProblem(v);
                if (p != null) {
                    throw new IllegalArgumentException("column '" + s.column + "': cannot encode one of its "
                            + p.phrase() + " (validate the input first)");
                }
                out[at] = s.numeric.encode(numericValue(v));
            } else if (s.indicator != null) {
                out[at] = indicator(s, v);
            } else {
                Arrays.fill(out, at, at + s.width, 0.0);
                if (v != null) {
                    Integer k = s.vocabulary.get(token(v));
                    if (k != null) {
                        out[at + k] = 1.0;
                    }
                }
            }
        }
        return label(row);
    }

    /** An indicator's coordinate: 0 for a missing value, else 1 when the predicate holds and 0 when not. */
    private static double indicator(Slot s, Object v) {
        IndicatorFeature f = s.indicator;
        if (f.isText()) {
            return v == null ? 0.0 : f.encode(token(v));
        }
        ValueProblem p = indicatorProblem(v);
        if (p != null) {
            throw new IllegalArgumentException("column '" + s.column + "': cannot encode one of its "
                    + p.phrase() + " (validate the input first)");
        }
        return numericProblem(v) == ValueProblem.MISSING ? 0.0 : f.encode(numericValue(v));
    }

    /** A numeric indicator's problem: as {@link #numericProblem}, except that missing values are not problems. */
    private static ValueProblem indicatorProblem(Object v) {
        ValueProblem p = numericProblem(v);
        return p == ValueProblem.MISSING ? null : p;
    }

    private static void encodeVector(Slot s, Object v, double[] out, int at) {
        ValueProblem p = vectorProblem(v, s.size);
        if (p != null) {
            throw new IllegalArgumentException("column '" + s.column + "': cannot encode one of its "
                    + p.phrase() + " (validate the input first)");
        }
        // With a transform, the encoded elements go to a scratch array and the transform writes the block.
        double[] dst = s.transform == null ? out : new double[s.size];
        int base = s.transform == null ? at : 0;
        NumericFeature e = s.numeric;
        if (v instanceof DenseVector d) {
            double[] values = d.values();
            for (int i = 0; i < s.size; i++) {
                dst[base + i] = e.encode(values[i]);
            }
        } else if (v instanceof SparseVector sv) {
            Arrays.fill(dst, base, base + s.size, s.encodedZero);
            int[] idx = sv.indices();
            double[] values = sv.values();
            for (int k = 0; k < idx.length; k++) {
                dst[base + idx[k]] = e.encode(values[k]);
            }
        } else if (v instanceof Vector vec) {
            for (int i = 0; i < s.size; i++) {
                dst[base + i] = e.encode(vec.apply(i));
            }
        } else {
            List<?> list = (List<?>) v;
            for (int i = 0; i < s.size; i++) {
                dst[base + i] = e.encode(((Number) list.get(i)).doubleValue());
            }
        }
        if (s.transform != null) {
            s.transform.apply(dst, 0, out, at);
        }
    }

    /** Encodes one row into a new array; see {@link #encodeInto}. */
    public double[] encode(Row row) {
        double[] x = new double[dimension];
        encodeInto(row, x, 0);
        return x;
    }

    /**
     * The label of {@code row}: the class index (0.0, 1.0, ...), or the regression value clipped to its bounds.
     *
     * @throws IllegalArgumentException when it is missing or invalid for the spec (no value in the message)
     */
    public double label(Row row) {
        Object v = row.get(labelIndex);
        double y = labelOrNaN(v);
        if (Double.isNaN(y)) {
            throw new IllegalArgumentException("column '" + labelColumn + "': cannot encode one of its "
                    + labelProblem(v).phrase() + " (validate the input first)");
        }
        return y;
    }

    /** Problem with feature {@code featureIndex} (position in {@code spec.features()}) of {@code row}, or null. */
    public ValueProblem checkFeature(Row row, int featureIndex) {
        Slot s = slots[featureIndex];
        if (s.vector) {
            return vectorProblem(s.array ? row.getList(s.schemaIndex) : row.get(s.schemaIndex), s.size);
        }
        if (s.indicator != null) {
            return s.indicator.isText() ? null : indicatorProblem(row.get(s.schemaIndex));
        }
        return s.numeric == null ? null : numericProblem(row.get(s.schemaIndex));
    }

    /** Problem with the label of {@code row}, or null. */
    public ValueProblem checkLabel(Row row) {
        Object v = row.get(labelIndex);
        return Double.isNaN(labelOrNaN(v)) ? labelProblem(v) : null;
    }

    // ---- value parsing (shared by checks and encoding) ----

    static ValueProblem numericProblem(Object v) {
        if (v == null) {
            return ValueProblem.MISSING;
        }
        if (v instanceof String s) {
            int c = Numbers.classify(s);
            if (c == Numbers.BLANK) {
                return ValueProblem.MISSING;
            }
            if (c == Numbers.INVALID) {
                return ValueProblem.NON_NUMERIC;
            }
            return finiteProblem(Numbers.parse(s));
        }
        if (v instanceof Boolean) {
            return null;
        }
        if (v instanceof BigDecimal) {
            return finiteProblem(((BigDecimal) v).doubleValue());
        }
        if (v instanceof Number n) {
            return finiteProblem(n.doubleValue());
        }
        return ValueProblem.NON_NUMERIC;
    }

    /**
     * Problem with a vector cell: null, another size than {@code size}, a null element (MISSING), a NaN or
     * infinite element; null when it can be encoded. {@code v} is an ML Vector or (for array columns) a List.
     */
    static ValueProblem vectorProblem(Object v, int size) {
        if (v == null) {
            return ValueProblem.MISSING;
        }
        if (v instanceof Vector vec) {
            if (vec.size() != size) {
                return ValueProblem.WRONG_SIZE;
            }
            double[] values = vec instanceof SparseVector sv ? sv.values() : vec.toArray();
            for (double x : values) {
                ValueProblem p = finiteProblem(x);
                if (p != null) {
                    return p;
                }
            }
            return null;
        }
        if (v instanceof List<?> list) {
            if (list.size() != size) {
                return ValueProblem.WRONG_SIZE;
            }
            for (Object e : list) {
                if (e == null) {
                    return ValueProblem.MISSING;
                }
                if (!(e instanceof Number n)) {
                    return ValueProblem.NON_NUMERIC;
                }
                ValueProblem p = finiteProblem(n instanceof BigDecimal b ? b.doubleValue() : n.doubleValue());
                if (p != null) {
                    return p;
                }
            }
            return null;
        }
        return ValueProblem.NON_NUMERIC;
    }

    private static ValueProblem finiteProblem(double x) {
        if (Double.isNaN(x)) {
            return ValueProblem.NAN;
        }
        return Double.isInfinite(x) ? ValueProblem.INFINITE : null;
    }

    /** The value of a numeric cell for which {@link #numericProblem} returned null. */
    static double numericValue(Object v) {
        if (v instanceof String s) {
            return Numbers.parse(s);
        }
        if (v instanceof Boolean b) {
            return b ? 1.0 : 0.0;
        }
        return ((Number) v).doubleValue();
    }

    private static String token(Object v) {
        return (v instanceof String s ? s : String.valueOf(v)).strip();
    }

    /** The label value (class index or clipped regression value), or NaN when it is missing or invalid. */
    private double labelOrNaN(Object v) {
        if (v == null) {
            return Double.NaN;
        }
        if (numClasses == 0) {
            double x = labelNumber(v);
            return Double.isNaN(x) ? x : (x < labelMin ? labelMin : (x > labelMax ? labelMax : x));
        }
        if (!labelNumeric) {
            String t = token(v);
            if (stripTrailingDot && t.endsWith(".")) {
                t = t.substring(0, t.length() - 1);
            }
            if (positive.contains(t)) {
                return 1.0;
            }
            return negative.contains(t) ? 0.0 : Double.NaN;
        }
        if (numClasses == 2) {
            if (v instanceof String s && s.strip().equalsIgnoreCase("true")) {
                return 1.0;
            }
            if (v instanceof String s && s.strip().equalsIgnoreCase("false")) {
                return 0.0;
            }
        } else if (v instanceof Boolean || (v instanceof String s
                && (s.strip().equalsIgnoreCase("true") || s.strip().equalsIgnoreCase("false")))) {
            return Double.NaN; // booleans are binary labels only
        }
        double x = labelNumber(v);
        // an integer in [0, K); + 0.0 turns -0.0 into 0.0
        return x >= 0.0 && x < numClasses && x == Math.rint(x) ? x + 0.0 : Double.NaN;
    }

    /** A numeric label cell as a double (booleans 0/1, strict number strings); NaN when it is not a number. */
    private static double labelNumber(Object v) {
        if (v instanceof Boolean b) {
            return b ? 1.0 : 0.0;
        }
        if (v instanceof String s) {
            String t = s.strip();
            return Numbers.classify(t) == Numbers.OK ? Numbers.parse(t) : Double.NaN;
        }
        if (v instanceof BigDecimal b) {
            return b.doubleValue();
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        return Double.NaN;
    }

    private ValueProblem labelProblem(Object v) {
        if (v == null || (v instanceof String s && s.isBlank())) {
            return ValueProblem.LABEL_MISSING;
        }
        if (numClasses == 0) {
            boolean number = v instanceof Number || v instanceof Boolean
                    || (v instanceof String s && Numbers.classify(s) == Numbers.OK);
            return number ? ValueProblem.LABEL_NAN : ValueProblem.LABEL_NON_NUMERIC;
        }
        return numClasses == 2 ? ValueProblem.LABEL_NOT_BINARY : ValueProblem.LABEL_NOT_CLASS_INDEX;
    }
}
