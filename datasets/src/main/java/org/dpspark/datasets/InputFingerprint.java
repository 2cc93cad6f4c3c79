package org.dpspark.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * A content hash of an input, recorded in the privacy ledger and in model provenance, so that the same data read
 * twice is recognised as the same dataset.
 *
 * <p>{@code "sha256:" + hex(SHA-256(M))} where, over the data files sorted by relative name (see below),
 * {@code M = "dpspark-input-v1" || u64(#files) || for each file: u32(len(name)) || name (UTF-8) || u64(length)
 * || content} (integers big-endian). Data files: the path itself when it is a file (its name is then the file
 * name), else every file under the directory, recursively, skipping names starting with "_" or "." (_SUCCESS,
 * .crc files, _temporary). Content is streamed, never held in memory. Same names and bytes give the same
 * fingerprint; any changed byte, renamed, added or removed file changes it.
 */
public final class InputFingerprint {

    private static final byte[] DOMAIN = "dpspark-input-v1".getBytes(StandardCharsets.US_ASCII);

    private InputFingerprint() {
    }

    /**
     * Fingerprints {@code path}.
     *
     * @param conf Hadoop configuration (null means {@code new Configuration()})
     * @throws IllegalArgumentException when the path does not exist or holds no data files
     * @throws UncheckedIOException     on read errors, or when a file's size changes while it is hashed
     */
    public static String of(Configuration conf, String path) {
        Configuration c = conf == null ? new Configuration() : conf;
        List<DataFiles.DataFile> files = DataFiles.list(c, path);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no data files under " + path);
        }
        return digest(c, files);
    }

    /**
     * Fingerprints the input of {@code format} at {@code path}: as {@link #of(Configuration, String)}, except for
     * {@link InputFormat#MNIST}, whose data is two files: the images file named by the path and its labels file
     * ({@link MnistReader#labelsPathFor}), hashed as a set of two files under their names.
     */
    public static String of(Configuration conf, String path, InputFormat format) {
        if (format != InputFormat.MNIST) {
            return of(conf, path);
        }
        Configuration c = conf == null ? new Configuration() : conf;
        List<DataFiles.DataFile> files = new java.util.ArrayList<>();
        files.addAll(DataFiles.list(c, path));
        files.addAll(DataFiles.list(c, MnistReader.labelsPathFor(c, path)));
        files.sort(java.util.Comparator.comparing(DataFiles.DataFile::relativeName));
        return digest(c, files);
    }

    private static String digest(Configuration c, List<DataFiles.DataFile> files) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        md.update(DOMAIN);
        md.update(u64(files.size()));
        byte[] buf = new byte[1 << 16];
        for (DataFiles.DataFile f : files) {
            byte[] name = f.relativeName().getBytes(StandardCharsets.UTF_8);
            md.update(u32(name.length));
            md.update(name);
            md.update(u64(f.length()));
            long read = 0;
            try {
                FileSystem fs = f.path().getFileSystem(c);
                try (InputStream in = fs.open(f.path())) {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        md.update(buf, 0, n);
                        read += n;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + f.path(), e);
            }
            if (read != f.length()) {
                throw new UncheckedIOException(new IOException("file " + f.path() + " changed while hashing: listed "
                        + f.length() + " bytes, read " + read));
            }
        }
        return "sha256:" + HexFormat.of().formatHex(md.digest());
    }

    private static byte[] u64(long v) {
        byte[] b = new byte[8];
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
        return b;
    }

    private static byte[] u32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }
}
