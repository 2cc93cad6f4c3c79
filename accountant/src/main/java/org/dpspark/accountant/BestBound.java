package org.dpspark.accountant;

import java.util.List;
import org.dpspark.accountant.pld.PldAccountant;

/**
 * The guarantee of a composed history under both accountants, and the smaller of the two.
 *
 * <p>RDP (Mironov 2017; conversion of Balle et al. 2020) and PLD with pessimistic discretization
 * (Koskela et al. 2020; Doroshenko et al. 2022) each give an upper bound on the true epsilon at delta, so the
 * smaller one is also a valid guarantee and may be claimed, provided the accountant that gave it is named
 * (ARCHITECTURE.md, privacy invariants). PLD is usually 5-15% tighter for DP-SGD; RDP can win when delta is
 * tiny and the PLD grid is coarse.
 *
 * @param rdp      epsilon by {@link RdpAccountant} (default orders)
 * @param pld      epsilon by {@link PldAccountant} (interval {@value PldAccountant#DEFAULT_INTERVAL})
 * @param best     min(rdp, pld)
 * @param bestName the name of the accountant that gave {@code best} ({@code "rdp"} or {@code "pld"}; PLD on ties)
 */
public record BestBound(double rdp, double pld, double best, String bestName) {

    /**
     * Composes {@code events} on a fresh accountant of each kind and reports both epsilons at {@code delta}.
     *
     * @param events the history, non-empty
     * @param delta  with 0 &lt; delta &lt; 1
     */
    public static BestBound of(List<DpEvent> events, double delta) {
        if (events == null || events.isEmpty()) {
            throw new IllegalArgumentException("events must be a non-empty list, got " + events);
        }
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
        }
        RdpAccountant rdp = new RdpAccountant();
        PldAccountant pld = new PldAccountant();
        for (DpEvent e : events) {
            if (e == null) {
                throw new IllegalArgumentException("events must not contain null");
            }
            rdp.compose(e);
            pld.compose(e);
        }
        return of(rdp.epsilon(delta), pld.epsilon(delta));
    }

    /** Combines two epsilons already computed by the RDP and PLD accountants. */
    public static BestBound of(double rdpEpsilon, double pldEpsilon) {
        if (!(rdpEpsilon >= 0) || !(pldEpsilon >= 0)) {
            throw new IllegalArgumentException("epsilons must be >= 0, got rdp " + rdpEpsilon + ", pld " + pldEpsilon);
        }
        boolean pldWins = pldEpsilon <= rdpEpsilon;
        return new BestBound(rdpEpsilon, pldEpsilon, pldWins ? pldEpsilon : rdpEpsilon, pldWins ? "pld" : "rdp");
    }
}
