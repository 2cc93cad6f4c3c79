package org.dpspark.core.he;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import org.dpspark.core.random.RandomSource;
import org.dpspark.core.random.UniformBigInteger;

/**
 * The Paillier cryptosystem, additively homomorphic: P. Paillier, "Public-key cryptosystems based on composite
 * degree residuosity classes", EUROCRYPT 1999 (LNCS 1592, pp. 223-238), Scheme 1, with the generator
 * {@code g = N + 1} (Damgård and Jurik, "A generalisation, a simplification and some applications of Paillier's
 * probabilistic public-key system", PKC 2001), which makes {@code g^m mod N^2 = 1 + mN} by the
 * binomial theorem.
 *
 * <ul>
 *   <li>Encryption: {@code c = (1 + mN) * r^N mod N^2}, {@code m} in {@code [0, N)}, {@code r} uniform in
 *       {@code Z*_N}.</li>
 *   <li>Addition: {@code Dec(c1 * c2 mod N^2) = m1 + m2 mod N} (Paillier 1999, section "Properties": additive
 *       homomorphic properties).</li>
 *   <li>Decryption by Chinese remaindering (Paillier 1999, section "Efficiency and Implementation Aspects"):
 *       {@code m_p = L_p(c^(p-1) mod p^2) h_p mod p}, the same modulo {@code q}, then {@code m = CRT(m_p, m_q)},
 *       where {@code L_p(u) = (u - 1) / p} and {@code h_p = L_p(g^(p-1) mod p^2)^(-1) mod p}.</li>
 * </ul>
 *
 * <p>Everything is computed with {@link BigInteger}, whose arithmetic is not constant-time: timing may leak
 * about the secret factors to an attacker who can time many decryptions. Only a key holder process decrypts,
 * and it decrypts one total per step. Nothing here logs or prints keys, plaintexts or random values; the keys'
 * {@code toString()} show only the modulus size.
 */
public final class Paillier {

    /** NIST SP 800-57 Part 1 Rev. 5, Table 2: a 3072-bit factoring modulus for 128 bits of security. */
    public static final int DEFAULT_MODULUS_BITS = 3072;

    /** The smallest modulus {@link #generate} accepts (112 bits of security, NIST SP 800-57 Part 1 Rev. 5, Table 2). */
    public static final int MIN_MODULUS_BITS = 2048;

    /** The smallest modulus anything accepts, for {@link #generateInsecureForTests} and known-answer tests. */
    static final int MIN_TEST_MODULUS_BITS = 16;

    /** An encoded public key holds at most this many bytes of modulus (a 65,536-bit modulus). */
    static final int MAX_ENCODED_MODULUS_BYTES = 8192;

    /** {@link BigInteger#isProbablePrime} certainty for checking a private key: error below 2^-128. */
    private static final int PRIME_CERTAINTY = 128;

    private static final BigInteger ONE = BigInteger.ONE;

    private Paillier() {
    }

    /** A public key: the modulus {@code N = pq}. Its {@code toString()} shows only the size. */
    public record PublicKey(BigInteger n) {
        public PublicKey {
            Objects.requireNonNull(n, "n");
            if (n.signum() <= 0 || !n.testBit(0) || n.bitLength() < MIN_TEST_MODULUS_BITS) {
                throw new IllegalArgumentException("a Paillier modulus must be odd and have at least "
                        + MIN_TEST_MODULUS_BITS + " bits, got " + (n.signum() <= 0 ? "a value <= 0"
                        : n.bitLength() + " bits" + (n.testBit(0) ? "" : ", even")));
            }
        }

        /** {@code N^2}, the ciphertext modulus. */
        public BigInteger nSquared() {
            return n.multiply(n);
        }

        /** The size of {@code N} in bits. */
        public int bits() {
            return n.bitLength();
        }

        /** A 4-byte big-endian length {@code L} followed by the {@code L} bytes of {@code N}, big-endian, unsigned. */
        public byte[] encoded() {
            byte[] magnitude = unsignedBytes(n);
            return ByteBuffer.allocate(Integer.BYTES + magnitude.length).putInt(magnitude.length).put(magnitude)
                    .array();
        }

