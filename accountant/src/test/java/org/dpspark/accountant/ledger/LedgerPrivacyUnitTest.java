package org.dpspark.accountant.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.dpspark.accountant.DpEvent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The privacy unit in reservations and commits: recorded, read back, read as "row" when absent (entries written
 * before the field), written in format 2 when "user" (an older reader refuses it rather than read a per-user charge
 * as a per-row one), and checked by the ledger itself against the budget's unit before anything is written.
 */
class LedgerPrivacyUnitTest {
    private static final double DELTA = 1e-5;
    private static final List<DpEvent> JOB = List.of(new DpEvent(0.01, 1.0, 1000));
    private static final Instant T = Instant.parse("2026-01-02T03:04:05Z");

    @TempDir Path dir;

    @BeforeEach
    void createLedger() {
        PrivacyLedger.create(dir.toString(), null, LedgerPolicy.defaults());
    }

    private PrivacyLedger ledger() {
        return PrivacyLedger.builder(dir.toString()).user("tester").codeVersion("test").build();
    }

    private long entriesOnDisk(String dataset) throws Exception {
        Path d = dir.resolve("datasets").resolve(dataset).resolve("entries");
        try (var s = Files.list(d)) {
            return s.count();
        }
    }

    @Test
    void theUnit_roundTrips_andUserEntriesNeedFormat2() {
        List<LedgerEntry> entries = List.of(
                new LedgerEntry(1, 2, EntryType.RESERVATION, "d", "j", "u", T, "v", "rows-v1:ab", JOB, "rdp", DELTA,
                        null, null, null, null, null, null, List.of(), List.of(), Budget.ROW),
                new LedgerEntry(2, 3, EntryType.RESERVATION, "d", "k", "u", T, "v", "rows-v1:ab", JOB, "rdp", DELTA,
                        null, null, null, null, null, null, List.of(), List.of(), Budget.USER),
                new LedgerEntry(2, 4, EntryType.COMMIT, "d", "k", "u", T, "v", "rows-v1:ab", JOB, "rdp", DELTA, null,
                        0.5, "file:/m", 3L, null, null, List.of(), List.of(), Budget.USER),
                new LedgerEntry(2, 5, EntryType.RESERVATION, "d", "k", "u", T, "v", "rows-v1:ab", JOB, "rdp", DELTA,
                        null, null, null, null, null, 2, List.of(), List.of(), Budget.USER));
        for (LedgerEntry e : entries) {
            LedgerEntry back = LedgerJson.parse(LedgerJson.toBytes(e), "x");
            assertEquals(e, back);
            assertEquals(e.privacyUnit(), back.unit());
            assertTrue(new String(LedgerJson.toBytes(e), StandardCharsets.UTF_8)
                    .contains("\"privacy_unit\" : \"" + e.privacyUnit() + "\""));
        }
        assertEquals(1, LedgerEntry.formatVersionFor(EntryType.RESERVATION, null, Budget.ROW));
        assertEquals(1, LedgerEntry.formatVersionFor(EntryType.COMMIT, null, Budget.ROW));
        assertEquals(2, LedgerEntry.formatVersionFor(EntryType.RESERVATION, null, Budget.USER));
        assertEquals(2, LedgerEntry.formatVersionFor(EntryType.COMMIT, null, Budget.USER));
        IllegalArgumentException old = assertThrows(IllegalArgumentException.class, () -> new LedgerEntry(1, 2,
                EntryType.RESERVATION, "d", "j", "u", T, "v", "rows-v1:ab", JOB, "rdp", DELTA, null, null, null, null,
                null, null, List.of(), List.of(), Budget.USER));
        assertTrue(old.getMessage().contains("user-level reservation needs format version 2"), old.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LedgerEntry(1, 2, EntryType.RESERVATION, "d", "j", "u",
                T, "v", "rows-v1:ab", JOB, "rdp", DELTA, null, null, null, null, null, null, List.of(), List.of(),
                "group"));
        assertThrows(IllegalArgumentException.class, () -> new LedgerEntry(1, 1, EntryType.BUDGET, "d", null, "u", T,
                "v", null, List.of(), "rdp", null, new Budget(1, DELTA, Budget.USER), null, null, null, null, null,
                List.of(), List.of(), Budget.USER));
    }

