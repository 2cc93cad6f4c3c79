package org.dpspark.accountant.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.TrialCount;
import org.dpspark.accountant.ledger.Budget;
import org.dpspark.accountant.ledger.DatasetState;
import org.dpspark.accountant.ledger.EntryType;
import org.dpspark.accountant.ledger.LedgerConflictException;
import org.dpspark.accountant.ledger.LedgerCorruptException;
import org.dpspark.accountant.ledger.LedgerEntry;
import org.dpspark.accountant.ledger.LedgerJson;
import org.dpspark.accountant.ledger.LedgerPolicy;
import org.dpspark.accountant.ledger.PrivacyLedger;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hyperparameter search events in the ledger: JSON form (format 4), reservation and commit, spent epsilon. */
class LedgerSelectionTest {
    private static final Instant T = Instant.parse("2025-01-02T03:04:05Z");
    private static final double Q = 256 / 29305.0;
    private static final DpEvent SEARCH = DpEvent.repeatAndSelect(Q, 1.3, 1717,
            new DpEvent.Selection(TrialCount.truncatedNegativeBinomial(0.5, 10), 100));
    private static final DpEvent POISSON_SEARCH = DpEvent.repeatAndSelect(0.02, 0.9, 300,
            new DpEvent.Selection(TrialCount.poisson(8), Double.POSITIVE_INFINITY));
    private static final DpEvent GAUSS = new DpEvent(Q, 1.1, 1717);

    @TempDir Path dir;

    private static LedgerEntry reservation(int version, List<DpEvent> events) {
        return new LedgerEntry(version, 2, EntryType.RESERVATION, "d", "j", "u", T, "v", "sha256:ab", events, "rdp",
                1e-5, null, null, null, null, null, null, List.of(), List.of(), null);
    }

    @Test
    void selectionEvent_roundTripsInFormat4() throws Exception {
        assertEquals(4, LedgerEntry.FORMAT_VERSION);
        List<DpEvent> events = List.of(GAUSS, SEARCH, POISSON_SEARCH);
        assertEquals(4, LedgerEntry.formatVersionFor(EntryType.RESERVATION, null, null, events));
        assertEquals(1, LedgerEntry.formatVersionFor(EntryType.RESERVATION, null, null, List.of(GAUSS)));
        LedgerEntry r = reservation(4, events);
        LedgerEntry back = LedgerJson.parse(LedgerJson.toBytes(r), "x");
        assertEquals(r, back);
        assertEquals(events, back.events());
        JsonNode n = new ObjectMapper().readTree(LedgerJson.toBytes(r));
        assertEquals(4, n.get("format_version").asInt());
        JsonNode s = n.get("events").get(1);
        assertEquals("repeat_and_select", s.get("mechanism").asText());
        assertEquals("truncated_negative_binomial", s.get("trials").asText());
        assertEquals(0.5, s.get("eta").doubleValue(), 0);
        assertEquals(SEARCH.selection().count().gamma(), s.get("gamma").doubleValue(), 0);
        assertEquals(100, s.get("score_sigma").doubleValue(), 0);
        assertEquals(1717, s.get("steps").asLong());
        JsonNode p = n.get("events").get(2);
        assertEquals("poisson", p.get("trials").asText());
        assertEquals(8, p.get("mean").doubleValue(), 0);
        assertTrue(p.has("score_sigma") && p.get("score_sigma").isNull(), p.toString());
        // An entry with a search in an older format cannot be made.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> reservation(3, events));
        assertTrue(e.getMessage().contains("format version 4"), e.getMessage());
    }

