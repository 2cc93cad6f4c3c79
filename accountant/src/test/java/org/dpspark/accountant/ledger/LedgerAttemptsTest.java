package org.dpspark.accountant.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Charges match releases: a retry under the same job id while an earlier attempt is open is charged as another
 * attempt; the earlier one stays charged in full. (RDP-only ledger: the composition is checked independently.)
 */
class LedgerAttemptsTest {
    private static final double DELTA = 1e-5;
    private static final List<DpEvent> PLAN = List.of(new DpEvent(0.01, 1.0, 1000));
    private static final List<DpEvent> RETRY_PLAN = List.of(new DpEvent(0.01, 1.1, 800));

    @TempDir Path dir;

    @BeforeEach
    void createLedger() {
        PrivacyLedger.create(dir.toString(), null, LedgerPolicy.defaults());
    }

    private PrivacyLedger ledger() {
        return PrivacyLedger.builder(dir.toString()).accountant(RdpAccountant::new).build();
    }

    @SafeVarargs
    private static double rdp(List<DpEvent>... jobs) {
        RdpAccountant acc = new RdpAccountant();
        for (List<DpEvent> j : jobs) {
            j.forEach(acc::compose);
        }
        return acc.epsilon(DELTA);
    }

    @Test
    void retryAfterKilledAttempt_isChargedAsASecondAttempt_andBothCompose() throws Exception {
        PrivacyLedger l = ledger();
        Admission first = l.reserve("ds", "airflow-run-1", "rows-v1:aa", PLAN, DELTA);
        assertEquals(1, first.attempt());
        assertEquals(0, first.earlierOpenAttempts());
        // The first attempt is killed: its reservation stays open. The retry (same job id, here a changed plan too):
        Admission retry = l.reserve("ds", "airflow-run-1", "rows-v1:aa", RETRY_PLAN, DELTA);
        assertEquals(2, retry.attempt());
        assertEquals(1, retry.earlierOpenAttempts());
        assertTrue(retry.adopted()); // deprecated alias: an earlier attempt is charged in addition
        assertEquals(2, retry.reservation().attempt());
        assertEquals(rdp(PLAN), retry.spentBefore(), 1e-12);
        assertEquals(rdp(PLAN, RETRY_PLAN), retry.spentAfter(), 1e-12);

        DatasetState s = l.state("ds");
        assertEquals(2, s.attempts("airflow-run-1").size());
        assertEquals(List.of(1, 2), s.attempts("airflow-run-1").stream().map(DatasetState.JobCharge::attempt).toList());
        assertEquals(rdp(PLAN, RETRY_PLAN), s.spentEpsilon(), 1e-12);

        // The retry commits its own attempt; the dead attempt stays open and charged.
        List<DpEvent> ran = List.of(new DpEvent(0.01, 1.1, 800));
        l.commit("ds", "airflow-run-1", ran, rdp(ran), DELTA, "file:/m");
        s = l.state("ds");
        assertEquals(DatasetState.JobStatus.OPEN, s.attempt("airflow-run-1", 1).orElseThrow().status());
        assertEquals(DatasetState.JobStatus.COMMITTED, s.attempt("airflow-run-1", 2).orElseThrow().status());
        assertEquals(rdp(PLAN, ran), s.spentEpsilon(), 1e-12);

        // The file of the first attempt is format 1 (unchanged for old readers); the second carries attempt: 2.
        Path entries = dir.resolve("datasets/ds/entries");
        String one = Files.readString(entries.resolve(EntryStore.fileName(1)));
        String two = Files.readString(entries.resolve(EntryStore.fileName(2)));
        assertTrue(one.contains("\"format_version\" : 1") && !one.contains("attempt"), one);
        assertTrue(two.contains("\"format_version\" : 2") && two.contains("\"attempt\" : 2"), two);
        assertNull(s.attempt("airflow-run-1", 1).orElseThrow().reservation().attempt());
    }

    @Test
    void retryThatDoesNotFitBecauseOfTheDeadAttempt_isRefusedBeforeTraining_andWritesNothing() {
        PrivacyLedger l = ledger();
        double budget = (rdp(PLAN) + rdp(PLAN, PLAN)) / 2; // one run fits, two do not
        l.setBudget("ds", new Budget(budget, DELTA, Budget.ROW));
        l.reserve("ds", "job", "rows-v1:aa", PLAN, DELTA); // killed
        BudgetExhaustedException e = assertThrows(BudgetExhaustedException.class,
                () -> l.reserve("ds", "job", "rows-v1:aa", PLAN, DELTA));
        assertEquals(rdp(PLAN), e.spentEpsilon(), 1e-12);
        assertEquals(rdp(PLAN, PLAN), e.composedEpsilon(), 1e-12);
        assertEquals(2, l.state("ds").entries().size());
        // Once an operator states the dead attempt released nothing, the retry fits.
        l.resolveAbort("ds", "job", 1, "killed before its first step");
        Admission a = l.reserve("ds", "job", "rows-v1:aa", PLAN, DELTA);
        assertEquals(2, a.attempt());
        assertEquals(0, a.earlierOpenAttempts());
    }

