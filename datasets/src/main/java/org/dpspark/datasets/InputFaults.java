package org.dpspark.datasets;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipException;
import org.apache.spark.SparkThrowable;

/**
 * Tells a failure to read an input file apart: the file's bytes are not its format (bad input: a
 * {@link CorruptInputException} naming the file and the problem), or the system could not read them (an I/O fault:
 * an {@link UncheckedIOException} naming the file; retrying may help).
 *
 * <p>Spark reports a failed file read as a {@code SparkException} of condition {@code FAILED_READ_FILE.*} (or
 * {@code CANNOT_READ_FILE_FOOTER}) naming the file, caused by what the codec or parser threw. The cause decides:
 * a {@link FileNotFoundException}, a {@link FileSystemException} (permission denied) or an {@link IOException}
 * thrown by the file system's own streams is an I/O fault; anything a decompressor or a format parser throws is
 * corrupt data. Problem phrases never quote the input's content: a parser's message may hold a record (LibSVM's
 * "line=..."), so only its kind is named.
 */
public final class InputFaults {

    private static final Pattern QUOTED_FILE = Pattern.compile("(?:reading file|for file:?)\\s+(\\S+?)\\.?(?:\\s|$)");

    private InputFaults() {
    }

    /**
     * The failure as a bad-input or I/O-fault exception when {@code t} is a failed read of an input file; empty for
     * any other failure (the ledger, Spark itself, a bug), which callers handle as before.
     */
    public static Optional<RuntimeException> translate(Throwable t) {
        return translate(t, null);
    }

    /**
     * As {@link #translate(Throwable)}; {@code inputs} names the input files the run reads, for the failures Spark
     * reports without a file (a Parquet footer read in a schema job, a LibSVM line parsed after the scan), or null.
     */
    public static Optional<RuntimeException> translate(Throwable t, String inputs) {
        return translate(t, inputs, null);
    }

