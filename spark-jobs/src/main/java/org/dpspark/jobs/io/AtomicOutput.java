package org.dpspark.jobs.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Publishes outputs all at once or not at all: files are written under a hidden temporary name beside the
 * destination, then renamed into place, so a crash never leaves a half-written model or report where a reader
 * would take it for a finished one. Works on any Hadoop-compatible file system.
 */
public final class AtomicOutput {
    private AtomicOutput() {}

    /**
     * Fails early (before any training) when {@code path} cannot be published: it exists and {@code overwrite} is
     * false.
     *
     * @param flag the command-line flag that named the path, for the error message
     */
    public static void checkPublishable(Configuration conf, String path, boolean overwrite, String flag) {
        try {
            Path p = new Path(path);
            FileSystem fs = p.getFileSystem(conf);
            if (fs.exists(p) && !overwrite) {
                throw new IllegalArgumentException(flag + " " + path + " already exists; choose a new path or pass --overwrite");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check " + flag + " " + path + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code content} to {@code path} atomically. */
    public static void writeFile(Configuration conf, String path, byte[] content, boolean overwrite) {
        Path dest = new Path(path);
        try {
            FileSystem fs = dest.getFileSystem(conf);
            Path tmp = tempBeside(dest);
            try (OutputStream out = fs.create(tmp, false)) {
                out.write(content);
            }
            publish(fs, tmp, dest, overwrite);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
        }
    }

    /** Writes a directory of files at {@code path} atomically (the directory appears whole). */
    public static void writeDirectory(Configuration conf, String path, Map<String, byte[]> files, boolean overwrite) {
        Path dest = new Path(path);
        try {
            FileSystem fs = dest.getFileSystem(conf);
            Path tmp = tempBeside(dest);
            fs.mkdirs(tmp);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                try (OutputStream out = fs.create(new Path(tmp, f.getKey()), false)) {
                    out.write(f.getValue());
                }
            }
            publish(fs, tmp, dest, overwrite);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
        }
    }

    private static Path tempBeside(Path dest) throws IOException {
        Path parent = dest.getParent();
        String name = "." + dest.getName() + ".tmp-" + UUID.randomUUID();
        return parent == null ? new Path(name) : new Path(parent, name);
    }

    private static void publish(FileSystem fs, Path tmp, Path dest, boolean overwrite) throws IOException {
        try {
            if (fs.exists(dest)) {
                if (!overwrite) {
                    throw new IOException(dest + " appeared while the job ran; not overwriting it");
                }
                fs.delete(dest, true);
            }
            if (dest.getParent() != null) {
                fs.mkdirs(dest.getParent());
            }
            if (!fs.rename(tmp, dest)) {
                throw new IOException("rename of " + tmp + " to " + dest + " failed");
            }
        } catch (IOException e) {
            fs.delete(tmp, true);
            throw e;
        }
    }
}
