package org.dpspark.accountant.rdp;

/**
 * Renyi-DP of one step of the Poisson-subsampled distributed discrete Gaussian (DDG) of secure aggregation: the sum
 * of the parties' quantized vectors plus the sum of the honest parties' discrete Gaussians (Kairouz, Liu and Steinke,
 * ICML 2021, "The Distributed Discrete Gaussian Mechanism for Federated Learning with Secure Aggregation",
 * arXiv:2102.06387, "KLS" below).
 *
 * <p><b>Without subsampling</b> (KLS Proposition 14, its first and third terms, with l2 scale 1/z where z is the
 * total honest noise's std over the L2 sensitivity, tau of KLS Theorem 1, and d the number of noised coordinates):
 * <pre>
 *   eps(alpha) = min( alpha / (2 z^2) + tau d,  (alpha / 2) (1/z + sqrt(d) tau)^2 ).
 * </pre>
 * (Proposition 14's second term, (alpha/2)(1/z^2 + 2 tau l1Scale + tau^2 d), needs the L1 sensitivity, which the
 * encoding does not bound usefully; leaving it out of the minimum only loosens the bound.)
 *
 * <p><b>Poisson subsampling at rate q</b> (Zhu and Wang, ICML 2019, "Poisson Subsampled Renyi Differential Privacy",
 * Theorem 5, the general upper bound, valid for any mechanism at integer orders alpha &gt;= 2):
 * <pre>
 *   eps_q(alpha) = 1/(alpha - 1) log( (1-q)^(alpha-1) (alpha q - q + 1) + C(alpha, 2) q^2 (1-q)^(alpha-2) e^{eps(2)}
 *                                     + 3 sum_{l=3..alpha} C(alpha, l) (1-q)^(alpha-l) q^l e^{(l-1) eps(l)} ).
 * </pre>
 * The sum A in the logarithm is evaluated as 1 + (A - 1): the binomial weights sum to 1 and
 * (1-q)^(alpha-1) (alpha q - q + 1) is the weight of l = 0 and l = 1, so
 * <pre>
 *   A - 1 = C(alpha, 2) q^2 (1-q)^(alpha-2) (e^{eps(2)} - 1) + sum_{l=3..alpha} C(alpha, l) (1-q)^(alpha-l) q^l (3 e^{(l-1) eps(l)} - 1),
 * </pre>
 * a sum of positive terms, taken in log space; log A = log1p(A - 1) keeps full relative accuracy when the RDP is tiny
 * (the same device as {@link SubsampledGaussianRdp} for the Gaussian). The result is min(eps_q(alpha), eps(alpha)),
 * both valid bounds; q = 1 gives eps(alpha).
 *
 * <p><b>Orders.</b> Zhu and Wang's bound holds at integer orders only: at a fractional order this class returns
 * +Infinity, a valid (vacuous) bound, so that an accountant's conversion to (epsilon, delta) uses the integer orders
 * of its grid. Above {@link SubsampledGaussianRdp#MAX_EXACT_ORDER} the unsampled eps(alpha) is returned (the sum would
 * need alpha terms; subsampling never increases the divergence, so it is an upper bound).
 *
 * <p>Checked against Google's implementation of the same accounting (google-research/federated,
 * distributed_dp/accounting_utils.py, {@code compute_rdp_dgaussian}) in the tests.
 */
public final class DistributedDiscreteGaussianRdp {

    private static final double LOG_3 = Math.log(3.0);

    private DistributedDiscreteGaussianRdp() {}

    /**
     * RDP of one step of the Poisson-subsampled distributed discrete Gaussian.
     *
     * @param q     sampling rate, 0 &lt; q &lt;= 1
     * @param z     noise multiplier: the total honest noise's std / L2 sensitivity (integer units), finite and &gt; 0
     * @param tau   KLS Theorem 1's tau, finite and &gt;= 0
     * @param dim   d, the number of noised coordinates, &gt;= 1
     * @param order Renyi order alpha, finite and &gt; 1
     * @return the RDP at {@code order}: &gt;= 0, +Infinity at fractional orders, never NaN
     */
    public static double rdp(double q, double z, double tau, int dim, double order) {
        if (!(q > 0 && q <= 1)) {
            throw new IllegalArgumentException("q must be in (0, 1], got " + q);
        }
        check(z, tau, dim, order);
        if (order != Math.rint(order)) {
            return Double.POSITIVE_INFINITY; // the general upper bound is for integer orders
        }
        double unsampled = unsampled(z, tau, dim, order);
        if (q == 1 || order > SubsampledGaussianRdp.MAX_EXACT_ORDER) {
            return unsampled;
        }
        long alpha = (long) order;
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double logAMinus1 = Double.NEGATIVE_INFINITY;
        double logBinom = Math.log(alpha); // log C(alpha, 1)
        for (long l = 2; l <= alpha; l++) {
            logBinom += Math.log(alpha - l + 1) - Math.log(l); // log C(alpha, l)
            double e = unsampled(z, tau, dim, l);
            // l = 2: e^{eps(2)} - 1; l >= 3: 3 e^{(l-1) eps(l)} - 1 (Zhu and Wang 2019, Thm 5, minus the l-th weight)
            double logFactor = l == 2 ? LogMath.logExpm1(e) : log3ExpMinus1((l - 1) * e);
            double logTerm = logBinom + l * logQ + (alpha - l) * log1mQ + logFactor;
            logAMinus1 = LogMath.logAdd(logAMinus1, logTerm);
        }
        double subsampled = LogMath.log1pExp(logAMinus1) / (alpha - 1);
        if (Double.isNaN(subsampled)) {
            return unsampled;
        }
        return Math.max(0.0, Math.min(subsampled, unsampled));
    }

    /**
     * KLS Proposition 14 (first and third terms) at order alpha, without subsampling:
     * min(alpha / (2 z^2) + tau d, (alpha / 2) (1/z + sqrt(d) tau)^2). Any order &gt; 1.
     *
     * @param z     finite and &gt; 0
     * @param tau   finite and &gt;= 0
     * @param dim   &gt;= 1
     * @param order finite and &gt; 1
     */
    public static double unsampledRdp(double z, double tau, int dim, double order) {
        check(z, tau, dim, order);
        return unsampled(z, tau, dim, order);
    }

    private static double unsampled(double z, double tau, int dim, double alpha) {
        double l2Scale = 1 / z;
        double term1 = alpha / 2 * l2Scale * l2Scale + tau * dim;
        double s = l2Scale + Math.sqrt(dim) * tau;
        double term3 = alpha / 2 * s * s;
        return Math.min(term1, term3);
    }

    /** log(3 e^x - 1) for x &gt;= 0: x + log 3 + log1p(-e^{-x} / 3), without overflow. */
    private static double log3ExpMinus1(double x) {
        if (x == Double.POSITIVE_INFINITY) {
            return x;
        }
        return x + LOG_3 + Math.log1p(-Math.exp(-x) / 3);
    }

    private static void check(double z, double tau, int dim, double order) {
        if (!(z > 0 && z < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("z must be finite and > 0, got " + z);
        }
        if (!(tau >= 0 && tau < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("tau must be finite and >= 0, got " + tau);
        }
        if (dim < 1) {
            throw new IllegalArgumentException("dim must be >= 1, got " + dim);
        }
        if (!(order > 1 && order < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("order must be finite and > 1, got " + order);
        }
    }
}
