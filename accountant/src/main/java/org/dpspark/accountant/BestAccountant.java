package org.dpspark.accountant;

import org.dpspark.accountant.pld.PldAccountant;

/**
 * The smaller of the RDP and PLD guarantees of one composed history: every event is composed on an
 * {@link RdpAccountant} and on a {@link PldAccountant} (heterogeneous composition), and {@link #epsilon} is the
 * minimum of the two epsilons at delta.
 *
 * <p>Each accountant reports an upper bound of the true epsilon at delta (RDP: Mironov 2017 with the conversion of
 * Balle et al. 2020; PLD: pessimistic connect-the-dots discretization, Doroshenko et al. 2022), so their minimum
 * is a valid guarantee too. Every event dpspark records is a Poisson-subsampled Gaussian, which both accountants
 * take, so PLD applies to every history; where it cannot certify anything (sigma below about 0.03, where its
 * losses leave the double range and it reports +Infinity) the minimum is RDP's. This is the ledger's default
 * accountant, so a dataset's cumulative spend is the same best-of rule as a single job's claim ({@link BestBound}).
 *
 * <p>Thread-safe as its parts are (both synchronize).
 */
public final class BestAccountant implements PrivacyAccountant {

    /** The name recorded in ledger entries. */
    public static final String NAME = "min(rdp,pld)";

    private final RdpAccountant rdp = new RdpAccountant();
    private final PldAccountant pld = new PldAccountant();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void compose(DpEvent event) {
        rdp.compose(event);
        pld.compose(event);
    }

    /** min(RDP epsilon, PLD epsilon) at {@code delta}. */
    @Override
    public double epsilon(double delta) {
        return bound(delta).best();
    }

    /** Both epsilons at {@code delta} and which is smaller. */
    public BestBound bound(double delta) {
        return BestBound.of(rdp.epsilon(delta), pld.epsilon(delta));
    }
}
