package org.dpspark.core.audit;

import java.util.Objects;
import org.dpspark.core.clip.L2Clipping;
import org.dpspark.core.params.InvalidParameterException;
import org.dpspark.core.random.RandomSource;
import org.dpspark.core.sampling.PoissonSampler;

/**
 * The white-box Dirac canaries of one partition for the one-run privacy audit (Steinke, Nasr and Jagielski 2023,
 * "Privacy auditing with one (1) training run", NeurIPS 2023, arXiv 2305.08846, Section 7, white-box setting):
 * canary i (an id in [0, m)) is the gradient rawNorm * e_{firstCoordinate + i}, a Dirac vector on a coordinate
 * that no real example touches ({@link CanaryPaddedModel}). The included canaries take part in every DP-SGD step
 * exactly as examples do: Poisson-sampled with the examples' rate q, clipped to the gradient clip norm, added to
 * the sum that the driver noises.
 *
 * <p>After training, canary i's score ({@link #scores}) is the distance its coordinate moved down, the alignment of
 * the canary's gradient with the sum of the model updates. Under (epsilon, delta)-DP the audit's guesses from these
 * scores cannot be too accurate ({@code org.dpspark.accountant.audit.OneRunAudit}); an implementation that skips
 * clipping or noise makes them accurate.
 *
 * <p>Immutable; the randomness comes from the {@link RandomSource} passed to each call.
 */
public final class WhiteBoxCanaries implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private final int firstCoordinate;
    private final int[] canaryIds;
    private final double rawNorm;

    /**
     * @param firstCoordinate the coordinate of canary 0 ({@link CanaryPaddedModel#canaryCoordinate}(0)), &gt;= 0
     * @param canaryIds       the ids of this partition's included canaries, each &gt;= 0, strictly increasing
     *                        (copied)
     * @param rawNorm         the canary gradient's magnitude before clipping, finite and &gt; 0
     */
    public WhiteBoxCanaries(int firstCoordinate, int[] canaryIds, double rawNorm) {
        if (firstCoordinate < 0) {
            throw InvalidParameterException.of("firstCoordinate", "must be >= 0, got " + firstCoordinate);
        }
        Objects.requireNonNull(canaryIds, "canaryIds");
        for (int k = 0; k < canaryIds.length; k++) {
            if (canaryIds[k] < 0 || (k > 0 && canaryIds[k] <= canaryIds[k - 1])) {
                throw InvalidParameterException.of("canaryIds", "must be >= 0 and strictly increasing, got "
                        + canaryIds[k] + " at index " + k);
            }
            if ((long) firstCoordinate + canaryIds[k] >= Integer.MAX_VALUE) {
                throw InvalidParameterException.of("canaryIds", "must keep firstCoordinate + id < 2^31 - 1, got "
                        + canaryIds[k] + " with firstCoordinate " + firstCoordinate);
            }
        }
        if (!(rawNorm > 0.0 && rawNorm < Double.POSITIVE_INFINITY)) {
            throw InvalidParameterException.of("rawNorm", "must be a finite number > 0, got " + rawNorm);
        }
        this.firstCoordinate = firstCoordinate;
        this.canaryIds = canaryIds.clone();
        this.rawNorm = rawNorm;
    }

    public int firstCoordinate() {
        return firstCoordinate;
    }

    /** The canary ids (a copy). */
    public int[] canaryIds() {
        return canaryIds.clone();
    }

    public double rawNorm() {
        return rawNorm;
    }

    /**
     * One step's canary contributions: each canary is sampled independently by {@code sampler} (the examples'
     * Poisson sampler, rate q), and each sampled canary i adds its Dirac gradient clipped to L2 norm
     * {@code gradientClip} to sum[firstCoordinate + i]. L2 clipping ({@link L2Clipping}) of rawNorm * e_j is
     * exactly min(rawNorm, gradientClip) * e_j, which is computed in that closed form (no rounding in
     * rawNorm * (C / rawNorm)). {@code gradientClip = +Infinity} is accepted and adds rawNorm: it models a trainer
     * that skips clipping, which the audit must then detect.
     *
     * @param gradientClip the examples' gradient clip norm, &gt; 0 (finite, or +Infinity for "no clipping")
     * @param sum          the step's clipped sum, added to, not overwritten
     * @return how many canaries were sampled; for tests only: it is private (it reveals canary membership), so
     *         callers must never log it
     */
    public int accumulate(PoissonSampler sampler, RandomSource rng, double gradientClip, double[] sum) {
        Objects.requireNonNull(sampler, "sampler");
        Objects.requireNonNull(rng, "rng");
        Objects.requireNonNull(sum, "sum");
        if (!(gradientClip > 0.0)) {
            throw InvalidParameterException.of("gradientClip", "must be > 0 (or +Infinity), got " + gradientClip);
        }
        if (canaryIds.length > 0 && (long) firstCoordinate + canaryIds[canaryIds.length - 1] >= sum.length) {
            throw new IllegalArgumentException("sum must have length > firstCoordinate + largest canary id = "
                    + ((long) firstCoordinate + canaryIds[canaryIds.length - 1]) + ", got " + sum.length);
        }
        final double value = clippedValue(rawNorm, gradientClip);
        return sampler.sample(canaryIds.length, rng, k -> sum[firstCoordinate + canaryIds[k]] += value);
    }

    /** The single nonzero coordinate of the Dirac vector rawNorm * e_j after L2 clipping to clip. */
    static double clippedValue(double rawNorm, double clip) {
        if (clip == Double.POSITIVE_INFINITY) {
            return rawNorm;
        }
        // L2Clipping.factor validates clip and says whether the vector is scaled; a scaled Dirac vector has norm C
        return L2Clipping.factor(rawNorm, clip) == 1.0 ? rawNorm : clip;
    }

    /**
     * The white-box scores: score_i = initialPadded[first + i] - finalPadded[first + i] for i in [0, m). Gradient
     * descent moves a coordinate down by the learning rate times the (noised) sum; an included canary's +rawNorm
     * gradient on its coordinate pushes it down, so a larger score means "more likely a member" (Steinke, Nasr and
     * Jagielski 2023, Section 7: the inner product of the canary with the total model update).
     */
    public static double[] scores(double[] initialPadded, double[] finalPadded, int firstCoordinate, int m) {
        Objects.requireNonNull(initialPadded, "initialPadded");
        Objects.requireNonNull(finalPadded, "finalPadded");
        if (m < 1) {
            throw InvalidParameterException.of("canaries", "must be >= 1, got " + m);
        }
        if (firstCoordinate < 0) {
            throw InvalidParameterException.of("firstCoordinate", "must be >= 0, got " + firstCoordinate);
        }
        Objects.checkFromIndexSize(firstCoordinate, m, initialPadded.length);
        Objects.checkFromIndexSize(firstCoordinate, m, finalPadded.length);
        double[] s = new double[m];
        for (int i = 0; i < m; i++) {
            s[i] = initialPadded[firstCoordinate + i] - finalPadded[firstCoordinate + i];
        }
        return s;
    }

    @Override
    public String toString() {
        // the ids, and even their number, say which canaries were included: not shown
        return "WhiteBoxCanaries[firstCoordinate=" + firstCoordinate + ", rawNorm=" + rawNorm + "]";
    }
}
