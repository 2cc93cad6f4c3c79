package org.dpspark.datasets.validate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.dpspark.datasets.DataReader;
import org.dpspark.datasets.RowFingerprint;
import org.dpspark.datasets.spec.FeatureColumn;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.spec.IndicatorFeature;
import org.dpspark.datasets.spec.NumericFeature;
import org.dpspark.datasets.spec.RowEncoder;
import org.dpspark.datasets.spec.ValueProblem;
import org.dpspark.datasets.spec.VectorFeature;

/**
 * Checks a raw input against a {@link FeatureSpec} and counts its rows.
 *
 * <p>Checks, all reported together:
 * <ol>
 *   <li>schema, on the driver before any Spark job: every spec column present (exact name) with a usable type
 *       (if this fails, nothing else is checked; when columns are missing the message lists the columns the input
 *       has, and hints at a CSV delimiter when the whole header was read as one column);</li>
 *   <li>malformed records: a non-null {@value DataReader#CORRUPT_RECORD_COLUMN} (CSV or UCI lines with the wrong
 *       number of fields); other checks skip those records;</li>
 *   <li>numeric features: missing or empty, non-numeric, NaN, infinite (one-hot features accept anything: an
 *       unknown or missing token encodes as an all-zero block);</li>
 *   <li>numeric indicators: non-numeric, NaN, infinite (a missing value encodes as 0; text indicators accept
 *       anything);</li>
 *   <li>vector features: missing, of another size than declared, with a missing (null), non-numeric, NaN or
 *       infinite element;</li>
 *   <li>the label: missing or empty, or not 0/1 after the spec's mapping (binary), not a class index in
 *       [0, K) (multiclass), non-numeric or NaN (regression; values outside the bounds are clipped, not
 *       errors);</li>
 *   <li>an input with no rows.</li>
 * </ol>
 * Steps 2-5 take ONE Spark pass: each partition returns its row count and, per (column, problem), a count and the
 * partition-local index of the first occurrence; the driver turns these into global row numbers with the prefix
 * sums of the partition sizes.
 *
 * <p>Row numbers are 1-based data-record numbers in input order: row r is the r-th record of
 * {@code raw.javaRDD()}, i.e. {@code zipWithIndex() + 1}. Header lines, blank lines and the UCI "|" lines are not
 * records and are not counted; for a single CSV or UCI file, row r is the r-th non-blank line after the header.
 * For a directory of several files, input order is Spark's partition order (Spark packs file splits largest
 * first), not necessarily file-name order.
 */
public final class DatasetValidator {

    /** Record-level problem phrase for malformed records. */
    public static final String MALFORMED = "malformed records (wrong number of fields)";

    /** Input-level problem phrase for an empty input. */
    public static final String NO_ROWS = "input has no rows";

    private static final ValueProblem[] NUMERIC_PROBLEMS = {
        ValueProblem.MISSING, ValueProblem.NON_NUMERIC, ValueProblem.NAN, ValueProblem.INFINITE};

    private static final ValueProblem[] VECTOR_PROBLEMS = {
        ValueProblem.MISSING, ValueProblem.WRONG_SIZE, ValueProblem.NON_NUMERIC, ValueProblem.NAN,
        ValueProblem.INFINITE};

    private static final ValueProblem[] LABEL_PROBLEMS = {ValueProblem.LABEL_MISSING, ValueProblem.LABEL_NOT_BINARY,
        ValueProblem.LABEL_NOT_CLASS_INDEX, ValueProblem.LABEL_NON_NUMERIC, ValueProblem.LABEL_NAN};

    private DatasetValidator() {
    }

    /**
     * Validates {@code raw} against {@code spec}.
     *
     * @return the number of rows N
     * @throws DatasetValidationException listing every violation (columns, problems, counts, first rows; no values)
     */
    public static long validate(Dataset<Row> raw, FeatureSpec spec) {
        return check(raw, spec).rows();
    }

    /**
     * The validated input: N and the order-independent fingerprint of its encoded rows ({@link RowFingerprint}), as
     * encoded before any fixed image transform ({@link FeatureSpec#withoutTransforms()}).
     *
     * @param rows N
     * @param fingerprint {@code rows-v1:...}
     */
    public record Validated(long rows, String fingerprint) {}

