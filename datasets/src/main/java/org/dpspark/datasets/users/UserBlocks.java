package org.dpspark.datasets.users;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.datasets.BlockPacker;
import org.dpspark.datasets.DenseBlock;
import org.dpspark.datasets.spec.RowCoder;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.spec.RowEncoder;
import org.dpspark.datasets.validate.DatasetValidationException;
import org.dpspark.datasets.validate.Violation;
import scala.Tuple2;

/**
 * Contribution bounding and co-location for user-level DP: at most k rows per user, the rows of each user in one
 * partition and contiguous there, then one {@link DenseBlock} per partition with the user boundaries
 * ({@link DenseBlock#userStarts()}).
 *
 * <p>{@link #bound} runs exactly one Spark shuffle ({@code repartitionAndSortWithinPartitions}):
 * <ol>
 *   <li>Each row gets a <b>user key</b>, the first 8 bytes of HMAC-SHA256 (RFC 2104) of the user id's UTF-8
 *       bytes (the id cast to string) under a subkey derived from the job's secret, and a <b>row key</b>, the next
 *       64-bit value of {@code CsprngStream.derive(secret, ROW_KEYS, input partition)}: independent uniform
 *       values unpredictable without the secret.</li>
 *   <li>A row goes to partition {@code floorMod(user key, partitions)}. Without the secret nobody can aim users
 *       at a partition or predict which users share one (Java's {@code hashCode} would allow both).</li>
 *   <li>Within a partition the rows are sorted by (user key, user id, row key): each user's rows are contiguous,
 *       and for each user the k rows with the smallest row keys are kept. Since the row keys are i.i.d. uniform,
 *       the kept set is a uniform random k-subset of the user's rows (ties have probability about
 *       n_u^2 / 2^64), never the first k in input order.</li>
 * </ol>
 * The user key only routes and sorts: two users whose keys collide stay two users (the id is compared too).
 *
 * <p>Determinism: the same secret and the same input (the same rows in the same input partitions, as Spark's
 * lineage recomputes them) give the same kept rows, in the same partitions and order; a retried task sees the
 * same rows. A different secret gives an independent choice. The number of users, N_users, is public like N for
 * row-level DP (the accountant's q = B_users / N_users); the other counts are reported to the data owner.
 *
 * <p>Null or empty user ids are not users: they are refused ({@link NullUsers#REFUSE}, a
 * {@link DatasetValidationException} naming the column and the count) or dropped ({@link NullUsers#DROP}, counted
 * in {@link Bounded#nullUserRowsDropped()}). Nothing here logs data values or user ids.
 */
public final class UserBlocks {

    /** What to do with rows whose user id is null or empty. */
    public enum NullUsers {
        /** Refuse the input (one line naming the column and the number of such rows). */
        REFUSE,
        /** Drop such rows and report how many. */
        DROP
    }

    /** Context value of the row-key streams, {@code derive(secret, ROW_KEYS, partition)}. */
    static final long ROW_KEYS = 0x524f574b455953L; // "ROWKEYS"
    /** Context value of the stream giving the HMAC subkey, {@code derive(secret, USER_KEY)}. */
    static final long USER_KEY = 0x555345524b4559L; // "USERKEY"

    private UserBlocks() {
    }

    /**
     * The result of {@link #bound}.
     *
     * @param rows                the bounded rows, {@code partitions} partitions, each user's rows contiguous in one
     *                            partition; columns: the spec's columns ({@link FeatureSpec#requiredColumns()}) or
     *                            the columns given to {@link #bound(Dataset, List, String, int, NullUsers, byte[], int)},
     *                            then the user id as a string under the user column's name ({@link #schema()})
     * @param schema              the schema of {@code rows}
     * @param userColumn          the user column
     * @param maxRowsPerUser      k
     * @param users               N_users, the number of distinct non-null user ids (public, like N)
     * @param rowsKept            rows in {@code rows}
     * @param rowsDroppedByBound  rows beyond k for their user
     * @param nullUserRowsDropped rows with a null or empty id dropped under {@link NullUsers#DROP} (0 otherwise)
     */
    public record Bounded(JavaRDD<Row> rows, StructType schema, String userColumn, int maxRowsPerUser, long users,
                          long rowsKept, long rowsDroppedByBound, long nullUserRowsDropped) {

        /** The bounded rows as a DataFrame, same partitions and order (no shuffle). */
        public Dataset<Row> toDataFrame(SparkSession spark) {
            return spark.createDataFrame(rows, schema);
        }

        @Override
        public String toString() {
            return "Bounded[users=" + users + ", rowsKept=" + rowsKept + ", rowsDroppedByBound=" + rowsDroppedByBound
                    + ", nullUserRowsDropped=" + nullUserRowsDropped + ", k=" + maxRowsPerUser + "]";
        }
    }

