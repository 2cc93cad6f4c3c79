package org.dpspark.core.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.dpspark.core.StatTestSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class CsprngStreamTest {

    /** The documented construction, recomputed independently: SHA-256 key, zero IV, AES-ECB of counter blocks. */
    private static long[] expectedDerivedStream(byte[] secret, long[] context, int count) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update("dpspark/CsprngStream/derive/v1".getBytes(StandardCharsets.US_ASCII));
        sha.update(ByteBuffer.allocate(4).putInt(secret.length).array());
        sha.update(secret);
        ByteBuffer ctx = ByteBuffer.allocate(4 + 8 * context.length).putInt(context.length);
        for (long c : context) {
            ctx.putLong(c);
        }
        sha.update(ctx.array());
        byte[] key = sha.digest();
        Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        int blocks = (count * 8 + 15) / 16;
        ByteBuffer counters = ByteBuffer.allocate(blocks * 16); // big-endian 128-bit counter from IV = 0
        for (int b = 0; b < blocks; b++) {
            counters.putLong(0L).putLong(b);
        }
        byte[] keystream = ecb.doFinal(counters.array());
        long[] out = new long[count];
        ByteBuffer.wrap(keystream).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
        return out;
    }

    private static long[] take(RandomSource rng, int count) {
        long[] out = new long[count];
        for (int i = 0; i < count; i++) {
            out[i] = rng.nextLong();
        }
        return out;
    }

    @Test
    void derive_matchesIndependentAesCtrOfDocumentedKey_acrossBufferRefills() throws Exception {
        byte[] secret = new byte[32];
        for (int i = 0; i < secret.length; i++) {
            secret[i] = (byte) (17 * i + 3);
        }
        long[] context = {42L, -7L};
        int count = 3 * CsprngStream.BUFFER_BYTES / 8 + 5; // crosses three refills
        assertArrayEquals(expectedDerivedStream(secret, context, count),
                take(CsprngStream.derive(secret, context), count));
    }

    @Test
    void nextLongs_equalsNextLongCalls_acrossBufferRefills_andLeavesTheStreamWhereTheyWould() {
        byte[] secret = CsprngStream.newSecretKey();
        CsprngStream bulk = CsprngStream.derive(secret, 4);
        CsprngStream single = CsprngStream.derive(secret, 4);
        // odd sizes and offsets, mixed with single calls, crossing the 16 KiB buffer's refills several times
        int[] sizes = {1, 3, 2047, 2048, 2049, 0, 5000, 7};
        long[] dst = new long[6000];
        for (int size : sizes) {
            assertEquals(single.nextLong(), bulk.nextLong());
            bulk.nextLongs(dst, 11, size);
            for (int i = 0; i < size; i++) {
                assertEquals(single.nextLong(), dst[11 + i], "size " + size + ", word " + i);
            }
            assertEquals(single.nextDouble(), bulk.nextDouble());
        }
        assertThrows(IndexOutOfBoundsException.class, () -> bulk.nextLongs(dst, 5990, 11));
    }

    @Test
    void derive_sameSecretAndContext_sameStream() {
        byte[] secret = CsprngStream.newSecretKey();
        assertArrayEquals(take(CsprngStream.derive(secret, 3, 9), 1000), take(CsprngStream.derive(secret, 3, 9), 1000));
    }

    @Test
    void derive_differentContextOrSecret_differentStream() {
        byte[] secret = CsprngStream.newSecretKey();
        long first = CsprngStream.derive(secret, 3, 9).nextLong();
        // A 64-bit collision between unrelated AES streams has probability 2^-64 per pair.
        assertNotEquals(first, CsprngStream.derive(secret, 3, 10).nextLong());
        assertNotEquals(first, CsprngStream.derive(secret, 9, 3).nextLong());
        assertNotEquals(first, CsprngStream.derive(secret, 3).nextLong());
        assertNotEquals(first, CsprngStream.derive(secret, 3, 9, 0).nextLong());
        assertNotEquals(first, CsprngStream.derive(CsprngStream.newSecretKey(), 3, 9).nextLong());
    }

    @Test
    void derive_doesNotModifySecret() {
        byte[] secret = CsprngStream.newSecretKey();
        byte[] copy = secret.clone();
        CsprngStream.derive(secret, 1).nextLong();
        assertArrayEquals(copy, secret);
    }

    @Test
    void derive_shortOrNullSecret_rejected() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> CsprngStream.derive(new byte[15], 1));
        assertTrue(e.getMessage().contains("secretKey") && e.getMessage().contains("15"), e.getMessage());
        CsprngStream.derive(new byte[16], 1); // 16 bytes is the minimum
        assertThrows(NullPointerException.class, () -> CsprngStream.derive(null, 1));
    }

    @Test
    void newSecretKey_is32FreshBytes() {
        byte[] a = CsprngStream.newSecretKey();
        byte[] b = CsprngStream.newSecretKey();
        assertEquals(32, a.length);
        assertFalse(Arrays.equals(a, b)); // equal with probability 2^-256
    }

    @Test
    void fromSecureRandom_twoStreams_differ() {
        assertFalse(Arrays.equals(take(CsprngStream.fromSecureRandom(), 4), take(CsprngStream.fromSecureRandom(), 4)));
    }

    @Test
    void nextDouble_isTopFiftyThreeBitsOfNextLong() {
        byte[] secret = CsprngStream.newSecretKey();
        CsprngStream a = CsprngStream.derive(secret, 5);
        CsprngStream b = CsprngStream.derive(secret, 5);
        for (int i = 0; i < 10_000; i++) {
            double u = a.nextDouble();
            assertTrue(u >= 0.0 && u < 1.0);
            assertEquals((b.nextLong() >>> 11) * 0x1.0p-53, u);
        }
    }

    /**
     * Each of the 64 bit positions is 1 with probability 1/2. n = 200,000 longs; every bit count is checked with
     * Bernstein's bound at alpha / 64, so the false-failure probability is at most 1e-6.
     */
    @Test
    @Tag("statistical")
    void nextLong_everyBitPosition_isBalanced() {
        int n = 200_000;
        long[] ones = new long[64];
        CsprngStream rng = CsprngStream.fromSecureRandom();
        for (int i = 0; i < n; i++) {
            long v = rng.nextLong();
            for (int b = 0; b < 64; b++) {
                ones[b] += (v >>> b) & 1L;
            }
        }
        double tolerance = StatTestSupport.bernsteinDeviation(n * 0.25, StatTestSupport.ALPHA / 64);
        for (int b = 0; b < 64; b++) {
            assertTrue(Math.abs(ones[b] - 0.5 * n) < tolerance, "bit " + b + ": " + ones[b] + " ones of " + n);
        }
    }
}
