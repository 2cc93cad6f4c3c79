package org.dpspark.datasets;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;

/**
 * The features of one block in a file on the executor's local disk: rows x dim values, row-major, little-endian,
 * as doubles or floats ({@link Precision}), nothing else (no header, no labels). A step reads only its sampled rows,
 * with positional reads ({@link FileChannel#read(ByteBuffer, long)}, one per run of consecutive sampled rows), and
 * counts the bytes it read ({@link ReadCounter}).
 *
 * <p>Privacy: the file holds raw (encoded) features. It is created owner-only (0600, in a 0700 directory) under
 * the executor's local directories, never on shared storage, and deleted by {@link #delete()} at the end of the run
 * or on its failure (and with the executor's local directories when the executor stops). Serializing an instance
 * ships the path only, never the values; {@link #toString()} shows the shape only.
 */
public final class BlockFile implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Bytes read or written per I/O call at most, and the size of the write buffer. */
    static final int CHUNK = 1 << 20;

    private final String path;
    private final int rows;
    private final int dim;
    private final Precision precision;
    private transient volatile FileChannel channel;

    private BlockFile(String path, int rows, int dim, Precision precision) {
        this.path = path;
        this.rows = rows;
        this.dim = dim;
        this.precision = precision;
    }

    /**
     * Writes {@code features} (row-major, rows x dim doubles) to a new owner-only file in {@code dir} (created
     * owner-only when absent), stored at {@code precision}. A failed write deletes the partial file.
     */
    public static BlockFile write(Path dir, String name, int rows, int dim, double[] features, Precision precision) {
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(precision, "precision");
        if ((long) rows * dim != features.length) {
            throw new IllegalArgumentException("features must hold rows * dim = " + ((long) rows * dim) + " values, got "
                    + features.length);
        }
        Path file = dir.resolve(name);
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        boolean created = false;
        try {
            if (posix) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir);
            }
            FileAttribute<?>[] attrs = posix ? new FileAttribute<?>[] {
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))} : new FileAttribute<?>[0];
            try (FileChannel ch = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), attrs)) {
                created = true;
                ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
                int per = CHUNK / precision.bytes();
                for (int from = 0; from < features.length; from += per) {
                    int n = Math.min(per, features.length - from);
                    buf.clear();
                    if (precision == Precision.FLOAT64) {
                        buf.asDoubleBuffer().put(features, from, n);
                    } else {
                        for (int i = 0; i < n; i++) {
                            buf.putFloat(i * Float.BYTES, (float) features[from + i]);
                        }
                    }
                    buf.limit(n * precision.bytes());
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            try {
                if (created) {
                    Files.deleteIfExists(file); // the partial file (never one this call did not create)
                }
            } catch (IOException ignored) {
                // the directory goes with the executor's local directories
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot write a block file in the executor's local directory " + dir
                        + ": " + io.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
        return new BlockFile(file.toString(), rows, dim, precision);
    }

    public int rows() {
        return rows;
    }

    public int dim() {
        return dim;
    }

    public Precision precision() {
        return precision;
    }

    /** The file's size: rows x dim x 8 or 4 bytes. */
    public long bytes() {
        return (long) rows * dim * precision.bytes();
    }

    /** The file's path (on the executor that wrote it). */
    public String path() {
        return path;
    }

    /**
     * Reads rows {@code idx[0 .. count)} (strictly increasing, each in [0, rows)) as doubles into {@code out}, row k
     * at {@code out[k * dim ..]}: one positional read per run of consecutive rows.
     */
    public void gather(int[] idx, int count, double[] out, ReadCounter counter) {
        if (count == 0) {
            return;
        }
        FileChannel ch = channel();
        int rowBytes = dim * precision.bytes();
        int rowsPerBuffer = Math.max(1, CHUNK / rowBytes);
        ByteBuffer buf = ByteBuffer.allocate(Math.min(count, rowsPerBuffer) * rowBytes).order(ByteOrder.LITTLE_ENDIAN);
        long read = 0;
        long calls = 0;
        int k = 0;
        while (k < count) {
            // Fill the buffer with up to rowsPerBuffer sampled rows, one read per run of consecutive rows.
            int first = k;
            buf.clear();
            while (k < count && k - first < rowsPerBuffer) {
                int runStart = k;
                int row = idx[k];
                if (row < 0 || row >= rows) {
                    throw new IllegalArgumentException("row " + row + " out of [0, " + rows + ")");
                }
                k++;
                while (k < count && k - first < rowsPerBuffer && idx[k] == idx[k - 1] + 1) {
                    k++;
                }
                int runRows = k - runStart;
                buf.limit(buf.position() + runRows * rowBytes);
                long offset = (long) row * rowBytes;
                try {
                    while (buf.hasRemaining()) {
                        int n = ch.read(buf, offset);
                        if (n < 0) {
                            throw new IllegalStateException("block file " + path + " is shorter than its " + rows
                                    + " rows");
                        }
                        offset += n;
                        read += n;
                        calls++;
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read block file " + path + ": " + e.getMessage(), e);
                }
            }
            int values = (k - first) * dim;
            if (precision == Precision.FLOAT64) {
                buf.position(0);
                buf.asDoubleBuffer().get(out, first * dim, values);
            } else {
                int base = first * dim;
                for (int i = 0; i < values; i++) {
                    out[base + i] = buf.getFloat(i * Float.BYTES);
                }
            }
        }
        if (counter != null) {
            counter.add((long) count * rowBytes, read, calls);
        }
    }

    private FileChannel channel() {
        FileChannel ch = channel;
        if (ch == null || !ch.isOpen()) {
            synchronized (this) {
                ch = channel;
                if (ch == null || !ch.isOpen()) {
                    try {
                        ch = FileChannel.open(Paths.get(path), StandardOpenOption.READ);
                    } catch (NoSuchFileException e) {
                        throw new IllegalStateException("block file " + path + " is not on this executor: a block "
                                + "stored with --block-storage disk is read only by the executor that wrote it "
                                + "(deleted, or the block moved to another executor)", e);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot open block file " + path + ": " + e.getMessage(), e);
                    }
                    channel = ch;
                }
            }
        }
        return ch;
    }

    /** Closes the file and deletes it (idempotent). Returns whether a file was deleted. */
    public synchronized boolean delete() {
        FileChannel ch = channel;
        channel = null;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // deleted below anyway
            }
        }
        try {
            return Files.deleteIfExists(Paths.get(path));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete block file " + path + ": " + e.getMessage(), e);
        }
    }

    /** Whether the file is present on this machine. */
    public boolean exists() {
        return Files.exists(Paths.get(path));
    }

    @Override
    public String toString() {
        return "BlockFile[rows=" + rows + ", dim=" + dim + ", " + precision.jsonName() + "]";
    }
}
