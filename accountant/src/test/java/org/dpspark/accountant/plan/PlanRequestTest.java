package org.dpspark.accountant.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.dpspark.core.params.InvalidParameterException;
import org.junit.jupiter.api.Test;

/** Every rule of {@link PlanRequest}: each bad value is refused naming its parameter canonically. */
class PlanRequestTest {

    private static final double[] NOT_POSITIVE = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0,
        -0.0, -1.0, -Double.MIN_VALUE};

    /** A valid request: N 60000, B 256, 15 epochs, delta 1e-5, sigma 1.1. */
    private static PlanRequest.Builder valid() {
        return PlanRequest.builder().rows(60000).batchSize(256).epochs(15.0).delta(1e-5).noiseMultiplier(1.1);
    }

    /** A valid request without N: q 0.01, 1000 steps, delta 1e-5, sigma 1.1. */
    private static PlanRequest.Builder validQ() {
        return PlanRequest.builder().samplingRate(0.01).steps(1000).delta(1e-5).noiseMultiplier(1.1);
    }

    private static void assertRefused(PlanRequest.Builder b, String... parameters) {
        InvalidParameterException e = assertThrows(InvalidParameterException.class, b::build);
        assertEquals(List.of(parameters), e.parameters(), e.getMessage());
    }

    @Test
    void build_batchSizeAndEpochs_derivesQAndTAsDpTrain() {
        PlanRequest r = valid().build();
        assertEquals(256 / 60000.0, r.samplingRate(), 0);
        assertEquals((long) Math.floor(15.0 * 60000 / 256), r.steps());
        assertEquals(3515, r.steps());
        assertEquals(60000, r.rows().getAsLong());
        assertEquals(256, r.batchSize().getAsLong());
        assertEquals(1.1, r.noiseMultiplier().getAsDouble(), 0);
        assertFalse(r.targetEpsilon().isPresent());
        assertEquals(14062, valid().epochs(60.0).build().steps()); // 14062.5 floored
    }

    @Test
    void build_samplingRateAndEpochs_stepsAreFloorOfEpochsOverQ() {
        assertEquals(250, PlanRequest.builder().samplingRate(0.04).epochs(10.0).delta(1e-5).targetEpsilon(1.0).build()
                .steps());
        assertEquals(1000, validQ().build().steps());
        assertFalse(validQ().build().rows().isPresent());
    }

    @Test
    void rows_belowOne_refused() {
        assertRefused(valid().rows(0), "rows");
        assertRefused(valid().rows(-60000), "rows");
        assertRefused(valid().rows(Long.MIN_VALUE), "rows");
        assertEquals(1.0, PlanRequest.builder().rows(1).batchSize(1).steps(1).delta(0.5).noiseMultiplier(1.0).build()
                .samplingRate(), 0);
    }

    @Test
    void batchSize_outsideOneToN_refused_boundariesAccepted() {
        assertRefused(valid().batchSize(0), "batchSize", "rows");
        assertRefused(valid().batchSize(-1), "batchSize", "rows");
        assertRefused(valid().batchSize(60001), "batchSize", "rows");
        assertRefused(valid().batchSize(Long.MAX_VALUE), "batchSize", "rows");
        assertEquals(1.0, valid().batchSize(60000).build().samplingRate(), 0);
        assertEquals(1 / 60000.0, valid().batchSize(1).build().samplingRate(), 0);
    }

    @Test
    void batchSize_withoutRows_refusedNamingBoth() {
        assertRefused(valid().rows((Long) null), "batchSize", "rows");
    }

    @Test
    void samplingRate_outsideZeroOne_refused_oneAccepted() {
        for (double q : NOT_POSITIVE) {
            assertRefused(validQ().samplingRate(q), "samplingRate");
        }
        assertRefused(validQ().samplingRate(Math.nextUp(1.0)), "samplingRate");
        assertRefused(validQ().samplingRate(2.0), "samplingRate");
        assertEquals(1.0, validQ().samplingRate(1.0).build().samplingRate(), 0);
        assertEquals(Double.MIN_VALUE, validQ().samplingRate(Double.MIN_VALUE).build().samplingRate(), 0);
    }

    @Test
    void batchSizeAndSamplingRate_exactlyOne() {
        assertRefused(valid().samplingRate(0.01), "batchSize", "samplingRate");
        assertRefused(validQ().samplingRate((Double) null), "batchSize", "samplingRate");
    }

    @Test
    void epochs_notFinitePositive_refused() {
        for (double e : NOT_POSITIVE) {
            assertRefused(valid().epochs(e), "epochs");
            assertRefused(validQ().steps((Long) null).epochs(e), "epochs");
        }
    }

    @Test
    void epochs_tiny_giveOneStep() {
        assertEquals(1, valid().epochs(Double.MIN_VALUE).build().steps());
        assertEquals(1, valid().epochs(1e-9).build().steps());
    }

    @Test
    void epochs_aboveTheStepLimit_refused_atTheLimitAccepted() {
        // q = 1/2: T = 2E.
        PlanRequest.Builder half = PlanRequest.builder().rows(1000).batchSize(500).delta(1e-5).noiseMultiplier(1.0);
        assertEquals(PlanRequest.MAX_STEPS, half.epochs(PlanRequest.MAX_STEPS / 2.0).build().steps());
        assertEquals(PlanRequest.MAX_STEPS, half.epochs(PlanRequest.MAX_STEPS / 2.0 + 0.25).build().steps());
        assertRefused(half.epochs(PlanRequest.MAX_STEPS / 2.0 + 0.5), "epochs");
        assertRefused(half.epochs(1e12), "epochs");
        assertRefused(half.epochs(Double.MAX_VALUE), "epochs");
        assertRefused(validQ().steps((Long) null).samplingRate(Double.MIN_VALUE).epochs(1.0), "epochs");
        assertTrue(assertThrows(InvalidParameterException.class, () -> half.epochs(1e12).build()).getMessage()
                .contains("above the limit of 100000000 steps"));
    }

    @Test
    void steps_belowOneOrAboveTheLimit_refused() {
        assertRefused(validQ().steps(0), "steps");
        assertRefused(validQ().steps(-1), "steps");
        assertRefused(validQ().steps(Long.MIN_VALUE), "steps");
        assertRefused(validQ().steps(PlanRequest.MAX_STEPS + 1), "steps");
        assertRefused(validQ().steps(Long.MAX_VALUE), "steps");
        assertEquals(PlanRequest.MAX_STEPS, validQ().steps(PlanRequest.MAX_STEPS).build().steps());
        assertEquals(1, validQ().steps(1).build().steps());
    }

    @Test
    void epochsAndSteps_exactlyOne() {
        assertRefused(valid().steps(100), "epochs", "steps");
        assertRefused(valid().epochs((Double) null), "epochs", "steps");
    }

    @Test
    void delta_outsideZeroOne_refused() {
        for (double d : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -1e-5, 1.0,
            1.5}) {
            assertRefused(validQ().delta(d), "delta");
        }
        assertEquals(0.5, validQ().delta(0.5).build().delta(), 0); // no N: only (0, 1)
        assertRefused(PlanRequest.builder().samplingRate(0.01).steps(10).noiseMultiplier(1.0), "delta"); // required
    }

    @Test
    void delta_atOrAboveOneOverN_refused_justBelowAccepted() {
        assertRefused(valid().delta(1.0 / 60000), "delta", "rows");
        assertRefused(valid().delta(1e-4), "delta", "rows");
        assertEquals(Math.nextDown(1.0 / 60000), valid().delta(Math.nextDown(1.0 / 60000)).build().delta(), 0);
        // N known with q given directly: the rule applies too.
        assertRefused(validQ().rows(1000).delta(1e-3), "delta", "rows");
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> valid().delta(1e-4).build());
        assertTrue(e.getMessage().contains("publishing a whole row"), e.getMessage());
    }

    @Test
    void epsilonAndNoiseMultiplier_notFinitePositive_refused() {
        for (double v : NOT_POSITIVE) {
            if (v == 0.0) {
                // zero noise is its own mode, named: only --no-dp may ask for it
                assertRefused(valid().noiseMultiplier(v), "noiseMultiplier", "noDp");
            } else {
                assertRefused(valid().noiseMultiplier(v), "noiseMultiplier");
            }
            assertRefused(valid().noiseMultiplier((Double) null).targetEpsilon(v), "epsilon");
        }
    }

    @Test
    void epsilonAndNoiseMultiplier_exactlyOne() {
        assertRefused(valid().targetEpsilon(1.0), "noiseMultiplier", "epsilon");
        assertRefused(valid().noiseMultiplier((Double) null), "noiseMultiplier", "epsilon");
    }

    @Test
    void errors_renderInTheCallersVocabulary() {
        Map<String, String> flags = Map.of("rows", "--rows", "delta", "--delta", "batchSize", "--batch-size");
        UnaryOperator<String> cli = p -> flags.getOrDefault(p, p);
        InvalidParameterException delta = assertThrows(InvalidParameterException.class,
                () -> valid().delta(1e-4).build());
        assertTrue(delta.render(cli).startsWith("--delta 1.0E-4 must be < 1/N = 1.6666666666666667E-5 (N = 60000, --rows)"),
                delta.render(cli));
        InvalidParameterException batch = assertThrows(InvalidParameterException.class,
                () -> valid().batchSize(60001).build());
        assertEquals("--batch-size must be an integer in [1, --rows], got 60001 (N = 60000)", batch.render(cli));
    }

    @Test
    void nonPrivate_noNoiseNoEpsilon_planClaimsNothing() {
        PlanRequest r = valid().noiseMultiplier((Double) null).nonPrivate(true).build();
        assertTrue(r.nonPrivate());
        assertEquals(0.0, r.noiseMultiplier().getAsDouble(), 0);
        PrivacyPlan plan = PrivacyPlan.of(r);
        assertTrue(plan.nonPrivate());
        assertEquals(Double.POSITIVE_INFINITY, plan.epsilon(), 0);
        assertEquals(Double.POSITIVE_INFINITY, plan.epsilonAfter(10), 0);
        assertEquals(3515, plan.steps());
        assertThrows(IllegalStateException.class, plan::events); // no ledger can record it
        // sigma 0 given explicitly is the same request
        assertTrue(PrivacyPlan.of(valid().noiseMultiplier(0.0).nonPrivate(true).build()).nonPrivate());
        // an ordinary plan is never non-private
        assertFalse(PrivacyPlan.of(valid().build()).nonPrivate());
    }

    @Test
    void nonPrivate_withEpsilonNoiseOrSecureAggregation_refused() {
        assertRefused(valid().noiseMultiplier((Double) null).targetEpsilon(1.0).nonPrivate(true), "noDp", "epsilon");
        assertRefused(valid().noiseMultiplier(1.1).nonPrivate(true), "noDp", "noiseMultiplier");
        assertRefused(valid().noiseMultiplier((Double) null).nonPrivate(true)
                .secureAggregation("masking", 40, 2, 0, 10, 1.0), "noDp", "secureAggregation");
    }
}
