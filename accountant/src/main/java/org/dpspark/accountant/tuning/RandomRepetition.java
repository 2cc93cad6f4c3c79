package org.dpspark.accountant.tuning;

import org.dpspark.accountant.TrialCount;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.dpspark.accountant.rdp.RepeatAndSelectRdp;

/**
 * Renyi DP of private selection with a random number of repetitions (Papernot and Steinke, ICLR 2022,
 * "Hyperparameter tuning with Renyi differential privacy", arXiv 2110.03620): run K trials of a mechanism Q, K drawn
 * from a {@link TrialCount}, each trial returning (score, model), and output the best one (only that one).
 *
 * <p><b>Truncated negative binomial</b> (Theorem 2). If Q is (lambda, epsilon)-RDP and (lambda-hat, epsilon-hat)-RDP
 * with lambda &gt; 1, lambda-hat &gt;= 1, and K ~ D_{eta, gamma} (eta &gt; -1, 0 &lt; gamma &lt; 1), the selection is
 * (lambda, epsilon')-RDP with
 * <pre>  epsilon' = epsilon + (1 + eta) (1 - 1/lambda-hat) epsilon-hat + (1 + eta) log(1/gamma) / lambda-hat
 *            + log(E[K]) / (lambda - 1).</pre>
 * The second order lambda-hat is free; {@link #rdp} takes the best one on the grid (the term that depends on it is
 * the same for every lambda, so one minimum serves all orders).
 *
 * <p><b>Poisson</b> (Theorem 6). If Q is (lambda, epsilon)-RDP and (epsilon-hat, delta-hat)-DP with
 * e^epsilon-hat &lt;= 1 + 1/(lambda - 1), and K ~ Poisson(mu), the selection is (lambda, epsilon')-RDP with
 * <pre>  epsilon' = epsilon + mu delta-hat + log(mu) / (lambda - 1).</pre>
 * {@link #rdp} takes epsilon-hat = log(1 + 1/(lambda - 1)) (the largest allowed, so the smallest delta-hat) and
 * delta-hat from the trial's own RDP curve: the smaller of the conversion of {@link RdpAccountant#toDelta} (Balle et
 * al. 2020, Thm 21) and the Bretagnolle-Huber bound delta-hat &lt;= TV &lt;= sqrt(1 - exp(-KL)) with KL &lt;=
 * epsilon(alpha) for every alpha &gt; 1 (Renyi divergence is nondecreasing in its order: van Erven and Harremoes
 * 2014, Theorem 3). This is the choice of Google dp_accounting's RDP accountant.
 *
 * <p>Both bounds are then made nonincreasing towards lower orders: Renyi divergence is nondecreasing in the order
 * (van Erven and Harremoes 2014, Theorem 3), so an (lambda', epsilon')-RDP guarantee is also one at every lambda &lt;=
 * lambda'; rdp[i] is the minimum of the bound over the grid's orders &gt;= orders[i].
 *
 * <p>The bounds are computed by {@link RepeatAndSelectRdp} (package rdp, so that the RDP accountant uses the same
 * code without a package cycle). A trial here ({@link #trialRdp}) is one DP-SGD training run (steps compositions of
 * the Poisson-subsampled Gaussian) plus, optionally, the Gaussian release of its score (a count of L2 sensitivity 1).
 * The output of a search is the best trial's model and score only; releasing every trial's result would instead
 * cost the composition of K trials.
 */
public final class RandomRepetition {

    private RandomRepetition() {}

    /**
     * The RDP of the selection at {@code orders[i]}, given the per-trial RDP curve {@code trialRdp[i]} on the same
     * grid: Papernot and Steinke Theorem 2 for a truncated negative binomial count (lambda-hat optimized over the
     * grid), Theorem 6 for a Poisson count (with its (epsilon-hat, delta-hat) conversion), then made monotone in the
     * order (class comment; computed by {@link RepeatAndSelectRdp#rdp}). +Infinity where no bound applies.
     *
     * @param orders   Renyi orders, each finite and &gt; 1
     * @param trialRdp one trial's RDP at each order, &gt;= 0 (+Infinity allowed)
     * @param count    the distribution of the number of trials
     */
    public static double[] rdp(double[] orders, double[] trialRdp, TrialCount count) {
        return RepeatAndSelectRdp.rdp(orders, trialRdp, count);
    }

