package org.dpspark.core.random;

/**
 * A stream of uniformly random bits. Implementations are not required to be thread-safe.
 */
public interface RandomSource {

    /** Returns 64 uniformly random bits. */
    long nextLong();

    /** uniform in [0,1), 53 random bits */
    double nextDouble();

    /**
     * Writes the next {@code len} values of {@link #nextLong()} to {@code dst[off .. off + len)}, in stream order:
     * the same values, and the stream left in the same state, as {@code len} calls of nextLong. Implementations
     * may do it in bulk.
     */
    default void nextLongs(long[] dst, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, dst.length);
        for (int i = 0; i < len; i++) {
            dst[off + i] = nextLong();
        }
    }
}
