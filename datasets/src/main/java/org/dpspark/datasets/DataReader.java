package org.dpspark.datasets;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.dpspark.datasets.spec.CsvFormat;

/**
 * Reads an input into a DataFrame of its raw columns: nothing is encoded, fitted or dropped.
 *
 * <ul>
 *   <li>{@link InputFormat#CSV}: header line required; every column is a string (no inference), so validation can
 *       report bad values by row. Spark's PERMISSIVE mode puts records with the wrong number of fields into the
 *       extra string column {@value #CORRUPT_RECORD_COLUMN} (null for good records), which validation reports.
 *       Blank lines are skipped by Spark's CSV reader. The column names come from the (first) header; for a
 *       directory, every file's header is checked against them (a file with another header fails the read).
 *       Quoted fields spanning lines are not supported (no multiLine). The delimiter, quote and escape characters
 *       are the {@link CsvFormat} given (Spark's {@code , " \} by default).</li>
 *   <li>{@link InputFormat#PARQUET}: {@code spark.read().parquet(path)}.</li>
 *   <li>{@link InputFormat#ARROW}: Arrow IPC file format / Feather v2 (a file, or a directory of files with one
 *       schema), read in parallel by executors; the driver reads only the footers. Types: int8/16/32/64,
 *       uint8/16/32 (widened), float32/64, bool, utf8, large_utf8, and dictionary-encoded columns of these
 *       (pandas categoricals, decoded to their values). Other types: IllegalArgumentException naming the column.</li>
 *   <li>{@link InputFormat#ADULT}: the UCI Adult files as distributed: blank lines and lines starting with "|"
 *       (adult.test's "|1x3 Cross validator") are skipped, the rest split on "," and trimmed into the 15 string
 *       columns {@link #ADULT_COLUMNS}. A line with another number of fields keeps its place as a row with null
 *       fields and the line in {@value #CORRUPT_RECORD_COLUMN}, for validation to report; nothing is dropped.</li>
 *   <li>{@link InputFormat#MNIST}: the images file of an IDX pair, the labels file found beside it
 *       ({@link MnistReader}); columns "features" (vector) and "label" (double).</li>
 *   <li>{@link InputFormat#LIBSVM}: Spark's "libsvm" source; columns "label" (double) and "features" (a sparse
 *       vector, indices 1-based in the file, 0-based in the vector). Without a declared size, Spark infers the
 *       vector size from the largest index in the data (an extra pass, and a data-dependent value): training
 *       code should use {@link #readLibsvm(SparkSession, String, int)} with the size from the feature spec.</li>
 * </ul>
 */
public final class DataReader {

    /** The string column holding malformed records (CSV and ADULT inputs); null for well-formed records. */
    public static final String CORRUPT_RECORD_COLUMN = "_corrupt_record";

    /** The 15 columns of the UCI Adult files, named as in adult.names ("income" is the class). */
    public static final List<String> ADULT_COLUMNS = List.of("age", "workclass", "fnlwgt", "education",
            "education-num", "marital-status", "occupation", "relationship", "race", "sex", "capital-gain",
            "capital-loss", "hours-per-week", "native-country", "income");

    private DataReader() {
    }

    /**
     * Reads {@code path} (a file or a directory, any Hadoop-supported file system).
     *
     * @throws IllegalArgumentException for a missing path, a CSV without header, or an unsupported Arrow type
     */
    public static Dataset<Row> read(SparkSession spark, String path, InputFormat format) {
        return read(spark, path, format, CsvFormat.DEFAULT);
    }

