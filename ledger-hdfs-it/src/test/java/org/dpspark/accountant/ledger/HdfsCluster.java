package org.dpspark.accountant.ledger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.protocol.HdfsConstants.SafeModeAction;
import org.apache.log4j.Level;
import org.apache.log4j.Logger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real HDFS for a test class: an in-process MiniDFSCluster (one NameNode, one DataNode) in a fresh directory
 * under target/, on free ports (the NameNode's RPC port is chosen by the OS at start and kept across restarts).
 */
final class HdfsCluster implements AutoCloseable {
    private static final AtomicInteger LOCATIONS = new AtomicInteger();

    private final MiniDFSCluster cluster;

    private HdfsCluster(MiniDFSCluster cluster) {
        this.cluster = cluster;
    }

    /**
     * One cluster per test class, as a JUnit extension: {@code @RegisterExtension static final HdfsCluster.PerClass
     * HDFS = new HdfsCluster.PerClass();} starts it before the class's tests and closes it after them.
     */
    static final class PerClass implements BeforeAllCallback, AfterAllCallback {
        private HdfsCluster hdfs;

        /** The running cluster (inside the class's tests). */
        HdfsCluster get() {
            if (hdfs == null) {
                throw new IllegalStateException("the HDFS cluster is not running");
            }
            return hdfs;
        }

        @Override
        public void beforeAll(ExtensionContext context) throws IOException {
            hdfs = start();
        }

        @Override
        public void afterAll(ExtensionContext context) throws IOException {
            if (hdfs != null) {
                hdfs.close();
                hdfs = null;
            }
        }
    }

    static HdfsCluster start() throws IOException {
        Path target = Path.of("target");
        Files.createDirectories(target);
        Path base = Files.createTempDirectory(target.toAbsolutePath(), "minidfs-");
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
        MiniDFSCluster c = new MiniDFSCluster.Builder(conf, base.toFile()).numDataNodes(1).format(true).build();
        c.waitActive();
        return new HdfsCluster(c);
    }

    /** The file system's URI, {@code hdfs://localhost:<port>}. */
    String uri() {
        return cluster.getURI().toString();
    }

    /** A new location on this HDFS where nothing exists yet: {@code hdfs://localhost:<port>/ledger-<n>}. */
    String freshLocation(String prefix) {
        return uri() + "/" + prefix + "-" + LOCATIONS.incrementAndGet();
    }

    /** The configuration that reaches this cluster (the defaults would too: locations carry host and port). */
    Configuration conf() {
        return new Configuration(cluster.getConfiguration(0));
    }

    /** Stops and starts the NameNode from its persisted image and edit log; returns once it accepts writes. */
    void restartNameNode() throws IOException {
        // While the NameNode is down, the DataNode's heartbeats fail with logged stack traces: expected, not shown.
        withHadoopLogsAt(Level.ERROR, () -> cluster.restartNameNode(true));
        DistributedFileSystem dfs = cluster.getFileSystem();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (dfs.setSafeMode(SafeModeAction.SAFEMODE_GET)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the restarted NameNode stayed in safe mode for 60 s");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            FileSystem.closeAll(); // the clients of this cluster, before it goes
        } finally {
            // A stopping DataNode reports its interrupted threads as errors: expected here, so not shown.
            withHadoopLogsAt(Level.OFF, () -> cluster.shutdown(true)); // deletes its directory
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void withHadoopLogsAt(Level level, IoAction action) throws IOException {
        Logger hadoop = Logger.getLogger("org.apache.hadoop");
        Level before = hadoop.getLevel();
        hadoop.setLevel(level);
        try {
            action.run();
        } finally {
            hadoop.setLevel(before);
        }
    }
}
