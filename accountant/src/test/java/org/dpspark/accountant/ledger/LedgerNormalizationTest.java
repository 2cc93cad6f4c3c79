package org.dpspark.accountant.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.best.BestAccountant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job with DP data normalization charges two events, the normalization's {@code DpEvent(1.0, sigmaNorm, 2)} first
 * and then the training steps: reserved and committed together, an early stop commits fewer training steps, and the
 * q = 1 Gaussian event round-trips through the JSON form.
 */
class LedgerNormalizationTest {

    private static final double DELTA = 1e-5;
    private static final DpEvent NORM = new DpEvent(1.0, 8.0, 2);
    private static final DpEvent TRAIN = new DpEvent(4096 / 60000.0, 2.5257, 585);
    private static final List<DpEvent> PLANNED = List.of(NORM, TRAIN);

    @TempDir Path dir;

    @BeforeEach
    void createLedger() {
        PrivacyLedger.create(dir.toString(), null, LedgerPolicy.defaults());
    }

    private PrivacyLedger ledger() {
        return PrivacyLedger.builder(dir.toString()).user("tester").codeVersion("test").build();
    }

    @Test
    void withinReservation_normalizationAndTraining() {
        assertTrue(DatasetState.withinReservation(PLANNED, PLANNED));
        // Early stop: the same normalization, fewer training steps.
        assertTrue(DatasetState.withinReservation(List.of(NORM, TRAIN.withSteps(300)), PLANNED));
        // More training steps, a second normalization, or a noisier-named but different mechanism: not within.
        assertFalse(DatasetState.withinReservation(List.of(NORM, TRAIN.withSteps(586)), PLANNED));
        assertFalse(DatasetState.withinReservation(List.of(NORM, NORM, TRAIN), PLANNED));
        assertFalse(DatasetState.withinReservation(List.of(new DpEvent(1.0, 7.9, 2), TRAIN), PLANNED));
        assertFalse(DatasetState.withinReservation(List.of(NORM, TRAIN), List.of(TRAIN)));
    }

    @Test
    void reserveAndCommit_theSameTwoEvents_chargesTheirComposition() {
        PrivacyLedger l = ledger();
        double both = BestAccountant.bound(PLANNED, DELTA).epsilon();
        l.setBudget("ds", new Budget(3.5, DELTA, Budget.ROW));
        Admission a = l.reserve("ds", "job-1", "sha256:aa", PLANNED, DELTA);
        assertEquals(both, a.jobEpsilon(), 0);
        assertEquals(PLANNED, a.reservation().events());
        l.commit("ds", "job-1", PLANNED, both, DELTA, "file:/m");
        DatasetState s = l.state("ds");
        assertEquals(DatasetState.JobStatus.COMMITTED, s.latest("job-1").orElseThrow().status());
        assertEquals(PLANNED, s.latest("job-1").orElseThrow().charged());
        assertEquals(both, s.spentEpsilon(), 0);
    }

    @Test
    void earlyStop_commitsFewerTrainingSteps_andIsChargedForThem() {
        PrivacyLedger l = ledger();
        l.reserve("ds", "job-1", "sha256:aa", PLANNED, DELTA);
        List<DpEvent> actual = List.of(NORM, TRAIN.withSteps(200));
        double eps = BestAccountant.bound(actual, DELTA).epsilon();
        l.commit("ds", "job-1", actual, eps, DELTA, "file:/m");
        DatasetState s = l.state("ds");
        assertEquals(actual, s.latest("job-1").orElseThrow().charged());
        assertEquals(eps, s.spentEpsilon(), 0);
        assertTrue(eps < BestAccountant.bound(PLANNED, DELTA).epsilon());
    }

    @Test
    void commitBeyondTheReservation_isRefused() {
        PrivacyLedger l = ledger();
        l.reserve("ds", "job-1", "sha256:aa", PLANNED, DELTA);
        assertThrows(LedgerConflictException.class, () -> l.commit("ds", "job-1",
                List.of(NORM, TRAIN.withSteps(586)), 3.0, DELTA, "file:/m"));
        assertThrows(LedgerConflictException.class, () -> l.commit("ds", "job-1",
                List.of(NORM, NORM, TRAIN), 3.0, DELTA, "file:/m"));
    }

    @Test
    void json_roundTripsTheQEqualsOneGaussianEvent() {
        Instant t = Instant.parse("2025-01-02T03:04:05Z");
        LedgerEntry r = new LedgerEntry(1, 2, EntryType.RESERVATION, "d", "j", "u", t, "v", "sha256:ab", PLANNED, "best",
                DELTA, null, null, null, null, null);
        byte[] bytes = LedgerJson.toBytes(r);
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertFalse(text.contains("mechanism"), text); // a plain Gaussian, readable by every reader
        LedgerEntry back = LedgerJson.parse(bytes, "x");
        assertEquals(r, back);
        assertEquals(PLANNED, back.events());
        assertEquals(1.0, back.events().get(0).samplingRate(), 0);
        // A hand-written integer q = 1 reads as the same event.
        String integerQ = text.replaceFirst("\"q\" : 1\\.0", "\"q\" : 1");
        assertTrue(!integerQ.equals(text), text);
        assertEquals(r, LedgerJson.parse(integerQ.getBytes(StandardCharsets.UTF_8), "x"));
    }
}
