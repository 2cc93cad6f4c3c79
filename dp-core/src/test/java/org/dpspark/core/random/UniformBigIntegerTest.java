package org.dpspark.core.random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class UniformBigIntegerTest {

    @Test
    void values_lieBelowTheBound() {
        RandomSource rng = CsprngStream.fromSecureRandom();
        BigInteger[] bounds = {BigInteger.ONE, BigInteger.TWO, BigInteger.valueOf(1000), BigInteger.ONE.shiftLeft(64),
            BigInteger.ONE.shiftLeft(64).add(BigInteger.ONE), BigInteger.ONE.shiftLeft(3071).add(BigInteger.TEN)};
        for (BigInteger bound : bounds) {
            for (int i = 0; i < 200; i++) {
                BigInteger x = UniformBigInteger.below(bound, rng);
                assertTrue(x.signum() >= 0 && x.compareTo(bound) < 0, bound + ": " + x);
            }
        }
        assertEquals(BigInteger.ZERO, UniformBigInteger.below(BigInteger.ONE, rng));
    }

    /** Chi-square over 6 cells (bound 6: 3 bits, acceptance 3/4): 60,000 draws, 5 degrees of freedom. */
    @Test
    void smallBound_isUniform() {
        RandomSource rng = InsecureTestRandomness.seededSource(5);
        int draws = 60_000;
        long[] counts = new long[6];
        for (int i = 0; i < draws; i++) {
            counts[UniformBigInteger.below(BigInteger.valueOf(6), rng).intValueExact()]++;
        }
        double expected = draws / 6.0;
        double chi2 = 0;
        for (long c : counts) {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        assertTrue(chi2 < 20.5, "chi-square " + chi2); // 20.5: the 0.999 quantile with 5 degrees of freedom
    }

    @Test
    void theHighBitsAreUsed() {
        RandomSource rng = CsprngStream.fromSecureRandom();
        BigInteger bound = BigInteger.ONE.shiftLeft(200);
        int high = 0;
        for (int i = 0; i < 400; i++) {
            if (UniformBigInteger.below(bound, rng).testBit(199)) {
                high++;
            }
        }
        assertTrue(high > 120 && high < 280, "top bit set " + high + " times in 400");
    }

    @Test
    void derivedStreams_giveTheSameValues() {
        byte[] secret = InsecureTestRandomness.seededSecretKey(1);
        BigInteger bound = BigInteger.ONE.shiftLeft(3000).subtract(BigInteger.valueOf(77));
        assertEquals(UniformBigInteger.below(bound, CsprngStream.derive(secret, 9)),
                UniformBigInteger.below(bound, CsprngStream.derive(secret, 9)));
    }

    @Test
    void refusesABoundBelowOne() {
        RandomSource rng = CsprngStream.fromSecureRandom();
        assertThrows(IllegalArgumentException.class, () -> UniformBigInteger.below(BigInteger.ZERO, rng));
        assertThrows(IllegalArgumentException.class, () -> UniformBigInteger.below(BigInteger.valueOf(-3), rng));
    }
}
