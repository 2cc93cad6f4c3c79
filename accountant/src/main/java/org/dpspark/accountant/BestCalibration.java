package org.dpspark.accountant;

import org.dpspark.accountant.pld.PldAccountant;

/**
 * Noise calibration under both accountants: the smallest noise multiplier meeting a target epsilon by RDP,
 * by PLD, and the smaller of the two (the one to use: its accountant certifies the target, see
 * {@link BestBound}).
 *
 * <p>The PLD search, whose evaluations are costly, starts from the RDP answer with a 3% step (PLD's sigma is
 * typically 3-7% below RDP's for DP-SGD), which brackets it in two or three evaluations. Each search is {@link NoiseCalibration}'s, so each answer meets its
 * target with its own accountant and is the smallest such to {@value NoiseCalibration#RELATIVE_TOLERANCE}.
 *
 * @param rdpSigma the smallest sigma meeting the target by RDP
 * @param pldSigma the smallest sigma meeting the target by PLD
 * @param best     min(rdpSigma, pldSigma)
 * @param bestName the accountant of {@code best} ({@code "rdp"} or {@code "pld"}; PLD on ties)
 */
public record BestCalibration(double rdpSigma, double pldSigma, double best, String bestName) {

  /**
   * Calibrates {@code steps} steps at rate {@code samplingRate} to {@code targetEpsilon} at {@code delta}.
   *
   * @throws IllegalArgumentException as {@link NoiseCalibration#calibrateNoiseMultiplier}
   */
  public static BestCalibration of(double targetEpsilon, double delta, double samplingRate, long steps) {
    double rdp = NoiseCalibration.calibrateNoiseMultiplier(targetEpsilon, delta, samplingRate, steps,
        RdpAccountant::new);
    double pld = NoiseCalibration.calibrateNoiseMultiplier(targetEpsilon, delta, samplingRate, steps,
        PldAccountant::new, rdp, 0.03);
    boolean pldWins = pld <= rdp;
    return new BestCalibration(rdp, pld, pldWins ? pld : rdp, pldWins ? "pld" : "rdp");
  }
}