    /**
     * Bounds each user's contribution to {@code maxRowsPerUser} rows chosen uniformly at random, co-locates each
     * user's rows in one of {@code partitions} partitions, contiguous. One scan (null ids and counts), one shuffle,
     * one job over the shuffled output for N_users and the counts (Spark reuses the shuffle files; later actions on
     * {@link Bounded#rows()} rerun only the reduce side).
     *
     * @param raw            the input, with the spec's columns and the user column
     * @param spec           the feature spec; if it declares a user column, it must be {@code userColumn}
     * @param userColumn     the column naming the user (any type; compared as its string form)
     * @param maxRowsPerUser k, {@code >= 1}
     * @param policy         what to do with null or empty ids
     * @param secretKey      the job's secret ({@link CsprngStream#newSecretKey()}), at least 16 bytes; never logged
     * @param partitions     number of output partitions, {@code >= 1}
     * @throws IllegalArgumentException     on a bad argument, a user column that is missing, a feature, the label,
     *                                      or not the spec's (one line naming it)
     * @throws DatasetValidationException   under {@link NullUsers#REFUSE} when some user id is null or empty
     */
    public static Bounded bound(Dataset<Row> raw, FeatureSpec spec, String userColumn, int maxRowsPerUser,
                                NullUsers policy, byte[] secretKey, int partitions) {
        if (raw == null || spec == null) {
            throw new IllegalArgumentException("raw and spec must be non-null");
        }
        checkArguments(maxRowsPerUser, policy, secretKey, partitions);
        checkUserColumn(raw.schema(), spec, userColumn);
        new RowEncoder(spec, raw.schema()); // schema errors before any job
        return bound(raw, spec.requiredColumns(), userColumn, maxRowsPerUser, policy, secretKey, partitions);
    }

    /** The arguments both forms of {@code bound} check first, on the driver. */
    private static void checkArguments(int maxRowsPerUser, NullUsers policy, byte[] secretKey, int partitions) {
        if (policy == null || secretKey == null) {
            throw new IllegalArgumentException("policy and secretKey must be non-null");
        }
        if (!(maxRowsPerUser >= 1)) {
            throw new IllegalArgumentException("max rows per user must be >= 1, got " + maxRowsPerUser);
        }
        if (!(partitions >= 1)) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        CsprngStream.derive(secretKey, USER_KEY); // refuses a short secret on the driver
    }

