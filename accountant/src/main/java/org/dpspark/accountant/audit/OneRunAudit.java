package org.dpspark.accountant.audit;

import org.apache.commons.numbers.gamma.LogGamma;
import org.dpspark.core.params.Checks;
import org.dpspark.core.params.InvalidParameterException;

/**
 * Empirical lower bounds on epsilon from one training run: Steinke, Nasr and Jagielski, "Privacy auditing with one
 * (1) training run", NeurIPS 2023 (arXiv 2305.08846).
 *
 * <p>The game (their Algorithm 1): {@code m} canaries, each included in the training set independently with
 * probability 1/2; after training the auditor guesses "in" or "out" for {@code r} of them (abstaining on the
 * rest) and {@code v} guesses are correct. Their main theorem for (epsilon, delta)-DP (Theorem 3.1 of
 * arXiv 2305.08846) bounds how likely {@code v} correct guesses are under the null hypothesis "the training run is
 * (epsilon, delta)-DP":
 *
 * <pre>
 *   P[W &gt;= v] &lt;= p(epsilon) = P[W' &gt;= v] + 2 m delta * max_{i = 1..v} (1/i) P[v - i &lt;= W' &lt; v],
 *   W' ~ Binomial(r, e^epsilon / (1 + e^epsilon)),
 * </pre>
 *
 * <p>i.e. the first term is exactly the (epsilon, 0) case, the guesses of randomized response (each correct with
 * probability e^epsilon / (1 + e^epsilon), independently), and the second is the delta term of the same theorem,
 * in the form the paper's appendix evaluates numerically (its listing computing the p-value and bisecting
 * epsilon). {@link #pValue} is this {@code p(epsilon)} (capped at 1).
 *
 * <p>The lower bound is the largest epsilon the test rejects: {@code sup {epsilon >= 0 : p(epsilon) <= beta}}.
 * Rejecting (epsilon, delta)-DP rejects (epsilon', delta)-DP for every epsilon' &lt; epsilon, so every epsilon
 * with {@code p(epsilon) <= beta} is a valid lower bound at confidence 1 - beta; like the paper we find the
 * boundary by bisection, which assumes {@code p} nondecreasing in epsilon (the binomial tail is; the tests check
 * the whole {@code p} on grids). Bisection keeps {@code p(lo) <= beta}, so what is returned is always a rejected
 * epsilon, hence valid even where that assumption failed. All binomial probabilities are exact sums of the
 * probability mass function, evaluated in log space (log-sum-exp), so nothing overflows or underflows for any
 * {@code r} and epsilon.
 *
 * <p>Plain Java; nothing here sees data.
 */
public final class OneRunAudit {
    private OneRunAudit() {}

    /** Bisection stops when the bracket is narrower than this (relative to max(1, hi)). */
    private static final double TOLERANCE = 1e-12;

