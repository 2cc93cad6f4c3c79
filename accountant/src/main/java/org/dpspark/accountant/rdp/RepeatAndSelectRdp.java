package org.dpspark.accountant.rdp;

import java.util.Arrays;
import org.dpspark.accountant.TrialCount;

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
 * <p>This class holds the computation for the RDP accountant ({@link RdpAccountant#compose} of a
 * {@code DpEvent.repeatAndSelect} event) and for {@code org.dpspark.accountant.tuning.RandomRepetition}, which calls
 * it. A trial here ({@link #trialRdp}) is one DP-SGD training run (steps compositions of the Poisson-subsampled
 * Gaussian) plus, optionally, the Gaussian release of its score (a count of L2 sensitivity 1).
 */
public final class RepeatAndSelectRdp {

    private RepeatAndSelectRdp() {}

    /**
     * The RDP of the selection at {@code orders[i]}, given the per-trial RDP curve {@code trialRdp[i]} on the same
     * grid: Papernot and Steinke Theorem 2 for a truncated negative binomial count (lambda-hat optimized over the
     * grid), Theorem 6 for a Poisson count (with its (epsilon-hat, delta-hat) conversion), then made monotone in the
     * order (class comment). +Infinity where no bound applies (a trial RDP of +Infinity at every usable order).
     *
     * @param orders   Renyi orders, each finite and &gt; 1
     * @param trialRdp one trial's RDP at each order, &gt;= 0 (+Infinity allowed)
     * @param count    the distribution of the number of trials
     */
    public static double[] rdp(double[] orders, double[] trialRdp, TrialCount count) {
        check(orders, trialRdp);
        if (count == null) {
            throw new IllegalArgumentException("count must not be null");
        }
        int n = orders.length;
        double[] bound = new double[n];
        double logMean = Math.log(count.mean());
        if (count.kind() == TrialCount.Kind.TRUNCATED_NEGATIVE_BINOMIAL) {
            double eta = count.eta();
            double logInvGamma = -Math.log(count.gamma());
            // Theorem 2: the lambda-hat term (1 + eta) [(1 - 1/lh) eps(lh) + log(1/gamma) / lh], best lh on the grid.
            double best = Double.POSITIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                double lh = orders[j];
                double term = (1 + eta) * ((1 - 1 / lh) * trialRdp[j] + logInvGamma / lh);
                best = Math.min(best, term);
            }
            for (int i = 0; i < n; i++) {
                bound[i] = trialRdp[i] + best + logMean / (orders[i] - 1);
            }
        } else {
            double mu = count.gamma();
            double minRdp = Double.POSITIVE_INFINITY;
            for (double r : trialRdp) {
                minRdp = Math.min(minRdp, r);
            }
            // delta <= TV <= sqrt(1 - exp(-KL)) (Bretagnolle-Huber), KL <= every eps(alpha).
            double tvBound = minRdp == Double.POSITIVE_INFINITY ? 1.0 : Math.sqrt(-Math.expm1(-minRdp));
            for (int i = 0; i < n; i++) {
                double lambda = orders[i];
                // Theorem 6: e^epsHat <= 1 + 1/(lambda - 1).
                double epsHat = Math.log1p(1 / (lambda - 1));
                double deltaHat = Math.min(tvBound, RdpAccountant.toDelta(orders, trialRdp, epsHat));
                bound[i] = trialRdp[i] + mu * deltaHat + logMean / (lambda - 1);
            }
        }
        // Monotonicity in the order: rdp(lambda) <= min over lambda' >= lambda of the bound at lambda'.
        Integer[] byOrder = new Integer[n];
        for (int i = 0; i < n; i++) {
            byOrder[i] = i;
        }
        Arrays.sort(byOrder, (a, b) -> Double.compare(orders[b], orders[a]));
        double[] result = new double[n];
        double running = Double.POSITIVE_INFINITY;
        for (int idx : byOrder) {
            double v = Double.isNaN(bound[idx]) ? Double.POSITIVE_INFINITY : bound[idx];
            running = Math.min(running, v);
            result[idx] = Math.max(0.0, running);
        }
        return result;
    }

    /**
     * The RDP curve on {@code orders} of one trial: {@code steps} compositions of the Poisson-subsampled Gaussian
     * (q, sigma) ({@link SubsampledGaussianRdp}; composition adds RDP, Mironov 2017, Prop. 1) plus one Gaussian
     * release of a count of L2 sensitivity 1 with noise multiplier {@code scoreSigma}, of RDP alpha / (2 scoreSigma^2)
     * (Mironov 2017, Prop. 7). {@code scoreSigma} = +Infinity means no score release.
     *
     * @param orders     Renyi orders, each finite and &gt; 1
     * @param q          sampling rate in (0, 1]
     * @param sigma      noise multiplier, finite and &gt; 0
     * @param steps      &gt;= 1
     * @param scoreSigma the score's noise multiplier, &gt; 0, +Infinity for none
     */
    public static double[] trialRdp(double[] orders, double q, double sigma, long steps, double scoreSigma) {
        if (orders == null || orders.length == 0) {
            throw new IllegalArgumentException("orders must be a non-empty array");
        }
        checkTrial(q, sigma, steps, scoreSigma);
        double[] out = new double[orders.length];
        for (int i = 0; i < orders.length; i++) {
            double a = orders[i];
            if (!(a > 1 && a < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("orders[" + i + "] must be finite and > 1, got " + a);
            }
            double score = scoreSigma == Double.POSITIVE_INFINITY ? 0.0 : a / (2 * scoreSigma * scoreSigma);
            out[i] = steps * SubsampledGaussianRdp.rdp(q, sigma, a) + score;
        }
        return out;
    }

    private static void checkTrial(double q, double sigma, long steps, double scoreSigma) {
        if (!(q > 0 && q <= 1)) {
            throw new IllegalArgumentException("q must be in (0, 1], got " + q);
        }
        if (!(sigma > 0 && sigma < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("sigma must be finite and > 0, got " + sigma);
        }
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        }
        if (!(scoreSigma > 0)) {
            throw new IllegalArgumentException("score sigma must be > 0 (+Infinity: no score release), got "
                    + scoreSigma);
        }
    }

    private static void check(double[] orders, double[] trialRdp) {
        if (orders == null || trialRdp == null || orders.length == 0 || orders.length != trialRdp.length) {
            throw new IllegalArgumentException("orders and trialRdp must be non-empty arrays of equal length, got "
                    + (orders == null ? "null" : orders.length) + " and "
                    + (trialRdp == null ? "null" : trialRdp.length));
        }
        for (int i = 0; i < orders.length; i++) {
            if (!(orders[i] > 1 && orders[i] < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("orders[" + i + "] must be finite and > 1, got " + orders[i]);
            }
            if (!(trialRdp[i] >= 0)) {
                throw new IllegalArgumentException("trialRdp[" + i + "] must be >= 0, got " + trialRdp[i]);
            }
        }
    }
}
