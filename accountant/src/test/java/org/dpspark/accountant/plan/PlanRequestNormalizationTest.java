package org.dpspark.accountant.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.dpspark.core.params.InvalidParameterException;
import org.junit.jupiter.api.Test;

/** The rules of {@link PlanRequest}'s {@code normalizationNoise} (DP data normalization, Tramer and Boneh 2021). */
class PlanRequestNormalizationTest {

    private static PlanRequest.Builder valid() {
        return PlanRequest.builder().rows(60000).batchSize(256).epochs(15.0).delta(1e-5).noiseMultiplier(1.1);
    }

    private static InvalidParameterException assertRefused(PlanRequest.Builder b, String... parameters) {
        InvalidParameterException e = assertThrows(InvalidParameterException.class, b::build);
        assertEquals(List.of(parameters), e.parameters(), e.getMessage());
        return e;
    }

    @Test
    void normalizationNoise_optional_keptAndShown() {
        assertFalse(valid().build().normalizationNoise().isPresent());
        assertFalse(valid().normalizationNoise((Double) null).build().normalizationNoise().isPresent());
        PlanRequest r = valid().normalizationNoise(8.0).build();
        assertEquals(8.0, r.normalizationNoise().getAsDouble(), 0);
        assertTrue(r.toString().contains("normalizationNoise=8.0"), r.toString());
        assertFalse(valid().build().toString().contains("normalizationNoise"));
        assertEquals(0.3, valid().normalizationNoise(Double.valueOf(0.3)).build().normalizationNoise().getAsDouble(),
                0);
    }

    @Test
    void normalizationNoise_notFiniteOrNotPositive_refused() {
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -1.0}) {
            assertRefused(valid().normalizationNoise(bad), "normalizationNoise");
            assertRefused(valid().normalizationNoise(bad).allowWeakPrivacy(true), "normalizationNoise");
        }
    }

    @Test
    void normalizationNoise_belowTheMinimum_refusedUnlessWeakPrivacyIsAllowed() {
        InvalidParameterException e = assertRefused(valid().normalizationNoise(0.1), "normalizationNoise",
                "allowWeakPrivacy");
        assertTrue(e.getMessage().contains("below the minimum of 0.3"), e.getMessage());
        assertEquals(0.1, valid().normalizationNoise(0.1).allowWeakPrivacy(true).build().normalizationNoise()
                .getAsDouble(), 0);
    }

    @Test
    void normalizationNoise_nonPrivate_refused() {
        assertRefused(PlanRequest.builder().rows(60000).batchSize(256).epochs(15.0).nonPrivate(true)
                .normalizationNoise(8.0), "noDp", "normalizationNoise");
    }

    @Test
    void normalizationNoise_secureAggregation_refused() {
        assertRefused(valid().secureAggregation("masking", 20, 4, 0, 100, 1.0).normalizationNoise(8.0),
                "normalizationNoise", "secureAggregation");
        // Without normalization the same request is valid.
        assertTrue(valid().secureAggregation("masking", 20, 4, 0, 100, 1.0).build().secureAggregation().isPresent());
    }
}
