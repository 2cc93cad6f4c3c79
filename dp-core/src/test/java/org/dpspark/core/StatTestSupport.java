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
    /**
     * P(X &gt;= x) for X ~ chi-square with df degrees of freedom: the regularized upper incomplete gamma Q(df/2, x/2),
     * by its power series (for x/2 &lt; df/2 + 1, then Q = 1 - P) or its continued fraction (evaluated with Lentz's
     * method) otherwise, times exp(-x/2 + (df/2) ln(x/2) - ln Gamma(df/2)). Relative error about 1e-11 where the
     * tail is computed directly; used for p-values near 1e-6, where that is far more than enough.
     */
    public static double chiSquareSurvival(double x, int df) {
        return regularizedGamma(0.5 * df, 0.5 * x, true);
    }

    /** P(X &lt;= x) for X ~ chi-square with df degrees of freedom (accurate in the lower tail too). */
    public static double chiSquareCdf(double x, int df) {
        return regularizedGamma(0.5 * df, 0.5 * x, false);
    }

    /**
     * The two-sided p-value of a chi-square statistic: 2 min(P(X &lt;= x), P(X &gt;= x)), for a statistic that is
     * wrong when it is too small as well as too large (e.g. a sum of squares against its variance).
     */
    public static double chiSquareTwoSidedP(double x, int df) {
        return Math.min(1.0, 2.0 * Math.min(chiSquareCdf(x, df), chiSquareSurvival(x, df)));
    }

    /** Q(a, x) (upper) or P(a, x) (lower), the regularized incomplete gamma functions, a &gt; 0, x &gt;= 0. */
    static double regularizedGamma(double a, double x, boolean upper) {
        if (!(a > 0) || !(x >= 0)) {
            throw new IllegalArgumentException("need a > 0 and x >= 0, got a = " + a + ", x = " + x);
        }
        if (x == 0) {
            return upper ? 1.0 : 0.0;
        }
        double prefactor = Math.exp(-x + a * Math.log(x) - logGamma(a));
        if (x < a + 1) {
            // P(a, x) = x^a e^-x / Gamma(a) * sum_n x^n / (a (a+1) ... (a+n))
            double term = 1.0 / a;
            double sum = term;
            for (int n = 1; n < 1_000_000 && term > 1e-17 * sum; n++) {
                term *= x / (a + n);
                sum += term;
            }
            double p = prefactor * sum;
            return upper ? 1.0 - p : p;
        }
        // Q(a, x) = x^a e^-x / Gamma(a) * 1 / (x + 1 - a - 1 (1 - a) / (x + 3 - a - 2 (2 - a) / (x + 5 - a - ...)))
        double tiny = 1e-300;
        double b = x + 1 - a;
        double c = 1.0 / tiny;
        double d = 1.0 / b;
        double h = d;
        for (int i = 1; i < 1_000_000; i++) {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.abs(d) < tiny) {
                d = tiny;
            }
            c = b + an / c;
            if (Math.abs(c) < tiny) {
                c = tiny;
            }
            d = 1.0 / d;
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1.0) < 1e-16) {
                break;
            }
        }
        double q = prefactor * h;
        return upper ? q : 1.0 - q;
    }

    /**
     * ln Gamma(a) for a &gt; 0: Stirling's series (1/(12 z) - 1/(360 z^3) + 1/(1260 z^5) - 1/(1680 z^7)
     * + 1/(1188 z^9), next term 691/(360360 z^11) below 2e-14 for z &gt;= 10) at z = a + k &gt;= 10, brought back with
     * ln Gamma(a) = ln Gamma(a + k) - sum ln(a + i).
     */
    static double logGamma(double a) {
        double z = a;
        double shift = 0.0;
        while (z < 10.0) {
            shift += Math.log(z);
            z += 1.0;
        }
        double z2 = z * z;
        double series = (1.0 / 12 - (1.0 / 360 - (1.0 / 1260 - (1.0 / 1680 - 1.0 / (1188 * z2)) / z2) / z2) / z2) / z;
        return (z - 0.5) * Math.log(z) - z + 0.5 * Math.log(2 * Math.PI) + series - shift;
    }
}
