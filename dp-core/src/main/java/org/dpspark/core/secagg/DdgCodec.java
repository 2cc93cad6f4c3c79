package org.dpspark.core.secagg;

import java.util.Objects;
import org.dpspark.core.random.RandomSource;

/**
 * The distributed discrete Gaussian encoding of {@link DdgParams} (Kairouz, Liu and Steinke, ICML 2021, "KLS",
 * Algorithm 1 for the party, Algorithm 2 for the server, without KLS's conditional rounding: see DdgParams):
 * <pre>
 *   party p:     y_p = R( scale * H D S_p / sqrt(d') ) + Z_p,   Z_p ~ N_Z(0, localVariance)^d'   (mod 2^bits)
 *   aggregator:  S~  = (H D / sqrt(d'))^T ( centered(sum_p y_p mod 2^bits) / scale )
 * </pre>
 * with R the stochastic rounding ({@link StochasticRounding}), N_Z the exact discrete Gaussian
 * ({@link DiscreteGaussian}), the rotation of {@link RandomizedHadamard} with a public seed, and the total mapped
 * to [-2^(bits-1), 2^(bits-1)) by {@link ModularSum#centered} (exact as long as the total does not wrap, which
 * DdgParams' range bound makes overwhelmingly likely). Immutable and thread-safe (the rng is the caller's).
 */
public final class DdgCodec {

    private final DdgParams params;
    private final RandomizedHadamard rotation;

    /** The encoding of DdgParams p (see its class comment), with the rotation's public seed. */
    public DdgCodec(DdgParams p, long rotationSeed) {
        this.params = Objects.requireNonNull(p, "p");
        this.rotation = new RandomizedHadamard(p.dim(), p.paddedDim(), rotationSeed);
    }

    public DdgParams params() {
        return params;
    }

    /**
     * A party's unmasked share: round(scale * rotate(partySum)) + N_Z(0, localVariance) per coordinate, in that
     * order of draws from rng (all rounding uniforms first, then the noise), NOT reduced (signed). Length
     * paddedDim. partySum has length dim.
     *
     * @throws IllegalArgumentException if partySum has the wrong length or a coordinate that is not finite or
     *         does not fit a long once scaled (naming the rotated coordinate)
     */
    public long[] encodeSigned(double[] partySum, RandomSource rng) {
        if (partySum.length != params.dim()) {
            throw new IllegalArgumentException("expected a party sum of length " + params.dim() + ", got "
                    + partySum.length);
        }
        double[] y = rotation.rotate(partySum);
        double scale = params.scale();
        for (int i = 0; i < y.length; i++) {
            y[i] *= scale;
        }
        long[] share = StochasticRounding.round(y, rng);        // KLS Alg. 1: scale, rotate, round
        DiscreteGaussian.addTo(share, params.localVariance(), rng); // KLS Alg. 1: + N_Z(0, localVariance)
        return share;
    }

    /** encodeSigned reduced mod 2^bits (what is masked and sent). */
    public long[] encode(double[] partySum, RandomSource rng) {
        long[] share = encodeSigned(partySum, rng);
        long mask = (1L << params.bits()) - 1;
        for (int i = 0; i < share.length; i++) {
            share[i] &= mask;
        }
        return share;
    }

    /** The aggregator's decoding of the total mod 2^bits: centered, divided by scale, rotated back; length dim. */
    public double[] decode(long[] totalMod) {
        checkLength(totalMod);
        int bits = params.bits();
        double[] y = new double[totalMod.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = ModularSum.centered(totalMod[i], bits);
        }
        return unscale(y);
    }

    /** The same from a signed (not reduced) total, e.g. a sum decrypted from Paillier. */
    public double[] decodeSigned(long[] total) {
        checkLength(total);
        double[] y = new double[total.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = total[i];
        }
        return unscale(y);
    }

    private double[] unscale(double[] y) {
        double scale = params.scale();
        for (int i = 0; i < y.length; i++) {
            y[i] /= scale;
        }
        return rotation.inverse(y);
    }

    private void checkLength(long[] total) {
        if (total.length != params.paddedDim()) {
            throw new IllegalArgumentException("expected a total of length " + params.paddedDim() + ", got "
                    + total.length);
        }
    }
}
