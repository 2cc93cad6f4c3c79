package org.dpspark.core.random;

import java.util.function.Consumer;

/** Test only: sets {@link CsprngStream}'s secret tap (job keys, noise stream keys and IVs) from another module's tests. */
public final class CsprngTap {
    private CsprngTap() {}

    /** Starts (non-null) or stops (null) receiving every secret CsprngStream draws. */
    public static void set(Consumer<byte[]> tap) {
        CsprngStream.secretTapForTests = tap;
    }
}
