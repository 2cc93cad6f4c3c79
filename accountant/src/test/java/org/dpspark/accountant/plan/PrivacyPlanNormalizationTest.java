package org.dpspark.accountant.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.dpspark.accountant.AccountantName;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.PrivacyBound;
import org.dpspark.accountant.best.BestAccountant;
import org.dpspark.accountant.pld.PldAccountant;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.dpspark.core.params.InvalidParameterException;
import org.junit.jupiter.api.Test;

/**
 * {@link PrivacyPlan} with DP data normalization (Tramer and Boneh 2021): the normalization's two Gaussian releases,
 * {@code DpEvent(1.0, sigmaNorm, 2)}, are part of the one plan (calibration, claim, events, progress). Every
 * expected epsilon is recomputed here on fresh accountants, independently of the plan.
 */
class PrivacyPlanNormalizationTest {

    private static final double DELTA = 1e-5;
    private static final double Q = 4096 / 60000.0;
    private static final long T = 585; // floor(40 * 60000 / 4096)
    private static final DpEvent NORM8 = new DpEvent(1.0, 8.0, 2);

    private static PlanRequest.Builder mnist() {
        return PlanRequest.builder().rows(60000L).batchSize(4096L).epochs(40.0).delta(DELTA);
    }

    private static double rdp(List<DpEvent> events) {
        RdpAccountant a = new RdpAccountant();
        events.forEach(a::compose);
        return a.epsilon(DELTA);
    }

    private static double pld(List<DpEvent> events) {
        PldAccountant a = new PldAccountant();
        events.forEach(a::compose);
        return a.epsilon(DELTA);
    }

    @Test
    void calibrated_normalizationInThePlan_meetsTheTargetWithTheSmallestSigma() {
        PrivacyPlan without = PrivacyPlan.of(mnist().targetEpsilon(3.0).build());
        PrivacyPlan p = PrivacyPlan.of(mnist().targetEpsilon(3.0).normalizationNoise(8.0).build());
        assertEquals(T, p.steps());
        assertEquals(Q, p.samplingRate(), 0);
        assertTrue(p.calibrated());
        assertEquals(8.0, p.normalizationNoise().getAsDouble(), 0);
        assertTrue(p.epsilon() <= 3.0, p.toString());
        assertEquals(AccountantName.PLD, p.accountant());

        // The whole composition, on fresh accountants.
        assertEquals(List.of(NORM8, new DpEvent(Q, p.noiseMultiplier(), T)), p.events());
        assertEquals(pld(p.events()), p.pldEpsilon(), 0);
        assertEquals(rdp(p.events()), p.rdpEpsilon(), 0);
        assertEquals(Math.min(p.rdpEpsilon(), p.pldEpsilon()), p.epsilon(), 0);

        // More training noise than without normalization (2.4575 then), and the smallest by PLD.
        assertEquals(2.4575, without.noiseMultiplier(), 1e-4);
        assertEquals(2.5257, p.noiseMultiplier(), 1e-4);
        assertTrue(p.noiseMultiplier() > without.noiseMultiplier());
        assertTrue(pld(List.of(NORM8, new DpEvent(Q, p.noiseMultiplier() * (1 - 1e-4), T))) > 3.0);
    }

    @Test
    void givenSigma_boundsTheComposition_andProgressStartsAtTheNormalization() {
        PrivacyPlan p = PrivacyPlan.of(PlanRequest.builder().samplingRate(0.01).steps(1000L).delta(DELTA)
                .noiseMultiplier(1.1).normalizationNoise(2.0).build());
        DpEvent norm = new DpEvent(1.0, 2.0, 2);
        DpEvent train = new DpEvent(0.01, 1.1, 1000);
        assertFalse(p.calibrated());
        assertEquals(Optional.of(norm), p.normalizationEvent());
        assertEquals(List.of(norm, train), p.events());
        PrivacyBound b = BestAccountant.bound(List.of(norm, train), DELTA);
        assertEquals(b.rdpEpsilon(), p.rdpEpsilon(), 0);
        assertEquals(b.pldEpsilon(), p.pldEpsilon(), 0);
        assertEquals(b.epsilon(), p.epsilon(), 0);
        assertEquals(rdp(List.of(norm, train)), p.rdpEpsilon(), 0);

        // Normalization alone: best of RDP and PLD of DpEvent(1, 2, 2).
        double alone = Math.min(rdp(List.of(norm)), pld(List.of(norm)));
        assertTrue(alone > 0);
        assertEquals(alone, p.normalizationEpsilon(), 0);
        assertEquals(p.normalizationEpsilon(), p.epsilonAfter(0), 0);
        assertEquals(p.epsilon(), p.epsilonAfter(p.steps()), 0);
        double half = p.epsilonAfter(500);
        assertEquals(BestAccountant.bound(List.of(norm, train.withSteps(500)), DELTA).epsilon(), half, 0);
        assertTrue(p.epsilonAfter(0) < half && half < p.epsilon());
        // boundAfter: both accountants; on the default grid the same as epsilonAfter, on a coarser one an upper bound
        PrivacyBound atHalf = p.boundAfter(500, PldAccountant.DEFAULT_INTERVAL);
        assertEquals(BestAccountant.bound(List.of(norm, train.withSteps(500)), DELTA), atHalf);
        PrivacyBound coarse = p.boundAfter(500, 1e-3);
        assertEquals(atHalf.rdpEpsilon(), coarse.rdpEpsilon(), 0);
        assertTrue(coarse.pldEpsilon() >= atHalf.pldEpsilon() && coarse.pldEpsilon() < atHalf.pldEpsilon() * 1.01,
                coarse + " vs " + atHalf);
        assertEquals(BestAccountant.bound(List.of(norm), DELTA), p.boundAfter(0, PldAccountant.DEFAULT_INTERVAL));

        // Strictly more than the training alone.
        PrivacyPlan plain = PrivacyPlan.of(PlanRequest.builder().samplingRate(0.01).steps(1000L).delta(DELTA)
                .noiseMultiplier(1.1).build());
        assertTrue(p.epsilon() > plain.epsilon());
    }