    /** As {@link #translate(Throwable, String)}, knowing the inputs' format ({@code --format}), or null. */
    public static Optional<RuntimeException> translate(Throwable t, String inputs, String format) {
        CorruptInputException own = find(t, CorruptInputException.class);
        if (own != null) {
            return Optional.of(own);
        }
        if (inputs != null && !failedRead(t)) {
            Throwable root = root(t);
            // (the JVM may throw a parser's ArrayIndexOutOfBounds without a stack trace once it is hot: then the
            // format tells)
            boolean libsvmTask = "libsvm".equalsIgnoreCase(format) && root instanceof RuntimeException
                    && find(t, org.apache.spark.SparkException.class) != null;
            if (libsvmTask || thrownBy(t, "org.apache.spark.mllib.util.MLUtils", "LibSVM")) {
                return Optional.of(new CorruptInputException(inputs, "malformed LibSVM line ("
                        + root.getClass().getSimpleName() + ")", root));
            }
            if (parquet(t)) {
                return Optional.of(ioFault(root)
                        ? new UncheckedIOException("cannot read input file '" + inputs + "': "
                                + root.getClass().getSimpleName() + ": " + oneLine(root.getMessage()),
                                root instanceof IOException io ? io : new IOException(root))
                        : new CorruptInputException(inputs, "corrupt Parquet file (" + root.getClass().getSimpleName()
                                + ")", root));
            }
        }
        String file = null;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SparkThrowable st && st.getCondition() != null
                    && (st.getCondition().startsWith("FAILED_READ_FILE")
                            || st.getCondition().startsWith("CANNOT_READ_FILE_FOOTER"))) {
                file = fileOf(st, c.getMessage());
                break;
            }
        }
        if (file == null) {
            return Optional.empty();
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (ioFault(root)) {
            return Optional.of(new UncheckedIOException("cannot read input file '" + file + "': "
                    + root.getClass().getSimpleName() + ": " + oneLine(root.getMessage()),
                    root instanceof IOException io ? io : new IOException(root)));
        }
        return Optional.of(new CorruptInputException(file, problem(file, t, root), root));
    }

    private static Throwable root(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static boolean failedRead(Throwable t) {
        for (Throwable c = t; c != null && c != c.getCause(); c = c.getCause()) {
            if (c instanceof SparkThrowable st && st.getCondition() != null
                    && (st.getCondition().startsWith("FAILED_READ_FILE")
                            || st.getCondition().startsWith("CANNOT_READ_FILE_FOOTER"))) {
                return true;
            }
        }
        return false;
    }

    /** Whether a frame of the cause chain is in a class whose name starts with or contains one of {@code names}. */
    private static boolean thrownBy(Throwable t, String... names) {
        for (Throwable c = t; c != null && c != c.getCause(); c = c.getCause()) {
            for (StackTraceElement e : c.getStackTrace()) {
                for (String n : names) {
                    if (e.getClassName().contains(n)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * Whether {@code root} is the system failing to deliver the bytes (rather than the bytes being wrong): a missing
     * file, permission denied, or an IOException not thrown by a decompressor or format parser (a disk or network
     * error). An end of file, a gzip error, or any exception thrown by a codec or parser is the bytes being wrong.
     */
    static boolean ioFault(Throwable root) {
        if (root instanceof FileNotFoundException || root instanceof FileSystemException) {
            return true;
        }
        if (!(root instanceof IOException) || root instanceof EOFException || root instanceof ZipException) {
            return false;
        }
        StackTraceElement[] st = root.getStackTrace();
        if (st.length == 0) {
            return true;
        }
        String thrower = st[0].getClassName();
        for (String parser : PARSERS) {
            if (thrower.startsWith(parser)) {
                return false;
            }
        }
        return true;
    }

    /** Packages whose IOExceptions mean the bytes are not their format (codecs, Parquet, Arrow, Hadoop's text). */
    private static final String[] PARSERS = {"java.util.zip.", "org.apache.hadoop.io.compress.",
        "org.apache.parquet.", "shaded.parquet.", "org.apache.arrow.", "com.github.luben.", "io.airlift.",
        "org.xerial.snappy.", "net.jpountz.", "org.apache.commons.compress.", "org.apache.spark.sql.execution.datasources.",
        "org.dpspark.datasets."};

    /** The problem in a few words, from the root cause and the file's compression (by its name, as Hadoop picks it). */
    static String problem(String file, Throwable t, Throwable root) {
        String codec = codecOf(file);
        String msg = root.getMessage() == null ? "" : root.getMessage().toLowerCase(Locale.ROOT);
        if (codec != null) {
            if (msg.contains("not a gzip file") || msg.contains("not in gzip format")
                    || msg.contains("incorrect header check") || msg.contains("unknown compression method")) {
                return "not " + codec + " (bad header), though its name says so";
            }
            if (root instanceof EOFException || msg.contains("unexpected end of")) {
                return "truncated " + codec + " stream";
            }
            if (root instanceof ZipException || msg.contains("crc") || msg.contains("invalid")
                    || msg.contains("corrupt") || msg.contains("size doesn't match")) {
                return "corrupt " + codec + " stream (" + root.getClass().getSimpleName() + ": " + oneLine(root.getMessage())
                        + ")";
            }
        }
        if (parquet(t)) {
            return "corrupt Parquet file (" + root.getClass().getSimpleName() + ")";
        }
        if (root instanceof EOFException) {
            return "truncated (unexpected end of file)";
        }
        if (root instanceof IOException) {
            return "unreadable as its format (" + root.getClass().getSimpleName() + ": " + oneLine(root.getMessage())
                    + ")";
        }
        // a parser's own exception: its message may quote a record, so only its kind
        return "malformed content (" + root.getClass().getSimpleName() + ")";
    }

    private static boolean parquet(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            for (StackTraceElement e : c.getStackTrace()) {
                if (e.getClassName().startsWith("org.apache.parquet.")) {
                    return true;
                }
            }
            String m = c.getMessage();
            if (m != null && (m.contains("is not a Parquet file") || m.contains("CANNOT_READ_FILE_FOOTER"))) {
                return true;
            }
        }
        return false;
    }

    /** The compression Hadoop infers from the file name (as its text readers do), or null. */
    static String codecOf(String file) {
        String f = file.toLowerCase(Locale.ROOT);
        if (f.endsWith(".gz") || f.endsWith(".gzip")) {
            return "gzip";
        }
        if (f.endsWith(".bz2")) {
            return "bzip2";
        }
        if (f.endsWith(".zst")) {
            return "zstd";
        }
        if (f.endsWith(".lz4")) {
            return "lz4";
        }
        if (f.endsWith(".snappy")) {
            return "snappy";
        }
        if (f.endsWith(".deflate")) {
            return "deflate";
        }
        return null;
    }

    private static String fileOf(SparkThrowable st, String message) {
        Map<String, String> p = st.getMessageParameters();
        if (p != null) {
            for (String k : new String[] {"path", "file"}) {
                String v = p.get(k);
                if (v != null && !v.isBlank()) {
                    return v;
                }
            }
        }
        Matcher m = QUOTED_FILE.matcher(message == null ? "" : message);
        return m.find() ? m.group(1) : "(unnamed)";
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        String l = s.replace('\n', ' ').replace('\r', ' ');
        return l.length() > 200 ? l.substring(0, 200) + "..." : l;
    }
}
