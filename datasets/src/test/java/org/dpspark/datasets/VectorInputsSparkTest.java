package org.dpspark.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.spec.LabelSpec;
import org.dpspark.datasets.spec.NumericFeature;
import org.dpspark.datasets.spec.VectorFeature;
import org.dpspark.datasets.validate.DatasetValidationException;
import org.dpspark.datasets.validate.DatasetValidator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MNIST IDX files, LibSVM input and vector feature specs on a local Spark session (one per class). */
class VectorInputsSparkTest {

    private static final Path MNIST = Path.of(System.getProperty("dpspark.shared.dir", "../../shared"), "datasets",
            "mnist");

    private static SparkSession spark;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().appName("VectorInputsSparkTest").master("local[2]")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    // ---- MNIST ----

    private static Path mnistDir() {
        Path dir = MNIST.toAbsolutePath().normalize();
        assumeTrue(Files.isRegularFile(dir.resolve("train-images-idx3-ubyte.gz")),
                "MNIST not found under " + dir + " (set -Ddpspark.shared.dir); skipping");
        return dir;
    }

    private static long[] labelCounts(Dataset<Row> df) {
        long[] counts = new long[10];
        for (Row r : df.groupBy("label").count().collectAsList()) {
            counts[(int) r.getDouble(0)] = r.getLong(1);
        }
        return counts;
    }

    /**
     * Reference values (counts per digit, first labels, pixels of the first image) were read from the files by an
     * independent implementation (Python's gzip and struct modules); the counts are also those published for
     * MNIST.
     */
    @Test
    void mnist_trainAndTest_countsLabelsAndPixelsMatchReference() {
        Path dir = mnistDir();
        Dataset<Row> train = DataReader.read(spark, dir.resolve("train-images-idx3-ubyte.gz").toString(),
                InputFormat.MNIST);
        assertEquals(MnistReader.schema(), train.schema());
        assertEquals(60000, train.count());
        assertArrayEquals(new long[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, labelCounts(train));
        List<Row> first = train.limit(5).collectAsList();
        double[] labels = first.stream().mapToDouble(r -> r.getDouble(1)).toArray();
        assertArrayEquals(new double[] {5, 0, 4, 1, 9}, labels);
        double[] px = ((Vector) first.get(0).get(0)).toArray();
        assertEquals(784, px.length);
        assertArrayEquals(new double[] {0, 3, 18, 18, 18, 126, 136, 175, 26}, Arrays.copyOfRange(px, 151, 160));
        assertEquals(27525.0, Arrays.stream(px).sum());

        Dataset<Row> test = MnistReader.read(spark, dir.resolve("t10k-images-idx3-ubyte.gz").toString(), 3);
        assertEquals(3, test.javaRDD().getNumPartitions());
        assertArrayEquals(new long[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, labelCounts(test));
        Row last = test.collectAsList().get(9999);
        assertEquals(6.0, last.getDouble(1));
        assertEquals(41833.0, Arrays.stream(((Vector) last.get(0)).toArray()).sum());

        // the built-in spec validates and packs it: 10000 rows of 784 values in [0, 1], labels 0..9
        FeatureSpec spec = FeatureSpec.resolve("mnist", null);
        assertEquals(10000, DatasetValidator.validate(test, spec));
        List<DenseBlock> blocks = BlockPacker.pack(test, spec).collect();
        assertEquals(10000, blocks.stream().mapToInt(DenseBlock::rows).sum());
        DenseBlock b0 = blocks.get(0);
        assertEquals(784, b0.dim());
        assertEquals(7.0, b0.labels()[0]);
        double[] firstTest = Arrays.copyOfRange(b0.features(), 0, 784);
        assertEquals(84 / 255.0, firstTest[202], 1e-15);
        assertEquals(18454 / 255.0, Arrays.stream(firstTest).sum(), 1e-9);
    }

    private static byte[] idxImages(int magic, int count, int rows, int cols, int pixelBytes) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(count);
        out.writeInt(rows);
        out.writeInt(cols);
        for (int i = 0; i < pixelBytes; i++) {
            out.writeByte((i * 37) & 0xff);
        }
        return bytes.toByteArray();
    }

    private static byte[] idxLabels(int magic, int count, int labelBytes) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(count);
        for (int i = 0; i < labelBytes; i++) {
            out.writeByte(i % 10);
        }
        return bytes.toByteArray();
    }

