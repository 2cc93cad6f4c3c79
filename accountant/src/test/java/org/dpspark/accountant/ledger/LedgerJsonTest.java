package org.dpspark.accountant.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.dpspark.accountant.DpEvent;
import org.junit.jupiter.api.Test;

class LedgerJsonTest {

    @Test
    void roundTrip_isExact_forEveryType() {
        Instant t = Instant.parse("2025-01-02T03:04:05.123456Z");
        List<DpEvent> ev = List.of(new DpEvent(1.0 / 3, Math.PI, 7), new DpEvent(0.1 + 0.2, 1e-3, 1));
        List<LedgerEntry> entries = List.of(
                new LedgerEntry(1, 1, EntryType.BUDGET, "d", null, "u", t, "v", null, List.of(), "rdp", null,
                        new Budget(1.5, 1e-5, Budget.ROW), null, null, null, null),
                new LedgerEntry(1, 2, EntryType.RESERVATION, "d", "j", "u", t, "v", "sha256:ab", ev, "rdp", 1e-5, null,
                        null, null, null, null),
                new LedgerEntry(1, 3, EntryType.COMMIT, "d", "j", "u", t, "v", "sha256:ab", ev, "rdp", 1e-5, null,
                        0.987654321, "file:/m", 2L, null),
                new LedgerEntry(1, 4, EntryType.ABORT, "d", "k", "u", t, "v", "sha256:ab", List.of(), "rdp", null, null,
                        null, null, 2L, "why \"quoted\"\nnewline"),
                new LedgerEntry(2, 5, EntryType.RESERVATION, "d", "j", "u", t, "v", "rows-v1:ab", ev, "rdp", 1e-5, null,
                        null, null, null, null, 2, List.of(), List.of()),
                new LedgerEntry(2, 6, EntryType.REGISTER, "d", null, "u", t, "v", null, List.of(), "rdp", null, null,
                        null, null, null, null, null, List.of("file:/data/d", "table:default.d"), List.of("rows-v1:ab")));
        for (LedgerEntry e : entries) {
            assertEquals(e, LedgerJson.parse(LedgerJson.toBytes(e), "x"));
        }
    }

    @Test
    void newFeatures_needFormat2_andOthersStayFormat1() {
        assertEquals(1, LedgerEntry.formatVersionFor(EntryType.RESERVATION, null));
        assertEquals(1, LedgerEntry.formatVersionFor(EntryType.COMMIT, null));
        assertEquals(2, LedgerEntry.formatVersionFor(EntryType.RESERVATION, 2));
        assertEquals(2, LedgerEntry.formatVersionFor(EntryType.REGISTER, null));
        Instant t = Instant.parse("2025-01-02T03:04:05Z");
        assertThrows(IllegalArgumentException.class, () -> new LedgerEntry(1, 1, EntryType.REGISTER, "d", null, "u", t,
                "v", null, List.of(), "rdp", null, null, null, null, null, null, null, List.of("table:default.d"),
                List.of()));
        assertThrows(IllegalArgumentException.class, () -> new LedgerEntry(2, 1, EntryType.REGISTER, "d", null, "u", t,
                "v", null, List.of(), "rdp", null, null, null, null, null, null, null, List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new LedgerEntry(2, 1, EntryType.BUDGET, "d", null, "u", t,
                "v", null, List.of(), "rdp", null, new Budget(1, 1e-5, Budget.ROW), null, null, null, null, 2,
                List.of(), List.of()));
    }

    @Test
    void malformedContent_isReportedWithTheFile() {
        String[] bad = {"", "{\"format_version\":1,", "[]", "{\"format_version\":1,\"seq\":1}",
            "{\"format_version\":1,\"seq\":1,\"type\":\"reservation\",\"dataset_id\":\"d\",\"job_id\":\"j\","
                + "\"user\":\"u\",\"time\":\"2025-01-01T00:00:00Z\",\"code_version\":\"v\",\"events\":[{\"q\":2,"
                + "\"sigma\":1,\"steps\":1}],\"accountant\":\"rdp\",\"delta\":1e-5}"};
        for (String b : bad) {
            LedgerCorruptException e = assertThrows(LedgerCorruptException.class,
                    () -> LedgerJson.parse(b.getBytes(StandardCharsets.UTF_8), "/l/000.json"));
            assertTrue(e.getMessage().startsWith("corrupt ledger entry /l/000.json: "), e.getMessage());
        }
    }
}
