package org.dpspark.core.secagg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import org.dpspark.core.params.InvalidParameterException;
import org.junit.jupiter.api.Test;

class DdgParamsTest {

    /** The Adult-like setting: dim 105, b = 40, n = 2, t = 0, C = 1, sigma = 1, N = 32,561. */
    @Test
    void choose_adultSetting_fitsTheRangeWithNegligibleRounding() {
        DdgParams p = DdgParams.choose(105, 40, 2, 0, 1.0, 1.0, 32561);
        assertEquals(105, p.dim());
        assertEquals(128, p.paddedDim());
        assertTrue(p.rangeBound() <= Math.pow(2, 39) - 1, "range " + p.rangeBound());
        assertTrue(p.roundingInflation() < 0.01, "inflation " + p.roundingInflation());
        assertCeilingOfExactShare(p);
        assertTrue(p.localVariance() <= DdgParams.MAX_LOCAL_VARIANCE);
        assertEquals(p.scale() * p.clipNorm() + Math.sqrt(128), p.sensitivity(), 1e-6);
        // The honest noise against the inflated sensitivity: just below sigma.
        assertTrue(p.effectiveNoiseMultiplier() <= 1.0 && p.effectiveNoiseMultiplier() > 0.99,
                "effective " + p.effectiveNoiseMultiplier());
        // The scale is (nearly) the largest that fits: 1% more would break the range.
        double bigger = p.scale() * 1.01;
        long local = (long) Math.ceil(bigger * bigger / 2);
        assertTrue(32561 * bigger + 2 + 8 * Math.sqrt(2.0 * local) > Math.pow(2, 39) - 1);
    }

    /**
     * localVariance = ceil(sigma^2 (scale C)^2 / (n - t)) exactly (BigDecimal on the doubles' values), never below
     * the share, on 2,000 random settings; a quarter of them have shares above 2^53, where the product in doubles
     * rounded below the share before DdgParams computed the ceiling exactly.
     */
    @Test
    void choose_localVariance_isTheExactCeilingOfTheShare() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        int checked = 0;
        for (int i = 0; i < 2000; i++) {
            int n = 1 + r.nextInt(50);
            int t = r.nextInt(n);
            int b = 30 + r.nextInt(33);
            try {
                assertCeilingOfExactShare(DdgParams.choose(105, b, n, t, 0.1 + 5 * r.nextDouble(),
                        0.3 + 3 * r.nextDouble(), 1 + r.nextLong(1_000_000)));
                checked++;
            } catch (InvalidParameterException tooFewBits) {
                assertEquals(List.of("secaggBits"), tooFewBits.parameters());
            }
        }
        assertTrue(checked > 1000, checked + " settings accepted");
    }

    private static void assertCeilingOfExactShare(DdgParams p) {
        BigDecimal share = new BigDecimal(p.noiseMultiplier()).pow(2).multiply(new BigDecimal(p.scale()).pow(2))
                .multiply(new BigDecimal(p.clipNorm()).pow(2))
                .divide(BigDecimal.valueOf(p.parties() - p.colluding()), MathContext.DECIMAL128);
        BigDecimal local = BigDecimal.valueOf(p.localVariance());
        assertTrue(local.compareTo(share) >= 0, p + ": localVariance below the share " + share);
        assertTrue(local.subtract(BigDecimal.ONE).compareTo(share) < 0, p + ": more than the ceiling of " + share);
    }

    @Test
    void choose_colludingAtLeastParties_isRefusedNamingSecaggColluding() {
        for (int t : new int[] {2, 3, -1}) {
            InvalidParameterException e = assertThrows(InvalidParameterException.class,
                    () -> DdgParams.choose(105, 40, 2, t, 1.0, 1.0, 32561));
            assertEquals(List.of("secaggColluding"), e.parameters());
            assertTrue(e.getMessage().startsWith("secaggColluding"), e.getMessage());
        }
    }

    /** b = 16 cannot hold 32,561 units at 1% rounding: refused, naming the bits needed, which do work (one less does not). */
    @Test
    void choose_tooFewBits_isRefusedWithTheBitsNeeded() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> DdgParams.choose(105, 16, 2, 0, 1.0, 1.0, 32561));
        assertEquals(List.of("secaggBits"), e.parameters());
        int needed = DdgParams.bitsNeeded(128, 2, 0, 1.0, 32561);
        assertTrue(e.getMessage().contains("at least " + needed + " bits"), e.getMessage());
        // sqrt(128) / 1% = 1131.4 integer units per C; times 32,569 plus the tails is 3.7e7 < 2^26: b = 27.
        assertEquals(27, needed);
        DdgParams p = DdgParams.choose(105, needed, 2, 0, 1.0, 1.0, 32561);
        assertTrue(p.roundingInflation() <= 0.01);
        assertTrue(p.rangeBound() <= Math.pow(2, needed - 1) - 1);
        assertThrows(InvalidParameterException.class, () -> DdgParams.choose(105, needed - 1, 2, 0, 1.0, 1.0, 32561));
    }

    @Test
    void choose_bitsOutside8To62_isRefused() {
        for (int b : new int[] {7, 63}) {
            InvalidParameterException e = assertThrows(InvalidParameterException.class,
                    () -> DdgParams.choose(105, b, 2, 0, 1.0, 1.0, 100));
            assertEquals(List.of("secaggBits"), e.parameters());
        }
    }

    /** tau (KLS Thm 1): 0 for one honest party, 10 exp(-pi^2) for two at localVariance 1, nothing at real scales. */
    @Test
    void tau_vanishesForOneHonestPartyAndLargeVariance() {
        assertEquals(0.0, new DdgParams(105, 128, 40, 3, 2, 1, 1, 100, 1000, 1).tau());
        assertEquals(10 * Math.exp(-Math.PI * Math.PI), new DdgParams(105, 128, 40, 2, 0, 1, 1, 100, 1000, 1).tau(),
                1e-15);
        DdgParams p = DdgParams.choose(105, 40, 8, 2, 1.0, 1.0, 32561);
        assertTrue(p.tau() < 1e-12, "tau " + p.tau());
    }

    @Test
    void constructor_checksInvariants() {
        assertThrows(IllegalArgumentException.class, () -> new DdgParams(105, 100, 40, 2, 0, 1, 1, 100, 1000, 1));
        assertThrows(IllegalArgumentException.class, () -> new DdgParams(105, 128, 40, 2, 2, 1, 1, 100, 1000, 1));
        assertThrows(IllegalArgumentException.class, () -> new DdgParams(105, 128, 40, 2, 0, 1, 1, 100, 1000, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new DdgParams(105, 128, 40, 2, 0, 1, 1, 100, 1000, DdgParams.MAX_LOCAL_VARIANCE + 1));
        assertEquals(128, DdgParams.paddedDim(105));
        assertEquals(1, DdgParams.paddedDim(1));
        assertEquals(1 << 30, DdgParams.paddedDim((1 << 29) + 1));
    }
}
