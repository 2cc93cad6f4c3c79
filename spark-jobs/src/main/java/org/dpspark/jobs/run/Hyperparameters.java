package org.dpspark.jobs.run;

import java.util.Locale;

/**
 * One point of a hyperparameter search: the settings a trial may change without changing the privacy of a trial
 * (q and T stay those of the search, sigma is the search's; the clip norm scales the noise with it). Validated as the
 * training configuration validates them.
 *
 * @param learningRate the SGD learning rate, finite and &gt; 0
 * @param clipNorm the per-example L2 clip norm C, finite and &gt; 0
 * @param momentum the momentum coefficient (used by the momentum optimizer), in [0, 1)
 */
public record Hyperparameters(double learningRate, double clipNorm, double momentum) {

    /** Rejects NaN, infinities and values outside each rule, naming the parameter. */
    public Hyperparameters {
        if (!(learningRate > 0 && learningRate < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("learning-rate must be finite and > 0, got " + learningRate);
        }
        if (!(clipNorm > 0 && clipNorm < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("clip-norm must be finite and > 0, got " + clipNorm);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
    }

    /** "learning-rate=0.5 clip-norm=1 momentum=0.9", for the console and the report. */
    public String describe() {
        return describe(true);
    }

    /** As {@link #describe()}, without the momentum when the run's optimizer does not use it. */
    public String describe(boolean withMomentum) {
        return String.format(Locale.ROOT, "learning-rate=%s clip-norm=%s", fmt(learningRate), fmt(clipNorm))
                + (withMomentum ? " momentum=" + fmt(momentum) : "");
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }
}
