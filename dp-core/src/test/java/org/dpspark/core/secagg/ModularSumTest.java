package org.dpspark.core.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ModularSumTest {

    @Test
    void reduce_mapsIntoZeroTo2PowBits() {
        assertEquals(255, ModularSum.reduce(-1, 8));
        assertEquals(0, ModularSum.reduce(256, 8));
        assertEquals(1, ModularSum.reduce(257, 8));
        assertEquals(0, ModularSum.reduce(Long.MIN_VALUE, 62));
        assertEquals((1L << 62) - 1, ModularSum.reduce(-1, 62));
        assertEquals(Long.MAX_VALUE, ModularSum.reduce(-1, 63));
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 10_000; i++) {
            long v = r.nextLong();
            int bits = 1 + r.nextInt(63);
            long expected = BigInteger.valueOf(v).mod(BigInteger.ONE.shiftLeft(bits)).longValueExact();
            assertEquals(expected, ModularSum.reduce(v, bits), v + " mod 2^" + bits);
        }
    }

    @Test
    void centered_mapsToMinusHalfToHalf() {
        assertEquals(0, ModularSum.centered(0, 8));
        assertEquals(127, ModularSum.centered(127, 8));
        assertEquals(-128, ModularSum.centered(128, 8));
        assertEquals(-1, ModularSum.centered(255, 8));
        assertEquals((1L << 61) - 1, ModularSum.centered((1L << 61) - 1, 62));
        assertEquals(-(1L << 61), ModularSum.centered(1L << 61, 62));
        assertEquals(-1, ModularSum.centered((1L << 40) - 1, 40));
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < 10_000; i++) {
            int bits = 1 + r.nextInt(63);
            long half = 1L << (bits - 1);
            long v = r.nextLong(-half, half);
            assertEquals(v, ModularSum.centered(ModularSum.reduce(v, bits), bits));
            assertEquals(v, ModularSum.centered(v + (r.nextLong(1 << 10) << bits), bits)); // any representative
        }
    }

    @Test
    void addInto_addsModulo2PowBits_evenWhenTheLongSumWraps() {
        long[] acc = {250, 5, Long.MAX_VALUE, -3};
        ModularSum.addInto(acc, new long[] {10, -10, Long.MAX_VALUE, -3}, 8);
        assertArrayEquals(new long[] {4, 251, 254, 250}, acc);
        SplittableRandom r = new SplittableRandom(3);
        for (int bits : new int[] {8, 32, 40, 62, 63}) {
            long[] a = new long[100];
            long[] b = new long[100];
            for (int i = 0; i < 100; i++) {
                a[i] = r.nextLong();
                b[i] = r.nextLong();
            }
            long[] sum = a.clone();
            ModularSum.addInto(sum, b, bits);
            for (int i = 0; i < 100; i++) {
                long expected = BigInteger.valueOf(a[i]).add(BigInteger.valueOf(b[i]))
                        .mod(BigInteger.ONE.shiftLeft(bits)).longValueExact();
                assertEquals(expected, sum[i]);
            }
        }
    }

    @Test
    void invalidBitsOrLengths_areRefused() {
        assertThrows(IllegalArgumentException.class, () -> ModularSum.reduce(1, 0));
        assertThrows(IllegalArgumentException.class, () -> ModularSum.reduce(1, 64));
        assertThrows(IllegalArgumentException.class, () -> ModularSum.centered(1, 64));
        assertThrows(IllegalArgumentException.class, () -> ModularSum.addInto(new long[2], new long[3], 8));
    }
}