    @Test
    void withoutNormalization_plansAreUnchanged() {
        PrivacyPlan p = PrivacyPlan.of(PlanRequest.builder().samplingRate(0.01).steps(1000L).delta(DELTA)
                .noiseMultiplier(1.1).build());
        assertFalse(p.normalizationNoise().isPresent());
        assertFalse(p.normalizationEvent().isPresent());
        assertEquals(List.of(new DpEvent(0.01, 1.1, 1000)), p.events());
        assertEquals(0.0, p.normalizationEpsilon(), 0);
        assertEquals(0.0, p.epsilonAfter(0), 0);
        assertEquals(p.epsilon(), p.epsilonAfter(1000), 0);
        assertEquals(BestAccountant.bound(p.events(), DELTA).epsilon(), p.epsilon(), 0);
        // The old constructors still build a plan without normalization.
        PrivacyPlan old = new PrivacyPlan(p.samplingRate(), p.noiseMultiplier(), p.steps(), p.delta(), p.epsilon(),
                p.accountant(), p.calibrated(), p.rdpEpsilon(), p.pldEpsilon(), p.targetEpsilon(), p.rows());
        assertEquals(p, old);
        assertEquals(p, new PrivacyPlan(p.samplingRate(), p.noiseMultiplier(), p.steps(), p.delta(), p.epsilon(),
                p.accountant(), p.calibrated(), p.rdpEpsilon(), p.pldEpsilon(), p.targetEpsilon(), p.rows(),
                Optional.empty()));
    }

    @Test
    void normalizationSpendingTheTarget_isRefusedNamingEpsilonAndTheNormalization() {
        // DpEvent(1, 8, 2) alone spends 0.634 (PLD) at 1e-5: a target of 0.5 leaves no room for training.
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> PrivacyPlan.of(
                PlanRequest.builder().samplingRate(0.01).steps(1000L).delta(DELTA).targetEpsilon(0.5)
                        .normalizationNoise(8.0).build()));
        assertEquals(List.of("epsilon"), e.parameters());
        assertTrue(e.getMessage().contains("normalization alone spends epsilon 0.63"), e.getMessage());
    }

    @Test
    void givenSigmaAboveTheCeiling_withNormalization_isRefusedSayingSo() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> PrivacyPlan.of(
                PlanRequest.builder().samplingRate(0.01).steps(1000L).delta(DELTA).noiseMultiplier(1.1)
                        .normalizationNoise(0.3).build()));
        assertEquals(List.of("noiseMultiplier", "allowWeakPrivacy"), e.parameters());
        assertTrue(e.getMessage().contains("normalization"), e.getMessage());
    }

    @Test
    void constructor_refusesABadOrMisplacedNormalization() {
        assertThrows(IllegalArgumentException.class, () -> new PrivacyPlan(0.01, 1.1, 10, DELTA, 1, AccountantName.PLD,
                false, 1, 1, OptionalDouble.empty(), OptionalLong.empty(), Optional.empty(),
                OptionalDouble.of(Double.NaN)));
        assertThrows(IllegalArgumentException.class, () -> new PrivacyPlan(0.01, 0.0, 10, 0.0,
                Double.POSITIVE_INFINITY, AccountantName.RDP, false, Double.POSITIVE_INFINITY,
                Double.POSITIVE_INFINITY, OptionalDouble.empty(), OptionalLong.empty(), Optional.empty(),
                OptionalDouble.of(8.0)));
        assertThrows(NullPointerException.class, () -> new PrivacyPlan(0.01, 1.1, 10, DELTA, 1, AccountantName.PLD,
                false, 1, 1, OptionalDouble.empty(), OptionalLong.empty(), Optional.empty(), null));
    }
}
