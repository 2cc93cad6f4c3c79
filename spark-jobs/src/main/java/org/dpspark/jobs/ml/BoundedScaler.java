package org.dpspark.jobs.ml;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;

/**
 * DP-safe scaling: clips element i of a Vector column to the declared public bounds [lower_i, upper_i] and maps it
 * to [0, 1]. Nothing is fitted on the data (compare MLlib's MinMaxScaler, which reads the private minimum and
 * maximum), so it may precede a DP estimator.
 */
public class BoundedScaler extends Transformer implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;
    private final String uid;
    private final Param<String> inputCol;
    private final Param<String> outputCol;
    private final DoubleArrayParam lower;
    private final DoubleArrayParam upper;

    public BoundedScaler() {
        this(Identifiable.randomUID("boundedScaler"));
    }

    public BoundedScaler(String uid) {
        this.uid = uid;
        inputCol = new Param<>(this, "inputCol", "input Vector column");
        outputCol = new Param<>(this, "outputCol", "output Vector column");
        lower = new DoubleArrayParam(this, "lower", "public lower bound of each element");
        upper = new DoubleArrayParam(this, "upper", "public upper bound of each element");
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public Param<String> outputCol() {
        return outputCol;
    }

    public DoubleArrayParam lower() {
        return lower;
    }

    public DoubleArrayParam upper() {
        return upper;
    }

    public BoundedScaler setInputCol(String v) {
        set(inputCol, v);
        return this;
    }

    public BoundedScaler setOutputCol(String v) {
        set(outputCol, v);
        return this;
    }

    /** Sets the declared bounds; each lower[i] < upper[i], all finite. */
    public BoundedScaler setBounds(double[] lo, double[] hi) {
        if (lo.length != hi.length || lo.length == 0) {
            throw new IllegalArgumentException("lower and upper bounds must have the same non-zero length, got "
                    + lo.length + " and " + hi.length);
        }
        for (int i = 0; i < lo.length; i++) {
            if (!(Double.isFinite(lo[i]) && Double.isFinite(hi[i]) && lo[i] < hi[i])) {
                throw new IllegalArgumentException("bounds of element " + i + " must be finite with lower < upper, got ["
                        + lo[i] + ", " + hi[i] + "]");
            }
        }
        set(lower, lo.clone());
        set(upper, hi.clone());
        return this;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        if (!isDefined(inputCol) || !isDefined(outputCol) || !isDefined(lower)) {
            throw new IllegalArgumentException("BoundedScaler needs inputCol, outputCol and bounds (setBounds)");
        }
        String in = getOrDefault(inputCol);
        DpEstimator.requireColumn(schema, in, "inputCol");
        if (!(schema.apply(in).dataType() instanceof VectorUDT)) {
            throw new IllegalArgumentException("inputCol '" + in + "' must be a Vector column");
        }
        return DpPredictionModel.addColumn(schema, getOrDefault(outputCol), new VectorUDT());
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        double[] lo = getOrDefault(lower);
        double[] hi = getOrDefault(upper);
        UDF1<Vector, Vector> scale = v -> {
            if (v.size() != lo.length) {
                throw new IllegalArgumentException("BoundedScaler: vector of size " + v.size() + ", bounds for "
                        + lo.length);
            }
            double[] x = v.toArray().clone();
            for (int i = 0; i < x.length; i++) {
                double c = Math.min(hi[i], Math.max(lo[i], x[i]));
                x[i] = (c - lo[i]) / (hi[i] - lo[i]);
            }
            return Vectors.dense(x);
        };
        return dataset.withColumn(getOrDefault(outputCol),
                functions.udf(scale, new VectorUDT()).apply(functions.col(getOrDefault(inputCol))));
    }

    @Override
    public BoundedScaler copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    public static MLReader<BoundedScaler> read() {
        return new DefaultParamsReader<>();
    }

    public static BoundedScaler load(String path) {
        return read().load(path);
    }
}
