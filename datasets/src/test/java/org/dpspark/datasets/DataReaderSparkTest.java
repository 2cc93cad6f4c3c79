package org.dpspark.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.spec.LabelSpec;
import org.dpspark.datasets.spec.NumericFeature;
import org.dpspark.datasets.spec.OneHotFeature;
import org.dpspark.datasets.validate.DatasetValidator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readers, packing and synthetic data on a local Spark session (one per class). */
class DataReaderSparkTest {

    private static SparkSession spark;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().appName("DataReaderSparkTest").master("local[2]")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    // ---------------------------------------------------------------- Adult (real data)

    private static Path adultDir() {
        Path dir = Path.of(System.getProperty("dpspark.shared.dir", "../../shared"), "datasets", "adult");
        assumeTrue(Files.isRegularFile(dir.resolve("adult.data")) && Files.isRegularFile(dir.resolve("adult.test")),
                "skipped: UCI Adult files not found under " + dir + " (shared datasets folder absent)");
        return dir;
    }

    private record Packed(long rows, long positives, double maxNorm, int dim) implements java.io.Serializable {
    }

    /** Packs and measures in one job: one Packed per block, so the list size is the number of blocks. */
    private static Packed packAndMeasure(Dataset<Row> raw, FeatureSpec spec) {
        JavaRDD<DenseBlock> blocks = BlockPacker.pack(raw, spec);
        List<Packed> perBlock = blocks.map(b -> {
            long pos = 0;
            double maxNorm = 0;
            for (int r = 0; r < b.rows(); r++) {
                double sq = 0;
                for (int j = 0; j < b.dim(); j++) {
                    double v = b.features()[r * b.dim() + j];
                    sq += v * v;
                }
                maxNorm = Math.max(maxNorm, Math.sqrt(sq));
                pos += (long) b.labels()[r];
            }
            return new Packed(b.rows(), pos, maxNorm, b.dim());
        }).collect();
        assertEquals(blocks.getNumPartitions(), perBlock.size(), "one block per partition");
        return perBlock.stream().reduce((a, c) -> new Packed(a.rows() + c.rows(), a.positives() + c.positives(),
                Math.max(a.maxNorm(), c.maxNorm()), a.dim())).orElseThrow();
    }

    @Test
    void adult_trainingFile_validatesPacksAndMatchesReferenceFigures() {
        Path dir = adultDir();
        Dataset<Row> raw = DataReader.read(spark, dir.resolve("adult.data").toString(), InputFormat.ADULT);
        assertEquals(DataReader.adultSchema(), raw.schema());
        FeatureSpec spec = FeatureSpec.adult();
        assertEquals(32561, DatasetValidator.validate(raw, spec));
        Packed p = packAndMeasure(raw, spec);
        assertEquals(32561, p.rows());
        assertEquals(104, p.dim());
        assertTrue(p.maxNorm() <= Math.sqrt(13) + 1e-12, "max L2 norm " + p.maxNorm());
        double rate = (double) p.positives() / p.rows();
        assertEquals(0.2408, rate, 0.0001, "positive rate");

        // Spot check: the first record, encoded by hand (see RowEncoderTest for the index arithmetic).
        DenseBlock first = BlockPacker.pack(raw.limit(1), spec).collect().stream()
                .filter(b -> b.rows() > 0).findFirst().orElseThrow();
        double[] x = Arrays.copyOf(first.features(), 104);
        assertEquals((39 - 17) / 73.0, x[0], 1e-15);
        assertEquals(12 / 15.0, x[1], 1e-15);
        assertEquals(Math.log1p(2174) / Math.log1p(99999), x[2], 1e-15);
        assertEquals(0.0, x[3]);
        assertEquals(39 / 98.0, x[4], 1e-15);
        int[] ones = {10, 13, 31, 44, 53, 56, 62, 63};
        double sum = 0;
        for (int j = 5; j < 104; j++) {
            sum += x[j];
        }
        assertEquals(8.0, sum);
        for (int j : ones) {
            assertEquals(1.0, x[j], "coordinate " + j);
        }
        assertEquals(0.0, first.labels()[0]);
    }

