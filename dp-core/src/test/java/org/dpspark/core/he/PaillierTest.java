package org.dpspark.core.he;

import static org.dpspark.core.he.KatKeys.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.SecureRandom;
import org.dpspark.core.he.Paillier.KeyPair;
import org.dpspark.core.he.Paillier.PrivateKey;
import org.dpspark.core.he.Paillier.PublicKey;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;
import org.junit.jupiter.api.Test;

class PaillierTest {

    private static final SecureRandom SECURE = new SecureRandom();

    @Test
    void knownAnswers_smallKey() {
        PrivateKey key = KatKeys.small();
        PublicKey pub = key.pub();
        assertEquals(BigInteger.valueOf(4028033), pub.n());
        for (long[] answer : KatKeys.SMALL_ANSWERS) {
            BigInteger m = BigInteger.valueOf(answer[0]);
            BigInteger c = BigInteger.valueOf(answer[2]);
            assertEquals(c, Paillier.encrypt(pub, m, BigInteger.valueOf(answer[1])), "Enc(m = " + m + ")");
            assertEquals(m, Paillier.decrypt(key, c), "Dec(c = " + c + ")");
        }
    }

    @Test
    void knownAnswer_2048BitKey() {
        PrivateKey key = KatKeys.key2048();
        PublicKey pub = key.pub();
        assertEquals(2048, pub.bits());
        BigInteger m = hex(KatKeys.M_HEX);
        BigInteger c = hex(KatKeys.C_HEX);
        assertEquals(c, Paillier.encrypt(pub, m, hex(KatKeys.R_HEX)));
        assertEquals(m, Paillier.decrypt(key, c));
        assertArrayEquals(new BigInteger[] {m, m}, Paillier.decryptAll(key, new BigInteger[] {c, c}));
    }

    /** CRT decryption agrees with the scheme's plain formula m = L(c^lambda mod N^2) / L(g^lambda mod N^2) mod N. */
    @Test
    void crtDecryption_agreesWithThePlainFormula() {
        PrivateKey key = Paillier.generateInsecureForTests(512, SECURE).privateKey();
        BigInteger n = key.pub().n();
        BigInteger n2 = key.pub().nSquared();
        BigInteger lambda = key.p().subtract(BigInteger.ONE).multiply(key.q().subtract(BigInteger.ONE))
                .divide(key.p().subtract(BigInteger.ONE).gcd(key.q().subtract(BigInteger.ONE)));
        BigInteger g = n.add(BigInteger.ONE);
        BigInteger denominator = g.modPow(lambda, n2).subtract(BigInteger.ONE).divide(n);
        RandomSource rng = CsprngStream.fromSecureRandom();
        for (int i = 0; i < 20; i++) {
            BigInteger c = Paillier.encrypt(key.pub(), new BigInteger(500, SECURE), rng);
            BigInteger plain = c.modPow(lambda, n2).subtract(BigInteger.ONE).divide(n)
                    .multiply(denominator.modInverse(n)).mod(n);
            assertEquals(plain, Paillier.decrypt(key, c));
        }
    }

    @Test
    void productOfCiphertexts_decryptsToTheSumModN() {
        PrivateKey key = KatKeys.key2048();
        PublicKey pub = key.pub();
        BigInteger n = pub.n();
        RandomSource rng = CsprngStream.fromSecureRandom();
        BigInteger[][] pairs = {
            {BigInteger.valueOf(17), BigInteger.valueOf(25)},
            {BigInteger.ZERO, BigInteger.ZERO},
            {new BigInteger(2000, SECURE), new BigInteger(2000, SECURE)},
            {n.subtract(BigInteger.ONE), BigInteger.valueOf(5)}, // wraps around N
        };
        for (BigInteger[] ab : pairs) {
            BigInteger sum = Paillier.add(pub, Paillier.encrypt(pub, ab[0], rng), Paillier.encrypt(pub, ab[1], rng));
            assertEquals(ab[0].add(ab[1]).mod(n), Paillier.decrypt(key, sum));
        }
    }

