package org.dpspark.datasets;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Reads MNIST-style IDX files (LeCun, Cortes and Burges, "The MNIST database of handwritten digits", file format
 * section): an image file (IDX3: big-endian int32 magic 0x00000803 = unsigned bytes, 3 dimensions; then the
 * image count n, rows, columns; then n * rows * columns pixel bytes, row-major) and its label file (IDX1: magic
 * 0x00000801, count n, then n label bytes). Each file may be gzip-compressed (detected by the magic bytes 1f 8b,
 * whatever its name).
 *
 * <p>The path names the images file; the labels file is the file beside it with the standard name, i.e. the
 * name with "images-idx3-ubyte" replaced by "labels-idx1-ubyte" (train-images-idx3-ubyte.gz -&gt;
 * train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte -&gt; t10k-labels-idx1-ubyte), with or without ".gz".
 *
 * <p>The driver first streams through both files (any Hadoop file system) and checks magic numbers, counts and
 * sizes, so a bad input fails before any Spark job with a message naming the file and the problem. Then each
 * partition re-reads only its own range of images (skipping, in a gzip file, the decompressed bytes before it):
 * nothing is collected on the driver, and no large task payload is shipped. Output schema: {@value #FEATURES}
 * (an ml.linalg dense Vector of rows * columns pixel values in [0, 255], as doubles, in the file's row-major
 * order) and {@value #LABEL} (double, the label byte), in file order.
 */
public final class MnistReader {

    /** The vector column of pixels. */
    public static final String FEATURES = "features";
    /** The label column. */
    public static final String LABEL = "label";

    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;
    /** Largest image (rows * columns) accepted: 2^24 pixels. */
    static final int MAX_PIXELS = 1 << 24;

    private static final String IMAGES_TAG = "images-idx3-ubyte";
    private static final String LABELS_TAG = "labels-idx1-ubyte";

    private MnistReader() {
    }

    /** The header of a validated image file and its label file. */
    record Layout(String images, String labels, int count, int rows, int cols) implements java.io.Serializable {
        int pixels() {
            return rows * cols;
        }
    }

    /** The output schema: features (vector), label (double). */
    public static StructType schema() {
        return new StructType()
                .add(FEATURES, SQLDataTypes.VectorType(), false)
                .add(LABEL, DataTypes.DoubleType, false);
    }

    /** {@link #read(SparkSession, String, int)} with spark's default parallelism as the number of partitions. */
    public static Dataset<Row> read(SparkSession spark, String imagesPath) {
        return read(spark, imagesPath, spark.sparkContext().defaultParallelism());
    }

    /**
     * Validates the images file and its label file, then reads them into {@code partitions} partitions.
     *
     * @throws IllegalArgumentException when a file is missing, is not IDX of the expected kind, is truncated or
     *                                  has trailing bytes, or the counts differ (the message names the file)
     */
    public static Dataset<Row> read(SparkSession spark, String imagesPath, int partitions) {
        return read(spark, imagesPath, partitions, null);
    }

    /**
     * {@link #read(SparkSession, String, int)} with a third column {@value FederatedSplit#USER} (int, not null):
     * the user {@code split} assigns to each image by its index in file order (McMahan et al. 2017's federated
     * MNIST; build the split with {@link FederatedSplit#iid} or, from {@link #readLabels}, with
     * {@link FederatedSplit#pathological}). Use it with {@code FeatureSpec.mnist().withUserColumn("user")}.
     *
     * @param split null for no user column
     * @throws IllegalArgumentException as {@link #read(SparkSession, String, int)}, or when the split covers another
     *                                  number of rows than the file holds
     */
    public static Dataset<Row> read(SparkSession spark, String imagesPath, int partitions, FederatedSplit split) {
        if (!(partitions >= 1)) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Layout layout = validate(conf, imagesPath);
        if (split != null && split.rows() != layout.count()) {
            throw new IllegalArgumentException("MNIST input '" + imagesPath + "': the federated split "
                    + split.describe() + " covers " + split.rows() + " rows but the file holds " + layout.count()
                    + " images");
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int slices = Math.max(1, Math.min(partitions, layout.count()));
        List<Integer> ids = new ArrayList<>(slices);
        for (int i = 0; i < slices; i++) {
            ids.add(i);
        }
        HadoopConf hc = new HadoopConf(conf);
        JavaRDD<Row> rows = jsc.parallelize(ids, slices).mapPartitions(it -> {
            if (!it.hasNext()) {
                return java.util.Collections.emptyIterator();
            }
            int slice = it.next();
            int from = (int) ((long) layout.count() * slice / slices);
            int to = (int) ((long) layout.count() * (slice + 1) / slices);
            RangeRows r = new RangeRows(hc.get(), layout, from, to);
            TaskContext ctx = TaskContext.get();
            if (ctx != null) {
                ctx.addTaskCompletionListener((TaskCompletionListener) c -> r.close());
            }
            if (split == null) {
                return r;
            }
            return new Iterator<Row>() {
                private int index = from;

                @Override
                public boolean hasNext() {
                    return r.hasNext();
                }

                @Override
                public Row next() {
                    Row row = r.next();
                    return RowFactory.create(row.get(0), row.get(1), split.userOf(index++));
                }
            };
        });
        return spark.createDataFrame(rows, split == null ? schema() : schemaWithUser());
    }

    /** The output schema with a federated split: features (vector), label (double), user (int). */
    public static StructType schemaWithUser() {
        return schema().add(FederatedSplit.USER, DataTypes.IntegerType, false);
    }

    /**
     * The labels of the images file's label file, in file order, after validating both files (on the driver; for
     * the public MNIST labels that define {@link FederatedSplit#pathological}).
     */
    public static int[] readLabels(Configuration conf, String imagesPath) {
        Layout layout = validate(conf, imagesPath);
        int[] labels = new int[layout.count()];
        try (DataInputStream in = open(conf, layout.labels())) {
            in.skipNBytes(8);
            for (int i = 0; i < labels.length; i++) {
                labels[i] = in.readUnsignedByte();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read MNIST labels file '" + layout.labels() + "'", e);
        }
        return labels;
    }

    /**
     * The labels file beside {@code imagesPath} under its standard name: "images-idx3-ubyte" replaced by
     * "labels-idx1-ubyte" in the file name, keeping a ".gz" suffix if that file exists, else trying the name with
     * ".gz" added or removed.
     *
     * @throws IllegalArgumentException when the name has no "images-idx3-ubyte" or no labels file exists
     */
    public static String labelsPathFor(Configuration conf, String imagesPath) {
        if (imagesPath == null || imagesPath.isBlank()) {
            throw new IllegalArgumentException("MNIST images path must be non-blank, got '" + imagesPath + "'");
        }
        Path images = new Path(imagesPath.strip());
        String name = images.getName();
        int at = name.lastIndexOf(IMAGES_TAG);
        if (at < 0) {
            throw new IllegalArgumentException("MNIST input '" + imagesPath + "': the file name must contain '"
                    + IMAGES_TAG + "' (e.g. train-images-idx3-ubyte.gz) so that the labels file can be found"
                    + " beside it");
        }
        String labelName = name.substring(0, at) + LABELS_TAG + name.substring(at + IMAGES_TAG.length());
        String alternative = labelName.endsWith(".gz")
                ? labelName.substring(0, labelName.length() - 3) : labelName + ".gz";
        try {
            FileSystem fs = images.getFileSystem(conf);
            for (String candidate : new String[] {labelName, alternative}) {
                Path p = new Path(images.getParent(), candidate);
                if (fs.exists(p) && fs.getFileStatus(p).isFile()) {
                    return p.toString();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot look for the MNIST labels file beside " + imagesPath, e);
        }
        throw new IllegalArgumentException("MNIST input '" + imagesPath + "': labels file not found; expected "
                + new Path(images.getParent(), labelName) + " (or " + alternative + ")");
    }

    /** Checks both files completely (one streaming pass each) and returns their layout. */
    static Layout validate(Configuration conf, String imagesPath) {
        Path images = new Path(imagesPath.strip());
        try {
            FileSystem fs = images.getFileSystem(conf);
            if (!fs.exists(images)) {
                throw new IllegalArgumentException("MNIST images file does not exist: " + imagesPath);
            }
            FileStatus st = fs.getFileStatus(images);
            if (!st.isFile()) {
                throw new IllegalArgumentException("MNIST images path is not a file: " + imagesPath);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open MNIST images file " + imagesPath, e);
        }
        String labels = labelsPathFor(conf, imagesPath);
        int count;
        int rows;
        int cols;
        String what = "MNIST images file '" + imagesPath + "'";
        try (DataInputStream in = open(conf, images.toString())) {
            int magic = readHeaderInt(in, what, "magic number");
            if (magic != IMAGES_MAGIC) {
                throw new IllegalArgumentException(what + ": bad magic number 0x" + hex(magic) + ", expected 0x"
                        + hex(IMAGES_MAGIC) + " (IDX, unsigned bytes, 3 dimensions)");
            }
            count = readHeaderInt(in, what, "image count");
            rows = readHeaderInt(in, what, "row count");
            cols = readHeaderInt(in, what, "column count");
            if (count < 0 || rows < 1 || cols < 1 || (long) rows * cols > MAX_PIXELS) {
                throw new IllegalArgumentException(what + ": invalid header: " + count + " images of " + rows + "x"
                        + cols + " (need count >= 0, rows and columns >= 1, at most " + MAX_PIXELS + " pixels)");
            }
            checkBody(in, (long) count * rows * cols, what, count + " images of " + rows + "x" + cols);
        } catch (ZipException | EOFException e) {
            throw new IllegalArgumentException(what + ": corrupt or truncated gzip data (" + e.getMessage() + ")",
                    e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + what, e);
        }
        String lwhat = "MNIST labels file '" + labels + "'";
        try (DataInputStream in = open(conf, labels)) {
            int magic = readHeaderInt(in, lwhat, "magic number");
            if (magic != LABELS_MAGIC) {
                throw new IllegalArgumentException(lwhat + ": bad magic number 0x" + hex(magic) + ", expected 0x"
                        + hex(LABELS_MAGIC) + " (IDX, unsigned bytes, 1 dimension)");
            }
            int n = readHeaderInt(in, lwhat, "label count");
            if (n != count) {
                throw new IllegalArgumentException(lwhat + ": holds " + n + " labels but the images file holds "
                        + count + " images");
            }
            checkBody(in, n, lwhat, n + " labels");
        } catch (ZipException | EOFException e) {
            throw new IllegalArgumentException(lwhat + ": corrupt or truncated gzip data (" + e.getMessage() + ")",
                    e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + lwhat, e);
        }
        return new Layout(images.toString(), labels, count, rows, cols);
    }

    /** A stream over the file's bytes, decompressed when they start with the gzip magic 1f 8b. */
    static DataInputStream open(Configuration conf, String path) throws IOException {
        Path p = new Path(path);
        InputStream raw = p.getFileSystem(conf).open(p);
        BufferedInputStream buf = new BufferedInputStream(raw, 1 << 16);
        buf.mark(2);
        int b0 = buf.read();
        int b1 = buf.read();
        buf.reset();
        InputStream in = (b0 == 0x1f && b1 == 0x8b) ? new BufferedInputStream(new GZIPInputStream(buf, 1 << 16),
                1 << 16) : buf;
        return new DataInputStream(in);
    }

    private static int readHeaderInt(DataInputStream in, String what, String field) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new IllegalArgumentException(what + ": truncated header (no " + field + ")", e);
        }
    }

    /** Reads exactly {@code expected} bytes and checks that nothing follows them. */
    private static void checkBody(InputStream in, long expected, String what, String declared) throws IOException {
        byte[] buf = new byte[1 << 16];
        long read = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            read += n;
            if (read > expected) {
                throw new IllegalArgumentException(what + ": has bytes after the declared " + declared
                        + " (expected " + expected + " bytes of data after the header)");
            }
        }
        if (read < expected) {
            throw new IllegalArgumentException(what + ": truncated: the header declares " + declared + " ("
                    + expected + " bytes of data) but only " + read + " bytes follow it");
        }
    }

    private static String hex(int v) {
        return String.format("%08x", v);
    }

    /** Rows [from, to) of a validated pair of files, read lazily. */
    static final class RangeRows implements Iterator<Row>, AutoCloseable {
        private final DataInputStream images;
        private final DataInputStream labels;
        private final int pixels;
        private final byte[] buf;
        private int remaining;

        RangeRows(Configuration conf, Layout layout, int from, int to) throws IOException {
            this.pixels = layout.pixels();
            this.buf = new byte[pixels];
            this.remaining = to - from;
            DataInputStream im = open(conf, layout.images());
            DataInputStream lb;
            try {
                im.skipNBytes(16 + (long) from * pixels);
                lb = open(conf, layout.labels());
            } catch (IOException | RuntimeException e) {
                im.close();
                throw e;
            }
            try {
                lb.skipNBytes(8 + (long) from);
            } catch (IOException | RuntimeException e) {
                im.close();
                lb.close();
                throw e;
            }
            this.images = im;
            this.labels = lb;
        }

        @Override
        public boolean hasNext() {
            return remaining > 0;
        }

        @Override
        public Row next() {
            if (remaining <= 0) {
                throw new NoSuchElementException();
            }
            try {
                images.readFully(buf);
                int label = labels.readUnsignedByte();
                double[] x = new double[pixels];
                for (int i = 0; i < pixels; i++) {
                    x[i] = buf[i] & 0xff;
                }
                if (--remaining == 0) {
                    close();
                }
                return RowFactory.create(Vectors.dense(x), (double) label);
            } catch (IOException e) {
                throw new UncheckedIOException("MNIST file changed or became unreadable after validation", e);
            }
        }

        @Override
        public void close() {
            try {
                images.close();
            } catch (IOException ignored) {
                // closing a read-only stream
            }
            try {
                labels.close();
            } catch (IOException ignored) {
                // closing a read-only stream
            }
        }
    }
}
