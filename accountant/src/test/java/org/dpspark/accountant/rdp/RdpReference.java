package org.dpspark.accountant.rdp;

import org.apache.commons.math3.analysis.integration.gauss.GaussIntegrator;
import org.apache.commons.math3.analysis.integration.gauss.GaussIntegratorFactory;
import org.apache.commons.math3.special.Erf;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.PrivacyAccountant;

/**
 * Independent reference computations for the tests; none of them shares code with src/main.
 *
 * <ul>
 *   <li>{@link #rdpByIntegration}: the RDP of the sampled Gaussian by direct numerical integration of
 *       A_alpha - 1 = E_{z ~ N(0, sigma^2)} [ (1 + x)^alpha - 1 - alpha x ], x = q (r(z) - 1),
 *       r(z) = exp((2z - 1) / (2 sigma^2)) (the subtracted terms have expectation 0, since E[r] = 1), with
 *       composite 16-point Gauss-Legendre quadrature in log space.</li>
 *   <li>{@link #rdpAbsoluteSeries}: the two-series formula of MTZ 2019, Sec. 3.3, with the absolute values of
 *       the terms added (what dp_accounting's fractional-order code does since 2024, per
 *       shared/reference/accountant-published.md): a valid but looser upper bound.</li>
 *   <li>{@link #opacusNoiseSearch}: Opacus's get_noise_multiplier search (sigma_high doubled from 10, then
 *       bisection until target - eps(sigma_high) &lt;= 0.01), re-implemented here over any accountant.</li>
 * </ul>
 */
public final class RdpReference {

    private static final GaussIntegrator GAUSS_LEGENDRE_16 =
            new GaussIntegratorFactory().legendreHighPrecision(16);

    private RdpReference() {}

    /** The RDP at {@code alpha} by numerical integration (see the class comment). */
    public static double rdpByIntegration(double q, double sigma, double alpha) {
        double lo = -40 * sigma - 1;
        double hi = alpha + 40 * sigma + 1;
        // Panels narrower than both scales of the integrand: the Gaussian (sigma) and r(z) (sigma^2).
        double width = Math.min(sigma, sigma * sigma) / 4;
        long panels = (long) Math.ceil((hi - lo) / width);
        if (panels > 3_000_000) {
            throw new IllegalArgumentException("too many panels: " + panels);
        }
        width = (hi - lo) / panels;
        int nodes = GAUSS_LEGENDRE_16.getNumberOfPoints();
        // Two passes: the maximum of the log-integrand, then the sum scaled by it.
        double max = Double.NEGATIVE_INFINITY;
        for (long p = 0; p < panels; p++) {
            for (int i = 0; i < nodes; i++) {
                double z = lo + width * (p + 0.5 * (GAUSS_LEGENDRE_16.getPoint(i) + 1));
                max = Math.max(max, logIntegrand(q, sigma, alpha, z));
            }
        }
        double sum = 0;
        for (long p = 0; p < panels; p++) {
            for (int i = 0; i < nodes; i++) {
                double z = lo + width * (p + 0.5 * (GAUSS_LEGENDRE_16.getPoint(i) + 1));
                sum += 0.5 * width * GAUSS_LEGENDRE_16.getWeight(i) * Math.exp(logIntegrand(q, sigma, alpha, z) - max);
            }
        }
        double logAMinus1 = max + Math.log(sum);
        double logA = logAMinus1 > 0 ? logAMinus1 + Math.log1p(Math.exp(-logAMinus1))
                : Math.log1p(Math.exp(logAMinus1));
        return logA / (alpha - 1);
    }

    /** log of N(0, sigma^2) density times g(x) = (1 + x)^alpha - 1 - alpha x at z. */
    private static double logIntegrand(double q, double sigma, double alpha, double z) {
        double logDensity = -z * z / (2 * sigma * sigma) - Math.log(sigma * Math.sqrt(2 * Math.PI));
        double u = (2 * z - 1) / (2 * sigma * sigma);
        double x = q * Math.expm1(u);
        // log(1 + x) = log(1 - q + q e^u), kept finite when e^u overflows.
        double log1pX = logAdd(Math.log1p(-q), Math.log(q) + u);
        double logPower = alpha * log1pX;
        double logG;
        if (Math.abs(alpha * x) <= 0.5) {
            // g(x) = sum_{k>=2} C(alpha, k) x^k, converging fast for |alpha x| <= 1/2.
            double coefficient = alpha * (alpha - 1) / 2;
            double power = x * x;
            double series = 0;
            for (int k = 2; k < 400; k++) {
                double term = coefficient * power;
                series += term;
                if (Math.abs(term) <= 1e-18 * Math.abs(series)) {
                    break;
                }
                coefficient *= (alpha - k) / (k + 1);
                power *= x;
            }
            logG = Math.log(series);
        } else if (x < 0 || logPower < 600) {
            logG = Math.log(Math.exp(logPower) - 1 - alpha * x);
        } else {
            // (1 + x)^alpha dominates: g = (1 + x)^alpha (1 - (1 + alpha x) / (1 + x)^alpha), x > 0 here.
            double logX = Math.log(q) + (u > 40 ? u + Math.log1p(-Math.exp(-u)) : Math.log(Math.expm1(u)));
            double log1pAlphaX = logAdd(0, Math.log(alpha) + logX);
            logG = logPower + Math.log1p(-Math.exp(log1pAlphaX - logPower));
        }
        return logDensity + logG;
    }