    /**
     * Validates {@code raw} against {@code spec} in the same single pass, and fingerprints its encoded rows (before
     * any fixed image transform: the same data fingerprints alike whatever {@code --features} a run picks).
     *
     * @throws DatasetValidationException listing every violation (columns, problems, counts, first rows; no values)
     */
    public static Validated check(Dataset<Row> raw, FeatureSpec spec) {
        if (raw == null || spec == null) {
            throw new IllegalArgumentException("raw and spec must be non-null");
        }
        Map<String, String> schemaProblems = RowEncoder.schemaProblems(spec, raw.schema());
        if (!schemaProblems.isEmpty()) {
            List<Violation> v = new ArrayList<>();
            schemaProblems.forEach((col, problem) -> v.add(new Violation(col, problem, 0, 0)));
            throw new DatasetValidationException(v, RowEncoder.missingColumnsNote(spec, raw.schema(), schemaProblems));
        }

        boolean hasCorrupt = Arrays.asList(raw.schema().fieldNames()).contains(DataReader.CORRUPT_RECORD_COLUMN);
        // With a corrupt-record column (CSV, Adult) scan every column: Spark's CSV parser only compares the number
        // of fields with the schema when it parses all of them.
        Dataset<Row> scanned = hasCorrupt ? raw : raw.select(columns(raw, spec.requiredColumns()));
        // Checks and the fingerprint read the rows as encoded before any fixed image transform (--features): the
        // checks are of the input values, and the same data must fingerprint alike whatever transform a run picks,
        // or a change of --features would hide a registered dataset from the ledger. It also spares the transform's
        // cost (the scattering transform is the most expensive part of a pass) in this pass.
        FeatureSpec plain = spec.withoutTransforms();
        RowEncoder encoder = new RowEncoder(plain, scanned.schema());
        int corruptIndex = hasCorrupt ? scanned.schema().fieldIndex(DataReader.CORRUPT_RECORD_COLUMN) : -1;

        // Slots: 0 = malformed records; then the value checks' slots (RowChecks).
        RowChecks checks = new RowChecks(plain, encoder);
        int slots = 1 + checks.slots();
        List<String> slotColumn = new ArrayList<>();
        List<String> slotProblem = new ArrayList<>();
        slotColumn.add(Violation.RECORD);
        slotProblem.add(MALFORMED);
        slotColumn.addAll(checks.slotColumn);
        slotProblem.addAll(checks.slotProblem);

        JavaRDD<Row> rdd = scanned.javaRDD();
        List<long[]> parts = rdd.mapPartitionsWithIndex((pid, rows) ->
                List.of(scanPartition(pid, rows, checks, corruptIndex, slots)).iterator(), false).collect();

        List<long[]> sorted = new ArrayList<>(parts);
        sorted.sort(Comparator.comparingLong(a -> a[0]));
        long[] count = new long[slots];
        long[] first = new long[slots];
        long offset = 0;
        for (long[] p : sorted) {
            for (int k = 0; k < slots; k++) {
                long c = p[2 + k];
                if (c > 0) {
                    if (count[k] == 0) {
                        first[k] = offset + p[2 + slots + k] + 1;
                    }
                    count[k] += c;
                }
            }
            offset += p[1];
        }
        long n = offset;
        RowFingerprint fingerprint = new RowFingerprint();
        for (long[] p : sorted) {
            fingerprint.merge(RowFingerprint.fromLongs(p[2 + 2 * slots], p[3 + 2 * slots], p[4 + 2 * slots]));
        }

        List<Violation> violations = new ArrayList<>();
        if (n == 0) {
            violations.add(new Violation(Violation.RECORD, NO_ROWS, 0, 0));
        }
        for (int k = 0; k < slots; k++) {
            if (count[k] > 0) {
                violations.add(new Violation(slotColumn.get(k), slotProblem.get(k), count[k], first[k]));
            }
        }
        if (!violations.isEmpty()) {
            throw new DatasetValidationException(violations);
        }
        return new Validated(n, fingerprint.toString());
    }

