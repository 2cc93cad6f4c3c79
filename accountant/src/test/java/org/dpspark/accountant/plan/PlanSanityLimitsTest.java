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

/**
 * The sanity limits: a target or claimed epsilon above the ceiling, or a noise multiplier (given or calibrated) below
 * the minimum, is refused naming the parameter and allowWeakPrivacy, unless allowWeakPrivacy.
 */
class PlanSanityLimitsTest {
    private static final UnaryOperator<String> CLI = p -> Map.of("epsilon", "--epsilon", "noiseMultiplier",
            "--noise-multiplier", "allowWeakPrivacy", "--allow-weak-privacy").getOrDefault(p, p);

    private static PlanRequest.Builder q() {
        return PlanRequest.builder().samplingRate(0.01).steps(1000).delta(1e-5);
    }

    private static InvalidParameterException refused(PlanRequest.Builder b) {
        return assertThrows(InvalidParameterException.class, () -> PrivacyPlan.of(b.build()));
    }

    @Test
    void defaults_areTenAndPointThree() {
        assertEquals(10.0, PlanRequest.DEFAULT_EPSILON_CEILING);
        assertEquals(0.3, PlanRequest.MIN_NOISE_MULTIPLIER);
        PlanRequest r = q().noiseMultiplier(1.0).build();
        assertEquals(10.0, r.epsilonCeiling());
        assertFalse(r.allowWeakPrivacy());
    }

    @Test
    void targetEpsilonAboveTheCeiling_isRefused_sayingWhatItMeans_unlessAllowed() {
        InvalidParameterException e = refused(q().targetEpsilon(1e6));
        assertEquals(List.of("epsilon", "allowWeakPrivacy"), e.parameters());
        String m = e.render(CLI);
        assertTrue(m.startsWith("--epsilon 1e+06 is above the ceiling of 10: an epsilon of 1e+06 promises nothing"), m);
        assertTrue(m.contains("attacker's confidence about any one person's presence to grow by a factor of up to "
                + "e^1e+06") && m.endsWith("pass --allow-weak-privacy to run it anyway"), m);
        assertFalse(m.contains("\n"));
        assertEquals(List.of("epsilon", "allowWeakPrivacy"), refused(q().targetEpsilon(Math.nextUp(10.0))).parameters());
        PrivacyPlan.of(q().targetEpsilon(10.0).build()); // at the ceiling: fine
        PrivacyPlan p = PrivacyPlan.of(q().targetEpsilon(12.0).allowWeakPrivacy(true).build());
        assertTrue(p.epsilon() <= 12.0);
    }

    @Test
    void ceiling_isConfigurable_andValidated() {
        assertEquals(List.of("epsilon", "allowWeakPrivacy"), refused(q().targetEpsilon(3.0).epsilonCeiling(2.0))
                .parameters());
        assertTrue(refused(q().targetEpsilon(3.0).epsilonCeiling(2.0)).getMessage().contains("ceiling of 2"));
        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertEquals(List.of("epsilonCeiling"), refused(q().noiseMultiplier(1.0).epsilonCeiling(bad)).parameters());
        }
    }

    @Test
    void givenNoiseMultiplierBelowTheMinimum_isRefused_unlessAllowed() {
        InvalidParameterException e = refused(q().noiseMultiplier(0.29));
        assertEquals(List.of("noiseMultiplier", "allowWeakPrivacy"), e.parameters());
        String m = e.render(CLI);
        assertTrue(m.startsWith("--noise-multiplier is 0.29, below the minimum of 0.3:"), m);
        assertTrue(m.endsWith("pass --allow-weak-privacy to run it anyway"), m);
        q().noiseMultiplier(0.3).build(); // the minimum itself passes the request's rule (its plan claims epsilon > 10)
        PrivacyPlan.of(q().noiseMultiplier(0.29).allowWeakPrivacy(true).build());
    }

    @Test
    void claimedEpsilonAboveTheCeiling_smallSigmaOverManySteps_isRefusedNamingTheNoiseMultiplier() {
        // sigma 0.5 is above the minimum, but over 10,000 steps at q = 0.05 it claims an epsilon far above 10.
        PlanRequest.Builder b = PlanRequest.builder().samplingRate(0.05).steps(10000).delta(1e-5).noiseMultiplier(0.5);
        InvalidParameterException e = refused(b);
        assertEquals(List.of("noiseMultiplier", "allowWeakPrivacy"), e.parameters());
        String m = e.render(CLI);
        assertTrue(m.startsWith("--noise-multiplier 0.5 over 10000 steps at q = 0.05 gives epsilon "), m);
        assertTrue(m.contains("is above the ceiling of 10") && m.contains("--allow-weak-privacy"), m);
        assertTrue(PrivacyPlan.of(b.allowWeakPrivacy(true).build()).epsilon() > 10);
    }

    @Test
    void calibratedNoiseMultiplierBelowTheMinimum_isRefusedNamingTheTarget() {
        // A target of 9 over one step at q = 0.001 needs almost no noise.
        PlanRequest.Builder b = PlanRequest.builder().samplingRate(0.001).steps(1).delta(1e-5).targetEpsilon(9.0);
        InvalidParameterException e = refused(b);
        assertEquals(List.of("epsilon", "allowWeakPrivacy"), e.parameters());
        assertTrue(e.render(CLI).startsWith("--epsilon 9 over 1 steps at q = 0.001 calibrates the noise multiplier to "),
                e.render(CLI));
        assertTrue(PrivacyPlan.of(b.allowWeakPrivacy(true).build()).noiseMultiplier() < 0.3);
    }
}
