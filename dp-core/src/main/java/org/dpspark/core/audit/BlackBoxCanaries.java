package org.dpspark.core.audit;

import java.util.Objects;
import org.dpspark.core.model.DpModel;
import org.dpspark.core.params.InvalidParameterException;
import org.dpspark.core.random.RandomSource;

/**
 * Black-box canaries for the one-run privacy audit (Steinke, Nasr and Jagielski 2023, "Privacy auditing with one
 * (1) training run", NeurIPS 2023, arXiv 2305.08846, Section 7, black-box setting): m out-of-distribution examples
 * with random labels, each included in the training set with probability 1/2 ({@link CanaryDraw#coins}); after
 * training the auditor sees only the final model and scores each canary by its loss, lower meaning "more likely a
 * member" ({@link #scores}).
 *
 * <p>Features are uniform in [-1, 1]^d, unlike real (normalized) data, and labels are uniform over the classes
 * (or over the public label range for a regression), independent of the features: the model can fit a canary
 * only by memorizing it, which is what the audit measures.
 */
public final class BlackBoxCanaries implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private final double[] features;
    private final double[] labels;
    private final int numFeatures;

    private BlackBoxCanaries(double[] features, double[] labels, int numFeatures) {
        this.features = features;
        this.labels = labels;
        this.numFeatures = numFeatures;
    }

    /**
     * m canaries: features uniform in [-1, 1]^d (row-major, m x d); labels uniform over {0, ..., K - 1} when
     * numClasses K &gt;= 2, otherwise (a regression) uniform in [labelMin, labelMax].
     *
     * @param m           the number of canaries, &gt;= 1
     * @param numFeatures d &gt;= 0
     * @param numClasses  K &gt;= 2 for a classifier; 0 or 1 for a regression
     * @param labelMin    the regression's public lower label bound, finite (ignored for a classifier)
     * @param labelMax    the regression's public upper label bound, finite, &gt;= labelMin (ignored for a
     *                    classifier)
     * @param rng         the randomness (a {@code CsprngStream} in production)
     */
    public static BlackBoxCanaries generate(int m, int numFeatures, int numClasses, double labelMin,
            double labelMax, RandomSource rng) {
        if (m < 1) {
            throw InvalidParameterException.of("canaries", "must be >= 1, got " + m);
        }
        if (numFeatures < 0) {
            throw InvalidParameterException.of("numFeatures", "must be >= 0, got " + numFeatures);
        }
        if ((long) m * numFeatures >= Integer.MAX_VALUE - 8) {
            throw InvalidParameterException.of("canaries", "times numFeatures must be < 2^31 - 9, got " + m
                    + " x " + numFeatures);
        }
        if (numClasses < 0) {
            throw InvalidParameterException.of("numClasses", "must be >= 2 (a classifier) or 0 or 1 (a regression),"
                    + " got " + numClasses);
        }
        boolean classifier = numClasses >= 2;
        if (!classifier && !(Double.isFinite(labelMin) && Double.isFinite(labelMax) && labelMin <= labelMax)) {
            throw new InvalidParameterException(java.util.List.of("labelMin", "labelMax"),
                    "%s and %s must be finite with labelMin <= labelMax, got " + labelMin + " and " + labelMax);
        }
        Objects.requireNonNull(rng, "rng");
        double[] x = new double[m * numFeatures];
        for (int i = 0; i < x.length; i++) {
            x[i] = 2.0 * rng.nextDouble() - 1.0;
        }
        double[] y = new double[m];
        for (int i = 0; i < m; i++) {
            if (classifier) {
                y[i] = uniformBelow(numClasses, rng);
            } else {
                double u = rng.nextDouble();
                // convex combination: stays within [labelMin, labelMax] even when the width overflows
                y[i] = Math.min(labelMax, Math.max(labelMin, (1.0 - u) * labelMin + u * labelMax));
            }
        }
        return new BlackBoxCanaries(x, y, numFeatures);
    }

    /**
     * Uniform in [0, bound) for bound &gt;= 1 without modulo bias: r uniform in [0, 2^63), rejected when it falls
     * in the last, incomplete run of bound values (as java.util.Random.nextInt(bound)).
     */
    private static int uniformBelow(int bound, RandomSource rng) {
        long r;
        long v;
        do {
            r = rng.nextLong() >>> 1;
            v = r % bound;
        } while (r - v + (bound - 1) < 0);
        return (int) v;
    }

    /** The features, row-major, count() x numFeatures() (a copy). */
    public double[] features() {
        return features.clone();
    }

    /** The labels, one per canary (a copy). */
    public double[] labels() {
        return labels.clone();
    }

    /** m, the number of canaries. */
    public int count() {
        return labels.length;
    }

    public int numFeatures() {
        return numFeatures;
    }

    /**
     * The black-box scores: score_i = -model.loss(params, features, i * d, labels[i]), so that a lower loss (the
     * model fits the canary's random label) means "more likely a member".
     *
     * @param model  a model with numFeatures() == d
     * @param params its parameters (the released ones)
     */
    public double[] scores(DpModel model, double[] params) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(params, "params");
        if (model.numFeatures() != numFeatures) {
            throw new IllegalArgumentException("model must have numFeatures = " + numFeatures + " (the canaries'),"
                    + " got " + model.numFeatures());
        }
        double[] s = new double[labels.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = -model.loss(params, features, i * numFeatures, labels[i]);
        }
        return s;
    }

    @Override
    public String toString() {
        return "BlackBoxCanaries[count=" + labels.length + ", numFeatures=" + numFeatures + "]";
    }
}
