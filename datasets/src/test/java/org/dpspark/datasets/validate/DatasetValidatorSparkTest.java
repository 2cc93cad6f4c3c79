package org.dpspark.datasets.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dpspark.datasets.DataReader;
import org.dpspark.datasets.InputFormat;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.spec.LabelSpec;
import org.dpspark.datasets.spec.NumericFeature;
import org.dpspark.datasets.spec.OneHotFeature;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Validation problems, each reported with column, count and first row. The session splits files into 2 KB
 * partitions, so row numbers are also checked across partition boundaries.
 */
class DatasetValidatorSparkTest {

    private static SparkSession spark;

    @TempDir
    static Path tmp;

    private static int fileCounter;

    private static final FeatureSpec SPEC = new FeatureSpec("v", List.of(NumericFeature.scale("age", 0, 100),
            new OneHotFeature("colour", List.of("red", "green"))), LabelSpec.numeric("y"));

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().appName("DatasetValidatorSparkTest").master("local[2]")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.files.maxPartitionBytes", "2k").getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static Dataset<Row> csv(String content) throws IOException {
        Path f = tmp.resolve("in-" + (fileCounter++) + ".csv");
        Files.writeString(f, content);
        return DataReader.read(spark, f.toString(), InputFormat.CSV);
    }

    private static List<Violation> violations(Dataset<Row> raw, FeatureSpec spec) {
        DatasetValidationException e = assertThrows(DatasetValidationException.class,
                () -> DatasetValidator.validate(raw, spec));
        assertFalse(e.getMessage().contains("\n"), "one line");
        return e.violations();
    }

    @Test
    void validate_cleanCsv_returnsRowCount() throws IOException {
        assertEquals(3, DatasetValidator.validate(csv("age,colour,y\n30,red,1\n40,blue,0\n50,,1\n"), SPEC));
    }

    @Test
    void validate_missingColumns_reportedBeforeAnySparkJob() {
        StructType schema = DataTypes.createStructType(List.of(
                DataTypes.createStructField("colour", DataTypes.StringType, true),
                DataTypes.createStructField("agee", DataTypes.StringType, true)));
        // Any job over this input fails the test with a SparkException instead of the expected validation error.
        JavaRDD<Row> poisoned = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(List.of(1), 1).map(i -> {
                    throw new IllegalStateException("validation must not run a job when columns are missing");
                });
        Dataset<Row> raw = spark.createDataFrame(poisoned, schema);
        assertEquals(List.of(new Violation("age", "missing from the input", 0, 0),
                new Violation("y", "missing from the input", 0, 0)), violations(raw, SPEC));
    }

    @Test
    void validate_nonNumericValues_countedWithFirstRowAndNoValuesInMessage() throws IOException {
        DatasetValidationException e = assertThrows(DatasetValidationException.class, () -> DatasetValidator.validate(
                csv("age,colour,y\n30,red,1\nSECRET-1,red,0\n31,green,1\nx1,red,0\n7e,red,1\n"), SPEC));
        assertEquals(List.of(new Violation("age", "non-numeric values", 3, 2)), e.violations());
        assertEquals("input validation failed: column 'age': 3 non-numeric values (first at row 2)", e.getMessage());
        assertFalse(e.getMessage().contains("SECRET"));
    }

    @Test
    void validate_nanValues_reported() throws IOException {
        assertEquals(List.of(new Violation("age", "NaN values", 2, 3)),
                violations(csv("age,colour,y\n1,red,1\n2,red,1\nNaN,red,0\nnan,red,1\n"), SPEC));
    }

    @Test
    void validate_infiniteValues_reported() throws IOException {
        assertEquals(List.of(new Violation("age", "infinite values", 2, 1)),
                violations(csv("age,colour,y\nInfinity,red,1\n2,red,1\n3,red,0\n4,red,1\n-inf,red,0\n"), SPEC));
    }

    @Test
    void validate_emptyValues_reported() throws IOException {
        assertEquals(List.of(new Violation("age", "missing or empty values", 2, 2)),
                violations(csv("age,colour,y\n1,red,1\n,red,1\n3,red,0\n  ,red,1\n"), SPEC));
    }

    @Test
    void validate_labelTwoAndMissingLabel_reported() throws IOException {
        assertEquals(List.of(new Violation("y", "missing or empty labels", 1, 4),
                new Violation("y", "labels outside {0, 1}", 2, 3)),
                violations(csv("age,colour,y\n1,red,1\n2,red,0.0\n3,red,2\n4,red,\n5,red,1.5\n"), SPEC));
    }

    /** Wrong field counts are malformed records, even when the spec does not read every column. */
    @Test
    void validate_malformedCsvRows_reportedAsRecordsNotDropped() throws IOException {
        Dataset<Row> raw = csv("age,colour,y,note\n1,red,1,a\n2,red\n3,red,0,c\n4,red,1,d,extra\n5,red,0,e\n");
        assertEquals(List.of(new Violation(Violation.RECORD, DatasetValidator.MALFORMED, 2, 2)),
                violations(raw, SPEC));
        assertEquals(5, raw.count(), "nothing dropped");
    }

    @Test
    void validate_malformedAdultLine_reportedWithDataRecordNumber() throws IOException {
        String good = "39, State-gov, 77516, Bachelors, 13, Never-married, Adm-clerical, Not-in-family, White, Male, "
                + "2174, 0, 40, United-States, <=50K.";
        String shortLine = "50, Self-emp-not-inc, 83311, Bachelors, 13, Married-civ-spouse, Exec-managerial, Husband, "
                + "White, Male, 0, 0, United-States, <=50K.";
        String oddLabel = good.replace("<=50K.", "maybe");
        Path f = tmp.resolve("adult-bad.test");
        // "|" line and blank lines are not records: the short line is data record 3, the odd label record 5.
        Files.writeString(f, "|1x3 Cross validator\n" + good + "\n\n" + good + "\n" + shortLine + "\n" + good + "\n"
                + oddLabel + "\n\n");
        Dataset<Row> raw = DataReader.read(spark, f.toString(), InputFormat.ADULT);
        assertEquals(List.of(new Violation(Violation.RECORD, DatasetValidator.MALFORMED, 1, 3),
                new Violation("income", "labels outside {0, 1}", 1, 5)), violations(raw, FeatureSpec.adult()));
        assertEquals(5, raw.count());
    }

    @Test
    void validate_emptyInput_reported() throws IOException {
        assertEquals(List.of(new Violation(Violation.RECORD, DatasetValidator.NO_ROWS, 0, 0)),
                violations(csv("age,colour,y\n"), SPEC));
    }

    @Test
    void validate_severalProblems_allListedInOneLine() throws IOException {
        FeatureSpec spec = new FeatureSpec("two", List.of(NumericFeature.scale("age", 0, 100),
                NumericFeature.log1p("gain", 0, 1000)), LabelSpec.numeric("y"));
        DatasetValidationException e = assertThrows(DatasetValidationException.class, () -> DatasetValidator.validate(
                csv("age,gain,y\n1,2,1\nabc,3,0\n4,NaN,2\n5,6\n,inf,1\n7,8,1\n"), spec));
        assertEquals("input validation failed: 1 malformed records (wrong number of fields) (first at row 4); "
                + "column 'age': 1 missing or empty values (first at row 5); "
                + "column 'age': 1 non-numeric values (first at row 2); "
                + "column 'gain': 1 NaN values (first at row 3); "
                + "column 'gain': 1 infinite values (first at row 5); "
                + "column 'y': 1 labels outside {0, 1} (first at row 3)", e.getMessage());
        assertEquals(6, e.violations().size());
    }

    /** A 3000-record file split into 2 KB partitions: row numbers must be global, in file order. */
    @Test
    void validate_manyPartitions_rowNumbersAreGlobal() throws IOException {
        StringBuilder sb = new StringBuilder("age,colour,y\n");
        for (int r = 1; r <= 3000; r++) {
            String age = r == 1500 || r == 2999 ? "bad" : Integer.toString(r % 90);
            String y = r == 2222 ? "7" : Integer.toString(r % 2);
            sb.append(age).append(",green,").append(y).append('\n');
        }
        Dataset<Row> raw = csv(sb.toString());
        assertTrue(raw.javaRDD().getNumPartitions() >= 5, "partitions " + raw.javaRDD().getNumPartitions());
        assertEquals(List.of(new Violation("age", "non-numeric values", 2, 1500),
                new Violation("y", "labels outside {0, 1}", 1, 2222)), violations(raw, SPEC));
    }

    @Test
    void validate_typedColumns_nanInfinityAndNonBinaryLabels() {
        StructType schema = DataTypes.createStructType(List.of(
                DataTypes.createStructField("age", DataTypes.DoubleType, true),
                DataTypes.createStructField("colour", DataTypes.StringType, true),
                DataTypes.createStructField("y", DataTypes.DoubleType, true)));
        Dataset<Row> raw = spark.createDataFrame(List.of(RowFactory.create(1.0, "red", 1.0),
                RowFactory.create(Double.NaN, "red", 0.0), RowFactory.create(Double.POSITIVE_INFINITY, null, 0.5),
                RowFactory.create(null, "red", null)), schema);
        assertEquals(List.of(new Violation("age", "missing or empty values", 1, 4),
                new Violation("age", "NaN values", 1, 2), new Violation("age", "infinite values", 1, 3),
                new Violation("y", "missing or empty labels", 1, 4), new Violation("y", "labels outside {0, 1}", 1, 3)),
                violations(raw, SPEC));
    }
}
