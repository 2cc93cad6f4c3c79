package org.dpspark.accountant.ledger;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link LedgerConcurrencyTest}'s scenario on HDFS: eight worker JVMs (HDFS clients of this JVM's MiniDFSCluster)
 * reserve at the same moment against one budget, twenty rounds; exactly as many admitted as the composed budget
 * allows, every admitted job in the log, never overdrawn; then the admitted jobs commit at the same moment and
 * every acknowledged commit is in the log.
 */
class LedgerConcurrencyOnHdfsIT {
    @RegisterExtension
    static final HdfsCluster.PerClass HDFS = new HdfsCluster.PerClass();


    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void eightProcesses_onHdfs_neverOverdraw_andNoReservationIsLost() throws Exception {
        LedgerConcurrencyTest.eightProcessesAgainstOneBudget(HDFS.get().freshLocation("concurrency"), true);
    }
}
