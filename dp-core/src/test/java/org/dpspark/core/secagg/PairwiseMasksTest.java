package org.dpspark.core.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.KeyAgreement;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;
import org.junit.jupiter.api.Test;

class PairwiseMasksTest {

    private static final HexFormat HEX = HexFormat.of();

    // RFC 7748, Section 6.1 (Curve25519 Diffie-Hellman example).
    private static final String ALICE_PRIVATE = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
    private static final String ALICE_PUBLIC = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
    private static final String BOB_PRIVATE = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
    private static final String BOB_PUBLIC = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
    private static final String SHARED = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

    private static byte[] rawX25519(KeyPair mine, KeyPair peer) throws Exception {
        KeyAgreement ka = KeyAgreement.getInstance("X25519");
        ka.init(mine.getPrivate());
        ka.doPhase(peer.getPublic(), true);
        return ka.generateSecret();
    }

    @Test
    void fromSeed_publicBytesAndAgreement_matchRfc7748Section6_1() throws Exception {
        KeyPair alice = PairwiseMasks.fromSeed(HEX.parseHex(ALICE_PRIVATE));
        KeyPair bob = PairwiseMasks.fromSeed(HEX.parseHex(BOB_PRIVATE));
        assertEquals(ALICE_PUBLIC, HEX.formatHex(PairwiseMasks.publicBytes(alice.getPublic())));
        assertEquals(BOB_PUBLIC, HEX.formatHex(PairwiseMasks.publicBytes(bob.getPublic())));
        assertEquals(SHARED, HEX.formatHex(rawX25519(alice, bob)));
        assertEquals(SHARED, HEX.formatHex(rawX25519(bob, alice)));
    }

    /** agree is SHA-256(tag || K || context), recomputed here with the RFC's K, from either side. */
    @Test
    void agree_isTheDocumentedHashOfTheRfcSharedSecret() throws Exception {
        KeyPair alice = PairwiseMasks.fromSeed(HEX.parseHex(ALICE_PRIVATE));
        KeyPair bob = PairwiseMasks.fromSeed(HEX.parseHex(BOB_PRIVATE));
        byte[] context = "job-1/step-3".getBytes(StandardCharsets.US_ASCII);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update("dpspark/secagg/pair/v1".getBytes(StandardCharsets.US_ASCII));
        sha.update(HEX.parseHex(SHARED));
        sha.update(context);
        byte[] expected = sha.digest();
        assertArrayEquals(expected, PairwiseMasks.agree(alice.getPrivate(), HEX.parseHex(BOB_PUBLIC), context));
        assertArrayEquals(expected, PairwiseMasks.agree(bob.getPrivate(), HEX.parseHex(ALICE_PUBLIC), context));
    }

    @Test
    void agree_isSymmetricAndContextBound_forFreshKeys() {
        for (int i = 0; i < 5; i++) {
            KeyPair a = PairwiseMasks.generate();
            KeyPair b = PairwiseMasks.generate();
            byte[] ctx = {1, 2, (byte) i};
            byte[] ab = PairwiseMasks.agree(a.getPrivate(), PairwiseMasks.publicBytes(b.getPublic()), ctx);
            byte[] ba = PairwiseMasks.agree(b.getPrivate(), PairwiseMasks.publicBytes(a.getPublic()), ctx);
            assertEquals(32, ab.length);
            assertArrayEquals(ab, ba);
            assertFalse(Arrays.equals(ab, PairwiseMasks.agree(a.getPrivate(),
                    PairwiseMasks.publicBytes(b.getPublic()), new byte[] {1, 2, (byte) (i + 1)})));
        }
    }

    @Test
    void fromSeed_isDeterministic_andChecksLength() {
        byte[] seed = InsecureTestRandomness.seededSecretKey(12);
        assertArrayEquals(PairwiseMasks.publicBytes(PairwiseMasks.fromSeed(seed).getPublic()),
                PairwiseMasks.publicBytes(PairwiseMasks.fromSeed(seed.clone()).getPublic()));
        assertThrows(IllegalArgumentException.class, () -> PairwiseMasks.fromSeed(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> PairwiseMasks.agree(PairwiseMasks.generate().getPrivate(),
                new byte[33], new byte[0]));
    }

    /**
     * Low-order peer keys give an all-zero X25519 output and are refused: u = 0, 1, the two points of order 8, and
     * p - 1 (order 2), p and p + 1 (0 and 1 not reduced).
     */
    @Test
    void agree_lowOrderPeerKey_isRefused() {
        KeyPair mine = PairwiseMasks.generate();
        String[] lowOrder = {
            "0000000000000000000000000000000000000000000000000000000000000000",
            "0100000000000000000000000000000000000000000000000000000000000000",
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
            "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        };
        for (String u : lowOrder) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PairwiseMasks.agree(mine.getPrivate(), HEX.parseHex(u), new byte[0]), u);
            assertTrue(e.getMessage().contains("all-zero"), e.getMessage());
        }
    }

