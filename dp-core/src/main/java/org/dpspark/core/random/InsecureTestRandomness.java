package org.dpspark.core.random;

import java.util.Arrays;

/**
 * <b>INSECURE. FOR TESTS ONLY. NEVER USE FOR A PRIVACY GUARANTEE.</b>
 *
 * <p>The one place in dpspark where randomness comes from a user-chosen seed. Anyone who knows or guesses the
 * seed (a 64-bit value, often 0, 1 or 42) can reproduce every "random" draw: the Poisson samples and, worse,
 * the exact noise added to each released sum, which then reveals the pre-noise sums and therefore the data.
 * A model trained through this path has NO differential-privacy guarantee.
 *
 * <p>It exists so that tests and debugging runs are reproducible. Production code never calls it unless a
 * user explicitly passes an insecure test seed, and that choice must be visible in the job's report.
 *
 * <p>Mechanically the streams are the same AES-256-CTR streams as {@link CsprngStream}, keyed from
 * SHA-256 of a distinct domain tag and the seed, so the statistical quality is identical; only the secrecy is
 * gone.
 */
public final class InsecureTestRandomness {

    static final String KEY_TAG = "dpspark/InsecureTestRandomness/secretKey/v1";
    static final String SOURCE_TAG = "dpspark/InsecureTestRandomness/source/v1";

    private InsecureTestRandomness() {
    }

    /** INSECURE: a stream fully determined by {@code seed}. For tests only. */
    public static RandomSource seededSource(long seed) {
        byte[] key = seededSecretKey(seed);
        try {
            return CsprngStream.keyed(SOURCE_TAG, key);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** INSECURE: a 32-byte "secret" fully determined by {@code seed}, for {@link CsprngStream#derive}. Tests only. */
    public static byte[] seededSecretKey(long seed) {
        byte[] seedBytes = new byte[Long.BYTES];
        for (int i = 0; i < Long.BYTES; i++) {
            seedBytes[i] = (byte) (seed >>> (56 - 8 * i));
        }
        return CsprngStream.sha256(KEY_TAG, seedBytes);
    }
}