    @Test
    void encryption_isRandomized_andReproducibleFromADerivedStream() {
        PrivateKey key = KatKeys.key2048();
        PublicKey pub = key.pub();
        BigInteger m = BigInteger.valueOf(42);
        BigInteger c1 = Paillier.encrypt(pub, m, CsprngStream.fromSecureRandom());
        BigInteger c2 = Paillier.encrypt(pub, m, CsprngStream.fromSecureRandom());
        assertNotEquals(c1, c2);
        assertEquals(m, Paillier.decrypt(key, c1));
        assertEquals(m, Paillier.decrypt(key, c2));

        byte[] secret = InsecureTestRandomness.seededSecretKey(7);
        BigInteger again1 = Paillier.encrypt(pub, m, CsprngStream.derive(secret, 3, 1));
        BigInteger again2 = Paillier.encrypt(pub, m, CsprngStream.derive(secret, 3, 1));
        BigInteger otherTask = Paillier.encrypt(pub, m, CsprngStream.derive(secret, 3, 2));
        assertEquals(again1, again2, "a retried task re-encrypts identically");
        assertNotEquals(again1, otherTask);
    }

    @Test
    void decrypt_rejectsNonCiphertexts() {
        PrivateKey key = KatKeys.small();
        BigInteger n = key.pub().n();
        for (BigInteger c : new BigInteger[] {BigInteger.valueOf(-1), key.pub().nSquared(),
                key.pub().nSquared().add(BigInteger.ONE)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Paillier.decrypt(key, c));
            assertEquals("not a Paillier ciphertext: outside [0, N^2)", e.getMessage());
        }
        for (BigInteger c : new BigInteger[] {BigInteger.ZERO, n, KatKeys.SMALL_P, KatKeys.SMALL_Q.multiply(
                BigInteger.TEN)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Paillier.decrypt(key, c));
            assertEquals("not a Paillier ciphertext: gcd(c, N) != 1", e.getMessage());
        }
        assertThrows(IllegalArgumentException.class,
                () -> Paillier.add(key.pub(), BigInteger.ONE, key.pub().nSquared()));
    }

    @Test
    void encrypt_rejectsPlaintextsOutsideZN() {
        PublicKey pub = KatKeys.small().pub();
        RandomSource rng = CsprngStream.fromSecureRandom();
        for (BigInteger m : new BigInteger[] {BigInteger.valueOf(-1), pub.n(), pub.n().add(BigInteger.ONE)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Paillier.encrypt(pub, m, rng));
            assertEquals("a Paillier plaintext must be in [0, N)", e.getMessage());
        }
        assertThrows(IllegalArgumentException.class,
                () -> Paillier.encrypt(pub, BigInteger.ONE, KatKeys.SMALL_P)); // r not in Z*_N
    }

    /** The one slow test (a few seconds): a real key of the default size. */
    @Test
    void generate_defaultSize_gives3072BitModulus() {
        KeyPair pair = Paillier.generate(Paillier.DEFAULT_MODULUS_BITS, SECURE);
        PrivateKey key = pair.privateKey();
        assertEquals(3072, pair.publicKey().bits());
        assertEquals(1536, key.p().bitLength());
        assertEquals(1536, key.q().bitLength());
        assertTrue(key.p().subtract(key.q()).abs().bitLength() > 1536 - 100);
        BigInteger m = new BigInteger(3000, SECURE);
        assertEquals(m, Paillier.decrypt(key, Paillier.encrypt(pair.publicKey(), m,
                CsprngStream.fromSecureRandom())));
    }