        /** The inverse of {@link #encoded()}; refuses anything else (wrong length, leading zero, even modulus). */
        public static PublicKey decode(byte[] encoded) {
            Objects.requireNonNull(encoded, "encoded");
            if (encoded.length < Integer.BYTES + 1) {
                throw new IllegalArgumentException("encoded public key too short: " + encoded.length + " bytes");
            }
            int length = ByteBuffer.wrap(encoded).getInt();
            if (length < 1 || length > MAX_ENCODED_MODULUS_BYTES || length != encoded.length - Integer.BYTES) {
                throw new IllegalArgumentException("encoded public key: the length prefix " + length
                        + " does not match the " + (encoded.length - Integer.BYTES) + " bytes that follow");
            }
            if (encoded[Integer.BYTES] == 0) {
                throw new IllegalArgumentException("encoded public key: the modulus has a leading zero byte");
            }
            return new PublicKey(new BigInteger(1, Arrays.copyOfRange(encoded, Integer.BYTES, encoded.length)));
        }

        @Override
        public String toString() {
            return "Paillier.PublicKey[" + bits() + " bits]";
        }
    }

    /**
     * A private key: the factors of {@code N}. Checked on construction: {@code p} and {@code q} distinct primes,
     * {@code pq = N} and {@code gcd(pq, (p-1)(q-1)) = 1}. Its {@code toString()} shows only the size.
     */
    public record PrivateKey(PublicKey pub, BigInteger p, BigInteger q) {
        public PrivateKey {
            Objects.requireNonNull(pub, "pub");
            Objects.requireNonNull(p, "p");
            Objects.requireNonNull(q, "q");
            if (p.signum() <= 0 || q.signum() <= 0 || p.equals(q)) {
                throw new IllegalArgumentException("the factors of a Paillier key must be distinct positive primes");
            }
            if (!p.multiply(q).equals(pub.n())) {
                throw new IllegalArgumentException("the factors of a Paillier key do not multiply to its modulus");
            }
            if (!p.isProbablePrime(PRIME_CERTAINTY) || !q.isProbablePrime(PRIME_CERTAINTY)) {
                throw new IllegalArgumentException("the factors of a Paillier key must be prime");
            }
            if (!pub.n().gcd(p.subtract(ONE).multiply(q.subtract(ONE))).equals(ONE)) {
                throw new IllegalArgumentException("a Paillier key needs gcd(pq, (p-1)(q-1)) = 1");
            }
        }

        @Override
        public String toString() {
            return "Paillier.PrivateKey[" + pub.bits() + " bits]";
        }
    }

    /** A public key and its private key. */
    public record KeyPair(PublicKey publicKey, PrivateKey privateKey) {
        public KeyPair {
            Objects.requireNonNull(publicKey, "publicKey");
            Objects.requireNonNull(privateKey, "privateKey");
            if (!publicKey.equals(privateKey.pub())) {
                throw new IllegalArgumentException("the private key belongs to another public key");
            }
        }
    }

    /**
     * A fresh key pair with an {@code N} of exactly {@code modulusBits} bits, at least {@link #MIN_MODULUS_BITS};
     * use {@link #DEFAULT_MODULUS_BITS}.
     *
     * <p>{@code p} and {@code q} are random primes of {@code modulusBits / 2} bits, each at least
     * {@code sqrt(2) * 2^(modulusBits/2 - 1)} so that {@code N} has exactly {@code modulusBits} bits, and
     * {@code |p - q| > 2^(modulusBits/2 - 100)} (FIPS 186-4, Appendix B.3.3, steps 4.4 and 5.4, the rules for
     * RSA primes), and {@code gcd(pq, (p-1)(q-1)) = 1}, under which encryption with {@code g = N + 1} is a
     * bijection from {@code Z_N x Z*_N} onto {@code Z*_(N^2)} (always true for primes of equal size; checked
     * anyway).
     */
    public static KeyPair generate(int modulusBits, SecureRandom rng) {
        if (modulusBits < MIN_MODULUS_BITS) {
            throw new IllegalArgumentException("modulusBits must be >= " + MIN_MODULUS_BITS
                    + " (NIST SP 800-57 Part 1 Rev. 5; " + DEFAULT_MODULUS_BITS + " recommended), got "
                    + modulusBits);
        }
        return generateUnchecked(modulusBits, rng);
    }

