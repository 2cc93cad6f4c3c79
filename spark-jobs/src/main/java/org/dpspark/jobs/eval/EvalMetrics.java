package org.dpspark.jobs.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Metrics of a model on an evaluation set, by name: for classifiers "accuracy", "log_loss" and, for two classes,
 * "auc"; for regression "rmse", "mae" and "r2". A classifier's metrics also carry its {@link Classification}
 * (confusion matrix and calibration table) over the same rows.
 *
 * @param rows number of evaluation rows
 * @param values metric name to value, in a stable order
 * @param classification the confusion matrix and calibration table of a classifier, null for regression
 */
public record EvalMetrics(long rows, Map<String, Double> values, Classification classification) {

    public EvalMetrics {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Metrics without a confusion matrix or calibration table (regression). */
    public EvalMetrics(long rows, Map<String, Double> values) {
        this(rows, values, null);
    }

    /** The named metric; IllegalArgumentException when this kind of model has no such metric. */
    public double get(String name) {
        Double v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no metric '" + name + "'; have " + values.keySet());
        }
        return v;
    }

    /**
     * A classifier's exact statistics on the evaluation rows (not DP, like every evaluation metric).
     *
     * <p>Calibration (reliability) table: the predicted class's probability p = max_c out[c] falls in one of
     * {@link #CALIBRATION_BINS} equal-width bins of [0, 1] (bin b holds b/10 &lt;= p &lt; (b+1)/10, p = 1 in the last);
     * per bin the row count, the mean p and the observed accuracy (the share of its rows whose predicted class is
     * the label). A calibrated model's accuracy equals its mean p in every bin (Niculescu-Mizil and Caruana 2005).
     *
     * @param confusion {@code confusion[label][predicted]} = number of rows (classes x classes)
     * @param binCounts rows per calibration bin
     * @param binMeanProbability mean predicted-class probability per bin (NaN for an empty bin)
     * @param binAccuracy observed accuracy per bin (NaN for an empty bin)
     */
    public record Classification(long[][] confusion, long[] binCounts, double[] binMeanProbability,
            double[] binAccuracy) {
        /** The number of equal-width bins of the calibration table. */
        public static final int CALIBRATION_BINS = 10;

        public Classification {
            if (confusion.length < 2 || binCounts.length != CALIBRATION_BINS
                    || binMeanProbability.length != CALIBRATION_BINS || binAccuracy.length != CALIBRATION_BINS) {
                throw new IllegalArgumentException("a classification needs >= 2 classes and " + CALIBRATION_BINS
                        + " calibration bins");
            }
            for (long[] row : confusion) {
                if (row.length != confusion.length) {
                    throw new IllegalArgumentException("the confusion matrix must be square");
                }
            }
        }

        /** The calibration bin of a predicted-class probability {@code p} in [0, 1]. */
        public static int bin(double p) {
            int b = (int) Math.floor(p * CALIBRATION_BINS);
            return Math.max(0, Math.min(CALIBRATION_BINS - 1, b));
        }

        /**
         * The statistics from the sums an evaluation pass accumulates: {@code sums} holds, from {@code offset}, the
         * k x k confusion counts (row-major, label first), then per bin (count, sum of p, correct count).
         */
        public static Classification fromSums(double[] sums, int offset, int k) {
            long[][] confusion = new long[k][k];
            for (int y = 0; y < k; y++) {
                for (int c = 0; c < k; c++) {
                    confusion[y][c] = Math.round(sums[offset + y * k + c]);
                }
            }
            int base = offset + k * k;
            long[] counts = new long[CALIBRATION_BINS];
            double[] meanP = new double[CALIBRATION_BINS];
            double[] accuracy = new double[CALIBRATION_BINS];
            for (int b = 0; b < CALIBRATION_BINS; b++) {
                counts[b] = Math.round(sums[base + 3 * b]);
                meanP[b] = counts[b] == 0 ? Double.NaN : sums[base + 3 * b + 1] / counts[b];
                accuracy[b] = counts[b] == 0 ? Double.NaN : sums[base + 3 * b + 2] / counts[b];
            }
            return new Classification(confusion, counts, meanP, accuracy);
        }

        /** The length of the sums {@link #fromSums} reads for {@code k} classes. */
        public static int sumsLength(int k) {
            return k * k + 3 * CALIBRATION_BINS;
        }
    }
}
