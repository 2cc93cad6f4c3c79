/**
 * The best-of accountant: one history composed under both RDP ({@link org.dpspark.accountant.rdp}) and PLD
 * ({@link org.dpspark.accountant.pld}), and the smaller of the two upper bounds claimed with the name of its
 * accountant.
 *
 * <ul>
 *   <li>{@link org.dpspark.accountant.best.BestAccountant}: the accountant ({@code "min(rdp,pld)"} in the ledger) and
 *       the one home of the min rule ({@code bound(events, delta)} gives a
 *       {@link org.dpspark.accountant.PrivacyBound}). Both bounds are valid (Mironov 2017 with Balle et al. 2020,
 *       Thm 21; Koskela et al. 2020; Doroshenko et al. 2022), so their minimum is too.</li>
 * </ul>
 *
 * <p>Plain Java, no Spark. Nothing here sees data.
 */
package org.dpspark.accountant.best;
