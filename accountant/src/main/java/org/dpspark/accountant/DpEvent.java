package org.dpspark.accountant;

import org.dpspark.core.secagg.DdgParams;

/**
 * {@code steps} compositions of one Poisson-subsampled additive noise mechanism under add/remove adjacency: the
 * continuous Gaussian (the default, {@code discrete == null}) or the distributed discrete Gaussian of secure
 * aggregation ({@link Discrete}).
 *
 * <p><b>Gaussian</b> ({@code discrete == null}). Each step includes every record independently with probability
 * {@code samplingRate} (q), sums the records' contributions (L2 sensitivity 1 after clipping and scaling) and adds
 * Gaussian noise of standard deviation {@code noiseMultiplier} (sigma) times the sensitivity (Abadi et al. 2016;
 * Mironov, Talwar, Zhang 2019).
 *
 * <p><b>Distributed discrete Gaussian</b> ({@code discrete != null}; Kairouz, Liu and Steinke, ICML 2021, "KLS").
 * Each step samples as above; the sum of the parties' quantized vectors (integers, {@code discrete.dim()}
 * coordinates) gets the sum of the honest parties' discrete Gaussian noise. {@code noiseMultiplier} is then
 * z = (std of the honest parties' total noise) / (L2 sensitivity of the quantized sum), both in integer units
 * ({@link DdgParams#effectiveNoiseMultiplier()}), and {@code discrete.tau()} is KLS Theorem 1's tau for that sum
 * ({@link DdgParams#tau()}). The accountants treat events with different {@code discrete} as different mechanisms.
 *
 * <p><b>Hyperparameter search</b> ({@code selection != null}; {@link #repeatAndSelect}). The whole search: K trials,
 * K drawn from {@code selection.count()}, each trial {@code steps} compositions of the Poisson-subsampled Gaussian
 * (q = {@code samplingRate}, sigma = {@code noiseMultiplier}) plus the Gaussian release of its score (noise
 * multiplier {@code selection.scoreNoiseMultiplier()}), and only the best trial output (Papernot and Steinke, ICLR
 * 2022; {@code org.dpspark.accountant.tuning.RandomRepetition}). Such an event is one indivisible mechanism: it is
 * never merged with another by adding steps ({@link #sameMechanism} is false whenever either event is a selection
 * and {@link #withSteps} refuses it); composing two searches adds their RDP curves.
 *
 * @param samplingRate    q, with 0 &lt; q &lt;= 1 (q = 1: no subsampling)
 * @param noiseMultiplier sigma (Gaussian) or z (discrete) = noise standard deviation / L2 sensitivity, finite and
 *                        &gt; 0
 * @param steps           number of compositions, &gt;= 1
 * @param discrete        the distributed discrete Gaussian's parameters, or null for the continuous Gaussian
 * @param selection       the search around the training runs (each trial {@code steps} steps), or null for a plain
 *                        composition; never together with {@code discrete}
 */
