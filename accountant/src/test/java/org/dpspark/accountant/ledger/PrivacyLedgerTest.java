package org.dpspark.accountant.ledger;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ledger on the local file system ({@link LedgerContract}), and the refusal of stores without atomic create. */
class PrivacyLedgerTest extends LedgerContract {
    @TempDir Path dir;

    @Override
    protected String location() {
        return dir.toString();
    }

    @Override
    protected Configuration conf() {
        return null;
    }

    @Test
    void objectStoreWithoutAtomicCreate_isRefused() {
        org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
        conf.set("fs.objtest.impl", OtherSchemeFileSystem.class.getName());
        conf.setBoolean("fs.objtest.impl.disable.cache", true);
        String uri = "objtest://" + dir.resolve("obj").toUri().getPath();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PrivacyLedger.create(uri, conf, LedgerPolicy.defaults()));
        assertTrue(e.getMessage().contains("no atomic create-if-absent"), e.getMessage());
        conf.setBoolean(EntryStore.TRUST_CREATE_KEY, true);
        PrivacyLedger.create(uri, conf, LedgerPolicy.defaults()); // the operator vouches for the store
        PrivacyLedger.open(uri, conf);
    }

    /** A file system under another scheme, standing in for an object store. */
    public static final class OtherSchemeFileSystem extends org.apache.hadoop.fs.RawLocalFileSystem {
        @Override
        public java.net.URI getUri() {
            return java.net.URI.create("objtest:///");
        }

        @Override
        public String getScheme() {
            return "objtest";
        }
    }
}
