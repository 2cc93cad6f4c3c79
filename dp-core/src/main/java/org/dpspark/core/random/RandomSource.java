package org.dpspark.core.random;

/**
 * A stream of uniformly random bits. Implementations are not required to be thread-safe.
 */
public interface RandomSource {

    /** Returns 64 uniformly random bits. */
    long nextLong();

    /** uniform in [0,1), 53 random bits */
    double nextDouble();
}
