package org.dpspark.accountant.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;
import org.dpspark.accountant.AccountantName;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.PrivacyAccountant;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.dpspark.accountant.rdp.RdpReference;
import org.junit.jupiter.api.Test;

class NoiseCalibrationTest {

    private static final Supplier<PrivacyAccountant> RDP = RdpAccountant::new;
    private static final Supplier<PrivacyAccountant> RDP_OPACUS_ORDERS =
            () -> new RdpAccountant(RdpReference.opacusOrders());

    private static double epsilon(Supplier<PrivacyAccountant> accountants, double q, double sigma, long steps,
            double delta) {
        return RdpReference.epsilon(accountants, q, sigma, steps, delta);
    }

    /**
     * opacus tests/accountants_test.py: target eps 8, delta 1e-5, q 0.04 -> sigma 1.416 for 90 epochs (2250
     * steps) and 1.3562 for 2000 steps. Opacus's search stops once its sigma meets the target within 0.01 in
     * epsilon, so its sigma is at or above the smallest one; ours must agree to the published digits (|diff|
     * below 5e-4, i.e. 3-4 significant digits) and lie below.
     */
    @Test
    void calibrate_opacusReferences_agreeToPublishedDigits() {
        double sigma2250 = NoiseCalibration.calibrateNoiseMultiplier(8, 1e-5, 0.04, 2250, RDP);
        double sigma2000 = NoiseCalibration.calibrateNoiseMultiplier(8, 1e-5, 0.04, 2000, RDP);
        assertEquals(1.416, sigma2250, 5e-4);
        assertEquals(1.3562, sigma2000, 5e-4);
        assertTrue(sigma2250 <= 1.416 && sigma2000 <= 1.3562);
    }

    /**
     * Opacus's own search procedure, run over this accountant with Opacus's orders, must land on the published
     * values to the 4 decimal places Opacus asserts (tolerance 5e-5): 1.416 and 1.3562 (accountants_test.py),
     * and the Adult job's 1.6016 (eps 1) and 2.7734 (eps 0.5) of shared/reference/peers-adult.md. The Adult
     * eps 1 value comes out both at the stated q = 256/32561, 1907 steps and at q = 1/128, 1920 steps; the eps 0.5
     * value only at the latter, which is what Opacus's make_private_with_epsilon calibrates with (sample rate
     * 1 / len(data_loader) = 1/128, steps int(15 / (1/128))); at 256/32561 and 1907 steps the search stops at
     * 2.8125, whose epsilon (0.4908) is already within its 0.01 tolerance. The smallest sigma lies below each
     * published value and above the smallest sigma for target - 0.01.
     */
    @Test
    void opacusSearchOverThisAccountant_landsOnPublishedSigmas() {
        double[][] cases = {
                // target eps, delta, q, steps, published sigma
                {8, 1e-5, 0.04, 2250, 1.416},
                {8, 1e-5, 0.04, 2000, 1.3562},
                {1, 1e-5, 256 / 32561.0, 1907, 1.6016},
                {1, 1e-5, 1 / 128.0, 1920, 1.6016},
                {0.5, 1e-5, 1 / 128.0, 1920, 2.7734},
                {0.5, 1e-5, 256 / 32561.0, 1907, 2.8125},
        };
        for (double[] c : cases) {
            long steps = (long) c[3];
            double opacus = RdpReference.opacusNoiseSearch(c[0], c[1], c[2], steps, RDP_OPACUS_ORDERS);
            assertEquals(c[4], opacus, 5e-5, "eps " + c[0] + ", " + steps + " steps");
            double smallest = NoiseCalibration.calibrateNoiseMultiplier(c[0], c[1], c[2], steps, RDP_OPACUS_ORDERS);
            double smallestForLooserTarget =
                    NoiseCalibration.calibrateNoiseMultiplier(c[0] - 0.01, c[1], c[2], steps, RDP_OPACUS_ORDERS);
            assertTrue(smallest <= opacus && opacus <= smallestForLooserTarget,
                    "eps " + c[0] + ": " + smallest + " <= " + opacus + " <= " + smallestForLooserTarget);
        }
    }

