package org.dpspark.jobs.run;

import org.dpspark.datasets.RowFingerprint;
import org.dpspark.jobs.model.LabelRule;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.dpspark.datasets.DenseBlock;
import org.dpspark.datasets.validate.DatasetValidationException;
import org.dpspark.datasets.validate.Violation;

/**
 * Validation and packing of an MLlib-style input (a Vector features column and a numeric label column) into the
 * trainer's dense blocks. One validation pass counts N, finds every problem (null, wrong-size or non-finite
 * feature vectors; missing, non-finite or out-of-range labels) with its count and first row, and computes an
 * order-independent fingerprint of the rows; values are never put in messages.
 */
final class VectorInput {

    private VectorInput() {}

    /** The validated input: its row count N (public) and content fingerprint. */
    record Checked(long rows, String fingerprint) {}

    /**
     * Validates {@code df}, which has exactly two columns: features (Vector) and label (double).
     *
     * @throws DatasetValidationException listing every problem
     */
    static Checked validate(Dataset<Row> df, String featuresCol, String labelCol, int numFeatures, LabelRule rule) {
        Tally t = df.javaRDD().zipWithIndex().aggregate(new Tally(),
                (acc, rowAndIndex) -> acc.add(rowAndIndex._1(), rowAndIndex._2() + 1, numFeatures, rule),
                Tally::merge);
        List<Violation> violations = new ArrayList<>();
        for (Map.Entry<String, long[]> e : t.problems.entrySet()) {
            String[] key = e.getKey().split("\u0000", 2);
            String column = key[0].equals("F") ? featuresCol : labelCol;
            violations.add(new Violation(column, key[1], e.getValue()[0], e.getValue()[1]));
        }
        if (t.rows == 0) {
            violations.add(new Violation(Violation.RECORD, "input has no rows", 0, 0));
        }
        if (!violations.isEmpty()) {
            throw new DatasetValidationException(violations);
        }
        return new Checked(t.rows, t.fingerprint.toString());
    }

    /** Packs validated rows into one dense block per partition. */
    static JavaRDD<DenseBlock> pack(Dataset<Row> df, int numFeatures) {
        return df.javaRDD().mapPartitions(it -> {
            double[] x = new double[numFeatures * 64];
            double[] y = new double[64];
            int n = 0;
            while (it.hasNext()) {
                Row r = it.next();
                if (n == y.length) {
                    x = java.util.Arrays.copyOf(x, x.length * 2);
                    y = java.util.Arrays.copyOf(y, y.length * 2);
                }
                Vector v = r.getAs(0);
                int off = n * numFeatures;
                System.arraycopy(v.toArray(), 0, x, off, numFeatures); // dense or sparse
                y[n++] = r.getDouble(1);
            }
            return List.of(new DenseBlock(n, numFeatures,
                    java.util.Arrays.copyOf(x, n * numFeatures), java.util.Arrays.copyOf(y, n))).iterator();
        });
    }

    /**
     * The row coder of validated rows whose first column is the features vector and second the label (as double):
     * the values {@link #pack} copies, for {@code UserBlocks.pack} at the user level.
     */
    static org.dpspark.datasets.spec.RowCoder coder(int numFeatures) {
        return (r, out, offset) -> {
            Vector v = r.getAs(0);
            System.arraycopy(v.toArray(), 0, out, offset, numFeatures); // dense or sparse
            return r.getDouble(1);
        };
    }

    /** Per-problem counts and first rows, row count, and the sum of per-row hashes (order-independent). */
    static final class Tally implements Serializable {
        private static final long serialVersionUID = 1L;
        final TreeMap<String, long[]> problems = new TreeMap<>();
        long rows;
        final RowFingerprint fingerprint = new RowFingerprint();

        Tally add(Row r, long rowNumber, int numFeatures, LabelRule rule) {
            rows++;
            double[] a = null;
            Object f = r.get(0);
            if (f == null) {
                note("F", "missing feature vectors", rowNumber);
            } else {
                Vector v = (Vector) f;
                if (v.size() != numFeatures) {
                    note("F", "feature vectors whose size is not " + numFeatures, rowNumber);
                } else {
                    a = v.toArray();
                    boolean finite = true;
                    for (double d : a) {
                        finite &= Double.isFinite(d);
                    }
                    if (!finite) {
                        note("F", "feature vectors with NaN or infinite values", rowNumber);
                    }
                }
            }
            if (r.isNullAt(1)) {
                note("L", "missing labels", rowNumber);
            } else {
                double y = r.getDouble(1);
                String p = rule.problem(y);
                if (p != null) {
                    note("L", p, rowNumber);
                }
                if (a != null) {
                    fingerprint.add(a, 0, a.length, y);
                }
            }
            return this;
        }

        private void note(String column, String problem, long row) {
            long[] c = problems.computeIfAbsent(column + "\u0000" + problem, k -> new long[] {0, Long.MAX_VALUE});
            c[0]++;
            c[1] = Math.min(c[1], row);
        }

        Tally merge(Tally o) {
            rows += o.rows;
            fingerprint.merge(o.fingerprint);
            o.problems.forEach((k, v) -> {
                long[] c = problems.computeIfAbsent(k, x -> new long[] {0, Long.MAX_VALUE});
                c[0] += v[0];
                c[1] = Math.min(c[1], v[1]);
            });
            return this;
        }

    }
}
