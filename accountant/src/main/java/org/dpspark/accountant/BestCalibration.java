package org.dpspark.accountant;

import org.dpspark.accountant.pld.PldAccountant;

/**
 * Noise calibration under both accountants: the smallest noise multiplier meeting a target epsilon by RDP,
 * by PLD, and the smaller of the two (the one to use: its accountant certifies the target, see
 * {@link BestBound}).
 *
 * <p>The PLD search, whose evaluations are costly (~0.1 s), is seeded: PLD's epsilon e1 at the RDP answer
 * sigma_r and the slope s = d log(eps) / d log(sigma) of RDP there (nearly the same for both accountants)
 * predict sigma = sigma_r (target / e1)^(1 / s), and the search starts there with a 0.2% step (about 6
 * evaluations in all instead of 12). Each search is {@link NoiseCalibration}'s, so each answer meets its
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
        double guess = rdp;
        double step = 0.03;
        PrivacyAccountant atRdp = new PldAccountant();
        atRdp.compose(new DpEvent(samplingRate, rdp, steps));
        double e1 = atRdp.epsilon(delta);
        double sigma2 = Math.min(rdp * 1.01, NoiseCalibration.MAX_NOISE_MULTIPLIER);
        PrivacyAccountant rdp2 = new RdpAccountant();
        rdp2.compose(new DpEvent(samplingRate, sigma2, steps));
        double slope = Math.log(rdp2.epsilon(delta) / targetEpsilon) / Math.log(sigma2 / rdp);
        if (e1 > 0 && e1 <= targetEpsilon && slope < 0 && Double.isFinite(slope)) {
            double predicted = rdp * Math.exp(Math.log(targetEpsilon / e1) / slope);
            if (predicted >= NoiseCalibration.MIN_NOISE_MULTIPLIER && predicted <= rdp) {
                guess = predicted;
                step = 0.002;
            }
        }
        double pld = NoiseCalibration.calibrateNoiseMultiplier(targetEpsilon, delta, samplingRate, steps,
                PldAccountant::new, guess, step);
        boolean pldWins = pld <= rdp;
        return new BestCalibration(rdp, pld, pldWins ? pld : rdp, pldWins ? "pld" : "rdp");
    }
}
