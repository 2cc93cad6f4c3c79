package org.dpspark.accountant;

/**
 * The guarantee of one history at one delta under both accountants, and the one claimed.
 *
 * <p>RDP (Mironov 2017; conversion of Balle et al. 2020) and PLD with pessimistic discretization (Koskela et al.
 * 2020; Doroshenko et al. 2022) each give an upper bound on the true epsilon at delta, so the smaller one is also a
 * valid guarantee and may be claimed, provided the accountant that gave it is named (ARCHITECTURE.md, privacy
 * invariants). The rule that picks it lives in {@code org.dpspark.accountant.best.BestAccountant}.
 *
 * @param rdpEpsilon epsilon by the RDP accountant, &gt;= 0 (possibly +Infinity)
 * @param pldEpsilon epsilon by the PLD accountant, &gt;= 0 (+Infinity where PLD certifies nothing)
 * @param epsilon    the claimed epsilon: the bound of {@code claimed}
 * @param claimed    {@link AccountantName#RDP} or {@link AccountantName#PLD} (RDP whenever the PLD epsilon is
 *                   +Infinity, as for a history with a distributed discrete Gaussian event)
 */
public record PrivacyBound(double rdpEpsilon, double pldEpsilon, double epsilon, AccountantName claimed) {

    /** Checks that the claim is one of the two bounds. */
    public PrivacyBound {
        if (!(rdpEpsilon >= 0) || !(pldEpsilon >= 0)) {
            throw new IllegalArgumentException("epsilons must be >= 0, got rdp " + rdpEpsilon + ", pld " + pldEpsilon);
        }
        if (claimed == AccountantName.RDP ? epsilon != rdpEpsilon
                : claimed == AccountantName.PLD ? epsilon != pldEpsilon : true) {
            throw new IllegalArgumentException("the claimed epsilon must be the bound of the claimed accountant (rdp or "
                    + "pld), got " + epsilon + " by " + claimed);
        }
    }
}
