package org.dpspark.datasets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.IntFunction;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.flatbuf.Footer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
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
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.ArrowFooter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Reads Arrow IPC files (Feather v2) in parallel without collecting them on the driver.
 *
 * <p>File layout (Arrow columnar format spec, "IPC File Format"): {@code "ARROW1" pad, stream messages, footer
 * flatbuffer, int32 footer length (little-endian), "ARROW1"}. The driver reads only the last 10 bytes and the
 * footer of each file (schema and the list of record-batch blocks); the batch indices are then parallelized and
 * each task opens its file through the Hadoop FileSystem, reads the dictionaries and its record batches with
 * {@link ArrowFileReader} (LZ4_FRAME / ZSTD buffers decompressed by {@link CommonsCompressionFactory}) and converts
 * them to Spark rows, one batch in memory at a time.
 *
 * <p>Partitions: {@code min(#batches, max(defaultParallelism, ceil(totalBytes / spark.sql.files.maxPartitionBytes)))},
 * each a contiguous range of batches, so row order is file order, then batch order.
 */
final class ArrowSource {

    private static final byte[] MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);

    private ArrowSource() {
    }

    static Dataset<Row> read(SparkSession spark, String path) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        List<DataFiles.DataFile> files = DataFiles.list(conf, path);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no Arrow files under " + path);
        }
        Schema schema = null;
        String firstFile = null;
        List<Integer> fileOfBatch = new ArrayList<>();
        List<Integer> blockOfBatch = new ArrayList<>();
        long totalBytes = 0;
        String[] paths = new String[files.size()];
        long[] lengths = new long[files.size()];
        for (int f = 0; f < files.size(); f++) {
            DataFiles.DataFile file = files.get(f);
            ArrowFooter footer = readFooter(conf, file.path(), file.length());
            if (schema == null) {
                schema = footer.getSchema();
                firstFile = file.relativeName();
            } else if (!schema.equals(footer.getSchema())) {
                throw new IllegalArgumentException("Arrow file '" + file.relativeName()
                        + "' has a different schema from '" + firstFile + "'");
            }
            for (int b = 0; b < footer.getRecordBatches().size(); b++) {
                fileOfBatch.add(f);
                blockOfBatch.add(b);
            }
            paths[f] = file.path().toString();
            lengths[f] = file.length();
            totalBytes += file.length();
        }
        StructType sparkSchema;
        try {
            sparkSchema = sparkSchema(schema);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Arrow file '" + firstFile + "': " + e.getMessage(), e);
        }
        int batches = fileOfBatch.size();
        if (batches == 0) {
            return spark.createDataFrame(List.<Row>of(), sparkSchema);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        long maxBytes = byteString(spark.conf().get("spark.sql.files.maxPartitionBytes", "128m"), 128L << 20);
        long bySize = (totalBytes + maxBytes - 1) / Math.max(1, maxBytes);
        int slices = (int) Math.min(batches, Math.max(jsc.defaultParallelism(), bySize));
        List<int[]> tasks = new ArrayList<>(batches);
        for (int i = 0; i < batches; i++) {
            tasks.add(new int[] {fileOfBatch.get(i), blockOfBatch.get(i)});
        }
        HadoopConf hc = new HadoopConf(conf);
        int columns = sparkSchema.size();
        JavaRDD<Row> rows = jsc.parallelize(tasks, slices).mapPartitions(it -> {
            List<int[]> mine = new ArrayList<>();
            it.forEachRemaining(mine::add);
            BatchRows iter = new BatchRows(hc.get(), paths, lengths, mine, columns);
            TaskContext ctx = TaskContext.get();
            if (ctx != null) {
                ctx.addTaskCompletionListener((TaskCompletionListener) c -> iter.close());
            }
            return iter;
        });
        return spark.createDataFrame(rows, sparkSchema);
    }

    /** Parses a Spark byte size ("134217728", "128m", "1g", "64kb", "1024b"); {@code fallback} if unparseable. */
    static long byteString(String s, long fallback) {
        if (s == null) {
            return fallback;
        }
        String t = s.strip().toLowerCase(java.util.Locale.ROOT);
        long unit = 1;
        String[][] suffixes = {{"kb", "k"}, {"mb", "m"}, {"gb", "g"}, {"tb", "t"}};
        for (int i = 0; i < suffixes.length; i++) {
            for (String suf : suffixes[i]) {
                if (t.endsWith(suf)) {
                    unit = 1L << (10 * (i + 1));
                    t = t.substring(0, t.length() - suf.length());
                    break;
                }
            }
            if (unit != 1) {
                break;
            }
        }
        if (unit == 1 && t.endsWith("b")) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            long v = Long.parseLong(t.strip());
            return v > 0 ? v * unit : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** Reads and parses the footer of one Arrow IPC file (a few reads at the end of the file). */
    static ArrowFooter readFooter(Configuration conf, Path path, long length) {
        try {
            FileSystem fs = path.getFileSystem(conf);
            try (FSDataInputStream in = fs.open(path)) {
                byte[] head = new byte[(int) Math.min(length, 8)];
                in.readFully(0, head);
                if (!startsWithMagic(head)) {
                    String hint = head.length >= 4 && new String(head, 0, 4, StandardCharsets.US_ASCII)
                            .equals("FEA1") ? " (Feather v1 is not supported: write Feather v2)"
                            : " (an Arrow IPC stream or another format? expected the IPC file format / Feather v2)";
                    throw new IllegalArgumentException("'" + path + "' is not an Arrow IPC file" + hint);
                }
                if (length < 2L * MAGIC.length + 2 + 4) {
                    throw new IllegalArgumentException("'" + path + "' is too short to be an Arrow IPC file");
                }
                byte[] tail = new byte[4 + MAGIC.length];
                in.readFully(length - tail.length, tail);
                if (!Arrays.equals(Arrays.copyOfRange(tail, 4, tail.length), MAGIC)) {
                    throw new IllegalArgumentException("'" + path
                            + "' has no Arrow file trailer (truncated, or an Arrow stream rather than a file)");
                }
                int footerLength = ByteBuffer.wrap(tail, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
                long footerStart = length - tail.length - footerLength;
                if (footerLength <= 0 || footerStart < MAGIC.length + 2) {
                    throw new IllegalArgumentException("'" + path + "' has an invalid Arrow footer length "
                            + footerLength);
                }
                byte[] footerBytes = new byte[footerLength];
                in.readFully(footerStart, footerBytes);
                ByteBuffer bb = ByteBuffer.wrap(footerBytes).order(ByteOrder.LITTLE_ENDIAN);
                ArrowFooter footer;
                try {
                    footer = new ArrowFooter(Footer.getRootAsFooter(bb));
                    footer.getSchema().getFields().forEach(f -> f.getType());
                } catch (RuntimeException e) {
                    // the flatbuffer's offsets point outside it, or a type id is unknown
                    throw new CorruptInputException(path.toString(), "corrupt Arrow footer ("
                            + e.getClass().getSimpleName() + ")", e);
                }
                checkBlocks(path, footer.getDictionaries(), footerStart, "dictionary");
                checkBlocks(path, footer.getRecordBatches(), footerStart, "record batch");
                return footer;
            }
        } catch (java.io.EOFException e) {
            throw new CorruptInputException(path.toString(), "truncated Arrow file", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Arrow footer of " + path, e);
        }
    }

    /**
     * Every block the footer lists lies between the leading magic and the footer: a declared offset or length that
     * points beyond the file (a corrupt or hostile size field) is refused here, before a reader allocates for it.
     */
    private static void checkBlocks(Path path, List<ArrowBlock> blocks, long footerStart, String kind) {
        for (int i = 0; i < blocks.size(); i++) {
            ArrowBlock b = blocks.get(i);
            long end = b.getOffset() + (long) b.getMetadataLength() + b.getBodyLength();
            if (b.getOffset() < MAGIC.length + 2 || b.getMetadataLength() <= 0 || b.getBodyLength() < 0
                    || end < b.getOffset() || end > footerStart) {
                throw new CorruptInputException(path.toString(), "Arrow " + kind + " " + i + " declares offset "
                        + b.getOffset() + ", metadata " + b.getMetadataLength() + " and body " + b.getBodyLength()
                        + " bytes, beyond the file's " + footerStart + " bytes of data");
            }
        }
    }

    private static boolean startsWithMagic(byte[] head) {
        return head.length >= MAGIC.length && Arrays.equals(Arrays.copyOf(head, MAGIC.length), MAGIC);
    }

    /** The Spark schema for an Arrow schema (message format: dictionary fields carry their value type). */
    static StructType sparkSchema(Schema schema) {
        List<StructField> fields = new ArrayList<>();
        for (Field f : schema.getFields()) {
            fields.add(DataTypes.createStructField(f.getName(), sparkType(f), true));
        }
        return DataTypes.createStructType(fields);
    }

    static DataType sparkType(Field f) {
        DataType t = valueType(f.getType());
        if (t == null) {
            throw new IllegalArgumentException("Arrow column '" + f.getName() + "' has unsupported type "
                    + describe(f) + "; supported: int8/16/32/64, uint8/16/32, float32/64, bool, utf8, large_utf8,"
                    + " and dictionary-encoded columns of these");
        }
        return t;
    }

    private static String describe(Field f) {
        DictionaryEncoding d = f.getDictionary();
        return d == null ? f.getType().toString() : "dictionary<" + f.getType() + ">";
    }

    /** Spark type for an Arrow value type, or null when unsupported. */
    private static DataType valueType(ArrowType t) {
        if (t instanceof ArrowType.Int i) {
            int w = i.getBitWidth();
            if (i.getIsSigned()) {
                return switch (w) {
                    case 8 -> DataTypes.ByteType;
                    case 16 -> DataTypes.ShortType;
                    case 32 -> DataTypes.IntegerType;
                    case 64 -> DataTypes.LongType;
                    default -> null;
                };
            }
            return switch (w) {
                case 8 -> DataTypes.ShortType;
                case 16 -> DataTypes.IntegerType;
                case 32 -> DataTypes.LongType;
                default -> null; // uint64 does not fit a long
            };
        }
        if (t instanceof ArrowType.FloatingPoint fp) {
            if (fp.getPrecision() == FloatingPointPrecision.SINGLE) {
                return DataTypes.FloatType;
            }
            return fp.getPrecision() == FloatingPointPrecision.DOUBLE ? DataTypes.DoubleType : null;
        }
        if (t instanceof ArrowType.Bool) {
            return DataTypes.BooleanType;
        }
        if (t instanceof ArrowType.Utf8 || t instanceof ArrowType.LargeUtf8) {
            return DataTypes.StringType;
        }
        return null;
    }

    /** A getter for a (non-dictionary) vector of a supported type; the object type matches {@link #valueType}. */
    static IntFunction<Object> getter(ValueVector v) {
        IntFunction<Object> g;
        if (v instanceof TinyIntVector x) {
            g = i -> x.get(i);
        } else if (v instanceof SmallIntVector x) {
            g = i -> x.get(i);
        } else if (v instanceof IntVector x) {
            g = i -> x.get(i);
        } else if (v instanceof BigIntVector x) {
            g = i -> x.get(i);
        } else if (v instanceof UInt1Vector x) {
            g = i -> (short) (x.get(i) & 0xFF);
        } else if (v instanceof UInt2Vector x) {
            g = i -> (int) x.get(i);
        } else if (v instanceof UInt4Vector x) {
            g = i -> x.get(i) & 0xFFFFFFFFL;
        } else if (v instanceof Float4Vector x) {
            g = i -> x.get(i);
        } else if (v instanceof Float8Vector x) {
            g = i -> x.get(i);
        } else if (v instanceof BitVector x) {
            g = i -> x.get(i) != 0;
        } else if (v instanceof VarCharVector x) {
            g = i -> new String(x.get(i), StandardCharsets.UTF_8);
        } else if (v instanceof LargeVarCharVector x) {
            g = i -> new String(x.get(i), StandardCharsets.UTF_8);
        } else {
            throw new IllegalArgumentException("Arrow column '" + v.getField().getName()
                    + "' has unsupported vector type " + v.getMinorType());
        }
        return i -> v.isNull(i) ? null : g.apply(i);
    }

    /** A getter for a column of the loaded batch, decoding dictionary indices through the dictionary. */
    static IntFunction<Object> columnGetter(FieldVector v, DictionaryProvider dictionaries) {
        DictionaryEncoding enc = v.getField().getDictionary();
        if (enc == null) {
            return getter(v);
        }
        Dictionary dict = dictionaries.lookup(enc.getId());
        if (dict == null) {
            throw new IllegalStateException("Arrow column '" + v.getField().getName() + "': dictionary "
                    + enc.getId() + " not found in the file");
        }
        ValueVector values = dict.getVector();
        IntFunction<Object> value = getter(values);
        BaseIntVector index = (BaseIntVector) v;
        return i -> v.isNull(i) ? null : value.apply(Math.toIntExact(index.getValueAsLong(i)));
    }

    /** Rows of a task's batches, loading one batch at a time; closes reader and allocator when done. */
    static final class BatchRows implements Iterator<Row>, AutoCloseable {
        private final Configuration conf;
        private final String[] paths;
        private final long[] lengths;
        private final List<int[]> tasks;
        private final int columns;
        private int nextTask;
        private BufferAllocator allocator;
        private ArrowFileReader reader;
        private int readerFile = -1;
        private List<ArrowBlock> blocks;
        private List<IntFunction<Object>> getters;
        private int row;
        private int batchRows;
        private boolean closed;

        BatchRows(Configuration conf, String[] paths, long[] lengths, List<int[]> tasks, int columns) {
            this.conf = conf;
            this.paths = paths;
            this.lengths = lengths;
            this.tasks = tasks;
            this.columns = columns;
        }

        @Override
        public boolean hasNext() {
            while (row >= batchRows) {
                if (closed || nextTask >= tasks.size()) {
                    close();
                    return false;
                }
                int[] task = tasks.get(nextTask++);
                try {
                    load(task);
                } catch (IOException e) {
                    closeAfterFailure(e);
                    if (InputFaults.ioFault(e)) {
                        throw new UncheckedIOException("cannot read Arrow file '" + paths[task[0]] + "'", e);
                    }
                    throw new CorruptInputException(paths[task[0]], "corrupt Arrow record batch ("
                            + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
                } catch (CorruptInputException | UncheckedIOException e) {
                    closeAfterFailure(e);
                    throw e;
                } catch (RuntimeException e) {
                    // a flatbuffer offset out of range, an unknown type id, a buffer beyond the body, a declared
                    // decompressed size beyond the allocator's limit
                    closeAfterFailure(e);
                    throw new CorruptInputException(paths[task[0]], "corrupt Arrow record batch ("
                            + e.getClass().getSimpleName() + ")", e);
                }
            }
            return true;
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Object[] values = new Object[columns];
            try {
                for (int c = 0; c < columns; c++) {
                    values[c] = getters.get(c).apply(row);
                }
            } catch (RuntimeException e) {
                // bounds-checked buffers: a row count or an offset larger than the batch's buffers
                String file = paths[readerFile];
                closeAfterFailure(e);
                throw new CorruptInputException(file, "corrupt Arrow record batch: its row count or offsets exceed"
                        + " its buffers (" + e.getClass().getSimpleName() + ")", e);
            }
            row++;
            return RowFactory.create(values);
        }

        private void load(int[] task) throws IOException {
            int file = task[0];
            if (file != readerFile) {
                closeReader();
                if (allocator == null) {
                    // bounded, so that a corrupt buffer length or decompressed size fails as bad input
                    allocator = new RootAllocator(Math.max(64L << 20, Runtime.getRuntime().maxMemory() / 4));
                }
                Path p = new Path(paths[file]);
                FSDataInputStream in = p.getFileSystem(conf).open(p);
                HadoopSeekableChannel channel = new HadoopSeekableChannel(in, lengths[file]);
                try {
                    reader = new ArrowFileReader(channel, allocator, CommonsCompressionFactory.INSTANCE);
                } catch (RuntimeException e) {
                    channel.close();
                    throw e;
                }
                readerFile = file;
                blocks = reader.getRecordBlocks();
            }
            reader.loadRecordBatch(blocks.get(task[1]));
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            List<IntFunction<Object>> g = new ArrayList<>(columns);
            for (FieldVector v : root.getFieldVectors()) {
                g.add(columnGetter(v, reader));
            }
            getters = g;
            batchRows = root.getRowCount();
            row = 0;
        }

        private void closeReader() throws IOException {
            if (reader != null) {
                try {
                    reader.close();
                } finally {
                    reader = null;
                    readerFile = -1;
                    blocks = null;
                    getters = null;
                }
            }
        }

        /**
         * Closes after a corrupt batch without masking its exception: Arrow's reader may keep a half-loaded batch's
         * buffers, and closing their allocator then fails (and logs a leak at ERROR); the allocator is left to the
         * garbage collector instead (a few KB, on a run that is failing anyway).
         */
        private void closeAfterFailure(Throwable cause) {
            if (!markClosed()) {
                return;
            }
            try {
                closeReader();
            } catch (IOException | RuntimeException e) {
                cause.addSuppressed(e);
            }
            if (allocator != null && allocator.getAllocatedMemory() == 0) {
                allocator.close();
            }
            allocator = null;
        }

        /** Marks the source closed and empty; false when it already was (closing twice does nothing). */
        private boolean markClosed() {
            if (closed) {
                return false;
            }
            closed = true;
            row = 0;
            batchRows = 0;
            return true;
        }

        @Override
        public void close() {
            if (!markClosed()) {
                return;
            }
            try {
                closeReader();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close Arrow reader", e);
            } finally {
                if (allocator != null) {
                    allocator.close();
                    allocator = null;
                }
            }
        }
    }
}
