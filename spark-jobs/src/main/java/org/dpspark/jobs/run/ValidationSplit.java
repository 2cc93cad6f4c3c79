package org.dpspark.jobs.run;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * A random split of the rows into a training part and a validation part, keyed by a secret: a row goes to
 * validation when HMAC-SHA256(key, the row's values) read as a fraction in [0, 1) is below the fraction. The key is
 * drawn from a CSPRNG per run (the insecure test path derives it from its seed), lives only in the UDF's closure
 * (never in a query plan, a log or a report) and is dropped with the run. The split is a function of the row
 * alone, so re-reading the input (Spark recomputes lost partitions) puts each row on the same side.
 *
 * <p>Identical rows fall on the same side, which the add/remove-one-row analysis allows: each row is in one part.
 */
public final class ValidationSplit {
    private static final String COLUMN = "__dpspark_split";

    private ValidationSplit() {}

    /**
     * The two parts.
     *
     * @param train the rows trials train on
     * @param validation the rows trials are scored on
     */
    public record Parts(Dataset<Row> train, Dataset<Row> validation) {}

    /** Splits {@code frame} with a fresh secret key ({@code key}: 32 secret bytes from a CSPRNG). */
    public static Parts split(Dataset<Row> frame, double fraction, byte[] key) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("the validation fraction must be in (0, 1), got " + fraction);
        }
        Dataset<Row> tagged = tag(frame, key);
        Column inValidation = functions.col(COLUMN).lt(fraction);
        return new Parts(tagged.filter(functions.not(inValidation)).drop(COLUMN),
                tagged.filter(inValidation).drop(COLUMN));
    }

    /**
     * Splits {@code frame} into {@code k} folds with a fresh secret key: fold i holds the rows whose keyed fraction
     * is in [i / k, (i + 1) / k).
     */
    public static java.util.List<Dataset<Row>> folds(Dataset<Row> frame, int k, byte[] key) {
        if (k < 2) {
            throw new IllegalArgumentException("folds must be >= 2, got " + k);
        }
        Dataset<Row> tagged = tag(frame, key);
        java.util.List<Dataset<Row>> out = new java.util.ArrayList<>();
        for (int i = 0; i < k; i++) {
            Column u = functions.col(COLUMN);
            Column in = i == k - 1 ? u.geq((double) i / k) : u.geq((double) i / k).and(u.lt((double) (i + 1) / k));
            out.add(tagged.filter(in).drop(COLUMN));
        }
        return out;
    }

    private static Dataset<Row> tag(Dataset<Row> frame, byte[] key) {
        if (key == null || key.length < 16) {
            throw new IllegalArgumentException("the split needs a secret key of at least 16 bytes");
        }
        UserDefinedFunction u = functions.udf(new KeyedFraction(key.clone()), DataTypes.DoubleType);
        String[] cols = frame.columns();
        Column[] all = new Column[cols.length];
        for (int i = 0; i < cols.length; i++) {
            all[i] = functions.col("`" + cols[i].replace("`", "``") + "`");
        }
        return frame.withColumn(COLUMN, u.apply(functions.struct(all)));
    }

    /** The row's keyed fraction in [0, 1). The key stays in this object (serialized to executors only). */
    private static final class KeyedFraction implements UDF1<Row, Double> {
        private static final long serialVersionUID = 1L;
        private final byte[] key;
        private transient Mac mac;

        KeyedFraction(byte[] key) {
            this.key = key;
        }

        @Override
        public Double call(Row row) throws GeneralSecurityException {
            if (mac == null) {
                mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
            }
            for (int i = 0; i < row.length(); i++) {
                Object v = row.get(i);
                // a length prefix per field, so that ("ab", "c") and ("a", "bc") differ
                byte[] b = (v == null ? "\u0000null" : v.getClass().getSimpleName() + ":" + v)
                        .getBytes(StandardCharsets.UTF_8);
                mac.update(new byte[] {(byte) (b.length >>> 24), (byte) (b.length >>> 16), (byte) (b.length >>> 8),
                        (byte) b.length});
                mac.update(b);
            }
            byte[] h = mac.doFinal();
            long bits = 0;
            for (int i = 0; i < 7; i++) {
                bits = (bits << 8) | (h[i] & 0xFF);
            }
            return (bits >>> 3) / (double) (1L << 53);
        }

        @Override
        public String toString() {
            return "KeyedFraction[key hidden]";
        }
    }
}
