package org.dpspark.core.secagg;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import org.dpspark.core.params.InvalidParameterException;

/**
 * The public parameters of the distributed discrete Gaussian (DDG) encoding of one step's vectors (Kairouz, Liu and
 * Steinke 2021, "KLS" below, Algorithms 1 and 2), fixed before the first step from public quantities only.
 *
 * <p>Each of the {@code n} parties (partitions) holds the sum S_p of its sampled units' clipped contributions, a
 * vector of {@code dim} doubles. It sends
 * <pre>
 *   y_p = R( scale * H D S_p ) + Z_p  (mod 2^bits)          Z_p ~ N_Z(0, localVariance)^paddedDim
 * </pre>
 * with H D the randomized Hadamard rotation (public signs), R stochastic rounding to integers, and N_Z the discrete
 * Gaussian (Canonne, Kamath and Steinke 2020). The aggregator adds the y_p mod 2^bits, maps the total to the
 * centred range, divides by {@code scale} and rotates back.
 *
 * <p><b>Sensitivity.</b> Adding or removing one unit changes one party's S_p by at most C in L2 norm, hence its
 * scaled rotated vector by at most scale*C. Stochastic rounding is coupled through its uniforms (floor(x + u)):
 * each coordinate of the rounded difference is at most |difference| + 1, so the rounded vectors differ by at most
 * {@code scale*C + sqrt(paddedDim)} (KLS Theorem 1 with beta = 0), and Renyi divergence is jointly quasi-convex, so
 * this deterministic bound is the L2 sensitivity {@link #sensitivity()}. Partition sums, not single examples, are
 * rounded, so KLS's conditional rounding (which bounds one rounded vector, not a difference) does not apply.
 *
 * <p><b>Noise.</b> Up to {@code colluding} = t parties may collude with the aggregator and remove their own shares,
 * so the n - t honest parties' noise alone must meet the target: each party adds variance
 * {@code localVariance = ceil(sigma^2 (scale C)^2 / (n - t))}, an integer at least the exact share (the sampler
 * takes an integer sigma^2).
 *
 * <p><b>Range.</b> The total never wraps modulo 2^bits except with negligible probability: every coordinate of the
 * rotated sum of at most N units' contributions is at most N*C in absolute value, rounding adds at most 1 per party,
 * and the noise stays within 8 standard deviations of the total noise (a two-sided Gaussian tail of 1.2e-15 per
 * coordinate), so {@code N scale C + n + 8 sqrt(n localVariance) <= 2^(bits-1) - 1} ({@link #rangeBound()}). The
 * scale is the largest that meets this (a larger scale makes the rounding relatively smaller), capped so that
 * {@code localVariance <= 2^60}. The run is refused when the scale is too small for the rounding to cost at most
 * {@value #MAX_ROUNDING_INFLATION} of the sensitivity, naming the bits it would need.
 *
 * @param dim           vector length (numParams + 1)
 * @param paddedDim     the next power of two &gt;= dim (the rotation's size)
 * @param bits          b, the modulus 2^b of the masked sums, in [{@value #MIN_BITS}, {@value #MAX_BITS}]
 * @param parties       n, the number of parties (partitions), &gt;= 1
 * @param colluding     t, the parties that may collude with the aggregator, 0 &lt;= t &lt; n
 * @param clipNorm      C
 * @param noiseMultiplier sigma (the honest parties' total noise std is sigma * C, as in the central mode)
 * @param maxUnits      N, the number of privacy units (bounds how many can be in one step)
 * @param scale         integer units per unit of the gradient sums (1 / gamma in KLS)
 * @param localVariance each party's discrete Gaussian sigma^2, in integer units
 */
