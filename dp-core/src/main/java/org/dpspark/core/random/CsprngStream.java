package org.dpspark.core.random;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A cryptographically secure random stream: the AES-256 keystream in counter mode (NIST SP 800-38A, CTR),
 * i.e. block j of the stream is {@code AES_K(IV + j mod 2^128)}. It is produced by encrypting zero blocks with
 * {@code Cipher.getInstance("AES/CTR/NoPadding")} (the JDK provider, which uses the AES-NI intrinsics) into an
 * internal 16 KiB buffer refilled in bulk; {@link #nextLong()} reads the buffer 8 bytes at a time
 * (little-endian). Without the key the stream is indistinguishable from uniform bits as long as AES is a
 * pseudorandom permutation.
 *
 * <p>Two ways to key it:
 * <ul>
 *   <li>{@link #fromSecureRandom()}: a fresh random 256-bit key and 128-bit IV from {@link SecureRandom}; used for
 *       the Gaussian noise, which must never be reproducible.</li>
 *   <li>{@link #derive(byte[], long...)}: key = SHA-256(tag || len(secret) || secret || len(context) || context),
 *       IV = 0, with a fixed domain-separation tag and every length and context value encoded big-endian, so the
 *       encoding is injective. The same (job secret, step, partition) always gives the same stream, e.g. on a task
 *       retry, while the stream stays unpredictable to anyone without the secret. Each context has its own
 *       key, so the zero IV never repeats a (key, counter) pair across contexts.</li>
 * </ul>
 *
 * <p>Not thread-safe: use one instance per thread. Never log or serialize the key material.
 */
public final class CsprngStream implements RandomSource {

    /** Domain-separation tag for {@link #derive(byte[], long...)}. */
    static final String DERIVE_TAG = "dpspark/CsprngStream/derive/v1";

    static final int KEY_BYTES = 32;
    static final int IV_BYTES = 16;
    static final int MIN_SECRET_BYTES = 16;
    static final int BUFFER_BYTES = 16 * 1024;

    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Lazily created; SecureRandom is thread-safe. The default (not getInstanceStrong) never blocks on Linux. */
    private static final class Entropy {
        static final SecureRandom SOURCE = new SecureRandom();
    }

    /**
     * TEST ONLY, null in production: receives a copy of every secret drawn here (job keys, stream keys and IVs), so a
     * test can look for them in everything a run writes (issue 18). Package-private; set from test code only.
     */
    static volatile java.util.function.Consumer<byte[]> secretTapForTests;

    private static void tap(byte[] secret) {
        java.util.function.Consumer<byte[]> t = secretTapForTests;
        if (t != null) {
            t.accept(secret.clone());
        }
    }

    private final Cipher cipher;
    private final byte[] zeros = new byte[BUFFER_BYTES];
    private final byte[] buffer = new byte[BUFFER_BYTES];
    /** The buffer as little-endian longs, for {@link #nextLongs}' bulk copies (the same values as {@link #LONGS}). */
    private final LongBuffer longView = ByteBuffer.wrap(buffer).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
    private int position = BUFFER_BYTES;

    private CsprngStream(byte[] key, byte[] iv) {
        try {
            cipher = Cipher.getInstance("AES/CTR/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/CTR/NoPadding with a 256-bit key is not available", e);
        }
    }

    /** A stream keyed with a fresh 256-bit key and 128-bit IV from {@link SecureRandom}. */
    public static CsprngStream fromSecureRandom() {
        byte[] key = new byte[KEY_BYTES];
        byte[] iv = new byte[IV_BYTES];
        Entropy.SOURCE.nextBytes(key);
        Entropy.SOURCE.nextBytes(iv);
        tap(key);
        tap(iv);
        try {
            return new CsprngStream(key, iv);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /**
     * A deterministic stream for {@code (secretKey, context)}: key = SHA-256 of the domain-separation tag, the
     * secret and the context longs (lengths included), IV = 0. Same inputs, same stream; any other secret or
     * context (including a different number of context values) gives an unrelated stream.
     *
     * @param secretKey the job's secret, at least 16 bytes (e.g. from {@link #newSecretKey()}); not modified
     * @param context   e.g. (step, partition)
     */
    public static CsprngStream derive(byte[] secretKey, long... context) {
        return keyed(DERIVE_TAG, secretKey, context);
    }

    /** 32 bytes from {@link SecureRandom}, to be used as a job's secret for {@link #derive(byte[], long...)}. */
    public static byte[] newSecretKey() {
        byte[] key = new byte[KEY_BYTES];
        Entropy.SOURCE.nextBytes(key);
        tap(key);
        return key;
    }

    /** Key derivation shared with {@link InsecureTestRandomness}, which uses its own tag. */
    static CsprngStream keyed(String tag, byte[] secretKey, long... context) {
        Objects.requireNonNull(secretKey, "secretKey");
        Objects.requireNonNull(context, "context");
        if (secretKey.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("secretKey must be at least " + MIN_SECRET_BYTES
                    + " bytes long, got " + secretKey.length + " bytes");
        }
        byte[] key = sha256(tag, secretKey, context);
        try {
            return new CsprngStream(key, new byte[IV_BYTES]);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** SHA-256(tag || int len(secret) || secret || int len(context) || context longs), all big-endian. */
    static byte[] sha256(String tag, byte[] secret, long... context) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        sha.update(tag.getBytes(StandardCharsets.US_ASCII));
        sha.update(intBytes(secret.length));
        sha.update(secret);
        sha.update(intBytes(context.length));
        for (long c : context) {
            for (int shift = 56; shift >= 0; shift -= 8) {
                sha.update((byte) (c >>> shift));
            }
        }
        return sha.digest();
    }

    private static byte[] intBytes(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    @Override
    public long nextLong() {
        int p = position;
        if (p == BUFFER_BYTES) {
            refill();
            p = 0;
        }
        position = p + Long.BYTES;
        return (long) LONGS.get(buffer, p);
    }

    @Override
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** As {@code len} calls of {@link #nextLong()}, read from the keystream buffer in one loop per refill. */
    @Override
    public void nextLongs(long[] dst, int off, int len) {
        Objects.checkFromIndexSize(off, len, dst.length);
        int i = off;
        final int end = off + len;
        while (i < end) {
            if (position == BUFFER_BYTES) {
                refill();
            }
            final int p = position;
            final int take = Math.min(end - i, (BUFFER_BYTES - p) >>> 3);
            longView.get(p >>> 3, dst, i, take);
            position = p + (take << 3);
            i += take;
        }
    }

    private void refill() {
        try {
            int produced = cipher.update(zeros, 0, BUFFER_BYTES, buffer, 0);
            if (produced != BUFFER_BYTES) {
                throw new IllegalStateException("AES-CTR produced " + produced + " bytes instead of " + BUFFER_BYTES);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CTR keystream generation failed", e);
        }
        position = 0;
    }

    @Override
    public String toString() {
        return "CsprngStream[AES-256-CTR]";
    }
}
