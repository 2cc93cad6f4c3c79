package org.dpspark.datasets.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.dpspark.core.params.InvalidParameterException;
import org.junit.jupiter.api.Test;

class MaskingTest {
    private static final String GRIN = "\uD83D\uDE00"; // U+1F600, one code point, two chars

    @Test
    void keepLast_masksAllButLastK() {
        assertEquals("************1234", Masking.keepLast("4111111111111234", 4, '*'));
        assertEquals("#####6789", Masking.keepLast("123456789", 4, '#'));
        assertEquals("xxxxx", Masking.keepLast("12345", 0, 'x'));
    }

    @Test
    void keepLast_valuesNoLongerThanKBecomeAllMask() {
        assertEquals("****", Masking.keepLast("1234", 4, '*'));
        assertEquals("**", Masking.keepLast("12", 4, '*'));
        assertEquals("*", Masking.keepLast("5", 1, '*'));
    }

    @Test
    void keepLast_nullAndEmpty() {
        assertNull(Masking.keepLast(null, 4, '*'));
        assertEquals("", Masking.keepLast("", 4, '*'));
        assertEquals("", Masking.keepLast("", 0, '*'));
    }

    @Test
    void keepLast_countsSurrogatePairsAsOneCharacter() {
        assertEquals("**b" + GRIN, Masking.keepLast("a" + GRIN + "b" + GRIN, 2, '*'));
        assertEquals("***" + GRIN, Masking.keepLast(GRIN + GRIN + GRIN + GRIN, 1, '*'));
        // A value of k code points (but 2k chars) is fully masked, one mask per code point.
        assertEquals("**", Masking.keepLast(GRIN + GRIN, 2, '*'));
        assertEquals("**", Masking.keepLast(GRIN + GRIN, 3, '*'));
    }

    @Test
    void keepLast_refusesNegativeKAndSurrogateMask() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> Masking.keepLast("secret", -1, '*'));
        assertEquals(List.of("maskKeepLast"), e.parameters());
        assertEquals("maskKeepLast must be >= 0, got -1", e.getMessage());
        assertThrows(InvalidParameterException.class, () -> Masking.keepLast("secret", 1, '\uD83D'));
    }

    @Test
    void email_masksLocalPartExceptFirstCharacter() {
        assertEquals("a****@example.org", Masking.email("alice@example.org"));
        assertEquals("b@x.io", Masking.email("b@x.io"));
        assertEquals("j*******@mail.example.com", Masking.email("john.doe@mail.example.com"));
    }

    @Test
    void email_splitsAtTheLastAt() {
        assertEquals("\"******@example.org", Masking.email("\"a@b.c\"@example.org"));
    }

    @Test
    void email_countsSurrogatePairsAsOneCharacter() {
        assertEquals(GRIN + "**@example.org", Masking.email(GRIN + GRIN + "x@example.org"));
        assertEquals("z**@d.org", Masking.email("z" + GRIN + "y@d.org"));
    }

    @Test
    void email_malformedIsMaskedEntirely() {
        assertNull(Masking.email(null));
        assertEquals("", Masking.email(""));
        assertEquals("*********", Masking.email("not-email"));
        assertEquals("**********", Masking.email("@example.o"));
        assertEquals("**", Masking.email(GRIN + "x"));
    }

    @Test
    void email_keepsEmptyDomain() {
        assertEquals("a**@", Masking.email("abc@"));
    }
}