    /**
     * Reads {@code path} as {@link #read(SparkSession, String, InputFormat)}, splitting CSV inputs with the
     * dialect {@code csv} (Spark's {@code sep}, {@code quote} and {@code escape} options); other formats ignore it.
     *
     * @param csv the CSV dialect, usually the feature spec's {@link org.dpspark.datasets.spec.FeatureSpec#csv()};
     *            null means {@link CsvFormat#DEFAULT}
     * @throws IllegalArgumentException for a missing path, a CSV without header, or an unsupported Arrow type
     */
    public static Dataset<Row> read(SparkSession spark, String path, InputFormat format, CsvFormat csv) {
        if (spark == null || format == null) {
            throw new IllegalArgumentException("spark and format must be non-null");
        }
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("path must be non-blank, got '" + path + "'");
        }
        return switch (format) {
            case CSV -> readCsv(spark, path, csv == null ? CsvFormat.DEFAULT : csv);
            case PARQUET -> spark.read().parquet(path);
            case ARROW -> ArrowSource.read(spark, path);
            case ADULT -> readAdult(spark, path);
            case MNIST -> MnistReader.read(spark, path);
            case LIBSVM -> spark.read().format("libsvm").load(path);
        };
    }

    /**
     * Reads LibSVM text with a declared vector size (no inference pass). Spark fails the read on an index larger
     * than {@code numFeatures}.
     *
     * @param numFeatures the size of the "features" vectors, &gt;= 1
     */
    public static Dataset<Row> readLibsvm(SparkSession spark, String path, int numFeatures) {
        if (spark == null) {
            throw new IllegalArgumentException("spark must be non-null");
        }
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("path must be non-blank, got '" + path + "'");
        }
        if (!(numFeatures >= 1)) {
            throw new IllegalArgumentException("numFeatures must be >= 1, got " + numFeatures);
        }
        return spark.read().format("libsvm").option("numFeatures", Integer.toString(numFeatures)).load(path);
    }

    private static Dataset<Row> readCsv(SparkSession spark, String path, CsvFormat csv) {
        // First pass over the header only (Spark reads the first line to name the columns; no type inference).
        StructType header = dialect(spark.read(), csv).option("header", "true").option("inferSchema", "false")
                .csv(path).schema();
        if (header.fields().length == 0) {
            throw new IllegalArgumentException("CSV input " + path + " has no header line");
        }
        List<StructField> fields = new ArrayList<>();
        for (StructField f : header.fields()) {
            if (f.name().equals(CORRUPT_RECORD_COLUMN)) {
                throw new IllegalArgumentException("CSV input " + path + " has a column named '"
                        + CORRUPT_RECORD_COLUMN + "', which is reserved");
            }
            fields.add(DataTypes.createStructField(f.name(), DataTypes.StringType, true));
        }
        fields.add(DataTypes.createStructField(CORRUPT_RECORD_COLUMN, DataTypes.StringType, true));
        return dialect(spark.read(), csv)
                .schema(DataTypes.createStructType(fields))
                .option("header", "true")
                // Check every file's header against the column names (files with another header fail the read
                // instead of being silently mapped by position).
                .option("enforceSchema", "false")
                .option("mode", "PERMISSIVE")
                .option("columnNameOfCorruptRecord", CORRUPT_RECORD_COLUMN)
                .csv(path);
    }

    private static DataFrameReader dialect(DataFrameReader reader, CsvFormat csv) {
        return reader.option("sep", String.valueOf(csv.delimiter()))
                .option("quote", String.valueOf(csv.quote()))
                .option("escape", String.valueOf(csv.escape()));
    }

    /** Schema of {@link InputFormat#ADULT} inputs: 15 strings, then {@value #CORRUPT_RECORD_COLUMN}. */
    public static StructType adultSchema() {
        List<StructField> fields = new ArrayList<>();
        for (String c : ADULT_COLUMNS) {
            fields.add(DataTypes.createStructField(c, DataTypes.StringType, true));
        }
        fields.add(DataTypes.createStructField(CORRUPT_RECORD_COLUMN, DataTypes.StringType, true));
        return DataTypes.createStructType(fields);
    }

    private static Dataset<Row> readAdult(SparkSession spark, String path) {
        StructType schema = adultSchema();
        int n = ADULT_COLUMNS.size();
        FlatMapFunction<String, Row> parse = line -> {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("|")) {
                return Collections.emptyIterator();
            }
            String[] parts = t.split(",", -1);
            Object[] values = new Object[n + 1];
            if (parts.length == n) {
                for (int i = 0; i < n; i++) {
                    values[i] = parts[i].strip();
                }
            } else {
                values[n] = line;
            }
            return Collections.singletonList(RowFactory.create(values)).iterator();
        };
        return spark.read().textFile(path).flatMap(parse, Encoders.row(schema));
    }
}
