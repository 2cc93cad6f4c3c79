package org.dpspark.core.secagg;

import java.math.BigInteger;
import org.dpspark.core.random.RandomSource;

/**
 * The exact discrete Gaussian N_Z(0, sigma2): P(x) = exp(-x^2 / (2 sigma2)) / sum_y exp(-y^2 / (2 sigma2)) for every
 * integer x, sampled with the algorithms of Canonne, Kamath and Steinke, "The Discrete Gaussian for Differential
 * Privacy", NeurIPS 2020 ("CKS" below):
 * <ul>
 *   <li>CKS Algorithm 1: Bernoulli(exp(-gamma)) for a rational gamma &gt;= 0, from Bernoulli(gamma / K) draws;</li>
 *   <li>CKS Algorithm 2: the discrete Laplace Lap_Z(t), P(x) proportional to exp(-|x| / t), for an integer t;</li>
 *   <li>CKS Algorithm 3: the discrete Gaussian by rejection from Lap_Z(t), t = floor(sigma) + 1.</li>
 * </ul>
 *
 * <p>Every decision is exact integer arithmetic on the source's uniform 64-bit words: no floating point, no
 * modulo bias. A Bernoulli(a / b) is "X &lt; a" for X uniform in {0, ..., b - 1}, drawn by rejection (Lemire's
 * multiply-and-reject for 64-bit b, masking and rejection for the 128-bit and larger b of the acceptance test).
 * Bernoulli(a / (b K)) is drawn as Bernoulli(1 / K) and Bernoulli(a / b) (independent, so the product of the
 * probabilities), which keeps the numbers at the size of b.
 *
 * <p>The acceptance probability of Algorithm 3 is exp(-(|Y| - sigma2 / t)^2 / (2 sigma2)) = exp(-(|Y| t - sigma2)^2
 * / (2 sigma2 t^2)): for sigma2 &lt;= 2^60 the denominator is below 2^122 and, for |Y| t &lt; 2^63, the numerator
 * below 2^126, so the common case runs on two-word (128-bit) integers; larger |Y| (probability below 1e-15 per
 * draw) take the same steps on {@link BigInteger}s.
 *
 * <p>The result is a Java long: the discrete Laplace proposals are restarted when |Y| would exceed
 * {@link Long#MAX_VALUE}, so the output is exactly N_Z(0, sigma2) conditioned on |x| &lt;= Long.MAX_VALUE (the mass
 * left out is below exp(-2^64)).
 */
public final class DiscreteGaussian {

    /** Largest sigma2 accepted: keeps t^2 and sigma2 t^2 within the two-word fast path. */
    public static final long MAX_SIGMA2 = 1L << 60;

    private DiscreteGaussian() {
    }

    /**
     * One draw of N_Z(0, sigma2): P(x) proportional to exp(-x^2 / (2 sigma2)), exactly (CKS 2020, Algorithm 3 with
     * the discrete Laplace of Algorithm 2 and Bernoulli(exp(-gamma)) of Algorithm 1), on rng's uniform bits.
     * sigma2 is an integer in [1, 2^60].
     *
     * @throws IllegalArgumentException when sigma2 is outside [1, 2^60]
     */
    public static long sample(long sigma2, RandomSource rng) {
        return new Sampler(sigma2).sample(rng);
    }

