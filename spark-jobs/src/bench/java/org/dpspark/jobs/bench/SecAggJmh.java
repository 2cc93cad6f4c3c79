package org.dpspark.jobs.bench;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.dpspark.core.he.PackedEncoding;
import org.dpspark.core.he.Paillier;
import org.dpspark.core.noise.SecureGaussianNoise;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.core.secagg.DdgCodec;
import org.dpspark.core.secagg.DdgParams;
import org.dpspark.core.secagg.ModularSum;
import org.dpspark.core.secagg.PairwiseMasks;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Issue 13, the cost per coordinate per party of each aggregation mode, on one thread, in one run: what a party adds
 * to its step beyond the clipped sum (central: nothing; the driver's Gaussian noise per coordinate is the reference),
 * and what the driver adds per party. Divide a result by {@code dim} for the cost per coordinate.
 * <ul>
 *   <li>{@code centralDriverNoise}: the central mode's driver noise for one vector (SecureGaussianNoise);</li>
 *   <li>{@code maskingParty}: one party's share, DdgCodec.encode (scale, rotate, round, discrete Gaussian) and its
 *       pairwise masks with n - 1 = {@code peers} other parties;</li>
 *   <li>{@code maskingDriverPerParty}: adding one share modulo 2^b (the decode, once per step, is
 *       {@code maskingDriverDecode});</li>
 *   <li>{@code paillierParty}: one party's share encoded, packed and encrypted under a 3072-bit key;</li>
 *   <li>{@code paillierKeyHolderDecrypt}: decrypting and unpacking the total (once per step).</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SecAggJmh {
    @Param({"105", "28427"})
    public int dim;

    @Param({"1", "7"})
    public int peers;

    DdgCodec codec;
    DdgParams params;
    double[] sum;
    byte[][] pairKeys;
    long[] share;
    long[] total;
    SecureGaussianNoise noise;
    CsprngStream rng;
    long step;

    @Setup(Level.Trial)
    public void setup() {
        int parties = peers + 1;
        params = DdgParams.choose(dim, DdgParams.DEFAULT_BITS, parties, 0, 1.0, 1.5, 60_000);
        codec = new DdgCodec(params, 42L);
        sum = new double[dim];
        SecureRandom r = new SecureRandom();
        for (int i = 0; i < dim; i++) {
            sum[i] = r.nextGaussian() * 20;
        }
        pairKeys = new byte[parties][];
        for (int j = 1; j < parties; j++) {
            pairKeys[j] = new byte[32];
            r.nextBytes(pairKeys[j]);
        }
        share = codec.encode(sum, CsprngStream.fromSecureRandom());
        total = new long[params.paddedDim()];
        noise = SecureGaussianNoise.create();
        rng = CsprngStream.fromSecureRandom();
    }

    @Benchmark
    public double[] centralDriverNoise() {
        double[] v = sum.clone();
        noise.addTo(v, 1.5);
        return v;
    }

    @Benchmark
    public long[] maskingParty() {
        long[] y = codec.encode(sum, rng);
        PairwiseMasks.apply(y, 0, pairKeys, step++, params.bits());
        return y;
    }

    @Benchmark
    public long[] maskingDriverPerParty() {
        ModularSum.addInto(total, share, params.bits());
        return total;
    }

    @Benchmark
    public double[] maskingDriverDecode() {
        return codec.decode(total);
    }

    /** Paillier at 3072 bits; only the small vector is measured (the large one takes seconds per call). */
    @State(Scope.Thread)
    public static class PaillierState {
        PackedEncoding packing;
        Paillier.KeyPair keys;
        DdgCodec codec;
        double[] sum;
        BigInteger[] ciphertexts;
        CsprngStream rng;

        @Setup(Level.Trial)
        public void setup() {
            keys = Paillier.generate(Paillier.DEFAULT_MODULUS_BITS, new SecureRandom());
            DdgParams p = DdgParams.choose(105, DdgParams.DEFAULT_BITS, 2, 0, 1.0, 1.5, 60_000);
            codec = new DdgCodec(p, 42L);
            packing = new PackedEncoding(keys.publicKey(), p.bits(), p.parties());
            sum = new double[105];
            rng = CsprngStream.fromSecureRandom();
            ciphertexts = encrypt();
        }

        BigInteger[] encrypt() {
            BigInteger[] plain = packing.pack(codec.encodeSigned(sum, rng));
            BigInteger[] out = new BigInteger[plain.length];
            for (int k = 0; k < plain.length; k++) {
                out[k] = Paillier.encrypt(keys.publicKey(), plain[k], rng);
            }
            return out;
        }
    }

    @Benchmark
    public BigInteger[] paillierParty(PaillierState s) {
        return s.encrypt();
    }

    @Benchmark
    public long[] paillierKeyHolderDecrypt(PaillierState s) {
        return s.packing.unpackSum(Paillier.decryptAll(s.keys.privateKey(), s.ciphertexts), 128, 1);
    }
}
