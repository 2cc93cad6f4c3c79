/**
 * The accountant module's API types, importing none of its subpackages: what a privacy history is, what an
 * accountant does, the accountants' names, and a guarantee under both accountants.
 *
 * <ul>
 *   <li>{@link org.dpspark.accountant.DpEvent}: {@code steps} compositions of the Poisson-subsampled Gaussian
 *       mechanism (sampling rate q, noise multiplier sigma), add/remove adjacency (Abadi et al. 2016; Mironov,
 *       Talwar, Zhang 2019), or of the Poisson-subsampled distributed discrete Gaussian of secure aggregation
 *       (Kairouz, Liu and Steinke 2021), which only the RDP accountant bounds.</li>
 *   <li>{@link org.dpspark.accountant.PrivacyAccountant}: composes events and reports epsilon at a delta (an upper
 *       bound).</li>
 *   <li>{@link org.dpspark.accountant.AccountantName}: {@code rdp}, {@code pld}, {@code min(rdp,pld)}, as the ledger
 *       records them.</li>
 *   <li>{@link org.dpspark.accountant.PrivacyBound}: the RDP and PLD epsilons of one history and the one
 *       claimed.</li>
 * </ul>
 *
 * <p>The subpackages, by concept: {@link org.dpspark.accountant.rdp} (Renyi DP), {@link org.dpspark.accountant.pld}
 * (privacy loss distributions), {@link org.dpspark.accountant.best} (the smaller of the two, claimed with its name),
 * {@link org.dpspark.accountant.calibration} (noise multiplier for a target epsilon),
 * {@link org.dpspark.accountant.plan} (a training run's privacy plan) and {@link org.dpspark.accountant.ledger} (the
 * durable per-dataset ledger). Dependencies point one way: root &lt;- rdp, pld &lt;- best, calibration &lt;- plan,
 * ledger; an architecture test keeps them free of cycles and of Spark.
 *
 * <p>Plain Java, no Spark (the ledger uses the Hadoop FileSystem API). Nothing here sees data, gradients or seeds.
 */
package org.dpspark.accountant;