    /**
     * v[i] += sample(sigma2, rng) for every i, in index order.
     *
     * @throws ArithmeticException if a sum overflows a long (v[i] is then left as it was)
     */
    public static void addTo(long[] v, long sigma2, RandomSource rng) {
        Sampler sampler = new Sampler(sigma2);
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.addExact(v[i], sampler.sample(rng));
        }
    }

    /** The per-sigma2 constants of CKS Algorithm 3: t and the acceptance denominator 2 sigma2 t^2. */
    private static final class Sampler {
        private final long sigma2;
        private final long t;
        private final long denHi;
        private final long denLo;

        Sampler(long sigma2) {
            if (sigma2 < 1 || sigma2 > MAX_SIGMA2) {
                throw new IllegalArgumentException("sigma2 must be an integer in [1, 2^60], got " + sigma2);
            }
            this.sigma2 = sigma2;
            // CKS Algorithm 3: t = floor(sigma) + 1, sigma = sqrt(sigma2).
            this.t = floorSqrt(sigma2) + 1;
            long tt = t * t; // <= (2^30 + 1)^2 < 2^61
            long hi = Math.multiplyHigh(sigma2, tt); // sigma2 t^2 < 2^121, both factors positive
            long lo = sigma2 * tt;
            this.denHi = (hi << 1) | (lo >>> 63); // 2 sigma2 t^2 < 2^122
            this.denLo = lo << 1;
        }

        long sample(RandomSource rng) {
            while (true) {
                long y = discreteLaplace(t, rng);
                long ay = Math.abs(y); // y != Long.MIN_VALUE: |y| <= Long.MAX_VALUE by construction
                // CKS Algorithm 3: accept with probability exp(-(|Y| - sigma2/t)^2 / (2 sigma2))
                //                                        = exp(-(|Y| t - sigma2)^2 / (2 sigma2 t^2)).
                boolean accept;
                if (ay <= Long.MAX_VALUE / t) {
                    long w = ay * t - sigma2; // |w| < 2^63
                    accept = bernoulliExp128(Math.multiplyHigh(w, w), w * w, denHi, denLo, rng);
                } else {
                    BigInteger w = BigInteger.valueOf(ay).multiply(BigInteger.valueOf(t))
                            .subtract(BigInteger.valueOf(sigma2));
                    accept = bernoulliExpBig(w.multiply(w), toBig(denHi, denLo), rng);
                }
                if (accept) {
                    return y;
                }
            }
        }
    }

    /** floor(sqrt(v)) for 0 &lt;= v &lt;= 2^62, exactly: the double estimate corrected by integer checks. */
    static long floorSqrt(long v) {
        if (v < 0 || v > (1L << 62)) {
            throw new IllegalArgumentException("floorSqrt needs 0 <= v <= 2^62, got " + v);
        }
        long s = (long) Math.sqrt((double) v);
        while (s * s > v) {
            s--;
        }
        while ((s + 1) * (s + 1) <= v) {
            s++;
        }
        return s;
    }

    /**
     * CKS Algorithm 2 with s = 1: Lap_Z(t), P(x) = (1 - e^(-1/t)) / (1 + e^(-1/t)) * e^(-|x|/t), for an integer
     * t &gt;= 1 (conditioned on |x| &lt;= Long.MAX_VALUE).
     */
    static long discreteLaplace(long t, RandomSource rng) {
        while (true) {
            long u = uniformBelow(t, rng);                  // U uniform in {0, ..., t - 1}
            if (!bernoulliExpFraction(u, t, rng)) {         // D ~ Bernoulli(exp(-U/t)); restart if D = 0
                continue;
            }
            long v = 0;                                     // V: failures-free run of Bernoulli(exp(-1))
            while (bernoulliExpMinusOne(rng)) {
                v++;
            }
            if (v > (Long.MAX_VALUE - u) / t) {             // X = U + t V would not fit in a long: restart
                continue;
            }
            long x = u + t * v;                             // X = U + t V (Y = floor(X / s) = X for s = 1)
            boolean negative = rng.nextLong() < 0;          // B ~ Bernoulli(1/2)
            if (negative && x == 0) {                       // B = 1 and Y = 0: reject, restart
                continue;
            }
            return negative ? -x : x;                       // Z = (1 - 2B) Y
        }
    }

    /** CKS Algorithm 1 at gamma = 1: Bernoulli(exp(-1)). */
    static boolean bernoulliExpMinusOne(RandomSource rng) {
        // K = 1: A ~ Bernoulli(gamma / 1) = 1, so K = 2. Then A ~ Bernoulli(1 / K) until A = 0; return K odd.
        long k = 2;
        while (uniformBelow(k, rng) == 0) {
            k++;
        }
        return (k & 1) == 1;
    }

    /** CKS Algorithm 1 for gamma = num / den in [0, 1), 0 &lt;= num &lt; den &lt; 2^63: Bernoulli(exp(-num/den)). */
    static boolean bernoulliExpFraction(long num, long den, RandomSource rng) {
        if (num == 0) {
            return true;
        }
        long k = 1;
        // A ~ Bernoulli(gamma / K) = Bernoulli(1/K) and Bernoulli(num/den); K++ while A = 1; return K odd.
        while ((k == 1 || uniformBelow(k, rng) == 0) && uniformBelow(den, rng) < num) {
            k++;
        }
        return (k & 1) == 1;
    }

    /**
     * CKS Algorithm 1 for gamma = num / den &gt;= 0, num and den unsigned 128-bit (hi, lo) words with den &gt;= 1 and
     * both below 2^127: floor(gamma) Bernoulli(exp(-1)) trials (stopping at the first 0, which returns false), then
     * Bernoulli(exp(-(gamma - floor(gamma)))). floor(gamma) is counted by subtracting den as the trials succeed.
     */
    static boolean bernoulliExp128(long numHi, long numLo, long denHi, long denLo, RandomSource rng) {
        long nh = numHi;
        long nl = numLo;
        while (nh > denHi || (nh == denHi && Long.compareUnsigned(nl, denLo) >= 0)) {
            long borrow = Long.compareUnsigned(nl, denLo) < 0 ? 1 : 0;
            nl -= denLo;
            nh = nh - denHi - borrow;
            if (!bernoulliExpMinusOne(rng)) {
                return false;
            }
        }
        if (nh == 0 && nl == 0) {
            return true;
        }
        long k = 1;
        while ((k == 1 || uniformBelow(k, rng) == 0) && below128(nh, nl, denHi, denLo, rng)) {
            k++;
        }
        return (k & 1) == 1;
    }

    /** {@link #bernoulliExp128} for any sizes, with the same draws from rng (the rare path of large |Y|). */
    static boolean bernoulliExpBig(BigInteger num, BigInteger den, RandomSource rng) {
        if (den.signum() <= 0 || num.signum() < 0) {
            throw new IllegalArgumentException("need num >= 0 and den > 0");
        }
        BigInteger n = num;
        while (n.compareTo(den) >= 0) {
            n = n.subtract(den);
            if (!bernoulliExpMinusOne(rng)) {
                return false;
            }
        }
        if (n.signum() == 0) {
            return true;
        }
        long[] denWords = words(den, den);
        long[] numWords = words(n, den);
        long k = 1;
        while ((k == 1 || uniformBelow(k, rng) == 0) && belowWords(numWords, denWords, rng)) {
            k++;
        }
        return (k & 1) == 1;
    }

    /**
     * Bernoulli(num / den) for unsigned 128-bit num &lt; den (den &lt; 2^127): X uniform in {0, ..., den - 1}, drawn
     * word by word from the top with the top word masked to den's bit length and rejected as soon as it exceeds den,
     * returns X &lt; num. The low word is drawn only when the high word leaves either comparison open.
     */
    static boolean below128(long numHi, long numLo, long denHi, long denLo, RandomSource rng) {
        if (denHi == 0) {
            long mask = -1L >>> Long.numberOfLeadingZeros(denLo);
            while (true) {
                long x = rng.nextLong() & mask;
                if (Long.compareUnsigned(x, denLo) < 0) {
                    return Long.compareUnsigned(x, numLo) < 0;
                }
            }
        }
        long mask = -1L >>> Long.numberOfLeadingZeros(denHi);
        while (true) {
            long xh = rng.nextLong() & mask;
            if (xh > denHi) {                 // X > den: reject (both below 2^63: signed comparison)
                continue;
            }
            if (xh < denHi) {                 // X < den whatever the low word
                if (xh != numHi) {
                    return xh < numHi;
                }
                return Long.compareUnsigned(rng.nextLong(), numLo) < 0;
            }
            long xl = rng.nextLong();         // xh == denHi
            if (Long.compareUnsigned(xl, denLo) >= 0) {
                continue;
            }
            return xh == numHi && Long.compareUnsigned(xl, numLo) < 0; // num < den, so numHi <= denHi
        }
    }

    /** {@link #below128} for numbers of any number of 64-bit words (most significant first), same draws. */
    static boolean belowWords(long[] num, long[] den, RandomSource rng) {
        long mask = -1L >>> Long.numberOfLeadingZeros(den[0]);
        outer:
        while (true) {
            int vsDen = 0;   // sign of (X - den) on the words drawn so far, 0 while equal
            int vsNum = 0;
            for (int i = 0; i < den.length; i++) {
                long x = rng.nextLong() & (i == 0 ? mask : -1L);
                if (vsDen == 0) {
                    vsDen = Long.compareUnsigned(x, den[i]);
                    if (vsDen > 0) {
                        continue outer;
                    }
                }
                if (vsNum == 0) {
                    vsNum = Long.compareUnsigned(x, num[i]);
                }
                if (vsDen < 0 && vsNum != 0) {
                    return vsNum < 0;
                }
            }
            if (vsDen == 0) {            // X == den: reject
                continue;
            }
            return false;                // X == num
        }
    }

    /** v as 64-bit words, most significant first, as many as den has (den's top word nonzero). */
    private static long[] words(BigInteger v, BigInteger den) {
        int count = (den.bitLength() + 63) / 64;
        long[] out = new long[count];
        BigInteger rest = v;
        for (int i = count - 1; i >= 0; i--) {
            out[i] = rest.longValue();
            rest = rest.shiftRight(64);
        }
        return out;
    }

    static BigInteger toBig(long hi, long lo) {
        return BigInteger.valueOf(hi).shiftLeft(64).or(new BigInteger(Long.toUnsignedString(lo)));
    }

    /**
     * Uniform in {0, ..., bound - 1} for 1 &lt;= bound &lt;= Long.MAX_VALUE, without bias: Lemire's method (2019,
     * "Fast random integer generation in an interval"): the high word of x * bound for a uniform 64-bit x, rejecting
     * x when the low word falls below 2^64 mod bound.
     */
    static long uniformBelow(long bound, RandomSource rng) {
        long x = rng.nextLong();
        long lo = x * bound;
        if (Long.compareUnsigned(lo, bound) < 0) {
            long threshold = Long.remainderUnsigned(-bound, bound); // 2^64 mod bound
            while (Long.compareUnsigned(lo, threshold) < 0) {
                x = rng.nextLong();
                lo = x * bound;
            }
        }
        return Math.multiplyHigh(x, bound) + ((x >> 63) & bound); // unsigned high word, bound >= 0
    }
}
