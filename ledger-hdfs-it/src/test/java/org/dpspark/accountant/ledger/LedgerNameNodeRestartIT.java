package org.dpspark.accountant.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dpspark.accountant.DpEvent;
import org.dpspark.accountant.rdp.RdpAccountant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A NameNode restart between reserve and commit loses nothing: the reservation is in the log the restarted
 * NameNode serves (recovered from its image and edit log), the job's commit succeeds through the same client, the
 * state is right, and the commit too survives a second restart.
 */
class LedgerNameNodeRestartIT {
    private static final double DELTA = 1e-5;
    private static final List<DpEvent> JOB = List.of(new DpEvent(0.01, 1.0, 1000));

    @RegisterExtension
    static final HdfsCluster.PerClass HDFS = new HdfsCluster.PerClass();


    private static double composed(int jobs) {
        RdpAccountant acc = new RdpAccountant();
        for (int i = 0; i < jobs; i++) {
            JOB.forEach(acc::compose);
        }
        return acc.epsilon(DELTA);
    }

    private static PrivacyLedger ledger(String location) {
        return PrivacyLedger.builder(location).conf(HDFS.get().conf()).user("tester").codeVersion("test")
                .accountant(RdpAccountant::new).build();
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void nameNodeRestart_betweenReserveAndCommit_losesNothing() throws IOException {
        String location = HDFS.get().freshLocation("restart");
        PrivacyLedger.create(location, HDFS.get().conf(), LedgerPolicy.defaults());
        PrivacyLedger job = ledger(location); // the job's ledger: one client, across the restart
        double one = composed(1);
        double budget = (composed(1) + composed(2)) / 2; // one job fits, two do not
        job.setBudget("ds", new Budget(budget, DELTA, Budget.ROW));
        LedgerEntry reservation = job.reserve("ds", "job-1", "sha256:aa", JOB, DELTA).reservation();

        HDFS.get().restartNameNode();

        DatasetState afterRestart = ledger(location).state("ds"); // a fresh reader: what HDFS now holds
        assertEquals(2, afterRestart.entries().size());
        LedgerEntry read = afterRestart.entries().get(1);
        assertEquals(List.of(reservation.seq(), reservation.type(), reservation.jobId(), reservation.events()),
                List.of(read.seq(), read.type(), read.jobId(), read.events()));
        assertEquals(DatasetState.JobStatus.OPEN, afterRestart.latest("job-1").orElseThrow().status());
        assertEquals(one, afterRestart.spentEpsilon(), 1e-12);
        // The reservation still holds the budget: another job is refused.
        assertThrows(BudgetExhaustedException.class, () -> ledger(location).reserve("ds", "job-2", "sha256:aa", JOB,
                DELTA));

        LedgerEntry commit = job.commit("ds", "job-1", JOB, one, DELTA, "hdfs:/models/job-1");
        assertEquals(3, commit.seq());

        HDFS.get().restartNameNode();

        DatasetState s = ledger(location).state("ds");
        assertEquals(3, s.entries().size());
        LedgerEntry committed = s.entries().get(2);
        assertEquals(List.of(3L, EntryType.COMMIT, "job-1"),
                List.of(committed.seq(), committed.type(), committed.jobId()));
        assertEquals(DatasetState.JobStatus.COMMITTED, s.latest("job-1").orElseThrow().status());
        assertEquals(one, s.spentEpsilon(), 1e-12);
        assertEquals(budget - one, s.remainingEpsilon(), 1e-12);
        assertEquals(1, s.charges().size());
    }
}
