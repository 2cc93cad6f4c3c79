package org.dpspark.datasets;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.dpspark.datasets.spec.FeatureColumn;
import org.dpspark.datasets.spec.FeatureSpec;
import org.dpspark.datasets.spec.LabelSpec;
import org.dpspark.datasets.spec.NumericFeature;

/**
 * Synthetic binary-classification data from a fixed logistic model, for {@code dp-train --demo} and tests
 * (nothing is downloaded).
 *
 * <p>Each row: {@code x ~ Uniform[-1, 1)^d}, {@code z = w . x}, {@code label ~ Bernoulli(sigmoid(z))} with the
 * fixed weights {@link #trueWeights(int)}: {@code w_j = c * s_j * (1 + j mod 3)}, {@code s_j = +1} for even j and
 * {@code -1} for odd j, and c chosen so that {@code Var(z) = sum w_j^2 / 3 = } {@value #SIGNAL}^2. With this
 * signal the Bayes classifier {@code sign(w . x)} is right about 89% of the time (E[sigmoid(|z|)] for
 * {@code z ~ N(0, 25)}; more for small d), so a trained logistic model can reach 0.8 accuracy.
 *
 * <p>Deterministic given (seed, rows, features, partitions): partition p generates rows
 * {@code [floor(rows*p/P), floor(rows*(p+1)/P))} from a {@link SplittableRandom} seeded with a SplitMix64 mix of
 * (seed, p), so recomputing a partition (task retry, uncached reuse) gives the same rows. Not for privacy:
 * this data is public by construction.
 */
public final class SyntheticData {

    /** Standard deviation of the logit {@code w . x}. */
    public static final double SIGNAL = 5.0;

    /** The label column. */
    public static final String LABEL = "label";

    private SyntheticData() {
    }

    /**
     * Generates {@code rows} rows with columns x0..x{features-1} (double, in [-1, 1]) and "label" (double, 0 or 1).
     *
     * @throws IllegalArgumentException when rows < 0, features < 1 or partitions < 1
     */
    public static Dataset<Row> logistic(SparkSession spark, long rows, int features, long seed, int partitions) {
        if (!(rows >= 0)) {
            throw new IllegalArgumentException("rows must be >= 0, got " + rows);
        }
        if (!(features >= 1)) {
            throw new IllegalArgumentException("features must be >= 1, got " + features);
        }
        if (!(partitions >= 1)) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        double[] w = trueWeights(features);
        List<Integer> parts = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            parts.add(p);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaRDD<Row> rdd = jsc.parallelize(parts, partitions).mapPartitions(it -> {
            List<Iterator<Row>> gens = new ArrayList<>();
            while (it.hasNext()) {
                int p = it.next();
                long from = rowStart(rows, p, partitions);
                long to = rowStart(rows, p + 1, partitions);
                gens.add(generator(w, to - from, partitionSeed(seed, p)));
            }
            return concat(gens);
        });
        return spark.createDataFrame(rdd, schema(features));
    }

    /** The Spark schema of {@link #logistic}: x0..x{d-1}, label, all non-null doubles. */
    public static StructType schema(int features) {
        List<StructField> fields = new ArrayList<>();
        for (int j = 0; j < features; j++) {
            fields.add(DataTypes.createStructField("x" + j, DataTypes.DoubleType, false));
        }
        fields.add(DataTypes.createStructField(LABEL, DataTypes.DoubleType, false));
        return DataTypes.createStructType(fields);
    }

    /** The spec for {@link #logistic}: x0..x{d-1} scaled from [-1, 1] to [0, 1], numeric label "label". */
    public static FeatureSpec spec(int features) {
        if (!(features >= 1)) {
            throw new IllegalArgumentException("features must be >= 1, got " + features);
        }
        List<FeatureColumn> cols = new ArrayList<>();
        for (int j = 0; j < features; j++) {
            cols.add(NumericFeature.scale("x" + j, -1, 1));
        }
        return new FeatureSpec("synthetic-logistic-" + features, cols, LabelSpec.numeric(LABEL));
    }

    /** The weights of the generating model (on the raw x in [-1, 1]; the intercept is 0). */
    public static double[] trueWeights(int features) {
        if (!(features >= 1)) {
            throw new IllegalArgumentException("features must be >= 1, got " + features);
        }
        double[] w = new double[features];
        double sumSq = 0;
        for (int j = 0; j < features; j++) {
            w[j] = (j % 2 == 0 ? 1 : -1) * (1 + j % 3);
            sumSq += w[j] * w[j];
        }
        double c = SIGNAL * Math.sqrt(3.0 / sumSq);
        for (int j = 0; j < features; j++) {
            w[j] *= c;
        }
        return w;
    }

    static long rowStart(long rows, int p, int partitions) {
        return Math.floorDiv(Math.multiplyExact(rows, (long) p), (long) partitions);
    }

    static long partitionSeed(long seed, int p) {
        return mix64(seed ^ mix64(0x9E3779B97F4A7C15L * (p + 1L)));
    }

    /** SplitMix64 finalizer (Steele, Lea, Flood 2014). */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static Iterator<Row> generator(double[] w, long count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return new Iterator<>() {
            private long made;

            @Override
            public boolean hasNext() {
                return made < count;
            }

            @Override
            public Row next() {
                if (made >= count) {
                    throw new NoSuchElementException();
                }
                made++;
                Object[] v = new Object[w.length + 1];
                double z = 0;
                for (int j = 0; j < w.length; j++) {
                    double x = r.nextDouble(-1.0, 1.0);
                    v[j] = x;
                    z += w[j] * x;
                }
                double p = 1.0 / (1.0 + Math.exp(-z));
                v[w.length] = r.nextDouble() < p ? 1.0 : 0.0;
                return RowFactory.create(v);
            }
        };
    }

    private static Iterator<Row> concat(List<Iterator<Row>> parts) {
        return parts.stream().flatMap(it -> {
            Iterable<Row> i = () -> it;
            return java.util.stream.StreamSupport.stream(i.spliterator(), false);
        }).iterator();
    }
}
