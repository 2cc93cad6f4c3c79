package org.dpspark.core.he;

import java.math.BigInteger;
import java.util.Objects;
import org.dpspark.core.he.Paillier.PublicKey;

/**
 * Packs several signed integer coordinates into one Paillier plaintext, so that one encryption, one ciphertext
 * multiplication and one decryption serve many coordinates (packing as in T. Bianchi, A. Piva and M. Barni,
 * "Composite signal representation for fast and storage-efficient processing of encrypted signals", IEEE Trans.
 * Information Forensics and Security 5(1), 2010).
 *
 * <p>Each of {@code parties} parties holds coordinates {@code v} with {@code |v| < 2^(valueBits-1)}. A slot holds
 * {@code v + 2^(valueBits-1)}, in {@code [1, 2^valueBits)}, so the sum of {@code parties} slots is below
 * {@code parties * 2^valueBits <= 2^(valueBits + ceil(log2(parties)))}; a slot has
 * {@code slotBits = valueBits + ceil(log2(parties)) + 1} bits (one spare), and the sum of the packed plaintexts
 * never carries from one slot into the next. Slot {@code j} of plaintext {@code k} holds coordinate
 * {@code k * slotsPerPlaintext + j} at bits {@code [j * slotBits, (j+1) * slotBits)}.
 *
 * <p>{@code slotsPerPlaintext = (bits(N) - 2) / slotBits}: a packed sum stays below {@code 2^(bits(N) - 2) < N},
 * so adding the plaintexts modulo {@code N} (multiplying the ciphertexts) is exact integer addition.
 *
 * <p>Immutable and thread-safe. Error messages name indices, never values.
 */
public final class PackedEncoding {

    private final PublicKey pub;
    private final int valueBits;
    private final int parties;
    private final int slotBits;
    private final int slotsPerPlaintext;
    private final long offset;

    /**
     * @param pub       the key the plaintexts will be encrypted under
     * @param valueBits each coordinate satisfies {@code |v| < 2^(valueBits-1)}; at least 1
     * @param parties   the number of packed vectors that are summed; at least 1
     */
    public PackedEncoding(PublicKey pub, int valueBits, int parties) {
        this.pub = Objects.requireNonNull(pub, "pub");
        if (valueBits < 1) {
            throw new IllegalArgumentException("valueBits must be >= 1, got " + valueBits);
        }
        if (parties < 1) {
            throw new IllegalArgumentException("parties must be >= 1, got " + parties);
        }
        int partyBits = 32 - Integer.numberOfLeadingZeros(parties - 1); // ceil(log2(parties))
        long bits = (long) valueBits + partyBits + 1;
        if (bits > Long.SIZE) {
            throw new IllegalArgumentException("valueBits + ceil(log2(parties)) + 1 must be <= 64 so that a sum fits"
                    + " in a long, got " + bits + " (valueBits " + valueBits + ", parties " + parties + ")");
        }
        this.valueBits = valueBits;
        this.parties = parties;
        this.slotBits = (int) bits;
        this.slotsPerPlaintext = (pub.bits() - 2) / slotBits;
        if (slotsPerPlaintext < 1) {
            throw new IllegalArgumentException("a " + pub.bits() + "-bit modulus has no room for one slot of "
                    + slotBits + " bits (valueBits " + valueBits + ", parties " + parties + "): it needs at least "
                    + (slotBits + 2) + " bits");
        }
        this.offset = 1L << (valueBits - 1);
    }

    public PublicKey publicKey() {
        return pub;
    }

    public int valueBits() {
        return valueBits;
    }

    public int parties() {
        return parties;
    }

    /** {@code valueBits + ceil(log2(parties)) + 1}. */
    public int slotBits() {
        return slotBits;
    }

    /** {@code (bits(N) - 2) / slotBits}. */
    public int slotsPerPlaintext() {
        return slotsPerPlaintext;
    }

    /** The largest magnitude a coordinate may have: {@code 2^(valueBits-1) - 1}. */
    public long maxMagnitude() {
        return offset - 1;
    }

