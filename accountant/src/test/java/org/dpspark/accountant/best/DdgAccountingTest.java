package org.dpspark.accountant.best;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.dpspark.accountant.AccountantName;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.PrivacyBound;
import org.dpspark.accountant.pld.PldAccountant;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.dpspark.core.secagg.DdgParams;
import org.junit.jupiter.api.Test;

/**
 * Distributed discrete Gaussian events across the accountants: PLD takes them and certifies nothing (+Infinity), so
 * the best-of rule claims RDP for any history holding one, and never names PLD with an infinite epsilon.
 */
class DdgAccountingTest {

    private static final DpEvent DDG = DpEvent.distributedDiscrete(0.01,
            DdgParams.choose(105, 40, 2, 0, 1.0, 1.2, 30_000), 500);
    private static final DpEvent GAUSS = new DpEvent(0.01, 1.2, 500);

    @Test
    void distributedDiscrete_takesTheEncodingsParameters() {
        DdgParams p = DdgParams.choose(105, 40, 4, 1, 2.0, 1.2, 30_000);
        DpEvent e = DpEvent.distributedDiscrete(0.02, p, 7);
        assertEquals(new DpEvent(0.02, p.effectiveNoiseMultiplier(), 7, new DpEvent.Discrete(p.tau(), 128)), e);
        assertTrue(e.isDiscrete());
        assertTrue(!GAUSS.isDiscrete() && GAUSS.discrete() == null);
        assertEquals(new DpEvent(0.01, 1.2, 500, null), GAUSS);
        assertEquals("DpEvent[samplingRate=0.01, noiseMultiplier=1.2, steps=500]", GAUSS.toString());
        assertTrue(e.toString().contains("discrete=Discrete[tau="), e.toString());
        assertTrue(e.sameMechanism(e.withSteps(3)) && !e.sameMechanism(GAUSS) && !GAUSS.sameMechanism(e));
    }

    @Test
    void pld_acceptsDiscreteEvents_andCertifiesNothing() {
        PldAccountant pld = new PldAccountant();
        pld.compose(GAUSS);
        pld.compose(DDG);
        pld.compose(DDG);
        assertEquals(List.of(GAUSS, DDG.withSteps(1000)), pld.events());
        assertEquals(Double.POSITIVE_INFINITY, pld.epsilon(1e-5), 0);
        assertEquals(1.0, pld.delta(1.0), 0);
        PldAccountant gaussOnly = new PldAccountant();
        gaussOnly.compose(GAUSS);
        assertTrue(gaussOnly.epsilon(1e-5) < Double.POSITIVE_INFINITY);
    }

    @Test
    void best_claimsRdp_forAnyHistoryWithADiscreteEvent() {
        for (List<DpEvent> history : List.of(List.of(DDG), List.of(GAUSS, DDG), List.of(DDG, GAUSS, DDG))) {
            PrivacyBound b = BestAccountant.bound(history, 1e-5);
            RdpAccountant rdp = new RdpAccountant();
            history.forEach(rdp::compose);
            assertEquals(AccountantName.RDP, b.claimed(), history.toString());
            assertEquals(rdp.epsilon(1e-5), b.epsilon(), 0);
            assertEquals(Double.POSITIVE_INFINITY, b.pldEpsilon(), 0);
            assertTrue(b.epsilon() < Double.POSITIVE_INFINITY);
        }
        // Mixed histories cost more than either part (composition on RDP).
        assertTrue(BestAccountant.bound(List.of(GAUSS, DDG), 1e-5).epsilon()
                > BestAccountant.bound(List.of(DDG), 1e-5).epsilon());
        // A Gaussian history still claims PLD when it is tighter.
        assertEquals(AccountantName.PLD, BestAccountant.bound(List.of(GAUSS), 1e-5).claimed());
    }

    @Test
    void bound_neverClaimsAnInfinitePld() {
        assertEquals(AccountantName.RDP, BestAccountant.bound(2.0, Double.POSITIVE_INFINITY).claimed());
        PrivacyBound both = BestAccountant.bound(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);
        assertEquals(AccountantName.RDP, both.claimed());
        assertEquals(Double.POSITIVE_INFINITY, both.epsilon(), 0);
        assertEquals(AccountantName.PLD, BestAccountant.bound(2.0, 2.0).claimed()); // finite ties: PLD, as before
        assertEquals(AccountantName.PLD, BestAccountant.bound(2.0, 1.9).claimed());
        assertEquals(AccountantName.RDP, BestAccountant.bound(1.9, 2.0).claimed());
    }
}
