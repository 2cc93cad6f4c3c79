package org.dpspark.datasets.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.dpspark.datasets.DataReader;
import org.dpspark.datasets.InputFormat;
import org.dpspark.datasets.prepare.Preparation.Prepared;
import org.dpspark.datasets.prepare.Preparation.Stats;
import org.dpspark.datasets.spec.FeatureColumn;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.spec.Identifiers;
import org.dpspark.datasets.spec.Identifiers.Generalize;
import org.dpspark.datasets.spec.Identifiers.Mask;
import org.dpspark.datasets.spec.Identifiers.MaskMethod;
import org.dpspark.datasets.spec.LabelSpec;
import org.dpspark.datasets.spec.NumericFeature;
import org.dpspark.datasets.spec.OneHotFeature;
import org.dpspark.datasets.validate.DatasetValidationException;
import org.dpspark.datasets.validate.DatasetValidator;
import org.dpspark.datasets.validate.Violation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Preparation} on a local Spark session (one per class), checked against the building blocks applied directly. */
class PreparationSparkTest {

    private static SparkSession spark;
    private static JavaSparkContext jsc;

    @TempDir
    static Path tmp;

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef-test-key".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OTHER_KEY = "another key, also at least thirty-two bytes long"
            .getBytes(StandardCharsets.UTF_8);

    private static final List<String> AGE_BANDS = List.of("[0, 20)", "[20, 40)", "[40, 60)", "[60, 80)",
            "[80, 100)", "[100, 120)");

    private static final StructType CUSTOMERS = new StructType(new StructField[] {
        DataTypes.createStructField("name", DataTypes.StringType, true),
        DataTypes.createStructField("email", DataTypes.StringType, true),
        DataTypes.createStructField("customer_id", DataTypes.StringType, true),
        DataTypes.createStructField("age", DataTypes.StringType, true),
        DataTypes.createStructField("zip", DataTypes.StringType, true),
        DataTypes.createStructField("signup", DataTypes.StringType, true),
        DataTypes.createStructField("amount", DataTypes.DoubleType, true),
        DataTypes.createStructField("label", DataTypes.StringType, true),
        DataTypes.createStructField("notes", DataTypes.StringType, true)});

    private static final FeatureSpec SPEC = new FeatureSpec("customers", List.<FeatureColumn>of(
            new OneHotFeature("age", AGE_BANDS), NumericFeature.scale("amount", 0, 1000)),
            LabelSpec.numeric("label"), "customer_id");

    private static final Identifiers IDS = new Identifiers(List.of("name"), List.of("customer_id"),
            List.of(new Mask("email", MaskMethod.EMAIL, 0)),
            List.of(Generalize.ageBands("age", 20, 0, 120), Generalize.zipPrefix("zip", 3),
                    Generalize.date("signup", "month")),
            null, List.of());

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().appName("PreparationSparkTest").master("local[2]")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static Dataset<Row> frame(List<Row> rows, StructType schema, int partitions) {
        return spark.createDataFrame(jsc.parallelize(rows, partitions), schema);
    }

