package org.dpspark.accountant.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dpspark.accountant.DpEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A ledger is created only on purpose: create writes the marker with the policy; every other way in refuses. */
class LedgerCreationTest {
    @TempDir Path dir;

    @Test
    void create_writesTheMarkerWithThePolicy_andOpenReadsItBack() throws IOException {
        Path root = dir.resolve("new/ledger");
        PrivacyLedger created = PrivacyLedger.create(root.toString(), null, new LedgerPolicy(true, 4.0));
        assertEquals(new LedgerPolicy(true, 4.0), created.policy());
        String marker = Files.readString(root.resolve("ledger.json"));
        assertTrue(marker.contains("\"format_version\" : 1") && marker.contains("\"kind\" : \"dpspark-ledger\"")
                && marker.contains("\"created_at\"") && marker.contains("\"created_by\"")
                && marker.contains("\"epsilon_ceiling\" : 4.0") && marker.contains("\"allow_unbudgeted\" : true"), marker);
        PrivacyLedger opened = PrivacyLedger.open(root.toString(), null);
        assertEquals(new LedgerPolicy(true, 4.0), opened.policy());
        opened.reserve("ds", "a", "sha256:aa", List.of(new DpEvent(0.01, 1.0, 10)), 1e-5);
        assertEquals(1, PrivacyLedger.open(root.toString(), null).state("ds").entries().size());
    }

    @Test
    void open_missingLocation_isRefusedInOneLine_namingItAndInit_andCreatesNothing() {
        Path missing = dir.resolve("typo/ledger");
        LedgerNotFoundException e = assertThrows(LedgerNotFoundException.class,
                () -> PrivacyLedger.open(missing.toString(), null));
        String m = e.getMessage();
        assertTrue(m.contains(missing.toString()) && m.contains("does not exist")
                && m.contains("dp-ledger init --ledger " + e.location()), m);
        assertFalse(m.contains("\n"));
        assertTrue(e instanceof IllegalArgumentException); // exit 2 in every command
        assertFalse(Files.exists(dir.resolve("typo")), "a refused open created a directory");
        assertThrows(LedgerNotFoundException.class, () -> PrivacyLedger.builder(missing.toString()).build());
    }

    @Test
    void open_emptyOrForeignDirectory_isRefused() throws IOException {
        assertTrue(assertThrows(LedgerNotFoundException.class, () -> PrivacyLedger.open(dir.toString(), null))
                .getMessage().contains("empty directory"));
        Files.writeString(dir.resolve("notes.txt"), "x");
        assertTrue(assertThrows(LedgerNotFoundException.class, () -> PrivacyLedger.open(dir.toString(), null))
                .getMessage().contains("is not a ledger"));
    }

    @Test
    void create_existingLedgerOrNonEmptyDirectory_isRefused_namingIt() throws IOException {
        PrivacyLedger.create(dir.toString(), null, LedgerPolicy.defaults()); // an empty directory is fine
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PrivacyLedger.create(dir.toString(), null, LedgerPolicy.defaults()));
        assertTrue(e.getMessage().contains("already exists") && e.getMessage().contains(dir.toString()), e.getMessage());
        Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve("data.csv"), "1,2");
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> PrivacyLedger.create(other.toString(), null, LedgerPolicy.defaults())).getMessage()
                .contains("not an empty directory"));
        Path legacy = Files.createDirectories(dir.resolve("legacy/datasets"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> PrivacyLedger.create(legacy.getParent().toString(), null, LedgerPolicy.defaults()))
                .getMessage().contains("already exists"));
    }

    @Test
    void legacyLayoutWithoutMarker_opensWithTheDefaultPolicy() throws IOException {
        Path legacy = Files.createDirectories(dir.resolve("legacy/datasets"));
        assertEquals(LedgerPolicy.defaults(), PrivacyLedger.open(legacy.getParent().toString(), null).policy());
        assertEquals(new LedgerPolicy(false, 10.0), LedgerPolicy.defaults());
    }

    @Test
    void corruptMarker_isReported_neverReplacedByDefaults() throws IOException {
        PrivacyLedger.create(dir.toString(), null, LedgerPolicy.defaults());
        Files.writeString(dir.resolve("ledger.json"), "{\"kind\": \"dpspark-ledger\", \"format_ver");
        LedgerCorruptException e = assertThrows(LedgerCorruptException.class,
                () -> PrivacyLedger.open(dir.toString(), null));
        assertTrue(e.getMessage().contains("ledger.json"), e.getMessage());
        Files.writeString(dir.resolve("ledger.json"), "{\"kind\": \"dpspark-ledger\", \"format_version\": 2, "
                + "\"policy\": {\"allow_unbudgeted\": false, \"epsilon_ceiling\": 10}}");
        assertTrue(assertThrows(LedgerCorruptException.class, () -> PrivacyLedger.open(dir.toString(), null))
                .getMessage().contains("upgrade dpspark"));
    }

    @Test
    void policy_rejectsANonFiniteOrNonPositiveCeiling() {
        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> new LedgerPolicy(false, bad)).getMessage()
                    .contains("epsilon ceiling"));
        }
    }
}