    /** The number of plaintexts (and so ciphertexts) for a vector of {@code length} coordinates. */
    public int ciphertextsFor(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, got " + length);
        }
        return (int) (((long) length + slotsPerPlaintext - 1) / slotsPerPlaintext);
    }

    /**
     * One party's vector as {@link #ciphertextsFor(int) ciphertextsFor(values.length)} plaintexts in {@code [0, N)}.
     *
     * @throws IllegalArgumentException naming the first index whose value has {@code |v| >= 2^(valueBits-1)}
     */
    public BigInteger[] pack(long[] values) {
        Objects.requireNonNull(values, "values");
        BigInteger[] plaintexts = new BigInteger[ciphertextsFor(values.length)];
        for (int k = 0; k < plaintexts.length; k++) {
            int from = k * slotsPerPlaintext;
            int to = Math.min(values.length, from + slotsPerPlaintext);
            for (int i = from; i < to; i++) {
                if (values[i] <= -offset || values[i] >= offset) {
                    throw new IllegalArgumentException("values[" + i + "] is out of range: |v| must be < 2^"
                            + (valueBits - 1) + " (valueBits " + valueBits + ")");
                }
            }
            BigInteger packed = BigInteger.ZERO;
            for (int i = to - 1; i >= from; i--) { // the highest slot first, so coordinate `from` ends at bit 0
                packed = packed.shiftLeft(slotBits).or(BigInteger.valueOf(values[i] + offset));
            }
            plaintexts[k] = packed;
        }
        return plaintexts;
    }

    /** The coordinate-wise sums of exactly {@link #parties()} packed vectors, from their summed plaintexts. */
    public long[] unpackSum(BigInteger[] plaintexts, int length) {
        return unpackSum(plaintexts, length, parties);
    }

    /**
     * The coordinate-wise sums of exactly {@code contributors} (1 to {@link #parties()}) packed vectors, from their
     * summed plaintexts: each slot minus {@code contributors * 2^(valueBits-1)}.
     *
     * @throws IllegalArgumentException if the plaintexts cannot be such a sum (wrong count, a value too large, a
     *                                  slot out of range)
     */
    public long[] unpackSum(BigInteger[] plaintexts, int length, int contributors) {
        Objects.requireNonNull(plaintexts, "plaintexts");
        if (contributors < 1 || contributors > parties) {
            throw new IllegalArgumentException("contributors must be in [1, " + parties + "], got " + contributors);
        }
        if (plaintexts.length != ciphertextsFor(length)) {
            throw new IllegalArgumentException("a vector of " + length + " coordinates needs "
                    + ciphertextsFor(length) + " plaintexts, got " + plaintexts.length);
        }
        long mask = slotBits == Long.SIZE ? -1L : (1L << slotBits) - 1;
        long lowest = contributors; // every slot of every party holds at least 1
        long highest = contributors * (2 * offset - 1);
        long[] sums = new long[length];
        for (int k = 0; k < plaintexts.length; k++) {
            BigInteger packed = Objects.requireNonNull(plaintexts[k], "plaintexts[" + k + "]");
            int from = k * slotsPerPlaintext;
            int used = Math.min(length, from + slotsPerPlaintext) - from;
            if (packed.signum() < 0 || packed.bitLength() > used * slotBits) {
                throw new IllegalArgumentException("plaintexts[" + k + "] is not a sum of packed vectors: it does"
                        + " not fit in its " + used + " slots");
            }
            for (int j = 0; j < used; j++) {
                long slot = packed.shiftRight(j * slotBits).longValue() & mask;
                if (slot < lowest || slot > highest) {
                    throw new IllegalArgumentException("coordinate " + (from + j) + " does not decode: the plaintexts"
                            + " are not the sum of " + contributors + " packed vectors");
                }
                sums[from + j] = slot - contributors * offset;
            }
        }
        return sums;
    }

    @Override
    public String toString() {
        return "PackedEncoding[valueBits=" + valueBits + ", parties=" + parties + ", slotBits=" + slotBits
                + ", slotsPerPlaintext=" + slotsPerPlaintext + ", " + pub.bits() + "-bit modulus]";
    }
}
