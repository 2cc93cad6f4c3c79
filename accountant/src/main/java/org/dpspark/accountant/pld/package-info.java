/**
 * Privacy loss distribution (PLD) accounting of the Poisson-subsampled Gaussian mechanism: tight numerical
 * (epsilon, delta) guarantees (Koskela, Jalko, Honkela 2020; Doroshenko, Ghazi, Kamath, Kumar, Manurangsi 2022).
 *
 * <ul>
 *   <li>{@link org.dpspark.accountant.pld.PldAccountant}: the accountant ({@code "pld"}), heterogeneous
 *       composition by FFT, pessimistic (every epsilon it reports is an upper bound).</li>
 *   <li>{@link org.dpspark.accountant.pld.SubsampledGaussianPld}: one step's exact hockey-stick divergence in
 *       each direction of add/remove adjacency, and its connect-the-dots discretization.</li>
 *   <li>{@code DiscretePld}, {@code PldComposition}: a discrete PLD with its delta/epsilon conversion, and
 *       composition by FFT with Chernoff-bounded windows (package-private).</li>
 * </ul>
 *
 * <p>The distributed discrete Gaussian of secure aggregation has no PLD here: a history holding one gets epsilon
 * +Infinity, and the best-of rule claims RDP for it.
 *
 * <p>Plain Java, no Spark; FFTs by JTransforms (shipped with Spark MLlib). Nothing here sees data.
 */
package org.dpspark.accountant.pld;