    private static void write(Path p, byte[] data, boolean gzip) throws IOException {
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(p)) : Files.newOutputStream(p)) {
            out.write(data);
        }
    }

    /** A pair of IDX files in a fresh directory; returns the images path. */
    private static Path pair(String dirName, String prefix, boolean gzImages, boolean gzLabels, byte[] images,
            byte[] labels) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(dirName));
        Path im = dir.resolve(prefix + "-images-idx3-ubyte" + (gzImages ? ".gz" : ""));
        write(im, images, gzImages);
        if (labels != null) {
            write(dir.resolve(prefix + "-labels-idx1-ubyte" + (gzLabels ? ".gz" : "")), labels, gzLabels);
        }
        return im;
    }

    @Test
    void mnist_smallRawAndGzipFiles_readInOrderWithLabelsFoundBeside() throws IOException {
        int n = 7;
        for (boolean[] gz : new boolean[][] {{false, false}, {true, true}, {true, false}, {false, true}}) {
            Path im = pair("ok-" + gz[0] + gz[1], "train", gz[0], gz[1], idxImages(0x803, n, 2, 3, n * 6),
                    idxLabels(0x801, n, n));
            for (int parts : new int[] {1, 3, 20}) {
                List<Row> rows = MnistReader.read(spark, im.toString(), parts).collectAsList();
                assertEquals(n, rows.size());
                for (int i = 0; i < n; i++) {
                    double[] expected = new double[6];
                    for (int k = 0; k < 6; k++) {
                        expected[k] = ((i * 6 + k) * 37) & 0xff;
                    }
                    assertArrayEquals(expected, ((Vector) rows.get(i).get(0)).toArray(), "image " + i);
                    assertEquals(i % 10, rows.get(i).getDouble(1));
                }
            }
        }
    }

    @Test
    void mnist_federatedSplit_addsTheUserOfEachImageInFileOrder() throws IOException {
        int n = 40;
        Path im = pair("federated", "train", true, false, idxImages(0x803, n, 2, 3, n * 6), idxLabels(0x801, n, n));
        int[] labels = MnistReader.readLabels(new org.apache.hadoop.conf.Configuration(), im.toString());
        for (int i = 0; i < n; i++) {
            assertEquals(i % 10, labels[i]);
        }
        FederatedSplit split = FederatedSplit.pathological(labels, 10, 2, 3);
        List<Row> rows = MnistReader.read(spark, im.toString(), 3, split).collectAsList();
        assertEquals(List.of("features", "label", "user"), Arrays.asList(rows.get(0).schema().fieldNames()));
        java.util.Map<Integer, java.util.Set<Double>> digits = new java.util.HashMap<>();
        for (int i = 0; i < n; i++) {
            assertEquals(split.userOf(i), rows.get(i).getInt(2), "image " + i);
            assertEquals(i % 10, rows.get(i).getDouble(1));
            digits.computeIfAbsent(rows.get(i).getInt(2), u -> new java.util.HashSet<>())
                    .add(rows.get(i).getDouble(1));
        }
        assertTrue(digits.values().stream().allMatch(d -> d.size() <= 2), digits.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MnistReader.read(spark, im.toString(), 3, FederatedSplit.iid(50, 10, 0)));
        assertTrue(e.getMessage().contains("covers 50 rows") && e.getMessage().contains("40 images"),
                e.getMessage());
    }

    private static String readError(Path images) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MnistReader.read(spark, images.toString(), 2));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void mnist_corruptFiles_rejectedBeforeAnyJobNamingFileAndProblem() throws IOException {
        byte[] labels = idxLabels(0x801, 4, 4);
        String m = readError(pair("badmagic", "t10k", true, true, idxImages(0x801, 4, 2, 2, 16), labels));
        assertTrue(m.contains("t10k-images-idx3-ubyte.gz") && m.contains("bad magic number 0x00000801"), m);
        m = readError(pair("badlabelmagic", "t10k", false, false, idxImages(0x803, 4, 2, 2, 16),
                idxLabels(0x803, 4, 4)));
        assertTrue(m.contains("labels file") && m.contains("bad magic number"), m);
        m = readError(pair("truncated", "t10k", false, false, idxImages(0x803, 4, 2, 2, 13), labels));
        assertTrue(m.contains("truncated") && m.contains("4 images of 2x2") && m.contains("only 13 bytes"), m);
        m = readError(pair("truncatedgz", "t10k", true, false, idxImages(0x803, 4, 2, 2, 10), labels));
        assertTrue(m.contains("truncated"), m);
        m = readError(pair("trailing", "t10k", false, false, idxImages(0x803, 4, 2, 2, 17), labels));
        assertTrue(m.contains("bytes after"), m);
        m = readError(pair("shortheader", "t10k", false, false, new byte[] {0, 0, 8, 3, 0, 0}, labels));
        assertTrue(m.contains("truncated header"), m);
        m = readError(pair("countmismatch", "t10k", false, false, idxImages(0x803, 4, 2, 2, 16),
                idxLabels(0x801, 5, 5)));
        assertTrue(m.contains("5 labels") && m.contains("4 images"), m);
        m = readError(pair("nolabels", "t10k", false, false, idxImages(0x803, 4, 2, 2, 16), null));
        assertTrue(m.contains("labels file not found") && m.contains("t10k-labels-idx1-ubyte"), m);
        m = readError(pair("negative", "t10k", false, false, idxImages(0x803, -1, 2, 2, 0), labels));
        assertTrue(m.contains("invalid header"), m);

        Path odd = Files.writeString(tmp.resolve("digits.bin"), "x");
        m = readError(odd);
        assertTrue(m.contains("images-idx3-ubyte"), m);
        m = readError(tmp.resolve("missing-images-idx3-ubyte.gz"));
        assertTrue(m.contains("does not exist"), m);

        // a gzip stream cut in the middle
        Path good = pair("cutgz", "train", true, false, idxImages(0x803, 50, 28, 28, 50 * 784), idxLabels(0x801, 50,
                50));
        byte[] gz = Files.readAllBytes(good);
        Files.write(good, Arrays.copyOf(gz, gz.length / 2));
        m = readError(good);
        assertTrue(m.contains("gzip") || m.contains("truncated"), m);
    }

    @Test
    void mnist_fingerprint_coversTheLabelsFile() throws IOException {
        Path im = pair("fp", "train", false, false, idxImages(0x803, 3, 2, 2, 12), idxLabels(0x801, 3, 3));
        Configuration conf = new Configuration();
        String before = InputFingerprint.of(conf, im.toString(), InputFormat.MNIST);
        assertEquals(before, InputFingerprint.of(conf, im.toString(), InputFormat.MNIST));
        byte[] labels = idxLabels(0x801, 3, 3);
        labels[8] = 9;
        write(im.resolveSibling("train-labels-idx1-ubyte"), labels, false);
        assertNotEquals(before, InputFingerprint.of(conf, im.toString(), InputFormat.MNIST));
    }

    // ---- LibSVM ----

    @Test
    void libsvm_roundTrip_declaredSizeValidatedAndPacked() throws IOException {
        Path file = tmp.resolve("small.libsvm");
        Files.writeString(file, "2 1:5 3:10\n0 2:2.5\n1 1:20 4:-1\n", StandardCharsets.UTF_8);
        FeatureSpec spec = new FeatureSpec("svm", List.of(VectorFeature.scale("features", 4, 0, 10)),
                LabelSpec.multiclass("label", 3));
        Dataset<Row> declared = DataReader.readLibsvm(spark, file.toString(), 4);
        Dataset<Row> inferred = DataReader.read(spark, file.toString(), InputFormat.LIBSVM);
        for (Dataset<Row> df : List.of(declared, inferred)) {
            assertEquals(3, DatasetValidator.validate(df, spec));
            List<DenseBlock> blocks = BlockPacker.pack(df.coalesce(1), spec).collect();
            DenseBlock b = blocks.get(0);
            assertArrayEquals(new double[] {2, 0, 1}, b.labels());
            // index i in the file is element i - 1; values clipped to [0, 10], scaled by 1/10
            assertArrayEquals(new double[] {0.5, 0, 1, 0, 0, 0.25, 0, 0, 1, 0, 0, 0}, b.features(), 1e-15);
        }
        // a spec of another size: every row is reported as a vector of the wrong size
        FeatureSpec wide = new FeatureSpec("svm", List.of(VectorFeature.scale("features", 5, 0, 10)),
                LabelSpec.multiclass("label", 3));
        DatasetValidationException e = assertThrows(DatasetValidationException.class,
                () -> DatasetValidator.validate(declared, wide));
        assertTrue(e.getMessage().contains("column 'features': 3 vectors of the wrong size (expected 5) (first at row 1)"),
                e.getMessage());
        // labels outside [0, 2]
        FeatureSpec binary = new FeatureSpec("svm", List.of(VectorFeature.scale("features", 4, 0, 10)),
                LabelSpec.numeric("label"));
        e = assertThrows(DatasetValidationException.class, () -> DatasetValidator.validate(declared, binary));
        assertTrue(e.getMessage().contains("column 'label': 1 labels outside {0, 1} (first at row 1)"), e.getMessage());
    }

    // ---- vector features and labels through validation and packing ----

    @Test
    void vectorColumns_badValues_reportedByColumnWithFirstRow_andGoodRowsPacked() {
        StructType schema = new StructType()
                .add("v", SQLDataTypes.VectorType(), true)
                .add("a", DataTypes.createArrayType(DataTypes.DoubleType, true), true)
                .add("y", DataTypes.DoubleType, true);
        FeatureSpec spec = new FeatureSpec("vec", List.of(VectorFeature.scale("v", 3, -1, 1),
                VectorFeature.scale("a", 2, 0, 4)), LabelSpec.multiclass("y", 4));
        List<Row> good = List.of(
                RowFactory.create(Vectors.dense(0.0, 2.0, -0.5), Arrays.asList(1.0, 8.0), 3.0),
                RowFactory.create(Vectors.sparse(3, new int[] {1}, new double[] {-5.0}), Arrays.asList(0.0, 2.0), 0.0));
        Dataset<Row> ok = spark.createDataFrame(good, schema).coalesce(1);
        assertEquals(2, DatasetValidator.validate(ok, spec));
        DenseBlock b = BlockPacker.pack(ok, spec).collect().get(0);
        // v scaled from [-1, 1]: (x + 1) / 2, clipped; sparse zeros encode to 0.5; a scaled from [0, 4]
        assertArrayEquals(new double[] {0.5, 1.0, 0.25, 0.25, 1.0, 0.5, 0.0, 0.5, 0.0, 0.5}, b.features(), 1e-15);
        assertArrayEquals(new double[] {3, 0}, b.labels());

        List<Row> bad = List.of(
                good.get(0),
                RowFactory.create(Vectors.dense(0.0, 1.0), Arrays.asList(1.0, 2.0), 1.0),            // row 2: size
                RowFactory.create(Vectors.dense(0.0, Double.NaN, 1.0), Arrays.asList(1.0, null), 1.0), // row 3
                RowFactory.create(null, Arrays.asList(1.0, Double.POSITIVE_INFINITY), 2.5),           // row 4
                RowFactory.create(Vectors.dense(0.0, 0.0, 0.0), Arrays.asList(1.0, 2.0, 3.0), 4.0));  // row 5
        DatasetValidationException e = assertThrows(DatasetValidationException.class,
                () -> DatasetValidator.validate(spark.createDataFrame(bad, schema).coalesce(1), spec));
        String msg = e.getMessage();
        for (String clause : new String[] {
            "column 'v': 1 vectors of the wrong size (expected 3) (first at row 2)",
            "column 'v': 1 NaN elements (first at row 3)",
            "column 'v': 1 missing vectors or missing elements (first at row 4)",
            "column 'a': 1 missing vectors or missing elements (first at row 3)",
            "column 'a': 1 infinite elements (first at row 4)",
            "column 'a': 1 vectors of the wrong size (expected 2) (first at row 5)",
            "column 'y': 2 labels that are not a class index (an integer in [0, 4)) (first at row 4)"}) {
            assertTrue(msg.contains(clause), "missing '" + clause + "' in: " + msg);
        }
        assertFalse(msg.contains("NaN,") || msg.contains("Infinity"), msg);
    }

    @Test
    void regressionLabels_clippedNotRejected_nanAndTextRejected() {
        StructType schema = new StructType().add("x", DataTypes.DoubleType).add("y", DataTypes.StringType);
        FeatureSpec spec = new FeatureSpec("reg", List.of(NumericFeature.scale("x", 0, 1)),
                LabelSpec.regression("y", -1.0, 2.0));
        List<Row> rows = List.of(RowFactory.create(0.5, "1.5"), RowFactory.create(0.5, "7"),
                RowFactory.create(0.5, "-Infinity"), RowFactory.create(0.5, "-0.25"));
        Dataset<Row> ok = spark.createDataFrame(rows, schema).coalesce(1);
        assertEquals(4, DatasetValidator.validate(ok, spec));
        JavaRDD<DenseBlock> blocks = BlockPacker.pack(ok, spec);
        assertArrayEquals(new double[] {1.5, 2.0, -1.0, -0.25}, blocks.collect().get(0).labels());

        List<Row> bad = List.of(RowFactory.create(0.5, "1"), RowFactory.create(0.5, "NaN"),
                RowFactory.create(0.5, "abc"), RowFactory.create(0.5, " "));
        DatasetValidationException e = assertThrows(DatasetValidationException.class,
                () -> DatasetValidator.validate(spark.createDataFrame(bad, schema).coalesce(1), spec));
        assertTrue(e.getMessage().contains("column 'y': 1 NaN labels (first at row 2)"), e.getMessage());
        assertTrue(e.getMessage().contains("column 'y': 1 non-numeric labels (first at row 3)"), e.getMessage());
        assertTrue(e.getMessage().contains("column 'y': 1 missing or empty labels (first at row 4)"), e.getMessage());
    }

    @Test
    void vectorFeature_unsupportedColumnType_reportedBeforeAnyJob() {
        StructType schema = new StructType().add("v", DataTypes.StringType).add("y", DataTypes.DoubleType);
        FeatureSpec spec = new FeatureSpec("vec", List.of(VectorFeature.scale("v", 3, 0, 1)),
                LabelSpec.multiclass("y", 3));
        Dataset<Row> df = spark.createDataFrame(List.of(RowFactory.create("1,2,3", 0.0)), schema);
        DatasetValidationException e = assertThrows(DatasetValidationException.class,
                () -> DatasetValidator.validate(df, spec));
        assertTrue(e.getMessage().contains("column 'v': unsupported type string for a vector feature"),
                e.getMessage());
    }
}
