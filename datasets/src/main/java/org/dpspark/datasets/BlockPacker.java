package org.dpspark.datasets;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.spec.RowCoder;
import org.dpspark.datasets.spec.RowEncoder;

/**
 * Packs each partition of a validated input into one {@link DenseBlock}, encoding rows with a {@link FeatureSpec}
 * ({@link RowEncoder}: features clipped to the spec's public bounds, one-hot blocks, vector elements; the label
 * as a class index or a clipped regression value).
 *
 * <p>Exactly one block per partition (possibly with 0 rows), rows in partition order. Arrays grow geometrically
 * (doubling) and are trimmed to size at the end. The result is not cached: the trainer persists it. Assumes
 * {@link org.dpspark.datasets.validate.DatasetValidator#validate} passed; an unencodable value fails the task with
 * an IllegalArgumentException naming the column (not the value).
 */
public final class BlockPacker {

    /** Largest Java array length that is safe on common JVMs. */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private static final int INITIAL_ROWS = 1024;

    private BlockPacker() {
    }

    /**
     * Encodes and packs {@code raw}: selects the spec's columns, then one {@link DenseBlock} per partition.
     *
     * @throws IllegalArgumentException when a spec column is missing or has an unsupported type (before any job)
     */
    public static JavaRDD<DenseBlock> pack(Dataset<Row> raw, FeatureSpec spec) {
        if (raw == null || spec == null) {
            throw new IllegalArgumentException("raw and spec must be non-null");
        }
        // Check the schema on the driver first, so a bad input fails before any job.
        new RowEncoder(spec, raw.schema());
        List<String> cols = spec.requiredColumns();
        Column[] select = new Column[cols.size()];
        for (int i = 0; i < select.length; i++) {
            select[i] = raw.col(quote(cols.get(i)));
        }
        Dataset<Row> selected = raw.select(select);
        RowEncoder encoder = new RowEncoder(spec, selected.schema());
        int dim = encoder.dimension();
        return selected.javaRDD().mapPartitions(rows -> List.of(packRows(rows, encoder, dim)).iterator());
    }

    /**
     * Packs already selected rows into one row-level block, encoding each with {@code encoder} (whose dimension is
     * {@code dim}), in iteration order. Used by {@link #pack} and by user-level packing.
     */
    public static DenseBlock packRows(Iterator<Row> rows, RowCoder encoder, int dim) {
        int maxRows = MAX_ARRAY / dim;
        int capacity = Math.min(INITIAL_ROWS, maxRows);
        double[] x = new double[capacity * dim];
        double[] y = new double[capacity];
        int n = 0;
        while (rows.hasNext()) {
            Row r = rows.next();
            if (n == capacity) {
                if (capacity == maxRows) {
                    throw new IllegalStateException("partition has more than " + maxRows + " rows of dimension "
                            + dim + ", which does not fit one array; repartition the input into more partitions");
                }
                capacity = (int) Math.min((long) capacity * 2, maxRows);
                x = Arrays.copyOf(x, capacity * dim);
                y = Arrays.copyOf(y, capacity);
            }
            y[n] = encoder.encodeInto(r, x, n * dim);
            n++;
        }
        if (n < capacity) {
            x = Arrays.copyOf(x, n * dim);
            y = Arrays.copyOf(y, n);
        }
        return new DenseBlock(n, dim, x, y);
    }

    /** Quotes a column name for {@link Dataset#col} so dots and backticks are taken literally. */
    static String quote(String column) {
        return "`" + column.replace("`", "``") + "`";
    }
}
