package org.dpspark.accountant.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.DoubleFunction;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.dpspark.core.params.InvalidParameterException;
import org.dpspark.core.secagg.DdgParams;
import org.junit.jupiter.api.Test;

/** {@link DdgCalibration}: the smallest sigma whose DDG event meets the target by RDP, and its refusals. */
class DdgCalibrationTest {

    private static DoubleFunction<DdgParams> encoding(int dim, int bits, int parties, int colluding, long units) {
        return s -> DdgParams.choose(dim, bits, parties, colluding, 1.0, s, units);
    }

    private static double rdpEpsilon(DpEvent e, double delta) {
        RdpAccountant a = new RdpAccountant();
        a.compose(e);
        return a.epsilon(delta);
    }

    @Test
    void calibration_meetsItsTarget_withTheSmallestSigma() {
        record Case(double target, double delta, double q, long steps, int dim, int parties, int colluding) {}
        for (Case c : List.of(new Case(1.0, 1e-5, 256 / 32561.0, 1907, 105, 2, 0),
                new Case(3.0, 1e-6, 0.01, 5000, 4096, 10, 3), new Case(0.5, 1e-5, 1.0, 10, 16, 1, 0),
                new Case(8.0, 1e-5, 0.001, 100_000, 1 << 15, 4, 0))) {
            DoubleFunction<DdgParams> enc = encoding(c.dim(), 48, c.parties(), c.colluding(), 100_000);
            DdgCalibration.Result r = DdgCalibration.calibrate(c.target(), c.delta(), c.q(), c.steps(), enc);
            assertEquals(enc.apply(r.sigma()), r.params(), c.toString());
            assertEquals(DpEvent.distributedDiscrete(c.q(), r.params(), c.steps()), r.event(), c.toString());
            double eps = rdpEpsilon(r.event(), c.delta());
            assertEquals(eps, r.epsilon(), 0, c.toString());
            assertTrue(eps <= c.target(), c + ": " + eps);
            double below = r.sigma() * (1 - 2 * DdgCalibration.RELATIVE_TOLERANCE);
            double epsBelow = rdpEpsilon(DpEvent.distributedDiscrete(c.q(), enc.apply(below), c.steps()), c.delta());
            assertTrue(epsBelow > c.target(), c + ": " + below + " also meets it (" + epsBelow + ")");
        }
    }

    @Test
    void unreachableOrMeaninglessTargets_areRefusedNamingEpsilon() {
        DoubleFunction<DdgParams> enc = encoding(16, 62, 1, 0, 1000);
        InvalidParameterException far = assertThrows(InvalidParameterException.class,
                () -> DdgCalibration.calibrate(1e-3, 1e-5, 1.0, 1, enc));
        assertEquals(List.of("epsilon"), far.parameters());
        assertTrue(far.getMessage().contains("unreachable"), far.getMessage());
        InvalidParameterException near = assertThrows(InvalidParameterException.class,
                () -> DdgCalibration.calibrate(1e10, 1e-5, 1e-6, 1, enc));
        assertEquals(List.of("epsilon"), near.parameters());
        assertTrue(near.getMessage().contains("no meaningful protection"), near.getMessage());
    }

    @Test
    void theEncodingsRefusal_propagates() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> DdgCalibration.calibrate(1.0, 1e-5, 0.01, 1000, encoding(105, 8, 2, 0, 32561)));
        assertEquals(List.of("secaggBits"), e.parameters());
    }

    @Test
    void invalidArguments_throw() {
        DoubleFunction<DdgParams> enc = encoding(16, 40, 1, 0, 1000);
        assertThrows(IllegalArgumentException.class, () -> DdgCalibration.calibrate(0, 1e-5, 0.1, 1, enc));
        assertThrows(IllegalArgumentException.class, () -> DdgCalibration.calibrate(1, 1, 0.1, 1, enc));
        assertThrows(IllegalArgumentException.class, () -> DdgCalibration.calibrate(1, 1e-5, 0, 1, enc));
        assertThrows(IllegalArgumentException.class, () -> DdgCalibration.calibrate(1, 1e-5, 0.1, 0, enc));
        assertThrows(IllegalArgumentException.class, () -> DdgCalibration.calibrate(1, 1e-5, 0.1, 1, null));
        assertThrows(IllegalStateException.class, () -> DdgCalibration.calibrate(1, 1e-5, 0.1, 1, s -> null));
    }
}
