package org.dpspark.accountant.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.LongStream;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.junit.jupiter.api.Test;

/**
 * {@link PrivacyPlan} with DP data normalization against Google dp_accounting, an independent implementation of both
 * accountants. The values come from {@code accountant/src/test/python/normalization_golden.py}, run on
 * google/differential-privacy at commit b5b0286e313b64a692abfc8c528d54ef47d960a0 (python/dp_accounting) with Debian's
 * python3, numpy, scipy, absl and mpmath: epsilon at delta 1e-5 of
 * {@code ComposedDpEvent([SelfComposedDpEvent(GaussianDpEvent(sigmaNorm), 2),
 * SelfComposedDpEvent(PoissonSampledDpEvent(q, GaussianDpEvent(sigma)), T)])} (T = 0: the normalization alone).
 *
 * <p>Tolerances, as the module's other dp_accounting golden tests:
 * <ul>
 *   <li>RDP on the integer orders 2..63, 128, 256, 512, 1024: relative 1e-9 (the two libraries' subsampled Gaussian
 *       RDP agree to about 1e-14 there; RandomRepetitionGoldenTest); measured 8e-15.</li>
 *   <li>RDP on the default orders (with fractional orders 1.1..10.9): dp_accounting's subsampled Gaussian RDP at
 *       fractional orders is a looser series than dpspark's exact one, so dpspark's epsilon is at most
 *       dp_accounting's, within a relative 1e-3 (RandomRepetitionGoldenTest); measured 6e-8 below. The
 *       normalization alone (q = 1) has the closed form alpha / (2 sigma^2) in both, equal to rounding.</li>
 *   <li>PLD (pessimistic, value discretization interval 1e-4 in both): absolute 1e-5, as PldAccountantTest's
 *       dp_accounting Poisson reference; measured 2e-8.</li>
 * </ul>
 */
class NormalizationGoldenTest {

    private static final double DELTA = 1e-5;

    private record Golden(String name, double sigmaNorm, double q, double sigma, long steps, double rdpDefault,
            double rdpInteger, double pld) {}

    /** normalization_golden.py's output. */
    private static final List<Golden> GOLDEN = List.of(
            new Golden("mnist_norm8", 8.0, 0.06826666666666667, 2.5257, 585, 3.2659216968347318, 3.267195212518392,
                    2.9999381572434105),
            new Golden("norm2", 2.0, 0.01, 1.1, 1000, 3.667234715441854, 3.6789410970746492, 3.3812173988896665),
            new Golden("norm8_alone", 8.0, Double.NaN, Double.NaN, 0, 0.6948261088256512, 0.6948261088256512,
                    0.6339783949695263));

    private static final double[] INTEGER_ORDERS = LongStream.concat(LongStream.rangeClosed(2, 63),
            LongStream.of(128, 256, 512, 1024)).asDoubleStream().toArray();

    @Test
    void plan_withNormalization_matchesDpAccounting() {
        assertEquals(4096 / 60000.0, GOLDEN.get(0).q(), 0); // the script's 4096 / 60000, bit for bit
        for (Golden g : GOLDEN.subList(0, 2)) {
            PrivacyPlan p = PrivacyPlan.of(PlanRequest.builder().samplingRate(g.q()).steps(g.steps()).delta(DELTA)
                    .noiseMultiplier(g.sigma()).normalizationNoise(g.sigmaNorm()).build());
            String where = g.name() + ": " + p;
            assertTrue(p.rdpEpsilon() <= g.rdpDefault() + 1e-12, where);
            assertEquals(g.rdpDefault(), p.rdpEpsilon(), 1e-3 * g.rdpDefault(), where);
            assertEquals(g.pld(), p.pldEpsilon(), 1e-5, where);
            assertEquals(Math.min(g.rdpDefault(), g.pld()), p.epsilon(), 1e-5, where);

            RdpAccountant integer = new RdpAccountant(INTEGER_ORDERS);
            p.events().forEach(integer::compose);
            assertEquals(g.rdpInteger(), integer.epsilon(DELTA), 1e-9 * g.rdpInteger(), where);
        }
    }

    @Test
    void normalizationAlone_matchesDpAccounting() {
        Golden g = GOLDEN.get(2);
        PrivacyPlan p = PrivacyPlan.of(PlanRequest.builder().samplingRate(0.01).steps(1000L).delta(DELTA)
                .noiseMultiplier(1.1).normalizationNoise(g.sigmaNorm()).build());
        // Best of RDP (0.6948) and PLD (0.6340): PLD's.
        assertEquals(g.pld(), p.normalizationEpsilon(), 1e-5);
        assertEquals(p.normalizationEpsilon(), p.epsilonAfter(0), 0);
        RdpAccountant rdp = new RdpAccountant();
        rdp.compose(new DpEvent(1.0, g.sigmaNorm(), 2));
        assertEquals(g.rdpDefault(), rdp.epsilon(DELTA), 1e-9 * g.rdpDefault());
    }
}
