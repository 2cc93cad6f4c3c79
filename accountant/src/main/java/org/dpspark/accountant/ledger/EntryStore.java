package org.dpspark.accountant.ledger;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger's files: {@code <root>/datasets/<dataset-id>/entries/<seq, 20 digits>.json}, an append-only log per
 * dataset, and the one primitive everything rests on: <em>create entry n+1 if absent</em>, atomically.
 *
 * <p>An entry is first written whole under a temporary name (starting with ".", which readers ignore) and then
 * published under its final name without ever overwriting:
 * <ul>
 *   <li>local file system: {@code link(2)} of the final name to the temporary file ({@link Files#createLink}),
 *       which fails with EEXIST when the name exists; the temporary file is fsynced first, so a published entry is
 *       never torn. Where hard links are unsupported, an O_EXCL create of the final name
 *       ({@link StandardOpenOption#CREATE_NEW}) is used instead: still atomic, but a crash mid-write could leave
 *       a torn entry, which readers then report (never skip). Hadoop's local {@code create(overwrite=false)}
 *       checks and then creates, and {@code rename} overwrites on POSIX: neither is used.</li>
 *   <li>HDFS: {@code rename(tmp, final)}, which fails atomically (returns false) when the final name exists; the
 *       NameNode logs and syncs the rename before it answers, so a published entry survives a NameNode restart. The
 *       temporary is {@code hsync}ed first (on disk at the DataNodes, not only in their page cache), so a
 *       published entry is never torn by a DataNode's power loss. Listings of more than {@code dfs.ls.limit}
 *       entries come in pages and are not one snapshot, but pages follow name order and entries are only ever
 *       added at the end, so a listing is still a prefix of the log (tested against a MiniDFSCluster in
 *       ledger-hdfs-it).</li>
 *   <li>Other file systems (S3A, GCS, ABFS, ...): refused, because object stores have no atomic create-if-absent
 *       in general (S3 offers one only through conditional writes, If-None-Match). Setting
 *       {@value #TRUST_CREATE_KEY}=true in the Hadoop configuration asserts that the store's
 *       {@code create(overwrite=false)} is atomic (e.g. S3A with conditional writes enabled); it is then used,
 *       with a warning.</li>
 * </ul>
 *
 * <p>Entries are immutable once published, so parsed entries are cached by path.
 */
final class EntryStore {
    private static final Logger LOG = LoggerFactory.getLogger(EntryStore.class);

    /** Hadoop configuration key: trust {@code create(overwrite=false)} on file systems other than file and hdfs. */
    static final String TRUST_CREATE_KEY = "dpspark.ledger.trust-atomic-create";

    private static final Pattern ENTRY_NAME = Pattern.compile("[0-9]{20}\\.json");
    private static final Pattern DATASET_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

    private enum Publish { LINK, HDFS_RENAME, TRUSTED_CREATE }

    private final Configuration conf;
    private final FileSystem fs;
    private final Path root;
    private final Publish publish;
    private final ConcurrentHashMap<Path, LedgerEntry> cache = new ConcurrentHashMap<>();
    private volatile boolean linkUnsupported;

    EntryStore(String uri, Configuration conf) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("ledger location must be a non-empty path or URI");
        }
        this.conf = conf == null ? new Configuration() : conf;
        String scheme;
        try {
            Path p = new Path(uri);
            FileSystem shared = p.getFileSystem(this.conf);
            this.root = shared.makeQualified(p);
            scheme = root.toUri().getScheme() == null ? "" : root.toUri().getScheme().toLowerCase(Locale.ROOT);
            this.fs = scheme.equals("hdfs") ? hdfsClient(root.toUri(), this.conf) : shared;
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("ledger " + uri + ": cannot open: " + e.getMessage(), e);
        }
        if (scheme.equals("file")) {
            publish = Publish.LINK;
        } else if (scheme.equals("hdfs")) {
            publish = Publish.HDFS_RENAME;
        } else if (this.conf.getBoolean(TRUST_CREATE_KEY, false)) {
            LOG.warn("ledger {}: trusting create(overwrite=false) on '{}' to be an atomic create-if-absent ({}=true); "
                    + "if it is not, concurrent jobs can overdraw a budget", root, scheme, TRUST_CREATE_KEY);
            publish = Publish.TRUSTED_CREATE;
        } else {
            throw new IllegalArgumentException("ledger " + uri + ": the '" + scheme + "' file system has no atomic "
                    + "create-if-absent, so concurrent jobs could overdraw a budget; keep the ledger on HDFS or a local/"
                    + "shared POSIX file system, or, if this store's create without overwrite is atomic (S3 with "
                    + "conditional writes), set " + TRUST_CREATE_KEY + "=true in the Hadoop configuration");
        }
    }

    Path root() {
        return root;
    }

    /** HDFS client setting: the first back-off of close() while the NameNode cannot yet complete the last block. */
    static final String COMPLETE_DELAY_KEY = "dfs.client.block.write.locateFollowingBlock.initial.delay.ms";
    /** HDFS client setting: how many times close() backs off (doubling) before it fails. */
    static final String COMPLETE_RETRIES_KEY = "dfs.client.block.write.locateFollowingBlock.retries";
    static final int LEDGER_COMPLETE_DELAY_MS = 20;
    static final int LEDGER_COMPLETE_RETRIES = 10;

    private static final ConcurrentHashMap<List<Object>, FileSystem> HDFS_CLIENTS = new ConcurrentHashMap<>();

    /**
     * The ledger's own HDFS client for this file system and user, one per JVM. It differs from the shared
     * (cached) client in one thing: closing a file, the client asks the NameNode to complete it, and when the
     * DataNode's report of the block has not reached the NameNode yet (a race every small file can lose), Hadoop's
     * client sleeps 400 ms before asking again. Every ledger entry is a small
     * file written just before it is published, so about half the entries paid 400 ms (measured on a MiniDFSCluster:
     * median reserve+commit 587 ms, 256 ms with the first back-off at 20 ms). The ledger's client starts at
     * {@value #LEDGER_COMPLETE_DELAY_MS} ms and backs off {@value #LEDGER_COMPLETE_RETRIES} times (about 20 s of
     * patience in all, more than Hadoop's default 5 from 400 ms, 12.4 s), unless the configuration sets either
     * value itself. Everything else (HA, security, the user's credentials) is the given configuration's.
     */
    private static FileSystem hdfsClient(java.net.URI uri, Configuration conf) throws IOException {
        org.apache.hadoop.security.UserGroupInformation ugi =
                org.apache.hadoop.security.UserGroupInformation.getCurrentUser();
        List<Object> key = List.of(uri.getScheme().toLowerCase(Locale.ROOT), String.valueOf(uri.getAuthority()), ugi);
        synchronized (HDFS_CLIENTS) {
            FileSystem fs = HDFS_CLIENTS.get(key);
            boolean closed = fs instanceof org.apache.hadoop.hdfs.DistributedFileSystem dfs
                    && !dfs.getClient().isClientRunning(); // e.g. after FileSystem.closeAll()
            if (fs != null && !closed) {
                return fs;
            }
            Configuration c = new Configuration(conf);
            if (!setByUser(conf, COMPLETE_DELAY_KEY) && !setByUser(conf, COMPLETE_RETRIES_KEY)) {
                c.setInt(COMPLETE_DELAY_KEY, LEDGER_COMPLETE_DELAY_MS);
                c.setInt(COMPLETE_RETRIES_KEY, LEDGER_COMPLETE_RETRIES);
            }
            fs = FileSystem.newInstance(uri, c); // closed with the others by Hadoop's shutdown hook
            HDFS_CLIENTS.put(key, fs);
            return fs;
        }
    }

    private static boolean setByUser(Configuration conf, String key) {
        String[] sources = conf.getPropertySources(key);
        if (sources == null) {
            return false;
        }
        for (String s : sources) {
            if (!s.equals("hdfs-default.xml")) {
                return true;
            }
        }
        return false;
    }

    static String checkDatasetId(String datasetId) {
        if (datasetId == null || !DATASET_ID.matcher(datasetId).matches()) {
            throw new IllegalArgumentException("dataset id must be 1-200 characters of A-Z a-z 0-9 . _ - starting with "
                    + "a letter or digit, got " + (datasetId == null ? "null" : "'" + datasetId + "'"));
        }
        return datasetId;
    }

    private Path entriesDir(String datasetId) {
        return new Path(new Path(new Path(root, "datasets"), checkDatasetId(datasetId)), "entries");
    }

    static String fileName(long seq) {
        return String.format(Locale.ROOT, "%020d.json", seq);
    }

    /** The dataset ids that have a log, sorted. */
    List<String> datasets() {
        Path dir = new Path(root, "datasets");
        List<String> ids = new ArrayList<>();
        try {
            if (!fs.exists(dir)) {
                return ids;
            }
            for (FileStatus st : fs.listStatus(dir)) {
                String name = st.getPath().getName();
                if (st.isDirectory() && DATASET_ID.matcher(name).matches()) {
                    ids.add(name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list ledger " + root + ": " + e.getMessage(), e);
        }
        ids.sort(null);
        return ids;
    }

    /**
     * All entries of a dataset in seq order. Fails (never skips) on a torn or corrupt entry, a gap in the
     * sequence, or an entry whose seq or dataset disagrees with its file.
     */
    List<LedgerEntry> read(String datasetId) {
        Path dir = entriesDir(datasetId);
        List<Path> files = new ArrayList<>();
        try {
            FileStatus[] listing;
            try {
                listing = fs.listStatus(dir);
            } catch (FileNotFoundException e) {
                return List.of();
            }
            for (FileStatus st : listing) {
                if (ENTRY_NAME.matcher(st.getPath().getName()).matches()) {
                    files.add(st.getPath());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        files.sort((a, b) -> a.getName().compareTo(b.getName()));
        List<LedgerEntry> entries = new ArrayList<>(files.size());
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            long expected = i + 1L;
            long named = Long.parseLong(f.getName().substring(0, 20));
            if (named != expected) {
                throw new LedgerCorruptException("corrupt ledger: dataset '" + datasetId + "' has no entry "
                        + fileName(expected) + " in " + dir + " (next is " + f.getName()
                        + "); a missing entry could hide spent budget");
            }
            LedgerEntry e = cache.get(f);
            if (e == null) {
                e = LedgerJson.parse(readBytes(f), f.toString());
                if (e.seq() != named || !e.datasetId().equals(datasetId)) {
                    throw new LedgerCorruptException("corrupt ledger entry " + f + ": it says seq " + e.seq()
                            + " of dataset '" + e.datasetId() + "'");
                }
                cache.put(f, e);
            }
            entries.add(e);
        }
        return entries;
    }

    private byte[] readBytes(Path f) {
        try (FSDataInputStream in = fs.open(f)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read ledger entry " + f + ": " + e.getMessage(), e);
        }
    }

    /**
     * Publishes {@code entry} as entry {@code entry.seq()} of its dataset if no such entry exists.
     *
     * @return true if this call created it; false if another writer got there first
     */
    boolean createIfAbsent(LedgerEntry entry) {
        Path dir = entriesDir(entry.datasetId());
        return publishIfAbsent(dir, new Path(dir, fileName(entry.seq())), LedgerJson.toBytes(entry));
    }

    /** What is at the root. */
    enum RootKind {
        /** Nothing: no ledger. */
        MISSING,
        /** An empty directory: no ledger yet, one may be created there. */
        EMPTY,
        /** A ledger with its marker file. */
        MARKED,
        /** A ledger of the layout before marker files ({@code datasets/} without {@value #MARKER}). */
        LEGACY,
        /** A file, or a directory holding something else. */
        OTHER
    }

    /** The marker file's name, at the root. */
    static final String MARKER = "ledger.json";

    RootKind rootKind() {
        try {
            FileStatus st;
            try {
                st = fs.getFileStatus(root);
            } catch (FileNotFoundException e) {
                return RootKind.MISSING;
            }
            if (!st.isDirectory()) {
                return RootKind.OTHER;
            }
            if (fs.exists(new Path(root, MARKER))) {
                return RootKind.MARKED;
            }
            FileStatus[] children = fs.listStatus(root);
            boolean datasets = false;
            boolean other = false;
            for (FileStatus c : children) {
                if (c.getPath().getName().equals("datasets") && c.isDirectory()) {
                    datasets = true;
                } else if (!c.getPath().getName().startsWith(".")) {
                    other = true;
                }
            }
            return datasets ? RootKind.LEGACY : other ? RootKind.OTHER : RootKind.EMPTY;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read ledger " + root + ": " + e.getMessage(), e);
        }
    }

    byte[] readMarker() {
        return readBytes(new Path(root, MARKER));
    }

    /** Creates the marker file if absent, atomically as entries are; false if it exists. */
    boolean createMarker(byte[] bytes) {
        return publishIfAbsent(root, new Path(root, MARKER), bytes);
    }

    private boolean publishIfAbsent(Path dir, Path dest, byte[] bytes) {
        try {
            fs.mkdirs(dir);
            return switch (publish) {
                case LINK -> linkLocal(dir, dest, bytes);
                case HDFS_RENAME -> renameHdfs(dir, dest, bytes);
                case TRUSTED_CREATE -> createTrusted(dest, bytes);
            };
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write ledger entry " + dest + ": " + e.getMessage(), e);
        }
    }

    private static Path tempFor(Path dir, Path dest) {
        return new Path(dir, "." + dest.getName() + ".tmp-" + UUID.randomUUID());
    }

    private boolean linkLocal(Path dir, Path dest, byte[] bytes) throws IOException {
        java.nio.file.Path target = java.nio.file.Path.of(dest.toUri());
        java.nio.file.Path dirPath = java.nio.file.Path.of(dir.toUri());
        if (!linkUnsupported) {
            java.nio.file.Path tmp = java.nio.file.Path.of(tempFor(dir, dest).toUri());
            try {
                writeSynced(tmp, bytes);
                try {
                    Files.createLink(target, tmp); // link(2): atomic, fails with EEXIST, never overwrites
                    syncDirectory(dirPath);
                    return true;
                } catch (FileAlreadyExistsException e) {
                    return false;
                } catch (UnsupportedOperationException | FileSystemException e) {
                    if (Files.exists(target)) {
                        return false;
                    }
                    linkUnsupported = true;
                    LOG.warn("ledger {}: hard links unsupported ({}); publishing entries with an O_EXCL create instead "
                            + "(a crash mid-write can leave a torn entry, reported on reading)", root, e.toString());
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            writeFully(ch, bytes);
            ch.force(true);
        } catch (FileAlreadyExistsException e) {
            return false;
        }
        syncDirectory(dirPath);
        return true;
    }

    private static void writeSynced(java.nio.file.Path p, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            writeFully(ch, bytes);
            ch.force(true);
        }
    }

    private static void writeFully(FileChannel ch, byte[] bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /** Makes the new directory entry durable (POSIX); best effort where directories cannot be opened. */
    private static void syncDirectory(java.nio.file.Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("cannot fsync directory {}: {}", dir, e.toString());
        }
    }

    private boolean renameHdfs(Path dir, Path dest, byte[] bytes) throws IOException {
        Path tmp = tempFor(dir, dest);
        boolean published = false;
        try {
            try (FSDataOutputStream out = fs.create(tmp, false)) {
                out.write(bytes);
                // On disk at every DataNode of the pipeline before it is published, as the local path fsyncs:
                // close() alone leaves the block in the DataNodes' page cache, so a power loss could tear an entry
                // the NameNode already lists.
                out.hsync();
            }
            if (fs.rename(tmp, dest)) { // HDFS: fails (false) when dest exists, atomically; logged and synced
                published = true;
                return true;
            }
            if (fs.exists(dest)) {
                return false;
            }
            throw new IOException("rename of " + tmp + " to " + dest + " failed");
        } finally {
            deleteTemporary(tmp, published);
        }
    }

    /** After a publish the temporary is gone (renamed): failing to delete nothing must not fail the publish. */
    private void deleteTemporary(Path tmp, boolean published) throws IOException {
        try {
            fs.delete(tmp, false);
        } catch (IOException e) {
            if (!published) {
                throw e;
            }
            LOG.debug("ledger {}: delete of published temporary {}: {}", root, tmp, e.toString());
        }
    }

    private boolean createTrusted(Path dest, byte[] bytes) throws IOException {
        try (OutputStream out = fs.create(dest, false)) {
            out.write(bytes);
            return true;
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            if (fs.exists(dest)) {
                return false; // e.g. a failed precondition
            }
            throw e;
        }
    }

}
