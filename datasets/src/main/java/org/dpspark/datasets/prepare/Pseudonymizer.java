package org.dpspark.datasets.prepare;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.dpspark.core.params.InvalidParameterException;

/**
 * Keyed pseudonyms: {@code pseudonym(v) = base32(HMAC-SHA256(key, UTF-8(v))[0..20))}.
 *
 * <p>HMAC-SHA256 (RFC 2104, FIPS 198-1; test vectors RFC 4231) is a pseudorandom function under its key, so
 * without the key a pseudonym reveals nothing about the value and a dictionary attack over small value spaces
 * (phone numbers, national ids) is impossible, unlike an unkeyed hash. With the key, equal values map to equal
 * pseudonyms, so joins and per-user grouping (user-level DP) still work. This is pseudonymization in the GDPR
 * sense (Art. 4(5)), not anonymization and not DP.
 *
 * <p>The token is the first 20 bytes (160 bits) of the MAC in lowercase RFC 4648 base32 without padding: exactly
 * 32 characters of {@code [a-z2-7]}. By the birthday bound, n values collide with probability at most
 * {@code n^2 / 2^161}; for n = 10^12 that is below 10^-24, negligible. Truncating an HMAC output is allowed
 * (RFC 2104 section 5, NIST SP 800-107 section 5.3.3) and keeps tokens short and case-insensitive.
 *
 * <p>The key must be at least 32 bytes (256 bits, the SHA-256 output size; RFC 2104 section 3 recommends keys no
 * shorter than the output). {@link #keyId()} is a hash of a hash of the key, so a key rotation is visible in
 * provenance without revealing the key. {@link #toString()} shows only the key id.
 *
 * <p>Thread safety: instances are immutable and safe to share. {@code Mac} objects are not thread-safe, so each
 * thread keeps its own initialised {@code Mac} in a (transient) {@code ThreadLocal}; no allocation of a
 * {@code Mac} per call. Serializable so Spark can ship it to executors: the key travels as a {@code byte[]}
 * (encrypt Spark RPC, {@code spark.network.crypto.enabled}, if the network is not trusted).
 */
public final class Pseudonymizer implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** Minimum key length in bytes. */
    public static final int MIN_KEY_BYTES = 32;

    /** Bytes of the MAC kept in a pseudonym (160 bits). */
    public static final int TOKEN_BYTES = 20;

    /** Length of a pseudonym in characters (160 bits / 5 bits per base32 character). */
    public static final int TOKEN_LENGTH = TOKEN_BYTES * 8 / 5;

    private static final String ALGORITHM = "HmacSHA256";
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    private final byte[] key;
    private final String keyId;
    private transient ThreadLocal<Mac> macs;

    private Pseudonymizer(byte[] key) {
        this.key = key.clone();
        this.keyId = computeKeyId(this.key);
        this.macs = newMacs(this.key);
    }

    /**
     * A pseudonymizer under {@code key} (copied).
     *
     * @throws InvalidParameterException naming {@code pseudonymKey} if the key is null or shorter than
     *         {@link #MIN_KEY_BYTES}; the message gives the length, never the bytes
     */
    public static Pseudonymizer of(byte[] key) {
        if (key == null) {
            throw InvalidParameterException.of("pseudonymKey", "must be given (at least " + MIN_KEY_BYTES
                    + " bytes)");
        }
        if (key.length < MIN_KEY_BYTES) {
            throw InvalidParameterException.of("pseudonymKey", "must be at least " + MIN_KEY_BYTES
                    + " bytes, got " + key.length + " bytes");
        }
        return new Pseudonymizer(key);
    }

    /** Test hook: HMAC-SHA256 through the same code path, without the key-length rule (RFC 4231 short keys). */
    static Pseudonymizer ofAnyLengthForTests(byte[] key) {
        return new Pseudonymizer(key);
    }

    /**
     * The pseudonym of {@code value}: 32 lowercase base32 characters, or null for null.
     */
    public String pseudonym(String value) {
        if (value == null) {
            return null;
        }
        return base32(mac(value.getBytes(StandardCharsets.UTF_8)));
    }

    /** The raw HMAC-SHA256 of {@code message} under the key (32 bytes). */
    public byte[] mac(byte[] message) {
        if (message == null) {
            throw new IllegalArgumentException("message must not be null");
        }
        return macs.get().doFinal(message);
    }

    /** Hex of the first 8 bytes of SHA-256(SHA-256(key)): identifies the key without revealing it. */
    public String keyId() {
        return keyId;
    }

    @Override
    public String toString() {
        return "Pseudonymizer[keyId=" + keyId + "]";
    }

    /** Lowercase base32 of the first {@link #TOKEN_BYTES} bytes of {@code mac}, no padding (160 = 32 * 5 bits). */
    private static String base32(byte[] mac) {
        char[] out = new char[TOKEN_LENGTH];
        int buffer = 0;
        int bits = 0;
        int o = 0;
        for (int i = 0; i < TOKEN_BYTES; i++) {
            buffer = (buffer << 8) | (mac[i] & 0xff);
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                out[o++] = BASE32[(buffer >>> bits) & 31];
            }
            buffer &= (1 << bits) - 1;
        }
        return new String(out);
    }

    private static ThreadLocal<Mac> newMacs(byte[] key) {
        SecretKeySpec spec = new SecretKeySpec(key.length == 0 ? new byte[1] : key, ALGORITHM);
        // SecretKeySpec refuses an empty key; HMAC pads keys with zeros to the block size, so one zero byte
        // gives the same MAC as the empty key (RFC 2104 section 2). Only reachable through the test hook.
        return ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance(ALGORITHM);
                mac.init(spec);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is unavailable in this JDK", e);
            }
        });
    }

    private static String computeKeyId(byte[] key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] inner = sha.digest(key);
            byte[] outer = sha.digest(inner);
            return HexFormat.of().formatHex(outer, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable in this JDK", e);
        }
    }

    @Serial
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        if (key == null || keyId == null || !computeKeyId(key).equals(keyId)) {
            throw new InvalidObjectException("corrupt Pseudonymizer: key and key id disagree");
        }
        macs = newMacs(key);
    }
}
