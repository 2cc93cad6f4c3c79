package org.dpspark.accountant.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.dpspark.accountant.pld.PldAccountant;
import org.junit.jupiter.api.Test;

/**
 * Format compatibility: {@code src/test/resources/ledger-sample-v1} was written by format version 1 and is committed;
 * every later version must read it and compose the same spend. Its history: budget (10, 1e-5); job-a reserved and
 * committed with fewer steps; job-b reserved with two events and left open (a crashed job); job-c reserved and
 * aborted; budget changed to (12, 1e-6); job-d reserved and resolved by an operator as spent. Never regenerate it:
 * add a new sample for a new version.
 */
class SampleLedgerCompatibilityTest {
    private static final double Q_ADULT = 256.0 / 32561;

    private static PrivacyLedger sample() throws URISyntaxException {
        Path p = Path.of(SampleLedgerCompatibilityTest.class.getResource("/ledger-sample-v1").toURI());
        return PrivacyLedger.open(p.toString(), null);
    }

    @Test
    void version1Sample_readsWithItsHistory_andComposesItsSpendFromTheEvents() throws Exception {
        PrivacyLedger ledger = sample();
        assertEquals(List.of("adult-sample"), ledger.datasets());
        // Written before ledgers had a marker file: a legacy ledger, with the default policy.
        assertEquals(LedgerPolicy.defaults(), ledger.policy());
        DatasetState s = ledger.state("adult-sample");
        assertEquals(9, s.entries().size());
        assertEquals(new Budget(12.0, 1e-6, Budget.ROW), s.budget().orElseThrow());
        assertEquals(DatasetState.JobStatus.COMMITTED, s.latest("job-a").orElseThrow().status());
        assertEquals(DatasetState.JobStatus.OPEN, s.latest("job-b").orElseThrow().status());
        assertEquals(DatasetState.JobStatus.ABORTED, s.latest("job-c").orElseThrow().status());
        assertEquals(DatasetState.JobStatus.COMMITTED, s.latest("job-d").orElseThrow().status());

        // The charged events, written out here: job-a's commit, job-b's reservation, job-d's reservation.
        List<DpEvent> charged = List.of(new DpEvent(Q_ADULT, 1.1, 1500), new DpEvent(0.01, 2.0, 500),
                new DpEvent(0.02, 1.5, 100), new DpEvent(0.004, 1.2, 2000));
        assertEquals(charged, s.chargedEvents());
        // The spend is recomputed from the events, never read from the entries: the v1 sample was written when the
        // ledger composed with RDP alone (2.229242828710179, still what an RDP-only ledger gives); the default ledger
        // now takes the smaller of RDP and PLD over the same four heterogeneous events.
        RdpAccountant acc = new RdpAccountant();
        charged.forEach(acc::compose);
        assertEquals(2.229242828710179, acc.epsilon(1e-6), 1e-9);
        Path p = Path.of(SampleLedgerCompatibilityTest.class.getResource("/ledger-sample-v1").toURI());
        assertEquals(2.229242828710179, PrivacyLedger.builder(p.toString()).accountant(RdpAccountant::new).build()
                .state("adult-sample").spentEpsilon(), 1e-9);
        PldAccountant pld = new PldAccountant();
        charged.forEach(pld::compose);
        assertEquals(Math.min(acc.epsilon(1e-6), pld.epsilon(1e-6)), s.spentEpsilon(), 1e-12);
        assertTrue(s.spentEpsilon() < acc.epsilon(1e-6));

        LedgerEntry commitA = s.latest("job-a").orElseThrow().settlement();
        assertEquals(3, commitA.seq());
        assertEquals(2L, commitA.reservationSeq());
        assertEquals("hdfs:///models/job-a", commitA.modelPath());
        assertEquals("sample", commitA.user());
        assertEquals("0.1.0-SNAPSHOT", commitA.codeVersion());
        assertEquals(Instant.parse("2025-06-01T12:00:00Z"), commitA.time());
        assertEquals("rdp", commitA.accountant());
        assertTrue(commitA.inputFingerprint().startsWith("sha256:"));
        LedgerEntry resolved = s.latest("job-d").orElseThrow().settlement();
        assertNull(resolved.modelPath());
        assertTrue(resolved.note().contains("operator"), resolved.note());
        assertTrue(s.latest("job-c").orElseThrow().settlement().note().contains("before the first step"));
    }
}
