package org.dpspark.accountant.pld;

/**
 * A discrete privacy loss distribution: P-mass {@code mass[i]} at the loss value (lowIndex + i) * interval,
 * plus {@code infinityMass} at +infinity (Koskela, Jalko, Honkela 2020; Doroshenko et al. 2022). The finite
 * masses may sum to less than 1 - infinityMass (mass dropped below the grid only lowers delta on the grid's
 * range and is never dropped by this package's pessimistic constructions, which move it up).
 *
 * <p>Its hockey-stick divergence is
 * <pre>  delta(eps) = infinityMass + sum over l_i &gt; eps of mass_i (1 - e^(eps - l_i)),</pre>
 * continuous and decreasing in eps; {@link #epsilon} inverts it exactly, piece by piece.
 *
 * <p>Not copied on construction or access: package-private owners keep it immutable.
 */
final class DiscretePld {

    /**
     * Relative allowance for the rounding of the sums over up to 2^22 points that give delta (each term and
     * partial sum rounds by 2^-53 relative; measured deficits are about 1e-12): delta is reported as
     * (1 + {@value}) times the computed sum.
     */
    static final double SUM_ROUNDING = 1e-10;

    private final double interval;
    private final long lowIndex;
    private final double[] mass;
    private final double infinityMass;

    DiscretePld(double interval, long lowIndex, double[] mass, double infinityMass) {
        this.interval = interval;
        this.lowIndex = lowIndex;
        this.mass = mass;
        this.infinityMass = infinityMass;
    }

    double interval() {
        return interval;
    }

    long lowIndex() {
        return lowIndex;
    }

    /** The masses; not a copy, do not modify. */
    double[] mass() {
        return mass;
    }

    int size() {
        return mass.length;
    }

    double infinityMass() {
        return infinityMass;
    }

    /** The loss value of grid point i. */
    double loss(int i) {
        return (lowIndex + i) * interval;
    }

    /** delta(eps) of the class comment, at most 1. */
    double delta(double epsilon) {
        double delta = infinityMass;
        for (int i = mass.length - 1; i >= 0; i--) {
            double l = loss(i);
            if (!(l > epsilon)) {
                break;
            }
            delta += mass[i] * -Math.expm1(epsilon - l);
        }
        return Math.min(1.0, delta * (1 + SUM_ROUNDING));
    }

    /**
     * The smallest eps &gt;= 0 with delta(eps) &lt;= requestedDelta; +Infinity when infinityMass exceeds it.
     *
     * <p>On [l_m, l_m+1] delta(eps) = A_m - e^(eps - l_m) S_m with A_m = infinityMass + sum_{i &gt; m} mass_i and
     * S_m = sum_{i &gt; m} mass_i e^(l_m - l_i) (kept relative to l_m, so nothing overflows), so the root is
     * l_m + log((A_m - targetDelta) / S_m) in the first piece, scanning down from the top, whose left end has
     * delta above the target.
     */
    double epsilon(double requestedDelta) {
        double targetDelta = requestedDelta / (1 + SUM_ROUNDING); // see SUM_ROUNDING
        if (infinityMass > targetDelta) {
            return Double.POSITIVE_INFINITY;
        }
        double a = infinityMass;
        double s = 0.0; // S_m for the current m
        double decay = Math.exp(-interval);
        for (int m = mass.length - 1; m >= 0; m--) {
            double l = loss(m);
            if (a - s > targetDelta) {
                return Math.max(0.0, l + Math.log((a - targetDelta) / s));
            }
            if (l < 0) {
                return 0.0; // delta(l) <= target with l < 0, so delta(0) <= target
            }
            a += mass[m];
            s = (s + mass[m]) * decay;
        }
        // Below the lowest point: delta(eps) = A - e^(eps - l_0 + h) S with S relative to l_0 - h.
        double below = loss(0) - interval;
        if (a - s > targetDelta && s > 0) {
            return Math.max(0.0, below + Math.log((a - targetDelta) / s));
        }
        return 0.0;
    }

    /** Total finite mass. */
    double finiteMass() {
        double s = 0;
        for (double m : mass) {
            s += m;
        }
        return s;
    }
}
