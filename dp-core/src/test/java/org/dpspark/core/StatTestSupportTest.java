package org.dpspark.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The test helpers against textbook values (so the statistical tests' tolerances are right). */
class StatTestSupportTest {

    @Test
    void normalCdf_knownValues_match() {
        assertEquals(0.5, StatTestSupport.normalCdf(0.0), 1e-16);
        assertEquals(0.8413447460685429, StatTestSupport.normalCdf(1.0), 1e-15);
        assertEquals(0.9772498680518208, StatTestSupport.normalCdf(2.0), 1e-15);
        assertEquals(0.0013498980316301, StatTestSupport.normalCdf(-3.0), 1e-15);
        assertEquals(2.866515718791939e-7, StatTestSupport.normalCdf(-5.0), 1e-15); // 0.5 - phi*S: one ulp of 0.5
    }

    @Test
    void zTwoSided_knownQuantiles_match() {
        assertEquals(1.959963984540054, StatTestSupport.zTwoSided(0.05), 1e-9);
        assertEquals(4.891638475699412, StatTestSupport.zTwoSided(1e-6), 1e-6);
    }
    @Test
    void logGamma_knownValues_match() {
        assertEquals(0.0, StatTestSupport.logGamma(1.0), 1e-12);
        assertEquals(0.0, StatTestSupport.logGamma(2.0), 1e-12);
        assertEquals(0.5 * Math.log(Math.PI), StatTestSupport.logGamma(0.5), 1e-12);
        assertEquals(Math.log(362880.0), StatTestSupport.logGamma(10.0), 1e-11); // 9!
        // ln 100! = ln Gamma(101) = 363.73937555556347 (Stirling to many terms)
        assertEquals(363.73937555556347, StatTestSupport.logGamma(101.0), 1e-9);
    }

    /** Closed forms: df = 2 is exp(-x/2), df = 4 is exp(-x/2)(1 + x/2), df = 1 is 2(1 - Phi(sqrt x)). */
    @Test
    void chiSquareSurvival_closedForms_match() {
        for (double x : new double[] {0.1, 0.5, 1.0, 2.0, 3.0, 10.0, 30.0, 60.0}) {
            double e2 = Math.exp(-x / 2);
            assertEquals(1.0, StatTestSupport.chiSquareSurvival(x, 2) / e2, 1e-10, "df 2, x " + x);
            assertEquals(1.0, StatTestSupport.chiSquareSurvival(x, 4) / (e2 * (1 + x / 2)), 1e-10, "df 4, x " + x);
            if (x <= 10) { // normalCdf's absolute error (2e-16) is small relative to 2 Phi(-sqrt x) >= 1.5e-3 here
                double q1 = 2 * StatTestSupport.normalCdf(-Math.sqrt(x));
                assertEquals(1.0, StatTestSupport.chiSquareSurvival(x, 1) / q1, 1e-9, "df 1, x " + x);
            }
            assertEquals(1.0, StatTestSupport.chiSquareCdf(x, 2) + StatTestSupport.chiSquareSurvival(x, 2), 1e-14);
        }
        // Lower tail, df = 2: P(X <= x) = 1 - exp(-x/2) = -expm1(-x/2), relative accuracy where it is tiny.
        assertEquals(1.0, StatTestSupport.chiSquareCdf(1e-6, 2) / -Math.expm1(-0.5e-6), 1e-10);
        // Textbook table: the 0.95 quantile of chi-square(10) is 18.307.
        assertEquals(0.05, StatTestSupport.chiSquareSurvival(18.307038, 10), 1e-7);
        // Large df: the median of chi-square(k) is about k (1 - 2/(9k))^3.
        int k = 20_000;
        assertEquals(0.5, StatTestSupport.chiSquareSurvival(k * Math.pow(1 - 2.0 / (9 * k), 3), k), 1e-4);
        assertEquals(1.0, StatTestSupport.chiSquareTwoSidedP(k * Math.pow(1 - 2.0 / (9 * k), 3), k), 2e-4);
    }
}
