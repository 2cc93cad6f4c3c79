package org.dpspark.core.optim;

import java.util.Arrays;
import java.util.Objects;

/**
 * An exponential moving average (EMA) of the parameter iterates, evaluated in place of the last iterate (De et
 * al., "Unlocking High-Accuracy Differentially Private Image Classification through Scale", arXiv:2204.13650,
 * 2022, Section 3.2 "parameter averaging"):
 * <pre>
 *   avg_1 = params_1
 *   avg_t = d_t avg_{t-1} + (1 - d_t) params_t,   d_t = min(decay, (1 + t) / (w + t))   (t &gt;= 2)
 * </pre>
 * The warm-up factor (1 + t) / (w + t) with w = 10 (the {@code num_updates} rule of TensorFlow's
 * {@code tf.train.ExponentialMovingAverage}) keeps the first, untrained iterates from dominating the average
 * for long; from update (w decay - 1) / (1 - decay) on the decay is constant. Until then the average's window is about
 * (w + t) / (w - 1) iterates: the last ninth of the run for w = 10, all of it for w = 2 (the running mean).
 *
 * <p>It reads only the iterates, which are already released (noised) values, so the average is
 * post-processing and costs no privacy (Dwork and Roth 2014, Proposition 2.1). State: one instance per training
 * run, used from one thread (the driver).
 */
public final class ParameterAverage implements java.io.Serializable {

    private static final long serialVersionUID = 2L; // 2: the warm-up constant

    /** TensorFlow's warm-up constant w. */
    public static final double DEFAULT_WARMUP = 10.0;

    private final double decay;
    private final double warmup;
    private double[] average;
    private long updates;

    /** @param decay the largest weight of the previous average, in [0, 1) (0: the last iterate) */
    public ParameterAverage(double decay) {
        this(decay, DEFAULT_WARMUP);
    }

    /**
     * @param decay the largest weight of the previous average, in [0, 1) (0: the last iterate)
     * @param warmup the warm-up constant w &gt; 1 of d_t = min(decay, (1 + t) / (w + t))
     */
    public ParameterAverage(double decay, double warmup) {
        if (!(decay >= 0.0 && decay < 1.0)) {
            throw new IllegalArgumentException("decay must be in [0, 1), got " + decay);
        }
        if (!(warmup > 1.0 && warmup < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("warmup must be a finite number > 1, got " + warmup);
        }
        this.decay = decay;
        this.warmup = warmup;
    }

    public double warmup() {
        return warmup;
    }

    public double decay() {
        return decay;
    }

    /** Iterates averaged so far. */
    public long updates() {
        return updates;
    }

    /** The decay d_t used for update t = 1, 2, ... (0 for the first, which copies the iterate). */
    public double decayAt(long t) {
        if (!(t >= 1)) {
            throw new IllegalArgumentException("t must be >= 1, got " + t);
        }
        return t == 1 ? 0.0 : Math.min(decay, (1.0 + t) / (warmup + t));
    }

    /** Folds in the current iterate (not modified; its length is fixed by the first call). */
    public void update(double[] params) {
        Objects.requireNonNull(params, "params");
        if (average == null) {
            average = params.clone();
            updates = 1;
            return;
        }
        if (params.length != average.length) {
            throw new IllegalArgumentException("params must have length " + average.length + " as before, got "
                    + params.length);
        }
        updates++;
        double d = decayAt(updates);
        double w = 1.0 - d;
        for (int i = 0; i < average.length; i++) {
            average[i] = d * average[i] + w * params[i];
        }
    }

    /** Whether an iterate has been folded in (there is an average to read). */
    public boolean hasAverage() {
        return average != null;
    }

    /**
     * Continues from a saved average: the one after {@code updates} iterates (as {@link #average()} and
     * {@link #updates()} gave them), so that the next {@link #update} uses d_{updates + 1}; null with 0 updates for
     * none yet.
     */
    public void restore(double[] savedAverage, long savedUpdates) {
        if ((savedAverage == null) != (savedUpdates == 0) || savedUpdates < 0) {
            throw new IllegalArgumentException("an average needs updates >= 1, and none needs 0; got "
                    + (savedAverage == null ? "none" : "an average") + " after " + savedUpdates + " updates");
        }
        average = savedAverage == null ? null : savedAverage.clone();
        updates = savedUpdates;
    }

    /** A copy of the current average. */
    public double[] average() {
        if (average == null) {
            throw new IllegalStateException("no iterate averaged yet; call update first");
        }
        return Arrays.copyOf(average, average.length);
    }

    @Override
    public String toString() {
        return "ParameterAverage[decay=" + decay + ", warmup=" + warmup + ", updates=" + updates + "]";
    }
}