    /**
     * {@link #bound(Dataset, FeatureSpec, String, int, NullUsers, byte[], int)} for rows that are not read through a
     * feature spec (e.g. the MLlib estimators' features vector and label): the same bounding and co-location, the
     * same keys, carrying {@code columns} as they are. The same secret and input give the same kept rows, in the
     * same partitions and order, as the spec form on the same rows.
     *
     * @param raw            the input, with {@code columns} and the user column
     * @param columns        the columns to carry (in this order), none of them the user column
     * @param userColumn     the column naming the user (any type; compared as its string form)
     * @throws IllegalArgumentException on a bad argument, or a user column that is missing or one of {@code columns}
     */
    public static Bounded bound(Dataset<Row> raw, List<String> columns, String userColumn, int maxRowsPerUser,
                                NullUsers policy, byte[] secretKey, int partitions) {
        if (raw == null || columns == null) {
            throw new IllegalArgumentException("raw and columns must be non-null");
        }
        checkArguments(maxRowsPerUser, policy, secretKey, partitions);
        checkUserColumn(raw.schema(), columns, userColumn);
        List<String> cols = List.copyOf(columns);
        Column[] select = new Column[cols.size() + 1];
        for (int i = 0; i < cols.size(); i++) {
            select[i] = raw.col(quote(cols.get(i)));
        }
        select[cols.size()] = raw.col(quote(userColumn)).cast(DataTypes.StringType).as(userColumn);
        Dataset<Row> selected = raw.select(select);
        StructType schema = selected.schema();
        int userIndex = cols.size();

        // One scan: rows, null ids and the first null id's row number (1-based, input order).
        List<long[]> scan = selected.javaRDD().mapPartitionsWithIndex((p, it) -> {
            long n = 0;
            long nulls = 0;
            long first = -1;
            while (it.hasNext()) {
                Row r = it.next();
                if (isNullUser(r, userIndex)) {
                    if (first < 0) {
                        first = n;
                    }
                    nulls++;
                }
                n++;
            }
            return List.of(new long[] {p, n, nulls, first}).iterator();
        }, true).collect();
        long nulls = 0;
        long firstRow = 0;
        long before = 0;
        for (long[] s : scan.stream().sorted(Comparator.comparingLong(a -> a[0])).toList()) {
            if (s[2] > 0 && firstRow == 0) {
                firstRow = before + s[3] + 1;
            }
            nulls += s[2];
            before += s[1];
        }
        if (nulls > 0 && policy == NullUsers.REFUSE) {
            throw new DatasetValidationException(List.of(
                    new Violation(userColumn, "null or empty user ids", nulls, firstRow)));
        }

        byte[] secret = secretKey.clone();
        int k = maxRowsPerUser;
        JavaPairRDD<SortKey, Row> keyed = selected.javaRDD().mapPartitionsWithIndex((p, it) -> {
            Mac mac = userMac(secret);
            CsprngStream rowKeys = CsprngStream.derive(secret, ROW_KEYS, p);
            Iterable<Row> rows = () -> it;
            // A row key is drawn for every input row, null id or not, so the keys do not depend on the policy.
            return java.util.stream.StreamSupport.stream(rows.spliterator(), false)
                    .map(r -> new Tuple2<>(r, rowKeys.nextLong()))
                    .filter(t -> !isNullUser(t._1(), userIndex))
                    .map(t -> {
                        String user = t._1().getString(userIndex);
                        return new Tuple2<>(new SortKey(userKey(mac, user), user, t._2()), t._1());
                    })
                    .iterator();
        }, true).mapToPair(t -> t);
        JavaRDD<Row> bounded = keyed
                .repartitionAndSortWithinPartitions(new UserPartitioner(partitions), new SortKeyOrder())
                .mapPartitions(it -> new FirstKPerUser(it, k));

        List<long[]> stats = bounded.mapPartitions(it -> {
            long users = 0;
            long rows = 0;
            String last = null;
            while (it.hasNext()) {
                String u = it.next().getString(userIndex);
                if (!u.equals(last)) {
                    users++;
                    last = u;
                }
                rows++;
            }
            return List.of(new long[] {users, rows}).iterator();
        }).collect();
        long users = 0;
        long kept = 0;
        for (long[] s : stats) {
            users += s[0];
            kept += s[1];
        }
        long dropped = before - nulls - kept;
        return new Bounded(bounded, schema, userColumn, k, users, kept, dropped,
                policy == NullUsers.DROP ? nulls : 0);
    }

    /**
     * Packs bounded rows into one {@link DenseBlock} per partition with {@link DenseBlock#userStarts()} filled: a
     * new user starts wherever the user id changes. Requires each user's rows contiguous in one partition, as
     * {@link #bound} leaves them; a user seen twice in one partition fails the task (IllegalStateException).
     */
    public static JavaRDD<DenseBlock> pack(Bounded bounded, FeatureSpec spec) {
        Objects.requireNonNull(bounded, "bounded");
        return pack(bounded.rows(), bounded.schema(), spec, bounded.userColumn());
    }