    /** The Adult job (eps 1, delta 1e-5, q = 256/32561, 1907 steps): ours is within 0.5% below Opacus's 1.6016. */
    @Test
    void calibrate_adultJob_nearOpacusSigma() {
        double sigma = NoiseCalibration.calibrateNoiseMultiplier(1, 1e-5, 256 / 32561.0, 1907, RDP_OPACUS_ORDERS);
        assertTrue(sigma <= 1.6016 && sigma >= 1.6016 * (1 - 0.005), "sigma " + sigma);
        assertEquals(sigma, NoiseCalibration.calibrateNoiseMultiplier(1, 1e-5, 256 / 32561.0, 1907, RDP), 1e-6);
    }

    /**
     * Over a grid like Opacus's overshoot test (eps 0.5..10, delta 1e-4..1e-7, q 1e-4..1, 10..100 epochs): the
     * calibrated sigma never exceeds the target, and sigma (1 - 1e-4) does (it is the smallest to 1e-4).
     */
    @Test
    void calibrate_overGrid_neverOvershootsAndIsNearlySmallest() {
        double[][] grid = {
                // eps, delta, q, epochs
                {0.5, 1e-5, 0.01, 10}, {1, 1e-6, 1e-3, 50}, {2, 1e-5, 0.05, 20}, {3, 1e-7, 0.1, 100},
                {8, 1e-5, 0.04, 90}, {10, 1e-4, 1e-4, 30}, {1.5, 1e-5, 1, 0.002 * 1000}, {4, 1e-6, 0.5, 10},
                {0.2, 1e-5, 0.005, 15}, {6, 1e-4, 0.02, 60},
        };
        for (double[] g : grid) {
            double target = g[0];
            double delta = g[1];
            double q = g[2];
            long steps = Math.max(1, Math.round(g[3] / q));
            double sigma = NoiseCalibration.calibrateNoiseMultiplier(target, delta, q, steps, RDP);
            String where = "eps=" + target + " delta=" + delta + " q=" + q + " T=" + steps + " sigma=" + sigma;
            assertTrue(epsilon(RDP, q, sigma, steps, delta) <= target, where);
            assertTrue(epsilon(RDP, q, sigma * (1 - 1e-4), steps, delta) > target, where);
        }
    }

    /** With a stand-in accountant whose epsilon is 3 / sigma, the answer is 3 / target, from above, to 1e-9. */
    @Test
    void calibrate_anyMonotoneAccountant_returnsSmallestSigmaFromAbove() {
        Supplier<PrivacyAccountant> inverse = () -> new PrivacyAccountant() {
            private double sigma = Double.NaN;

            @Override
            public AccountantName name() {
                return AccountantName.RDP; // a stand-in (inverse): calibration never reads the name
            }

            @Override
            public void compose(DpEvent event) {
                sigma = event.noiseMultiplier();
            }

            @Override
            public double epsilon(double delta) {
                return 3 / sigma;
            }
        };
        for (double target : new double[] {0.01, 0.7, 3, 40, 2000}) {
            double sigma = NoiseCalibration.calibrateNoiseMultiplier(target, 1e-5, 0.1, 10, inverse);
            double exact = 3 / target;
            assertTrue(3 / sigma <= target, "target " + target);
            assertTrue(sigma >= exact && sigma <= exact * (1 + 2 * NoiseCalibration.RELATIVE_TOLERANCE),
                    "target " + target + ": " + sigma + " vs " + exact);
        }
    }

