package org.dpspark.datasets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The data files under a path: the path itself when it is a file, else every file below the directory
 * (recursively) whose name and every intermediate directory name does not start with "_" or "." (Spark's
 * _SUCCESS, _temporary, .crc files), sorted by relative name.
 */
final class DataFiles {

    /** One data file; {@code relativeName} uses "/" and, for a single-file path, is the file name. */
    record DataFile(String relativeName, Path path, long length) {
    }

    private DataFiles() {
    }

    static List<DataFile> list(Configuration conf, String path) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("path must be non-blank, got '" + path + "'");
        }
        Path root = new Path(path);
        try {
            FileSystem fs = root.getFileSystem(conf);
            if (!fs.exists(root)) {
                throw new IllegalArgumentException("input path does not exist: " + path);
            }
            FileStatus st = fs.getFileStatus(root);
            List<DataFile> out = new ArrayList<>();
            if (st.isFile()) {
                out.add(new DataFile(st.getPath().getName(), st.getPath(), st.getLen()));
                return out;
            }
            collect(fs, st.getPath(), "", out);
            out.sort(Comparator.comparing(DataFile::relativeName));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list input path " + path, e);
        }
    }

    private static void collect(FileSystem fs, Path dir, String prefix, List<DataFile> out) throws IOException {
        for (FileStatus c : fs.listStatus(dir)) {
            String name = c.getPath().getName();
            if (name.startsWith("_") || name.startsWith(".")) {
                continue;
            }
            if (c.isDirectory()) {
                collect(fs, c.getPath(), prefix + name + "/", out);
            } else {
                out.add(new DataFile(prefix + name, c.getPath(), c.getLen()));
            }
        }
    }
}