    /** {@link #pack(Bounded, FeatureSpec)} for rows in a DataFrame (e.g. {@link Bounded#toDataFrame}). */
    public static JavaRDD<DenseBlock> pack(Dataset<Row> boundedRows, FeatureSpec spec, String userColumn) {
        if (boundedRows == null) {
            throw new IllegalArgumentException("boundedRows must be non-null");
        }
        return pack(boundedRows.javaRDD(), boundedRows.schema(), spec, userColumn);
    }

    private static JavaRDD<DenseBlock> pack(JavaRDD<Row> rows, StructType schema, FeatureSpec spec,
                                            String userColumn) {
        if (spec == null) {
            throw new IllegalArgumentException("spec must be non-null");
        }
        checkUserColumn(schema, spec, userColumn);
        RowEncoder encoder = new RowEncoder(spec, schema);
        int dim = encoder.dimension();
        int userIndex = schema.fieldIndex(userColumn);
        return rows.mapPartitions(it -> List.of(packUsers(it, encoder, dim, userIndex)).iterator());
    }

    /**
     * {@link #pack(Bounded, FeatureSpec)} for rows bounded without a feature spec
     * ({@link #bound(Dataset, List, String, int, NullUsers, byte[], int)}): {@code coder} turns a row of
     * {@link Bounded#schema()} into {@code dimension} features and a label.
     */
    public static JavaRDD<DenseBlock> pack(Bounded bounded, int dimension, RowCoder coder) {
        Objects.requireNonNull(bounded, "bounded");
        if (coder == null || !(dimension >= 1)) {
            throw new IllegalArgumentException("a row coder and a dimension >= 1 are required, got " + dimension);
        }
        int userIndex = bounded.schema().fieldIndex(bounded.userColumn());
        return bounded.rows().mapPartitions(it -> List.of(packUsers(it, coder, dimension, userIndex)).iterator());
    }

    /** Packs one partition's rows, grouped by user (package-private for tests). */
    static DenseBlock packUsers(Iterator<Row> rows, RowCoder encoder, int dim, int userIndex) {
        List<Integer> starts = new ArrayList<>();
        Set<Object> seen = new HashSet<>();
        Iterator<Row> grouping = new Iterator<>() {
            private Object last;
            private int consumed;

            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public Row next() {
                Row r = rows.next();
                Object u = r.get(userIndex);
                if (u == null) {
                    throw new IllegalStateException("null user id in bounded rows; bound them with UserBlocks.bound");
                }
                if (!u.equals(last)) {
                    if (!seen.add(u)) {
                        throw new IllegalStateException("the rows of a user are not contiguous in their partition;"
                                + " co-locate them with UserBlocks.bound");
                    }
                    last = u;
                    starts.add(consumed);
                }
                consumed++;
                return r;
            }
        };
        DenseBlock plain = BlockPacker.packRows(grouping, encoder, dim);
        int[] userStarts = new int[starts.size() + 1];
        for (int u = 0; u < starts.size(); u++) {
            userStarts[u] = starts.get(u);
        }
        userStarts[starts.size()] = plain.rows();
        return new DenseBlock(plain.rows(), dim, plain.features(), plain.labels(), userStarts);
    }

    private static void checkUserColumn(StructType schema, FeatureSpec spec, String userColumn) {
        if (userColumn == null || userColumn.isBlank()) {
            throw new IllegalArgumentException("user column name must be non-blank, got '" + userColumn + "'");
        }
        if (spec.userColumn().isPresent() && !spec.userColumn().get().equals(userColumn)) {
            throw new IllegalArgumentException("user column '" + userColumn + "' differs from the spec's user column '"
                    + spec.userColumn().get() + "'");
        }
        if (userColumn.equals(spec.label().column())) {
            throw new IllegalArgumentException("user column '" + userColumn
                    + "': the privacy-unit column cannot also be the label");
        }
        if (spec.requiredColumns().contains(userColumn)) {
            throw new IllegalArgumentException("user column '" + userColumn
                    + "': the privacy-unit column cannot also be a feature");
        }
        if (!Arrays.asList(schema.fieldNames()).contains(userColumn)) {
            throw new IllegalArgumentException("user column '" + userColumn + "': missing from the input");
        }
    }

