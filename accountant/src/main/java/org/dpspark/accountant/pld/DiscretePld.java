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
    return Math.min(1.0, delta);
  }

  /**
   * The smallest eps &gt;= 0 with delta(eps) &lt;= targetDelta; +Infinity when infinityMass &gt; targetDelta.
   *
   * <p>On [l_m, l_m+1] delta(eps) = A_m - e^eps B_m with A_m = infinityMass + sum_{i &gt; m} mass_i and
   * B_m = sum_{i &gt; m} mass_i e^-l_i, so the root is log((A_m - targetDelta) / B_m) in the first piece,
   * scanning down from the top, whose left end has delta above the target.
   */
  double epsilon(double targetDelta) {
    if (infinityMass > targetDelta) {
      return Double.POSITIVE_INFINITY;
    }
    double a = infinityMass;
    double b = 0.0;
    for (int m = mass.length - 1; m >= 0; m--) {
      double l = loss(m);
      if (b > 0 && a - Math.exp(l) * b > targetDelta) {
        return Math.max(0.0, Math.log((a - targetDelta) / b));
      }
      if (l < 0) {
        return 0.0; // delta(l) <= target with l < 0, so delta(0) <= target
      }
      a += mass[m];
      b += mass[m] * Math.exp(-l);
    }
    if (b > 0 && a > targetDelta) {
      return Math.max(0.0, Math.log((a - targetDelta) / b));
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
