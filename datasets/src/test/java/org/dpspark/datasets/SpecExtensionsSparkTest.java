package org.dpspark.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.datasets.spec.CsvFormat;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.spec.IndicatorFeature;
import org.dpspark.datasets.spec.IndicatorFeature.Op;
import org.dpspark.datasets.spec.LabelSpec;
import org.dpspark.datasets.spec.NumericFeature;
import org.dpspark.datasets.spec.OneHotFeature;
import org.dpspark.datasets.users.UserBlocks;
import org.dpspark.datasets.validate.DatasetValidationException;
import org.dpspark.datasets.validate.DatasetValidator;
import org.dpspark.datasets.validate.Violation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 15's spec extensions on a local Spark session (one per class): CSV dialect, indicators, shared columns. */
class SpecExtensionsSparkTest {

    private static SparkSession spark;

    @TempDir
    static Path tmp;

    private static int files;

    /** A bank-marketing-like spec: pdays feeds an indicator and a scaled feature; balance may be negative. */
    private static final String BANK_JSON = "{\"format_version\":1,\"name\":\"bank\","
            + "\"label\":{\"column\":\"y\",\"positive\":[\"yes\"],\"negative\":[\"no\"]},"
            + "\"features\":[{\"column\":\"age\",\"encoding\":\"scale\",\"min\":18,\"max\":98},"
            + "{\"column\":\"job\",\"encoding\":\"onehot\",\"vocabulary\":[\"admin;tech\",\"retired\"]},"
            + "{\"column\":\"balance\",\"encoding\":\"signed_log1p\",\"min\":-1000,\"max\":1000},"
            + "{\"column\":\"pdays\",\"encoding\":\"indicator\",\"op\":\"!=\",\"value\":-1},"
            + "{\"column\":\"pdays\",\"encoding\":\"scale\",\"min\":0,\"max\":999}]%s}";

    private static final String BANK_CSV = "age;job;balance;pdays;y\n"
            + "30;\"admin;tech\";-1000;-1;no\n"
            + "58;retired;0;333;yes\n"
            + "98;unknown;1000;999;no\n";

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().appName("SpecExtensionsSparkTest").master("local[2]")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static String file(String content) throws IOException {
        Path f = tmp.resolve("in-" + (files++) + ".csv");
        Files.writeString(f, content);
        return f.toString();
    }

    private static double s(double x) {
        return Math.signum(x) * Math.log1p(Math.abs(x));
    }

    /** The rows of {@code raw} encoded with {@code spec} on the executors, in input order. */
    private static List<double[]> packed(Dataset<Row> raw, FeatureSpec spec) {
        List<double[]> out = new ArrayList<>();
        for (DenseBlock b : BlockPacker.pack(raw, spec).collect()) {
            for (int i = 0; i < b.rows(); i++) {
                double[] x = Arrays.copyOfRange(b.features(), i * b.dim(), (i + 1) * b.dim());
                double[] xy = Arrays.copyOf(x, x.length + 1);
                xy[x.length] = b.labels()[i];
                out.add(xy);
            }
        }
        return out;
    }

    @Test
    void semicolonCsv_defaultDialect_failsListingColumnsFoundWithDelimiterHint() throws IOException {
        FeatureSpec spec = FeatureSpec.fromJson(String.format(BANK_JSON, ""));
        Dataset<Row> raw = DataReader.read(spark, file(BANK_CSV), InputFormat.CSV);
        DatasetValidationException e = assertThrows(DatasetValidationException.class,
                () -> DatasetValidator.validate(raw, spec));
        String m = e.getMessage();
        assertEquals("input validation failed: column 'age': missing from the input (columns found:"
                + " 'age;job;balance;pdays;y'; the header was read as one column: is the file delimited by ';'? set"
                + " \"csv\": {\"delimiter\": \";\"} in the feature spec); column 'job': missing from the input;"
                + " column 'balance': missing from the input; column 'pdays': missing from the input;"
                + " column 'y': missing from the input", m);
        assertFalse(m.contains("_corrupt_record") || m.contains("retired"), m);
        assertEquals(5, e.violations().size());
        assertEquals(new Violation("pdays", Violation.MISSING_COLUMN, 0, 0), e.violations().get(3));
        // kept through about() and redacted() (column names only, no data values)
        assertTrue(e.about("--input").getMessage().startsWith("--input: input validation failed: column 'age':"
                + " missing from the input (columns found: "));
        assertTrue(e.redacted().getMessage().contains("the header was read as one column"));
    }

