package org.dpspark.accountant.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.junit.jupiter.api.Test;

/**
 * Format compatibility: {@code src/test/resources/ledger-sample-v2} was written by entry format 2 (with marker format
 * 1) and is committed; every later version must read it. Its history: created with the policy (deny unbudgeted,
 * ceiling 8); register (two locations, one fingerprint; format 2); budget (6, 1e-6); airflow-run-1 reserved (attempt
 * 1, format 1) and killed; reserved again (attempt 2, format 2); attempt 2 committed with fewer steps. Never
 * regenerate it: add a new sample for a new version.
 */
class SampleLedgerV2CompatibilityTest {
    private static final double Q_ADULT = 256.0 / 32561;

    private static String root() throws Exception {
        return Path.of(SampleLedgerV2CompatibilityTest.class.getResource("/ledger-sample-v2").toURI()).toString();
    }

    @Test
    void version2Sample_readsItsPolicyRegistrationsAndAttempts_andComposesBothAttempts() throws Exception {
        PrivacyLedger ledger = PrivacyLedger.builder(root()).accountant(RdpAccountant::new).build();
        assertEquals(new LedgerPolicy(false, 8.0), ledger.policy());
        DatasetState s = ledger.state("adult-sample");
        assertEquals(5, s.entries().size());
        assertEquals(List.of(2, 1, 1, 2, 1), s.entries().stream().map(LedgerEntry::formatVersion).toList());
        assertEquals(List.of("file:/data/adult", "table:census.adult"), s.registeredLocations());
        assertEquals(List.of("rows-v1:0123abcd"), s.registeredFingerprints());
        assertEquals(Optional.of("adult-sample"), ledger.datasetForLocation("file:/data/adult/adult.data"));
        assertEquals(Optional.of("adult-sample"), ledger.datasetForFingerprint("rows-v1:0123abcd"));
        assertEquals(new Budget(6.0, 1e-6, Budget.ROW), s.budget().orElseThrow());

        DatasetState.JobCharge first = s.attempt("airflow-run-1", 1).orElseThrow();
        DatasetState.JobCharge second = s.attempt("airflow-run-1", 2).orElseThrow();
        assertEquals(DatasetState.JobStatus.OPEN, first.status());
        assertNull(first.reservation().attempt());
        assertEquals(DatasetState.JobStatus.COMMITTED, second.status());
        assertEquals("hdfs:///models/run-1", second.settlement().modelPath());

        // Charged: the killed attempt's reservation in full, and the retry's actual steps.
        List<DpEvent> charged = List.of(new DpEvent(Q_ADULT, 1.1, 1907), new DpEvent(Q_ADULT, 1.1, 1500));
        assertEquals(charged, s.chargedEvents());
        RdpAccountant acc = new RdpAccountant();
        charged.forEach(acc::compose);
        assertEquals(acc.epsilon(1e-6), s.spentEpsilon(), 1e-12);
    }
}
