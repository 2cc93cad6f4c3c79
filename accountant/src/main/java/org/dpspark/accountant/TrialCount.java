package org.dpspark.accountant;

import java.util.Locale;
import java.util.Random;
import org.apache.commons.numbers.gamma.LogGamma;

/**
 * The distribution of the number of trials K of a hyperparameter search (Papernot and Steinke, ICLR 2022,
 * "Hyperparameter tuning with Renyi differential privacy", arXiv 2110.03620, Section 3).
 *
 * <p><b>Truncated negative binomial</b> ({@link Kind#TRUNCATED_NEGATIVE_BINOMIAL}; the paper's Definition 1,
 * D_{eta, gamma}): for eta &gt; -1 and 0 &lt; gamma &lt; 1,
 * <pre>  P[K = k] = (1 - gamma)^k / (gamma^(-eta) - 1) * prod_{l=0}^{k-1} (l + eta) / (l + 1)   for k &gt;= 1, eta != 0,
 *  P[K = k] = (1 - gamma)^k / (k log(1/gamma))                                          for k &gt;= 1, eta = 0,</pre>
 * that is P[K = k] proportional to (1 - gamma)^k binom(k + eta - 1, k). eta = 1 is the geometric distribution
 * (P[K = k] = gamma (1 - gamma)^(k-1)), eta = 0 the logarithmic one. Its mean (Definition 1) is
 * <pre>  E[K] = eta (1 - gamma) / (gamma (1 - gamma^eta))  (eta != 0),   E[K] = (1 - gamma) / (gamma log(1/gamma))  (eta = 0).</pre>
 * K &gt;= 1 always.
 *
 * <p><b>Poisson</b> ({@link Kind#POISSON}; the paper's Section 3.3, Theorem 6): K ~ Poisson(mu), P[K = k] =
 * e^(-mu) mu^k / k! for k &gt;= 0. The record's {@code gamma} component then holds the mean mu &gt; 0 and {@code eta} is
 * NaN. K = 0 is possible (the search outputs nothing).
 *
 * @param kind  the family
 * @param eta   TNB: the shape eta, finite and &gt; -1; POISSON: NaN
 * @param gamma TNB: gamma in (0, 1); POISSON: the mean mu, finite and &gt; 0
 */
public record TrialCount(Kind kind, double eta, double gamma) {

    /** The family of the distribution. */
    public enum Kind {
        /** Papernot and Steinke's truncated negative binomial D_{eta, gamma} (Definition 1; Theorem 2). */
        TRUNCATED_NEGATIVE_BINOMIAL,
        /** The Poisson distribution (Theorem 6); {@code gamma} holds the mean. */
        POISSON
    }

    /** Largest Poisson mean sampled in one inversion pass (e^-100 is far from underflow); larger means are split. */
    private static final double POISSON_CHUNK = 100;

