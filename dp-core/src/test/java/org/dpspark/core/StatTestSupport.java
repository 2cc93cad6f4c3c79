package org.dpspark.core;

import java.util.Arrays;

/**
 * Tolerances for statistical tests, derived from a stated false-failure probability. Written independently of
 * the main code (no shared tables or formulas), so that a bug in one does not hide a bug in the other.
 */
public final class StatTestSupport {

    /** The false-failure probability each statistical assertion is designed for. */
    public static final double ALPHA = 1e-6;

    private StatTestSupport() {
    }

    /**
     * Phi(x), the standard normal CDF: 1/2 + phi(x) * sum_k x^(2k+1) / (1*3*...*(2k+1)). The series' terms all
     * have one sign (no cancellation); adding it to 1/2 costs about an ulp of 0.5, so the absolute error is about
     * 2e-16 for |x| &lt;= 9, and Phi is 0 or 1 to within 1e-19 beyond.
     */
    public static double normalCdf(double x) {
        if (x < -9.0) {
            return 0.0;
        }
        if (x > 9.0) {
            return 1.0;
        }
        double term = x;
        double sum = x;
        double x2 = x * x;
        for (int k = 1; k < 500 && Math.abs(term) > 1e-18 * Math.abs(sum); k++) {
            term *= x2 / (2 * k + 1);
            sum += term;
        }
        return 0.5 + Math.exp(-0.5 * x2) / Math.sqrt(2 * Math.PI) * sum;
    }

    /** The z with P(|Z| &gt; z) = alpha for a standard normal Z (bisection on Phi), e.g. 4.89 for 1e-6. */
    public static double zTwoSided(double alpha) {
        double lo = 0.0;
        double hi = 9.0;
        for (int i = 0; i < 200; i++) {
            double mid = 0.5 * (lo + hi);
            if (2.0 * (1.0 - normalCdf(mid)) > alpha) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return hi;
    }

    /**
     * Bernstein's inequality for a sum S of n independent variables in [0, 1] with variance v in total:
     * P(|S - E S| &gt;= t) &lt;= 2 exp(-t^2 / (2 (v + t/3))). Returns the t at which the bound equals alpha
     * (rigorous, no normal approximation).
     */
    public static double bernsteinDeviation(double totalVariance, double alpha) {
        double l = Math.log(2.0 / alpha);
        // t^2 - (2l/3) t - 2 l v = 0
        return l / 3.0 + Math.sqrt(l * l / 9.0 + 2.0 * l * totalVariance);
    }

    /**
     * The Kolmogorov-Smirnov statistic sup |F_n - F| of a sample against a continuous CDF F. The sample is sorted
     * in place.
     */
    public static double ksStatistic(double[] sample, java.util.function.DoubleUnaryOperator cdf) {
        Arrays.sort(sample);
        int n = sample.length;
        double d = 0.0;
        for (int i = 0; i < n; i++) {
            double f = cdf.applyAsDouble(sample[i]);
            d = Math.max(d, Math.max((i + 1.0) / n - f, f - (double) i / n));
        }
        return d;
    }

    /**
     * The critical value of the KS statistic at false-failure probability alpha, from the Dvoretzky-Kiefer-Wolfowitz
     * inequality with Massart's (1990) constant: P(sup |F_n - F| &gt; c) &lt;= 2 exp(-2 n c^2) for every n.
     */
    public static double ksCritical(int n, double alpha) {
        return Math.sqrt(Math.log(2.0 / alpha) / (2.0 * n));
    }
}
