package org.dpspark.datasets.prepare;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
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
import org.apache.spark.util.CollectionAccumulator;
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
 * <p>Cost: two passes over the input, and no copy of it held in memory. When there are quasi-identifiers, a first,
 * light pass reads only their columns (for CSV, Spark's parser then materializes only those fields), treats them as
 * the prepared table will, and counts the equivalence classes with one Spark aggregation over the tuple
 * ({@code GROUP BY} treats nulls as equal, so a null is a value of its own, as in {@link KAnonymity}), read back to
 * the driver a partition at a time ({@code toLocalIterator}: the statistics, and the tuples of the smaller side for
 * suppression). The main pass, the caller's write
 * ({@link Prepared#write}), reads every column once and applies every treatment in one {@code mapPartitions} (one
 * HMAC per distinct pseudonymized value of a partition, memoized, with the thread's {@code Mac} reused); it checks
 * each row, counts it, and only then suppresses it when its class is below k: against a broadcast set of the small
 * classes, or of the large ones when those are fewer (exact either way), when that side has at most
 * {@value #BROADCAST_CLASSES} classes, else by a null-safe shuffle join. Each partition reports its row count and
 * problems when its last row is read (a recomputed partition reports the same figures, kept once). The driver
 * holds these reports, one partition of class counts at a time, and at most {@value #BROADCAST_CLASSES} tuples of
 * each side. Without a shuffle join the prepared table keeps the input's row order.
 *
 * <p>Errors never contain data values. Row numbers follow {@link DatasetValidator}: 1-based, in input order (the
 * r-th record of {@code raw.javaRDD()}), counted per partition and offset by the sizes of the partitions before.
 */
public final class Preparation {

    /** Internal column of the transformed rows: the problem slots of the row, null when it has none. */
    static final String PROBLEMS = "__dpspark_prepare_problems";

    /** Internal column of the class sizes. */
    private static final String CLASS_SIZE = "__dpspark_class_size";

    /**
     * Largest number of classes on the smaller side (those below k, or those of at least k) that the main pass filters
     * against as a broadcast set; more are joined by a shuffle (still exact).
     */
    static final long BROADCAST_CLASSES = 250_000;

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
     * The prepared table, not yet written, and what happened to the input. The table is lazy: writing it is the
     * one pass that reads the input, applies the treatments and checks every prepared row ({@link #write}); the
     * problems found in that pass, and the number of rows, are known once it has run.
     */
    public static final class Prepared {
        private final Dataset<Row> table;
        private final Stats kAnonymity;
        private final long rowsSuppressed;
        private final long classRows;
        private final List<String> columns;
        private final List<String> droppedColumns;
        private final Cache cache;
        private final CollectionAccumulator<long[]> reports;
        private final int partitions;
        private final Identifiers ids;
        private final DatasetValidator.RowChecks checks;
        private long rowsRead = -1;

        Prepared(Dataset<Row> table, Stats kAnonymity, long rowsSuppressed, long classRows, List<String> columns,
                 List<String> droppedColumns, Cache cache, CollectionAccumulator<long[]> reports, int partitions,
                 Identifiers ids, DatasetValidator.RowChecks checks) {
            this.table = table;
            this.kAnonymity = kAnonymity;
            this.rowsSuppressed = rowsSuppressed;
            this.classRows = classRows;
            this.columns = List.copyOf(columns);
            this.droppedColumns = List.copyOf(droppedColumns);
            this.cache = cache;
            this.reports = reports;
            this.partitions = partitions;
            this.ids = ids;
            this.checks = checks;
        }

        /**
         * The prepared rows (after suppression), columns {@link #columns}. Lazy: each evaluation reads the input
         * again. Write it with {@link #write}, which also checks it.
         */
        public Dataset<Row> table() {
            return table;
        }

        /**
         * Writes the table with {@code writer} (e.g. {@code t -> t.write().parquet(tmp)}: somewhere that is not yet
         * published), then checks what that pass found: malformed records, values a hierarchy does not cover, and
         * prepared rows that are not a valid training input for the spec.
         *
         * @throws DatasetValidationException listing the problems (column, count, first row in input order; never a
         *     value): what the writer wrote must then be discarded
         */
        public void write(java.util.function.Consumer<Dataset<Row>> writer) {
            reports.reset();
            writer.accept(table);
            verify();
        }

        /** The checks of the pass that {@link #write} ran: throws the problems found, else counts the rows. */
        private void verify() {
            java.util.TreeMap<Long, long[]> byPartition = new java.util.TreeMap<>();
            for (long[] r : reports.value()) {
                byPartition.putIfAbsent(r[0], r); // a recomputed partition reports the same figures again
            }
            if (byPartition.size() != partitions) {
                throw new IllegalStateException("dp-prepare: " + byPartition.size() + " of " + partitions
                        + " partitions of the input were read by the write; the checks are incomplete");
            }
            long n = rowsChecked(new ArrayList<>(byPartition.values()), ids, checks);
            if (classRows >= 0 && classRows != n) {
                throw new IllegalStateException("dp-prepare: the input had " + classRows + " rows when its classes"
                        + " were counted and " + n + " when it was written: it changed while it was prepared");
            }
            rowsRead = n;
        }

        /** Rows of the input; known once {@link #write} has run. */
        public long rowsRead() {
            if (rowsRead < 0) {
                throw new IllegalStateException("the rows are counted when the table is written: call write first");
            }
            return rowsRead;
        }

        /** Rows removed because their class had fewer than k rows. */
        public long rowsSuppressed() {
            return rowsSuppressed;
        }

        /** {@code rowsRead() - rowsSuppressed()}: the rows of the table. */
        public long rowsWritten() {
            return rowsRead() - rowsSuppressed;
        }

        /** The class statistics, or null when there are no quasi-identifiers. */
        public Stats kAnonymity() {
            return kAnonymity;
        }

        /** The columns of the table, in order ({@link #outputColumns}). */
        public List<String> columns() {
            return columns;
        }

        /** The input columns not copied (declared in drop or nowhere), in input order, without the corrupt-record column. */
        public List<String> droppedColumns() {
            return droppedColumns;
        }

        /** Unpersists the cached class counts (idempotent). */
        public void release() {
            cache.release();
        }
    }

    /** The cached datasets behind a {@link Prepared} table. */
    static final class Cache {
        private final List<Object> cached = new ArrayList<>();

        Cache() {
        }

        void add(Dataset<?> d) {
            cached.add(d);
        }

        void add(Broadcast<?> b) {
            cached.add(b);
        }

        /** Unpersists everything (non-blocking); safe to call more than once. */
        synchronized void release() {
            for (Object o : cached) {
                if (o instanceof Dataset<?> d) {
                    d.unpersist(false);
                } else if (o instanceof Broadcast<?> b) {
                    b.destroy();
                }
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
        for (String d : ids.drop()) {
            if (outputSet.contains(d)) {
                // Identifiers lets a column have one treatment, but the spec may still read a dropped column: the
                // raw identifier would then be copied. Refused.
                problems.put(d, "dropped, but the feature spec reads it (as " + specRole(spec, d) + "): a dropped"
                        + " column cannot be in the prepared table");
            }
        }
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
     * Prepares {@code raw}: the treatments of {@code ids} applied in place, the values the treatments make checked
     * as a training input for {@code spec}, the k-anonymity statistics computed and, for {@code k >= 2}, the rows of
     * classes smaller than k suppressed. Runs the first pass (the class counts) now; the main pass is the caller's
     * write of the table, through {@link Prepared#write}, which then reports the problems it found. Call
     * {@link Prepared#release()} at the end.
     *
     * @param raw           the raw input (as read by {@link DataReader}; a {@value DataReader#CORRUPT_RECORD_COLUMN}
     *                      column, when present, marks malformed records)
     * @param pseudonymizer the keyed pseudonymizer, non-null iff {@code ids.pseudonymize()} is non-empty
     * @param k             0 for no suppression (statistics only), or {@code >= 2}: suppress the rows of
     *                      quasi-identifier classes smaller than k
     * @throws IllegalArgumentException  for a bad argument or a schema problem ({@link #checkSchema}); malformed
     *     records, values a hierarchy does not cover, and made values that are not a valid training input for
     *     {@code spec} are reported by {@link Prepared#write} (column, count, first row; no values)
     */
    public static Prepared prepare(Dataset<Row> raw, FeatureSpec spec, Identifiers ids, Pseudonymizer pseudonymizer,
                                   int k) {
        return prepare(raw, spec, ids, pseudonymizer, k, BROADCAST_CLASSES);
    }

    /** As {@link #prepare(Dataset, FeatureSpec, Identifiers, Pseudonymizer, int)}, with the broadcast limit (tests). */
    static Prepared prepare(Dataset<Row> raw, FeatureSpec spec, Identifiers ids, Pseudonymizer pseudonymizer, int k,
                            long broadcastClasses) {
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
        // with the schema only when it parses all of them (as DatasetValidator does). Otherwise only the output
        // columns reach the per-row treatment (converting a row to Java objects costs per column).
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
        StructType preparedSchema = preparedSchema(spec, ids, schema);
        // The values this job makes (pseudonyms, masked and generalized values) are checked as dp-train will check
        // them, in the same pass that builds and writes them: a spec that still encodes a generalized age with
        // "scale" is refused here. Copied columns are the input's values, which dp-train validates before it
        // spends any budget, as for any input.
        DatasetValidator.RowChecks checks = DatasetValidator.RowChecks.of(spec, preparedSchema,
                treatedColumns(ids), false);
        int corrupt = hasCorrupt ? input.schema().fieldIndex(DataReader.CORRUPT_RECORD_COLUMN) : -1;
        CollectionAccumulator<long[]> reports = new CollectionAccumulator<>();
        raw.sparkSession().sparkContext().register(reports); // unnamed: not shown in the UI or the event log
        StructType outSchema = preparedSchema.add(PROBLEMS,
                DataTypes.createArrayType(DataTypes.IntegerType, false), true);
        int partitions = input.javaRDD().getNumPartitions();

        Cache cache = new Cache();
        try {
            Stats stats = null;
            Dataset<Row> joinSide = null; // classes to join with when too many to broadcast
            Broadcast<HashSet<List<Object>>> filter = null; // else the classes the main pass filters by
            boolean semi = false;
            long suppressed = 0;
            long classRows = -1;
            List<String> qi = ids.quasiIdentifiers();
            if (!qi.isEmpty()) {
                // A first, light pass: only the quasi-identifier columns, treated as in the prepared table (for a
                // CSV input without the corrupt-record column, so that Spark's parser materializes only them).
                // Malformed records and uncovered values are reported by the main pass.
                Column[] qcols = new Column[qi.size()];
                for (int i = 0; i < qcols.length; i++) {
                    qcols[i] = raw.col(quote(qi.get(i)));
                }
                Dataset<Row> qin = raw.select(qcols);
                StructType qSchema = new StructType();
                for (String c : qi) {
                    qSchema = qSchema.add(preparedSchema.apply(c));
                }
                Dataset<Row> qrows = qin.mapPartitions(new Transform(qin.schema(), qi, ids, pseudonymizer, -1),
                        Encoders.row(qSchema.add(PROBLEMS, DataTypes.createArrayType(DataTypes.IntegerType, false),
                                true)));
                Column[] q = new Column[qi.size()];
                for (int i = 0; i < q.length; i++) {
                    q[i] = qrows.col(quote(qi.get(i)));
                }
                // As many partitions of class counts as the cluster has cores, not spark.sql.shuffle.partitions
                // (200 by default): the counts are small, and a cached plan's partitions are not coalesced by AQE,
                // so 200 tiny tasks per job would cost more than the counting.
                int parallelism = Math.max(1, raw.sparkSession().sparkContext().defaultParallelism());
                Dataset<Row> classes = qrows.groupBy(q).agg(functions.count(functions.lit(1)).as(CLASS_SIZE))
                        .coalesce(parallelism);
                // One streaming read of the class counts, a partition at a time: the statistics, and both sides'
                // tuples (the classes below k, and those of at least k) while each side is within the broadcast
                // limit. No cache, and no further job.
                int sizeIndex = qi.size();
                long nClasses = 0;
                long smallest = Long.MAX_VALUE;
                long below = 0;
                long smallestAfter = Long.MAX_VALUE;
                long total = 0;
                HashSet<List<Object>> small = new HashSet<>();
                HashSet<List<Object>> large = new HashSet<>();
                Iterator<Row> it = classes.toLocalIterator();
                while (it.hasNext()) {
                    Row r = it.next();
                    long c = r.getLong(sizeIndex);
                    nClasses++;
                    total += c;
                    smallest = Math.min(smallest, c);
                    boolean isSmall = c < k;
                    if (isSmall) {
                        below++;
                        suppressed += c;
                    } else {
                        smallestAfter = Math.min(smallestAfter, c);
                    }
                    HashSet<List<Object>> side = isSmall ? small : large;
                    if (k >= 2 && side != null && side.size() < broadcastClasses) {
                        Object[] v = new Object[sizeIndex];
                        for (int i = 0; i < v.length; i++) {
                            v[i] = r.get(i);
                        }
                        side.add(Arrays.asList(v));
                    } else if (isSmall) {
                        small = null; // more small classes than the limit: not this side
                    } else {
                        large = null;
                    }
                }
                classRows = total;
                stats = new Stats(qi, nClasses, nClasses == 0 ? 0 : smallest, below,
                        smallestAfter == Long.MAX_VALUE ? 0 : smallestAfter);
                if (below > 0) {
                    // Keep the rows of the large classes or drop those of the small ones, whichever side has fewer
                    // classes: both are exact. Within the limit, the main pass filters its own rows against a
                    // broadcast set, after it has checked them (so every row is checked, whatever is suppressed);
                    // beyond, a null-safe shuffle join with the class counts, computed again.
                    long above = nClasses - below;
                    semi = above < below;
                    HashSet<List<Object>> set = semi ? large : small;
                    if (set != null && set.size() == (semi ? above : below)) {
                        filter = JavaSparkContext.fromSparkContext(raw.sparkSession().sparkContext()).broadcast(set);
                        cache.add(filter);
                    } else {
                        Column size = functions.col(CLASS_SIZE);
                        Column[] sideCols = new Column[qi.size()];
                        for (int i = 0; i < sideCols.length; i++) {
                            sideCols[i] = classes.col(quote(qi.get(i))).as("__dpspark_q" + i);
                        }
                        joinSide = classes.filter(semi ? size.geq(k) : size.lt(k)).select(sideCols);
                    }
                }
            }
            int[] qiIndex = new int[qi.size()];
            for (int i = 0; i < qiIndex.length; i++) {
                qiIndex[i] = output.indexOf(qi.get(i));
            }
            Transform transform = new Transform(input.schema(), output, ids, pseudonymizer, corrupt, checks, reports)
                    .filteredBy(filter, qiIndex, semi);
            Dataset<Row> table = input.mapPartitions(transform, Encoders.row(outSchema));
            if (joinSide != null) {
                Column on = null;
                for (int i = 0; i < qi.size(); i++) {
                    Column eq = table.col(quote(qi.get(i))).eqNullSafe(joinSide.col("__dpspark_q" + i));
                    on = on == null ? eq : on.and(eq);
                }
                table = table.join(joinSide, on, semi ? "left_semi" : "left_anti");
            }
            Column[] finalCols = new Column[output.size()];
            for (int i = 0; i < finalCols.length; i++) {
                finalCols[i] = table.col(quote(output.get(i)));
            }
            table = table.select(finalCols);
            Set<String> outSet = new HashSet<>(output);
            List<String> dropped = new ArrayList<>();
            for (String c : schema.fieldNames()) {
                if (!outSet.contains(c) && !DataReader.CORRUPT_RECORD_COLUMN.equals(c)) {
                    dropped.add(c);
                }
            }
            return new Prepared(table, stats, suppressed, classRows, output, dropped, cache, reports, partitions, ids,
                    checks);
        } catch (RuntimeException e) {
            cache.release();
            throw e;
        }
    }

    /**
     * The checks of the main pass, from every partition's report {partitionId, rows, count[slots],
     * firstLocalIndex[slots]} (in partition order): the number of rows.
     *
     * @throws DatasetValidationException if there is a problem
     */
    static long rowsChecked(List<long[]> sorted, Identifiers ids, DatasetValidator.RowChecks checks) {
        int base = 1 + ids.generalize().size();
        int slots = base + checks.slots();
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
        if (offset == 0) {
            violations.add(new Violation(Violation.RECORD, DatasetValidator.NO_ROWS, 0, 0));
        }
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
        for (int c = 0; c < checks.slots(); c++) {
            if (count[base + c] > 0) {
                violations.add(checks.violation(c, count[base + c], first[base + c]));
            }
        }
        if (!violations.isEmpty()) {
            throw new DatasetValidationException(violations);
        }
        return offset;
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

    private static String specRole(FeatureSpec spec, String column) {
        if (column.equals(spec.label().column())) {
            return "the label";
        }
        if (column.equals(spec.user())) {
            return "the user column";
        }
        return "a feature";
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
     * record, 1 + g = a value generalization g does not cover, 1 + G + c = the training-input check c of
     * {@link DatasetValidator.RowChecks}), null when it has none.
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
        /** The prepared row's checks as a training input (slots after the generalizations'), or null. */
        private final DatasetValidator.RowChecks checks;

        /** Where each partition reports its rows and problems when its last row has been read, or null. */
        private final CollectionAccumulator<long[]> reports;
        /** Suppression in this pass: the classes, the positions of the quasi-identifiers, keep members or drop them. */
        private Broadcast<HashSet<List<Object>>> classFilter;
        private int[] qiIndex;
        private boolean keepMembers;

        /**
         * The same transform, then, after each row is checked and counted, dropped unless its quasi-identifier tuple
         * (the values at {@code qiIndex}) is in {@code classes} ({@code keepMembers}) or, otherwise, if it is. A
         * null {@code classes} filters nothing.
         */
        Transform filteredBy(Broadcast<HashSet<List<Object>>> classes, int[] qiIndex, boolean keepMembers) {
            this.classFilter = classes;
            this.qiIndex = qiIndex.clone();
            this.keepMembers = keepMembers;
            return this;
        }

        Transform(StructType input, List<String> output, Identifiers ids, Pseudonymizer pseudonymizer, int corrupt) {
            this(input, output, ids, pseudonymizer, corrupt, null, null);
        }

        Transform(StructType input, List<String> output, Identifiers ids, Pseudonymizer pseudonymizer, int corrupt,
                  DatasetValidator.RowChecks checks, CollectionAccumulator<long[]> reports) {
            this.checks = checks;
            this.reports = reports;
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
            PseudonymMemo memo = pseudonymizer == null ? null : new PseudonymMemo();
            int[] hits = checks == null ? null : new int[checks.maxHits()];
            int slots = 1 + generalizations.length + (checks == null ? 0 : checks.slots());
            // {partitionId, rows, count[slots], firstLocalIndex[slots]}, reported once the last row is read
            long[] report = new long[2 + 2 * slots];
            report[0] = org.apache.spark.TaskContext.getPartitionId();
            int n = source.length;
            HashSet<List<Object>> classes = classFilter == null ? null : classFilter.value();
            return new Iterator<>() {
                private boolean reported;
                private Row pending;

                @Override
                public boolean hasNext() {
                    while (pending == null && rows.hasNext()) {
                        Row r = apply(rows.next(), memo, hits);
                        count(r);
                        if (classes == null || classes.contains(tuple(r)) == keepMembers) {
                            pending = r;
                        }
                    }
                    if (pending == null && !reported && reports != null) {
                        reported = true;
                        reports.add(report);
                    }
                    return pending != null;
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new java.util.NoSuchElementException();
                    }
                    Row r = pending;
                    pending = null;
                    return r;
                }

                private void count(Row r) {
                    if (!r.isNullAt(n)) {
                        @SuppressWarnings("unchecked")
                        scala.collection.Iterator<Object> it = ((scala.collection.Seq<Object>) r.get(n)).iterator();
                        while (it.hasNext()) {
                            int slot = (Integer) it.next();
                            if (report[2 + slot]++ == 0) {
                                report[2 + slots + slot] = report[1];
                            }
                        }
                    }
                    report[1]++;
                }

                private List<Object> tuple(Row r) {
                    Object[] v = new Object[qiIndex.length];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = r.get(qiIndex[i]);
                    }
                    return Arrays.asList(v);
                }
            };
        }

        Row apply(Row in) {
            return apply(in, null, checks == null ? null : new int[checks.maxHits()]);
        }

        private Row apply(Row in, PseudonymMemo memo, int[] hits) {
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
                    case PSEUDONYMIZE -> out[i] = memo == null ? pseudonymizer.pseudonym(text(v))
                            : memo.pseudonym(pseudonymizer, text(v));
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
            Row row = RowFactory.create(out); // wraps the array: out[n] is set below, after the checks
            if (problems == null && checks != null) {
                // The prepared values as dp-train will read them (a row with an uncovered value is reported for
                // that alone). The encoder reads fields 0 .. n-1 by the prepared schema's indices.
                int h = checks.check(row, hits);
                for (int j = 0; j < h; j++) {
                    if (problems == null) {
                        problems = new ArrayList<>(2);
                    }
                    problems.add(1 + generalizations.length + hits[j]);
                }
            }
            // The row encoder takes a Scala Seq for an array column.
            out[n] = problems == null ? null : CollectionConverters.asScala(problems).toSeq();
            return row;
        }

        /**
         * The pseudonyms of the values seen last in a partition: the rows of one person often come together (a
         * customer's transactions), and an HMAC costs far more than a lookup. Bounded: cleared when full. Lives in
         * one task's memory only.
         */
        private static final class PseudonymMemo {
            private static final int MAX = 1 << 16;
            private final HashMap<String, String> map = new HashMap<>();

            String pseudonym(Pseudonymizer p, String value) {
                if (value == null) {
                    return null;
                }
                String t = map.get(value);
                if (t == null) {
                    if (map.size() >= MAX) {
                        map.clear();
                    }
                    t = p.pseudonym(value);
                    map.put(value, t);
                }
                return t;
            }
        }

        /** Strings as they are; integers (the only other types {@link #checkSchema} admits) as decimal text. */
        private static String text(Object v) {
            return v == null ? null : v instanceof String s ? s : v.toString();
        }
    }
}
