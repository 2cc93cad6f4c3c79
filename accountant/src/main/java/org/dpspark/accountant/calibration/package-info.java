/**
 * Noise calibration: the smallest noise multiplier sigma meeting a target epsilon at delta for T steps at rate q,
 * never overshooting the target.
 *
 * <ul>
 *   <li>{@link org.dpspark.accountant.calibration.NoiseCalibration}: a bracketing search with any accountant
 *       (epsilon is decreasing in sigma; Mironov 2017 for RDP), to a stated relative tolerance.</li>
 *   <li>{@link org.dpspark.accountant.calibration.BestCalibration}: the smallest sigma under RDP and under PLD
 *       (Koskela et al. 2020; Doroshenko et al. 2022), PLD in a coarse and a fine stage, and the smaller of the
 *       two, which its accountant certifies.</li>
 *   <li>{@link org.dpspark.accountant.calibration.DdgCalibration}: the smallest sigma whose distributed discrete
 *       Gaussian encoding meets the target by RDP (Kairouz, Liu and Steinke 2021, Prop. 14; Zhu and Wang 2019,
 *       Thm 5), by bisection.</li>
 * </ul>
 *
 * <p>Plain Java, no Spark. Nothing here sees data.
 */
package org.dpspark.accountant.calibration;
