package org.dpspark.accountant.pld;

import org.apache.commons.numbers.gamma.Erfc;

/**
 * The privacy loss distribution (PLD) of one step of the Poisson-subsampled Gaussian mechanism under
 * add/remove adjacency: its exact hockey-stick divergence, and its pessimistic "connect the dots"
 * discretization (Doroshenko, Ghazi, Kamath, Kumar, Manurangsi 2022, "Connect the Dots: Tighter Discrete
 * Approximations of Privacy Loss Distributions", Sec. 3).
 *
 * <p>Sensitivity 1, noise multiplier sigma, sampling rate q, with N0 = N(0, sigma^2), N1 = N(1, sigma^2) and
 * the mixture M = (1 - q) N0 + q N1. The two directions of add/remove adjacency are two pairs (P, Q)
 * (as in Google dp_accounting; Koskela, Jalko, Honkela 2020, Sec. 6; Zhu, Dong, Wang 2022):
 * <ul>
 *   <li>{@link Direction#REMOVE}: P = M, Q = N0, privacy loss L(z) = log(1 - q + q exp((2z - 1) / (2 sigma^2))),
 *       increasing in z, with range (log(1 - q), +inf);</li>
 *   <li>{@link Direction#ADD}: P = N0, Q = M, L(z) = -log(1 - q + q exp((2z - 1) / (2 sigma^2))), decreasing in
 *       z, with range (-inf, -log(1 - q)).</li>
 * </ul>
 * The hockey-stick divergence delta(eps) = sup_S P(S) - e^eps Q(S) = P(L &gt; eps) - e^eps Q(L &gt; eps) has a
 * closed form in each direction (derived from the threshold z_eps where L(z) = eps):
 * <pre>
 *   REMOVE: c = e^eps - 1 + q,  z = sigma^2 log(c / q) + 1/2,   delta = q Phibar((z - 1) / sigma) - c Phibar(z / sigma)
 *           (delta = 1 - e^eps when c &lt;= 0, i.e. eps &lt;= log(1 - q))
 *   ADD:    c = e^-eps - 1 + q, z = sigma^2 log(c / q) + 1/2,   delta = e^eps (c Phi(z / sigma) - q Phi((z - 1) / sigma))
 *           (delta = 0 when c &lt;= 0, i.e. eps &gt;= -log(1 - q))
 * </pre>
 * With q = 1 both reduce to the analytic Gaussian mechanism of Balle and Wang 2018 (Thm 8):
 * delta(eps) = Phi(1 / (2 sigma) - eps sigma) - e^eps Phi(-1 / (2 sigma) - eps sigma).
 *
 * <p><b>Discretization.</b> On the grid eps_i = i h, the connect-the-dots PLD is the discrete PLD whose
 * delta, as a function of x = e^eps, is the piecewise-linear interpolation of the true delta(x) at the grid
 * points (and at x = 0, where delta = 1). Since delta(x) is convex, the interpolation lies above it: the
 * discrete PLD dominates the true one, and domination is preserved by composition, so every epsilon computed
 * from it is a valid upper bound. Its masses are obtained without differencing delta: the Q-mass of every
 * loss value l in (eps_j, eps_j+1] is split linearly in x between the two neighbouring grid points (the hat
 * functions of the interpolation), and the P-mass at grid point eps_i is e^eps_i times the Q-mass it
 * received. For a bucket with P-mass p and Q-mass r this gives
 * <pre>
 *   to eps_j:    x_j (x_j+1 r - p) / (x_j+1 - x_j),      to eps_j+1:   x_j+1 (p - x_j r) / (x_j+1 - x_j),
 * </pre>
 * both nonnegative (within the bucket p / r lies between x_j and x_j+1) and summing to p. The P-mass below
 * the lowest grid point is put on it (the chord from x = 0), and the P-mass above the highest grid point is
 * moved to +infinity; both only increase delta. The grid spans the loss values of z within
 * {@value #TAIL_SIGMAS} sigma of the means (P-mass beyond: below 1e-18), clipped to the range of L.
 */
public final class SubsampledGaussianPld {

    /** The two pairs (P, Q) of add/remove adjacency; the mechanism's delta is the larger of the two. */
    public enum Direction {
        /** P = mixture (the record is present), Q = N(0, sigma^2). */
        REMOVE,
        /** P = N(0, sigma^2), Q = mixture. */
        ADD
    }

    /** The grid covers z within this many sigma of the Gaussians' means; Phibar(8.8) = 7e-19. */
    static final double TAIL_SIGMAS = 8.8;

    /**
     * Largest privacy loss value on a grid. Beyond it e^loss leaves the double range; a step whose loss
     * distribution reaches further (sigma below about 0.03) is given the trivial PLD (all mass at +infinity),
     * so PLD reports epsilon = +infinity (and the RDP bound is the one to use).
     */
    static final double MAX_LOSS = 700;

    private static final double SQRT_2 = Math.sqrt(2.0);

    private SubsampledGaussianPld() {}

