package org.dpspark.datasets.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.List;
import org.dpspark.core.params.InvalidParameterException;
import org.junit.jupiter.api.Test;

class GeneralizationTest {

    private static void assertNotCovered(Generalization g, String value) {
        NotCoveredException e = assertThrows(NotCoveredException.class, () -> g.apply(value));
        assertEquals(g.name(), e.hierarchy());
        assertTrue(e.getMessage().contains(g.name()), e.getMessage());
        assertTrue(e.getMessage().contains("not covered"), e.getMessage());
        // The message does not depend on the value at all (a substring check would trip on values such as
        // "100" that coincide with the hierarchy's public bounds): it equals the message for a fixed sentinel.
        NotCoveredException sentinel = assertThrows(NotCoveredException.class, () -> g.apply("SENTINEL-XYZ"));
        assertEquals(sentinel.getMessage(), e.getMessage());
        assertFalse(e.getMessage().contains("SENTINEL"));
    }

    @Test
    void ageBands_mapsToHalfOpenBands() {
        Generalization g = Generalization.ageBands(10, 0, 100);
        assertEquals("[0, 10)", g.apply("0"));
        assertEquals("[0, 10)", g.apply("9"));
        assertEquals("[10, 20)", g.apply("10"));
        assertEquals("[90, 100)", g.apply("99"));
        assertEquals("[30, 40)", g.apply("+37"));
        assertNull(g.apply(null));
    }

    @Test
    void ageBands_lastBandIsTruncatedAtMax() {
        Generalization g = Generalization.ageBands(10, 17, 91);
        assertEquals("[17, 27)", g.apply("17"));
        assertEquals("[87, 91)", g.apply("90"));
        assertSame(g.apply("20"), g.apply("21"), "labels are precomputed");
    }

    @Test
    void ageBands_negativeRange() {
        Generalization g = Generalization.ageBands(5, -10, 10);
        assertEquals("[-10, -5)", g.apply("-10"));
        assertEquals("[-5, 0)", g.apply("-1"));
        assertEquals("[0, 5)", g.apply("0"));
    }

    @Test
    void ageBands_refusesUncoveredWithoutShowingTheValue() {
        Generalization g = Generalization.ageBands(10, 0, 100);
        for (String v : List.of("100", "-1", "1000", "", "-", "4 2", "42.5", "abc", "999999999999999999999")) {
            assertNotCovered(g, v);
        }
        NotCoveredException e = assertThrows(NotCoveredException.class, () -> g.apply("123", 17));
        assertEquals("row 17: a value outside [0, 100) is not covered by hierarchy ageBands(width=10, min=0,"
                + " max=100)", e.getMessage());
        assertTrue(e instanceof IllegalArgumentException);
    }

    @Test
    void ageBands_refusesBadParameters() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> Generalization.ageBands(0, 0, 100));
        assertEquals(List.of("ageBands"), e.parameters());
        assertThrows(InvalidParameterException.class, () -> Generalization.ageBands(10, 50, 50));
        assertThrows(InvalidParameterException.class, () -> Generalization.ageBands(1, 0, Integer.MAX_VALUE));
    }

    @Test
    void zipPrefix_keepsDigitsAndPads() {
        assertEquals("021**", Generalization.zipPrefix(3).apply("02139"));
        assertEquals("*****", Generalization.zipPrefix(0).apply("02139"));
        assertEquals("02139", Generalization.zipPrefix(5).apply("02139"));
        assertNull(Generalization.zipPrefix(3).apply(null));
    }

    @Test
    void zipPrefix_refusesNonZipValues() {
        Generalization g = Generalization.zipPrefix(3);
        for (String v : List.of("0213", "021390", "02139-1234", "0213a", "", "\u0660\u0661\u0662\u0663\u0664")) {
            assertNotCovered(g, v);
        }
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> Generalization.zipPrefix(6));
        assertEquals(List.of("zipPrefix"), e.parameters());
        assertThrows(InvalidParameterException.class, () -> Generalization.zipPrefix(-1));
    }

    @Test
    void dateTo_monthAndYear() {
        assertEquals("2024-02", Generalization.dateTo("month").apply("2024-02-29"));
        assertEquals("2024", Generalization.dateTo("year").apply("2024-02-29"));
        assertEquals("1999-12", Generalization.dateTo("month").apply("1999-12-31"));
        assertNull(Generalization.dateTo("year").apply(null));
    }

    @Test
    void dateTo_refusesNonIsoDates() {
        Generalization g = Generalization.dateTo("month");
        for (String v : List.of("2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-1-01",
                "2024/01/01", "2024-01-01T00:00", "20240101", "", "+2024-01-1")) {
            assertNotCovered(g, v);
        }
        NotCoveredException e = assertThrows(NotCoveredException.class, () -> g.apply("2024-02-30", 3));
        assertEquals("row 3: a value that is not an ISO date yyyy-MM-dd is not covered by hierarchy dateTo(month)",
                e.getMessage());
    }

    @Test
    void dateTo_agreesWithJavaTimeOnEveryDayOfFourYears() {
        Generalization month = Generalization.dateTo("month");
        for (LocalDate d = LocalDate.of(1999, 1, 1); d.isBefore(LocalDate.of(2001, 1, 1)); d = d.plusDays(1)) {
            assertEquals(d.toString().substring(0, 7), month.apply(d.toString()));
        }
        for (LocalDate d = LocalDate.of(2023, 1, 1); d.isBefore(LocalDate.of(2025, 1, 1)); d = d.plusDays(1)) {
            assertEquals(d.toString().substring(0, 7), month.apply(d.toString()));
        }
    }

    @Test
    void dateTo_refusesUnknownUnit() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> Generalization.dateTo("week"));
        assertEquals(List.of("dateUnit"), e.parameters());
        assertThrows(InvalidParameterException.class, () -> Generalization.dateTo(null));
    }
}
