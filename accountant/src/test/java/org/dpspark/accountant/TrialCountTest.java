package org.dpspark.accountant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link TrialCount}: the distributions' definitions, means, sampling and parsing. */
class TrialCountTest {

    private static final List<TrialCount> COUNTS = List.of(TrialCount.geometric(10),
            TrialCount.truncatedNegativeBinomial(0.5, 10), TrialCount.truncatedNegativeBinomial(0, 10),
            TrialCount.truncatedNegativeBinomial(-0.5, 10), TrialCount.truncatedNegativeBinomial(3, 20),
            TrialCount.poisson(10), TrialCount.poisson(0.7), TrialCount.poisson(250));

    @Test
    void pmf_matchesTheClosedForms() {
        TrialCount geo = TrialCount.geometric(10);
        assertEquals(0.1, geo.gamma(), 0);
        assertEquals(1.0, geo.eta(), 0);
        for (int k = 1; k <= 50; k++) {
            assertEquals(0.1 * Math.pow(0.9, k - 1), geo.pmf(k), 1e-12 * Math.pow(0.9, k - 1), "k = " + k);
        }
        TrialCount log = TrialCount.truncatedNegativeBinomial(0, 10);
        double g = log.gamma();
        for (int k = 1; k <= 50; k++) {
            double expected = Math.pow(1 - g, k) / (k * Math.log(1 / g));
            assertEquals(expected, log.pmf(k), 1e-13 * expected, "k = " + k);
        }
        // eta = 0.5: (1 - gamma)^k binom(k - 1/2, k) / (gamma^-1/2 - 1), binom by its Gamma-function form.
        TrialCount half = new TrialCount(TrialCount.Kind.TRUNCATED_NEGATIVE_BINOMIAL, 0.5, 0.2);
        for (int k = 1; k <= 30; k++) {
            double binom = Math.exp(org.apache.commons.numbers.gamma.LogGamma.value(k + 0.5)
                    - org.apache.commons.numbers.gamma.LogGamma.value(k + 1.0)
                    - org.apache.commons.numbers.gamma.LogGamma.value(0.5));
            double expected = Math.pow(0.8, k) * binom / (Math.pow(0.2, -0.5) - 1);
            assertEquals(expected, half.pmf(k), 1e-12 * expected, "k = " + k);
        }
        TrialCount poi = TrialCount.poisson(3.5);
        double fact = 1;
        for (int k = 0; k <= 30; k++) {
            fact *= Math.max(k, 1);
            double expected = Math.exp(-3.5) * Math.pow(3.5, k) / fact;
            assertEquals(expected, poi.pmf(k), 1e-12 * expected, "k = " + k);
        }
        assertEquals(0, geo.pmf(0), 0);
        assertEquals(0, poi.pmf(-1), 0);
    }

    @Test
    void pmf_sumsToOne_andItsMeanIsMean() {
        for (TrialCount c : COUNTS) {
            double sum = 0;
            double first = 0;
            for (long k = 0; k <= 20_000; k++) {
                double p = c.pmf(k);
                sum += p;
                first += k * p;
            }
            assertEquals(1.0, sum, 1e-9, c.describe());
            assertEquals(c.mean(), first, 1e-9 * c.mean(), c.describe());
        }
    }

    @Test
    void meanSolvedFromTheRequest() {
        for (double eta : new double[] {-0.9, -0.5, 0, 1e-9, 0.5, 1, 2, 10}) {
            for (double mean : new double[] {1.5, 10, 100, 1000}) {
                TrialCount c = TrialCount.truncatedNegativeBinomial(eta, mean);
                assertTrue(c.mean() >= mean, eta + " " + mean);
                assertEquals(mean, c.mean(), 1e-12 * mean, eta + " " + mean);
            }
        }
        assertEquals(10, TrialCount.poisson(10).mean(), 0);
        assertTrue(Double.isNaN(TrialCount.poisson(10).eta()));
    }

    /**
     * 200k draws where 1% of the mean is at least 3.7 standard deviations of the sample mean; the logarithmic and the
     * eta &lt; 0 distributions have heavier tails (1% is 2.7 and 2.4 standard deviations at 200k draws), so they get
     * 1M draws (6.1 and 5.5).
     */
    @Test
    void sampleMean_within1PercentOfMean() {
        Random rng = new Random(20250101L); // tests only; callers pass a SecureRandom
        List<TrialCount> light = List.of(TrialCount.geometric(10), TrialCount.truncatedNegativeBinomial(0.5, 10),
                TrialCount.truncatedNegativeBinomial(3, 20), TrialCount.poisson(10), TrialCount.poisson(0.7),
                TrialCount.poisson(250));
        List<TrialCount> heavy = List.of(TrialCount.truncatedNegativeBinomial(0, 10),
                TrialCount.truncatedNegativeBinomial(-0.5, 3));
        for (TrialCount c : light) {
            checkSampleMean(c, 200_000, rng);
        }
        for (TrialCount c : heavy) {
            checkSampleMean(c, 1_000_000, rng);
        }
    }

