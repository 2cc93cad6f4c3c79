package org.dpspark.datasets.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.datasets.DenseBlock;
import org.dpspark.datasets.SyntheticData;
import org.dpspark.datasets.users.UserBlocks.Bounded;
import org.dpspark.datasets.users.UserBlocks.NullUsers;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.spec.LabelSpec;
import org.dpspark.datasets.spec.NumericFeature;
import org.dpspark.datasets.validate.DatasetValidationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Contribution bounding and co-location per user ({@link UserBlocks}) on a local Spark session (one per class). */
class UserBlocksSparkTest {

    private static final int K = 5;
    /** Users with exactly 2K rows: the keep frequency of each input position is k / n_u = 1/2. */
    private static final int EVEN_USERS = 200;
    private static final int PARTITIONS = 4;

    private static SparkSession spark;
    private static FeatureSpec spec;
    private static Dataset<Row> input;
    /** Rows per user in {@link #input}. */
    private static Map<String, Integer> rowsPerUser;
    private static byte[] secret;
    private static Bounded bounded;
    /** The bounded rows of each output partition, in order. */
    private static List<List<Row>> parts;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().appName("UserBlocksSparkTest").master("local[2]")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        spec = new FeatureSpec("users", List.of(NumericFeature.scale("pos", 0, 100)), LabelSpec.numeric("y"));
        // Input order interleaves users (position-major), so each user's rows start in several input partitions.
        rowsPerUser = new HashMap<>();
        for (int u = 0; u < EVEN_USERS; u++) {
            rowsPerUser.put("even-" + u, 2 * K);
        }
        rowsPerUser.put("one", 1);
        rowsPerUser.put("three", 3);
        rowsPerUser.put("exactly-k", K);
        rowsPerUser.put("big", 100);
        List<Row> rows = new ArrayList<>();
        for (int pos = 0; pos < 100; pos++) {
            for (Map.Entry<String, Integer> e : rowsPerUser.entrySet()) {
                if (pos < e.getValue()) {
                    rows.add(RowFactory.create(e.getKey(), (double) pos, (double) (pos % 2)));
                }
            }
        }
        input = spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 3),
                schema());
        secret = CsprngStream.newSecretKey();
        bounded = UserBlocks.bound(input, spec, "uid", K, NullUsers.REFUSE, secret, PARTITIONS);
        parts = bounded.rows().glom().collect();
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static StructType schema() {
        return new StructType().add("uid", DataTypes.StringType, true).add("pos", DataTypes.DoubleType, false)
                .add("y", DataTypes.DoubleType, false);
    }

    private static String user(Row r) {
        return r.getString(r.length() - 1);
    }

    @Test
    void bound_everyUserKeepsMinOfRowsAndK_andCountsAreReported() {
        Map<String, Integer> kept = new HashMap<>();
        for (List<Row> p : parts) {
            for (Row r : p) {
                kept.merge(user(r), 1, Integer::sum);
            }
        }
        assertEquals(rowsPerUser.keySet(), kept.keySet());
        long total = 0;
        long expectedKept = 0;
        for (Map.Entry<String, Integer> e : rowsPerUser.entrySet()) {
            assertEquals(Math.min(e.getValue(), K), kept.get(e.getKey()), "rows kept for a user");
            total += e.getValue();
            expectedKept += Math.min(e.getValue(), K);
        }
        assertEquals(rowsPerUser.size(), bounded.users());
        assertEquals(expectedKept, bounded.rowsKept());
        assertEquals(total - expectedKept, bounded.rowsDroppedByBound());
        assertEquals(0, bounded.nullUserRowsDropped());
        assertEquals(PARTITIONS, parts.size());
        assertEquals(List.of("pos", "y", "uid"), List.of(bounded.schema().fieldNames()));
    }

    @Test
    void bound_eachUserInExactlyOnePartition_contiguous() {
        Set<String> done = new HashSet<>();
        for (List<Row> p : parts) {
            String last = null;
            for (Row r : p) {
                String u = user(r);
                if (!u.equals(last)) {
                    assertTrue(done.add(u), "a user's rows appear in two runs or two partitions");
                    last = u;
                }
            }
        }
        assertEquals(rowsPerUser.keySet(), done);
        int nonEmpty = 0;
        for (List<Row> p : parts) {
            nonEmpty += p.isEmpty() ? 0 : 1;
        }
        assertTrue(nonEmpty >= 2, "204 users all hashed to one partition of 4");
    }

    /**
     * Each of the 200 users has 2k = 10 rows at input positions 0..9, so a uniform k-subset keeps each position
     * with probability 1/2, independently across users: the count for a position is Binomial(200, 1/2), mean 100,
     * sd 7.07. The tolerance of 5 sd (35) fails a correct implementation with probability below 10 * 5.8e-7 = 6e-6
     * (two-sided normal tail, union over the 10 positions). Keeping the first k in input order would give counts
     * 200 and 0. A user whose kept set is exactly positions 0..4 has probability 1/C(10, 5) = 1/252; more than 10
     * such users out of 200 (mean 0.8) has probability below 1e-8.
     */
    @Test
    void bound_keptRowsAreUniformRandom_notTheFirstKInInputOrder() {
        int[] keptAtPos = new int[2 * K];
        Map<String, Integer> firstKMask = new HashMap<>();
        for (List<Row> p : parts) {
            for (Row r : p) {
                String u = user(r);
                if (u.startsWith("even-")) {
                    int pos = (int) r.getDouble(0);
                    keptAtPos[pos]++;
                    firstKMask.merge(u, pos < K ? 1 : 0, Integer::sum);
                }
            }
        }
        for (int pos = 0; pos < 2 * K; pos++) {
            assertTrue(Math.abs(keptAtPos[pos] - EVEN_USERS / 2) <= 35,
                    "position " + pos + " kept " + keptAtPos[pos] + " times of " + EVEN_USERS);
        }
        long firstK = firstKMask.values().stream().filter(c -> c == K).count();
        assertTrue(firstK <= 10, firstK + " users kept exactly their first k rows");
    }

    @Test
    void bound_sameSecret_sameRowsInSameOrder_otherSecret_otherChoice() {
        Bounded again = UserBlocks.bound(input, spec, "uid", K, NullUsers.REFUSE, secret.clone(), PARTITIONS);
        assertEquals(parts, again.rows().glom().collect());
        // Recomputing the same bounded RDD (as a retried task does) gives the same rows.
        assertEquals(parts, bounded.rows().glom().collect());
        Bounded other = UserBlocks.bound(input, spec, "uid", K, NullUsers.REFUSE, CsprngStream.newSecretKey(),
                PARTITIONS);
        assertNotEquals(keptPositions(parts), keptPositions(other.rows().glom().collect()));
    }

    private static Map<String, Set<Double>> keptPositions(List<List<Row>> ps) {
        Map<String, Set<Double>> m = new HashMap<>();
        for (List<Row> p : ps) {
            for (Row r : p) {
                m.computeIfAbsent(user(r), u -> new HashSet<>()).add(r.getDouble(0));
            }
        }
        return m;
    }

    @Test
    void pack_fillsUserStarts_oneBlockPerPartition() {
        List<DenseBlock> blocks = UserBlocks.pack(bounded, spec).collect();
        assertEquals(PARTITIONS, blocks.size());
        long users = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            DenseBlock b = blocks.get(p);
            List<Row> rows = parts.get(p);
            assertEquals(rows.size(), b.rows());
            assertTrue(b.isUserLevel());
            for (int u = 0; u < b.users(); u++) {
                String id = user(rows.get(b.userStart(u)));
                for (int r = b.userStart(u); r < b.userEnd(u); r++) {
                    assertEquals(id, user(rows.get(r)));
                    assertEquals(rows.get(r).getDouble(0) / 100, b.features()[r], 1e-12);
                }
                assertTrue(b.userEnd(u) - b.userStart(u) <= K);
            }
            users += b.users();
        }
        assertEquals(bounded.users(), users);
        assertEquals(bounded.users(), UserBlocks.pack(bounded.toDataFrame(spark), spec, "uid")
                .map(DenseBlock::users).reduce(Integer::sum).longValue());
    }

    @Test
    void bound_nullOrEmptyIds_refusedNamingColumnAndCount_orDroppedWithCount() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String id = i % 4 == 1 ? null : i % 4 == 3 ? "" : "u" + (i % 3);
            rows.add(RowFactory.create(id, (double) i, 0.0));
        }
        Dataset<Row> withNulls = spark.createDataFrame(rows, schema());
        DatasetValidationException e = assertThrows(DatasetValidationException.class, () -> UserBlocks.bound(
                withNulls, spec, "uid", K, NullUsers.REFUSE, secret, 2));
        assertTrue(e.getMessage().contains("column 'uid': 6 null or empty user ids (first at row 2)"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        Bounded dropped = UserBlocks.bound(withNulls, spec, "uid", K, NullUsers.DROP, secret, 2);
        assertEquals(6, dropped.nullUserRowsDropped());
        assertEquals(6, dropped.rowsKept());
        assertEquals(0, dropped.rowsDroppedByBound());
        assertEquals(3, dropped.users()); // u0 (i = 0, 6), u1 (4, 10), u2 (2, 8)
    }

    @Test
    void bound_userColumnAlsoFeatureOrLabelOrMissing_refusedNamingIt() {
        FeatureSpec posIsUser = spec;
        IllegalArgumentException f = assertThrows(IllegalArgumentException.class,
                () -> UserBlocks.bound(input, posIsUser, "pos", K, NullUsers.REFUSE, secret, 2));
        assertTrue(f.getMessage().contains("'pos'") && f.getMessage().contains("feature"), f.getMessage());
        IllegalArgumentException l = assertThrows(IllegalArgumentException.class,
                () -> UserBlocks.bound(input, spec, "y", K, NullUsers.REFUSE, secret, 2));
        assertTrue(l.getMessage().contains("'y'") && l.getMessage().contains("label"), l.getMessage());
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class,
                () -> UserBlocks.bound(input, spec, "customer", K, NullUsers.REFUSE, secret, 2));
        assertTrue(m.getMessage().contains("'customer'"), m.getMessage());
        IllegalArgumentException k = assertThrows(IllegalArgumentException.class,
                () -> UserBlocks.bound(input, spec, "uid", 0, NullUsers.REFUSE, secret, 2));
        assertTrue(k.getMessage().contains(">= 1"), k.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> UserBlocks.bound(input, spec.withUserColumn("other"), "uid", K, NullUsers.REFUSE, secret, 2));
    }

    @Test
    void customers_boundAndPackedPerCustomer_endToEnd() {
        FeatureSpec cs = SyntheticData.customersSpec();
        Dataset<Row> customers = SyntheticData.customers(spark, 300, 5, 3);
        Bounded b = UserBlocks.bound(customers, cs, cs.userColumn().orElseThrow(), 20, NullUsers.REFUSE, secret, 3);
        assertEquals(300, b.users());
        assertEquals(customers.count(), b.rowsKept() + b.rowsDroppedByBound());
        assertTrue(b.rowsDroppedByBound() > 0, "no customer above 20 rows among 300");
        List<DenseBlock> blocks = UserBlocks.pack(b, cs).collect();
        assertEquals(300, blocks.stream().mapToInt(DenseBlock::users).sum());
        for (DenseBlock block : blocks) {
            assertEquals(8, block.dim());
            for (int u = 0; u < block.users(); u++) {
                int n = block.userEnd(u) - block.userStart(u);
                assertTrue(n >= 1 && n <= 20, n + " rows for one customer");
            }
        }
    }
}
