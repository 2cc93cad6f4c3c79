package org.dpspark.core.secagg;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.KeyAgreement;
import org.dpspark.core.random.CsprngStream;

/**
 * The pairwise masks of secure aggregation (Bonawitz et al., "Practical Secure Aggregation for Privacy-Preserving
 * Machine Learning", CCS 2017, Section 3): parties u and v agree on a key s_{u,v} by Diffie-Hellman (here X25519,
 * RFC 7748, from the JDK), expand it with a PRG into a mask vector m_{u,v}, and party u sends
 * {@code y_u = x_u + sum_{v > u} m_{u,v} - sum_{v < u} m_{v,u} (mod 2^bits)}, so every mask appears once with each
 * sign and the masks cancel in {@code sum_u y_u}. Each y_u alone, and any sum of fewer than all of them, is uniform
 * modulo 2^bits to anyone who does not hold the pair keys of the missing parties. (Dropouts and the secret sharing
 * of Bonawitz et al.'s full protocol are not handled here.)
 *
 * <p>The PRG is {@link CsprngStream#derive}(pair key, step): AES-256-CTR, a fresh stream per step.
 */
public final class PairwiseMasks {

    /** Domain-separation tag of {@link #agree}. */
    static final String PAIR_TAG = "dpspark/secagg/pair/v1";

    private static final int KEY_BYTES = 32;
    private static final BigInteger BASE_POINT_U = BigInteger.valueOf(9);

    private PairwiseMasks() {
    }

    /** A fresh X25519 key pair (JDK KeyPairGenerator "X25519", SecureRandom). */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("X25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is not available", e);
        }
    }

    /**
     * A deterministic X25519 key pair from a 32-byte seed: the seed is the private scalar (RFC 7748 Section 5, clamped
     * when used), given to the JDK with {@link XECPrivateKeySpec}; the public key is X25519(scalar, 9), the agreement
     * of the private key with the base point u = 9 (RFC 7748 Section 6.1), computed with the JDK's KeyAgreement.
     */
    public static KeyPair fromSeed(byte[] seed32) {
        Objects.requireNonNull(seed32, "seed32");
        if (seed32.length != KEY_BYTES) {
            throw new IllegalArgumentException("an X25519 seed is 32 bytes, got " + seed32.length);
        }
        try {
            KeyFactory factory = KeyFactory.getInstance("X25519");
            PrivateKey priv = factory.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519,
                    seed32.clone()));
            byte[] pubBytes = x25519(priv, factory.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519,
                    BASE_POINT_U)));
            PublicKey pub = publicKey(factory, pubBytes);
            return new KeyPair(pub, priv);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is not available", e);
        }
    }

    /** The public key's 32 raw bytes (RFC 7748 u-coordinate, little-endian). */
    public static byte[] publicBytes(PublicKey key) {
        if (!(key instanceof XECPublicKey)) {
            throw new IllegalArgumentException("not an X25519 public key: " + (key == null ? null : key.getAlgorithm()));
        }
        BigInteger u = ((XECPublicKey) key).getU();
        byte[] bigEndian = u.toByteArray(); // u < 2^255: at most 32 bytes plus a sign byte
        byte[] out = new byte[KEY_BYTES];
        for (int i = 0; i < KEY_BYTES && i < bigEndian.length; i++) {
            out[i] = bigEndian[bigEndian.length - 1 - i];
        }
        return out;
    }

    /**
     * The pair key shared by two parties: SHA-256("dpspark/secagg/pair/v1" || X25519(mine, peer) || context),
     * 32 bytes; rejects an all-zero shared secret (a low-order peer key) with IllegalArgumentException.
     * The tag and the secret have fixed lengths, so the hashed string determines the context.
     */
    public static byte[] agree(PrivateKey mine, byte[] peerPublic32, byte[] context) {
        Objects.requireNonNull(mine, "mine");
        Objects.requireNonNull(peerPublic32, "peerPublic32");
        Objects.requireNonNull(context, "context");
        if (peerPublic32.length != KEY_BYTES) {
            throw new IllegalArgumentException("an X25519 public key is 32 bytes, got " + peerPublic32.length);
        }
        byte[] secret;
        try {
            secret = x25519(mine, publicKey(KeyFactory.getInstance("X25519"), peerPublic32));
        } catch (InvalidKeyException | IllegalStateException e) {
            // The JDK refuses a small-order point itself (all-zero result); say so in our own terms.
            throw new IllegalArgumentException("the peer's public key gives an all-zero X25519 secret (a low-order "
                    + "point) or is invalid", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is not available", e);
        }
        try {
            int acc = 0;
            for (byte b : secret) {
                acc |= b;
            }
            if (acc == 0) {
                throw new IllegalArgumentException("the peer's public key gives an all-zero X25519 secret "
                        + "(a low-order point)");
            }
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(PAIR_TAG.getBytes(StandardCharsets.US_ASCII));
            sha.update(secret);
            sha.update(context);
            return sha.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /**
     * Adds party self's masks to v mod 2^bits: for every other party j with pairKeys[j] != null, the mask
     * m_{self,j} is the first v.length values of CsprngStream.derive(pairKeys[j], step) (nextLong() masked to
     * bits bits); added when self &lt; j, subtracted when self &gt; j (Bonawitz et al. 2017, Sec. 3), so that the
     * masks of all parties cancel in the sum mod 2^bits. pairKeys[self] is ignored. The result is in [0, 2^bits).
     */
    public static void apply(long[] v, int self, byte[][] pairKeys, long step, int bits) {
        ModularSum.checkBits(bits);
        if (self < 0 || self >= pairKeys.length) {
            throw new IllegalArgumentException("self = " + self + " is not a party of " + pairKeys.length);
        }
        long mask = (1L << bits) - 1;
        for (int j = 0; j < pairKeys.length; j++) {
            if (j == self || pairKeys[j] == null) {
                continue;
            }
            CsprngStream prg = CsprngStream.derive(pairKeys[j], step);
            if (self < j) {
                for (int i = 0; i < v.length; i++) {
                    v[i] += prg.nextLong() & mask;
                }
            } else {
                for (int i = 0; i < v.length; i++) {
                    v[i] -= prg.nextLong() & mask;
                }
            }
        }
        for (int i = 0; i < v.length; i++) {
            v[i] &= mask;
        }
    }

    /** X25519(priv, peer) with the JDK's KeyAgreement: the raw 32-byte little-endian u-coordinate. */
    private static byte[] x25519(PrivateKey priv, PublicKey peer) throws GeneralSecurityException {
        KeyAgreement agreement = KeyAgreement.getInstance("X25519");
        agreement.init(priv);
        agreement.doPhase(peer, true);
        return agreement.generateSecret();
    }

    /** The public key with these 32 little-endian bytes, the top bit masked as RFC 7748 Section 5 requires. */
    private static PublicKey publicKey(KeyFactory factory, byte[] raw) throws GeneralSecurityException {
        byte[] bigEndian = new byte[KEY_BYTES + 1]; // leading 0: a positive BigInteger
        for (int i = 0; i < KEY_BYTES; i++) {
            bigEndian[KEY_BYTES - i] = raw[i];
        }
        bigEndian[1] &= 0x7f;
        return factory.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(bigEndian)));
    }
}
