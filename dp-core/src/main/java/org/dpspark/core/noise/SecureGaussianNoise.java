package org.dpspark.core.noise;

import java.util.Objects;
import org.dpspark.core.random.CsprngStream;
import org.dpspark.core.random.InsecureTestRandomness;
import org.dpspark.core.random.RandomSource;

/**
 * Gaussian noise N(0, std^2) for the Gaussian mechanism, drawn from a CSPRNG and hardened against
 * floating-point attacks.
 *
 * <p>Each sample is {@code std * (Z1 + Z2 + Z3 + Z4) / 2} with Z1..Z4 independent standard normals from the
 * {@link Ziggurat} sampler (Marsaglia &amp; Tsang 2000) on the bits of an AES-256-CTR stream ({@link CsprngStream}).
 * Z1 + Z2 + Z3 + Z4 ~ N(0, 4), so the sample is exactly N(0, std^2); this is the construction of Opacus' secure
 * mode. Why: a floating-point noise sampler does not produce a continuous distribution but a finite set of
 * doubles whose spacing depends on the value, so x + noise can reveal x through its low-order bits, as Mironov
 * (2012, "On Significance of the Least Significant Bits for Differential Privacy", CCS) showed for the Laplace
 * mechanism and Jin et al. (2022, "Are We There Yet? Timing and Floating-Point Attacks on Differential Privacy
 * Systems", IEEE S&amp;P) showed for Gaussian samplers, including those of DP-SGD libraries. Summing four
 * independent draws smears the artefacts of any single draw over the low-order bits. Each Ziggurat draw uses 53
 * random bits for its abscissa (8 for the layer, 1 for the sign). The sampler is not constant-time (Jin et al.
 * also describe timing channels): the driver adds noise to whole vectors, which only reveals the time to draw
 * all of their coordinates.
 *
 * <p>Not thread-safe (one CSPRNG stream per instance). Never log the noise, the noisy inputs before release,
 * or anything about the stream.
 */
public final class SecureGaussianNoise implements Noise {

    private final RandomSource rng;

    SecureGaussianNoise(RandomSource rng) {
        this.rng = Objects.requireNonNull(rng, "rng");
    }

    /** Noise backed by a fresh {@link CsprngStream#fromSecureRandom()} stream. The production path. */
    public static SecureGaussianNoise create() {
        return new SecureGaussianNoise(CsprngStream.fromSecureRandom());
    }

    /**
     * <b>INSECURE, for tests only</b>: reproducible noise from {@link InsecureTestRandomness#seededSource(long)}.
     * Anyone who knows the seed can subtract the noise; a model trained with it has no privacy guarantee.
     */
    public static SecureGaussianNoise insecureSeededForTests(long seed) {
        return insecureSeededForTests(seed, 0);
    }

    /**
     * INSECURE, tests only: as {@link #insecureSeededForTests(long)}, continuing the stream after its first
     * {@code skipDraws} draws ({@link #draws()} of the instance being continued): a run resumed from a checkpoint
     * under a test seed draws exactly the noise the uninterrupted run would have.
     */
    public static SecureGaussianNoise insecureSeededForTests(long seed, long skipDraws) {
        if (!(skipDraws >= 0)) {
            throw new IllegalArgumentException("skipDraws must be >= 0, got " + skipDraws);
        }
        Counting source = new Counting(InsecureTestRandomness.seededSource(seed));
        for (long i = 0; i < skipDraws; i++) {
            source.nextLong();
        }
        return new SecureGaussianNoise(source);
    }

    /**
     * The 64-bit draws taken from the stream so far, on the seeded test path; -1 for a secure instance (whose stream
     * is never continued: a resumed secure run draws fresh noise, independent of all earlier noise).
     */
    public long draws() {
        return rng instanceof Counting c ? c.draws : -1;
    }

    /** Counts the draws of a seeded stream (each nextLong or nextDouble takes one 64-bit word). */
    private static final class Counting implements RandomSource {
        private final RandomSource inner;
        private long draws;

        Counting(RandomSource inner) {
            this.inner = inner;
        }

        @Override
        public long nextLong() {
            draws++;
            return inner.nextLong();
        }

        @Override
        public double nextDouble() {
            draws++;
            return inner.nextDouble();
        }
    }

    @Override
    public void addTo(double[] v, double std) {
        Objects.requireNonNull(v, "v");
        checkStd(std);
        if (std == 0.0) {
            return;
        }
        double halfStd = 0.5 * std;
        for (int i = 0; i < v.length; i++) {
            v[i] += sumOfFour() * halfStd;
        }
    }

    /**
     * Fills {@code z} with sums of four independent standard normal draws (each N(0, 4)), in the order
     * {@link #addTo} draws them: {@code addTo(v, std)} is {@code v[i] += z[i] * (0.5 * std)} with the z this fills.
     */
    void fillSums(double[] z) {
        for (int i = 0; i < z.length; i++) {
            z[i] = sumOfFour();
        }
    }

    /** Z1 + Z2 + Z3 + Z4, four independent standard normal draws in stream order: N(0, 4). */
    private double sumOfFour() {
        RandomSource r = rng;
        return Ziggurat.next(r) + Ziggurat.next(r) + Ziggurat.next(r) + Ziggurat.next(r);
    }

    @Override
    public double sample(double std) {
        checkStd(std);
        if (std == 0.0) {
            return 0.0;
        }
        return sumOfFour() * (0.5 * std);
    }

    /** One un-hardened standard normal draw from the underlying Ziggurat, for tests of the sampler itself. */
    double rawStandardNormal() {
        return Ziggurat.next(rng);
    }

    static void checkStd(double std) {
        if (!(std >= 0.0 && std < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("std must be finite and >= 0, got " + std);
        }
    }

    @Override
    public String toString() {
        return "SecureGaussianNoise[ziggurat, sum of 4, AES-256-CTR]";
    }
}
