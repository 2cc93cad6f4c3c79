package org.dpspark.core.params;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChecksTest {

    @Test
    void positive_rejectsNaNBothInfinitiesZeroAndNegative() {
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -1.0}) {
            InvalidParameterException e = assertThrows(InvalidParameterException.class,
                    () -> Checks.positive("clipNorm", bad));
            assertEquals(List.of("clipNorm"), e.parameters());
        }
        assertEquals(0.5, Checks.positive("clipNorm", 0.5));
    }

    @Test
    void intervals_rejectNaNAndInfinities() {
        assertThrows(InvalidParameterException.class, () -> Checks.openInterval("delta", Double.NaN, 0, 1));
        assertThrows(InvalidParameterException.class, () -> Checks.openInterval("delta", 1.0, 0, 1));
        assertThrows(InvalidParameterException.class, () -> Checks.halfOpen("momentum", Double.NaN, 0, 1));
        assertThrows(InvalidParameterException.class, () -> Checks.nonNegative("x", Double.POSITIVE_INFINITY));
        assertEquals(0.0, Checks.halfOpen("momentum", 0.0, 0, 1));
    }

    @Test
    void render_namesTheParameterInTheCallersVocabulary() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> Checks.positive("clipNorm", Double.NaN));
        assertEquals("clipNorm must be a finite number > 0, got NaN", e.getMessage());
        assertEquals("--clip-norm must be a finite number > 0, got NaN", e.render(p -> "--clip-norm"));
    }

    @Test
    void exactlyOne_namesBothParameters() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> Checks.exactlyOne("epsilon", true, "noiseMultiplier", true));
        assertEquals("give exactly one of epsilon and noiseMultiplier", e.getMessage());
        assertEquals("give exactly one of --epsilon and --noise-multiplier",
                e.render(p -> "--" + p.replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT)));
        Checks.exactlyOne("epsilon", true, "noiseMultiplier", false);
    }
}
