package org.dpspark.jobs.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.dpspark.core.model.DpModel;
import org.dpspark.datasets.DenseBlock;
import org.dpspark.jobs.train.JobLabel;
import scala.Tuple2;

/** Distributed evaluation of a trained model over dense blocks (exact metrics: the evaluation set is not protected). */
public final class Evaluator {
    private static final double EPS = 1e-15;

    private Evaluator() {}

    public static EvalMetrics evaluate(JavaSparkContext jsc, JavaRDD<DenseBlock> blocks, DpModel model, double[] params) {
        JobLabel.describe(jsc, "evaluate");
        try {
            return model.numOutputs() >= 2 ? classification(blocks, model, params) : regression(blocks, model, params);
        } finally {
            jsc.setJobDescription(null);
        }
    }

    private static EvalMetrics classification(JavaRDD<DenseBlock> blocks, DpModel model, double[] params) {
        int k = model.numOutputs();
        // Per partition: rows, correct, summed log loss, then the confusion counts and the calibration bins' sums
        // (EvalMetrics.Classification.fromSums); and for K = 2 the (score, label) pairs for the AUC.
        JavaRDD<Tuple2<double[], List<Tuple2<Object, Object>>>> parts = blocks.map(b -> {
            double[] out = new double[k];
            double[] scratch = new double[model.scratchSize()];
            double[] acc = new double[3 + EvalMetrics.Classification.sumsLength(k)];
            int bins = 3 + k * k;
            List<Tuple2<Object, Object>> scores = new ArrayList<>(k == 2 ? b.rows() : 0);
            int d = b.dim();
            double[] x = b.featuresAsDoubles(); // the array itself for float64 blocks in memory
            for (int i = 0; i < b.rows(); i++) {
                model.predict(params, x, i * d, out, scratch);
                int y = (int) b.labels()[i];
                int best = argmax(out, k);
                acc[0] += 1;
                acc[1] += best == y ? 1 : 0;
                acc[2] -= Math.log(Math.min(1 - EPS, Math.max(EPS, out[y])));
                acc[3 + y * k + best] += 1;
                double p = out[best];
                int bin = bins + 3 * EvalMetrics.Classification.bin(p);
                acc[bin] += 1;
                acc[bin + 1] += p;
                acc[bin + 2] += best == y ? 1 : 0;
                if (k == 2) {
                    scores.add(new Tuple2<>(out[1], (double) y));
                }
            }
            return new Tuple2<>(acc, scores);
        });
        parts.cache();
        try {
            double[] acc = parts.map(Tuple2::_1).reduce(Evaluator::add);
            long n = (long) acc[0];
            if (n == 0) {
                throw new IllegalArgumentException("--eval-input has no rows");
            }
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("accuracy", acc[1] / n);
            if (k == 2) {
                m.put("auc", new BinaryClassificationMetrics(parts.flatMap(t -> t._2().iterator()).rdd()).areaUnderROC());
            }
            m.put("log_loss", acc[2] / n);
            return new EvalMetrics(n, m, EvalMetrics.Classification.fromSums(acc, 3, k));
        } finally {
            parts.unpersist(false);
        }
    }

    /**
     * The exact number of rows a classifier predicts correctly (argmax of its outputs), for a search's validation
     * score. The count is private (sensitivity 1 under add/remove of one row): the caller noises it before any use.
     */
    public static long correctCount(JavaSparkContext jsc, JavaRDD<DenseBlock> blocks, DpModel model, double[] params) {
        int k = model.numOutputs();
        if (k < 2) {
            throw new IllegalArgumentException("a validation accuracy needs a classifier, got a model with one output");
        }
        JobLabel.describe(jsc, "score a trial on the validation rows");
        try {
            return blocks.map(b -> {
                double[] out = new double[k];
                double[] scratch = new double[model.scratchSize()];
                long correct = 0;
                int d = b.dim();
                double[] x = b.featuresAsDoubles(); // the array itself for float64 blocks in memory
                for (int i = 0; i < b.rows(); i++) {
                    model.predict(params, x, i * d, out, scratch);
                    correct += argmax(out, k) == (int) b.labels()[i] ? 1 : 0;
                }
                return correct;
            }).fold(0L, Long::sum);
        } finally {
            jsc.setJobDescription(null);
        }
    }

    private static int argmax(double[] out, int k) {
        int best = 0;
        for (int c = 1; c < k; c++) {
            if (out[c] > out[best]) {
                best = c;
            }
        }
        return best;
    }

    private static EvalMetrics regression(JavaRDD<DenseBlock> blocks, DpModel model, double[] params) {
        // rows, sum |e|, sum e^2, sum y, sum y^2
        double[] acc = blocks.map(b -> {
            double[] out = new double[1];
            double[] scratch = new double[model.scratchSize()];
            double[] a = new double[5];
            int d = b.dim();
            double[] x = b.featuresAsDoubles(); // the array itself for float64 blocks in memory
            for (int i = 0; i < b.rows(); i++) {
                model.predict(params, x, i * d, out, scratch);
                double y = b.labels()[i];
                double e = out[0] - y;
                a[0] += 1;
                a[1] += Math.abs(e);
                a[2] += e * e;
                a[3] += y;
                a[4] += y * y;
            }
            return a;
        }).reduce(Evaluator::add);
        long n = (long) acc[0];
        if (n == 0) {
            throw new IllegalArgumentException("--eval-input has no rows");
        }
        double ssTot = acc[4] - acc[3] * acc[3] / n;
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("rmse", Math.sqrt(acc[2] / n));
        m.put("mae", acc[1] / n);
        m.put("r2", ssTot > 0 ? 1 - acc[2] / ssTot : Double.NaN);
        return new EvalMetrics(n, m);
    }

    private static double[] add(double[] a, double[] b) {
        for (int i = 0; i < a.length; i++) {
            a[i] += b[i];
        }
        return a;
    }
}
