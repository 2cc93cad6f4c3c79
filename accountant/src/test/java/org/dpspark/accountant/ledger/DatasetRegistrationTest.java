package org.dpspark.accountant.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.dpspark.accountant.DpEvent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dataset registration: normalized locations, one dataset per location, lookups by location and fingerprint. */
class DatasetRegistrationTest {
    private static final List<DpEvent> JOB = List.of(new DpEvent(0.01, 1.0, 100));

    @TempDir Path dir;
    private PrivacyLedger ledger;

    @BeforeEach
    void createLedger() {
        ledger = PrivacyLedger.create(dir.resolve("ledger").toString(), null, LedgerPolicy.defaults());
    }

    private static String path(String p) {
        return DatasetLocations.normalizePath(p, new Configuration());
    }

    @Test
    void normalizePath_qualifies_resolvesDots_andDropsTheTrailingSlash() {
        assertEquals("file:/data/adult", path("/data/adult/"));
        assertEquals("file:/data/adult", path("file:///data/./x/../adult"));
        assertEquals("file:/data/adult/part-0.csv", path("/data/adult/part-0.csv"));
        String relative = path("rel/dir");
        assertTrue(relative.startsWith("file:/") && relative.endsWith("/rel/dir"), relative);
        assertThrows(IllegalArgumentException.class, () -> path(" "));
    }

