package org.dpspark.accountant.pld;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.PrivacyBound;
import org.dpspark.accountant.best.BestAccountant;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.junit.jupiter.api.Test;

/**
 * The PLD accountant against shared/reference/accountant-published.md, against Google dp_accounting's PLD
 * (pessimistic, interval 1e-4; issue 4's acceptance windows), and against the analytic Gaussian mechanism
 * (Balle and Wang 2018), which is the exact answer whenever q = 1: then any composition of Gaussians with
 * noise multipliers sigma_i is one Gaussian with 1 / sigma^2 = sum_i T_i / sigma_i^2.
 */
class PldAccountantTest {

    private static final NormalDistribution STANDARD_NORMAL = new NormalDistribution(null, 0, 1);

    private static PldAccountant composed(DpEvent... events) {
        PldAccountant accountant = new PldAccountant();
        for (DpEvent e : events) {
            accountant.compose(e);
        }
        return accountant;
    }

    /** Balle and Wang 2018, Thm 8: the exact delta(eps) of a Gaussian with sensitivity 1 and std sigma. */
    private static double analyticGaussianDelta(double sigma, double eps) {
        return STANDARD_NORMAL.cumulativeProbability(1 / (2 * sigma) - eps * sigma)
                - Math.exp(eps) * STANDARD_NORMAL.cumulativeProbability(-1 / (2 * sigma) - eps * sigma);
    }