    private static void checkSampleMean(TrialCount c, int n, Random rng) {
        double sum = 0;
        long min = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            long k = c.sample(rng);
            sum += k;
            min = Math.min(min, k);
        }
        assertEquals(c.mean(), sum / n, 0.01 * c.mean(), c.describe());
        assertTrue(min >= (c.isPoisson() ? 0 : 1), c.describe());
    }

    @Test
    void sampleFrequencies_followThePmf() {
        Random rng = new Random(7L);
        TrialCount c = TrialCount.truncatedNegativeBinomial(0, 5);
        int n = 200_000;
        long[] hits = new long[6];
        for (int i = 0; i < n; i++) {
            long k = c.sample(rng);
            if (k <= 5) {
                hits[(int) k]++;
            }
        }
        for (int k = 1; k <= 5; k++) {
            double p = c.pmf(k);
            double sd = Math.sqrt(n * p * (1 - p));
            assertEquals(n * p, hits[k], 5 * sd, "k = " + k);
        }
    }

    @Test
    void describe_namesTheParameters() {
        assertEquals("truncated negative binomial (eta = 1, gamma = 0.1, mean 10)", TrialCount.geometric(10).describe());
        assertEquals("Poisson (mean 10)", TrialCount.poisson(10).describe());
        assertTrue(TrialCount.truncatedNegativeBinomial(0, 10).describe().startsWith(
                "truncated negative binomial (eta = 0, gamma = "));
    }

    @Test
    void parse_readsEveryForm() {
        assertEquals(TrialCount.geometric(10), TrialCount.parse("geometric:10"));
        assertEquals(TrialCount.poisson(7.5), TrialCount.parse("poisson:7.5"));
        assertEquals(TrialCount.truncatedNegativeBinomial(0.5, 10), TrialCount.parse("negbin:0.5:10"));
        assertEquals(TrialCount.truncatedNegativeBinomial(0, 20), TrialCount.parse("logarithmic:20"));
        assertEquals(TrialCount.truncatedNegativeBinomial(-0.5, 20), TrialCount.parse("negbin:-0.5:20"));
    }

    @Test
    void parse_errorsAreOneLineAndNameTheText() {
        for (String bad : Arrays.asList("", "geometric", "geometric:", "geometric:x", "geometric:1", "geometric:-3",
                "poisson:0", "poisson:NaN", "negbin:1", "negbin:-1:10", "negbin:0.5:10:3", "uniform:10",
                "logarithmic:Infinity", "geometric:10\nrm")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrialCount.parse(bad), bad);
            String m = e.getMessage();
            assertFalse(m.contains("\n") || m.contains("\r"), m);
            assertTrue(m.contains("'" + bad.replace("\n", " ") + "'"), m);
        }
        IllegalArgumentException nul = assertThrows(IllegalArgumentException.class, () -> TrialCount.parse(null));
        assertTrue(nul.getMessage().contains("null"), nul.getMessage());
    }

    @Test
    void constructor_rejectsOutOfRange() {
        assertThrows(IllegalArgumentException.class,
                () -> new TrialCount(TrialCount.Kind.TRUNCATED_NEGATIVE_BINOMIAL, -1, 0.5));
        assertThrows(IllegalArgumentException.class,
                () -> new TrialCount(TrialCount.Kind.TRUNCATED_NEGATIVE_BINOMIAL, 1, 1));
        assertThrows(IllegalArgumentException.class,
                () -> new TrialCount(TrialCount.Kind.TRUNCATED_NEGATIVE_BINOMIAL, Double.NaN, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new TrialCount(TrialCount.Kind.POISSON, 1, 5));
        assertThrows(IllegalArgumentException.class, () -> new TrialCount(TrialCount.Kind.POISSON, Double.NaN, 0));
        assertThrows(IllegalArgumentException.class, () -> TrialCount.geometric(1));
        assertThrows(IllegalArgumentException.class, () -> new TrialCount(null, 1, 0.5));
    }
}