    /**
     * The RDP curve on {@code orders} of one trial: {@code steps} compositions of the Poisson-subsampled Gaussian
     * (q, sigma) plus one Gaussian release of a count of L2 sensitivity 1 with noise multiplier {@code scoreSigma}, of
     * RDP alpha / (2 scoreSigma^2) (Mironov 2017, Prop. 7); {@code scoreSigma} = +Infinity means no score release
     * ({@link RepeatAndSelectRdp#trialRdp}).
     */
    public static double[] trialRdp(double[] orders, double q, double sigma, long steps, double scoreSigma) {
        return RepeatAndSelectRdp.trialRdp(orders, q, sigma, steps, scoreSigma);
    }

    /**
     * Epsilon at {@code delta} of the whole search: {@link #rdp} of {@link #trialRdp} on
     * {@link RdpAccountant#defaultOrders()}, converted as {@link RdpAccountant#toEpsilon} (Balle et al. 2020, Thm 21).
     */
    public static double epsilon(TrialCount count, double q, double sigma, long steps, double scoreSigma,
            double delta) {
        double[] orders = RdpAccountant.defaultOrders();
        return RdpAccountant.toEpsilon(orders, rdp(orders, trialRdp(orders, q, sigma, steps, scoreSigma), count),
                delta).epsilon();
    }

    /** Smallest sigma searched by {@link #calibrateSigma}. */
    static final double MIN_SIGMA = 0.3;
    /** Largest sigma searched by {@link #calibrateSigma}. */
    static final double MAX_SIGMA = 1000;

    /**
     * The smallest noise multiplier (to a relative 1e-4, rounded up so that the bound holds) in [0.3, 1000] whose
     * search epsilon ({@link #epsilon}) is at most {@code targetEpsilon}; bisection on log(sigma) (the bound
     * decreases as sigma grows: every trial RDP does, and each theorem's bound is nondecreasing in them).
     *
     * @throws IllegalArgumentException when no sigma in [0.3, 1000] meets the target
     */
    public static double calibrateSigma(double targetEpsilon, double delta, TrialCount count, double q, long steps,
            double scoreSigma) {
        if (!(targetEpsilon > 0 && targetEpsilon < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("target epsilon must be finite and > 0, got " + targetEpsilon);
        }
        if (count == null) {
            throw new IllegalArgumentException("count must not be null");
        }
        double atMax = epsilon(count, q, MAX_SIGMA, steps, scoreSigma, delta);
        if (!(atMax <= targetEpsilon)) {
            throw new IllegalArgumentException("no noise multiplier in [0.3, 1000] gives epsilon <= " + targetEpsilon
                    + " at delta " + delta + " for a search with "
                    + count.describe() + " trials (q = " + q + ", " + steps + " steps, score sigma " + scoreSigma
                    + "): even sigma = " + MAX_SIGMA + " gives " + atMax);
        }
        if (epsilon(count, q, MIN_SIGMA, steps, scoreSigma, delta) <= targetEpsilon) {
            return MIN_SIGMA;
        }
        double lo = MIN_SIGMA; // fails
        double hi = MAX_SIGMA; // meets
        while (hi > lo * (1 + 1e-4)) {
            double mid = Math.sqrt(lo * hi);
            if (epsilon(count, q, mid, steps, scoreSigma, delta) <= targetEpsilon) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    /** The theorem used for {@code count}, for reports. */
    public static String theorem(TrialCount count) {
        if (count == null) {
            throw new IllegalArgumentException("count must not be null");
        }
        return count.isPoisson() ? "Papernot and Steinke (ICLR 2022), Theorem 6 (Poisson)"
                : "Papernot and Steinke (ICLR 2022), Theorem 2 (truncated negative binomial)";
    }

}