    /**
     * {partitionId, rows, count[slots], firstLocalIndex[slots], fingerprint (rows, lane 1, lane 2)} for one
     * partition; the fingerprint covers the rows without problems (it is used only when there are none). {@code checked} lists the
     * features to check by index in the spec: i &gt;= 0 for a numeric feature, -1 - i for a vector feature.
     */
    static long[] scanPartition(int pid, Iterator<Row> rows, RowChecks checks, int corruptIndex, int slots) {
        long[] out = new long[2 + 2 * slots + 3];
        out[0] = pid;
        long local = 0;
        RowFingerprint fingerprint = new RowFingerprint();
        RowEncoder encoder = checks.encoder;
        double[] x = new double[encoder.dimension()];
        int[] hits = new int[checks.maxHits()];
        while (rows.hasNext()) {
            Row r = rows.next();
            if (corruptIndex >= 0 && !r.isNullAt(corruptIndex)) {
                hit(out, 0, local, slots);
            } else {
                int h = checks.check(r, hits);
                for (int i = 0; i < h; i++) {
                    hit(out, 1 + hits[i], local, slots);
                }
                if (!anyHit(out, slots)) {
                    double y = encoder.encodeInto(r, x, 0);
                    fingerprint.add(x, 0, x.length, y);
                }
            }
            local++;
        }
        out[1] = local;
        System.arraycopy(fingerprint.toLongs(), 0, out, 2 + 2 * slots, 3);
        return out;
    }

    /**
     * The value checks of validation, one row at a time: every checked feature's value (missing, non-numeric, NaN,
     * infinite; a vector's size and elements) and the label. Not malformed records, which are the reader's. For
     * callers that scan rows in a pass of their own ({@code dp-prepare} checks its prepared rows while it builds
     * them); {@link #check} uses the same checks, so both agree on what a valid row is. Slots are numbered from 0:
     * NUMERIC_PROBLEMS per checked numeric feature (or numeric indicator), VECTOR_PROBLEMS per checked vector
     * feature, then LABEL_PROBLEMS. A column read by several features is checked once per kind (see
     * {@code checkedFeatures}). Immutable and serializable.
     */
    public static final class RowChecks implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final RowEncoder encoder;
        private final int[] checked;
        private final boolean checkLabel;
        private final List<String> slotColumn = new ArrayList<>();
        private final List<String> slotProblem = new ArrayList<>();

        /**
         * The checks of {@code spec} for rows of {@code schema}.
         *
         * @throws DatasetValidationException when a column is missing or of an unsupported type (listing the
         *     columns found)
         */
        public static RowChecks of(FeatureSpec spec, StructType schema) {
            Map<String, String> schemaProblems = RowEncoder.schemaProblems(spec, schema);
            if (!schemaProblems.isEmpty()) {
                List<Violation> v = new ArrayList<>();
                schemaProblems.forEach((col, problem) -> v.add(new Violation(col, problem, 0, 0)));
                throw new DatasetValidationException(v, RowEncoder.missingColumnsNote(spec, schema, schemaProblems));
            }
            return new RowChecks(spec, new RowEncoder(spec, schema), null, true);
        }

        /**
         * As {@link #of(FeatureSpec, StructType)}, checking only the features that read one of {@code columns}, and
         * the label only when {@code label} is set (for a caller that knows the other values are unchanged input,
         * which the training job validates anyway).
         */
        public static RowChecks of(FeatureSpec spec, StructType schema, java.util.Set<String> columns, boolean label) {
            of(spec, schema); // the schema checks
            return new RowChecks(spec, new RowEncoder(spec, schema), columns, label);
        }

        RowChecks(FeatureSpec spec, RowEncoder encoder) {
            this(spec, encoder, null, true);
        }