    /**
     * <b>INSECURE. FOR TESTS ONLY.</b> As {@link #generate}, but accepts any even size from 16 bits, which anyone
     * can factor below about 1,000 bits. For fast tests; never for data.
     */
    public static KeyPair generateInsecureForTests(int modulusBits, SecureRandom rng) {
        if (modulusBits < MIN_TEST_MODULUS_BITS) {
            throw new IllegalArgumentException("modulusBits must be >= " + MIN_TEST_MODULUS_BITS + ", got "
                    + modulusBits);
        }
        return generateUnchecked(modulusBits, rng);
    }

    private static KeyPair generateUnchecked(int modulusBits, SecureRandom rng) {
        Objects.requireNonNull(rng, "rng");
        if (modulusBits % 2 != 0) {
            throw new IllegalArgumentException("modulusBits must be even, got " + modulusBits);
        }
        int half = modulusBits / 2;
        // FIPS 186-4 B.3.3 step 5.4: |p - q| > 2^(nlen/2 - 100); tiny test keys use 2^(nlen/4) instead, which
        // still keeps Fermat's difference-of-squares method from factoring them at once.
        int gapBits = Math.max(half - 100, half / 2);
        while (true) {
            BigInteger p = halfSizePrime(half, rng);
            BigInteger q = halfSizePrime(half, rng);
            BigInteger n = p.multiply(q);
            if (p.subtract(q).abs().bitLength() <= gapBits || n.bitLength() != modulusBits
                    || !n.gcd(p.subtract(ONE).multiply(q.subtract(ONE))).equals(ONE)) {
                continue;
            }
            PublicKey pub = new PublicKey(n);
            return new KeyPair(pub, new PrivateKey(pub, p, q));
        }
    }

    /** A random prime of {@code bits} bits, at least {@code sqrt(2) * 2^(bits-1)}: {@code p^2 >= 2^(2 bits - 1)}. */
    private static BigInteger halfSizePrime(int bits, SecureRandom rng) {
        while (true) {
            BigInteger p = BigInteger.probablePrime(bits, rng); // error probability below 2^-100
            if (p.multiply(p).bitLength() == 2 * bits) {
                return p;
            }
        }
    }

    /**
     * Encrypts {@code m} in {@code [0, N)}: {@code c = (1 + mN) r^N mod N^2} (Paillier 1999, Scheme 1, with
     * {@code g = N + 1}), {@code r} uniform in {@code Z*_N} drawn from {@code rng}. Use
     * {@link org.dpspark.core.random.CsprngStream#fromSecureRandom()}, or a stream derived from a secret so that a
     * retried task re-encrypts identically; never a stream anyone else can derive, and never the same stream for
     * two encryptions.
     */
    public static BigInteger encrypt(PublicKey pub, BigInteger m, RandomSource rng) {
        Objects.requireNonNull(pub, "pub");
        Objects.requireNonNull(rng, "rng");
        checkPlaintext(pub, m);
        return encrypt(pub, m, randomUnit(pub.n(), rng));
    }

    /** Encryption with a given {@code r} in {@code Z*_N}: for known-answer tests only. */
    static BigInteger encrypt(PublicKey pub, BigInteger m, BigInteger r) {
        checkPlaintext(pub, m);
        BigInteger n = pub.n();
        if (r.signum() <= 0 || r.compareTo(n) >= 0 || !r.gcd(n).equals(ONE)) {
            throw new IllegalArgumentException("r must be in Z*_N");
        }
        BigInteger nSquared = pub.nSquared();
        BigInteger gToM = ONE.add(m.multiply(n)); // (1 + N)^m mod N^2 = 1 + mN (binomial theorem); < N^2
        return gToM.multiply(r.modPow(n, nSquared)).mod(nSquared);
    }

    /** {@code c1 * c2 mod N^2}, an encryption of {@code m1 + m2 mod N} (Paillier 1999, "Properties"). */
    public static BigInteger add(PublicKey pub, BigInteger c1, BigInteger c2) {
        Objects.requireNonNull(pub, "pub");
        BigInteger nSquared = pub.nSquared();
        checkCiphertextRange(nSquared, c1);
        checkCiphertextRange(nSquared, c2);
        return c1.multiply(c2).mod(nSquared);
    }

    /** Decrypts {@code c}, which must be in {@code Z*_(N^2)}: {@code 0 <= c < N^2} and {@code gcd(c, N) = 1}. */
    public static BigInteger decrypt(PrivateKey key, BigInteger c) {
        Objects.requireNonNull(key, "key");
        return new Crt(key).decrypt(c);
    }

