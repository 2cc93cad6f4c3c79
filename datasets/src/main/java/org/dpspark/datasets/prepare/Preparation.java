package org.dpspark.datasets.prepare;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.RuntimeConfig;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import scala.jdk.javaapi.CollectionConverters;
import org.dpspark.core.params.InvalidParameterException;
import org.dpspark.datasets.DataReader;
import org.dpspark.datasets.spec.FeatureColumn;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.spec.Identifiers;
import org.dpspark.datasets.spec.RowEncoder;
import org.dpspark.datasets.validate.DatasetValidationException;
import org.dpspark.datasets.validate.DatasetValidator;
import org.dpspark.datasets.validate.Violation;

/**
 * The Spark side of {@code dp-prepare} (issue 15): from a raw table, the prepared copy that analysts and
 * {@code dp-train} read. Direct identifiers are dropped, keys replaced by keyed pseudonyms ({@link Pseudonymizer},
 * HMAC-SHA256, RFC 2104), display columns masked ({@link Masking}), quasi-identifiers generalized by declared,
 * data-independent hierarchies ({@link Generalization}; Samarati and Sweeney 1998), and rows of equivalence classes
 * smaller than k suppressed (k-anonymity, Sweeney 2002, "k-anonymity: a model for protecting privacy"; the
 * generalize-then-suppress scheme of Sweeney 2002, "Achieving k-anonymity privacy protection using generalization
 * and suppression"). None of this is differential privacy: it reduces what the prepared table exposes; the DP
 * guarantee still comes only from training.
 *
 * <p>Secure default: only the columns the feature spec reads (features, label, user) and the columns the
 * {@link Identifiers} section pseudonymizes, masks, generalizes or keeps reach the copy ({@link #outputColumns});
 * every other input column, declared in {@code drop} or not, is left out.
 *
 * <p>Cost: the input is read and parsed once. One {@code mapPartitions} applies every treatment (one HMAC per
 * pseudonymized value, with the thread's {@code Mac} reused), and its output is persisted (MEMORY_AND_DISK), so the
 * checks of the prepared rows, the k-anonymity aggregation and the caller's write all read the cached rows. The
 * class statistics are one Spark aggregation over the quasi-identifier tuple ({@code GROUP BY} treats nulls as
 * equal, so a null is a value of its own, as in {@link KAnonymity}); suppression is a null-safe left anti-join
 * against the classes below k, or a null-safe left semi-join with the classes of at least k rows when those are
 * fewer (both exact), broadcast when that side has at most {@value #BROADCAST_CLASSES} classes and a shuffle join
 * otherwise. Nothing is collected to the driver but per-partition counters, one statistics row and, for a
 * broadcast join, at most {@value #BROADCAST_CLASSES} quasi-identifier tuples. The cache is built without the
 * columnar cache's compression (it mostly holds high-entropy pseudonyms, where compression halves the build
 * speed for little gain): {@code spark.sql.inMemoryColumnarStorage.compressed} is set to false on the session
 * while the cache is built and restored afterwards, which also affects caches other threads of the same session
 * build in that window. Without suppression, or with a broadcast join, the prepared table keeps the input's row
 * order.
 *
 * <p>Errors never contain data values. Row numbers follow {@link DatasetValidator}: 1-based, in input order (the
 * r-th record of {@code raw.javaRDD()}), counted per partition and offset by the sizes of the partitions before.
 */
public final class Preparation {

    /** Internal column of the transformed rows: the problem slots of the row, null when it has none. */
    static final String PROBLEMS = "__dpspark_prepare_problems";

    /** Internal column of the class sizes. */
    private static final String CLASS_SIZE = "__dpspark_class_size";

    /** Largest number of small classes joined by broadcast; more are joined by a shuffle (still exact). */
    static final long BROADCAST_CLASSES = 500_000;

    private static final String CACHE_COMPRESSED = "spark.sql.inMemoryColumnarStorage.compressed";

