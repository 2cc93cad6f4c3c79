package org.dpspark.core.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class InsecureTestRandomnessTest {

    @Test
    void seededSource_sameSeed_sameStream() {
        RandomSource a = InsecureTestRandomness.seededSource(42);
        RandomSource b = InsecureTestRandomness.seededSource(42);
        for (int i = 0; i < 5000; i++) {
            assertEquals(a.nextLong(), b.nextLong());
        }
    }

    @Test
    void seededSource_differentSeeds_differentStreams() {
        assertNotEquals(InsecureTestRandomness.seededSource(1).nextLong(),
                InsecureTestRandomness.seededSource(2).nextLong());
    }

    @Test
    void seededSecretKey_deterministic32Bytes_distinctPerSeed() {
        byte[] k = InsecureTestRandomness.seededSecretKey(7);
        assertEquals(32, k.length);
        assertArrayEquals(k, InsecureTestRandomness.seededSecretKey(7));
        assertFalse(Arrays.equals(k, InsecureTestRandomness.seededSecretKey(8)));
    }

    @Test
    void seededSecretKey_usableWithDerive_reproducibly() {
        assertEquals(CsprngStream.derive(InsecureTestRandomness.seededSecretKey(3), 1, 2).nextLong(),
                CsprngStream.derive(InsecureTestRandomness.seededSecretKey(3), 1, 2).nextLong());
    }

    @Test
    void seededSource_isDomainSeparatedFromDeriveOfSeededKey() {
        assertNotEquals(InsecureTestRandomness.seededSource(5).nextLong(),
                CsprngStream.derive(InsecureTestRandomness.seededSecretKey(5)).nextLong());
    }
}