    /** Symmetric random pair keys for n parties (pairKeys[i][j] == pairKeys[j][i], the diagonal null). */
    static byte[][][] randomPairKeys(int n, long seed) {
        RandomSource rng = InsecureTestRandomness.seededSource(seed);
        byte[][][] keys = new byte[n][n][];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                byte[] k = new byte[32];
                for (int b = 0; b < 32; b += 8) {
                    long w = rng.nextLong();
                    for (int q = 0; q < 8; q++) {
                        k[b + q] = (byte) (w >>> (8 * q));
                    }
                }
                keys[i][j] = k;
                keys[j][i] = k;
            }
        }
        return keys;
    }

    /** n = 5 parties' masked zero vectors sum to 0 mod 2^b, and masked data to the data's sum, for b = 8 .. 62. */
    @Test
    void apply_masksCancelInTheSum() {
        int n = 5;
        int len = 300;
        byte[][][] keys = randomPairKeys(n, 1);
        for (int bits : new int[] {8, 32, 40, 62}) {
            long[] total = new long[len];
            long[] dataTotal = new long[len];
            long[] maskedTotal = new long[len];
            for (int p = 0; p < n; p++) {
                long[] zeros = new long[len];
                PairwiseMasks.apply(zeros, p, keys[p], 17, bits);
                for (long z : zeros) {
                    assertTrue(z >= 0 && z < (1L << bits));
                }
                assertTrue(Arrays.stream(zeros).anyMatch(z -> z != 0), "party " + p + " has no mask");
                ModularSum.addInto(total, zeros, bits);
                long[] data = new long[len];
                for (int i = 0; i < len; i++) {
                    data[i] = (long) (p + 1) * (i - 150);
                }
                ModularSum.addInto(dataTotal, data, bits);
                PairwiseMasks.apply(data, p, keys[p], 17, bits);
                ModularSum.addInto(maskedTotal, data, bits);
            }
            assertArrayEquals(new long[len], total, "b = " + bits);
            assertArrayEquals(dataTotal, maskedTotal, "b = " + bits);
        }
    }

    /** The documented construction: the low bits of derive(key, step), added by the lower index, subtracted by the other. */
    @Test
    void apply_isTheDocumentedStream_andChangesWithStep() {
        byte[][][] keys = randomPairKeys(2, 2);
        int bits = 40;
        long mask = (1L << bits) - 1;
        long[] v0 = new long[10];
        long[] v1 = new long[10];
        PairwiseMasks.apply(v0, 0, keys[0], 5, bits);
        PairwiseMasks.apply(v1, 1, keys[1], 5, bits);
        CsprngStream prg = CsprngStream.derive(keys[0][1], 5);
        for (int i = 0; i < 10; i++) {
            long m = prg.nextLong() & mask;
            assertEquals(m, v0[i]);
            assertEquals((-m) & mask, v1[i]);
        }
        long[] nextStep = new long[10];
        PairwiseMasks.apply(nextStep, 0, keys[0], 6, bits);
        assertFalse(Arrays.equals(v0, nextStep));
    }

    /** A null pair key (a party outside the round) adds nothing: three of five parties still cancel. */
    @Test
    void apply_skipsNullPairKeys() {
        byte[][][] keys = randomPairKeys(5, 3);
        int[] present = {0, 2, 3};
        long[] total = new long[50];
        for (int p : present) {
            byte[][] mine = keys[p].clone();
            mine[1] = null;
            mine[4] = null;
            long[] zeros = new long[50];
            PairwiseMasks.apply(zeros, p, mine, 1, 32);
            ModularSum.addInto(total, zeros, 32);
        }
        assertArrayEquals(new long[50], total);
        assertThrows(IllegalArgumentException.class, () -> PairwiseMasks.apply(new long[1], 5, keys[0], 1, 32));
        assertThrows(IllegalArgumentException.class, () -> PairwiseMasks.apply(new long[1], 0, keys[0], 1, 64));
    }
}
