package org.dpspark.jobs.provenance;

import java.io.Serializable;

/**
 * The differential-privacy guarantee a model was trained under, as the accountant computed it for the run's plan:
 * (epsilon, delta)-DP for the stated unit and adjacency, under Poisson sampling with rate q, T steps of the
 * Gaussian mechanism with noise multiplier sigma and clip norm C (Abadi et al. 2016).
 *
 * @param epsilon the reported epsilon at {@code delta} for the whole run (an upper bound: the smallest valid bound
 *     of the accountants run, named by {@code accountant})
 * @param delta the delta of the guarantee
 * @param accountant the accountant that gave {@code epsilon}, e.g. "pld" or "rdp" (a string at this edge)
 * @param rdpEpsilon the RDP accountant's epsilon at {@code delta} (Mironov 2017), or null when not recorded
 * @param pldEpsilon the PLD accountant's epsilon at {@code delta} (Koskela et al.; Doroshenko et al.), or null when
 *     not recorded
 * @param unit the unit of privacy, e.g. "row"
 * @param adjacency the neighbouring relation, e.g. "add/remove one row"
 * @param sampling how batches were drawn, e.g. "poisson"
 * @param samplingRate the Poisson sampling rate q
 * @param noiseMultiplier the noise multiplier sigma (noise std / clip norm)
 * @param clipNorm the per-example L2 clip norm C
 * @param steps the number of steps T
 * @param calibrated true when sigma was calibrated to meet {@code targetEpsilon}, false when it was given; null when
 *     the model's format did not record it
 * @param targetEpsilon the target epsilon sigma was calibrated for, or null when none was given (or not recorded)
 * @param insecureTestRun true when a fixed test seed was used: noise and sampling were predictable and NO privacy
 *     holds, whatever epsilon says
 * @param secureAggregation who added the noise when the parties did (masking or paillier: the distributed discrete
 *     Gaussian), or null for the central mode (the driver added Gaussian noise)
 */
public record PrivacyClaim(
        double epsilon,
        double delta,
        String accountant,
        Double rdpEpsilon,
        Double pldEpsilon,
        String unit,
        String adjacency,
        String sampling,
        double samplingRate,
        double noiseMultiplier,
        double clipNorm,
        long steps,
        Boolean calibrated,
        Double targetEpsilon,
        boolean insecureTestRun,
        SecureAggregationClaim secureAggregation) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** A claim of the central mode (the driver added the noise). */
    public PrivacyClaim(double epsilon, double delta, String accountant, Double rdpEpsilon, Double pldEpsilon,
            String unit, String adjacency, String sampling, double samplingRate, double noiseMultiplier,
            double clipNorm, long steps, Boolean calibrated, Double targetEpsilon, boolean insecureTestRun) {
        this(epsilon, delta, accountant, rdpEpsilon, pldEpsilon, unit, adjacency, sampling, samplingRate,
                noiseMultiplier, clipNorm, steps, calibrated, targetEpsilon, insecureTestRun, null);
    }

    /**
     * The noise of a secure aggregation, added by the parties (Kairouz, Liu and Steinke 2021).
     *
     * @param mode "masking" or "paillier"
     * @param mechanism "distributed discrete Gaussian"
     * @param parties n, the parties (partitions)
     * @param colluding t, the parties that may collude with the driver; the n - t honest parties' noise meets the claim
     * @param bits b, the modulus 2^b of the shares
     * @param scale integer units per unit of the sums (1 / gamma)
     * @param localVariance each party's discrete Gaussian parameter sigma^2, in integer units
     * @param sensitivity the L2 sensitivity in integer units, rounding included (scale C + sqrt(padded dimension))
     * @param effectiveNoiseMultiplier the honest parties' noise std over that sensitivity
     */
    public record SecureAggregationClaim(String mode, String mechanism, int parties, int colluding, int bits,
            double scale, long localVariance, double sensitivity, double effectiveNoiseMultiplier)
            implements Serializable {
        private static final long serialVersionUID = 1L;

        public SecureAggregationClaim {
            Fields.requireText(mode, "mode");
            Fields.requireText(mechanism, "mechanism");
            if (parties < 1 || colluding < 0 || colluding >= parties || bits < 1) {
                throw new IllegalArgumentException("secure aggregation needs 0 <= t < n and b >= 1, got n = " + parties
                        + ", t = " + colluding + ", b = " + bits);
            }
        }
    }

    public PrivacyClaim {
        Fields.requireText(accountant, "accountant");
        Fields.requireText(unit, "unit");
        Fields.requireText(adjacency, "adjacency");
        Fields.requireText(sampling, "sampling");
        if (!(steps >= 0)) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
    }

    /** What a model trained without noise ({@code --no-dp}) says in place of a guarantee. */
    public static final String NO_GUARANTEE = "no differential-privacy guarantee";

    /** The accountant field of a claim without guarantee. */
    public static final String NO_ACCOUNTANT = "none";

    /**
     * The claim of an explicitly non-private run ({@code --no-dp}: no noise): no guarantee, no epsilon (stored as
     * +Infinity, never shown as a number), no delta, accountant {@link #NO_ACCOUNTANT}.
     */
    public static PrivacyClaim none(String unit, String sampling, double samplingRate, double clipNorm, long steps,
            boolean insecureTestRun) {
        return new PrivacyClaim(Double.POSITIVE_INFINITY, 0.0, NO_ACCOUNTANT, null, null, unit,
                "none (no differential privacy)", sampling, samplingRate, 0.0, clipNorm, steps, false, null,
                insecureTestRun, null);
    }

    /** Whether the model has a differential-privacy guarantee (false only for {@code --no-dp} runs). */
    public boolean guaranteed() {
        return !NO_ACCOUNTANT.equals(accountant);
    }

    @Override
    public String toString() {
        if (!guaranteed()) {
            return NO_GUARANTEE + " (trained without noise, --no-dp)";
        }
        return String.format(java.util.Locale.ROOT, "(epsilon = %.4f, delta = %.3g)-DP per %s, %s accountant%s%s",
                epsilon, delta, unit, accountant, secureAggregation == null ? ""
                        : String.format(java.util.Locale.ROOT, ", %s (%s, n = %d, t = %d, b = %d)",
                                secureAggregation.mechanism(), secureAggregation.mode(), secureAggregation.parties(),
                                secureAggregation.colluding(), secureAggregation.bits()),
                insecureTestRun ? " [INSECURE TEST SEED: NO PRIVACY]" : "");
    }
}