    /** Largest number of input column names listed in a schema error. */
    private static final int MAX_LISTED_COLUMNS = 50;

    private Preparation() {
    }

    /**
     * The k-anonymity statistics of the prepared rows (before suppression), over the generalized quasi-identifier
     * tuples.
     *
     * @param quasiIdentifiers   the quasi-identifier columns, in order
     * @param classes            number of distinct tuples (equivalence classes)
     * @param smallestClass      size of the smallest class (0 for no rows)
     * @param classesBelowK      classes with fewer than k rows (0 when k = 0: no suppression asked)
     * @param smallestClassAfter size of the smallest class left after suppression (0 if none is left); equals
     *                           {@code smallestClass} when nothing is suppressed
     */
    public record Stats(List<String> quasiIdentifiers, long classes, long smallestClass, long classesBelowK,
                        long smallestClassAfter) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        public Stats {
            quasiIdentifiers = List.copyOf(quasiIdentifiers);
        }
    }

    /**
     * The prepared table, not yet written, and what happened to the input.
     *
     * @param table          the prepared rows (after suppression), columns {@link #columns}; backed by cached data,
     *                       call {@link #release()} once it has been written
     * @param rowsRead       rows of the input
     * @param rowsSuppressed rows removed because their class had fewer than k rows
     * @param rowsWritten    {@code rowsRead - rowsSuppressed}: the rows of {@code table}
     * @param kAnonymity     the class statistics, or null when there are no quasi-identifiers
     * @param columns        the columns of {@code table}, in order ({@link #outputColumns})
     * @param droppedColumns the input columns not copied (declared in {@code drop} or nowhere), in input order,
     *                       without {@value DataReader#CORRUPT_RECORD_COLUMN}
     * @param cache          what {@link #release()} unpersists (internal)
     */
    public record Prepared(Dataset<Row> table, long rowsRead, long rowsSuppressed, long rowsWritten, Stats kAnonymity,
                           List<String> columns, List<String> droppedColumns, Cache cache) {
        public Prepared {
            columns = List.copyOf(columns);
            droppedColumns = List.copyOf(droppedColumns);
        }

        /** Unpersists the cached rows and class counts behind {@link #table} (idempotent). */
        public void release() {
            cache.release();
        }
    }

    /** The cached datasets behind a {@link Prepared} table. */
    public static final class Cache {
        private final List<Dataset<?>> cached = new ArrayList<>();

        Cache() {
        }

        void add(Dataset<?> d) {
            cached.add(d);
        }

        /** Unpersists everything (non-blocking); safe to call more than once. */
        synchronized void release() {
            for (Dataset<?> d : cached) {
                d.unpersist(false);
            }
            cached.clear();
        }

        @Override
        public String toString() {
            return "Preparation.Cache[" + cached.size() + " datasets]";
        }
    }

    /**
     * The columns of the prepared table, in order: the features' columns (distinct, spec order), the label, the
     * user column (if any), then the identifiers' pseudonymize, mask, generalize and keep columns not already
     * listed. No other input column is copied.
     */
    public static List<String> outputColumns(FeatureSpec spec, Identifiers ids) {
        if (spec == null || ids == null) {
            throw new IllegalArgumentException("spec and identifiers must be non-null");
        }
        Set<String> out = new LinkedHashSet<>();
        for (FeatureColumn f : spec.features()) {
            out.add(f.column());
        }
        out.add(spec.label().column());
        if (spec.user() != null) {
            out.add(spec.user());
        }
        out.addAll(ids.pseudonymize());
        ids.mask().forEach(m -> out.add(m.column()));
        ids.generalize().forEach(g -> out.add(g.column()));
        out.addAll(ids.keep());
        return List.copyOf(out);
    }

    /**
     * Checks, on the driver and without a Spark job, that {@code schema} (the raw input's) has every declared
     * column, that the pseudonymized, masked and generalized columns hold strings or integers (integers are
     * treated as their decimal text), that every quasi-identifier is in the prepared table, and that the feature
     * spec can read the prepared columns' types.
     *
     * @throws IllegalArgumentException one line listing every problem, e.g. {@code input does not match feature
     *     spec 'customers': column 'email' (drop): missing from the input; column 'zip' (generalize): missing from
     *     the input (columns found: 'a', 'b')}
     */
    public static void checkSchema(FeatureSpec spec, Identifiers ids, StructType schema) {
        if (schema == null) {
            throw new IllegalArgumentException("schema must be non-null");
        }
        List<String> output = outputColumns(spec, ids);
        Map<String, DataType> types = new HashMap<>();
        for (StructField f : schema.fields()) {
            types.putIfAbsent(f.name(), f.dataType());
        }
        Map<String, String> roles = roles(spec, ids);
        Set<String> treated = treatedColumns(ids);
        Map<String, String> problems = new LinkedHashMap<>();
        boolean missing = false;
        List<String> declared = new ArrayList<>(ids.drop());
        declared.addAll(output);
        for (String c : declared) {
            if (DataReader.CORRUPT_RECORD_COLUMN.equals(c) || PROBLEMS.equals(c) || CLASS_SIZE.equals(c)) {
                problems.put(c, "reserved column name");
                continue;
            }
            DataType t = types.get(c);
            if (t == null) {
                problems.put(c, "missing from the input");
                missing = true;
            } else if (treated.contains(c) && !stringCompatible(t)) {
                problems.put(c, "unsupported type " + t.simpleString() + " to " + roles.get(c)
                        + " (need a string or an integer type)");
            }
        }
        Set<String> outputSet = new HashSet<>(output);
        for (String q : ids.quasiIdentifiers()) {
            if (!outputSet.contains(q)) {
                problems.putIfAbsent(q, "quasi-identifier not in the prepared table (declare it as a feature,"
                        + " or under generalize or keep)");
            }
        }
        if (problems.isEmpty()) {
            // The spec describes the prepared table: check that it can read the prepared types.
            RowEncoder.schemaProblems(spec, preparedSchema(spec, ids, schema)).forEach(problems::putIfAbsent);
        }
        if (problems.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder("input does not match feature spec '" + spec.name() + "':");
        String sep = " ";
        for (Map.Entry<String, String> e : problems.entrySet()) {
            String role = roles.get(e.getKey());
            sb.append(sep).append("column '").append(e.getKey()).append("'")
                    .append(role == null ? "" : " (" + role + ")").append(": ").append(e.getValue());
            sep = "; ";
        }
        if (missing) {
            sb.append(" (columns found: ");
            int listed = 0;
            int total = 0;
            for (StructField f : schema.fields()) {
                if (DataReader.CORRUPT_RECORD_COLUMN.equals(f.name())) {
                    continue;
                }
                if (listed < MAX_LISTED_COLUMNS) {
                    sb.append(listed > 0 ? ", " : "").append('\'').append(f.name()).append('\'');
                    listed++;
                }
                total++;
            }
            if (total > listed) {
                sb.append(", ... (").append(total - listed).append(" more)");
            }
            sb.append(total == 0 ? "none)" : ")");
        }
        throw new IllegalArgumentException(sb.toString());
    }

    /**
     * Prepares {@code raw}: the treatments of {@code ids} applied in place, the result checked as a training
     * input for {@code spec}, the k-anonymity statistics computed and, for {@code k >= 2}, the rows of classes
     * smaller than k suppressed. Runs the Spark jobs of these checks; writes nothing (write
     * {@link Prepared#table()}, then call {@link Prepared#release()}).
     *
     * @param raw           the raw input (as read by {@link DataReader}; a {@value DataReader#CORRUPT_RECORD_COLUMN}
     *                      column, when present, marks malformed records)
     * @param pseudonymizer the keyed pseudonymizer, non-null iff {@code ids.pseudonymize()} is non-empty
     * @param k             0 for no suppression (statistics only), or {@code >= 2}: suppress the rows of
     *                      quasi-identifier classes smaller than k
     * @throws IllegalArgumentException  for a bad argument or a schema problem ({@link #checkSchema})
     * @throws DatasetValidationException for malformed records, values a hierarchy does not cover, or prepared rows
     *     that are not a valid training input for {@code spec} (column, count, first row; no values)
     */
    public static Prepared prepare(Dataset<Row> raw, FeatureSpec spec, Identifiers ids, Pseudonymizer pseudonymizer,
                                   int k) {
        if (raw == null || spec == null || ids == null) {
            throw new IllegalArgumentException("raw, spec and identifiers must be non-null");
        }
        if (k != 0 && k < 2) {
            throw InvalidParameterException.of("kAnonymity", "must be 0 (no suppression) or >= 2, got " + k);
        }
        if (k >= 2 && ids.quasiIdentifiers().isEmpty()) {
            throw InvalidParameterException.of("kAnonymity", "k = " + k + " needs quasi-identifiers (declare"
                    + " quasi_identifiers or generalize columns)");
        }
        if (ids.pseudonymize().isEmpty() != (pseudonymizer == null)) {
            throw new IllegalArgumentException(pseudonymizer == null
                    ? "columns " + ids.pseudonymize() + " are to be pseudonymized: a pseudonym key must be given"
                    : "a pseudonym key was given but no column is to be pseudonymized");
        }
        StructType schema = raw.schema();
        checkSchema(spec, ids, schema);

        List<String> output = outputColumns(spec, ids);
        boolean hasCorrupt = schema.getFieldIndex(DataReader.CORRUPT_RECORD_COLUMN).isDefined();
        // With a corrupt-record column (CSV) read every column: Spark's CSV parser compares the number of fields
        // with the schema only when it parses all of them (as DatasetValidator does).
        Dataset<Row> input;
        if (hasCorrupt) {
            input = raw;
        } else {
            Column[] cols = new Column[output.size()];
            for (int i = 0; i < cols.length; i++) {
                cols[i] = raw.col(quote(output.get(i)));
            }
            input = raw.select(cols);
        }
        Transform transform = new Transform(input.schema(), output, ids, pseudonymizer,
                hasCorrupt ? input.schema().fieldIndex(DataReader.CORRUPT_RECORD_COLUMN) : -1);
        StructType outSchema = preparedSchema(spec, ids, schema).add(PROBLEMS,
                DataTypes.createArrayType(DataTypes.IntegerType, false), true);
        Cache cache = new Cache();
        try {
            Dataset<Row> transformed;
            long rows;
            // The cached rows are mostly pseudonyms and other high-entropy strings: the columnar cache's
            // compression (dictionary, run-length) gains little on them and doubles the cost of building it. Build
            // this cache uncompressed; the session's setting is restored right after.
            RuntimeConfig conf = raw.sparkSession().conf();
            scala.Option<String> compressed = conf.getOption(CACHE_COMPRESSED);
            conf.set(CACHE_COMPRESSED, "false");
            try {
                transformed = input.mapPartitions(transform, Encoders.row(outSchema))
                        .persist(StorageLevel.MEMORY_AND_DISK());
                cache.add(transformed);
                rows = checkProblems(transformed, ids);
            } finally {
                if (compressed.isDefined()) {
                    conf.set(CACHE_COMPRESSED, compressed.get());
                } else {
                    conf.unset(CACHE_COMPRESSED);
                }
            }
            Column[] outCols = new Column[output.size()];
            for (int i = 0; i < outCols.length; i++) {
                outCols[i] = transformed.col(quote(output.get(i)));
            }
            Dataset<Row> prepared = transformed.select(outCols);
            DatasetValidator.check(prepared, spec);

            Stats stats = null;
            Dataset<Row> table = prepared;
            long suppressed = 0;
            List<String> qi = ids.quasiIdentifiers();
            if (!qi.isEmpty()) {
                Column[] q = new Column[qi.size()];
                for (int i = 0; i < q.length; i++) {
                    q[i] = prepared.col(quote(qi.get(i)));
                }
                Dataset<Row> classes = prepared.groupBy(q).agg(functions.count(functions.lit(1)).as(CLASS_SIZE));
                if (k >= 2) {
                    classes = classes.persist(StorageLevel.MEMORY_AND_DISK());
                    cache.add(classes);
                }
                Column size = functions.col(CLASS_SIZE);
                Row s = classes.agg(functions.count(functions.lit(1)),
                        functions.min(size),
                        functions.sum(functions.when(size.lt(k), 1L).otherwise(0L)),
                        functions.sum(functions.when(size.lt(k), size).otherwise(0L)),
                        functions.min(functions.when(size.geq(k), size))).first();
                long nClasses = s.getLong(0);
                long smallest = s.isNullAt(1) ? 0 : s.getLong(1);
                long below = s.isNullAt(2) ? 0 : s.getLong(2);
                suppressed = s.isNullAt(3) ? 0 : s.getLong(3);
                long smallestAfter = s.isNullAt(4) ? 0 : s.getLong(4);
                stats = new Stats(qi, nClasses, smallest, below, smallestAfter);
                if (below > 0) {
                    // Keep the rows of the large classes (semi-join) or drop those of the small ones (anti-join),
                    // whichever side has fewer classes: both are exact.
                    long above = nClasses - below;
                    boolean semi = above < below;
                    Column[] side = new Column[q.length];
                    for (int i = 0; i < q.length; i++) {
                        side[i] = classes.col(quote(qi.get(i))).as("__dpspark_q" + i);
                    }
                    Dataset<Row> joined = classes.filter(semi ? size.geq(k) : size.lt(k)).select(side);
                    if (Math.min(above, below) <= BROADCAST_CLASSES) {
                        joined = functions.broadcast(joined);
                    }
                    Column on = null;
                    for (int i = 0; i < q.length; i++) {
                        Column eq = q[i].eqNullSafe(joined.col("__dpspark_q" + i));
                        on = on == null ? eq : on.and(eq);
                    }
                    table = prepared.join(joined, on, semi ? "left_semi" : "left_anti");
                } else if (k >= 2) {
                    classes.unpersist(false);
                }
            }
            Set<String> outSet = new HashSet<>(output);
            List<String> dropped = new ArrayList<>();
            for (String c : schema.fieldNames()) {
                if (!outSet.contains(c) && !DataReader.CORRUPT_RECORD_COLUMN.equals(c)) {
                    dropped.add(c);
                }
            }
            return new Prepared(table, rows, suppressed, rows - suppressed, stats, output, dropped, cache);
        } catch (RuntimeException e) {
            cache.release();
            throw e;
        }
    }

    /**
     * The job that computes the cached rows: counts the rows and each problem (malformed records, values a
     * hierarchy does not cover) with its first global row number.
     *
     * @return the number of rows
     * @throws DatasetValidationException if there is a problem
     */
    private static long checkProblems(Dataset<Row> transformed, Identifiers ids) {
        int slots = 1 + ids.generalize().size();
        List<long[]> parts = transformed.select(PROBLEMS).javaRDD()
                .mapPartitionsWithIndex((pid, rows) -> List.of(scanProblems(pid, rows, slots)).iterator(), false)
                .collect();
        List<long[]> sorted = new ArrayList<>(parts);
        sorted.sort(Comparator.comparingLong(a -> a[0]));
        long[] count = new long[slots];
        long[] first = new long[slots];
        long offset = 0;
        for (long[] p : sorted) {
            for (int s = 0; s < slots; s++) {
                if (p[2 + s] > 0) {
                    if (count[s] == 0) {
                        first[s] = offset + p[2 + slots + s] + 1;
                    }
                    count[s] += p[2 + s];
                }
            }
            offset += p[1];
        }
        List<Violation> violations = new ArrayList<>();
        if (count[0] > 0) {
            violations.add(new Violation(Violation.RECORD, DatasetValidator.MALFORMED, count[0], first[0]));
        }
        for (int g = 0; g < ids.generalize().size(); g++) {
            if (count[1 + g] > 0) {
                Identifiers.Generalize gen = ids.generalize().get(g);
                violations.add(new Violation(gen.column(), "values not covered by generalization "
                        + gen.describe(), count[1 + g], first[1 + g]));
            }
        }
        if (!violations.isEmpty()) {
            throw new DatasetValidationException(violations);
        }
        return offset;
    }

    /** {partitionId, rows, count[slots], firstLocalIndex[slots]} of one partition of the problems column. */
    private static long[] scanProblems(int pid, Iterator<Row> rows, int slots) {
        long[] out = new long[2 + 2 * slots];
        out[0] = pid;
        long local = 0;
        while (rows.hasNext()) {
            Row r = rows.next();
            if (!r.isNullAt(0)) {
                List<Integer> hits = r.getList(0);
                for (Integer s : hits) {
                    if (out[2 + s]++ == 0) {
                        out[2 + slots + s] = local;
                    }
                }
            }
            local++;
        }
        out[1] = local;
        return out;
    }

    /** The schema of the prepared table: treated columns become nullable strings, others keep their type. */
    private static StructType preparedSchema(FeatureSpec spec, Identifiers ids, StructType schema) {
        Set<String> treated = treatedColumns(ids);
        List<StructField> fields = new ArrayList<>();
        for (String c : outputColumns(spec, ids)) {
            StructField f = schema.apply(c);
            fields.add(treated.contains(c) ? DataTypes.createStructField(c, DataTypes.StringType, true)
                    : DataTypes.createStructField(c, f.dataType(), f.nullable(), f.metadata()));
        }
        return DataTypes.createStructType(fields);
    }

    private static Set<String> treatedColumns(Identifiers ids) {
        Set<String> treated = new HashSet<>(ids.pseudonymize());
        ids.mask().forEach(m -> treated.add(m.column()));
        ids.generalize().forEach(g -> treated.add(g.column()));
        return treated;
    }

    /** How each declared column is named in errors: its identifiers treatment, else its role in the spec. */
    private static Map<String, String> roles(FeatureSpec spec, Identifiers ids) {
        Map<String, String> roles = new HashMap<>();
        ids.drop().forEach(c -> roles.put(c, "drop"));
        ids.pseudonymize().forEach(c -> roles.put(c, "pseudonymize"));
        ids.mask().forEach(m -> roles.put(m.column(), "mask"));
        ids.generalize().forEach(g -> roles.put(g.column(), "generalize"));
        ids.keep().forEach(c -> roles.put(c, "keep"));
        for (FeatureColumn f : spec.features()) {
            roles.putIfAbsent(f.column(), "feature");
        }
        roles.putIfAbsent(spec.label().column(), "label");
        if (spec.user() != null) {
            roles.putIfAbsent(spec.user(), "user");
        }
        for (String q : ids.quasiIdentifiers()) {
            roles.putIfAbsent(q, "quasi-identifier");
        }
        return roles;
    }

    private static boolean stringCompatible(DataType t) {
        return t instanceof StringType || t instanceof ByteType || t instanceof ShortType || t instanceof IntegerType
                || t instanceof LongType;
    }

    private static String quote(String column) {
        return "`" + column.replace("`", "``") + "`";
    }

    /**
     * The per-row treatment, applied once per partition: output column i is input column {@code source[i]},
     * copied, pseudonymized, masked or generalized; the last field lists the row's problem slots (0 = malformed
     * record, 1 + g = a value generalization g does not cover), null when it has none.
     */
    static final class Transform implements MapPartitionsFunction<Row, Row> {
        @Serial
        private static final long serialVersionUID = 1L;

        private static final byte COPY = 0;
        private static final byte PSEUDONYMIZE = 1;
        private static final byte KEEP_LAST = 2;
        private static final byte EMAIL = 3;
        private static final byte GENERALIZE = 4;

        private static final scala.collection.immutable.Seq<Integer> MALFORMED_ONLY =
                CollectionConverters.asScala(List.of(0)).toSeq();

        private final int[] source;
        private final byte[] op;
        /** KEEP_LAST: characters kept; GENERALIZE: index of the generalization. */
        private final int[] arg;
        private final Generalization[] generalizations;
        private final Pseudonymizer pseudonymizer;
        private final int corrupt;

        Transform(StructType input, List<String> output, Identifiers ids, Pseudonymizer pseudonymizer, int corrupt) {
            int n = output.size();
            this.source = new int[n];
            this.op = new byte[n];
            this.arg = new int[n];
            this.generalizations = new Generalization[ids.generalize().size()];
            this.pseudonymizer = pseudonymizer;
            this.corrupt = corrupt;
            Map<String, Integer> gen = new HashMap<>();
            for (int g = 0; g < generalizations.length; g++) {
                Identifiers.Generalize d = ids.generalize().get(g);
                generalizations[g] = switch (d.method()) {
                    case AGE_BANDS -> Generalization.ageBands(d.width(), d.min(), d.max());
                    case ZIP_PREFIX -> Generalization.zipPrefix(d.digits());
                    case DATE -> Generalization.dateTo(d.unit());
                };
                gen.put(d.column(), g);
            }
            Map<String, Identifiers.Mask> masks = new HashMap<>();
            ids.mask().forEach(m -> masks.put(m.column(), m));
            Set<String> pseudo = new HashSet<>(ids.pseudonymize());
            for (int i = 0; i < n; i++) {
                String c = output.get(i);
                source[i] = input.fieldIndex(c);
                if (pseudo.contains(c)) {
                    op[i] = PSEUDONYMIZE;
                } else if (masks.containsKey(c)) {
                    Identifiers.Mask m = masks.get(c);
                    op[i] = m.method() == Identifiers.MaskMethod.EMAIL ? EMAIL : KEEP_LAST;
                    arg[i] = m.keep();
                } else if (gen.containsKey(c)) {
                    op[i] = GENERALIZE;
                    arg[i] = gen.get(c);
                } else {
                    op[i] = COPY;
                }
            }
        }

        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return rows.hasNext();
                }

                @Override
                public Row next() {
                    return apply(rows.next());
                }
            };
        }

        Row apply(Row in) {
            int n = source.length;
            Object[] out = new Object[n + 1];
            if (corrupt >= 0 && !in.isNullAt(corrupt)) {
                out[n] = MALFORMED_ONLY; // malformed: no value is read
                return RowFactory.create(out);
            }
            List<Integer> problems = null;
            for (int i = 0; i < n; i++) {
                Object v = in.get(source[i]);
                switch (op[i]) {
                    case COPY -> out[i] = v;
                    case PSEUDONYMIZE -> out[i] = pseudonymizer.pseudonym(text(v));
                    case KEEP_LAST -> out[i] = Masking.keepLast(text(v), arg[i], '*');
                    case EMAIL -> out[i] = Masking.email(text(v));
                    default -> {
                        try {
                            out[i] = generalizations[arg[i]].apply(text(v));
                        } catch (NotCoveredException e) {
                            if (problems == null) {
                                problems = new ArrayList<>(2);
                            }
                            problems.add(1 + arg[i]);
                        }
                    }
                }
            }
            // The row encoder takes a Scala Seq for an array column.
            out[n] = problems == null ? null : CollectionConverters.asScala(problems).toSeq();
            return RowFactory.create(out);
        }

        /** Strings as they are; integers (the only other types {@link #checkSchema} admits) as decimal text. */
        private static String text(Object v) {
            return v == null ? null : v instanceof String s ? s : v.toString();
        }
    }
}
