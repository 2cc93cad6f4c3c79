package org.dpspark.accountant.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dpspark.accountant.AccountantName;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.PrivacyAccountant;
import org.dpspark.accountant.pld.PldAccountant;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.junit.jupiter.api.Test;

/**
 * {@link BestCalibration#of(double, double, double, long, List)}: calibration of the training steps after events
 * already spent (here DP data normalization, {@code DpEvent(1.0, sigmaNorm, 2)}).
 */
class PrefixCalibrationTest {

    private static final double DELTA = 1e-5;

    private static double epsilon(PrivacyAccountant a, DpEvent... events) {
        Arrays.stream(events).forEach(a::compose);
        return a.epsilon(DELTA);
    }

    @Test
    void emptyPrefix_isTheFourArgumentCalibration() {
        BestCalibration four = BestCalibration.of(2.0, DELTA, 0.01, 1000);
        assertEquals(four, BestCalibration.of(2.0, DELTA, 0.01, 1000, List.of()));
    }

    @Test
    void prefix_eachAccountantMeetsTheTargetOnTheWholeComposition_withTheSmallestSigma() {
        DpEvent norm = new DpEvent(1.0, 4.0, 2);
        BestCalibration plain = BestCalibration.of(2.0, DELTA, 0.01, 1000);
        BestCalibration c = BestCalibration.of(2.0, DELTA, 0.01, 1000, List.of(norm));
        assertTrue(c.rdpSigma() > plain.rdpSigma() && c.pldSigma() > plain.pldSigma(), c + " vs " + plain);
        assertEquals(Math.min(c.rdpSigma(), c.pldSigma()), c.best(), 0);

        double rdp = epsilon(new RdpAccountant(), norm, new DpEvent(0.01, c.rdpSigma(), 1000));
        assertEquals(rdp, c.rdpEpsilon(), 0);
        assertTrue(rdp <= 2.0);
        assertTrue(epsilon(new RdpAccountant(), norm, new DpEvent(0.01, c.rdpSigma() * (1 - 1e-6), 1000)) > 2.0);

        double pld = epsilon(new PldAccountant(), norm, new DpEvent(0.01, c.pldSigma(), 1000));
        assertEquals(pld, c.pldEpsilon(), 0);
        assertTrue(pld <= 2.0);
        assertTrue(epsilon(new PldAccountant(), norm, new DpEvent(0.01, c.pldSigma() * (1 - 1e-4), 1000)) > 2.0);
    }

    @Test
    void prefixSpendingTheTarget_isRefusedNamingTheNormalization() {
        // DpEvent(1, 8, 2) alone: RDP 0.6948, PLD 0.6340 at 1e-5.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BestCalibration.of(0.6, DELTA, 0.01, 1000, List.of(new DpEvent(1.0, 8.0, 2))));
        assertTrue(e.getMessage().contains("normalization") && e.getMessage().contains("alone spends epsilon 0.6339"),
                e.getMessage());
    }

    @Test
    void prefixLeavingRoomOnlyForPld_calibratesByPld() {
        // Target 0.66: above the prefix's PLD epsilon (0.634), below its RDP epsilon (0.695).
        BestCalibration c = BestCalibration.of(0.66, DELTA, 0.01, 1000, List.of(new DpEvent(1.0, 8.0, 2)));
        assertEquals(Double.POSITIVE_INFINITY, c.rdpSigma());
        assertEquals(Double.POSITIVE_INFINITY, c.rdpEpsilon());
        assertEquals(AccountantName.PLD, c.bestAccountant());
        assertEquals(c.pldSigma(), c.best(), 0);
        assertTrue(c.pldEpsilon() <= 0.66);
        assertEquals(c.pldEpsilon(), epsilon(new PldAccountant(), new DpEvent(1.0, 8.0, 2),
                new DpEvent(0.01, c.pldSigma(), 1000)), 0);
        assertTrue(epsilon(new PldAccountant(), new DpEvent(1.0, 8.0, 2),
                new DpEvent(0.01, c.pldSigma() * (1 - 1e-4), 1000)) > 0.66);
    }

    @Test
    void prefix_nullsRefused() {
        assertThrows(IllegalArgumentException.class, () -> BestCalibration.of(2.0, DELTA, 0.01, 1000, null));
        List<DpEvent> withNull = new ArrayList<>();
        withNull.add(null);
        assertThrows(IllegalArgumentException.class, () -> BestCalibration.of(2.0, DELTA, 0.01, 1000, withNull));
    }
}
