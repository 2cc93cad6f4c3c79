/**
 * Renyi-DP (RDP) accounting of the Poisson-subsampled Gaussian mechanism and of the Poisson-subsampled distributed
 * discrete Gaussian, and its conversion to (epsilon, delta)-DP.
 *
 * <ul>
 *   <li>{@link org.dpspark.accountant.rdp.SubsampledGaussianRdp}: the exact RDP of one step (Mironov, Talwar,
 *       Zhang 2019, "Renyi Differential Privacy of the Sampled Gaussian Mechanism").</li>
 *   <li>{@link org.dpspark.accountant.rdp.DistributedDiscreteGaussianRdp}: a bound on the RDP of one step of the
 *       Poisson-subsampled distributed discrete Gaussian of secure aggregation (Kairouz, Liu and Steinke 2021,
 *       Prop. 14; subsampled by Zhu and Wang 2019, Thm 5, the general upper bound; integer orders only).</li>
 *   <li>{@link org.dpspark.accountant.rdp.RdpAccountant}: the accountant ({@code "rdp"}); RDP curves add under
 *       composition (Mironov 2017, Prop. 1); conversion to (epsilon, delta) by Balle et al. 2020, Thm 21.</li>
 *   <li>{@code LogMath}: log-space sums and log erfc for the series above (package-private).</li>
 * </ul>
 *
 * <p>Plain Java, no Spark. Nothing here sees data.
 */
package org.dpspark.accountant.rdp;
