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
}
