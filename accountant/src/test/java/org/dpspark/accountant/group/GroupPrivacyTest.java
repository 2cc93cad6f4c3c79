package org.dpspark.accountant.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GroupPrivacyTest {

    @Test
    void oneRow_isTheRowGuarantee() {
        GroupPrivacy g = GroupPrivacy.of(1.5, 1e-5, 1);
        assertEquals(1.5, g.epsilon(), 0.0);
        assertEquals(1e-5, g.delta(), 0.0);
    }

    @Test
    void kRows_scaleEpsilonByK_andDeltaByKTimesExpOfKMinusOneEpsilon() {
        GroupPrivacy g = GroupPrivacy.of(0.5, 1e-6, 4);
        assertEquals(2.0, g.epsilon(), 1e-15);
        assertEquals(4 * Math.exp(1.5) * 1e-6, g.delta(), 1e-18);
        assertTrue(g.meaningful());
    }

    @Test
    void manyRows_deltaReachesOne_andPromisesNothing() {
        GroupPrivacy g = GroupPrivacy.of(1.0, 1e-5, 50);
        assertEquals(50.0, g.epsilon(), 0.0);
        assertEquals(1.0, g.delta(), 0.0);
        assertFalse(g.meaningful());
    }

    @Test
    void badArguments_areRefused() {
        assertThrows(IllegalArgumentException.class, () -> GroupPrivacy.of(Double.NaN, 1e-5, 2));
        assertThrows(IllegalArgumentException.class, () -> GroupPrivacy.of(1, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> GroupPrivacy.of(1, 1e-5, 0));
    }
}