    @Test
    void entriesWithoutTheField_readAsRow() {
        String json = "{\"format_version\":1,\"seq\":2,\"type\":\"reservation\",\"dataset_id\":\"d\",\"job_id\":\"j\","
                + "\"user\":\"u\",\"time\":\"2025-01-01T00:00:00Z\",\"code_version\":\"0.1.0\","
                + "\"input_fingerprint\":\"sha256:ab\",\"events\":[{\"q\":0.01,\"sigma\":1.0,\"steps\":10}],"
                + "\"accountant\":\"rdp\",\"delta\":1e-5}";
        LedgerEntry e = LedgerJson.parse(json.getBytes(StandardCharsets.UTF_8), "old.json");
        assertNull(e.privacyUnit());
        assertEquals(Budget.ROW, e.unit());
        assertFalse(new String(LedgerJson.toBytes(e), StandardCharsets.UTF_8).contains("privacy_unit"),
                "an entry read without the field is written back without it");
    }

    @Test
    void theCommittedSamples_readAsRow() throws Exception {
        for (String sample : List.of("/ledger-sample-v1", "/ledger-sample-v2")) {
            String loc = Path.of(getClass().getResource(sample).toURI()).toString();
            PrivacyLedger l = PrivacyLedger.open(loc, null);
            for (String ds : l.datasets()) {
                for (LedgerEntry e : l.state(ds).entries()) {
                    if (e.type() == EntryType.RESERVATION || e.type() == EntryType.COMMIT) {
                        assertEquals(Budget.ROW, e.unit(), sample + " " + e.seq());
                    }
                }
            }
        }
    }

    @Test
    void reserve_recordsTheUnit_inTheReservationAndItsCommit() {
        PrivacyLedger l = ledger();
        Admission row = l.reserve("rows", "r", "rows-v1:aa", JOB, DELTA);
        assertEquals(Budget.ROW, row.reservation().privacyUnit(), "recorded explicitly");
        assertEquals(1, row.reservation().formatVersion(), "row reservations stay format 1");
        LedgerEntry rowCommit = l.commit("rows", "r", JOB, 0.4, DELTA, "file:/m");
        assertEquals(Budget.ROW, rowCommit.privacyUnit());
        assertEquals(1, rowCommit.formatVersion());

        Admission user = l.reserve("users", "u", "rows-v1:bb", JOB, DELTA, Budget.USER);
        assertEquals(Budget.USER, user.reservation().privacyUnit());
        assertEquals(2, user.reservation().formatVersion());
        LedgerEntry userCommit = l.commit("users", "u", user.attempt(), JOB, 0.4, DELTA, "file:/m");
        assertEquals(Budget.USER, userCommit.privacyUnit());
        assertEquals(2, userCommit.formatVersion());
        // read back from disk by a fresh handle
        List<LedgerEntry> onDisk = ledger().state("users").entries();
        assertEquals(List.of(Budget.USER, Budget.USER), onDisk.stream().map(LedgerEntry::unit).toList());
    }

