/**
 * Privacy accounting for DP-SGD: Renyi-DP (RDP) accounting of the Poisson-subsampled Gaussian mechanism,
 * the conversion from RDP to (epsilon, delta)-DP, and noise calibration. The durable, per-dataset privacy ledger
 * is in {@link org.dpspark.accountant.ledger}.
 *
 * <ul>
 *   <li>{@link org.dpspark.accountant.DpEvent}: {@code steps} compositions of the Poisson-subsampled Gaussian
 *       mechanism (sampling rate q, noise multiplier sigma), add/remove adjacency.</li>
 *   <li>{@link org.dpspark.accountant.PrivacyAccountant}: composes events and reports epsilon at a delta.</li>
 *   <li>{@link org.dpspark.accountant.SubsampledGaussianRdp}: the exact RDP of one step (Mironov, Talwar,
 *       Zhang 2019, "Renyi Differential Privacy of the Sampled Gaussian Mechanism").</li>
 *   <li>{@link org.dpspark.accountant.RdpAccountant}: RDP curves add under composition (Mironov 2017,
 *       Prop. 1); conversion to (epsilon, delta) by Balle et al. 2020, Thm 21.</li>
 *   <li>{@link org.dpspark.accountant.NoiseCalibration}: the smallest noise multiplier meeting a target
 *       epsilon, never overshooting it.</li>
 * </ul>
 *
 * <p>Plain Java, no Spark (the ledger uses the Hadoop FileSystem API). Nothing here sees data, gradients or seeds.
 */
package org.dpspark.accountant;