    /**
     * The RDP at fractional {@code alpha} by the two series of MTZ 2019, Sec. 3.3 with |terms| added.
     * Written independently of src/main (binomial coefficients and erfc in linear space where possible).
     */
    public static double rdpAbsoluteSeries(double q, double sigma, double alpha) {
        double z0 = sigma * sigma * Math.log((1 - q) / q) + 0.5;
        double logA = Double.NEGATIVE_INFINITY;
        double coefficient = 1; // C(alpha, k)
        for (int k = 0; k < 1_000_000; k++) {
            double j = alpha - k;
            double logAbsCoefficient = Math.log(Math.abs(coefficient));
            double logS0 = logAbsCoefficient + k * Math.log(q) + j * Math.log1p(-q) + k * (k - 1.0) / (2 * sigma * sigma)
                    + Math.log(0.5 * Erf.erfc((k - z0) / (Math.sqrt(2) * sigma)));
            double logS1 = logAbsCoefficient + j * Math.log(q) + k * Math.log1p(-q) + j * (j - 1) / (2 * sigma * sigma)
                    + Math.log(0.5 * Erf.erfc((z0 - j) / (Math.sqrt(2) * sigma)));
            double logTerm = logAdd(logS0, logS1);
            logA = logAdd(logA, logTerm);
            if (k > alpha + 1 && logTerm < logA - 40) {
                break;
            }
            coefficient *= (alpha - k) / (k + 1);
        }
        return logA / (alpha - 1);
    }

    /** Opacus's get_noise_multiplier search over the given accountant (see the class comment). */
    public static double opacusNoiseSearch(double targetEpsilon, double delta, double q, long steps,
            java.util.function.Supplier<PrivacyAccountant> accountants) {
        double epsilonHigh = Double.POSITIVE_INFINITY;
        double sigmaLow = 0;
        double sigmaHigh = 10;
        while (epsilonHigh > targetEpsilon) {
            sigmaHigh = 2 * sigmaHigh;
            epsilonHigh = epsilon(accountants, q, sigmaHigh, steps, delta);
        }
        while (targetEpsilon - epsilonHigh > 0.01) {
            double sigma = (sigmaLow + sigmaHigh) / 2;
            double epsilon = epsilon(accountants, q, sigma, steps, delta);
            if (epsilon < targetEpsilon) {
                sigmaHigh = sigma;
                epsilonHigh = epsilon;
            } else {
                sigmaLow = sigma;
            }
        }
        return sigmaHigh;
    }

    public static double epsilon(java.util.function.Supplier<PrivacyAccountant> accountants, double q, double sigma,
            long steps, double delta) {
        PrivacyAccountant accountant = accountants.get();
        accountant.compose(new DpEvent(q, sigma, steps));
        return accountant.epsilon(delta);
    }

    /** Opacus's default RDP orders: 1 + x/10 for x = 1..99, then 12..63. */
    public static double[] opacusOrders() {
        double[] orders = new double[99 + 52];
        int i = 0;
        for (int x = 1; x <= 99; x++) {
            orders[i++] = 1 + x / 10.0;
        }
        for (int a = 12; a <= 63; a++) {
            orders[i++] = a;
        }
        return orders;
    }

    /** TF Privacy compute_dp_sgd_privacy_lib orders: 1.25..4.5, 5..63, 128, 256, 512. */
    public static double[] tfPrivacyOrders() {
        double[] head = {1.25, 1.5, 1.75, 2., 2.25, 2.5, 3., 3.5, 4., 4.5};
        double[] orders = new double[head.length + 59 + 3];
        int i = 0;
        for (double a : head) {
            orders[i++] = a;
        }
        for (int a = 5; a <= 63; a++) {
            orders[i++] = a;
        }
        orders[i++] = 128;
        orders[i++] = 256;
        orders[i] = 512;
        return orders;
    }

    private static double logAdd(double a, double b) {
        if (a == Double.NEGATIVE_INFINITY) {
            return b;
        }
        if (b == Double.NEGATIVE_INFINITY) {
            return a;
        }
        return Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
    }
}