    /**
     * calibrate(): the coarser tolerance is honoured (the bracket below the answer misses the target), the epsilon
     * returned is the accountant's at the answer, and a known sigma is used instead of evaluating there: a search
     * from far below whose upward steps would pass it counts no evaluation at it.
     */
    @Test
    void calibrate_toleranceAndKnownSigma() {
        int[] evaluations = {0};
        double[] evaluatedAtKnown = {0};
        double known = 1.5;
        Supplier<PrivacyAccountant> counting = () -> new PrivacyAccountant() {
            private final RdpAccountant inner = new RdpAccountant();
            private double sigma;

            @Override
            public AccountantName name() {
                return AccountantName.RDP; // a stand-in (counting): calibration never reads the name
            }

            @Override
            public void compose(DpEvent event) {
                sigma = event.noiseMultiplier();
                inner.compose(event);
            }

            @Override
            public double epsilon(double delta) {
                evaluations[0]++;
                if (sigma == known) {
                    evaluatedAtKnown[0]++;
                }
                return inner.epsilon(delta);
            }
        };
        RdpAccountant atKnown = new RdpAccountant();
        atKnown.compose(new DpEvent(0.04, known, 2250));
        double knownEpsilon = atKnown.epsilon(1e-5); // about 7.5, below the target 8
        NoiseCalibration.Calibrated c = NoiseCalibration.calibrate(8, 1e-5, 0.04, 2250, counting, 0.5, 1.0, 1e-4,
                known, knownEpsilon);
        assertEquals(0, evaluatedAtKnown[0], 0);
        assertTrue(c.epsilon() <= 8);
        RdpAccountant check = new RdpAccountant();
        check.compose(new DpEvent(0.04, c.sigma(), 2250));
        assertEquals(check.epsilon(1e-5), c.epsilon(), 0);
        double smallest = NoiseCalibration.calibrateNoiseMultiplier(8, 1e-5, 0.04, 2250, RDP);
        assertTrue(c.sigma() >= smallest && c.sigma() <= smallest * (1 + 1e-4), c.sigma() + " vs " + smallest);
        assertTrue(evaluations[0] <= 12, evaluations[0] + " evaluations");
        assertThrows(IllegalArgumentException.class, () -> NoiseCalibration.calibrate(8, 1e-5, 0.04, 2250, RDP, 1, 1,
                1e-10, Double.NaN, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> NoiseCalibration.calibrate(8, 1e-5, 0.04, 2250, RDP, 1, 1,
                1e-4, 1.5, 9));
    }

    @Test
    void calibrate_unreachableTarget_throws() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NoiseCalibration.calibrateNoiseMultiplier(1e-6, 1e-5, 1, 1, RDP));
        assertTrue(e.getMessage().contains("unreachable"), e.getMessage());
    }

    @Test
    void calibrate_invalidArguments_throw() {
        for (double target : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NoiseCalibration.calibrateNoiseMultiplier(target, 1e-5, 0.1, 10, RDP));
            assertTrue(e.getMessage().startsWith("targetEpsilon must be"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> NoiseCalibration.calibrateNoiseMultiplier(1, 0, 0.1, 10, RDP));
        assertThrows(IllegalArgumentException.class, () -> NoiseCalibration.calibrateNoiseMultiplier(1, 1, 0.1, 10, RDP));
        assertThrows(IllegalArgumentException.class, () -> NoiseCalibration.calibrateNoiseMultiplier(1, 1e-5, 0, 10, RDP));
        assertThrows(IllegalArgumentException.class,
                () -> NoiseCalibration.calibrateNoiseMultiplier(1, 1e-5, Double.NaN, 10, RDP));
        assertThrows(IllegalArgumentException.class, () -> NoiseCalibration.calibrateNoiseMultiplier(1, 1e-5, 0.1, 0, RDP));
        assertThrows(IllegalArgumentException.class, () -> NoiseCalibration.calibrateNoiseMultiplier(1, 1e-5, 0.1, 10, null));
        assertThrows(IllegalStateException.class, () -> NoiseCalibration.calibrateNoiseMultiplier(1, 1e-5, 0.1, 10, () -> null));
    }
}