        private RowChecks(FeatureSpec spec, RowEncoder encoder, java.util.Set<String> columns, boolean label) {
            this.encoder = encoder;
            this.checkLabel = label;
            List<FeatureColumn> features = spec.features();
            List<Integer> chosen = new ArrayList<>();
            for (int i : checkedFeatures(features)) {
                if (columns != null && !columns.contains(features.get(i).column())) {
                    continue;
                }
                if (features.get(i) instanceof NumericFeature || features.get(i) instanceof IndicatorFeature) {
                    chosen.add(i);
                    for (ValueProblem p : NUMERIC_PROBLEMS) {
                        slotColumn.add(features.get(i).column());
                        slotProblem.add(p.phrase());
                    }
                } else if (features.get(i) instanceof VectorFeature v) {
                    chosen.add(-1 - i); // negative: a vector feature
                    for (ValueProblem p : VECTOR_PROBLEMS) {
                        slotColumn.add(v.column());
                        slotProblem.add(p == ValueProblem.WRONG_SIZE ? p.phrase() + " (expected " + v.size() + ")"
                                : p == ValueProblem.MISSING ? "missing vectors or missing elements"
                                : p.phrase().replace("values", "elements"));
                    }
                }
            }
            if (label) {
                for (ValueProblem p : LABEL_PROBLEMS) {
                    slotColumn.add(spec.label().column());
                    slotProblem.add(p == ValueProblem.LABEL_NOT_CLASS_INDEX
                            ? p.phrase() + " (an integer in [0, " + spec.label().numClasses() + "))" : p.phrase());
                }
            }
            this.checked = chosen.stream().mapToInt(Integer::intValue).toArray();
        }

        /** Number of slots. */
        public int slots() {
            return slotColumn.size();
        }

        /** Largest number of slots one row can hit: one per checked feature, and one for the label. */
        public int maxHits() {
            return checked.length + 1;
        }

        /**
         * Writes the slots of {@code r}'s problems into {@code hits} (length at least {@link #maxHits()}).
         *
         * @return how many were written
         */
        public int check(Row r, int[] hits) {
            int h = 0;
            int k = 0;
            for (int f : checked) {
                ValueProblem[] kinds = f >= 0 ? NUMERIC_PROBLEMS : VECTOR_PROBLEMS;
                ValueProblem p = encoder.checkFeature(r, f >= 0 ? f : -1 - f);
                if (p != null) {
                    hits[h++] = k + indexOf(kinds, p);
                }
                k += kinds.length;
            }
            if (checkLabel) {
                ValueProblem p = encoder.checkLabel(r);
                if (p != null) {
                    hits[h++] = k + indexOf(LABEL_PROBLEMS, p);
                }
            }
            return h;
        }

        /** The violation of slot {@code slot}: its column and problem, with a count and a first row number. */
        public Violation violation(int slot, long count, long firstRow) {
            return new Violation(slotColumn.get(slot), slotProblem.get(slot), count, firstRow);
        }
    }

    /**
     * Indices of the features to check, in order of first appearance of their (column, kind): one per column for the
     * numeric kind (a {@link NumericFeature} preferred to a numeric {@link IndicatorFeature}, since only the former
     * refuses missing values), one per (column, size) for vector features. Text indicators and one-hot features
     * accept every value and are not checked.
     */
    static List<Integer> checkedFeatures(List<FeatureColumn> features) {
        Map<String, Integer> chosen = new LinkedHashMap<>();
        for (int i = 0; i < features.size(); i++) {
            FeatureColumn f = features.get(i);
            if (f instanceof NumericFeature) {
                String key = "n:" + f.column();
                Integer before = chosen.get(key);
                if (before == null || features.get(before) instanceof IndicatorFeature) {
                    chosen.put(key, i); // a LinkedHashMap keeps the key's first position
                }
            } else if (f instanceof IndicatorFeature ind && !ind.isText()) {
                chosen.putIfAbsent("n:" + f.column(), i);
            } else if (f instanceof VectorFeature v) {
                chosen.putIfAbsent("v:" + v.size() + ":" + f.column(), i);
            }
        }
        return new ArrayList<>(chosen.values());
    }

    private static boolean anyHit(long[] out, int slots) {
        for (int k = 0; k < slots; k++) {
            if (out[2 + k] != 0) {
                return true;
            }
        }
        return false;
    }

    private static void hit(long[] out, int slot, long local, int slots) {
        if (out[2 + slot]++ == 0) {
            out[2 + slots + slot] = local;
        }
    }

    private static int indexOf(ValueProblem[] list, ValueProblem p) {
        for (int i = 0; i < list.length; i++) {
            if (list[i] == p) {
                return i;
            }
        }
        throw new IllegalStateException("unexpected problem " + p);
    }

    private static Column[] columns(Dataset<Row> raw, List<String> names) {
        Column[] cols = new Column[names.size()];
        for (int i = 0; i < cols.length; i++) {
            cols[i] = raw.col("`" + names.get(i).replace("`", "``") + "`");
        }
        return cols;
    }
}
