package org.dpspark.core.he;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.dpspark.core.he.Paillier.PrivateKey;
import org.dpspark.core.he.Paillier.PublicKey;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.core.random.RandomSource;
import org.junit.jupiter.api.Test;

class PackedEncodingTest {

    private static final PrivateKey KEY = KatKeys.key2048();
    private static final PublicKey PUB = KEY.pub();

    /** What the parties and the aggregator do: pack, encrypt, multiply, then the key holder decrypts and unpacks. */
    private static long[] encryptedSum(PackedEncoding encoding, long[][] vectors) {
        RandomSource rng = CsprngStream.fromSecureRandom();
        BigInteger[] total = null;
        for (long[] vector : vectors) {
            BigInteger[] plaintexts = encoding.pack(vector);
            BigInteger[] ciphertexts = new BigInteger[plaintexts.length];
            for (int k = 0; k < plaintexts.length; k++) {
                ciphertexts[k] = Paillier.encrypt(PUB, plaintexts[k], rng);
            }
            if (total == null) {
                total = ciphertexts;
            } else {
                for (int k = 0; k < total.length; k++) {
                    total[k] = Paillier.add(PUB, total[k], ciphertexts[k]);
                }
            }
        }
        return encoding.unpackSum(Paillier.decryptAll(KEY, total), vectors[0].length, vectors.length);
    }