    /** n customers; ids "cust-XXXX", names "Name-XXXX", emails "person.XXXX@example.org". */
    private static List<Row> customers(int n, int idOffset, long seed) {
        Random rnd = new Random(seed);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int id = idOffset + i;
            String zip = String.format("%05d", rnd.nextInt(100000));
            String signup = String.format("20%02d-%02d-%02d", 10 + rnd.nextInt(15), 1 + rnd.nextInt(12),
                    1 + rnd.nextInt(28));
            rows.add(RowFactory.create(i % 7 == 3 ? null : "Name-" + id,
                    i % 5 == 4 ? null : "person." + id + "@example.org", "cust-" + id,
                    i % 9 == 8 ? null : Integer.toString(rnd.nextInt(120)), zip, signup,
                    (double) rnd.nextInt(1000), Integer.toString(rnd.nextInt(2)), "secret note " + id));
        }
        return rows;
    }

    // ---------------------------------------------------------------- columns and schema

    @Test
    void outputColumns_specColumnsThenIdentifierColumns() {
        assertEquals(List.of("age", "amount", "label", "customer_id", "email", "zip", "signup"),
                Preparation.outputColumns(SPEC, IDS));
        Identifiers ids = new Identifiers(List.of("name"), List.of("customer_id"), List.of(), List.of(),
                List.of(), List.of("region", "age"));
        FeatureSpec rowLevel = new FeatureSpec("c", List.<FeatureColumn>of(NumericFeature.scale("age", 0, 1)),
                LabelSpec.numeric("label"));
        assertEquals(List.of("age", "label", "customer_id", "region"), Preparation.outputColumns(rowLevel, ids));
    }

    @Test
    void checkSchema_listsEveryMissingDeclaredColumn() {
        StructType schema = new StructType().add("age", DataTypes.StringType).add("amount", DataTypes.DoubleType)
                .add("label", DataTypes.StringType).add("customer_id", DataTypes.StringType)
                .add("signup", DataTypes.StringType).add(DataReader.CORRUPT_RECORD_COLUMN, DataTypes.StringType);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Preparation.checkSchema(SPEC, IDS, schema));
        assertEquals("input does not match feature spec 'customers': column 'name' (drop): missing from the input;"
                + " column 'email' (mask): missing from the input; column 'zip' (generalize): missing from the"
                + " input (columns found: 'age', 'amount', 'label', 'customer_id', 'signup')", e.getMessage());
        Preparation.checkSchema(SPEC, IDS, CUSTOMERS);
    }

    @Test
    void checkSchema_refusesNonStringTreatedColumnsAndAcceptsIntegers() {
        StructType doubleAge = CUSTOMERS.add("x", DataTypes.StringType);
        StructField[] f = doubleAge.fields();
        f[3] = DataTypes.createStructField("age", DataTypes.DoubleType, true);
        f[2] = DataTypes.createStructField("customer_id", DataTypes.BooleanType, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Preparation.checkSchema(SPEC, IDS, new StructType(f)));
        assertEquals("input does not match feature spec 'customers': column 'age' (generalize): unsupported type"
                + " double to generalize (need a string or an integer type); column 'customer_id' (pseudonymize):"
                + " unsupported type boolean to pseudonymize (need a string or an integer type)", e.getMessage());
        f[3] = DataTypes.createStructField("age", DataTypes.IntegerType, true);
        f[2] = DataTypes.createStructField("customer_id", DataTypes.LongType, true);
        Preparation.checkSchema(SPEC, IDS, new StructType(f));
    }

    @Test
    void checkSchema_refusesAQuasiIdentifierLeftOutOfThePreparedTable() {
        Identifiers ids = new Identifiers(List.of("name"), List.of("customer_id"), List.of(), List.of(),
                List.of("notes"), List.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Preparation.checkSchema(SPEC, ids, CUSTOMERS));
        assertTrue(e.getMessage().contains("column 'notes' (quasi-identifier): quasi-identifier not in the prepared"
                + " table"), e.getMessage());
    }

    @Test
    void checkSchema_refusesADroppedColumnTheSpecReads() {
        Identifiers ids = new Identifiers(List.of("name", "customer_id"), List.of(), List.of(),
                List.of(Generalize.ageBands("age", 20, 0, 120)), null, List.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Preparation.checkSchema(SPEC, ids, CUSTOMERS));
        assertEquals("input does not match feature spec 'customers': column 'customer_id' (drop): dropped, but the"
                + " feature spec reads it (as the user column): a dropped column cannot be in the prepared table",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Preparation.prepare(frame(customers(3, 0, 1), CUSTOMERS,
                1), SPEC, ids, null, 0));
    }

    @Test
    void prepare_refusesBadArguments() {
        Dataset<Row> raw = frame(customers(5, 0, 1), CUSTOMERS, 1);
        Pseudonymizer p = Pseudonymizer.of(KEY);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Preparation.prepare(raw, SPEC, IDS, p, 1))
                .getMessage().contains("kAnonymity"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Preparation.prepare(raw, SPEC, IDS, p, -3))
                .getMessage().contains("kAnonymity"));
        Identifiers noQi = new Identifiers(List.of("name"), List.of("customer_id"), List.of(), List.of(),
                List.of(), List.of());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Preparation.prepare(raw, SPEC, noQi, p, 2))
                .getMessage().contains("quasi-identifiers"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Preparation.prepare(raw, SPEC, IDS, null, 0))
                .getMessage().contains("pseudonym key must be given"));
        Identifiers noPseudo = new Identifiers(List.of("name"), List.of(), List.of(), List.of(), List.of(),
                List.of("customer_id"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Preparation.prepare(raw, SPEC, noPseudo, p, 0)).getMessage().contains("no column"));
    }

    // ---------------------------------------------------------------- the treatments, row by row

    @Test
    void prepare_appliesEveryTreatmentInPlaceRowByRow() {
        List<Row> rows = customers(60, 1000, 7);
        Pseudonymizer p = Pseudonymizer.of(KEY);
        int persistedBefore = jsc.getPersistentRDDs().size();
        Prepared out = run(frame(rows, CUSTOMERS, 3), SPEC, IDS, p, 0);
        assertEquals(persistedBefore, jsc.getPersistentRDDs().size(), "no copy of the input is cached");
        try {
            assertEquals(List.of("age", "amount", "label", "customer_id", "email", "zip", "signup"), out.columns());
            assertEquals(List.of("name", "notes"), out.droppedColumns());
            assertEquals(out.columns(), Arrays.asList(out.table().columns()));
            assertEquals(60, out.rowsRead());
            assertEquals(0, out.rowsSuppressed());
            assertEquals(60, out.rowsWritten());
            List<Row> got = out.table().collectAsList();
            assertEquals(60, got.size());
            Generalization age = Generalization.ageBands(20, 0, 120);
            Generalization zip = Generalization.zipPrefix(3);
            Generalization month = Generalization.dateTo("month");
            List<List<String>> tuples = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                Row in = rows.get(i);
                Row o = got.get(i); // no suppression: input order is kept
                assertEquals(age.apply(in.getString(3)), o.get(0));
                assertEquals(in.get(6), o.get(1));
                assertEquals(in.get(7), o.get(2));
                assertEquals(p.pseudonym(in.getString(2)), o.get(3));
                assertEquals(Masking.email(in.getString(1)), o.get(4));
                assertEquals(zip.apply(in.getString(4)), o.get(5));
                assertEquals(month.apply(in.getString(5)), o.get(6));
                tuples.add(Arrays.asList(o.getString(0), o.getString(5), o.getString(6)));
            }
            assertNull(got.get(4).get(4), "null stays null");
            assertNull(got.get(8).get(0), "null stays null");
            KAnonymity.Result brute = KAnonymity.of(tuples);
            Stats s = out.kAnonymity();
            assertEquals(new Stats(List.of("age", "zip", "signup"), brute.classes(), brute.smallestClass(), 0,
                    brute.smallestClass()), s);

            // No raw identifier anywhere in the output.
            Set<String> raw = new HashSet<>();
            for (Row in : rows) {
                for (int c : new int[] {0, 1, 2, 8}) {
                    if (!in.isNullAt(c)) {
                        raw.add(in.getString(c));
                    }
                }
            }
            for (Row o : got) {
                for (int c = 0; c < o.length(); c++) {
                    String v = String.valueOf(o.get(c));
                    for (String r : raw) {
                        assertFalse(v.contains(r), "raw identifier in column " + out.columns().get(c));
                    }
                }
            }
        } finally {
            out.release();
        }
        assertEquals(persistedBefore, jsc.getPersistentRDDs().size(), "release unpersists the cached rows");
    }

    @Test
    void pseudonyms_stableUnderOneKeyAcrossRunsAndTables_disjointUnderAnother() {
        List<Row> first = customers(40, 0, 1);
        List<Row> second = customers(40, 20, 2); // customers 20..39 are in both tables
        Map<String, String> a = pseudonyms(first, KEY);
        Map<String, String> again = pseudonyms(first, KEY);
        Map<String, String> b = pseudonyms(second, KEY);
        Map<String, String> other = pseudonyms(first, OTHER_KEY);
        assertEquals(a, again);
        int shared = 0;
        for (Map.Entry<String, String> e : b.entrySet()) {
            if (a.containsKey(e.getKey())) {
                assertEquals(a.get(e.getKey()), e.getValue());
                shared++;
            }
        }
        assertEquals(20, shared);
        assertEquals(40, new HashSet<>(a.values()).size(), "distinct ids, distinct pseudonyms");
        assertTrue(Collections.disjoint(a.values(), other.values()));

        // An integer id column gives the pseudonyms of its decimal text.
        StructType longIds = new StructType().add("customer_id", DataTypes.LongType).add("age", DataTypes.StringType)
                .add("amount", DataTypes.DoubleType).add("label", DataTypes.StringType);
        Identifiers ids = new Identifiers(List.of(), List.of("customer_id"), List.of(),
                List.of(Generalize.ageBands("age", 20, 0, 120)), null, List.of());
        Prepared out = run(frame(List.of(RowFactory.create(12345L, "30", 1.0, "1")), longIds, 1),
                SPEC, ids, Pseudonymizer.of(KEY), 0);
        try {
            assertEquals(Pseudonymizer.of(KEY).pseudonym("12345"), out.table().first().getString(3));
        } finally {
            out.release();
        }
    }

    /** Raw customer id -> its pseudonym in the prepared table (row order is kept without suppression). */
    private static Map<String, String> pseudonyms(List<Row> rows, byte[] key) {
        Prepared out = run(frame(rows, CUSTOMERS, 2), SPEC, IDS, Pseudonymizer.of(key), 0);
        try {
            List<Row> got = out.table().select("customer_id").collectAsList();
            Map<String, String> m = new HashMap<>();
            for (int i = 0; i < rows.size(); i++) {
                m.put(rows.get(i).getString(2), got.get(i).getString(0));
            }
            return m;
        } finally {
            out.release();
        }
    }

    // ---------------------------------------------------------------- k-anonymity, against the brute force

    private static final StructType QI_TABLE = new StructType().add("rid", DataTypes.IntegerType)
            .add("age", DataTypes.StringType).add("zip", DataTypes.StringType).add("x", DataTypes.DoubleType)
            .add("label", DataTypes.StringType);

    private static final FeatureSpec QI_SPEC = new FeatureSpec("qi", List.<FeatureColumn>of(
            NumericFeature.scale("x", 0, 1)), LabelSpec.numeric("label"));

    private static final Identifiers QI_IDS = new Identifiers(List.of(), List.of(), List.of(),
            List.of(Generalize.ageBands("age", 25, 0, 100), Generalize.zipPrefix("zip", 1)), null, List.of("rid"));

    @Test
    void kAnonymity_statsAndSuppressionExactAgainstBruteForce() {
        Generalization age = Generalization.ageBands(25, 0, 100);
        Generalization zip = Generalization.zipPrefix(1);
        int antiJoins = 0;
        int semiJoins = 0;
        for (long seed = 1; seed <= 3; seed++) {
            Random rnd = new Random(seed);
            int n = 20 + rnd.nextInt(60);
            List<Row> rows = new ArrayList<>();
            List<List<String>> tuples = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String a = rnd.nextInt(6) == 0 ? null : Integer.toString(rnd.nextInt(100));
                String z = rnd.nextInt(5) == 0 ? null : rnd.nextInt(3) + String.format("%04d", rnd.nextInt(10000));
                rows.add(RowFactory.create(i, a, z, rnd.nextDouble(), Integer.toString(i % 2)));
                tuples.add(Arrays.asList(age.apply(a), zip.apply(z)));
            }
            KAnonymity.Result brute = KAnonymity.of(tuples);
            // Suppression by the main pass against a broadcast set of classes, and by a shuffle join (limit 0).
            for (int k : new int[] {0, 2, 3, 7}) for (long limit : new long[] {Preparation.BROADCAST_CLASSES, 0}) {
                Prepared out = run(frame(rows, QI_TABLE, 3), QI_SPEC, QI_IDS, null, k, limit);
                try {
                    Set<List<String>> small = k == 0 ? Set.of() : KAnonymity.classesBelow(tuples, k);
                    long smallestAfter = 0;
                    for (long size : brute.classSizes()) {
                        if (size >= k) {
                            smallestAfter = size;
                            break;
                        }
                    }
                    String where = "seed " + seed + ", k " + k + ", broadcast limit " + limit;
                    if (!small.isEmpty()) {
                        if (brute.classes() - small.size() < small.size()) {
                            semiJoins++;
                        } else {
                            antiJoins++;
                        }
                    }
                    assertEquals(new Stats(List.of("age", "zip"), brute.classes(), brute.smallestClass(),
                            small.size(), smallestAfter), out.kAnonymity(), where);
                    long expectedSuppressed = k == 0 ? 0 : brute.rowsInClassesBelow(k);
                    assertEquals(expectedSuppressed, out.rowsSuppressed(), where);
                    assertEquals(n, out.rowsRead(), where);
                    assertEquals(n - expectedSuppressed, out.rowsWritten(), where);
                    Set<Integer> expectedKept = new HashSet<>();
                    for (int i = 0; i < n; i++) {
                        if (!small.contains(tuples.get(i))) {
                            expectedKept.add(i);
                        }
                    }
                    List<Row> got = out.table().collectAsList();
                    Set<Integer> kept = new HashSet<>();
                    for (Row r : got) {
                        int rid = r.getInt(r.fieldIndex("rid"));
                        kept.add(rid);
                        assertEquals(tuples.get(rid), Arrays.asList(r.getString(r.fieldIndex("age")),
                                r.getString(r.fieldIndex("zip"))), where);
                    }
                    assertEquals(got.size(), kept.size(), where);
                    assertEquals(expectedKept, kept, where);
                    if (k >= 2) {
                        List<List<String>> after = new ArrayList<>();
                        for (Row r : got) {
                            after.add(Arrays.asList(r.getString(r.fieldIndex("age")),
                                    r.getString(r.fieldIndex("zip"))));
                        }
                        assertTrue(after.isEmpty() || KAnonymity.of(after).isKAnonymous(k), where);
                        assertEquals(smallestAfter, KAnonymity.of(after).smallestClass(), where);
                    }
                } finally {
                    out.release();
                }
            }
        }
        assertTrue(antiJoins > 0 && semiJoins > 0, "both suppression joins exercised: anti " + antiJoins + ", semi "
                + semiJoins);
    }

    // ---------------------------------------------------------------- refusals

    @Test
    void uncoveredValue_refusedWithColumnAndInputRowNumber_withoutTheValue() {
        List<Row> rows = customers(30, 0, 3);
        // Row 23 (1-based) holds an age outside [0, 120); rows 26 and 27 hold malformed ZIP codes.
        rows.set(22, withValue(rows.get(22), 3, "987"));
        rows.set(25, withValue(rows.get(25), 4, "SECRET-ZIP"));
        rows.set(26, withValue(rows.get(26), 4, "1234"));
        int persistedBefore = jsc.getPersistentRDDs().size();
        DatasetValidationException e = assertThrows(DatasetValidationException.class,
                () -> run(frame(rows, CUSTOMERS, 3), SPEC, IDS, Pseudonymizer.of(KEY), 0));
        assertEquals(List.of(
                new Violation("age", "values not covered by generalization age_bands(width=20, min=0, max=120)", 1,
                        23),
                new Violation("zip", "values not covered by generalization zip_prefix(digits=3)", 2, 26)),
                e.violations());
        assertFalse(e.getMessage().contains("987"));
        assertFalse(e.getMessage().contains("SECRET"));
        assertFalse(e.getMessage().contains("1234"));
        assertFalse(e.getMessage().contains("\n"));
        assertEquals(persistedBefore, jsc.getPersistentRDDs().size(), "nothing left cached after a refusal");
    }

    private static Row withValue(Row r, int column, Object value) {
        Object[] v = new Object[r.length()];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.get(i);
        }
        v[column] = value;
        return RowFactory.create(v);
    }

    @Test
    void malformedCsvRecord_refusedWithItsRowNumber() throws IOException {
        Path f = tmp.resolve("customers.csv");
        Files.writeString(f, "name,email,customer_id,age,zip,signup,amount,label,notes\n"
                + "Ann,ann@example.org,c1,31,02139,2020-01-05,10,1,n\n"
                + "Bob,bob@example.org,c2,45,02140,2020-02-05,20,0,n\n"
                + "Cyd,cyd@example.org,c3,52,02141\n"
                + "Dan,dan@example.org,c4,61,02142,2020-04-05,40,1,n\n");
        Dataset<Row> raw = DataReader.read(spark, f.toString(), InputFormat.CSV);
        DatasetValidationException e = assertThrows(DatasetValidationException.class,
                () -> run(raw, SPEC, IDS, Pseudonymizer.of(KEY), 0));
        assertEquals(List.of(new Violation(Violation.RECORD, DatasetValidator.MALFORMED, 1, 3)), e.violations());
        assertFalse(e.getMessage().contains("Cyd"));

        // The well-formed file prepares, and its dropped columns do not list the reserved column.
        Files.writeString(f, "name,email,customer_id,age,zip,signup,amount,label,notes\n"
                + "Ann,ann@example.org,c1,31,02139,2020-01-05,10,1,n\n");
        Prepared out = run(DataReader.read(spark, f.toString(), InputFormat.CSV), SPEC, IDS,
                Pseudonymizer.of(KEY), 0);
        try {
            assertEquals(List.of("name", "notes"), out.droppedColumns());
            assertEquals(RowFactory.create("[20, 40)", "10", "1", Pseudonymizer.of(KEY).pseudonym("c1"),
                    "a**@example.org", "021**", "2020-01"), out.table().first());
        } finally {
            out.release();
        }
    }

    @Test
    void specThatCannotReadThePreparedValue_refused() {
        // The spec still scales age as a number, but age is generalized to bands: found here, not in dp-train.
        FeatureSpec stale = new FeatureSpec("customers", List.<FeatureColumn>of(NumericFeature.scale("age", 0, 120),
                NumericFeature.scale("amount", 0, 1000)), LabelSpec.numeric("label"), "customer_id");
        List<Row> rows = customers(20, 0, 4);
        rows.set(0, withValue(rows.get(0), 3, null)); // the first row has no age: first non-numeric is row 2
        DatasetValidationException e = assertThrows(DatasetValidationException.class,
                () -> run(frame(rows, CUSTOMERS, 2), stale, IDS, Pseudonymizer.of(KEY), 0));
        Violation v = e.violations().stream().filter(x -> x.problem().contains("non-numeric")).findFirst()
                .orElseThrow(() -> new AssertionError(e.getMessage()));
        assertEquals("age", v.column());
        assertEquals(2, v.firstRow());
        assertNotNull(e.getMessage());
        assertFalse(e.getMessage().contains("[20, 40)"));
    }

    /** Prepares and runs the one pass (written nowhere), as dp-prepare does before it publishes. */
    private static Prepared run(Dataset<Row> raw, FeatureSpec spec, Identifiers ids, Pseudonymizer p, int k) {
        return run(raw, spec, ids, p, k, Preparation.BROADCAST_CLASSES);
    }

    private static Prepared run(Dataset<Row> raw, FeatureSpec spec, Identifiers ids, Pseudonymizer p, int k,
                                long broadcastLimit) {
        Prepared out = Preparation.prepare(raw, spec, ids, p, k, broadcastLimit);
        try {
            out.write(t -> t.write().format("noop").mode("overwrite").save());
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        return out;
    }
}
