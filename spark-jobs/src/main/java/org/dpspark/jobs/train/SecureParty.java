package org.dpspark.jobs.train;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Iterator;
import org.dpspark.core.he.PackedEncoding;
import org.dpspark.core.he.Paillier;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.core.secagg.DdgCodec;
import org.dpspark.core.secagg.PairwiseMasks;
import org.dpspark.datasets.DenseBlock;

/**
 * The parties a barrier task holds in one stage attempt (one per partition), under masking or paillier: their
 * secrets, X25519 key pairs and pair keys live here, in the task, and leave it only as masked or encrypted shares.
 * Nothing here is logged or serialized.
 *
 * <p>Per step, party p computes its clipped sum S_p with its own sample stream ({@link PartitionStep} keyed by the
 * party secret), encodes it ({@link DdgCodec}: scale, rotate, round, discrete Gaussian share; randomness from
 * CsprngStream.derive(party secret, step)) and then either adds its pairwise masks mod 2^b (masking; Bonawitz et
 * al. 2017) or packs and encrypts the signed share under the key holder's Paillier key (paillier).
 */
final class SecureParty {
    private final SecureSetup setup;
    private final int attempt;
    private final int[] partitions;
    private final byte[][] secrets;
    private final PartitionStep[] work;
    private final KeyPair[] keys;
    private final DdgCodec codec;
    private final Paillier.PublicKey paillier;
    private final PackedEncoding packing;
    private byte[][][] pairKeys;

    /** @param paillierKey the key holder's encoded public key (paillier), else null */
    SecureParty(SecureSetup setup, PartitionStep template, int attempt, int[] partitions, byte[] paillierKey) {
        this.setup = setup;
        this.attempt = attempt;
        this.partitions = partitions.clone();
        SecureRandom fresh = new SecureRandom();
        this.secrets = new byte[partitions.length][];
        this.work = new PartitionStep[partitions.length];
        this.keys = new KeyPair[partitions.length];
        for (int i = 0; i < partitions.length; i++) {
            secrets[i] = setup.partySecret(partitions[i], fresh);
            work[i] = template.withKey(secrets[i]);
            keys[i] = setup.mode() == SecureAggregation.MASKING ? PairwiseMasks.generate() : null;
        }
        this.codec = new DdgCodec(setup.params(), setup.rotationSeed());
        if (setup.mode() == SecureAggregation.PAILLIER) {
            this.paillier = Paillier.PublicKey.decode(paillierKey);
            this.packing = new PackedEncoding(paillier, setup.params().bits(), setup.params().parties());
        } else {
            this.paillier = null;
            this.packing = null;
        }
    }

    /** The public keys of this task's parties, in the order of its partitions (empty arrays under paillier). */
    byte[][] publicKeys() {
        byte[][] out = new byte[partitions.length][];
        for (int i = 0; i < partitions.length; i++) {
            out[i] = keys[i] == null ? new byte[0] : PairwiseMasks.publicBytes(keys[i].getPublic());
        }
        return out;
    }

    /** Agrees a pair key with every other party of the roster (all partitions' public keys, by partition). */
    void roster(byte[][] all) {
        int n = all.length;
        pairKeys = new byte[partitions.length][][];
        for (int i = 0; i < partitions.length; i++) {
            pairKeys[i] = new byte[n][];
            for (int j = 0; j < n; j++) {
                if (j != partitions[i]) {
                    pairKeys[i][j] = PairwiseMasks.agree(keys[i].getPrivate(), all[j],
                            setup.pairContext(attempt, partitions[i], j));
                }
            }
        }
    }

    boolean needsRoster() {
        return setup.mode() == SecureAggregation.MASKING && pairKeys == null;
    }

    /** Party i's (the i-th own partition's) clipped sum at {@code step}, from its own sample. */
    double[] sum(int i, long step, double[] params, Iterator<DenseBlock> blocks) {
        return work[i].sum(step, params, partitions[i], blocks);
    }

    /** Masking: party i's encoded share plus its pairwise masks, mod 2^b. */
    long[] masked(int i, long step, double[] sum) {
        if (pairKeys == null) {
            throw new IllegalStateException("a step arrived before the roster of public keys");
        }
        long[] share = codec.encode(sum, CsprngStream.derive(secrets[i], step));
        org.dpspark.core.secagg.PairwiseMasks.apply(share, partitions[i], pairKeys[i], step, setup.params().bits());
        return share;
    }

    /** Paillier: party i's signed share, packed and encrypted under the key holder's public key. */
    BigInteger[] sealed(int i, long step, double[] sum) {
        CsprngStream rng = CsprngStream.derive(secrets[i], step);
        long[] share = codec.encodeSigned(sum, rng);
        BigInteger[] plain = packing.pack(share);
        BigInteger[] out = new BigInteger[plain.length];
        for (int k = 0; k < plain.length; k++) {
            out[k] = Paillier.encrypt(paillier, plain[k], rng);
        }
        return out;
    }

    @Override
    public String toString() {
        return "SecureParty[" + setup.mode().jsonName() + ", partitions=" + Arrays.toString(partitions) + "]";
    }
}