    @Test
    void semicolonCsv_specDialect_readsValidatesAndEncodes() throws IOException {
        FeatureSpec spec = FeatureSpec.fromJson(String.format(BANK_JSON, ",\"csv\":{\"delimiter\":\";\"}"));
        assertEquals(new CsvFormat(';', '"', '\\'), spec.csv());
        Dataset<Row> raw = DataReader.read(spark, file(BANK_CSV), InputFormat.CSV, spec.csv());
        assertEquals(List.of("age", "job", "balance", "pdays", "y", DataReader.CORRUPT_RECORD_COLUMN),
                Arrays.asList(raw.schema().fieldNames()));
        assertEquals(3, DatasetValidator.validate(raw, spec));
        List<double[]> rows = packed(raw, spec);
        double sMax = s(1000);
        // age, job block (2), balance, pdays != -1, pdays scaled; then the label
        assertArrayEquals(new double[] {12 / 80.0, 1, 0, 0, 0, 0, 0}, rows.get(0), 1e-12); // quoted "admin;tech"
        assertArrayEquals(new double[] {40 / 80.0, 0, 1, 0.5, 1, 333 / 999.0, 1}, rows.get(1), 1e-12);
        assertArrayEquals(new double[] {1, 0, 0, (s(1000) + sMax) / (2 * sMax), 1, 1, 0}, rows.get(2), 1e-12);
    }

    @Test
    void commaCsv_specSaysSemicolon_hintsAtComma() throws IOException {
        FeatureSpec spec = FeatureSpec.fromJson(String.format(BANK_JSON, ",\"csv\":{\"delimiter\":\";\"}"));
        Dataset<Row> raw = DataReader.read(spark, file(BANK_CSV.replace(';', ',').replace("\"admin,tech\"", "x")),
                InputFormat.CSV, spec.csv());
        DatasetValidationException e = assertThrows(DatasetValidationException.class,
                () -> DatasetValidator.validate(raw, spec));
        assertTrue(e.getMessage().contains("(columns found: 'age,job,balance,pdays,y'; the header was read as one"
                + " column: is the file delimited by ','? set \"csv\": {\"delimiter\": \",\"} in the feature spec)"),
                e.getMessage());
    }

    @Test
    void csvDialect_quoteAndEscape_passedToSpark() throws IOException {
        FeatureSpec spec = new FeatureSpec("q", List.of(new OneHotFeature("t", List.of("a|b", "it's"))),
                LabelSpec.numeric("y"), null, new CsvFormat('|', '\'', '\\'), null);
        String path = file("t|y\n'a|b'|1\n'it\\'s'|0\nc|1\n");
        Dataset<Row> raw = DataReader.read(spark, path, InputFormat.CSV, spec.csv());
        assertEquals(3, DatasetValidator.validate(raw, spec));
        List<double[]> rows = packed(raw, spec);
        assertArrayEquals(new double[] {1, 0, 1}, rows.get(0));
        assertArrayEquals(new double[] {0, 1, 0}, rows.get(1));
        assertArrayEquals(new double[] {0, 0, 1}, rows.get(2));
        // the default dialect splits the same file differently: 'a and b' are two fields
        Dataset<Row> plain = DataReader.read(spark, path, InputFormat.CSV);
        assertEquals(List.of("t|y", DataReader.CORRUPT_RECORD_COLUMN), Arrays.asList(plain.schema().fieldNames()));
        // the 3-argument read is the default dialect
        assertEquals(Arrays.asList(plain.schema().fieldNames()), Arrays.asList(DataReader.read(spark, path,
                InputFormat.CSV, CsvFormat.DEFAULT).schema().fieldNames()));
    }

