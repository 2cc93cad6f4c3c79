package org.dpspark.accountant.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.dpspark.accountant.AccountantName;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.best.BestAccountant;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.dpspark.core.secagg.DdgParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Distributed discrete Gaussian events in the ledger: their JSON form, format version 3 only where needed, the
 * commit-within-reservation rule, and the cumulative spend of a dataset mixing Gaussian and DDG jobs (on RDP).
 */
class LedgerJsonDdgTest {
    private static final Instant T = Instant.parse("2025-01-02T03:04:05Z");
    private static final DdgParams PARAMS = DdgParams.choose(105, 40, 2, 0, 1.0, 1.87, 32561);
    private static final DpEvent DDG = DpEvent.distributedDiscrete(256 / 32561.0, PARAMS, 1907);
    private static final DpEvent DDG_TAU = new DpEvent(0.1, 1.25, 3, new DpEvent.Discrete(1.0 / 3 * 1e-7, 1 << 20));
    private static final DpEvent GAUSS = new DpEvent(256 / 32561.0, 1.87, 1907);

    @TempDir Path dir;

    private static LedgerEntry reservation(int version, List<DpEvent> events, String unit) {
        return new LedgerEntry(version, 2, EntryType.RESERVATION, "d", "j", "u", T, "v", "sha256:ab", events, "rdp",
                1e-5, null, null, null, null, null, null, List.of(), List.of(), unit);
    }

    @Test
    void discreteEvent_roundTrips_withItsMechanism() throws Exception {
        List<DpEvent> events = List.of(GAUSS, DDG, DDG_TAU);
        LedgerEntry r = reservation(3, events, null);
        LedgerEntry c = new LedgerEntry(3, 3, EntryType.COMMIT, "d", "j", "u", T, "v", "sha256:ab", List.of(DDG),
                "min(rdp,pld)", 1e-5, null, 0.9999, "file:/m", 2L, null, null, List.of(), List.of(), Budget.USER);
        for (LedgerEntry e : List.of(r, c)) {
            assertEquals(e, LedgerJson.parse(LedgerJson.toBytes(e), "x"));
        }
        JsonNode n = new ObjectMapper().readTree(LedgerJson.toBytes(r));
        assertEquals(3, n.get("format_version").asInt());
        JsonNode g = n.get("events").get(0);
        assertFalse(g.has("mechanism") || g.has("tau") || g.has("dim"), g.toString());
        JsonNode d = n.get("events").get(1);
        assertEquals("ddg", d.get("mechanism").asText());
        assertEquals(PARAMS.effectiveNoiseMultiplier(), d.get("sigma").doubleValue(), 0);
        assertEquals(PARAMS.tau(), d.get("tau").doubleValue(), 0);
        assertEquals(128, d.get("dim").asInt());
        assertEquals(1907, d.get("steps").asLong());
        assertEquals(DDG_TAU.discrete().tau(), n.get("events").get(2).get("tau").doubleValue(), 0);
    }

    @Test
    void formatVersion3_onlyForEntriesWithADiscreteEvent() {
        assertEquals(4, LedgerEntry.FORMAT_VERSION); // format 4 (hyperparameter search events) came after 3
        assertEquals(3, LedgerEntry.formatVersionFor(EntryType.RESERVATION, null, null, List.of(DDG)));
        assertEquals(3, LedgerEntry.formatVersionFor(EntryType.COMMIT, null, Budget.USER, List.of(GAUSS, DDG)));
        assertEquals(3, LedgerEntry.formatVersionFor(EntryType.RESERVATION, 2, null, List.of(DDG)));
        // Without one, the old versions.
        assertEquals(1, LedgerEntry.formatVersionFor(EntryType.RESERVATION, null, null, List.of(GAUSS)));
        assertEquals(1, LedgerEntry.formatVersionFor(EntryType.COMMIT, null, Budget.ROW, List.of(GAUSS)));
        assertEquals(2, LedgerEntry.formatVersionFor(EntryType.RESERVATION, 2, null, List.of(GAUSS)));
        assertEquals(2, LedgerEntry.formatVersionFor(EntryType.COMMIT, null, Budget.USER, List.of(GAUSS)));
        assertEquals(1, LedgerEntry.formatVersionFor(EntryType.ABORT, null, null, List.of()));
        // An entry with a discrete event in an older format cannot be made.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> reservation(2, List.of(GAUSS, DDG), Budget.USER));
        assertTrue(e.getMessage().contains("distributed discrete Gaussian") && e.getMessage().contains("format version 3"),
                e.getMessage());
    }

