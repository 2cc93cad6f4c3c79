package org.dpspark.accountant.best;

import java.util.List;
import org.dpspark.accountant.AccountantName;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.PrivacyAccountant;
import org.dpspark.accountant.PrivacyBound;
import org.dpspark.accountant.pld.PldAccountant;
import org.dpspark.accountant.rdp.RdpAccountant;

/**
 * The smaller of the RDP and PLD guarantees of one composed history: every event is composed on an
 * {@link RdpAccountant} and on a {@link PldAccountant} (heterogeneous composition), and the claim is the minimum
 * of the two epsilons at delta, with the name of the accountant that gave it ({@link PrivacyBound}). This class is
 * the one home of that rule: a job's claim, its progress lines, dry runs and the ledger's cumulative spend all use it.
 *
 * <p>Each accountant reports an upper bound of the true epsilon at delta (RDP: Mironov 2017 with the conversion of
 * Balle et al. 2020, Thm 21; PLD: pessimistic connect-the-dots discretization, Koskela et al. 2020, Doroshenko et
 * al. 2022), so their minimum is a valid guarantee too, provided the accountant is named (ARCHITECTURE.md, privacy
 * invariants). PLD is usually 5-15% tighter for DP-SGD and is claimed on ties; RDP can win when delta is tiny and
 * the PLD grid is coarse. PLD applies to every history of Poisson-subsampled Gaussians; where it cannot certify
 * anything (sigma below about 0.03, where its losses leave the double range, or a history holding a distributed
 * discrete Gaussian event of secure aggregation, which only RDP accounts: KLS 2021, Prop. 14 with Zhu and Wang 2019)
 * it reports +Infinity, and the claim is RDP's. This is the ledger's default accountant
 * ({@link AccountantName#BEST}), so a dataset's cumulative spend follows the same rule as a single job's claim.
 *
 * <p>Thread-safe as its parts are (both synchronize).
 */
public final class BestAccountant implements PrivacyAccountant {

    private final RdpAccountant rdp = new RdpAccountant();
    private final PldAccountant pld = new PldAccountant();

    /**
     * Composes {@code events} on a fresh accountant of each kind and reports both epsilons at {@code delta} and the
     * one claimed.
     *
     * @param events the history, non-empty, no nulls
     * @param delta  with 0 &lt; delta &lt; 1
     */
    public static PrivacyBound bound(List<DpEvent> events, double delta) {
        if (events == null || events.isEmpty()) {
            throw new IllegalArgumentException("events must be a non-empty list, got " + events);
        }
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
        }
        BestAccountant a = new BestAccountant();
        for (DpEvent e : events) {
            if (e == null) {
                throw new IllegalArgumentException("events must not contain null");
            }
            a.compose(e);
        }
        return a.bound(delta);
    }

    /**
     * The claim from two epsilons already computed by the RDP and the PLD accountant for the same history and delta:
     * the smaller one, PLD on finite ties. A PLD epsilon of +Infinity (PLD certifies nothing, e.g. a history with a
     * distributed discrete Gaussian event) is never claimed: the claim is then RDP's, whatever its value.
     */
    public static PrivacyBound bound(double rdpEpsilon, double pldEpsilon) {
        if (!(rdpEpsilon >= 0) || !(pldEpsilon >= 0)) {
            throw new IllegalArgumentException("epsilons must be >= 0, got rdp " + rdpEpsilon + ", pld " + pldEpsilon);
        }
        boolean pldWins = pldEpsilon <= rdpEpsilon && pldEpsilon < Double.POSITIVE_INFINITY;
        return new PrivacyBound(rdpEpsilon, pldEpsilon, pldWins ? pldEpsilon : rdpEpsilon,
                pldWins ? AccountantName.PLD : AccountantName.RDP);
    }

    @Override
    public AccountantName name() {
        return AccountantName.BEST;
    }

    @Override
    public void compose(DpEvent event) {
        rdp.compose(event);
        pld.compose(event);
    }

    /** The claimed epsilon at {@code delta}: min(RDP epsilon, PLD epsilon). */
    @Override
    public double epsilon(double delta) {
        return bound(delta).epsilon();
    }

    /** Both epsilons of the composed history at {@code delta} and the one claimed. */
    public PrivacyBound bound(double delta) {
        return bound(rdp.epsilon(delta), pld.epsilon(delta));
    }
}