    @Test
    void sharedColumn_badValuesReportedOnce_indicatorAloneAcceptsMissing() throws IOException {
        FeatureSpec both = new FeatureSpec("p", List.of(IndicatorFeature.numeric("pdays", Op.NE, -1),
                NumericFeature.scale("pdays", 0, 999)), LabelSpec.numeric("y"));
        String path = file("pdays,y\n-1,0\nSECRET,1\n5,0\n,1\nNaN,0\nxx,1\n");
        DatasetValidationException e = assertThrows(DatasetValidationException.class,
                () -> DatasetValidator.validate(DataReader.read(spark, path, InputFormat.CSV), both));
        assertEquals(List.of(new Violation("pdays", "missing or empty values", 1, 4),
                new Violation("pdays", "non-numeric values", 2, 2),
                new Violation("pdays", "NaN values", 1, 5)), e.violations());
        assertFalse(e.getMessage().contains("SECRET"));

        FeatureSpec indicator = new FeatureSpec("p", List.of(IndicatorFeature.numeric("pdays", Op.GT, 0),
                IndicatorFeature.text("pdays", Op.EQ, "xx")), LabelSpec.numeric("y"));
        DatasetValidationException e2 = assertThrows(DatasetValidationException.class,
                () -> DatasetValidator.validate(DataReader.read(spark, path, InputFormat.CSV), indicator));
        // missing is not a problem for an indicator; the text indicator accepts anything
        assertEquals(List.of(new Violation("pdays", "non-numeric values", 2, 2),
                new Violation("pdays", "NaN values", 1, 5)), e2.violations());

        String clean = file("pdays,y\n-1,0\n5,1\n,0\n");
        Dataset<Row> ok = DataReader.read(spark, clean, InputFormat.CSV);
        assertEquals(3, DatasetValidator.validate(ok, indicator));
        List<double[]> rows = packed(ok, indicator);
        assertArrayEquals(new double[] {0, 0, 0}, rows.get(0));
        assertArrayEquals(new double[] {1, 0, 1}, rows.get(1));
        assertArrayEquals(new double[] {0, 0, 0}, rows.get(2)); // missing: 0
    }

    @Test
    void sharedColumn_dataFrame_encodesToTheRightVectors_rowAndUserLevel() {
        StructType schema = DataTypes.createStructType(List.of(
                DataTypes.createStructField("uid", DataTypes.StringType, true),
                DataTypes.createStructField("pdays", DataTypes.IntegerType, true),
                DataTypes.createStructField("y", DataTypes.IntegerType, true)));
        Dataset<Row> df = spark.createDataFrame(List.of(RowFactory.create("u1", -1, 0),
                RowFactory.create("u1", 999, 1), RowFactory.create("u2", 0, 1), RowFactory.create("u3", 1998, 0)),
                schema);
        FeatureSpec spec = new FeatureSpec("p", List.of(NumericFeature.scale("pdays", 0, 999),
                IndicatorFeature.numeric("pdays", Op.NE, -1), IndicatorFeature.numeric("pdays", Op.GE, 999)),
                LabelSpec.numeric("y"), "uid");
        assertEquals(List.of("pdays", "y"), spec.requiredColumns());
        assertEquals(List.of("pdays", "y", "uid"), spec.preparedColumns());
        assertEquals(4, DatasetValidator.validate(df, spec));
        List<double[]> expected = List.of(new double[] {0, 0, 0, 0}, new double[] {1, 1, 1, 1},
                new double[] {0, 1, 0, 1}, new double[] {1, 1, 1, 0});
        List<double[]> rows = packed(df, spec);
        assertEquals(4, rows.size());
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(expected.get(i), rows.get(i));
        }
        // user level: bounding keeps every row (k = 5), packing encodes the same vectors
        UserBlocks.Bounded bounded = UserBlocks.bound(df, spec, "uid", 5, UserBlocks.NullUsers.REFUSE,
                CsprngStream.newSecretKey(), 2);
        assertEquals(3, bounded.users());
        List<double[]> users = new ArrayList<>();
        for (DenseBlock b : UserBlocks.pack(bounded, spec).collect()) {
            for (int i = 0; i < b.rows(); i++) {
                double[] xy = Arrays.copyOf(Arrays.copyOfRange(b.features(), i * 3, i * 3 + 3), 4);
                xy[3] = b.labels()[i];
                users.add(xy);
            }
        }
        Comparator<double[]> order = Arrays::compare;
        List<double[]> want = new ArrayList<>(expected);
        want.sort(order);
        users.sort(order);
        assertEquals(4, users.size());
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(want.get(i), users.get(i));
        }
    }
}
