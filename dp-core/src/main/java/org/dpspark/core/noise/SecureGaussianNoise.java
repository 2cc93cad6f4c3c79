package org.dpspark.core.noise;

import java.util.Arrays;
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
 * <p>Vectors ({@link #addTo}, and {@link NoiseAhead} through {@link #fillSums}) are drawn in blocks of
 * {@value #BLOCK} coordinates: the block's 4 x {@value #BLOCK} stream words are read in bulk and turned into draws
 * by {@link Ziggurat#fromWords}, coordinate t of a block of m summing the draws of words t, m + t, 2m + t and
 * 3m + t; the few draws that need more bits take them from the stream after the block's words. {@link #sample}
 * draws one coordinate at a time from the stream. Both give the same distribution, from different positions of
 * the stream.
 *
 * <p>Not thread-safe (one CSPRNG stream per instance). Never log the noise, the noisy inputs before release,
 * or anything about the stream.
 */
public final class SecureGaussianNoise implements Noise {

    private final RandomSource rng;
    /** Block scratch of {@link #drawBlock}, allocated on first use; words and draws are zeroed after each vector. */
    private long[] words;
    private double[] normals;
    private int[] slow;
    private double[] sums;

    /** Coordinates per block of {@link #drawBlock}: 2,048 words (16 KiB of the stream), in L1 with their draws. */
    static final int BLOCK = 512;

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

        @Override
        public void nextLongs(long[] dst, int off, int len) {
            inner.nextLongs(dst, off, len);
            draws += len;
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
        double[] sums = blockSums();
        for (int from = 0; from < v.length; from += BLOCK) {
            int m = Math.min(BLOCK, v.length - from);
            drawBlock(m);
            for (int t = 0; t < m; t++) {
                v[from + t] += sums[t] * halfStd;
            }
        }
        wipeScratch();
    }

    /**
     * Fills {@code z} with sums of four independent standard normal draws (each N(0, 4)), the ones {@link #addTo}
     * would draw next: {@code addTo(v, std)} is {@code v[i] += z[i] * (0.5 * std)} with the z this fills.
     */
    void fillSums(double[] z) {
        double[] sums = blockSums();
        for (int from = 0; from < z.length; from += BLOCK) {
            int m = Math.min(BLOCK, z.length - from);
            drawBlock(m);
            System.arraycopy(sums, 0, z, from, m);
        }
        wipeScratch();
    }

    private double[] blockSums() {
        if (sums == null) {
            words = new long[4 * BLOCK];
            normals = new double[4 * BLOCK];
            slow = new int[4 * BLOCK];
            sums = new double[BLOCK];
        }
        return sums;
    }

    /**
     * sums[t] = Z(t) + Z(m + t) + Z(2m + t) + Z(3m + t) for t &lt; m, summed left to right: 4m words from the stream
     * in bulk, one {@link Ziggurat#fromWords} draw each (their slow paths' extra words after them).
     * Issue 19: the MLP's 203,531 coordinates take 2.3 ms this way against 2.9 ms by single draws (one JVM, one
     * core), of which 0.45 ms is AES; a long-to-double conversion per draw had cost another 1 ms (Ziggurat).
     */
    private void drawBlock(int m) {
        int n = 4 * m;
        rng.nextLongs(words, 0, n);
        Ziggurat.fromWords(words, n, normals, slow, rng);
        for (int t = 0; t < m; t++) {
            sums[t] = normals[t] + normals[m + t] + normals[2 * m + t] + normals[3 * m + t];
        }
    }

    /** Zeroes the scratch (the last block's stream words and draws) once a vector is done. */
    private void wipeScratch() {
        Arrays.fill(words, 0L);
        Arrays.fill(normals, 0.0);
        Arrays.fill(sums, 0.0);
    }

    /** True when no stream word, draw or sum of the last vector is left in the scratch (for tests). */
    boolean scratchWiped() {
        return sums == null || (Arrays.stream(words).allMatch(w -> w == 0L)
                && Arrays.stream(normals).allMatch(x -> x == 0.0) && Arrays.stream(sums).allMatch(x -> x == 0.0));
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