    /** Decrypts each ciphertext, as {@link #decrypt(PrivateKey, BigInteger)}, computing the CRT values once. */
    public static BigInteger[] decryptAll(PrivateKey key, BigInteger[] ciphertexts) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(ciphertexts, "ciphertexts");
        Crt crt = new Crt(key);
        BigInteger[] plaintexts = new BigInteger[ciphertexts.length];
        for (int i = 0; i < ciphertexts.length; i++) {
            plaintexts[i] = crt.decrypt(ciphertexts[i]);
        }
        return plaintexts;
    }

    /**
     * The private key's values for decryption by Chinese remaindering (Paillier 1999, "Efficiency and
     * Implementation Aspects"). Never printed: no {@code toString()} beyond {@link Object}'s.
     */
    private static final class Crt {
        private final BigInteger n;
        private final BigInteger p;
        private final BigInteger q;
        private final BigInteger pSquared;
        private final BigInteger qSquared;
        private final BigInteger hp;
        private final BigInteger hq;
        private final BigInteger qInverseModP;

        Crt(PrivateKey key) {
            n = key.pub().n();
            p = key.p();
            q = key.q();
            pSquared = p.multiply(p);
            qSquared = q.multiply(q);
            hp = h(p, pSquared);
            hq = h(q, qSquared);
            qInverseModP = q.modInverse(p);
        }

        /**
         * {@code h_p = L_p(g^(p-1) mod p^2)^(-1) mod p} (Paillier 1999, "Efficiency and Implementation Aspects").
         * With {@code g = N + 1}, {@code g^(p-1) mod p^2 = 1 + (p-1)N mod p^2} (binomial theorem: {@code p^2}
         * divides {@code N^2}).
         */
        private BigInteger h(BigInteger prime, BigInteger primeSquared) {
            BigInteger gToPrimeMinusOne = ONE.add(prime.subtract(ONE).multiply(n)).mod(primeSquared);
            return l(gToPrimeMinusOne, prime).modInverse(prime);
        }

        BigInteger decrypt(BigInteger c) {
            checkCiphertextRange(n.multiply(n), c);
            if (!c.gcd(n).equals(ONE)) {
                throw new IllegalArgumentException("not a Paillier ciphertext: gcd(c, N) != 1");
            }
            BigInteger mp = l(c.mod(pSquared).modPow(p.subtract(ONE), pSquared), p).multiply(hp).mod(p);
            BigInteger mq = l(c.mod(qSquared).modPow(q.subtract(ONE), qSquared), q).multiply(hq).mod(q);
            // CRT recombination (Garner): m = m_q + q * ((m_p - m_q) q^(-1) mod p), in [0, pq).
            return mp.subtract(mq).multiply(qInverseModP).mod(p).multiply(q).add(mq);
        }
    }

    /** {@code L_p(u) = (u - 1) / p}; exact for {@code u = 1 mod p} (Paillier 1999, ibid.). */
    private static BigInteger l(BigInteger u, BigInteger prime) {
        return u.subtract(ONE).divide(prime);
    }

    private static void checkPlaintext(PublicKey pub, BigInteger m) {
        Objects.requireNonNull(m, "m");
        if (m.signum() < 0 || m.compareTo(pub.n()) >= 0) {
            throw new IllegalArgumentException("a Paillier plaintext must be in [0, N)");
        }
    }

    private static void checkCiphertextRange(BigInteger nSquared, BigInteger c) {
        Objects.requireNonNull(c, "ciphertext");
        if (c.signum() < 0 || c.compareTo(nSquared) >= 0) {
            throw new IllegalArgumentException("not a Paillier ciphertext: outside [0, N^2)");
        }
    }

    /** Uniform in {@code Z*_N}: uniform in {@code [0, N)}, rejecting values with {@code gcd(r, N) != 1} (and 0). */
    private static BigInteger randomUnit(BigInteger n, RandomSource rng) {
        while (true) {
            BigInteger r = UniformBigInteger.below(n, rng);
            if (r.signum() > 0 && r.gcd(n).equals(ONE)) {
                return r;
            }
        }
    }

    /** The big-endian unsigned bytes of a positive value, without a sign byte. */
    static byte[] unsignedBytes(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return bytes[0] == 0 && bytes.length > 1 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }
}