    @Test
    void reading_refusesASearchInAnOlderFormat_andBadFields() {
        String v4 = "{\"format_version\":4,\"seq\":2,\"type\":\"reservation\",\"dataset_id\":\"d\",\"job_id\":\"j\","
                + "\"user\":\"u\",\"time\":\"2025-01-01T00:00:00Z\",\"code_version\":\"v\",\"events\":[{\"q\":0.01,"
                + "\"sigma\":1.5,\"steps\":10,\"mechanism\":\"repeat_and_select\",\"trials\":\"truncated_negative_binomial\","
                + "\"eta\":1,\"gamma\":0.1,\"score_sigma\":null}],\"accountant\":\"rdp\",\"delta\":1e-5}";
        assertEquals(DpEvent.repeatAndSelect(0.01, 1.5, 10,
                new DpEvent.Selection(TrialCount.geometric(10), Double.POSITIVE_INFINITY)), parse(v4).events().get(0));
        String v3 = v4.replace("\"format_version\":4", "\"format_version\":3");
        LedgerCorruptException old = assertThrows(LedgerCorruptException.class, () -> parse(v3));
        assertTrue(old.getMessage().contains("needs format_version 4"), old.getMessage());
        for (String bad : List.of(v4.replace(",\"score_sigma\":null", ""), v4.replace("\"gamma\":0.1", "\"gamma\":1"),
                v4.replace("\"eta\":1", "\"eta\":-1"), v4.replace("truncated_negative_binomial", "uniform"),
                v4.replace(",\"eta\":1", ""), v4.replace("\"score_sigma\":null", "\"score_sigma\":0"),
                v4.replace("\"score_sigma\":null", "\"score_sigma\":\"x\""))) {
            LedgerCorruptException e = assertThrows(LedgerCorruptException.class, () -> parse(bad), bad);
            assertTrue(e.getMessage().startsWith("corrupt ledger entry /l/x.json: "), e.getMessage());
        }
    }

    private static LedgerEntry parse(String json) {
        return LedgerJson.parse(json.getBytes(StandardCharsets.UTF_8), "/l/x.json");
    }

    @Test
    void reserveAndCommitASearch_spendsItsRdpBound() {
        PrivacyLedger.create(dir.toString(), null, LedgerPolicy.defaults());
        PrivacyLedger l = PrivacyLedger.builder(dir.toString()).user("tester").codeVersion("test").build();
        l.setBudget("adult", new Budget(20.0, 1e-5, Budget.ROW));
        l.setBudget("census", new Budget(20.0, 1e-5, Budget.ROW));
        TrialCount count = SEARCH.selection().count();
        double alone = RandomRepetition.epsilon(count, Q, 1.3, 1717, 100, 1e-5);

        // A dataset with only the search: its spend is the search's epsilon.
        l.reserve("census", "tune", "sha256:aa", List.of(SEARCH), 1e-5);
        l.commit("census", "tune", List.of(SEARCH), alone, 1e-5, "file:/m");
        DatasetState c = l.state("census");
        assertEquals(List.of(SEARCH), c.chargedEvents());
        assertEquals(alone, c.spentEpsilon(), 1e-12 * alone);

        // After an earlier Gaussian job: composed by RDP.
        l.reserve("adult", "train", "sha256:aa", List.of(GAUSS), 1e-5);
        l.reserve("adult", "tune", "sha256:aa", List.of(SEARCH), 1e-5);
        // A commit that is not the reserved search (other count, more steps, the search twice, or its per-trial
        // Gaussian steps) is refused.
        DpEvent otherCount = DpEvent.repeatAndSelect(Q, 1.3, 1717,
                new DpEvent.Selection(TrialCount.truncatedNegativeBinomial(0.5, 20), 100));
        DpEvent moreSteps = DpEvent.repeatAndSelect(Q, 1.3, 1718, SEARCH.selection());
        for (List<DpEvent> bad : List.of(List.of(otherCount), List.of(moreSteps), List.of(SEARCH, SEARCH),
                List.of(new DpEvent(Q, 1.3, 1)))) {
            assertThrows(LedgerConflictException.class, () -> l.commit("adult", "tune", bad, 1, 1e-5, "file:/m"),
                    bad.toString());
        }
        LedgerEntry commit = l.commit("adult", "tune", List.of(SEARCH), alone, 1e-5, "file:/m");
        assertEquals(4, commit.formatVersion());
        DatasetState s = l.state("adult");
        assertEquals(List.of(GAUSS, SEARCH), s.chargedEvents());
        RdpAccountant rdp = new RdpAccountant();
        rdp.compose(GAUSS);
        rdp.compose(SEARCH);
        assertEquals(rdp.epsilon(1e-5), s.spentEpsilon(), 0);
        assertTrue(s.spentEpsilon() > alone, s.spentEpsilon() + " " + alone);
        // budget, Gaussian reservation, search reservation, its commit
        assertEquals(List.of(1, 1, 4, 4), s.entries().stream().map(LedgerEntry::formatVersion).toList());
    }
}
