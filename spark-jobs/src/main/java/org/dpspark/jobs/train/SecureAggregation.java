package org.dpspark.jobs.train;

import java.util.Locale;

/**
 * Who sees each step's sum ({@code --secure-aggregation}; ARCHITECTURE.md, aggregation modes).
 * <ul>
 *   <li>{@link #CENTRAL} (default): partitions send their clipped sums to the driver over the authenticated,
 *       encrypted channel; the driver adds the Gaussian noise. The driver sees every partition's pre-noise sum.</li>
 *   <li>{@link #MASKING}: each partition sends its sum scaled, rotated, rounded, with its share of discrete Gaussian
 *       noise and pairwise masks, modulo 2^b; the driver adds them (the masks cancel) and learns only the noised
 *       total (Bonawitz et al. 2017; Kairouz, Liu and Steinke 2021).</li>
 *   <li>{@link #PAILLIER}: each partition encrypts the same quantized, noised share under a Paillier public key; the
 *       driver multiplies the ciphertexts and a separate key-holder process decrypts only the total.</li>
 * </ul>
 */
public enum SecureAggregation {
    CENTRAL, MASKING, PAILLIER;

    /** Parses {@code central}, {@code masking} or {@code paillier} (any case). */
    public static SecureAggregation parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw org.dpspark.core.params.InvalidParameterException.of("secureAggregation",
                    "must be central, masking or paillier, got " + s);
        }
    }

    /** The name on the command line and in reports. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the driver never sees a partition's sum (masking or paillier). */
    public boolean distributed() {
        return this != CENTRAL;
    }
}