    @Test
    void reading_refusesWhatItCannotCount() {
        String v2 = "{\"format_version\":2,\"seq\":2,\"type\":\"reservation\",\"dataset_id\":\"d\",\"job_id\":\"j\","
                + "\"user\":\"u\",\"time\":\"2025-01-01T00:00:00Z\",\"code_version\":\"v\",\"events\":[{\"q\":0.01,"
                + "\"sigma\":1,\"steps\":1,\"mechanism\":\"ddg\",\"tau\":0,\"dim\":128}],\"accountant\":\"rdp\","
                + "\"delta\":1e-5}";
        LedgerCorruptException old = assertThrows(LedgerCorruptException.class, () -> parse(v2));
        assertTrue(old.getMessage().contains("needs format_version 3"), old.getMessage());
        String v3 = v2.replace("\"format_version\":2", "\"format_version\":3");
        assertEquals(new DpEvent(0.01, 1, 1, new DpEvent.Discrete(0, 128)), parse(v3).events().get(0));
        for (String bad : List.of(v3.replace("\"ddg\"", "\"laplace\""), v3.replace(",\"tau\":0", ""),
                v3.replace("\"dim\":128", "\"dim\":0"), v3.replace("\"tau\":0", "\"tau\":-1"),
                v3.replace("\"dim\":128", "\"dim\":1e12"), v3.replace("\"ddg\"", "7"))) {
            LedgerCorruptException e = assertThrows(LedgerCorruptException.class, () -> parse(bad), bad);
            assertTrue(e.getMessage().startsWith("corrupt ledger entry /l/x.json: "), e.getMessage());
        }
        // A newer format than this reader's is refused (as a dpspark reading at most 2 refuses format 3).
        String v5 = v2.replace("\"format_version\":2", "\"format_version\":" + (LedgerEntry.FORMAT_VERSION + 1));
        LedgerCorruptException newer = assertThrows(LedgerCorruptException.class, () -> parse(v5));
        assertTrue(newer.getMessage().contains("upgrade dpspark"), newer.getMessage());
    }

    private static LedgerEntry parse(String json) {
        return LedgerJson.parse(json.getBytes(StandardCharsets.UTF_8), "/l/x.json");
    }

    @Test
    void withinReservation_matchesDiscreteEventsByMechanism() {
        DpEvent fewer = DDG.withSteps(1000);
        assertTrue(DatasetState.withinReservation(List.of(fewer), List.of(DDG)));
        assertTrue(DatasetState.withinReservation(List.of(DDG), List.of(DDG)));
        assertTrue(DatasetState.withinReservation(List.of(GAUSS, fewer), List.of(DDG, GAUSS)));
        assertFalse(DatasetState.withinReservation(List.of(DDG.withSteps(1908)), List.of(DDG)));
        // Same q and noise multiplier, another mechanism or other DDG parameters: not covered.
        DpEvent asGaussian = new DpEvent(DDG.samplingRate(), DDG.noiseMultiplier(), 10);
        assertFalse(DatasetState.withinReservation(List.of(asGaussian), List.of(DDG)));
        assertFalse(DatasetState.withinReservation(List.of(DDG.withSteps(10)), List.of(asGaussian.withSteps(1907))));
        DpEvent otherTau = new DpEvent(DDG.samplingRate(), DDG.noiseMultiplier(), 10, new DpEvent.Discrete(1e-9, 128));
        DpEvent otherDim = new DpEvent(DDG.samplingRate(), DDG.noiseMultiplier(), 10, new DpEvent.Discrete(0, 256));
        assertFalse(DatasetState.withinReservation(List.of(otherTau), List.of(DDG)));
        assertFalse(DatasetState.withinReservation(List.of(otherDim), List.of(DDG)));
    }

    @Test
    void ledger_mixingGaussianAndDdgJobs_composesOnRdp_andWritesVersion3OnlyForDdg() throws Exception {
        PrivacyLedger.create(dir.toString(), null, LedgerPolicy.defaults());
        PrivacyLedger l = PrivacyLedger.builder(dir.toString()).user("tester").codeVersion("test").build();
        l.setBudget("adult", new Budget(3.0, 1e-5, Budget.ROW));
        l.reserve("adult", "central", "sha256:aa", List.of(GAUSS), 1e-5);
        Admission a = l.reserve("adult", "masked", "sha256:aa", List.of(DDG), 1e-5);
        RdpAccountant rdp = new RdpAccountant();
        rdp.compose(GAUSS);
        rdp.compose(DDG);
        assertEquals(rdp.epsilon(1e-5), a.spentAfter(), 0);
        // Committing fewer steps of the same mechanism is fine; another DDG encoding is not.
        DpEvent other = DpEvent.distributedDiscrete(DDG.samplingRate(), DdgParams.choose(105, 40, 2, 0, 1.0, 1.5,
                32561), 1000);
        assertThrows(LedgerConflictException.class,
                () -> l.commit("adult", "masked", List.of(other), 0.5, 1e-5, "file:/m"));
        LedgerEntry c = l.commit("adult", "masked", List.of(DDG.withSteps(1000)), 0.7, 1e-5, "file:/m");
        assertEquals(3, c.formatVersion());
        DatasetState s = l.state("adult");
        assertEquals(List.of(1, 1, 3, 3), s.entries().stream().map(LedgerEntry::formatVersion).toList());
        assertEquals(List.of(GAUSS, DDG.withSteps(1000)), s.chargedEvents());
        RdpAccountant spent = new RdpAccountant();
        spent.compose(GAUSS);
        spent.compose(DDG.withSteps(1000));
        assertEquals(spent.epsilon(1e-5), s.spentEpsilon(), 0);
        assertEquals(AccountantName.RDP, BestAccountant.bound(s.chargedEvents(), 1e-5).claimed());
        // On disk: the DDG reservation is format 3 with its mechanism; the Gaussian one stays format 1.
        Path entries = dir.resolve("datasets").resolve("adult").resolve("entries");
        String gaussJson = Files.readString(entries.resolve(EntryStore.fileName(2)));
        String ddgJson = Files.readString(entries.resolve(EntryStore.fileName(3)));
        assertTrue(gaussJson.contains("\"format_version\" : 1") && !gaussJson.contains("mechanism"), gaussJson);
        assertTrue(ddgJson.contains("\"format_version\" : 3") && ddgJson.contains("\"mechanism\" : \"ddg\""), ddgJson);
    }
}
