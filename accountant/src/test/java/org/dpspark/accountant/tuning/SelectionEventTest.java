package org.dpspark.accountant.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.dpspark.accountant.AccountantName;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.PrivacyBound;
import org.dpspark.accountant.TrialCount;
import org.dpspark.accountant.best.BestAccountant;
import org.dpspark.accountant.pld.PldAccountant;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.junit.jupiter.api.Test;

/** {@link DpEvent#repeatAndSelect} events and how the accountants treat them. */
class SelectionEventTest {
    private static final DpEvent.Selection GEO = new DpEvent.Selection(TrialCount.geometric(10), 100);
    private static final DpEvent SEARCH = DpEvent.repeatAndSelect(0.01, 1.1, 1000, GEO);
    private static final DpEvent GAUSS = new DpEvent(0.01, 1.1, 1000);

    @Test
    void event_carriesItsSelection_andOtherKindsAreUnchanged() {
        assertTrue(SEARCH.isSelection());
        assertEquals(GEO, SEARCH.selection());
        assertEquals(1000, SEARCH.steps());
        assertFalse(SEARCH.isDiscrete());
        assertFalse(GAUSS.isSelection());
        assertNull(GAUSS.selection());
        assertEquals(new DpEvent(0.01, 1.1, 1000, null), GAUSS);
        assertEquals("DpEvent[samplingRate=0.01, noiseMultiplier=1.1, steps=1000]", GAUSS.toString());
        assertTrue(SEARCH.toString().contains("selection="), SEARCH.toString());
        assertEquals(SEARCH, DpEvent.repeatAndSelect(0.01, 1.1, 1000,
                new DpEvent.Selection(TrialCount.geometric(10), 100)));
        assertEquals(DpEvent.repeatAndSelect(0.01, 1.1, 5, new DpEvent.Selection(TrialCount.poisson(3), 7)),
                DpEvent.repeatAndSelect(0.01, 1.1, 5, new DpEvent.Selection(TrialCount.poisson(3), 7)));
    }

    @Test
    void selection_isNeverMergedBySteps() {
        assertFalse(SEARCH.sameMechanism(SEARCH));
        assertFalse(SEARCH.sameMechanism(GAUSS));
        assertFalse(GAUSS.sameMechanism(SEARCH));
        assertTrue(GAUSS.sameMechanism(GAUSS.withSteps(3)));
        assertThrows(IllegalStateException.class, () -> SEARCH.withSteps(1));
    }

    @Test
    void selection_rejectsBadParameters() {
        assertThrows(IllegalArgumentException.class, () -> new DpEvent.Selection(null, 1));
        assertThrows(IllegalArgumentException.class, () -> new DpEvent.Selection(TrialCount.geometric(2), 0));
        assertThrows(IllegalArgumentException.class,
                () -> new DpEvent.Selection(TrialCount.geometric(2), Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> DpEvent.repeatAndSelect(0.01, 1, 10, null));
        assertThrows(IllegalArgumentException.class, () -> new DpEvent(0.01, 1, 10, new DpEvent.Discrete(0, 8), GEO));
        new DpEvent.Selection(TrialCount.geometric(2), Double.POSITIVE_INFINITY);
    }

    @Test
    void rdpAccountant_addsTheSearchCurve_andTwoSearchesAdd() {
        double[] orders = RdpAccountant.defaultOrders();
        double[] search = RandomRepetition.rdp(orders, RandomRepetition.trialRdp(orders, 0.01, 1.1, 1000, 100),
                TrialCount.geometric(10));
        RdpAccountant gaussOnly = new RdpAccountant();
        gaussOnly.compose(GAUSS);
        double[] g = gaussOnly.rdp();

        RdpAccountant one = new RdpAccountant();
        one.compose(SEARCH);
        assertEquals(RandomRepetition.epsilon(TrialCount.geometric(10), 0.01, 1.1, 1000, 100, 1e-5),
                one.epsilon(1e-5), 0);

        RdpAccountant acc = new RdpAccountant();
        acc.compose(GAUSS);
        acc.compose(SEARCH);
        acc.compose(SEARCH);
        double[] r = acc.rdp();
        for (int i = 0; i < orders.length; i++) {
            double expected = g[i] + search[i] + search[i];
            assertEquals(expected, r[i], 1e-12 * expected);
        }
        assertEquals(List.of(GAUSS, SEARCH, SEARCH), acc.events());
        assertThrows(IllegalArgumentException.class, () -> RdpAccountant.stepRdp(SEARCH, 2));
    }

    @Test
    void pld_doesNotAccountASearch_soBestClaimsRdp() {
        PldAccountant pld = new PldAccountant();
        pld.compose(GAUSS);
        assertTrue(pld.epsilon(1e-5) < Double.POSITIVE_INFINITY);
        pld.compose(SEARCH);
        assertEquals(Double.POSITIVE_INFINITY, pld.epsilon(1e-5), 0);
        assertEquals(1.0, pld.delta(1.0), 0);
        assertEquals(List.of(GAUSS, SEARCH), pld.events());

        PrivacyBound b = BestAccountant.bound(List.of(GAUSS, SEARCH), 1e-5);
        RdpAccountant rdp = new RdpAccountant();
        rdp.compose(GAUSS);
        rdp.compose(SEARCH);
        assertEquals(AccountantName.RDP, b.claimed());
        assertEquals(rdp.epsilon(1e-5), b.epsilon(), 0);
    }
}