    @Test
    void reserve_refusesAMismatchedUnit_andWritesNothing() throws Exception {
        PrivacyLedger l = ledger();
        l.setBudget("per-row", new Budget(5, DELTA, Budget.ROW));
        l.setBudget("per-user", new Budget(5, DELTA, Budget.USER));
        long before = entriesOnDisk("per-row");
        PrivacyUnitMismatchException e = assertThrows(PrivacyUnitMismatchException.class,
                () -> l.reserve("per-row", "j", "rows-v1:aa", JOB, DELTA, Budget.USER));
        assertEquals(Budget.ROW, e.budgetUnit());
        assertEquals(Budget.USER, e.jobUnit());
        assertTrue(e.getMessage().contains("held per row, but this job protects each user"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        assertTrue(e instanceof IllegalArgumentException, "bad input: exit code 2");
        assertEquals(before, entriesOnDisk("per-row"), "nothing written");
        assertEquals(before, l.state("per-row").entries().size());
        assertEquals(0.0, l.state("per-row").spentEpsilon(), 0.0);

        // the row-level overload is a row-level job: refused on a budget held per user
        long userBefore = entriesOnDisk("per-user");
        PrivacyUnitMismatchException back = assertThrows(PrivacyUnitMismatchException.class,
                () -> l.reserve("per-user", "j", "rows-v1:aa", JOB, DELTA));
        assertTrue(back.getMessage().contains("held per user, but this job protects each row"), back.getMessage());
        assertEquals(userBefore, entriesOnDisk("per-user"));
        // and the dry run says the same
        assertThrows(PrivacyUnitMismatchException.class, () -> l.check("per-user", JOB, DELTA, Budget.ROW));
        assertThrows(IllegalArgumentException.class, () -> l.reserve("per-user", "j", "rows-v1:aa", JOB, DELTA, "users"));
        assertEquals(userBefore, entriesOnDisk("per-user"));
    }

    @Test
    void aUserReservation_onAUserBudget_isAcceptedAndCharged() {
        PrivacyLedger l = ledger();
        l.setBudget("per-user", new Budget(5, DELTA, Budget.USER));
        Admission a = l.reserve("per-user", "j", "rows-v1:aa", JOB, DELTA, Budget.USER);
        assertFalse(a.noCap());
        assertTrue(a.jobEpsilon() > 0);
        assertEquals(a.jobEpsilon(), a.spentAfter(), 0.0);
        DatasetState s = l.state("per-user");
        assertEquals(a.spentAfter(), s.spentEpsilon(), 0.0);
        assertEquals(DatasetState.JobStatus.OPEN, s.latest("j").orElseThrow().status());
        assertEquals(Budget.USER, s.latest("j").orElseThrow().reservation().unit());
        assertEquals(a.spentAfter(), l.check("per-user", JOB, DELTA, Budget.USER).spentBefore(), 0.0);
    }

    @Test
    void withoutABudget_theFirstJobFixesTheUnit_andABudgetInAnotherUnitIsRefused() throws Exception {
        PrivacyLedger l = ledger();
        l.reserve("open", "first", "rows-v1:aa", JOB, DELTA, Budget.ROW);
        long before = entriesOnDisk("open");
        PrivacyUnitMismatchException e = assertThrows(PrivacyUnitMismatchException.class,
                () -> l.reserve("open", "second", "rows-v1:aa", JOB, DELTA, Budget.USER));
        assertTrue(e.getMessage().contains("has been charged per row since its first job (entry 1)"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        assertThrows(PrivacyUnitMismatchException.class, () -> l.check("open", JOB, DELTA, Budget.USER));
        assertThrows(PrivacyUnitMismatchException.class, () -> l.requireUnit("open", Budget.USER));
        l.requireUnit("open", Budget.ROW); // the run's early check, before any work: the same rule
        // a budget in another unit than the charges would not cap them
        PrivacyUnitMismatchException budget = assertThrows(PrivacyUnitMismatchException.class,
                () -> l.setBudget("open", new Budget(5, DELTA, Budget.USER)));
        assertTrue(budget.getMessage().contains("a budget held per user is refused"), budget.getMessage());
        assertEquals(before, entriesOnDisk("open"), "nothing written");
        // the same unit is fine, with and without a budget
        l.reserve("open", "third", "rows-v1:aa", JOB, DELTA, Budget.ROW);
        l.setBudget("open", new Budget(5, DELTA, Budget.ROW));
        assertEquals(before + 2, entriesOnDisk("open"));
    }
}