    /**
     * The exact delta(eps) of one step in one direction (the closed forms of the class comment).
     *
     * @param q       sampling rate, 0 &lt; q &lt;= 1
     * @param sigma   noise multiplier, finite and &gt; 0
     * @param epsilon any real number (the hockey-stick divergence is defined for negative eps too)
     */
    public static double hockeyStick(double q, double sigma, Direction direction, double epsilon) {
        check(q, sigma);
        if (Double.isNaN(epsilon)) {
            throw new IllegalArgumentException("epsilon must not be NaN");
        }
        if (direction == Direction.REMOVE) {
            double c = Math.expm1(epsilon) + q;
            if (!(c > 0)) {
                return -Math.expm1(epsilon);
            }
            double z = zOf(q, sigma, Math.expm1(epsilon));
            return Math.max(0.0, q * upperTail((z - 1) / sigma) - c * upperTail(z / sigma));
        }
        double c = cAdd(q, epsilon);
        if (!(c > 0)) {
            return 0.0;
        }
        double z = zOfC(q, sigma, c);
        return Math.max(0.0, Math.exp(epsilon) * (c * lowerTail(z / sigma) - q * lowerTail((z - 1) / sigma)));
    }

    /** max over both directions of {@link #hockeyStick(double, double, Direction, double)}. */
    public static double hockeyStick(double q, double sigma, double epsilon) {
        return Math.max(hockeyStick(q, sigma, Direction.REMOVE, epsilon), hockeyStick(q, sigma, Direction.ADD, epsilon));
    }

    /**
     * The pessimistic connect-the-dots discretization of one step in one direction on the grid i * interval.
     *
     * @param maxPoints the largest number of grid points allowed
     * @return the discrete PLD, or null when it would need more than {@code maxPoints} points; the trivial
     *     PLD (all mass at +infinity) when the loss range exceeds +-{@value #MAX_LOSS}
     */
    static DiscretePld discretize(double q, double sigma, Direction direction, double interval, int maxPoints) {
        check(q, sigma);
        double lossLow;
        double lossHigh;
        double log1mQ = Math.log1p(-q); // -inf for q = 1
        if (direction == Direction.REMOVE) {
            lossLow = q < 1 ? log1mQ : loss(q, sigma, 1 - TAIL_SIGMAS * sigma);
            lossHigh = loss(q, sigma, 1 + TAIL_SIGMAS * sigma);
        } else {
            lossLow = -loss(q, sigma, TAIL_SIGMAS * sigma);
            lossHigh = q < 1 ? -log1mQ : -loss(q, sigma, -TAIL_SIGMAS * sigma);
        }
        if (!(lossHigh <= MAX_LOSS && lossLow >= -MAX_LOSS)) {
            // Beyond the double range of e^loss: certify nothing (delta = 1 at every eps, epsilon = +inf).
            return new DiscretePld(interval, 0, new double[2], 1.0);
        }
        double low = Math.floor(lossLow / interval);
        double high = Math.ceil(lossHigh / interval);
        if (!(high - low + 1 <= maxPoints) || !(Math.abs(low) < 1e15) || !(Math.abs(high) < 1e15)) {
            return null;
        }
        long lowIndex = (long) low;
        int n = (int) (high - low) + 1;
        if (n < 2) {
            n = 2; // at least one bucket
        }
        double[] mass = new double[n];
        double expm1H = Math.expm1(interval);
        double expH = Math.exp(interval);

        // z at each grid point, and the Gaussian CDF / tail there; +-inf outside the range of L.
        double[] z = new double[n];
        for (int i = 0; i < n; i++) {
            double eps = (lowIndex + i) * interval;
            if (direction == Direction.REMOVE) {
                double em1 = Math.expm1(eps);
                z[i] = em1 + q > 0 ? zOf(q, sigma, em1) : Double.NEGATIVE_INFINITY;
            } else {
                double c = cAdd(q, eps);
                z[i] = c > 0 ? zOfC(q, sigma, c) : Double.NEGATIVE_INFINITY;
            }
        }
        // One erfc per point and Gaussian: the tail on the far side of 0 (see Tails), shared by both buckets.
        Tails t0 = new Tails(z, 0, sigma);
        Tails t1 = new Tails(z, 1, sigma);
        double infinityMass;
        if (direction == Direction.REMOVE) {
            // P = (1 - q) N0 + q N1; buckets (eps_j, eps_j+1] <-> z in (z_j, z_j+1].
            mass[0] += (1 - q) * t0.below(0) + q * t1.below(0);
            for (int j = 0; j + 1 < n; j++) {
                double n0 = t0.between(j, j + 1);
                double n1 = t1.between(j, j + 1);
                double epsJ = (lowIndex + j) * interval;
                double cJ = Math.expm1(epsJ) + q; // x_j - (1 - q)
                double cJ1 = Math.expm1(epsJ + interval) + q;
                // p - x_j r = q n1 - c_j n0;  x_j+1 r - p = c_j+1 n0 - q n1.
                mass[j + 1] += Math.max(0.0, q * n1 - cJ * n0) * expH / expm1H;
                mass[j] += Math.max(0.0, cJ1 * n0 - q * n1) / expm1H;
            }
            infinityMass = (1 - q) * t0.above(n - 1) + q * t1.above(n - 1);
        } else {
            // P = N0, Q = (1 - q) N0 + q N1; buckets (eps_j, eps_j+1] <-> z in [z_j+1, z_j).
            mass[0] += t0.above(0);
            for (int j = 0; j + 1 < n; j++) {
                double n0 = t0.between(j + 1, j);
                double n1 = t1.between(j + 1, j);
                double epsJ = (lowIndex + j) * interval;
                double cJ = cAdd(q, epsJ); // 1 / x_j - (1 - q)
                double cJ1 = cAdd(q, epsJ + interval);
                double xJ1 = Math.exp(epsJ + interval);
                // p - x_j r = x_j (c_j n0 - q n1);  x_j+1 r - p = x_j+1 (q n1 - c_j+1 n0).
                mass[j + 1] += xJ1 * Math.max(0.0, cJ * n0 - q * n1) / expm1H;
                mass[j] += xJ1 * Math.max(0.0, q * n1 - cJ1 * n0) / expm1H;
            }
            infinityMass = t0.below(n - 1); // 0 when the grid reaches -log(1 - q)
        }
        return new DiscretePld(interval, lowIndex, mass, infinityMass);
    }