    /** Validates the parameters; every check rejects NaN where a number is required. */
    public TrialCount {
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        if (kind == Kind.TRUNCATED_NEGATIVE_BINOMIAL) {
            if (!(eta > -1 && eta < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("eta must be finite and > -1, got " + eta);
            }
            if (!(gamma > 0 && gamma < 1)) {
                throw new IllegalArgumentException("gamma must be in (0, 1), got " + gamma);
            }
        } else {
            if (!Double.isNaN(eta)) {
                throw new IllegalArgumentException("a Poisson trial count has eta = NaN, got " + eta);
            }
            if (!(gamma > 0 && gamma < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("the Poisson mean must be finite and > 0, got " + gamma);
            }
        }
    }

    /** The geometric distribution (eta = 1) of the given mean, gamma = 1 / mean. */
    public static TrialCount geometric(double mean) {
        checkTnbMean(mean);
        return new TrialCount(Kind.TRUNCATED_NEGATIVE_BINOMIAL, 1.0, 1.0 / mean);
    }

    /**
     * The truncated negative binomial of shape {@code eta} whose mean is {@code mean}: gamma solved by bisection (the
     * mean decreases strictly in gamma, from +Infinity at 0 to 1 at 1) to the last bit, the smaller end kept, so that
     * {@link #mean()} is at least {@code mean} (the bounds use {@link #mean()} of the gamma found, so they describe
     * exactly the distribution sampled).
     *
     * @param eta  finite and &gt; -1 (0: logarithmic, 1: geometric)
     * @param mean finite and &gt; 1
     */
    public static TrialCount truncatedNegativeBinomial(double eta, double mean) {
        if (!(eta > -1 && eta < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("eta must be finite and > -1, got " + eta);
        }
        checkTnbMean(mean);
        if (eta == 1) {
            return geometric(mean);
        }
        double lo = 0;
        double hi = 1;
        for (int i = 0; i < 2000; i++) {
            double mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi) {
                break;
            }
            if (tnbMean(eta, mid) >= mean) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        if (!(lo > 0)) {
            throw new IllegalArgumentException("mean " + mean + " is too large for eta = " + eta);
        }
        return new TrialCount(Kind.TRUNCATED_NEGATIVE_BINOMIAL, eta, lo);
    }

    /** The Poisson distribution of mean {@code mean} (finite, &gt; 0). */
    public static TrialCount poisson(double mean) {
        return new TrialCount(Kind.POISSON, Double.NaN, mean);
    }

    private static void checkTnbMean(double mean) {
        if (!(mean > 1 && mean < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("the mean number of trials must be finite and > 1, got " + mean);
        }
    }

    /** E[K] of D_{eta, gamma} (Papernot and Steinke, Definition 1), with expm1 for eta near 0. */
    private static double tnbMean(double eta, double gamma) {
        double logGamma = Math.log(gamma);
        if (eta == 0) {
            return (1 - gamma) / (gamma * -logGamma);
        }
        if (eta == 1) {
            return 1 / gamma; // geometric
        }
        // 1 - gamma^eta = -expm1(eta log gamma): same sign as eta, accurate for small eta.
        return eta * (1 - gamma) / (gamma * -Math.expm1(eta * logGamma));
    }

    /** Whether this is the Poisson distribution. */
    public boolean isPoisson() {
        return kind == Kind.POISSON;
    }

    /** E[K]: the Poisson mean, or Definition 1's mean of D_{eta, gamma} (class comment). */
    public double mean() {
        return isPoisson() ? gamma : tnbMean(eta, gamma);
    }

    /**
     * P[K = k] (class comment); 0 for k below the support. Evaluated in log space with log-Gamma functions:
     * binom(k + eta - 1, k) = Gamma(k + eta) / (Gamma(k + 1) Gamma(eta)), whose sign (negative for -1 &lt; eta &lt; 0)
     * cancels that of gamma^-eta - 1.
     */
    public double pmf(long k) {
        if (isPoisson()) {
            if (k < 0) {
                return 0;
            }
            return Math.exp(-gamma + k * Math.log(gamma) - LogGamma.value(k + 1.0));
        }
        if (k < 1) {
            return 0;
        }
        double logTail = k * Math.log1p(-gamma);
        if (eta == 0) {
            return Math.exp(logTail - Math.log(k) - Math.log(-Math.log(gamma)));
        }
        // log |Gamma(eta)|: Gamma(eta) = Gamma(eta + 1) / eta.
        double logAbsGammaEta = LogGamma.value(eta + 1) - Math.log(Math.abs(eta));
        double logAbsNorm = Math.log(Math.abs(Math.expm1(-eta * Math.log(gamma))));
        return Math.exp(logTail + LogGamma.value(k + eta) - LogGamma.value(k + 1.0) - logAbsGammaEta - logAbsNorm);
    }

    /** P[K = 1] of D_{eta, gamma}: (1 - gamma) eta / (gamma^-eta - 1), or (1 - gamma) / log(1/gamma) for eta = 0. */
    private double firstTnbProbability() {
        double logGamma = Math.log(gamma);
        if (eta == 0) {
            return (1 - gamma) / -logGamma;
        }
        return (1 - gamma) * eta / Math.expm1(-eta * logGamma);
    }

    /**
     * Draws K by inversion of the cumulative distribution, walking the probabilities by their ratios
     * P[K = k+1] / P[K = k] ((1 - gamma)(k + eta)/(k + 1), or mu / (k + 1)); expected work O(mean). A Poisson mean
     * above 100 is drawn as a sum of Poisson draws of mean at most 100. Callers pass a
     * {@link java.security.SecureRandom}.
     *
     * @return K, &gt;= 1 for the truncated negative binomial, &gt;= 0 for Poisson
     */
    public long sample(Random rng) {
        if (rng == null) {
            throw new IllegalArgumentException("rng must not be null");
        }
        if (isPoisson()) {
            long pieces = (long) Math.ceil(gamma / POISSON_CHUNK);
            double each = gamma / pieces;
            long total = 0;
            for (long i = 0; i < pieces; i++) {
                total += samplePoisson(each, rng);
            }
            return total;
        }
        double p1 = firstTnbProbability();
        while (true) {
            double u = rng.nextDouble();
            double p = p1;
            double cumulative = p;
            long k = 1;
            while (cumulative <= u && p > 0) {
                p *= (1 - gamma) * (k + eta) / (k + 1);
                cumulative += p;
                k++;
            }
            if (cumulative > u) {
                return k;
            }
            // The probabilities underflowed before the rounded total passed u (u within ~1e-16 of 1): draw again.
        }
    }

    private static long samplePoisson(double mu, Random rng) {
        double p0 = Math.exp(-mu);
        while (true) {
            double u = rng.nextDouble();
            double p = p0;
            double cumulative = p;
            long k = 0;
            while (cumulative <= u && p > 0) {
                k++;
                p *= mu / k;
                cumulative += p;
            }
            if (cumulative > u) {
                return k;
            }
        }
    }

    /**
     * For reports, e.g. "truncated negative binomial (eta = 1, gamma = 0.1, mean 10)" or "Poisson (mean 10)".
     */
    public String describe() {
        if (isPoisson()) {
            return "Poisson (mean " + fmt(gamma) + ")";
        }
        return "truncated negative binomial (eta = " + fmt(eta) + ", gamma = " + fmt(gamma) + ", mean "
                + fmt(mean()) + ")";
    }

    private static String fmt(double x) {
        String s = String.format(Locale.ROOT, "%.6g", x);
        if (s.contains("e")) {
            return s;
        }
        if (s.contains(".")) {
            s = s.replaceAll("0+$", "");
            if (s.endsWith(".")) {
                s = s.substring(0, s.length() - 1);
            }
        }
        return s;
    }

    /**
     * Parses "geometric:MEAN", "poisson:MEAN", "negbin:ETA:MEAN" or "logarithmic:MEAN" (the mean E[K]; for the
     * truncated negative binomial gamma is solved from it).
     *
     * @throws IllegalArgumentException with a one-line message naming the text when it is not one of these forms
     *                                  or a parameter is out of range
     */
    public static TrialCount parse(String text) {
        String shown = text == null ? "null" : "'" + text.replaceAll("[\\r\\n\\t]", " ") + "'";
        String usage = "; expected geometric:MEAN, poisson:MEAN, negbin:ETA:MEAN or logarithmic:MEAN";
        if (text == null) {
            throw new IllegalArgumentException("trial count " + shown + " is missing" + usage);
        }
        String[] parts = text.replaceAll("[\\r\\n\\t]", " ").trim().split(":", -1);
        String family = parts[0].toLowerCase(Locale.ROOT);
        int expected = family.equals("negbin") ? 3 : 2;
        if (!(family.equals("geometric") || family.equals("poisson") || family.equals("negbin")
                || family.equals("logarithmic"))) {
            throw new IllegalArgumentException("trial count " + shown + " has an unknown distribution '" + parts[0]
                    + "'" + usage);
        }
        if (parts.length != expected) {
            throw new IllegalArgumentException("trial count " + shown + " has " + (parts.length - 1)
                    + " parameter(s), " + family + " takes " + (expected - 1) + usage);
        }
        double[] values = new double[parts.length - 1];
        for (int i = 1; i < parts.length; i++) {
            try {
                values[i - 1] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("trial count " + shown + ": '" + parts[i] + "' is not a number"
                        + usage);
            }
        }
        try {
            return switch (family) {
                case "geometric" -> geometric(values[0]);
                case "poisson" -> poisson(values[0]);
                case "logarithmic" -> truncatedNegativeBinomial(0.0, values[0]);
                default -> truncatedNegativeBinomial(values[0], values[1]);
            };
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("trial count " + shown + ": " + ex.getMessage());
        }
    }
}