    /**
     * The largest epsilon such that {@code correct} correct guesses out of {@code guesses}, with {@code canaries}
     * canaries in the game, would have probability at most {@code beta} under (epsilon, delta)-DP (Steinke, Nasr
     * and Jagielski 2023, Theorem 3.1 and the appendix's p-value; see the class comment). With probability at
     * least 1 - beta over the canaries' coin flips, the training run is not (epsilon', delta)-DP for any epsilon'
     * below the returned value; 0 when nothing can be rejected.
     *
     * @param canaries m, the number of canaries, each included with probability 1/2 (>= 2)
     * @param guesses r, the guesses made (abstentions excluded), in [1, canaries]
     * @param correct v, the correct guesses, in [0, guesses]
     * @param delta the delta of the null hypothesis, in [0, 1)
     * @param beta 1 - confidence, in (0, 1)
     */
    public static double epsilonLowerBound(int canaries, int guesses, int correct, double delta, double beta) {
        check(canaries, guesses, correct, delta);
        Checks.openInterval("beta", beta, 0, 1);
        PValue p = new PValue(canaries, guesses, correct, delta);
        double logBeta = Math.log(beta);
        if (!(p.log(0) <= logBeta)) {
            return 0;
        }
        double lo = 0;
        double hi = 1;
        // p(epsilon) -> 1 > beta as epsilon grows (P[W' >= v] -> 1 for v <= r), so this ends; hi < 64 for any int r.
        while (p.log(hi) <= logBeta) {
            lo = hi;
            hi *= 2;
        }
        while (hi - lo > TOLERANCE * Math.max(1, hi)) {
            double mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi) {
                break;
            }
            if (p.log(mid) <= logBeta) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * The cap of the audit: the bound when all {@code guesses} guesses are correct, i.e.
     * {@code epsilonLowerBound(canaries, guesses, guesses, delta, beta)}. No attack on this game can certify more.
     */
    public static double maxLowerBound(int canaries, int guesses, double delta, double beta) {
        check(canaries, guesses, 0, delta);
        return epsilonLowerBound(canaries, guesses, guesses, delta, beta);
    }

    /**
     * The p-value of the audit's test: {@code min(1, p(epsilon))} of the class comment, an upper bound on the
     * probability of at least {@code correct} correct guesses when the run is (epsilon, delta)-DP (Steinke, Nasr
     * and Jagielski 2023, Theorem 3.1).
     *
     * @param epsilon the epsilon of the null hypothesis, finite and >= 0
     */
    public static double pValue(int canaries, int guesses, int correct, double epsilon, double delta) {
        check(canaries, guesses, correct, delta);
        Checks.nonNegative("epsilon", epsilon);
        return Math.min(1.0, Math.exp(new PValue(canaries, guesses, correct, delta).log(epsilon)));
    }

    private static void check(int canaries, int guesses, int correct, double delta) {
        if (canaries < 2) {
            throw InvalidParameterException.of("canaries", "must be >= 2, got " + canaries);
        }
        if (guesses < 1 || guesses > canaries) {
            throw InvalidParameterException.of("guesses",
                    "must be in [1, canaries = " + canaries + "], got " + guesses);
        }
        if (correct < 0 || correct > guesses) {
            throw InvalidParameterException.of("correct",
                    "must be in [0, guesses = " + guesses + "], got " + correct);
        }
        Checks.halfOpen("delta", delta, 0, 1);
    }

    /** log p(epsilon) for fixed (m, r, v, delta); the log binomial coefficients are computed once. */
    private static final class PValue {
        private final int r;
        private final int v;
        /** log(2 m delta), or -infinity when delta = 0. */
        private final double logDeltaTerm;
        private final double[] logChoose;
        private final double[] logPmf;

        PValue(int m, int r, int v, double delta) {
            this.r = r;
            this.v = v;
            this.logDeltaTerm = delta > 0 ? Math.log(2.0 * m * delta) : Double.NEGATIVE_INFINITY;
            this.logChoose = new double[r + 1];
            double logRFactorial = LogGamma.value(r + 1.0);
            for (int k = 0; k <= r; k++) {
                logChoose[k] = logRFactorial - LogGamma.value(k + 1.0) - LogGamma.value(r - k + 1.0);
            }
            this.logPmf = new double[r + 1];
        }

        /** log p(epsilon) (not capped at 1; the caller compares with log beta < 0 or caps). */
        double log(double epsilon) {
            // q = e^eps / (1 + e^eps): log q = -log1p(e^-eps), log(1 - q) = -eps - log1p(e^-eps); exact for any eps.
            double log1pExp = Math.log1p(Math.exp(-epsilon));
            double logQ = -log1pExp;
            double log1mQ = -epsilon - log1pExp;
            for (int k = 0; k <= r; k++) {
                logPmf[k] = logChoose[k] + k * logQ + (r - k) * log1mQ;
            }
            if (v == 0) {
                return 0; // P[W' >= 0] = 1 and the delta term is an empty max
            }
            // P[W' >= v] by log-sum-exp over k = v..r.
            double max = Double.NEGATIVE_INFINITY;
            for (int k = v; k <= r; k++) {
                max = Math.max(max, logPmf[k]);
            }
            double sum = 0;
            for (int k = v; k <= r; k++) {
                sum += Math.exp(logPmf[k] - max);
            }
            double logTail = max + Math.log(sum);
            if (logDeltaTerm == Double.NEGATIVE_INFINITY) {
                return logTail;
            }
            // alpha = max_{i=1..v} (1/i) sum_{j=v-i}^{v-1} P[W' = j], scaled by the largest of those terms; a term
            // that underflows here is below e^-745 of that largest term, which alpha includes at weight >= 1/r.
            double maxBelow = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < v; k++) {
                maxBelow = Math.max(maxBelow, logPmf[k]);
            }
            double partial = 0;
            double alpha = 0;
            for (int i = 1; i <= v; i++) {
                partial += Math.exp(logPmf[v - i] - maxBelow);
                alpha = Math.max(alpha, partial / i);
            }
            double logAlphaTerm = logDeltaTerm + maxBelow + Math.log(alpha);
            return logAddExp(logTail, logAlphaTerm);
        }

        private static double logAddExp(double a, double b) {
            double hi = Math.max(a, b);
            if (hi == Double.NEGATIVE_INFINITY) {
                return hi;
            }
            return hi + Math.log1p(Math.exp(Math.min(a, b) - hi));
        }
    }
}