    /** The exact eps at delta of the analytic Gaussian, by bisection on its (decreasing) delta(eps). */
    private static double analyticGaussianEpsilon(double sigma, double delta) {
        double lo = 0;
        double hi = 1;
        while (analyticGaussianDelta(sigma, hi) > delta) {
            hi *= 2;
        }
        for (int i = 0; i < 200; i++) {
            double mid = (lo + hi) / 2;
            if (analyticGaussianDelta(sigma, mid) > delta) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return hi;
    }

    /**
     * Issue 4's acceptance: ours must lie in the stated windows around dp_accounting's PLD (pessimistic, 1e-4):
     * 2.3818, 0.6401 and 6.7688; and at delta = 1e-6 the reference's 2.6969 (same window width, [2.694, 2.73]).
     * The windows are below-and-above because ours uses the same discretization (connect the dots, same
     * interval) but its own tail handling; measured here: 2.381779, 0.640111, 6.768787, 2.696861.
     */
    @Test
    void epsilon_dpAccountingPldReferences_withinAcceptanceWindows() {
        double q = 256 / 60000.0;
        assertWithin(2.378, 2.41, composed(new DpEvent(q, 1.1, 14063)).epsilon(1e-5));
        assertWithin(0.639, 0.647, composed(new DpEvent(0.0025, 1.3, 6000)).epsilon(1e-5));
        assertWithin(6.76, 6.84, composed(new DpEvent(0.04, 1.5, 2250)).epsilon(1e-5));
        assertWithin(2.694, 2.73, composed(new DpEvent(q, 1.1, 14063)).epsilon(1e-6));
    }

    /** Opacus's PRV accountant (q=0.04, sigma=1.5, T=2250, delta=1e-5) gives 6.7774; PLD agrees within 0.2%. */
    @Test
    void epsilon_opacusPrvReference_agreesWithinPrvAccuracy() {
        assertEquals(6.777395712150674, composed(new DpEvent(0.04, 1.5, 2250)).epsilon(1e-5), 0.002 * 6.7774);
    }

    /**
     * dp_accounting pld_privacy_accountant_test.py: Gaussian sigma = sqrt(3), 3-fold (mu = 1), delta(1) = 0.126936
     * (published to 6 digits; the exact value is 0.1269367...). Ours is pessimistic: at or above the exact
     * value, and above by less than the discretization error (measured 1e-9; allowed 1e-5).
     */
    @Test
    void delta_dpAccountingGaussianReference_reproduced() {
        double exact = analyticGaussianDelta(1.0, 1.0);
        assertEquals(0.126936, exact, 1e-6);
        double ours = composed(new DpEvent(1, Math.sqrt(3), 3)).delta(1.0);
        assertTrue(ours >= exact && ours <= exact + 1e-5, ours + " vs exact " + exact);
    }

    /**
     * dp_accounting pld_privacy_accountant_test.py: Poisson q = 0.2, sigma = 0.5, 3 steps, delta(1) ~= 0.15594
     * (published as approximate, 5 digits). An independent brute-force bracket (z-quadrature with 4e6 cells,
     * losses rounded up / down on a 2e-5 grid, 3-fold FFT convolution in numpy; run while writing this test)
     * puts the true value in [0.1559292, 0.1559364]; ours must lie in that bracket (so the published 0.15594
     * is itself slightly pessimistic) and within 1e-5 of the published value.
     */
    @Test
    void delta_dpAccountingPoissonReference_reproduced() {
        double ours = composed(new DpEvent(0.2, 0.5, 3)).delta(1.0);
        assertWithin(0.1559292, 0.1559364, ours);
        assertEquals(0.15594, ours, 1e-5);
    }

    /**
     * q = 1, one step: over a grid of sigma and eps, PLD's delta is never below the analytic Gaussian (Balle and
     * Wang 2018) and above it by at most the discretization error. Connect-the-dots interpolates delta linearly
     * in e^eps between grid points 1e-4 apart, so the excess is at most (h^2 / 8) e^(2 eps) |delta''| ~ 1e-9
     * here; allowed: 1e-7 absolute plus 1e-6 relative. The same holds for epsilon at delta: never below the
     * exact value, above it by at most one grid interval plus 1e-6 relative (the largest measured: 2e-7
     * relative, at sigma = 0.3, delta = 1e-8, eps = 23.7).
     */
    @Test
    void oneGaussianStep_matchesAnalyticGaussian_neverBelow() {
        for (double sigma : new double[] {0.3, 0.5, 0.8, 1, 2, 5, 20}) {
            PldAccountant accountant = composed(new DpEvent(1, sigma, 1));
            for (double eps : new double[] {0, 0.01, 0.1, 0.5, 1, 2, 4, 8}) {
                double exact = analyticGaussianDelta(sigma, eps);
                double ours = accountant.delta(eps);
                String where = "sigma " + sigma + " eps " + eps + ": " + ours + " vs " + exact;
                assertTrue(ours >= exact, where);
                assertTrue(ours <= exact + 1e-7 + 1e-6 * exact, where);
                assertEquals(exact, SubsampledGaussianPld.hockeyStick(1, sigma, eps), 1e-15 + 1e-12 * exact, where);
            }
            for (double delta : new double[] {1e-3, 1e-5, 1e-8}) {
                double exact = analyticGaussianEpsilon(sigma, delta);
                double ours = accountant.epsilon(delta);
                String where = "sigma " + sigma + " delta " + delta + ": " + ours + " vs " + exact;
                assertTrue(ours >= exact && ours <= exact + 1e-4 + 1e-6 * exact, where);
            }
        }
    }

    /**
     * Heterogeneous composition, checked where it is exact: Gaussians (q = 1) with different sigma compose to
     * one Gaussian with 1 / sigma^2 = sum T_i / sigma_i^2. 10 steps at sigma 2, 30 at 5 and 1 at 0.9 give
     * sigma = 1 / sqrt(2.5 + 1.2 + 1.2346) = 0.4504. Never below; above by at most 1e-3 in epsilon (41
     * compositions of a discretization with error O(h^2) each, measured 2e-5).
     */
    @Test
    void heterogeneousGaussians_matchSingleEquivalentGaussian() {
        PldAccountant accountant = composed(new DpEvent(1, 2, 10), new DpEvent(1, 5, 30), new DpEvent(1, 0.9, 1));
        double sigma = 1 / Math.sqrt(10 / 4.0 + 30 / 25.0 + 1 / 0.81);
        for (double delta : new double[] {1e-2, 1e-5, 1e-9}) {
            double exact = analyticGaussianEpsilon(sigma, delta);
            double ours = accountant.epsilon(delta);
            assertTrue(ours >= exact && ours <= exact + 1e-3, "delta " + delta + ": " + ours + " vs " + exact);
        }
    }

    /**
     * Subsampled heterogeneous history: the result does not depend on the order of events (composition
     * commutes; events equal in q and sigma are grouped wherever they occur), it lies between the epsilons of
     * its parts' histories, and below RDP's for the same history.
     */
    @Test
    void heterogeneousSubsampled_orderFree_monotone_belowRdp() {
        DpEvent a = new DpEvent(0.01, 1.0, 2000);
        DpEvent b = new DpEvent(0.05, 2.0, 500);
        double ab = composed(a, b).epsilon(1e-5);
        double ba = composed(b, a).epsilon(1e-5);
        double split = composed(new DpEvent(0.01, 1.0, 1000), b, new DpEvent(0.01, 1.0, 1000)).epsilon(1e-5);
        assertEquals(ab, ba, 1e-9);
        assertEquals(ab, split, 1e-9);
        assertTrue(ab > composed(a).epsilon(1e-5) && ab > composed(b).epsilon(1e-5));
        RdpAccountant rdp = new RdpAccountant();
        rdp.compose(a);
        rdp.compose(b);
        assertTrue(ab < rdp.epsilon(1e-5), ab + " vs RDP " + rdp.epsilon(1e-5));
    }

    /**
     * PLD is never above RDP over a grid of DP-SGD settings (both are upper bounds and PLD is the tight one;
     * the reference notes "PLD was at or below RDP in every case tried"), and BestAccountant names the smaller.
     */
    @Test
    void pld_atOrBelowRdp_andBestBoundPicksIt() {
        double[][] grid = {{0.001, 1.0, 30000, 1e-7}, {0.01, 0.8, 1000, 1e-5}, {0.1, 2.0, 100, 1e-6},
                {1.0, 5.0, 10, 1e-5}, {0.02, 1.2, 5000, 1e-5}};
        for (double[] g : grid) {
            DpEvent e = new DpEvent(g[0], g[1], (long) g[2]);
            PrivacyBound bb = BestAccountant.bound(List.of(e), g[3]);
            assertTrue(bb.pldEpsilon() <= bb.rdpEpsilon(), bb.toString());
            assertEquals(bb.pldEpsilon(), bb.epsilon(), 0);
            assertEquals("pld", bb.claimed().jsonName());
        }
        PrivacyBound rdpWins = BestAccountant.bound(2.0, 2.5);
        assertEquals("rdp", rdpWins.claimed().jsonName());
        assertEquals(2.0, rdpWins.epsilon(), 0);
    }

    /** Pessimism of the construction itself: the per-step masses sum to 1 and define a valid pair (Q-sum <= 1). */
    @Test
    void discretization_conservesMassAndIsAValidPair() {
        for (double q : new double[] {1e-4, 0.01, 0.3, 1}) {
            for (double sigma : new double[] {0.5, 1, 4}) {
                for (SubsampledGaussianPld.Direction d : SubsampledGaussianPld.Direction.values()) {
                    DiscretePld pld = SubsampledGaussianPld.discretize(q, sigma, d, 1e-4, PldAccountant.MAX_POINTS);
                    double qSum = 0;
                    for (int i = 0; i < pld.size(); i++) {
                        assertTrue(pld.mass()[i] >= 0);
                        qSum += pld.mass()[i] * Math.exp(-pld.loss(i));
                    }
                    String where = "q " + q + " sigma " + sigma + " " + d;
                    assertEquals(1.0, pld.finiteMass() + pld.infinityMass(), 1e-12, where);
                    assertTrue(qSum <= 1 + 1e-12, where + ": " + qSum);
                }
            }
        }
    }

    /**
     * Small sigma needs a huge grid: at sigma = 0.04 the loss spans [92, 532], 4.4e6 points at 1e-4, so the
     * interval is coarsened (2e-4); the result is still never below the analytic Gaussian. Below sigma ~ 0.03
     * the losses leave the double range of e^loss: PLD certifies nothing (+inf) and BestAccountant falls back to RDP.
     */
    @Test
    void smallSigma_coarsensGrid_tinySigma_fallsBackToRdp() {
        PldAccountant accountant = composed(new DpEvent(1, 0.04, 1));
        double eps = accountant.epsilon(1e-5);
        assertEquals(2e-4, accountant.effectiveInterval(), 0);
        double exact = analyticGaussianEpsilon(0.04, 1e-5);
        assertTrue(eps >= exact && eps <= exact + 2e-4 + 2e-6 * exact, eps + " vs " + exact);

        DpEvent tiny = new DpEvent(1, 0.01, 1);
        assertEquals(Double.POSITIVE_INFINITY, composed(tiny).epsilon(1e-5), 0);
        PrivacyBound bb = BestAccountant.bound(List.of(tiny), 1e-5);
        assertEquals("rdp", bb.claimed().jsonName());
        assertTrue(bb.epsilon() < Double.POSITIVE_INFINITY);
    }

    /**
     * A skewed PLD (q = 0.001, sigma = 0.8, T = 500: one step in a thousand carries a loss up to 4.9, the rest
     * about 0.001) needs the Chernoff tilt about 1/200 of the Gaussian guess. With a fixed scan around the guess
     * the window reached loss 1405 (14 million points), and the grid had to be coarsened; the walk over tilts
     * finds a window up to about loss 4.3, so the default grid fits. The answer is still an upper bound: at or
     * above the tight RDP-free lower bound given by the same mechanism's single-step epsilon.
     */
    @Test
    void skewedPld_chernoffWindowFitsDefaultGrid() {
        PldAccountant accountant = composed(new DpEvent(0.001, 0.8, 500));
        double eps = accountant.epsilon(1e-5);
        assertEquals(PldAccountant.DEFAULT_INTERVAL, accountant.effectiveInterval(), 0);
        double oneStep = composed(new DpEvent(0.001, 0.8, 1)).epsilon(1e-5);
        assertTrue(eps > oneStep && eps < 0.3, "eps " + eps + ", one step " + oneStep);
        // Same history on a twice coarser grid: pessimistic, so never below.
        PldAccountant coarse = new PldAccountant(2 * PldAccountant.DEFAULT_INTERVAL);
        coarse.compose(new DpEvent(0.001, 0.8, 500));
        assertTrue(coarse.epsilon(1e-5) >= eps - 1e-9, coarse.epsilon(1e-5) + " vs " + eps);
    }

    /**
     * The Chernoff window only ever adds to delta: against the same composition over its whole support (no
     * truncation), the windowed one's delta is never lower at any epsilon, up to the FFTs' rounding (the mass below
     * the window wraps into it, the at most 1e-15 above it is charged to +infinity), for a skewed PLD (the case the
     * tilt walk was written for) and a typical one, in both directions; and the window really is narrower. Cutting
     * the window's upper end by a third makes this test fail (checked by hand).
     */
    @Test
    void chernoffWindow_neverLowersDelta_againstTheWholeSupport() {
        // q, sigma, T, grid interval (coarse, so that the whole support of many steps fits in one FFT), and whether the
        // window is wider than one step's PLD, so that it (not the step's length) sets the FFT's length and cutting
        // it short would lose mass. The skewed PLD's window stays about one step wide at any T that fits.
        double[][] cases = {{0.001, 0.8, 400, 1e-3, 0}, {0.05, 1.0, 300, 1e-3, 1}};
        for (double[] c : cases) {
            for (SubsampledGaussianPld.Direction d : SubsampledGaussianPld.Direction.values()) {
                DiscretePld step = SubsampledGaussianPld.discretize(c[0], c[1], d, c[3], PldAccountant.MAX_POINTS);
                List<PldComposition.Part> parts = List.of(new PldComposition.Part(step, (long) c[2]));
                DiscretePld windowed = PldComposition.compose(parts, PldAccountant.MAX_POINTS);
                DiscretePld whole = PldComposition.compose(parts, PldAccountant.MAX_POINTS, false);
                String where = "q " + c[0] + ", sigma " + c[1] + ", T " + c[2] + ", " + d;
                assertTrue(windowed.size() < whole.size() / 4 && (c[4] == 0 || windowed.size() > 2 * step.size()),
                        where + ": " + windowed.size() + " vs " + whole.size() + " and " + step.size());
                for (double eps = 0; eps <= 6; eps += 0.05) {
                    // The finite masses' share of delta, compared without either side's rounding allowance (charged
                    // to +infinity: about 3e-10 for the whole support's 2^22 points, 2e-12 for the window), up to the
                    // whole support's own FFT noise; a window that lost mass would lose the composed mass beyond it.
                    double windowedFinite = windowed.delta(eps) - windowed.infinityMass();
                    double wholeFinite = whole.delta(eps) - whole.infinityMass();
                    assertTrue(windowedFinite >= wholeFinite * (1 - 1e-9) - 1e-10,
                            where + ", eps " + eps + ": " + windowedFinite + " < " + wholeFinite);
                }
            }
        }
    }

    @Test
    void emptyHistory_isFree_andBadArgumentsThrow() {
        PldAccountant accountant = new PldAccountant();
        assertEquals(0.0, accountant.epsilon(1e-5), 0);
        assertEquals("pld", accountant.name().jsonName());
        for (double d : new double[] {0, 1, -1, Double.NaN}) {
            assertThrows(IllegalArgumentException.class, () -> accountant.epsilon(d));
        }
        assertThrows(IllegalArgumentException.class, () -> accountant.delta(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> accountant.delta(-1));
        assertThrows(IllegalArgumentException.class, () -> accountant.compose(null));
        assertThrows(IllegalArgumentException.class, () -> new PldAccountant(0));
        assertThrows(IllegalArgumentException.class, () -> new PldAccountant(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> BestAccountant.bound(List.of(), 1e-5));
    }

    private static void assertWithin(double lo, double hi, double actual) {
        assertTrue(actual >= lo && actual <= hi, actual + " not in [" + lo + ", " + hi + "]");
    }
}
