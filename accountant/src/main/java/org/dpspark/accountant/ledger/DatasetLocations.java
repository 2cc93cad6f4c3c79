package org.dpspark.accountant.ledger;

import java.io.IOException;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The normal form of a dataset's locations, so that one dataset read by different spellings is recognized as one:
 * <ul>
 *   <li>a path: qualified by its Hadoop file system ({@code FileSystem.makeQualified}: scheme, authority, absolute,
 *       {@code .} and {@code ..} resolved), without a trailing slash, e.g. {@code file:/data/adult} or
 *       {@code hdfs://nn:8020/data/adult};</li>
 *   <li>a catalog table: {@value #TABLE_PREFIX}{@code <database>.<table>} lower-cased, {@code default.} added when no
 *       database is given, backquotes and the session catalog's name {@code spark_catalog.} removed.</li>
 * </ul>
 * A location {@link #covers covers} another when they are equal, or when the other lies under it as a directory (a
 * path prefix ending on a '/' boundary). Tables cover only themselves.
 */
public final class DatasetLocations {
    /** The prefix of a table's normal form. */
    public static final String TABLE_PREFIX = "table:";

    private static final Pattern TABLE_PART = Pattern.compile("[a-z0-9_]+");

    private DatasetLocations() {}

    /**
     * The normal form of a path on a Hadoop file system.
     *
     * @throws IllegalArgumentException naming the path when it is empty or its file system cannot be resolved
     */
    public static String normalizePath(String path, Configuration conf) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("location must be a non-empty path, got "
                    + (path == null ? "null" : "'" + path + "'"));
        }
        try {
            Path p = new Path(path.trim());
            FileSystem fs = p.getFileSystem(conf == null ? new Configuration() : conf);
            return stripSlash(fs.makeQualified(p).toString());
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("location '" + path + "' is not a usable path: " + e.getMessage(), e);
        }
    }

    /**
     * The normal form of a catalog table name: {@code table:<db>.<table>}, lower-cased.
     *
     * @throws IllegalArgumentException naming the table when it is not {@code [catalog.][db.]table} of letters,
     *     digits and underscores
     */
    public static String normalizeTable(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("table must be a non-empty name, got "
                    + (name == null ? "null" : "'" + name + "'"));
        }
        String n = name.trim().replace("`", "").toLowerCase(Locale.ROOT);
        if (n.startsWith(TABLE_PREFIX)) {
            n = n.substring(TABLE_PREFIX.length());
        }
        String[] parts = n.split("\\.", -1);
        if (parts.length == 3 && parts[0].equals("spark_catalog")) {
            parts = new String[] {parts[1], parts[2]};
        }
        boolean ok = parts.length >= 1 && parts.length <= 2;
        for (String part : parts) {
            ok &= TABLE_PART.matcher(part).matches();
        }
        if (!ok) {
            throw new IllegalArgumentException("table must be [database.]table of letters, digits and underscores, got '"
                    + name + "'");
        }
        return TABLE_PREFIX + (parts.length == 1 ? "default." + parts[0] : parts[0] + "." + parts[1]);
    }

    /** Whether {@code location} is in normal form as far as can be told without a file system. */
    static boolean looksNormalized(String location) {
        if (location == null || location.isBlank() || location.chars().anyMatch(Character::isISOControl)) {
            return false;
        }
        if (location.startsWith(TABLE_PREFIX)) {
            try {
                return normalizeTable(location).equals(location);
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return location.matches("[A-Za-z][A-Za-z0-9+.-]*:/.*") && location.equals(stripSlash(location));
    }

    /**
     * Whether the registered location {@code registered} covers {@code location} (both in normal form): equal, or
     * {@code location} lies under the directory {@code registered}.
     */
    public static boolean covers(String registered, String location) {
        if (registered.equals(location)) {
            return true;
        }
        if (registered.startsWith(TABLE_PREFIX) || location.startsWith(TABLE_PREFIX)) {
            return false;
        }
        String dir = registered.endsWith("/") ? registered : registered + "/";
        return location.startsWith(dir);
    }

    /** Whether two registered locations overlap (one covers the other). */
    static boolean overlap(String a, String b) {
        return covers(a, b) || covers(b, a);
    }

    private static String stripSlash(String s) {
        String r = s;
        while (r.endsWith("/") && !r.endsWith(":/") && !r.endsWith("://")) {
            r = r.substring(0, r.length() - 1);
        }
        return r;
    }
}