public record DdgParams(int dim, int paddedDim, int bits, int parties, int colluding, double clipNorm,
        double noiseMultiplier, long maxUnits, double scale, long localVariance) implements java.io.Serializable {

    /** Smallest modulus exponent accepted. */
    public static final int MIN_BITS = 8;
    /** Largest: coordinates and masks are Java longs, sums of two stay below 2^63. */
    public static final int MAX_BITS = 62;
    /** Default b: room for about a billion units at the rounding's 1% (see {@link #choose}). */
    public static final int DEFAULT_BITS = 40;
    /** The largest relative sensitivity inflation from rounding that {@link #choose} accepts: 1%. */
    public static final double MAX_ROUNDING_INFLATION = 0.01;
    /** The noise tail, in standard deviations of the total noise, kept inside the modulus. */
    public static final double TAIL_STDS = 8.0;
    /** Largest localVariance (keeps the exact sampler's arithmetic in range). */
    public static final long MAX_LOCAL_VARIANCE = 1L << 60;

    /** Checks the invariants (not the choice: see {@link #choose}). */
    public DdgParams {
        if (dim < 1 || paddedDim < dim || Integer.bitCount(paddedDim) != 1) {
            throw new IllegalArgumentException("dim " + dim + " / paddedDim " + paddedDim + " invalid");
        }
        if (bits < MIN_BITS || bits > MAX_BITS) {
            throw new IllegalArgumentException("bits must be in [" + MIN_BITS + ", " + MAX_BITS + "], got " + bits);
        }
        if (parties < 1 || colluding < 0 || colluding >= parties) {
            throw new IllegalArgumentException("need 0 <= colluding < parties, got t = " + colluding + ", n = " + parties);
        }
        if (!(clipNorm > 0) || !(noiseMultiplier > 0) || maxUnits < 1 || !(scale > 0) || localVariance < 1
                || localVariance > MAX_LOCAL_VARIANCE) {
            throw new IllegalArgumentException("invalid DDG parameters");
        }
    }

    /** The honest parties, n - t. */
    public int honestParties() {
        return parties - colluding;
    }

    /** The L2 sensitivity of the sum of rounded vectors, in integer units: scale*C + sqrt(paddedDim). */
    public double sensitivity() {
        return scale * clipNorm + Math.sqrt(paddedDim);
    }

    /** sensitivity() / (scale C) - 1: how much rounding inflates the sensitivity. */
    public double roundingInflation() {
        return Math.sqrt(paddedDim) / (scale * clipNorm);
    }

    /** The std of the honest parties' noise relative to the sensitivity: sqrt((n - t) localVariance) / sensitivity. */
    public double effectiveNoiseMultiplier() {
        return Math.sqrt((double) honestParties() * localVariance) / sensitivity();
    }

    /**
     * KLS Theorem 1's tau for the sum of the n - t honest parties' discrete Gaussians of parameter localVariance:
     * 10 * sum_{k=1}^{m-1} exp(-2 pi^2 localVariance k / (k + 1)), m = n - t (0 for one honest party).
     */
    public double tau() {
        int m = honestParties();
        double tau = 0;
        for (int k = 1; k < m; k++) {
            tau += Math.exp(-2 * Math.PI * Math.PI * localVariance * k / (k + 1.0));
        }
        return 10 * tau;
    }

    /** The largest absolute value any coordinate of the total can take except with negligible probability. */
    public double rangeBound() {
        return rangeBound(maxUnits, scale, clipNorm, parties, localVariance);
    }

    private static double rangeBound(long n, double scale, double c, int parties, long localVariance) {
        return n * scale * c + parties + TAIL_STDS * Math.sqrt((double) parties * localVariance);
    }

    /** The next power of two &gt;= dim. */
    public static int paddedDim(int dim) {
        if (dim < 1 || dim > (1 << 30)) {
            throw new IllegalArgumentException("dim must be in [1, 2^30], got " + dim);
        }
        int p = 1;
        while (p < dim) {
            p <<= 1;
        }
        return p;
    }

    /**
     * The encoding for a run: the largest scale whose total fits in 2^(bits-1) - 1 (see the class comment).
     *
     * @throws InvalidParameterException naming {@code secaggColluding} when t &gt;= n, or {@code secaggBits} when b
     *         is outside [8, 62] or too small for the sum's range at 1% rounding inflation (with the b needed)
     */
    public static DdgParams choose(int dim, int bits, int parties, int colluding, double clipNorm,
            double noiseMultiplier, long maxUnits) {
        if (parties < 1) {
            throw new IllegalArgumentException("parties must be >= 1, got " + parties);
        }
        if (colluding < 0 || colluding >= parties) {
            throw InvalidParameterException.of("secaggColluding", "must be in [0, n - 1] for n = " + parties
                    + " parties (partitions), got " + colluding + ": the honest parties' noise must meet the target");
        }
        if (bits < MIN_BITS || bits > MAX_BITS) {
            throw InvalidParameterException.of("secaggBits", "must be in [" + MIN_BITS + ", " + MAX_BITS + "], got "
                    + bits);
        }
        if (!(clipNorm > 0 && clipNorm < Double.POSITIVE_INFINITY)
                || !(noiseMultiplier > 0 && noiseMultiplier < Double.POSITIVE_INFINITY) || maxUnits < 1) {
            throw new IllegalArgumentException("clipNorm, noiseMultiplier and maxUnits must be positive and finite");
        }
        int padded = paddedDim(dim);
        int honest = parties - colluding;
        double limit = Math.pow(2, bits - 1) - 1;
        // scale * C * (N + 8 sigma sqrt(n / (n - t))) + n + 8 sqrt(n) (slack for the ceiling of localVariance) <= limit
        double perScale = clipNorm * (maxUnits + TAIL_STDS * noiseMultiplier * Math.sqrt((double) parties / honest));
        double scale = (limit - parties - TAIL_STDS * Math.sqrt(parties) - 1) / perScale;
        // Cap: localVariance = sigma^2 (scale C)^2 / (n - t) <= 2^60.
        double capScale = Math.sqrt((double) MAX_LOCAL_VARIANCE * honest) / (noiseMultiplier * clipNorm) * 0.999;
        scale = Math.min(scale, capScale);
        long local = 0;
        for (int tries = 0; tries < 64 && scale > 0; tries++) {
            BigInteger v = ceilShare(noiseMultiplier, scale, clipNorm, honest);
            local = v.compareTo(BigInteger.valueOf(MAX_LOCAL_VARIANCE)) <= 0 ? Math.max(1, v.longValueExact()) : 0;
            if (local > 0 && rangeBound(maxUnits, scale, clipNorm, parties, local) <= limit) {
                break;
            }
            scale *= 0.999;
            local = 0;
        }
        double inflation = scale > 0 ? Math.sqrt(padded) / (scale * clipNorm) : Double.POSITIVE_INFINITY;
        if (local == 0 || !(inflation <= MAX_ROUNDING_INFLATION)) {
            throw InvalidParameterException.of("secaggBits", bits + " is too small for the sum's range: "
                    + maxUnits + " units of norm " + clipNorm + " over " + parties + " parties at " + padded
                    + " coordinates need at least " + bitsNeeded(padded, parties, colluding, noiseMultiplier, maxUnits)
                    + " bits for the rounding to cost at most 1% of the sensitivity");
        }
        return new DdgParams(dim, padded, bits, parties, colluding, clipNorm, noiseMultiplier, maxUnits, scale, local);
    }

    /**
     * ceil(sigma^2 (scale C)^2 / honest) in exact arithmetic on the doubles' values (the product in doubles can round
     * below the exact share by a few units once it exceeds 2^53, which would leave less noise than the class comment
     * promises).
     */
    static BigInteger ceilShare(double sigma, double scale, double clipNorm, int honest) {
        BigDecimal sc = new BigDecimal(scale).multiply(new BigDecimal(clipNorm));
        BigDecimal share = new BigDecimal(sigma).pow(2).multiply(sc.pow(2));
        return share.divide(BigDecimal.valueOf(honest), 0, RoundingMode.CEILING).toBigIntegerExact();
    }

    /** The smallest b for which {@link #choose} accepts the rest of the parameters (at most 63 when none fits). */
    static int bitsNeeded(int padded, int parties, int colluding, double sigma, long maxUnits) {
        // scale * C = sqrt(padded) / 1% makes the range N scale C (1 + 8 sigma sqrt(n/(n-t)) / N) + n + tail.
        double sc = Math.sqrt(padded) / MAX_ROUNDING_INFLATION;
        double range = sc * (maxUnits + TAIL_STDS * sigma * Math.sqrt((double) parties / (parties - colluding)))
                + parties + TAIL_STDS * Math.sqrt(parties) + 2;
        int b = (int) Math.ceil(Math.log(range + 1) / Math.log(2)) + 1;
        return Math.max(MIN_BITS, Math.min(b, MAX_BITS + 1));
    }
}
