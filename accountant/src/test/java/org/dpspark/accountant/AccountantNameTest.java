package org.dpspark.accountant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AccountantNameTest {

    @Test
    void jsonNames_areTheLedgersStrings_andParseBack() {
        assertEquals("rdp", AccountantName.RDP.jsonName());
        assertEquals("pld", AccountantName.PLD.jsonName());
        assertEquals("min(rdp,pld)", AccountantName.BEST.jsonName());
        for (AccountantName a : AccountantName.values()) {
            assertEquals(a, AccountantName.parse(a.jsonName()));
        }
        assertEquals(AccountantName.PLD, AccountantName.parse(" PLD "));
    }

    @Test
    void parse_unknownName_listsTheNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AccountantName.parse("gdp"));
        assertTrue(e.getMessage().contains("'rdp', 'pld', 'min(rdp,pld)'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AccountantName.parse(null));
    }

    @Test
    void privacyBound_claimMustBeTheClaimedAccountantsBound() {
        assertThrows(IllegalArgumentException.class, () -> new PrivacyBound(2, 1, 2, AccountantName.PLD));
        assertThrows(IllegalArgumentException.class, () -> new PrivacyBound(2, 1, 1, AccountantName.BEST));
        assertThrows(IllegalArgumentException.class, () -> new PrivacyBound(Double.NaN, 1, 1, AccountantName.PLD));
        assertEquals(1.0, new PrivacyBound(2, 1, 1, AccountantName.PLD).epsilon(), 0);
    }
}
