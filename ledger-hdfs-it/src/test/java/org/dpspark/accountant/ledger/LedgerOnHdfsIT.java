package org.dpspark.accountant.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ledger's behaviour tests ({@link LedgerContract}: init, budgets, reserve, commit, abort, state, refusal of an
 * exhausted budget, torn, missing and newer entries named, temporaries ignored, no overwrite) on a real HDFS.
 */
@Timeout(60)
class LedgerOnHdfsIT extends LedgerContract {
    @RegisterExtension
    static final HdfsCluster.PerClass HDFS = new HdfsCluster.PerClass();
    private String location;


    @Override
    @BeforeEach
    void createLedger() {
        location = HDFS.get().freshLocation("ledger");
        super.createLedger();
    }

    /** The ledger's own HDFS client is replaced once closed (FileSystem.closeAll, as at a Spark driver's exit). */
    @Test
    void ledgerOpenedAfterFileSystemCloseAll_works() throws IOException {
        ledger().reserve("ds", "a", "sha256:aa", JOB, DELTA);
        FileSystem.closeAll();
        PrivacyLedger l = ledger();
        assertEquals(1, l.state("ds").entries().size());
        assertEquals(2, l.reserve("ds", "b", "sha256:aa", JOB, DELTA).reservation().seq());
    }

    @Override
    protected String location() {
        return location;
    }

    @Override
    protected Configuration conf() {
        return HDFS.get().conf();
    }
}