public record DpEvent(double samplingRate, double noiseMultiplier, long steps, Discrete discrete,
        Selection selection) {

    /**
     * A search's trial count and score release (see the class comment).
     *
     * @param count                the distribution of the number of trials K
     * @param scoreNoiseMultiplier the noise multiplier of each trial's score (a count of L2 sensitivity 1), &gt; 0,
     *                             +Infinity when no score is released
     */
    public record Selection(TrialCount count, double scoreNoiseMultiplier) {

        /** Validates the parameters; rejects NaN. */
        public Selection {
            if (count == null) {
                throw new IllegalArgumentException("the trial count must not be null");
            }
            if (!(scoreNoiseMultiplier > 0)) {
                throw new IllegalArgumentException(
                        "scoreNoiseMultiplier must be > 0 (+Infinity: no score release), got "
                        + scoreNoiseMultiplier);
            }
        }
    }

    /**
     * The parameters of the distributed discrete Gaussian that KLS Proposition 14 needs besides the l2 scale 1/z.
     *
     * @param tau KLS Theorem 1's tau of the sum of the honest parties' discrete Gaussians, finite and &gt;= 0
     *            (0 for a single discrete Gaussian)
     * @param dim d, the number of coordinates noised (the padded, rotated dimension), &gt;= 1
     */
    public record Discrete(double tau, int dim) {

        /** Validates the parameters; rejects NaN. */
        public Discrete {
            if (!(tau >= 0 && tau < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("tau must be finite and >= 0, got " + tau);
            }
            if (dim < 1) {
                throw new IllegalArgumentException("dim must be >= 1, got " + dim);
            }
        }
    }

    /** Validates the parameters; every check rejects NaN. */
    public DpEvent {
        if (!(samplingRate > 0 && samplingRate <= 1)) {
            throw new IllegalArgumentException("samplingRate must be in (0, 1], got " + samplingRate);
        }
        if (!(noiseMultiplier > 0 && noiseMultiplier < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("noiseMultiplier must be finite and > 0, got " + noiseMultiplier);
        }
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        }
        if (selection != null && discrete != null) {
            throw new IllegalArgumentException("a selection event's trials are Gaussian; discrete must be null");
        }
    }

    /**
     * {@code steps} compositions of the Poisson-subsampled mechanism: the continuous Gaussian ({@code discrete ==
     * null}) or the distributed discrete Gaussian; not a selection.
     */
    public DpEvent(double samplingRate, double noiseMultiplier, long steps, Discrete discrete) {
        this(samplingRate, noiseMultiplier, steps, discrete, null);
    }

    /** {@code steps} compositions of the Poisson-subsampled continuous Gaussian (noise multiplier sigma). */
    public DpEvent(double samplingRate, double noiseMultiplier, long steps) {
        this(samplingRate, noiseMultiplier, steps, null);
    }

    /**
     * {@code steps} compositions of the Poisson-subsampled distributed discrete Gaussian with the encoding {@code p}:
     * z = {@link DdgParams#effectiveNoiseMultiplier()}, tau = {@link DdgParams#tau()}, d =
     * {@link DdgParams#paddedDim()}.
     */
    public static DpEvent distributedDiscrete(double samplingRate, DdgParams p, long steps) {
        if (p == null) {
            throw new IllegalArgumentException("DDG parameters must not be null");
        }
        return new DpEvent(samplingRate, p.effectiveNoiseMultiplier(), steps, new Discrete(p.tau(), p.paddedDim()));
    }

    /**
     * A whole hyperparameter search (class comment): K ~ {@code selection.count()} trials, each {@code stepsPerTrial}
     * compositions of the Poisson-subsampled Gaussian (samplingRate, noiseMultiplier) plus the score release, best
     * trial selected.
     */
    public static DpEvent repeatAndSelect(double samplingRate, double noiseMultiplier, long stepsPerTrial,
            Selection selection) {
        if (selection == null) {
            throw new IllegalArgumentException("selection must not be null");
        }
        return new DpEvent(samplingRate, noiseMultiplier, stepsPerTrial, null, selection);
    }

    /** Whether this is a whole hyperparameter search ({@link #selection()} is set). */
    public boolean isSelection() {
        return selection != null;
    }

    /** Whether this is the distributed discrete Gaussian ({@link #discrete()} is set). */
    public boolean isDiscrete() {
        return discrete != null;
    }

    /**
     * Whether {@code other} composes the same per-step mechanism (equal q, noise multiplier and {@code discrete}),
     * whatever the steps: such events may be merged by adding their steps. Always false when either is a selection
     * (a search is not a composition of its steps).
     */
    public boolean sameMechanism(DpEvent other) {
        return other != null && selection == null && other.selection == null
                && samplingRate == other.samplingRate && noiseMultiplier == other.noiseMultiplier
                && java.util.Objects.equals(discrete, other.discrete);
    }

    /**
     * The same mechanism composed {@code newSteps} times.
     *
     * @throws IllegalStateException for a selection event (its steps are per trial; searches never merge)
     */
    public DpEvent withSteps(long newSteps) {
        if (selection != null) {
            throw new IllegalStateException("a selection event (a whole hyperparameter search) has no per-step form: "
                    + this);
        }
        return new DpEvent(samplingRate, noiseMultiplier, newSteps, discrete);
    }

    /**
     * As a record's, without the {@code discrete} and {@code selection} parts when they are absent (as before they
     * existed).
     */
    @Override
    public String toString() {
        return "DpEvent[samplingRate=" + samplingRate + ", noiseMultiplier=" + noiseMultiplier + ", steps=" + steps
                + (discrete == null ? "" : ", discrete=" + discrete)
                + (selection == null ? "" : ", selection=" + selection) + "]";
    }
}
