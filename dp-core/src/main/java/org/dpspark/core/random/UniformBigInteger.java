package org.dpspark.core.random;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Objects;

/**
 * Uniform big integers from a {@link RandomSource}, by rejection sampling: draw {@code bound.bitLength()} random
 * bits and start again while the candidate is {@code >= bound}. Since {@code bound >= 2^(bitLength - 1)}, each draw
 * is accepted with probability above 1/2, and an accepted value is exactly uniform in {@code [0, bound)} (no
 * modulo bias).
 *
 * <p>The bits are read as {@code ceil(bitLength / 64)} longs, most significant first, the first one shifted right
 * to drop its excess bits; so a deterministic stream (e.g. {@link CsprngStream#derive}) always yields the same
 * value.
 */
public final class UniformBigInteger {

    private UniformBigInteger() {
    }

    /** A uniform integer in {@code [0, bound)}; {@code bound} must be > 0. */
    public static BigInteger below(BigInteger bound, RandomSource rng) {
        Objects.requireNonNull(bound, "bound");
        Objects.requireNonNull(rng, "rng");
        if (bound.signum() <= 0) {
            throw new IllegalArgumentException("bound must be > 0");
        }
        int bits = bound.bitLength();
        int words = (bits + 63) / 64;
        int excess = words * 64 - bits;
        byte[] bytes = new byte[words * Long.BYTES];
        try {
            while (true) {
                for (int w = 0; w < words; w++) {
                    long x = rng.nextLong();
                    if (w == 0) {
                        x >>>= excess;
                    }
                    for (int b = 0; b < Long.BYTES; b++) {
                        bytes[w * Long.BYTES + b] = (byte) (x >>> (56 - 8 * b));
                    }
                }
                BigInteger candidate = new BigInteger(1, bytes);
                if (candidate.compareTo(bound) < 0) {
                    return candidate;
                }
            }
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }
}