    @Test
    void adult_testFile_skipsHeaderLineAndStripsLabelDots() {
        Path dir = adultDir();
        Dataset<Row> raw = DataReader.read(spark, dir.resolve("adult.test").toString(), InputFormat.ADULT);
        assertEquals(16281, DatasetValidator.validate(raw, FeatureSpec.adult()));
        Packed p = packAndMeasure(raw, FeatureSpec.adult());
        assertEquals(16281, p.rows());
        assertEquals(0.2362, (double) p.positives() / p.rows(), 0.0001, "positive rate");
        assertTrue(p.maxNorm() <= Math.sqrt(13) + 1e-12);
        Row firstRow = raw.first();
        assertEquals("25", firstRow.getString(0));
        assertEquals("<=50K.", firstRow.getString(14));
        assertNull(firstRow.get(15));
    }

    // ---------------------------------------------------------------- CSV and Parquet

    @Test
    void csv_roundTrip_allStringColumnsValidatedAndPacked() throws IOException {
        Path csv = tmp.resolve("small.csv");
        Files.writeString(csv, "a,colour,y\n1.5,red,1\n-3,blue,0\n\n10,green,1\n");
        Dataset<Row> raw = DataReader.read(spark, csv.toString(), InputFormat.CSV);
        StructType expected = DataTypes.createStructType(List.of(
                DataTypes.createStructField("a", DataTypes.StringType, true),
                DataTypes.createStructField("colour", DataTypes.StringType, true),
                DataTypes.createStructField("y", DataTypes.StringType, true),
                DataTypes.createStructField(DataReader.CORRUPT_RECORD_COLUMN, DataTypes.StringType, true)));
        assertEquals(expected, raw.schema());
        List<Row> rows = raw.collectAsList();
        assertEquals(List.of(RowFactory.create("1.5", "red", "1", null), RowFactory.create("-3", "blue", "0", null),
                RowFactory.create("10", "green", "1", null)), rows);

        FeatureSpec spec = new FeatureSpec("small", List.of(NumericFeature.scale("a", -2, 2),
                new OneHotFeature("colour", List.of("red", "green"))), LabelSpec.numeric("y"));
        assertEquals(3, DatasetValidator.validate(raw, spec));
        double[][] got = collectRows(BlockPacker.pack(raw, spec));
        assertArrayEquals(new double[] {0.875, 1, 0, 1}, got[0]);
        assertArrayEquals(new double[] {0.0, 0, 0, 0}, got[1]);
        assertArrayEquals(new double[] {1.0, 0, 1, 1}, got[2]);
    }

    /** Rows of all blocks in order, each as features followed by the label. */
    private static double[][] collectRows(JavaRDD<DenseBlock> blocks) {
        List<double[]> out = new ArrayList<>();
        for (DenseBlock b : blocks.collect()) {
            for (int r = 0; r < b.rows(); r++) {
                double[] row = Arrays.copyOfRange(b.features(), r * b.dim(), (r + 1) * b.dim() + 1);
                row[b.dim()] = b.labels()[r];
                out.add(row);
            }
        }
        return out.toArray(new double[0][]);
    }