    private static long[] plainSum(long[][] vectors) {
        long[] sum = new long[vectors[0].length];
        for (long[] vector : vectors) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += vector[i];
            }
        }
        return sum;
    }

    @Test
    void geometry_forA3072BitKey() {
        PublicKey pub3072 = new PublicKey(BigInteger.ONE.shiftLeft(3071).add(BigInteger.ONE)); // only its size counts
        PackedEncoding encoding = new PackedEncoding(pub3072, 44, 4);
        assertEquals(47, encoding.slotBits()); // 44 + ceil(log2 4) + 1
        assertEquals(65, encoding.slotsPerPlaintext()); // 3070 / 47
        assertEquals((1L << 43) - 1, encoding.maxMagnitude());
        assertEquals(0, encoding.ciphertextsFor(0));
        assertEquals(1, encoding.ciphertextsFor(1));
        assertEquals(1, encoding.ciphertextsFor(65));
        assertEquals(2, encoding.ciphertextsFor(66));
        assertEquals(15385, encoding.ciphertextsFor(1_000_000));
        assertEquals(44 + 3 + 1, new PackedEncoding(pub3072, 44, 5).slotBits());
        assertEquals(44 + 0 + 1, new PackedEncoding(pub3072, 44, 1).slotBits());
    }

    @Test
    void fiveParties_encryptedSumUnpacksToTheExactSums() {
        PackedEncoding encoding = new PackedEncoding(PUB, 24, 5);
        SplittableRandom random = new SplittableRandom(13);
        int length = encoding.slotsPerPlaintext() * 2 + 7; // two full plaintexts and a partial one
        long[][] vectors = new long[5][length];
        for (long[] vector : vectors) {
            for (int i = 0; i < length; i++) {
                vector[i] = random.nextLong(-encoding.maxMagnitude(), encoding.maxMagnitude() + 1);
            }
        }
        assertEquals(3, encoding.ciphertextsFor(length));
        assertArrayEquals(plainSum(vectors), encryptedSum(encoding, vectors));
    }

    @Test
    void extremes_allAtPlusOrMinusTheLargestMagnitude() {
        PackedEncoding encoding = new PackedEncoding(PUB, 44, 5);
        long max = encoding.maxMagnitude();
        int length = encoding.slotsPerPlaintext() + 1;
        long[] plus = new long[length];
        long[] minus = new long[length];
        long[] alternating = new long[length];
        Arrays.fill(plus, max);
        Arrays.fill(minus, -max);
        for (int i = 0; i < length; i++) {
            alternating[i] = i % 2 == 0 ? max : -max;
        }
        long[] expectedPlus = new long[length];
        Arrays.fill(expectedPlus, 5 * max);
        assertArrayEquals(expectedPlus, encryptedSum(encoding, new long[][] {plus, plus, plus, plus, plus}));
        long[] expectedMinus = new long[length];
        Arrays.fill(expectedMinus, -5 * max);
        assertArrayEquals(expectedMinus, encryptedSum(encoding, new long[][] {minus, minus, minus, minus, minus}));
        long[][] mixed = {plus, minus, alternating, alternating, plus};
        assertArrayEquals(plainSum(mixed), encryptedSum(encoding, mixed));
    }

    /** Without encryption: the packing's sums for the widest slot (64 bits) and for fewer contributors. */
    @Test
    void plaintextSums_widestSlotAndFewerContributors() {
        PackedEncoding wide = new PackedEncoding(PUB, 63, 1);
        assertEquals(64, wide.slotBits());
        long[] extreme = {wide.maxMagnitude(), -wide.maxMagnitude(), 0, 1, -1};
        assertArrayEquals(extreme, wide.unpackSum(wide.pack(extreme), extreme.length));

        PackedEncoding encoding = new PackedEncoding(PUB, 16, 8);
        long[] a = {1, -2, 32767, -32767, 0};
        long[] b = {10, 20, 32767, -32767, 0};
        long[] c = {-5, 7, 1, 1, 0};
        BigInteger[] pa = encoding.pack(a);
        BigInteger[] pb = encoding.pack(b);
        BigInteger[] pc = encoding.pack(c);
        BigInteger[] sum = {pa[0].add(pb[0]).add(pc[0])};
        assertArrayEquals(new long[] {6, 25, 65535, -65533, 0}, encoding.unpackSum(sum, 5, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> encoding.unpackSum(sum, 5, 1)); // a sum of three is not one vector
        assertTrue(e.getMessage().startsWith("coordinate 0 does not decode"), e.getMessage());
    }

    @Test
    void pack_refusesAnOutOfRangeValue_namingItsIndex() {
        PackedEncoding encoding = new PackedEncoding(PUB, 20, 5);
        long[] values = new long[100];
        values[73] = 1L << 19;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> encoding.pack(values));
        assertEquals("values[73] is out of range: |v| must be < 2^19 (valueBits 20)", e.getMessage());
        values[73] = -(1L << 19);
        assertThrows(IllegalArgumentException.class, () -> encoding.pack(values));
        values[73] = Long.MIN_VALUE;
        assertThrows(IllegalArgumentException.class, () -> encoding.pack(values));
        values[73] = (1L << 19) - 1;
        assertEquals(encoding.ciphertextsFor(100), encoding.pack(values).length);
    }

    @Test
    void constructor_refusesImpossibleGeometry() {
        PublicKey tiny = KatKeys.small().pub(); // 22 bits: room for one slot of at most 20 bits
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PackedEncoding(tiny, 20, 4));
        assertEquals("a 22-bit modulus has no room for one slot of 23 bits (valueBits 20, parties 4): it needs at"
                + " least 25 bits", e.getMessage());
        assertEquals(1, new PackedEncoding(tiny, 17, 4).slotsPerPlaintext());
        assertThrows(IllegalArgumentException.class, () -> new PackedEncoding(PUB, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> new PackedEncoding(PUB, 20, 0));
        assertThrows(IllegalArgumentException.class, () -> new PackedEncoding(PUB, 63, 2)); // 65-bit slots
    }

    @Test
    void unpackSum_refusesWhatCannotBeASum() {
        PackedEncoding encoding = new PackedEncoding(PUB, 20, 2);
        BigInteger[] one = encoding.pack(new long[] {1, 2, 3});
        assertThrows(IllegalArgumentException.class, () -> encoding.unpackSum(one, 3, 3)); // > parties
        assertThrows(IllegalArgumentException.class, () -> encoding.unpackSum(one, 3, 0));
        assertThrows(IllegalArgumentException.class, () -> encoding.unpackSum(new BigInteger[2], 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> encoding.unpackSum(new BigInteger[] {PUB.n().subtract(BigInteger.ONE)}, 3));
        assertEquals("plaintexts[0] is not a sum of packed vectors: it does not fit in its 3 slots", e.getMessage());
        assertArrayEquals(new long[] {1, 2, 3}, encoding.unpackSum(one, 3, 1));
    }
}