    private static void checkUserColumn(StructType schema, List<String> columns, String userColumn) {
        if (userColumn == null || userColumn.isBlank()) {
            throw new IllegalArgumentException("user column name must be non-blank, got '" + userColumn + "'");
        }
        if (columns.contains(userColumn)) {
            throw new IllegalArgumentException("user column '" + userColumn
                    + "': the privacy-unit column cannot also be a column it bounds (a feature or the label)");
        }
        List<String> names = Arrays.asList(schema.fieldNames());
        for (String c : columns) {
            if (!names.contains(c)) {
                throw new IllegalArgumentException("column '" + c + "': missing from the input");
            }
        }
        if (!names.contains(userColumn)) {
            throw new IllegalArgumentException("user column '" + userColumn + "': missing from the input");
        }
    }

    /** Quotes a column name for {@link Dataset#col} so dots and backticks are taken literally. */
    private static String quote(String column) {
        return "`" + column.replace("`", "``") + "`";
    }

    private static boolean isNullUser(Row r, int userIndex) {
        return r.isNullAt(userIndex) || r.getString(userIndex).isEmpty();
    }

    /** HMAC-SHA256 keyed by 32 bytes of {@code derive(secret, USER_KEY)}: a subkey, not the secret itself. */
    static Mac userMac(byte[] secret) {
        CsprngStream s = CsprngStream.derive(secret, USER_KEY);
        byte[] key = new byte[32];
        for (int i = 0; i < 4; i++) {
            long v = s.nextLong();
            for (int b = 0; b < 8; b++) {
                key[8 * i + b] = (byte) (v >>> (8 * b));
            }
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** The first 8 bytes (big-endian) of HMAC-SHA256(subkey, UTF-8 of the id). */
    static long userKey(Mac mac, String user) {
        byte[] h = mac.doFinal(user.getBytes(StandardCharsets.UTF_8));
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (h[i] & 0xff);
        }
        return v;
    }

    /** The shuffle key: routes by userKey, sorts by (userKey, user, rowKey). Holds an id: never logged. */
    static final class SortKey implements Serializable {
        private static final long serialVersionUID = 1L;
        final long userKey;
        final String user;
        final long rowKey;

        SortKey(long userKey, String user, long rowKey) {
            this.userKey = userKey;
            this.user = user;
            this.rowKey = rowKey;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SortKey s && s.userKey == userKey && s.rowKey == rowKey && s.user.equals(user);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(userKey) * 31 + Long.hashCode(rowKey);
        }

        @Override
        public String toString() {
            return "SortKey";
        }
    }

    static final class SortKeyOrder implements Comparator<SortKey>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public int compare(SortKey a, SortKey b) {
            int c = Long.compare(a.userKey, b.userKey);
            if (c == 0) {
                c = a.user.compareTo(b.user);
            }
            return c != 0 ? c : Long.compare(a.rowKey, b.rowKey);
        }
    }

    /** Partition {@code floorMod(userKey, partitions)}. */
    static final class UserPartitioner extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int partitions;

        UserPartitioner(int partitions) {
            this.partitions = partitions;
        }

        @Override
        public int numPartitions() {
            return partitions;
        }

        @Override
        public int getPartition(Object key) {
            return (int) Math.floorMod(((SortKey) key).userKey, (long) partitions);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof UserPartitioner u && u.partitions == partitions;
        }

        @Override
        public int hashCode() {
            return partitions;
        }
    }

    /** Keeps the first k rows of each run of equal users (the k smallest row keys after the sort). */
    static final class FirstKPerUser implements Iterator<Row> {
        private final Iterator<Tuple2<SortKey, Row>> in;
        private final int k;
        private Row next;
        private String user;
        private int taken;

        FirstKPerUser(Iterator<Tuple2<SortKey, Row>> in, int k) {
            this.in = in;
            this.k = k;
        }

        @Override
        public boolean hasNext() {
            while (next == null && in.hasNext()) {
                Tuple2<SortKey, Row> t = in.next();
                if (!t._1().user.equals(user)) {
                    user = t._1().user;
                    taken = 0;
                }
                if (taken < k) {
                    taken++;
                    next = t._2();
                }
            }
            return next != null;
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Row r = next;
            next = null;
            return r;
        }
    }
}
