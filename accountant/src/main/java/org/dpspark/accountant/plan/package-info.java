/**
 * A training run's privacy plan, Spark-free: the one place where q, T, delta and sigma are derived and checked.
 *
 * <ul>
 *   <li>{@link org.dpspark.accountant.plan.PlanRequest}: N, B or q, epochs or T, delta, and a target epsilon or
 *       sigma; its builder holds every parameter rule (q = B / N and T = floor(E N / B) as in Abadi et al. 2016;
 *       T &lt;= 10^8; delta &lt; 1/N, Dwork and Roth 2014), each failure naming the parameter canonically.</li>
 *   <li>{@link org.dpspark.accountant.plan.PrivacyPlan}: sigma (calibrated by
 *       {@link org.dpspark.accountant.calibration.BestCalibration} when a target is given) and the guarantee by
 *       both RDP (Mironov 2017; Balle et al. 2020) and PLD (Koskela et al. 2020; Doroshenko et al. 2022), the
 *       smaller claimed with its name ({@link org.dpspark.accountant.best.BestAccountant}). Under secure
 *       aggregation, the distributed discrete Gaussian encoding at sigma and its RDP bound
 *       ({@link org.dpspark.accountant.calibration.DdgCalibration} for a target).</li>
 * </ul>
 *
 * <p>Every entry point ({@code dp-train}, {@code dp-privacy}, {@code dp-ledger check}, the MLlib estimators) plans
 * through this package. Plain Java, no Spark. Nothing here sees data.
 */
package org.dpspark.accountant.plan;