    @Test
    void parquet_roundTrip_typedColumnsEncoded() {
        StructType schema = DataTypes.createStructType(List.of(
                DataTypes.createStructField("age", DataTypes.IntegerType, true),
                DataTypes.createStructField("gain", DataTypes.DoubleType, true),
                DataTypes.createStructField("kind", DataTypes.StringType, true),
                DataTypes.createStructField("label", DataTypes.BooleanType, true)));
        List<Row> rows = List.of(RowFactory.create(20, 0.0, "b", true), RowFactory.create(60, 99.0, "a", false),
                RowFactory.create(100, 9.0, null, true));
        String path = tmp.resolve("typed.parquet").toString();
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(path);
        Dataset<Row> raw = DataReader.read(spark, path, InputFormat.PARQUET);
        assertEquals(schema.fieldNames().length, raw.schema().fieldNames().length);
        assertEquals(rows, raw.collectAsList());
        FeatureSpec spec = new FeatureSpec("typed", List.of(NumericFeature.scale("age", 20, 60),
                NumericFeature.log1p("gain", 0, 99), new OneHotFeature("kind", List.of("a", "b"))),
                LabelSpec.numeric("label"));
        assertEquals(3, DatasetValidator.validate(raw, spec));
        double[][] got = collectRows(BlockPacker.pack(raw, spec));
        assertArrayEquals(new double[] {0, 0, 0, 1, 1}, got[0], 1e-15);
        assertArrayEquals(new double[] {1, 1, 1, 0, 0}, got[1], 1e-15);
        assertArrayEquals(new double[] {1, Math.log1p(9) / Math.log1p(99), 0, 0, 1}, got[2], 1e-15);
    }

    // ---------------------------------------------------------------- Arrow IPC files

    private static final String[] COLOURS = {"red", "green", "blue"};

    /** Expected value of every column for global row i (null where the writer set a null). */
    private static Object[] expectedArrowRow(int i) {
        return new Object[] {
            (byte) (i % 100 - 50), (short) (i * 7 - 300), i * 1000, (long) i * 10_000_000_000L,
            (short) (i % 256), i * 300 % 65536, 4_000_000_000L + i, i % 5 == 0 ? null : i * 0.5f,
            i == 3 ? null : i / 8.0, i % 2 == 0, "s" + i, "large-é-" + i, i % 4 == 3 ? null : COLOURS[i % 3]};
    }

