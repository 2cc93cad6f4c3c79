package org.dpspark.accountant;

import java.util.function.DoublePredicate;
import java.util.function.Supplier;

/**
 * Noise calibration: the smallest noise multiplier sigma such that {@code steps} compositions of the
 * Poisson-subsampled Gaussian mechanism at rate q are (targetEpsilon, delta)-DP according to an accountant.
 *
 * <p>Epsilon decreases as sigma grows (each order's RDP does, MTZ 2019), so the answer is found by
 * bracketing (doubling / halving from sigma = 1) and bisecting on log(sigma) while keeping the invariant
 * epsilon(lo) &gt; target &gt;= epsilon(hi). The upper end {@code hi} is returned: its epsilon was
 * evaluated and is at most the target, so the result never overshoots the budget. The bracket is narrowed
 * until (hi - lo) / hi &lt;= {@value #RELATIVE_TOLERANCE}.
 */
public final class NoiseCalibration {

  /** Relative width of the final bracket. */
  public static final double RELATIVE_TOLERANCE = 1e-9;

  /** Largest noise multiplier tried; a target that needs more is reported as unreachable. */
  public static final double MAX_NOISE_MULTIPLIER = 1e6;

  /** Smallest noise multiplier tried; a target met even here is reported as meaningless. */
  public static final double MIN_NOISE_MULTIPLIER = 1e-4;

  private NoiseCalibration() {}

  /**
   * The smallest sigma (to relative {@value #RELATIVE_TOLERANCE}) whose epsilon at {@code delta}, after
   * composing {@code DpEvent(samplingRate, sigma, steps)} on a fresh accountant, is &lt;= targetEpsilon.
   *
   * @param targetEpsilon     finite and &gt; 0
   * @param delta             with 0 &lt; delta &lt; 1
   * @param samplingRate      q, with 0 &lt; q &lt;= 1
   * @param steps             &gt;= 1
   * @param accountantFactory returns a new, empty accountant at each call (e.g. {@code RdpAccountant::new})
   * @return sigma with epsilon(sigma) &lt;= targetEpsilon, and epsilon &gt; targetEpsilon just below it
   * @throws IllegalArgumentException on bad arguments, or when the target needs sigma &gt; {@value
   *     #MAX_NOISE_MULTIPLIER} (unreachable) or is met even at sigma = {@value #MIN_NOISE_MULTIPLIER}
   */
  public static double calibrateNoiseMultiplier(double targetEpsilon, double delta, double samplingRate,
      long steps, Supplier<PrivacyAccountant> accountantFactory) {
    if (!(targetEpsilon > 0 && targetEpsilon < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("targetEpsilon must be finite and > 0, got " + targetEpsilon);
    }
    if (!(delta > 0 && delta < 1)) {
      throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
    }
    if (!(samplingRate > 0 && samplingRate <= 1)) {
      throw new IllegalArgumentException("samplingRate must be in (0, 1], got " + samplingRate);
    }
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, got " + steps);
    }
    if (accountantFactory == null) {
      throw new IllegalArgumentException("accountantFactory must not be null");
    }
    DoublePredicate meets = sigma -> {
      PrivacyAccountant accountant = accountantFactory.get();
      if (accountant == null) {
        throw new IllegalStateException("accountantFactory returned null");
      }
      accountant.compose(new DpEvent(samplingRate, sigma, steps));
      double epsilon = accountant.epsilon(delta);
      return epsilon <= targetEpsilon; // NaN never meets the target
    };

    double lo;
    double hi;
    if (meets.test(1.0)) {
      hi = 1.0;
      lo = 0.5;
      while (meets.test(lo)) {
        if (lo <= MIN_NOISE_MULTIPLIER) {
          throw new IllegalArgumentException("targetEpsilon " + targetEpsilon + " is met even with noiseMultiplier "
              + lo + " (q = " + samplingRate + ", steps = " + steps + ", delta = " + delta
              + "); such a target gives no meaningful protection");
        }
        hi = lo;
        lo = Math.max(lo / 2, MIN_NOISE_MULTIPLIER);
      }
    } else {
      lo = 1.0;
      hi = 2.0;
      while (!meets.test(hi)) {
        if (hi >= MAX_NOISE_MULTIPLIER) {
          throw new IllegalArgumentException("targetEpsilon " + targetEpsilon + " at delta " + delta
              + " is unreachable: it needs noiseMultiplier > " + MAX_NOISE_MULTIPLIER + " (q = " + samplingRate
              + ", steps = " + steps + ")");
        }
        lo = hi;
        hi = Math.min(2 * hi, MAX_NOISE_MULTIPLIER);
      }
    }
    // Invariant: !meets(lo) && meets(hi).
    while (hi - lo > RELATIVE_TOLERANCE * hi) {
      double mid = Math.sqrt(lo * hi);
      if (!(mid > lo && mid < hi)) {
        break; // the bracket is down to adjacent doubles
      }
      if (meets.test(mid)) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    return hi;
  }
}