    @Test
    void generate_refusesSmallOrOddSizes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Paillier.generate(1024, SECURE));
        assertTrue(e.getMessage().startsWith("modulusBits must be >= 2048"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Paillier.generateInsecureForTests(8, SECURE));
        assertThrows(IllegalArgumentException.class, () -> Paillier.generateInsecureForTests(65, SECURE));
    }

    @Test
    void insecureTestKeys_haveExactlyTheAskedSize() {
        RandomSource rng = CsprngStream.fromSecureRandom();
        for (int bits : new int[] {16, 18, 32, 64, 128, 256}) {
            for (int i = 0; i < 5; i++) {
                KeyPair pair = Paillier.generateInsecureForTests(bits, SECURE);
                assertEquals(bits, pair.publicKey().bits());
                BigInteger m = new BigInteger(bits - 1, SECURE);
                assertEquals(m, Paillier.decrypt(pair.privateKey(), Paillier.encrypt(pair.publicKey(), m, rng)));
            }
        }
    }

    @Test
    void publicKey_encodesAndDecodes() {
        PublicKey pub = KatKeys.key2048().pub();
        byte[] encoded = pub.encoded();
        assertEquals(4 + 256, encoded.length);
        assertEquals(0, encoded[0]);
        assertEquals(1, encoded[2]); // 256 = 0x00000100, big-endian
        assertEquals(pub, PublicKey.decode(encoded));
        assertEquals(KatKeys.small().pub(), PublicKey.decode(KatKeys.small().pub().encoded()));
    }

    @Test
    void publicKey_decodeRefusesMalformedInput() {
        byte[] good = KatKeys.small().pub().encoded(); // 00 00 00 03 3d 76 81
        assertEquals(7, good.length);
        byte[][] bad = {
            {},
            {0, 0, 0, 3},
            {0, 0, 0, 4, 0x3d, 0x76, (byte) 0x81},         // length prefix too long
            {0, 0, 0, 2, 0x3d, 0x76, (byte) 0x81},         // trailing byte
            {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1},
            {0, 0, 0, 4, 0, 0x3d, 0x76, (byte) 0x81},      // leading zero byte
            {0, 0, 0, 3, 0x3d, 0x76, (byte) 0x80},         // even modulus
            {0, 0, 0, 1, 0x7f},                            // too small
        };
        for (byte[] b : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PublicKey.decode(b));
            assertFalse(e.getMessage().contains("\n"));
        }
    }

    @Test
    void keys_neverShowTheirFactors() {
        PrivateKey key = KatKeys.key2048();
        KeyPair pair = new KeyPair(key.pub(), key);
        for (String s : new String[] {key.toString(), pair.toString(), key.pub().toString()}) {
            for (BigInteger secret : new BigInteger[] {key.p(), key.q()}) {
                assertFalse(s.contains(secret.toString()) || s.contains(secret.toString(16)), s);
            }
            assertFalse(s.contains(key.pub().n().toString()), s);
        }
        assertEquals("Paillier.PrivateKey[2048 bits]", key.toString());
    }

    @Test
    void privateKey_checksItsFactors() {
        BigInteger p = KatKeys.SMALL_P;
        BigInteger q = KatKeys.SMALL_Q;
        PublicKey pub = KatKeys.small().pub();
        assertThrows(IllegalArgumentException.class, () -> new PrivateKey(pub, p, q.add(BigInteger.TWO)));
        assertThrows(IllegalArgumentException.class, () -> new PrivateKey(new PublicKey(p.multiply(p)), p, p));
        BigInteger notPrime = BigInteger.valueOf(2001); // 3 * 23 * 29
        assertThrows(IllegalArgumentException.class,
                () -> new PrivateKey(new PublicKey(notPrime.multiply(q)), notPrime, q));
        // 1031 divides 2063 - 1: gcd(pq, (p-1)(q-1)) = 1031, so this pair is refused.
        BigInteger small1 = BigInteger.valueOf(1031);
        BigInteger small2 = BigInteger.valueOf(2063); // 2063 - 1 = 2 * 1031
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PrivateKey(new PublicKey(small1.multiply(small2)), small1, small2));
        assertEquals("a Paillier key needs gcd(pq, (p-1)(q-1)) = 1", e.getMessage());
    }
}
