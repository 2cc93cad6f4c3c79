package org.dpspark.jobs.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.ParentNotDirectoryException;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsAction;
import org.apache.hadoop.security.AccessControlException;

/**
 * Publishes outputs all at once or not at all: files are written under a hidden temporary name beside the
 * destination, then renamed into place, so a crash never leaves a half-written model or report where a reader
 * would take it for a finished one. Works on any Hadoop-compatible file system.
 */
public final class AtomicOutput {
    private AtomicOutput() {}

    /**
     * Fails early (before any training) when {@code path} cannot be published: it exists and {@code overwrite} is
     * false, or it does not exist and cannot be created ({@link #checkCreatable}).
     *
     * @param flag the command-line flag that named the path, for the error message
     */
    public static void checkPublishable(Configuration conf, String path, boolean overwrite, String flag) {
        try {
            Path p = new Path(path);
            FileSystem fs = p.getFileSystem(conf);
            if (status(fs, p) != null) {
                if (!overwrite) {
                    throw new IllegalArgumentException(flag + " " + path + " already exists; choose a new path or pass --overwrite");
                }
                return;
            }
            checkCreatable(fs, p, flag, path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check " + flag + " " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Fails early when a file cannot be written (and replaced) at {@code path}: it is an existing directory, or
     * it does not exist and cannot be created ({@link #checkCreatable}). An existing file is fine: it will be
     * replaced.
     *
     * @param flag the command-line flag that named the path, for the error message
     */
    public static void checkReplaceableFile(Configuration conf, String path, String flag) {
        try {
            Path p = new Path(path);
            FileSystem fs = p.getFileSystem(conf);
            FileStatus st = status(fs, p);
            if (st != null) {
                if (st.isDirectory()) {
                    throw new IllegalArgumentException(flag + " " + path + " is a directory; give a file path");
                }
                return;
            }
            checkCreatable(fs, p, flag, path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check " + flag + " " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * A path that does not exist can be created when its nearest existing ancestor is a directory we may write
     * in (so every ancestor that exists is a directory: the missing ones can be made). Refused otherwise: under a
     * file ({@code people.csv/model}), or under a directory that is not writable.
     */
    private static void checkCreatable(FileSystem fs, Path p, String flag, String path) throws IOException {
        for (Path a = p.getParent(); a != null; a = a.getParent()) {
            FileStatus st = status(fs, a);
            if (st == null) {
                continue;
            }
            if (!st.isDirectory()) {
                throw new IllegalArgumentException(flag + " " + path + " cannot be created: " + a
                        + " is a file, not a directory");
            }
            if (!writable(fs, a)) {
                throw new IllegalArgumentException(flag + " " + path + " cannot be created: the directory " + a
                        + " is not writable");
            }
            return;
        }
    }

    /** The path's status, or null when nothing is there (also when a parent is a file: nothing can be there). */
    private static FileStatus status(FileSystem fs, Path p) throws IOException {
        try {
            return fs.getFileStatus(p);
        } catch (FileNotFoundException | ParentNotDirectoryException e) {
            return null;
        }
    }

    private static boolean writable(FileSystem fs, Path dir) throws IOException {
        if (fs instanceof LocalFileSystem local) {
            // the operating system's answer (root may write anywhere), not Hadoop's reading of the mode bits
            return Files.isWritable(local.pathToFile(dir).toPath());
        }
        try {
            fs.access(dir, FsAction.WRITE);
            return true;
        } catch (AccessControlException e) {
            return false;
        } catch (UnsupportedOperationException e) {
            return true; // the file system cannot tell before a write: the write itself will
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

    /**
     * Publishes several files together, both or neither (e.g. report.json and report.html): every file is first
     * written in full under a hidden temporary name beside its destination; only then are they renamed into place,
     * in order. If a write or a rename fails, the files already moved into place are removed and every temporary file
     * deleted, so a reader never finds one without the others. Existing destinations are refused unless
     * {@code overwrite} (checked for all before the first rename); with {@code overwrite} they are replaced, and a
     * failure may leave none of them.
     *
     * @param files destination path to content, renamed in this map's iteration order
     */
    public static void writeFiles(Configuration conf, Map<String, byte[]> files, boolean overwrite) {
        java.util.List<Path> dests = new java.util.ArrayList<>();
        java.util.List<Path> temps = new java.util.ArrayList<>();
        java.util.List<FileSystem> systems = new java.util.ArrayList<>();
        java.util.List<Integer> moved = new java.util.ArrayList<>();
        String current = null;
        try {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                current = f.getKey();
                Path dest = new Path(f.getKey());
                FileSystem fs = dest.getFileSystem(conf);
                Path tmp = tempBeside(dest);
                if (dest.getParent() != null) {
                    fs.mkdirs(dest.getParent());
                }
                dests.add(dest);
                systems.add(fs);
                temps.add(tmp);
                try (OutputStream out = fs.create(tmp, false)) {
                    out.write(f.getValue());
                }
            }
            for (int i = 0; i < dests.size(); i++) {
                current = dests.get(i).toString();
                if (!overwrite && systems.get(i).exists(dests.get(i))) {
                    throw new IOException(dests.get(i) + " appeared while the job ran; not overwriting it");
                }
            }
            for (int i = 0; i < dests.size(); i++) {
                current = dests.get(i).toString();
                FileSystem fs = systems.get(i);
                if (fs.exists(dests.get(i))) {
                    fs.delete(dests.get(i), true);
                }
                if (!fs.rename(temps.get(i), dests.get(i))) {
                    throw new IOException("rename of " + temps.get(i) + " to " + dests.get(i) + " failed");
                }
                moved.add(i);
            }
        } catch (IOException e) {
            for (int i : moved) {
                deleteQuietly(systems.get(i), dests.get(i));
            }
            for (int i = 0; i < temps.size(); i++) {
                deleteQuietly(systems.get(i), temps.get(i));
            }
            throw new UncheckedIOException("cannot write " + current + " (nothing of " + files.keySet()
                    + " was published): " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(FileSystem fs, Path p) {
        try {
            if (fs.exists(p)) {
                fs.delete(p, true);
            }
        } catch (IOException ignored) {
            // best effort: the caller reports the original failure
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

    /** What fills a folder before it is published: it writes into the temporary folder it is given. */
    @FunctionalInterface
    public interface Filler {
        void fill(Path tmp, FileSystem fs) throws IOException;
    }

    /**
     * Publishes a folder at {@code path} that {@code filler} writes (a Spark write, files, ...): it writes into a
     * hidden temporary folder beside {@code path}, which is then renamed into place, so the folder appears whole or
     * not at all. Whatever the filler throws leaves nothing behind.
     *
     * @param flag the command-line flag that named the path, for the error message
     */
    public static void publishDirectory(Configuration conf, String path, boolean overwrite, String flag,
                                        Filler filler) {
        Path dest = new Path(path);
        try {
            FileSystem fs = dest.getFileSystem(conf);
            Path tmp = tempBeside(dest);
            try {
                filler.fill(tmp, fs);
                publish(fs, tmp, dest, overwrite);
            } finally {
                if (fs.exists(tmp)) {
                    fs.delete(tmp, true);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + flag + " " + path + ": " + e.getMessage(), e);
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
