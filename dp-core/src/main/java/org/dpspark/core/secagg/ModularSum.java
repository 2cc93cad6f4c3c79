package org.dpspark.core.secagg;

/**
 * Arithmetic in Z / 2^bits on Java longs, for the masked sums of the secure aggregation (Bonawitz et al., CCS 2017;
 * KLS's modular clipping maps the total back with {@link #centered}). Because 2^bits divides 2^64, a long sum that
 * wraps around 2^64 is still right modulo 2^bits, so no intermediate value can overflow the result.
 * bits is in [1, 63].
 */
public final class ModularSum {

    private ModularSum() {
    }

    /** v mod 2^bits, in [0, 2^bits) (also for negative v). */
    public static long reduce(long v, int bits) {
        checkBits(bits);
        return v & ((1L << bits) - 1);
    }

    /**
     * The representative of v mod 2^bits in [-2^(bits-1), 2^(bits-1)): values of [0, 2^bits) at or above
     * 2^(bits-1) become negative (any v is first reduced mod 2^bits).
     */
    public static long centered(long v, int bits) {
        checkBits(bits);
        int shift = 64 - bits;
        return (v << shift) >> shift;
    }

    /** acc = acc + v mod 2^bits, element-wise (results in [0, 2^bits)). */
    public static void addInto(long[] acc, long[] v, int bits) {
        checkBits(bits);
        if (acc.length != v.length) {
            throw new IllegalArgumentException("length mismatch: " + acc.length + " vs " + v.length);
        }
        long mask = (1L << bits) - 1;
        for (int i = 0; i < acc.length; i++) {
            acc[i] = (acc[i] + v[i]) & mask;
        }
    }

    static void checkBits(int bits) {
        if (bits < 1 || bits > 63) {
            throw new IllegalArgumentException("bits must be in [1, 63], got " + bits);
        }
    }
}