    /**
     * Writes an Arrow IPC file with one column of each supported type, including a dictionary-encoded string
     * column (like a pandas categorical), in batches of the given sizes.
     */
    private static void writeArrowFile(Path file, int[] batchSizes, CompressionUtil.CodecType codec)
            throws IOException {
        try (BufferAllocator alloc = new RootAllocator(Long.MAX_VALUE);
             VarCharVector dictValues = new VarCharVector("colour-dict", alloc)) {
            dictValues.allocateNew();
            for (int k = 0; k < COLOURS.length; k++) {
                dictValues.setSafe(k, COLOURS[k].getBytes(StandardCharsets.UTF_8));
            }
            dictValues.setValueCount(COLOURS.length);
            DictionaryEncoding enc = new DictionaryEncoding(7L, false, new ArrowType.Int(8, true));
            Dictionary dict = new Dictionary(dictValues, enc);
            DictionaryProvider.MapDictionaryProvider provider = new DictionaryProvider.MapDictionaryProvider(dict);

            List<Field> fields = List.of(
                    Field.nullable("i8", new ArrowType.Int(8, true)),
                    Field.nullable("i16", new ArrowType.Int(16, true)),
                    Field.nullable("i32", new ArrowType.Int(32, true)),
                    Field.nullable("i64", new ArrowType.Int(64, true)),
                    Field.nullable("u8", new ArrowType.Int(8, false)),
                    Field.nullable("u16", new ArrowType.Int(16, false)),
                    Field.nullable("u32", new ArrowType.Int(32, false)),
                    Field.nullable("f32", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
                    Field.nullable("f64", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                    Field.nullable("flag", ArrowType.Bool.INSTANCE),
                    Field.nullable("s", ArrowType.Utf8.INSTANCE),
                    Field.nullable("ls", ArrowType.LargeUtf8.INSTANCE),
                    new Field("colour", new FieldType(true, new ArrowType.Int(8, true), enc), null));
            try (VectorSchemaRoot root = VectorSchemaRoot.create(new org.apache.arrow.vector.types.pojo.Schema(fields),
                    alloc);
                 FileOutputStream out = new FileOutputStream(file.toFile());
                 ArrowFileWriter writer = codec == CompressionUtil.CodecType.NO_COMPRESSION
                         ? new ArrowFileWriter(root, provider, out.getChannel())
                         : new ArrowFileWriter(root, provider, out.getChannel(), Map.of(), IpcOption.DEFAULT,
                                 CommonsCompressionFactory.INSTANCE, codec)) {
                writer.start();
                int base = 0;
                for (int size : batchSizes) {
                    root.allocateNew();
                    List<FieldVector> v = root.getFieldVectors();
                    for (int r = 0; r < size; r++) {
                        Object[] e = expectedArrowRow(base + r);
                        ((TinyIntVector) v.get(0)).setSafe(r, (Byte) e[0]);
                        ((SmallIntVector) v.get(1)).setSafe(r, (Short) e[1]);
                        ((IntVector) v.get(2)).setSafe(r, (Integer) e[2]);
                        ((BigIntVector) v.get(3)).setSafe(r, (Long) e[3]);
                        ((UInt1Vector) v.get(4)).setSafe(r, (Short) e[4]);
                        ((UInt2Vector) v.get(5)).setSafe(r, (Integer) e[5]);
                        ((UInt4Vector) v.get(6)).setSafe(r, (int) (long) (Long) e[6]);
                        if (e[7] == null) {
                            ((Float4Vector) v.get(7)).setNull(r);
                        } else {
                            ((Float4Vector) v.get(7)).setSafe(r, (Float) e[7]);
                        }
                        if (e[8] == null) {
                            ((Float8Vector) v.get(8)).setNull(r);
                        } else {
                            ((Float8Vector) v.get(8)).setSafe(r, (Double) e[8]);
                        }
                        ((BitVector) v.get(9)).setSafe(r, (Boolean) e[9] ? 1 : 0);
                        ((VarCharVector) v.get(10)).setSafe(r, ((String) e[10]).getBytes(StandardCharsets.UTF_8));
                        ((LargeVarCharVector) v.get(11)).setSafe(r,
                                ((String) e[11]).getBytes(StandardCharsets.UTF_8));
                        if (e[12] == null) {
                            ((TinyIntVector) v.get(12)).setNull(r);
                        } else {
                            ((TinyIntVector) v.get(12)).setSafe(r, Arrays.asList(COLOURS).indexOf((String) e[12]));
                        }
                    }
                    root.setRowCount(size);
                    writer.writeBatch();
                    base += size;
                }
                writer.end();
            }
        }
    }

    private static void assertArrowRows(Dataset<Row> df, int n) {
        List<Row> rows = df.collectAsList();
        assertEquals(n, rows.size());
        for (int i = 0; i < n; i++) {
            Object[] e = expectedArrowRow(i);
            Row r = rows.get(i);
            for (int c = 0; c < e.length; c++) {
                assertEquals(e[c], r.get(c), "row " + i + " column " + df.schema().fields()[c].name());
            }
        }
    }

    @Test
    void arrow_uncompressedSeveralBatches_allTypesAndDictionaryDecoded() throws IOException {
        Path file = tmp.resolve("plain.arrow");
        int[] batches = {5, 1, 7, 0, 4};
        writeArrowFile(file, batches, CompressionUtil.CodecType.NO_COMPRESSION);
        Dataset<Row> df = DataReader.read(spark, file.toString(), InputFormat.ARROW);
        StructType expected = DataTypes.createStructType(List.of(
                DataTypes.createStructField("i8", DataTypes.ByteType, true),
                DataTypes.createStructField("i16", DataTypes.ShortType, true),
                DataTypes.createStructField("i32", DataTypes.IntegerType, true),
                DataTypes.createStructField("i64", DataTypes.LongType, true),
                DataTypes.createStructField("u8", DataTypes.ShortType, true),
                DataTypes.createStructField("u16", DataTypes.IntegerType, true),
                DataTypes.createStructField("u32", DataTypes.LongType, true),
                DataTypes.createStructField("f32", DataTypes.FloatType, true),
                DataTypes.createStructField("f64", DataTypes.DoubleType, true),
                DataTypes.createStructField("flag", DataTypes.BooleanType, true),
                DataTypes.createStructField("s", DataTypes.StringType, true),
                DataTypes.createStructField("ls", DataTypes.StringType, true),
                DataTypes.createStructField("colour", DataTypes.StringType, true)));
        assertEquals(expected, df.schema());
        assertEquals(2, df.javaRDD().getNumPartitions(), "5 batches over defaultParallelism 2");
        assertArrowRows(df, 17);
    }

    @Test
    void arrow_lz4AndZstdCompressed_readBackIdentically() throws IOException {
        int[] batches = {200, 300, 100};
        Path plain = tmp.resolve("cmp-plain.arrow");
        writeArrowFile(plain, batches, CompressionUtil.CodecType.NO_COMPRESSION);
        for (CompressionUtil.CodecType codec : List.of(CompressionUtil.CodecType.LZ4_FRAME,
                CompressionUtil.CodecType.ZSTD)) {
            Path file = tmp.resolve("cmp-" + codec + ".feather");
            writeArrowFile(file, batches, codec);
            assertTrue(Files.size(file) < Files.size(plain), codec + " file should be smaller: buffers compressed");
            Dataset<Row> df = DataReader.read(spark, file.toString(), InputFormat.parse("feather"));
            assertArrowRows(df, 600);
        }
    }

    @Test
    void arrow_directoryOfFiles_readInNameOrderAndEncoded() throws IOException {
        Path dir = tmp.resolve("arrow-dir");
        Files.createDirectories(dir);
        writeArrowFile(dir.resolve("part-0.arrow"), new int[] {3, 3}, CompressionUtil.CodecType.LZ4_FRAME);
        writeArrowFile(dir.resolve("part-1.arrow"), new int[] {2}, CompressionUtil.CodecType.NO_COMPRESSION);
        Files.writeString(dir.resolve("_SUCCESS"), "");
        Dataset<Row> df = DataReader.read(spark, dir.toString(), InputFormat.ARROW);
        List<Row> rows = df.collectAsList();
        assertEquals(8, rows.size());
        assertEquals("s5", rows.get(5).getString(10));
        assertEquals("s1", rows.get(7).getString(10)); // second file restarts at row 1 of the generator

        FeatureSpec spec = new FeatureSpec("arrow", List.of(NumericFeature.scale("i32", 0, 5000),
                new OneHotFeature("colour", List.of("red", "green", "blue"))), LabelSpec.numeric("flag"));
        assertEquals(8, DatasetValidator.validate(df, spec));
        double[][] got = collectRows(BlockPacker.pack(df, spec));
        assertArrayEquals(new double[] {0.2, 0, 1, 0, 0}, got[1], 1e-15); // i32 1000, green, flag false
        assertArrayEquals(new double[] {0.6, 0, 0, 0, 0}, got[3], 1e-15); // colour null
    }

    @Test
    void arrow_unsupportedType_failsNamingColumnAndType() throws IOException {
        Path file = tmp.resolve("date.arrow");
        try (BufferAllocator alloc = new RootAllocator(Long.MAX_VALUE);
             VectorSchemaRoot root = VectorSchemaRoot.create(new org.apache.arrow.vector.types.pojo.Schema(List.of(
                     Field.nullable("x", new ArrowType.Int(32, true)),
                     Field.nullable("when", new ArrowType.Date(DateUnit.DAY)))), alloc);
             FileOutputStream out = new FileOutputStream(file.toFile());
             ArrowFileWriter writer = new ArrowFileWriter(root, null, out.getChannel())) {
            writer.start();
            root.allocateNew();
            ((IntVector) root.getVector(0)).setSafe(0, 1);
            ((DateDayVector) root.getVector(1)).setSafe(0, 19000);
            root.setRowCount(1);
            writer.writeBatch();
            writer.end();
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataReader.read(spark, file.toString(), InputFormat.ARROW));
        assertTrue(e.getMessage().contains("'when'") && e.getMessage().contains("Date"), e.getMessage());

        Path notArrow = tmp.resolve("not.arrow");
        Files.writeString(notArrow, "a,b\n1,2\n");
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> DataReader.read(spark, notArrow.toString(), InputFormat.ARROW));
        assertTrue(e2.getMessage().contains("not an Arrow IPC file"), e2.getMessage());
    }

    // ---------------------------------------------------------------- synthetic data

    @Test
    void synthetic_sameSeed_sameRowsAndLearnableSignal() {
        int d = 5;
        Dataset<Row> a = SyntheticData.logistic(spark, 4000, d, 42L, 3);
        assertEquals(SyntheticData.schema(d), a.schema());
        List<Row> ra = a.collectAsList();
        assertEquals(ra, SyntheticData.logistic(spark, 4000, d, 42L, 3).collectAsList());
        assertTrue(!ra.equals(SyntheticData.logistic(spark, 4000, d, 43L, 3).collectAsList()));
        assertEquals(4000, DatasetValidator.validate(a, SyntheticData.spec(d)));

        double[] w = SyntheticData.trueWeights(d);
        long bayesRight = 0;
        long positives = 0;
        for (Row r : ra) {
            double z = 0;
            for (int j = 0; j < d; j++) {
                double x = r.getDouble(j);
                assertTrue(x >= -1 && x <= 1);
                z += w[j] * x;
            }
            double y = r.getDouble(d);
            positives += (long) y;
            bayesRight += (z > 0) == (y == 1.0) ? 1 : 0;
        }
        // The data are fixed by the seed, so this cannot flake; the bounds hold for any seed except with tiny
        // probability. The Bayes classifier sign(w.x) is right with probability E[sigmoid(|z|)] = 0.900 for d = 5
        // (Monte Carlo); with n = 4000, Hoeffding bounds the chance of falling below 0.85 by
        // exp(-2 n 0.05^2) = 2e-9.
        double acc = (double) bayesRight / ra.size();
        assertTrue(acc > 0.85, "Bayes accuracy " + acc);
        // Balanced classes: E[label] = 1/2 by symmetry; 0.5 +- 0.05 is 6.3 standard errors (two-sided
        // false-failure probability 3e-10).
        assertEquals(0.5, (double) positives / ra.size(), 0.05);

        // A plain (non-private) logistic regression on the encoded features learns the signal.
        double[][] xy = collectRows(BlockPacker.pack(a, SyntheticData.spec(d)));
        double[] theta = new double[d + 1];
        for (int it = 0; it < 300; it++) {
            double[] g = new double[d + 1];
            for (double[] row : xy) {
                double z = theta[d];
                for (int j = 0; j < d; j++) {
                    z += theta[j] * row[j];
                }
                double err = 1 / (1 + Math.exp(-z)) - row[d];
                for (int j = 0; j < d; j++) {
                    g[j] += err * row[j];
                }
                g[d] += err;
            }
            for (int j = 0; j <= d; j++) {
                theta[j] -= 2.0 * g[j] / xy.length;
            }
        }
        long right = 0;
        for (double[] row : xy) {
            double z = theta[d];
            for (int j = 0; j < d; j++) {
                z += theta[j] * row[j];
            }
            right += (z > 0) == (row[d] == 1.0) ? 1 : 0;
        }
        assertTrue((double) right / xy.length >= 0.8, "trained accuracy " + (double) right / xy.length);
    }
}