    @Test
    void committedJobId_isRefused_whicheverAttemptCommitted() {
        PrivacyLedger l = ledger();
        l.reserve("ds", "job", "rows-v1:aa", PLAN, DELTA);
        l.reserve("ds", "job", "rows-v1:aa", PLAN, DELTA);
        l.commit("ds", "job", PLAN, rdp(PLAN), DELTA, "file:/m");
        assertThrows(LedgerConflictException.class, () -> l.reserve("ds", "job", "rows-v1:aa", PLAN, DELTA));
        assertThrows(LedgerConflictException.class, () -> l.checkNotCommitted("ds", "job"));
        // The older attempt, still running, cannot commit too: a job id releases once.
        assertTrue(assertThrows(LedgerConflictException.class,
                () -> l.commit("ds", "job", 1, PLAN, rdp(PLAN), DELTA, "file:/m1")).getMessage()
                .contains("already committed"));
        // ... and the identical commit repeated is still idempotent.
        assertEquals(3, l.commit("ds", "job", PLAN, rdp(PLAN), DELTA, "file:/m").seq());
    }

    @Test
    void commitOfAnAttempt_settlesThatAttempt_notTheLatest() {
        PrivacyLedger l = ledger();
        l.reserve("ds", "job", "rows-v1:aa", PLAN, DELTA);
        l.reserve("ds", "job", "rows-v1:aa", PLAN, DELTA);
        LedgerEntry c = l.commit("ds", "job", 1, PLAN, rdp(PLAN), DELTA, "file:/m");
        assertEquals(1L, c.reservationSeq());
        DatasetState s = l.state("ds");
        assertEquals(DatasetState.JobStatus.OPEN, s.attempt("job", 2).orElseThrow().status());
        assertThrows(LedgerConflictException.class, () -> l.commit("ds", "job", 3, PLAN, 1.0, DELTA, "m"));
    }

    @Test
    void resolveWithoutAttempt_settlesTheLatestOpenAttempt() {
        PrivacyLedger l = ledger();
        l.reserve("ds", "job", "rows-v1:aa", PLAN, DELTA);
        l.reserve("ds", "job", "rows-v1:aa", PLAN, DELTA);
        l.resolveCommit("ds", "job", null);
        assertEquals(DatasetState.JobStatus.COMMITTED, l.state("ds").attempt("job", 2).orElseThrow().status());
        l.resolveAbort("ds", "job", null); // attempt 1, the only open one left
        assertEquals(DatasetState.JobStatus.ABORTED, l.state("ds").attempt("job", 1).orElseThrow().status());
        assertThrows(LedgerConflictException.class, () -> l.resolveAbort("ds", "job", null));
    }

    @Test
    void resumeFromTheAttemptsOwnCheckpoint_writesNothing_andTheAttemptCommitsOnce() {
        PrivacyLedger l = ledger();
        Admission first = l.reserve("ds", "job-r", "rows-v1:aa", PLAN, DELTA);
        int entries = l.state("ds").entries().size();
        Admission resumed = l.resume("ds", "job-r", first.attempt(), "rows-v1:aa", PLAN, DELTA);
        assertEquals(first.attempt(), resumed.attempt());
        assertEquals(first.reservation().seq(), resumed.reservation().seq());
        assertEquals(0, resumed.earlierOpenAttempts());
        assertEquals(0.0, resumed.spentBefore(), 1e-12);
        assertEquals(rdp(PLAN), resumed.spentAfter(), 1e-12);
        assertEquals(entries, l.state("ds").entries().size(), "a resume writes nothing");
        l.commit("ds", "job-r", resumed.attempt(), PLAN, rdp(PLAN), DELTA, "file:/m");
        DatasetState s = l.state("ds");
        assertEquals(1, s.attempts("job-r").size());
        assertEquals(DatasetState.JobStatus.COMMITTED, s.attempt("job-r", 1).orElseThrow().status());
        assertEquals(rdp(PLAN), s.spentEpsilon(), 1e-12);
        // committed: no second resume
        assertThrows(LedgerConflictException.class, () -> l.resume("ds", "job-r", 1, "rows-v1:aa", PLAN, DELTA));
    }

    @Test
    void resume_refusesASettledOrUnknownAttempt_otherEvents_andAnotherInput() {
        PrivacyLedger l = ledger();
        l.reserve("ds", "job-s", "rows-v1:aa", PLAN, DELTA);
        assertThrows(IllegalArgumentException.class, () -> l.resume("ds", "job-s", 1, "rows-v1:aa", RETRY_PLAN, DELTA));
        assertThrows(IllegalArgumentException.class, () -> l.resume("ds", "job-s", 1, "rows-v1:bb", PLAN, DELTA));
        assertThrows(LedgerConflictException.class, () -> l.resume("ds", "job-s", 2, "rows-v1:aa", PLAN, DELTA));
        l.resolveAbort("ds", "job-s", 1, "operator: nothing published");
        LedgerConflictException e = assertThrows(LedgerConflictException.class,
                () -> l.resume("ds", "job-s", 1, "rows-v1:aa", PLAN, DELTA));
        assertTrue(e.getMessage().contains("is aborted (settled)"), e.getMessage());
    }
}
