package org.dpspark.jobs.eval;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.dpspark.core.model.BinaryLogisticRegression;
import org.dpspark.datasets.DenseBlock;
import scala.Tuple2;

/** Distributed evaluation of a binary logistic model over dense blocks. */
public final class Evaluator {
    private static final double EPS = 1e-15;

    private Evaluator() {}

    public static BinaryMetrics evaluate(
            JavaSparkContext jsc, JavaRDD<DenseBlock> blocks, BinaryLogisticRegression model, double[] params) {
        jsc.setJobDescription("dp-train: evaluate");
        JavaRDD<Tuple2<Object, Object>> scored = blocks.flatMap(b -> {
            List<Tuple2<Object, Object>> out = new ArrayList<>(b.rows());
            int d = b.dim();
            for (int i = 0; i < b.rows(); i++) {
                out.add(new Tuple2<>(model.probability(params, b.features(), i * d), b.labels()[i]));
            }
            return out.iterator();
        });
        scored.cache();
        try {
            double[] acc = scored.aggregate(
                    new double[3],
                    (a, t) -> {
                        double p = (Double) t._1();
                        double y = (Double) t._2();
                        a[0] += 1;
                        a[1] += ((p >= 0.5 ? 1.0 : 0.0) == y) ? 1 : 0;
                        double pc = Math.min(1 - EPS, Math.max(EPS, p));
                        a[2] += -(y * Math.log(pc) + (1 - y) * Math.log1p(-pc));
                        return a;
                    },
                    (a, b) -> {
                        for (int i = 0; i < 3; i++) {
                            a[i] += b[i];
                        }
                        return a;
                    });
            long n = (long) acc[0];
            if (n == 0) {
                throw new IllegalArgumentException("--eval-input has no rows");
            }
            double auc = new BinaryClassificationMetrics(scored.rdd()).areaUnderROC();
            return new BinaryMetrics(n, acc[1] / n, auc, acc[2] / n);
        } finally {
            scored.unpersist(false);
            jsc.setJobDescription(null);
        }
    }
}
