package org.dpspark.accountant.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.dpspark.accountant.AccountantName;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.PrivacyBound;
import org.dpspark.accountant.best.BestAccountant;
import org.dpspark.accountant.calibration.BestCalibration;
import org.dpspark.core.params.InvalidParameterException;
import org.junit.jupiter.api.Test;

/**
 * {@link PrivacyPlan} against the accountants' golden values (RdpAccountantTest, PldAccountantTest: q = 256/60000,
 * sigma = 1.1, T = 14063, delta = 1e-5 gives RDP 2.60, as the reference's remark, and PLD 2.381779, inside
 * dp_accounting's window) and against the best-of rule applied independently.
 */
class PrivacyPlanTest {

    private static final double Q = 256 / 60000.0;

    @Test
    void plan_givenSigma_claimsTheSmallerBoundAndNamesIt() {
        PrivacyPlan p = PrivacyPlan.of(PlanRequest.builder().samplingRate(Q).steps(14063).delta(1e-5)
                .noiseMultiplier(1.1).build());
        assertEquals(2.381779, p.pldEpsilon(), 1e-6);
        assertEquals(2.60, p.rdpEpsilon(), 0.005);
        assertEquals(p.pldEpsilon(), p.epsilon(), 0);
        assertEquals(AccountantName.PLD, p.accountant());
        assertFalse(p.calibrated());
        assertFalse(p.targetEpsilon().isPresent());
        assertFalse(p.rows().isPresent());
        assertEquals(Q, p.samplingRate(), 0);
        assertEquals(1.1, p.noiseMultiplier(), 0);
        assertEquals(14063, p.steps());
        assertEquals(1e-5, p.delta(), 0);
        assertEquals(List.of(new DpEvent(Q, 1.1, 14063)), p.events());
        PrivacyBound b = BestAccountant.bound(p.events(), 1e-5);
        assertEquals(b.epsilon(), p.epsilon(), 0);
        assertEquals(b.rdpEpsilon(), p.rdpEpsilon(), 0);
    }

    @Test
    void plan_fromRowsBatchAndEpochs_isDpTrainsPlan() {
        PrivacyPlan p = PrivacyPlan.of(PlanRequest.builder().rows(60000).batchSize(256).epochs(60.0).delta(1e-5)
                .noiseMultiplier(1.1).build());
        assertEquals(14062, p.steps()); // floor(60 * 60000 / 256) = floor(14062.5)
        assertEquals(Q, p.samplingRate(), 0);
        assertEquals(60000, p.rows().getAsLong());
        assertEquals(2.38, p.epsilon(), 0.01);
        assertEquals(BestAccountant.bound(List.of(new DpEvent(Q, 1.1, 14062)), 1e-5).epsilon(), p.epsilon(), 0);
    }

    @Test
    void epsilonAfter_followsTheClaimsRule_zeroForNoSteps() {
        PrivacyPlan p = PrivacyPlan.of(PlanRequest.builder().samplingRate(0.01).steps(500).delta(1e-5)
                .noiseMultiplier(1.0).build());
        assertEquals(0.0, p.epsilonAfter(0), 0);
        assertEquals(p.epsilon(), p.epsilonAfter(500), 0);
        double half = p.epsilonAfter(250);
        assertEquals(BestAccountant.bound(List.of(new DpEvent(0.01, 1.0, 250)), 1e-5).epsilon(), half, 0);
        assertTrue(half > 0 && half < p.epsilon());
        assertThrows(IllegalArgumentException.class, () -> p.epsilonAfter(-1));
    }

    @Test
    void plan_givenTarget_calibratesTheSmallestSigma_claimAtMostTheTarget() {
        PlanRequest r = PlanRequest.builder().samplingRate(Q).steps(14063).delta(1e-5).targetEpsilon(2.38).build();
        PrivacyPlan.Detailed d = PrivacyPlan.detailed(r);
        PrivacyPlan p = d.plan();
        BestCalibration cal = BestCalibration.of(2.38, 1e-5, Q, 14063);
        assertEquals(cal, d.calibration().orElseThrow());
        assertEquals(cal.best(), p.noiseMultiplier(), 0);
        assertTrue(p.calibrated());
        assertEquals(2.38, p.targetEpsilon().getAsDouble(), 0);
        assertTrue(p.epsilon() <= 2.38, "" + p.epsilon());
        assertEquals(AccountantName.PLD, p.accountant());
        assertTrue(p.noiseMultiplier() > 1.1 && p.noiseMultiplier() < 1.101, "" + p.noiseMultiplier()); // 2.3818 at 1.1
        // The claim reuses the calibration's evaluation; it must be what the best-of accountant says, bit for bit.
        PrivacyBound b = BestAccountant.bound(p.events(), 1e-5);
        assertEquals(b, new PrivacyBound(p.rdpEpsilon(), p.pldEpsilon(), p.epsilon(), p.accountant()));
        assertEquals(p, PrivacyPlan.of(r));
    }

    @Test
    void plan_unreachableTarget_refusedNamingEpsilon() {
        // One step without subsampling: epsilon 1e-6 needs a sigma beyond the calibration's range.
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> PrivacyPlan.of(
                PlanRequest.builder().samplingRate(1.0).steps(1).delta(1e-5).targetEpsilon(1e-6).build()));
        assertEquals(List.of("epsilon"), e.parameters());
    }

    @Test
    void plan_atTheStepLimit_isComputed() {
        PrivacyPlan p = PrivacyPlan.of(PlanRequest.builder().samplingRate(1e-6).steps(PlanRequest.MAX_STEPS)
                .delta(1e-7).noiseMultiplier(1.0).build());
        assertTrue(p.epsilon() > 0 && p.epsilon() < Double.POSITIVE_INFINITY, "" + p.epsilon());
    }
}