    @Test
    void normalizeTable_lowerCases_addsDefault_andDropsTheSessionCatalog() {
        assertEquals("table:default.adult", DatasetLocations.normalizeTable("Adult"));
        assertEquals("table:census.adult", DatasetLocations.normalizeTable("`Census`.`ADULT`"));
        assertEquals("table:census.adult", DatasetLocations.normalizeTable("spark_catalog.census.adult"));
        assertEquals("table:census.adult", DatasetLocations.normalizeTable("table:census.adult"));
        for (String bad : new String[] {"", "a.b.c", "a b", "db.", "x;drop"}) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> DatasetLocations.normalizeTable(bad))
                    .getMessage().contains("table"), bad);
        }
    }

    @Test
    void covers_isExactOrUnderADirectoryOnASlashBoundary() {
        assertTrue(DatasetLocations.covers("file:/data/adult", "file:/data/adult"));
        assertTrue(DatasetLocations.covers("file:/data/adult", "file:/data/adult/part-0.csv"));
        assertTrue(!DatasetLocations.covers("file:/data/adult", "file:/data/adult2/part-0.csv"));
        assertTrue(!DatasetLocations.covers("file:/data/adult/x", "file:/data/adult"));
        assertTrue(!DatasetLocations.covers("table:default.adult", "table:default.adult2"));
        assertTrue(DatasetLocations.covers("file:/", "file:/anything"));
    }

    @Test
    void register_thenLookupByLocation_findsTheDatasetForAnyPathUnderIt_andTables() {
        ledger.register("adult", List.of(path("/data/adult/"), DatasetLocations.normalizeTable("census.adult")));
        assertEquals(Optional.of("adult"), ledger.datasetForLocation(path("/data/adult/part-0.csv")));
        assertEquals(Optional.of("adult"), ledger.datasetForLocation(path("/data/adult")));
        assertEquals(Optional.of("adult"), ledger.datasetForLocation("table:census.adult"));
        assertEquals(Optional.empty(), ledger.datasetForLocation(path("/data/adult2")));
        assertEquals(Optional.empty(), ledger.datasetForLocation("table:default.adult"));
        assertEquals(Map.of("adult", List.of("file:/data/adult", "table:census.adult")), ledger.registrations());
        DatasetState s = ledger.state("adult");
        assertEquals(List.of("file:/data/adult", "table:census.adult"), s.registeredLocations());
        assertTrue(s.registered());
        assertTrue(s.budget().isEmpty());
        assertEquals(0.0, s.spentEpsilon());
    }

    @Test
    void registeringAgain_addsOnlyWhatIsNew_andIsIdempotent() {
        LedgerEntry first = ledger.register("adult", List.of(path("/data/adult")));
        assertEquals(first, ledger.register("adult", List.of(path("/data/adult"))));
        LedgerEntry second = ledger.register("adult", List.of(path("/data/adult"), path("/data/adult-2025")));
        assertEquals(List.of("file:/data/adult-2025"), second.locations());
        assertEquals(2, ledger.state("adult").entries().size());
        assertEquals(2, second.formatVersion());
    }

    @Test
    void aLocationOfAnotherDataset_orOverlappingIt_isRefusedAsAConflict() {
        ledger.register("adult", List.of(path("/data/adult")));
        for (String clash : new String[] {"/data/adult", "/data/adult/2025", "/data"}) {
            LedgerConflictException e = assertThrows(LedgerConflictException.class,
                    () -> ledger.register("other", List.of(path(clash))));
            assertTrue(e.getMessage().contains("already registered to dataset 'adult'"), e.getMessage());
        }
        ledger.register("other", List.of(path("/data/adult2"))); // a sibling, not under it
        assertEquals(List.of("adult", "other"), ledger.datasets());
        assertTrue(ledger.state("other").registered());
    }

    @Test
    void notNormalizedLocations_areRefused() {
        for (String bad : new String[] {"/data/adult", "file:/data/adult/", "table:Adult", "relative"}) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> ledger.register("adult", List.of(bad)))
                    .getMessage().contains("normal form"), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> ledger.register("adult", List.of()));
    }

    @Test
    void lookupByFingerprint_registeredOrRecordedByARegisteredDatasetsJobs() {
        ledger.register("adult", List.of(path("/data/adult")), List.of("rows-v1:owner-known"));
        assertEquals(Optional.of("adult"), ledger.datasetForFingerprint("rows-v1:owner-known"));
        assertEquals(Optional.empty(), ledger.datasetForFingerprint("rows-v1:csv-rows"));
        // A job ran on the registered location and recorded its rows' fingerprint: a Parquet copy of the same rows
        // (same order-independent fingerprint) is now recognized.
        ledger.reserve("adult", "j1", "rows-v1:csv-rows", JOB, 1e-5);
        assertEquals(Optional.of("adult"), ledger.datasetForFingerprint("rows-v1:csv-rows"));
        // An unregistered dataset's recorded fingerprints do not identify it.
        ledger.reserve("scratch", "j2", "rows-v1:scratch", JOB, 1e-5);
        assertEquals(Optional.empty(), ledger.datasetForFingerprint("rows-v1:scratch"));
        // The same rows cannot be registered to another dataset.
        assertThrows(LedgerConflictException.class,
                () -> ledger.register("copy", List.of(), List.of("rows-v1:csv-rows")));
        assertThrows(LedgerConflictException.class,
                () -> ledger.register("copy", List.of(), List.of("rows-v1:owner-known")));
    }

    @Test
    void aLocationClaimedByTwoDatasets_isRefusedOnLookup_neverGuessed() {
        // As a registration race would leave it: two register entries written past each other's check.
        ledger.register("a", List.of(path("/data/x")));
        EntryStore store = new EntryStore(ledger.location(), null);
        LedgerEntry racing = new LedgerEntry(2, 1, EntryType.REGISTER, "b", null, "u", java.time.Instant.now(), "v",
                null, List.of(), "rdp", null, null, null, null, null, null, null, List.of(path("/data/x/y")), List.of());
        assertTrue(store.createIfAbsent(racing));
        LedgerConflictException e = assertThrows(LedgerConflictException.class,
                () -> ledger.datasetForLocation(path("/data/x/y/part-0")));
        assertTrue(e.getMessage().contains("[a, b]"), e.getMessage());
        assertEquals(Optional.of("a"), ledger.datasetForLocation(path("/data/x/z")));
    }
}