    /**
     * The standard normal tails at (z_i - mean) / sigma for a sorted array of z (increasing or decreasing):
     * for each point only the tail on the far side of 0 is computed (one erfc), the other is 1 minus it, so
     * that masses between points are differences of small numbers (full relative accuracy in the tails).
     */
    private static final class Tails {
        private final double[] x;
        private final double[] far; // upper tail for x >= 0, lower tail for x < 0

        Tails(double[] z, double mean, double sigma) {
            x = new double[z.length];
            far = new double[z.length];
            for (int i = 0; i < z.length; i++) {
                x[i] = (z[i] - mean) / sigma;
                far[i] = x[i] >= 0 ? upperTail(x[i]) : lowerTail(x[i]);
            }
        }

        double above(int i) {
            return x[i] >= 0 ? far[i] : 1 - far[i];
        }

        double below(int i) {
            return x[i] < 0 ? far[i] : 1 - far[i];
        }

        /** P(x_a &lt; X &lt;= x_b), 0 unless x_a &lt; x_b. */
        double between(int a, int b) {
            if (!(x[b] > x[a])) {
                return 0.0;
            }
            if (x[a] >= 0) {
                return Math.max(0.0, far[a] - far[b]);
            }
            if (x[b] < 0) {
                return Math.max(0.0, far[b] - far[a]);
            }
            return Math.max(0.0, 1 - far[a] - far[b]);
        }
    }

    /** The privacy loss of the REMOVE direction at z: log(1 - q + q exp((2z - 1) / (2 sigma^2))). */
    static double loss(double q, double sigma, double z) {
        double t = (2 * z - 1) / (2 * sigma * sigma);
        if (q == 1) {
            return t;
        }
        // log(1 + q expm1(t)), accurate near 0 and without overflow for large t.
        if (t > 30) {
            return Math.log(q) + t + Math.log1p((1 - q) * Math.exp(-t) / q);
        }
        return Math.log1p(q * Math.expm1(t));
    }

    /**
     * e^-eps - (1 - q), without the cancellation of expm1(-eps) + q when e^-eps is small (then 1 + expm1(-eps)
     * keeps only the absolute accuracy 1e-16; for q = 1 the result is e^-eps exactly).
     */
    static double cAdd(double q, double eps) {
        return eps > 0.7 ? Math.exp(-eps) - (1 - q) : Math.expm1(-eps) + q;
    }

    /** z with q exp((2z - 1) / (2 sigma^2)) = c, i.e. sigma^2 log(c / q) + 1/2 (c &gt; 0). */
    private static double zOfC(double q, double sigma, double c) {
        double log = Math.abs(c - q) < 0.5 * q ? Math.log1p((c - q) / q) : Math.log(c) - Math.log(q);
        return sigma * sigma * log + 0.5;
    }

    /** z with q exp((2z - 1) / (2 sigma^2)) = q + em1, i.e. sigma^2 log1p(em1 / q) + 1/2 (em1 &gt; -q). */
    private static double zOf(double q, double sigma, double em1) {
        double ratio = em1 / q;
        double log = ratio > 1e300 ? Math.log(em1) - Math.log(q) : Math.log1p(ratio);
        return sigma * sigma * log + 0.5;
    }

    /** Phibar(x) = P(N(0,1) &gt; x). */
    static double upperTail(double x) {
        return 0.5 * Erfc.value(x / SQRT_2);
    }

    /** Phi(x) = P(N(0,1) &lt;= x). */
    static double lowerTail(double x) {
        return 0.5 * Erfc.value(-x / SQRT_2);
    }

    static void check(double q, double sigma) {
        if (!(q > 0 && q <= 1)) {
            throw new IllegalArgumentException("samplingRate must be in (0, 1], got " + q);
        }
        if (!(sigma > 0 && sigma < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("noiseMultiplier must be finite and > 0, got " + sigma);
        }
    }
}
